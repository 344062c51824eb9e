// Server-side rendering (issue 12 item 4): in Node there is no window. Importing any entry
// must do nothing (no fetch, no WebAssembly), and every API must throw
// BrowserOAuthError("browser_only") with a sentence saying so, before it loads anything.
import { strict as assert } from 'node:assert';
import { after, before, describe, test } from 'node:test';

const DIST = new URL('../../pkg/dist/', import.meta.url);
const calls = [];
const originals = {};
let entries;

before(async () => {
  // Spies on everything an import or a call could reach for, installed before the imports.
  // Node compiles WebAssembly of its own (undici's HTTP parser, loaded when the wrapper takes
  // its private reference to fetch): only modules built by wasm-bindgen (ours) are counted.
  for (const [owner, name] of [[globalThis, 'fetch'], [WebAssembly, 'instantiate'], [WebAssembly, 'instantiateStreaming'], [WebAssembly, 'compile']]) {
    originals[name] = owner[name];
    owner[name] = (...args) => {
      if (name === 'fetch' || isWasmBindgen(args[0])) calls.push(name);
      return originals[name].apply(owner, args);
    };
  }
  entries = {
    main: await import(new URL('index.js', DIST)),
    login: await import(new URL('login.js', DIST)),
    oauth1: await import(new URL('oauth1.js', DIST)),
    inline: await import(new URL('inline.js', DIST)),
    messages: await import(new URL('messages.js', DIST)),
    popup: await import(new URL('popup.js', DIST)),
  };
});

after(() => {
  globalThis.fetch = originals.fetch;
  for (const name of ['instantiate', 'instantiateStreaming', 'compile']) WebAssembly[name] = originals[name];
});

/** True for a wasm-bindgen module (its bytes or compiled form), or anything unknown (a Response). */
function isWasmBindgen(source) {
  if (source instanceof WebAssembly.Module) {
    return WebAssembly.Module.exports(source).some((e) => e.name.startsWith('__wbindgen'));
  }
  if (ArrayBuffer.isView(source) || source instanceof ArrayBuffer) {
    return Buffer.from(source instanceof ArrayBuffer ? source : source.buffer).includes('__wbindgen');
  }
  return true;
}

const metadata = {
  issuer: 'https://as.example',
  authorization_endpoint: 'https://as.example/authorize',
  token_endpoint: 'https://as.example/token',
  code_challenge_methods_supported: ['S256'],
};
const config = { issuer: 'https://as.example', clientId: 'spa', redirectUri: 'https://app.example/cb', metadata };
const oauth1Config = {
  consumerKey: 'key',
  sign: async () => 'signature',
  temporaryCredentialsUrl: 'https://api.example/request_token',
  authorizationUrl: 'https://api.example/authorize',
  tokenUrl: 'https://api.example/access_token',
  callbackUrl: 'https://app.example/oauth1-callback',
};

/** Asserts that `call` rejects (or throws) with browser_only, as a BrowserOAuthError. */
async function assertBrowserOnly(call, BrowserOAuthError) {
  await assert.rejects(async () => call(), (error) => {
    assert.ok(error instanceof BrowserOAuthError, `not a BrowserOAuthError: ${error}`);
    assert.equal(error.code, 'browser_only');
    assert.match(error.message, /only in a browser/);
    return true;
  });
}

describe('on a server (Node, no window)', () => {
  test('importing every entry makes no request and loads no WebAssembly', () => {
    assert.equal(typeof globalThis.window, 'undefined');
    assert.deepEqual(calls, []);
    assert.equal(typeof entries.main.createClient, 'function');
    assert.equal(typeof entries.login.createLoginClient, 'function');
    assert.equal(typeof entries.oauth1.createOAuth1Client, 'function');
    assert.equal(typeof entries.inline.createClient, 'function');
    assert.equal(typeof entries.messages.describeError, 'function');
  });

  test('generatePkce and createClient throw browser_only (main entry)', async () => {
    const { generatePkce, createClient, BrowserOAuthError } = entries.main;
    await assertBrowserOnly(() => generatePkce(), BrowserOAuthError);
    await assertBrowserOnly(() => createClient(config), BrowserOAuthError);
    await assertBrowserOnly(() => createClient({ ...config, metadata: undefined }), BrowserOAuthError);
  });

  test('generatePkce and createClient throw browser_only (inline entry)', async () => {
    const { generatePkce, createClient, BrowserOAuthError } = entries.inline;
    await assertBrowserOnly(() => generatePkce(), BrowserOAuthError);
    await assertBrowserOnly(() => createClient(config), BrowserOAuthError);
  });

  test('createLoginClient throws browser_only (landing-page entry)', async () => {
    const { createLoginClient, BrowserOAuthError } = entries.login;
    await assertBrowserOnly(() => createLoginClient(config), BrowserOAuthError);
    await assertBrowserOnly(() => createLoginClient({ ...config, metadata: undefined }), BrowserOAuthError);
  });

  test('createOAuth1Client throws browser_only (oauth1 entry)', async () => {
    const { createOAuth1Client, BrowserOAuthError } = entries.oauth1;
    await assertBrowserOnly(() => createOAuth1Client(oauth1Config), BrowserOAuthError);
  });

  test('handlePopupCallback (browser-oauth/popup) says "not a popup" on a server instead of throwing', () => {
    assert.equal(entries.popup.handlePopupCallback(), false);
  });

  test('one error class across entries, and describeError works anywhere (it only looks up text)', () => {
    assert.equal(entries.main.BrowserOAuthError, entries.oauth1.BrowserOAuthError);
    assert.equal(entries.main.BrowserOAuthError, entries.inline.BrowserOAuthError);
    assert.equal(entries.main.BrowserOAuthError, entries.login.BrowserOAuthError);
    assert.match(entries.messages.describeError('browser_only').message, /browser/);
  });

  test('no call above made a request or loaded WebAssembly', () => {
    assert.deepEqual(calls, []);
  });
});
