// End-to-end tests of the session after login (issue 4): renewal with rotating refresh
// tokens, single flight in a tab and across tabs, the end of a session, and ID-token
// signature and nonce checks. The demo app runs in each browser engine (BROWSERS) against the real local
// OpenID provider with 20 s access tokens. Tests wait for events, never for durations: the
// renewal tests move the page's clock (a fake one) to the renewal time instead of waiting
// for it (the React suite's refresh runs on the real clock and timers).
import { strict as assert } from 'node:assert';
import { createSign, generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import { after, before } from 'node:test';

import {
  assertNoTokenLeak, demoContext, describeEngines, installFakeClock, runClockFor, securityEvents, signInThroughApp, startProvider, startSite,
} from './harness.mjs';

const CLIENT_ID = 'browser-oauth-demo';
let site;
let provider;

before(async () => {
  site = await startSite();
  // 20 s tokens: renewal at half-life (10 s) meets the minimum interval between refreshes.
  provider = await startProvider({ APP_ORIGIN: site.url, ACCESS_TTL: '20', ID_TTL: '60' });
});

after(async () => {
  await Promise.all([site?.stop(), provider?.stop()]);
});

/**
 * A fresh browser context for the demo app. Records every token the token endpoint hands
 * out and every refresh grant the pages send, in order, with request/response events.
 */
async function openContext(browser, extra = {}) {
  const context = await demoContext(browser, {
    siteUrl: site.url,
    issuer: provider.url,
    clientId: CLIENT_ID,
    scope: 'openid profile email offline_access',
    ...extra,
  });
  const tokens = [];
  /** Tokens by kind, in issue order. */
  const issued = { access_token: [], refresh_token: [], id_token: [] };
  const log = [];
  const isToken = (r) => r.method() === 'POST' && r.url() === `${provider.url}/token`;
  context.on('request', (request) => {
    if (!isToken(request)) return;
    const body = new URLSearchParams(request.postData() ?? '');
    if (body.get('grant_type') === 'refresh_token') log.push({ event: 'request', refreshToken: body.get('refresh_token') });
  });
  context.on('response', async (response) => {
    if (!isToken(response.request())) return;
    // Logged at once, in event order; the body is read after.
    const entry = { event: 'response', status: response.status() };
    if (new URLSearchParams(response.request().postData() ?? '').get('grant_type') === 'refresh_token') log.push(entry);
    const body = await response.json().catch(() => ({}));
    entry.refreshToken = body.refresh_token;
    for (const name of ['access_token', 'refresh_token', 'id_token']) {
      if (body[name]) {
        tokens.push(body[name]);
        issued[name].push(body[name]);
      }
    }
  });
  return { context, tokens, issued, log };
}

/** Opens the app in a new page of `context` and signs in (the provider may skip its prompts). */
async function signedInPage(context) {
  const { page, code } = await signIn(context);
  assert.equal(code, '', 'signed in');
  return page;
}

/** Waits until the app has seen `count` events of `type`. */
function waitForEvents(page, type, count = 1) {
  return page.waitForFunction(([t, n]) => window.demo.events.filter((e) => e.type === t).length >= n, [type, count], { timeout: 90_000 });
}

/** Runs a client method in the page; resolves to 'ok' or the error code. */
function outcome(page, method) {
  return page.evaluate((m) => window.demo.client[m]().then(() => 'ok', (e) => e.code ?? String(e)), method);
}

/** Calls the provider's userinfo endpoint through client.fetch; returns status and sub. */
function callUserinfo(page) {
  return page.evaluate(async (issuer) => {
    const response = await window.demo.client.fetch(`${issuer}/me`);
    return { status: response.status, sub: (await response.json()).sub };
  }, provider.url);
}

/** Answers a resource request with a 401 `Bearer error="invalid_token"` challenge the page can read (RFC 6750 §3.1). */
function refuseAsInvalidToken(route) {
  return route.fulfill({
    status: 401,
    headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"', 'Access-Control-Allow-Origin': site.url, 'Access-Control-Expose-Headers': 'WWW-Authenticate' },
    body: '',
  });
}

/** Asserts refresh grants never overlapped, and each spent the refresh token last issued to its tab. */
function assertSerialisedRotation(log) {
  for (let i = 0; i < log.length; i += 2) {
    assert.equal(log[i].event, 'request', `entry ${i}: a refresh starts only after the previous one answered`);
    assert.equal(log[i + 1]?.event, 'response', `entry ${i + 1}`);
  }
}

/**
 * Arms a client method in a page under the name `name`: it runs when the go signal of `go()`
 * arrives on a BroadcastChannel, so several tabs start it at the same moment; `armedOutcome`
 * reads the result ('ok' or the error code). WebDriver runs one command at a time, so the
 * calls themselves cannot be made at once. Until then the tab answers each 'ping' with its
 * name (see `go`).
 */
function arm(page, method, name) {
  return page.evaluate(([m, id]) => {
    window.__armedOutcome = undefined;
    const channel = new BroadcastChannel('e2e-go');
    channel.onmessage = ({ data }) => {
      if (data === 'ping') channel.postMessage({ armed: id });
      if (data !== 'go') return;
      channel.close();
      window.demo.client[m]().then(() => 'ok', (e) => e.code ?? String(e)).then((r) => { window.__armedOutcome = r; });
    };
  }, [method, name]);
}

/**
 * Sends the go signal from `page` to every armed tab of its origin (itself included), once
 * each tab named in `names` has answered a ping. In WebKitGTK a message posted in one window
 * can miss a channel opened in another window just before (it is dropped, not delayed: a
 * later post reaches that channel), so a single go could leave a tab waiting forever; pings
 * are sent until every armed tab has heard one, and then go follows on the same channel.
 */
function go(page, names) {
  return page.evaluate((wanted) => new Promise((resolve) => {
    const channel = new BroadcastChannel('e2e-go');
    const heard = new Set();
    const ping = setInterval(() => channel.postMessage('ping'), 100);
    channel.onmessage = ({ data }) => {
      if (data?.armed === undefined) return;
      heard.add(data.armed);
      if (!wanted.every((name) => heard.has(name))) return;
      clearInterval(ping);
      channel.onmessage = null;
      channel.postMessage('go');
      channel.close();
      resolve();
    };
    channel.postMessage('ping');
  }), names);
}

/** The outcome of an armed method, once it is known. */
function armedOutcome(page) {
  return page.waitForFunction(() => window.__armedOutcome, null, { timeout: 90_000 });
}

describeEngines('session: renewal, rotation, single flight, end of session, ID token checks', { timeout: 600_000 }, (env) => {
  const { test } = env;
  test('automatic renewal keeps a session past several 20 s lifetimes with rotating refresh tokens (specs §4, RFC 6749 §6)', async () => {
    const { context, tokens, log } = await openContext(env.browser);
    await installFakeClock(context);
    const page = await signedInPage(context);
    // Page time, 10 s at a time: each step reaches the next renewal (half-life of a 20 s
    // token); the refresh grant itself goes over the real network while the clock stands.
    for (let renewal = 1; renewal <= 4; renewal += 1) {
      await runClockFor(page, 10_000);
      await waitForEvents(page, 'refreshed', renewal);
    }
    const events = await page.evaluate(() => window.demo.events.map((e) => e.type));
    assert.ok(!events.includes('expired') && !events.includes('sessionEnded'), events.join());
    assert.ok(events.includes('expiring'), 'expiring fired before each renewal');
    assert.deepEqual(await callUserinfo(page), { status: 200, sub: 'alice' });
    // Rotation: each grant spent the refresh token issued by the previous answer.
    const answers = log.filter((e) => e.event === 'response');
    const requests = log.filter((e) => e.event === 'request');
    for (let i = 1; i < requests.length; i += 1) assert.equal(requests[i].refreshToken, answers[i - 1].refreshToken, `grant ${i}`);
    assert.equal(new Set(answers.map((a) => a.refreshToken)).size, answers.length, 'a new refresh token every time');
    assertSerialisedRotation(log);
    await assertNoTokenLeak(page, tokens);
    await context.close();
  });

  test('renew on read: concurrent getAccessToken calls share one refresh (issue 4 single flight)', async () => {
    const { context, tokens, issued, log } = await openContext(env.browser, { autoRefresh: false });
    await installFakeClock(context);
    const page = await signedInPage(context);
    // Half of the 20 s lifetime in page time: the token is due for renewal.
    await runClockFor(page, 10_000);
    await waitForEvents(page, 'expiring');
    const got = await page.evaluate(() => Promise.all(Array.from({ length: 5 }, () => window.demo.client.getAccessToken())));
    assert.equal(new Set(got).size, 1, 'every caller got the same token');
    assert.equal(log.filter((e) => e.event === 'request').length, 1, 'one refresh grant for five readers');
    await until(() => issued.access_token.length === 2);
    assert.equal(got[0], issued.access_token[1], 'the refreshed access token');
    await assertNoTokenLeak(page, tokens);
    await context.close();
  });

  test('two tabs refreshing at the same moment do not trip reuse detection (Web Lock, RFC 9700 §4.14.2)', async () => {
    const { context, tokens, log } = await openContext(env.browser, { autoRefresh: false });
    const [one, two] = [await signedInPage(context), await signedInPage(context)];
    for (let round = 0; round < 3; round += 1) {
      await arm(one, 'refresh', 'one');
      await arm(two, 'refresh', 'two');
      await go(one, ['one', 'two']);
      const results = [await armedOutcome(one), await armedOutcome(two)];
      assert.deepEqual(results, ['ok', 'ok'], `round ${round}`);
    }
    assert.equal(log.filter((e) => e.event === 'request').length, 6);
    assertSerialisedRotation(log);
    for (const page of [one, two]) {
      assert.deepEqual(await callUserinfo(page), { status: 200, sub: 'alice' });
      const types = await page.evaluate(() => window.demo.events.map((e) => e.type));
      assert.ok(!types.includes('sessionEnded') && !types.includes('refreshFailed'), types.join());
      await assertNoTokenLeak(page, tokens);
    }
    await context.close();
  });

  test('a revoked refresh token ends the session cleanly: sessionEnded, typed error, vault empty (issue 4 item 3)', async () => {
    const { context, tokens, issued } = await openContext(env.browser, { autoRefresh: false });
    const page = await signedInPage(context);
    const refreshToken = issued.refresh_token.at(-1);
    const revoked = await fetch(`${provider.url}/token/revocation`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: refreshToken, token_type_hint: 'refresh_token', client_id: CLIENT_ID }),
    });
    assert.equal(revoked.status, 200);
    assert.equal(await outcome(page, 'refresh'), 'session_ended');
    const ended = await page.evaluate(() => window.demo.events.filter((e) => e.type === 'sessionEnded'));
    assert.deepEqual(ended, [{ type: 'sessionEnded', code: 'session_ended' }]);
    assert.deepEqual(await securityEvents(page, provider.url), [['session_ended', 'refresh']]);
    assert.equal(await outcome(page, 'getAccessToken'), 'login_required');
    assert.equal(await page.evaluate(() => window.demo.client.user()), undefined);
    await assertNoTokenLeak(page, tokens);
    await context.close();
  });

  test('client.fetch never sends the token to an origin off the allowlist (issue 4 item 6)', async () => {
    const { context, tokens } = await openContext(env.browser);
    const page = await signedInPage(context);
    // A server off the allowlist that the page's CSP would let it reach: it counts requests.
    let leaked = 0;
    const trap = createServer((_req, res) => { leaked += 1; res.end(); });
    await new Promise((resolve) => trap.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${trap.address().port}/steal`;
      const code = await page.evaluate((u) => window.demo.client.fetch(u).then(() => 'sent', (e) => e.code), url);
      assert.equal(code, 'origin_not_allowed');
      assert.equal(leaked, 0, 'no request left the page');
    } finally {
      trap.close();
    }
    assert.deepEqual(await securityEvents(page, provider.url), [['origin_not_allowed', 'config']]);
    await assertNoTokenLeak(page, tokens);
    await context.close();
  });

  test('client.fetch refreshes once and retries once on 401 invalid_token, and no more (RFC 6750 §3.1)', async () => {
    const { context, tokens, log } = await openContext(env.browser, { autoRefresh: false });
    const page = await signedInPage(context);
    const seen = [];
    await context.route(`${provider.url}/me`, async (route) => {
      seen.push(route.request().headers().authorization);
      if (seen.length !== 2) {
        await refuseAsInvalidToken(route);
      } else {
        await route.continue();
      }
    });
    assert.deepEqual(await callUserinfo(page), { status: 200, sub: 'alice' });
    assert.equal(seen.length, 2);
    assert.notEqual(seen[0], seen[1], 'retried with the refreshed token');
    assert.equal(log.filter((e) => e.event === 'request').length, 1, 'one refresh');
    const status = await page.evaluate(async (issuer) => (await window.demo.client.fetch(`${issuer}/me`)).status, provider.url);
    assert.equal(status, 401, 'a 401 after the one retry is the app\'s: no loop');
    assert.equal(seen.length, 4, 'one try and one retry');
    await assertNoTokenLeak(page, tokens);
    await context.close();
  });

  test('with persist set and DPoP off, client.fetch and userInfo() still refresh once and retry once on 401 invalid_token', async () => {
    // `persist` loads the DPoP build instead of the default one: the Bearer path must ask
    // that build, not the default module, whether a challenge says invalid_token.
    const { context, tokens, log } = await openContext(env.browser, { autoRefresh: false, persist: 'tab' });
    const page = await signedInPage(context);
    let refusals = 2;
    const seen = [];
    await context.route(`${provider.url}/me`, async (route) => {
      seen.push(route.request().headers().authorization);
      if (refusals > 0 && seen.length % 2 === 1) {
        refusals -= 1;
        await refuseAsInvalidToken(route);
      } else {
        await route.continue();
      }
    });
    const status = await page.evaluate(async (issuer) => (await window.demo.client.fetch(`${issuer}/me`)).status, provider.url);
    assert.equal(status, 200, 'client.fetch: refreshed and retried');
    const sub = await page.evaluate(() => window.demo.client.userInfo().then((claims) => claims.sub, (e) => e.code ?? String(e)));
    assert.equal(sub, 'alice', 'userInfo(): refreshed and retried');
    assert.equal(seen.length, 4, 'each call: one try and one retry');
    assert.notEqual(seen[0], seen[1], 'retried with the refreshed token');
    assert.equal(log.filter((e) => e.event === 'request').length, 2, 'one refresh per call');
    await assertNoTokenLeak(page, tokens);
    await context.close();
  });

  test('a tampered ID token signature is refused (specs §10 step 6, WebCrypto against the JWKS)', async () => {
    const { context, tokens } = await openContext(env.browser);
    await context.route(`${provider.url}/token`, async (route) => {
      const response = await route.fetch();
      const json = await response.json();
      const [h, p, s] = json.id_token.split('.');
      const i = Math.floor(s.length / 2);
      json.id_token = `${h}.${p}.${s.slice(0, i)}${s[i] === 'A' ? 'B' : 'A'}${s.slice(i + 1)}`;
      await route.fulfill({ response, json });
    });
    const { page, code } = await signIn(context);
    assert.equal(code, 'id_token_signature_invalid');
    assert.deepEqual(await securityEvents(page, provider.url), [['id_token_signature_invalid', 'id_token']]);
    assert.equal(await page.evaluate(() => window.demo.client.user()), undefined);
    await assertNoTokenLeak(page, tokens);
    await context.close();
  });

  test('an ID token with a wrong nonce is refused even when validly signed (specs §10 step 11)', async () => {
    // The test signs ID tokens with its own key and serves that key as the provider's JWKS,
    // so the signature verifies and only the nonce can be the reason for the refusal.
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'test-key', alg: 'RS256', use: 'sig' };
    const resign = (idToken, nonce) => {
      const claims = JSON.parse(Buffer.from(idToken.split('.')[1], 'base64url'));
      const enc = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
      const input = `${enc({ alg: 'RS256', kid: 'test-key' })}.${enc({ ...claims, nonce: nonce ?? claims.nonce })}`;
      return `${input}.${createSign('RSA-SHA256').update(input).sign(privateKey).toString('base64url')}`;
    };
    for (const [nonce, expected] of [['not-the-nonce-we-sent', 'nonce_mismatch'], [undefined, null]]) {
      const { context, tokens } = await openContext(env.browser);
      await context.route(`${provider.url}/jwks`, (route) => route.fulfill({
        json: { keys: [jwk] }, headers: { 'Access-Control-Allow-Origin': '*' },
      }));
      await context.route(`${provider.url}/token`, async (route) => {
        const response = await route.fetch();
        const json = await response.json();
        json.id_token = resign(json.id_token, nonce);
        tokens.push(json.id_token);
        await route.fulfill({ response, json });
      });
      const { page, code } = await signIn(context);
      assert.equal(code || null, expected, 'the same re-signing with the true nonce is accepted');
      assert.deepEqual(await securityEvents(page, provider.url), expected ? [[expected, 'id_token']] : []);
      await assertNoTokenLeak(page, tokens);
      await context.close();
    }
  });
});

/** Resolves once `condition()` holds (checked as events arrive; no duration is asserted). */
async function until(condition) {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** Signs in through the demo app in a new page of `context` (see signInThroughApp). */
const signIn = (context) => signInThroughApp(context, site.url);
