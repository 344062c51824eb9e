// End-to-end tests of the OAuth 1.0a entry (browser-oauth/oauth1) in each browser engine
// (BROWSERS) against the local OAuth 1.0a provider (www/oauth1/provider.py on oauthlib). Each case
// names the specs.md rule it checks (§14 RFC 5849, §15 the consumer secret in a browser).
import { strict as assert } from 'node:assert';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { after, before, describe } from 'node:test';

import {
  OAUTH1_CONSUMER, captureWasmMemories, collectStorage, describeEngines, securityEvents, startOAuth1Provider,
  startSite, wasmMemoryContains,
} from './harness.mjs';

let site;
let provider;

before(async () => {
  site = await startSite();
  provider = await startOAuth1Provider({ APP_ORIGIN: site.url });
});

after(async () => {
  await Promise.all([site?.stop(), provider?.stop()]);
});

/**
 * Opens the OAuth 1.0a demo page in a fresh context. Records every credentials response
 * (to know the token secrets), every request the page sends and every response it reads,
 * and every sessionStorage write and cookie write the page makes.
 */
async function openAppIn(browser, options = {}) {
  const context = await browser.newContext();
  const config = {
    provider: provider.url,
    consumerKey: OAUTH1_CONSUMER.key,
    ...(options.useSigner ? { useSigner: true } : { consumerSecret: OAUTH1_CONSUMER.secret }),
    ...options.extra,
  };
  const writes = [];
  await context.exposeBinding('__recordWrite', (_, what) => { writes.push(what); });
  await context.addInitScript(captureWasmMemories);
  await context.addInitScript(() => {
    const setItem = Storage.prototype.setItem;
    Storage.prototype.setItem = function (key, value) {
      window.__recordWrite(`${key}=${value}`);
      return setItem.call(this, key, value);
    };
    const cookie = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie');
    Object.defineProperty(Document.prototype, 'cookie', {
      get() { return cookie.get.call(this); },
      set(value) { window.__recordWrite(`cookie:${value}`); cookie.set.call(this, value); },
    });
  });
  await context.addInitScript((cfg) => { window.OAUTH1_CONFIG = cfg; }, config);
  const page = await context.newPage();
  const credentials = [];
  const traffic = [];
  page.on('request', (request) => {
    traffic.push(`${request.method()} ${request.url()} ${JSON.stringify(request.headers())} ${request.postData() ?? ''}`);
  });
  page.on('response', async (response) => {
    const body = await response.text().catch(() => '');
    traffic.push(`response ${response.url()} ${body}`);
    if (/\/(initiate|token)$/.test(new URL(response.url()).pathname) && response.status() === 200) {
      credentials.push(Object.fromEntries(new URLSearchParams(body)));
    }
  });
  await page.goto(`${site.url}/oauth1.html`);
  await page.locator('#status', { hasText: 'ready' }).waitFor();
  return { context, page, credentials, traffic, writes };
}

/**
 * Clicks "Log in", approves at the provider, and holds the redirect back: the callback page
 * loads with the app script stubbed out, so nothing consumes the callback. Returns its URL.
 */
async function loginUntilCallback(page) {
  const isApp = (url) => url.origin === site.url && url.pathname === '/www/oauth1-app.js';
  const isCallback = (url) => url.origin === site.url && url.pathname === '/oauth1-callback.html';
  await page.click('#login');
  await page.waitForURL((url) => url.origin === provider.url);
  await page.route(isApp, (route) => route.fulfill({ contentType: 'text/javascript', body: '' }));
  await page.click('#approve');
  await page.waitForURL(isCallback);
  await page.unroute(isApp);
  return page.url();
}

/** Loads a callback URL in the app; returns the status text and error code shown. */
async function deliver(page, callbackUrl) {
  await page.goto(callbackUrl);
  const status = page.locator('#status');
  await status.filter({ hasText: /logged in|error/ }).waitFor();
  return { status: await status.textContent(), code: await page.locator('#error-code').textContent() };
}

