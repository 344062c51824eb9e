/**
 * The React binding (`browser-oauth/react`): `<AuthProvider config>` creates one client,
 * handles the redirect back exactly once (and the return from the provider's logout), and
 * re-renders on `refreshed`, `expired`, `sessionEnded` and `logout` (this tab's or another
 * tab's); `useAuth()` reads it.
 *
 * No token is ever put in React state or context: what components get is the status, the
 * verified ID-token claims (`client.user()`), the last error and functions. An access token
 * exists only in the promise `getAccessToken()` returns; prefer `fetch`.
 *
 * @packageDocumentation
 */
import { createContext, createElement, useContext, useEffect, useMemo, useRef, useState } from "react";
import type { ComponentType, ReactElement, ReactNode } from "react";

import { BrowserOAuthError, createClient } from "./index.js";
import type {
  Client, ClientConfig, LoginOptions, LogoutOptions, LogoutResult, PopupLoginOptions, RedirectResult, UserClaims,
} from "./index.js";
import { handlePopupCallback } from "./popup.js";

/**
 * `loading` until the client is created and any redirect back is handled; then
 * `authenticated` while a session is held, `unauthenticated` otherwise; `error` when no
 * client could be created (bad configuration, provider unreachable): see `error`.
 */
export type AuthStatus = "loading" | "authenticated" | "unauthenticated" | "error";

/** What `useAuth()` returns. Holds no token. */
export interface AuthState {
  /** Where the session stands. */
  status: AuthStatus;
  /** The signed-in user's verified ID-token claims, or `undefined`. */
  user: UserClaims | undefined;
  /**
   * The last failure (creating the client, the redirect back, a popup login, a logout), or
   * `undefined`: a {@link BrowserOAuthError} (branch on its `code`), or the browser's own
   * error when the WebAssembly module could not be loaded.
   */
  error: Error | undefined;
  /** Redirects to the provider (see `Client.login`). Throws while `status` is `loading` or `error`. */
  login(options?: LoginOptions): void;
  /** Logs in through a popup (see `Client.loginPopup`); call it from a click handler. Also sets `error` when it fails. */
  loginPopup(options?: PopupLoginOptions): Promise<RedirectResult>;
  /** Logs out (see `Client.logout`). */
  logout(options?: LogoutOptions): Promise<LogoutResult>;
  /**
   * A valid access token (see `Client.getAccessToken`).
   *
   * > [!WARNING]
   * > Never put the token in state, context, props or storage. Prefer {@link AuthState.fetch}.
   */
  getAccessToken(): Promise<string>;
  /** `fetch` with the access token, only to `allowedOrigins` (see `Client.fetch`). */
  fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response>;
}

/** Props of {@link AuthProvider}. */
export interface AuthProviderProps {
  /** The client configuration; read once, when the provider mounts. */
  config: ClientConfig;
  /**
   * Called after a successful redirect back, to go where `login({ returnTo })` asked (pass
   * your router's navigate). Default: `history.replaceState` to `returnTo` when given.
   */
  onRedirect?: (result: RedirectResult) => void;
  /** The app. */
  children?: ReactNode;
}

/** Status, claims and error: the part of {@link AuthState} that changes. */
interface Snapshot {
  status: AuthStatus;
  user: UserClaims | undefined;
  error: Error | undefined;
}

/** The events after which the session may have changed. */
const EVENTS = ["refreshed", "expired", "sessionEnded", "logout"] as const;

const AuthContext = createContext<AuthState | undefined>(undefined);

/**
 * Creates the client for `config` once, handles the redirect back on the redirect URI
 * (exactly once, also under StrictMode's double effects) and the one back from the
 * provider's logout on `postLogoutRedirectUri` (`handleLogoutRedirect`), answers for a
 * login popup when this window is one (`handlePopupCallback`), and provides
 * {@link useAuth} to its children.
 */
export function AuthProvider({ config, onRedirect, children }: AuthProviderProps): ReactElement {
  const [snapshot, setSnapshot] = useState<Snapshot>({ status: "loading", user: undefined, error: undefined });
  // Kept across StrictMode's unmount and remount of the same component: the second effect
  // reuses the first one's start, so `handleRedirect` never runs twice on one response.
  const started = useRef<Promise<Client | undefined> | undefined>(undefined);
  const client = useRef<Client | undefined>(undefined);
  const settings = useRef({ config, onRedirect });

  useEffect(() => {
    let mounted = true;
    const listener = (): void => setSnapshot((previous) => snapshotOf(client.current, previous.error));
    const { config: initial, onRedirect: navigate } = settings.current;
    // No `mounted` check in here: this start outlives the first of StrictMode's two effects.
    started.current ??= start(initial, navigate, client, (error) => setSnapshot(snapshotOf(client.current, error)));
    void started.current.then((ready) => {
      if (mounted) for (const type of EVENTS) ready?.on(type, listener);
    });
    return () => {
      mounted = false;
      void started.current?.then((ready) => {
        for (const type of EVENTS) ready?.off(type, listener);
      });
    };
  }, []);

  const value = useMemo<AuthState>(() => {
    const ready = (): Client => {
      if (client.current === undefined) throw new BrowserOAuthError("login_required", "the auth client is not ready");
      return client.current;
    };
    const failed = (error: unknown): never => {
      setSnapshot((previous) => ({ ...previous, error: asError(error) }));
      throw error;
    };
    return {
      ...snapshot,
      login: (options) => ready().login(options),
      loginPopup: async (options) => {
        try {
          const result = await ready().loginPopup(options);
          setSnapshot(snapshotOf(client.current, undefined));
          return result;
        } catch (error) {
          return failed(error);
        }
      },
      logout: (options) => ready().logout(options).catch(failed),
      getAccessToken: () => ready().getAccessToken(),
      fetch: (input, init) => ready().fetch(input, init),
    };
  }, [snapshot]);

  return createElement(AuthContext.Provider, { value }, children);
}

