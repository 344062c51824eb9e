// The three browser engines of the end-to-end tests behind one small, Playwright-shaped API,
// driven through classic W3C WebDriver with selenium-webdriver (one client for all three):
//
//   chromium  Debian's chromium with chromedriver, headless
//   firefox   Debian's firefox-esr with geckodriver (crates.io), headless
//   webkit    WebKitGTK's MiniBrowser with WebKitWebDriver, on an Xvfb display (it has no
//             headless mode); the closest engine to Safari on Linux
//
// A browser context is one WebDriver session (a fresh profile: its own cookies and storage);
// its pages are the session's tabs. What classic WebDriver cannot do in every engine goes
// through the harness's proxies instead (proxy.mjs): network events, routes, init scripts
// and bindings. Select engines with BROWSERS=chromium,firefox,webkit (the default: all).

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { homedir } from 'node:os';

import { Builder, By, Capabilities } from 'selenium-webdriver';

import { CONTEXT_COOKIE, contextHooks, proxies, startProxy } from './proxy.mjs';

/** Every engine the harness knows, in the order they run. */
export const ENGINES = Object.freeze(['chromium', 'firefox', 'webkit']);

const DEFAULT_TIMEOUT_MS = 30_000;
const POLL_MS = 50;
const DRIVER_READY_MS = 20_000;
/**
 * How long a new WebDriver session may take before it is retried: sessions start in a few
 * seconds, but now and then WebKitGTK's MiniBrowser never comes up, and waiting longer for
 * it only costs time.
 */
const NEW_SESSION_MS = 30_000;
/**
 * The longest a WebDriver command may take (beyond the session's own 120 s script timeout):
 * a driver that stopped answering fails the test instead of hanging the run.
 */
const COMMAND_MS = 150_000;

/** Children still running; killed if the test process exits without stopping them. */
const children = new Set();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/**
 * The engines selected by BROWSERS (comma-separated; default every engine).
 * @returns {string[]}
 */
export function selectedEngines() {
  const wanted = (process.env.BROWSERS ?? ENGINES.join(',')).split(',').map((e) => e.trim()).filter(Boolean);
  for (const engine of wanted) {
    if (!ENGINES.includes(engine)) throw new Error(`BROWSERS: unknown engine ${engine} (known: ${ENGINES.join(', ')})`);
  }
  return wanted;
}

/** @returns {Promise<number>} a port that was free a moment ago */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/**
 * Spawns a long-running helper (a WebDriver server, Xvfb) that dies with the test process.
 * @param {string} command @param {string[]} args @param {object} [options]
 */
function spawnChild(command, args, options = {}) {
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'], ...options });
  children.add(child);
  let output = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk) => { output = (output + chunk).slice(-4000); });
  child.once('exit', () => children.delete(child));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  return { child, stop, output: () => output };
}

/**
 * Starts an Xvfb display for WebKitGTK (it picks a free display number itself).
 * @returns {Promise<{ display: string, stop: () => Promise<void> }>}
 */
