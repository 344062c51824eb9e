// Parcel 2, no configuration: the main entry and the landing-page entry,
// each with its own .wasm, which Parcel emits from new URL(…, import.meta.url).
import * as api from 'browser-oauth';
import * as login from 'browser-oauth/login';
import { check } from '../shared/check.js';

check(api, 'browser-oauth', login);
