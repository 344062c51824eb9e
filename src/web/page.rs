//! The page: its history entry and the wall clock.

use crate::core::error::{Code, Result};

/// The current time in whole seconds since the Unix epoch (wall clock: token expiry is
/// wall-clock time, and sleeping tabs must see the real time when they wake).
pub fn now() -> u64 {
    (js_sys::Date::now() / 1000.0) as u64
}

/// Replaces the current history entry's URL, without navigating (specs §2).
pub fn replace_url(url: &str) -> Result<()> {
    let history = web_sys::window()
        .and_then(|w| w.history().ok())
        .ok_or(Code::InvalidCallback)?;
    history
        .replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(url))
        .map_err(|_| Code::InvalidCallback.into())
}
