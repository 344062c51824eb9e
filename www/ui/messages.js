// Error codes in plain words, with what to do next: `describeError` from the package's
// `browser-oauth/messages` entry, one sentence each.
import { describeError } from '/pkg/dist/messages.js';

/**
 * What an error code means and what to do next.
 * @param {string} code a browser-oauth error code
 * @returns {{ sentence: string, next: string }}
 */
export function explainError(code) {
  const { message, action } = describeError(code);
  return { sentence: message, next: action };
}
