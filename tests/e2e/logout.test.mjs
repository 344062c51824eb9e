// End-to-end tests of logout (issue 5) with the demo app in each browser engine (BROWSERS)
// against the real local OpenID provider: revocation checked by a direct request from the test, storage
// and vault empty, other tabs following, RP-initiated logout with its state, and logout
// with the provider down. Tests wait for events, never for durations.
import { strict as assert } from 'node:assert';
import { after, before } from 'node:test';

import { assertNoTokenLeak, demoContext, describeEngines, securityEvents, signInThroughApp, startProvider, startSite } from './harness.mjs';

const CLIENT_ID = 'browser-oauth-demo';
let site;
let provider;

before(async () => {
  site = await startSite();
  provider = await startProvider({ APP_ORIGIN: site.url });
});

after(async () => {
  await Promise.all([site?.stop(), provider?.stop()]);
});

/** A browser context for the demo app against `issuer`, recording issued tokens and revocations. */
async function openContext(browser, issuer = provider.url, extra = {}) {
  const context = await demoContext(browser, {
    siteUrl: site.url,
    issuer,
    clientId: CLIENT_ID,
    scope: 'openid profile email offline_access',
    autoRefresh: false,
    ...extra,
  });
  const issued = { access_token: [], refresh_token: [], id_token: [] };
  const revocations = [];
  const providerRequests = [];
  context.on('request', (request) => {
    if (!request.url().startsWith(issuer)) return;
    providerRequests.push(request.url());
    if (request.url() === `${issuer}/token/revocation`) revocations.push(Object.fromEntries(new URLSearchParams(request.postData())));
  });
  context.on('response', async (response) => {
    if (response.request().method() !== 'POST' || response.url() !== `${issuer}/token`) return;
    const body = await response.json().catch(() => ({}));
    for (const name of Object.keys(issued)) if (body[name]) issued[name].push(body[name]);
  });
  const tokens = () => Object.values(issued).flat();
  return { context, issued, tokens, revocations, providerRequests };
}

/** Opens the app in a new page and signs in (the provider may skip its prompts). */
async function signedInPage(context) {
  const { page, code } = await signInThroughApp(context, site.url);
  assert.equal(await page.textContent('#status'), 'signed in', code);
  return page;
}

/** Every storage key of the page, by storage. */
function storageKeys(page) {
  return page.evaluate(() => ({ local: Object.keys(localStorage), session: Object.keys(sessionStorage) }));
}

/** Resolves to 'ok' or the error code of a client method. */
function outcome(page, method) {
  return page.evaluate((m) => Promise.resolve().then(() => window.demo.client[m]()).then(() => 'ok', (e) => e.code ?? String(e)), method);
}

/** Asserts the vault is empty: every accessor fails or is empty. */
async function assertVaultEmpty(page) {
  assert.equal(await outcome(page, 'getAccessToken'), 'login_required');
  assert.equal(await page.evaluate(() => window.demo.client.user()), undefined);
  assert.equal(await page.evaluate(() => window.demo.client.grantedScopes()), undefined);
}

