/**
 * browser-oauth/inline: the same API as `browser-oauth`, with the WebAssembly module embedded
 * in the JavaScript (base64). There is no `.wasm` file for the bundler to find, copy or serve,
 * so it works with any bundler and any output format, with no plugin and no copy step (Rollup,
 * esbuild's default iife). It costs about 10 KB gzip more than the main entry (see `make size`)
 * and is ready sooner after its import (one request instead of two; see `make bench`).
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
/**
 * `Uint8Array.fromBase64` as it was when this module was evaluated, where the browser has it
 * (newer than the TypeScript library types, hence the cast).
 */
const fromBase64 = (Uint8Array as { fromBase64?: (base64: string) => Uint8Array }).fromBase64?.bind(Uint8Array);

/**
 * The embedded module's bytes, decoded on demand (only the first load uses them): in one
 * native call where the browser has `Uint8Array.fromBase64`, else through `atob` and a plain
 * loop. (`Uint8Array.from` with a mapping function took 8–35 ms in a fresh Chromium page,
 * more than fetching and compiling the module as a file.)
 */
function embedded(): WasmSource {
  if (fromBase64) return fromBase64(wasmBase64);
  const binary = decodeBase64(wasmBase64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** {@link entry.generatePkce | generatePkce} with the embedded WebAssembly module. */
export function generatePkce(options: LoadOptions = {}): Promise<PkcePair> {
  return entry.generatePkce({ wasm: options.wasm ?? embedded() });
}

/** {@link entry.createClient | createClient} with the embedded WebAssembly module. */
export function createClient(config: ClientConfig): Promise<Client> {
  return entry.createClient({ ...config, wasm: config.wasm ?? embedded() });
}
