//! DPoP, RFC 9449: proofs that the sender holds the private key its tokens are bound to
//! (specs §0.3, §13).
//!
//! The key pair is a non-extractable WebCrypto ECDSA P-256 key kept by the wrapper; the core
//! sees only its public half. For each request the core builds the proof's header and claims
//! and the JWS signing input ([`signing_input`]); the wrapper signs that text with the
//! private key and hands back the raw `r || s` signature, from which the core assembles the
//! compact JWT ([`assemble`]). The core also decides about server nonces (§8, §9): which
//! nonce goes into a proof ([`Nonces`], one per origin), and whether an answer is a nonce
//! challenge that earns the one retry a request gets ([`is_token_nonce_error`],
//! [`is_resource_nonce_error`]), and what `client.fetch` does with a resource's answer
//! ([`resource_retry`]: one nonce retry, one refresh on `invalid_token`).

use alloc::string::String;
use alloc::vec::Vec;

use super::base64url;
use super::error::{Code, Result};
use super::json::{self, ObjectWriter, Value};
use super::pkce::s256;
use super::url::Url;

/// The public half of the DPoP key pair: its JWK (public members only, RFC 7638 canonical
/// order) and its RFC 7638 SHA-256 thumbprint, the `dpop_jkt` of the authorization request.
#[derive(Debug)]
pub struct DpopKey {
    jwk: String,
    thumbprint: String,
}

impl DpopKey {
    /// The P-256 public key with coordinates `x` and `y` (base64url, 32 bytes each, as
    /// WebCrypto exports them). Anything else is refused.
    pub fn p256(x: &str, y: &str) -> Result<Self> {
        let coordinate = |c: &str| {
            base64url::decode(c)
                .filter(|bytes| bytes.len() == 32)
                .ok_or(Code::InvalidConfig)
        };
        coordinate(x)?;
        coordinate(y)?;
        // RFC 7638 §3.2: the required members, in lexicographic order, no white space.
        let jwk = ObjectWriter::default()
            .string("crv", "P-256")
            .string("kty", "EC")
            .string("x", x)
            .string("y", y)
            .finish();
        let thumbprint = thumbprint(&jwk);
        Ok(DpopKey { jwk, thumbprint })
    }

    /// The public JWK as JSON text.
    pub fn jwk(&self) -> &str {
        &self.jwk
    }

    /// The RFC 7638 thumbprint (base64url of SHA-256), for `dpop_jkt` (RFC 9449 §10).
    pub fn thumbprint(&self) -> &str {
        &self.thumbprint
    }
}

/// The RFC 7638 thumbprint of a JWK already in canonical form (required members only, in
/// lexicographic order, no white space): base64url(SHA-256(UTF-8 of the JSON)).
pub fn thumbprint(canonical_jwk: &str) -> String {
    s256(canonical_jwk.as_bytes())
}

/// `ath` (RFC 9449 §4.2): base64url(SHA-256(ASCII of the access token)).
pub fn ath(access_token: &str) -> String {
    s256(access_token.as_bytes())
}

/// `htu` (RFC 9449 §4.2): the request URL without its query and fragment. Only absolute
/// http(s) URLs are accepted.
pub fn htu(url: &str) -> Result<String> {
    let parsed = Url::parse(url).ok_or(Code::InvalidConfig)?;
    if !matches!(parsed.scheme, "https" | "http") {
        return Err(Code::InvalidConfig.into());
    }
    // Bytes, not a char pattern: `?` and `#` are ASCII, and char iteration costs wasm.
    let end = url
        .bytes()
        .position(|b| b == b'?' || b == b'#')
        .unwrap_or(url.len());
    Ok(url.get(..end).unwrap_or(url).into())
}

/// The origin of an absolute URL (`scheme://host[:port]`), the key nonces are kept under.
fn origin(url: &str) -> Option<&str> {
    // Char patterns only: a substring searcher ("://") costs 2 KB of wasm.
    let (scheme, rest) = url.split_once(':')?;
    let authority = rest.strip_prefix("//")?;
    let end = authority
        .bytes()
        .position(|b| matches!(b, b'/' | b'?' | b'#'))
        .unwrap_or(authority.len());
    url.get(..scheme.len() + 3 + end)
}

/// What one proof says (RFC 9449 §4.2).
pub struct Proof<'a> {
    /// The HTTP method, e.g. `POST`.
    pub htm: &'a str,
    /// The request URL; query and fragment are dropped.
    pub url: &'a str,
    /// Issued at, seconds since the epoch.
    pub iat: u64,
    /// Fresh random bytes for `jti`: at least [`JTI_BYTES`].
    pub jti: &'a [u8],
    /// The access token the request presents, whose hash becomes `ath`.
    pub access_token: Option<&'a str>,
    /// The server's latest nonce for this origin.
    pub nonce: Option<&'a str>,
}

