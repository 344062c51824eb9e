//! Signature methods and the shared secrets they use (RFC 5849 §3.4.2–§3.4.4, specs §14.2).
//!
//! The built-in signer computes HMAC-SHA1, HMAC-SHA256 and PLAINTEXT. RSA-SHA1 (§3.4.3) has a
//! variant so that a request can name it, but only an external signer (WebCrypto, a backend)
//! can produce it; asking the built-in signer for it is an error, never a panic.

use alloc::string::String;

use hmac::{EagerHash, Hmac, KeyInit, Mac};
use sha1::Sha1;
use sha2::Sha256;

use super::encode::{base64, encode, push_encoded};
use crate::core::error::{Code, Result};
use crate::core::secret::secret_string;

/// An `oauth_signature_method` (§3.1, §3.4). Names are case-sensitive.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
#[non_exhaustive]
pub enum SignatureMethod {
    /// `HMAC-SHA1` (§3.4.2): the method RFC 5849 defines and most providers use.
    HmacSha1,
    /// `HMAC-SHA256`: not in RFC 5849, the same construction with SHA-256 (used by e.g.
    /// NetSuite token-based authentication, specs §15).
    HmacSha256,
    /// `RSA-SHA1` (§3.4.3): only through an external signer; the built-in one refuses it.
    RsaSha1,
    /// `PLAINTEXT` (§3.4.4): the secrets themselves, so only ever over https.
    Plaintext,
}

impl SignatureMethod {
    /// The `oauth_signature_method` value.
    pub fn as_str(self) -> &'static str {
        match self {
            SignatureMethod::HmacSha1 => "HMAC-SHA1",
            SignatureMethod::HmacSha256 => "HMAC-SHA256",
            SignatureMethod::RsaSha1 => "RSA-SHA1",
            SignatureMethod::Plaintext => "PLAINTEXT",
        }
    }

    /// Reads an `oauth_signature_method` name, exactly as written (§3.1: case-sensitive).
    pub fn parse(name: &str) -> Result<Self> {
        match name {
            "HMAC-SHA1" => Ok(SignatureMethod::HmacSha1),
            "HMAC-SHA256" => Ok(SignatureMethod::HmacSha256),
            "RSA-SHA1" => Ok(SignatureMethod::RsaSha1),
            "PLAINTEXT" => Ok(SignatureMethod::Plaintext),
            _ => Err(Code::InvalidSignatureMethod.into()),
        }
    }
}

secret_string!(
    /// The client ("consumer") shared secret (§3.4.2). It works like a password (§4.5).
    ///
    /// # Security Warning
    /// specs §15: a consumer secret shipped in a public web app is public. Hold one in the
    /// browser only when it is per user or per installation; otherwise sign in a backend
    /// through `prepare_request` and `finish`.
    ConsumerSecret
);

secret_string!(
    /// A token shared secret (§3.4.2): temporary (`oauth_token_secret` of §2.1) or of the
    /// token credentials (§2.3). It works like a password (§4.5). It stays in WASM memory
    /// with the built-in signer; with the app's `sign` hook it is handed to JavaScript for
    /// that hook (`OAuth1Client::token_secret_for_signer`), which needs it for HMAC.
    TokenSecret
);

/// The built-in signer (specs §14.2): the `oauth_signature` value for `base_string`, before
/// §3.6 encoding.
///
/// The key is `enc(consumer secret) & enc(token secret)`, with the `&` even when there is no
/// token secret. HMAC methods return the base64 (RFC 2045) of the MAC of the base string;
/// PLAINTEXT returns the key itself (§3.4.4). RSA-SHA1 is refused with
/// `invalid_signature_method`.
pub(super) fn signature(
    method: SignatureMethod,
    base_string: &str,
    consumer: &ConsumerSecret,
    token: Option<&TokenSecret>,
) -> Result<String> {
    let key = signing_key(consumer, token);
    match method {
        SignatureMethod::HmacSha1 => hmac_base64::<Sha1>(&key, base_string),
        SignatureMethod::HmacSha256 => hmac_base64::<Sha256>(&key, base_string),
        SignatureMethod::Plaintext => Ok(key),
        SignatureMethod::RsaSha1 => Err(Code::InvalidSignatureMethod.into()),
    }
}

/// `enc(consumer secret) & enc(token secret)` (§3.4.2, §3.4.4).
fn signing_key(consumer: &ConsumerSecret, token: Option<&TokenSecret>) -> String {
    let mut key = encode(consumer.expose().as_bytes());
    key.push('&');
    push_encoded(&mut key, token.map_or("", TokenSecret::expose).as_bytes());
    key
}

/// base64 of HMAC-`D`(`key`, `text`).
fn hmac_base64<D: EagerHash>(key: &str, text: &str) -> Result<String>
where
    Hmac<D>: KeyInit + Mac,
{
    // HMAC takes keys of any length (RFC 2104 §2), so this never fails; mapping the error
    // keeps a panic path out of the binary.
    let mut mac =
        <Hmac<D> as KeyInit>::new_from_slice(key.as_bytes()).map_err(|_| Code::SigningFailed)?;
    mac.update(text.as_bytes());
    Ok(base64(&mac.finalize().into_bytes()))
}
