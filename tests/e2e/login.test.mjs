// End-to-end tests of login (authorization code + PKCE) with the demo app in each browser
// engine (BROWSERS) against the real local OpenID provider. Each case names the specs.md rule it
// checks. After every flow, no token may be in storage, cookies, the URL or history.
import { strict as assert } from 'node:assert';
import { after, before } from 'node:test';

import { assertNoTokenLeak, describeEngines, securityEvents, signInAtProvider, startProvider, startSite } from './harness.mjs';

let site;
let provider;
let otherProvider;

before(async () => {
  site = await startSite();
  [provider, otherProvider] = await Promise.all([
    startProvider({ APP_ORIGIN: site.url }),
    startProvider({ APP_ORIGIN: site.url }),
  ]);
});

after(async () => {
  await Promise.all([site?.stop(), provider?.stop(), otherProvider?.stop()]);
});

/** The demo app's configuration for a provider. */
function appConfig(issuer, extra = {}) {
  return {
    issuer,
    clientId: 'browser-oauth-demo',
    redirectUri: `${site.url}/callback.html`,
    postLogoutRedirectUri: `${site.url}/`,
    scope: 'openid profile email offline_access',
    ...extra,
  };
}

/**
 * Opens the demo app in a fresh browser context configured for `issuer`, records every
 * token the token endpoint hands out (to look for leaks later), and waits until ready.
 */
async function openApp(browser, issuer = provider.url, extra = {}) {
  const context = await browser.newContext();
  await context.addInitScript((cfg) => { window.DEMO_CONFIG = cfg; }, appConfig(issuer, extra));
  const page = await context.newPage();
  const tokens = [];
  page.on('response', async (response) => {
    if (response.request().method() === 'POST' && response.url().endsWith('/token')) {
      const body = await response.json().catch(() => ({}));
      for (const name of ['access_token', 'refresh_token', 'id_token']) if (body[name]) tokens.push(body[name]);
    }
  });
  await page.goto(`${site.url}/`);
  await page.locator('#status', { hasText: 'ready' }).waitFor();
  return { context, page, tokens };
}

/**
 * Clicks "Log in", signs in at the provider, and holds the redirect back to the app: the
 * callback page loads with the app script stubbed out, so nothing consumes the response.
 * (The site's proxy answers the app script's request; the provider's redirect is left alone.)
 * Returns the callback URL the provider sent.
 */
async function loginUntilCallback(page, { returnTo = '/inbox', consent = true } = {}) {
  const isApp = (url) => url.origin === site.url && url.pathname === '/www/app.js';
  const isCallback = (url) => url.origin === site.url && url.pathname === '/callback.html';
  await page.fill('#return-to', returnTo);
  await page.click('#login');
  await page.waitForURL((url) => url.origin !== site.url);
  await page.route(isApp, (route) => route.fulfill({ contentType: 'text/javascript', body: '' }));
  await signInAtProvider(page, { consent });
  await page.waitForURL(isCallback);
  await page.unroute(isApp);
  return page.url();
}

/** Loads a callback URL in the app and waits for the outcome; returns status and error code. */
async function deliver(page, callbackUrl) {
  await page.goto(callbackUrl);
  await page.locator('#status', { hasText: /signed in|error/ }).waitFor();
  return { status: await page.textContent('#status'), code: await page.textContent('#error-code') };
}

/** Replaces (or adds) one query parameter of a URL. */
function withParam(url, name, value) {
  const u = new URL(url);
  u.searchParams.set(name, value);
  return u.href;
}