async function startXvfb() {
  const xvfb = spawnChild('Xvfb', ['-displayfd', '3', '-nolisten', 'tcp', '-screen', '0', '1280x1024x24'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  const display = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Xvfb printed no display number\n${xvfb.output()}`)), DRIVER_READY_MS);
    xvfb.child.stdio[3].setEncoding('utf8').once('data', (d) => { clearTimeout(timer); resolve(`:${String(d).trim()}`); });
    xvfb.child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`Xvfb exited (${code})\n${xvfb.output()}`)); });
  });
  return { display, stop: xvfb.stop };
}

/** Host switches shared by the Chromium runs: nothing but 127.0.0.1 resolves. */
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-default-apps', '--disable-extensions',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
];

/**
 * Every request to a host other than 127.0.0.1 goes to a proxy address where nothing
 * listens, so it fails at once and nothing leaves the machine (the provider's pages name a
 * web font on the internet). Chromium gets the same effect from --host-resolver-rules.
 */
const NOTHING_LEAVES = { proxyType: 'manual', httpProxy: '127.0.0.1:9', sslProxy: '127.0.0.1:9', noProxy: ['127.0.0.1'] };

/**
 * How to start each engine's WebDriver server and which capabilities to ask it for.
 * @type {Record<string, { driver: (port: number) => [string, string[]], capabilities: (extraArgs: string[]) => Record<string, any> }>}
 */
const ENGINE_SETUP = {
  chromium: {
    driver: (port) => ['/usr/bin/chromedriver', [`--port=${port}`]],
    capabilities: (extraArgs) => ({
      browserName: 'chrome',
      'goog:chromeOptions': { binary: '/usr/bin/chromium', args: [...CHROMIUM_ARGS, ...extraArgs] },
    }),
  },
  firefox: {
    driver: (port) => [`${homedir()}/.cargo/bin/geckodriver`, ['--port', String(port), '--host', '127.0.0.1']],
    capabilities: (extraArgs) => ({
      browserName: 'firefox',
      proxy: NOTHING_LEAVES,
      'moz:firefoxOptions': {
        binary: '/usr/bin/firefox-esr',
        args: ['-headless', ...extraArgs],
        prefs: {
          'network.captive-portal-service.enabled': false,
          'network.connectivity-service.enabled': false,
          'browser.safebrowsing.downloads.remote.enabled': false,
        },
      },
    }),
  },
  webkit: {
    driver: (port) => ['/usr/bin/WebKitWebDriver', [`--port=${port}`]],
    capabilities: (extraArgs) => ({
      browserName: 'MiniBrowser',
      proxy: NOTHING_LEAVES,
      'webkitgtk:browserOptions': {
        binary: '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser',
        args: ['--automation', ...extraArgs],
      },
    }),
  },
};

/**
 * Starts a WebDriver server on a free port and waits until it answers /status.
 * @param {string} engine
 * @param {Record<string, string>} env
 */
async function startDriver(engine, env) {
  const port = await freePort();
  const [command, args] = ENGINE_SETUP[engine].driver(port);
  const driver = spawnChild(command, args, { env: { ...process.env, ...env } });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + DRIVER_READY_MS;
  for (;;) {
    if (driver.child.exitCode !== null) throw new Error(`${command} exited (${driver.child.exitCode})\n${driver.output()}`);
    const ok = await fetch(`${url}/status`).then((r) => r.ok, () => false);
    if (ok) return { url, stop: driver.stop };
    if (Date.now() > deadline) {
      await driver.stop();
      throw new Error(`${command} did not answer on ${url}/status\n${driver.output()}`);
    }
    await sleep(POLL_MS);
  }
}

/** @param {number} ms */
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Rejects if `promise` has not settled within `ms` (a WebDriver server that stopped
 * answering must fail the test, not hang it).
 * @template T @param {Promise<T>} promise @param {number} ms @param {string} what @returns {Promise<T>}
 */
function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms); });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A page where a new context gets its context cookie (see proxy.mjs). */
let blankProxy;

/**
 * Serialises the WebDriver commands of one session (a session runs one command at a time,
 * on the tab it last switched to).
 */
class Mutex {
  constructor() { this.tail = Promise.resolve(); }

  /** @template T @param {() => Promise<T>} fn @returns {Promise<T>} */
  run(fn) {
    const result = this.tail.then(fn);
    this.tail = result.catch(() => {});
    return result;
  }
}

/**
 * Wraps a function or an expression for execute-async-script: runs it with `arg` (sent as
 * `{ undef, value }`), awaits
 * it, and hands back its value (undefined kept apart from null) or its error.
 * @param {Function | string} fn
 */
function asyncScript(fn) {
  const body = typeof fn === 'function' ? `(${fn.toString()})(arg)` : `(${fn})`;
  return `const done = arguments[arguments.length - 1]; const arg = arguments[0].undef ? undefined : arguments[0].value;
Promise.resolve().then(() => ${body}).then(
  (value) => done({ ok: true, undef: value === undefined, value: value === undefined ? null : value }),
  (error) => done({ ok: false, error: String(error) + (error && error.stack ? '\\n' + error.stack : '') }));`;
}

/** Polls `probe` until it returns something truthy, or throws after `timeout` ms. */
async function poll(what, probe, timeout = DEFAULT_TIMEOUT_MS) {
  const deadline = Date.now() + timeout;
  let lastError;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      lastError = error; // e.g. the page is navigating; try again
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}${lastError ? `: ${lastError.message}` : ''}`);
    await sleep(POLL_MS);
  }
}

/**
 * `hasText` as Playwright means it: a string is a case-insensitive substring, a RegExp is
 * tested on the text content.
 * @param {string | RegExp | undefined} hasText
 */
