// describeError (issue 12 item 6): every ErrorCode has a plain sentence and a next step.
// The list of codes is read from the shipped declarations with the TypeScript compiler (the
// `ErrorCode` union that apps see, whichever module adds a code), and cross-checked with the
// Rust table in src/core/error.rs, so a new code without a message fails here.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';

import ts from 'typescript';

import { describeError } from '../../pkg/dist/messages.js';

/** The string literals of the `ErrorCode` union exported by the package's main entry. */
function errorCodesFromDeclarations() {
  const entry = fileURLToPath(new URL('../../pkg/dist/index.d.ts', import.meta.url));
  const program = ts.createProgram([entry], {
    strict: true,
    noEmit: true,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
  });
  const checker = program.getTypeChecker();
  const module = checker.getSymbolAtLocation(program.getSourceFile(entry));
  let symbol = checker.getExportsOfModule(module).find((s) => s.name === 'ErrorCode');
  assert.ok(symbol, 'the main entry exports ErrorCode');
  if (symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  const type = checker.getDeclaredTypeOfSymbol(symbol);
  assert.ok(type.isUnion(), 'ErrorCode is a union');
  return type.types.map((member) => {
    assert.ok(member.isStringLiteral(), `ErrorCode member ${checker.typeToString(member)} is a string literal`);
    return member.value;
  });
}

/** The codes of the Rust table (`Variant = "code", "message";` lines). */
function errorCodesFromRust() {
  const source = readFileSync(new URL('../../src/core/error.rs', import.meta.url), 'utf8');
  return [...source.matchAll(/^\s+[A-Z]\w* = "([a-z_0-9]+)",/gm)].map((m) => m[1]);
}

const codes = errorCodesFromDeclarations();
const generic = describeError('not_a_code_at_all');

describe('describeError', () => {
  test('the ErrorCode union holds every code of the Rust table, OAuth 1.0a included', () => {
    const rust = errorCodesFromRust();
    assert.ok(rust.length >= 40, `read ${rust.length} codes from error.rs`);
    for (const code of rust) assert.ok(codes.includes(code), `${code} is in the ErrorCode union`);
    for (const code of ['callback_not_confirmed', 'temporary_token_mismatch', 'signing_failed', 'wasm_load_failed', 'browser_only']) {
      assert.ok(codes.includes(code), code);
    }
  });

  test('every ErrorCode has its own sentence and a next step', () => {
    const seen = new Set();
    for (const code of codes) {
      const { message, action } = describeError(code);
      assert.notEqual(message, generic.message, `${code} has no message of its own`);
      assert.match(message, /^[A-Z].*\.$/, `${code}: message is a sentence`);
      assert.match(action, /^[A-Z].*\.$/, `${code}: action is a sentence`);
      assert.notEqual(message.toLowerCase(), code.replace(/_/g, ' '), `${code}: more than the code in words`);
      assert.ok(!seen.has(message), `${code}: message repeats another code's`);
      seen.add(message);
    }
  });

  test('an unknown code gets a generic description, and no prototype member is mistaken for a code', () => {
    for (const code of ['not_a_code_at_all', 'toString', '__proto__', 'constructor', '']) {
      assert.deepEqual(describeError(code), generic, code);
    }
    assert.match(generic.message, /unexpected/);
  });
});
