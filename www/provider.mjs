// Local OpenID provider for the demo site and the end-to-end tests.
//
// Built on oidc-provider with in-memory storage; every start gets a fresh RS256
// signing key and fresh cookie keys, so nothing secret is ever written to disk.
// Development only: it listens on 127.0.0.1 and accepts any login name.
//
//   node www/provider.mjs                          # http://127.0.0.1:9000
//   PORT=0 node www/provider.mjs                   # the OS picks a free port
//   node www/provider.mjs --port=9001 --iss-param=off
//
// Options (argv `--name=value` wins over the environment variable NAME):
//   PORT         listening port, 0 lets the OS choose (default 9000)
//   APP_ORIGIN   origin of the demo/test site (default http://127.0.0.1:8080)
//   ACCESS_TTL   access token lifetime in seconds (default 3600)
//   ID_TTL       ID token lifetime in seconds (default 3600)
//   REFRESH_TTL  refresh token lifetime in seconds, absolute across rotations (default 86400)
//   ISSUER       the issuer, i.e. the origin browsers reach this provider at, for a proxy in
//                front of it (the end-to-end tests' recording proxy); default
//                http://127.0.0.1:PORT, the address it listens on
//   ISS_PARAM    "off" strips the RFC 9207 `iss` parameter from authorization
//                responses while discovery still advertises it (default "on")
//   DPOP_NONCE   which side demands DPoP nonces (RFC 9449 §8, §9): "off" (default),
//                "token" (the token endpoint answers use_dpop_nonce to a proof without its
//                current nonce), "resource" (the test resource does), or "both"
//   DPOP         "off" plays a provider without RFC 9449: proofs are ignored and every
//                token is Bearer, for `dpop: "optional"` (default "on")
//   RESOURCE_ORIGIN  the origin browsers reach the test resource at, for a proxy in front of
//                it (the proofs' `htu` names it); default the address it listens on
//
// DPoP (RFC 9449) is on unless DPOP=off: tokens are bound when the client sends a proof, and
// the client `browser-oauth-dpop` gets bound tokens only. A protected test resource that checks DPoP
// proofs with `jose` (www/resource.mjs) listens on a second port.
//
// Prints `resource ready http://127.0.0.1:PORT2`, then `provider ready http://127.0.0.1:PORT`
// once listening; exits on SIGTERM/SIGINT.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';

import Provider from 'oidc-provider';

import { startResource } from './resource.mjs';

const HOST = '127.0.0.1';
const CLIENT_ID = 'browser-oauth-demo';
/** The client that must use DPoP: the provider issues it bound tokens only. */
const DPOP_CLIENT_ID = 'browser-oauth-dpop';

/** Development accounts with known claims; any other login name only gets `sub`. */
const ACCOUNTS = new Map([
  ['alice', { name: 'Alice Example', email: 'alice@example.test', email_verified: true }],
]);

/**
 * Reads an option from argv (`--access-ttl=10`) or else from the environment (`ACCESS_TTL=10`).
 * @param {string} name upper-case option name, e.g. "ACCESS_TTL"
 * @param {string} fallback value when the option is not given
 * @returns {string}
 */
function option(name, fallback) {
  const flag = `--${name.toLowerCase().replaceAll('_', '-')}=`;
  const arg = process.argv.slice(2).find((a) => a.startsWith(flag));
  if (arg !== undefined) return arg.slice(flag.length);
  return process.env[name] ?? fallback;
}

/**
 * Reads a non-negative integer option (seconds or a port number).
 * @param {string} name
 * @param {number} fallback
 * @returns {number}
 */
function intOption(name, fallback) {
  const raw = option(name, String(fallback));
  if (!/^\d+$/.test(raw)) throw new Error(`${name} must be a non-negative integer, got ${JSON.stringify(raw)}`);
  return Number(raw);
}

function readOptions() {
  const appOrigin = option('APP_ORIGIN', 'http://127.0.0.1:8080');
  if (new URL(appOrigin).origin !== appOrigin) throw new Error(`APP_ORIGIN must be a bare origin, got ${appOrigin}`);
  const issParam = option('ISS_PARAM', 'on');
  if (!['on', 'off'].includes(issParam)) throw new Error(`ISS_PARAM must be "on" or "off", got ${issParam}`);
  const dpopNonce = option('DPOP_NONCE', 'off');
  if (!['off', 'token', 'resource', 'both'].includes(dpopNonce)) {
    throw new Error(`DPOP_NONCE must be "off", "token", "resource" or "both", got ${dpopNonce}`);
  }
  const dpop = option('DPOP', 'on');
  if (!['on', 'off'].includes(dpop)) throw new Error(`DPOP must be "on" or "off", got ${dpop}`);
  return {
    dpop: dpop === 'on',
    dpopNonce,
    port: intOption('PORT', 9000),
    appOrigin,
    accessTtl: intOption('ACCESS_TTL', 3600),
    idTtl: intOption('ID_TTL', 3600),
    refreshTtl: intOption('REFRESH_TTL', 86400),
    stripIss: issParam === 'off',
    issuer: option('ISSUER', ''),
    resourceOrigin: option('RESOURCE_ORIGIN', ''),
  };
}