function textFilter(hasText) {
  if (hasText === undefined) return null;
  if (hasText instanceof RegExp) return { source: hasText.source, flags: hasText.flags };
  return { substring: hasText.toLowerCase() };
}

/** Counts the elements matching a selector and a text filter; runs in the page. */
function countInPage({ selector, filter }) {
  const matchesText = (el) => {
    if (!filter) return true;
    const text = el.textContent ?? '';
    return filter.substring !== undefined ? text.toLowerCase().includes(filter.substring) : new RegExp(filter.source, filter.flags).test(text);
  };
  return Array.from(document.querySelectorAll(selector)).filter(matchesText).length;
}

/** Reads the first matching element's text or attribute; runs in the page. */
function readInPage({ selector, filter, attribute }) {
  const matchesText = (el) => {
    if (!filter) return true;
    const text = el.textContent ?? '';
    return filter.substring !== undefined ? text.toLowerCase().includes(filter.substring) : new RegExp(filter.source, filter.flags).test(text);
  };
  const el = Array.from(document.querySelectorAll(selector)).find(matchesText);
  if (!el) return null;
  return attribute ? el.getAttribute(attribute) : el.textContent;
}

/** Elements of a page chosen by a CSS selector and optionally their text (Playwright-shaped). */
class Locator {
  /** @param {Page} page @param {string} selector @param {string | RegExp} [hasText] */
  constructor(page, selector, hasText) {
    this.page = page;
    this.selector = selector;
    this.hasText = hasText;
  }

  /** @param {{ hasText?: string | RegExp }} options */
  filter({ hasText }) { return new Locator(this.page, this.selector, hasText); }

  /** @returns {Promise<number>} */
  count() { return this.page.evaluate(countInPage, { selector: this.selector, filter: textFilter(this.hasText) }); }

  /** Waits until a matching element is in the document (every state is treated as 'attached'). */
  async waitFor({ timeout } = {}) {
    await poll(`${this.selector}${this.hasText ? ` with text ${this.hasText}` : ''}`, async () => (await this.count()) > 0, timeout);
  }

  /** @returns {Promise<string | null>} */
  async textContent() {
    await this.waitFor();
    return this.page.evaluate(readInPage, { selector: this.selector, filter: textFilter(this.hasText) });
  }

  /** @param {string} name @returns {Promise<string | null>} */
  async getAttribute(name) {
    await this.waitFor();
    return this.page.evaluate(readInPage, { selector: this.selector, filter: textFilter(this.hasText), attribute: name });
  }

  /** Clicks the first matching element with a real WebDriver click. */
  async click() {
    await this.waitFor();
    await this.page.withElement(this.selector, (el) => el.click());
  }
}

/** One tab of a browser context (Playwright-shaped). */
export class Page {
  /** @param {BrowserContext} context @param {string} handle */
  constructor(context, handle) {
    this._context = context;
    this.handle = handle;
  }

  /** @returns {BrowserContext} */
  context() { return this._context; }

  /** Runs WebDriver commands on this tab. @template T @param {(driver: import('selenium-webdriver').WebDriver) => Promise<T>} fn */
  run(fn) { return this._context.onTab(this.handle, fn); }

  /** Navigates and waits for the load event. @param {string} url */
  async goto(url) { await this.run((d) => d.get(url)); }

  /** Reloads the page and waits for the load event. */
  async reload() { await this.run((d) => d.navigate().refresh()); }

  /**
   * Resolves with the first request to a local server (see BrowserContext.on) from now on
   * whose URL equals `matcher` or that `matcher` accepts.
   * @param {string | ((request: any) => boolean)} matcher @param {{ timeout?: number }} [options]
   */
  waitForRequest(matcher, { timeout = DEFAULT_TIMEOUT_MS } = {}) {
    const accepts = typeof matcher === 'function' ? matcher : (request) => request.url() === matcher;
    return new Promise((resolve, reject) => {
      const listener = (request) => {
        if (!accepts(request)) return;
        clearTimeout(timer);
        this._context.off('request', listener);
        resolve(request);
      };
      const timer = setTimeout(() => {
        this._context.off('request', listener);
        reject(new Error(`timed out after ${timeout} ms waiting for a request to ${matcher}`));
      }, timeout);
      this._context.on('request', listener);
    });
  }

