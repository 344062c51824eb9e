/**
 * browser-oauth/messages: a plain sentence and what to do next for every error code, in
 * English. A separate entry, so apps that show their own texts do not ship these.
 *
 * ```ts
 * import { describeError } from "browser-oauth/messages";
 * const { message, action } = describeError(error.code);
 * ```
 *
 * @packageDocumentation
 */
import type { ErrorCode } from "./errors.js";

export type { ErrorCode } from "./errors.js";

/** What an error code means, for people. */
export interface ErrorDescription {
  /** What happened, in one plain sentence. */
  message: string;
  /** What to do next, in one sentence. */
  action: string;
}

/**
 * Describes an error code (`error.code` of a `BrowserOAuthError`): what happened and what to
 * do next. The texts contain no value from the failed request (no state, code or token), so
 * they are safe to show and to log. An unknown code gets a generic description.
 */
export function describeError(code: ErrorCode | (string & {})): ErrorDescription {
  const entry = Object.hasOwn(MESSAGES, code) ? MESSAGES[code as ErrorCode] : undefined;
  const [message, action] = entry ?? UNKNOWN;
  return { message, action };
}

const AGAIN = "Start the sign-in again.";
const CONFIG = "Fix the client configuration in the app's code.";
const PROVIDER = "Check the provider's configuration, or contact its administrator.";

const UNKNOWN: readonly [string, string] = [
  "Something unexpected went wrong while signing in.",
  "Try again; if it keeps happening, report it to the app's developers.",
];

