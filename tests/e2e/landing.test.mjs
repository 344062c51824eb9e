// The landing-page entry (`browser-oauth/login`, issue 15): a page that only sends the user
// to the provider loads a wasm built with the `landing` feature. In each browser engine
// (BROWSERS) against the real local OpenID provider: a login started there completes on the demo app
// (main entry) with the same configuration; the landing wasm carries nothing after login;
// its refusals are the main entry's typed errors.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';

import { assertNoTokenLeak, demoContext, describeEngines, signInAtProvider, startProvider, startSite } from './harness.mjs';

const LANDING_WASM = new URL('../../pkg/wasm-login/browser_oauth_login_bg.wasm', import.meta.url);
const MAIN_WASM = new URL('../../pkg/wasm/browser_oauth_bg.wasm', import.meta.url);

let site;
let provider;

before(async () => {
  site = await startSite();
  provider = await startProvider({ APP_ORIGIN: site.url });
});

after(async () => {
  await Promise.all([site?.stop(), provider?.stop()]);
});

/** A context whose pages see the demo app's configuration (window.DEMO_CONFIG), and its landing page. */
async function landingPage(browser) {
  const context = await demoContext(browser, {
    siteUrl: site.url,
    issuer: provider.url,
    clientId: 'browser-oauth-demo',
    scope: 'openid profile email offline_access',
  });
  const page = await context.newPage();
  await page.goto(`${site.url}/tests/pages/landing.html`);
  await page.waitForFunction(() => document.title === 'loaded');
  return { context, page };
}

/** The exported function names of a wasm file (its wasm-bindgen surface, lower-cased). */
function wasmExports(url) {
  return WebAssembly.Module.exports(new WebAssembly.Module(readFileSync(url)))
    .filter((e) => e.kind === 'function')
    .map((e) => e.name);
}

/**
 * Texts that only the code after login writes or reads: the token requests' `grant_type`,
 * the token response's `expires_in`, the ID-token signature check's WebCrypto algorithm,
 * revocation's `token_type_hint` and RP-initiated logout's `id_token_hint`. Every operation
 * goes through one export (`WasmClient.call`), so what the landing wasm can do shows in the
 * code it carries, not in its export names.
 */
const AFTER_LOGIN_TEXTS = ['grant_type', 'expires_in', '"RSASSA-PKCS1-v1_5"', 'token_type_hint', 'id_token_hint'];

// No browser needed: the files themselves.
test('its wasm holds configuration, discovery and login only: nothing that handles a response or a token', () => {
  const landing = wasmExports(LANDING_WASM);
  const main = wasmExports(MAIN_WASM);
  for (const name of ['wasmclient_create', 'wasmclient_call', 'discoveryRequest']) {
    assert.ok(landing.includes(name), `${name} in the landing wasm`);
  }
  assert.ok(main.includes('generatePkce'), 'generatePkce in the main wasm (the check below means something)');
  assert.ok(!landing.includes('generatePkce'), 'generatePkce not in the landing wasm');
  const landingBytes = readFileSync(LANDING_WASM).toString('latin1');
  const mainBytes = readFileSync(MAIN_WASM).toString('latin1');
  for (const text of AFTER_LOGIN_TEXTS) {
    assert.ok(mainBytes.includes(text), `${text} in the main wasm (the check below means something)`);
    assert.ok(!landingBytes.includes(text), `${text} not in the landing wasm`);
  }
});

describeEngines('browser-oauth/login (the landing-page entry)', {}, (env) => {
  const { test } = env;
  test('a login started on the landing page completes on the app page (main entry): state, PKCE and nonce carry over', async () => {
    const { context, page } = await landingPage(env.browser);
    const tokens = [];
    page.on('response', async (response) => {
      if (response.request().method() === 'POST' && response.url().endsWith('/token')) {
        const body = await response.json().catch(() => ({}));
        for (const name of ['access_token', 'refresh_token', 'id_token']) if (body[name]) tokens.push(body[name]);
      }
    });
    const url = await page.evaluate(async () => {
      const client = await window.landing.createLoginClient(window.DEMO_CONFIG);
      const built = new URL(client.authorizationUrl({ returnTo: '/inbox' }));
      // The request the landing page built for itself is not sent: one pending request is.
      sessionStorage.clear();
      setTimeout(() => client.login({ returnTo: '/inbox' }));
      return Object.fromEntries(built.searchParams);
    });
    assert.equal(url.code_challenge_method, 'S256');
    assert.match(url.code_challenge, /^[A-Za-z0-9_-]{43}$/);
    assert.ok(url.state && url.nonce, 'state and nonce');
    await page.waitForURL((u) => u.origin === provider.url);
    await signInAtProvider(page);
    await page.locator('#status', { hasText: /signed in|error/ }).waitFor();
    assert.equal(await page.textContent('#status'), 'signed in', await page.textContent('#error-code'));
    assert.equal(new URL(await page.url()).pathname, '/inbox', 'returnTo from the landing page');
    assert.ok(tokens.length > 0, 'the code was exchanged');
    await assertNoTokenLeak(page, tokens);
    await context.close();
  });

  test('bad input is the same typed error as with the main entry, with its security event', async () => {
    const { context, page } = await landingPage(env.browser);
    const result = await page.evaluate(async () => {
      const codeOf = async (fn) => {
        try {
          await fn();
          return 'no error';
        } catch (error) {
          return error instanceof window.landing.BrowserOAuthError ? error.code : String(error);
        }
      };
      const events = [];
      const client = await window.landing.createLoginClient({ ...window.DEMO_CONFIG, on: { security: (e) => events.push(e) } });
      return {
        returnTo: await codeOf(() => client.authorizationUrl({ returnTo: 'https://evil.example/' })),
        dpop: await codeOf(() => window.landing.createLoginClient({ ...window.DEMO_CONFIG, dpop: true })),
        secret: await codeOf(() => window.landing.createLoginClient({ ...window.DEMO_CONFIG, clientSecret: 's' })),
        insecure: await codeOf(() => window.landing.createLoginClient({ ...window.DEMO_CONFIG, redirectUri: 'http://app.example/cb' })),
        // Discovery answers with another issuer's metadata: refused, as with the main entry.
        mismatch: await codeOf(() => window.landing.createLoginClient({
          ...window.DEMO_CONFIG,
          metadata: { issuer: 'https://other.example', authorization_endpoint: 'https://other.example/auth', token_endpoint: 'https://other.example/token', code_challenge_methods_supported: ['S256'] },
        })),
        events: events.map((e) => [e.code, e.phase]),
        stored: Object.keys(sessionStorage).filter((k) => k.startsWith('browser-oauth:')),
      };
    });
    assert.equal(result.returnTo, 'unsafe_return_to');
    assert.equal(result.dpop, 'invalid_config');
    assert.equal(result.secret, 'invalid_config');
    assert.equal(result.insecure, 'insecure_redirect_uri');
    assert.equal(result.mismatch, 'issuer_mismatch');
    assert.deepEqual(result.events, [['unsafe_return_to', 'config']]);
    assert.deepEqual(result.stored, [], 'a refused login stores no pending request');
    await context.close();
  });
});
