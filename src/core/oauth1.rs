//! OAuth 1.0a (RFC 5849): request signing and the three-legged flow, sans-IO (specs §14, §15).
//!
//! Like the rest of the core, nothing here performs I/O, reads the clock or draws random
//! bytes: `now` (seconds since the Unix epoch) and the [`request::Nonce`] come in as arguments,
//! requests go out as values, responses come back as a status and a body.
//!
//! Three modules are the API: [`request`] (signing one request), [`flow`] (the three legs)
//! and [`sign`] (signature methods and secrets). The encodings and the base string are
//! private.
//!
//! # Signing a request
//! 1. [`request::prepare_request`] takes the [`request::Consumer`] settings, the
//!    [`request::Request`], the token (if any), `now` and a fresh [`request::Nonce`], and
//!    returns a [`request::PreparedRequest`] holding the signature base string (§3.4.1) and
//!    the `Authorization` header without its signature.
//! 2. The signature comes either from the built-in signer, [`request::sign_with_secrets`]
//!    (HMAC-SHA1, HMAC-SHA256 or PLAINTEXT, with a [`sign::ConsumerSecret`] and a
//!    [`sign::TokenSecret`] in WASM memory), or from an external signer that receives the
//!    prepared request's `base_string()` and `signature_method()` (a backend, or WebCrypto for
//!    RSA-SHA1) and whose answer goes to [`request::finish`].
//! 3. Either way the result is a [`request::SignedRequest`] whose `authorization` is the
//!    header value.
//!
//! # The three-legged flow (§2)
//! 1. [`flow::temporary_credentials_request`] → sign → send →
//!    [`flow::process_temporary_credentials_response`] gives a [`flow::PendingRequest`]; store
//!    its [`encode`](flow::PendingRequest::encode)d form in sessionStorage.
//! 2. Redirect to [`flow::authorization_url`]. On the callback page, *take* the record out of
//!    storage (read and delete), [`decode`](flow::PendingRequest::decode) it and pass it to
//!    [`flow::validate_callback`].
//! 3. [`flow::token_request`] → sign with the returned temporary secret → send →
//!    [`flow::process_token_response`] gives the [`flow::TokenCredentials`] for step 1 of
//!    "Signing a request".
//!
//! # Security Warning
//! specs §15: HMAC and PLAINTEXT signatures need the consumer secret, and a secret shipped in a
//! public web app is public (RFC 5849 §4.6). Sign in a backend (the external-signer path)
//! unless the secret is per user or per installation. Token credentials do not expire in the
//! protocol; the app sets its own limit ([`flow::DEFAULT_TOKEN_LIFETIME`]).

mod base_string;
pub mod config;
mod encode;
pub mod flow;
pub mod request;
pub mod sign;
#[cfg(test)]
mod tests;
