/**
 * browser-oauth/login: the entry for a landing page, a page that only sends the user to
 * the provider. Its WebAssembly module (`wasm-login/`) is the same Rust client built with
 * the `landing` feature: configuration, discovery and the login request (PKCE S256, state,
 * nonce, the pending request stored), and nothing after login, so the page downloads about
 * 15 KB gzipped less than with the main entry. The redirect back is handled on the page
 * that uses the main entry (`createClient(...).handleRedirect()`), with the same
 * configuration: the pending request is in this tab's sessionStorage.
 *
 * @packageDocumentation
 */
import init, { discoveryRequest, WasmClient } from "../wasm-login/browser_oauth_login.js";
import { assertBrowser } from "./environment.js";
import { BrowserOAuthError, typed } from "./errors.js";
import { addListener, deliver, listenersOf, removeListener } from "./events.js";
import type { ClientConfig, ClientEvents, ClientEventType, LoginOptions } from "./index.js";
import { loader } from "./load.js";
import { answerTo, startDiscovery } from "./request.js";
import type { CoreRequest } from "./request.js";

export { BrowserOAuthError } from "./errors.js";
export type { ErrorCode } from "./errors.js";
export type { ClientEvents, ClientEventType, LoginOptions, ProviderMetadata } from "./index.js";
export type { LoadOptions, WasmSource } from "./load.js";

// Private references, taken when this module is evaluated (design.md: "never the live globals").
const parseJson = JSON.parse;
const stringifyJson = JSON.stringify;

/** Loads and instantiates the landing module once (a failed load is retried next time). */
const load = loader(init);

/**
 * The configuration of the landing page: the main entry's {@link ClientConfig} without DPoP
 * and persistence (a DPoP login binds the code to this browser's key, which only the main
 * entry holds: use `createClient` there). `wasm` says where this entry's module is, by
 * default `wasm-login/browser_oauth_login_bg.wasm` in the package.
 */
export type LoginClientConfig = Omit<ClientConfig, "dpop" | "persist" | "dpopWasm" | "persistUnboundRefreshToken">;

/** A client that can only start a login. */
export interface LoginClient {
  /**
   * Builds the authorization request (PKCE S256, state, nonce), stores its pending request
   * in sessionStorage and sends the browser to the provider. Throws `unsafe_return_to` for a
   * `returnTo` that is not a same-origin path.
   */
  login(options?: LoginOptions): void;
  /** The same as `login`, without leaving the page: returns the authorization URL. */
  authorizationUrl(options?: LoginOptions): string;
  /** Adds an event listener (security events of a refused login). */
  on<K extends ClientEventType>(type: K, listener: (event: ClientEvents[K]) => void): void;
  /** Removes an event listener. */
  off<K extends ClientEventType>(type: K, listener: (event: ClientEvents[K]) => void): void;
}

/**
 * Creates a landing-page client: checks the configuration and fetches the provider metadata
 * (unless given), with the same checks as the main entry's `createClient`. Throws
 * `invalid_config` when `dpop` is set.
 */
export async function createLoginClient(config: LoginClientConfig): Promise<LoginClient> {
  assertBrowser();
  const dpop = (config as ClientConfig).dpop;
  if (dpop !== undefined && dpop !== false) {
    throw new BrowserOAuthError("invalid_config", "browser-oauth/login does not do DPoP logins: use createClient from browser-oauth");
  }
  const early = startDiscovery(config);
  await load(config.wasm);
  const json = stringifyJson({ ...config, wasm: undefined, allowedOrigins: config.allowedOrigins ?? [location.origin] });
  const discovery = typed(() => discoveryRequest(json));
  const [status, body] = discovery === undefined ? [0, undefined] : await answerTo(parseJson(discovery) as CoreRequest, early);
  const listeners = listenersOf(config.on as Record<string, (event: never) => void> | undefined);
  // No session lives on a landing page: the session timer has nothing to wake.
  const core = typed(() => WasmClient.create(json, status, body, () => {}));
  const authorizationUrl = (options: LoginOptions = {}): string => {
    try {
      return typed(() => core.call(Op.Login, 0, stringifyJson(options)) as string);
    } finally {
      deliver(listeners, core.call(Op.Events, 0));
    }
  };
  return {
    authorizationUrl,
    login(options) {
      window.location.assign(authorizationUrl(options));
    },
    on(type, listener) {
      addListener(listeners, type, listener as (event: never) => void);
    },
    off(type, listener) {
      removeListener(listeners, type, listener as (event: never) => void);
    },
  };
}
