//! Property checks without extra crates: deterministic loops over generated inputs.
//!
//! The generator is a fixed linear congruential generator. It makes test data only: it is
//! not, and must never become, a source of nonces or secrets (design.md: no seeded PRNG).

use std::borrow::ToOwned;
use std::string::{String, ToString};
use std::vec::Vec;

use crate::core::oauth1::base_string::normalize;
use crate::core::oauth1::encode::{decode_component, encode, is_unreserved};

/// Knuth's MMIX LCG: reproducible test data.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u32 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 32) as u32
    }

    fn below(&mut self, bound: u32) -> u32 {
        self.next() % bound
    }

    /// A char of a random UTF-8 length class: 1, 2, 3 (no surrogates) or 4 bytes.
    fn char(&mut self) -> char {
        let (low, high) = match self.below(4) {
            0 => (0, 0x7f),
            1 => (0x80, 0x7ff),
            2 => (0x800, 0xffff),
            _ => (0x1_0000, 0x10_ffff),
        };
        loop {
            if let Some(c) = char::from_u32(low + self.below(high - low + 1)) {
                return c;
            }
        }
    }

    fn string(&mut self, max_len: u32) -> String {
        (0..self.below(max_len + 1)).map(|_| self.char()).collect()
    }

    fn bytes(&mut self, max_len: u32) -> Vec<u8> {
        (0..self.below(max_len + 1))
            .map(|_| self.below(256) as u8)
            .collect()
    }
}

/// The shape §3.6 allows: unreserved characters and `%XX` with uppercase hex digits.
fn is_well_formed_encoding(text: &str) -> bool {
    let mut bytes = text.bytes();
    while let Some(byte) = bytes.next() {
        if byte == b'%' {
            let hex =
                |b: Option<u8>| b.is_some_and(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b));
            if !hex(bytes.next()) || !hex(bytes.next()) {
                return false;
            }
        } else if !is_unreserved(byte) {
            return false;
        }
    }
    true
}

/// specs §14.2 (§3.6): every single byte 0..=255 encodes to itself when unreserved and to
/// uppercase `%XX` otherwise, and decodes back.
#[test]
fn every_byte_encodes_to_itself_or_uppercase_percent_hex_and_round_trips() {
    for byte in 0..=255u8 {
        let encoded = encode(&[byte]);
        if is_unreserved(byte) {
            assert_eq!(encoded, char::from(byte).to_string());
        } else {
            assert_eq!(encoded, format!("%{byte:02X}"));
        }
        assert_eq!(decode_component(&encoded), [byte]);
    }
}

/// specs §14.2 (§3.6): for generated UTF-8 strings of every length class, decode(encode(s))
/// is s, and the output only has unreserved characters and uppercase `%XX`.
#[test]
fn generated_strings_round_trip_and_encode_to_the_allowed_alphabet() {
    let mut rng = Lcg(0x5849);
    for _ in 0..5_000 {
        let text = rng.string(24);
        let encoded = encode(text.as_bytes());
        assert!(is_well_formed_encoding(&encoded), "{text:?} -> {encoded}");
        assert_eq!(decode_component(&encoded), text.as_bytes(), "{text:?}");
    }
    for _ in 0..2_000 {
        let bytes = rng.bytes(24);
        assert_eq!(
            decode_component(&encode(&bytes)),
            bytes,
            "arbitrary bytes, not only UTF-8"
        );
    }
}

/// specs §14.2 (§3.6 "UTF-8 first"): a non-ASCII character is the `%XX` of each UTF-8 byte.
#[test]
fn non_ascii_characters_are_encoded_as_their_utf8_bytes() {
    assert_eq!(encode("é".as_bytes()), "%C3%A9");
    assert_eq!(encode("☃".as_bytes()), "%E2%98%83");
    let mut rng = Lcg(7);
    for _ in 0..2_000 {
        let c = rng.char();
        if c.is_ascii() {
            continue;
        }
        let mut utf8 = [0u8; 4];
        let expected: String = c
            .encode_utf8(&mut utf8)
            .bytes()
            .map(|b| format!("%{b:02X}"))
            .collect();
        assert_eq!(encode(c.to_string().as_bytes()), expected, "{c:?}");
    }
}

/// specs §14.2 (§3.4.1.3.2): the normalized string does not depend on parameter order.
#[test]
fn parameter_order_does_not_change_the_normalized_string() {
    let mut rng = Lcg(1);
    for _ in 0..500 {
        let names = ["a", "b", "oauth_nonce", "é", "a b", "A"];
        let mut pairs: Vec<(String, String)> = (0..rng.below(8))
            .map(|_| (names[rng.below(6) as usize].to_owned(), rng.string(4)))
            .collect();
        let normalized = |pairs: &[(String, String)]| {
            normalize(pairs.iter().map(|(n, v)| (n.as_bytes(), v.as_bytes())))
        };
        let before = normalized(&pairs);
        for i in (1..pairs.len()).rev() {
            pairs.swap(i, rng.below(i as u32 + 1) as usize);
        }
        assert_eq!(normalized(&pairs), before);
    }
}

/// specs §14.2 (§3.4.1.3.2): duplicate names are ordered by their encoded value, and the
/// output is sorted by encoded name then value in byte order.
#[test]
fn duplicate_names_sort_by_encoded_value_in_byte_order() {
    let pairs: [(&[u8], &[u8]); 5] = [
        (b"a", b"z"),
        (b"a", b"b b"),
        (b"a", b""),
        (b"a", b"B"),
        (b"Z", b"1"),
    ];
    assert_eq!(normalize(pairs), "Z=1&a=&a=B&a=b%20b&a=z");
    let mut rng = Lcg(99);
    for _ in 0..1_000 {
        let pairs: Vec<(Vec<u8>, Vec<u8>)> = (0..rng.below(40))
            .map(|_| (rng.bytes(2), rng.bytes(3)))
            .collect();
        let normalized = normalize(pairs.iter().map(|(n, v)| (n.as_slice(), v.as_slice())));
        // Reference: the standard library's sort over the encoded pairs.
        let mut reference: Vec<(String, String)> =
            pairs.iter().map(|(n, v)| (encode(n), encode(v))).collect();
        reference.sort();
        let reference: Vec<String> = reference.iter().map(|(n, v)| format!("{n}={v}")).collect();
        assert_eq!(normalized, reference.join("&"));
    }
}
