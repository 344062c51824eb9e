// Shared helpers for the end-to-end tests (node --test): the local provider and site as
// child processes, each behind a recording proxy (proxy.mjs); the browser engines through
// one WebDriver client (browsers.mjs), a scenario written once and run in each engine
// (describeEngines); the provider's sign-in pages; and checks that no token ends up in
// browser storage, cookies, the URL or history; also the local OAuth 1.0a provider (Python)
// and a scan of a page's WebAssembly memory.

import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { build } from 'esbuild';

import { launchBrowser, selectedEngines } from './browsers.mjs';
import { startProxy } from './proxy.mjs';

export { ENGINES, launchBrowser, selectedEngines } from './browsers.mjs';

const WWW = fileURLToPath(new URL('../../www/', import.meta.url));
const READY_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;

/** Children still running; killed if the test process exits without stopping them. */
const running = new Set();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * @typedef {object} RunningServer
 * @property {string} url origin it listens on, e.g. "http://127.0.0.1:9000" (no trailing slash)
 * @property {() => string} output everything the process wrote so far (stdout and stderr)
 * @property {() => Promise<void>} stop SIGTERM, then SIGKILL if it has not exited in time
 */

/**
 * Spawns `node www/<script>` and resolves once it prints `<label> ready <url>`.
 * @param {string} script file name under www/
 * @param {string} label first word of the ready line
 * @param {Record<string, string>} env extra environment variables
 * @param {string[]} [argv] the command to run instead of `node www/<script>`
 * @returns {Promise<RunningServer>}
 */
