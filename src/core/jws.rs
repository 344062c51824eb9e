//! ID token signature check: which key of the provider's JWKS, with which algorithm
//! (OIDC Core §3.1.3.7 steps 6 to 8, specs §10).
//!
//! The core decides everything here: the algorithm must be RS256, PS256 or ES256 (`none`,
//! HMAC and anything else are refused), the key is chosen by `kid` among the JWKS keys whose
//! type, curve, `use` and `alg` fit, and an unknown `kid` lets the JWKS be fetched again
//! once (key rotation). The result is a [`VerifyPlan`]: the WebCrypto parameters, the public
//! key and the bytes, which the wrapper passes to `crypto.subtle.verify` unread and whose
//! yes/no comes back to the driver. WebCrypto is used because a public-key verifier in wasm
//! would cost far more than the call.

use alloc::string::String;

use super::base64url;
use super::error::{Code, Result};
use super::id_token::decode_object;
use super::json::{self, ObjectWriter, Value};

/// The signature check of one ID token, from header to verdict.
pub struct SignatureCheck {
    alg: Alg,
    kid: Option<String>,
    /// `header.payload`: the JWS signing input.
    signing_input: String,
    /// The signature, base64url.
    signature: String,
    /// Whether the JWKS was (re)fetched for this check: at most once.
    fetched: bool,
}

/// What the check needs next.
#[derive(Debug, PartialEq)]
pub enum KeyStep {
    /// Fetch the JWKS (first use, or once more on an unknown `kid`) and call
    /// [`SignatureCheck::with_keys`] again.
    FetchJwks,
    /// Verify with WebCrypto: the plan as JSON `{"import","params","jwk","data","sig"}`.
    Verify(String),
}

/// The accepted JWS algorithms (a public client has no secret for HMAC).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Alg {
    Rs256,
    Ps256,
    Es256,
}

impl SignatureCheck {
    /// Reads the JWS header of a compact ID token. `alg` must be RS256, PS256 or ES256 and
    /// no `crit` extension may be present; anything else is [`Code::InvalidIdToken`].
    pub fn new(token: &str) -> Result<Self> {
        // The same split and header reading as the claims check, so the two share code.
        let mut parts = token.split('.');
        let (Some(header), Some(_payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(Code::InvalidIdToken.into());
        };
        let signing_input = token
            .get(..token.len() - signature.len() - 1)
            .ok_or(Code::InvalidIdToken)?;
        let header = decode_object(header)?;
        let alg = match header.get("alg").and_then(Value::as_str) {
            Some("RS256") => Alg::Rs256,
            Some("PS256") => Alg::Ps256,
            Some("ES256") => Alg::Es256,
            _ => return Err(Code::InvalidIdToken.into()),
        };
        let kid = match header.get("kid") {
            None => None,
            Some(Value::String(k)) => Some(k.clone()),
            Some(_) => return Err(Code::InvalidIdToken.into()),
        };
        // The signature must be strict unpadded base64url (RFC 7515 §7.1): no padding, no
        // `+`, `/` or whitespace, which the wrapper's `atob` would otherwise let through.
        if header.get("crit").is_some()
            || signature.is_empty()
            || base64url::decode(signature).is_none()
        {
            return Err(Code::InvalidIdToken.into());
        }
        Ok(SignatureCheck {
            alg,
            kid,
            signing_input: signing_input.into(),
            signature: signature.into(),
            fetched: false,
        })
    }

    /// Chooses the key from `jwks` (the JWKS document text, `None` when none is cached).
    /// Exactly one key must fit: with a `kid`, the key with that `kid`; without, the only
    /// key of the right type. No fitting key asks for one JWKS fetch per check, then is
    /// [`Code::UnknownSigningKey`]; several fitting keys are refused outright.
    pub fn with_keys(&mut self, jwks: Option<&str>) -> Result<KeyStep> {
        let Some(text) = jwks else {
            return self.fetch_once();
        };
        let doc = json::parse(text).ok_or(Code::InvalidMetadata)?;
        let Some(Value::Array(keys)) = doc.get("keys") else {
            return Err(Code::InvalidMetadata.into());
        };
        let mut fitting = keys.iter().filter(|k| self.fits(k));
        match (fitting.next(), fitting.next()) {
            (None, _) => self.fetch_once(),
            (Some(key), None) => Ok(KeyStep::Verify(self.plan(key))),
            _ => Err(Code::UnknownSigningKey.into()),
        }
    }

    fn fetch_once(&mut self) -> Result<KeyStep> {
        if self.fetched {
            return Err(Code::UnknownSigningKey.into());
        }
        self.fetched = true;
        Ok(KeyStep::FetchJwks)
    }

    /// True for a public signing key usable with this token's `alg` and `kid`.
    fn fits(&self, key: &Value) -> bool {
        let text = |name: &str| key.get(name).and_then(Value::as_str);
        let kty_ok = match self.alg {
            Alg::Rs256 | Alg::Ps256 => {
                text("kty") == Some("RSA")
                    && text("n").is_some_and(rsa_modulus_is_strong)
                    && text("e").is_some()
            }
            Alg::Es256 => {
                text("kty") == Some("EC")
                    && text("crv") == Some("P-256")
                    && text("x").is_some()
                    && text("y").is_some()
            }
        };
        kty_ok
            && key.is_unique_object()
            && text("use").is_none_or(|u| u == "sig")
            && verify_allowed(key.get("key_ops"))
            && text("alg").is_none_or(|a| a == self.alg_name())
            && (self.kid.is_none() || text("kid") == self.kid.as_deref())
    }

    fn alg_name(&self) -> &'static str {
        match self.alg {
            Alg::Rs256 => "RS256",
            Alg::Ps256 => "PS256",
            Alg::Es256 => "ES256",
        }
    }

