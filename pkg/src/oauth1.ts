/**
 * browser-oauth/oauth1: OAuth 1.0a (RFC 5849) for single-page apps, as a separate entry with
 * its own WebAssembly module, so that apps using only OAuth 2 never download it.
 *
 * > [!WARNING]
 * > A consumer secret shipped to a browser is public (RFC 5849 §4.6): anyone can read it and
 * > sign as your app. Pass a {@link OAuth1Signer | `sign`} hook that your backend answers,
 * > and keep the consumer secret there.
 *
 * @packageDocumentation
 */
import init, { WasmOAuth1Client } from "../wasm-oauth1/browser_oauth_oauth1.js";
import { assertBrowser } from "./environment.js";
import { BrowserOAuthError, typed } from "./errors.js";
import type { ErrorCode } from "./errors.js";
import { loader } from "./load.js";
import type { LoadOptions } from "./load.js";

export { BrowserOAuthError, ServerError } from "./errors.js";
export type { ErrorCode } from "./errors.js";
export type { LoadOptions, WasmSource } from "./load.js";

/*
 * Private references to the web APIs that see credentials, taken when this module is
 * evaluated: script that replaces them later sees nothing of ours (docs/tokens.md).
 */
const root = globalThis;
const apply = Reflect.apply;
const fetchRef = root.fetch?.bind(root) as typeof fetch;
const parseJson = JSON.parse;
const HeadersRef = root.Headers;
const headersSet = HeadersRef?.prototype.set;
const responseText = root.Response?.prototype.text;

/** Loads and instantiates the OAuth 1.0a WebAssembly module once (a failed load is retried next time). */
const load = loader(init);

/** The `oauth_signature_method` names (RFC 5849 §3.4; HMAC-SHA256 is a common variant). */
export type SignatureMethod = "HMAC-SHA1" | "HMAC-SHA256" | "PLAINTEXT" | "RSA-SHA1";

/**
 * The signer hook: signs `baseString` (RFC 5849 §3.4.1) with `method`, using the consumer
 * secret that only your backend holds and `tokenSecret` (empty for the temporary-credentials
 * request), and resolves to the raw `oauth_signature` (base64 for HMAC; not percent-encoded).
 *
 * Your backend must sign only what it allows: check the method, URL and `oauth_token` in the
 * base string, or it becomes a signing oracle for anyone who can reach it.
 *
 * `tokenSecret` is the current user's token secret (the same standing as an OAuth 2 access
 * token). It reaches JavaScript only when a hook is configured.
 */
export type OAuth1Signer = (baseString: string, method: SignatureMethod, tokenSecret: string) => Promise<string>;

/**
 * The OAuth 1.0a client configuration. Give exactly one of `sign` and
 * `dangerousConsumerSecret`. `wasm` says where this entry's WebAssembly module is.
 */
export interface OAuth1Config extends LoadOptions {
  /** The `oauth_consumer_key`. */
  consumerKey: string;
  /** The signer hook, answered by your backend: the recommended way. */
  sign?: OAuth1Signer;
  /**
   * The consumer secret, for the built-in signer.
   *
   * > [!WARNING]
   * > Anything shipped to a browser is public. Use this only when the secret is per user or
   * > per installation (user-supplied keys, developer tools), never for an app's registered
   * > consumer secret: use `sign` instead.
   */
  dangerousConsumerSecret?: string;
  /** Default `"HMAC-SHA1"`. `RSA-SHA1` only through `sign`; `PLAINTEXT` only over https. */
  signatureMethod?: SignatureMethod;
  /** The `realm` of the `Authorization` header, if the provider wants one. Never signed. */
  realm?: string;
  /** Whether to send `oauth_version="1.0"` (optional in RFC 5849; some providers want it). */
  sendVersion?: boolean;
  /** Temporary Credential Request endpoint (RFC 5849 §2.1), https (http only on loopback). */
  temporaryCredentialsUrl: string;
  /** Resource Owner Authorization endpoint (§2.2). */
  authorizationUrl: string;
  /** Token Request endpoint (§2.3). */
  tokenUrl: string;
  /** This app's callback page, the `oauth_callback`: https (http only on loopback), no fragment. */
  callbackUrl: string;
  /**
   * How long to use the token credentials, in seconds; default 86400 (24 hours). OAuth 1.0a
   * tokens often never expire, so the library sets the limit: after it, log in again.
   */
  tokenLifetimeSeconds?: number;
  /** How long before expiry the `expiring` event fires, in seconds; default 60. */
  expiringNoticeSeconds?: number;
  /** Timeout of each request to the provider, in milliseconds; default 10000. */
  requestTimeoutMs?: number;
  /**
   * Origins `fetch` signs requests for (the signature, and with PLAINTEXT the secrets, go in
   * the `Authorization` header); default: the origin of `tokenUrl`.
   */
  allowedOrigins?: string[];
}

