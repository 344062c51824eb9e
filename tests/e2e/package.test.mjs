// The npm package as an app gets it: the built pkg/dist + pkg/wasm loaded in each browser
// engine (BROWSERS), exercised through its public exports only.
import { strict as assert } from 'node:assert';
import { createServer } from 'node:http';
import { after, before } from 'node:test';

import { describeEngines, startSite } from './harness.mjs';

let site;
/** An authorization server that records every request reaching it and answers none usefully. */
let recorder;
/** `METHOD path` of every request the recorder received. */
const requests = [];

before(async () => {
  site = await startSite();
  recorder = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    res.writeHead(503).end();
  });
  await new Promise((resolve) => recorder.listen(0, '127.0.0.1', resolve));
  recorder.url = `http://127.0.0.1:${recorder.address().port}`;
});

after(async () => {
  recorder?.close();
  await site?.stop();
});

const metadata = (extra = {}) => ({
  issuer: 'https://as.example',
  authorization_endpoint: 'https://as.example/authorize',
  token_endpoint: 'https://as.example/token',
  code_challenge_methods_supported: ['S256'],
  authorization_response_iss_parameter_supported: true,
  ...extra,
});

/**
 * Metadata of an issuer on the recorder (loopback http is allowed), under `path`: every
 * request the client makes to it is seen. Its answers carry no CORS header, so a fetch to
 * it fails in the page as a network error, after the request was sent.
 */
const recorded = (path = '') => metadata({
  issuer: `${recorder.url}${path}`,
  authorization_endpoint: `${recorder.url}${path}/authorize`,
  token_endpoint: `${recorder.url}${path}/token`,
});

