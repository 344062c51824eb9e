// The browser-oauth demo: a single-page app that logs in against the local OpenID provider
// and shows what the library does (session, timeline, storage) and what it refuses (attacks).
// Every value from the provider is shown with textContent, never as HTML; no token is ever
// put on screen, in the DOM or in storage.
import { createClient, generatePkce } from '/pkg/dist/index.js';

import { oauth2Attacks, wireAttacks } from './ui/attacks.js';
import { byId, show } from './ui/dom.js';
import { clearError, showError } from './ui/errors.js';
import { explainEvent } from './ui/events.js';
import { createLifetime } from './ui/lifetime.js';
import { renderScopes } from './ui/scopes.js';
import { watchStorage } from './ui/storage.js';
import { createTimeline } from './ui/timeline.js';

/**
 * Defaults match `make demo` (the provider there issues 2-minute access tokens, so renewals
 * show up within minutes); tests override what they need with window.DEMO_CONFIG. The scopes
 * are ones the local provider grants as asked (it grants offline_access only with
 * prompt=consent, and issues refresh tokens without it), so granted equals requested.
 */
const config = {
  issuer: 'http://127.0.0.1:9000',
  clientId: 'browser-oauth-demo',
  redirectUri: 'http://127.0.0.1:8080/callback.html',
  postLogoutRedirectUri: 'http://127.0.0.1:8080/',
  scope: 'openid profile email',
  refreshMarginSeconds: 30,
  ...window.DEMO_CONFIG,
};
// `make demo` offers DPoP and persistence: open /?dpop=1&persist=browser (or persist=tab).
// The choice is kept for this tab so that it survives the redirect to the provider and back.
const asked = new URLSearchParams(location.search);
if (asked.has('dpop') || asked.has('persist')) {
  sessionStorage.setItem('demo:options', JSON.stringify({ dpop: asked.get('dpop') === '1', persist: asked.get('persist') || undefined }));
}
// Also on top of a test's DEMO_CONFIG (which gives the provider's address), so the tests
// take this same path.
const options = JSON.parse(sessionStorage.getItem('demo:options') ?? '{}');
if (options.dpop) Object.assign(config, { dpop: true, clientId: 'browser-oauth-dpop' });
if (options.persist) config.persist = options.persist;
// The demo calls the provider's userinfo endpoint with client.fetch: allow its origin.
config.allowedOrigins ??= [location.origin, new URL(config.issuer).origin];
const requestedScope = config.scope ?? 'openid';
show('requested-scope', requestedScope);

const timeline = createTimeline(/** @type {HTMLOListElement} */ (byId('events')));
const storage = watchStorage();
/** @type {import('/pkg/dist/index.js').Client | undefined} */
let client;
const lifetime = createLifetime({ marginSeconds: config.refreshMarginSeconds ?? 60, expiresAt: () => client?.expiresAt() });
/** The callback URL of this tab's login, kept in memory for the replay attack only. */
let lastCallback;
/** The client's security events (`client.on("security")`), for the attack results. */
const security = [];

const NOT_SIGNED_IN = config.persist
  ? 'Not signed in. With persistence on, a reload or a new tab restores a session from its encrypted record.'
  : 'Not signed in. Tokens live in this page\'s WebAssembly memory only, so a reload or a new tab starts signed out ' +
    '(turn on persistence below to stay signed in, encrypted).';

/** Shows the signed-in user, scopes and token lifetime from the client (claims are data). */
function renderSession() {
  const user = client?.user();
  if (!user) return;
  show('session-note', 'Signed in. The access, refresh and ID tokens are in WebAssembly memory; none is on this page.');
  show('user-name', typeof user.name === 'string' ? user.name : '(no name claim)');
  show('user-sub', user.sub);
  show('user-iss', user.iss);
  show('granted-scope', client.grantedScopes()?.join(' ') ?? '');
  show('claims', JSON.stringify(user, null, 2));
  renderScopes(requestedScope, client.grantedScopes());
}

/**
 * Empties everything that came from a session: nothing of it stays on screen.
 * @param {string} [note] why there is no session
 */
function clearSession(note = NOT_SIGNED_IN) {
  for (const id of ['user-name', 'user-sub', 'user-iss', 'granted-scope', 'claims', 'api', 'refresh-result']) show(id, '');
  show('session-note', note);
  renderScopes(requestedScope, undefined);
  lifetime.clear();
  byId('attack-results').replaceChildren();
  lastCallback = undefined;
}

show('binding', `${config.dpop ? 'DPoP: tokens bound to a non-extractable key of this browser (RFC 9449)' : 'Bearer tokens (no DPoP)'}; ` +
  `${config.persist === 'browser' ? 'the refresh token persists encrypted in IndexedDB for every tab'
    : config.persist === 'tab' ? 'the refresh token persists encrypted in this tab\'s sessionStorage' : 'memory only'}.`);
clearSession();

byId('pkce').addEventListener('click', async () => {
  const pair = await generatePkce();
  show('pkce-verifier', pair.verifier);
  show('pkce-challenge', pair.challenge);
  show('pkce-method', pair.method);
});

const EVENTS = ['expiring', 'expired', 'refreshed', 'refreshFailed', 'sessionEnded', 'scopeChanged', 'logout', 'security', 'restored'];

