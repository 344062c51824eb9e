// Prints the byte sizes of what browser-oauth ships: the release .wasm, the wasm-bindgen JS
// glue and the TypeScript wrapper, raw and gzipped (level 9), plus the glue and wrapper
// minified by esbuild as an app's bundler would ship them. Run by `make size` after a build.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { transformSync } from 'esbuild';

const BUDGET_GZIP = 16 * 1024;
const files = [
  ['wasm', 'pkg/wasm/browser_oauth_bg.wasm', false],
  ['JS glue', 'pkg/wasm/browser_oauth.js', true],
  ['wrapper index', 'pkg/dist/index.js', true],
  ['wrapper errors', 'pkg/dist/errors.js', true],
];

const gz = (buf) => gzipSync(buf, { level: 9 }).length;
const rows = files.map(([name, path, isJs]) => {
  const raw = readFileSync(path);
  const min = isJs ? Buffer.from(transformSync(raw.toString(), { minify: true, format: 'esm' }).code) : raw;
  return { name, path, raw: raw.length, gzip: gz(raw), min: min.length, minGzip: gz(min) };
});
const total = (key) => rows.reduce((sum, r) => sum + r[key], 0);
const pad = (v, n) => String(v).padStart(n);
console.log(`${'part'.padEnd(16)}${pad('raw', 9)}${pad('gzip', 9)}${pad('min', 9)}${pad('min+gzip', 10)}  file`);
for (const r of rows) {
  console.log(`${r.name.padEnd(16)}${pad(r.raw, 9)}${pad(r.gzip, 9)}${pad(r.min, 9)}${pad(r.minGzip, 10)}  ${r.path}`);
}
console.log(`${'total'.padEnd(16)}${pad(total('raw'), 9)}${pad(total('gzip'), 9)}${pad(total('min'), 9)}${pad(total('minGzip'), 10)}`);
const shipped = total('minGzip');
console.log(`shipped (minified, gzipped): ${shipped} bytes = ${(shipped / 1024).toFixed(1)} KB; budget 16 KB: ${shipped <= BUDGET_GZIP ? 'within' : `OVER by ${((shipped - BUDGET_GZIP) / 1024).toFixed(1)} KB`}`);
console.log(JSON.stringify({ figure: 'size', rows, totalMinGzip: shipped, budget: BUDGET_GZIP }));
