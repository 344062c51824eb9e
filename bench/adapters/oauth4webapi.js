// oauth4webapi behind the benchmark's common interface (see ../page.js `Adapter`): the app
// drives each step, so this file is the small amount of glue every app writes around it.
import * as oauth from 'oauth4webapi';

const PREFIX = 'o4w.pending.';
const MAX_AGE_MS = 600_000;

/**
 * @param {import('../page.js').Provider} provider
 * @returns {Promise<import('../page.js').Adapter>}
 */
export async function ready(provider) {
  const as = provider.metadata;
  const client = { client_id: provider.clientId };
  const auth = oauth.None();
  let tokens;

  /** Reads and removes the pending request named by the callback's state (single use). */
  function take(url) {
    const state = new URL(url).searchParams.get('state');
    const raw = state === null ? null : sessionStorage.getItem(PREFIX + state);
    if (raw === null) throw new Error('no pending request for this state');
    sessionStorage.removeItem(PREFIX + state);
    const pending = JSON.parse(raw);
    if (Date.now() - pending.createdAt > MAX_AGE_MS) throw new Error('pending request expired');
    return { state, ...pending };
  }

  return {
    async build() {
      const verifier = oauth.generateRandomCodeVerifier();
      const challenge = await oauth.calculatePKCECodeChallenge(verifier);
      const state = oauth.generateRandomState();
      const nonce = oauth.generateRandomNonce();
      const url = new URL(as.authorization_endpoint);
      for (const [k, v] of Object.entries({
        client_id: client.client_id, redirect_uri: provider.redirectUri, response_type: 'code',
        scope: provider.scope, state, nonce, code_challenge: challenge, code_challenge_method: 'S256',
      })) url.searchParams.set(k, v);
      sessionStorage.setItem(PREFIX + state, JSON.stringify({ verifier, nonce, createdAt: Date.now() }));
      return url.href;
    },
    // Find and remove the pending request, then validateAuthResponse (state, iss, duplicates, error).
    async validate(url) {
      const pending = take(url);
      oauth.validateAuthResponse(as, client, new URL(url), pending.state);
    },
    // The same, then the address bar cleaned (as browser-oauth does and every app must), the
    // code grant through the page's (stubbed) fetch and processAuthorizationCodeResponse
    // (token response shape, ID token claims, nonce).
    async handle(url) {
      const pending = take(url);
      const params = oauth.validateAuthResponse(as, client, new URL(url), pending.state);
      history.replaceState(null, '', provider.redirectUri);
      const response = await oauth.authorizationCodeGrantRequest(
        as, client, auth, params, provider.redirectUri, pending.verifier);
      tokens = await oauth.processAuthorizationCodeResponse(as, client, response, {
        expectedNonce: pending.nonce, requireIdToken: true,
      });
      return tokens;
    },
    memoryPages: undefined,
  };
}
