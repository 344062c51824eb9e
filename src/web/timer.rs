//! The one timer of the session, and the page wake-ups that stand in for it.
//!
//! Timers are hints: background tabs throttle them and a sleeping laptop fires them late,
//! so the session compares its deadline with the clock whenever the wake function runs.
//! The wake function (the wrapper's) runs when the single `setTimeout` fires and also on
//! `visibilitychange` and `focus`, when a tab comes back. No decision is made here. The
//! global functions are imported directly: no `Window` lookup crosses the boundary.

use js_sys::Function;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &Function, delay_ms: i32) -> i32;

    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(handle: i32);

    #[wasm_bindgen(js_name = addEventListener)]
    fn add_event_listener(event: &str, listener: &Function);

    #[wasm_bindgen(js_name = removeEventListener)]
    fn remove_event_listener(event: &str, listener: &Function);
}

/// One `setTimeout` at a time plus the wake-up listeners; dropping it removes both.
pub struct Timer {
    wake: Function,
    handle: Option<i32>,
}

/// Events that make the page check the clock again.
const WAKE_EVENTS: [&str; 2] = ["visibilitychange", "focus"];

impl Timer {
    /// Registers `wake` for the page wake-up events; no timer is armed yet.
    pub fn new(wake: Function) -> Self {
        for event in WAKE_EVENTS {
            // visibilitychange fires on the document and bubbles to the window.
            add_event_listener(event, &wake);
        }
        Timer { wake, handle: None }
    }

    /// Replaces the pending timer with one that calls `wake` after `delay_ms` (already
    /// capped at 2^31-1 by the caller), or just cancels it for `None`.
    pub fn arm(&mut self, delay_ms: Option<i32>) {
        if let Some(handle) = self.handle.take() {
            clear_timeout(handle);
        }
        if let Some(delay) = delay_ms {
            self.handle = Some(set_timeout(&self.wake, delay));
        }
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        self.arm(None);
        for event in WAKE_EVENTS {
            remove_event_listener(event, &self.wake);
        }
    }
}
