// browser-oauth behind the benchmark's common interface (see ../page.js `Adapter`).
// Imported through the built wrapper, exactly as an app would use the package.
import { createClient } from '../../pkg/dist/index.js';
import init from '../../pkg/wasm/browser_oauth.js';

/**
 * Creates a client from metadata given directly (no discovery request).
 * @param {import('../page.js').Provider} provider
 * @param {typeof createClient} [create] the entry's createClient (browser-oauth-inline.js passes the inline one)
 * @returns {Promise<import('../page.js').Adapter>}
 */
export async function ready(provider, create = createClient) {
  const client = await create({
    issuer: provider.metadata.issuer,
    clientId: provider.clientId,
    redirectUri: provider.redirectUri,
    scope: provider.scope,
    metadata: provider.metadata,
  });
  return {
    // PKCE + state + nonce + URL, pending request stored in sessionStorage (synchronous).
    build: () => client.authorizationUrl({ returnTo: '/inbox' }),
    // Parse the callback, take the pending request (single use), check state, iss and the
    // time limit; no network, address bar untouched (the code stays held for an exchange).
    validate: (url) => client.validateCallback(url),
    // Validate (state, iss, single use, time limit), clean the address bar, exchange the
    // code through the page's (stubbed) fetch, check the token response and ID token claims.
    handle: (url) => client.handleRedirect(url),
    // Linear memory of our wasm instance (init() returns the already loaded instance).
    memoryPages: async () => (await init()).memory.buffer.byteLength / 65536,
  };
}
