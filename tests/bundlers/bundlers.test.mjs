// The package as users get it (issue 12, "Must show"): `npm pack` of pkg/, installed into
// this folder's node_modules (bundlers pinned by package-lock.json here), then
// - publint and `attw --pack` (ESM-only profile: CommonJS consumers use `import()`), and the
//   exact list of files the tarball ships;
// - a strict TypeScript app (types/) compiled with skipLibCheck false under bundler, node16
//   and node10 resolution (TypeScript 5.9), and bundler and node16 (TypeScript 7);
// - one small app per bundler (vite/, webpack/, rollup/, esbuild/, parcel/), built exactly as
//   the package README says, and loaded in headless Chromium, where it runs generatePkce(),
//   createClient({ metadata }) and authorizationUrl().
// Needs `make build` first; `make test-bundlers` runs it.
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { cpSync, createReadStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';

import { launchBrowser } from '../e2e/harness.mjs';

const run = promisify(execFile);
const HERE = fileURLToPath(new URL('.', import.meta.url));
const PKG = fileURLToPath(new URL('../../pkg/', import.meta.url));
const BIN = join(HERE, 'node_modules', '.bin');
const TSC = fileURLToPath(new URL('../../node_modules/.bin/tsc', import.meta.url));

/** Runs a command; on failure the error carries its output. */
async function sh(command, args, cwd = HERE) {
  try {
    return await run(command, args, { cwd, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } });
  } catch (error) {
    error.message += `\n${error.stdout ?? ''}${error.stderr ?? ''}`;
    throw error;
  }
}

let tarball;
let packDir;
/** The paths in the tarball, as `npm pack --json` lists them. @type {string[]} */
let packedFiles;

before(async () => {
  packDir = mkdtempSync(join(tmpdir(), 'browser-oauth-pack-'));
  const { stdout } = await sh('npm', ['pack', '--json', '--pack-destination', packDir], PKG);
  const [packed] = JSON.parse(stdout);
  tarball = join(packDir, packed.filename);
  packedFiles = packed.files.map((f) => f.path);
  await sh('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--loglevel=error', tarball]);
});

after(() => rmSync(packDir, { recursive: true, force: true }));

