// One plain sentence per library event (the payloads carry times and codes, never tokens).
import { clock, duration } from './dom.js';
import { explainError } from './messages.js';

/** Seconds since the epoch → "10:42:13, 55 s later" (later than the event: the line stays true). */
const at = (seconds) => `${clock(seconds * 1000)}, ${duration(Math.max(0, seconds - Date.now() / 1000))} later`;

/**
 * @param {{ type: string, [key: string]: unknown }} event an OAuth 2 client event
 * @returns {string}
 */
export function explainEvent(event) {
  switch (event.type) {
    case 'expiring':
      return `The access token entered its renewal margin; it expires at ${at(event.expiresAt)}. With autoRefresh on, the library renews it now.`;
    case 'expired':
      return `The access token expired at ${clock(event.expiresAt * 1000)} without being renewed; the next read refreshes or fails.`;
    case 'refreshed':
      return event.expiresAt
        ? `New tokens arrived through the refresh grant and stay in WASM memory; the access token is valid until ${at(event.expiresAt)}.`
        : 'New tokens arrived through the refresh grant and stay in WASM memory.';
    case 'refreshFailed':
      return `Refresh attempt ${event.attempt} failed (${event.code}); ${event.willRetry ? 'another attempt follows after a backoff pause.' : 'no more attempts for now.'}`;
    case 'sessionEnded':
      return `The session ended (${event.code}): ${explainError(String(event.code)).sentence}`;
    case 'scopeChanged':
      return `The provider granted "${event.granted}" where "${event.requested}" was requested.`;
    case 'logout':
      return event.otherTab
        ? 'Another tab logged out: this tab wiped its tokens from memory too.'
        : 'Logged out: the tokens are wiped from WASM memory, no browser-oauth key is left in storage, and the other tabs are told.';
    case 'restored':
      return 'The encrypted session record was read, decrypted with this browser\'s key and refreshed: signed in again without a login.';
    case 'security':
      return `Refused ${event.phase ? `in the ${event.phase} phase` : ''} (${event.code}): ${explainError(String(event.code)).sentence}`;
    default:
      return `A "${event.type}" event.`;
  }
}
