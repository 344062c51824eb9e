//! browser-oauth: OAuth 2.0 and OpenID Connect for single-page apps, with the
//! security-critical half in WebAssembly.
//!
//! The crate has three layers (see `design.md`):
//! - `core`: the sans-IO protocol core. Pure Rust, no web APIs, tested natively with a fixed
//!   clock and fixed randomness. Owns every rule of the protocol.
//! - `web`: thin browser primitives (randomness, storage, fetch, history). No decisions.
//! - `client` and `api`: the driver that feeds the core what happened and performs what it
//!   asks for, and the wasm-bindgen surface that converts values at the JS boundary.
//!
//! The public interface for JavaScript is the npm package `browser-oauth` in `pkg/`. The Rust
//! items below are public only so that browser tests and fuzzers can reach them.
#![warn(missing_docs)]

pub(crate) mod core;

#[cfg(target_arch = "wasm32")]
mod api;
#[cfg(target_arch = "wasm32")]
mod client;
#[cfg(target_arch = "wasm32")]
mod web;

/// Core entry points for browser tests and fuzz targets only. Not a stable API.
#[doc(hidden)]
pub mod internal {
    pub use crate::core::error::{Code, Error};
    pub use crate::core::pkce::CodeVerifier;
    #[cfg(target_arch = "wasm32")]
    pub use crate::web::random::fill as fill_random;
}
