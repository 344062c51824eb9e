// The shipped WebAssembly modules name no path of the machine that built them: panic
// locations carry the source files of the crates, and the Makefile strips CARGO_HOME from
// them (--remap-path-prefix), so the same sources give the same bytes on any machine.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const PKG = fileURLToPath(new URL('../../pkg/', import.meta.url));
const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** Every .wasm of the package: one per build (default, login, oauth1, dpop). */
function shippedModules() {
  return readdirSync(PKG)
    .filter((dir) => dir === 'wasm' || dir.startsWith('wasm-'))
    .flatMap((dir) => readdirSync(`${PKG}${dir}`).filter((f) => f.endsWith('.wasm')).map((f) => `${PKG}${dir}/${f}`));
}

test('every shipped .wasm is free of this machine\'s paths (home, CARGO_HOME, the checkout)', () => {
  const modules = shippedModules();
  assert.equal(modules.length, 4, modules.join(' '));
  const machinePaths = [homedir(), process.env.CARGO_HOME ?? `${homedir()}/.cargo`, REPO.replace(/\/$/, ''), '/registry/src/'];
  for (const file of modules) {
    const text = readFileSync(file).toString('latin1');
    for (const path of machinePaths) assert.ok(!text.includes(path), `${file} contains ${path}`);
    // It still names the crates' files, relative: the panic locations are there, only shorter.
    assert.match(text, /sha2-[0-9.]+\/src\//, `${file}: a crate path, relative`);
  }
});
