// A protected test resource for DPoP (RFC 9449 §7): started by www/provider.mjs on its own
// port (so its nonces are another origin's than the token endpoint's), in the provider's
// process (so it can look access tokens up in the provider's store).
//
// GET /resource answers 200 `{ sub, scope }` only to `Authorization: DPoP <access token>`
// with a `DPoP` proof that the `jose` library verifies (signature with the embedded public
// JWK, `typ` dpop+jwt, `alg` ES256, `iat` within the window), whose `htm` and `htu` are this
// request's, whose `ath` is the token's hash, whose `jti` was never seen, whose key is the
// one the token is bound to (`cnf.jkt`), and, with nonces on, whose `nonce` is the current
// one. Anything else is a 401 with a DPoP challenge; a missing or stale nonce is
// `error="use_dpop_nonce"` with a `DPoP-Nonce` header (§9).
//
// POST /destroy-access-token (tests only, no CORS: not for pages) destroys the access token
// in its body at the provider, through oidc-provider's own AccessToken model, leaving its
// grant and refresh token alone (RFC 7009 revocation at oidc-provider ends the whole grant).
// The next proof presenting it gets `error="invalid_token"`, as an expired token would.

import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';

import { calculateJwkThumbprint, EmbeddedJWK, jwtVerify } from 'jose';

/** Seconds a proof's `iat` may be from now, either way. */
const IAT_WINDOW = 60;

/**
 * Starts the resource server.
 * @param {object} options
 * @param {import('oidc-provider').default} options.provider the provider whose access tokens it accepts
 * @param {string} options.appOrigin the one origin allowed by CORS
 * @param {boolean} options.requireNonce answer proofs without the current nonce with use_dpop_nonce
 * @param {string} options.host the address to listen on
 * @param {string} [options.publicOrigin] the origin browsers reach it at, when a proxy sits in
 *   front (proofs' `htu` name it); default the address it listens on
 * @returns {Promise<string>} the origin it listens on
 */
export async function startResource({ provider, appOrigin, requireNonce, host, publicOrigin }) {
  const seenJti = new Map();
  let nonce = randomBytes(16).toString('base64url');
  const server = createServer();
  server.listen(0, host);
  await once(server, 'listening');
  const listening = `http://${host}:${server.address().port}`;
  const origin = publicOrigin || listening;

  server.on('request', async (req, res) => {
    const cors = {
      'Access-Control-Allow-Origin': appOrigin,
      'Access-Control-Allow-Headers': 'Authorization, DPoP',
      'Access-Control-Expose-Headers': 'DPoP-Nonce, WWW-Authenticate',
      'Cache-Control': 'no-store',
      Vary: 'Origin',
    };
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { ...cors, 'Access-Control-Allow-Methods': 'GET, POST' });
      res.end();
      return;
    }
    const path = new URL(req.url, origin).pathname;
    if (req.method === 'POST' && path === '/destroy-access-token') {
      let body = '';
      for await (const chunk of req) body += chunk;
      const found = await provider.AccessToken.find(body);
      await found?.destroy();
      res.writeHead(found ? 204 : 404, { 'Cache-Control': 'no-store' });
      res.end();
      return;
    }
    if (path !== '/resource') {
      res.writeHead(404, cors);
      res.end();
      return;
    }
    /** A 401 with a DPoP challenge (RFC 9449 §7.1); never echoes a token. */
    const refuse = (error, description, headers = {}) => {
      res.writeHead(401, {
        ...cors,
        ...headers,
        'Content-Type': 'application/json',
        'WWW-Authenticate': `DPoP error="${error}", error_description="${description}", algs="ES256"`,
      });
      res.end(JSON.stringify({ error, error_description: description }));
    };
    const [scheme, token, extra] = (req.headers.authorization ?? '').split(' ');
    if (scheme !== 'DPoP' || !token || extra !== undefined) {
      refuse('invalid_token', 'a DPoP-bound access token is required (Authorization: DPoP)');
      return;
    }
    const proof = req.headers.dpop;
    if (typeof proof !== 'string' || proof.includes(',')) {
      refuse('invalid_dpop_proof', 'exactly one DPoP proof is required');
      return;
    }
    let payload;
    let protectedHeader;
    try {
      ({ payload, protectedHeader } = await jwtVerify(proof, EmbeddedJWK, {
        typ: 'dpop+jwt',
        algorithms: ['ES256'],
        maxTokenAge: IAT_WINDOW,
        clockTolerance: IAT_WINDOW,
        requiredClaims: ['jti', 'htm', 'htu', 'iat', 'ath'],
      }));
    } catch (error) {
      refuse('invalid_dpop_proof', `proof refused by jose: ${error.code ?? 'error'}`);
      return;
    }
    if (payload.htm !== req.method) return refuse('invalid_dpop_proof', 'htm mismatch');
    if (payload.htu !== `${origin}${path}`) return refuse('invalid_dpop_proof', 'htu mismatch');
    if (payload.ath !== createHash('sha256').update(token).digest('base64url')) {
      return refuse('invalid_dpop_proof', 'ath mismatch');
    }
    if (typeof payload.jti !== 'string' || payload.jti.length < 16) return refuse('invalid_dpop_proof', 'jti too short');
    if (requireNonce && payload.nonce !== nonce) {
      refuse('use_dpop_nonce', 'the resource requires its nonce in the DPoP proof', { 'DPoP-Nonce': nonce });
      return;
    }
    const now = Math.floor(Date.now() / 1000);
    for (const [jti, until] of seenJti) if (until < now) seenJti.delete(jti);
    if (seenJti.has(payload.jti)) return refuse('invalid_dpop_proof', 'jti replayed');
    seenJti.set(payload.jti, now + 2 * IAT_WINDOW);

    const accessToken = await provider.AccessToken.find(token);
    if (!accessToken) return refuse('invalid_token', 'unknown or expired access token');
    if (!accessToken.jkt || accessToken.jkt !== await calculateJwkThumbprint(protectedHeader.jwk)) {
      return refuse('invalid_token', 'the proof key is not the key the token is bound to');
    }
    // A fresh nonce for the next request: the client must keep the latest per origin.
    if (requireNonce) nonce = randomBytes(16).toString('base64url');
    res.writeHead(200, { ...cors, 'Content-Type': 'application/json', ...(requireNonce ? { 'DPoP-Nonce': nonce } : {}) });
    res.end(JSON.stringify({ sub: accessToken.accountId, scope: accessToken.scope, jkt: accessToken.jkt }));
  });
  return listening;
}
