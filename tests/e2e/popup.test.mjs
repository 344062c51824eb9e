// End-to-end tests of the popup login (client.loginPopup + handlePopupCallback) in each
// browser engine (BROWSERS) against the real local OpenID provider, with the engine's own
// popup blocker on (the WebDriver servers turn it off by default). The app page is
// tests/pages/popup.html, which is also its redirect URI. A second site on another origin
// posts forged responses.
import { strict as assert } from 'node:assert';
import { after, before } from 'node:test';

import { assertNoTokenLeak, describeEngines, signInAtProviderInPopup, startProvider, startSite } from './harness.mjs';

let site;
let otherSite;
let provider;

before(async () => {
  [site, otherSite] = await Promise.all([startSite(), startSite()]);
  provider = await startProvider({ APP_ORIGIN: site.url });
});

after(async () => {
  await Promise.all([site?.stop(), otherSite?.stop(), provider?.stop()]);
});

/**
 * An init script: gives each document an id (`window.__documentId`) and wraps `fetch`
 * before the page's modules load (browser-oauth takes its private reference to `fetch`
 * when its module is evaluated, so it gets this wrapper) to report every POST to the token
 * endpoint with the id of the document that sent it, through the `__tokenFetch` binding.
 * Nothing of the request but its method and URL is read.
 */
function reportTokenFetches(tokenUrl) {
  const documentId = crypto.randomUUID();
  window.__documentId = documentId;
  const original = window.fetch;
  window.fetch = function fetch(input, init) {
    const url = input instanceof Request ? input.url : String(input);
    const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
    if (method.toUpperCase() === 'POST' && url === tokenUrl) window.__tokenFetch(documentId);
    return original.call(this, input, init);
  };
}

/**
 * Opens the popup test app in a fresh context with the engine's popup blocker on. Records
 * every token the token endpoint hands out and which page asked for it, and waits until the
 * client is ready; with `autostart`, until the app logged the outcome of its login attempt
 * to the console. (A driver may run its page reads as user gestures, as chromedriver does,
 * so with `autostart` nothing may read the page before the attempt: that would let the
 * popup through.)
 */
async function openApp(browser, { options, autostart = false } = {}) {
  const context = await browser.newContext({ popupBlocker: true });
  const config = {
    issuer: provider.url,
    clientId: 'browser-oauth-demo',
    redirectUri: `${site.url}/tests/pages/popup.html`,
    scope: 'openid profile offline_access',
  };
  await context.addInitScript(([cfg, opts, auto]) => {
    window.POPUP_CONFIG = cfg;
    if (opts) window.POPUP_OPTIONS = opts;
    if (auto) window.POPUP_AUTOSTART = true;
  }, [config, options, autostart]);
  // Which document sent each token request: the network events cannot tell the opener
  // from the popup (same origin, same cookies, no referrer), the page's own fetch can.
  const senders = [];
  await context.exposeBinding('__tokenFetch', (_source, documentId) => { senders.push(documentId); });
  await context.addInitScript(reportTokenFetches, `${provider.url}/token`);
  const page = await context.newPage();
  const tokens = [];
  const exchanges = [];
  context.on('response', async (response) => {
    const request = response.request();
    if (request.method() !== 'POST' || !response.url().endsWith('/token')) return;
    exchanges.push({ body: request.postData() ?? '' });
    const body = await response.json().catch(() => ({}));
    for (const name of ['access_token', 'refresh_token', 'id_token']) if (body[name]) tokens.push(body[name]);
  });
  const logged = autostart && page.waitForEvent('console', { predicate: (m) => m.text().startsWith('popup-app:') });
  await page.goto(`${site.url}/tests/pages/popup.html`);
  await (logged || page.locator('#status', { hasText: 'ready' }).waitFor());
  return { context, page, tokens, exchanges, senders };
}

/** Clicks the login button (a real user gesture) and returns the popup it opened. */
async function clickLogin(context, page) {
  const popupOpened = context.waitForEvent('page');
  await page.click('#login-popup');
  return popupOpened;
}

/** Waits for the app's outcome: status and error code. */
async function outcome(page) {
  await page.locator('#status', { hasText: /signed in|error/ }).waitFor();
  return { status: await page.textContent('#status'), code: await page.textContent('#error-code') };
}

/** The names of the `browser-oauth:` keys in the page's sessionStorage. */
function pendingKeys(page) {
  return page.evaluate(() => Object.keys(sessionStorage).filter((key) => key.startsWith('browser-oauth:')));
}

