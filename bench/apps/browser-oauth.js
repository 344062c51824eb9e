// Small app for the bundle-size figure: log in, handle the redirect, hold the tokens, log out.
import { createClient } from '../../pkg/dist/index.js';

const auth = await createClient({
  issuer: 'https://login.example.com',
  clientId: 'spa',
  redirectUri: `${location.origin}/callback`,
  scope: 'openid profile',
});

if (location.pathname === '/callback') {
  const { returnTo } = await auth.handleRedirect();
  document.body.textContent = `${auth.user()?.sub} ${returnTo}`;
  document.querySelector('#logout').onclick = () => auth.logout({ endSession: true });
} else {
  document.querySelector('#login').onclick = () => auth.login({ returnTo: '/' });
}
