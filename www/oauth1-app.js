// The OAuth 1.0a demo page and its callback page, against www/oauth1/provider.py. Tests
// inject window.OAUTH1_CONFIG = { provider, consumerKey, consumerSecret?, useSigner?, ... }
// and drive the client through window.oauth1. Values from the network are shown with
// textContent, never as HTML.
import { createOAuth1Client, BrowserOAuthError } from '/pkg/dist/oauth1.js';

/** Defaults for a manual run: the provider on :9100, this site on :8080. */
const given = window.OAUTH1_CONFIG ?? { provider: 'http://127.0.0.1:9100', consumerKey: 'browseroauthdemo1', useSigner: true };
const $ = (id) => document.getElementById(id);
const show = (id, text) => { $(id).textContent = text; };

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

function showError(error) {
  show('error-code', error instanceof BrowserOAuthError ? error.code : 'unexpected');
  show('error', String(error.message ?? error));
  show('status', 'error');
}

async function main() {
  const client = await createOAuth1Client(config);
  const events = [];
  for (const event of ['expiring', 'expired', 'logout']) client.on(event, () => events.push(event));
  // Security events (refused callbacks, responses, origins): kept for the tests, never a secret.
  client.on('security', (event) => events.push(event));
  window.oauth1 = { client, events };
  $('login').addEventListener('click', () => client.login().catch(showError));
  $('photos').addEventListener('click', async () => {
    try {
      const response = await client.fetch(`${given.provider}/photos?size=original`);
      show('result', `${response.status} ${await response.text()}`);
    } catch (error) {
      showError(error);
    }
  });
  $('logout').addEventListener('click', () => { client.logout(); show('status', 'logged out'); });
  if (window.location.pathname === '/oauth1-callback.html') {
    await client.handleRedirect();
    show('status', 'logged in');
  } else {
    show('status', 'ready');
  }
}

main().catch(showError);
