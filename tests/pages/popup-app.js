// The popup e2e test's app (tests/e2e/popup.test.mjs). In a login popup this page only
// answers the opener (handlePopupCallback); otherwise it creates a client from
// window.POPUP_CONFIG and logs in through a popup on a click, or at once (no user gesture)
// when window.POPUP_AUTOSTART is set. Provider values are shown with textContent.
import { handlePopupCallback } from '/pkg/dist/popup.js';
import { BrowserOAuthError, createClient } from '/pkg/dist/index.js';

const $ = (id) => document.getElementById(id);

/**
 * Shows the outcome of a popup login, and logs it to the console too: the test of a
 * blocked popup reads it from there, since reading the page with Playwright would give the
 * page the user activation that lets a popup through.
 */
function outcome(promise) {
  promise.then(() => {
    $('claims').textContent = JSON.stringify(window.app.client.user());
    $('status').textContent = 'signed in';
  }, (error) => {
    $('error-code').textContent = error instanceof BrowserOAuthError ? error.code : `unexpected ${error}`;
    $('status').textContent = 'error';
  }).then(() => console.info(`popup-app: ${$('status').textContent} ${$('error-code').textContent}`));
}

if (!handlePopupCallback()) {
  const client = await createClient(window.POPUP_CONFIG);
  // The test reads the security events here; their payloads never carry a secret.
  window.app = { client, security: [] };
  client.on('security', (event) => window.app.security.push(event));
  const login = () => outcome(client.loginPopup(window.POPUP_OPTIONS ?? {}));
  $('login-popup').addEventListener('click', login);
  $('status').textContent = 'ready';
  if (window.POPUP_AUTOSTART) login();
}
