/**
 * browser-oauth/inline: the same API as `browser-oauth`, with the WebAssembly module embedded
 * in the JavaScript (base64). There is no `.wasm` file for the bundler to find, copy or serve,
 * so it works with any bundler and any output format, with no plugin and no copy step (Rollup,
 * esbuild's default iife). It costs more bytes than the main entry (see `make size`): prefer
 * `browser-oauth` where your bundler handles `new URL("….wasm", import.meta.url)`.
 *
 * A `wasm` option, when given, still wins over the embedded module.
 *
 * @packageDocumentation
 */
import { wasmBase64 } from "../wasm/browser_oauth_inline.js";
import * as entry from "./index.js";
import type { Client, ClientConfig, PkcePair } from "./index.js";
import type { LoadOptions, WasmSource } from "./load.js";

export { BrowserOAuthError, ServerError } from "./errors.js";
export type * from "./index.js";

/** `atob` as it was when this module was evaluated (absent on a server: then only a call fails). */
const decodeBase64 = globalThis.atob?.bind(globalThis) as typeof atob;

/** The embedded module's bytes, decoded on demand (only the first load uses them). */
function embedded(): WasmSource {
  return Uint8Array.from(decodeBase64(wasmBase64), (c) => c.charCodeAt(0));
}

/** {@link entry.generatePkce | generatePkce} with the embedded WebAssembly module. */
export function generatePkce(options: LoadOptions = {}): Promise<PkcePair> {
  return entry.generatePkce({ wasm: options.wasm ?? embedded() });
}

/** {@link entry.createClient | createClient} with the embedded WebAssembly module. */
export function createClient(config: ClientConfig): Promise<Client> {
  return entry.createClient({ ...config, wasm: config.wasm ?? embedded() });
}
