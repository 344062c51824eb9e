//! browser-oauth: OAuth 2.0 and OpenID Connect for single-page apps, with the
//! security-critical half in WebAssembly; OAuth 1.0a as a separate entry (the `oauth1`
//! feature).
//!
//! The crate has three layers (see `design.md`):
//! - `core`: the sans-IO protocol core. Pure Rust, no web APIs, tested natively with a fixed
//!   clock and fixed randomness. Owns every rule of the protocol.
//! - `web`: thin browser primitives (randomness, storage, history). No decisions. The
//!   network requests the core asks for are sent by the TypeScript wrapper, so the wasm
//!   side never awaits (an async executor would cost about 10 KB).
//! - `client` and `api`: the driver that feeds the core what happened and performs what it
//!   asks for, and the wasm-bindgen surface that converts values at the JS boundary.
//!
//! The public interface for JavaScript is the npm package `browser-oauth` in `pkg/`. The Rust
//! items below are public only so that browser tests and fuzzers can reach them.
#![no_std]
#![warn(missing_docs)]
// The landing build (`landing` feature) does only configuration, discovery and login, so
// most of the driver is unreachable there by design and the linker drops it. The same code is
// live, and linted with `-D warnings`, in every other build.
#![cfg_attr(
    all(target_arch = "wasm32", feature = "landing"),
    allow(dead_code, unused_imports)
)]

// `no_std` keeps std's panic and formatting machinery out of the shipped wasm; everything
// beyond `core` is imported explicitly from `alloc`. The host build and every test build
// link std (unit tests also take its `format!` and `vec!`).
extern crate alloc;
#[cfg(any(not(target_arch = "wasm32"), test, feature = "std"))]
#[cfg_attr(test, macro_use)]
extern crate std;

pub(crate) mod core;
pub(crate) mod oauth1_ops;
pub(crate) mod ops;

// The wasm build is one of two entries: OAuth 2 (`api`, `client`) by default, or with the
// `oauth1` feature the OAuth 1.0a entry (`oauth1_api`, `oauth1_client`) alone, so that
// neither wasm ships the other's code.
#[cfg(all(target_arch = "wasm32", not(feature = "oauth1")))]
mod api;
#[cfg(all(target_arch = "wasm32", not(feature = "oauth1")))]
mod client;
#[cfg(target_arch = "wasm32")]
mod heap;
#[cfg(all(target_arch = "wasm32", feature = "oauth1"))]
mod oauth1_api;
#[cfg(all(target_arch = "wasm32", feature = "oauth1"))]
mod oauth1_client;
#[cfg(target_arch = "wasm32")]
mod web;

/// A panic is a bug (shipped code never unwraps input): trap without formatting a message,
/// so no `core::fmt` machinery is linked. Test builds link std, which brings its own handler.
#[cfg(all(target_arch = "wasm32", not(test), not(feature = "std")))]
#[panic_handler]
fn panic(_: &::core::panic::PanicInfo) -> ! {
    ::core::arch::wasm32::unreachable()
}

#[cfg(target_arch = "wasm32")]
#[global_allocator]
static HEAP: heap::Heap = heap::Heap::new();

/// Core entry points for browser tests and fuzz targets only. Not a stable API.
#[doc(hidden)]
pub mod internal {
    #[cfg(all(target_arch = "wasm32", not(feature = "oauth1")))]
    pub use crate::api::WasmClient;
    pub use crate::core::callback::{CallbackParams, CallbackPolicy, validate_callback};
    pub use crate::core::config::Config;
    pub use crate::core::discovery::parse_metadata;
    pub use crate::core::error::{Code, Error};
    pub use crate::core::id_token::{ClaimsPolicy, check_id_token};
    pub use crate::core::json::parse as parse_json;
    pub use crate::core::jws::{KeyStep, SignatureCheck};
    pub use crate::core::pending::{PendingAuthorization, ResponseMode};
    pub use crate::core::pkce::CodeVerifier;
    pub use crate::core::redirect::check_return_to;
    pub use crate::core::session::{Event, Policy, Session, timer_delay_ms};
    pub use crate::core::token::process_token_response;
    #[cfg(target_arch = "wasm32")]
    pub use crate::web::random::fill as fill_random;
    #[cfg(target_arch = "wasm32")]
    pub use crate::web::timer::Timer;
    /// The operation numbers of `WasmClient::call`.
    #[cfg(all(target_arch = "wasm32", not(feature = "oauth1")))]
    pub mod ops {
        pub use crate::ops::*;
    }
}
