//! The sans-IO protocol core.
//!
//! Nothing in this module performs I/O or reads the clock or a random source by itself.
//! Every function that needs the time takes `now` (seconds since the Unix epoch) as an
//! argument, and every function that needs randomness takes the random bytes. Requests to
//! make are returned as values; responses come back in as text. The browser shell in
//! `crate::web` moves the bytes; the driver in `crate::client` connects the two. This keeps
//! every rule of `specs.md` testable on the host with a fixed clock and fixed randomness.
//!
//! Nothing under `src/core` may name `wasm_bindgen`, `js_sys` or `web_sys`; `make lint`
//! checks this.

// On the host the core is reached only by its tests, and the OAuth 1.0a entry (the `oauth1`
// feature) uses only a few OAuth 2 modules; the default wasm32 build (and its clippy run) is
// where unused core code is caught.
#![cfg_attr(any(not(target_arch = "wasm32"), feature = "oauth1"), allow(dead_code))]

pub(crate) mod authorize;
pub(crate) mod base64url;
pub(crate) mod callback;
pub(crate) mod config;
pub(crate) mod decimal;
pub(crate) mod discovery;
#[cfg(any(feature = "dpop", not(target_arch = "wasm32")))]
pub(crate) mod dpop;
pub(crate) mod error;
pub(crate) mod id_token;
pub(crate) mod json;
pub(crate) mod jws;
pub(crate) mod logout;
#[cfg(any(feature = "oauth1", not(target_arch = "wasm32")))]
pub(crate) mod oauth1;
pub(crate) mod pending;
#[cfg(any(feature = "dpop", not(target_arch = "wasm32")))]
pub(crate) mod persist;
pub(crate) mod pkce;
pub(crate) mod prune;
pub(crate) mod redirect;
pub(crate) mod resource;
pub(crate) mod secret;
pub(crate) mod security;
pub(crate) mod session;
pub(crate) mod silent;
pub(crate) mod token;
pub(crate) mod url;
pub(crate) mod userinfo;