  /** @returns {Promise<string>} */
  url() { return this.run((d) => d.getCurrentUrl()); }

  /** @returns {Promise<string>} the page's markup */
  content() { return this.run((d) => d.getPageSource()); }

  /**
   * Runs `fn(arg)` (or an expression string) in the page and resolves to its (awaited)
   * JSON-serialisable value; a throw in the page rejects. In Firefox the script runs in
   * WebDriver's sandbox: a bare global constructor (`Error`, `Date`, `CryptoKey`) is the
   * sandbox's, not the page's, so `instanceof` checks name the page's: `window.Error`.
   * @param {Function | string} fn @param {any} [arg]
   */
  async evaluate(fn, arg) {
    // WebDriver sends JSON: an undefined argument is sent as a flag, so it stays undefined.
    const result = await this.run((d) => d.executeAsyncScript(asyncScript(fn), { undef: arg === undefined, value: arg ?? null }));
    if (!result.ok) throw new Error(`in the page: ${result.error}`);
    return result.undef ? undefined : result.value;
  }

  /**
   * Waits until `fn(arg)` is truthy in the page (polled; navigations in between are fine).
   * @param {Function | string} fn @param {any} [arg] @param {{ timeout?: number }} [options]
   */
  waitForFunction(fn, arg, { timeout } = {}) {
    return poll(`${String(fn).slice(0, 80)}`, () => this.evaluate(fn, arg), timeout);
  }

  /**
   * Waits until the address matches (a URL string, a RegExp or a predicate on URL), then
   * until the document has loaded unless `waitUntil: 'commit'`.
   * @param {string | RegExp | ((url: URL) => boolean)} matcher
   * @param {{ timeout?: number, waitUntil?: 'load' | 'commit' }} [options]
   */
  async waitForURL(matcher, { timeout, waitUntil = 'load' } = {}) {
    const test = (href) => (typeof matcher === 'function' ? matcher(new URL(href))
      : matcher instanceof RegExp ? matcher.test(href) : href === matcher);
    await poll(`the URL to match ${matcher}`, async () => test(await this.url()), timeout);
    if (waitUntil === 'load') {
      await poll('the document to load', async () => test(await this.url()) && (await this.evaluate(() => document.readyState)) === 'complete', timeout);
    }
  }

  /** @param {string} selector @param {{ hasText?: string | RegExp }} [options] */
  locator(selector, { hasText } = {}) { return new Locator(this, selector, hasText); }

  /** @param {string} selector */
  click(selector) { return this.locator(selector).click(); }

  /** Types `value` into an input, replacing what it held. @param {string} selector @param {string} value */
  async fill(selector, value) {
    await this.locator(selector).waitFor();
    await this.withElement(selector, async (el) => {
      await el.clear();
      await el.sendKeys(value);
    });
  }

  /** @param {string} selector */
  textContent(selector) { return this.locator(selector).textContent(); }

  /** Runs `fn` on the WebDriver element for `selector` on this tab. */
  withElement(selector, fn) { return this.run(async (d) => fn(await d.findElement(By.css(selector)))); }

  /** Listens to the network traffic of every page (see BrowserContext.on). */
  on(event, listener) { this._context.on(event, listener); }

  /** @see BrowserContext.route */
  route(matcher, handler) { return this._context.route(matcher, handler); }

  /** @see BrowserContext.unroute */
  unroute(matcher, handler) { return this._context.unroute(matcher, handler); }

  /** Closes the tab. */
  close() { return this._context.closeTab(this.handle); }
}

/**
 * One WebDriver session: a fresh browser profile (its own cookies and storage) with tabs.
 */
export class BrowserContext {
  /** @param {Browser} browser @param {import('selenium-webdriver').WebDriver} driver @param {() => Promise<void>} stopDriver @param {string} firstTab */
  constructor(browser, driver, stopDriver, firstTab) {
    this.browser = browser;
    this.driver = driver;
    this.stopDriver = stopDriver;
    this.id = randomBytes(9).toString('base64url');
    this.mutex = new Mutex();
    this.currentTab = firstTab;
    /** The session's first tab, waiting to become the first page. */
    this.unusedTab = firstTab;
    /** @type {Page[]} */
    this.pages = [];
    /** @type {[string, Function][]} */
    this.listeners = [];
    /** @type {[any, Function][]} */
    this.routes = [];
    contextHooks.set(this.id, { scripts: [], bindings: new Map() });
  }