    /// The WebCrypto plan: `importKey` algorithm, `verify` parameters, the public members
    /// of the key only (never a private member the provider might have published), the
    /// signing input and the signature.
    fn plan(&self, key: &Value) -> String {
        let text = |name: &str| key.get(name).and_then(Value::as_str).unwrap_or("");
        let (import, params, jwk) = match self.alg {
            Alg::Rs256 => (
                r#"{"name":"RSASSA-PKCS1-v1_5","hash":"SHA-256"}"#,
                r#"{"name":"RSASSA-PKCS1-v1_5"}"#,
                ObjectWriter::default()
                    .string("kty", "RSA")
                    .string("n", text("n"))
                    .string("e", text("e")),
            ),
            Alg::Ps256 => (
                r#"{"name":"RSA-PSS","hash":"SHA-256"}"#,
                r#"{"name":"RSA-PSS","saltLength":32}"#,
                ObjectWriter::default()
                    .string("kty", "RSA")
                    .string("n", text("n"))
                    .string("e", text("e")),
            ),
            Alg::Es256 => (
                r#"{"name":"ECDSA","namedCurve":"P-256"}"#,
                r#"{"name":"ECDSA","hash":"SHA-256"}"#,
                ObjectWriter::default()
                    .string("kty", "EC")
                    .string("crv", "P-256")
                    .string("x", text("x"))
                    .string("y", text("y")),
            ),
        };
        ObjectWriter::default()
            .raw("import", import)
            .raw("params", params)
            .raw("jwk", &jwk.finish())
            .string("data", &self.signing_input)
            .string("sig", &self.signature)
            .finish()
    }
}

/// RFC 7518 §3.3: "A key of size 2048 bits or larger MUST be used" with RS256 and PS256.
/// `n` is the modulus, base64url (RFC 7518 §6.3.1.1); leading zero bytes do not count.
fn rsa_modulus_is_strong(n: &str) -> bool {
    let Some(bytes) = base64url::decode(n) else {
        return false;
    };
    let significant = bytes.iter().skip_while(|&&b| b == 0);
    let len = significant.clone().count();
    let top = significant.take(1).fold(0u8, |_, &b| b);
    len.saturating_mul(8)
        .saturating_sub(top.leading_zeros() as usize)
        >= MIN_RSA_BITS
}

/// RFC 7517 §4.3: a key with `key_ops` may be used only for the operations it lists.
fn verify_allowed(key_ops: Option<&Value>) -> bool {
    match key_ops {
        None => true,
        Some(Value::Array(ops)) => ops.iter().any(|op| op.as_str() == Some("verify")),
        Some(_) => false,
    }
}

/// The smallest RSA modulus accepted for an ID-token signature, in bits.
const MIN_RSA_BITS: usize = 2048;

#[cfg(test)]
mod tests {
    use super::*;

    fn token(header: &str) -> String {
        format!(
            "{}.eyJzdWIiOiJhIn0.c2ln",
            base64url::encode(header.as_bytes())
        )
    }

    /// A 2048-bit RSA modulus (base64url, 342 characters, top bit set) ending in `tag`.
    fn n(tag: &str) -> String {
        format!("{}{tag}", "w".repeat(342 - tag.len()))
    }

