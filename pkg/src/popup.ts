/**
 * Login in a popup window (`browser-oauth/popup`).
 *
 * Two halves, one message. The redirect page, loaded in the popup, calls
 * {@link handlePopupCallback}: it hands the response URL to its opener with `postMessage`
 * (target origin: its own) and closes. The opener (`client.loginPopup`, which loads this
 * module once the popup is open) accepts only a message from that popup window and from the
 * redirect URI's origin, then validates the response and exchanges the code itself, with the
 * same state, `iss`, single-use and time-limit checks as the redirect flow. The popup never
 * creates a client, never sees the verifier and never holds a token.
 *
 * @packageDocumentation
 */
import { BrowserOAuthError } from "./errors.js";
import { POPUP_NAME } from "./popup-window.js";

/** The `type` of the one message the popup sends to its opener. */
const MESSAGE_TYPE = "browser-oauth:popup-response";

/** How often the opener looks whether the user closed the popup, in milliseconds. */
const POLL_MS = 250;

/** The message the redirect page posts to its opener. */
interface PopupResponse {
  type: typeof MESSAGE_TYPE;
  /** The redirect URL, with the response parameters. */
  url: string;
}

/** A message that claims to be a popup response. */
function isPopupResponse(data: unknown): data is PopupResponse {
  return typeof data === "object" && data !== null && (data as PopupResponse).type === MESSAGE_TYPE
    && typeof (data as PopupResponse).url === "string";
}

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

/** What the opener's half needs from the client. */
export interface PopupFlow<R> {
  /** Builds the authorization URL and stores its pending request. */
  authorize(): string;
  /** The origin the response must come from: the redirect URI's. */
  origin: string;
  /** Milliseconds to wait for the response before `popup_timeout`. */
  timeoutMs: number;
  /** Checks the response URL (state, iss, single use, time limit); throws typed errors. */
  validate(url: string): void;
  /** Exchanges the validated code. */
  exchange(): Promise<R>;
  /** A message that looks like a popup response but came from another window or origin, ignored. */
  ignored?(origin: string): void;
}

/**
 * In the opener: sends the open `popup` to the authorization URL, waits for its response
 * (only from that window and `flow.origin`; anything else is ignored), closes it, then
 * validates and exchanges. Rejects with `popup_closed` when the user closes the popup
 * first, `popup_timeout` after `flow.timeoutMs`, or the typed error of the validation or
 * exchange.
 */
export async function completePopupLogin<R>(popup: Window, flow: PopupFlow<R>): Promise<R> {
  let url: string;
  try {
    popup.location.replace(flow.authorize());
    url = await answer(popup, flow);
  } finally {
    popup.close();
  }
  flow.validate(url);
  return flow.exchange();
}

/** Resolves with the response URL the popup posts, or rejects when it closes or times out. */
function answer<R>(popup: Window, flow: PopupFlow<R>): Promise<string> {
  return new Promise((resolve, reject) => {
    let closedSeen = false;
    const stop = (): void => {
      window.removeEventListener("message", onMessage);
      clearInterval(poll);
      clearTimeout(deadline);
    };
    const onMessage = (event: MessageEvent): void => {
      if (!isPopupResponse(event.data)) return;
      if (event.source !== popup || event.origin !== flow.origin) {
        flow.ignored?.(event.origin);
        return;
      }
      stop();
      resolve(event.data.url);
    };
    // A popup that posted its response and closed itself may look closed before its message
    // is dispatched here: the answer is given up only at the poll after the one that saw it closed.
    const poll = setInterval(() => {
      if (!closedSeen) {
        closedSeen = popup.closed;
        return;
      }
      stop();
      reject(new BrowserOAuthError("popup_closed", "the login popup was closed before the login finished"));
    }, POLL_MS);
    const deadline = setTimeout(() => {
      stop();
      reject(new BrowserOAuthError("popup_timeout", "the login popup did not finish in time"));
    }, Math.min(flow.timeoutMs, 2 ** 31 - 1));
    window.addEventListener("message", onMessage);
  });
}
