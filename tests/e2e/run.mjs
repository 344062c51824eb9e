// `make test-e2e`: every end-to-end suite once per engine of BROWSERS (default chromium,
// firefox, webkit). Each (engine, suite) pair is one `node --test` process with its own
// servers, proxies and browser (within it the tests run one at a time); E2E_JOBS of them
// run at a time (default 4: much of a suite's time is spent waiting on timers and the
// network), the longest suites first. E2E_SUITES=login,session runs only those suites.
// Each engine's TAP output goes to target/e2e-<engine>.tap; this prints every suite's result
// line per engine, each engine's totals and the failing tests in full, and exits non-zero
// if any suite failed.
//
// A suite whose only failures are a browser's WebDriver server that stopped answering (the
// harness's "no answer within" errors: a hung driver or browser, not a result of the page)
// runs once more, and its result is the second run's; the summary says so, and the TAP file
// keeps the first run. Any other failure, or a second hang, fails the run.
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { selectedEngines } from './browsers.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Every suite, or those E2E_SUITES names (comma-separated, e.g. `login,session`). */
const wanted = process.env.E2E_SUITES?.split(',').map((name) => `${name.trim()}.test.mjs`);
const suites = readdirSync(`${ROOT}tests/e2e`)
  .filter((f) => f.endsWith('.test.mjs') && (!wanted || wanted.includes(f)))
  .sort();
if (suites.length === 0) throw new Error(`E2E_SUITES names no suite: ${process.env.E2E_SUITES}`);
const jobs = Math.max(1, Number(process.env.E2E_JOBS ?? 4));
/** A test still running after this long has hung: it fails, and the run goes on. */
const TEST_TIMEOUT_MS = 300_000;
/**
 * The longest suites, longest first (as measured in full runs): started first, so the run
 * does not end waiting on one of them.
 */
const LONG_SUITES = ['persist', 'dpop', 'login', 'logout', 'oauth1', 'hardening', 'demo', 'session', 'react', 'provider'].map((name) => `${name}.test.mjs`);
/** Engines by how long a suite takes in them (WebKitGTK starts a browser per context): slowest first. */
const SLOWEST_FIRST = ['webkit', 'firefox', 'chromium'];

/**
 * @typedef {object} Outcome
 * @property {string} engine
 * @property {string} suite
 * @property {number} code exit code of the suite's process
 * @property {string} tap its TAP report (stdout and stderr)
 * @property {number} seconds
 */

/**
 * Runs one suite in one engine.
 * @param {string} engine @param {string} suite file name under tests/e2e
 * @returns {Promise<Outcome>}
 */
function runSuite(engine, suite) {
  const started = Date.now();
  const child = spawn(process.execPath, ['--test', `--test-timeout=${TEST_TIMEOUT_MS}`, '--test-reporter=tap', `tests/e2e/${suite}`], {
    cwd: ROOT,
    env: { ...process.env, BROWSERS: engine },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tap = '';
  for (const stream of [child.stdout, child.stderr]) stream.setEncoding('utf8').on('data', (chunk) => { tap += chunk; });
  return new Promise((resolve) => {
    child.once('close', (code) => resolve({ engine, suite, code: code ?? 1, tap, seconds: Math.round((Date.now() - started) / 1000) }));
  });
}

/** How the harness reports a WebDriver server that stopped answering (browsers.mjs, withTimeout). */
const DRIVER_HANG = /: no answer within \d+ ms$/;

/**
 * The errors of a suite's TAP report that are WebDriver hangs: a test's failure whose error
 * (one line, without its YAML quotes) follows its failure type directly.
 * @param {string} tap @returns {string[]}
 */
function driverHangs(tap) {
  const pattern = /^\s+failureType: 'testCodeFailure'\n\s+error: (?:'(.*)'|"(.*)")$/gm;
  return [...tap.matchAll(pattern)].map((match) => match[1] ?? match[2]).filter((error) => DRIVER_HANG.test(error));
}

/**
 * The error to name when a failed suite failed only because a WebDriver server stopped
 * answering: at least one such test, and every other failure in the report (whatever its
 * shape) a suite failing for its tests. Null for any other failure.
 * @param {Outcome} outcome @returns {string | null}
 */
function driverHangOnly(outcome) {
  const hangs = driverHangs(outcome.tap);
  const failed = [...outcome.tap.matchAll(/^\s+failureType: '(\w+)'$/gm)].filter((match) => match[1] !== 'subtestsFailed');
  return outcome.code !== 0 && hangs.length > 0 && failed.length === hangs.length ? hangs[0] : null;
}

/**
 * Runs one suite in one engine, and once more if the first run failed only on a WebDriver
 * server that stopped answering (see the header).
 * @param {string} engine @param {string} suite
 * @returns {Promise<Outcome & { hang?: string, firstTap?: string }>}
 */
async function runSuiteOnceMoreIfDriverHung(engine, suite) {
  const first = await runSuite(engine, suite);
  const hang = driverHangOnly(first);
  if (!hang) return first;
  console.log(`${suite} [${engine}]: a WebDriver server stopped answering (${hang}); running the suite once more`);
  return { ...(await runSuite(engine, suite)), hang, firstTap: first.tap };
}

/**
 * The lines of a suite's TAP report worth printing: its top-level results, the failures
 * with their details, skips.
 * @param {string} tap
 */
function digest(tap) {
  const lines = tap.split('\n');
  const out = [];
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i];
    if (/^(ok|not ok) \d+ - /.test(line) || /# SKIP/.test(line)) out.push(line);
    else if (/^\s+not ok \d+ - /.test(line)) {
      out.push(line);
      // The failure's YAML block, up to its end marker.
      for (let j = i + 1; j < lines.length && j < i + 60; j += 1) {
        out.push(lines[j]);
        if (/^\s+\.\.\.$/.test(lines[j])) break;
      }
    }
  }
  return out.join('\n');
}

/** The totals a TAP report ends with, e.g. `{ pass: 9, fail: 0 }`. @param {string} tap */
function totals(tap) {
  const count = (name) => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(tap)?.[1] ?? 0);
  return { tests: count('tests'), pass: count('pass'), fail: count('fail'), skipped: count('skipped'), cancelled: count('cancelled') };
}

