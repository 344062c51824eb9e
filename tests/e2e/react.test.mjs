// End-to-end tests of browser-oauth/react: the Vite + React 19 app in tests/react-app, built
// here once from the lock with Vite, rendered in StrictMode (double effects) in each browser
// engine (BROWSERS) against the real local OpenID provider. After each flow no token may
// be anywhere: browser storage, cookies, URL, history, the DOM, or any React state, props or context value (read
// through a React DevTools global hook, as the DevTools extension would).
import { strict as assert } from 'node:assert';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';

import { build } from 'vite';

import {
  assertNoTokenLeak, describeEngines, signInAtProvider, signInAtProviderInPopup, startProvider, startSite,
} from './harness.mjs';

const APP = new URL('../react-app/', import.meta.url);
/** This process's build of the app (engines may run this suite side by side). */
const DIST = fileURLToPath(new URL(`../../target/react-app-${process.pid}/`, import.meta.url));

let site;
let provider;
let shortLivedProvider;

before(async () => {
  await build({ configFile: fileURLToPath(new URL('vite.config.mjs', APP)), build: { outDir: DIST, emptyOutDir: true } });
  site = await startSite({ APP_DIR: DIST });
  [provider, shortLivedProvider] = await Promise.all([
    startProvider({ APP_ORIGIN: site.url }),
    // Access tokens of 10 s: the client refreshes about 5 s after login (half the lifetime).
    startProvider({ APP_ORIGIN: site.url, ACCESS_TTL: '10' }),
  ]);
});

after(async () => {
  await Promise.all([site?.stop(), provider?.stop(), shortLivedProvider?.stop()]);
  rmSync(DIST, { recursive: true, force: true });
});

/**
 * An init script: a minimal React DevTools global hook that keeps every committed fiber root
 * in `window.__reactRoots`, so the test can read all component state and context values.
 */
function installDevtoolsHook() {
  const roots = new Set();
  window.__reactRoots = roots;
  let renderers = 0;
  window.__REACT_DEVTOOLS_GLOBAL_HOOK__ = {
    supportsFiber: true,
    isDisabled: false,
    renderers: new Map(),
    inject(renderer) {
      renderers += 1;
      this.renderers.set(renderers, renderer);
      return renderers;
    },
    onCommitFiberRoot(_id, root) { roots.add(root); },
    onCommitFiberUnmount() {},
    onPostCommitFiberRoot() {},
    onScheduleFiberRoot() {},
    setStrictMode() {},
    checkDCE() {},
  };
}

/**
 * Everything React holds for the page's component tree, as the DevTools would show it:
 * every fiber's props and state (hooks included), as text (strings, numbers and keys,
 * without DOM nodes and functions), plus the value of browser-oauth's context provider.
 * The context value's `userType` is `typeof user` ('null' for null): WebDriver hands values
 * back as JSON, where an undefined property would read as null.
 * @param {import('./browsers.mjs').Page} page
 * @returns {Promise<{ text: string, fibers: number, context: { status: string, user?: object, userType: string, keys: string[] } | null }>}
 */
function reactState(page) {
  return page.evaluate(() => {
    const parts = [];
    const seen = new WeakSet();
    const skip = new Set(['return', 'child', 'sibling', 'alternate', 'stateNode', '_owner', '_debugOwner']);
    const dump = (value, depth) => {
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
        parts.push(String(value));
        return;
      }
      if (value === null || typeof value !== 'object' || depth > 12 || seen.has(value) || value instanceof Node) return;
      seen.add(value);
      for (const key of Object.keys(value)) {
        if (skip.has(key)) continue;
        parts.push(key);
        dump(value[key], depth + 1);
      }
    };
    let context = null;
    let fibers = 0;
    const contextTypes = [Symbol.for('react.context'), Symbol.for('react.provider')];
    for (const root of window.__reactRoots ?? []) {
      const stack = [root.current];
      while (stack.length > 0) {
        const fiber = stack.pop();
        if (!fiber) continue;
        fibers += 1;
        dump(fiber.memoizedProps, 0);
        dump(fiber.memoizedState, 0);
        const value = fiber.memoizedProps?.value;
        if (contextTypes.includes(fiber.type?.$$typeof) && value && 'status' in value && 'getAccessToken' in value) {
          const userType = value.user === null ? 'null' : typeof value.user;
          context = { status: value.status, user: value.user, userType, keys: Object.keys(value).sort() };
        }
        stack.push(fiber.child, fiber.sibling);
      }
    }
    return { text: parts.join('\n'), fibers, context };
  });
}

/**
 * Asserts that no token is in the browser state (assertNoTokenLeak), the DOM, or React's
 * state, props and context, and that the scan did see the signed-in user (so it looked).
 */