    const JWKS_TEMPLATE: &str = r#"{"keys":[
        {"kty":"RSA","kid":"r1","use":"sig","alg":"RS256","n":"N_bg","e":"AQAB","d":"private"},
        {"kty":"RSA","kid":"r2","use":"enc","n":"N_xg","e":"AQAB"},
        {"kty":"RSA","kid":"p1","n":"N_cA","e":"AQAB"},
        {"kty":"EC","kid":"e1","crv":"P-256","x":"eA","y":"eQ"},
        {"kty":"EC","kid":"e2","crv":"P-384","x":"eA","y":"eQ"}]}"#;

    fn jwks() -> String {
        let mut out = String::from(JWKS_TEMPLATE);
        for tag in ["bg", "xg", "cA"] {
            out = out.replace(&format!("N_{tag}"), &n(tag));
        }
        out
    }

    fn plan(header: &str) -> Value {
        let mut check = SignatureCheck::new(&token(header)).unwrap();
        match check.with_keys(Some(&jwks())).unwrap() {
            KeyStep::Verify(plan) => json::parse(&plan).unwrap(),
            other => panic!("{other:?}"),
        }
    }

    /// specs §10 steps 6-7: the key is chosen by kid, and only its public members leave.
    #[test]
    fn selects_the_key_by_kid_with_only_public_members() {
        let p = plan(r#"{"alg":"RS256","kid":"r1"}"#);
        let jwk = p.get("jwk").unwrap();
        assert_eq!(jwk.get("n").unwrap().as_str(), Some(n("bg").as_str()));
        assert_eq!(jwk.get("d"), None, "private members never cross");
        assert_eq!(
            p.get("import").unwrap().get("name").unwrap().as_str(),
            Some("RSASSA-PKCS1-v1_5")
        );
        assert_eq!(
            p.get("data").unwrap().as_str(),
            Some(
                token(r#"{"alg":"RS256","kid":"r1"}"#)
                    .rsplit_once('.')
                    .unwrap()
                    .0
            )
        );
        assert_eq!(p.get("sig").unwrap().as_str(), Some("c2ln"));
        let es = plan(r#"{"alg":"ES256","kid":"e1"}"#);
        assert_eq!(
            es.get("params").unwrap().get("hash").unwrap().as_str(),
            Some("SHA-256")
        );
        let ps = plan(r#"{"alg":"PS256"}"#);
        assert_eq!(
            ps.get("jwk").unwrap().get("n").unwrap().as_str(),
            Some(n("cA").as_str()),
            "without kid, the only RSA signing key that allows PS256"
        );
    }

    /// specs §10 step 8: `none`, HMAC, unknown algorithms and `crit` are refused.
    #[test]
    fn refuses_alg_none_hmac_unknown_algorithms_and_crit() {
        for header in [
            r#"{"alg":"none"}"#,
            r#"{"alg":"HS256","kid":"r1"}"#,
            r#"{"alg":"RS512"}"#,
            r#"{"alg":"RS256","crit":["b64"]}"#,
            r#"{"alg":"RS256","kid":1}"#,
            "{}",
        ] {
            assert_eq!(
                SignatureCheck::new(&token(header)).err().map(|e| e.code),
                Some(Code::InvalidIdToken),
                "{header}"
            );
        }
        assert!(SignatureCheck::new("nodots").is_err());
        assert!(SignatureCheck::new(&(token(r#"{"alg":"RS256"}"#) + ".")).is_err());
    }

    /// Issue 4: an unknown kid fetches the JWKS once more (key rotation), then fails.
    #[test]
    fn unknown_kid_refetches_the_jwks_once_then_fails() {
        let mut check = SignatureCheck::new(&token(r#"{"alg":"RS256","kid":"new"}"#)).unwrap();
        assert_eq!(check.with_keys(Some(&jwks())).unwrap(), KeyStep::FetchJwks);
        assert_eq!(
            check.with_keys(Some(&jwks())).unwrap_err().code,
            Code::UnknownSigningKey
        );
        let mut fresh = SignatureCheck::new(&token(r#"{"alg":"RS256","kid":"r1"}"#)).unwrap();
        assert_eq!(fresh.with_keys(None).unwrap(), KeyStep::FetchJwks);
        assert!(matches!(
            fresh.with_keys(Some(&jwks())),
            Ok(KeyStep::Verify(_))
        ));
    }

    /// Keys of the wrong type, curve or use never fit; two fitting keys are ambiguous.
    #[test]
    fn wrong_use_curve_or_ambiguous_keys_are_refused() {
        let mut enc = SignatureCheck::new(&token(r#"{"alg":"RS256","kid":"r2"}"#)).unwrap();
        assert_eq!(enc.with_keys(Some(&jwks())).unwrap(), KeyStep::FetchJwks);
        let mut p384 = SignatureCheck::new(&token(r#"{"alg":"ES256","kid":"e2"}"#)).unwrap();
        assert_eq!(p384.with_keys(Some(&jwks())).unwrap(), KeyStep::FetchJwks);
        let two = format!(
            r#"{{"keys":[{{"kty":"RSA","n":"{}","e":"AQAB"}},{{"kty":"RSA","n":"{}","e":"AQAB"}}]}}"#,
            n("wA"),
            n("xA")
        );
        let mut ambiguous = SignatureCheck::new(&token(r#"{"alg":"RS256"}"#)).unwrap();
        assert_eq!(
            ambiguous.with_keys(Some(&two)).unwrap_err().code,
            Code::UnknownSigningKey
        );
        let mut bad = SignatureCheck::new(&token(r#"{"alg":"RS256"}"#)).unwrap();
        assert_eq!(
            bad.with_keys(Some("{}")).unwrap_err().code,
            Code::InvalidMetadata
        );
    }

    /// Issue 11 item 3, RFC 7518 §3.3: RSA keys under 2048 bits never fit (after the one
    /// refetch the check fails), whatever leading zero bytes pad the modulus.
    #[test]
    fn rsa_keys_under_2048_bits_are_refused() {
        let small = format!("Q{}", "w".repeat(341));
        let padded_small = format!("AAAA{}", &small[..small.len() - 4]);
        assert!(rsa_modulus_is_strong(&n("bg")));
        assert!(
            rsa_modulus_is_strong(&format!("AAAA{}", n("bg"))),
            "leading zeros"
        );
        for weak in [small.as_str(), padded_small.as_str(), "bg", "", "!!"] {
            assert!(!rsa_modulus_is_strong(weak), "{weak}");
            let keys = format!(r#"{{"keys":[{{"kty":"RSA","kid":"k","n":"{weak}","e":"AQAB"}}]}}"#);
            let mut check = SignatureCheck::new(&token(r#"{"alg":"RS256","kid":"k"}"#)).unwrap();
            assert_eq!(check.with_keys(Some(&keys)).unwrap(), KeyStep::FetchJwks);
            assert_eq!(
                check.with_keys(Some(&keys)).unwrap_err().code,
                Code::UnknownSigningKey
            );
        }
    }

    /// Issue 11 item 9, RFC 7517 §4.3: a key whose `key_ops` lacks "verify" is not used.
    #[test]
    fn keys_whose_key_ops_lack_verify_are_refused() {
        for (ops, fits) in [
            (r#","key_ops":["verify"]"#, true),
            (r#","key_ops":["sign","verify"]"#, true),
            ("", true),
            (r#","key_ops":["encrypt"]"#, false),
            (r#","key_ops":[]"#, false),
            (r#","key_ops":"verify""#, false),
        ] {
            let keys = format!(
                r#"{{"keys":[{{"kty":"RSA","kid":"k","n":"{}","e":"AQAB"{ops}}}]}}"#,
                n("bg")
            );
            let mut check = SignatureCheck::new(&token(r#"{"alg":"RS256","kid":"k"}"#)).unwrap();
            let step = check.with_keys(Some(&keys)).unwrap();
            assert_eq!(matches!(step, KeyStep::Verify(_)), fits, "{ops}");
        }
    }

    /// Issue 11 item 11: the signature part is strict base64url in the core: padding, `+`,
    /// `/` and whitespace are refused before WebCrypto (and `atob`) see it.
    #[test]
    fn signature_part_must_be_strict_base64url() {
        let good = token(r#"{"alg":"RS256"}"#);
        assert!(SignatureCheck::new(&good).is_ok());
        let input = String::from(good.rsplit_once('.').unwrap().0);
        for sig in ["c2ln=", "c2l+", "c2l/", "c2 ln", "c2ln\n", "c"] {
            assert_eq!(
                SignatureCheck::new(&format!("{input}.{sig}"))
                    .err()
                    .map(|e| e.code),
                Some(Code::InvalidIdToken),
                "{sig}"
            );
        }
    }
}
