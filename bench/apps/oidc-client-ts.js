// Small app for the bundle-size figure: discovery, log in, handle the callback, hold the
// user in memory, log out (revoke + end session), with UserManager as its docs show.
import { InMemoryWebStorage, UserManager, WebStorageStateStore } from 'oidc-client-ts';

const auth = new UserManager({
  authority: 'https://login.example.com',
  client_id: 'spa',
  redirect_uri: `${location.origin}/callback`,
  post_logout_redirect_uri: location.origin,
  scope: 'openid profile',
  userStore: new WebStorageStateStore({ store: new InMemoryWebStorage() }),
  stateStore: new WebStorageStateStore({ store: sessionStorage }),
  revokeTokensOnSignout: true,
});

if (location.pathname === '/callback') {
  const user = await auth.signinRedirectCallback();
  document.body.textContent = user.profile.sub;
  document.querySelector('#logout').onclick = () => auth.signoutRedirect();
} else {
  document.querySelector('#login').onclick = () => auth.signinRedirect();
}