/** The auth state of the nearest {@link AuthProvider}; throws `invalid_config` outside one. */
export function useAuth(): AuthState {
  const state = useContext(AuthContext);
  if (state === undefined) throw new BrowserOAuthError("invalid_config", "useAuth() needs an <AuthProvider> above it");
  return state;
}

/** Options of {@link withAuthenticationRequired}. */
export interface AuthenticationRequiredOptions {
  /** Where to come back after login; default the current path, query and fragment. */
  returnTo?: () => string;
  /** More options for the login request (e.g. `extraParams`). */
  loginOptions?: Omit<LoginOptions, "returnTo">;
  /** Shown while loading and while the browser goes to the provider; default nothing. */
  onRedirecting?: () => ReactNode;
  /** Shown instead of logging in again after a failure (e.g. `access_denied`); default `onRedirecting`. */
  onError?: (error: Error) => ReactNode;
}

/**
 * Wraps a component that needs a signed-in user: it renders when `status` is
 * `authenticated`; when `unauthenticated`, the guard starts a login that comes back to the
 * current location. After a failure it shows `onError` rather than looping through the
 * provider again.
 */
export function withAuthenticationRequired<P extends object>(
  Component: ComponentType<P>,
  options: AuthenticationRequiredOptions = {},
): ComponentType<P> {
  const { returnTo, loginOptions, onRedirecting, onError } = options;
  function AuthenticationRequired(props: P): ReactNode {
    const { status, error, login } = useAuth();
    const redirecting = useRef(false);
    const mustLogin = status === "unauthenticated" && error === undefined;
    useEffect(() => {
      if (!mustLogin || redirecting.current) return;
      redirecting.current = true;
      const here = returnTo?.() ?? `${location.pathname}${location.search}${location.hash}`;
      login({ ...loginOptions, returnTo: here });
    }, [mustLogin, login]);
    if (status === "authenticated") return createElement(Component, props);
    if (error !== undefined && status !== "loading" && onError !== undefined) return onError(error);
    return onRedirecting?.() ?? null;
  }
  AuthenticationRequired.displayName = `withAuthenticationRequired(${Component.displayName ?? Component.name})`;
  return AuthenticationRequired;
}

/**
 * Creates the client and handles a redirect back on the redirect URI, or back from the
 * provider's logout; `undefined` in a login popup (it answered its opener and closes) or
 * when the client could not be created.
 */
async function start(
  config: ClientConfig,
  onRedirect: ((result: RedirectResult) => void) | undefined,
  client: { current: Client | undefined },
  update: (error: Error | undefined) => void,
): Promise<Client | undefined> {
  if (handlePopupCallback()) return undefined;
  try {
    client.current = await createClient(config);
  } catch (error) {
    update(asError(error));
    return undefined;
  }
  try {
    if (isRedirectBack(config)) (onRedirect ?? goTo)(await client.current.handleRedirect());
    else if (isLogoutRedirectBack(config)) client.current.handleLogoutRedirect();
  } catch (error) {
    update(asError(error));
    return client.current;
  }
  update(undefined);
  return client.current;
}

/** The default `onRedirect`: replace the redirect URI in the address bar with `returnTo`. */
function goTo({ returnTo }: RedirectResult): void {
  if (returnTo !== undefined) history.replaceState(null, "", returnTo);
}

/** Whether this page is the redirect URI with an authorization response on it. */
function isRedirectBack(config: ClientConfig): boolean {
  const response = config.responseMode === "fragment" ? location.hash.slice(1) : location.search.slice(1);
  const params = new URLSearchParams(response);
  return isPage(config.redirectUri) && (params.has("code") || params.has("error"));
}

/** Whether this page is the post-logout redirect URI with the `state` of a logout on it. */
function isLogoutRedirectBack(config: ClientConfig): boolean {
  const params = new URLSearchParams(location.search);
  return config.postLogoutRedirectUri !== undefined && isPage(config.postLogoutRedirectUri)
    && params.has("state") && !params.has("code") && !params.has("error");
}

/** Whether this page is at `uri` (origin and path). */
function isPage(uri: string): boolean {
  const target = new URL(uri);
  return location.origin === target.origin && location.pathname === target.pathname;
}

/** The state of `client`: a session is held when a granted scope is known. */
function snapshotOf(client: Client | undefined, error: Error | undefined): Snapshot {
  if (client === undefined) return { status: "error", user: undefined, error };
  const signedIn = client.grantedScopes() !== undefined;
  return { status: signedIn ? "authenticated" : "unauthenticated", user: client.user(), error };
}

/** A thrown value as an `Error` for the `error` field. */
function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