describeEngines('login against the local OpenID provider', { timeout: 300_000 }, (env) => {
  const { test } = env;
  test('full login: code exchanged, claims shown, returnTo honoured, address bar clean (specs §2, §4, §10)', async () => {
    const { context, page, tokens } = await openApp(env.browser);
    const callback = await loginUntilCallback(page, { returnTo: '/inbox?tab=1' });
    const params = new URL(callback).searchParams;
    assert.equal(params.get('iss'), provider.url, 'RFC 9207 iss present');
    const outcome = await deliver(page, callback);
    assert.deepEqual(outcome, { status: 'signed in', code: '' });
    const claims = JSON.parse(await page.textContent('#claims'));
    assert.equal(claims.sub, 'alice');
    assert.equal(claims.iss, provider.url);
    assert.equal(claims.aud, 'browser-oauth-demo');
    assert.match(await page.textContent('#granted-scope'), /openid/);
    const href = await page.url();
    assert.equal(href, `${site.url}/inbox?tab=1`, 'returnTo applied, response parameters gone');
    assert.equal(tokens.length >= 2, true, 'the token endpoint issued tokens');
    await assertNoTokenLeak(page, tokens);
    assert.deepEqual(await securityEvents(page), [], 'a login that passes raises no security event');
    await context.close();
  });

  test('the discovery request goes out while the wasm is still loading: start-up waits one round trip less', async () => {
    const context = await env.browser.newContext();
    await context.addInitScript((cfg) => { window.DEMO_CONFIG = cfg; }, appConfig(provider.url));
    let discovered;
    const discovery = new Promise((resolve) => { discovered = resolve; });
    const discoveries = [];
    context.on('request', (request) => {
      if (new URL(request.url()).pathname === '/.well-known/openid-configuration') {
        discoveries.push(request.url());
        discovered();
      }
    });
    // The wasm is held until the discovery request arrives (20 s at most): a client that asks
    // for discovery only once its wasm runs would never send it meanwhile.
    let order;
    const isWasm = (url) => url.origin === site.url && url.pathname.endsWith('/browser_oauth_bg.wasm');
    await context.route(isWasm, async (route) => {
      let timer;
      order = await Promise.race([
        discovery.then(() => 'discovery first'),
        new Promise((resolve) => { timer = setTimeout(resolve, 20_000, 'wasm first'); }),
      ]);
      clearTimeout(timer);
      await route.continue();
    });
    const page = await context.newPage();
    await page.goto(`${site.url}/`);
    await page.locator('#status', { hasText: 'ready' }).waitFor();
    assert.equal(order, 'discovery first');
    assert.deepEqual(discoveries, [`${provider.url}/.well-known/openid-configuration`], 'one discovery request: the early one was used');
    await context.close();
  });

  test('tampered state is refused (specs §3)', async () => {
    const { context, page, tokens } = await openApp(env.browser);
    const callback = await loginUntilCallback(page);
    const state = new URL(callback).searchParams.get('state');
    const tampered = withParam(callback, 'state', `${state.slice(0, -1)}${state.endsWith('A') ? 'B' : 'A'}`);
    assert.deepEqual(await deliver(page, tampered), { status: 'error', code: 'state_mismatch' });
    assert.deepEqual(await securityEvents(page, provider.url), [['state_mismatch', 'callback']]);
    assert.equal(tokens.length, 0, 'no token request was made');
    assert.doesNotMatch(await page.url(), /code=|state=/, 'response stripped from the address bar');
    await context.close();
  });

  test('the same callback URL used twice is refused the second time (specs §2, §3 single use)', async () => {
    const { context, page, tokens } = await openApp(env.browser);
    const callback = await loginUntilCallback(page);
    assert.equal((await deliver(page, callback)).status, 'signed in');
    assert.deepEqual(await deliver(page, callback), { status: 'error', code: 'state_mismatch' });
    assert.deepEqual(await securityEvents(page, provider.url), [['state_mismatch', 'callback']], 'the replay');
    await assertNoTokenLeak(page, tokens);
    await context.close();
  });

  test('an expired pending request is refused (specs §3 time limit)', async () => {
    const { context, page } = await openApp(env.browser);
    const callback = await loginUntilCallback(page);
    // Age the stored request by an hour: the stored record carries its creation time.
    await page.goto(`${site.url}/`);
    await page.evaluate(() => {
      for (let i = 0; i < sessionStorage.length; i += 1) {
        const key = sessionStorage.key(i);
        if (key.startsWith('browser-oauth:pending:')) {
          const value = sessionStorage.getItem(key).replace(/(^|&)a=(\d+)/, (_, p, t) => `${p}a=${Number(t) - 3600}`);
          sessionStorage.setItem(key, value);
        }
      }
    });
    assert.deepEqual(await deliver(page, callback), { status: 'error', code: 'pending_request_expired' });
    assert.deepEqual(await securityEvents(page, provider.url), [['pending_request_expired', 'callback']]);
    await context.close();
  });

  test('a returnTo edited in the stored pending record is refused when the record is read back (issue 11 item 11)', async () => {
    const { context, page, tokens } = await openApp(env.browser);
    const callback = await loginUntilCallback(page, { returnTo: '/inbox' });
    await page.goto(`${site.url}/`);
    await page.evaluate(() => {
      for (const key of Object.keys(sessionStorage).filter((k) => k.startsWith('browser-oauth:pending:'))) {
        sessionStorage.setItem(key, sessionStorage.getItem(key).replace(/(^|&)t=[^&]*/, '$1t=%2F%2Fevil.example'));
      }
    });
    assert.deepEqual(await deliver(page, callback), { status: 'error', code: 'unsafe_return_to' });
    assert.deepEqual(await securityEvents(page, provider.url), [['unsafe_return_to', 'callback']]);
    assert.equal(tokens.length, 0, 'the code was not exchanged');
    assert.equal(new URL(await page.url()).origin, site.url);
    await context.close();
  });

  test('iss of another issuer is refused: mix-up defence (specs §8, RFC 9207)', async () => {
    const { context, page, tokens } = await openApp(env.browser);
    const callback = await loginUntilCallback(page);
    const mixed = withParam(callback, 'iss', otherProvider.url);
    assert.deepEqual(await deliver(page, mixed), { status: 'error', code: 'iss_mismatch' });
    assert.deepEqual(await securityEvents(page, provider.url), [['iss_mismatch', 'callback']]);
    assert.equal(tokens.length, 0, 'the code never reached any token endpoint');
    await context.close();
  });

  test('iss missing while the provider advertises it is refused (specs §8)', async () => {
    const stripping = await startProvider({ APP_ORIGIN: site.url, ISS_PARAM: 'off' });
    try {
      const { context, page, tokens } = await openApp(env.browser, stripping.url);
      const callback = await loginUntilCallback(page);
      assert.equal(new URL(callback).searchParams.has('iss'), false);
      assert.deepEqual(await deliver(page, callback), { status: 'error', code: 'missing_iss' });
      assert.deepEqual(await securityEvents(page, stripping.url), [['missing_iss', 'callback']]);
      assert.equal(tokens.length, 0);
      await context.close();
    } finally {
      await stripping.stop();
    }
  });

  test('the user refusing consent gives access_denied with the provider text as plain text (specs §4.1)', async () => {
    const { context, page } = await openApp(env.browser);
    const callback = await loginUntilCallback(page, { consent: false });
    assert.equal(new URL(callback).searchParams.get('error'), 'access_denied');
    assert.deepEqual(await deliver(page, callback), { status: 'error', code: 'access_denied' });
    assert.match(await page.textContent('#error'), /provider: access_denied/);
    assert.equal(await page.textContent('#error-explain'), 'The sign-in was cancelled or access was refused.', 'the demo shows describeError (issue 12 item 6)');
    assert.match(await page.textContent('#error-next'), /^What to do: Sign in again/);
    assert.equal(await page.locator('#error *').count(), 0, 'no markup rendered from the provider');
    assert.deepEqual(await securityEvents(page), [], 'the user saying no is not a security event');
    await context.close();
  });

  test('the provider down during the token request is a network_error that says the code was sent (specs §4)', async () => {
    const doomed = await startProvider({ APP_ORIGIN: site.url });
    // Metadata given directly (no discovery request), so the token request is the first to fail.
    const metadata = await (await fetch(`${doomed.url}/.well-known/openid-configuration`)).json();
    const { context, page } = await openApp(env.browser, doomed.url, { metadata });
    const callback = await loginUntilCallback(page);
    await doomed.stop();
    assert.deepEqual(await deliver(page, callback), { status: 'error', code: 'network_error' });
    assert.match(await page.textContent('#error'), /request had been sent/);
    assert.doesNotMatch(await page.url(), /code=/, 'the spent code is gone from the address bar');
    assert.deepEqual(await securityEvents(page), [], 'a network failure is not a security event');
    await context.close();
  });

  test('duplicate callback parameters are refused (specs §2, RFC 6749 §3.1)', async () => {
    const { context, page, tokens } = await openApp(env.browser);
    const callback = await loginUntilCallback(page);
    const state = new URL(callback).searchParams.get('state');
    assert.deepEqual(await deliver(page, `${callback}&state=${state}`), { status: 'error', code: 'duplicate_parameter' });
    assert.deepEqual(await securityEvents(page, provider.url), [['duplicate_parameter', 'callback']]);
    assert.equal(tokens.length, 0);
    await context.close();
  });

  test('open-redirect returnTo targets are refused before leaving the app (specs §2, RFC 9700 §4.11)', async () => {
    const { context, page } = await openApp(env.browser);
    const targets = ['//evil.example', '/\\evil.example', 'javascript:alert(1)', 'https://evil.example/',
      '%2F%2Fevil.example', '/%5Cevil.example', '/%2F%2Fevil.example', '/%09/evil.example'];
    for (const target of targets) {
      await page.fill('#return-to', target);
      await page.click('#login');
      await page.locator('#error-code', { hasText: 'unsafe_return_to' }).waitFor();
      assert.equal(new URL(await page.url()).origin, site.url, `${target}: still on the app`);
      await page.evaluate(() => { document.getElementById('error-code').textContent = ''; });
    }
    const pending = await page.evaluate(() => Object.keys(sessionStorage).filter((k) => k.startsWith('browser-oauth:')));
    assert.deepEqual(pending, [], 'nothing was stored for a refused login');
    assert.deepEqual(await securityEvents(page, provider.url), targets.map(() => ['unsafe_return_to', 'config']), 'one event per refused returnTo');
    await context.close();
  });

  test('a fragment callback with 40,000 parameter names is refused as invalid_callback, unread (issue 11 item 1)', async () => {
    const { context, page, tokens } = await openApp(env.browser, provider.url, { responseMode: 'fragment' });
    const names = Array.from({ length: 40_000 }, (_, i) => `n${i}`).join('&');
    const outcome = await page.evaluate(async (fragment) => {
      try {
        await window.demo.client.handleRedirect(`${location.origin}/callback.html#${fragment}&state=x&code=y`);
        return 'accepted';
      } catch (error) {
        return error.code;
      }
    }, names);
    assert.equal(outcome, 'invalid_callback');
    assert.deepEqual(await securityEvents(page, provider.url), [['invalid_callback', 'callback']]);
    assert.equal(tokens.length, 0);
    await context.close();
  });
});
