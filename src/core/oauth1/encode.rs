//! The text encodings OAuth 1.0a needs, written without `core::fmt`.
//!
//! - the RFC 5849 §3.6 percent-encoding (specs §14.2), used in the base string and the
//!   `Authorization` header;
//! - the decoding of `application/x-www-form-urlencoded` text, used for query and body
//!   parameters (specs §14.2, §3.4.1.3.1) and for credential responses (specs §14.1);
//! - standard base64 with padding (RFC 2045) for HMAC signatures (specs §14.2, §3.4.2);
//!
//! Decimal numbers (ports, the pending record) are written by
//! [`u64_to_string`](crate::core::decimal::u64_to_string) and read by
//! [`parse_u64`](crate::core::decimal::parse_u64), shared with the OAuth 2 core.
//!
//! Decoding works on bytes, not strings: a query may carry `%FF`, and the server re-encodes
//! the byte it decoded, so a lossy UTF-8 step here would break the signature.

use alloc::string::String;
use alloc::vec::Vec;

use crate::core::error::{Code, Result};

/// Appends the RFC 5849 §3.6 encoding of `bytes` (specs §14.2): `ALPHA DIGIT - . _ ~` stay as
/// they are, every other byte becomes `%XX` with uppercase hex digits, so a space is `%20`.
/// Callers pass the UTF-8 bytes of text, which is the §3.6 "UTF-8 first" step.
pub(super) fn push_encoded(out: &mut String, bytes: &[u8]) {
    for &byte in bytes {
        if is_unreserved(byte) {
            out.push(char::from(byte));
        } else {
            out.push('%');
            push_hex(out, byte);
        }
    }
}

/// The RFC 5849 §3.6 encoding of `bytes` as a new string; see [`push_encoded`].
pub(super) fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    push_encoded(&mut out, bytes);
    out
}

/// Appends `byte` as two uppercase hex digits.
pub(super) fn push_hex(out: &mut String, byte: u8) {
    out.push(char::from(HEX[usize::from(byte >> 4)]));
    out.push(char::from(HEX[usize::from(byte & 0x0f)]));
}

/// Decodes `application/x-www-form-urlencoded` text into `(name, value)` byte pairs, in order.
///
/// Pairs are separated by `&`; empty pieces are skipped; a piece without `=` is a name with
/// an empty value. Duplicates are kept: the base string needs them all (specs §14.2,
/// §3.4.1.3.2), and the callers that must refuse them check with [`single`].
pub(super) fn form_decode(text: &str) -> Vec<(Vec<u8>, Vec<u8>)> {
    text.split('&')
        .filter(|piece| !piece.is_empty())
        .map(|piece| match piece.split_once('=') {
            Some((name, value)) => (decode_component(name), decode_component(value)),
            None => (decode_component(piece), Vec::new()),
        })
        .collect()
}

/// Decodes one form component: `+` is a space and `%XX` is one byte. A `%` that is not
/// followed by two hex digits stays a literal `%`, as WHATWG URL parsing does.
pub(super) fn decode_component(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut rest = text.as_bytes();
    while let [first, after @ ..] = rest {
        let (byte, next) = match (*first, after) {
            (b'%', [high, low, next @ ..]) => match (hex_value(*high), hex_value(*low)) {
                (Some(high), Some(low)) => ((high << 4) | low, next),
                _ => (b'%', after),
            },
            (b'+', _) => (b' ', after),
            (other, _) => (other, after),
        };
        out.push(byte);
        rest = next;
    }
    out
}

/// The value of the parameter `name` in decoded `pairs`, if it appears exactly once.
///
/// Returns `Ok(None)` when it is absent, and an error with the `duplicate` code when it appears
/// more than once, so that no caller can silently pick the first or the last of two values.
pub(super) fn single<'a>(
    pairs: &'a [(Vec<u8>, Vec<u8>)],
    name: &str,
    duplicate: Code,
) -> Result<Option<&'a [u8]>> {
    let mut found = None;
    for (key, value) in pairs {
        if key.as_slice() == name.as_bytes() {
            if found.is_some() {
                return Err(duplicate.into());
            }
            found = Some(value.as_slice());
        }
    }
    Ok(found)
}

/// Standard base64 with `=` padding (RFC 2045, RFC 4648 §4), as RFC 5849 §3.4.2 requires for
/// the signature (specs §14.2).
pub(super) fn base64(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let bits = chunk
            .iter()
            .zip([16u32, 8, 0])
            .fold(0u32, |bits, (&byte, shift)| {
                bits | (u32::from(byte) << shift)
            });
        for (index, shift) in [18u32, 12, 6, 0].into_iter().enumerate() {
            if index <= chunk.len() {
                out.push(char::from(BASE64[(bits >> shift) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Whether `byte` is in the §3.6 unreserved set `ALPHA DIGIT - . _ ~`.
pub(super) fn is_unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~')
}

/// The value of one hex digit, either case.
fn hex_value(byte: u8) -> Option<u8> {
    char::from(byte).to_digit(16).map(|digit| digit as u8)
}

/// Uppercase hex digits: §3.6 says they MUST be uppercase.
const HEX: &[u8; 16] = b"0123456789ABCDEF";
/// The standard base64 alphabet of RFC 4648 §4 (not the URL-safe one of `base64url.rs`).
const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
