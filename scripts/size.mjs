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
  ['wrapper load', 'pkg/dist/load.js', true],
  ['wrapper env', 'pkg/dist/environment.js', true],
  ['wrapper popup', 'pkg/dist/popup-window.js', true],
];

// The OAuth 1.0a entry (`browser-oauth/oauth1`): its own wasm and glue; it shares only
// errors.js, load.js and environment.js with the main entry. Apps that do not import it never download it.
const oauth1Files = [
  ['oauth1 wasm', 'pkg/wasm-oauth1/browser_oauth_oauth1_bg.wasm', false],
  ['oauth1 JS glue', 'pkg/wasm-oauth1/browser_oauth_oauth1.js', true],
  ['oauth1 wrapper', 'pkg/dist/oauth1.js', true],
];

// DPoP and persistence (`dpop` or `persist` set): the wrapper then loads pkg/dist/dpop.js and
// the `dpop` build of the wasm *instead of* the default wasm (the default glue stays, as the
// wrapper's static import). Apps that set neither never download these files.
const dpopFiles = [
  ['dpop wasm', 'pkg/wasm-dpop/browser_oauth_dpop_bg.wasm', false],
  ['dpop JS glue', 'pkg/wasm-dpop/browser_oauth_dpop.js', true],
  ['dpop wrapper', 'pkg/dist/dpop.js', true],
];

// Loaded only when used, on top of the main entry: the opener's half of the popup login
// (imported by client.loginPopup once the popup is open), the redirect page's half
// (`browser-oauth/popup`), and the React binding (`browser-oauth/react`, which imports the latter).
const extraFiles = [
  ['popup login', 'pkg/dist/popup-login.js', true],
  ['popup callback', 'pkg/dist/popup.js', true],
  ['react entry', 'pkg/dist/react.js', true],
];

const gz = (buf) => gzipSync(buf, { level: 9 }).length;
const measure = ([name, path, isJs]) => {
  const raw = readFileSync(path);
  const min = isJs ? Buffer.from(transformSync(raw.toString(), { minify: true, format: 'esm' }).code) : raw;
  return { name, path, raw: raw.length, gzip: gz(raw), min: min.length, minGzip: gz(min) };
};
const rows = files.map(measure);
const total = (key) => rows.reduce((sum, r) => sum + r[key], 0);
const pad = (v, n) => String(v).padStart(n);
console.log(`${'part'.padEnd(16)}${pad('raw', 9)}${pad('gzip', 9)}${pad('min', 9)}${pad('min+gzip', 10)}  file`);
for (const r of rows) {
  console.log(`${r.name.padEnd(16)}${pad(r.raw, 9)}${pad(r.gzip, 9)}${pad(r.min, 9)}${pad(r.minGzip, 10)}  ${r.path}`);
}
console.log(`${'total'.padEnd(16)}${pad(total('raw'), 9)}${pad(total('gzip'), 9)}${pad(total('min'), 9)}${pad(total('minGzip'), 10)}`);
const shipped = total('minGzip');
console.log(`shipped (minified, gzipped): ${shipped} bytes = ${(shipped / 1024).toFixed(1)} KB; budget 16 KB: ${shipped <= BUDGET_GZIP ? 'within' : `OVER by ${((shipped - BUDGET_GZIP) / 1024).toFixed(1)} KB`}`);
const oauth1Rows = oauth1Files.map(measure);
for (const r of oauth1Rows) {
  console.log(`${r.name.padEnd(16)}${pad(r.raw, 9)}${pad(r.gzip, 9)}${pad(r.min, 9)}${pad(r.minGzip, 10)}  ${r.path}`);
}
const shared = ['wrapper errors', 'wrapper load', 'wrapper env'].reduce((sum, name) => sum + rows.find((r) => r.name === name).minGzip, 0);
const oauth1Shipped = oauth1Rows.reduce((sum, r) => sum + r.minGzip, 0) + shared;
console.log(`oauth1 entry (minified, gzipped, with errors.js, load.js, environment.js): ${oauth1Shipped} bytes = ${(oauth1Shipped / 1024).toFixed(1)} KB; only for apps that import browser-oauth/oauth1`);

