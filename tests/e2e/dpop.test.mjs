// End-to-end tests of DPoP (RFC 9449, issue 10): the demo app in each browser engine with
// `dpop: true` against the real local provider (oidc-provider's features.dPoP, the client
// `browser-oauth-dpop` that requires bound tokens) and the protected test resource that
// checks proofs with jose (www/resource.mjs). Proofs seen on the wire are decoded with jose,
// and the dpop_jkt sent is checked against jose's own RFC 7638 thumbprint of the proof key.
import { strict as assert } from 'node:assert';
import { after, before } from 'node:test';

import { calculateJwkThumbprint, decodeJwt, decodeProtectedHeader } from 'jose';

import { assertNoTokenLeak, demoContext, describeEngines, signInThroughApp, startProvider, startSite } from './harness.mjs';

const CLIENT_ID = 'browser-oauth-dpop';
let site;
/** Providers by DPOP_NONCE setting, and one without DPoP (DPOP=off), started once each: { url, resource }. */
const providers = {};

before(async () => {
  site = await startSite();
  for (const [name, env] of [['off', { DPOP_NONCE: 'off' }], ['both', { DPOP_NONCE: 'both' }], ['unsupported', { DPOP: 'off' }]]) {
    const server = await startProvider({ APP_ORIGIN: site.url, ...env });
    providers[name] = { server, url: server.url, resource: server.resource };
  }
});

after(async () => {
  await Promise.all([site?.stop(), ...Object.values(providers).map((p) => p.server.stop())]);
});

/**
 * A browser context for the demo app with DPoP on, recording what crosses the wire: the
 * authorization request's dpop_jkt, each token request's DPoP proof and answer, each
 * resource request's headers and answer, and every token issued.
 */
async function openContext(browser, provider, extra = {}) {
  const context = await demoContext(browser, {
    siteUrl: site.url,
    issuer: provider.url,
    clientId: CLIENT_ID,
    scope: 'openid profile offline_access',
    dpop: true,
    allowedOrigins: [site.url, provider.url, provider.resource],
    ...extra,
  });
  const wire = { jkt: [], token: [], resource: [], userinfo: [], tokens: [], issued: [] };
  context.on('request', (request) => {
    const url = new URL(request.url());
    if (url.origin === provider.url && url.pathname === '/auth') wire.jkt.push(url.searchParams.get('dpop_jkt'));
  });
  // Entries are pushed in event order at once, then filled in; `settled` waits for them all.
  const pending = [];
  context.on('response', (response) => {
    const request = response.request();
    const isToken = request.method() === 'POST' && request.url() === `${provider.url}/token`;
    const isResource = request.method() === 'GET' && request.url().startsWith(provider.resource);
    const isUserinfo = request.method() === 'GET' && request.url() === `${provider.url}/me`;
    if (!isToken && !isResource && !isUserinfo) return;
    const entry = { status: response.status() };
    (isToken ? wire.token : isResource ? wire.resource : wire.userinfo).push(entry);
    pending.push((async () => {
      const headers = await request.allHeaders();
      const answer = await response.allHeaders();
      Object.assign(entry, { authorization: headers.authorization, proof: headers.dpop, nonce: answer['dpop-nonce'], challenge: answer['www-authenticate'] });
      if (!isToken) return;
      entry.body = await response.json().catch(() => ({}));
      for (const name of ['access_token', 'refresh_token', 'id_token']) if (entry.body[name]) wire.tokens.push(entry.body[name]);
      if (entry.body.access_token) wire.issued.push(entry.body);
    })());
  });
  wire.settled = async () => { while (pending.length > 0) await pending.shift(); };
  return { context, wire };
}

/** Opens the app and signs in; asserts it worked. */
async function signedInPage(context) {
  const { page, code } = await signInThroughApp(context, site.url);
  assert.equal(code, '', 'signed in');
  return page;
}

/** client.fetch in the page: status and JSON body, or the error code it threw. */
function clientFetch(page, url) {
  return page.evaluate((u) => window.demo.client.fetch(u).then(
    async (r) => ({ status: r.status, body: await r.json().catch(() => null) }),
    (e) => ({ error: e.code ?? String(e) }),
  ), url);
}

