// The pages of the React test app. Every value from the provider is rendered as text.
import { useState } from 'react';
import { useAuth, withAuthenticationRequired } from 'browser-oauth/react';

import { navigate, usePath } from './router.js';

/** A link handled by the router. */
function Link({ to, id, children }) {
  const go = (event) => {
    event.preventDefault();
    navigate(to);
  };
  return <a id={id} href={to} onClick={go}>{children}</a>;
}

/** Status, user and error, shown on every page. */
function Status() {
  const { status, user, error } = useAuth();
  return (
    <p>
      Status: <strong id="status">{status}</strong> <span id="user">{user?.sub ?? ''}</span>{' '}
      <span id="user-iat">{user?.iat ?? ''}</span>{' '}
      <code id="error-code">{error?.code ?? error?.message ?? ''}</code>
    </p>
  );
}

function Home() {
  const { status, login, loginPopup, logout } = useAuth();
  return (
    <section>
      <h1>Home</h1>
      <button id="login" disabled={status !== 'unauthenticated'} onClick={() => login({ returnTo: '/' })}>Log in</button>
      <button id="login-popup" disabled={status !== 'unauthenticated'} onClick={() => loginPopup().catch(() => {})}>Log in in a popup</button>
      <button id="logout" disabled={status !== 'authenticated'} onClick={() => logout().catch(() => {})}>Log out</button>
      <button id="logout-end-session" disabled={status !== 'authenticated'} onClick={() => logout({ endSession: true }).catch(() => {})}>
        Log out at the provider too
      </button>
    </section>
  );
}

/** Only for a signed-in user: calls the provider's userinfo endpoint with the hook's fetch. */
function Protected() {
  const { user, fetch } = useAuth();
  const [answer, setAnswer] = useState('');
  const call = async () => {
    const response = await fetch(new URL('/me', user.iss));
    setAnswer(`${response.status} ${(await response.json()).sub}`);
  };
  return (
    <section>
      <h1 id="protected">Protected page of {user.sub}</h1>
      <button id="call-api" onClick={call}>Call userinfo</button>
      <code id="api">{answer}</code>
    </section>
  );
}

const ProtectedPage = withAuthenticationRequired(Protected, {
  onRedirecting: () => <p id="redirecting">Going to the login page…</p>,
  onError: (error) => <p id="guard-error">Login failed: {error.message}</p>,
});

export function App() {
  const path = usePath();
  return (
    <>
      <nav>
        <Link id="to-home" to="/">Home</Link> <Link id="to-protected" to="/protected">Protected</Link>
      </nav>
      <Status />
      {path === '/protected' ? <ProtectedPage /> : <Home />}
    </>
  );
}
