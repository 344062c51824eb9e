import type { ErrorCode } from "../wasm/browser_oauth.js";

export type { ErrorCode };

/** The shape the WebAssembly core throws: the JSON of its typed error (no message: see `messageOf`). */
interface CoreErrorJson {
  code: ErrorCode;
  error?: string;
  errorDescription?: string;
  errorUri?: string;
  status?: number;
  requestSent?: boolean;
}

/**
 * Every error browser-oauth throws. Branch on `code`: the codes are stable API, the
 * messages are not.
 */
export class BrowserOAuthError extends Error {
  /** The stable error code. */
  readonly code: ErrorCode;
  /**
   * For `network_error`: whether the request had been sent when it failed. After a failed
   * code exchange this means the code may be spent: start a new login instead of retrying.
   */
  readonly requestSent: boolean;

  constructor(code: ErrorCode, message: string, requestSent = false) {
    super(message);
    this.name = "BrowserOAuthError";
    this.code = code;
    this.requestSent = requestSent;
  }
}

/**
 * The provider refused: `access_denied` and `authorization_error` from the authorization
 * endpoint, `token_error` from the token endpoint. `error`, `errorDescription` and
 * `errorUri` are the provider's own words, as plain text: never render them as HTML.
 */
export class ServerError extends BrowserOAuthError {
  /** The provider's `error` value, e.g. `invalid_grant`. */
  readonly error: string;
  /** The provider's `error_description`, if any. */
  readonly errorDescription: string | undefined;
  /** The provider's `error_uri`, if any. */
  readonly errorUri: string | undefined;
  /** The HTTP status of a token endpoint error; 0 for an authorization response. */
  readonly status: number;

  constructor(json: CoreErrorJson) {
    super(json.code, messageOf(json.code));
    this.name = "ServerError";
    this.error = json.error ?? "";
    this.errorDescription = json.errorDescription;
    this.errorUri = json.errorUri;
    this.status = json.status ?? 0;
  }
}

/**
 * The message of a core error: its code in words (`state_mismatch` → "state mismatch"). The
 * core sends codes only, since English prose for every code costs 0.8 KB gzipped of wasm.
 */
function messageOf(code: ErrorCode): string {
  return code.replace(/_/g, " ");
}

/** `JSON.parse` as it was when this module was evaluated (script that hooks it later sees nothing). */
const parseJson = JSON.parse;

/** Turns whatever the core threw into a typed error; anything unexpected is rethrown. */
export function toTypedError(thrown: unknown): unknown {
  if (typeof thrown !== "string") return thrown;
  let json: CoreErrorJson;
  try {
    json = parseJson(thrown) as CoreErrorJson;
  } catch {
    return thrown;
  }
  if (json.error !== undefined) return new ServerError(json);
  return new BrowserOAuthError(json.code, messageOf(json.code), json.requestSent === true);
}

/** Runs `fn`, converting the core's thrown errors into typed errors. */
export function typed<T>(fn: () => T): T {
  try {
    return fn();
  } catch (thrown) {
    throw toTypedError(thrown);
  }
}
