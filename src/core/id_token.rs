//! ID token claims checks (OpenID Connect Core §3.1.3.7, specs §10).
//!
//! This module checks the claims of an ID token received from the token endpoint: `iss`
//! exact, `aud` contains the client id, `azp` when present, `exp` and `iat` with the clock
//! skew, and `nonce` equal to the pending request's. The signature check against the
//! provider's JWKS (WebCrypto) is a separate step; `alg` `none` and HMAC algorithms are
//! refused here already, since a public client has no key to check them with.

use alloc::string::String;

use super::base64url;
use super::error::{Code, Result};
use super::json::{self, Value};
use super::secret::constant_time_eq;

/// An ID token whose claims passed the checks.
#[derive(Debug)]
pub struct IdTokenClaims {
    /// The subject: a refreshed ID token must carry the same one.
    pub sub: String,
    /// The claims object as JSON text, for the app (`client.user()`).
    pub json: String,
}

/// What the claims are checked against.
pub struct ClaimsPolicy<'a> {
    /// The issuer identifier.
    pub issuer: &'a str,
    /// The client id.
    pub client_id: &'a str,
    /// The nonce of the pending request, if one was sent (`None` for a refreshed ID token).
    pub nonce: Option<&'a str>,
    /// The time now, seconds since the epoch.
    pub now: u64,
    /// Tolerated clock difference, in seconds.
    pub skew: u64,
}

/// Checks the header and claims of a compact JWS ID token.
pub fn check_id_token(token: &str, policy: &ClaimsPolicy<'_>) -> Result<IdTokenClaims> {
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(_signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Code::InvalidIdToken.into());
    };
    let header = decode_object(header)?;
    match header.get("alg").and_then(Value::as_str) {
        Some(alg) if alg != "none" && !alg.starts_with("HS") => {}
        _ => return Err(Code::InvalidIdToken.into()),
    }
    let claims_bytes = base64url::decode(payload).ok_or(Code::InvalidIdToken)?;
    let claims_text = String::from_utf8(claims_bytes).map_err(|_| Code::InvalidIdToken)?;
    let claims = json::parse(&claims_text)
        .and_then(Value::object)
        .ok_or(Code::InvalidIdToken)?;
    let text = |name: &str| claims.get(name).and_then(Value::as_str);
    let time = |name: &str| match claims.get(name) {
        Some(Value::Number(Some(n))) if *n >= 0 => Ok(*n as u64),
        _ => Err(Code::InvalidIdToken),
    };

    // specs §10 step 2: iss exactly the issuer.
    if text("iss") != Some(policy.issuer) {
        return Err(Code::IdTokenClaimMismatch.into());
    }
    // Step 3: aud contains the client id (a string or an array of strings), and "untrusted
    // extra audiences" are refused: several audiences are accepted only when `azp` names
    // this client as the party the token was issued to.
    let azp_is_us = text("azp") == Some(policy.client_id);
    let audience_ok = match claims.get("aud") {
        Some(Value::String(aud)) => aud == policy.client_id,
        Some(Value::Array(auds)) => {
            auds.iter().any(|a| a.as_str() == Some(policy.client_id))
                && (auds.len() == 1 || azp_is_us)
        }
        _ => false,
    };
    // Step 5: azp, when present, is the client id.
    let azp_ok = claims.get("azp").is_none() || azp_is_us;
    if !audience_ok || !azp_ok {
        return Err(Code::IdTokenClaimMismatch.into());
    }
    // Steps 9 and 10: not expired, not issued in the future.
    if policy.now >= time("exp")?.saturating_add(policy.skew)
        || time("iat")? > policy.now.saturating_add(policy.skew)
    {
        return Err(Code::IdTokenExpired.into());
    }
    // Step 11: the nonce we sent, compared in constant time.
    if let Some(expected) = policy.nonce {
        let got = text("nonce").unwrap_or("");
        if !constant_time_eq(got.as_bytes(), expected.as_bytes()) {
            return Err(Code::NonceMismatch.into());
        }
    }
    let sub = match text("sub") {
        Some(sub) if !sub.is_empty() => sub.into(),
        _ => return Err(Code::InvalidIdToken.into()),
    };
    Ok(IdTokenClaims {
        sub,
        json: claims_text,
    })
}