async function assertNoTokenAnywhere(page, tokens) {
  await assertNoTokenLeak(page, tokens);
  const html = await page.content();
  const react = await reactState(page);
  assert.ok(react.fibers > 10, 'the DevTools hook saw the component tree');
  assert.match(react.text, /alice/, 'the React state scan sees the signed-in user');
  for (const token of tokens) {
    assert.ok(!html.includes(token), `token ${token.slice(0, 8)}… is in the DOM`);
    assert.ok(!react.text.includes(token), `token ${token.slice(0, 8)}… is in React state, props or context`);
  }
  return react;
}

/** A fresh browser context with the app's configuration and the DevTools hook. */
async function newContext(browser, issuer = provider.url) {
  const context = await browser.newContext();
  await context.addInitScript(installDevtoolsHook);
  await context.addInitScript((cfg) => { window.APP_CONFIG = cfg; }, {
    issuer,
    clientId: 'browser-oauth-demo',
    redirectUri: `${site.url}/callback.html`,
    postLogoutRedirectUri: `${site.url}/`,
    scope: 'openid profile offline_access',
  });
  const tokens = [];
  // Page loads of the app and discovery requests: one client per load, StrictMode or not.
  const counts = { appLoads: 0, discoveries: 0, codeExchanges: 0, refreshes: 0 };
  context.on('request', (request) => {
    const url = new URL(request.url());
    if (request.isNavigationRequest() && url.origin === site.url) counts.appLoads += 1;
    if (url.pathname.endsWith('/.well-known/openid-configuration')) counts.discoveries += 1;
    if (url.pathname.endsWith('/token') && /grant_type=authorization_code/.test(request.postData() ?? '')) counts.codeExchanges += 1;
    if (url.pathname.endsWith('/token') && /grant_type=refresh_token/.test(request.postData() ?? '')) counts.refreshes += 1;
  });
  context.on('response', async (response) => {
    if (response.request().method() !== 'POST' || !response.url().endsWith('/token')) return;
    const body = await response.json().catch(() => ({}));
    for (const name of ['access_token', 'refresh_token', 'id_token']) if (body[name]) tokens.push(body[name]);
  });
  return { context, tokens, counts };
}

/** Opens the app at `path` in a new page and waits until the provider is past `loading`. */
async function open(context, path = '/') {
  const page = await context.newPage();
  await page.goto(`${site.url}${path}`);
  await page.locator('#status', { hasText: /^(authenticated|unauthenticated|error)$/ }).waitFor();
  return page;
}

/** Clicks `selector`, signs in at the provider if it asks, and waits for `authenticated`. */
async function signIn(page, selector) {
  await page.click(selector);
  const prompt = page.locator('form input[type=hidden][name=prompt]');
  const signedIn = page.locator('#status', { hasText: /^authenticated$/ });
  await Promise.race([signedIn.waitFor(), prompt.waitFor({ state: 'attached' }).then(() => signInAtProvider(page))]);
  await signedIn.waitFor();
}

/** The status, user and error code the app shows. */
async function shown(page) {
  return {
    status: await page.textContent('#status'),
    user: await page.textContent('#user'),
    error: await page.textContent('#error-code'),
  };
}