describe('the packed tarball', () => {
  test('ships only what users need: README, licenses, package.json, dist, the subpath folders and the four wasm builds', async () => {
    assert.deepEqual([...packedFiles].sort(), [
      'LICENSE-APACHE', 'LICENSE-MIT', 'README.md',
      ...['dpop', 'environment', 'errors', 'events', 'index', 'inline', 'load', 'login', 'messages', 'oauth1', 'popup', 'popup-login', 'popup-window', 'react', 'request']
        .flatMap((m) => [`dist/${m}.d.ts`, `dist/${m}.js`]),
      'package.json',
      // Each subpath's folder, for resolvers that do not read `exports` (Parcel 2 by default,
      // webpack 4, TypeScript's node10): its package.json points into dist.
      ...['inline', 'login', 'messages', 'oauth1', 'popup', 'react'].map((entry) => `${entry}/package.json`),
      'wasm-oauth1/browser_oauth_oauth1.d.ts', 'wasm-oauth1/browser_oauth_oauth1.js', 'wasm-oauth1/browser_oauth_oauth1_bg.wasm',
      'wasm-dpop/browser_oauth_dpop.d.ts', 'wasm-dpop/browser_oauth_dpop.js', 'wasm-dpop/browser_oauth_dpop_bg.wasm',
      'wasm-login/browser_oauth_login.d.ts', 'wasm-login/browser_oauth_login.js', 'wasm-login/browser_oauth_login_bg.wasm',
      'wasm/browser_oauth.d.ts', 'wasm/browser_oauth.js', 'wasm/browser_oauth_bg.wasm',
      'wasm/browser_oauth_inline.d.ts', 'wasm/browser_oauth_inline.js',
    ].sort());
  });

  test('package.json has what the npm page and bundlers need', async () => {
    const fields = JSON.parse(readFileSync(join(HERE, 'node_modules', 'browser-oauth', 'package.json'), 'utf8'));
    assert.ok(fields.description.length > 20);
    assert.ok(fields.keywords.includes('oauth') && fields.keywords.includes('oidc'));
    assert.equal(fields.license, 'MIT OR Apache-2.0');
    assert.ok(fields.engines.node);
    assert.equal(fields.sideEffects, false);
  });

  test('publint on the tarball finds no problem (errors, warnings and suggestions all fail)', async () => {
    const { stdout } = await sh(join(BIN, 'publint'), ['run', tarball, '--level', 'suggestion', '--strict']);
    assert.match(stdout, /All good!/);
  });

  test('attw on the tarball (what attw --pack lints): every entry resolves under node10, node16 (ESM) and bundler', async () => {
    // `--profile esm-only`: the package is ES modules only. From CommonJS, `import()` works
    // (and require() of ES modules on Node >= 20.19); the README says so.
    const { stdout } = await sh(join(BIN, 'attw'), [tarball, '--profile', 'esm-only', '--format', 'json']);
    const report = JSON.parse(stdout);
    // The JSON lists every problem; the profile (and so the exit code) ignores node16-cjs only.
    const problems = Object.values(report.problems ?? {}).flat().filter((p) => p.resolutionKind !== 'node16-cjs');
    assert.deepEqual(problems, []);
    const entries = Object.keys(report.analysis.entrypoints);
    for (const entry of ['.', './login', './oauth1', './inline', './messages', './popup', './react']) assert.ok(entries.includes(entry), entry);
    for (const [entry, info] of Object.entries(report.analysis.entrypoints)) {
      for (const mode of ['node10', 'node16-esm', 'bundler']) {
        const resolution = info.resolutions[mode]?.resolution;
        assert.ok(resolution?.fileName, `${entry} resolves under ${mode}`);
      }
    }
  });

  // TypeScript 5.9 (the project's) for all three; TypeScript 7 (pinned here) has no node10.
  for (const [version, tsc, resolutions] of [['5.9', TSC, ['bundler', 'node16', 'node10']], ['7', join(BIN, 'tsc'), ['bundler', 'node16']]]) {
    for (const resolution of resolutions) {
      test(`a strict app (skipLibCheck false, lib ES2022 + DOM) compiles with TypeScript ${version} under ${resolution} resolution`, async () => {
        const { stdout } = await sh(tsc, ['--version']);
        assert.match(stdout, new RegExp(`^Version ${version.replace('.', '\\.')}\\.`));
        await sh(tsc, ['-p', join(HERE, 'types', `tsconfig.${resolution}.json`)]);
      });
    }
  }
});

/** How each app is built: the commands the package README gives for that bundler. */
const APPS = {
  vite: { entry: 'browser-oauth', login: true, build: () => sh(join(BIN, 'vite'), ['build', 'vite', '--outDir', 'dist', '--emptyOutDir', '--logLevel', 'warn']) },
  webpack: { entry: 'browser-oauth', login: true, build: () => sh(join(BIN, 'webpack'), ['--mode', 'production'], join(HERE, 'webpack')), html: true },
  rollup: { entry: 'browser-oauth/inline', build: () => sh(join(BIN, 'rollup'), ['-c', '--silent'], join(HERE, 'rollup')), html: true },
  // Its page removes Uint8Array.fromBase64 first, as in a browser without it (Chromium
  // before 140, Safari before 18.2): the inline entry then decodes its module with atob.
  esbuild: { entry: 'browser-oauth/inline', build: () => sh(join(BIN, 'esbuild'), ['main.js', '--bundle', '--outfile=dist/main.js', '--log-level=warning'], join(HERE, 'esbuild')), html: true, withoutFromBase64: true },
  parcel: {
    entry: 'browser-oauth',
    login: true,
    // No cache: each run installs a new tarball, and a cache kept from an older one gave
    // a build whose page never finished (after the subpath folders came in).
    build: () => sh(join(BIN, 'parcel'), ['build', 'index.html', '--dist-dir', 'dist', '--no-cache', '--no-source-maps', '--log-level', 'warn'], join(HERE, 'parcel')),
  },
};

