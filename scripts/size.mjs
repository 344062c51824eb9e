// `make size`: what an app ships, measured the way apps ship it. For each path (an app's
// page), a small app source is bundled with esbuild (minified, code splitting on, as a
// production bundler would) together with the wrapper and the wasm-bindgen glue it imports;
// the JS it loads is counted per chunk (each chunk is one request, compressed on its own)
// plus the .wasm files that path instantiates, gzip -9 and brotli 11.
//
//   landing    browser-oauth/login: createLoginClient + login, the page that only sends the
//              user away (the landing-page entry and its own wasm)
//   signed-in  everything the main entry exports (no add-on)
//   add-ons    each optional entry or option on its own line, as an app using it ships it,
//              with its cost over the signed-in page; a module the wrapper imports only on
//              demand (the popup login's opener half) counts on the line of the call that
//              loads it, not on the signed-in page
//
// An add-on that is not in this checkout (its entry is not in pkg/package.json, or a file it
// needs was not built) prints "not built" rather than being left out silently.
// Prints a table, then one JSON line. Run after `make build`.
import { existsSync, readFileSync } from 'node:fs';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PKG = `${ROOT}pkg/`;
const exportsMap = JSON.parse(readFileSync(`${PKG}package.json`, 'utf8')).exports ?? {};

/** Targets of issue 15, min+gzip bytes: the signed-in page and the landing page. */
const TARGETS = { signedIn: 28 * 1024, landing: 16 * 1024 };
const MAIN_WASM = 'wasm/browser_oauth_bg.wasm';
const CONFIG = "{ issuer: 'https://id.example', clientId: 'app', redirectUri: 'https://app.example/cb' }";

/**
 * The names a subpath export (e.g. `'./react'`) of the package exports, read from its built
 * module by esbuild (nothing is run).
 */
async function exportNames(entry) {
  const target = exportsMap[entry];
  const file = typeof target === 'string' ? target : (target?.import?.default ?? target?.import ?? target?.default);
  if (typeof file !== 'string' || !existsSync(PKG + file)) return [];
  const result = await build({ entryPoints: [PKG + file], bundle: false, write: false, metafile: true, format: 'esm', outdir: `${ROOT}target/size/exports`, logLevel: 'silent' });
  return Object.values(result.metafile.outputs).flatMap((o) => o.exports ?? []);
}

/**
 * An app that imports every export of `entries` by name, as apps import a package (a
 * namespace import would make the bundler build a namespace object no app needs), keeps them
 * all, then runs `then`.
 */
async function everyExport(entries, then = '') {
  const lines = [];
  let kept = 0;
  for (const entry of entries) {
    const names = (await exportNames(entry)).map((name) => `${name} as e${kept++}`);
    lines.push(`import { ${names.join(', ')} } from 'browser-oauth${entry.slice(1)}';`);
  }
  const all = Array.from({ length: kept }, (_, i) => `e${i}`);
  return `${lines.join('\n')}\nglobalThis.kept = [${all.join(', ')}];\n${then}`;
}

/**
 * Each path: the app source (resolved against pkg/ as `browser-oauth`), the subpath exports
 * it needs, the wasm it instantiates (relative to pkg/), and `lazy`: the modules the wrapper
 * imports on demand that this path loads (a chunk counts when it holds one of them).
 */
const PATHS = [
  {
    name: 'landing',
    note: 'browser-oauth/login: createLoginClient + login (its own wasm, nothing after login)',
    source: `import { createLoginClient } from 'browser-oauth/login';
      (await createLoginClient(${CONFIG})).login();`,
    entries: ['./login'],
    wasm: ['wasm-login/browser_oauth_login_bg.wasm'],
  },
  {
    name: 'signed-in',
    note: 'every export of the main entry',
    source: await everyExport(['.']),
    entries: ['.'],
    wasm: [MAIN_WASM],
  },
  {
    name: 'oauth1',
    note: 'browser-oauth/oauth1 alone',
    source: await everyExport(['./oauth1']),
    entries: ['./oauth1'],
    wasm: ['wasm-oauth1/browser_oauth_oauth1_bg.wasm'],
    alone: true,
  },
  {
    name: 'dpop+persist',
    note: 'createClient({ dpop, persist }): the dpop wasm instead of the default one',
    source: await everyExport(['.'], `import { createClient } from 'browser-oauth';
      await createClient({ ...${CONFIG}, dpop: true, persist: true });`),
    entries: ['.'],
    needs: ['dist/dpop.js', 'wasm-dpop/browser_oauth_dpop_bg.wasm'],
    wasm: ['wasm-dpop/browser_oauth_dpop_bg.wasm'],
    lazy: ['pkg/dist/dpop.js'],
  },
  {
    name: 'popup login',
    note: 'client.loginPopup: the main entry and its lazily imported popup-login chunk',
    source: await everyExport(['.']),
    entries: ['.'],
    needs: ['dist/popup-login.js'],
    wasm: [MAIN_WASM],
    lazy: ['pkg/dist/popup-login.js'],
  },
  {
    name: 'popup page',
    note: "browser-oauth/popup alone: the popup's redirect page (no wasm)",
    source: await everyExport(['./popup']),
    entries: ['./popup'],
    wasm: [],
    alone: true,
  },
  {
    name: 'react',
    note: 'browser-oauth/react with the main entry (react itself not counted)',
    source: await everyExport(['.', './react']),
    entries: ['.', './react'],
    wasm: [MAIN_WASM],
  },
  {
    name: 'messages',
    note: 'browser-oauth/messages with the main entry',
    source: await everyExport(['.', './messages']),
    entries: ['.', './messages'],
    wasm: [MAIN_WASM],
  },
  {
    name: 'inline',
    note: 'browser-oauth/inline: the wasm inside the JS',
    source: await everyExport(['./inline']),
    entries: ['./inline'],
    needs: ['wasm/browser_oauth_inline.js'],
    wasm: [],
    alone: true,
  },
];