  /** @template T @param {string} handle @param {(driver: any) => Promise<T>} fn @returns {Promise<T>} */
  onTab(handle, fn) {
    if (process.env.E2E_TRACE) console.error(`[${this.browser.engine} ${handle.slice(0, 8)}] ${String(fn).slice(0, 100)}`);
    return this.mutex.run(() => withTimeout((async () => {
      if (this.currentTab !== handle) {
        await this.driver.switchTo().window(handle);
        this.currentTab = handle;
      }
      return fn(this.driver);
    })(), COMMAND_MS, `${this.browser.engine}: a WebDriver command`));
  }

  /** Opens a new tab (the first call uses the session's own window). @returns {Promise<Page>} */
  async newPage() {
    let handle = this.unusedTab;
    this.unusedTab = null;
    if (!handle) {
      handle = await this.mutex.run(async () => {
        await this.driver.switchTo().newWindow('tab');
        this.currentTab = await this.driver.getWindowHandle();
        return this.currentTab;
      });
    }
    const page = new Page(this, handle);
    this.pages.push(page);
    return page;
  }

  /**
   * Closes a tab. Closing a session's last window ends the WebDriver session, so when it is
   * the last one a blank tab is opened first and kept for the next newPage (as a Playwright
   * context outlives its pages).
   * @param {string} handle
   */
  async closeTab(handle) {
    await this.mutex.run(async () => {
      const handles = await this.driver.getAllWindowHandles();
      if (handles.length === 1 && handles[0] === handle) {
        await this.driver.switchTo().newWindow('tab');
        this.unusedTab = await this.driver.getWindowHandle();
      }
      await this.driver.switchTo().window(handle);
      await this.driver.close();
      this.currentTab = null;
    });
    this.pages = this.pages.filter((p) => p.handle !== handle);
  }

  /**
   * Every cookie of 127.0.0.1 (all local servers; cookies are not isolated by port),
   * HttpOnly ones included, read on one of the context's pages.
   */
  cookies() {
    const page = this.pages[0];
    if (!page) throw new Error('cookies: the context has no page');
    return page.run(async (d) => (await d.manage().getCookies()).filter((c) => c.name !== CONTEXT_COOKIE));
  }

  /** Deletes every cookie of 127.0.0.1 but the harness's context cookie. */
  async clearCookies() {
    const page = this.pages[0];
    if (!page) throw new Error('clearCookies: the context has no page');
    await page.run(async (d) => {
      await d.manage().deleteAllCookies();
      await d.manage().addCookie(contextCookie(this.id));
    });
  }

  /**
   * A script every site page of this context runs before its own scripts (through the
   * site's proxy). `fn` is a function called with `arg`, or source text.
   * @param {Function | string} fn @param {any} [arg]
   */
  async addInitScript(fn, arg) {
    const source = typeof fn === 'function' ? `(${fn.toString()})(${JSON.stringify(arg ?? null)});` : fn;
    contextHooks.get(this.id)?.scripts.push(source);
  }

  /**
   * Defines `window[name](...args)` in site pages; it calls `fn(source, ...args)` in the test
   * (synchronously for the page, over the site's proxy).
   * @param {string} name @param {(source: object, ...args: any[]) => any} fn
   */
  async exposeBinding(name, fn) {
    contextHooks.get(this.id)?.bindings.set(name, fn);
  }

  /**
   * Network events of the local servers while this context is open: 'request' and
   * 'response' (Playwright-shaped objects; see proxy.mjs). Tests run one at a time, so the
   * traffic is this context's.
   * @param {'request' | 'response'} event @param {Function} listener
   */
  on(event, listener) {
    this.listeners.push([event, listener]);
    for (const proxy of proxies) proxy.on(event, listener);
  }

  /** Stops a listener given to `on`. @param {'request' | 'response'} event @param {Function} listener */
  off(event, listener) {
    this.listeners = this.listeners.filter(([e, l]) => !(e === event && l === listener));
    for (const proxy of proxies) proxy.off(event, listener);
  }

