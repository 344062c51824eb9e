// The benchmark page: loads each library on demand and times it, all in this one page.
// bench/run.mjs drives it through `window.bench`. No network: the provider metadata is
// given directly and `fetch` is replaced by a stub that answers the token requests.

/**
 * @typedef {object} Provider
 * @property {string} clientId
 * @property {string} redirectUri on this page's origin (browser-oauth cleans the address bar)
 * @property {string} scope
 * @property {Record<string, unknown>} metadata RFC 8414 / OIDC discovery names
 */

/**
 * One library behind a common interface (bench/adapters/*.js).
 * @typedef {object} Adapter
 * @property {() => string | Promise<string>} build PKCE + state + nonce + URL, pending request stored
 * @property {((url: string) => Promise<void>) | undefined} validate the callback check, no token request
 * @property {(url: string) => Promise<unknown>} handle validate + code exchange (stubbed fetch) + token checks
 * @property {(() => Promise<number>) | undefined} memoryPages wasm linear memory, in 64 KiB pages
 */

const ISSUER = 'https://op.bench.test';
/** Where build.mjs writes the inline entry's adapter, built on its own (see INLINE_ENTRY there). */
const INLINE_ADAPTER = './inline/browser-oauth-inline.js';
const LIBRARIES = {
  'browser-oauth': () => import('./adapters/browser-oauth.js'),
  // Import → ready only. Not a string literal, so that esbuild leaves this import alone.
  'browser-oauth/inline': () => import(INLINE_ADAPTER),
  oauth4webapi: () => import('./adapters/oauth4webapi.js'),
  'oidc-client-ts': () => import('./adapters/oidc-client-ts.js'),
};

/** @returns {Provider} */
function provider() {
  return {
    clientId: 'bench-spa',
    redirectUri: `${location.origin}/bench/callback`,
    scope: 'openid profile',
    metadata: {
      issuer: ISSUER,
      authorization_endpoint: `${ISSUER}/authorize`,
      token_endpoint: `${ISSUER}/token`,
      jwks_uri: `${ISSUER}/jwks`,
      response_types_supported: ['code'],
      code_challenge_methods_supported: ['S256'],
      id_token_signing_alg_values_supported: ['RS256'],
      authorization_response_iss_parameter_supported: true,
    },
  };
}

/** Token responses the fetch stub hands out, by authorization code (each used once). */
const tokenResponses = new Map();
let codes = 0;

