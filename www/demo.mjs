// `make demo`: starts the local OpenID provider (127.0.0.1:9000), the local OAuth 1.0a
// provider (127.0.0.1:9100, from the set-up's .venv) and the demo site (127.0.0.1:8080)
// together, prints the URLs, and stops all three on Ctrl-C.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const www = fileURLToPath(new URL('.', import.meta.url));
const python = fileURLToPath(new URL('../.venv/bin/python', import.meta.url));
const site = 'http://127.0.0.1:8080';
const children = [
  // 2-minute access tokens: the demo's lifetime bar shows renewals within minutes.
  spawn(process.execPath, [www + 'provider.mjs'], { env: { ...process.env, PORT: '9000', APP_ORIGIN: site, ACCESS_TTL: '120' }, stdio: 'inherit' }),
  spawn(python, [www + 'oauth1/provider.py'], { env: { ...process.env, PORT: '9100', APP_ORIGIN: site }, stdio: 'inherit' }),
  spawn(process.execPath, [www + 'server.mjs'], { env: { ...process.env, PORT: '8080' }, stdio: 'inherit' }),
];
const stop = () => { for (const child of children) child.kill('SIGTERM'); };
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
for (const child of children) {
  child.on('exit', (code) => {
    if (code) { console.error('demo: a server exited; stopping'); stop(); process.exitCode = 1; }
  });
}
setTimeout(() => console.log(`\ndemo: open ${site}/ and log in as "alice" (any password);` +
  ` the OAuth 1.0a demo is ${site}/www/oauth1.html. Ctrl-C stops.`), 1500);
