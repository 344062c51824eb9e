// End-to-end walk through the demo (issue 16) in each browser engine (BROWSERS) against the
// real local OpenID provider: login, refresh, every attack button, reload, a second tab,
// logout; and the OAuth 1.0a page. Each step asserts what the panels show, that no token is
// on screen, in the DOM or in storage, and writes a screenshot of the viewport to
// $DEMO_SHOTS/<engine>-<step>.png (default demo-shots/, git-ignored; `make demo-shots` fills
// it). Classic WebDriver captures the viewport only, not the full page.
import { strict as assert } from 'node:assert';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before } from 'node:test';

import {
  assertNoTokenLeak, describeEngines, OAUTH1_CONSUMER, signInThroughApp, startOAuth1Provider, startProvider, startSite,
} from './harness.mjs';

const SHOTS = process.env.DEMO_SHOTS ?? 'demo-shots';
const VIEWPORT = { width: 1280, height: 900 };
let site;
let provider;
let oauth1Provider;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  site = await startSite();
  [provider, oauth1Provider] = await Promise.all([
    startProvider({ APP_ORIGIN: site.url, ACCESS_TTL: '600' }),
    startOAuth1Provider({ APP_ORIGIN: site.url }),
  ]);
});

after(async () => {
  await Promise.all([site?.stop(), provider?.stop(), oauth1Provider?.stop()]);
});

/** Writes a screenshot of `page`'s viewport as `<SHOTS>/<engine>-<name>.png`. */
async function shot(page, name) {
  await page.screenshot({ path: join(SHOTS, `${page.context().browser.engine}-${name}.png`) });
}

/** Whether `url` is on the demo site's origin. @param {string} url */
const onSite = (url) => new URL(url).origin === site.url;

/**
 * Watches every page of a browser context for problems a user would see in the console:
 * console errors (uncaught ones included) and failed requests (4xx/5xx, e.g. a missing
 * favicon) on the demo site's origin.
 */
function watchConsole(context, problems) {
  context.on('console', (message) => {
    if (message.type() === 'error' && onSite(message.location().url)) problems.push(`console: ${message.text()}`);
  });
  context.on('response', (response) => {
    if (onSite(response.url()) && response.status() >= 400) problems.push(`${response.status()} ${response.url()}`);
  });
}

/** Text of every element matching `selector`. */
const texts = (page, selector) => page.locator(selector).allTextContents();

/** The timeline's kinds, newest first. */
const timelineKinds = (page) => page.locator('#events li').evaluateAll((items) => items.map((li) => li.dataset.kind));

/** Asserts no token string is in the page's DOM (text or attributes), storage, URL or history. */
async function assertNothingLeaks(page, tokens) {
  const dom = await page.evaluate(() => document.documentElement.outerHTML);
  for (const token of tokens) assert.ok(!dom.includes(token), `token ${token.slice(0, 8)}… is in the DOM`);
  await assertNoTokenLeak(page, tokens);
}

/** Asserts the session panel is empty: nothing of a session stays on screen. */
async function assertSessionCleared(page) {
  for (const id of ['user-name', 'user-sub', 'user-iss', 'granted-scope', 'claims', 'api']) {
    assert.equal(await page.textContent(`#${id}`), '', `#${id} cleared`);
  }
  assert.equal(await page.locator('#scopes li').count(), 0, 'scopes cleared');
  assert.equal(await page.textContent('#lifetime-text'), 'Not signed in.');
  assert.equal(await page.locator('#lifetime-bar *').count(), 0, 'lifetime bar cleared');
  assert.match(await page.textContent('#session-note'), /^Not signed in/);
}

/** Asserts the storage inspector lists nothing in any area (and says no token is there). */
async function assertStorageEmpty(page) {
  await page.locator('#storage-session-count', { hasText: /^0$/ }).waitFor();
  for (const area of ['session', 'local', 'idb', 'cookies']) {
    // The inspector lists IndexedDB last, after an await: wait until each area is listed.
    await page.locator(`#storage-${area}-count`, { hasText: /^\d+$/ }).waitFor();
    assert.equal(await page.textContent(`#storage-${area}-count`), '0', `${area} empty`);
  }
  assert.match(await page.textContent('#storage-verdict'), /^No token/);
}