/** The outcome of a successful {@link OAuth1Client.handleRedirect}. */
export interface OAuth1RedirectResult {
  /** When the token credentials stop being used (the app-set lifetime). */
  expiresAt: Date;
}

/**
 * A refused response or input (a callback for another temporary token, a missing verifier,
 * a malformed credentials response, a request for an origin off `allowedOrigins`, a
 * storage failure): `code` is the error's code, `time` seconds since the epoch, `issuer`
 * the token URL. Never a token, a verifier, a secret or a response.
 */
export interface OAuth1SecurityEvent {
  type: "security";
  code: ErrorCode;
  phase: "callback" | "token" | "storage" | "config";
  time: number;
  issuer: string;
}

/** The events of an OAuth 1.0a client; only `security` has a payload. */
export type OAuth1Event = "expiring" | "expired" | "logout" | "security";

/** An OAuth 1.0a client for this page. Create it with {@link createOAuth1Client}. */
export interface OAuth1Client {
  /**
   * Gets temporary credentials (RFC 5849 §2.1), remembers the pending request in
   * sessionStorage (the 8 newest are kept, expired ones dropped) and sends the browser to
   * the provider.
   */
  login(): Promise<void>;
  /** Like `login`, but returns the authorization URL instead of navigating. */
  authorizationUrl(): Promise<string>;
  /**
   * On the callback page: removes `oauth_token` and `oauth_verifier` from the address bar,
   * checks the callback against the pending request (same temporary token, verifier present,
   * single use, time limit) and gets the token credentials, which stay in WASM memory.
   */
  handleRedirect(url?: string): Promise<OAuth1RedirectResult>;
  /**
   * `fetch` with an `Authorization: OAuth ...` header signed for this request (RFC 5849 §3).
   * A body is signed when it is a `URLSearchParams`, or a string sent with `Content-Type:
   * application/x-www-form-urlencoded` (§3.4.1.3.1); other bodies are sent but not signed.
   */
  fetch(input: string | URL, init?: RequestInit): Promise<Response>;
  /** When the credentials expire, or `undefined` when logged out. */
  expiresAt(): Date | undefined;
  /**
   * Wipes the credentials and the requests waiting for the signer hook (they fail with
   * `login_required`) from WASM memory and the OAuth 1.0a pending requests from
   * sessionStorage, and tells other tabs and entries (BroadcastChannel `browser-oauth`,
   * message `{ type: "logout" }`).
   */
  logout(): void;
  /** Subscribes to an event; returns the unsubscribe function. */
  on(event: "security", listener: (event: OAuth1SecurityEvent) => void): () => void;
  /** Subscribes to an event; returns the unsubscribe function. */
  on(event: Exclude<OAuth1Event, "security">, listener: () => void): () => void;
}

/** A signed request from the core. */
interface SignedRequest {
  method: string;
  url: string;
  authorization: string;
}

/** The channel every browser-oauth entry uses to announce a logout to the others. */
const CHANNEL = "browser-oauth";
/** The longest `setTimeout` delay browsers honour. */
const MAX_DELAY_MS = 2 ** 31 - 1;

/**
 * Creates an OAuth 1.0a client and checks its configuration.
 * @see https://www.rfc-editor.org/rfc/rfc5849
 */
