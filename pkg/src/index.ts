/**
 * browser-oauth: OAuth 2.0 and OpenID Connect for single-page apps, with the
 * security-critical half in WebAssembly.
 *
 * @packageDocumentation
 */
import init, { discoveryRequest, generatePkce as corePkce, WasmClient } from "../wasm/browser_oauth.js";
import { BrowserOAuthError, typed } from "./errors.js";

export { BrowserOAuthError, ServerError } from "./errors.js";
export type { ErrorCode } from "./errors.js";

let ready: Promise<unknown> | undefined;

/** Loads and instantiates the WebAssembly module once. */
function load(): Promise<unknown> {
  ready ??= init();
  return ready;
}

/** A request the core asks for: a GET, or a form POST when `body` is given. */
interface CoreRequest {
  url: string;
  body?: string;
  timeoutMs: number;
}

/**
 * Sends a request the core built and returns its status and body text for the core to
 * check. No cookies; aborted after `timeoutMs`. The wasm side never awaits: waiting here
 * keeps an async executor out of the wasm (about 10 KB). Every failure (network, CORS,
 * timeout) is `network_error` with `requestSent`: the request may have reached the provider.
 */
async function send(json: string): Promise<[number, string]> {
  const { url, body, timeoutMs } = JSON.parse(json) as CoreRequest;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), Math.min(timeoutMs, 2 ** 31 - 1));
  const headers: Record<string, string> = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/x-www-form-urlencoded";
  try {
    const response = await fetch(url, {
      method: body === undefined ? "GET" : "POST",
      headers,
      body: body ?? null,
      credentials: "omit",
      signal: controller.signal,
    });
    return [response.status, await response.text()];
  } catch {
    throw new BrowserOAuthError("network_error", "the request to the provider failed", true);
  } finally {
    clearTimeout(timer);
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
export async function generatePkce(): Promise<PkcePair> {
  await load();
  return JSON.parse(typed(corePkce)) as PkcePair;
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

/** The client configuration. */
export interface ClientConfig {
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
  /** Where the provider puts the response; default `"query"`. */
  responseMode?: "query" | "fragment";
  /** Timeout of each request to the provider, in milliseconds; default 10000. */
  requestTimeoutMs?: number;
  /** Which well-known document to fetch; default `"openid-configuration"`. */
  discovery?: "openid-configuration" | "oauth-authorization-server";
  /** Metadata given directly: no discovery request is made. */
  metadata?: ProviderMetadata;
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

/** The outcome of a successful `handleRedirect`. */
export interface RedirectResult {
  /** The `returnTo` given to `login`, already checked to be a same-origin path. */
  returnTo: string | undefined;
  /** The scope the provider granted. */
  scope: string;
}

/** The signed-in user's ID-token claims. */
export type UserClaims = Record<string, unknown> & { sub: string; iss: string };

/** An OAuth 2.0 / OpenID Connect client for this page. Create it with {@link createClient}. */
export interface Client {
  /**
   * Builds the authorization request (PKCE S256, state, nonce), remembers it in
   * sessionStorage, and sends the browser to the provider. Synchronous up to the navigation,
   * so it works inside a click handler.
   */
  login(options?: LoginOptions): void;
  /** Builds the authorization URL and stores the pending request, without navigating. */
  authorizationUrl(options?: LoginOptions): string;
  /**
   * On the redirect page: validates the response (state, iss, single use, time limit),
   * removes it from the address bar, exchanges the code and checks the tokens.
   */
  handleRedirect(url?: string): Promise<RedirectResult>;
  /** The signed-in user's claims, or `undefined`. */
  user(): UserClaims | undefined;
  /** The granted scopes, or `undefined` before login. */
  grantedScopes(): string[] | undefined;
}

/**
 * Creates a client: checks the configuration and fetches the provider metadata (unless
 * given), refusing a provider whose issuer does not match or that lacks PKCE S256.
 */
export async function createClient(config: ClientConfig): Promise<Client> {
  await load();
  const json = JSON.stringify(config);
  const discovery = typed(() => discoveryRequest(json));
  const [status, body] = discovery === undefined ? [0, undefined] : await send(discovery);
  const core = typed(() => WasmClient.create(json, status, body));
  const authorizationUrl = (options: LoginOptions = {}): string =>
    typed(() => core.login(JSON.stringify(options)));
  return {
    authorizationUrl,
    login(options) {
      window.location.assign(authorizationUrl(options));
    },
    async handleRedirect(url = window.location.href) {
      const [status, body] = await send(typed(() => core.beginRedirect(url)));
      const result = JSON.parse(typed(() => core.finishRedirect(status, body))) as Partial<RedirectResult>;
      return { returnTo: result.returnTo, scope: result.scope ?? "" };
    },
    user() {
      const claims = core.user();
      return claims === undefined ? undefined : (JSON.parse(claims) as UserClaims);
    },
    grantedScopes() {
      return core.grantedScope()?.split(" ");
    },
  };
}
