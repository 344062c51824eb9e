//! Decimal text of unsigned integers, for the records, parameters and JSON the core writes
//! and reads back: without the formatting machinery, with no sign and no spaces. Below every
//! module that uses it.

use alloc::string::String;

/// Reads the decimal text [`u64_to_string`] writes: one or more ASCII digits, no sign and no
/// spaces; `None` on anything else or on overflow. The one number reader of the shipped code:
/// `str::parse` would add a generic copy per integer type, with sign handling we never want.
pub fn parse_u64(text: &str) -> Option<u64> {
    if text.is_empty() {
        return None;
    }
    text.bytes().try_fold(0u64, |value, byte| {
        let digit = byte.wrapping_sub(b'0');
        if digit > 9 {
            return None;
        }
        value.checked_mul(10)?.checked_add(u64::from(digit))
    })
}

/// Decimal text of a `u64` without the formatting machinery (and without a digit buffer
/// whose indexing could panic).
pub fn u64_to_string(value: u64) -> String {
    let mut out = String::new();
    push_u64(&mut out, value);
    out
}

/// Appends the decimal text of `value` to `out` (what [`u64_to_string`] returns).
pub fn push_u64(out: &mut String, value: u64) {
    if value >= 10 {
        push_u64(out, value / 10);
    }
    out.push(char::from(b'0' + (value % 10) as u8));
}

#[cfg(test)]
mod tests {
    use std::string::ToString;

    use super::*;

    #[test]
    fn u64_to_string_matches_std() {
        for v in [0, 7, 10, 1_700_000_000, u64::MAX] {
            assert_eq!(u64_to_string(v), v.to_string());
        }
    }

    #[test]
    fn parse_u64_reads_what_u64_to_string_writes_and_nothing_else() {
        for v in [0, 7, 10, 1_700_000_000, u64::MAX] {
            assert_eq!(parse_u64(&u64_to_string(v)), Some(v));
        }
        for bad in [
            "",
            "-1",
            "+1",
            " 1",
            "1 ",
            "1.0",
            "0x1",
            "18446744073709551616",
        ] {
            assert_eq!(parse_u64(bad), None, "{bad}");
        }
    }
}
