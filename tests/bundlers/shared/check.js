// What every bundler app does in Chromium with the installed browser-oauth tarball: a PKCE
// pair, a client from given metadata (no network), and an authorization URL. The outcome
// goes to window.result and the title says "done" (or "failed"), for the test to read.

/** A client from given metadata: no network. */
const config = () => ({
  issuer: 'https://as.example',
  clientId: 'spa',
  redirectUri: `${location.origin}/callback`,
  scope: 'openid',
  metadata: {
    issuer: 'https://as.example',
    authorization_endpoint: 'https://as.example/authorize',
    token_endpoint: 'https://as.example/token',
    code_challenge_methods_supported: ['S256'],
  },
});

/** The endpoint and how often each parameter occurs in an authorization URL. */
function describeUrl(text) {
  const url = new URL(text);
  return {
    authorize: `${url.origin}${url.pathname}`,
    params: Object.fromEntries([...url.searchParams.keys()].map((k) => [k, url.searchParams.getAll(k).length])),
    codeChallengeMethod: url.searchParams.get('code_challenge_method'),
  };
}

/**
 * @param {{ generatePkce: Function, createClient: Function, BrowserOAuthError: Function }} api
 *   the entry the app imported (`browser-oauth` or `browser-oauth/inline`)
 * @param {string} entry its name, reported back
 * @param {{ createLoginClient: Function }} [login] the landing-page entry
 *   (`browser-oauth/login`, its own wasm), when the app imports it too
 */
export async function check(api, entry, login) {
  try {
    const pkce = await api.generatePkce();
    const client = await api.createClient(config());
    const landing = login === undefined ? undefined : await login.createLoginClient(config());
    window.result = {
      entry,
      verifierLength: pkce.verifier.length,
      method: pkce.method,
      ...describeUrl(client.authorizationUrl({ returnTo: '/inbox' })),
      typedErrors: typeof api.BrowserOAuthError === 'function',
      ...(landing && { login: describeUrl(landing.authorizationUrl({ returnTo: '/inbox' })) }),
    };
    document.title = 'done';
  } catch (error) {
    window.result = { entry, error: String(error), code: error?.code, cause: String(error?.cause) };
    document.title = 'failed';
  }
}