/** Logs in all the way; returns the token credentials the provider issued. */
async function login(app) {
  const callback = await loginUntilCallback(app.page);
  assert.deepEqual(await deliver(app.page, callback), { status: 'logged in', code: '' });
  const token = app.credentials.at(-1);
  assert.ok(token?.oauth_token && token.oauth_token_secret && !token.oauth_callback_confirmed, 'token credentials issued');
  return token;
}

/** A fetch through the client, from inside the page; returns status and parsed body. */
function signedFetch(page, path, init) {
  return page.evaluate(async ([url, init]) => {
    const options = init ? { ...init, body: init.form ? new URLSearchParams(init.form) : init.body } : undefined;
    const response = await window.oauth1.client.fetch(url, options);
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  }, [`${provider.url}${path}`, init]);
}

describeEngines('OAuth 1.0a', { timeout: 300_000 }, (env) => {
  const { test } = env;
  /** The demo page in a fresh context of this engine's browser. */
  const openApp = (options) => openAppIn(env.browser, options);

  describe('OAuth 1.0a three-legged flow (specs §14.1)', () => {
    test('login, a signed GET and a signed form POST are accepted by the protected resource (specs §14.2)', async () => {
      const app = await openApp();
      try {
        const token = await login(app);
        assert.equal(new URL(await app.page.url()).search, '', 'oauth_token and oauth_verifier left the address bar (specs §2)');
        const get = await signedFetch(app.page, '/photos?file=vacation%20photo.jpg&size=original');
        assert.equal(get.status, 200);
        assert.deepEqual(get.body.params, { file: 'vacation photo.jpg', size: 'original' });
        assert.equal(get.body.token, token.oauth_token);
        const post = await signedFetch(app.page, '/photos', { method: 'POST', form: { caption: 'été ☃ +&=', n: '1' } });
        assert.equal(post.status, 200, 'the form body is part of the signature (§3.4.1.3.1)');
        assert.deepEqual(post.body.params, { caption: 'été ☃ +&=', n: '1' });
        const elsewhere = await app.page.evaluate(() => window.oauth1.client.fetch('https://elsewhere.example/photos')
          .then(() => 'sent', (error) => error.code));
        assert.equal(elsewhere, 'origin_not_allowed', 'requests are signed only for allowed origins');
        assert.deepEqual(await securityEvents(app.page, `${provider.url}/token`), [['origin_not_allowed', 'config']]);
      } finally {
        await app.context.close();
      }
    });

    for (const signatureMethod of ['PLAINTEXT', 'HMAC-SHA256']) {
      test(`the flow and a signed request also work with ${signatureMethod} (specs §14.2; http only because it is loopback)`, async () => {
        const app = await openApp({ extra: { signatureMethod } });
        try {
          await login(app);
          assert.equal((await signedFetch(app.page, '/photos?size=original')).status, 200);
        } finally {
          await app.context.close();
        }
      });
    }

    test('a request signed with a wrong token secret is refused by the provider (signatures are checked)', async () => {
      const app = await openApp();
      try {
        const token = await login(app);
        const forged = await app.page.evaluate(async ([url, token]) => {
          const header = `OAuth oauth_consumer_key="browseroauthdemo1", oauth_token="${token}", oauth_signature_method="PLAINTEXT", oauth_timestamp="${Math.floor(Date.now() / 1000)}", oauth_nonce="0123456789abcdef0123", oauth_signature="wrong%26wrong"`;
          return (await fetch(url, { headers: { Authorization: header } })).status;
        }, [`${provider.url}/photos`, token.oauth_token]);
        assert.equal(forged, 401);
      } finally {
        await app.context.close();
      }
    });

    test('a tampered callback oauth_token is refused; a replayed callback is refused (specs §14.1)', async () => {
      const app = await openApp();
      try {
        const callback = await loginUntilCallback(app.page);
        const tampered = new URL(callback);
        const real = tampered.searchParams.get('oauth_token');
        tampered.searchParams.set('oauth_token', `${real.slice(0, -1)}${real.endsWith('x') ? 'y' : 'x'}`);
        assert.deepEqual(await deliver(app.page, tampered.href), { status: 'error', code: 'temporary_token_mismatch' });
        assert.deepEqual(await securityEvents(app.page, `${provider.url}/token`), [['temporary_token_mismatch', 'callback']]);
        assert.deepEqual(await deliver(app.page, callback), { status: 'logged in', code: '' });
        assert.deepEqual(await securityEvents(app.page), []);
        assert.deepEqual(await deliver(app.page, callback), { status: 'error', code: 'temporary_token_mismatch' },
          'the pending request is single use');
        assert.deepEqual(await securityEvents(app.page, `${provider.url}/token`), [['temporary_token_mismatch', 'callback']], 'the replay');
      } finally {
        await app.context.close();
      }
    });
  });

  describe('OAuth 1.0a pending requests are bounded like OAuth 2 ones (issue 11 item 13)', () => {
    test('30 authorizationUrl() calls leave 8 pending records, expired and unreadable ones go, and a login still works', async () => {
      const app = await openApp();
      try {
        const run = await app.page.evaluate(async () => {
          const now = Math.floor(Date.now() / 1000);
          sessionStorage.setItem('browser-oauth:oauth1:expired', `v=1&t=expired&s=x&c=${now - 601}`);
          sessionStorage.setItem('browser-oauth:oauth1:unreadable', 'not a record');
          sessionStorage.setItem('browser-oauth:pending:other', 'an OAuth 2 record: not ours to prune');
          const failures = [];
          for (let i = 0; i < 30; i += 1) {
            await window.oauth1.client.authorizationUrl().catch((error) => failures.push(error.code ?? String(error)));
          }
          const ours = Object.keys(sessionStorage).filter((key) => key.startsWith('browser-oauth:oauth1:'));
          return { failures, ours, other: sessionStorage.getItem('browser-oauth:pending:other') !== null };
        });
        assert.deepEqual(run.failures, [], 'every call stored its request');
        assert.equal(run.ours.length, 8, run.ours.join(' '));
        assert.ok(!run.ours.includes('browser-oauth:oauth1:expired') && !run.ours.includes('browser-oauth:oauth1:unreadable'));
        assert.ok(run.other, "the OAuth 2 entry's record is left alone");
        await login(app);
        assert.deepEqual(await securityEvents(app.page), []);
      } finally {
        await app.context.close();
      }
    });

    test('a full storage drops our older pending records and stores the new one; storage that refuses everything gives storage_unavailable', async () => {
      const app = await openApp();
      try {
        const run = await app.page.evaluate(async () => {
          // A storage with room for three records under our prefix, then full.
          const setItem = Storage.prototype.setItem;
          const ours = () => Object.keys(sessionStorage).filter((key) => key.startsWith('browser-oauth:oauth1:'));
          Storage.prototype.setItem = function (key, value) {
            if (ours().length >= 3) throw new DOMException('full', 'QuotaExceededError');
            return setItem.call(this, key, value);
          };
          const outcomes = [];
          for (let i = 0; i < 5; i += 1) {
            outcomes.push(await window.oauth1.client.authorizationUrl().then(() => 'stored', (error) => error.code));
          }
          const kept = ours().length;
          Storage.prototype.setItem = () => { throw new DOMException('full', 'QuotaExceededError'); };
          const refused = await window.oauth1.client.authorizationUrl().then(() => 'stored', (error) => error.code);
          Storage.prototype.setItem = setItem;
          return { outcomes, kept, refused };
        });
        assert.deepEqual(run.outcomes, ['stored', 'stored', 'stored', 'stored', 'stored'], 'the older records made room');
        assert.ok(run.kept >= 1 && run.kept <= 3, `${run.kept} records`);
        assert.equal(run.refused, 'storage_unavailable');
        await login(app);
      } finally {
        await app.context.close();
      }
    });
  });

  describe('OAuth 1.0a credentials requests never follow a redirect (issue 11 item 6)', () => {
    test('a 307 from the token endpoint to another origin never delivers the signed request there', async () => {
      const received = [];
      const thief = createServer((request, response) => {
        received.push(`${request.method} ${request.url} ${JSON.stringify(request.headers)}`);
        response.writeHead(200, { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Headers': 'Authorization' });
        response.end('oauth_token=t&oauth_token_secret=s');
      });
      thief.listen(0, '127.0.0.1');
      await once(thief, 'listening');
      const app = await openApp();
      try {
        const callback = await loginUntilCallback(app.page);
        await app.context.route(`${provider.url}/token`, (route) => route.fulfill({
          status: 307,
          headers: { Location: `http://127.0.0.1:${thief.address().port}/steal`, 'Access-Control-Allow-Origin': site.url },
          body: '',
        }));
        assert.deepEqual(await deliver(app.page, callback), { status: 'error', code: 'network_error' });
        assert.deepEqual(received, [], 'the verifier and signature never reached the other origin');
      } finally {
        await app.context.close();
        thief.close();
      }
    });
  });

  describe('OAuth 1.0a credentials: memory only, expiry, logout (specs §15, design.md)', () => {
    test('after logout the credentials are gone from WASM memory, and nothing was ever in storage', async () => {
      const app = await openApp();
      try {
        const token = await login(app);
        assert.ok(await wasmMemoryContains(app.page, token.oauth_token_secret), 'sanity: the scan finds the secret while logged in');
        assert.equal((await signedFetch(app.page, '/photos')).status, 200);
        await app.page.evaluate(() => window.oauth1.client.logout());
        // The consumer secret given to the built-in signer stays: it is configuration, not a
        // session credential (and the signer hook keeps it out of the page entirely).
        for (const value of [token.oauth_token_secret, token.oauth_token]) {
          assert.equal(await wasmMemoryContains(app.page, value), false, `${value.slice(0, 6)}… is still in WASM memory`);
        }
        const failed = await app.page.evaluate(() => window.oauth1.client.fetch('/x').then(() => 'ok', (e) => e.code));
        assert.equal(failed, 'login_required');
        assert.deepEqual(await app.page.evaluate(() => window.oauth1.events), ['logout']);
        // Every write the page ever made: only the pending request, under the library prefix,
        // holding no token credential; and it is gone now.
        assert.ok(app.writes.length > 0 && app.writes.every((w) => w.startsWith('browser-oauth:oauth1:')), app.writes.join('\n'));
        for (const write of app.writes) {
          assert.ok(!write.includes(token.oauth_token) && !write.includes(token.oauth_token_secret));
        }
        const state = await collectStorage(app.page);
        assert.equal(state.sessionStorage, '{}');
        assert.equal(state.localStorage, '{}');
        for (const value of Object.values(state)) {
          assert.ok(!value.includes(token.oauth_token_secret) && !value.includes(token.oauth_token));
        }
      } finally {
        await app.context.close();
      }
    });

    test('the app-set lifetime ends the session with expiring then expired events', async () => {
      const app = await openApp({ extra: { tokenLifetimeSeconds: 3, expiringNoticeSeconds: 2 } });
      try {
        await login(app);
        assert.equal((await signedFetch(app.page, '/photos')).status, 200);
        await app.page.waitForFunction(() => window.oauth1.events.includes('expired'), null, { timeout: 10_000 });
        assert.deepEqual(await app.page.evaluate(() => window.oauth1.events), ['expiring', 'expired']);
        const failed = await app.page.evaluate(() => window.oauth1.client.fetch('/x').then(() => 'ok', (e) => e.code));
        assert.equal(failed, 'login_required');
      } finally {
        await app.context.close();
      }
    });

    test('a logout message on the browser-oauth BroadcastChannel wipes the OAuth 1.0a session', async () => {
      const app = await openApp();
      try {
        await login(app);
        await app.page.evaluate(() => new BroadcastChannel('browser-oauth').postMessage({ type: 'logout' }));
        await app.page.waitForFunction(() => window.oauth1.events.includes('logout'));
        assert.equal(await app.page.evaluate(() => window.oauth1.client.expiresAt()), undefined);
      } finally {
        await app.context.close();
      }
    });
  });

  describe('the signer hook (specs §15)', () => {
    test('a request waiting for the hook is dropped by a logout (login_required) and by a failing hook (signing_failed); the next one is signed', async () => {
      const context = await env.browser.newContext();
      try {
        const page = await context.newPage();
        await page.goto(`${site.url}/tests/pages/oauth1.html`);
        await page.waitForFunction(() => document.title === 'loaded');
        const outcome = await page.evaluate(async ([providerUrl, consumerKey]) => {
          const { createOAuth1Client } = window.oauth1Entry;
          const seen = [];
          let mode = 'wait';
          let release;
          const gate = new Promise((resolve) => { release = resolve; });
          let called;
          const hookCalled = new Promise((resolve) => { called = resolve; });
          // The demo's backend route signs with the consumer secret, which the page never holds.
          const sign = async (baseString, method, tokenSecret) => {
            seen.push([baseString.split('&')[0], method, tokenSecret]);
            called();
            if (mode === 'fail') throw new Error('the backend is down');
            if (mode === 'wait') await gate;
            const response = await fetch(`${providerUrl}/backend/sign`, {
              method: 'POST',
              headers: { 'Content-Type': 'application/json' },
              body: JSON.stringify({ baseString, method, tokenSecret }),
            });
            return (await response.json()).signature;
          };
          const client = await createOAuth1Client({
            consumerKey,
            realm: 'photos',
            temporaryCredentialsUrl: `${providerUrl}/initiate`,
            authorizationUrl: `${providerUrl}/authorize`,
            tokenUrl: `${providerUrl}/token`,
            callbackUrl: `${location.origin}/oauth1-callback.html`,
            sign,
          });
          const settle = (promise) => promise.then((url) => new URL(url).origin, (error) => error.code);
          const waiting = settle(client.authorizationUrl());
          await hookCalled;
          client.logout();
          release();
          const afterLogout = await waiting;
          mode = 'fail';
          const failed = await settle(client.authorizationUrl());
          mode = 'sign';
          const signed = await settle(client.authorizationUrl());
          return { afterLogout, failed, signed, seen };
        }, [provider.url, OAUTH1_CONSUMER.key]);
        assert.equal(outcome.afterLogout, 'login_required', 'the logout dropped the request the hook was signing');
        assert.equal(outcome.failed, 'signing_failed');
        assert.equal(outcome.signed, provider.url, 'the next request is signed, sent and answered');
        // What the hook is given for the temporary-credentials request (§2.1): no token secret.
        assert.deepEqual(outcome.seen, [['POST', 'HMAC-SHA1', ''], ['POST', 'HMAC-SHA1', ''], ['POST', 'HMAC-SHA1', '']]);
      } finally {
        await context.close();
      }
    });

    test('with the signer hook the consumer secret never enters the page, and the flow still works', async () => {
      const app = await openApp({ useSigner: true });
      try {
        const before = await (await fetch(`${provider.url}/stats`)).json();
        const token = await login(app);
        const photos = await signedFetch(app.page, '/photos?size=original');
        assert.equal(photos.status, 200);
        const after = await (await fetch(`${provider.url}/stats`)).json();
        assert.equal(after.signed_by_backend - before.signed_by_backend, 3, 'temporary, token and resource requests were signed by the backend');
        assert.equal(await wasmMemoryContains(app.page, OAUTH1_CONSUMER.secret), false);
        const everything = [
          ...app.traffic, ...app.writes, await app.page.content(),
          JSON.stringify(await collectStorage(app.page)),
          await app.page.evaluate(() => JSON.stringify(window.OAUTH1_CONFIG)),
        ];
        for (const text of everything) assert.ok(!text.includes(OAUTH1_CONSUMER.secret), `consumer secret in: ${text.slice(0, 120)}`);
        assert.ok(app.traffic.some((t) => t.includes(token.oauth_token)), 'sanity: the traffic log is complete');
      } finally {
        await app.context.close();
      }
    });
  });
});
