// The lifetime bar: the session from sign-in to the current token's expiry. Each access
// token's renewal margin (where `expiring` fires and the library refreshes) is hatched, each
// refresh is a green mark, and the filled part is the time elapsed. Updated every second.
import { byId, clock, duration, el, relative } from './dom.js';

/**
 * @param {object} options
 * @param {number} options.marginSeconds the configured margin before expiry
 * @param {() => Date | undefined} options.expiresAt where to read the current expiry (the client)
 * @param {string} [options.what] what expires, e.g. "Access token"
 * @param {string} [options.marginName] what the margin is for, e.g. "renewal margin"
 * @param {boolean} [options.renews] whether refreshes exist (OAuth 1.0a credentials are not renewed)
 */
export function createLifetime({ marginSeconds, expiresAt, what = 'Access token', marginName = 'renewal margin', renews = true }) {
  const bar = byId('lifetime-bar');
  const text = byId('lifetime-text');
  /** @type {{ startMs: number, tokens: { fromMs: number, toMs: number }[], refreshesMs: number[] } | null} */
  let session = null;

  const margin = ({ fromMs, toMs }) => Math.min(marginSeconds * 1000, (toMs - fromMs) / 2);

  function draw() {
    if (!session) return;
    const expiry = expiresAt();
    if (!expiry) {
      text.textContent = `No ${what.toLowerCase()} in this tab.`;
      return;
    }
    const last = session.tokens.at(-1);
    if (last && last.toMs !== expiry.getTime()) session.tokens.push({ fromMs: Date.now(), toMs: expiry.getTime() });
    const now = Date.now();
    const endMs = Math.max(expiry.getTime(), now);
    const span = Math.max(endMs - session.startMs, 1);
    const pct = (ms) => `${(Math.min(Math.max(ms - session.startMs, 0), span) / span) * 100}%`;
    const parts = [el('div', { className: 'elapsed' })];
    parts[0].style.width = pct(now);
    for (const token of session.tokens) {
      const zone = el('div', { className: 'margin' });
      zone.style.left = pct(token.toMs - margin(token));
      zone.style.width = `calc(${pct(token.toMs)} - ${pct(token.toMs - margin(token))})`;
      parts.push(zone);
    }
    for (const at of session.refreshesMs) {
      const mark = el('div', { className: 'mark' });
      mark.style.left = pct(at);
      mark.title = `refreshed at ${clock(at)}`;
      parts.push(mark);
    }
    const cursor = el('div', { className: 'now' });
    cursor.style.left = pct(now);
    parts.push(cursor);
    bar.replaceChildren(...parts);
    byId('lifetime-start').textContent = `signed in ${clock(session.startMs)}`;
    const days = Math.round((new Date(expiry).setHours(0, 0, 0, 0) - new Date(now).setHours(0, 0, 0, 0)) / 86_400_000);
    byId('lifetime-end').textContent = `expires ${clock(expiry)}${days > 0 ? ` (+${days} day${days === 1 ? '' : 's'})` : ''}`;
    const current = session.tokens.at(-1);
    const renewAt = current.toMs - margin(current);
    const refreshes = session.refreshesMs.length;
    text.textContent = `${what} valid until ${clock(expiry)} (${relative(expiry.getTime())}); ` +
      `${marginName} ${duration(margin(current) / 1000)}, from ${clock(renewAt)}.` +
      (renews ? ` Refreshed ${refreshes} time${refreshes === 1 ? '' : 's'}.` : '');
  }
  setInterval(draw, 1000);

  return {
    /** A session started now (login or restore). */
    start() {
      const expiry = expiresAt();
      session = { startMs: Date.now(), tokens: expiry ? [{ fromMs: Date.now(), toMs: expiry.getTime() }] : [], refreshesMs: [] };
      draw();
    },
    /** A refresh brought a new access token now. */
    refreshed() {
      if (!session) return;
      session.refreshesMs.push(Date.now());
      draw();
    },
    /** Signed out: nothing to show. */
    clear() {
      session = null;
      bar.replaceChildren();
      text.textContent = 'Not signed in.';
      byId('lifetime-start').textContent = '';
      byId('lifetime-end').textContent = '';
    },
  };
}