const engines = selectedEngines();
const rank = (suite) => (LONG_SUITES.includes(suite) ? LONG_SUITES.indexOf(suite) : LONG_SUITES.length);
const byPace = [...engines].sort((a, b) => SLOWEST_FIRST.indexOf(a) - SLOWEST_FIRST.indexOf(b));
const queue = [...suites].sort((a, b) => rank(a) - rank(b)).flatMap((suite) => byPace.map((engine) => ({ engine, suite })));
mkdirSync(`${ROOT}target`, { recursive: true });
console.log(`e2e: ${suites.length} suites × ${engines.join(', ')}, ${jobs} at a time`);
const started = Date.now();
/** @type {Outcome[]} */
const outcomes = [];
await Promise.all(Array.from({ length: Math.min(jobs, queue.length) }, async () => {
  for (let job = queue.shift(); job; job = queue.shift()) outcomes.push(await runSuiteOnceMoreIfDriverHung(job.engine, job.suite));
}));

let failed = false;
for (const engine of engines) {
  const mine = outcomes.filter((o) => o.engine === engine).sort((a, b) => a.suite.localeCompare(b.suite));
  const firstRun = (o) => (o.firstTap ? `# its first run, before the rerun:\n${o.firstTap.replace(/^/gm, '# ')}\n` : '');
  writeFileSync(`${ROOT}target/e2e-${engine}.tap`, mine.map((o) => `# ${o.suite} (${o.seconds} s)\n${firstRun(o)}${o.tap}`).join('\n'));
  const sum = mine.reduce((acc, o) => {
    for (const [key, value] of Object.entries(totals(o.tap))) acc[key] = (acc[key] ?? 0) + value;
    return acc;
  }, /** @type {Record<string, number>} */ ({}));
  const ok = mine.every((o) => o.code === 0);
  if (!ok) failed = true;
  console.log(`\n== e2e [${engine}]: ${ok ? 'passed' : 'FAILED'}: ${sum.pass} of ${sum.tests} tests passed, ${sum.fail} failed, ${sum.skipped} skipped (TAP: target/e2e-${engine}.tap)`);
  for (const outcome of mine) {
    const rerun = outcome.hang ? `\n(${outcome.suite} ran twice: in its first run ${outcome.hang})` : '';
    console.log(`${digest(outcome.tap)}${rerun}${outcome.code === 0 ? '' : `\n(${outcome.suite} exited with ${outcome.code})`}`);
  }
}
console.log(`\ne2e: ${failed ? 'FAILED' : 'passed'} in ${Math.round((Date.now() - started) / 1000)} s`);
process.exitCode = failed ? 1 : 0;