/** The stub provider's RS256 signing key, made in the page with WebCrypto, and its JWKS. */
const signer = (async () => {
  const key = await crypto.subtle.generateKey(
    { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
    true,
    ['sign', 'verify'],
  );
  const jwk = await crypto.subtle.exportKey('jwk', key.publicKey);
  return { key: key.privateKey, jwks: JSON.stringify({ keys: [{ ...jwk, kid: 'bench', alg: 'RS256', use: 'sig' }] }) };
})();

const realFetch = window.fetch.bind(window);
window.fetch = async (url, init) => {
  // Only the provider is stubbed: the wasm module itself still loads over the network.
  const href = String(url instanceof Request ? url.url : url);
  if (!href.startsWith(ISSUER)) return realFetch(url, init);
  if (href === `${ISSUER}/jwks`) return new Response((await signer).jwks, { headers: { 'Content-Type': 'application/json' } });
  const code = new URLSearchParams(String(init?.body ?? '')).get('code');
  const body = tokenResponses.get(code);
  tokenResponses.delete(code);
  return new Response(body ?? '{"error":"invalid_grant"}', {
    status: body ? 200 : 400,
    headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' },
  });
};

const base64url = (bytes) => btoa(String.fromCharCode(...bytes)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
const encodeJson = (value) => base64url(new TextEncoder().encode(JSON.stringify(value)));

/**
 * The provider's answer to an authorization URL: a callback URL with a fresh code, state
 * and iss, and a token response (with an ID token carrying the request's nonce) for the
 * fetch stub. The ID token is signed with the stub provider's RS256 key (browser-oauth
 * verifies it against the JWKS; the other two libraries do not check signatures).
 * @param {string} authorizationUrl
 * @param {Provider} p
 * @returns {Promise<string>}
 */
async function callbackFor(authorizationUrl, p) {
  const request = new URL(authorizationUrl).searchParams;
  const code = `code-${(codes += 1)}`;
  const now = Math.floor(Date.now() / 1000);
  const claims = { iss: ISSUER, sub: 'alice', aud: p.clientId, exp: now + 3600, iat: now, nonce: request.get('nonce') };
  const input = `${encodeJson({ alg: 'RS256', typ: 'JWT', kid: 'bench' })}.${encodeJson(claims)}`;
  const signature = await crypto.subtle.sign('RSASSA-PKCS1-v1_5', (await signer).key, new TextEncoder().encode(input));
  const idToken = `${input}.${base64url(new Uint8Array(signature))}`;
  tokenResponses.set(code, JSON.stringify({
    access_token: `at-${code}`, token_type: 'Bearer', expires_in: 3600, scope: p.scope, id_token: idToken,
  }));
  const callback = new URL(p.redirectUri);
  callback.search = new URLSearchParams({ code, state: request.get('state') ?? '', iss: ISSUER }).toString();
  return callback.href;
}

/** Calls `fn` on each input in turn, awaiting only what returns a promise. */
async function each(fn, inputs) {
  for (const input of inputs) {
    const result = fn(input);
    if (result instanceof Promise) await result;
  }
}

/** Largest group of callbacks prepared before validating them (browser-oauth's MAX_PENDING). */
const PENDING_GROUP = 8;

/** Loaded adapters, by library name. */
const adapters = new Map();

/**
 * Loads a library and makes a client able to build a request; returns the milliseconds
 * from the dynamic import to that point. Call once per fresh page.
 * @param {string} name
 * @returns {Promise<number>}
 */
async function importToReady(name) {
  const start = performance.now();
  const module = await LIBRARIES[name]();
  const adapter = await module.ready(provider());
  const elapsed = performance.now() - start;
  adapters.set(name, adapter);
  return elapsed;
}

/**
 * Milliseconds to fetch and compile browser-oauth's .wasm alone (`compileStreaming`, as the
 * glue loads it), with no library code: what any app pays for a module in its own file,
 * before a line of ours runs. Call once per fresh page.
 * @returns {Promise<number>}
 */
async function wasmLoadCost() {
  const start = performance.now();
  await WebAssembly.compileStreaming(fetch(new URL('browser_oauth_bg.wasm', import.meta.url)));
  return performance.now() - start;
}

/**
 * @param {string} name
 * @returns {Promise<Adapter>}
 */
async function adapter(name) {
  if (!adapters.has(name)) await importToReady(name);
  return adapters.get(name);
}

/**
 * Times `count` runs of one operation; returns milliseconds per operation, or null when
 * the library has no such operation. Requests for `validate` / `handle` are built first,
 * outside the timed part, in groups of PENDING_GROUP; sessionStorage is emptied before each group.
 * @param {string} name library
 * @param {'build' | 'validate' | 'handle'} operation
 * @param {number} count
 * @returns {Promise<number | null>}
 */
async function time(name, operation, count) {
  const a = await adapter(name);
  if (typeof a[operation] !== 'function') return null;
  const p = provider();
  const fn = a[operation];
  let elapsed = 0;
  // Callbacks are prepared in groups no larger than the pending logins a client keeps
  // (browser-oauth keeps the newest 8): only the operation itself is timed.
  for (let done = 0; done < count; done += PENDING_GROUP) {
    const n = Math.min(PENDING_GROUP, count - done);
    sessionStorage.clear();
    let inputs = Array.from({ length: n }, () => undefined);
    if (operation !== 'build') {
      const urls = [];
      for (let i = 0; i < n; i += 1) urls.push(await a.build());
      inputs = await Promise.all(urls.map((url) => callbackFor(url, p)));
    }
    const start = performance.now();
    await each(fn, inputs);
    elapsed += performance.now() - start;
  }
  if (tokenResponses.size !== 0 && operation === 'handle') throw new Error(`${name}: not every code was exchanged`);
  tokenResponses.clear();
  return elapsed / count;
}

/**
 * Milliseconds per `history.replaceState` call: every library's `handle` makes one (it
 * cleans the address bar), and in headless Chromium it costs more than the protocol work.
 * @param {number} count
 * @returns {number}
 */
function replaceStateCost(count) {
  const start = performance.now();
  for (let i = 0; i < count; i += 1) history.replaceState(null, '', `${location.pathname}?n=${i}`);
  return (performance.now() - start) / count;
}

/**
 * What sessionStorage alone costs the operations, per record, with records the size of
 * browser-oauth's own (one is built to see its size) in groups of PENDING_GROUP on an
 * emptied storage, as `time` runs them: `store` is one `setItem` (every build stores its
 * pending request), `take` one `getItem` + `removeItem` (every validate takes it: single
 * use, the same for every library). Milliseconds per record.
 * @param {number} count records
 * @returns {Promise<{ store: number, take: number, keyLength: number, valueLength: number }>}
 */
async function storageCost(count) {
  const a = await adapter('browser-oauth');
  sessionStorage.clear();
  a.build();
  const [key, value] = Object.entries(sessionStorage)[0] ?? ['', ''];
  let store = 0;
  let take = 0;
  for (let done = 0; done < count; done += PENDING_GROUP) {
    sessionStorage.clear();
    const keys = Array.from({ length: PENDING_GROUP }, (_, i) => `${key.slice(0, -8)}${String(done + i).padStart(8, '0')}`);
    let start = performance.now();
    for (const k of keys) sessionStorage.setItem(k, value);
    store += performance.now() - start;
    // As in `time`, the callbacks reach the page in a later task than the requests were built.
    await new Promise((resolve) => { setTimeout(resolve, 0); });
    start = performance.now();
    for (const k of keys) {
      if (sessionStorage.getItem(k) === null) throw new Error('record missing');
      sessionStorage.removeItem(k);
    }
    take += performance.now() - start;
  }
  const n = Math.ceil(count / PENDING_GROUP) * PENDING_GROUP;
  return { store: store / n, take: take / n, keyLength: key.length, valueLength: value.length };
}

/**
 * browser-oauth's wasm linear memory before and after `count` requests built and
 * handled (validated, exchanged, checked), in 64 KiB pages.
 * @param {number} count
 * @returns {Promise<{ before: number, after: number, count: number }>}
 */
async function memory(count) {
  const a = await adapter('browser-oauth');
  sessionStorage.clear();
  const p = provider();
  const before = await a.memoryPages();
  for (let i = 0; i < count; i += 1) await a.handle(await callbackFor(a.build(), p));
  return { before, after: await a.memoryPages(), count };
}

/**
 * Milliseconds per refusal of a callback URL carrying 1 MB of response parameters (about
 * 200,000 names) by browser-oauth's `validateCallback` (issue 11 item 1: refused as
 * `invalid_callback` before any parameter is decoded). Throws if one is not refused so.
 * @param {number} count
 * @returns {Promise<number>}
 */
async function refuseHugeCallback(count) {
  const a = await adapter('browser-oauth');
  const url = `${provider().redirectUri}?${'p=1&x'.repeat(1 << 18).slice(0, 1 << 20)}&state=s&code=c`;
  const start = performance.now();
  for (let i = 0; i < count; i += 1) {
    try {
      a.validate(url);
      throw new Error('a 1 MB callback was accepted');
    } catch (error) {
      if (error.code !== 'invalid_callback') throw error;
    }
  }
  return (performance.now() - start) / count;
}

window.bench = { libraries: Object.keys(LIBRARIES), importToReady, wasmLoadCost, time, replaceStateCost, storageCost, memory, refuseHugeCallback };