describeEngines('popup login against the local OpenID provider', { timeout: 600_000 }, (env) => {
  const { test } = env;
  test('popup login completes: the opener exchanges the code and is signed in, the popup closes and held no token', async () => {
    const { context, page, tokens, exchanges, senders } = await openApp(env.browser);
    const popup = await clickLogin(context, page);
    const closed = popup.waitForEvent('close');
    await signInAtProviderInPopup(popup);
    assert.deepEqual(await outcome(page), { status: 'signed in', code: '' });
    await closed;
    const claims = JSON.parse(await page.textContent('#claims'));
    assert.equal(claims.sub, 'alice');
    assert.equal(claims.iss, provider.url);
    assert.equal(await page.url(), `${site.url}/tests/pages/popup.html`, 'the opener never navigated');
    assert.equal(exchanges.length, 1, 'one code exchange');
    assert.deepEqual(senders, [await page.evaluate(() => window.__documentId)], 'the opener, not the popup, exchanged the code');
    assert.ok(tokens.length >= 2, 'the token endpoint issued tokens');
    assert.deepEqual(await pendingKeys(page), [], 'the pending request was used up');
    await assertNoTokenLeak(page, tokens);
    await context.close();
  });

  test('the user closes the popup: popup_closed, and no code is exchanged', async () => {
    const { context, page, exchanges } = await openApp(env.browser);
    const popup = await clickLogin(context, page);
    await popup.locator('form input[type=hidden][name=prompt]').waitFor({ state: 'attached' });
    await popup.close();
    assert.deepEqual(await outcome(page), { status: 'error', code: 'popup_closed' });
    assert.equal(exchanges.length, 0);
    await context.close();
  });

  test('the browser blocks the popup (no user gesture): popup_blocked, no window, no pending request', async () => {
    const { context, page } = await openApp(env.browser, { autostart: true });
    assert.deepEqual(await outcome(page), { status: 'error', code: 'popup_blocked' });
    assert.equal((await context.pages()).length, 1, 'no popup was opened');
    assert.deepEqual(await pendingKeys(page), [], 'a blocked popup leaves no pending request');
    await context.close();
  });

  test('no answer in time: popup_timeout, and the popup is closed', async () => {
    const { context, page, exchanges } = await openApp(env.browser, { options: { timeoutSeconds: 1 } });
    const popup = await clickLogin(context, page);
    const closed = popup.waitForEvent('close');
    assert.deepEqual(await outcome(page), { status: 'error', code: 'popup_timeout' });
    await closed;
    assert.equal(exchanges.length, 0);
    await context.close();
  });

  test('forged responses from another origin, the popup at the provider and a same-origin frame are ignored, each a security event', async () => {
    const { context, page, tokens, exchanges } = await openApp(env.browser);
    const popup = await clickLogin(context, page);
    await popup.locator('form input[type=hidden][name=prompt]').waitFor({ state: 'attached' });
    // The forgery carries this login's real state and iss, so only the sender checks stop it.
    const [key] = await pendingKeys(page);
    const state = key.slice(key.lastIndexOf(':') + 1);
    const forged = {
      type: 'browser-oauth:popup-response',
      url: `${site.url}/tests/pages/popup.html?code=forged-code&state=${state}&iss=${encodeURIComponent(provider.url)}`,
    };
    await page.evaluate(() => {
      window.seen = 0;
      window.addEventListener('message', () => { window.seen += 1; });
    });
    const frame = async (origin) => {
      await page.evaluate((src) => new Promise((resolve) => {
        const iframe = document.createElement('iframe');
        iframe.src = src;
        iframe.onload = resolve;
        document.body.append(iframe);
      }), `${origin}/tests/pages/blank.html`);
      for (const f of await page.frames()) {
        if (f !== page.mainFrame() && new URL(await f.url()).origin === origin) return f;
      }
      throw new Error(`no frame of ${origin}`);
    };
    const post = (message) => window.parent.postMessage(message, '*');
    await (await frame(otherSite.url)).evaluate(post, forged);
    await (await frame(site.url)).evaluate(post, forged);
    await popup.evaluate((message) => window.opener.postMessage(message, '*'), forged);
    await page.waitForFunction(() => window.seen === 3);
    const events = await page.evaluate(() => window.app.security);
    assert.deepEqual(events.map(({ type, code, phase, issuer }) => ({ type, code, phase, issuer })),
      Array(3).fill({ type: 'security', code: 'untrusted_popup_message', phase: 'callback', issuer: provider.url }));
    assert.doesNotMatch(JSON.stringify(events), new RegExp(`${state}|forged-code`), 'no state or code in the events');

    await signInAtProviderInPopup(popup);
    assert.deepEqual(await outcome(page), { status: 'signed in', code: '' });
    assert.equal(exchanges.length, 1, 'one code exchange: the genuine one');
    assert.doesNotMatch(exchanges[0].body, /forged-code/);
    await assertNoTokenLeak(page, tokens);
    await context.close();
  });
});
