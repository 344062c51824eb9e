// The React test app: browser-oauth/react in StrictMode, with a home page, a protected
// route behind withAuthenticationRequired, and a tiny history router. The configuration
// comes from window.APP_CONFIG (the e2e test injects it), else the `make demo` defaults.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { AuthProvider } from 'browser-oauth/react';

import { App } from './App.jsx';
import { navigate } from './router.js';

const config = window.APP_CONFIG ?? {
  issuer: 'http://127.0.0.1:9000',
  clientId: 'browser-oauth-demo',
  redirectUri: `${location.origin}/callback.html`,
  postLogoutRedirectUri: `${location.origin}/`,
  scope: 'openid profile email offline_access',
};
// The protected page calls the provider's userinfo endpoint with fetch.
config.allowedOrigins ??= [location.origin, new URL(config.issuer).origin];

createRoot(document.getElementById('root')).render(
  <StrictMode>
    <AuthProvider config={config} onRedirect={({ returnTo }) => navigate(returnTo ?? '/', { replace: true })}>
      <App />
    </AuthProvider>
  </StrictMode>,
);
