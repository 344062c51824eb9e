// oidc-client-ts behind the benchmark's common interface (see ../page.js `Adapter`).
// OidcClient (the part of UserManager without navigation), pending state in sessionStorage
// like ours (its default is localStorage).
import { OidcClient, WebStorageStateStore } from 'oidc-client-ts';

/**
 * @param {import('../page.js').Provider} provider
 * @returns {Promise<import('../page.js').Adapter>}
 */
export async function ready(provider) {
  const client = new OidcClient({
    authority: provider.metadata.issuer,
    metadata: provider.metadata,
    client_id: provider.clientId,
    redirect_uri: provider.redirectUri,
    scope: provider.scope,
    response_type: 'code',
    stateStore: new WebStorageStateStore({ store: window.sessionStorage }),
  });
  return {
    // createSigninRequest: PKCE + state + URL, state record stored; it sends a nonce only
    // when given one, so the app passes one.
    build: async () => (await client.createSigninRequest({ nonce: crypto.randomUUID() })).url,
    // readSigninResponseState: parse the URL, look up and remove the state record. It has no
    // iss check (RFC 9207), so this does less than the other two.
    async validate(url) {
      await client.readSigninResponseState(url, true);
    },
    // processSigninResponse: the same, then the code exchange through the page's (stubbed)
    // fetch and its token response / ID token checks; then the app cleans the address bar
    // (as browser-oauth does itself).
    async handle(url) {
      const response = await client.processSigninResponse(url);
      history.replaceState(null, '', provider.redirectUri);
      return response;
    },
    memoryPages: undefined,
  };
}
