/**
 * browser-oauth: OAuth 2.0 and OpenID Connect for single-page apps, with the
 * security-critical half in WebAssembly.
 *
 * @packageDocumentation
 */
import init, { discoveryRequest, generatePkce as corePkce, WasmClient } from "../wasm/browser_oauth.js";
import { assertBrowser } from "./environment.js";
import type { Extension, Glue as DpopGlue } from "./dpop.js";
import { BrowserOAuthError, typed } from "./errors.js";
import { addListener, deliver, listenersOf, removeListener } from "./events.js";
import type { ErrorCode } from "./errors.js";
import { loader } from "./load.js";
import type { LoadOptions, WasmSource } from "./load.js";
import { MESSAGE_TYPE, openPopup } from "./popup-window.js";
import { answerTo, fetchRef, headerOf, send, startDiscovery, textOf } from "./request.js";
import type { Answer, CoreRequest } from "./request.js";

export { BrowserOAuthError, ServerError } from "./errors.js";
export type { ErrorCode } from "./errors.js";
export type { LoadOptions, WasmSource } from "./load.js";

/*
 * Private references to every web API that ever sees a token, taken once when this module
 * is evaluated (design.md: "never the live globals"). Script that replaces `fetch`,
 * `JSON.parse`, `Response.prototype.text` or the like after this point sees nothing of
 * ours. What it can still do is in docs/tokens.md ("Script on the page").
 */
// Evaluating this module never throws, even where one of these is missing (a server-side
// import): a missing API fails the call that needs it, as a typed error or status 0.
const root = globalThis;
const apply = Reflect.apply;
const parseJson = JSON.parse;
const stringifyJson = JSON.stringify;
const RequestRef = root.Request;
const headersSet = root.Headers?.prototype.set;
const requestClone = RequestRef?.prototype.clone;
const requestHeaders = RequestRef && Object.getOwnPropertyDescriptor(RequestRef.prototype, "headers")?.get;
const HeadersRef = root.Headers;
const encoder = root.TextEncoder && new root.TextEncoder();
const encodeText = encoder?.encode.bind(encoder) as TextEncoder["encode"];
const subtle = root.crypto?.subtle;
const importKey = subtle?.importKey.bind(subtle) as SubtleCrypto["importKey"];
const verifySignature = subtle?.verify.bind(subtle) as SubtleCrypto["verify"];
const atobRef = root.atob?.bind(root) as typeof atob;
const locks = root.navigator?.locks;
const locksRequest = locks?.request.bind(locks);


/** Loads and instantiates the WebAssembly module once (a failed load is retried next time). */
const load = loader(init);

/**
 * The `dpop` build of the module, loaded and instantiated once, from the `dpopWasm` option or
 * its default URL, only when `dpop` or `persist` is set. Loaded here rather than in dpop.ts,
 * which imports no values from this entry's modules (see there).
 */
const loadDpop = loader((options) => import("../wasm-dpop/browser_oauth_dpop.js").then((glue) => glue.default(options)), "dpopWasm");
/** The `dpop` build's glue, once its module is instantiated. */
const dpopGlue = async (source: WasmSource | undefined): Promise<DpopGlue> => {
  await loadDpop(source);
  return import("../wasm-dpop/browser_oauth_dpop.js");
};

/** A `BrowserOAuthError`, for the lazily loaded modules, which import no values from here. */
const newError = (code: ErrorCode, message: string): Error => new BrowserOAuthError(code, message);

/** The BroadcastChannel on which every browser-oauth entry announces a logout. */
const ENTRIES_CHANNEL = "browser-oauth";

/** A WebCrypto verification the core planned: algorithm, public key and bytes, all chosen by the core. */
interface VerifyPlan {
  import: RsaHashedImportParams | EcKeyImportParams;
  params: AlgorithmIdentifier | RsaPssParams | EcdsaParams;
  jwk: JsonWebKey;
  data: string;
  sig: string;
}

/** What the core asks the wrapper to do next in an operation (see `Step` in src/client.rs). */
interface Step {
  send?: CoreRequest;
  lock?: string;
  /** The signing input of the request's DPoP proof (the `dpop` build). */
  proof?: string;
  verify?: VerifyPlan;
  sleep?: number;
  broadcast?: string;
  done?: unknown;
}