// `browser-oauth/inline`: the wasm embedded as base64 in a JS module instead of a .wasm file
// (no file for the bundler to find), plus the same glue and wrapper as the main entry.
const inlineRows = [
  ['inline wasm (b64)', 'pkg/wasm/browser_oauth_inline.js', true],
  ['inline wrapper', 'pkg/dist/inline.js', true],
].map(measure);
for (const r of inlineRows) {
  console.log(`${r.name.padEnd(16)}${pad(r.raw, 9)}${pad(r.gzip, 9)}${pad(r.min, 9)}${pad(r.minGzip, 10)}  ${r.path}`);
}
const inlineShipped = shipped - rows.find((r) => r.name === 'wasm').minGzip + inlineRows.reduce((sum, r) => sum + r.minGzip, 0);
console.log(`inline entry (minified, gzipped, wasm as base64 instead of the .wasm): ${inlineShipped} bytes = ${(inlineShipped / 1024).toFixed(1)} KB; only for apps that import browser-oauth/inline`);

// `browser-oauth/messages`: describeError's texts, only for apps that import it.
const messagesRow = measure(['messages', 'pkg/dist/messages.js', true]);
console.log(`${messagesRow.name.padEnd(16)}${pad(messagesRow.raw, 9)}${pad(messagesRow.gzip, 9)}${pad(messagesRow.min, 9)}${pad(messagesRow.minGzip, 10)}  ${messagesRow.path}`);
console.log(`messages entry (minified, gzipped): ${messagesRow.minGzip} bytes = ${(messagesRow.minGzip / 1024).toFixed(1)} KB; only for apps that import browser-oauth/messages`);

const dpopRows = dpopFiles.map(measure);
for (const r of dpopRows) {
  console.log(`${r.name.padEnd(16)}${pad(r.raw, 9)}${pad(r.gzip, 9)}${pad(r.min, 9)}${pad(r.minGzip, 10)}  ${r.path}`);
}
const dpopShipped = shipped - rows.find((r) => r.name === 'wasm').minGzip + dpopRows.reduce((sum, r) => sum + r.minGzip, 0);
console.log(`dpop+persist (minified, gzipped, what an app with dpop or persist loads): ${dpopShipped} bytes = ${(dpopShipped / 1024).toFixed(1)} KB, +${dpopShipped - shipped} bytes over the default; apps without dpop or persist pay nothing`);

const extraRows = extraFiles.map(measure);
for (const r of extraRows) {
  console.log(`${r.name.padEnd(16)}${pad(r.raw, 9)}${pad(r.gzip, 9)}${pad(r.min, 9)}${pad(r.minGzip, 10)}  ${r.path}`);
}
const extra = (name) => extraRows.find((r) => r.name === name).minGzip;
console.log(`popup login (minified, gzipped): ${extra('popup login')} bytes, loaded by client.loginPopup only; its redirect page adds ${extra('popup callback')} bytes (browser-oauth/popup, no wasm)`);
const react = extra('react entry') + extra('popup callback');
console.log(`react entry (minified, gzipped, with popup.js): ${react} bytes = ${(react / 1024).toFixed(1)} KB on top of the main entry; only for apps that import browser-oauth/react`);
console.log(JSON.stringify({ figure: 'size', rows, totalMinGzip: shipped, budget: BUDGET_GZIP, oauth1Rows, oauth1MinGzip: oauth1Shipped, inlineRows, inlineMinGzip: inlineShipped, messagesMinGzip: messagesRow.minGzip, extraRows, reactMinGzip: react, dpopRows, dpopMinGzip: dpopShipped }));
