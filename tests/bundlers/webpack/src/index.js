// webpack 5, zero configuration (`webpack --mode production`): the main entry; webpack emits
// the .wasm as an asset from new URL(…, import.meta.url).
import * as api from 'browser-oauth';
import { check } from '../../shared/check.js';

check(api, 'browser-oauth');
