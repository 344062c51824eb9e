//! sessionStorage for pending requests, and the wipe of every key under our prefix (in
//! sessionStorage and localStorage) at logout.
//!
//! The `Storage` methods are imported directly on the globals `sessionStorage` and
//! `localStorage`, rather than reached through `web_sys::window()` and gloo-storage: no
//! global-object lookup, no `Window` or `Storage` handle crossing the boundary, and a
//! missing, disabled or full storage (a throw, or the global not defined at all) is caught
//! on each call and becomes a typed error. gloo's serde_json layer would cost 2.3 KB
//! gzipped for values we encode as short form strings anyway.

use alloc::string::String;
use alloc::vec::Vec;

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

    #[wasm_bindgen(catch, js_namespace = sessionStorage, js_name = key)]
    fn session_key(index: u32) -> core::result::Result<Option<String>, JsValue>;

    #[wasm_bindgen(catch, js_namespace = localStorage, js_name = key)]
    fn local_key(index: u32) -> core::result::Result<Option<String>, JsValue>;

    #[wasm_bindgen(catch, js_namespace = localStorage, js_name = removeItem)]
    fn local_remove_item(key: &str) -> core::result::Result<(), JsValue>;
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

/// Reads `key` from sessionStorage; `None` when absent or when storage cannot be read.
pub fn get(key: &str) -> Option<String> {
    get_item(key).ok().flatten()
}

/// Removes `key` from sessionStorage, best effort.
pub fn remove(key: &str) {
    let _ = remove_item(key);
}

/// The sessionStorage keys that start with `prefix` (none when storage cannot be read). At
/// most [`MAX_WIPE_RESTARTS`] are looked at past the first, so a storage that misreports its
/// keys cannot hold the page.
pub fn keys_with_prefix(prefix: &str) -> Vec<String> {
    let mut keys = Vec::new();
    let mut i = 0;
    while let Some(key) = session_key(i).ok().flatten() {
        if key.starts_with(prefix) {
            keys.push(key);
        }
        i += 1;
        if i > MAX_WIPE_RESTARTS {
            break;
        }
    }
    keys
}

/// Removes every key that starts with `prefix` from sessionStorage and localStorage. Never
/// `clear()`: other code on this origin keeps its keys. A storage the page cannot reach holds
/// nothing of ours, so it is skipped.
pub fn remove_prefixed(prefix: &str) {
    type KeyAt = fn(u32) -> core::result::Result<Option<String>, JsValue>;
    type Remove = fn(&str) -> core::result::Result<(), JsValue>;
    let stores: [(KeyAt, Remove); 2] = [(session_key, remove_item), (local_key, local_remove_item)];
    for (key_at, remove) in stores {
        // `key(i)` is null past the end. A removal may reorder the keys (their order is only
        // stable while their number is), so the scan starts again after each one: no key
        // list to allocate, and none missed. A key that cannot be removed is passed over.
        // The restarts are bounded, so even a storage that claims removals it did not make
        // cannot hold the page in this loop.
        let (mut i, mut restarts) = (0, 0u32);
        while let Some(key) = key_at(i).ok().flatten() {
            if key.starts_with(prefix) && restarts < MAX_WIPE_RESTARTS && remove(&key).is_ok() {
                (i, restarts) = (0, restarts + 1);
            } else {
                i += 1;
            }
        }
    }
}

/// The most keys one wipe removes from one storage: far above what the library ever writes
/// (one pending request per login in flight, one logout state).
const MAX_WIPE_RESTARTS: u32 = 10_000;
