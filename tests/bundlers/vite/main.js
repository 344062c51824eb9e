// Vite 8, no configuration: the main entry; Vite emits the .wasm from new URL(…, import.meta.url).
import * as api from 'browser-oauth';
import { check } from '../shared/check.js';

check(api, 'browser-oauth');
