// The error box both demo pages share: the stable code, a sentence on what happened, what to
// do next, and the details (the provider's own words, as text). Element ids: #error-box,
// #error-explain, #error-next, #error-code, #error (the tests read the last two).
import { BrowserOAuthError, ServerError } from '/pkg/dist/index.js';

import { byId, show } from './dom.js';
import { explainError } from './messages.js';

/**
 * The code and details of anything thrown: a typed error keeps its code; anything else is
 * `unexpected`. The provider's words are kept as text, never markup.
 * @param {unknown} error
 * @returns {{ code: string, details: string }}
 */
export function describe(error) {
  if (!(error instanceof BrowserOAuthError)) return { code: 'unexpected', details: String(error) };
  const parts = [error.message];
  if (error instanceof ServerError) {
    parts.push(`(provider: ${error.error}${error.errorDescription ? `: ${error.errorDescription}` : ''})`);
  }
  if (error.requestSent) parts.push('(the request had been sent)');
  return { code: error.code, details: parts.join(' ') };
}

/** Shows an error in the box and sets the page status to "error". */
export function showError(error) {
  const { code, details } = describe(error);
  const { sentence, next } = explainError(code);
  show('error-code', code);
  show('error', details);
  show('error-explain', sentence);
  show('error-next', `What to do: ${next}`);
  byId('error-box').hidden = false;
  show('status', 'error');
}

/** Empties and hides the error box. */
export function clearError() {
  for (const id of ['error-code', 'error', 'error-explain', 'error-next']) show(id, '');
  byId('error-box').hidden = true;
}
