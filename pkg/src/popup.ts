/**
 * Login in a popup window (`browser-oauth/popup`).
 *
 * Two halves, one message. The redirect page, loaded in the popup, calls
 * {@link handlePopupCallback}: it hands the response URL to its opener with `postMessage`
 * (target origin: its own) and closes. The opener (`client.loginPopup`, which loads
 * `popup-login.js` once the popup is open) accepts only a message from that popup window
 * and from the redirect URI's origin, then validates the response and exchanges the code
 * itself, with the same state, `iss`, single-use and time-limit checks as the redirect
 * flow. The popup never creates a client, never sees the verifier and never holds a token.
 *
 * @packageDocumentation
 */
import { MESSAGE_TYPE, POPUP_NAME } from "./popup-window.js";
import type { PopupResponse } from "./popup-window.js";

/**
 * On the redirect page: when this window is a login popup of browser-oauth, hands the
 * response to the opener (only if the opener is on this origin: `postMessage` with this
 * page's origin as the target), removes it from the popup's address bar, closes the popup
 * and returns `true`; the page must then do nothing else. Returns `false` in any other
 * window: go on with `client.handleRedirect()`. Loads no WebAssembly and makes no request.
 *
 * ```ts
 * import { handlePopupCallback } from "browser-oauth/popup";
 * if (!handlePopupCallback()) {
 *   const client = await createClient(config);
 *   await client.handleRedirect();
 * }
 * ```
 */
export function handlePopupCallback(): boolean {
  if (typeof window === "undefined" || !window.name.startsWith(POPUP_NAME)) return false;
  const message: PopupResponse = { type: MESSAGE_TYPE, url: window.location.href };
  history.replaceState(null, "", window.location.pathname);
  (window.opener as Window | null)?.postMessage(message, window.location.origin);
  window.close();
  return true;
}
