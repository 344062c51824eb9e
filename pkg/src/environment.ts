import { BrowserOAuthError } from "./errors.js";

/**
 * Throws `browser_only` outside a browser window (server-side rendering, Node, a worker).
 * Every API calls this first, before it loads the WebAssembly or touches a web API, so a
 * server render gets one clear error instead of `fetch failed` or `location is not defined`.
 * Importing the package does nothing, so the import itself is safe on a server.
 */
export function assertBrowser(): void {
  if (typeof window === "undefined" || typeof document === "undefined") {
    throw new BrowserOAuthError(
      "browser_only",
      "browser-oauth runs only in a browser: call it from client-side code (after hydration), not during server-side rendering",
    );
  }
}
