// Static file server for the demo site and the browser tests. No dependencies.
//
//   node www/server.mjs             # http://127.0.0.1:8080
//   PORT=0 node www/server.mjs      # the OS picks a free port
//
// Environment: PORT (default 8080, 0 lets the OS choose), ROOT (default: the repo root),
// APP_DIR (a built single-page app, e.g. tests/react-app/dist: then only its files are
// served, and its index.html for every path that is not one of them, as the app routes itself).
// URL mapping: `/` and `/callback.html` (the redirect URI) are www/index.html, the demo's
// one page, `/oauth1-callback.html` is www/oauth1.html, the OAuth 1.0a demo's, and `/favicon.ico`
// is www/favicon.svg; any other path is the file www/<path> if it exists, else <ROOT>/<path> (so
// /pkg/dist/index.js and /tests/... come from the repo root). Only GET and HEAD; no directory listing; paths
// that escape ROOT or contain a dot-segment (/.git, /.env) are refused.
// Prints `site ready http://127.0.0.1:PORT` once listening; exits on SIGTERM/SIGINT.

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const HOST = '127.0.0.1';

const MIME_TYPES = new Map([
  ['.html', 'text/html; charset=utf-8'],
  ['.js', 'text/javascript; charset=utf-8'],
  ['.mjs', 'text/javascript; charset=utf-8'],
  ['.wasm', 'application/wasm'],
  ['.css', 'text/css; charset=utf-8'],
  ['.json', 'application/json'],
  ['.map', 'application/json'],
  ['.svg', 'image/svg+xml'],
  ['.png', 'image/png'],
  ['.ico', 'image/x-icon'],
  ['.txt', 'text/plain; charset=utf-8'],
  ['.ts', 'text/plain; charset=utf-8'],
]);

const COMMON_HEADERS = {
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
};

/**
 * Turns a request URL into candidate file paths, most specific first, or null when the
 * path is malformed, contains a dot-segment, or would leave the root.
 * @param {string} root absolute repo root
 * @param {string} requestUrl the request-target, e.g. "/pkg/dist/index.js?v=1"
 * @returns {string[] | null}
 */
function candidateFiles(root, requestUrl) {
  let pathname;
  try {
    pathname = decodeURIComponent(new URL(requestUrl, 'http://localhost').pathname);
  } catch {
    return null;
  }
  // Each demo is one page, which is also its redirect URI's page.
  if (pathname === '/' || pathname === '/callback.html') pathname = '/www/index.html';
  if (pathname === '/oauth1-callback.html') pathname = '/www/oauth1.html';
  // Browsers ask for /favicon.ico by themselves when a page names no icon.
  if (pathname === '/favicon.ico') pathname = '/www/favicon.svg';
  const segments = pathname.split(/[/\\]/).filter(Boolean);
  if (segments.length === 0 || segments.some((s) => s.startsWith('.') || s.includes('\0'))) return null;
  const candidates = [join(root, 'www', ...segments), join(root, ...segments)].map((p) => resolve(p));
  return candidates.every((p) => p.startsWith(root + sep)) ? candidates : null;
}

/**
 * Like candidateFiles, for a built single-page app: the file under `appDir`, then its
 * index.html (the app routes every other path itself).
 * @param {string} appDir absolute directory of the built app
 * @param {string} requestUrl
 * @returns {string[] | null}
 */
function appFiles(appDir, requestUrl) {
  let pathname;
  try {
    pathname = decodeURIComponent(new URL(requestUrl, 'http://localhost').pathname);
  } catch {
    return null;
  }
  const segments = pathname.split(/[/\\]/).filter(Boolean);
  if (segments.some((s) => s.startsWith('.') || s.includes('\0'))) return null;
  const file = resolve(join(appDir, ...segments));
  return file === appDir || file.startsWith(appDir + sep) ? [file, join(appDir, 'index.html')] : null;
}

/**
 * The first candidate that is a regular file, with its size.
 * @param {string[]} candidates
 * @returns {Promise<{ path: string, size: number } | null>}
 */
async function firstFile(candidates) {
  for (const path of candidates) {
    const info = await stat(path).catch(() => null);
    if (info?.isFile()) return { path, size: info.size };
  }
  return null;
}

/**
 * @param {import('node:http').ServerResponse} res
 * @param {number} status
 * @param {Record<string, string>} [headers]
 */
function sendText(res, status, headers = {}) {
  const body = `${status}\n`;
  res.writeHead(status, { ...COMMON_HEADERS, ...headers, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': body.length });
  res.end(body);
}

/**
 * @param {string} root absolute repo root
 * @param {string | undefined} appDir absolute directory of a built single-page app to serve instead
 * @returns {import('node:http').RequestListener}
 */
function handler(root, appDir) {
  return async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendText(res, 405, { Allow: 'GET, HEAD' });
      return;
    }
    const candidates = appDir ? appFiles(appDir, req.url) : candidateFiles(root, req.url);
    if (!candidates) {
      sendText(res, 400);
      return;
    }
    const file = await firstFile(candidates);
    if (!file) {
      sendText(res, 404);
      return;
    }
    res.writeHead(200, {
      ...COMMON_HEADERS,
      'Content-Type': MIME_TYPES.get(extname(file.path).toLowerCase()) ?? 'application/octet-stream',
      'Content-Length': file.size,
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(file.path)
      .on('error', () => res.destroy())
      .pipe(res);
  };
}

function main() {
  const rawPort = process.env.PORT ?? '8080';
  if (!/^\d+$/.test(rawPort)) throw new Error(`PORT must be a non-negative integer, got ${JSON.stringify(rawPort)}`);
  const port = Number(rawPort);
  const root = resolve(process.env.ROOT ?? fileURLToPath(new URL('..', import.meta.url)));

  const appDir = process.env.APP_DIR ? resolve(process.env.APP_DIR) : undefined;
  const server = createServer(handler(root, appDir));
  server.listen(port, HOST, () => {
    console.log(`site ready http://${HOST}:${server.address().port}`);
  });

  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main();
