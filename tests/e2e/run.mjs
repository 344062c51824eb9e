// `make test-e2e`: every end-to-end suite once per engine of BROWSERS (default chromium,
// firefox, webkit). Each engine runs in its own `node --test` process (its own servers and
// proxies; within a process the tests run one at a time), E2E_PARALLEL engines at a time
// (default 3: all at once); E2E_SUITES=login,session runs only those suites. Each engine's full TAP output goes to target/e2e-<engine>.tap;
// this prints every suite's result line per engine and each engine's summary, the failing
// tests in full, and exits non-zero if any engine failed.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { selectedEngines } from './browsers.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Every suite, or those E2E_SUITES names (comma-separated, e.g. `login,session`). */
const wanted = process.env.E2E_SUITES?.split(',').map((name) => `${name.trim()}.test.mjs`);
const suites = readdirSync(`${ROOT}tests/e2e`)
  .filter((f) => f.endsWith('.test.mjs') && (!wanted || wanted.includes(f)))
  .sort()
  .map((f) => `tests/e2e/${f}`);
if (suites.length === 0) throw new Error(`E2E_SUITES names no suite: ${process.env.E2E_SUITES}`);
const parallel = Math.max(1, Number(process.env.E2E_PARALLEL ?? 3));
/** A test still running after this long has hung: it fails, and the run goes on. */
const TEST_TIMEOUT_MS = 300_000;

/**
 * Runs every suite in one engine; resolves to its exit code and TAP output.
 * @param {string} engine
 * @returns {Promise<{ engine: string, code: number, tap: string, seconds: number }>}
 */
function runEngine(engine) {
  const started = Date.now();
  const child = spawn(process.execPath, ['--test', '--test-concurrency=1', `--test-timeout=${TEST_TIMEOUT_MS}`, '--test-reporter=tap', ...suites], {
    cwd: ROOT,
    env: { ...process.env, BROWSERS: engine },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Written as it comes, so a run in progress can be followed (tail -f).
  const file = createWriteStream(`${ROOT}target/e2e-${engine}.tap`);
  let tap = '';
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8').on('data', (chunk) => {
      tap += chunk;
      file.write(chunk);
    });
  }
  return new Promise((resolve) => {
    child.once('close', (code) => {
      file.end();
      resolve({ engine, code: code ?? 1, tap, seconds: Math.round((Date.now() - started) / 1000) });
    });
  });
}

/**
 * The lines of a TAP report worth printing: top-level results (one per suite), failures
 * with their details, and the summary counts.
 * @param {string} tap
 */
function digest(tap) {
  const lines = tap.split('\n');
  const out = [];
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i];
    if (/^(ok|not ok) \d+ - /.test(line) || /^# (tests|suites|pass|fail|cancelled|skipped|todo) /.test(line)) out.push(line);
    else if (/^\s+not ok \d+ - /.test(line)) {
      out.push(line);
      // The failure's YAML block, up to its end marker.
      for (let j = i + 1; j < lines.length && j < i + 60; j += 1) {
        out.push(lines[j]);
        if (/^\s+\.\.\.$/.test(lines[j])) break;
      }
    } else if (/^# .*(skip|SKIP)/.test(line) || /# SKIP/.test(line)) out.push(line);
  }
  return out.join('\n');
}

const engines = selectedEngines();
mkdirSync(`${ROOT}target`, { recursive: true });
console.log(`e2e: ${suites.length} suites × ${engines.join(', ')} (${Math.min(parallel, engines.length)} engine(s) at a time)`);
const results = [];
const queue = [...engines];
await Promise.all(Array.from({ length: Math.min(parallel, engines.length) }, async () => {
  while (queue.length > 0) {
    const engine = /** @type {string} */ (queue.shift());
    results.push(await runEngine(engine));
  }
}));
let failed = false;
for (const engine of engines) {
  const result = /** @type {(typeof results)[number]} */ (results.find((r) => r.engine === engine));
  console.log(`\n== e2e [${engine}]: ${result.code === 0 ? 'passed' : 'FAILED'} in ${result.seconds} s (full TAP: target/e2e-${engine}.tap)`);
  console.log(digest(result.tap));
  if (result.code !== 0) failed = true;
}
process.exitCode = failed ? 1 : 0;
