//! sessionStorage for pending requests, and the wipe of every key under our prefix.
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

#[cfg(feature = "oauth1")]
/// Removes every sessionStorage key that starts with `prefix`, and no other: never
/// `clear()`, which would wipe other apps' keys on the origin (style.md).
pub fn remove_prefixed(prefix: &str) -> Result<()> {
    let storage = session()?;
    let length = storage.length().map_err(|_| Code::StorageUnavailable)?;
    let mut ours = alloc::vec::Vec::new();
    for index in 0..length {
        match storage.key(index).map_err(|_| Code::StorageUnavailable)? {
            Some(key) if key.starts_with(prefix) => ours.push(key),
            _ => {}
        }
    }
    for key in ours {
        storage
            .remove_item(&key)
            .map_err(|_| Code::StorageUnavailable)?;
    }
    Ok(())
}