function startServer(script, label, env, argv = [process.execPath, WWW + script]) {
  const [command, ...args] = argv;
  const child = spawn(command, args, {
    env: { ...process.env, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  const exited = new Promise((resolve) => child.once('exit', resolve));
  exited.then(() => running.delete(child));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  };
  const ready = new RegExp(`^${label} ready (http://127\\.0\\.0\\.1:\\d+)$`, 'm');

  return new Promise((resolve, reject) => {
    let timer;
    function fail(reason) {
      clearTimeout(timer);
      stop().then(() => reject(new Error(`${script}: ${reason}\n${output}`)));
    }
    function onEarlyExit(code, signal) {
      fail(`exited early (code ${code}, signal ${signal})`);
    }
    function onReadyLine() {
      const match = ready.exec(output);
      if (!match) return;
      clearTimeout(timer);
      child.off('exit', onEarlyExit);
      child.stdout.off('data', onReadyLine);
      resolve({ url: match[1], output: () => output, stop });
    }
    timer = setTimeout(() => fail(`no ready line within ${READY_TIMEOUT_MS} ms`), READY_TIMEOUT_MS);
    for (const stream of [child.stdout, child.stderr]) {
      stream.setEncoding('utf8').on('data', (chunk) => { output += chunk; });
    }
    child.stdout.on('data', onReadyLine);
    child.once('exit', onEarlyExit);
  });
}

/**
 * @typedef {object} ProxiedServer
 * @property {string} url origin browsers and tests use: the proxy in front of the server
 * @property {import('./proxy.mjs').Proxy} proxy its traffic (events, routes)
 * @property {() => string} output everything the server wrote so far
 * @property {() => Promise<void>} stop stops the server and its proxy (requests then fail
 *   with a network error, as with the server down)
 */

/**
 * Starts a server behind a fresh proxy; `env(proxyUrl)` gives its environment.
 * @param {(proxyUrl: string) => Promise<RunningServer>} start
 * @param {{ injectInitScripts?: boolean }} [options]
 * @returns {Promise<ProxiedServer>}
 */
async function behindProxy(start, options) {
  const proxy = await startProxy(options);
  let server;
  try {
    server = await start(proxy.url);
  } catch (error) {
    await proxy.close();
    throw error;
  }
  proxy.target = server.url;
  return {
    url: proxy.url,
    proxy,
    output: server.output,
    stop: async () => {
      await server.stop();
      await proxy.close();
    },
  };
}

/**
 * Starts the local OpenID provider (www/provider.mjs) behind a proxy whose origin is its
 * issuer (`url`), and its DPoP test resource behind a second proxy (`resource`). Options:
 * APP_ORIGIN, ACCESS_TTL, ID_TTL, REFRESH_TTL, ISS_PARAM=off, DPOP, DPOP_NONCE.
 * @param {Record<string, string>} [env]
 * @returns {Promise<ProxiedServer & { resource: string }>}
 */
export async function startProvider(env = {}) {
  const resourceProxy = await startProxy();
  let provider;
  try {
    provider = await behindProxy((issuer) => startServer('provider.mjs', 'provider', { ...env, ISSUER: issuer, RESOURCE_ORIGIN: resourceProxy.url }));
  } catch (error) {
    await resourceProxy.close();
    throw error;
  }
  resourceProxy.target = /^resource ready (http:\/\/127\.0\.0\.1:\d+)$/m.exec(provider.output())?.[1] ?? null;
  return {
    ...provider,
    resource: resourceProxy.url,
    stop: async () => {
      await provider.stop();
      await resourceProxy.close();
    },
  };
}

/**
 * Starts the local OAuth 1.0a provider (www/oauth1/provider.py, on Python's oauthlib in the
 * .venv that `make setup` creates) behind a proxy (it builds URLs from the Host header, which
 * the proxy keeps; PUBLIC_ORIGIN tells its signing backend the proxy's origin). Pass the site's `url` as APP_ORIGIN (CORS, and the registered callback
 * `<APP_ORIGIN>/oauth1-callback.html`). Its consumer key and secret are OAUTH1_CONSUMER.
 * @param {Record<string, string>} [env]
 * @returns {Promise<ProxiedServer>}
 */
export function startOAuth1Provider(env = {}) {
  const python = fileURLToPath(new URL('../../.venv/bin/python', import.meta.url));
  return behindProxy((origin) => startServer('oauth1/provider.py', 'oauth1-provider', { ...env, PUBLIC_ORIGIN: origin },
    [python, WWW + 'oauth1/provider.py']));
}

/** The test consumer of www/oauth1/provider.py. NO SECURITY: test constants. */
export const OAUTH1_CONSUMER = Object.freeze({
  key: 'browseroauthdemo1',
  secret: 'consumer-secret-that-must-stay-on-the-server',
});

/**
 * Starts the static site (www/server.mjs) behind a proxy that also runs each browser
 * context's init scripts in its pages; pass its `url` as APP_ORIGIN to startProvider.
 * Other option: ROOT.
 * @param {Record<string, string>} [env]
 * @returns {Promise<ProxiedServer>}
 */
export function startSite(env = {}) {
  return behindProxy(() => startServer('server.mjs', 'site', env), { injectInitScripts: true });
}

/**
 * Starts the static site with no proxy in front (for `make bench`, whose timings a proxy
 * would distort). Same options as startSite.
 * @param {Record<string, string>} [env]
 * @returns {Promise<RunningServer>}
 */
export function startSiteUnproxied(env = {}) {
  return startServer('server.mjs', 'site', env);
}

/**
 * A scenario written once, run in each engine that BROWSERS selects: one `describe` per
 * engine, titled `<title> [<engine>]`, with the engine's browser launched before and closed
 * after. `body` gets `env` ({ engine, browser }; `browser` is set once the suite runs) and
 * should name its tests with `env.test`, which adds the engine to every test name.
 * @param {string} title
 * @param {object} options node:test describe options (timeout, …)
 * @param {(env: { engine: string, browser: import('./browsers.mjs').Browser, test: typeof test }) => void} body
 */
export function describeEngines(title, options, body) {
  for (const engine of selectedEngines()) {
    describe(`${title} [${engine}]`, options, () => {
      const env = {
        engine,
        /** @type {import('./browsers.mjs').Browser} */
        browser: /** @type {any} */ (undefined),
        /** A test whose name ends with the engine. */
        test: (name, ...rest) => test(`${name} [${engine}]`, ...rest),
      };
      before(async () => {
        env.browser = await launchBrowser(engine);
      });
      after(async () => {
        await env.browser?.close();
      });
      body(/** @type {any} */ (env));
    });
  }
}

/**
 * Waits until the page has navigated away from `previousHref`, then reports which
 * provider prompt it shows: "login", "consent", or null when it left the provider's
 * interaction pages (e.g. the redirect to the app arrived).
 * @param {import('./browsers.mjs').Page} page
 * @param {string} providerOrigin
 * @param {string | null} previousHref
 * @returns {Promise<'login' | 'consent' | null>}
 */
async function nextPrompt(page, providerOrigin, previousHref) {
  await page.waitForURL((url) => url.href !== previousHref, { waitUntil: 'commit' });
  const url = new URL(await page.url());
  if (url.origin !== providerOrigin || !url.pathname.startsWith('/interaction/')) return null;
  const prompt = page.locator('form input[type=hidden][name=prompt]');
  await prompt.waitFor({ state: 'attached' });
  return /** @type {'login' | 'consent'} */ (await prompt.getAttribute('value'));
}

/**
 * Completes oidc-provider's development interactions on a page that is on its way to
 * (or already on) the provider's login or consent page: types the login name (any
 * password), then on the consent page clicks "Continue", or with `consent: false`
 * follows "[ Cancel ]" so the client receives `error=access_denied`. Resolves once the
 * browser has left the interaction pages (the redirect to the client has at least
 * committed). Throws if no prompt appears, or if `consent: false` and no consent page
 * is shown (the grant already covers the request).
 * @param {import('./browsers.mjs').Page} page
 * @param {{ login?: string, consent?: boolean }} [options]
 * @returns {Promise<void>}
 */
export async function signInAtProvider(page, { login = 'alice', consent = true } = {}) {
  const first = page.locator('form input[type=hidden][name=prompt]');
  await first.waitFor({ state: 'attached' });
  const providerOrigin = new URL(await page.url()).origin;
  let prompt = await first.getAttribute('value');

  if (prompt === 'login') {
    const href = await page.url();
    await page.fill('input[name=login]', login);
    await page.fill('input[name=password]', 'any password');
    await page.click('button[type=submit]');
    prompt = await nextPrompt(page, providerOrigin, href);
  }
  if (prompt === 'consent') {
    const href = await page.url();
    await page.click(consent ? 'button[type=submit]' : 'a[href$="/abort"]');
    prompt = await nextPrompt(page, providerOrigin, href);
  } else if (!consent) {
    throw new Error('signInAtProvider: consent page was not shown, cannot abort it');
  }
  if (prompt !== null) throw new Error(`signInAtProvider: unexpected ${prompt} prompt`);
}

/**
 * signInAtProvider in a login popup, which closes itself as soon as the provider's redirect
 * back arrives (possibly before the harness sees that navigation): a closed popup is success.
 * @param {import('./browsers.mjs').Page} popup
 * @param {{ login?: string, consent?: boolean }} [options]
 * @returns {Promise<void>}
 */
export async function signInAtProviderInPopup(popup, options) {
  try {
    await signInAtProvider(popup, options);
  } catch (error) {
    if (!(await popup.isClosed())) throw error;
  }
}

/**
 * @typedef {object} BrowserState
 * @property {string} localStorage JSON of all entries
 * @property {string} sessionStorage JSON of all entries
 * @property {string} documentCookie document.cookie
 * @property {string} contextCookies JSON of every cookie in the browser context, HttpOnly included
 * @property {string} href location.href
 * @property {string} historyLength history.length
 * @property {string} historyState JSON of history.state
 * @property {string} windowName window.name
 * @property {string} indexedDB JSON of every IndexedDB database of the origin: each store's
 *   keys and values (a CryptoKey as its algorithm, type and extractable flag only)
 * @property {string} events JSON of every event the app received (window.demo.events, the
 *   OAuth 1.0a demo's window.oauth1.events), security events included
 */

/**
 * Snapshots everything script-visible or persistent where a token could leak.
 * @param {import('./browsers.mjs').Page} page
 * @returns {Promise<BrowserState>}
 */
export async function collectStorage(page) {
  const inPage = await page.evaluate(() => {
    const entries = (storage) => JSON.stringify(Object.fromEntries(
      Array.from({ length: storage.length }, (_, i) => storage.key(i)).map((k) => [k, storage.getItem(k)]),
    ));
    return {
      localStorage: entries(window.localStorage),
      sessionStorage: entries(window.sessionStorage),
      documentCookie: document.cookie,
      href: window.location.href,
      historyLength: String(window.history.length),
      historyState: JSON.stringify(window.history.state),
      windowName: window.name,
      events: JSON.stringify([window.demo?.events ?? [], window.oauth1?.events ?? []]),
    };
  });
  const contextCookies = JSON.stringify(await page.context().cookies());
  return { ...inPage, indexedDB: await dumpIndexedDB(page), contextCookies };
}

/**
 * Every IndexedDB database of the page's origin as JSON: `{ db: { store: [[key, value]] } }`.
 * Only databases that exist are opened (opening a missing one would create it). CryptoKeys
 * show their algorithm, type and extractable flag (their bits cannot be read, which is the point).
 * @param {import('./browsers.mjs').Page} page
 * @returns {Promise<string>}
 */
export function dumpIndexedDB(page) {
  return page.evaluate(async () => {
    const plain = (value) => {
      if (value instanceof window.CryptoKey) return { cryptoKey: value.algorithm, type: value.type, extractable: value.extractable };
      if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
      return value;
    };
    const out = {};
    for (const { name } of await indexedDB.databases()) {
      const db = await new Promise((resolve, reject) => {
        const open = indexedDB.open(name);
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      out[name] = {};
      for (const store of db.objectStoreNames) {
        const tx = db.transaction(store);
        const [keys, values] = await Promise.all(['getAllKeys', 'getAll'].map((method) => new Promise((resolve) => {
          const request = tx.objectStore(store)[method]();
          request.onsuccess = () => resolve(request.result);
        })));
        out[name][store] = keys.map((key, i) => [key, plain(values[i])]);
      }
      db.close();
    }
    return JSON.stringify(out);
  });
}

/**
 * Asserts that none of the given token strings appears in the page's storage, cookies,
 * URL, history state, window.name or event payloads (see collectStorage).
 * @param {import('./browsers.mjs').Page} page
 * @param {string[]} tokens the access, refresh and ID tokens to look for (non-empty)
 * @returns {Promise<void>}
 */
export async function assertNoTokenLeak(page, tokens) {
  for (const token of tokens) {
    assert.ok(typeof token === 'string' && token.length >= 16, 'assertNoTokenLeak: every token must be a real token string');
  }
  const state = await collectStorage(page);
  for (const [where, value] of Object.entries(state)) {
    for (const token of tokens) {
      assert.ok(!value.includes(token), `token ${token.slice(0, 8)}… leaked into ${where}`);
    }
  }
}

/**
 * An init script (pass to `context.addInitScript`) that keeps every WebAssembly memory the
 * page instantiates in `window.__wasmMemories`, so a test can scan it (`wasmMemoryContains`).
 */
export function captureWasmMemories() {
  window.__wasmMemories = [];
  const keep = (result) => {
    const instance = result.instance ?? result;
    if (instance.exports?.memory instanceof WebAssembly.Memory) window.__wasmMemories.push(instance.exports.memory);
    return result;
  };
  const { instantiate, instantiateStreaming } = WebAssembly;
  WebAssembly.instantiate = (...args) => instantiate(...args).then(keep);
  WebAssembly.instantiateStreaming = (...args) => instantiateStreaming(...args).then(keep);
}

/**
 * Whether `needle` (as UTF-8 bytes) occurs anywhere in the page's WebAssembly memories
 * (needs `captureWasmMemories`). Throws when no memory was captured.
 * @param {import('./browsers.mjs').Page} page
 * @param {string} needle
 * @returns {Promise<boolean>}
 */
export async function wasmMemoryContains(page, needle) {
  const found = await page.evaluate((text) => {
    const memories = window.__wasmMemories ?? [];
    if (memories.length === 0) return null;
    const bytes = new TextEncoder().encode(text);
    return memories.some((memory) => {
      const heap = new Uint8Array(memory.buffer);
      outer: for (let i = heap.indexOf(bytes[0]); i !== -1 && i <= heap.length - bytes.length; i = heap.indexOf(bytes[0], i + 1)) {
        for (let j = 1; j < bytes.length; j += 1) if (heap[i + j] !== bytes[j]) continue outer;
        return true;
      }
      return false;
    });
  }, needle);
  assert.ok(found !== null, 'wasmMemoryContains: no WebAssembly memory captured (add captureWasmMemories)');
  return found;
}

/**
 * A new browser context whose pages run the demo app (www/app.js) with `window.DEMO_CONFIG`
 * set before any page script: the client `clientId` of the provider at `issuer`, the site's
 * callback and post-logout pages, `scope`, and any other client options in `extra`.
 * @param {import('./browsers.mjs').Browser} browser
 * @param {{ siteUrl: string, issuer: string, clientId: string, scope: string } & Record<string, unknown>} config
 * @returns {Promise<import('./browsers.mjs').BrowserContext>}
 */
export async function demoContext(browser, { siteUrl, issuer, clientId, scope, ...extra }) {
  const context = await browser.newContext();
  await context.addInitScript((cfg) => { window.DEMO_CONFIG = cfg; }, {
    issuer,
    clientId,
    redirectUri: `${siteUrl}/callback.html`,
    postLogoutRedirectUri: `${siteUrl}/`,
    scope,
    ...extra,
  });
  return context;
}

/**
 * Opens the demo app at `siteUrl` in a new page of `context`, clicks "Log in" and completes
 * the provider's prompts if it shows any (a live provider session may skip them); returns
 * the page and the error code the app shows ('' when signed in).
 * @param {import('./browsers.mjs').BrowserContext} context
 * @param {string} siteUrl
 * @returns {Promise<{ page: import('./browsers.mjs').Page, code: string | null }>}
 */
export async function signInThroughApp(context, siteUrl) {
  const page = await context.newPage();
  await page.goto(`${siteUrl}/`);
  await page.locator('#status', { hasText: 'ready' }).waitFor();
  await page.click('#login');
  // One poll for either outcome: the app's verdict, or a provider prompt to answer first.
  const next = () => page.waitForFunction(() => {
    const status = document.getElementById('status')?.textContent ?? '';
    if (/signed in|error/.test(status)) return 'done';
    return document.querySelector('form input[type=hidden][name=prompt]') ? 'prompt' : false;
  });
  if ((await next()) === 'prompt') await signInAtProvider(page);
  await page.locator('#status', { hasText: /signed in|error/ }).waitFor();
  return { page, code: await page.textContent('#error-code') };
}

/**
 * The security events the demo app received on its current page load, as `[code, phase]`
 * pairs, after checking that each carries exactly type, code, phase, time and issuer (and
 * that the issuer is `issuer` when given): nothing else, so no token, code, state or
 * response can ride along.
 * @param {import('./browsers.mjs').Page} page
 * @param {string} [issuer]
 * @returns {Promise<[string, string][]>}
 */
export async function securityEvents(page, issuer) {
  const events = await page.evaluate(() => (window.demo?.events ?? window.oauth1?.events ?? [])
    .filter((e) => typeof e === 'object' && e.type === 'security'));
  for (const event of events) {
    assert.deepEqual(Object.keys(event).sort(), ['code', 'issuer', 'phase', 'time', 'type'], JSON.stringify(event));
    assert.ok(Number.isInteger(event.time) && event.time > 1_600_000_000, 'time in seconds since the epoch');
    if (issuer !== undefined) assert.equal(event.issuer, issuer);
  }
  return events.map((e) => [e.code, e.phase]);
}

/** @sinonjs/fake-timers bundled for the browser, built once per test process. */
let fakeTimersBundle;

/**
 * Gives the site's pages of `context` a fake clock (@sinonjs/fake-timers, the same in every
 * engine), installed before any script of the page: `Date`, `setTimeout`, `setInterval` and
 * their clear functions stand still at the page's load time until the test moves them with
 * `runClockFor`. The provider's own pages keep the real clock.
 * @param {import('./browsers.mjs').BrowserContext} context
 */
export async function installFakeClock(context) {
  fakeTimersBundle ??= (await build({
    entryPoints: ['@sinonjs/fake-timers'],
    bundle: true,
    format: 'iife',
    globalName: 'FakeTimers',
    platform: 'browser',
    // Only required when `process` exists, i.e. never in a browser.
    external: ['util'],
    write: false,
    logLevel: 'warning',
  })).outputFiles[0].text;
  await context.addInitScript(`${fakeTimersBundle}
window.__fakeClock = FakeTimers.withGlobal(window).install({
  now: Date.now(),
  toFake: ['Date', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'],
});`);
}

/**
 * Moves a page's fake clock (see installFakeClock) forward by `ms`, firing every timer due on
 * the way and letting the promises they start run in between.
 * @param {import('./browsers.mjs').Page} page @param {number} ms
 */
export async function runClockFor(page, ms) {
  await page.evaluate((step) => window.__fakeClock.tickAsync(step).then(() => undefined), ms);
}
