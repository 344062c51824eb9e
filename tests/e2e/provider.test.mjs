// Checks the local OpenID provider (www/provider.mjs) behaves the way the library's
// end-to-end tests rely on: discovery, CORS, PKCE, the RFC 9207 iss parameter, refresh
// token rotation and revocation. The browser only drives the provider's own pages; the
// redirect back to the site is intercepted, and the code is exchanged from node. The pages
// are driven in each engine BROWSERS selects.
//
//   node --test tests/e2e/provider.test.mjs

import { strict as assert } from 'node:assert';
import { createHash, createPublicKey, randomBytes, verify } from 'node:crypto';
import { after, before, describe } from 'node:test';

import {
  assertNoTokenLeak, describeEngines, signInAtProvider, startProvider, startSite,
} from './harness.mjs';

const CLIENT_ID = 'browser-oauth-demo';

/** A PKCE S256 pair. */
function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/**
 * @param {string} issuer
 * @returns {Promise<Record<string, any>>}
 */
async function discover(issuer) {
  const res = await fetch(`${issuer}/.well-known/openid-configuration`);
  assert.equal(res.status, 200);
  return res.json();
}

/**
 * Builds an authorization request for the demo client and keeps the secrets that go with it.
 * @param {Record<string, any>} metadata discovery document
 * @param {string} redirectUri
 * @param {{ scope?: string, prompt?: string }} [options]
 */
function authorizationRequest(metadata, redirectUri, { scope = 'openid profile email', prompt } = {}) {
  const { verifier, challenge } = pkce();
  const state = randomBytes(16).toString('base64url');
  const nonce = randomBytes(16).toString('base64url');
  const url = new URL(metadata.authorization_endpoint);
  const params = {
    response_type: 'code',
    client_id: CLIENT_ID,
    redirect_uri: redirectUri,
    scope,
    state,
    nonce,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...(prompt ? { prompt } : {}),
  };
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  return { url: url.href, verifier, state, nonce, redirectUri };
}

/**
 * Opens the authorization URL in a fresh browser context (no provider session), signs in
 * and returns the URL the provider redirected to. The redirect is answered by a stub so
 * no real callback page consumes the code.
 * @param {import('./browsers.mjs').Browser} browser
 * @param {string} authorizationUrl
 * @param {string} redirectUri
 * @param {{ consent?: boolean }} [options]
 * @returns {Promise<URL>}
 */
async function authorizeInBrowser(browser, authorizationUrl, redirectUri, { consent = true } = {}) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const isCallback = (url) => `${url.origin}${url.pathname}` === redirectUri;
    await page.route(isCallback, (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>callback</title>' }));
    await page.goto(authorizationUrl);
    await signInAtProvider(page, { login: 'alice', consent });
    await page.waitForURL(isCallback);
    return new URL(await page.url());
  } finally {
    await context.close();
  }
}

/**
 * POSTs a form to an endpoint the way the SPA would (with its Origin).
 * @param {string} endpoint
 * @param {Record<string, string>} form
 * @param {string} origin
 * @returns {Promise<{ status: number, headers: Headers, body: any }>}
 */
async function postForm(endpoint, form, origin) {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: origin },
    body: new URLSearchParams(form),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

/**
 * Verifies an RS256 JWT against the provider's JWKS and returns its payload.
 * @param {string} jwt
 * @param {string} jwksUri
 */
async function verifyJwt(jwt, jwksUri) {
  const [header, payload, signature] = jwt.split('.');
  const { kid, alg } = JSON.parse(Buffer.from(header, 'base64url').toString());
  assert.equal(alg, 'RS256');
  const { keys } = await (await fetch(jwksUri)).json();
  const jwk = keys.find((k) => k.kid === kid);
  assert.ok(jwk, 'signing key is in the JWKS');
  const valid = verify('sha256', Buffer.from(`${header}.${payload}`), createPublicKey({ key: jwk, format: 'jwk' }), Buffer.from(signature, 'base64url'));
  assert.ok(valid, 'ID token signature verifies');
  return JSON.parse(Buffer.from(payload, 'base64url').toString());
}

