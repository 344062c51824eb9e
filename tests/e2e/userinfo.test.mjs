// client.isAuthenticated() and client.userInfo() (issue 12 item 7) against the real local
// OpenID provider: the demo app signs in as alice, then asks the provider's userinfo
// endpoint. A response whose sub differs from the ID token's (OIDC Core §5.3.2) is refused:
// the test rewrites the provider's genuine answer in flight to name another user.
import { strict as assert } from 'node:assert';
import { after, before } from 'node:test';

import { assertNoTokenLeak, demoContext, describeEngines, signInThroughApp, startProvider, startSite } from './harness.mjs';

let site;
let provider;

before(async () => {
  site = await startSite();
  provider = await startProvider({ APP_ORIGIN: site.url });
});

after(async () => {
  await Promise.all([site?.stop(), provider?.stop()]);
});

/** A browser context whose demo app uses the local provider with `scope`; records issued tokens. */
async function openContext(browser, scope = 'openid profile email offline_access') {
  const context = await demoContext(browser, { siteUrl: site.url, issuer: provider.url, clientId: 'browser-oauth-demo', scope });
  const tokens = [];
  context.on('response', async (response) => {
    if (response.url() !== `${provider.url}/token`) return;
    const body = await response.json().catch(() => ({}));
    for (const name of ['access_token', 'refresh_token', 'id_token']) if (body[name]) tokens.push(body[name]);
  });
  return { context, tokens };
}

/** Runs `client.userInfo()` in the page: the claims, or the error's code. */
function userInfo(page) {
  return page.evaluate(() => window.demo.client.userInfo().then(
    (claims) => ({ claims }),
    (error) => ({ code: error.code, typed: error instanceof window.Error && error.name === 'BrowserOAuthError' }),
  ));
}

describeEngines('isAuthenticated and userInfo', {}, (env) => {
  const { test } = env;
  test('after login: isAuthenticated, and userInfo returns the claims for the ID token\'s sub', async () => {
    const { context, tokens } = await openContext(env.browser);
    const { page, code } = await signInThroughApp(context, site.url);
    assert.equal(code, '');
    assert.equal(await page.evaluate(() => window.demo.client.isAuthenticated()), true);
    const requests = [];
    page.on('request', (request) => {
      if (request.url().startsWith(`${provider.url}/me`)) requests.push(request.headers().authorization?.split(' ')[0]);
    });
    const { claims } = await userInfo(page);
    assert.equal(claims.sub, await page.evaluate(() => window.demo.client.user().sub));
    assert.equal(claims.sub, 'alice');
    assert.equal(typeof claims.name, 'string');
    assert.equal(typeof claims.email, 'string');
    assert.deepEqual(requests, ['Bearer'], 'one request, with the access token as a Bearer header');
    await assertNoTokenLeak(page, tokens);

    await page.evaluate(() => window.demo.client.logout({ local: true }));
    assert.equal(await page.evaluate(() => window.demo.client.isAuthenticated()), false);
    assert.deepEqual(await userInfo(page), { code: 'login_required', typed: true });
    await context.close();
  });

  test('before login: not authenticated, and userInfo is login_required without a request', async () => {
    const { context } = await openContext(env.browser);
    const page = await context.newPage();
    let asked = 0;
    page.on('request', (request) => { if (request.url().startsWith(`${provider.url}/me`)) asked += 1; });
    await page.goto(`${site.url}/`);
    await page.locator('#status', { hasText: 'ready' }).waitFor();
    assert.equal(await page.evaluate(() => window.demo.client.isAuthenticated()), false);
    assert.deepEqual(await userInfo(page), { code: 'login_required', typed: true });
    assert.equal(asked, 0);
    await context.close();
  });

  test('a userinfo answer for another sub is refused with userinfo_subject_mismatch (OIDC Core §5.3.2)', async () => {
    const { context, tokens } = await openContext(env.browser);
    const { page } = await signInThroughApp(context, site.url);
    let rewritten = 0;
    await page.route(`${provider.url}/me`, async (route) => {
      const genuine = await route.fetch();
      const claims = await genuine.json();
      assert.equal(claims.sub, 'alice', 'the provider answered for alice');
      rewritten += 1;
      await route.fulfill({ response: genuine, json: { ...claims, sub: 'mallory' } });
    });
    assert.deepEqual(await userInfo(page), { code: 'userinfo_subject_mismatch', typed: true });
    assert.equal(rewritten, 1);
    const refusals = await page.evaluate(() => window.demo.events.filter((e) => e.type === 'security' && e.phase === 'userinfo'));
    assert.deepEqual(refusals.map((e) => Object.keys(e).sort()), [['code', 'issuer', 'phase', 'time', 'type']], 'one security event, without the claims');
    assert.equal(refusals[0].code, 'userinfo_subject_mismatch');
    await page.unroute(`${provider.url}/me`);
    assert.equal((await userInfo(page)).claims.sub, 'alice', 'the session is untouched');
    await assertNoTokenLeak(page, tokens);
    await context.close();
  });
});