export async function createOAuth1Client(config: OAuth1Config): Promise<OAuth1Client> {
  assertBrowser();
  const allowedOrigins = config.allowedOrigins ?? [new URL(config.tokenUrl).origin];
  await load(config.wasm);
  if ((config.sign === undefined) === (config.dangerousConsumerSecret === undefined)) {
    throw new BrowserOAuthError("invalid_config", "give exactly one of sign and dangerousConsumerSecret");
  }
  const core: WasmOAuth1Client = typed(
    () =>
      new WasmOAuth1Client(
        config.consumerKey,
        config.dangerousConsumerSecret,
        config.signatureMethod,
        config.realm,
        config.sendVersion === true,
        config.temporaryCredentialsUrl,
        config.authorizationUrl,
        config.tokenUrl,
        config.callbackUrl,
        config.tokenLifetimeSeconds ?? 0,
      ),
  );
  const timeoutMs = config.requestTimeoutMs ?? 10_000;
  const noticeSeconds = config.expiringNoticeSeconds ?? 60;
  const listeners = new Map<OAuth1Event, Set<(event?: OAuth1SecurityEvent) => void>>();
  const emit = (event: OAuth1Event, payload?: OAuth1SecurityEvent): void =>
    listeners.get(event)?.forEach((listener) => listener(payload));
  /** Runs a core call, converts its errors, then delivers the security events it queued. */
  const call = <T>(fn: () => T): T => {
    try {
      return typed(fn);
    } finally {
      const events = core.call(OAuth1Op.Events, 0);
      if (events !== undefined) for (const event of parseJson(events) as OAuth1SecurityEvent[]) emit("security", event);
    }
  };
  const channel = typeof BroadcastChannel === "function" ? new BroadcastChannel(CHANNEL) : undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let warned = false;
  /** Whether credentials were held at the last check, so `expired` fires once per session. */
  let loggedIn = false;

  /** A request the core prepared; returns the number it waits under for its signature. */
  const prepare = (op: OAuth1Op, text?: string, more?: string, extra?: string): number =>
    +(core.call(op, 0, text, more, extra) as string);

  /**
   * Signs request `signing` (a number from `prepare`) with the hook or the built-in signer;
   * the core's request is consumed either way.
   */
  async function signed(signing: number): Promise<SignedRequest> {
    if (config.sign === undefined) return parseJson(typed(() => core.call(OAuth1Op.Sign, signing) as string)) as SignedRequest;
    let signature: string;
    try {
      const tokenSecret = typed(() => core.call(OAuth1Op.TokenSecret, signing) as string);
      const input = parseJson(typed(() => core.call(OAuth1Op.SigningInput, signing) as string)) as { baseString: string; method: SignatureMethod };
      signature = await config.sign(input.baseString, input.method, tokenSecret);
    } catch (error) {
      core.call(OAuth1Op.Discard, signing);
      if (error instanceof BrowserOAuthError) throw error;
      throw new BrowserOAuthError("signing_failed", "the signer hook failed");
    }
    return parseJson(typed(() => core.call(OAuth1Op.Finish, signing, signature) as string)) as SignedRequest;
  }

  /**
   * Sends a signed credentials request; returns its status and body for the core to check.
   * It carries credentials (the signature, the temporary token and verifier), so a redirect
   * is an error rather than followed, and its options object has no prototype.
   */
  async function send({ method, url, authorization }: SignedRequest): Promise<[number, string]> {
    const controller = new AbortController();
    const abort = setTimeout(() => controller.abort(), Math.min(timeoutMs, MAX_DELAY_MS));
    try {
      const response = await fetchRef(url, {
        __proto__: null,
        method,
        headers: { Authorization: authorization },
        credentials: "omit",
        redirect: "error",
        signal: controller.signal,
      } as RequestInit);
      return [response.status, (await apply(responseText, response, [])) as string];
    } catch {
      throw new BrowserOAuthError("network_error", "the request to the provider failed", true);
    } finally {
      clearTimeout(abort);
    }
  }

  /** Wipes this client; `announce` tells the other tabs and entries. */
  function wipe(announce: boolean): void {
    clearTimeout(timer);
    timer = undefined;
    loggedIn = false;
    core.call(OAuth1Op.Logout, 0);
    if (announce) channel?.postMessage({ type: "logout", source: "oauth1" });
    emit("logout");
  }

  /** Re-checks the expiry against the clock and arms one timer for the next event. */
  function schedule(): void {
    clearTimeout(timer);
    timer = undefined;
    const at = core.call(OAuth1Op.ExpiresAt, 0);
    const expiresAt = at === undefined ? undefined : +at;
    const now = Date.now() / 1000;
    if (expiresAt === undefined || now >= expiresAt) {
      if (!loggedIn) return;
      loggedIn = false;
      core.call(OAuth1Op.Logout, 0);
      emit("expired");
      return;
    }
    const warnAt = expiresAt - noticeSeconds;
    if (now >= warnAt && !warned) {
      warned = true;
      emit("expiring");
    }
    const next = warned ? expiresAt : warnAt;
    timer = setTimeout(schedule, Math.min(Math.max(0, (next - now) * 1000), MAX_DELAY_MS));
  }

  channel?.addEventListener("message", (event: MessageEvent<unknown>) => {
    const data = event.data as { type?: unknown } | null;
    if (data?.type === "logout") wipe(false);
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") schedule();
  });

  async function authorizationUrl(): Promise<string> {
    const [status, body] = await send(await signed(typed(() => prepare(OAuth1Op.BeginLogin))));
    return call(() => core.call(OAuth1Op.AuthorizationUrl, status, body) as string);
  }

  return {
    authorizationUrl,
    async login() {
      window.location.assign(await authorizationUrl());
    },
    async handleRedirect(url = window.location.href) {
      const [status, body] = await send(await signed(call(() => prepare(OAuth1Op.BeginCallback, url))));
      const expiresAt = +(call(() => core.call(OAuth1Op.FinishLogin, status, body)) as string);
      warned = false;
      loggedIn = true;
      schedule();
      return { expiresAt: new Date(expiresAt * 1000) };
    },
    async fetch(input, init = {}) {
      const url = new URL(input, window.location.href).href;
      const method = (init.method ?? "GET").toUpperCase();
      const headers = new HeadersRef(init.headers);
      let body = init.body;
      let formBody: string | undefined;
      if (body instanceof URLSearchParams) {
        formBody = body.toString();
        body = formBody;
        headers.set("Content-Type", "application/x-www-form-urlencoded");
      } else if (typeof body === "string" && headers.get("Content-Type")?.split(";")[0]?.trim() === "application/x-www-form-urlencoded") {
        formBody = body;
      }
      let signing: number;
      try {
        signing = typed(() => prepare(OAuth1Op.PrepareFetch, method, url, formBody));
      } catch (error) {
        // The core dropped the credentials: their app-set lifetime is over.
        if (error instanceof BrowserOAuthError && error.code === "token_expired") schedule();
        throw error;
      }
      if (!allowedOrigins.includes(new URL(url).origin)) {
        core.call(OAuth1Op.Discard, signing);
        call(() => core.call(OAuth1Op.RefuseOrigin, 0));
        throw new BrowserOAuthError("origin_not_allowed", "requests are only signed for origins on allowedOrigins");
      }
      const request = await signed(signing);
      apply(headersSet, headers, ["Authorization", request.authorization]);
      return fetchRef(url, { ...init, __proto__: null, method, headers, body: body ?? null } as RequestInit);
    },
    expiresAt() {
      const at = core.call(OAuth1Op.ExpiresAt, 0);
      return at === undefined ? undefined : new Date(+at * 1000);
    },
    logout() {
      wipe(true);
    },
    on(event: OAuth1Event, listener: (event: OAuth1SecurityEvent) => void) {
      let set = listeners.get(event);
      if (set === undefined) listeners.set(event, (set = new Set()));
      const entry = listener as (event?: OAuth1SecurityEvent) => void;
      set.add(entry);
      return () => set.delete(entry);
    },
  };
}