describeEngines('the demo, walked as a new user would', { timeout: 600_000 }, (env) => {
  const { test } = env;
  let context;
  let page;
  let second;
  const tokens = [];
  const tokenRequests = [];
  const problems = [];

  before(async () => {
    context = await env.browser.newContext({ viewport: VIEWPORT });
    watchConsole(context, problems);
    // Only the addresses: the demo's own defaults (scope, refresh margin) are under test.
    await context.addInitScript((cfg) => { window.DEMO_CONFIG = cfg; }, {
      issuer: provider.url,
      redirectUri: `${site.url}/callback.html`,
      postLogoutRedirectUri: `${site.url}/`,
    });
    context.on('request', (request) => {
      if (request.method() === 'POST' && request.url() === `${provider.url}/token`) tokenRequests.push(request.url());
    });
    context.on('response', async (response) => {
      if (response.request().method() !== 'POST' || response.url() !== `${provider.url}/token`) return;
      const body = await response.json().catch(() => ({}));
      for (const name of ['access_token', 'refresh_token', 'id_token']) if (body[name]) tokens.push(body[name]);
    });
  });

  after(async () => {
    await context?.close();
  });

  test('before login: ready, not signed in, nothing in storage, no favicon 404', async () => {
    page = await context.newPage();
    await page.goto(`${site.url}/`);
    await page.locator('#status', { hasText: 'ready' }).waitFor();
    await assertSessionCleared(page);
    await assertStorageEmpty(page);
    assert.equal(await page.textContent('#requested-scope'), 'openid profile email');
    assert.equal(await page.isHidden('#error-box'), true, 'no error shown');
    assert.equal((await fetch(`${site.url}/favicon.ico`)).status, 200, '/favicon.ico is served');
    await shot(page, '01-ready');
  });

  test('login: user, issuer, granted = requested scopes with their meaning, lifetime bar, timeline', async () => {
    await page.close();
    ({ page } = await signInThroughApp(context, site.url));
    assert.equal(await page.textContent('#status'), 'signed in');
    assert.equal(await page.textContent('#user-name'), 'Alice Example');
    assert.equal(await page.textContent('#user-sub'), 'alice');
    assert.equal(await page.textContent('#user-iss'), provider.url);
    const scopes = await page.locator('#scopes li').evaluateAll((items) => items.map((li) => [li.dataset.scope, li.dataset.state]));
    assert.deepEqual(scopes, [['openid', 'granted'], ['profile', 'granted'], ['email', 'granted']], 'the default scopes: granted equals requested');
    for (const sentence of await texts(page, '#scopes li')) assert.match(sentence, /[A-Z].{20,}\.$/, 'one plain sentence per scope');
    assert.equal(await page.evaluate(() => window.demo.events.some((e) => e.type === 'scopeChanged')), false, 'no scope change');
    assert.match(await page.textContent('#lifetime-text'), /^Access token valid until \d\d:\d\d:\d\d \(in (9|10) min.*\); renewal margin 30 s, from \d\d:\d\d:\d\d\. Refreshed 0 times\.$/);
    assert.equal(await page.locator('#lifetime-bar .margin').count(), 1, 'the expiring margin is drawn');
    assert.equal(await page.locator('#lifetime-bar .mark').count(), 0, 'no refresh yet');
    assert.deepEqual(await timelineKinds(page), ['signed in']);
    assert.match(await page.textContent('#events li time'), /^\d\d:\d\d:\d\d$/, 'human time');
    assert.equal(await page.url(), `${site.url}/?welcome`, 'returnTo honoured, code gone from the address bar');
    await assertStorageEmpty(page);
    assert.ok(tokens.length >= 3, 'the token endpoint issued access, refresh and ID tokens');
    await assertNothingLeaks(page, tokens);
    await shot(page, '02-signed-in');
  });

  test('refresh: the button renews, the bar marks it, the timeline explains it', async () => {
    const before = tokenRequests.length;
    await page.click('#refresh');
    await page.locator('#refresh-result', { hasText: 'renewed' }).waitFor();
    assert.equal(tokenRequests.length, before + 1, 'one refresh grant');
    assert.equal(await page.locator('#lifetime-bar .mark').count(), 1, 'the refresh is marked on the bar');
    await page.locator('#lifetime-text', { hasText: 'Refreshed 1 time.' }).waitFor();
    assert.equal((await timelineKinds(page))[0], 'refreshed');
    assert.match(await page.textContent('#events li:first-child'), /valid until \d\d:\d\d:\d\d, (9 min \d+ s|10 min) later\.$/);
    await page.click('#call-api');
    await page.locator('#api', { hasText: /^200 / }).waitFor();
    assert.equal(JSON.parse((await page.textContent('#api')).slice(4)).sub, 'alice');
    await assertStorageEmpty(page);
    await assertNothingLeaks(page, tokens);
    await shot(page, '03-refreshed');
  });

  test('attacks: each refused with its typed error and explanation, before any token request; the session survives', async () => {
    const before = tokenRequests.length;
    const expected = {
      'attack-replay': ['state_mismatch', /does not belong to a sign-in started in this tab, or it was already used/],
      'attack-state': ['state_mismatch', /does not belong to a sign-in started in this tab, or it was already used/],
      'attack-iss': ['iss_mismatch', /came from a different provider/],
      'attack-return-to': ['unsafe_return_to', /not a path on this site/],
      'attack-origin': ['origin_not_allowed', /not allowed to send it to/],
    };
    for (const [id, [code, why]] of Object.entries(expected)) {
      await page.click(`#${id}`);
      const result = page.locator(`#attack-results li[data-attack="${id}"]`);
      await result.waitFor();
      assert.equal(await result.getAttribute('data-code'), code, id);
      assert.match(await result.locator('.why').textContent(), why, id);
      assert.match(await result.locator('.event').textContent(), new RegExp(`^Security event: ${code} \\(\\w+\\)$`), id);
      assert.deepEqual((await timelineKinds(page)).slice(0, 2), ['attack', 'security'], 'the attack and its security event');
    }
    assert.equal(await page.isDisabled('#attack-dpop'), true, 'no DPoP in this build: its attack is off');
    assert.equal(tokenRequests.length, before, 'no attack reached the token endpoint');
    assert.equal(await page.evaluate(() => window.demo.client.user()?.sub), 'alice', 'still signed in');
    assert.equal(await page.textContent('#status'), 'signed in');
    // The tamper attack started a login that never finished: its pending record shows, its state does not.
    const keys = await page.evaluate(() => Object.keys(sessionStorage));
    await page.locator('#storage-session-count', { hasText: /^[1-9]/ }).waitFor();
    const listed = await texts(page, '#storage-session li code');
    assert.ok(listed.length >= 1 && listed.every((k) => /^browser-oauth:pending:‹\d+ characters, hidden›$/.test(k)), listed.join());
    const dom = await page.evaluate(() => document.body.textContent);
    for (const key of keys) assert.ok(!dom.includes(key.slice('browser-oauth:pending:'.length)), 'no state value on screen');
    assert.match(await page.textContent('#storage-verdict'), /^No token/);
    await assertNothingLeaks(page, tokens);
    await shot(page, '04-attacks');
  });

  test('an error reads as a sentence with what to do next', async () => {
    await page.fill('#return-to', '//evil.example/');
    await page.click('#login');
    await page.locator('#error-code', { hasText: 'unsafe_return_to' }).waitFor();
    assert.equal(await page.isVisible('#error-box'), true);
    assert.match(await page.textContent('#error-explain'), /not a path on this site/);
    assert.match(await page.textContent('#error-next'), /^What to do: Pass returnTo as a same-origin path/);
    await shot(page, '05-error');
    await page.fill('#return-to', '/?welcome');
  });

  test('reload: the session is gone (memory only) and the screen says so', async () => {
    await page.reload();
    await page.locator('#status', { hasText: 'ready' }).waitFor();
    await assertSessionCleared(page);
    assert.equal(await page.isHidden('#error-box'), true);
    assert.deepEqual(await timelineKinds(page), []);
    await shot(page, '06-reloaded');
  });

  test('second tab: signs in on its own; logout in the first tab clears both screens', async () => {
    // Sign in again in the first tab (the provider's session skips its prompts).
    await page.click('#login');
    await page.locator('#status', { hasText: 'signed in' }).waitFor();
    ({ page: second } = await signInThroughApp(context, site.url));
    assert.equal(await second.textContent('#user-sub'), 'alice');
    await shot(second, '07-second-tab');

    await page.click('#logout');
    await page.locator('#status', { hasText: 'logged out' }).waitFor();
    // The logout event sets the status before client.logout() resolves with what it revoked.
    await page.locator('#logout-result', { hasText: /\S/ }).waitFor();
    assert.equal(await page.textContent('#logout-result'), 'refresh token revoked, access token revoked');
    await assertSessionCleared(page);
    assert.equal(await page.locator('#attack-results li').count(), 0, 'attack results cleared');
    assert.deepEqual(await timelineKinds(page), ['revocation', 'logout'], 'the timeline starts afresh at the logout');
    await assertStorageEmpty(page);
    await assertNothingLeaks(page, tokens);
    await shot(page, '08-logged-out');

    await second.locator('#status', { hasText: 'logged out' }).waitFor();
    await assertSessionCleared(second);
    assert.deepEqual(await timelineKinds(second), ['logout']);
    assert.match(await second.textContent('#events li'), /Another tab logged out/);
    await assertStorageEmpty(second);
    await assertNothingLeaks(second, tokens);
    await shot(second, '09-second-tab-logged-out');
    assert.deepEqual(problems, [], 'no console error and no failed request on the demo site');
  });
});

