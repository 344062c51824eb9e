// esbuild with its defaults (`--bundle`, iife output): the inline entry, so no .wasm to copy.
import * as api from 'browser-oauth/inline';
import { check } from '../shared/check.js';

check(api, 'browser-oauth/inline');
