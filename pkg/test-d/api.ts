// Type-level tests of the published API: compiled by `tsc -p pkg/test-d` in `make test-ts`.
// Each `@ts-expect-error` line must keep failing to type-check.
import {
  BrowserOAuthError,
  createClient,
  generatePkce,
  ServerError,
  type Client,
  type ClientEvents,
  type ErrorCode,
  type PkcePair,
  type PopupLoginOptions,
  type RedirectResult,
  type SecurityPhase,
} from "../src/index.js";
import { handlePopupCallback } from "../src/popup.js";

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const assertType = <T extends true>(): T => true as T;

assertType<Equals<Awaited<ReturnType<typeof generatePkce>>, PkcePair>>();
assertType<Equals<PkcePair["method"], "S256">>();
assertType<Equals<Awaited<ReturnType<typeof createClient>>, Client>>();
assertType<Equals<Awaited<ReturnType<Client["handleRedirect"]>>, RedirectResult>>();
assertType<Equals<ReturnType<Client["expiresAt"]>, Date | undefined>>();
assertType<Equals<BrowserOAuthError["code"], ErrorCode>>();
assertType<Equals<Awaited<ReturnType<Client["loginPopup"]>>, RedirectResult>>();
assertType<Equals<PopupLoginOptions["timeoutSeconds"], number | undefined>>();
assertType<Equals<ReturnType<typeof handlePopupCallback>, boolean>>();
const popupCodes: ErrorCode[] = ["popup_blocked", "popup_closed", "popup_timeout"];
// Security events carry exactly these five fields: no token, code, state or response.
assertType<Equals<keyof ClientEvents["security"], "type" | "code" | "phase" | "time" | "issuer">>();
assertType<Equals<ClientEvents["security"]["code"], ErrorCode>>();
assertType<Equals<SecurityPhase, "callback" | "token" | "id_token" | "refresh" | "logout" | "storage" | "config" | "userinfo">>();

const code: ErrorCode = "state_mismatch";
// @ts-expect-error: not a code the library produces
const wrong: ErrorCode = "state_mismatched";

async function usage(): Promise<void> {
  const client = await createClient({ issuer: "https://as.example", clientId: "spa", redirectUri: "https://app.example/cb" });
  client.login({ returnTo: "/inbox", extraParams: { prompt: "login" } });
  // @ts-expect-error: extra parameters are strings
  client.login({ extraParams: { max_age: 5 } });
  // @ts-expect-error: clientId is required
  await createClient({ issuer: "https://as.example", redirectUri: "https://app.example/cb" });
  client.on("security", (event) => {
    const phase: SecurityPhase = event.phase;
    void phase;
  });
  // @ts-expect-error: security events have no token to read
  client.on("security", (event) => event.accessToken);
  await client.logout({ endSession: true, idTokenHint: false });
  await createClient({ issuer: "https://as.example", clientId: "spa", redirectUri: "https://app.example/cb", trustedAudiences: ["https://api.example"] });
  // @ts-expect-error: only query and fragment response modes
  await createClient({ issuer: "x", clientId: "y", redirectUri: "z", responseMode: "form_post" });
  await client.loginPopup({ returnTo: "/inbox", timeoutSeconds: 120 });
  // @ts-expect-error: loginPopup takes no target window
  await client.loginPopup({ window: "x" });
  try {
    await client.handleRedirect();
  } catch (error) {
    if (error instanceof ServerError) {
      const words: string = error.error;
      const status: number = error.status;
      void words, status;
    }
  }
}
void code, wrong, popupCodes, usage;

// Issue 12: the wasm option, isAuthenticated, userInfo, describeError.
import { describeError, type ErrorDescription } from "../src/messages.js";
import type { UserInfoClaims, WasmSource } from "../src/index.js";

assertType<Equals<ReturnType<Client["isAuthenticated"]>, boolean>>();
assertType<Equals<Awaited<ReturnType<Client["userInfo"]>>["sub"], string>>();
assertType<Equals<Awaited<ReturnType<Client["userInfo"]>>, UserInfoClaims>>();
assertType<Equals<ReturnType<typeof describeError>, ErrorDescription>>();

async function loading(module: WebAssembly.Module): Promise<void> {
  const url: WasmSource = new URL("https://cdn.example/a.wasm");
  const sources: WasmSource[] = ["/a.wasm", url, fetch("/a.wasm"), module, new Uint8Array(8)];
  await generatePkce({ wasm: url });
  await generatePkce({});
  await createClient({ issuer: "https://as.example", clientId: "spa", redirectUri: "https://app.example/cb", wasm: module });
  await createClient({ issuer: "https://as.example", clientId: "spa", redirectUri: "https://app.example/cb", dpop: true, dpopWasm: fetch("/d.wasm") });
  void sources;
  describeError("state_mismatch");
  describeError("a code from a newer version");
}
void loading;

// Issue 15: the landing-page entry starts a login and nothing else.
import { createLoginClient, type LoginClient, type LoginClientConfig } from "../src/login.js";

assertType<Equals<Awaited<ReturnType<typeof createLoginClient>>, LoginClient>>();
assertType<Equals<ReturnType<LoginClient["authorizationUrl"]>, string>>();
async function landing(): Promise<void> {
  const config: LoginClientConfig = { issuer: "https://as.example", clientId: "spa", redirectUri: "https://app.example/cb" };
  const client = await createLoginClient({ ...config, on: { security: (event) => void event.code } });
  client.login({ returnTo: "/inbox" });
  // @ts-expect-error DPoP logins need the main entry.
  await createLoginClient({ ...config, dpop: true });
  // @ts-expect-error nothing after login here.
  await client.handleRedirect();
}
void landing;