describeEngines('the demo with DPoP and persistence', { timeout: 600_000 }, (env) => {
  const { test } = env;
  test('bound tokens, the DPoP replay refused by the provider, a reload restores, logout empties IndexedDB', async () => {
    const context = await env.browser.newContext({ viewport: VIEWPORT });
    await context.addInitScript((cfg) => { window.DEMO_CONFIG = cfg; }, {
      issuer: provider.url,
      clientId: 'browser-oauth-dpop',
      redirectUri: `${site.url}/callback.html`,
      postLogoutRedirectUri: `${site.url}/`,
      dpop: true,
      persist: 'browser',
    });
    const tokens = [];
    context.on('response', async (response) => {
      if (response.request().method() !== 'POST' || response.url() !== `${provider.url}/token`) return;
      const body = await response.json().catch(() => ({}));
      for (const name of ['access_token', 'refresh_token', 'id_token']) if (body[name]) tokens.push(body[name]);
    });
    const problems = [];
    watchConsole(context, problems);
    const { page } = await signInThroughApp(context, site.url);
    assert.equal(await page.textContent('#status'), 'signed in');
    assert.match(await page.textContent('#binding'), /^DPoP: tokens bound .*IndexedDB/);
    assert.equal(await page.isChecked('#toggle-dpop'), true);
    assert.equal(await page.inputValue('#persist-mode'), 'browser');

    await page.click('#attack-dpop');
    const result = page.locator('#attack-results li[data-attack="attack-dpop"]');
    await result.waitFor();
    assert.match(await result.getAttribute('data-code'), /^HTTP 4\d\d$/, 'the provider refused the token without its proof');
    assert.match(await result.locator('.why').textContent(), /non-extractable key/);
    await page.locator('#storage-idb-count', { hasText: /^[1-9]/ }).waitFor();
    const idb = await texts(page, '#storage-idb li .what');
    assert.ok(idb.some((what) => /CryptoKey ECDSA, private, extractable: false/.test(what)), idb.join(' | '));
    assert.match(await page.textContent('#storage-verdict'), /^No token/);
    await assertNothingLeaks(page, tokens);
    await shot(page, '15-dpop-persist');

    await page.reload();
    await page.locator('#status', { hasText: /signed in|ready|error/ }).waitFor();
    assert.equal(await page.textContent('#status'), 'signed in', 'the reload restored the session');
    assert.equal(await page.textContent('#user-sub'), 'alice');
    assert.ok((await timelineKinds(page)).includes('restored'));
    assert.match(await page.textContent('#lifetime-text'), /^Access token valid until/);
    await assertNothingLeaks(page, tokens);
    await shot(page, '16-dpop-restored');

    await page.click('#logout');
    await page.locator('#status', { hasText: 'logged out' }).waitFor();
    await assertSessionCleared(page);
    await page.locator('#storage-idb-count', { hasText: /^0$/ }).waitFor();
    await assertStorageEmpty(page);
    await assertNothingLeaks(page, tokens);
    await shot(page, '17-dpop-logged-out');
    assert.deepEqual(problems, [], 'no console error and no failed request on the demo site');
    await context.close();
  });
});

