//! PKCE, RFC 7636, S256 only (specs §1).
//!
//! The verifier is made from random bytes the caller supplies (the browser shell draws them
//! from `crypto.getRandomValues` through getrandom; tests pass fixed bytes). The challenge is
//! computed synchronously with sha2, so `login()` can build its URL inside a click handler.
//! `plain` does not exist here: there is no way to ask for it (RFC 7636 §7.2, RFC 9700 §2.1.1).

use alloc::string::String;
use core::fmt;

use sha2::{Digest, Sha256};

use super::base64url;
use super::error::{Code, Result};

/// The only challenge method browser-oauth sends (RFC 7636 §4.3: always explicit).
pub const METHOD: &str = "S256";
/// The shortest verifier RFC 7636 §4.1 allows.
pub const MIN_LEN: usize = 43;
/// The longest verifier RFC 7636 §4.1 allows.
pub const MAX_LEN: usize = 128;
/// The default verifier length: 32 random octets, base64url-encoded (RFC 7636 §4.1 NOTE).
pub const DEFAULT_LEN: usize = 43;

/// A PKCE code verifier. A secret: no `Clone`, redacted `Debug`, read only through
/// [`CodeVerifier::expose`].
pub struct CodeVerifier(String);

impl CodeVerifier {
    /// How many random bytes [`CodeVerifier::from_random`] needs for a verifier of `len` chars.
    pub fn random_bytes_needed(len: usize) -> usize {
        // The fewest bytes whose base64url text has at least `len` characters.
        (len.saturating_sub(1) * 3) / 4 + 1
    }

    /// Makes a verifier of `len` characters (43..=128) from `random`, which must hold at
    /// least [`CodeVerifier::random_bytes_needed`] bytes from a CSPRNG. Each character carries
    /// 6 bits, so the default 43 characters carry 256 bits from 32 bytes.
    pub fn from_random(random: &[u8], len: usize) -> Result<Self> {
        let random = random
            .get(..Self::random_bytes_needed(len))
            .filter(|_| (MIN_LEN..=MAX_LEN).contains(&len))
            .ok_or(Code::InvalidVerifier)?;
        let mut text = base64url::encode(random);
        // `pop` rather than `truncate`: the text is ASCII, and `truncate` carries a panic path.
        while text.len() > len {
            text.pop();
        }
        Ok(CodeVerifier(text))
    }

    /// Accepts an existing verifier string, checking RFC 7636 §4.1: `43*128unreserved`.
    pub fn parse(text: &str) -> Result<Self> {
        let unreserved =
            |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~');
        if (MIN_LEN..=MAX_LEN).contains(&text.len()) && text.bytes().all(unreserved) {
            Ok(CodeVerifier(text.into()))
        } else {
            Err(Code::InvalidVerifier.into())
        }
    }

    /// The S256 challenge: `BASE64URL(SHA256(ASCII(verifier)))` (RFC 7636 §4.2).
    pub fn challenge(&self) -> String {
        s256(self.0.as_bytes())
    }

    /// The verifier text.
    ///
    /// # Security Warning
    /// This is the secret that proves this browser started the login. It belongs only in the
    /// pending-request store and the token request body.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for CodeVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CodeVerifier(..)")
    }
}

/// `BASE64URL(SHA256(bytes))`: the S256 challenge, and DPoP's `ath` and JWK thumbprint
/// (one instance of the hash in the wasm).
pub fn s256(bytes: &[u8]) -> String {
    base64url::encode(&Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use std::borrow::ToOwned;

    use super::*;

    const APPENDIX_B_OCTETS: [u8; 32] = [
        116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37,
        77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
    ];

    /// specs §0.1: RFC 7636 Appendix B.
    #[test]
    fn appendix_b_vector() {
        let verifier = CodeVerifier::from_random(&APPENDIX_B_OCTETS, DEFAULT_LEN).unwrap();
        assert_eq!(
            verifier.expose(),
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
        );
        assert_eq!(
            verifier.challenge(),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        let parsed = CodeVerifier::parse("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").unwrap();
        assert_eq!(
            parsed.challenge(),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    /// specs §0.1 boundary cases, from the §4.1 ABNF `43*128unreserved`.
    #[test]
    fn parse_enforces_length_bounds_42_43_128_129() {
        assert_eq!(
            CodeVerifier::parse(&"a".repeat(42)).unwrap_err().code,
            Code::InvalidVerifier
        );
        assert!(CodeVerifier::parse(&"a".repeat(43)).is_ok());
        assert!(CodeVerifier::parse(&"a".repeat(128)).is_ok());
        assert_eq!(
            CodeVerifier::parse(&"a".repeat(129)).unwrap_err().code,
            Code::InvalidVerifier
        );
    }

    #[test]
    fn parse_enforces_the_unreserved_character_set() {
        let base = "a".repeat(42);
        for bad in ['+', '/', '=', '%', ' ', 'é'] {
            let text = format!("{base}{bad}");
            assert!(CodeVerifier::parse(&text).is_err(), "{bad:?} accepted");
        }
        for good in ['-', '.', '_', '~', 'Z', '9'] {
            assert!(
                CodeVerifier::parse(&format!("{base}{good}")).is_ok(),
                "{good:?} refused"
            );
        }
    }

    #[test]
    fn from_random_makes_every_length_43_to_128_and_refuses_others() {
        let random = [0xa5u8; 96];
        for len in MIN_LEN..=MAX_LEN {
            let verifier = CodeVerifier::from_random(&random, len).unwrap();
            assert_eq!(verifier.expose().len(), len);
            assert!(CodeVerifier::parse(verifier.expose()).is_ok());
        }
        assert!(CodeVerifier::from_random(&random, 42).is_err());
        assert!(CodeVerifier::from_random(&random, 129).is_err());
        assert!(
            CodeVerifier::from_random(&random[..31], 43).is_err(),
            "too few random bytes"
        );
        assert_eq!(CodeVerifier::random_bytes_needed(43), 32);
        assert_eq!(CodeVerifier::random_bytes_needed(128), 96);
    }

    #[test]
    fn verifiers_from_getrandom_do_not_repeat_in_10000_draws() {
        let mut seen = std::collections::HashSet::new();
        for _ in 0..10_000 {
            let mut random = [0u8; 32];
            getrandom::fill(&mut random).unwrap();
            let verifier = CodeVerifier::from_random(&random, DEFAULT_LEN).unwrap();
            assert!(seen.insert(verifier.expose().to_owned()));
        }
    }

    #[test]
    fn debug_output_is_redacted() {
        let verifier = CodeVerifier::from_random(&APPENDIX_B_OCTETS, DEFAULT_LEN).unwrap();
        assert_eq!(format!("{verifier:?}"), "CodeVerifier(..)");
    }
}
