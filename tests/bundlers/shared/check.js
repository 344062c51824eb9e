// What every bundler app does in Chromium with the installed browser-oauth tarball: a PKCE
// pair, a client from given metadata (no network), and an authorization URL. The outcome
// goes to window.result and the title says "done" (or "failed"), for the test to read.

/**
 * @param {{ generatePkce: Function, createClient: Function, BrowserOAuthError: Function }} api
 *   the entry the app imported (`browser-oauth` or `browser-oauth/inline`)
 * @param {string} entry its name, reported back
 */
export async function check(api, entry) {
  try {
    const pkce = await api.generatePkce();
    const client = await api.createClient({
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
    const url = new URL(client.authorizationUrl({ returnTo: '/inbox' }));
    window.result = {
      entry,
      verifierLength: pkce.verifier.length,
      method: pkce.method,
      authorize: `${url.origin}${url.pathname}`,
      params: Object.fromEntries([...url.searchParams.keys()].map((k) => [k, url.searchParams.getAll(k).length])),
      codeChallengeMethod: url.searchParams.get('code_challenge_method'),
      typedErrors: typeof api.BrowserOAuthError === 'function',
    };
    document.title = 'done';
  } catch (error) {
    window.result = { entry, error: String(error), code: error?.code, cause: String(error?.cause) };
    document.title = 'failed';
  }
}
