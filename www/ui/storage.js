// The storage inspector: live lists of what this origin keeps in sessionStorage,
// localStorage, IndexedDB and script-visible cookies, each with what it is. Values are never
// printed (a pending login holds a PKCE verifier); keys that carry a state or temporary token
// show only their prefix. Refreshed every second and on every `storage` event.
import { byId, el } from './dom.js';

const PREFIXES = [
  ['browser-oauth:pending:', 'pending login: state, PKCE verifier, nonce, issuer, redirect URI and start time; single use, refused after 10 min. No token.'],
  ['browser-oauth:logout:', 'pending logout: the state sent to the end-session endpoint; single use. No token.'],
  ['browser-oauth:oauth1:', 'pending OAuth 1.0a login: the temporary credentials of one callback; single use. No access token.'],
  ['browser-oauth:', 'a browser-oauth record.'],
];

/** Three base64url parts, the first a JSON object: a JWT (ID or access token) in clear. */
const JWT = /eyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]*/;

/**
 * What a storage key is, and the key as shown (the secret suffix elided).
 * @param {string} key
 * @param {string} value
 * @returns {{ shown: string, what: string, leak: boolean }}
 */
function classify(key, value) {
  const leak = JWT.test(value) || JWT.test(key);
  const known = PREFIXES.find(([prefix]) => key.startsWith(prefix));
  if (!known) return { shown: key, what: `not from browser-oauth (${value.length} characters)`, leak };
  const [prefix, what] = known;
  const rest = key.slice(prefix.length);
  const shown = prefix === 'browser-oauth:' ? key : `${prefix}‹${rest.length} characters, hidden›`;
  return { shown, what, leak };
}

/** Entries of a Web Storage area, classified. */
function webStorage(storage) {
  const out = [];
  for (let i = 0; i < storage.length; i += 1) {
    const key = storage.key(i);
    if (key !== null) out.push(classify(key, storage.getItem(key) ?? ''));
  }
  return out;
}

/** Cookies this page's script can see (HttpOnly ones never appear in document.cookie). */
function cookies() {
  return document.cookie.split(';').map((c) => c.trim()).filter(Boolean).map((c) => {
    const eq = c.indexOf('=');
    return classify(eq < 0 ? c : c.slice(0, eq), eq < 0 ? '' : c.slice(eq + 1));
  });
}

/** What an IndexedDB value is, without printing it. */
function describeValue(value) {
  if (typeof CryptoKey !== 'undefined' && value instanceof CryptoKey) {
    return `CryptoKey ${value.algorithm.name}, ${value.type}, extractable: ${value.extractable}`;
  }
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) return `${value.byteLength} bytes (binary)`;
  if (value && typeof value === 'object') {
    const parts = Object.entries(value).map(([k, v]) => `${k}: ${describeValue(v)}`);
    return `{ ${parts.join(', ')} }`;
  }
  return typeof value === 'string' ? `text, ${value.length} characters` : typeof value;
}

/** One request's result as a promise. */
const done = (request) => new Promise((resolve, reject) => {
  request.onsuccess = () => resolve(request.result);
  request.onerror = () => reject(request.error);
});

/** Every record of every IndexedDB database of this origin, described; connections closed at once. */
async function indexedDbEntries() {
  if (typeof indexedDB === 'undefined' || typeof indexedDB.databases !== 'function') return [];
  const out = [];
  for (const { name } of await indexedDB.databases()) {
    if (!name) continue;
    const request = indexedDB.open(name);
    // Only fires when the database vanished since databases() listed it: never create one.
    request.onupgradeneeded = () => request.transaction?.abort();
    const db = await done(request).catch(() => null);
    if (!db) continue;
    try {
      for (const store of db.objectStoreNames) {
        const tx = db.transaction(store, 'readonly');
        const [keys, values] = await Promise.all([done(tx.objectStore(store).getAllKeys()), done(tx.objectStore(store).getAll())]);
        keys.forEach((key, i) => {
          const what = describeValue(values[i]);
          out.push({ shown: `${name} / ${store} / ${String(key)}`, what, leak: JWT.test(what) });
        });
      }
    } finally {
      db.close();
    }
  }
  return out;
}

/** Renders one area's entries into its list; returns whether any looked like a token. */
function render(listId, entries) {
  const list = byId(listId);
  const items = entries.map(({ shown, what, leak }) =>
    el('li', { className: leak ? 'leak' : '' }, el('code', { text: shown }), el('span', { className: 'what', text: leak ? `LOOKS LIKE A TOKEN: ${what}` : what })));
  list.replaceChildren(...(items.length ? items : [el('li', { className: 'empty', text: 'empty' })]));
  byId(`${listId}-count`).textContent = String(entries.length);
  return entries.some((e) => e.leak);
}

/**
 * Starts the inspector on the page's #storage-* elements.
 * @returns {{ refresh(): Promise<void> }}
 */
export function watchStorage() {
  let running;
  const refresh = () => (running ??= (async () => {
    try {
      let leak = render('storage-session', webStorage(sessionStorage));
      leak = render('storage-local', webStorage(localStorage)) || leak;
      leak = render('storage-cookies', cookies()) || leak;
      leak = render('storage-idb', await indexedDbEntries().catch(() => [])) || leak;
      byId('storage-verdict').textContent = leak
        ? 'Something here looks like a token!'
        : 'No token in any of these: at most single-use login records and data that is not ours.';
    } finally {
      running = undefined;
    }
  })());
  window.addEventListener('storage', () => { refresh(); });
  setInterval(refresh, 1000);
  refresh();
  return { refresh };
}
