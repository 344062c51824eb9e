// A strict TypeScript app using every entry of the installed tarball, compiled with
// skipLibCheck false and lib ES2022 + DOM under bundler, node16 and node10 resolution
// (tsconfig.*.json beside this file). It only needs to compile.
import { BrowserOAuthError, createClient, generatePkce, ServerError } from "browser-oauth";
import type { Client, ClientConfig, ErrorCode, PkcePair, UserInfoClaims, WasmSource } from "browser-oauth";
import * as inline from "browser-oauth/inline";
import { describeError } from "browser-oauth/messages";
import type { ErrorDescription } from "browser-oauth/messages";
import { createOAuth1Client } from "browser-oauth/oauth1";
import type { OAuth1Client } from "browser-oauth/oauth1";

const wasm: WasmSource = new URL("/assets/browser_oauth_bg.wasm", "https://app.example");
const config: ClientConfig = {
  issuer: "https://as.example",
  clientId: "spa",
  redirectUri: "https://app.example/callback",
  wasm,
};

export async function signIn(): Promise<string> {
  const pair: PkcePair = await generatePkce({ wasm: fetch("/browser_oauth_bg.wasm") });
  const client: Client = await createClient(config);
  const inlined: Client = await inline.createClient(config);
  if (client.isAuthenticated() && inlined.isAuthenticated()) {
    const claims: UserInfoClaims = await client.userInfo();
    return claims.sub;
  }
  return `${pair.method} ${client.authorizationUrl({ returnTo: "/" })}`;
}

export function explain(error: unknown): string {
  if (error instanceof ServerError) return `${error.error}: ${error.errorDescription ?? ""}`;
  if (error instanceof BrowserOAuthError) {
    const code: ErrorCode = error.code;
    const text: ErrorDescription = describeError(code);
    return `${text.message} ${text.action}`;
  }
  return String(error);
}

export async function oauth1(): Promise<OAuth1Client> {
  return createOAuth1Client({
    consumerKey: "key",
    sign: async () => "signature",
    temporaryCredentialsUrl: "https://api.example/request_token",
    authorizationUrl: "https://api.example/authorize",
    tokenUrl: "https://api.example/access_token",
    callbackUrl: "https://app.example/oauth1-callback",
  });
}
