// Rollup 4 with @rollup/plugin-node-resolve only: the inline entry (the wasm is in the JS,
// so there is no file for Rollup to miss).
import * as api from 'browser-oauth/inline';
import { check } from '../shared/check.js';

check(api, 'browser-oauth/inline');
