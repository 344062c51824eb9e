// The popup e2e test's app (tests/e2e/popup.test.mjs). In a login popup this page only
// answers the opener (handlePopupCallback); otherwise it creates a client from
// window.POPUP_CONFIG and logs in through a popup on a click, or at once (no user gesture)
// when window.POPUP_AUTOSTART is set. Provider values are shown with textContent.
import { handlePopupCallback } from '/pkg/dist/popup.js';
import { BrowserOAuthError, createClient } from '/pkg/dist/index.js';

const $ = (id) => document.getElementById(id);

/** Shows the outcome of a popup login. */
function outcome(promise) {
  promise.then(() => {
    $('claims').textContent = JSON.stringify(window.app.client.user());
    $('status').textContent = 'signed in';
  }, (error) => {
    $('error-code').textContent = error instanceof BrowserOAuthError ? error.code : `unexpected ${error}`;
    $('status').textContent = 'error';
  });
}

if (!handlePopupCallback()) {
  const client = await createClient(window.POPUP_CONFIG);
  window.app = { client };
  const login = () => outcome(client.loginPopup(window.POPUP_OPTIONS ?? {}));
  $('login-popup').addEventListener('click', login);
  $('status').textContent = 'ready';
  if (window.POPUP_AUTOSTART) login();
}