const MIME = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };

/**
 * Serves `<app>/dist` at the root of its own origin, as a deployed app is (Vite and Parcel
 * write absolute `/assets/…` paths). Nothing outside it is served.
 */
async function serve(app) {
  const root = join(HERE, app, 'dist');
  const server = createServer((request, response) => {
    const path = new URL(request.url, 'http://x').pathname;
    const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
    if (!file.startsWith(root + sep) || !statSync(file, { throwIfNoEntry: false })?.isFile()) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'Content-Type': MIME[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(response);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    // Sockets the browser keeps open (keep-alive, preconnect) are closed too: close() alone
    // waits for them, and a fresh-clone run hung there for 20 minutes.
    close: () => new Promise((resolve) => {
      server.close(resolve);
      server.closeAllConnections();
    }),
  };
}

describe('bundlers: each app built and run in Chromium', () => {
  let browser;

  before(async () => {
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
  });

  for (const [name, app] of Object.entries(APPS)) {
    test(`${name}: builds and completes generatePkce, createClient and authorizationUrl (${app.entry}${app.login ? ' and browser-oauth/login' : ''})`, async () => {
      rmSync(join(HERE, name, 'dist'), { recursive: true, force: true });
      await app.build();
      if (app.html) cpSync(join(HERE, name, 'index.html'), join(HERE, name, 'dist', 'index.html'));
      const server = await serve(name);
      const page = await browser.newPage();
      const problems = [];
      page.on('pageerror', (error) => problems.push(String(error)));
      page.on('response', (response) => {
        const url = new URL(response.url());
        if (response.status() >= 400 && url.pathname !== '/favicon.ico') problems.push(`${response.status()} ${url.pathname}`);
      });
      try {
        await page.goto(`${server.origin}/`);
        await page.waitForFunction(() => document.title === 'done' || document.title === 'failed', null, { timeout: 20_000 })
          .catch((error) => { throw new Error(`${error.message}; page errors: ${problems.join(' | ')}`); });
        const result = await page.evaluate(() => window.result);
        assert.deepEqual(problems, []);
        assert.equal(result.error, undefined, `${result.error} (code ${result.code}, cause ${result.cause})`);
        assert.equal(result.entry, app.entry);
        assert.equal(result.verifierLength, 43);
        assert.equal(result.method, 'S256');
        assert.equal(result.authorize, 'https://as.example/authorize');
        assert.equal(result.codeChallengeMethod, 'S256');
        for (const param of ['response_type', 'client_id', 'redirect_uri', 'scope', 'state', 'code_challenge', 'code_challenge_method', 'nonce']) {
          assert.equal(result.params[param], 1, `${param} once`);
        }
        assert.equal(result.typedErrors, true);
        // The inline entry decodes its module with Uint8Array.fromBase64 where the browser
        // has it (rollup's app), else with atob (esbuild's): each way is run by one app.
        if (app.entry === 'browser-oauth/inline') {
          assert.equal(await page.evaluate(() => typeof Uint8Array.fromBase64), app.withoutFromBase64 ? 'undefined' : 'function');
        }
        // The landing-page entry, where the app imports it too: its own wasm, emitted and loaded.
        if (app.login) {
          assert.equal(result.login?.authorize, 'https://as.example/authorize', 'browser-oauth/login built an authorization URL');
          assert.equal(result.login.codeChallengeMethod, 'S256');
          for (const param of ['response_type', 'client_id', 'redirect_uri', 'scope', 'state', 'code_challenge', 'code_challenge_method', 'nonce']) {
            assert.equal(result.login.params[param], 1, `browser-oauth/login: ${param} once`);
          }
        } else {
          assert.equal(result.login, undefined);
        }
      } finally {
        await page.close();
        await server.close();
      }
    });
  }
});