/// Decodes one base64url part of a compact JWS (header or claims) as a JSON object with
/// unique member names; anything else is [`Code::InvalidIdToken`].
pub(super) fn decode_object(part: &str) -> Result<Value> {
    let bytes = base64url::decode(part).ok_or(Code::InvalidIdToken)?;
    let text = core::str::from_utf8(&bytes).map_err(|_| Code::InvalidIdToken)?;
    Ok(json::parse(text)
        .and_then(Value::object)
        .ok_or(Code::InvalidIdToken)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(header: &str, claims: &str) -> String {
        format!(
            "{}.{}.c2ln",
            base64url::encode(header.as_bytes()),
            base64url::encode(claims.as_bytes())
        )
    }

    fn claims(extra: &str) -> String {
        format!(
            r#"{{"iss":"https://as.example","sub":"alice","aud":"spa","exp":2000,"iat":1000,"nonce":"n-1"{extra}}}"#
        )
    }

    fn policy(now: u64) -> ClaimsPolicy<'static> {
        ClaimsPolicy {
            issuer: "https://as.example",
            client_id: "spa",
            nonce: Some("n-1"),
            now,
            skew: 60,
        }
    }

    const RS256: &str = r#"{"alg":"RS256","kid":"k1"}"#;

    #[test]
    fn accepts_valid_claims_and_keeps_them() {
        let checked = check_id_token(&jwt(RS256, &claims("")), &policy(1500)).unwrap();
        assert!(checked.json.contains("\"sub\":\"alice\""));
        assert_eq!(checked.sub, "alice");
        let multi = claims("").replace(r#""aud":"spa""#, r#""aud":["other","spa"],"azp":"spa""#);
        assert!(check_id_token(&jwt(RS256, &multi), &policy(1500)).is_ok());
    }

    /// specs §10 steps 2, 3, 5.
    #[test]
    fn refuses_wrong_issuer_audience_or_azp() {
        for bad in [
            claims("").replace("https://as.example", "https://as.example/"),
            claims("").replace(r#""aud":"spa""#, r#""aud":"other""#),
            claims("").replace(r#""aud":"spa""#, r#""aud":["other"]"#),
            claims("").replace(r#""aud":"spa""#, r#""aud":["spa","untrusted"]"#),
            claims(r#","azp":"other""#),
        ] {
            assert_eq!(
                check_id_token(&jwt(RS256, &bad), &policy(1500))
                    .unwrap_err()
                    .code,
                Code::IdTokenClaimMismatch,
                "{bad}"
            );
        }
    }

    /// specs §10 steps 9, 10, with the skew.
    #[test]
    fn refuses_expired_or_future_tokens_within_the_skew() {
        let token = jwt(RS256, &claims(""));
        assert!(
            check_id_token(&token, &policy(2059)).is_ok(),
            "inside the skew"
        );
        assert_eq!(
            check_id_token(&token, &policy(2060)).unwrap_err().code,
            Code::IdTokenExpired
        );
        assert!(check_id_token(&token, &policy(940)).is_ok());
        assert_eq!(
            check_id_token(&token, &policy(939)).unwrap_err().code,
            Code::IdTokenExpired
        );
    }

    /// specs §10 step 11: the nonce must be ours.
    #[test]
    fn refuses_a_wrong_or_missing_nonce() {
        let wrong = jwt(RS256, &claims("").replace("n-1", "n-2"));
        assert_eq!(
            check_id_token(&wrong, &policy(1500)).unwrap_err().code,
            Code::NonceMismatch
        );
        let missing = jwt(RS256, &claims("").replace(r#","nonce":"n-1""#, ""));
        assert_eq!(
            check_id_token(&missing, &policy(1500)).unwrap_err().code,
            Code::NonceMismatch
        );
    }

    /// specs §10 step 8: no `none`, no HMAC for a public client.
    #[test]
    fn refuses_alg_none_hmac_and_malformed_tokens() {
        for header in [
            r#"{"alg":"none"}"#,
            r#"{"alg":"HS256"}"#,
            r#"{"typ":"JWT"}"#,
            "[]",
        ] {
            assert_eq!(
                check_id_token(&jwt(header, &claims("")), &policy(1500))
                    .unwrap_err()
                    .code,
                Code::InvalidIdToken
            );
        }
        for token in ["a.b", "a.b.c.d", "!!.e30.c2ln", ""] {
            assert_eq!(
                check_id_token(token, &policy(1500)).unwrap_err().code,
                Code::InvalidIdToken,
                "{token}"
            );
        }
    }
}
