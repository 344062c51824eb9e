// `make test`: runs the test layers (Makefile targets) in lanes side by side. Each argument
// is a lane, a space-separated list of targets run one after another; the lanes run at the
// same time (the end-to-end lane spends much of its time waiting on browsers and timers,
// which the other layers fill). Every layer runs even when another failed. A layer's output
// is held back and printed whole when it ends, under a line with its result and time, so
// lanes never interleave; a summary of every layer's exit code and time comes last. Exits
// non-zero when any layer failed.
//
//   node scripts/test-layers.mjs test-e2e "lint test-native test-ts"
import { spawn } from 'node:child_process';

/**
 * @typedef {object} Result
 * @property {string} layer
 * @property {number} code exit code of `make <layer>`
 * @property {number} seconds
 */

/**
 * Runs `make <layer>`, its stdout and stderr collected in one buffer, and prints them once
 * it has ended.
 * @param {string} layer @returns {Promise<Result>}
 */
function runLayer(layer) {
  const started = Date.now();
  const child = spawn(process.env.MAKE || 'make', ['--no-print-directory', layer], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  for (const stream of [child.stdout, child.stderr]) stream.setEncoding('utf8').on('data', (chunk) => { output += chunk; });
  return new Promise((resolve) => {
    child.once('error', (error) => { output += `${error.message}\n`; });
    child.once('close', (code, signal) => {
      const result = { layer, code: code ?? 128, seconds: Math.round((Date.now() - started) / 1000) };
      const verdict = result.code === 0 ? 'passed' : `FAILED (exit ${code ?? signal})`;
      process.stdout.write(`\n==== ${layer}: ${verdict} in ${result.seconds} s\n${output}${output.endsWith('\n') || !output ? '' : '\n'}`);
      resolve(result);
    });
  });
}

const lanes = process.argv.slice(2).map((lane) => lane.split(/\s+/).filter(Boolean));
if (lanes.flat().length === 0) throw new Error('test-layers: name at least one layer');
const started = Date.now();
console.log(`test: ${lanes.map((lane) => lane.join(' → ')).join('  |  ')} (lanes side by side; each layer's output when it ends)`);
const results = (await Promise.all(lanes.map(async (lane) => {
  /** @type {Result[]} */
  const done = [];
  for (const layer of lane) done.push(await runLayer(layer));
  return done;
}))).flat();

const failed = results.filter((r) => r.code !== 0);
console.log(`\n== layers: ${results.map((r) => `${r.layer} ${r.code === 0 ? 'ok' : `FAILED (${r.code})`} ${r.seconds} s`).join(', ')}; ${Math.round((Date.now() - started) / 1000)} s in all`);
console.log(failed.length === 0 ? '== all test layers passed' : `== FAILED: ${failed.map((r) => r.layer).join(', ')}`);
process.exitCode = failed.length === 0 ? 0 : 1;
