// browser-oauth/inline (the wasm embedded in the JavaScript) behind the benchmark's common
// interface: the same adapter as browser-oauth.js, created through the inline entry. Built
// on its own by build.mjs, so that it shares no chunk with the other libraries and its
// import → ready is one request, as in an app that uses it.
import { createClient } from '../../pkg/dist/inline.js';
import { ready as readyWith } from './browser-oauth.js';

/**
 * @param {import('../page.js').Provider} provider
 * @returns {Promise<import('../page.js').Adapter>}
 */
export const ready = (provider) => readyWith(provider, createClient);