describeEngines('browser-oauth/react in a Vite + React 19 app under StrictMode', { timeout: 600_000 }, (env) => {
  const { test } = env;
  test('protected route: the guard logs in, the redirect is handled once (no state_mismatch), then logout', async () => {
    const { context, tokens, counts } = await newContext(env.browser);
    const page = await open(context);
    assert.deepEqual(await shown(page), { status: 'unauthenticated', user: '', error: '' });

    // The guard sends the browser to the provider and back to /protected.
    await page.click('#to-protected');
    await page.locator('form input[type=hidden][name=prompt]').waitFor({ state: 'attached' });
    await signInAtProvider(page);
    await page.locator('#protected').waitFor();
    assert.deepEqual(await shown(page), { status: 'authenticated', user: 'alice', error: '' },
      'StrictMode ran the effects twice, and the one response was handled once');
    assert.equal(await page.url(), `${site.url}/protected`, 'returnTo honoured, response gone from the address bar');
    assert.equal(await page.textContent('#protected'), 'Protected page of alice');
    assert.equal(counts.appLoads, 2, 'the app loaded twice: before login and on the redirect back');
    assert.equal(counts.discoveries, counts.appLoads, 'one client per page load despite the double effects');
    assert.equal(counts.codeExchanges, 1, 'the redirect was handled once');

    // The hook's fetch sends the token to an allowed origin; the component never sees it.
    await page.click('#call-api');
    await page.locator('#api', { hasText: '200 alice' }).waitFor();

    assert.ok(tokens.length >= 2, 'the token endpoint issued tokens');
    const react = await assertNoTokenAnywhere(page, tokens);
    assert.equal(react.context?.status, 'authenticated', 'the context value was found and read');
    assert.equal(react.context.user.sub, 'alice');
    assert.deepEqual(react.context.keys, ['error', 'fetch', 'getAccessToken', 'login', 'loginPopup', 'logout', 'status', 'user']);

    await page.click('#to-home');
    await page.click('#logout');
    await page.locator('#status', { hasText: /^unauthenticated$/ }).waitFor();
    assert.deepEqual(await shown(page), { status: 'unauthenticated', user: '', error: '' });
    await assertNoTokenLeak(page, tokens);
    await context.close();
  });

  test('popup login through the hook, and another tab\'s logout re-renders this tab', async () => {
    const { context, tokens } = await newContext(env.browser);
    const first = await open(context);
    const popupOpened = context.waitForEvent('page');
    await first.click('#login-popup');
    const popup = await popupOpened;
    await signInAtProviderInPopup(popup);
    await first.locator('#status', { hasText: /^authenticated$/ }).waitFor();
    assert.deepEqual(await shown(first), { status: 'authenticated', user: 'alice', error: '' });
    assert.equal(await first.url(), `${site.url}/`, 'the popup login left the page where it was');

    // A second tab with its own session (the provider remembers the user).
    const second = await open(context);
    await signIn(second, '#login');
    assert.deepEqual(await shown(second), { status: 'authenticated', user: 'alice', error: '' });

    await first.click('#logout');
    await first.locator('#status', { hasText: /^unauthenticated$/ }).waitFor();
    await second.locator('#status', { hasText: /^unauthenticated$/ }).waitFor();
    assert.deepEqual(await shown(second), { status: 'unauthenticated', user: '', error: '' });
    for (const page of [first, second]) await assertNoTokenLeak(page, tokens);
    const react = await reactState(second);
    assert.equal(react.context?.status, 'unauthenticated');
    assert.equal(react.context.userType, 'undefined');
    await context.close();
  });

  test('the guard does not loop through the provider after a refused consent: it shows the error', async () => {
    const { context } = await newContext(env.browser);
    const page = await open(context);
    await page.click('#to-protected');
    await page.locator('form input[type=hidden][name=prompt]').waitFor({ state: 'attached' });
    await signInAtProvider(page, { login: 'bob', consent: false });
    await page.locator('#error-code', { hasText: 'access_denied' }).waitFor();
    assert.deepEqual(await shown(page), { status: 'unauthenticated', user: '', error: 'access_denied' });
    // Back on the protected route, the guard shows the error instead of logging in again.
    await page.click('#to-protected');
    await page.locator('#guard-error').waitFor();
    assert.equal(await page.url(), `${site.url}/protected`, 'still on the app');
    await context.close();
  });

  test('a refresh re-renders with the refreshed ID token\'s claims, and leaks no token', async () => {
    const { context, tokens, counts } = await newContext(env.browser, shortLivedProvider.url);
    const page = await open(context);
    await signIn(page, '#login');
    const issuedAt = await page.textContent('#user-iat');
    assert.match(issuedAt, /^\d+$/);
    // The automatic refresh (no user action) brings a new ID token; the provider re-renders.
    await page.locator('#user-iat', { hasText: new RegExp(`^(?!${issuedAt}$)\\d+$`) }).waitFor();
    assert.ok(counts.refreshes >= 1, 'a refresh grant was sent');
    assert.deepEqual(await shown(page), { status: 'authenticated', user: 'alice', error: '' });
    await assertNoTokenAnywhere(page, tokens);
    await context.close();
  });

  test('logout at the provider: AuthProvider checks the state it brings back (handleLogoutRedirect), and the URL is clean', async () => {
    const { context, tokens } = await newContext(env.browser);
    const page = await open(context);
    await signIn(page, '#login');
    await page.click('#logout-end-session');
    await page.locator('button[name=logout][value=yes]').click();
    await page.waitForURL((url) => url.origin === site.url);
    await page.locator('#status', { hasText: /^(unauthenticated|error)$/ }).waitFor();
    assert.deepEqual(await shown(page), { status: 'unauthenticated', user: '', error: '' });
    assert.equal(await page.url(), `${site.url}/`, 'the state left the address bar');
    assert.deepEqual(await page.evaluate(() => Object.keys(sessionStorage)), [], 'the logout state was used up');
    await assertNoTokenLeak(page, tokens);
    await context.close();
  });
});

