// End-to-end tests of encrypted persistence and silent restore (issue 10): the demo app in
// each browser engine with `dpop: true` and `persist: "tab" | "browser"` against the real local
// provider (rotating, DPoP-bound refresh tokens). A reload and a second tab restore the
// session; tabs share the record without tripping reuse detection; a tampered record, a
// missing key, a refresh token without its proof and logout are each shown to end cleanly;
// restore() signs in silently or says "not signed in". Every test scans the storages,
// cookies and IndexedDB for tokens in clear.
import { strict as assert } from 'node:assert';
import { after, before } from 'node:test';

import { assertNoTokenLeak, collectStorage, demoContext, describeEngines, dumpIndexedDB, signInAtProvider, signInThroughApp, startProvider, startSite } from './harness.mjs';

const CLIENT_ID = 'browser-oauth-dpop';
let site;
let provider;
let resource;

before(async () => {
  site = await startSite();
  provider = await startProvider({ APP_ORIGIN: site.url });
  resource = provider.resource;
});

after(async () => {
  await Promise.all([site?.stop(), provider?.stop()]);
});

/** A context for the demo app with DPoP and `persist`; records issued tokens and refresh grants in order. */
async function openContext(browser, extra = {}) {
  const context = await demoContext(browser, {
    siteUrl: site.url,
    issuer: provider.url,
    clientId: CLIENT_ID,
    scope: 'openid profile offline_access',
    dpop: true,
    allowedOrigins: [site.url, provider.url, resource],
    ...extra,
  });
  const tokens = [];
  const refreshTokens = [];
  const log = [];
  const pending = [];
  context.on('response', (response) => {
    const request = response.request();
    if (request.method() !== 'POST' || request.url() !== `${provider.url}/token`) return;
    const grant = new URLSearchParams(request.postData() ?? '');
    const entry = { grant: grant.get('grant_type'), sent: grant.get('refresh_token'), status: response.status() };
    entry.clientId = grant.get('client_id');
    entry.proof = request.headers().dpop !== undefined;
    log.push(entry);
    pending.push(response.json().then((body) => {
      entry.received = body.refresh_token;
      entry.tokenType = body.token_type;
      for (const name of ['access_token', 'refresh_token', 'id_token']) if (body[name]) tokens.push(body[name]);
      if (body.refresh_token) refreshTokens.push(body.refresh_token);
    }, () => {}));
  });
  const settled = async () => { while (pending.length > 0) await pending.shift(); };
  return { context, tokens, refreshTokens, log, settled };
}

/** Opens the app in a new page and waits until createClient has settled (restored or not). */
async function openApp(context) {
  const page = await context.newPage();
  await page.goto(`${site.url}/`);
  await page.locator('#status', { hasText: /ready|signed in|error/ }).waitFor();
  return page;
}

const status = (page) => page.textContent('#status');
const events = (page) => page.evaluate(() => window.demo.events.map((e) => (e.code ? `${e.type}:${e.code}` : e.type)));
const refresh = (page) => page.evaluate(() => window.demo.client.refresh().then(() => 'ok', (e) => e.code ?? String(e)));
const callResource = (page) => page.evaluate((url) => window.demo.client.fetch(url).then((r) => r.status, (e) => e.code), `${resource}/resource`);

async function signedInPage(context) {
  const { page, code } = await signInThroughApp(context, site.url);
  assert.equal(code, '', 'signed in');
  return page;
}

/** The stored record of this client, as the page sees it. */
function storedRecord(page, mode) {
  return page.evaluate(([m, key]) => {
    if (m === 'tab') return Promise.resolve(sessionStorage.getItem(`browser-oauth:session ${key}`));
    return new Promise((resolve) => {
      const open = indexedDB.open('browser-oauth');
      open.onsuccess = () => {
        const request = open.result.transaction('sessions').objectStore('sessions').get(key);
        request.onsuccess = () => { open.result.close(); resolve(request.result ?? null); };
      };
    });
  }, [mode, `${CLIENT_ID} ${provider.url}`]);
}

