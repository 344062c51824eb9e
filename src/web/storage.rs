//! sessionStorage for pending requests, and the wipe of every key under our prefix.
//!
//! The three `Storage` methods are imported directly on the global `sessionStorage`, rather
//! than reached through `web_sys::window()` and gloo-storage: no global-object lookup, no
//! `Window` or `Storage` handle crossing the boundary, and a missing, disabled or full
//! storage (a throw, or `sessionStorage` not defined at all) is caught on each call and
//! becomes a typed error. gloo's serde_json layer would cost 2.3 KB gzipped for values we
//! encode as short form strings anyway.

use alloc::string::String;

use wasm_bindgen::prelude::*;

use crate::core::error::{Code, Result};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = sessionStorage, js_name = setItem)]
    fn set_item(key: &str, value: &str) -> core::result::Result<(), JsValue>;

    #[wasm_bindgen(catch, js_namespace = sessionStorage, js_name = getItem)]
    fn get_item(key: &str) -> core::result::Result<Option<String>, JsValue>;

    #[wasm_bindgen(catch, js_namespace = sessionStorage, js_name = removeItem)]
    fn remove_item(key: &str) -> core::result::Result<(), JsValue>;
}

/// Stores `value` under `key` in sessionStorage (quota and disabled storage are errors).
pub fn set(key: &str, value: &str) -> Result<()> {
    set_item(key, value).map_err(|_| Code::StorageUnavailable.into())
}

/// Reads and removes `key` from sessionStorage: single use, whatever happens next.
pub fn take(key: &str) -> Result<Option<String>> {
    let value = get_item(key).map_err(|_| Code::StorageUnavailable)?;
    remove_item(key).map_err(|_| Code::StorageUnavailable)?;
    Ok(value)
}
