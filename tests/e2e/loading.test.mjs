// Loading the WebAssembly module (issue 12 items 1 and 2), in each browser engine (BROWSERS)
// with the built package: a failed load is a BrowserOAuthError `wasm_load_failed` with the browser's
// error as `cause`, the failure is not cached (the next call loads once the file is there),
// and the `wasm` option takes a URL, a Response or a compiled WebAssembly.Module. The DPoP and
// persistence build (issue 12 follow-up) loads the same way, and `dpopWasm` says where it is.
// browser-oauth/inline inflates the module it embeds (gzip) with DecompressionStream.
import { strict as assert } from 'node:assert';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';

import { describeEngines, startSite } from './harness.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WASM = `${ROOT}pkg/wasm/browser_oauth_bg.wasm`;
const DPOP_WASM = `${ROOT}pkg/wasm-dpop/browser_oauth_dpop_bg.wasm`;
/** Folders the site serves (under target/, git-ignored) where a .wasm appears only later. */
const LATE_ROOT = `target/wasm-late-${process.pid}`;

let site;

before(async () => {
  site = await startSite();
});

after(async () => {
  await site?.stop();
  rmSync(`${ROOT}${LATE_ROOT}`, { recursive: true, force: true });
});

/** A fresh page with the package imported and its wasm not yet loaded. */
async function freshPage(browser) {
  const page = await browser.newPage();
  await page.goto(`${site.url}/tests/pages/package.html`);
  await page.waitForFunction(() => document.title === 'loaded');
  return page;
}

const metadata = {
  issuer: 'https://as.example',
  authorization_endpoint: 'https://as.example/authorize',
  token_endpoint: 'https://as.example/token',
  code_challenge_methods_supported: ['S256'],
};

/** Runs generatePkce in the page with `wasm` (a URL string, or undefined); returns the outcome. */
function pkceIn(page, wasm) {
  return page.evaluate(async (source) => {
    try {
      const pair = await window.pkg.generatePkce(source === undefined ? {} : { wasm: source });
      return { ok: pair.method };
    } catch (error) {
      return {
        typed: error instanceof window.pkg.BrowserOAuthError,
        code: error.code,
        cause: String(error.cause),
      };
    }
  }, wasm);
}

