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
import { writeFile } from 'node:fs/promises';
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
 * How long each attempt at a new WebDriver session may take before the next one: sessions
 * start within a second or two; a browser that does not come up (WebKitGTK's did, before
 * NOTHING_LEAVES_ENV) is not waited for; later attempts allow for a loaded machine.
 */
const NEW_SESSION_MS = [10_000, 15_000, 30_000, 60_000];
/**
 * The longest a WebDriver command may take (beyond the session's own 120 s script timeout):
 * a driver that stopped answering fails the test instead of hanging the run.
 */
const COMMAND_MS = 150_000;

/** Children still running; killed (with their process groups) if the test process exits without stopping them. */
const children = new Set();
process.once('exit', () => {
  for (const child of children) signalGroup(child, 'SIGKILL');
});

/**
 * Sends `signal` to a child's process group: the child and what it started (a WebDriver
 * server's browser, and the browser's own processes). Falls back to the child alone.
 * @param {import('node:child_process').ChildProcess} child @param {NodeJS.Signals | 0} signal
 * @returns {boolean} whether a process of the group was still there
 */
function signalGroup(child, signal) {
  try {
    process.kill(-(/** @type {number} */ (child.pid)), signal);
    return true;
  } catch {
    if (signal !== 0) child.kill(signal || undefined);
    return false;
  }
}

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
 * Spawns a long-running helper (a WebDriver server, Xvfb) in a process group of its own,
 * which dies with the test process. `stop` ends the whole group and waits until it is gone:
 * a browser left behind by a WebDriver server that was stopped mid-start would otherwise
 * live on, and a WebKitGTK MiniBrowser that outlives its session keeps the next one from
 * coming up.
 * @param {string} command @param {string[]} args @param {object} [options]
 */