/** A fresh RS256 signing key as a private JWK. */
function signingKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomBytes(8).toString('hex'), alg: 'RS256', use: 'sig' };
}

/**
 * The single public SPA client.
 * @param {string} appOrigin
 */
function demoClient(appOrigin) {
  return {
    client_id: CLIENT_ID,
    client_name: 'browser-oauth demo',
    application_type: 'web',
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: [`${appOrigin}/callback.html`, `${appOrigin}/tests/callback.html`, `${appOrigin}/tests/pages/popup.html`],
    post_logout_redirect_uris: [`${appOrigin}/`, `${appOrigin}/tests/logout.html`],
  };
}

/**
 * oidc-provider configuration.
 * @param {ReturnType<typeof readOptions>} options
 * @param {number} port the port actually listened on (part of the cookie names)
 */
function configuration({ appOrigin, accessTtl, idTtl, refreshTtl, dpop, dpopNonce }, port) {
  const clients = [
    demoClient(appOrigin),
    { ...demoClient(appOrigin), client_id: DPOP_CLIENT_ID, client_name: 'browser-oauth DPoP demo', ...(dpop ? { dpop_bound_access_tokens: true } : {}) },
  ];
  return {
    clients,
    jwks: { keys: [signingKey()] },
    enabledJWA: { idTokenSigningAlgValues: ['RS256'] },
    responseTypes: ['code'],
    pkce: { required: () => true },
    scopes: ['openid', 'offline_access', 'profile', 'email'],
    claims: { openid: ['sub'], profile: ['name'], email: ['email', 'email_verified'] },
    // Put the scope's claims into the ID token too, not only into userinfo.
    conformIdTokenClaims: false,
    async findAccount(_ctx, sub) {
      return { accountId: sub, claims: async () => ({ sub, ...ACCOUNTS.get(sub) }) };
    },
    features: {
      devInteractions: { enabled: true },
      revocation: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      userinfo: { enabled: true },
      // The nonce secret lets the provider issue DPoP-Nonce values (and expose the header);
      // DPOP_NONCE=token|both makes the token endpoint demand them.
      dPoP: {
        enabled: dpop,
        nonceSecret: randomBytes(32),
        requireNonce: () => dpopNonce === 'token' || dpopNonce === 'both',
      },
    },
    // CORS on the client endpoints (token, revocation, userinfo) only for the site's origin;
    // discovery and jwks are open to every origin.
    clientBasedCORS: (_ctx, origin, client) => origin === appOrigin && clients.some((c) => c.client_id === client.clientId),
    // Refresh tokens for the SPA client whether or not offline_access was granted (without
    // offline_access they end with the provider session). Rotation is on for public clients.
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    ttl: {
      AccessToken: accessTtl,
      IdToken: idTtl,
      // Rotation keeps the original expiry: the lifetime is absolute, not sliding.
      RefreshToken: (ctx) => ctx?.oidc?.entities.RotatedRefreshToken?.remainingTTL ?? refreshTtl,
      Interaction: 3600,
      Session: 86400,
      Grant: 86400,
    },
    // Cookies are not isolated by port, so two providers on 127.0.0.1 need distinct names.
    cookies: {
      keys: [randomBytes(32).toString('base64url')],
      names: { session: `_session_${port}`, interaction: `_interaction_${port}`, resume: `_interaction_resume_${port}` },
    },
  };
}

/**
 * Koa middleware for ISS_PARAM=off: removes `iss` from the query or fragment of redirects
 * to the client's registered redirect URIs (the authorization response, success or error).
 * Discovery is untouched, so it still advertises authorization_response_iss_parameter_supported.
 * form_post responses are not rewritten.
 * @param {string[]} redirectUris
 */
function stripIssFromAuthorizationResponses(redirectUris) {
  return async (ctx, next) => {
    await next();
    const url = URL.parse(ctx.response.get('Location'));
    if (!url || !redirectUris.includes(`${url.origin}${url.pathname}`)) return;
    url.searchParams.delete('iss');
    if (url.hash) {
      const fragment = new URLSearchParams(url.hash.slice(1));
      fragment.delete('iss');
      url.hash = fragment.toString();
    }
    ctx.redirect(url.href);
  };
}

async function main() {
  const options = readOptions();
  const server = createServer();
  server.listen(options.port, HOST);
  await once(server, 'listening');
  const { port } = server.address();
  const issuer = options.issuer || `http://${HOST}:${port}`;
  if (new URL(issuer).origin !== issuer) throw new Error(`ISSUER must be a bare origin, got ${issuer}`);

  const provider = new Provider(issuer, configuration(options, port));
  if (options.stripIss) {
    provider.use(stripIssFromAuthorizationResponses(demoClient(options.appOrigin).redirect_uris));
  }
  server.on('request', provider.callback());
  const resource = await startResource({
    provider,
    appOrigin: options.appOrigin,
    requireNonce: options.dpopNonce === 'resource' || options.dpopNonce === 'both',
    host: HOST,
    publicOrigin: options.resourceOrigin,
  });

  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);

  console.log(`resource ready ${resource}`);
  console.log(`provider ready http://${HOST}:${port}`);
}

await main();
