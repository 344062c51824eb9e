//! sessionStorage for pending requests, and the wipe of every key under our prefix (in
//! sessionStorage and localStorage) at logout.
//!
//! `web_sys::Storage` is used directly rather than gloo-storage's typed layer: gloo's `raw()`
//! throws when storage is disabled (a throw we could not turn into a typed error) and its
//! serde_json layer costs 2.3 KB gzipped for values we encode as short form strings anyway.

use alloc::string::String;

use web_sys::Storage;

use crate::core::error::{Code, Result};

fn session() -> Result<Storage> {
    web_sys::window()
        .and_then(|w| w.session_storage().ok().flatten())
        .ok_or_else(|| Code::StorageUnavailable.into())
}

/// Stores `value` under `key` in sessionStorage (quota and disabled storage are errors).
pub fn set(key: &str, value: &str) -> Result<()> {
    session()?
        .set_item(key, value)
        .map_err(|_| Code::StorageUnavailable.into())
}

/// Reads and removes `key` from sessionStorage: single use, whatever happens next.
pub fn take(key: &str) -> Result<Option<String>> {
    let storage = session()?;
    let value = storage
        .get_item(key)
        .map_err(|_| Code::StorageUnavailable)?;
    storage
        .remove_item(key)
        .map_err(|_| Code::StorageUnavailable)?;
    Ok(value)
}

/// Removes every key that starts with `prefix` from sessionStorage and localStorage. Never
/// `clear()`: other code on this origin keeps its keys. A storage the page cannot reach holds
/// nothing of ours, so it is skipped.
pub fn remove_prefixed(prefix: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    for storage in [window.session_storage(), window.local_storage()] {
        let Some(storage) = storage.ok().flatten() else {
            continue;
        };
        // Backwards, so that removing a key does not shift the ones still to visit.
        for index in (0..storage.length().unwrap_or(0)).rev() {
            if let Some(key) = storage.key(index).ok().flatten()
                && key.starts_with(prefix)
            {
                let _ = storage.remove_item(&key);
            }
        }
    }
}