/** client.userInfo() in the page: the claims, or the error code it threw. */
function userInfo(page) {
  return page.evaluate(() => window.demo.client.userInfo().then((claims) => ({ claims }), (e) => ({ error: e.code ?? String(e) })));
}

/** Checks one proof against RFC 9449 §4.2 and returns its header and claims. */
function checkProof(proof, htm, htu) {
  const header = decodeProtectedHeader(proof);
  const claims = decodeJwt(proof);
  assert.equal(header.typ, 'dpop+jwt');
  assert.equal(header.alg, 'ES256');
  assert.deepEqual(Object.keys(header.jwk).sort(), ['crv', 'kty', 'x', 'y'], 'public members only');
  assert.equal(claims.htm, htm);
  assert.equal(claims.htu, htu);
  assert.ok(Buffer.from(claims.jti, 'base64url').length >= 16, 'jti carries at least 128 random bits');
  assert.ok(Math.abs(claims.iat - Date.now() / 1000) < 120, 'iat is now');
  return { header, claims };
}

describeEngines('DPoP (RFC 9449): bound tokens, proofs, dpop_jkt, nonces', { timeout: 180_000 }, (env) => {
  const { test } = env;
  test('login with DPoP gives token_type DPoP; proofs and dpop_jkt per RFC 9449 §4.2, §10', async () => {
    const provider = providers.off;
    const { context, wire } = await openContext(env.browser, provider);
    const page = await signedInPage(context);
    await wire.settled();
    assert.equal(wire.token.length, 1, 'one code exchange');
    assert.equal(wire.token[0].status, 200);
    assert.equal(wire.token[0].body.token_type, 'DPoP', 'the provider bound the tokens');
    const { header, claims } = checkProof(wire.token[0].proof, 'POST', `${provider.url}/token`);
    assert.equal(claims.ath, undefined, 'no ath on the token endpoint');
    assert.equal(wire.jkt.length, 1);
    assert.equal(wire.jkt[0], await calculateJwkThumbprint(header.jwk), 'dpop_jkt = RFC 7638 thumbprint (jose)');
    const own = await page.evaluate(() => {
      try {
        window.demo.client.authorizationUrl({ extraParams: { dpop_jkt: 'another-key' } });
        return 'built';
      } catch (error) {
        return error.code;
      }
    });
    assert.equal(own, 'invalid_config', 'the app cannot bind the code to another key');
    // The refresh is bound to the same key.
    assert.equal(await page.evaluate(() => window.demo.client.refresh().then(() => 'ok', (e) => e.code)), 'ok');
    await wire.settled();
    assert.equal(wire.token.at(-1).body.token_type, 'DPoP');
    assert.deepEqual(decodeProtectedHeader(wire.token.at(-1).proof).jwk, header.jwk, 'one key pair per issuer and client');
    await assertNoTokenLeak(page, wire.tokens);
    await context.close();
  });

  test('client.fetch is accepted by the resource; the same token without a proof, as Bearer, or with a replayed proof is refused', async () => {
    const provider = providers.off;
    const { context, wire } = await openContext(env.browser, provider);
    const page = await signedInPage(context);
    await wire.settled();
    const answer = await clientFetch(page, `${provider.resource}/resource?x=1#f`);
    await wire.settled();
    assert.equal(answer.status, 200, JSON.stringify(answer));
    assert.equal(answer.body.sub, 'alice');
    const [sent] = wire.resource;
    const accessToken = wire.issued.at(-1).access_token;
    assert.equal(sent.authorization, `DPoP ${accessToken}`);
    const { claims } = checkProof(sent.proof, 'GET', `${provider.resource}/resource`);
    assert.equal(claims.ath, (await import('node:crypto')).createHash('sha256').update(accessToken).digest('base64url'));
    // The userinfo endpoint takes the bound token with a proof too.
    const userinfo = await clientFetch(page, `${provider.url}/me`);
    assert.deepEqual([userinfo.status, userinfo.body.sub], [200, 'alice']);
    // Replays from outside the browser.
    const call = (headers) => fetch(`${provider.resource}/resource`, { headers }).then((r) => r.status);
    assert.equal(await call({ Authorization: `DPoP ${accessToken}` }), 401, 'no proof');
    assert.equal(await call({ Authorization: `Bearer ${accessToken}` }), 401, 'as a Bearer token');
    assert.equal(await call({ Authorization: `DPoP ${accessToken}`, DPoP: sent.proof }), 401, 'replayed proof (jti seen)');
    const me = await fetch(`${provider.url}/me`, { headers: { Authorization: `Bearer ${accessToken}` } });
    assert.equal(me.status, 401, 'the provider refuses the bound token as Bearer');
    await assertNoTokenLeak(page, wire.tokens);
    await context.close();
  });

  test('nonce challenges from the token endpoint and the resource are each answered with one retry (RFC 9449 §8, §9)', async () => {
    const provider = providers.both;
    const { context, wire } = await openContext(env.browser, provider);
    const page = await signedInPage(context);
    await wire.settled();
    // Token endpoint: use_dpop_nonce, then the retry with that nonce succeeds.
    assert.deepEqual(wire.token.map((t) => t.status), [400, 200]);
    assert.equal(wire.token[0].body.error, 'use_dpop_nonce');
    assert.equal(decodeJwt(wire.token[0].proof).nonce, undefined);
    assert.equal(decodeJwt(wire.token[1].proof).nonce, wire.token[0].nonce, 'the retry carries the nonce given');
    // Resource: the same, with its own nonce (another origin).
    const answer = await clientFetch(page, `${provider.resource}/resource`);
    await wire.settled();
    assert.equal(answer.status, 200, JSON.stringify(answer));
    assert.deepEqual(wire.resource.map((r) => r.status), [401, 200]);
    assert.equal(decodeJwt(wire.resource[1].proof).nonce, wire.resource[0].nonce);
    assert.notEqual(wire.resource[0].nonce, wire.token[0].nonce, 'nonces are per origin');
    // The latest nonce is remembered per origin: the next call needs no challenge.
    assert.equal((await clientFetch(page, `${provider.resource}/resource`)).status, 200);
    await wire.settled();
    assert.deepEqual(wire.resource.map((r) => r.status), [401, 200, 200]);
    // A refresh carries the token endpoint's latest nonce at once.
    assert.equal(await page.evaluate(() => window.demo.client.refresh().then(() => 'ok', (e) => e.code)), 'ok');
    await wire.settled();
    assert.equal(wire.token.at(-1).status, 200);
    assert.equal(wire.token.length, 3, 'no new challenge');
    await assertNoTokenLeak(page, wire.tokens);
    await context.close();
  });

  test('client.fetch answers a DPoP invalid_token challenge with one refresh and one retry (access token destroyed at the provider)', async () => {
    const provider = providers.off;
    const { context, wire } = await openContext(env.browser, provider);
    const page = await signedInPage(context);
    await wire.settled();
    const revoked = wire.issued.at(-1).access_token;
    // Gone from the provider's store (oidc-provider's AccessToken model), grant and refresh
    // token kept: the resource now refuses it with DPoP error="invalid_token".
    const destroyed = await fetch(`${provider.resource}/destroy-access-token`, { method: 'POST', body: revoked });
    assert.equal(destroyed.status, 204);
    const answer = await clientFetch(page, `${provider.resource}/resource`);
    await wire.settled();
    assert.equal(answer.status, 200, JSON.stringify(answer));
    assert.equal(answer.body.sub, 'alice');
    assert.deepEqual(wire.resource.map((r) => r.status), [401, 200]);
    assert.equal(wire.resource[0].authorization, `DPoP ${revoked}`);
    assert.match(wire.resource[0].challenge, /^DPoP error="invalid_token"/);
    assert.deepEqual(wire.token.map((t) => t.status), [200, 200], 'the code exchange, then one refresh');
    assert.equal(wire.token[1].body.token_type, 'DPoP');
    assert.equal(decodeJwt(wire.token[1].proof).htu, `${provider.url}/token`, 'the refresh carries a proof');
    const fresh = wire.issued.at(-1).access_token;
    assert.notEqual(fresh, revoked);
    assert.equal(wire.resource[1].authorization, `DPoP ${fresh}`, 'the retry presents the refreshed token');
    checkProof(wire.resource[1].proof, 'GET', `${provider.resource}/resource`);
    await assertNoTokenLeak(page, wire.tokens);
    await context.close();
  });

  test('a resource that keeps answering invalid_token gets one refresh and one retry, then its 401 goes to the app', async () => {
    const provider = providers.off;
    const { context, wire } = await openContext(env.browser, provider);
    const page = await signedInPage(context);
    await wire.settled();
    const presented = [];
    await context.route(`${provider.resource}/resource`, (route) => {
      presented.push(route.request().headers().authorization);
      return route.fulfill({
        status: 401,
        headers: {
          'WWW-Authenticate': 'DPoP error="invalid_token", algs="ES256"',
          'Access-Control-Allow-Origin': site.url,
          'Access-Control-Expose-Headers': 'DPoP-Nonce, WWW-Authenticate',
        },
        body: '',
      });
    });
    assert.deepEqual(await clientFetch(page, `${provider.resource}/resource`), { status: 401, body: null });
    await wire.settled();
    assert.equal(presented.length, 2, 'one try and one retry');
    assert.equal(wire.token.length, 2, 'the code exchange and exactly one refresh');
    assert.deepEqual(presented, wire.issued.map((t) => `DPoP ${t.access_token}`), 'the retry presents the refreshed token');
    await assertNoTokenLeak(page, wire.tokens);
    await context.close();
  });

  test('dpop: "optional" takes Bearer tokens from a provider without DPoP and sends them as Bearer; dpop: true refuses them', async () => {
    const provider = providers.unsupported;
    const { context, wire } = await openContext(env.browser, provider, { dpop: 'optional' });
    const page = await signedInPage(context);
    await wire.settled();
    assert.ok(wire.token[0].proof, 'the proof went out; this provider ignores it');
    assert.equal(wire.token[0].body.token_type, 'Bearer');
    // client.fetch to the provider's userinfo endpoint: Bearer, no proof.
    const sent = [];
    page.on('request', (request) => { if (request.url() === `${provider.url}/me`) sent.push(request.headers()); });
    const me = await clientFetch(page, `${provider.url}/me`);
    assert.deepEqual([me.status, me.body?.sub], [200, 'alice'], JSON.stringify(me));
    const accessToken = wire.issued.at(-1).access_token;
    assert.equal(sent.at(-1).authorization, `Bearer ${accessToken}`);
    assert.equal(sent.at(-1).dpop, undefined, 'no proof with an unbound token');
    // Its Bearer invalid_token challenge gets the one refresh and retry.
    assert.equal((await fetch(`${provider.resource}/destroy-access-token`, { method: 'POST', body: accessToken })).status, 204);
    const again = await clientFetch(page, `${provider.url}/me`);
    await wire.settled();
    assert.deepEqual([again.status, again.body?.sub], [200, 'alice'], JSON.stringify(again));
    assert.equal(wire.token.length, 2, 'one refresh');
    assert.deepEqual(sent.slice(1).map((h) => h.authorization), [`Bearer ${accessToken}`, `Bearer ${wire.issued.at(-1).access_token}`]);
    // client.userInfo() likewise.
    assert.equal((await userInfo(page)).claims?.sub, 'alice');
    await wire.settled();
    assert.equal(wire.userinfo.at(-1).authorization, `Bearer ${wire.issued.at(-1).access_token}`);
    assert.equal(wire.userinfo.at(-1).proof, undefined);
    await assertNoTokenLeak(page, wire.tokens);
    await context.close();

    const strict = await openContext(env.browser, provider);
    const { page: refused, code } = await signInThroughApp(strict.context, site.url);
    assert.equal(code, 'dpop_not_bound', 'dpop: true refuses a Bearer token');
    assert.equal(await refused.evaluate(() => window.demo.client.user()), undefined);
    await strict.context.close();
  });

  test('client.userInfo() presents the bound token as DPoP with a proof; an invalid_token answer gets one refresh', async () => {
    const provider = providers.off;
    const { context, wire } = await openContext(env.browser, provider);
    const page = await signedInPage(context);
    await wire.settled();
    const answer = await userInfo(page);
    await wire.settled();
    assert.equal(answer.claims?.sub, 'alice', JSON.stringify(answer));
    const accessToken = wire.issued.at(-1).access_token;
    assert.deepEqual(wire.userinfo.map((u) => u.status), [200]);
    assert.equal(wire.userinfo[0].authorization, `DPoP ${accessToken}`);
    const { claims } = checkProof(wire.userinfo[0].proof, 'GET', `${provider.url}/me`);
    assert.equal(claims.ath, (await import('node:crypto')).createHash('sha256').update(accessToken).digest('base64url'));
    // The access token gone at the provider: its userinfo endpoint refuses it, one refresh
    // (with a proof) and one retry follow.
    assert.equal((await fetch(`${provider.resource}/destroy-access-token`, { method: 'POST', body: accessToken })).status, 204);
    const again = await userInfo(page);
    await wire.settled();
    assert.equal(again.claims?.sub, 'alice', JSON.stringify(again));
    assert.deepEqual(wire.userinfo.map((u) => u.status), [200, 401, 200]);
    assert.match(wire.userinfo[1].challenge, /^DPoP /);
    assert.deepEqual(wire.token.map((t) => t.status), [200, 200], 'the code exchange, then one refresh');
    assert.equal(wire.token[1].body.token_type, 'DPoP');
    assert.equal(wire.userinfo[2].authorization, `DPoP ${wire.issued.at(-1).access_token}`);
    checkProof(wire.userinfo[2].proof, 'GET', `${provider.url}/me`);
    await assertNoTokenLeak(page, wire.tokens);
    await context.close();
  });

  test("client.userInfo() carries the provider's DPoP nonce and answers a nonce challenge with one retry", async () => {
    const provider = providers.both;
    const { context, wire } = await openContext(env.browser, provider);
    const page = await signedInPage(context);
    await wire.settled();
    // The token endpoint's nonce is the provider's (same origin): the first call carries it.
    const given = wire.token.map((t) => t.nonce).filter(Boolean).at(-1);
    assert.ok(given, 'the provider gave a nonce');
    assert.equal((await userInfo(page)).claims?.sub, 'alice');
    await wire.settled();
    assert.deepEqual(wire.userinfo.map((u) => u.status), [200]);
    assert.equal(decodeJwt(wire.userinfo[0].proof).nonce, given);
    // A use_dpop_nonce challenge (played once in front of the provider, with the provider's
    // own latest nonce) is answered with one retry carrying that nonce.
    const latest = wire.userinfo[0].nonce ?? given;
    let calls = 0;
    await context.route(`${provider.url}/me`, (route) => {
      calls += 1;
      if (calls > 1) return route.continue();
      return route.fulfill({
        status: 401,
        headers: {
          'WWW-Authenticate': 'DPoP error="use_dpop_nonce", error_description="nonce required"',
          'DPoP-Nonce': latest,
          'Access-Control-Allow-Origin': site.url,
          'Access-Control-Expose-Headers': 'DPoP-Nonce, WWW-Authenticate',
        },
        body: '',
      });
    });
    assert.equal((await userInfo(page)).claims?.sub, 'alice');
    await wire.settled();
    assert.equal(calls, 2, 'one try and one retry');
    assert.deepEqual(wire.userinfo.map((u) => u.status), [200, 401, 200]);
    assert.equal(decodeJwt(wire.userinfo[2].proof).nonce, latest);
    assert.notEqual(decodeJwt(wire.userinfo[2].proof).jti, decodeJwt(wire.userinfo[1].proof).jti, 'a fresh proof');
    await assertNoTokenLeak(page, wire.tokens);
    await context.close();
  });

  test('a resource that asks for a new nonce again after the retry gives dpop_nonce_rejected, not a loop', async () => {
    const provider = providers.off;
    const { context, wire } = await openContext(env.browser, provider);
    const page = await signedInPage(context);
    await wire.settled();
    let calls = 0;
    await context.route(`${provider.resource}/resource`, (route) => {
      calls += 1;
      return route.fulfill({
        status: 401,
        headers: {
          'WWW-Authenticate': 'DPoP error="use_dpop_nonce"',
          'DPoP-Nonce': `n${calls}`,
          'Access-Control-Allow-Origin': site.url,
          'Access-Control-Expose-Headers': 'DPoP-Nonce, WWW-Authenticate',
        },
        body: '',
      });
    });
    assert.deepEqual(await clientFetch(page, `${provider.resource}/resource`), { error: 'dpop_nonce_rejected' });
    assert.equal(calls, 2, 'one try and one retry');
    await assertNoTokenLeak(page, wire.tokens);
    await context.close();
  });
});
