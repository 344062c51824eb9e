import { BrowserOAuthError } from "./errors.js";

/**
 * Where an entry's WebAssembly module comes from: its URL (a string or `URL`), a `Response`
 * (or a promise of one) from your own `fetch`, the compiled `WebAssembly.Module`, or its
 * bytes. By default each entry loads its `.wasm` file with
 * `new URL("…_bg.wasm", import.meta.url)`, which bundlers rewrite.
 *
 * Only the first call that loads the module uses it: later calls share the instance. A
 * `Response` can be read once, so after a failure pass a URL to let the next call retry.
 */
export type WasmSource = string | URL | Response | Promise<Response> | WebAssembly.Module | BufferSource;

/** Options that every entry point accepts. */
export interface LoadOptions {
  /** Where to load the WebAssembly module from; see {@link WasmSource}. */
  wasm?: WasmSource;
}

/** The wasm-bindgen `init` of one entry's module. */
type Init = (options: { module_or_path?: WasmSource }) => Promise<unknown>;

/**
 * Wraps an entry's `init` so that the module is instantiated once per page. A failed load
 * (404, wrong MIME type, CSP without `'wasm-unsafe-eval'`, a bad module) is a
 * `BrowserOAuthError` with code `wasm_load_failed` and the browser's error as `cause`, and it
 * is not remembered: the next call tries again. `option` names the option that says where
 * this module is, for the error message.
 */
export function loader(init: Init, option = "wasm"): (source: WasmSource | undefined) => Promise<void> {
  let ready: Promise<void> | undefined;
  return (source) => {
    ready ??= init(source === undefined ? {} : { module_or_path: source }).then(
      () => undefined,
      (cause: unknown) => {
        ready = undefined;
        const error = new BrowserOAuthError(
          "wasm_load_failed",
          `the WebAssembly module could not be loaded (see cause); check that the .wasm file is served, or pass the ${option} option`,
        );
        error.cause = cause;
        throw error;
      },
    );
    return ready;
  };
}