describeEngines('the OAuth 1.0a demo page', { timeout: 600_000 }, (env) => {
  const { test } = env;
  test('login, a signed request, attacks, reload of the callback, logout: panels and no credential on screen', async () => {
    const context = await env.browser.newContext({ viewport: VIEWPORT });
    await context.addInitScript((cfg) => { window.OAUTH1_CONFIG = cfg; }, {
      provider: oauth1Provider.url, consumerKey: OAUTH1_CONSUMER.key, useSigner: true,
    });
    const credentials = [];
    context.on('response', async (response) => {
      if (!/\/token$/.test(new URL(response.url()).pathname) || response.status() !== 200) return;
      const body = new URLSearchParams(await response.text().catch(() => ''));
      for (const name of ['oauth_token', 'oauth_token_secret']) if (body.get(name)) credentials.push(body.get(name));
    });
    const problems = [];
    watchConsole(context, problems);
    const page = await context.newPage();
    await page.goto(`${site.url}/www/oauth1.html`);
    await page.locator('#status', { hasText: 'ready' }).waitFor();
    assert.match(await page.textContent('#session-note'), /^Not signed in/);
    assert.match(await page.textContent('#signing'), /consumer secret never reaches the page/);
    await assertStorageEmpty(page);
    await shot(page, '10-oauth1-ready');

    const logIn = async () => {
      await page.click('#login');
      await page.waitForURL((url) => url.origin === oauth1Provider.url);
      await page.click('#approve');
      await page.locator('#status', { hasText: /logged in|error/ }).waitFor();
      assert.equal(await page.textContent('#status'), 'logged in', await page.textContent('#error-code'));
    };
    await logIn();
    assert.equal(await page.url(), `${site.url}/www/oauth1.html`, 'the callback address left the address bar');
    assert.match(await page.textContent('#lifetime-text'), /^Token credentials valid until \d\d:\d\d:\d\d \(in 2\d h|^Token credentials valid until \d\d:\d\d:\d\d \(in 1 day/);
    assert.equal(await page.locator('#lifetime-bar .margin').count(), 1);
    assert.deepEqual(await timelineKinds(page), ['logged in']);
    await page.click('#photos');
    await page.locator('#result', { hasText: /^200 / }).waitFor();
    assert.equal((await timelineKinds(page))[0], 'signed request');
    assert.ok(credentials.length === 2 && credentials.every((c) => c.length >= 16), 'token credentials issued');
    await assertNothingLeaks(page, credentials);
    await shot(page, '11-oauth1-logged-in');

    for (const [id, code] of [['attack-replay', 'temporary_token_mismatch'], ['attack-origin', 'origin_not_allowed']]) {
      await page.click(`#${id}`);
      const result = page.locator(`#attack-results li[data-attack="${id}"]`);
      await result.waitFor();
      assert.equal(await result.getAttribute('data-code'), code, id);
      assert.match(await result.locator('.why').textContent(), /\w+ \w+ \w+/, id);
      assert.match(await result.locator('.event').textContent(), new RegExp(`^Security event: ${code} \\(\\w+\\)$`), id);
    }
    assert.equal(await page.url(), `${site.url}/www/oauth1.html`, 'the attack left the address bar as it was');
    assert.equal(await page.textContent('#status'), 'logged in', 'the session survives the attacks');
    assert.equal(await page.evaluate(() => window.oauth1.client.expiresAt() instanceof window.Date), true);
    await shot(page, '12-oauth1-attacks');

    await page.reload();
    await page.locator('#status', { hasText: /ready|error/ }).waitFor();
    assert.equal(await page.textContent('#status'), 'ready', 'a reload after login is no invalid_callback');
    assert.equal(await page.isHidden('#error-box'), true);
    assert.match(await page.textContent('#session-note'), /^Not signed in/);
    await shot(page, '13-oauth1-reloaded');

    await logIn();
    await page.click('#logout');
    await page.locator('#status', { hasText: 'logged out' }).waitFor();
    assert.match(await page.textContent('#session-note'), /^Not signed in: logged out/);
    assert.equal(await page.textContent('#result'), '');
    assert.equal(await page.textContent('#lifetime-text'), 'Not signed in.');
    assert.deepEqual(await timelineKinds(page), ['logout'], 'the timeline starts afresh at the logout');
    await assertStorageEmpty(page);
    await assertNothingLeaks(page, credentials);
    await shot(page, '14-oauth1-logged-out');

    // The inspector's IndexedDB list names each record and what it is, never its value.
    await page.evaluate(async () => {
      const key = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
      const db = await new Promise((resolve, reject) => {
        const open = indexedDB.open('other-app', 1);
        open.onupgradeneeded = () => open.result.createObjectStore('keys');
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      await new Promise((resolve) => {
        const tx = db.transaction('keys', 'readwrite');
        tx.objectStore('keys').put({ privateKey: key.privateKey, note: 'secret words' }, 'k1');
        tx.oncomplete = resolve;
      });
      db.close();
    });
    await page.locator('#storage-idb-count', { hasText: '1' }).waitFor();
    assert.deepEqual(await texts(page, '#storage-idb li code'), ['other-app / keys / k1']);
    assert.equal(await page.textContent('#storage-idb li .what'), '{ privateKey: CryptoKey ECDSA, private, extractable: false, note: text, 12 characters }');
    assert.deepEqual(problems, [], 'no console error and no failed request on the demo site');
    await context.close();
  });
});