describeEngines('loading the WebAssembly module', {}, (env) => {
  const { test } = env;
  /** This engine's own folder: another engine's run has deployed the file in its own. */
  const LATE_DIR = `${LATE_ROOT}/${env.engine}`;
  test('a 404 on the default .wasm URL is wasm_load_failed with the cause, and the next call loads it', async () => {
    const page = await freshPage(env.browser);
    let refused = 0;
    await page.route('**/pkg/wasm/browser_oauth_bg.wasm', (route) => {
      refused += 1;
      return route.fulfill({ status: 404, body: 'not found' });
    });
    const failed = await page.evaluate(async (md) => {
      try {
        await window.pkg.createClient({ issuer: md.issuer, clientId: 'spa', redirectUri: `${location.origin}/cb`, metadata: md });
        return 'no error';
      } catch (error) {
        return { typed: error instanceof window.pkg.BrowserOAuthError, code: error.code, cause: String(error.cause) };
      }
    }, metadata);
    assert.deepEqual(failed, {
      typed: true,
      code: 'wasm_load_failed',
      cause: "Error: failed to fetch Wasm: 404 Not Found fetching '" + `${site.url}/pkg/wasm/browser_oauth_bg.wasm'`,
    });
    assert.equal(refused, 1);
    await page.unroute('**/pkg/wasm/browser_oauth_bg.wasm');
    assert.deepEqual(await pkceIn(page), { ok: 'S256' }, 'the failure was not cached');
    await page.close();
  });

  test('a wasm URL that 404s until the file is deployed: the call after the deploy succeeds', async () => {
    const page = await freshPage(env.browser);
    const url = `/${LATE_DIR}/browser_oauth_bg.wasm`;
    const first = await pkceIn(page, url);
    assert.equal(first.typed, true);
    assert.equal(first.code, 'wasm_load_failed');
    assert.match(first.cause, /404/);
    const again = await pkceIn(page, url);
    assert.equal(again.code, 'wasm_load_failed', 'still missing: still a typed failure');
    mkdirSync(`${ROOT}${LATE_DIR}`, { recursive: true });
    copyFileSync(WASM, `${ROOT}${LATE_DIR}/browser_oauth_bg.wasm`);
    assert.deepEqual(await pkceIn(page, url), { ok: 'S256' });
    await page.close();
  });

  test('createOAuth1Client: a wasm URL that 404s is wasm_load_failed, the right URL then loads (its own module)', async () => {
    const page = await freshPage(env.browser);
    const outcomes = await page.evaluate(async () => {
      const { createOAuth1Client, BrowserOAuthError } = await import('/pkg/dist/oauth1.js');
      const config = {
        consumerKey: 'key',
        sign: async () => 'signature',
        temporaryCredentialsUrl: 'https://api.example/request_token',
        authorizationUrl: 'https://api.example/authorize',
        tokenUrl: 'https://api.example/access_token',
        callbackUrl: 'https://app.example/oauth1-callback',
      };
      const attempt = (wasm) => createOAuth1Client({ ...config, wasm }).then(
        (client) => `ok ${client.expiresAt() === undefined}`,
        (error) => `${error instanceof BrowserOAuthError} ${error.code}`,
      );
      return [
        await attempt('/pkg/wasm-oauth1/missing_bg.wasm'),
        await attempt(new URL('/pkg/wasm-oauth1/browser_oauth_oauth1_bg.wasm', location.href)),
      ];
    });
    assert.deepEqual(outcomes, ['true wasm_load_failed', 'ok true']);
    await page.close();
  });

  test('the wasm option takes a Response and a compiled WebAssembly.Module, and the module is loaded once', async () => {
    const asResponse = await freshPage(env.browser);
    const requests = [];
    asResponse.on('request', (request) => requests.push(new URL(request.url()).pathname));
    const fromResponse = await asResponse.evaluate(async () => {
      const pair = await window.pkg.generatePkce({ wasm: fetch('/pkg/wasm/browser_oauth_bg.wasm') });
      const again = await window.pkg.generatePkce(); // shares the instance: no second fetch
      return [pair.method, again.method];
    });
    assert.deepEqual(fromResponse, ['S256', 'S256']);
    assert.deepEqual(requests.filter((p) => p.endsWith('.wasm')), ['/pkg/wasm/browser_oauth_bg.wasm']);
    await asResponse.close();

    const asModule = await freshPage(env.browser);
    const fromModule = await asModule.evaluate(async (md) => {
      const module = await WebAssembly.compileStreaming(fetch('/pkg/wasm/browser_oauth_bg.wasm'));
      const client = await window.pkg.createClient({ issuer: md.issuer, clientId: 'spa', redirectUri: `${location.origin}/cb`, metadata: md, wasm: module });
      return new URL(client.authorizationUrl()).searchParams.get('code_challenge_method');
    }, metadata);
    assert.equal(fromModule, 'S256');
    await asModule.close();
  });

  /** Runs createClient with `dpop: true` and the extra `options` in the page; returns the outcome. */
  function dpopClientIn(page, options) {
    return page.evaluate(async ([md, extra]) => {
      try {
        const client = await window.pkg.createClient({ issuer: md.issuer, clientId: 'spa', redirectUri: `${location.origin}/cb`, metadata: md, dpop: true, ...extra });
        return { ok: new URL(client.authorizationUrl()).searchParams.get('code_challenge_method') };
      } catch (error) {
        return {
          typed: error instanceof window.pkg.BrowserOAuthError,
          code: error.code,
          message: error.message,
          cause: String(error.cause),
        };
      }
    }, [metadata, options]);
  }

  test('dpop: a 404 on the DPoP build\'s .wasm is wasm_load_failed with the cause, and the next createClient loads it', async () => {
    const page = await freshPage(env.browser);
    const path = '**/pkg/wasm-dpop/browser_oauth_dpop_bg.wasm';
    let refused = 0;
    await page.route(path, (route) => {
      refused += 1;
      return route.fulfill({ status: 404, body: 'not found' });
    });
    assert.deepEqual(await dpopClientIn(page, {}), {
      typed: true,
      code: 'wasm_load_failed',
      message: 'the WebAssembly module could not be loaded (see cause); check that the .wasm file is served, or pass the dpopWasm option',
      cause: "Error: failed to fetch Wasm: 404 Not Found fetching '" + `${site.url}/pkg/wasm-dpop/browser_oauth_dpop_bg.wasm'`,
    });
    assert.equal(refused, 1);
    await page.unroute(path);
    assert.deepEqual(await dpopClientIn(page, {}), { ok: 'S256' }, 'the failure was not cached');
    await page.close();
  });

  test('dpopWasm takes a URL: a missing one fails typed, the one where the file is then loads, and the default URL is never fetched', async () => {
    const page = await freshPage(env.browser);
    const requests = [];
    page.on('request', (request) => requests.push(new URL(request.url()).pathname));
    const missing = await dpopClientIn(page, { dpopWasm: `/${LATE_DIR}/dpop/browser_oauth_dpop_bg.wasm` });
    assert.equal(missing.typed, true);
    assert.equal(missing.code, 'wasm_load_failed');
    assert.match(missing.cause, /404 Not Found fetching '.*\/dpop\/browser_oauth_dpop_bg\.wasm'/);
    mkdirSync(`${ROOT}${LATE_DIR}/dpop`, { recursive: true });
    copyFileSync(DPOP_WASM, `${ROOT}${LATE_DIR}/dpop/browser_oauth_dpop_bg.wasm`);
    assert.deepEqual(await dpopClientIn(page, { dpopWasm: `${site.url}/${LATE_DIR}/dpop/browser_oauth_dpop_bg.wasm` }), { ok: 'S256' });
    assert.deepEqual(requests.filter((p) => p.endsWith('.wasm')), [
      `/${LATE_DIR}/dpop/browser_oauth_dpop_bg.wasm`,
      `/${LATE_DIR}/dpop/browser_oauth_dpop_bg.wasm`,
    ]);
    await page.close();
  });

  test('browser-oauth/inline inflates its embedded module and builds a login; without DecompressionStream it is wasm_load_failed unless wasm is given', async () => {
    /** Loads the inline entry's test page and tries createClient, with `wasm` when given. */
    const attempt = async (query, wasm) => {
      const page = await env.browser.newPage();
      try {
        const requests = [];
        page.on('request', (request) => requests.push(new URL(request.url()).pathname));
        await page.goto(`${site.url}/tests/pages/inline.html${query}`);
        await page.waitForFunction(() => document.title === 'loaded');
        const outcome = await page.evaluate(async ([md, source]) => {
          try {
            const client = await window.inline.createClient({
              issuer: md.issuer, clientId: 'spa', redirectUri: `${location.origin}/cb`, metadata: md, wasm: source ?? undefined,
            });
            return { method: new URL(client.authorizationUrl()).searchParams.get('code_challenge_method') };
          } catch (error) {
            return { typed: error instanceof window.inline.BrowserOAuthError, code: error.code };
          }
        }, [metadata, wasm ?? null]);
        return { ...outcome, wasmFetched: requests.some((path) => path.endsWith('.wasm')) };
      } finally {
        await page.close();
      }
    };
    assert.deepEqual(await attempt(''), { method: 'S256', wasmFetched: false }, 'the embedded module, no .wasm request');
    assert.deepEqual(await attempt('?without=DecompressionStream'), { typed: true, code: 'wasm_load_failed', wasmFetched: false });
    assert.deepEqual(
      await attempt('?without=DecompressionStream', '/pkg/wasm/browser_oauth_bg.wasm'),
      { method: 'S256', wasmFetched: true },
      'the wasm option still works there',
    );
  });
});
