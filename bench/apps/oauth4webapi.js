// Small app for the bundle-size figure: discovery, log in (PKCE, state, nonce), validate
// the callback, exchange the code, hold the tokens in memory, log out (revoke + end session).
import * as oauth from 'oauth4webapi';

const issuer = new URL('https://login.example.com');
const client = { client_id: 'spa' };
const auth = oauth.None();
const redirectUri = `${location.origin}/callback`;
const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer));
let tokens;

async function login() {
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  const url = new URL(as.authorization_endpoint);
  url.search = new URLSearchParams({
    client_id: client.client_id, redirect_uri: redirectUri, response_type: 'code', scope: 'openid profile',
    state, nonce, code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
  }).toString();
  sessionStorage.setItem('pending', JSON.stringify({ verifier, state, nonce }));
  location.assign(url.href);
}

async function handleRedirect() {
  const pending = JSON.parse(sessionStorage.getItem('pending') ?? 'null');
  sessionStorage.removeItem('pending');
  if (!pending) throw new Error('no pending login');
  const params = oauth.validateAuthResponse(as, client, new URL(location.href), pending.state);
  history.replaceState(null, '', '/');
  const response = await oauth.authorizationCodeGrantRequest(as, client, auth, params, redirectUri, pending.verifier);
  tokens = await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: pending.nonce });
  return oauth.getValidatedIdTokenClaims(tokens);
}

async function logout() {
  const { access_token: accessToken, id_token: idToken } = tokens;
  tokens = undefined;
  await oauth.processRevocationResponse(await oauth.revocationRequest(as, client, auth, accessToken));
  const url = new URL(as.end_session_endpoint);
  url.search = new URLSearchParams({ id_token_hint: idToken, post_logout_redirect_uri: location.origin }).toString();
  location.assign(url.href);
}

if (location.pathname === '/callback') {
  document.body.textContent = (await handleRedirect()).sub;
  document.querySelector('#logout').onclick = logout;
} else {
  document.querySelector('#login').onclick = login;
}
