// Rewrites the wasm-bindgen glue so that every string crossing the wasm boundary (tokens
// included) goes through TextEncoder/TextDecoder methods taken when the glue is evaluated,
// not through the live prototypes that script loaded later could replace (issue 11 item 2,
// design.md "private references"). Run by `make build` after wasm-pack, on both entries.
// Fails when the glue no longer has the expected shape (a wasm-bindgen upgrade): the
// rewrite must then be checked by hand, never skipped silently.
//
//   node scripts/pin-glue.mjs pkg/wasm/browser_oauth.js pkg/wasm-oauth1/browser_oauth_oauth1.js

import { readFileSync, writeFileSync } from 'node:fs';

const MARK = '// browser-oauth: pinned TextEncoder/TextDecoder methods';
const HEADER = `${MARK} (scripts/pin-glue.mjs)
const pinnedApply = Reflect.apply;
const pinnedDecode = TextDecoder.prototype.decode;
const pinnedEncode = TextEncoder.prototype.encode;
const pinnedEncodeInto = TextEncoder.prototype.encodeInto;
`;

/** [pattern, replacement] pairs; each pattern must occur at least once. */
const REWRITES = [
  [/cachedTextDecoder\.decode\(([^()]*)\)/g, 'pinnedApply(pinnedDecode, cachedTextDecoder, [$1])'],
  [/cachedTextEncoder\.encodeInto\(([^()]*)\)/g, 'pinnedApply(pinnedEncodeInto, cachedTextEncoder, [$1])'],
  [/cachedTextEncoder\.encode\(([^()]*)\)/g, 'pinnedApply(pinnedEncode, cachedTextEncoder, [$1])'],
];

for (const file of process.argv.slice(2)) {
  let text = readFileSync(file, 'utf8');
  if (text.includes(MARK)) continue;
  for (const [pattern, replacement] of REWRITES) {
    if (!pattern.test(text)) throw new Error(`${file}: no ${pattern} in the wasm-bindgen glue; check scripts/pin-glue.mjs`);
    text = text.replace(pattern, replacement);
  }
  if (/cachedText(De|En)coder\.(decode|encode|encodeInto)\(/.test(text)) {
    throw new Error(`${file}: a TextEncoder/TextDecoder call was left unpinned`);
  }
  // After the glue's own imports, before any of its code runs.
  const lines = text.split('\n');
  const at = lines.findLastIndex((line) => line.startsWith('import ')) + 1;
  lines.splice(at, 0, HEADER);
  writeFileSync(file, lines.join('\n'));
}