/// Random bytes in a `jti`: 128 bits, above RFC 9449's 96.
pub const JTI_BYTES: usize = 16;

/// The JWS signing input of a proof, `BASE64URL(header) "." BASE64URL(claims)`: header
/// `typ` `dpop+jwt`, `alg` `ES256` and the public `jwk`; claims `jti`, `htm`, `htu`, `iat`,
/// then `ath` and `nonce` when given.
pub fn signing_input(key: &DpopKey, proof: &Proof<'_>) -> Result<String> {
    if proof.jti.len() < JTI_BYTES || proof.htm.is_empty() || proof.iat == 0 {
        return Err(Code::InvalidConfig.into());
    }
    let header = ObjectWriter::default()
        .string("typ", "dpop+jwt")
        .string("alg", "ES256")
        .raw("jwk", key.jwk())
        .finish();
    let mut claims = ObjectWriter::default()
        .string("jti", &base64url::encode(proof.jti))
        .string("htm", proof.htm)
        .string("htu", &htu(proof.url)?)
        .number("iat", proof.iat);
    if let Some(token) = proof.access_token {
        claims = claims.string("ath", &ath(token));
    }
    let claims = claims.optional("nonce", proof.nonce).finish();
    let mut out = base64url::encode(header.as_bytes());
    out.push('.');
    out.push_str(&base64url::encode(claims.as_bytes()));
    Ok(out)
}

/// The compact JWT: the signing input and the ES256 signature, which WebCrypto gives as the
/// raw 64-byte `r || s` that JWS uses (RFC 7518 §3.4). Any other length is refused.
pub fn assemble(signing_input: &str, signature: &[u8]) -> Result<String> {
    if signature.len() != 64 || signing_input.split('.').count() != 2 {
        return Err(Code::SigningFailed.into());
    }
    let mut out = String::from(signing_input);
    out.push('.');
    out.push_str(&base64url::encode(signature));
    Ok(out)
}

/// The latest server nonce per origin (RFC 9449 §8, §9): the token endpoint and each
/// resource server have their own.
#[derive(Debug, Default)]
pub struct Nonces(Vec<(String, String)>);

impl Nonces {
    /// The nonce last given by the origin of `url`.
    pub fn get(&self, url: &str) -> Option<&str> {
        let origin = origin(url)?;
        self.0
            .iter()
            .find(|(o, _)| o == origin)
            .map(|(_, n)| n.as_str())
    }

    /// Remembers the `DPoP-Nonce` header the origin of `url` sent. A value that is not a
    /// valid nonce (RFC 9449 §8.1: one or more NQCHAR) is ignored.
    pub fn remember(&mut self, url: &str, nonce: &str) {
        let valid = !nonce.is_empty()
            && nonce.len() <= MAX_NONCE_LEN
            && nonce
                .bytes()
                .all(|b| matches!(b, 0x21 | 0x23..=0x5b | 0x5d..=0x7e));
        let Some(origin) = origin(url).filter(|_| valid) else {
            return;
        };
        match self.0.iter_mut().find(|(o, _)| o == origin) {
            Some((_, n)) => *n = nonce.into(),
            None => self.0.push((origin.into(), nonce.into())),
        }
    }
}

/// The longest nonce kept.
const MAX_NONCE_LEN: usize = 1024;

/// True when a token endpoint answer is the §8 nonce challenge: a 400 with
/// `{"error":"use_dpop_nonce"}`.
pub fn is_token_nonce_error(status: u16, body: &str) -> bool {
    status == 400
        && json::parse(body)
            .and_then(Value::object)
            .is_some_and(|doc| doc.get("error").and_then(Value::as_str) == Some("use_dpop_nonce"))
}

/// True when a resource server's answer is the §9 nonce challenge: a 401 whose
/// `WWW-Authenticate` has a DPoP challenge with `error="use_dpop_nonce"`.
pub fn is_resource_nonce_error(status: u16, www_authenticate: &str) -> bool {
    status == 401 && has_dpop_error(www_authenticate, b"use_dpop_nonce")
}

/// True when a resource server refused the access token itself: a 401 whose
/// `WWW-Authenticate` has a DPoP challenge with `error="invalid_token"` (RFC 9449 §7.1,
/// RFC 6750 §3.1: expired or revoked), which one refresh may cure.
pub fn is_resource_invalid_token(status: u16, www_authenticate: &str) -> bool {
    status == 401 && has_dpop_error(www_authenticate, b"invalid_token")
}

