//! The page: its history entry and the wall clock.

use wasm_bindgen::prelude::*;

use crate::core::error::{Code, Result};

#[wasm_bindgen]
extern "C" {
    /// `history.replaceState(null, "", url)`, imported on the global `history` so that no
    /// `Window` lookup is needed; a throw (or no `history`) is caught.
    #[wasm_bindgen(catch, js_namespace = history, js_name = replaceState)]
    fn replace_state(data: &JsValue, unused: &str, url: &str) -> core::result::Result<(), JsValue>;
}

/// The current time in whole seconds since the Unix epoch (wall clock: token expiry is
/// wall-clock time, and sleeping tabs must see the real time when they wake).
pub fn now() -> u64 {
    (js_sys::Date::now() / 1000.0) as u64
}

/// Replaces the current history entry's URL, without navigating (specs §2).
pub fn replace_url(url: &str) -> Result<()> {
    replace_state(&JsValue::NULL, "", url).map_err(|_| Code::InvalidCallback.into())
}