/** One entry per `ErrorCode`: the type makes a code without a message a compile error. */
const MESSAGES: Readonly<Record<ErrorCode, readonly [string, string]>> = {
  // --- the app's code or configuration ---
  invalid_config: ["The client configuration is missing a field or has an invalid one.", CONFIG],
  insecure_redirect_uri: [
    "A redirect URI is not https (http is allowed only on localhost) or contains a fragment.",
    "Register and configure an https redirect URI without a # part.",
  ],
  unsafe_return_to: [
    "The page to return to after sign-in is not a path on this site.",
    "Pass returnTo as a same-origin path such as \"/inbox\".",
  ],
  invalid_verifier: [
    "A PKCE code verifier has the wrong length or characters.",
    "Use 43 to 128 characters from A-Z, a-z, 0-9 and \"-._~\", or let the library generate it.",
  ],
  login_required: ["You are not signed in.", "Sign in to continue."],
  token_expired: ["Your session has expired.", "Sign in again to continue."],
  origin_not_allowed: [
    "The app tried to send the access token to a site it is not allowed to send it to.",
    "Add the API's origin to allowedOrigins if it should receive the token.",
  ],
  invalid_signing_request: [
    "The OAuth 1.0a request cannot be signed as given.",
    "Use an absolute http(s) URL and leave oauth_* parameters out of the query and body.",
  ],
  insecure_transport: [
    "This OAuth 1.0a request must use https.",
    "Use https endpoints, or a signature method other than PLAINTEXT.",
  ],
  invalid_signature_method: [
    "The OAuth 1.0a signature method is not supported here.",
    "Use HMAC-SHA1, HMAC-SHA256 or PLAINTEXT, or a sign hook for RSA-SHA1.",
  ],
  browser_only: [
    "Sign-in only works in a browser, and this code ran on a server.",
    "Call browser-oauth from client-side code only, for example after hydration.",
  ],
  userinfo_unavailable: [
    "The user's profile cannot be fetched from this provider.",
    "Ask for the openid scope, and use a provider that has a userinfo endpoint.",
  ],
  // --- a response that was refused ---
  invalid_metadata: ["The sign-in provider's configuration document is invalid.", PROVIDER],
  issuer_mismatch: [
    "The sign-in provider's configuration names a different issuer than the one configured.",
    "Configure the issuer exactly as the provider spells it, trailing slash included.",
  ],
  pkce_unsupported: [
    "The sign-in provider does not support PKCE with S256, which this app requires.",
    "Enable PKCE (S256) for this client at the provider.",
  ],
  redirect_uri_mismatch: [
    "The sign-in response arrived at a different address than the one the sign-in started with.",
    AGAIN,
  ],
  duplicate_parameter: ["The sign-in response contains a parameter twice and was refused.", AGAIN],
  missing_state: ["The sign-in response is incomplete (it has no state).", AGAIN],
  state_mismatch: [
    "This sign-in response does not belong to a sign-in started in this tab, or it was already used.",
    AGAIN,
  ],
  pending_request_expired: ["The sign-in took too long and has expired.", AGAIN],
  missing_iss: [
    "The sign-in response does not say which provider sent it, although the provider promises to.",
    AGAIN,
  ],
  iss_mismatch: [
    "The sign-in response came from a different provider than the one the sign-in went to.",
    AGAIN,
  ],
  invalid_callback: ["The sign-in response is not valid.", AGAIN],
  invalid_token_response: ["The sign-in provider sent an invalid token response.", PROVIDER],
  invalid_id_token: [
    "The sign-in provider sent an identity token that is malformed or uses a refused algorithm.",
    PROVIDER,
  ],
  id_token_claim_mismatch: [
    "The identity token was not issued by this provider for this app.",
    AGAIN,
  ],
  id_token_expired: [
    "The identity token has expired or is not valid yet.",
    "Check that this device's clock is right, then sign in again.",
  ],
  nonce_mismatch: ["The identity token does not belong to this sign-in.", AGAIN],
  id_token_signature_invalid: ["The identity token's signature does not verify.", AGAIN],
  unknown_signing_key: [
    "None of the sign-in provider's published keys matches the identity token.",
    PROVIDER,
  ],
  subject_changed: [
    "The renewed session is for a different user.",
    "Sign in again.",
  ],
  scope_broader: [
    "The sign-in provider granted more access than the app asked for, and the app refuses that.",
    "Check the client's scopes at the provider, then sign in again.",
  ],
  invalid_userinfo_response: ["The sign-in provider sent an invalid user profile.", PROVIDER],
  userinfo_subject_mismatch: [
    "The user profile the provider sent is for a different user, so it was not used.",
    "Sign in again.",
  ],
  callback_not_confirmed: [
    "The OAuth 1.0a provider did not confirm the callback address.",
    "Check that the provider supports OAuth 1.0a (not 1.0) and that the callback URL is registered.",
  ],
  invalid_credentials_response: ["The OAuth 1.0a provider sent an invalid credentials response.", PROVIDER],
  temporary_token_mismatch: [
    "This OAuth 1.0a sign-in response does not belong to a sign-in started in this tab, or it was already used.",
    AGAIN,
  ],
  missing_verifier: ["The OAuth 1.0a sign-in response is incomplete (it has no verifier).", AGAIN],
  dpop_not_bound: [
    "The sign-in provider issued tokens that are not bound to this browser's key, and they were refused.",
    "Check that the provider supports DPoP for this client, then sign in again.",
  ],
  dpop_nonce_rejected: [
    "The server refused this browser's proof of possession twice.",
    "Try again; if it keeps happening, check the server's DPoP configuration.",
  ],
  persisted_session_invalid: [
    "The saved session could not be used and was removed.",
    "Sign in again.",
  ],
  untrusted_popup_message: [
    "A message that claimed to be the sign-in window's answer came from another window or site, and was ignored.",
    AGAIN,
  ],
  // --- the provider said no ---
  access_denied: [
    "The sign-in was cancelled or access was refused.",
    "Sign in again and allow access if you want to continue.",
  ],
  authorization_error: [
    "The sign-in provider refused the sign-in request.",
    "Try again; if it keeps happening, the provider's message says why.",
  ],
  token_error: [
    "The sign-in provider refused to issue tokens.",
    AGAIN,
  ],
  session_ended: ["Your session was ended by the sign-in provider.", "Sign in again."],
  userinfo_error: [
    "The sign-in provider refused to return the user's profile.",
    "Sign in again; the session may have been revoked.",
  ],
  // --- the browser or the network ---
  network_error: [
    "The sign-in provider could not be reached.",
    "Check the internet connection and try again.",
  ],
  storage_unavailable: [
    "The browser's session storage is unavailable or full, and sign-in needs it.",
    "Allow site data for this site (private modes can block it), then try again.",
  ],
  random_unavailable: [
    "The browser could not provide secure random numbers.",
    "Use an up-to-date browser over https, then try again.",
  ],
  wasm_load_failed: [
    "The sign-in module could not be loaded.",
    "Reload the page; developers: check that the .wasm file is served, or pass the wasm option.",
  ],
  popup_blocked: [
    "The browser blocked the sign-in window.",
    "Allow pop-ups for this site, or sign in again with a click.",
  ],
  popup_closed: ["The sign-in window was closed before the sign-in finished.", AGAIN],
  popup_timeout: ["The sign-in window did not finish in time and was closed.", AGAIN],
  signing_failed: [
    "The OAuth 1.0a request could not be signed.",
    "Check that the sign hook returns a signature; then try again.",
  ],
};
