// The end-to-end tests' window on the network, the same in every browser engine: a reverse
// proxy in the test process in front of each local server (site, OpenID provider, OAuth 1.0a
// provider). Browsers only ever talk to proxies, so the tests can observe every request and
// response, answer or alter one (`route`), and cut a server off, without any engine-specific
// interception API (classic WebDriver has none). It also runs the harness's init scripts:
// HTML pages of the site get a first <script> that runs before any script of the page.
//
// Paths under /__e2e/ belong to the harness and never reach the server behind the proxy.

import { EventEmitter } from 'node:events';
import { request as httpRequest, createServer } from 'node:http';

/** Hop-by-hop headers: never copied between the two connections. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'upgrade']);

/**
 * Per browser context: the scripts its site pages run first, and the bindings those scripts
 * may call back (see the harness's BrowserContext.addInitScript and exposeBinding).
 * @type {Map<string, { scripts: string[], bindings: Map<string, (...args: any[]) => any> }>}
 */
export const contextHooks = new Map();

/** Name of the cookie that tells a proxy which browser context a page request comes from. */
export const CONTEXT_COOKIE = '__e2e_context';

/**
 * A request as it reached the proxy (the method names follow Playwright's Request).
 */
class ProxiedRequest {
  /** @param {string} method @param {string} url @param {Record<string, string>} headers @param {Buffer} body */
  constructor(method, url, headers, body) {
    this._method = method;
    this._url = url;
    this._headers = headers;
    this._body = body;
  }

  /** @returns {string} */
  method() { return this._method; }

  /** @returns {string} the full URL, with the proxy's origin */
  url() { return this._url; }

  /** @returns {Record<string, string>} lower-case names */
  headers() { return this._headers; }

  /** @returns {Promise<Record<string, string>>} the same, as Playwright's allHeaders */
  async allHeaders() { return this._headers; }

  /** @returns {string | null} the body as text, null when empty */
  postData() { return this._body.length ? this._body.toString('utf8') : null; }

  /**
   * Whether the browser sent it to load a document (a page or a frame): its
   * Sec-Fetch-Mode is `navigate`, which every engine sends to a trustworthy origin such
   * as 127.0.0.1.
   * @returns {boolean}
   */
  isNavigationRequest() { return this._headers['sec-fetch-mode'] === 'navigate'; }
}

/**
 * A response as the browser received it (the method names follow Playwright's Response).
 */
class ProxiedResponse {
  /** @param {ProxiedRequest} request @param {number} status @param {Record<string, string>} headers @param {Buffer} body */
  constructor(request, status, headers, body) {
    this._request = request;
    this._status = status;
    this._headers = headers;
    this.body = body;
  }

  /** @returns {ProxiedRequest} */
  request() { return this._request; }

  /** @returns {string} */
  url() { return this._request.url(); }

  /** @returns {number} */
  status() { return this._status; }

  /** @returns {Record<string, string>} */
  headers() { return this._headers; }

  /** @returns {Promise<Record<string, string>>} the same, as Playwright's allHeaders */
  async allHeaders() { return this._headers; }

  /** @returns {Promise<string>} */
  async text() { return this.body.toString('utf8'); }

  /** @returns {Promise<any>} */
  async json() { return JSON.parse(this.body.toString('utf8')); }
}

/**
 * @param {import('node:http').IncomingMessage} message
 * @returns {Record<string, any>} end-to-end headers, lower-case names; repeated ones joined,
 *   except Set-Cookie, which stays a list (a comma may be part of a cookie)
 */
function endToEndHeaders(message) {
  /** @type {Record<string, any>} */
  const headers = {};
  for (const [name, value] of Object.entries(message.headers)) {
    if (HOP_BY_HOP.has(name) || value === undefined) continue;
    headers[name] = Array.isArray(value) && name !== 'set-cookie' ? value.join(', ') : value;
  }
  return headers;
}

/** @param {import('node:stream').Readable} stream @returns {Promise<Buffer>} */
async function readAll(stream) {
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/**
 * Sends `request` to the server at `target`, with the browser's Host header kept (so
 * servers that sign or build URLs from Host see the proxy's origin, as the browser does).
 * @param {string} target origin of the server behind the proxy
 * @param {ProxiedRequest} request
 * @param {string} path
 * @returns {Promise<{ status: number, headers: Record<string, string>, body: Buffer }>}
 */
function forward(target, request, path) {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(target);
    const upstream = httpRequest({ host: hostname, port, method: request.method(), path, headers: request.headers() }, async (res) => {
      try {
        resolve({ status: res.statusCode ?? 502, headers: endToEndHeaders(res), body: await readAll(res) });
      } catch (error) {
        reject(error);
      }
    });
    upstream.on('error', reject);
    upstream.end(request._body);
  });
}

