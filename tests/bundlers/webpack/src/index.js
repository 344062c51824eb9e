// webpack 5, zero configuration (`webpack --mode production`): the main entry and the
// landing-page entry, each with its own .wasm, which webpack emits as an asset from
// new URL(…, import.meta.url).
import * as api from 'browser-oauth';
import * as login from 'browser-oauth/login';
import { check } from '../../shared/check.js';

check(api, 'browser-oauth', login);
