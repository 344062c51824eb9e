// Type-level tests of browser-oauth/react: compiled by `tsc -p pkg/test-d` in `make test-ts`.
// Each `@ts-expect-error` line must keep failing to type-check.
import { createElement } from "react";
import type { FunctionComponent, ReactNode } from "react";

import type { ClientConfig, LogoutResult, RedirectResult, UserClaims } from "../src/index.js";
import { AuthProvider, useAuth, withAuthenticationRequired } from "../src/react.js";
import type { AuthProviderProps, AuthState, AuthStatus } from "../src/react.js";

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const assertType = <T extends true>(): T => true as T;

assertType<Equals<ReturnType<typeof useAuth>, AuthState>>();
assertType<Equals<AuthStatus, "loading" | "authenticated" | "unauthenticated" | "error">>();
assertType<Equals<AuthState["status"], AuthStatus>>();
assertType<Equals<AuthState["user"], UserClaims | undefined>>();
assertType<Equals<AuthState["error"], Error | undefined>>();
assertType<Equals<Awaited<ReturnType<AuthState["loginPopup"]>>, RedirectResult>>();
assertType<Equals<Awaited<ReturnType<AuthState["logout"]>>, LogoutResult>>();
assertType<Equals<Awaited<ReturnType<AuthState["getAccessToken"]>>, string>>();
assertType<Equals<Awaited<ReturnType<AuthState["fetch"]>>, Response>>();
assertType<Equals<AuthProviderProps["config"], ClientConfig>>();

/** The members of the state that are data rather than functions: no token among them. */
type Data = { [K in keyof AuthState as AuthState[K] extends (...args: never[]) => unknown ? never : K]: AuthState[K] };
assertType<Equals<keyof Data, "status" | "user" | "error">>();

const config: ClientConfig = { issuer: "https://as.example", clientId: "spa", redirectUri: "https://app.example/cb" };
const Page: FunctionComponent<{ id: number }> = ({ id }) => String(id);
const Guarded = withAuthenticationRequired(Page, { onRedirecting: () => "…", onError: (error) => error.message });

function App(): ReactNode {
  const auth = useAuth();
  // @ts-expect-error: the state holds no access token
  const token: string = auth.accessToken;
  // @ts-expect-error: login returns nothing to await (it navigates)
  void auth.login().then;
  auth.login({ returnTo: "/inbox" });
  void auth.loginPopup({ timeoutSeconds: 60, extraParams: { prompt: "login" } });
  // @ts-expect-error: the popup time limit is a number of seconds
  void auth.loginPopup({ timeoutSeconds: "60" });
  if (auth.status === "authenticated") return createElement(Guarded, { id: auth.user?.sub.length ?? 0 });
  // @ts-expect-error: not a status the provider reports
  if (auth.status === "signedIn") return null;
  void token;
  return null;
}

createElement(AuthProvider, { config }, createElement(App));
createElement(AuthProvider, { config, onRedirect: (result: RedirectResult) => void result.returnTo });
// @ts-expect-error: config is required
createElement(AuthProvider, {});
// @ts-expect-error: the guard keeps the wrapped component's props
createElement(Guarded, { id: "1" });