/** Replaces the stored record (a test playing an attacker with write access to storage). */
function writeRecord(page, mode, value) {
  return page.evaluate(([m, key, v]) => {
    if (m === 'tab') { sessionStorage.setItem(`browser-oauth:session ${key}`, v); return Promise.resolve(); }
    return new Promise((resolve) => {
      const open = indexedDB.open('browser-oauth');
      open.onsuccess = () => {
        const tx = open.result.transaction('sessions', 'readwrite');
        tx.objectStore('sessions').put(v, key);
        tx.oncomplete = () => { open.result.close(); resolve(); };
      };
    });
  }, [mode, `${CLIENT_ID} ${provider.url}`, value]);
}

/** A refresh grant for `refreshToken` sent from outside the browser, without a DPoP proof. */
function refreshWithoutProof(refreshToken) {
  return fetch(`${provider.url}/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: CLIENT_ID }),
  }).then(async (r) => ({ status: r.status, error: (await r.json()).error }));
}

describeEngines('persistence: encrypted record, restore on reload and in other tabs, logout, restore()', { timeout: 300_000 }, (env) => {
  const { test } = env;
  for (const mode of ['tab', 'browser']) {
    test(`reload restores the session ("${mode}"): restored event, working tokens, only ciphertext stored`, async () => {
      const { context, tokens } = await openContext(env.browser, { persist: mode });
      const page = await signedInPage(context);
      const record = JSON.parse(await storedRecord(page, mode));
      assert.deepEqual(Object.keys(record).sort(), ['ct', 'iv', 'sub', 'v']);
      await page.reload();
      await page.locator('#status', { hasText: /ready|signed in|error/ }).waitFor();
      assert.equal(await status(page), 'signed in');
      assert.deepEqual(await events(page), ['refreshed', 'restored'], 'heard through the listeners given in the configuration');
      assert.equal(await callResource(page), 200, 'a fresh DPoP-bound access token');
      assert.equal(JSON.parse(await page.evaluate(() => JSON.stringify(window.demo.client.user()))).sub, 'alice');
      const after = JSON.parse(await storedRecord(page, mode));
      assert.notEqual(after.iv, record.iv, 'the rotated refresh token was written with a fresh IV');
      // The keys are non-extractable CryptoKeys; nothing in any storage holds a token in clear.
      const db = JSON.parse(await dumpIndexedDB(page))['browser-oauth'];
      const [[, keys]] = db.keys;
      assert.equal(keys.dpop.privateKey.extractable, false);
      assert.equal(keys.aes.extractable, false);
      await assertNoTokenLeak(page, tokens);
      // "tab" is this tab only: a new tab starts signed out; "browser" is every tab.
      const other = await openApp(context);
      assert.equal(await status(other), mode === 'tab' ? 'ready' : 'signed in');
      await assertNoTokenLeak(other, tokens);
      await context.close();
    });
  }

  test("the demo's /?dpop=1&persist=browser signs in with DPoP-bound tokens, persists, and restores on reload", async () => {
    // The test's configuration is the plain demo client without DPoP; the query switches it.
    const { context, tokens, log, settled } = await openContext(env.browser, { clientId: 'browser-oauth-demo', dpop: false });
    const page = await context.newPage();
    await page.goto(`${site.url}/?dpop=1&persist=browser`);
    await page.locator('#status', { hasText: 'ready' }).waitFor();
    const authorize = page.waitForRequest((r) => r.url().startsWith(`${provider.url}/auth`));
    await page.click('#login');
    const asked = new URL((await authorize).url()).searchParams;
    assert.equal(asked.get('client_id'), CLIENT_ID);
    assert.match(asked.get('dpop_jkt') ?? '', /^[\w-]{43}$/, 'the code is bound to the key (dpop_jkt)');
    const done = page.locator('#status', { hasText: /signed in|error/ });
    const prompt = page.locator('form input[type=hidden][name=prompt]');
    await Promise.race([done.waitFor(), prompt.waitFor({ state: 'attached' }).then(() => signInAtProvider(page))]);
    await done.waitFor();
    assert.equal(await page.textContent('#error-code'), '');
    assert.equal(await status(page), 'signed in');
    await settled();
    assert.deepEqual(log.map((e) => [e.grant, e.clientId, e.proof, e.status, e.tokenType]),
      [['authorization_code', CLIENT_ID, true, 200, 'DPoP']], 'a DPoP-bound token from the code exchange');
    assert.notEqual(await storedRecord(page, 'browser'), null, 'persisted in IndexedDB');
    await page.reload();
    await page.locator('#status', { hasText: /ready|signed in|error/ }).waitFor();
    assert.equal(await status(page), 'signed in');
    assert.deepEqual(await events(page), ['refreshed', 'restored']);
    await settled();
    assert.deepEqual(log.map((e) => [e.grant, e.proof, e.tokenType]).at(-1), ['refresh_token', true, 'DPoP']);
    assert.equal(await callResource(page), 200, 'the test resource takes the bound token with its proof');
    await assertNoTokenLeak(page, tokens);
    await context.close();
  });

  test('two tabs refreshing 20 times each with rotating refresh tokens never end the session (Web Lock, shared record)', async () => {
    const { context, tokens, log, settled } = await openContext(env.browser, { persist: 'browser', autoRefresh: false });
    const one = await signedInPage(context);
    const two = await openApp(context);
    assert.equal(await status(two), 'signed in', 'the second tab restored');
    // Both loops run in their tabs at the same time (WebDriver runs one command at a time,
    // so each is started, then awaited).
    const start = (page) => page.evaluate(() => {
      window.__loop = (async () => {
        const results = [];
        for (let i = 0; i < 20; i += 1) results.push(await window.demo.client.refresh().then(() => 'ok', (e) => e.code ?? String(e)));
        return results;
      })();
    });
    await start(one);
    await start(two);
    const [a, b] = [await one.evaluate(() => window.__loop), await two.evaluate(() => window.__loop)];
    assert.deepEqual([...a, ...b], Array(40).fill('ok'));
    await settled();
    const refreshes = log.filter((e) => e.grant === 'refresh_token');
    assert.equal(refreshes.length, 41, "40 refreshes and the second tab's restore");
    assert.ok(refreshes.every((e) => e.status === 200));
    for (let i = 1; i < refreshes.length; i += 1) {
      assert.equal(refreshes[i].sent, refreshes[i - 1].received, `grant ${i} spent the newest refresh token`);
    }
    for (const page of [one, two]) {
      assert.ok(!(await events(page)).some((e) => e.startsWith('sessionEnded')));
      assert.equal(await callResource(page), 200);
      await assertNoTokenLeak(page, tokens);
    }
    await context.close();
  });

  test('a tampered record, or a record whose key is gone, gives persisted_session_invalid and is wiped', async () => {
    for (const mode of ['browser', 'tab']) {
      const { context, tokens } = await openContext(env.browser, { persist: mode });
      const page = await signedInPage(context);
      const record = JSON.parse(await storedRecord(page, mode));
      const i = Math.floor(record.ct.length / 2);
      record.ct = `${record.ct.slice(0, i)}${record.ct[i] === 'A' ? 'B' : 'A'}${record.ct.slice(i + 1)}`;
      await writeRecord(page, mode, JSON.stringify(record));
      await page.reload();
      await page.locator('#status', { hasText: /ready|signed in|error/ }).waitFor();
      assert.equal(await status(page), 'ready', mode);
      assert.deepEqual(await events(page), ['sessionEnded:persisted_session_invalid', 'security:persisted_session_invalid'], mode);
      assert.equal(await page.evaluate(() => window.demo.events.find((e) => e.type === 'security').phase), 'storage');
      assert.equal(await storedRecord(page, mode), null, 'wiped');
      assert.equal(await page.evaluate(() => window.demo.client.getAccessToken().then(() => 'token', (e) => e.code)), 'login_required');
      await assertNoTokenLeak(page, tokens);
      await context.close();
    }
    // The key gone (e.g. site data partly cleared): the record is useless, and wiped.
    const { context, tokens } = await openContext(env.browser, { persist: 'browser' });
    const page = await signedInPage(context);
    await page.evaluate((key) => new Promise((resolve) => {
      const open = indexedDB.open('browser-oauth');
      open.onsuccess = () => {
        const tx = open.result.transaction('keys', 'readwrite');
        tx.objectStore('keys').delete(key);
        tx.oncomplete = () => { open.result.close(); resolve(); };
      };
    }), `${CLIENT_ID} ${provider.url}`);
    await page.reload();
    await page.locator('#status', { hasText: /ready|signed in|error/ }).waitFor();
    assert.deepEqual(await events(page), ['sessionEnded:persisted_session_invalid', 'security:persisted_session_invalid']);
    assert.equal(await storedRecord(page, 'browser'), null);
    await assertNoTokenLeak(page, tokens);
    await context.close();
  });

  test('the persisted refresh token used without a DPoP proof is refused by the provider', async () => {
    const { context, tokens, refreshTokens, settled } = await openContext(env.browser, { persist: 'browser', autoRefresh: false });
    const page = await signedInPage(context);
    await settled();
    const stolen = refreshTokens.at(-1);
    assert.deepEqual(await refreshWithoutProof(stolen), { status: 400, error: 'invalid_grant' });
    // Refused for want of the key, not because it was spent: the page, which holds the key, still refreshes with it.
    assert.equal(await refresh(page), 'ok');
    await assertNoTokenLeak(page, tokens);
    await context.close();
  });

  test('after logout IndexedDB, both storages and cookies hold nothing of ours in any tab, and the old refresh token is refused', async () => {
    const { context, tokens, refreshTokens, settled } = await openContext(env.browser, { persist: 'browser' });
    const one = await signedInPage(context);
    const two = await openApp(context);
    assert.equal(await status(two), 'signed in');
    await settled();
    const last = refreshTokens.at(-1);
    await one.click('#logout');
    await one.locator('#status', { hasText: 'logged out' }).waitFor();
    // The status changes on the logout event, before logout() resolves with its result.
    assert.equal(await one.waitForFunction(() => window.demo.logoutResult?.refreshToken), 'revoked');
    await two.waitForFunction(() => window.demo.events.some((e) => e.type === 'logout'));
    for (const page of [one, two]) {
      // The other tab's wipe is asynchronous (IndexedDB): wait until it is done.
      await page.waitForFunction(async () => {
        const dbs = await indexedDB.databases();
        if (!dbs.some((d) => d.name === 'browser-oauth')) return true;
        return new Promise((resolve) => {
          const open = indexedDB.open('browser-oauth');
          open.onsuccess = () => {
            const tx = open.result.transaction(['keys', 'sessions']);
            let total = 0;
            for (const store of ['keys', 'sessions']) tx.objectStore(store).count().onsuccess = (e) => { total += e.target.result; };
            tx.oncomplete = () => { open.result.close(); resolve(total === 0); };
          };
        });
      });
      const state = await collectStorage(page);
      assert.equal(state.sessionStorage.includes('browser-oauth'), false, state.sessionStorage);
      assert.equal(state.localStorage, '{}');
      assert.equal(state.documentCookie, '');
      // The only cookies are the provider's own (HttpOnly, named _session_<port>, ...).
      assert.ok(JSON.parse(state.contextCookies).every((c) => c.name.startsWith('_') && c.httpOnly), state.contextCookies);
      assert.equal(await page.evaluate(() => window.demo.client.getAccessToken().then(() => 'token', (e) => e.code)), 'login_required');
      await assertNoTokenLeak(page, tokens);
    }
    assert.equal((await refreshWithoutProof(last)).status, 400, 'revoked');
    // A reload finds nothing to restore.
    await two.reload();
    await two.locator('#status', { hasText: /ready|signed in|error/ }).waitFor();
    assert.equal(await status(two), 'ready');
    assert.deepEqual(await events(two), []);
    await context.close();
  });

  test('restore() signs in with prompt=none when the provider has a session, and says "not signed in" when it has none', async () => {
    const base = { clientId: 'browser-oauth-demo', dpop: false };
    const { context, tokens } = await openContext(env.browser, base);
    await signedInPage(context);
    // Memory only: a new page is signed out, until restore() asks the provider.
    const page = await openApp(context);
    assert.equal(await status(page), 'ready');
    const authorize = page.waitForRequest((r) => r.url().startsWith(`${provider.url}/auth`));
    await page.click('#restore');
    assert.equal(new URL((await authorize).url()).searchParams.get('prompt'), 'none');
    await page.locator('#status', { hasText: /^signed in|error|not signed in/ }).waitFor();
    assert.equal(await status(page), 'signed in');
    await assertNoTokenLeak(page, tokens);
    await context.close();

    const fresh = await openContext(env.browser, base);
    const stranger = await openApp(fresh.context);
    await stranger.click('#restore');
    await stranger.locator('#status', { hasText: /^signed in|error|not signed in/ }).waitFor();
    assert.equal(await status(stranger), 'not signed in');
    assert.equal(await stranger.textContent('#error-code'), 'login_required');
    assert.equal(await stranger.evaluate(() => window.demo.client.user()), undefined);
    await fresh.context.close();
  });
});
