// Requested versus granted scopes, one plain sentence per scope: least privilege, visible.
import { byId, el } from './dom.js';

/** What each scope lets the app do. */
const MEANING = {
  openid: 'Sign you in: the app learns a stable identifier for you (sub) from a signed ID token.',
  profile: 'Read your basic profile: name (and, at other providers, picture, locale and the like).',
  email: 'Read your email address and whether the provider verified it.',
  offline_access: 'Keep access while you are away: a refresh token that outlives your provider session.',
  address: 'Read your postal address.',
  phone: 'Read your phone number.',
};

/**
 * Renders the scopes into #scopes: each requested scope granted or not, and anything granted
 * that was not requested (more than the app asked for).
 * @param {string} requested space-separated
 * @param {string[] | undefined} granted undefined when signed out
 */
export function renderScopes(requested, granted) {
  const list = byId('scopes');
  if (!granted) {
    list.replaceChildren();
    return;
  }
  const asked = requested.split(' ').filter(Boolean);
  const extra = granted.filter((s) => !asked.includes(s));
  const row = (scope, tag, tagClass) => {
    const item = el('li', {}, el('span', { className: `tag ${tagClass}`, text: tag }), el('code', { text: scope }), document.createTextNode(' '),
      el('span', { text: MEANING[scope] ?? 'A scope this demo does not know: ask the provider what it allows.' }));
    item.dataset.scope = scope;
    item.dataset.state = tag;
    return item;
  };
  list.replaceChildren(
    ...asked.map((s) => (granted.includes(s) ? row(s, 'granted', 'ok') : row(s, 'not granted', 'muted'))),
    ...extra.map((s) => row(s, 'granted, not requested', 'warn')),
  );
}
