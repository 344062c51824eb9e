/**
 * Opening the login popup: the one part of the popup login that must run synchronously in
 * the click handler (browsers only allow a popup during a user gesture), so it sits in the
 * main entry; the rest (`popup-login.ts`) is loaded once the window is open. Also the name
 * and message shape both halves (`popup.ts`, `popup-login.ts`) agree on.
 *
 * @packageDocumentation
 */

/** Every login popup's `window.name` starts with this: it is how the redirect page knows it is one. */
export const POPUP_NAME = "browser-oauth:popup";

/** The `type` of the one message the popup sends to its opener. */
export const MESSAGE_TYPE = "browser-oauth:popup-response";

/** The message the redirect page posts to its opener. */
export interface PopupResponse {
  type: typeof MESSAGE_TYPE;
  /** The redirect URL, with the response parameters. */
  url: string;
}

/** The popup's size in CSS pixels; it is centred over the opener. */
const WIDTH = 500;
const HEIGHT = 640;

/** Numbers the popups of this page, so that two logins never share one window. */
let opened = 0;

/**
 * Opens an empty popup (`about:blank`, same origin as the page) centred over this window,
 * with the opener kept (the redirect page answers through `window.opener`). Returns `null`
 * when the browser blocked it. The authorization URL is set only afterwards, so a blocked
 * popup leaves no pending request behind, and the new window's copy of sessionStorage never
 * holds this login's pending request.
 */
export function openPopup(): Window | null {
  const left = Math.max(0, window.screenX + (window.outerWidth - WIDTH) / 2);
  const top = Math.max(0, window.screenY + (window.outerHeight - HEIGHT) / 2);
  opened += 1;
  return window.open("", `${POPUP_NAME}:${opened}`, `popup,width=${WIDTH},height=${HEIGHT},left=${left},top=${top}`);
}
