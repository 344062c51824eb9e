// Gives the functions a wasm imports from its wasm-bindgen glue short names, in the wasm's
// import section and in the glue's import object alike. wasm-bindgen names each import after
// the JS function plus a 16-digit hash (`__wbg_getItem_477872ae8922a7cc`); those names appear
// once in the wasm and once in the glue, and the hashes do not compress: shortening them
// took 0.4–0.7 KB gzip off each page that loads a wasm (`make size`: about 0.3–0.4 KB off the
// wasm and 0.2–0.3 KB off the bundled JS). The export names are left alone, so
// the glue's code and its `InitOutput` type stay as wasm-bindgen wrote them. Run by
// `make build` after wasm-pack and scripts/pin-glue.mjs, on each entry's freshly built pair.
// Fails when the glue no longer has the expected shape (a wasm-bindgen upgrade): each name
// must occur in the glue exactly once, as a key of the import object.
//
//   node scripts/short-imports.mjs pkg/wasm/browser_oauth.js pkg/wasm/browser_oauth_bg.wasm

import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';

const [gluePath, wasmPath] = process.argv.slice(2);
if (!gluePath || !wasmPath) throw new Error('usage: node scripts/short-imports.mjs <glue.js> <module_bg.wasm>');
/** The module name the wasm imports the glue's functions from. */
const GLUE_MODULE = `./${basename(wasmPath, '.wasm')}.js`;
const IMPORT_SECTION = 2;
const FUNCTION_IMPORT = 0;

/** Reads an unsigned LEB128 at `at`; returns [value, next offset]. @param {Uint8Array} bytes @param {number} at */
function readU32(bytes, at) {
  let value = 0;
  for (let shift = 0; ; shift += 7) {
    const byte = bytes[at];
    if (byte === undefined || shift > 28) throw new Error(`${wasmPath}: bad LEB128 at ${at}`);
    value |= (byte & 0x7f) << shift;
    at += 1;
    if ((byte & 0x80) === 0) return [value >>> 0, at];
  }
}

/** The unsigned LEB128 encoding of `value`. @param {number} value */
function u32(value) {
  const out = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

/** A wasm name: its length, then its UTF-8 bytes. @param {string} text */
const name = (text) => [...u32(Buffer.byteLength(text)), ...Buffer.from(text)];

/** Short names in order: a … z, A … Z, then two letters, skipping any the glue already uses. */
function* shortNames(taken) {
  const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  for (let length = 1; ; length += 1) {
    const total = letters.length ** length;
    for (let n = 0; n < total; n += 1) {
      let text = '';
      for (let k = n, i = 0; i < length; i += 1, k = Math.floor(k / letters.length)) text = letters[k % letters.length] + text;
      if (!taken.has(text)) yield text;
    }
  }
}

/**
 * Rewrites the import section's entries, renaming function imports from the glue module
 * with `rename`; returns the new section body.
 * @param {Uint8Array} body @param {(field: string) => string} rename
 */
function rewriteImports(body, rename) {
  const out = [];
  let [count, at] = readU32(body, 0);
  out.push(...u32(count));
  const readName = () => {
    const [length, start] = readU32(body, at);
    at = start + length;
    return Buffer.from(body.subarray(start, at)).toString('utf8');
  };
  for (; count > 0; count -= 1) {
    const module = readName();
    const field = readName();
    const descStart = at;
    const kind = body[at];
    at += 1;
    // The rest of the descriptor is copied as it is; only its length is needed.
    if (kind === FUNCTION_IMPORT) [, at] = readU32(body, at);
    else if (kind === 1) { at += 1; at = skipLimits(body, at); } // table: reftype, limits
    else if (kind === 2) at = skipLimits(body, at); // memory: limits
    else if (kind === 3) at += 2; // global: valtype, mutability
    else if (kind === 4) { at += 1; [, at] = readU32(body, at); } // tag: attribute, type index
    else throw new Error(`${wasmPath}: import kind ${kind} not known to scripts/short-imports.mjs`);
    const renamed = kind === FUNCTION_IMPORT && module === GLUE_MODULE ? rename(field) : field;
    out.push(...name(module), ...name(renamed), ...body.subarray(descStart, at));
  }
  if (at !== body.length) throw new Error(`${wasmPath}: the import section has ${body.length - at} bytes past its entries`);
  return Uint8Array.from(out);
}

/** Skips a limits record (flags, minimum, and a maximum when flag bit 0 is set). @param {Uint8Array} body @param {number} at */
function skipLimits(body, at) {
  const flags = body[at];
  [, at] = readU32(body, at + 1);
  if (flags & 1) [, at] = readU32(body, at);
  return at;
}

const wasm = new Uint8Array(readFileSync(wasmPath));
let glue = readFileSync(gluePath, 'utf8');
const taken = new Set(glue.match(/\b[A-Za-z]{1,2}\b/g));
const names = shortNames(taken);
/** @type {Map<string, string>} */
const renames = new Map();
const rename = (field) => {
  if (!/^__wb(g|indgen)_\w+$/.test(field)) return field;
  let short = renames.get(field);
  if (short === undefined) {
    short = /** @type {string} */ (names.next().value);
    renames.set(field, short);
  }
  return short;
};

// Sections after the 8-byte header: id, size, body. Only the import section changes.
const parts = [wasm.subarray(0, 8)];
for (let at = 8; at < wasm.length;) {
  const id = wasm[at];
  const [size, bodyStart] = readU32(wasm, at + 1);
  const end = bodyStart + size;
  if (id === IMPORT_SECTION) {
    const body = rewriteImports(wasm.subarray(bodyStart, end), rename);
    parts.push(Uint8Array.from([id, ...u32(body.length)]), body);
  } else {
    parts.push(wasm.subarray(at, end));
  }
  at = end;
}

for (const [long, short] of renames) {
  const key = new RegExp(`^(\\s+)${long}:`, 'm');
  if (glue.split(long).length !== 2 || !key.test(glue)) {
    throw new Error(`${gluePath}: ${long} is not exactly one key of the import object; check scripts/short-imports.mjs`);
  }
  glue = glue.replace(key, `$1${short}:`);
}
// Idempotent: a pair already shortened has nothing left to rename.
if (renames.size > 0) {
  writeFileSync(wasmPath, Buffer.concat(parts));
  writeFileSync(gluePath, glue);
}
console.log(`short-imports: ${renames.size} imports of ${basename(wasmPath)} renamed`);