/** Refreshes directly at the provider with `refreshToken`; returns status and error. */
async function directRefresh(refreshToken) {
  const response = await fetch(`${provider.url}/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: CLIENT_ID }),
  });
  return { status: response.status, error: (await response.json()).error };
}

describeEngines('logout that leaves nothing behind', { timeout: 400_000 }, (env) => {
  const { test } = env;
  test('revokes refresh then access token; the provider then refuses the refresh token; storage and vault empty (specs §11, §12)', async () => {
    const { context, issued, tokens, revocations } = await openContext(env.browser);
    const page = await signedInPage(context);
    await page.evaluate(() => {
      localStorage.setItem('browser-oauth:test', 'x');
      sessionStorage.setItem('browser-oauth:pending:leftover', 'x');
      localStorage.setItem('other-app:keep', 'kept');
    });
    await page.click('#logout');
    await page.locator('#status', { hasText: 'logged out' }).waitFor();
    assert.deepEqual(await page.evaluate(() => window.demo.logoutResult), { refreshToken: 'revoked', accessToken: 'revoked' });
    assert.deepEqual(revocations.map((r) => [r.token_type_hint, r.client_id]), [['refresh_token', CLIENT_ID], ['access_token', CLIENT_ID]]);
    assert.equal(revocations[0].token, issued.refresh_token.at(-1));
    assert.equal(revocations[1].token, issued.access_token.at(-1));
    assert.deepEqual(await directRefresh(issued.refresh_token.at(-1)), { status: 400, error: 'invalid_grant' });
    assert.deepEqual(await storageKeys(page), { local: ['other-app:keep'], session: [] }, 'only our prefix is removed');
    assert.equal(await page.evaluate(() => document.cookie), '');
    await assertVaultEmpty(page);
    const events = await page.evaluate(() => window.demo.events.filter((e) => e.type === 'logout'));
    assert.deepEqual(events, [{ type: 'logout', otherTab: false }]);
    await assertNoTokenLeak(page, tokens());
    await context.close();
  });

  test('a second tab hears the logout, revokes its own tokens, wipes and emits logout; a tab opened afterwards starts with nothing (issue 5 item 4, issue 11 item 11)', async () => {
    const { context, tokens, issued, revocations } = await openContext(env.browser);
    const one = await signedInPage(context);
    const oneRefresh = issued.refresh_token.at(-1);
    const two = await signedInPage(context);
    const twoRefresh = issued.refresh_token.at(-1);
    const twoAccess = issued.access_token.at(-1);
    assert.notEqual(oneRefresh, twoRefresh, 'each tab holds its own refresh token');
    await one.click('#logout');
    await two.waitForFunction(() => window.demo.events.some((e) => e.type === 'logout'));
    assert.deepEqual(await two.evaluate(() => window.demo.events.filter((e) => e.type === 'logout')), [{ type: 'logout', otherTab: true }]);
    // The second tab revoked its own tokens (each tab has its own), refresh token first.
    assert.deepEqual(revocations.map((r) => r.token), [oneRefresh, issued.access_token.at(0), twoRefresh, twoAccess]);
    assert.deepEqual(await directRefresh(twoRefresh), { status: 400, error: 'invalid_grant' });
    await assertVaultEmpty(two);
    const three = await context.newPage();
    await three.goto(`${site.url}/`);
    await three.locator('#status', { hasText: 'ready' }).waitFor();
    await assertVaultEmpty(three);
    for (const page of [one, two, three]) {
      assert.deepEqual(await storageKeys(page), { local: [], session: [] });
      await assertNoTokenLeak(page, tokens());
    }
    await context.close();
  });

  test('local logout with endSession still makes no request and does not navigate: local means no network (issue 11 item 7)', async () => {
    const { context, tokens, providerRequests } = await openContext(env.browser);
    const page = await signedInPage(context);
    const before = providerRequests.length;
    const href = await page.url();
    const result = await page.evaluate(() => window.demo.client.logout({ local: true, endSession: true }));
    assert.deepEqual(result, { refreshToken: 'skipped', accessToken: 'skipped' }, 'no endSession URL');
    assert.equal(await page.url(), href, 'still on the app');
    assert.equal(providerRequests.length, before, 'no request to the provider');
    await assertVaultEmpty(page);
    await assertNoTokenLeak(page, tokens());
    await context.close();
  });

  test('endSession with idTokenHint: false puts no ID token in the end-session URL (issue 11 item 12)', async () => {
    const { context, issued } = await openContext(env.browser);
    const page = await signedInPage(context);
    await page.evaluate(() => { window.demo.client.logout({ endSession: true, idTokenHint: false }); });
    await page.waitForURL((url) => url.origin === provider.url);
    const endSession = new URL(await page.url());
    assert.equal(endSession.searchParams.has('id_token_hint'), false);
    assert.equal(endSession.searchParams.get('client_id'), CLIENT_ID);
    assert.ok(!(await page.url()).includes(issued.id_token.at(-1)));
    await context.close();
  });

  test('local logout makes no request and still wipes everything (issue 5 item 3)', async () => {
    const { context, tokens, providerRequests } = await openContext(env.browser);
    const page = await signedInPage(context);
    const before = providerRequests.length;
    await page.click('#logout-local');
    await page.locator('#status', { hasText: 'logged out' }).waitFor();
    assert.equal(providerRequests.length, before, 'no request to the provider');
    assert.deepEqual(await page.evaluate(() => window.demo.logoutResult), { refreshToken: 'skipped', accessToken: 'skipped' });
    await assertVaultEmpty(page);
    await assertNoTokenLeak(page, tokens());
    await context.close();
  });

  test('RP-initiated logout: the round trip validates state, and a tampered or replayed state is refused (specs §11 step 7)', async () => {
    const { context, tokens } = await openContext(env.browser);
    const page = await signedInPage(context);
    await page.click('#logout-end-session');
    await page.waitForURL((url) => url.origin === provider.url);
    const endSession = new URL(await page.url());
    assert.equal(endSession.pathname, '/session/end');
    assert.equal(endSession.searchParams.get('client_id'), CLIENT_ID);
    assert.equal(endSession.searchParams.get('post_logout_redirect_uri'), `${site.url}/`);
    assert.ok(endSession.searchParams.get('id_token_hint'), 'id_token_hint sent');
    assert.ok(endSession.searchParams.get('state'), 'a fresh state sent');
    // Hold the return: the app script is stubbed while the provider sends the browser back.
    const isApp = (url) => url.origin === site.url && url.pathname === '/www/app.js';
    await page.route(isApp, (route) => route.fulfill({ contentType: 'text/javascript', body: '' }));
    await page.locator('button[name=logout][value=yes]').click();
    await page.waitForURL((url) => url.origin === site.url);
    const back = await page.url();
    await page.unroute(isApp);
    const state = new URL(back).searchParams.get('state');
    assert.ok(state, 'the provider echoed a state');
    const tampered = new URL(back);
    tampered.searchParams.set('state', `${state.slice(0, -1)}${state.endsWith('A') ? 'B' : 'A'}`);
    for (const [url, expected] of [[tampered.href, 'state_mismatch'], [back, ''], [back, 'state_mismatch']]) {
      await page.goto(url);
      await page.locator('#status', { hasText: /logged out at the provider|error/ }).waitFor();
      assert.equal(await page.textContent('#error-code'), expected, url === back ? 'genuine, then replayed' : 'tampered');
      assert.deepEqual(await securityEvents(page, provider.url), expected ? [[expected, 'logout']] : [], 'one security event per refusal');
      assert.doesNotMatch(await page.url(), /state=/, 'state removed from the address bar');
    }
    assert.deepEqual(await storageKeys(page), { local: [], session: [] });
    await assertNoTokenLeak(page, tokens());
    await context.close();
  });

  test('provider down: logout still wipes everything and reports the failed revocations (issue 5 item 3)', async () => {
    const doomed = await startProvider({ APP_ORIGIN: site.url });
    const metadata = await (await fetch(`${doomed.url}/.well-known/openid-configuration`)).json();
    const { context, tokens } = await openContext(env.browser, doomed.url, { metadata });
    const page = await signedInPage(context);
    await doomed.stop();
    await page.click('#logout');
    await page.locator('#status', { hasText: 'logged out' }).waitFor();
    assert.deepEqual(await page.evaluate(() => window.demo.logoutResult), { refreshToken: 'failed', accessToken: 'failed' });
    assert.deepEqual(await storageKeys(page), { local: [], session: [] });
    await assertVaultEmpty(page);
    assert.deepEqual(await page.evaluate(() => window.demo.events.filter((e) => e.type === 'logout')), [{ type: 'logout', otherTab: false }]);
    await assertNoTokenLeak(page, tokens());
    await context.close();
  });
});
