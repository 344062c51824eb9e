// The OAuth 1.0a demo page and its callback page, against www/oauth1/provider.py. Tests
// inject window.OAUTH1_CONFIG = { provider, consumerKey, consumerSecret?, useSigner?, ... }
// and drive the client through window.oauth1. Values from the network are shown with
// textContent, never as HTML; no credential is put on screen, in the DOM or in storage.
import { createOAuth1Client } from '/pkg/dist/oauth1.js';

import { FOREIGN_API, wireAttacks } from './ui/attacks.js';
import { byId, show } from './ui/dom.js';
import { clearError, showError } from './ui/errors.js';
import { explainEvent } from './ui/events.js';
import { createLifetime } from './ui/lifetime.js';
import { watchStorage } from './ui/storage.js';
import { createTimeline } from './ui/timeline.js';

/** Defaults for a manual run: the provider on :9100, this site on :8080. */
const given = window.OAUTH1_CONFIG ?? { provider: 'http://127.0.0.1:9100', consumerKey: 'browseroauthdemo1', useSigner: true };
/** Where the page lives once the callback is handled (the callback address is not reloadable). */
const HOME = '/www/oauth1.html';

/**
 * The signer hook: the app's backend (here a route of the test provider) holds the consumer
 * secret and signs the base string; the page never sees the secret.
 */
async function backendSign(baseString, method, tokenSecret) {
  const response = await fetch(`${given.provider}/backend/sign`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ baseString, method, tokenSecret }),
  });
  if (!response.ok) throw new Error(`the backend refused to sign (${response.status})`);
  return (await response.json()).signature;
}

const config = {
  consumerKey: given.consumerKey,
  signatureMethod: given.signatureMethod,
  realm: 'photos',
  temporaryCredentialsUrl: `${given.provider}/initiate`,
  authorizationUrl: `${given.provider}/authorize`,
  tokenUrl: `${given.provider}/token`,
  callbackUrl: `${window.location.origin}/oauth1-callback.html`,
  tokenLifetimeSeconds: given.tokenLifetimeSeconds,
  expiringNoticeSeconds: given.expiringNoticeSeconds,
};
if (given.useSigner) config.sign = backendSign;
else config.dangerousConsumerSecret = given.consumerSecret;

const EXPLAIN = {
  expiring: 'The token credentials are close to the lifetime the app set; log in again soon.',
  expired: 'The token credentials reached the lifetime the app set and were wiped from memory.',
  logout: 'Logged out (here, in another tab, or by the OAuth 2 entry): the credentials are wiped from memory.',
};
const NOT_SIGNED_IN = 'Not signed in. The token credentials live in this page\'s WebAssembly memory only, so a reload or a new tab starts signed out.';

const timeline = createTimeline(/** @type {HTMLOListElement} */ (byId('events')));
const storage = watchStorage();
/** @type {import('/pkg/dist/oauth1.js').OAuth1Client | undefined} */
let client;
const lifetime = createLifetime({
  marginSeconds: given.expiringNoticeSeconds ?? 60,
  expiresAt: () => client?.expiresAt(),
  what: 'Token credentials',
  marginName: 'expiring notice',
  renews: false,
});
/** The callback URL of this tab's login, kept in memory for the replay attack only. */
let lastCallback;
/** Security events of the client: every refused input, without secrets. */
const security = [];

show('consumer', config.consumerKey);
show('signing', given.useSigner
  ? `${config.signatureMethod ?? 'HMAC-SHA1'}, signed by the app's backend: the consumer secret never reaches the page`
  : `${config.signatureMethod ?? 'HMAC-SHA1'} in the page with a per-user consumer secret`);

/** Empties everything that came from a session. */
function clearSession(note = NOT_SIGNED_IN) {
  show('session-note', note);
  show('result', '');
  lifetime.clear();
  byId('attack-results').replaceChildren();
  lastCallback = undefined;
}
clearSession();

async function main() {
  client = await createOAuth1Client(config);
  const events = [];
  for (const event of ['expiring', 'expired', 'logout']) {
    client.on(event, () => {
      events.push(event);
      if (event !== 'expiring') {
        clearSession(`Not signed in: ${event === 'logout' ? 'logged out' : 'the credentials expired'}, and they are wiped.`);
        timeline.clear();
        show('status', event === 'logout' ? 'logged out' : 'expired');
      }
      timeline.add(event, EXPLAIN[event]);
      storage.refresh();
    });
  }
  // Security events (refused callbacks, responses, origins): kept for the tests and shown in
  // the timeline and the attack results; they never carry a secret.
  client.on('security', (event) => {
    events.push(event);
    security.push(event);
    timeline.add('security', explainEvent(event), { security: true });
  });
  window.oauth1 = { client, events };
  byId('login').addEventListener('click', () => {
    clearError();
    client.login().catch(showError);
  });
  byId('photos').addEventListener('click', async () => {
    try {
      clearError();
      const response = await client.fetch(`${given.provider}/photos?size=original`);
      // The test resource echoes the access token it accepted: shown without it.
      const { token, ...rest } = (await response.json().catch(() => null)) ?? {};
      show('result', `${response.status} ${JSON.stringify(rest)}${token ? ' (the token it echoed is not shown)' : ''}`);
      timeline.add('signed request', `GET /photos, signed with the token credentials: the provider answered ${response.status}.`);
    } catch (error) {
      showError(error);
    }
  });
  byId('logout').addEventListener('click', () => { client.logout(); show('status', 'logged out'); });
  wireAttacks({
    attacks: {
      'attack-replay': ['Replay the last callback URL', async () => {
        if (!lastCallback) return 'Log in first in this tab: the demo keeps the callback URL of this tab\'s login in memory only.';
        const here = location.href;
        try {
          await client.handleRedirect(lastCallback);
        } finally {
          // handleRedirect cleans the address bar to the callback page: put this page back.
          history.replaceState(null, '', here);
        }
      }],
      'attack-origin': ['Sign a request for another origin', async () => {
        await client.fetch(FOREIGN_API);
      }],
    },
    securityCount: () => security.length,
    securitySince: (from) => security.slice(from),
    log: (kind, text) => timeline.add(kind, text),
  });

  const params = new URLSearchParams(location.search);
  if (location.pathname === '/oauth1-callback.html') {
    if (params.has('oauth_token')) {
      show('status', 'completing login');
      lastCallback = location.href;
      try {
        await client.handleRedirect();
      } finally {
        // The callback address cannot be loaded twice: leave it for the demo page.
        history.replaceState(null, '', HOME);
      }
      show('status', 'logged in');
      show('session-note', 'Signed in. The token credentials (token and secret) are in WebAssembly memory; neither is on this page.');
      lifetime.start();
      timeline.add('logged in', 'Callback checked against the pending request (same temporary token, verifier, single use), then traded for token credentials.');
    } else {
      // Opened or reloaded without a callback: nothing to complete.
      history.replaceState(null, '', HOME);
      show('status', 'ready');
    }
  } else {
    show('status', 'ready');
  }
  storage.refresh();
}

main().catch((error) => {
  lastCallback = undefined;
  showError(error);
});