function spawnChild(command, args, options = {}) {
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true, ...options });
  children.add(child);
  let output = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk) => { output = (output + chunk).slice(-4000); });
  child.once('exit', () => children.delete(child));
  const stop = async () => {
    signalGroup(child, 'SIGTERM');
    for (let waited = 0; signalGroup(child, 0); waited += POLL_MS) {
      if (waited === 5_000) signalGroup(child, 'SIGKILL');
      if (waited > 10_000) break;
      await sleep(POLL_MS);
    }
    if (child.exitCode === null && child.signalCode === null) await new Promise((resolve) => child.once('exit', resolve));
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
 * The same for WebKitGTK, through the environment its network process reads (GLib's proxy
 * resolver honours http_proxy, https_proxy and no_proxy). Not the WebDriver proxy
 * capability: with it, on a busy machine about one MiniBrowser start in twenty crashed
 * while applying it (SIGSEGV in webkit_network_proxy_settings_new, copying the ignore list
 * made from `noProxy`: g_strdupv → strlen of an invalid pointer), and WebKitWebDriver never
 * answered that new session request.
 */
const NOTHING_LEAVES_ENV = { http_proxy: 'http://127.0.0.1:9', https_proxy: 'http://127.0.0.1:9', no_proxy: '127.0.0.1' };
/**
 * WebKitGTK's environment besides the proxy: no accelerated compositing. On Xvfb, without a
 * GPU, its compositor draws through Mesa's software OpenGL (llvmpipe) and kept a quarter of
 * a core busy per open MiniBrowser even on an idle page; without it the WebKit suites took
 * about a quarter less CPU (login and persist: 50 → 38 CPU-seconds, every test passing). The
 * library uses nothing that compositing changes (storage, WebCrypto, timers, messaging).
 * Without it a screenshot waits for the page's next paint: see startRepainting.
 */
const WEBKIT_ENV = { ...NOTHING_LEAVES_ENV, WEBKIT_DISABLE_COMPOSITING_MODE: '1' };

/**
 * How to start each engine's WebDriver server (on `port`; `bidiPort` for a driver whose
 * browser serves BiDi on a port of its own) and which capabilities to ask it for.
 * and, for WebKitGTK, the environment it needs besides the display.
 * @type {Record<string, { driver: (port: number, bidiPort: number) => [string, string[]], capabilities: (extraArgs: string[]) => Record<string, any>, env?: Record<string, string> }>}
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
    // Firefox's BiDi server gets a port of its own too: the default (9222) is shared by
    // every Firefox on the machine.
    driver: (port, bidiPort) => [`${homedir()}/.cargo/bin/geckodriver`, ['--port', String(port), '--host', '127.0.0.1', '--websocket-port', String(bidiPort)]],
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
    env: WEBKIT_ENV,
    capabilities: (extraArgs) => ({
      browserName: 'MiniBrowser',
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
  const [command, args] = ENGINE_SETUP[engine].driver(port, await freePort());
  const driver = spawnChild(command, args, { env: { ...process.env, ...ENGINE_SETUP[engine].env, ...env } });
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
 * @template T @param {Promise<T>} promise @param {number} ms
 * @param {string | (() => string)} what names the wait in the error (a function: when it fails)
 * @returns {Promise<T>}
 */
function withTimeout(promise, ms, what) {
  let timer;
  const name = () => (typeof what === 'function' ? what() : what);
  const timeout = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${name()}: no answer within ${ms} ms`)), ms); });
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
      // A closed window does not come back: waiting on it fails at once.
      if (error?.name === 'NoSuchWindowError') throw error;
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

/**
 * Reads the elements matching a selector and a text filter; runs in the page. `what`:
 * 'count' (how many), 'text' (the first one's text, null when none matches), 'attribute'
 * (the first one's `attribute`, null when none matches), 'texts' (every element's text),
 * 'visible' (the first one has a non-empty box and is not visibility: hidden, as Playwright
 * defines it; false when none matches), 'disabled' (:disabled), 'checked' or 'value' (of
 * the first one, which must exist).
 */
function stateInPage({ selector, filter, what, attribute }) {
  const matchesText = (el) => {
    if (!filter) return true;
    const text = el.textContent ?? '';
    return filter.substring !== undefined ? text.toLowerCase().includes(filter.substring) : new RegExp(filter.source, filter.flags).test(text);
  };
  const all = Array.from(document.querySelectorAll(selector)).filter(matchesText);
  if (what === 'count') return all.length;
  if (what === 'texts') return all.map((el) => el.textContent ?? '');
  const [el] = all;
  if (what === 'text') return el ? el.textContent : null;
  if (what === 'attribute') return el ? el.getAttribute(attribute) : null;
  if (what === 'visible') {
    if (!el) return false;
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && getComputedStyle(el).visibility !== 'hidden';
  }
  if (!el) throw new Error(`no element matches ${selector}`);
  if (what === 'disabled') return el.matches(':disabled');
  const property = what === 'checked' ? 'checked' : 'value';
  if (!(property in el)) throw new Error(`${selector} has no ${property}`);
  return el[property];
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
  count() { return this.state('count'); }

  /** Waits until a matching element is in the document (every state is treated as 'attached'). */
  async waitFor({ timeout } = {}) {
    await poll(`${this.selector}${this.hasText ? ` with text ${this.hasText}` : ''}`, async () => (await this.count()) > 0, timeout);
  }

  /** @returns {Promise<string | null>} */
  async textContent() {
    await this.waitFor();
    return this.state('text');
  }

  /** @param {string} name @returns {Promise<string | null>} */
  async getAttribute(name) {
    await this.waitFor();
    return this.page.evaluate(stateInPage, { selector: this.selector, filter: textFilter(this.hasText), what: 'attribute', attribute: name });
  }

  /** Clicks the first matching element with a real WebDriver click. */
  async click() {
    await this.waitFor();
    await this.page.withElement(this.selector, (el) => el.click());
  }

  // States, nesting and several elements at once (the popup, React and demo suites).

  /** @param {'count' | 'text' | 'texts' | 'visible' | 'disabled' | 'checked' | 'value'} what */
  state(what) { return this.page.evaluate(stateInPage, { selector: this.selector, filter: textFilter(this.hasText), what }); }

  /**
   * The elements matching `selector` inside this locator's elements (CSS descendants).
   * Only for a locator without a text filter, and selectors without a comma, which a
   * descendant combinator would split.
   * @param {string} selector
   */
  locator(selector) {
    if (this.hasText !== undefined || /,/.test(this.selector + selector)) {
      throw new Error('Locator.locator: only plain selectors without a text filter can be nested');
    }
    return new Locator(this.page, `${this.selector} ${selector}`);
  }

  /** The text of every matching element (none: an empty list; does not wait). @returns {Promise<string[]>} */
  allTextContents() { return this.state('texts'); }

  /** Whether the first match is visible (does not wait; false when nothing matches). @returns {Promise<boolean>} */
  isVisible() { return this.state('visible'); }

  /** The opposite of isVisible. @returns {Promise<boolean>} */
  async isHidden() { return !(await this.state('visible')); }

  /** Whether the first match is a disabled form control (waits for it). @returns {Promise<boolean>} */
  async isDisabled() {
    await this.waitFor();
    return this.state('disabled');
  }

  /** Whether the first match, an input, is checked (waits for it). @returns {Promise<boolean>} */
  async isChecked() {
    await this.waitFor();
    return this.state('checked');
  }

  /** The value of the first match, an input, select or textarea (waits for it). @returns {Promise<string>} */
  async inputValue() {
    await this.waitFor();
    return this.state('value');
  }

  /**
   * Runs `fn(elements)` in the page with every matching element (no text filter) and
   * resolves to its value.
   * @param {(elements: Element[]) => any} fn
   */
  evaluateAll(fn) {
    if (this.hasText !== undefined) throw new Error('Locator.evaluateAll: not with a text filter');
    return this.page.evaluate(`(${fn.toString()})(Array.from(document.querySelectorAll(${JSON.stringify(this.selector)})))`);
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

  /** Listens to the network traffic and console messages of every page of the context (see BrowserContext.on). */
  on(event, listener) { this._context.on(event, listener); }

  /** @see BrowserContext.route */
  route(matcher, handler) { return this._context.route(matcher, handler); }

  /** @see BrowserContext.unroute */
  unroute(matcher, handler) { return this._context.unroute(matcher, handler); }

  /** Closes the tab. */
  close() { return this._context.closeTab(this.handle); }

  // Popups, console messages, frames, element states and screenshots (the popup, React
  // and demo suites).

  /** Whether this window is gone (closed by its page, the user or the test). @returns {Promise<boolean>} */
  async isClosed() { return !(await this._context.windowHandles()).includes(this.handle); }

  /**
   * Waits for 'close' (this window is gone) or 'console' (a console message; as with
   * `on`, of any page of the context: see BrowserContext.waitForEvent).
   * @param {'close' | 'console'} event
   * @param {{ predicate?: (message: ConsoleMessage) => boolean, timeout?: number }} [options]
   */
  waitForEvent(event, options = {}) {
    if (event === 'close') return poll(`window ${this.handle} to close`, () => this.isClosed(), options.timeout);
    return this._context.waitForEvent(event, options);
  }

  /** The top document, as a Frame. @returns {Frame} */
  mainFrame() {
    this._mainFrame ??= new Frame(this, null);
    return this._mainFrame;
  }

  /** The top document and each iframe element in it (one level deep), in document order. @returns {Promise<Frame[]>} */
  async frames() {
    const count = await this.evaluate(() => document.querySelectorAll('iframe').length);
    return [this.mainFrame(), ...Array.from({ length: count }, (_, i) => new Frame(this, i))];
  }

  /** @param {string} selector @returns {Promise<boolean>} */
  isVisible(selector) { return this.locator(selector).isVisible(); }

  /** @param {string} selector @returns {Promise<boolean>} */
  isHidden(selector) { return this.locator(selector).isHidden(); }

  /** @param {string} selector @returns {Promise<boolean>} */
  isDisabled(selector) { return this.locator(selector).isDisabled(); }

  /** @param {string} selector @returns {Promise<boolean>} */
  isChecked(selector) { return this.locator(selector).isChecked(); }

  /** @param {string} selector @returns {Promise<string>} */
  inputValue(selector) { return this.locator(selector).inputValue(); }

  /**
   * Writes a PNG of what the viewport shows to `path`. Classic WebDriver captures the
   * viewport only (a full-page capture is an extension of one driver, geckodriver), so
   * `fullPage: true` is refused rather than silently cut short.
   * @param {{ path: string, fullPage?: boolean }} options
   */
  async screenshot({ path, fullPage = false }) {
    if (fullPage) throw new Error('screenshot: fullPage is not available through classic WebDriver in every engine');
    const repaint = this._context.browser.engine === 'webkit';
    if (repaint) await this.evaluate(startRepainting);
    try {
      await writeFile(path, Buffer.from(await this.run((d) => d.takeScreenshot()), 'base64'));
    } finally {
      if (repaint) await this.evaluate(stopRepainting);
    }
  }
}

/**
 * Makes the page paint every 100 ms until stopRepainting, changing no pixel: a transparent
 * 1×1 element comes and goes. WebKitGTK without accelerated compositing (WEBKIT_ENV) answers
 * a WebDriver screenshot at the page's next paint, and a page where nothing changes never
 * paints again: its screenshot would get no answer at all. Runs in the page.
 */
function startRepainting() {
  const dot = document.createElement('div');
  Object.assign(dot.style, { position: 'fixed', left: '0', top: '0', width: '1px', height: '1px', pointerEvents: 'none' });
  const timer = setInterval(() => (dot.isConnected ? dot.remove() : document.documentElement.append(dot)), 100);
  window.__e2eRepaint = { dot, timer };
}

/** Ends startRepainting's paints and removes its element. Runs in the page. */
function stopRepainting() {
  const repaint = window.__e2eRepaint;
  if (!repaint) return;
  clearInterval(repaint.timer);
  repaint.dot.remove();
  delete window.__e2eRepaint;
}

/**
 * A document of a page: the top one, or an iframe element of the top document, which
 * WebDriver switches into for each command and out of again (to the top document).
 */
class Frame {
  /** @param {Page} page @param {number | null} index among the top document's iframes; null: the top document */
  constructor(page, index) {
    this.page = page;
    this.index = index;
  }

  /** Runs WebDriver commands inside this frame. @template T @param {(driver: any) => Promise<T>} fn @returns {Promise<T>} */
  run(fn) {
    if (this.index === null) return this.page.run(fn);
    return this.page.run(async (d) => {
      const element = (await d.findElements(By.css('iframe')))[this.index];
      if (!element) throw new Error(`the page has no iframe number ${this.index}`);
      await d.switchTo().frame(element);
      try {
        return await fn(d);
      } finally {
        await d.switchTo().defaultContent();
      }
    });
  }

  /** Runs `fn(arg)` in this frame's document (as Page.evaluate). @param {Function | string} fn @param {any} [arg] */
  evaluate(fn, arg) { return Page.prototype.evaluate.call(this, fn, arg); }

  /** The frame's own address (WebDriver's current URL is the top document's). @returns {Promise<string>} */
  url() { return this.evaluate(() => window.location.href); }
}

/** A console message of a page (Playwright-shaped; see captureConsole). */
class ConsoleMessage {
  /** @param {string} type @param {string} text @param {string} url */
  constructor(type, text, url) {
    this._type = type;
    this._text = text;
    this._url = url;
  }

  /** @returns {string} 'log', 'info', 'warning', 'error' or 'debug' */
  type() { return this._type; }

  /** @returns {string} the arguments as text, separated by spaces */
  text() { return this._text; }

  /** @returns {{ url: string }} the address of the document that logged it (not of the script) */
  location() { return { url: this._url }; }
}

/**
 * An init script of every browser context: reports each console call (log, info, warn,
 * error, debug) and each uncaught error or unhandled rejection (which the browser's console
 * shows as errors) to the test through the `__e2eConsole` binding, since classic WebDriver
 * has no console events in every engine. Runs in the page, before its own scripts, so the
 * page's scripts see the wrapped methods.
 */
function captureConsole() {
  const report = window.__e2eConsole;
  const show = (value) => {
    if (typeof value === 'string') return value;
    if (value instanceof Error) return `${value.name}: ${value.message}`;
    try {
      return JSON.stringify(value) ?? String(value);
    } catch {
      return String(value);
    }
  };
  const send = (type, args) => {
    try {
      report(type, args.map(show).join(' '), window.location.href);
    } catch {
      // The test has gone: the page carries on.
    }
  };
  for (const [method, type] of [['log', 'log'], ['info', 'info'], ['warn', 'warning'], ['error', 'error'], ['debug', 'debug']]) {
    const original = console[method];
    console[method] = function logged(...args) {
      send(type, args);
      return original.apply(this, args);
    };
  }
  window.addEventListener('error', (event) => send('error', ['Uncaught', event.error ?? event.message]));
  window.addEventListener('unhandledrejection', (event) => send('error', ['Uncaught (in promise)', event.reason]));
}

/**
 * A WebDriver command in a few words: its name, and the start of its script or address.
 * @param {import('selenium-webdriver/lib/command').Command} command
 */
function describeCommand(command) {
  const { script, url, handle } = command.getParameters();
  // A script of asyncScript's: the caller's function, after the wrapper's own first lines.
  const detail = typeof script === 'string' ? script.split('Promise.resolve().then(() => ').pop() : url ?? handle;
  return typeof detail === 'string' ? `${command.getName()} ${detail.replace(/\s+/g, ' ').slice(0, 160)}` : command.getName();
}

/**
 * One WebDriver session and its driver server. A session runs one command at a time, on the
 * tab it last switched to; `bidi` is its WebDriver BiDi connection when it hosts contexts as
 * BiDi user contexts (see Browser).
 */
class Session {
  /** @param {string} engine @param {import('selenium-webdriver').WebDriver} driver @param {() => Promise<void>} stopDriver @param {string} firstTab */
  constructor(engine, driver, stopDriver, firstTab) {
    this.engine = engine;
    this.driver = driver;
    this.stopDriver = stopDriver;
    this.mutex = new Mutex();
    /** @type {string | null} */
    this.currentTab = firstTab;
    /** @type {any} */
    this.bidi = null;
    /** The WebDriver command last sent (classic or BiDi), for the error when one gets no answer. */
    this.lastCommand = '';
    const execute = driver.execute.bind(driver);
    driver.execute = (command) => {
      this.lastCommand = describeCommand(command);
      return execute(command);
    };
  }

  /**
   * Runs `fn` with the driver, after the session's earlier commands, within COMMAND_MS.
   * @template T @param {(driver: import('selenium-webdriver').WebDriver) => Promise<T>} fn @returns {Promise<T>}
   */
  run(fn) {
    return this.mutex.run(() => withTimeout(Promise.resolve().then(() => fn(this.driver)), COMMAND_MS, () => `${this.engine}: a WebDriver command (the last one sent: ${this.lastCommand})`));
  }

  /** Runs `fn` on the tab `handle`. @template T @param {string} handle @param {(driver: any) => Promise<T>} fn @returns {Promise<T>} */
  onTab(handle, fn) {
    return this.run(async (driver) => {
      if (this.currentTab !== handle) {
        await driver.switchTo().window(handle);
        this.currentTab = handle;
      }
      return fn(driver);
    });
  }

  /** Sends a WebDriver BiDi command; resolves to its result. @param {string} method @param {object} params */
  async send(method, params) {
    const answer = await this.run(() => {
      this.lastCommand = `BiDi ${method}`;
      return this.bidi.send({ method, params });
    });
    if (answer?.error) throw new Error(`${this.engine}: ${method}: ${answer.error} ${answer.message ?? ''}`);
    return answer.result;
  }

  /** Ends the session (the browser process goes too) and its driver server. */
  async quit() {
    await withTimeout(this.mutex.run(() => this.driver.quit()), 30_000, 'quit').catch(() => {});
    await this.stopDriver();
  }
}

/**
 * A browser context: a fresh profile (its own cookies and storage) with tabs. In Chromium and
 * Firefox it is a WebDriver BiDi user context of the engine's shared session (isolated like a
 * Playwright context, and a new one costs milliseconds where a new browser costs seconds); in
 * WebKitGTK, whose WebDriver has no BiDi, a WebDriver session of its own.
 */
export class BrowserContext {
  /** @param {Browser} browser @param {Session} session @param {string} firstTab @param {string | null} userContext */
  constructor(browser, session, firstTab, userContext) {
    this.browser = browser;
    this.session = session;
    /** The BiDi user context, or null when the session is this context's own. */
    this.userContext = userContext;
    this.id = randomBytes(9).toString('base64url');
    /** The context's first tab, waiting to become the first page. */
    this.unusedTab = firstTab;
    /** @type {Page[]} the pages the harness knows (see pages() for every open window) */
    this._pages = [];
    /** @type {[string, Function][]} */
    this.listeners = [];
    /** @type {[any, Function][]} */
    this.routes = [];
    /** @type {Set<(message: ConsoleMessage) => void>} */
    this.consoleListeners = new Set();
    /** @type {{ width: number, height: number } | undefined} the viewport of each new window */
    this.viewport = undefined;
    contextHooks.set(this.id, { scripts: [], bindings: new Map() });
  }

  /** @template T @param {string} handle @param {(driver: any) => Promise<T>} fn @returns {Promise<T>} */
  onTab(handle, fn) {
    if (process.env.E2E_TRACE) console.error(`[${this.browser.engine} ${handle.slice(0, 8)}] ${String(fn).slice(0, 100)}`);
    return this.session.onTab(handle, fn);
  }

  /**
   * The kind of window a new page gets. A tab, but in WebKitGTK a window of its own:
   * MiniBrowser opens a WebDriver tab in the background and switching to it does not bring
   * it forward, so its document stays hidden (throttled timers, and a screenshot that never
   * comes), where Chromium's and Firefox's headless tabs are all visible, as Playwright's
   * pages are.
   * @returns {'tab' | 'window'}
   */
  windowType() { return this.browser.engine === 'webkit' ? 'window' : 'tab'; }

  /** Opens a window of this context and makes it current; resolves to its handle. */
  async openWindow() {
    if (this.userContext) {
      const { context: handle } = await this.session.send('browsingContext.create', { type: 'tab', userContext: this.userContext });
      if (this.viewport) await this.session.onTab(handle, (d) => setViewport(d, this.viewport));
      return handle;
    }
    return this.session.run(async (d) => {
      await d.switchTo().newWindow(this.windowType());
      if (this.viewport) await setViewport(d, this.viewport);
      this.session.currentTab = await d.getWindowHandle();
      return this.session.currentTab;
    });
  }

  /** Opens a new tab (the first call uses the context's first tab). @returns {Promise<Page>} */
  async newPage() {
    let handle = this.unusedTab;
    this.unusedTab = null;
    handle ??= await this.openWindow();
    const page = new Page(this, handle);
    this._pages.push(page);
    return page;
  }

  /**
   * Closes a tab. Closing a session's last window ends the WebDriver session, so when it is
   * the last one of a context with a session of its own, a blank tab is opened first and
   * kept for the next newPage (as a Playwright context outlives its pages).
   * @param {string} handle
   */
  async closeTab(handle) {
    if (!this.userContext && (await this.windowHandles()).length === 1) this.unusedTab = await this.openWindow();
    await this.session.onTab(handle, (d) => d.close());
    this.session.currentTab = null;
    this._pages = this._pages.filter((p) => p.handle !== handle);
  }

  /**
   * Every cookie of 127.0.0.1 (all local servers; cookies are not isolated by port),
   * HttpOnly ones included, read on one of the context's pages.
   */
  async cookies() {
    if (this.userContext) {
      // Classic cookie commands do not see user contexts in every engine: BiDi's storage does.
      const { cookies } = await this.session.send('storage.getCookies', { partition: this.partition() });
      return cookies
        .filter((c) => c.name !== CONTEXT_COOKIE)
        .map((c) => ({ name: c.name, value: c.value.value, domain: c.domain, path: c.path, httpOnly: c.httpOnly, secure: c.secure, sameSite: c.sameSite }));
    }
    const page = this._pages[0];
    if (!page) throw new Error('cookies: the context has no page');
    return page.run(async (d) => (await d.manage().getCookies()).filter((c) => c.name !== CONTEXT_COOKIE));
  }

  /** Deletes every cookie of 127.0.0.1 but the harness's context cookie. */
  async clearCookies() {
    if (this.userContext) {
      await this.session.send('storage.deleteCookies', { partition: this.partition() });
      await this.addContextCookie();
      return;
    }
    const page = this._pages[0];
    if (!page) throw new Error('clearCookies: the context has no page');
    await page.run(async (d) => {
      await d.manage().deleteAllCookies();
      await d.manage().addCookie(contextCookie(this.id));
    });
  }

  /** The BiDi storage partition of this user context. */
  partition() { return { type: 'storageKey', userContext: this.userContext }; }

  /**
   * Gives the context the harness's context cookie (see proxy.mjs). For a session of its
   * own, on the current tab, which must show a page of 127.0.0.1.
   */
  async addContextCookie() {
    if (this.userContext) {
      const { name, value, path, httpOnly } = contextCookie(this.id);
      await this.session.send('storage.setCookie', {
        cookie: { name, value: { type: 'string', value }, domain: '127.0.0.1', path, httpOnly, secure: false, sameSite: 'lax' },
        partition: this.partition(),
      });
      return;
    }
    await this.session.run((d) => d.manage().addCookie(contextCookie(this.id)));
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
   * traffic is this context's. Also 'console': the console messages of its site pages
   * (ConsoleMessage; see captureConsole).
   * @param {'request' | 'response' | 'console'} event @param {Function} listener
   */
  on(event, listener) {
    if (event === 'console') {
      this.consoleListeners.add(listener);
      return;
    }
    this.listeners.push([event, listener]);
    for (const proxy of proxies) proxy.on(event, listener);
  }

  /** Stops a listener given to `on`. @param {'request' | 'response' | 'console'} event @param {Function} listener */
  off(event, listener) {
    if (event === 'console') {
      this.consoleListeners.delete(listener);
      return;
    }
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
    this.consoleListeners.clear();
    contextHooks.delete(this.id);
    this.browser.contexts.delete(this);
    if (!this.userContext) {
      await this.session.quit();
      return;
    }
    // Closes the user context's windows and drops its cookies and storage.
    await this.session.send('browser.removeUserContext', { userContext: this.userContext }).catch(() => {});
    this.session.currentTab = null;
  }

  // Popups and console messages (the popup, React and demo suites).

  /** The handles of this context's open windows (tabs and popups). @returns {Promise<string[]>} */
  async windowHandles() {
    if (!this.userContext) return this.session.run((d) => d.getAllWindowHandles());
    const { contexts } = await this.session.send('browsingContext.getTree', { maxDepth: 0 });
    return contexts.filter((c) => c.userContext === this.userContext).map((c) => c.context);
  }

  /**
   * Every open window of the session as a Page, popups opened by a page included (in
   * Playwright this is synchronous; here it asks the driver).
   * @returns {Promise<Page[]>}
   */
  async pages() {
    const handles = await this.windowHandles();
    this._pages = this._pages.filter((p) => handles.includes(p.handle));
    for (const handle of handles) {
      if (handle !== this.unusedTab && !this._pages.some((p) => p.handle === handle)) this._pages.push(new Page(this, handle));
    }
    return [...this._pages];
  }

  /**
   * Waits for 'page' (a window that was not open when called appears: a popup, resolving
   * to its Page) or 'console' (a console message of any site page of the context that
   * `predicate` accepts; see captureConsole).
   * @param {'page' | 'console'} event
   * @param {{ predicate?: (value: any) => boolean, timeout?: number }} [options]
   */
  async waitForEvent(event, { predicate = () => true, timeout = DEFAULT_TIMEOUT_MS } = {}) {
    if (event === 'page') {
      const before = new Set(await this.windowHandles());
      const handle = await poll('a new window', async () => (await this.windowHandles()).find((h) => !before.has(h)), timeout);
      return (await this.pages()).find((p) => p.handle === handle);
    }
    if (event !== 'console') throw new Error(`waitForEvent: unknown event ${event}`);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.consoleListeners.delete(listener);
        reject(new Error(`timed out after ${timeout} ms waiting for a console message`));
      }, timeout);
      const listener = (message) => {
        if (!predicate(message)) return;
        clearTimeout(timer);
        this.consoleListeners.delete(listener);
        resolve(message);
      };
      this.consoleListeners.add(listener);
    });
  }

  /** Hands a console message from a page (the `__e2eConsole` binding) to the listeners. @param {string} type @param {string} text @param {string} url */
  reportConsole(type, text, url) {
    const message = new ConsoleMessage(type, text, url);
    for (const listener of [...this.consoleListeners]) listener(message);
  }
}

/** The harness's context cookie (HttpOnly, so page scripts never see it). @param {string} id */
function contextCookie(id) {
  return { name: CONTEXT_COOKIE, value: id, path: '/', httpOnly: true, sameSite: 'Lax' };
}

/**
 * @typedef {object} ContextOptions
 * @property {{ width: number, height: number }} [viewport] the first window's viewport in CSS pixels
 * @property {boolean} [popupBlocker] the engine's popup blocker on, as for a user: two
 *   drivers turn it off by default (chromedriver passes --disable-popup-blocking, geckodriver
 *   sets dom.disable_open_during_load to false). WebKitGTK blocks a window.open without a
 *   user gesture whatever this says (WebKitSettings javascript-can-open-windows-automatically
 *   is false by default, and WebKitWebDriver leaves it so).
 */

/**
 * The session's capabilities for `options`, from the engine's defaults.
 * @param {string} engine @param {Record<string, any>} capabilities @param {ContextOptions} options
 */
function contextCapabilities(engine, capabilities, options) {
  if (!options.popupBlocker) return capabilities;
  if (engine === 'chromium') capabilities['goog:chromeOptions'].excludeSwitches = ['disable-popup-blocking'];
  if (engine === 'firefox') capabilities['moz:firefoxOptions'].prefs['dom.disable_open_during_load'] = true;
  return capabilities;
}

/**
 * Sizes the current window so that its viewport (innerWidth × innerHeight) is `viewport`.
 * WebDriver sets the outer size, so the window's frame (outer minus inner size, read in one
 * go) is added, until the page reports the size asked for.
 * @param {import('selenium-webdriver').WebDriver} driver @param {{ width: number, height: number }} viewport
 */
async function setViewport(driver, { width, height }) {
  await poll(`a ${width}×${height} viewport`, async () => {
    const [innerWidth, innerHeight, outerWidth, outerHeight] = await driver.executeScript(
      'return [window.innerWidth, window.innerHeight, window.outerWidth, window.outerHeight]');
    if (innerWidth === width && innerHeight === height) return true;
    await driver.manage().window().setRect({ width: width + outerWidth - innerWidth, height: height + outerHeight - innerHeight });
    return false;
  }, 10_000);
}

/**
 * One engine. Chromium and Firefox host every context as a WebDriver BiDi user context of one
 * shared session (one per set of session options: the popup blocker is a launch setting);
 * WebKitGTK starts a session per context.
 */
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
    /** Whether contexts are user contexts of a shared session (the driver speaks BiDi). */
    this.sharesSessions = engine !== 'webkit';
    /** @type {Map<string, Promise<Session>>} shared sessions by their options */
    this.sharedSessions = new Map();
  }

  /**
   * A new browser context. One that does not start (a session not up within its attempt's
   * NEW_SESSION_MS) is tried again with a new WebDriver server (said on stderr), so a stuck
   * driver costs seconds, not the run.
   * @param {ContextOptions} [options]
   * @returns {Promise<BrowserContext>}
   */
  async newContext(options = {}) {
    for (let attempt = 0; ; attempt += 1) {
      const timeout = NEW_SESSION_MS[attempt];
      try {
        return await this.startContext(options, timeout);
      } catch (error) {
        if (attempt + 1 === NEW_SESSION_MS.length) throw error;
        console.error(`# ${this.engine}: a new context failed (${error.message.split('\n')[0]}); trying again`);
      }
    }
  }

  /** @param {ContextOptions} options @param {number} sessionTimeout @returns {Promise<BrowserContext>} */
  async startContext(options, sessionTimeout) {
    if (process.env.E2E_TRACE) console.error(`[${this.engine}] new context`);
    let context;
    if (this.sharesSessions) {
      const session = await this.sharedSession(options, sessionTimeout);
      const { userContext } = await session.send('browser.createUserContext', {});
      const { context: firstTab } = await session.send('browsingContext.create', { type: 'tab', userContext });
      context = new BrowserContext(this, session, firstTab, userContext);
    } else {
      const session = await this.startSession(options, false, sessionTimeout);
      context = new BrowserContext(this, session, /** @type {string} */ (session.currentTab), null);
    }
    try {
      blankProxy ??= await startProxy({ keepAlive: false });
      context.viewport = options.viewport;
      await context.onTab(/** @type {string} */ (context.unusedTab), async (d) => {
        await d.get(`${blankProxy.url}/__e2e/blank`);
        if (context.viewport) await setViewport(d, context.viewport);
      });
      await context.addContextCookie();
      await context.exposeBinding('__e2eConsole', (_source, type, text, url) => context.reportConsole(type, text, url));
      await context.addInitScript(captureConsole);
    } catch (error) {
      await context.close();
      throw error;
    }
    this.contexts.add(context);
    return context;
  }

  /**
   * The shared session for `options`, started on first use (a failed start is forgotten, so
   * the next call starts afresh).
   * @param {ContextOptions} options @param {number} timeout @returns {Promise<Session>}
   */
  sharedSession(options, timeout) {
    const key = options.popupBlocker ? 'popup-blocker' : 'default';
    let session = this.sharedSessions.get(key);
    if (!session) {
      session = this.startSession(options, true, timeout);
      this.sharedSessions.set(key, session);
      session.catch(() => this.sharedSessions.delete(key));
    }
    return session;
  }

  /**
   * Starts a WebDriver server and a session on it (with a BiDi connection when `bidi`),
   * which must be up within `timeout` ms.
   * @param {ContextOptions} options @param {boolean} bidi @param {number} timeout @returns {Promise<Session>}
   */
  async startSession(options, bidi, timeout) {
    const driverServer = await startDriver(this.engine, this.env);
    try {
      const capabilities = contextCapabilities(this.engine, ENGINE_SETUP[this.engine].capabilities(this.extraArgs), options);
      if (bidi) capabilities.webSocketUrl = true;
      const driver = await withTimeout(new Builder()
        .usingServer(driverServer.url)
        .withCapabilities(new Capabilities(capabilities))
        .build(), timeout, `${this.engine}: new session`);
      await driver.manage().setTimeouts({ script: 120_000, pageLoad: 60_000 });
      const caps = await driver.getCapabilities();
      this.version = `${caps.get('browserName')} ${caps.get('browserVersion')}`;
      const session = new Session(this.engine, driver, driverServer.stop, await driver.getWindowHandle());
      if (bidi) session.bidi = await driver.getBidi();
      return session;
    } catch (error) {
      await driverServer.stop();
      throw error;
    }
  }

  /** A page in a new context of its own. @returns {Promise<Page>} */
  async newPage() {
    return (await this.newContext()).newPage();
  }

  /** Closes every context, the shared sessions and the display. */
  async close() {
    for (const context of [...this.contexts]) await context.close();
    for (const session of this.sharedSessions.values()) await (await session.catch(() => null))?.quit();
    this.sharedSessions.clear();
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
