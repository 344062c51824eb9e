/**
 * Sending the requests the core builds (discovery, token, revocation), shared by the main
 * entry and the landing-page entry (`browser-oauth/login`) so that neither carries the other.
 *
 * @module
 */
import type { Extension } from "./dpop.js";

/*
 * Private references to the web APIs that see a request or its answer, taken once when this
 * module is evaluated (design.md: "never the live globals"). Evaluating this module never
 * throws, even where one of them is missing (a server-side import): the call that needs it
 * fails, as status 0.
 */
const root = globalThis;
const apply = Reflect.apply;
/** `fetch`, bound to the global object. */
export const fetchRef = root.fetch?.bind(root) as typeof fetch;
const responseText = root.Response?.prototype.text;
const headersGet = root.Headers?.prototype.get;
/** `response.text()` through the private reference. */
export const textOf = (response: Response): Promise<string> => apply(responseText, response, []) as Promise<string>;
/** `headers.get(name)` through the private reference. */
export const headerOf = (headers: Headers, name: string): string | null => apply(headersGet, headers, [name]) as string | null;

/** A request the core asks for: a GET, or a form POST when `body` is given. */
export interface CoreRequest {
  url: string;
  body?: string;
  timeoutMs: number;
}

/** An answer for the core: status (0 for no response), body text, `Retry-After`. */
export type Answer = [number, string, (string | undefined)?];

/**
 * Sends a request the core built and returns its status, body text and `Retry-After`
 * header for the core to judge. No cookies; aborted after `timeoutMs`. The wasm side never
 * awaits: waiting here keeps an async executor out of the wasm (about 10 KB). Every failure
 * (network, CORS, timeout, a redirect) is status 0: the core decides what it means.
 *
 * The body of a token or revocation request holds a credential (the code and verifier, a
 * refresh or access token): it is sent with `redirect: "error"`, so a redirect from the
 * provider (a 307 would re-send the body) never takes it anywhere else. The body string
 * and the request the private `fetch` makes from it are the only places the refresh
 * token exists in JavaScript.
 */
export async function send({ url, body, timeoutMs }: CoreRequest, ext?: Extension, proof?: string): Promise<Answer> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), Math.min(timeoutMs, 2 ** 31 - 1));
  const headers: Record<string, string> = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/x-www-form-urlencoded";
  if (proof !== undefined && ext !== undefined) headers.DPoP = await ext.proof(proof);
  try {
    // No prototype: a getter planted on Object.prototype is never asked for an option
    // (it would see this object, body included).
    const response = await fetchRef(url, {
      __proto__: null,
      method: body === undefined ? "GET" : "POST",
      headers,
      body: body ?? null,
      credentials: "omit",
      redirect: body === undefined ? "follow" : "error",
      signal: controller.signal,
    } as RequestInit);
    ext?.nonce(url, headerOf(response.headers, "DPoP-Nonce"));
    return [response.status, await textOf(response), headerOf(response.headers, "Retry-After") ?? undefined];
  } catch {
    return [0, ""];
  } finally {
    clearTimeout(timer);
  }
}

/** The configuration members that say which discovery request the core will ask for. */
export interface DiscoveryConfig {
  issuer: string;
  discovery?: "openid-configuration" | "oauth-authorization-server";
  metadata?: unknown;
  requestTimeoutMs?: number;
}

/** A discovery request sent before the core asked for it (see {@link startDiscovery}). */
export interface EarlyDiscovery {
  request: CoreRequest;
  answer: Promise<Answer>;
}

/**
 * An issuer the core accepts, roughly: https, or http on a loopback host (development); no
 * query or fragment. A near miss costs at most an unused request or a later start.
 */
const DISCOVERABLE = /^(https:\/\/[^/?#]|http:\/\/(localhost|127\.0\.0\.1|\[::1\])([:/]|$))[^?#]*$/i;

/**
 * Sends the discovery request the core will ask for with `config` while the wasm is still
 * loading, so that start-up waits for one round trip less: OpenID Connect Discovery's
 * document of the issuer, when no metadata is given. Undefined when the core may ask for
 * something else. Only the start is early: the core still builds the request and judges the
 * answer, and {@link answerTo} uses this answer only for exactly the request the core
 * builds. The request carries nothing but the issuer's public document URL, and no cookies.
 */
export function startDiscovery({ issuer, discovery, metadata, requestTimeoutMs }: DiscoveryConfig): EarlyDiscovery | undefined {
  if (metadata != null || (discovery ?? "openid-configuration") !== "openid-configuration"
    || typeof issuer !== "string" || !DISCOVERABLE.test(issuer)) {
    return undefined;
  }
  const request = {
    url: `${issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`,
    timeoutMs: typeof requestTimeoutMs === "number" ? requestTimeoutMs : 10_000,
  };
  return { request, answer: send(request) };
}

/** The answer to the discovery request the core built: the early one when it is exactly that request. */
export function answerTo(request: CoreRequest, early: EarlyDiscovery | undefined): Promise<Answer> {
  const same = early !== undefined && request.url === early.request.url && request.timeoutMs === early.request.timeoutMs
    && request.body === undefined;
  return same ? early.answer : send(request);
}