/** @param {string} cookieHeader @returns {string | undefined} */
function contextOf(cookieHeader = '') {
  for (const part of cookieHeader.split(';')) {
    const [name, value] = part.trim().split('=');
    if (name === CONTEXT_COOKIE) return value;
  }
  return undefined;
}

/**
 * The first script of a site page: the context's init scripts, each isolated so one that
 * throws does not stop the next, and a synchronous XHR bridge for its bindings.
 * @param {string} contextId
 * @returns {string}
 */
function initScript(contextId) {
  const hooks = contextHooks.get(contextId);
  if (!hooks) return '';
  const bridge = [...hooks.bindings.keys()].map((name) => `window[${JSON.stringify(name)}] = (...args) => {
  const xhr = new XMLHttpRequest();
  xhr.open('POST', '/__e2e/binding?context=${encodeURIComponent(contextId)}&name=${encodeURIComponent(name)}', false);
  xhr.send(JSON.stringify(args));
  return xhr.responseText ? JSON.parse(xhr.responseText) : undefined;
};`);
  return [...bridge, ...hooks.scripts.map((s) => `try { ${s} } catch (error) { console.error('e2e init script', error); }`)].join('\n');
}

/**
 * @typedef {object} Route
 * @property {() => ProxiedRequest} request
 * @property {(options?: { status?: number, headers?: Record<string, string>, body?: string | Buffer, json?: any, contentType?: string, response?: ProxiedResponse }) => Promise<void>} fulfill
 * @property {() => Promise<void>} continue send it on to the server unchanged
 * @property {() => Promise<ProxiedResponse>} fetch send it on and hand back the server's answer (to alter it)
 * @property {() => Promise<void>} abort the browser sees a network error
 */

/**
 * @typedef {object} Proxy
 * @property {string} url the proxy's origin, which browsers use
 * @property {string | null} target origin of the server behind it; null cuts every request off
 * @property {(event: 'request' | 'response', listener: (r: any) => void) => void} on
 * @property {(event: 'request' | 'response', listener: (r: any) => void) => void} off
 * @property {(matcher: string | RegExp | ((url: URL) => boolean), handler: (route: Route) => any) => void} route
 * @property {(matcher: string | RegExp | ((url: URL) => boolean), handler?: Function) => void} unroute
 * @property {() => Promise<void>} close
 */

/** Every proxy listening now; a browser context's routes and listeners apply to each. */
export const proxies = new Set();

/**
 * Whether `url` matches a route's matcher: a predicate on the URL, a RegExp, or a string
 * that is the URL itself or a glob whose `**` matches anything.
 * @param {string | RegExp | ((url: URL) => boolean)} matcher
 * @param {string} url
 */