/// True when `www_authenticate` has a DPoP challenge whose `error` parameter is `error`
/// (RFC 9110 §11.6.1 syntax: schemes, then `name=value` parameters whose values may be
/// quoted strings).
fn has_dpop_error(www_authenticate: &str, error: &[u8]) -> bool {
    let bytes = www_authenticate.as_bytes();
    let mut pos = 0;
    let mut in_dpop = false;
    while pos < bytes.len() {
        let Some(&b) = bytes.get(pos) else { break };
        if b == b' ' || b == b',' {
            pos += 1;
            continue;
        }
        let start = pos;
        while bytes
            .get(pos)
            .is_some_and(|&c| !matches!(c, b' ' | b',' | b'='))
        {
            pos += 1;
        }
        let name = bytes.get(start..pos).unwrap_or_default();
        if bytes.get(pos) != Some(&b'=') {
            in_dpop = name.eq_ignore_ascii_case(b"dpop");
            continue;
        }
        pos += 1;
        let mut value = Vec::new();
        // An unterminated quoted string is not a value.
        let mut complete = true;
        if bytes.get(pos) == Some(&b'"') {
            pos += 1;
            complete = false;
            while let Some(&c) = bytes.get(pos) {
                pos += 1;
                match c {
                    b'"' => {
                        complete = true;
                        break;
                    }
                    b'\\' => {
                        if let Some(&escaped) = bytes.get(pos) {
                            value.push(escaped);
                        }
                        pos += 1;
                    }
                    c => value.push(c),
                }
            }
        } else {
            while let Some(&c) = bytes.get(pos).filter(|&&c| c != b',' && c != b' ') {
                value.push(c);
                pos += 1;
            }
        }
        if complete && in_dpop && name.eq_ignore_ascii_case(b"error") && value == error {
            return true;
        }
    }
    false
}

/// Whether an answer gets the one retry a request is allowed: a nonce challenge (`challenged`)
/// on the first attempt is retried; on the retry it is an error (never a loop).
pub fn nonce_retry(retried: bool, challenged: bool) -> Result<bool> {
    match (challenged, retried) {
        (false, _) => Ok(false),
        (true, false) => Ok(true),
        (true, true) => Err(Code::DpopNonceRejected.into()),
    }
}

/// What `client.fetch` does with a resource server's answer in DPoP mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum ResourceRetry {
    /// The answer goes to the app.
    Done = 0,
    /// Send again, with the nonce the answer gave (§9).
    Nonce = 1,
    /// Refresh, then send again with the new access token.
    Refresh = 2,
}

/// The rule of `client.fetch` with DPoP: a nonce challenge is answered with one retry (a
/// second one is `dpop_nonce_rejected`); an `invalid_token` challenge, with one refresh and
/// one retry (a second one goes to the app). Each at most once per call: never a loop.
/// `nonce_retried` and `refreshed` say which of the two this call has had. The
/// `invalid_token` challenge is a DPoP one for `bound` tokens, a Bearer one (RFC 6750 §3.1)
/// for unbound ones (`dpop: "optional"`), matching the scheme the token was sent with.
pub fn resource_retry(
    bound: bool,
    nonce_retried: bool,
    refreshed: bool,
    status: u16,
    www_authenticate: &str,
) -> Result<ResourceRetry> {
    let invalid_token = if bound {
        is_resource_invalid_token(status, www_authenticate)
    } else {
        status == 401 && super::resource::is_invalid_token(www_authenticate)
    };
    if nonce_retry(
        nonce_retried,
        is_resource_nonce_error(status, www_authenticate),
    )? {
        Ok(ResourceRetry::Nonce)
    } else if !refreshed && invalid_token {
        Ok(ResourceRetry::Refresh)
    } else {
        Ok(ResourceRetry::Done)
    }
}

/// Checks the token type of a token response when DPoP was requested (RFC 9449 §5): `DPoP`
/// is bound; anything else (`Bearer`) is refused with `dpop_not_bound` unless the app
/// accepts unbound tokens (`dpop: "optional"`). Returns whether the tokens are bound.
pub fn check_token_type(token_type: &str, optional: bool) -> Result<bool> {
    if token_type.eq_ignore_ascii_case("dpop") {
        Ok(true)
    } else if optional && token_type.eq_ignore_ascii_case("bearer") {
        Ok(false)
    } else {
        Err(Code::DpopNotBound.into())
    }
}

#[cfg(test)]
mod tests;
