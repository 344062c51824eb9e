//! Units of `encode.rs`: §3.6 encoding, form decoding, base64, decimals (specs §14.2).

use std::string::ToString;
use std::vec::Vec;

use crate::core::decimal::parse_u64 as parse_decimal;
use crate::core::error::Code;
use crate::core::oauth1::encode::{base64, decode_component, encode, form_decode, single};

/// specs §14.2 (§3.6): space is `%20`, never `+`; reserved characters are encoded; hex digits
/// are uppercase.
#[test]
fn encoder_uses_percent_20_for_space_and_uppercase_hex() {
    assert_eq!(encode(b"a b+c"), "a%20b%2Bc");
    assert_eq!(
        encode(b"!*'();:@&=+$,/?#[]"),
        "%21%2A%27%28%29%3B%3A%40%26%3D%2B%24%2C%2F%3F%23%5B%5D"
    );
    assert_eq!(encode(&[0xab, 0xcd, 0xef]), "%AB%CD%EF");
    assert_eq!(encode(b""), "");
}

/// specs §14.2 (§3.4.1.3.1): `+` decodes to a space, `%XX` in either case to a byte.
#[test]
fn form_decoding_turns_plus_into_space_and_reads_either_hex_case() {
    assert_eq!(decode_component("2+q"), b"2 q");
    assert_eq!(decode_component("%2b%2B%e9"), b"++\xe9");
    assert_eq!(decode_component("r%20b"), b"r b");
}

/// A `%` without two hex digits stays literal (WHATWG), so no input is lost or refused.
#[test]
fn form_decoding_keeps_a_stray_percent_literally() {
    assert_eq!(decode_component("%"), b"%");
    assert_eq!(decode_component("%4"), b"%4");
    assert_eq!(decode_component("%zz%41"), b"%zzA");
    assert_eq!(decode_component("100%"), b"100%");
}

/// Empty pieces are skipped, a bare name has an empty value, only the first `=` splits, and
/// duplicates are all kept in order (the base string needs them, specs §14.2).
#[test]
fn form_decode_splits_pairs_like_a_browser() {
    let pairs = form_decode("&a=1&&b&c==x&a=2&");
    let expected: Vec<(Vec<u8>, Vec<u8>)> = vec![
        (b"a".to_vec(), b"1".to_vec()),
        (b"b".to_vec(), b"".to_vec()),
        (b"c".to_vec(), b"=x".to_vec()),
        (b"a".to_vec(), b"2".to_vec()),
    ];
    assert_eq!(pairs, expected);
    assert!(form_decode("").is_empty());
}

/// Each parameter a check reads must appear at most once (style.md, callback order).
#[test]
fn single_refuses_a_parameter_that_appears_twice() {
    let pairs = form_decode("a=1&b=2&a=3");
    assert_eq!(
        single(&pairs, "b", Code::DuplicateParameter).unwrap(),
        Some(b"2".as_slice())
    );
    assert_eq!(single(&pairs, "z", Code::DuplicateParameter).unwrap(), None);
    let error = single(&pairs, "a", Code::DuplicateParameter).unwrap_err();
    assert_eq!(error.code, Code::DuplicateParameter);
}

/// specs §14.2 (§3.4.2): standard base64 with padding, RFC 4648 §10 vectors.
#[test]
fn base64_matches_rfc4648_test_vectors_with_padding() {
    for (input, expected) in [
        ("", ""),
        ("f", "Zg=="),
        ("fo", "Zm8="),
        ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="),
        ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
    ] {
        assert_eq!(base64(input.as_bytes()), expected);
    }
    assert_eq!(
        base64(&[0xfb, 0xff, 0xbf]),
        "+/+/",
        "the standard alphabet, not base64url"
    );
}

/// specs §14.2 (§3.3): `oauth_timestamp` is decimal; style.md: no `core::fmt` on shipped paths.
#[test]
fn decimals_are_written_and_read_without_fmt() {
    for value in [0, 7, 10, 137131200, u64::MAX] {
        let out = crate::core::decimal::u64_to_string(value);
        assert_eq!(out, value.to_string());
        assert_eq!(parse_decimal(&out), Some(value));
    }
    for bad in ["", "+1", "-1", " 1", "1 ", "1a", "18446744073709551616"] {
        assert_eq!(parse_decimal(bad), None, "{bad:?}");
    }
}