describeEngines('the browser-oauth package', {}, (env) => {
  const { test } = env;
  let page;

  before(async () => {
    page = await env.browser.newPage();
    await page.goto(`${site.url}/tests/pages/package.html`);
    await page.waitForFunction(() => document.title === 'loaded');
  });

  test('generatePkce gives a 43-char unreserved verifier, its WebCrypto SHA-256 challenge and S256 (specs §0.1, §1)', async () => {
    const result = await page.evaluate(async () => {
      const pairs = [];
      for (let i = 0; i < 200; i += 1) pairs.push(await window.pkg.generatePkce());
      const digest = async (text) => {
        const bytes = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
        return btoa(String.fromCharCode(...bytes)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
      };
      const checked = await Promise.all(pairs.map(async (p) => (await digest(p.verifier)) === p.challenge));
      return { first: pairs[0], distinct: new Set(pairs.map((p) => p.verifier)).size, allMatch: checked.every(Boolean) };
    });
    assert.match(result.first.verifier, /^[A-Za-z0-9._~-]{43}$/);
    assert.equal(result.first.method, 'S256');
    assert.equal(result.allMatch, true, 'every challenge equals BASE64URL(SHA-256(verifier)) from WebCrypto');
    assert.equal(result.distinct, 200, 'no verifier repeats');
  });

  test('bad configuration is a BrowserOAuthError with a stable code, never a raw wasm exception', async () => {
    const codes = await page.evaluate(async (md) => {
      const base = { issuer: 'https://as.example', clientId: 'spa', redirectUri: 'https://app.example/cb', metadata: md };
      const attempt = async (config) => {
        try {
          await window.pkg.createClient(config);
          return 'no error';
        } catch (error) {
          return `${error instanceof window.pkg.BrowserOAuthError}:${error.name}:${error.code}`;
        }
      };
      return [
        await attempt({ ...base, issuer: 'http://as.example' }),
        await attempt({ ...base, redirectUri: 'http://app.example/cb' }),
        await attempt({ ...base, redirectUri: 'https://app.example/cb#x' }),
        await attempt({ ...base, clientSecret: 'not for browsers' }),
        await attempt({ ...base, metadata: { ...md, code_challenge_methods_supported: ['plain'] } }),
        await attempt({ ...base, metadata: { ...md, issuer: 'https://as.example/' } }),
      ];
    }, metadata());
    assert.deepEqual(codes, [
      'true:BrowserOAuthError:invalid_config',
      'true:BrowserOAuthError:insecure_redirect_uri',
      'true:BrowserOAuthError:insecure_redirect_uri',
      'true:BrowserOAuthError:invalid_config',
      'true:BrowserOAuthError:pkce_unsupported',
      'true:BrowserOAuthError:issuer_mismatch',
    ]);
  });

  test('with metadata given, createClient makes no request and authorizationUrl stores one pending request (specs §2, §3)', async () => {
    const before = requests.length;
    const outcome = await page.evaluate(async (md) => {
      sessionStorage.clear();
      const client = await window.pkg.createClient({
        issuer: md.issuer, clientId: 'spa', redirectUri: 'https://app.example/cb', scope: 'openid profile', metadata: md,
      });
      const security = [];
      client.on('security', (event) => security.push([event.code, event.phase, event.issuer]));
      const url = new URL(client.authorizationUrl({ returnTo: '/inbox', extraParams: { prompt: 'login' } }));
      let reserved;
      try {
        client.authorizationUrl({ extraParams: { state: 'mine' } });
      } catch (error) {
        reserved = error.code;
      }
      const keys = Object.keys(sessionStorage);
      const second = new URL(client.authorizationUrl()).searchParams.get('state');
      const inFlight = Object.keys(sessionStorage).sort();
      const callback = `https://app.example/cb?code=c0de&state=${second}&iss=${encodeURIComponent(md.issuer)}`;
      client.validateCallback(callback);
      // The held code goes to the token endpoint on exchangeCode (the recorder: no CORS, so a network error).
      const exchange = await client.exchangeCode().then(() => 'no error', (error) => `${error.code}:${error.requestSent}`);
      let replay;
      try {
        client.validateCallback(callback);
      } catch (error) {
        replay = error.code;
      }
      return {
        params: Object.fromEntries(url.searchParams),
        keys,
        inFlight,
        second,
        replay,
        exchange,
        left: Object.keys(sessionStorage),
        reserved,
        user: client.user() ?? null,
        security,
      };
    }, recorded());
    assert.deepEqual(requests.slice(before), ['POST /token'], 'no request but the exchange below');
    assert.equal(outcome.params.code_challenge_method, 'S256');
    assert.equal(outcome.params.prompt, 'login');
    assert.equal(outcome.params.state.length, 43);
    assert.ok(outcome.params.nonce);
    assert.deepEqual(outcome.keys, [`browser-oauth:pending:${outcome.params.state}`]);
    assert.equal(outcome.reserved, 'invalid_config', 'extraParams cannot override state');
    assert.deepEqual(outcome.inFlight, [`browser-oauth:pending:${outcome.params.state}`, `browser-oauth:pending:${outcome.second}`].sort(),
      'several logins may be in flight at once, each under its own state');
    assert.equal(outcome.replay, 'state_mismatch', 'validateCallback takes the pending request: a replay is refused');
    assert.equal(outcome.exchange, 'network_error:true', 'exchangeCode sends the held code to the token endpoint');
    assert.deepEqual(outcome.left, [`browser-oauth:pending:${outcome.params.state}`], 'only the other login is still pending');
    assert.equal(outcome.user, null, 'no user before login');
    assert.deepEqual(outcome.security, [['state_mismatch', 'callback', recorder.url]],
      'one security event: the replay (a misused option and a network failure are not refusals)');
  });

  test('logout announces itself on the browser-oauth channel, which the OAuth 1.0a entry wipes on (issue 5 item 5)', async () => {
    const message = await page.evaluate(async (md) => {
      const heard = new Promise((resolve) => {
        const listener = new BroadcastChannel('browser-oauth');
        listener.onmessage = (event) => { listener.close(); resolve(event.data); };
      });
      const client = await window.pkg.createClient({
        issuer: 'https://as.example', clientId: 'spa', redirectUri: 'https://app.example/cb', metadata: md,
      });
      await client.logout({ local: true });
      return heard;
    }, metadata());
    assert.deepEqual(message, { type: 'logout', source: 'oauth2' });
  });

  test("a callback for another issuer's client on the same redirect URI never reaches this token endpoint (RFC 9700 §4.4.2)", async () => {
    const before = requests.length;
    const code = await page.evaluate(async (md) => {
      const redirectUri = 'https://app.example/cb';
      const other = { ...md, issuer: `${md.issuer}/other`, authorization_endpoint: `${md.issuer}/other/authorize`, token_endpoint: `${md.issuer}/other/token` };
      const a = await window.pkg.createClient({ issuer: md.issuer, clientId: 'spa', redirectUri, metadata: md });
      const b = await window.pkg.createClient({ issuer: other.issuer, clientId: 'spa', redirectUri, metadata: other });
      const security = [];
      b.on('security', (event) => security.push([event.code, event.phase, event.issuer]));
      const state = new URL(a.authorizationUrl()).searchParams.get('state');
      // Client B (another issuer) is handed A's genuine response: state and iss match A's request.
      const callback = `${redirectUri}?code=c0de&state=${state}&iss=${encodeURIComponent(md.issuer)}`;
      try {
        b.validateCallback(callback);
        await b.exchangeCode();
        return 'exchanged';
      } catch (error) {
        return [error.code, security];
      }
    }, recorded());
    assert.deepEqual(code, ['iss_mismatch', [['iss_mismatch', 'callback', `${recorder.url}/other`]]]);
    assert.deepEqual(requests.slice(before), [], 'no request reached any token endpoint');
  });
});
