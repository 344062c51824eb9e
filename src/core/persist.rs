//! The encrypted session record of opt-in persistence (`persist: "tab" | "browser"`).
//!
//! What persists is what a reload needs to get a fresh access token by refresh, and no more:
//! the refresh token, the granted scope, the verified ID-token claims (with their `sub`) and
//! the record's own expiry. Never the access token.
//!
//! The wrapper encrypts with AES-GCM-256 under a non-extractable WebCrypto key; the core
//! decides everything else. [`seal`] gives the plaintext, a fresh 96-bit IV (from the
//! caller's random bytes) and the additional data, which binds the record to the issuer,
//! the client id and the user's `sub`; [`record`] wraps the ciphertext in the stored text.
//! On the way back, [`open`] reads the stored text and gives the IV, ciphertext and the
//! additional data *this* client expects, so a record written for another issuer, client
//! or user, or altered in any way, fails AES-GCM's authentication in the wrapper; [`read`]
//! then checks the decrypted contents once more. Every failure is
//! `persisted_session_invalid`.

use alloc::string::String;
use alloc::vec::Vec;

use super::base64url;
use super::error::{Code, Result};
use super::json::{self, ObjectWriter, Value};
use super::token::RefreshToken;

/// The record format version.
pub const VERSION: u64 = 1;
/// Bytes in an AES-GCM IV (NIST SP 800-38D's recommended 96 bits).
pub const IV_BYTES: usize = 12;
/// A record older than this is not restored (seconds: 30 days). A provider's refresh token
/// usually dies sooner; this bounds how long a copied record is worth attacking.
pub const MAX_AGE_SECONDS: u64 = 30 * 24 * 3600;
/// Bytes in an AES-GCM authentication tag.
const TAG_BYTES: usize = 16;

/// What a record holds once decrypted.
#[derive(Debug)]
pub struct Contents {
    /// The refresh token.
    pub refresh_token: RefreshToken,
    /// The granted scope.
    pub scope: String,
    /// The user's `sub`.
    pub sub: String,
    /// The verified ID-token claims, as JSON text.
    pub claims: String,
}

/// What the wrapper encrypts, and how.
pub struct Seal {
    /// The fresh IV.
    pub iv: [u8; IV_BYTES],
    /// The AES-GCM additional data: issuer, client id and `sub`.
    pub aad: String,
    /// The plaintext.
    ///
    /// # Security Warning
    /// Holds the refresh token: only for `crypto.subtle.encrypt`.
    pub plaintext: String,
}

/// The additional data that binds a record to `issuer`, `client_id` and `sub`: a JSON array,
/// so no choice of values can make two different triples give the same bytes.
pub fn additional_data(issuer: &str, client_id: &str, sub: &str) -> String {
    let mut out = String::from("[\"browser-oauth session 1\",");
    for (i, part) in [issuer, client_id, sub].into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        json::push_string(&mut out, part);
    }
    out.push(']');
    out
}

/// The plaintext, IV and additional data for `contents`, written at `now` for `issuer` and
/// `client_id`. `iv` must be fresh random bytes for every write.
pub fn seal(
    issuer: &str,
    client_id: &str,
    contents: &Contents,
    iv: [u8; IV_BYTES],
    now: u64,
) -> Seal {
    let plaintext = ObjectWriter::default()
        .number("v", VERSION)
        .string("iss", issuer)
        .string("aud", client_id)
        .string("sub", &contents.sub)
        .string("rt", contents.refresh_token.expose())
        .string("scope", &contents.scope)
        .string("claims", &contents.claims)
        .number("exp", now.saturating_add(MAX_AGE_SECONDS))
        .finish();
    Seal {
        iv,
        aad: additional_data(issuer, client_id, &contents.sub),
        plaintext,
    }
}

