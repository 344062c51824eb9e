// The browser-oauth demo: a single-page app that logs in against the local OpenID provider.
// Every value from the provider is shown with textContent, never as HTML.
import { createClient, generatePkce, BrowserOAuthError, ServerError } from '/pkg/dist/index.js';
import { describeError } from '/pkg/dist/messages.js';

/** Defaults match `make demo`; tests inject their own with window.DEMO_CONFIG. */
const config = window.DEMO_CONFIG ?? {
  issuer: 'http://127.0.0.1:9000',
  clientId: 'browser-oauth-demo',
  redirectUri: 'http://127.0.0.1:8080/callback.html',
  postLogoutRedirectUri: 'http://127.0.0.1:8080/',
  scope: 'openid profile email offline_access',
};
// `make demo` offers DPoP and persistence: open /?dpop=1&persist=browser (or persist=tab).
// The choice is kept for this tab so that it survives the redirect to the provider and back.
const asked = new URLSearchParams(location.search);
if (asked.has('dpop') || asked.has('persist')) {
  sessionStorage.setItem('demo:options', JSON.stringify({ dpop: asked.get('dpop') === '1', persist: asked.get('persist') || undefined }));
}
if (!window.DEMO_CONFIG) {
  const options = JSON.parse(sessionStorage.getItem('demo:options') ?? '{}');
  if (options.dpop) Object.assign(config, { dpop: true, clientId: 'browser-oauth-dpop' });
  if (options.persist) config.persist = options.persist;
}
// The demo calls the provider's userinfo endpoint with client.fetch: allow its origin.
config.allowedOrigins ??= [location.origin, new URL(config.issuer).origin];

const $ = (id) => document.getElementById(id);
const show = (id, text) => { $(id).textContent = text; };

/**
 * Shows an error: its stable code, what happened and what to do next (describeError), and the
 * provider's own words when it refused.
 */
function showError(error) {
  if (error instanceof BrowserOAuthError) {
    show('error-code', error.code);
    const { message, action } = describeError(error.code);
    let text = `${message} ${action}`;
    if (error instanceof ServerError) text += ` (provider: ${error.error}${error.errorDescription ? `: ${error.errorDescription}` : ''})`;
    if (error.requestSent) text += ' (the request had been sent)';
    show('error', text);
  } else {
    show('error-code', 'unexpected');
    show('error', String(error));
  }
  show('status', 'error');
}

$('pkce').addEventListener('click', async () => {
  const pair = await generatePkce();
  show('pkce-verifier', pair.verifier);
  show('pkce-challenge', pair.challenge);
  show('pkce-method', pair.method);
});

const EVENTS = ['expiring', 'expired', 'refreshed', 'refreshFailed', 'sessionEnded', 'scopeChanged', 'logout', 'security', 'restored'];

// Tests read the event log here; payloads never carry tokens. The listeners go in the
// configuration, so they also hear what createClient does (a restore of a persisted session).
window.demo = { events: [] };
config.on = Object.fromEntries(EVENTS.map((type) => [type, (event) => {
  window.demo.events.push(event);
  const item = document.createElement('li');
  item.textContent = JSON.stringify(event);
  $('events').append(item);
}]));

let client;
try {
  client = await createClient(config);
  window.demo.client = client;
  show('status', client.user() ? 'signed in' : 'ready');
  if (client.user()) show('claims', JSON.stringify(client.user(), null, 2));
} catch (error) {
  showError(error);
}

/** Logs out; the result (what was revoked) is shown, and kept for the tests. */
async function logout(options) {
  try {
    const result = await client.logout(options);
    window.demo.logoutResult = result;
    // Only the outcomes: the end-session URL carries the ID token as id_token_hint.
    show('logout-result', `refresh token ${result.refreshToken}, access token ${result.accessToken}`);
    if (!result.endSession) show('status', 'logged out');
  } catch (error) {
    showError(error);
  }
}
$('logout').addEventListener('click', () => logout({}));
$('logout-local').addEventListener('click', () => logout({ local: true }));
$('logout-end-session').addEventListener('click', () => logout({ endSession: true }));

$('call-api').addEventListener('click', async () => {
  try {
    const response = await client.fetch(new URL('/me', config.issuer));
    show('api', `${response.status} ${JSON.stringify(await response.json())}`);
  } catch (error) {
    showError(error);
  }
});

$('restore').addEventListener('click', () => {
  try {
    client.restore();
  } catch (error) {
    showError(error);
  }
});

$('login').addEventListener('click', () => {
  try {
    client.login({ returnTo: $('return-to').value || undefined });
  } catch (error) {
    showError(error);
  }
});

const params = new URLSearchParams(location.search || location.hash.slice(1));
if (client && params.has('state') && !params.has('code') && !params.has('error')) {
  // Back from RP-initiated logout: check the state we sent.
  try {
    client.handleLogoutRedirect();
    show('status', 'logged out at the provider');
  } catch (error) {
    showError(error);
  }
} else if (client && (params.has('code') || params.has('error'))) {
  show('status', 'completing login');
  try {
    const { signedIn, reason, returnTo, scope } = await client.handleRedirect();
    if (signedIn) {
      // Same-origin path checked by the library: safe to put in the address bar.
      if (returnTo) history.replaceState(null, '', returnTo);
      show('granted-scope', scope);
      show('claims', JSON.stringify(client.user(), null, 2));
      show('status', 'signed in');
    } else {
      // restore() found no session at the provider: an outcome, not an error.
      show('status', 'not signed in');
      show('error-code', reason);
    }
  } catch (error) {
    showError(error);
  }
}
