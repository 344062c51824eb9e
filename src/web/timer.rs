//! The one timer of the session, and the page wake-ups that stand in for it.
//!
//! Timers are hints: background tabs throttle them and a sleeping laptop fires them late,
//! so the session compares its deadline with the clock whenever the wake function runs.
//! The wake function (the wrapper's) runs when the single `setTimeout` fires and also on
//! `visibilitychange` and `focus`, when a tab comes back. No decision is made here.

use js_sys::Function;

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
        if let Some(window) = web_sys::window() {
            for event in WAKE_EVENTS {
                // visibilitychange fires on the document and bubbles to the window.
                let _ = window.add_event_listener_with_callback(event, &wake);
            }
        }
        Timer { wake, handle: None }
    }

    /// Replaces the pending timer with one that calls `wake` after `delay_ms` (already
    /// capped at 2^31-1 by the caller), or just cancels it for `None`.
    pub fn arm(&mut self, delay_ms: Option<i32>) {
        let Some(window) = web_sys::window() else {
            return;
        };
        if let Some(handle) = self.handle.take() {
            window.clear_timeout_with_handle(handle);
        }
        if let Some(delay) = delay_ms {
            self.handle = window
                .set_timeout_with_callback_and_timeout_and_arguments_0(&self.wake, delay)
                .ok();
        }
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        self.arm(None);
        if let Some(window) = web_sys::window() {
            for event in WAKE_EVENTS {
                let _ = window.remove_event_listener_with_callback(event, &self.wake);
            }
        }
    }
}
