// Error codes in plain words, with what to do next.
//
// TO BE REPLACED: once `describeError` ships in `browser-oauth/messages` (issue 12), the
// demo imports it instead of this table (see explainError below): one source of truth.

/** @type {Record<string, [string, string]>} code → [what happened, what to do next] */
const MESSAGES = {
  invalid_config: ['The client configuration is invalid.', 'Check issuer, clientId, redirectUri and scope in the app code.'],
  insecure_redirect_uri: ['A redirect URI is not https (http is allowed only on loopback) or carries a fragment.', 'Register and configure an https redirect URI without a #fragment.'],
  unsafe_return_to: ['The page to return to after login is not a path on this site, so it was refused: following it could send the user to another site (open redirect).', 'Use a same-origin path that starts with a single "/", such as /inbox.'],
  invalid_verifier: ['A PKCE code verifier must be 43 to 128 unreserved characters.', 'Let the library generate the verifier.'],
  login_required: ['There is no session in this tab.', 'Log in first.'],
  token_expired: ['The access token expired and could not be renewed.', 'Log in again, or check that the provider issues refresh tokens.'],
  origin_not_allowed: ['The access token is only sent to origins on allowedOrigins, and this request went elsewhere.', 'Add the API origin to allowedOrigins if it should receive the token.'],
  invalid_signing_request: ['This OAuth 1.0a request cannot be signed as given.', 'Use an absolute http(s) URL and keep oauth_* parameters out of the query and body.'],
  insecure_transport: ['This OAuth 1.0a request must use https.', 'Use https endpoints (http only on loopback).'],
  invalid_signature_method: ['This OAuth 1.0a signature method is not supported here.', 'Use HMAC-SHA1, HMAC-SHA256 or PLAINTEXT, or sign RSA-SHA1 with the sign hook.'],
  invalid_metadata: ['The provider metadata is malformed, insecure or incomplete.', 'Check the provider\'s discovery document.'],
  issuer_mismatch: ['The provider metadata names another issuer than the one configured.', 'Configure the exact issuer the provider publishes.'],
  pkce_unsupported: ['The provider does not support PKCE with S256, which this library requires.', 'Enable PKCE S256 at the provider.'],
  redirect_uri_mismatch: ['The callback arrived at another address than the redirect URI of the request.', 'Start a new login from this site.'],
  duplicate_parameter: ['A callback parameter appears twice, which a genuine response never does.', 'Start a new login; if it repeats, the link was tampered with.'],
  missing_state: ['The callback carries no state, so it cannot be matched to a login this tab started.', 'Start a new login from this site.'],
  state_mismatch: ['This callback does not match any login started in this tab: it was already used, tampered with, or comes from another browser or tab.', 'Start a new login. If you did not just log in, someone may have sent you a crafted link.'],
  pending_request_expired: ['The login took too long: its request expired.', 'Start a new login.'],
  missing_iss: ['The provider promises to name itself in the callback (iss) but this callback does not.', 'Start a new login; if it repeats, the response was altered on the way.'],
  iss_mismatch: ['The callback names another provider (iss) than the one this login went to: a mix-up attack, refused before the code was sent anywhere.', 'Start a new login from this site.'],
  invalid_callback: ['This is not a valid authorization response (no code and no error, both, or implicit-flow tokens).', 'Start a new login from this site.'],
  invalid_token_response: ['The token endpoint answered with something that is not a valid token response.', 'Try again later; if it repeats, the provider is misconfigured.'],
  invalid_id_token: ['The ID token is malformed or uses a refused algorithm (none or HMAC).', 'Check the provider\'s signing configuration.'],
  id_token_claim_mismatch: ['The ID token was not issued by this provider for this app.', 'Start a new login; if it repeats, check issuer and clientId.'],
  id_token_expired: ['The ID token is expired or not yet valid.', 'Check this computer\'s clock, then log in again.'],
  nonce_mismatch: ['The ID token does not belong to this login (nonce): it may be replayed.', 'Start a new login.'],
  id_token_signature_invalid: ['The ID token\'s signature does not verify with the provider\'s keys: it was forged or altered.', 'Start a new login; report it if it repeats.'],
  unknown_signing_key: ['No unique key of the provider fits the ID token.', 'Try again later; the provider may be rotating keys.'],
  subject_changed: ['The refreshed ID token is for another user than the one signed in.', 'Log in again.'],
  scope_broader: ['The provider granted more than this app asked for, and the app refuses that.', 'Ask the provider to grant only the requested scopes.'],
  callback_not_confirmed: ['The OAuth 1.0a provider did not confirm the callback.', 'Use an OAuth 1.0a (not 1.0) provider; if it repeats, the response was altered.'],
  invalid_credentials_response: ['The OAuth 1.0a provider answered with invalid credentials.', 'Try again later.'],
  temporary_token_mismatch: ['This OAuth 1.0a callback matches no login started in this tab: it was already used, tampered with, or comes from elsewhere.', 'Start a new login.'],
  missing_verifier: ['The OAuth 1.0a callback has no oauth_verifier.', 'Start a new login.'],
  access_denied: ['The sign-in was refused at the provider (for example, consent was declined).', 'Log in again and approve the request, if you want to use this app.'],
  authorization_error: ['The provider refused the login request.', 'Read the provider\'s words below; fix the request or try again.'],
  token_error: ['The token endpoint refused the request.', 'Start a new login.'],
  session_ended: ['The provider ended the session (the refresh token was revoked, expired or reused); the tokens are wiped.', 'Log in again.'],
  network_error: ['The request to the provider failed or timed out.', 'Check the connection. If the request had been sent during a login, start a new login (the code may be spent).'],
  storage_unavailable: ['sessionStorage is not available (disabled, full or blocked).', 'Allow site storage for this site, then try again.'],
  random_unavailable: ['Secure randomness is not available, and there is no weaker fallback.', 'Use a current browser.'],
  signing_failed: ['The request could not be signed.', 'Check the signing backend.'],
  untrusted_popup_message: ['A message pretending to be the login popup\'s answer came from another window or site; it was ignored.', 'Nothing to do: the real login goes on. Report it if it repeats.'],
  popup_blocked: ['The browser blocked the login popup.', 'Allow popups for this site, or start the login from a button click.'],
  popup_closed: ['The login popup was closed before the login finished.', 'Log in again and finish in the popup.'],
  popup_timeout: ['The login popup did not finish in time.', 'Log in again.'],
  dpop_not_bound: ['DPoP was asked for, but the provider issued tokens that are not bound to this browser\'s key.', 'Enable DPoP for this client at the provider, or set dpop: "optional".'],
  dpop_nonce_rejected: ['The server refused the DPoP proof\'s nonce again after one retry.', 'Try again later; if it repeats, check the server\'s DPoP nonce handling.'],
  persisted_session_invalid: ['The stored session was tampered with, is from another client or issuer, or its key is gone; it was removed.', 'Log in again.'],
};

/**
 * What an error code means and what to do next.
 * @param {string} code a browser-oauth error code
 * @returns {{ sentence: string, next: string }}
 */
export function explainError(code) {
  const [sentence, next] = MESSAGES[code] ?? ['Something unexpected went wrong.', 'Reload the page and try again.'];
  return { sentence, next };
}
