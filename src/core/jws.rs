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
        if header.get("crit").is_some() || signature.is_empty() {
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
                text("kty") == Some("RSA") && text("n").is_some() && text("e").is_some()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::base64url;

    fn token(header: &str) -> String {
        format!(
            "{}.eyJzdWIiOiJhIn0.c2ln",
            base64url::encode(header.as_bytes())
        )
    }

    const JWKS: &str = r#"{"keys":[
        {"kty":"RSA","kid":"r1","use":"sig","alg":"RS256","n":"bg","e":"AQAB","d":"private"},
        {"kty":"RSA","kid":"r2","use":"enc","n":"bg2","e":"AQAB"},
        {"kty":"RSA","kid":"p1","n":"cA","e":"AQAB"},
        {"kty":"EC","kid":"e1","crv":"P-256","x":"eA","y":"eQ"},
        {"kty":"EC","kid":"e2","crv":"P-384","x":"eA","y":"eQ"}]}"#;

    fn plan(header: &str) -> Value {
        let mut check = SignatureCheck::new(&token(header)).unwrap();
        match check.with_keys(Some(JWKS)).unwrap() {
            KeyStep::Verify(plan) => json::parse(&plan).unwrap(),
            other => panic!("{other:?}"),
        }
    }

    /// specs §10 steps 6-7: the key is chosen by kid, and only its public members leave.
    #[test]
    fn selects_the_key_by_kid_with_only_public_members() {
        let p = plan(r#"{"alg":"RS256","kid":"r1"}"#);
        let jwk = p.get("jwk").unwrap();
        assert_eq!(jwk.get("n").unwrap().as_str(), Some("bg"));
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
            Some("cA"),
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
        assert_eq!(check.with_keys(Some(JWKS)).unwrap(), KeyStep::FetchJwks);
        assert_eq!(
            check.with_keys(Some(JWKS)).unwrap_err().code,
            Code::UnknownSigningKey
        );
        let mut fresh = SignatureCheck::new(&token(r#"{"alg":"RS256","kid":"r1"}"#)).unwrap();
        assert_eq!(fresh.with_keys(None).unwrap(), KeyStep::FetchJwks);
        assert!(matches!(
            fresh.with_keys(Some(JWKS)),
            Ok(KeyStep::Verify(_))
        ));
    }

    /// Keys of the wrong type, curve or use never fit; two fitting keys are ambiguous.
    #[test]
    fn wrong_use_curve_or_ambiguous_keys_are_refused() {
        let mut enc = SignatureCheck::new(&token(r#"{"alg":"RS256","kid":"r2"}"#)).unwrap();
        assert_eq!(enc.with_keys(Some(JWKS)).unwrap(), KeyStep::FetchJwks);
        let mut p384 = SignatureCheck::new(&token(r#"{"alg":"ES256","kid":"e2"}"#)).unwrap();
        assert_eq!(p384.with_keys(Some(JWKS)).unwrap(), KeyStep::FetchJwks);
        let two = r#"{"keys":[{"kty":"RSA","n":"a","e":"AQAB"},{"kty":"RSA","n":"b","e":"AQAB"}]}"#;
        let mut ambiguous = SignatureCheck::new(&token(r#"{"alg":"RS256"}"#)).unwrap();
        assert_eq!(
            ambiguous.with_keys(Some(two)).unwrap_err().code,
            Code::UnknownSigningKey
        );
        let mut bad = SignatureCheck::new(&token(r#"{"alg":"RS256"}"#)).unwrap();
        assert_eq!(
            bad.with_keys(Some("{}")).unwrap_err().code,
            Code::InvalidMetadata
        );
    }
}
