// Builds the benchmark page and the three small apps with esbuild, and measures the apps'
// bundle sizes. Used by bench/run.mjs; needs `make build` first (pkg/dist, pkg/wasm).
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const BENCH = fileURLToPath(new URL('.', import.meta.url));
const DIST = `${BENCH}dist/`;
const WASM = fileURLToPath(new URL('../pkg/wasm/browser_oauth_bg.wasm', import.meta.url));

/** The libraries, in table order; browser-oauth first (the ratios are against it). */
export const LIBRARIES = ['browser-oauth', 'oauth4webapi', 'oidc-client-ts'];
/**
 * The other entry timed from import to ready (only that figure): browser-oauth/inline, one
 * request where the main entry makes two (its chunk, then the .wasm).
 */
export const INLINE_ENTRY = 'browser-oauth/inline';

const gzip = (bytes) => gzipSync(bytes, { level: 9 }).length;

/**
 * @typedef {object} AppSize
 * @property {string} library
 * @property {number} js minified JS bytes
 * @property {number} jsGzip minified JS, gzipped (level 9)
 * @property {number} wasm .wasm bytes (0 for the JavaScript libraries)
 * @property {number} wasmGzip .wasm gzipped (level 9)
 * @property {number} total jsGzip + wasmGzip: what the app downloads over a gzip transport
 */

/**
 * Builds bench/dist (the page, its per-library chunks, the wasm next to them) and
 * bench/dist/apps (one minified bundle per small app), and returns the apps' sizes.
 * @returns {Promise<AppSize[]>}
 */
export async function buildBench() {
  rmSync(DIST, { recursive: true, force: true });
  mkdirSync(DIST, { recursive: true });
  const common = { bundle: true, minify: true, format: 'esm', target: 'es2022', logLevel: 'warning' };
  // The page: one chunk per library, loaded by dynamic import.
  await build({ ...common, entryPoints: [`${BENCH}page.js`], outdir: DIST, splitting: true, chunkNames: 'chunk-[name]-[hash]' });
  // The inline entry's adapter in a build of its own: in the page's build it would share
  // its chunks with browser-oauth's, and each library must load as an app would load it.
  await build({ ...common, entryPoints: [`${BENCH}adapters/browser-oauth-inline.js`], outdir: `${DIST}inline/`, splitting: true });
  copyFileSync(`${BENCH}index.html`, `${DIST}index.html`);
  // The wasm-bindgen glue finds the module next to itself (new URL(..., import.meta.url)).
  copyFileSync(WASM, `${DIST}browser_oauth_bg.wasm`);

  const sizes = [];
  for (const library of LIBRARIES) {
    // Code splitting on, as a production bundler would: the app ships its entry chunk and
    // the chunks it imports statically, not the modules it only imports on demand (our
    // DPoP module and its wasm, which this app never asks for).
    const outdir = `${DIST}apps/${library}/`;
    const { metafile } = await build({ ...common, entryPoints: [`${BENCH}apps/${library}.js`], outdir, splitting: true, metafile: true });
    const js = Buffer.concat(staticChunks(metafile, `apps/${library}.js`).map((chunk) => readFileSync(chunk)));
    const wasm = library === 'browser-oauth' ? readFileSync(WASM) : Buffer.alloc(0);
    const wasmGzip = wasm.length ? gzip(wasm) : 0;
    sizes.push({ library, js: js.length, jsGzip: gzip(js), wasm: wasm.length, wasmGzip, total: gzip(js) + wasmGzip });
  }
  return sizes;
}

/**
 * The output files an entry loads before it runs: its own chunk and, transitively, the chunks
 * it imports statically (paths as esbuild's metafile gives them, relative to the working
 * directory).
 * @param {import('esbuild').Metafile} metafile
 * @param {string} entry the entry's source path, ending like this
 * @returns {string[]}
 */
function staticChunks(metafile, entry) {
  const outputs = metafile.outputs;
  const start = Object.keys(outputs).find((o) => outputs[o].entryPoint?.endsWith(entry));
  const seen = new Set();
  const walk = (o) => {
    if (seen.has(o)) return;
    seen.add(o);
    for (const i of outputs[o].imports) if (i.kind === 'import-statement' && !i.external) walk(i.path);
  };
  walk(start);
  return [...seen];
}