describeEngines('local OpenID provider', { timeout: 200_000 }, (env) => {
  const it = env.test;
  let site;
  let provider;
  let metadata;
  let redirectUri;

  before(async () => {
    site = await startSite();
    provider = await startProvider({ APP_ORIGIN: site.url, ACCESS_TTL: '10' });
    metadata = await discover(provider.url);
    redirectUri = `${site.url}/tests/callback.html`;
  });

  after(async () => {
    await provider?.stop();
    await site?.stop();
  });

  /** The code exchange the SPA would make for `callback`, answering `request`. */
  function exchangeCode(request, callback) {
    return postForm(metadata.token_endpoint, {
      grant_type: 'authorization_code',
      code: callback.searchParams.get('code'),
      redirect_uri: redirectUri,
      client_id: CLIENT_ID,
      code_verifier: request.verifier,
    }, site.url);
  }

  /** Signs in through the browser and exchanges the code; returns the token response. */
  async function signInAndExchange(options) {
    const request = authorizationRequest(metadata, redirectUri, options);
    const callback = await authorizeInBrowser(env.browser, request.url, redirectUri);
    assert.equal(callback.searchParams.get('state'), request.state);
    const tokens = await exchangeCode(request, callback);
    assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
    return { request, callback, tokens: tokens.body };
  }

  /** Uses a refresh token once; returns the raw response. */
  function refresh(refreshToken) {
    return postForm(metadata.token_endpoint, {
      grant_type: 'refresh_token', refresh_token: refreshToken, client_id: CLIENT_ID,
    }, site.url);
  }

  it('discovery: exact issuer, S256 only, iss parameter, revocation and end session', () => {
    assert.match(provider.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(metadata.issuer, provider.url);
    assert.deepEqual(metadata.code_challenge_methods_supported, ['S256']);
    assert.equal(metadata.authorization_response_iss_parameter_supported, true);
    assert.equal(metadata.revocation_endpoint, `${provider.url}/token/revocation`);
    assert.equal(metadata.end_session_endpoint, `${provider.url}/session/end`);
    assert.deepEqual(metadata.response_types_supported, ['code']);
    assert.ok(metadata.token_endpoint_auth_methods_supported.includes('none'));
  });

  it('jwks: one RS256 public signing key', async () => {
    const res = await fetch(metadata.jwks_uri, { headers: { Origin: site.url } });
    assert.equal(res.headers.get('access-control-allow-origin'), site.url);
    const { keys } = await res.json();
    assert.equal(keys.length, 1);
    assert.equal(keys[0].kty, 'RSA');
    assert.equal(keys[0].alg, 'RS256');
    assert.equal(keys[0].d, undefined, 'no private part');
  });

  it('token endpoint: CORS for the site origin, refused for another origin', async () => {
    const preflight = await fetch(metadata.token_endpoint, {
      method: 'OPTIONS',
      headers: { Origin: site.url, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), site.url);
    assert.match(preflight.headers.get('access-control-allow-methods'), /POST/);

    const form = { grant_type: 'refresh_token', refresh_token: 'unknown', client_id: CLIENT_ID };
    const fromSite = await postForm(metadata.token_endpoint, form, site.url);
    assert.equal(fromSite.headers.get('access-control-allow-origin'), site.url);
    assert.equal(fromSite.body.error, 'invalid_grant');

    const fromElsewhere = await postForm(metadata.token_endpoint, form, 'http://127.0.0.1:1');
    assert.equal(fromElsewhere.headers.get('access-control-allow-origin'), null);
    assert.equal(fromElsewhere.body.error, 'invalid_request');
  });

  it('authorization endpoint: PKCE is required and only S256 is accepted', async () => {
    for (const [method, expected] of [[undefined, /code_challenge/], ['plain', /code_challenge_method/]]) {
      const url = new URL(authorizationRequest(metadata, redirectUri).url);
      if (method) url.searchParams.set('code_challenge_method', method);
      else url.searchParams.delete('code_challenge');
      const res = await fetch(url, { redirect: 'manual' });
      const location = new URL(res.headers.get('location'));
      assert.equal(`${location.origin}${location.pathname}`, redirectUri);
      assert.equal(location.searchParams.get('error'), 'invalid_request');
      assert.match(location.searchParams.get('error_description'), expected);
    }
  });

  it('code flow: iss and state in the redirect; code + verifier give access, refresh and ID tokens', async () => {
    const { request, callback, tokens } = await signInAndExchange({ scope: 'openid profile email offline_access', prompt: 'consent' });
    assert.equal(callback.searchParams.get('iss'), provider.url);
    assert.ok(callback.searchParams.get('code'));

    assert.equal(tokens.token_type, 'Bearer');
    assert.equal(tokens.expires_in, 10);
    assert.ok(tokens.access_token);
    assert.ok(tokens.refresh_token);
    assert.match(tokens.scope, /offline_access/);
    const claims = await verifyJwt(tokens.id_token, metadata.jwks_uri);
    assert.equal(claims.iss, provider.url);
    assert.equal(claims.aud, CLIENT_ID);
    assert.equal(claims.nonce, request.nonce);
    assert.equal(claims.sub, 'alice');
    assert.equal(claims.name, 'Alice Example');
    assert.equal(claims.email, 'alice@example.test');

    const userinfo = await fetch(metadata.userinfo_endpoint, {
      headers: { Authorization: `Bearer ${tokens.access_token}`, Origin: site.url },
    });
    assert.equal(userinfo.status, 200);
    assert.equal(userinfo.headers.get('access-control-allow-origin'), site.url);
    assert.equal((await userinfo.json()).email_verified, true);
  });

  it('the code is single use', async () => {
    const { request, callback } = await signInAndExchange();
    const again = await exchangeCode(request, callback);
    assert.equal(again.status, 400);
    assert.equal(again.body.error, 'invalid_grant');
  });

  it('refresh tokens rotate; reusing a rotated one is refused and ends the grant', async () => {
    const { tokens } = await signInAndExchange();
    assert.ok(tokens.refresh_token, 'issued without offline_access too');

    const first = await refresh(tokens.refresh_token);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.ok(first.body.access_token);
    assert.ok(first.body.refresh_token);
    assert.notEqual(first.body.refresh_token, tokens.refresh_token);

    const reuse = await refresh(tokens.refresh_token);
    assert.equal(reuse.status, 400);
    assert.equal(reuse.body.error, 'invalid_grant');

    const successor = await refresh(first.body.refresh_token);
    assert.equal(successor.body.error, 'invalid_grant', 'reuse detection revoked the whole grant');
  });

  it('a revoked refresh token is refused', async () => {
    const { tokens } = await signInAndExchange();
    const revoked = await postForm(metadata.revocation_endpoint, {
      token: tokens.refresh_token, token_type_hint: 'refresh_token', client_id: CLIENT_ID,
    }, site.url);
    assert.equal(revoked.status, 200);
    assert.equal(revoked.headers.get('access-control-allow-origin'), site.url);

    const use = await refresh(tokens.refresh_token);
    assert.equal(use.status, 400);
    assert.equal(use.body.error, 'invalid_grant');
  });

  it('aborting consent redirects with error=access_denied, iss and state', async () => {
    const request = authorizationRequest(metadata, redirectUri);
    const callback = await authorizeInBrowser(env.browser, request.url, redirectUri, { consent: false });
    assert.equal(callback.searchParams.get('error'), 'access_denied');
    assert.equal(callback.searchParams.get('iss'), provider.url);
    assert.equal(callback.searchParams.get('state'), request.state);
    assert.equal(callback.searchParams.get('code'), null);
  });

  it('harness: assertNoTokenLeak finds a secret in the URL, storage, cookies, history state, window.name or an event payload', async () => {
    const context = await env.browser.newContext();
    try {
      const page = await context.newPage();
      const pageUrl = `${site.url}/tests/leak-check.html`;
      await page.route(pageUrl + '**', (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>leak check</title>' }));
      const plant = {
        href: (s) => window.history.replaceState(null, '', `?x=${s}`),
        localStorage: (s) => window.localStorage.setItem('k', s),
        sessionStorage: (s) => window.sessionStorage.setItem('k', s),
        documentCookie: (s) => { document.cookie = `k=${s}`; },
        historyState: (s) => window.history.replaceState({ s }, ''),
        windowName: (s) => { window.name = s; },
        events: (s) => { window.demo = { events: [{ type: 'security', code: 'state_mismatch', detail: s }] }; },
      };
      for (const [where, fn] of Object.entries(plant)) {
        await page.goto(pageUrl);
        await context.clearCookies();
        await page.evaluate(() => { window.localStorage.clear(); window.sessionStorage.clear(); window.name = ''; delete window.demo; });
        const secret = randomBytes(24).toString('base64url');
        await assertNoTokenLeak(page, [secret]);
        await page.evaluate(`(${fn})(${JSON.stringify(secret)})`);
        await assert.rejects(assertNoTokenLeak(page, [secret]), new RegExp(`leaked into ${where}`));
      }
    } finally {
      await context.close();
    }
  });

  describe('with ISS_PARAM=off', () => {
    let stripped;
    let strippedMetadata;

    before(async () => {
      stripped = await startProvider({ APP_ORIGIN: site.url, ISS_PARAM: 'off' });
      strippedMetadata = await discover(stripped.url);
    });

    after(async () => {
      await stripped?.stop();
    });

    it('still advertises the iss parameter but leaves it out of the redirect', async () => {
      assert.notEqual(stripped.url, provider.url);
      assert.equal(strippedMetadata.issuer, stripped.url);
      assert.equal(strippedMetadata.authorization_response_iss_parameter_supported, true);

      const request = authorizationRequest(strippedMetadata, redirectUri);
      const callback = await authorizeInBrowser(env.browser, request.url, redirectUri);
      assert.ok(callback.searchParams.get('code'));
      assert.equal(callback.searchParams.get('state'), request.state);
      assert.equal(callback.searchParams.has('iss'), false);
    });

    it('also leaves it out of error redirects', async () => {
      const url = new URL(authorizationRequest(strippedMetadata, redirectUri).url);
      url.searchParams.delete('code_challenge');
      const res = await fetch(url, { redirect: 'manual' });
      const location = new URL(res.headers.get('location'));
      assert.equal(location.searchParams.get('error'), 'invalid_request');
      assert.equal(location.searchParams.has('iss'), false);
    });
  });
});