/// The stored text: `{"v","sub","iv","ct"}`, the IV and ciphertext in base64url. `sub` is
/// in clear so that [`open`] can rebuild the additional data; changing it breaks the tag.
pub fn record(sub: &str, iv: &[u8; IV_BYTES], ciphertext: &[u8]) -> String {
    ObjectWriter::default()
        .number("v", VERSION)
        .string("sub", sub)
        .string("iv", &base64url::encode(iv))
        .string("ct", &base64url::encode(ciphertext))
        .finish()
}

/// A stored record, ready for `crypto.subtle.decrypt`.
#[derive(Debug)]
pub struct Sealed {
    /// The `sub` the record claims; [`read`] checks it against the contents.
    pub sub: String,
    /// The IV.
    pub iv: Vec<u8>,
    /// The ciphertext with its tag.
    pub ciphertext: Vec<u8>,
    /// The additional data this client expects for that `sub`.
    pub aad: String,
}

/// Reads a stored record for this `issuer` and `client_id`. Refuses anything that is not a
/// version-1 record with a `sub`, a 12-byte IV and a ciphertext longer than a tag.
pub fn open(text: &str, issuer: &str, client_id: &str) -> Result<Sealed> {
    let invalid = || Code::PersistedSessionInvalid;
    let doc = json::parse(text)
        .and_then(Value::object)
        .ok_or_else(invalid)?;
    if let Value::Object(members) = &doc
        && members.len() != 4
    {
        return Err(invalid().into());
    }
    let text = |name: &str| doc.get(name).and_then(Value::as_str).ok_or_else(invalid);
    if !matches!(doc.get("v"), Some(Value::Number(Some(v))) if *v == VERSION as i64) {
        return Err(invalid().into());
    }
    let sub = text("sub")?;
    let iv = base64url::decode(text("iv")?)
        .filter(|iv| iv.len() == IV_BYTES)
        .ok_or_else(invalid)?;
    let ciphertext = base64url::decode(text("ct")?)
        .filter(|ct| ct.len() > TAG_BYTES)
        .ok_or_else(invalid)?;
    if sub.is_empty() {
        return Err(invalid().into());
    }
    Ok(Sealed {
        aad: additional_data(issuer, client_id, sub),
        sub: sub.into(),
        iv,
        ciphertext,
    })
}

/// Reads decrypted contents: a version-1 plaintext for this `issuer`, `client_id` and the
/// record's `sub`, not past its expiry at `now`, with a refresh token.
pub fn read(
    plaintext: &[u8],
    issuer: &str,
    client_id: &str,
    sub: &str,
    now: u64,
) -> Result<Contents> {
    let invalid = || Code::PersistedSessionInvalid;
    let text = core::str::from_utf8(plaintext).map_err(|_| invalid())?;
    let doc = json::parse(text)
        .and_then(Value::object)
        .ok_or_else(invalid)?;
    let field = |name: &str| doc.get(name).and_then(Value::as_str).ok_or_else(invalid);
    let number = |name: &str| match doc.get(name) {
        Some(Value::Number(Some(n))) if *n >= 0 => Ok(*n as u64),
        _ => Err(invalid()),
    };
    let bound = number("v")? == VERSION
        && field("iss")? == issuer
        && field("aud")? == client_id
        && field("sub")? == sub;
    let refresh_token = field("rt")?;
    if !bound || refresh_token.is_empty() || now >= number("exp")? {
        return Err(invalid().into());
    }
    // The claims were verified when the ID token arrived; they must still name this `sub`.
    let claims = field("claims")?;
    let claims_sub = json::parse(claims)
        .and_then(Value::object)
        .and_then(|c| c.get("sub").and_then(Value::as_str).map(String::from));
    if claims_sub.as_deref() != Some(sub) {
        return Err(invalid().into());
    }
    Ok(Contents {
        refresh_token: RefreshToken::new(refresh_token.into()),
        scope: field("scope")?.into(),
        sub: sub.into(),
        claims: claims.into(),
    })
}

#[cfg(test)]
mod tests;