function matches(matcher, url) {
  if (typeof matcher === 'function') return Boolean(matcher(new URL(url)));
  if (matcher instanceof RegExp) return matcher.test(url);
  if (!matcher.includes('*')) return matcher === url;
  const pattern = matcher.split('**').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${pattern}$`).test(url);
}

/**
 * Starts a proxy on a free port of 127.0.0.1. Set `target` once the server behind it listens.
 * @param {{ injectInitScripts?: boolean, keepAlive?: boolean }} [options] `injectInitScripts`:
 *   site pages get the init scripts; `keepAlive: false`: the proxy does not keep the test
 *   process running (for one that lives as long as the process)
 * @returns {Promise<Proxy>}
 */
export async function startProxy({ injectInitScripts = false, keepAlive = true } = {}) {
  const events = new EventEmitter();
  /** @type {{ matcher: any, handler: (route: Route) => any }[]} */
  const routes = [];
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  if (!keepAlive) server.unref();
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  /** @type {Proxy} */
  const proxy = {
    url: `http://127.0.0.1:${address.port}`,
    target: null,
    on: (event, listener) => events.on(event, listener),
    off: (event, listener) => events.off(event, listener),
    route: (matcher, handler) => { routes.push({ matcher, handler }); },
    unroute: (matcher, handler) => {
      for (let i = routes.length - 1; i >= 0; i -= 1) {
        if (routes[i].matcher === matcher && (!handler || routes[i].handler === handler)) routes.splice(i, 1);
      }
    },
    close: async () => {
      proxies.delete(proxy);
      server.close();
      server.closeAllConnections();
    },
  };
  proxies.add(proxy);

  server.on('request', async (req, res) => {
    const path = req.url ?? '/';
    const url = `${proxy.url}${path}`;
    const body = await readAll(req).catch(() => Buffer.alloc(0));
    const headers = endToEndHeaders(req);
    const request = new ProxiedRequest(req.method ?? 'GET', url, headers, body);

    // As with Playwright, CORS preflights are the browser's own: no events, never routed
    // (the server answers them).
    const preflight = request.method() === 'OPTIONS' && 'access-control-request-method' in headers;
    if (path.startsWith('/__e2e/')) {
      harnessEndpoint(request, res);
      return;
    }
    let answered = false;
    /** @param {number} status @param {Record<string, string>} h @param {Buffer} b */
    const send = (status, h, b) => {
      answered = true;
      const out = Object.fromEntries(Object.entries(h).filter(([n]) => n !== 'content-length'));
      res.writeHead(status, { ...out, 'content-length': String(b.length) });
      res.end(b);
      if (!preflight) events.emit('response', new ProxiedResponse(request, status, out, b));
    };
    const cutOff = () => {
      answered = true;
      res.socket?.destroy();
    };
    const fromServer = async () => {
      if (!proxy.target) throw new Error('no server behind the proxy');
      const answer = await forward(proxy.target, request, path);
      if (injectInitScripts && /^text\/html/.test(answer.headers['content-type'] ?? '')) {
        answer.body = withInitScript(answer.body, contextOf(headers.cookie));
      }
      return answer;
    };
    /** @type {Route} */
    const route = {
      request: () => request,
      fulfill: async ({ status, headers: extra = {}, body: text, json, contentType, response } = {}) => {
        const base = response ? { ...response.headers() } : {};
        const h = Object.fromEntries(Object.entries({ ...base, ...extra }).map(([n, v]) => [n.toLowerCase(), v]));
        let b = response ? response.body : Buffer.alloc(0);
        if (json !== undefined) {
          b = Buffer.from(JSON.stringify(json));
          h['content-type'] = 'application/json';
        } else if (text !== undefined) {
          b = Buffer.from(text);
        }
        if (contentType) h['content-type'] = contentType;
        send(status ?? (response ? response.status() : 200), h, b);
      },
      continue: async () => {
        const answer = await fromServer();
        send(answer.status, answer.headers, answer.body);
      },
      fetch: async () => {
        const answer = await fromServer();
        return new ProxiedResponse(request, answer.status, answer.headers, answer.body);
      },
      abort: async () => cutOff(),
    };

    if (!preflight) events.emit('request', request);
    try {
      const match = preflight ? undefined : [...routes].reverse().find((r) => matches(r.matcher, url));
      if (match) await match.handler(route);
      if (!answered) await route.continue();
    } catch {
      // The server behind is down (or a handler failed): the browser sees a network error,
      // as it would with no proxy in between.
      if (!answered) cutOff();
    }
  });
  return proxy;
}

/**
 * Puts `<script src="/__e2e/init.js?…">` first in an HTML page (before its CSP meta and any
 * script), when the page is for a browser context with init scripts.
 * @param {Buffer} html
 * @param {string | undefined} contextId
 * @returns {Buffer}
 */
function withInitScript(html, contextId) {
  if (!contextId || !contextHooks.has(contextId)) return html;
  const tag = `<script src="/__e2e/init.js?context=${encodeURIComponent(contextId)}"></script>`;
  const text = html.toString('utf8');
  const head = /<head[^>]*>/i.exec(text);
  const at = head ? head.index + head[0].length : 0;
  return Buffer.from(`${text.slice(0, at)}${tag}${text.slice(at)}`);
}

/**
 * The harness's own paths: the init script of a context, a binding call, and a blank page
 * (where a fresh browser context gets its context cookie).
 * @param {ProxiedRequest} request
 * @param {import('node:http').ServerResponse} res
 */
function harnessEndpoint(request, res) {
  const url = new URL(request.url());
  const contextId = url.searchParams.get('context') ?? '';
  const reply = (status, type, text) => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
    res.end(text);
  };
  if (url.pathname === '/__e2e/init.js') {
    reply(200, 'text/javascript', initScript(contextId));
  } else if (url.pathname === '/__e2e/binding' && request.method() === 'POST') {
    const binding = contextHooks.get(contextId)?.bindings.get(url.searchParams.get('name') ?? '');
    if (!binding) {
      reply(404, 'text/plain', 'no such binding');
      return;
    }
    Promise.resolve()
      .then(() => binding({}, ...JSON.parse(request.postData() ?? '[]')))
      .then((value) => reply(200, 'application/json', value === undefined ? '' : JSON.stringify(value)),
        (error) => reply(500, 'text/plain', String(error)));
  } else if (url.pathname === '/__e2e/blank') {
    reply(200, 'text/html', '<!doctype html><title>blank</title>');
  } else {
    reply(404, 'text/plain', 'unknown harness path');
  }
}
