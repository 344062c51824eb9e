/**
 * The opener's half of the popup login, loaded by `client.loginPopup` once the popup is
 * open (so pages that never log in through a popup never download it). See `popup.ts` for
 * the redirect page's half.
 *
 * @packageDocumentation
 */
// Only types come from the main entry's modules (as in dpop.ts): nothing for a bundler to
// split into a chunk shared with the main entry.
import type { ErrorCode } from "./errors.js";
import type { PopupResponse } from "./popup-window.js";

/** How often the opener looks whether the user closed the popup, in milliseconds. */
const POLL_MS = 250;

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
  /** A message that looks like a popup response came from another window or origin and was ignored. */
  ignored(): void;
  /** The `type` of the popup's response message (`MESSAGE_TYPE` in popup-window.ts). */
  messageType: string;
  /** A `BrowserOAuthError` with this code and message. */
  error(code: ErrorCode, message: string): Error;
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
      if (!isPopupResponse(event.data, flow.messageType)) return;
      if (event.source !== popup || event.origin !== flow.origin) {
        flow.ignored();
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
      reject(flow.error("popup_closed", "the login popup was closed before the login finished"));
    }, POLL_MS);
    const deadline = setTimeout(() => {
      stop();
      reject(flow.error("popup_timeout", "the login popup did not finish in time"));
    }, Math.min(flow.timeoutMs, 2 ** 31 - 1));
    window.addEventListener("message", onMessage);
  });
}

/** A message that claims to be a popup response (its `type` is `messageType`). */
function isPopupResponse(data: unknown, messageType: string): data is PopupResponse {
  return typeof data === "object" && data !== null && (data as PopupResponse).type === messageType
    && typeof (data as PopupResponse).url === "string";
}