const gzip = (buf) => gzipSync(buf, { level: 9 }).length;
const brotli = (buf) =>
  brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: buf.length } }).length;

/** Why a path cannot be measured in this checkout, or undefined when it can. */
function missing(path) {
  const entry = path.entries.find((e) => !(e in exportsMap));
  if (entry) return `no "${entry}" entry in pkg/package.json`;
  const file = [...(path.needs ?? []), ...path.wasm].find((f) => !existsSync(PKG + f));
  if (file) return `pkg/${file} not built`;
  return undefined;
}

/**
 * Bundles the path's app with esbuild and returns the JS chunks it loads: the entry chunk,
 * its static imports and the on-demand chunks that hold a module named in `lazy`.
 */
async function bundle(path) {
  const result = await build({
    stdin: { contents: path.source, resolveDir: ROOT, sourcefile: `${path.name}.mjs`, loader: 'js' },
    absWorkingDir: ROOT,
    bundle: true,
    minify: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    external: ['react', 'react-dom', 'react/*'],
    outdir: `${ROOT}target/size/${path.name}`,
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const outputs = result.metafile.outputs;
  const rel = (p) => p.slice(p.indexOf('target/size/'));
  const entry = Object.keys(outputs).find((o) => outputs[o].entryPoint !== undefined);
  const seen = new Set();
  const walk = (o) => {
    if (seen.has(o)) return;
    seen.add(o);
    for (const i of outputs[o].imports) {
      if (i.external) continue;
      const wanted = Object.keys(outputs[i.path]?.inputs ?? {}).some((input) => (path.lazy ?? []).some((m) => input.endsWith(m)));
      if (i.kind === 'import-statement' || (i.kind === 'dynamic-import' && wanted)) walk(i.path);
    }
  };
  walk(entry);
  return result.outputFiles.filter((f) => seen.has(rel(f.path)) || [...seen].some((s) => f.path.endsWith(s)));
}

/** Measures one path: JS (per chunk) and wasm, raw, gzip and brotli. */
async function measure(path) {
  const why = missing(path);
  if (why) return { name: path.name, note: path.note, built: false, why };
  const chunks = await bundle(path);
  const js = { files: chunks.length, min: 0, gzip: 0, brotli: 0 };
  for (const c of chunks) {
    js.min += c.contents.length;
    js.gzip += gzip(c.contents);
    js.brotli += brotli(c.contents);
  }
  const wasm = { files: path.wasm.length, raw: 0, gzip: 0, brotli: 0 };
  for (const f of path.wasm) {
    const bytes = readFileSync(PKG + f);
    wasm.raw += bytes.length;
    wasm.gzip += gzip(bytes);
    wasm.brotli += brotli(bytes);
  }
  return { name: path.name, note: path.note, built: true, js, wasm, gzip: js.gzip + wasm.gzip, brotli: js.brotli + wasm.brotli };
}

const rows = [];
for (const path of PATHS) rows.push(await measure(path));
const signedIn = rows.find((r) => r.name === 'signed-in');
// The main entry is not optional: without it there is nothing to compare (run `make build`).
for (const r of rows.slice(0, 2)) {
  if (!r.built) throw new Error(`size: the ${r.name} page cannot be measured: ${r.why}; run 'make build'`);
}

const pad = (v, n) => String(v).padStart(n);
console.log(
  `${'path'.padEnd(14)}${pad('js min', 8)}${pad('js gz', 8)}${pad('wasm', 8)}${pad('wasm gz', 9)}${pad('gzip', 8)}${pad('brotli', 8)}${pad('+gzip', 8)}  what`,
);
for (const r of rows) {
  if (!r.built) {
    console.log(`${r.name.padEnd(14)}${pad('not built', 9)}  ${r.note} (${r.why})`);
    continue;
  }
  const alone = PATHS.find((p) => p.name === r.name).alone;
  const over = ['landing', 'signed-in'].includes(r.name) || alone ? '' : `+${r.gzip - signedIn.gzip}`;
  r.overSignedIn = over === '' ? undefined : r.gzip - signedIn.gzip;
  console.log(
    `${r.name.padEnd(14)}${pad(r.js.min, 8)}${pad(r.js.gzip, 8)}${pad(r.wasm.raw, 8)}${pad(r.wasm.gzip, 9)}${pad(r.gzip, 8)}${pad(r.brotli, 8)}${pad(over, 8)}  ${r.note}`,
  );
}
console.log('bytes; gzip -9 and brotli 11 of each file (JS chunks + wasm); +gzip: over the signed-in page');
const kb = (b) => `${(b / 1024).toFixed(1)} KB`;
const landing = rows.find((r) => r.name === 'landing');
const against = (bytes, target) =>
  bytes <= target ? `within ${kb(target)}` : `OVER the ${kb(target)} target by ${kb(bytes - target)}`;
console.log(`signed-in page: ${kb(signedIn.gzip)} gzip (${kb(signedIn.brotli)} brotli), ${against(signedIn.gzip, TARGETS.signedIn)}`);
console.log(`landing page: ${kb(landing.gzip)} gzip (${kb(landing.brotli)} brotli), ${against(landing.gzip, TARGETS.landing)}`);
console.log(JSON.stringify({ figure: 'size', targets: TARGETS, rows }));