/**
 * GETs `url` with the access token (the UserInfo request): `authorization` is the header
 * value (`Bearer <token>`, or `DPoP <token>` with its `proof`). Returns status (0 for no
 * answer), body, `Content-Type`, `WWW-Authenticate` and `DPoP-Nonce` for the core to judge.
 * Through the private references, with no prototype on the options and `redirect: "error"`:
 * the token goes to the userinfo endpoint and nowhere else.
 */
async function sendToken(
  url: string,
  authorization: string,
  proof: string | undefined,
  timeoutMs = 10_000,
): Promise<[number, string, (string | undefined)?, (string | undefined)?, (string | undefined)?]> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), Math.min(timeoutMs, 2 ** 31 - 1));
  try {
    const response = await fetchRef(url, {
      __proto__: null,
      headers: { Accept: "application/json", Authorization: authorization, ...(proof === undefined ? {} : { DPoP: proof }) },
      credentials: "omit",
      redirect: "error",
      signal: controller.signal,
    } as RequestInit);
    const header = (name: string): string | undefined => headerOf(response.headers, name) ?? undefined;
    return [response.status, await textOf(response), header("Content-Type"), header("WWW-Authenticate"), header("DPoP-Nonce")];
  } catch {
    return [0, ""];
  } finally {
    clearTimeout(timer);
  }
}

