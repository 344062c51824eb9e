//! Tests of the OAuth 1.0a module, named for the behaviour they check and citing specs.md.
//!
//! - `vectors`: every signing vector of `tests/vectors/rfc5849.json` (specs §0.4 A–E);
//! - `encoding`: §3.6 encoding, form decoding, base64 and decimal units;
//! - `properties`: deterministic loops over generated inputs (round trips, sort order);
//! - `signing`: the request half: methods, secrets, external signer, refusals;
//! - `flow`: the RFC 5849 §1.2 and §2 flows end to end, and the hostile cases of specs §14.1.

mod driver;
mod encoding;
mod flow;
mod properties;
mod signing;
mod vectors;

use super::request::{self, Consumer, Nonce, PreparedRequest, Protocol, Request};
use super::sign::SignatureMethod;
use crate::core::error::{Code, Result};

/// The code of a step that must fail.
fn code_of<T>(result: Result<T>) -> Code {
    match result {
        Ok(_) => panic!("expected an error"),
        Err(error) => error.code,
    }
}

/// A consumer with `key`, `method` and `realm`, without `oauth_version`.
fn consumer(key: &str, method: SignatureMethod, realm: Option<&str>) -> Consumer {
    Consumer {
        key: key.into(),
        signature_method: method,
        realm: realm.map(Into::into),
        send_version: false,
    }
}

/// A fixed nonce, as the RFC examples use.
fn nonce(text: &str) -> Nonce {
    Nonce::parse(text).unwrap()
}

/// Prepares a request with any protocol parameters, without the https-only rule of the
/// credential requests.
fn prepare(
    consumer: &Consumer,
    request: Request<'_>,
    token: Option<&str>,
    extra: Option<(&'static str, &str)>,
    now: u64,
    nonce_text: &str,
) -> Result<PreparedRequest> {
    let protocol = Protocol {
        token,
        extra,
        https_only: false,
    };
    request::prepare(consumer, &request, protocol, now, nonce(nonce_text))
}
