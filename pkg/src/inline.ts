/**
 * browser-oauth/inline: the same API as `browser-oauth`, with the WebAssembly module embedded
 * in the JavaScript (gzip, then base64). There is no `.wasm` file for the bundler to find,
 * copy or serve, so it works with any bundler and any output format, with no plugin and no
 * copy step (Rollup, esbuild's default iife). It costs a little more than the main entry
 * (see `make size`), is ready sooner after its import (one request instead of two; see
 * `make bench`), and needs `DecompressionStream` (Chrome 80, Firefox 113, Safari 16.4):
 * elsewhere `createClient` rejects with `wasm_load_failed` unless the `wasm` option is given.
 *
 * A `wasm` option, when given, still wins over the embedded module.
 *
 * @packageDocumentation
 */
import { wasmGzipBase64 } from "../wasm/browser_oauth_inline.js";
import { assertBrowser } from "./environment.js";
import { BrowserOAuthError } from "./errors.js";
import * as entry from "./index.js";
import type { Client, ClientConfig, PkcePair } from "./index.js";
import type { LoadOptions, WasmSource } from "./load.js";

export { BrowserOAuthError, ServerError } from "./errors.js";
export type * from "./index.js";

// Taken when this module is evaluated (design.md: "never the live globals"); absent on a
// server, where only a call fails. The module's bytes then go through the live WebAssembly
// API, as the main entry's do.
const root = globalThis;
const decodeBase64 = root.atob?.bind(root) as typeof atob;
/** `Uint8Array.fromBase64`, where the browser has it (newer than TypeScript's library types). */
const fromBase64 = (Uint8Array as { fromBase64?: (base64: string) => Uint8Array }).fromBase64?.bind(Uint8Array);
const Decompression = root.DecompressionStream;
const ResponseRef = root.Response;
/** Where a promise's rejection is already reported elsewhere. */
const ignore = (): void => {};

/**
 * The embedded module as a `Response` that inflates it as it is read, so that the browser
 * compiles it while it is inflated. The gzip bytes are decoded from base64 in one native
 * call where the browser has `Uint8Array.fromBase64`, else through `atob` and a plain loop
 * (`Uint8Array.from` with a mapping function took 8–35 ms in a fresh Chromium page). They
 * are written straight into the DecompressionStream: through a `Blob` or a second stream,
 * inflating and compiling took 2–3 ms more than compiling the plain module.
 */
function embedded(): WasmSource {
  let gzip: Uint8Array;
  if (fromBase64) {
    gzip = fromBase64(wasmGzipBase64);
  } else {
    const binary = decodeBase64(wasmGzipBase64);
    gzip = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i += 1) gzip[i] = binary.charCodeAt(i);
  }
  const inflate = new Decompression("gzip");
  const writer = inflate.writable.getWriter();
  // A corrupt module errors the readable side too, and the compile reports it from there.
  writer.write(gzip as Uint8Array<ArrayBuffer>).catch(ignore);
  writer.close().catch(ignore);
  return new ResponseRef(inflate.readable, { headers: { "Content-Type": "application/wasm" } });
}

/**
 * `wasm` as given, else the embedded module. Throws `wasm_load_failed` where the embedded
 * module cannot be inflated (and `browser_only` outside a browser, as the main entry does).
 */
function source(wasm: WasmSource | undefined): WasmSource {
  assertBrowser();
  if (wasm !== undefined) return wasm;
  if (Decompression === undefined) {
    throw new BrowserOAuthError(
      "wasm_load_failed",
      "this browser has no DecompressionStream to unpack the embedded WebAssembly module: pass the wasm option, or use browser-oauth",
    );
  }
  return embedded();
}

/** {@link entry.generatePkce | generatePkce} with the embedded WebAssembly module. */
export async function generatePkce(options: LoadOptions = {}): Promise<PkcePair> {
  return entry.generatePkce({ wasm: source(options.wasm) });
}

/** {@link entry.createClient | createClient} with the embedded WebAssembly module. */
export async function createClient(config: ClientConfig): Promise<Client> {
  return entry.createClient({ ...config, wasm: source(config.wasm) });
}