/** Runs a WebCrypto verification planned by the core; any failure is "does not verify". */
async function verify(plan: VerifyPlan): Promise<boolean> {
  try {
    const key = await importKey("jwk", plan.jwk, plan.import, false, ["verify"]);
    const sig = Uint8Array.from(atobRef(plan.sig.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
    return await verifySignature(plan.params, key, sig, encodeText(plan.data));
  } catch {
    return false;
  }
}

/** A PKCE pair (RFC 7636). */
export interface PkcePair {
  /** The code verifier: 43 characters from 32 bytes of `crypto.getRandomValues`. */
  verifier: string;
  /** `BASE64URL(SHA256(verifier))`. */
  challenge: string;
  /** Always `"S256"`: `plain` is not offered. */
  method: "S256";
}

/**
 * Generates a PKCE code verifier and its S256 challenge.
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.1
 */
export async function generatePkce(options: LoadOptions = {}): Promise<PkcePair> {
  assertBrowser();
  await load(options.wasm);
  return parseJson(typed(corePkce)) as PkcePair;
}

/** Provider metadata passed in directly, instead of fetched (RFC 8414 / OIDC Discovery names). */
export interface ProviderMetadata {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  code_challenge_methods_supported: string[];
  revocation_endpoint?: string;
  end_session_endpoint?: string;
  jwks_uri?: string;
  authorization_response_iss_parameter_supported?: boolean;
  [member: string]: unknown;
}

/** The client configuration. `wasm` says where the WebAssembly module is (see {@link WasmSource}). */
export interface ClientConfig extends LoadOptions {
  /** The issuer identifier: https (http only on loopback), compared exactly. */
  issuer: string;
  /** The registered client id of this public client. */
  clientId: string;
  /** The registered redirect URI: https (http only on loopback), no fragment. */
  redirectUri: string;
  /** Space-separated scopes; default `"openid"`. Ask for the least you need. */
  scope?: string;
  /** Where the provider sends the browser after logout: same policy as `redirectUri`. */
  postLogoutRedirectUri?: string;
  /** Time limit of a pending login, in seconds; default 600. */
  pendingRequestMaxAgeSeconds?: number;
  /** PKCE verifier length, 43 to 128; default 43. */
  codeVerifierLength?: number;
  /** Seconds before expiry at which `expiring` fires and reads renew the token (at most half the lifetime); default 60. */
  refreshMarginSeconds?: number;
  /** Refresh by itself when the token is expiring and a refresh token is held; default true. */
  autoRefresh?: boolean;
  /** Refresh attempts per round on network errors, 429 and 5xx, with backoff; default 4. */
  maxRefreshAttempts?: number;
  /** Tolerated clock difference for ID-token times, in seconds; default 60. */
  clockSkewSeconds?: number;
  /** A grant broader than `scope`: `"report"` (a `scopeChanged` event, the default) or `"refuse"` the login. */
  scopePolicy?: "report" | "refuse";
  /**
   * The origins (`URL.origin` form, e.g. `"https://api.example.com"`) that `client.fetch` may
   * send the access token to. Default: this page's origin only.
   */
  allowedOrigins?: string[];
  /** Where the provider puts the response; default `"query"`. */
  responseMode?: "query" | "fragment";
  /** Timeout of each request to the provider, in milliseconds; default 10000. */
  requestTimeoutMs?: number;
  /** Which well-known document to fetch; default `"openid-configuration"`. */
  discovery?: "openid-configuration" | "oauth-authorization-server";
  /** Metadata given directly: no discovery request is made. */
  metadata?: ProviderMetadata;
  /**
   * Audiences besides `clientId` that an ID token may also name (OIDC Core §3.1.3.7 step 3).
   * Default: none, so an ID token for this client and anyone else is refused.
   */
  trustedAudiences?: string[];
  /**
   * DPoP (RFC 9449): bind the tokens to a non-extractable key pair of this browser. `true`
   * refuses unbound tokens (`dpop_not_bound`); `"optional"` accepts them. Default off.
   */
  dpop?: boolean | "optional";
  /**
   * Keep the session across reloads, encrypted under a non-extractable key: `"tab"` (this
   * tab and its reloads, in sessionStorage) or `"browser"` (every tab of the origin, in
   * IndexedDB). Only a DPoP-bound refresh token persists, unless `persistUnboundRefreshToken`.
   * Default: memory only. See the README, "Staying signed in".
   */
  persist?: "tab" | "browser";
  /**
   * Where the WebAssembly module of the DPoP and persistence build is (`dpop` or `persist`
   * set), the same forms as `wasm` (see {@link WasmSource}). Default: its `.wasm` beside
   * `dist/dpop.js`, `wasm-dpop/browser_oauth_dpop_bg.wasm`.
   */
  dpopWasm?: WasmSource;
  /** Persist a refresh token that is not DPoP-bound. Script on the page could then decrypt it and use it elsewhere. */
  persistUnboundRefreshToken?: boolean;
  /** Listeners attached before `createClient` does any work, so they hear its restore. */
  on?: { [K in ClientEventType]?: (event: ClientEvents[K]) => void };
}

/** Options of one login. */
export interface LoginOptions {
  /** A same-origin path to return to after login, e.g. `"/inbox"`. Anything else is refused. */
  returnTo?: string;
  /**
   * Extra authorization request parameters (prompt, login_hint, ui_locales, acr_values,
   * audience, resource...). They can never replace the ones the library sets.
   */
  extraParams?: Record<string, string>;
}

/** Options of a popup login. */
export interface PopupLoginOptions extends LoginOptions {
  /** Seconds to wait for the popup's answer before closing it with `popup_timeout`; default 300. */
  timeoutSeconds?: number;
}

/** The outcome of `handleRedirect`. */
export interface RedirectResult {
  /**
   * False when the provider answered a `restore()` (or any `prompt=none` request) with
   * `login_required`, `interaction_required` or `consent_required`: not signed in, and not
   * an error.
   */
  signedIn: boolean;
  /** Why not signed in, when `signedIn` is false. */
  reason?: "login_required" | "interaction_required" | "consent_required";
  /** The `returnTo` given to `login`, already checked to be a same-origin path. */
  returnTo: string | undefined;
  /** The scope the provider granted. */
  scope: string;
}

/** Where a refusal happened: see {@link ClientEvents.security}. */
export type SecurityPhase = "callback" | "token" | "id_token" | "refresh" | "logout" | "storage" | "config" | "userinfo";

/** Events and their payloads. Times are seconds since the epoch. No payload holds a token. */
export interface ClientEvents {
  /** The access token is within the margin of its expiry (and not yet renewed). */
  expiring: { type: "expiring"; expiresAt: number };
  /** The access token expired without being renewed. */
  expired: { type: "expired"; expiresAt: number };
  /** New tokens are in the vault. */
  refreshed: { type: "refreshed"; expiresAt?: number };
  /** A refresh attempt failed; `willRetry` says whether another is scheduled. */
  refreshFailed: { type: "refreshFailed"; code: ErrorCode; attempt: number; willRetry: boolean };
  /** A persisted session was restored by `createClient` (read, decrypted, refreshed, verified). */
  restored: { type: "restored" };
  /**
   * The session is over (e.g. `session_ended` when the provider refused the refresh token,
   * `persisted_session_invalid` when a stored session could not be used); tokens are wiped.
   */
  sessionEnded: { type: "sessionEnded"; code: ErrorCode };
  /** The granted scope differs from the requested one, or changed on refresh. */
  scopeChanged: { type: "scopeChanged"; requested: string; granted: string };
  /** This tab logged out, or followed another tab's logout (`otherTab`). Everything is wiped. */
  logout: { type: "logout"; otherTab: boolean };
  /**
   * A response or input was refused: one event per refusal (wrong state or `iss`, a replayed
   * or tampered callback, an ID token that fails a check, an open-redirect `returnTo`, a
   * token bound for an origin off `allowedOrigins`, refresh-token reuse ending the session,
   * a storage failure, ...). `code` is the error's code; `time` is in seconds since the
   * epoch. It never carries a token, a code, a state or a response: forward it to your
   * monitoring as it is (README, "Security events").
   */
  security: { type: "security"; code: ErrorCode; phase: SecurityPhase; time: number; issuer: string };
}

/**
 * How one revocation went: `revoked` (the provider answered 200), `failed` (no answer or
 * another status: the token may stay valid until it expires), `none` (not held),
 * `unsupported` (no revocation endpoint) or `skipped` (local logout).
 */
export type RevocationOutcome = "revoked" | "failed" | "none" | "unsupported" | "skipped";

/** What `logout` did. The local wipe always happens, whatever the provider did. */
export interface LogoutResult {
  /** Revocation of the refresh token (sent first). */
  refreshToken: RevocationOutcome;
  /** Revocation of the access token. */
  accessToken: RevocationOutcome;
  /** The end-session URL the browser is being sent to, when `endSession` was asked and possible. */
  endSession?: string;
}

/** Options of `logout`. */
export interface LogoutOptions {
  /** Only the local part: no revocation and no redirect (no network at all), even with `endSession`. */
  local?: boolean;
  /**
   * Afterwards, send the browser to the provider's `end_session_endpoint` (RP-Initiated
   * Logout) with `id_token_hint`, `client_id`, `postLogoutRedirectUri` and a fresh `state`;
   * call `handleLogoutRedirect` on the page it returns to. Ignored with `local`.
   *
   * > [!WARNING]
   * > `id_token_hint` puts the ID token in the URL: it lands in the browser history and in
   * > the provider's logs. Pass `idTokenHint: false` to leave it out (some providers then
   * > ask the user to confirm).
   */
  endSession?: boolean;
  /** With `endSession`: send `id_token_hint`; default true. */
  idTokenHint?: boolean;
}

/** The name of an event. */
export type ClientEventType = keyof ClientEvents;

/** The signed-in user's ID-token claims. */
export type UserClaims = Record<string, unknown> & { sub: string; iss: string };

/** The claims the UserInfo endpoint returned for the signed-in user (OIDC Core §5.3.2). */
export type UserInfoClaims = Record<string, unknown> & { sub: string };

/** An OAuth 2.0 / OpenID Connect client for this page. Create it with {@link createClient}. */
export interface Client {
  /**
   * Builds the authorization request (PKCE S256, state, nonce), remembers it in
   * sessionStorage, and sends the browser to the provider. Synchronous up to the navigation,
   * so it works inside a click handler.
   */
  login(options?: LoginOptions): void;
  /**
   * Logs in without leaving the page: opens the authorization request in a popup (call it
   * from a click handler, or the browser blocks it: `popup_blocked`). The redirect page in
   * the popup hands the response back (`handlePopupCallback` from `browser-oauth/popup`);
   * this page validates it and exchanges the code, with the checks of `handleRedirect`.
   * Rejects with `popup_closed` when the user closes the popup, `popup_timeout` after
   * `timeoutSeconds`. The redirect URI must be on this page's origin.
   */
  loginPopup(options?: PopupLoginOptions): Promise<RedirectResult>;
  /** Builds the authorization URL and stores the pending request, without navigating. */
  authorizationUrl(options?: LoginOptions): string;
  /**
   * On the redirect page: validates the response (state, iss, single use, time limit),
   * removes it from the address bar, exchanges the code and checks the tokens.
   */
  handleRedirect(url?: string): Promise<RedirectResult>;
  /**
   * The low-level first half of `handleRedirect`: checks the response at `url` (state, iss,
   * single use, time limit) with no network and without touching the address bar (remove
   * the response from it yourself), and holds the code for `exchangeCode`. Apps normally
   * call `handleRedirect` instead. Throws the same typed errors.
   */
  validateCallback(url: string): void;
  /**
   * Signs in silently when the provider still has a session: a top-level redirect with
   * `prompt=none` (no iframe). Back on the redirect page, `handleRedirect` resolves with
   * `signedIn: false` when the provider has no session.
   */
  restore(options?: LoginOptions): void;
  /** The low-level second half of `handleRedirect`: exchanges the code `validateCallback` holds. */
  exchangeCode(): Promise<RedirectResult>;
  /** The signed-in user's verified ID-token claims (signature, iss, aud, exp, nonce), or `undefined`. */
  user(): UserClaims | undefined;
  /** The granted scopes, or `undefined` before login. */
  grantedScopes(): string[] | undefined;
  /**
   * When the access token expires (absolute time), or `undefined` when signed out or when
   * the provider gave no lifetime. `expiring` fires `refreshMarginSeconds` before it (at most
   * half the lifetime).
   */
  expiresAt(): Date | undefined;
  /**
   * Whether a user is signed in with tokens that still work: an access token that has not
   * expired, or a refresh token that can renew it. Checked against the clock on every call;
   * no network, and the token is not read.
   */
  isAuthenticated(): boolean;
  /**
   * Asks the provider's UserInfo endpoint for the signed-in user's claims, with the access
   * token (renewed first when due; one refresh and retry on a 401 `invalid_token`); with
   * `dpop`, as `Authorization: DPoP` with a proof, answering a nonce challenge once. The
   * answer is used only when it is a JSON object whose `sub` is exactly the ID token's (OIDC
   * Core §5.3.2). Throws `login_required`, `userinfo_unavailable` (no endpoint, or no ID
   * token: ask for the `openid` scope), `userinfo_error` (the endpoint refused),
   * `invalid_userinfo_response`, `userinfo_subject_mismatch` or `network_error`.
   * @see https://openid.net/specs/openid-connect-core-1_0.html#UserInfo
   */
  userInfo(): Promise<UserInfoClaims>;
  /**
   * A valid access token, refreshing first when it is within the margin of expiry (renew on
   * read). Concurrent callers share one refresh.
   *
   * > [!WARNING]
   * > This hands the bearer token to JavaScript. Prefer {@link Client.fetch}.
   */
  getAccessToken(): Promise<string>;
  /**
   * `fetch` with `Authorization: Bearer <token>`, only to origins on `allowedOrigins`
   * (anything else throws `origin_not_allowed` before any token is read). A 401 whose
   * `WWW-Authenticate` says `error="invalid_token"` is followed by one refresh and one retry.
   * With `dpop`: `Authorization: DPoP <token>` and a `DPoP` proof; a DPoP challenge with
   * `error="invalid_token"` gets the same one refresh and retry, one with
   * `error="use_dpop_nonce"` one retry with the new nonce.
   */
  fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response>;
  /** Refreshes now (joining a refresh already under way). */
  refresh(): Promise<void>;
  /**
   * Logs out, leaving nothing behind: revokes the refresh token then the access token (RFC
   * 7009, best effort, each with a 5 s limit) after letting a refresh in flight land, stops
   * the timer, wipes the tokens from WASM memory, removes every `browser-oauth:` key from
   * sessionStorage and localStorage, tells the other tabs (which revoke their own tokens,
   * wipe too and emit `logout`), emits `logout`, then redirects to the provider if
   * `endSession` was asked (never with `local`). The provider being down does
   * not stop the local part: the result says what could not be revoked.
   * @see https://www.rfc-editor.org/rfc/rfc7009
   */
  logout(options?: LogoutOptions): Promise<LogoutResult>;
  /**
   * On the post-logout redirect page: checks the `state` the provider sent back against the
   * one this tab stored (single use), and removes it from the address bar. Throws
   * `state_mismatch`, `missing_state`, `pending_request_expired` or `redirect_uri_mismatch`.
   */
  handleLogoutRedirect(url?: string): void;
  /** Adds an event listener. */
  on<K extends ClientEventType>(type: K, listener: (event: ClientEvents[K]) => void): void;
  /** Removes an event listener. */
  off<K extends ClientEventType>(type: K, listener: (event: ClientEvents[K]) => void): void;
}

/**
 * Creates a client: checks the configuration and fetches the provider metadata (unless
 * given), refusing a provider whose issuer does not match or that lacks PKCE S256.
 */
export async function createClient(config: ClientConfig): Promise<Client> {
  assertBrowser();
  // DPoP and persistence come with their own wasm and module, loaded only when asked for
  // (the wasm option is for the default module, dpopWasm for that one).
  const extended = config.dpop !== undefined && config.dpop !== false || config.persist !== undefined;
  // The discovery request goes out while the wasm loads (the core still decides on both).
  const early = startDiscovery(config);
  // The module and its wasm load side by side.
  const [dpop, extendedGlue] = extended
    ? await Promise.all([import("./dpop.js"), dpopGlue(config.dpopWasm)])
    : [undefined, undefined];
  const glue = extendedGlue ?? (await load(config.wasm), { discoveryRequest, WasmClient });
  const json = stringifyJson({ ...config, wasm: undefined, dpopWasm: undefined, allowedOrigins: config.allowedOrigins ?? [location.origin] });
  const discovery = typed(() => glue.discoveryRequest(json));
  const [status, body] = discovery === undefined ? [0, undefined] : await answerTo(parseJson(discovery) as CoreRequest, early);
  const listeners = listenersOf(config.on as Record<string, (event: never) => void> | undefined);
  let ext: Extension | undefined;
  let inflight: Promise<void> | undefined;
  // Logout reaches the other tabs of this client (same origin, issuer and client id).
  const channel = typeof BroadcastChannel === "function"
    ? new BroadcastChannel(`browser-oauth:${config.clientId} ${config.issuer}`)
    : undefined;
  // ...and every other browser-oauth entry of the origin, in this tab too: the OAuth 1.0a
  // entry (`browser-oauth/oauth1`) wipes its credentials when it hears this.
  const entries = typeof BroadcastChannel === "function" ? new BroadcastChannel(ENTRIES_CHANNEL) : undefined;

  /** Runs a core call, converts its errors, then delivers the events it queued. */
  const call = <T>(fn: () => T): T => {
    try {
      return typed(fn);
    } finally {
      deliver(listeners, core.call(Op.Events, 0));
    }
  };
  /** Whether a `WWW-Authenticate` header says `invalid_token`, asked of this client's build. */
  const isInvalidToken = (header: string | null | undefined): boolean =>
    core.call(Op.IsInvalidToken, 0, header ?? "") !== undefined;
  /** Runs core operation `op` (see ops.d.ts) with its arguments through `call`. */
  const ask = (op: Op, text?: string, num = 0, more?: string): string | undefined =>
    call(() => core.call(op, num, text, more));

  // While a logout runs, a refresh stops at its next backoff pause (which is cut short) and
  // no new refresh starts: logout then revokes the tokens the refresh left in the vault.
  let loggingOut = false;
  let endPause: (() => void) | undefined;
  /** This tab following another tab's logout (revoking its own tokens), while it runs. */
  let following: Promise<void> | undefined;
  const stopped = (): BrowserOAuthError => new BrowserOAuthError("login_required", "logged out");

  /** Drives one operation of the core (code exchange, refresh) step by step until done. */
  const run = async (first: () => string | undefined): Promise<unknown> => {
    let step = parseJson(call(first) as string) as Step;
    while (step.done === undefined) {
      let answer: Answer;
      if (step.send !== undefined) {
        const request = step.send;
        const proof = step.proof;
        answer = step.lock !== undefined && locksRequest !== undefined
          ? await locksRequest(step.lock, () => send(request, ext, proof))
          : await send(request, ext, proof);
      } else if (step.verify !== undefined) {
        answer = [(await verify(step.verify)) ? 1 : 0, ""];
      } else if (step.broadcast !== undefined) {
        channel?.postMessage(step.broadcast);
        answer = [0, ""];
      } else {
        if (loggingOut) throw stopped();
        await new Promise<void>((resolve) => {
          endPause = resolve;
          setTimeout(resolve, step.sleep);
        });
        endPause = undefined;
        if (loggingOut) throw stopped();
        answer = [0, ""];
      }
      step = parseJson(ask(Op.Resume, answer[1], answer[0], answer[2]) as string) as Step;
    }
    return step.done;
  };

  /** One refresh at a time in this tab: concurrent callers share it. */
  const refresh = (): Promise<void> =>
    loggingOut ? Promise.reject(stopped()) : (inflight ??= (ext === undefined
      ? run(() => ask(Op.StartRefresh))
      : ext.refresh(async () => { await run(() => ask(Op.StartRefresh)); })).then(
      () => { inflight = undefined; },
      (error: unknown) => { inflight = undefined; throw error; },
    ));

  const getAccessToken = async (): Promise<string> => {
    let failure: unknown;
    if (ask(Op.AccessToken, undefined, 1) === undefined) await refresh().catch((error: unknown) => { failure = error; });
    try {
      return ask(Op.AccessToken) as string;
    } catch (error) {
      throw failure ?? error;
    }
  };

  /** The timer fired or the page woke up: the core checks the clock. */
  const wake = (): void => {
    if (ask(Op.Tick) !== undefined) refresh().catch(() => {});
  };
  const core = typed(() => glue.WasmClient.create(json, status, body, wake));
  if (dpop !== undefined) {
    ext = await dpop.attach(config, { core: core as never, call, run, error: newError }, extendedGlue as DpopGlue);
    await ext.restore();
  }
  /** The DPoP half, when DPoP is on (with `persist` alone, tokens go as Bearer as usual). */
  const dpopExt = config.dpop ? ext : undefined;
  if (channel !== undefined) {
    channel.onmessage = (message: MessageEvent) => {
      // A tab already logging out finishes its own logout, which wipes everything anyway.
      if (message.data !== "logout" || loggingOut) return;
      // Like logout(): a refresh in flight lands first, then this tab revokes its own tokens;
      // with DPoP or persistence the records and keys go too.
      loggingOut = true;
      endPause?.();
      following = (inflight ?? Promise.resolve())
        .catch(() => {})
        .then(() => run(() => ask(Op.RemoteLogout)))
        .then(() => {}, () => {})
        .then(() => ext?.wipe())
        .catch(() => {})
        .finally(() => {
          loggingOut = false;
          following = undefined;
        });
    };
  }
  const authorizationUrl = (options: LoginOptions = {}): string =>
    ask(Op.Login, stringifyJson(options)) as string;
  const login = (options?: LoginOptions): void => {
    const url = authorizationUrl(options);
    const go = (): void => window.location.assign(url);
    // With DPoP the code is bound to the key pair (dpop_jkt): it is stored before leaving.
    // If IndexedDB refuses, the browser still goes (the code exchange then fails, typed).
    if (ext === undefined) go();
    else void ext.beforeLogin().then(go, go);
  };
  /** The result of a code exchange; with persistence the new session is written first. */
  const signedIn = async (result: Partial<RedirectResult>): Promise<RedirectResult> => {
    if (result.signedIn === false) return { signedIn: false, returnTo: undefined, scope: "", ...result };
    await ext?.afterLogin();
    return { signedIn: true, returnTo: result.returnTo, scope: result.scope ?? "" };
  };
  const exchangeCode = async (): Promise<RedirectResult> =>
    signedIn((await run(() => ask(Op.ExchangeCode))) as Partial<RedirectResult>);
  const validateCallback = (url: string): void => {
    ask(Op.ValidateCallback, url);
  };
  return {
    authorizationUrl,
    login,
    restore(options = {}) {
      login({ ...options, extraParams: { ...options.extraParams, prompt: "none" } });
    },
    loginPopup({ timeoutSeconds = 300, ...options } = {}) {
      const origin = new URL(config.redirectUri).origin;
      if (origin !== location.origin) {
        return Promise.reject(new BrowserOAuthError("invalid_config", "loginPopup needs a redirect URI on this origin"));
      }
      const popup = openPopup();
      if (popup === null) return Promise.reject(new BrowserOAuthError("popup_blocked", "the browser blocked the login popup"));
      return import("./popup-login.js").then(
        ({ completePopupLogin }) => completePopupLogin(popup, {
          authorize: () => authorizationUrl(options),
          origin,
          timeoutMs: timeoutSeconds * 1000,
          validate: validateCallback,
          exchange: exchangeCode,
          ignored: () => ask(Op.UntrustedPopupMessage),
          messageType: MESSAGE_TYPE,
          error: newError,
        }),
        (error: unknown) => {
          popup.close();
          throw error;
        },
      );
    },
    async handleRedirect(url = window.location.href) {
      return signedIn((await run(() => ask(Op.BeginRedirect, url))) as Partial<RedirectResult>);
    },
    validateCallback,
    exchangeCode,
    user() {
      const claims = core.call(Op.User, 0);
      return claims === undefined ? undefined : (parseJson(claims) as UserClaims);
    },
    grantedScopes() {
      return core.call(Op.GrantedScope, 0)?.split(" ");
    },
    expiresAt() {
      const at = core.call(Op.ExpiresAt, 0);
      return at === undefined ? undefined : new Date(Number(at) * 1000);
    },
    isAuthenticated() {
      return core.call(Op.IsAuthenticated, 0) !== undefined;
    },
    async userInfo() {
      const endpoint = typed(() => core.call(Op.UserinfoEndpoint, 0)) as string;
      const send = (authorization: string, proof?: string) => sendToken(endpoint, authorization, proof, config.requestTimeoutMs);
      let answer: Awaited<ReturnType<typeof send>>;
      if (dpopExt !== undefined) {
        // With DPoP: `DPoP <token>` and a proof, nonces and the one refresh as for client.fetch.
        answer = await dpopExt.present("GET", endpoint, getAccessToken, refresh, async (authorization, proof) => {
          const sent = await send(authorization, proof);
          return { status: sent[0], challenge: sent[3] ?? null, nonce: sent[4] ?? null, result: sent };
        });
      } else {
        for (let retried = false; ; retried = true) {
          answer = await send(`Bearer ${await getAccessToken()}`);
          if (retried || answer[0] !== 401 || !isInvalidToken(answer[3])) break;
          await refresh();
        }
      }
      const [status, body, contentType] = answer;
      ask(Op.Userinfo, body, status, contentType);
      return parseJson(body) as UserInfoClaims;
    },
    getAccessToken,
    refresh,
    async fetch(input, init) {
      const request = new RequestRef(input, init);
      if (ask(Op.OriginAllowed, new URL(request.url).origin) === undefined) {
        throw new BrowserOAuthError("origin_not_allowed", "the token is only sent to origins on allowedOrigins");
      }
      if (dpopExt !== undefined) return dpopExt.fetch(request, getAccessToken, refresh);
      for (let retried = false; ; retried = true) {
        // A fresh Headers and a prototype-less init: the token goes into objects that no
        // getter or method planted after load is handed.
        const attempt = apply(requestClone, request, []) as Request;
        const headers = new HeadersRef(requestHeaders === undefined ? undefined : (apply(requestHeaders, attempt, []) as Headers));
        apply(headersSet, headers, ["Authorization", `Bearer ${await getAccessToken()}`]);
        const response = await fetchRef(new RequestRef(attempt, { __proto__: null, headers } as RequestInit));
        if (retried || response.status !== 401 || !isInvalidToken(headerOf(response.headers, "WWW-Authenticate"))) {
          return response;
        }
        await refresh();
      }
    },
    async logout(options = {}) {
      // A logout heard from another tab finishes first (the vault is then empty).
      await following;
      // A refresh in flight finishes first (its answer, maybe a rotated refresh token, must
      // land in the vault before the vault's tokens are revoked); a backoff pause ends now.
      loggingOut = true;
      endPause?.();
      await inflight?.catch(() => {});
      let result: LogoutResult;
      try {
        result = (await run(() => ask(Op.Logout, stringifyJson(options)))) as LogoutResult;
      } finally {
        loggingOut = false;
        await ext?.wipe();
      }
      entries?.postMessage({ type: "logout", source: "oauth2" });
      if (result.endSession !== undefined) window.location.assign(result.endSession);
      return result;
    },
    handleLogoutRedirect(url = window.location.href) {
      ask(Op.HandleLogoutRedirect, url);
    },
    on(type, listener) {
      addListener(listeners, type, listener as (event: never) => void);
    },
    off(type, listener) {
      removeListener(listeners, type, listener as (event: never) => void);
    },
  };
}