// Tests read the event log here; payloads never carry tokens. The listeners go in the
// configuration, so they also hear what createClient does (a restore of a persisted session).
window.demo = { events: [], security };
config.on = Object.fromEntries(EVENTS.map((type) => [type, (event) => {
  window.demo.events.push(event);
  if (type === 'logout' || type === 'sessionEnded') {
    clearSession(type === 'logout'
      ? 'Not signed in: logged out, tokens wiped. Log in again to start a new session.'
      : 'Not signed in: the provider ended the session and the tokens are wiped. Log in again.');
    timeline.clear();
    show('status', type === 'logout' ? 'logged out' : 'session ended');
  }
  if (type === 'refreshed') {
    lifetime.refreshed();
    renderSession();
  }
  // Security events: every refused input (code, phase, time, issuer; never a secret).
  if (type === 'security') security.push(event);
  timeline.add(type, explainEvent(event), { security: type === 'security' });
  storage.refresh();
}]));

try {
  client = await createClient(config);
  window.demo.client = client;
  if (client.user()) {
    // createClient restored a persisted session.
    lifetime.start();
    renderSession();
  }
  show('status', client.user() ? 'signed in' : 'ready');
} catch (error) {
  showError(error);
}

/** Logs out; the result (what was revoked) is shown, and kept for the tests. */
async function logout(options) {
  try {
    clearError();
    const result = await client.logout(options);
    window.demo.logoutResult = result;
    // Only the outcomes: the end-session URL carries the ID token as id_token_hint.
    show('logout-result', `refresh token ${result.refreshToken}, access token ${result.accessToken}`);
    timeline.add('revocation', `At the provider (RFC 7009), refresh token: ${result.refreshToken}; access token: ${result.accessToken}.` +
      (result.endSession ? ' Now ending the provider session.' : ''));
    if (!result.endSession) show('status', 'logged out');
  } catch (error) {
    showError(error);
  }
}
byId('logout').addEventListener('click', () => logout({}));
byId('logout-local').addEventListener('click', () => logout({ local: true }));
byId('logout-end-session').addEventListener('click', () => logout({ endSession: true }));

byId('refresh').addEventListener('click', async () => {
  try {
    clearError();
    await client.refresh();
    show('refresh-result', 'renewed');
  } catch (error) {
    show('refresh-result', '');
    showError(error);
  }
});

byId('call-api').addEventListener('click', async () => {
  try {
    const response = await client.fetch(new URL('/me', config.issuer));
    show('api', `${response.status} ${JSON.stringify(await response.json())}`);
  } catch (error) {
    showError(error);
  }
});

// DPoP and persistence: the choice goes into the address (read above), so it survives the reload.
/** @type {HTMLInputElement} */ (byId('toggle-dpop')).checked = Boolean(config.dpop);
/** @type {HTMLSelectElement} */ (byId('persist-mode')).value = config.persist ?? '';
byId('apply-options').addEventListener('click', () => {
  const dpop = /** @type {HTMLInputElement} */ (byId('toggle-dpop')).checked ? '1' : '0';
  const persist = /** @type {HTMLSelectElement} */ (byId('persist-mode')).value;
  location.assign(`/?dpop=${dpop}${persist ? `&persist=${persist}` : ''}`);
});
/** @type {HTMLButtonElement} */ (byId('attack-dpop')).disabled = !config.dpop;

byId('restore').addEventListener('click', () => {
  try {
    clearError();
    client.restore();
  } catch (error) {
    showError(error);
  }
});

byId('login').addEventListener('click', () => {
  try {
    clearError();
    client.login({ returnTo: /** @type {HTMLInputElement} */ (byId('return-to')).value || undefined });
  } catch (error) {
    showError(error);
  }
});

wireAttacks({
  attacks: oauth2Attacks(() => client, config, () => lastCallback),
  securityCount: () => security.length,
  securitySince: (from) => security.slice(from),
  log: (kind, text) => timeline.add(kind, text),
});

const params = new URLSearchParams(location.search || location.hash.slice(1));
if (client && params.has('state') && !params.has('code') && !params.has('error')) {
  // Back from RP-initiated logout: check the state we sent.
  try {
    client.handleLogoutRedirect();
    show('status', 'logged out at the provider');
    timeline.add('logout', 'Back from the provider: its session is over too (the state it echoed matched).');
  } catch (error) {
    showError(error);
  }
} else if (client && (params.has('code') || params.has('error'))) {
  show('status', 'completing login');
  lastCallback = location.href;
  try {
    const { signedIn, reason, returnTo } = await client.handleRedirect();
    if (signedIn) {
      // Same-origin path checked by the library: safe to put in the address bar.
      if (returnTo) history.replaceState(null, '', returnTo);
      lifetime.start();
      renderSession();
      show('status', 'signed in');
      timeline.add('signed in', `Code exchanged with its PKCE verifier; the ID token's signature, issuer, audience, ` +
        `expiry and nonce checked. The address bar no longer holds the code.`);
    } else {
      // restore() found no session at the provider: an outcome, not an error.
      lastCallback = undefined;
      show('status', 'not signed in');
      show('error-code', reason ?? '');
      show('error-explain', 'The provider has no session for you, so the silent sign-in could not complete.');
      show('error-next', 'What to do: Log in normally.');
      byId('error-box').hidden = false;
      timeline.add('not signed in', `A silent sign-in (prompt=none) found no session at the provider (${reason}).`);
    }
  } catch (error) {
    lastCallback = undefined;
    showError(error);
    timeline.add('refused', `The login response was refused (${byId('error-code').textContent}).`);
  }
  storage.refresh();
}