  /**
   * Answers or alters the requests to a local server whose URL matches (a string, a `**`
   * glob, a RegExp or a predicate on URL), until unroute or close. Only the local servers'
   * traffic passes the proxies; nothing else can be routed.
   */
  async route(matcher, handler) {
    this.routes.push([matcher, handler]);
    for (const proxy of proxies) proxy.route(matcher, handler);
  }

  /** Removes a route. */
  async unroute(matcher, handler) {
    this.routes = this.routes.filter(([m, h]) => !(m === matcher && (!handler || h === handler)));
    for (const proxy of proxies) proxy.unroute(matcher, handler);
  }

  /** Ends the session (the browser process goes too) and drops its routes, listeners and hooks. */
  async close() {
    for (const [event, listener] of this.listeners) for (const proxy of proxies) proxy.off(event, listener);
    for (const [matcher, handler] of this.routes) for (const proxy of proxies) proxy.unroute(matcher, handler);
    this.listeners = [];
    this.routes = [];
    contextHooks.delete(this.id);
    this.browser.contexts.delete(this);
    await withTimeout(this.mutex.run(() => this.driver.quit()), 30_000, 'quit').catch(() => {});
    await this.stopDriver();
  }
}

/** The harness's context cookie (HttpOnly, so page scripts never see it). @param {string} id */
function contextCookie(id) {
  return { name: CONTEXT_COOKIE, value: id, path: '/', httpOnly: true, sameSite: 'Lax' };
}

/** One engine; each context is a new WebDriver session. */
export class Browser {
  /** @param {string} engine @param {string[]} extraArgs @param {Record<string, string>} env */
  constructor(engine, extraArgs, env) {
    this.engine = engine;
    this.extraArgs = extraArgs;
    this.env = env;
    /** @type {Set<BrowserContext>} */
    this.contexts = new Set();
    /** browser name and version, known after the first context */
    this.version = '';
    this.xvfb = null;
  }

  /**
   * A new WebDriver session. A session that does not start within NEW_SESSION_MS is retried once
   * with a new WebDriver server (said on stderr), so a stuck driver fails fast.
   * @returns {Promise<BrowserContext>}
   */
  async newContext() {
    try {
      return await this.startContext();
    } catch (error) {
      console.error(`# ${this.engine}: a new session failed (${error.message.split('\n')[0]}); retrying once`);
      return this.startContext();
    }
  }

  /** @returns {Promise<BrowserContext>} */
  async startContext() {
    if (process.env.E2E_TRACE) console.error(`[${this.engine}] new context`);
    const driverServer = await startDriver(this.engine, this.env);
    try {
      const driver = await withTimeout(new Builder()
        .usingServer(driverServer.url)
        .withCapabilities(new Capabilities(ENGINE_SETUP[this.engine].capabilities(this.extraArgs)))
        .build(), NEW_SESSION_MS, `${this.engine}: new session`);
      await driver.manage().setTimeouts({ script: 120_000, pageLoad: 60_000 });
      const caps = await driver.getCapabilities();
      this.version = `${caps.get('browserName')} ${caps.get('browserVersion')}`;
      const context = new BrowserContext(this, driver, driverServer.stop, await driver.getWindowHandle());
      blankProxy ??= await startProxy({ keepAlive: false });
      await driver.get(`${blankProxy.url}/__e2e/blank`);
      await driver.manage().addCookie(contextCookie(context.id));
      this.contexts.add(context);
      return context;
    } catch (error) {
      await driverServer.stop();
      throw error;
    }
  }

  /** A page in a new context of its own. @returns {Promise<Page>} */
  async newPage() {
    return (await this.newContext()).newPage();
  }

  /** Closes every context and the display. */
  async close() {
    for (const context of [...this.contexts]) await context.close();
    await this.xvfb?.stop();
  }
}

/**
 * Prepares an engine: for WebKitGTK, an Xvfb display its WebDriver sessions share.
 * @param {string} [engine] 'chromium' (default), 'firefox' or 'webkit'
 * @param {string[]} [extraArgs] more command-line switches for the browser
 * @returns {Promise<Browser>}
 */
export async function launchBrowser(engine = 'chromium', extraArgs = []) {
  if (!ENGINES.includes(engine)) throw new Error(`launchBrowser: unknown engine ${engine}`);
  const browser = new Browser(engine, extraArgs, {});
  if (engine === 'webkit') {
    browser.xvfb = await startXvfb();
    browser.env = { DISPLAY: browser.xvfb.display };
  }
  return browser;
}
