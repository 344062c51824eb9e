//! ID token claims checks (OpenID Connect Core §3.1.3.7, specs §10).
//!
//! This module checks the claims of an ID token received from the token endpoint: `iss`
//! exact, `aud` contains the client id, `azp` when present, `exp` and `iat` with the clock
//! skew, and `nonce` equal to the pending request's. The signature check against the
//! provider's JWKS (WebCrypto) is a separate step; `alg` `none` and HMAC algorithms are
//! refused here already, since a public client has no key to check them with.

use alloc::string::String;
use alloc::vec::Vec;

use super::base64url;
use super::error::{Code, Result};
use super::json::{self, Value};
use super::secret::constant_time_eq;

/// An ID token whose claims passed the checks.
#[derive(Debug)]
pub struct IdTokenClaims {
    /// The subject: a refreshed ID token must carry the same one.
    pub sub: String,
    /// The audiences (`aud` as a list): a refreshed ID token must carry the same set.
    pub aud: Vec<String>,
    /// `auth_time`, if present: a refreshed ID token must carry the same one.
    pub auth_time: Option<u64>,
    /// The claims object as JSON text, for the app (`client.user()`).
    pub json: String,
}

impl IdTokenClaims {
    /// OIDC Core §12.2: a refreshed ID token (`self`) is for the same authentication as the
    /// first one: same `sub` (else [`Code::SubjectChanged`]), the same audiences, and the
    /// same `auth_time` when the first one had it (else [`Code::IdTokenClaimMismatch`]).
    /// `iss` is the configured issuer for both, which [`check_id_token`] already enforced.
    pub fn check_same_authentication(&self, first: &IdTokenClaims) -> Result<()> {
        if self.sub != first.sub {
            return Err(Code::SubjectChanged.into());
        }
        let covers = |a: &[String], b: &[String]| a.iter().all(|x| b.contains(x));
        if !covers(&self.aud, &first.aud)
            || !covers(&first.aud, &self.aud)
            || first.auth_time.is_some() && self.auth_time != first.auth_time
        {
            return Err(Code::IdTokenClaimMismatch.into());
        }
        Ok(())
    }
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
    /// Audiences besides the client id that the app trusts (`trustedAudiences`; default
    /// none). Any other extra audience is refused (OIDC Core §3.1.3.7 step 3).
    pub trusted_audiences: &'a [String],
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
    // extra audiences" are refused: every other audience must be one the app listed in
    // `trustedAudiences`, and several audiences need `azp` naming this client as the party
    // the token was issued to.
    let azp_is_us = text("azp") == Some(policy.client_id);
    let mut aud = Vec::new();
    match claims.get("aud") {
        Some(Value::String(one)) => aud.push(one.clone()),
        Some(Value::Array(many)) => {
            for one in many {
                aud.push(String::from(
                    one.as_str().ok_or(Code::IdTokenClaimMismatch)?,
                ));
            }
        }
        _ => {}
    }
    let trusted = |a: &String| a == policy.client_id || policy.trusted_audiences.contains(a);
    let audience_ok = aud.iter().any(|a| a == policy.client_id)
        && aud.iter().all(trusted)
        && (aud.len() == 1 || azp_is_us);
    // Step 5: azp, when present, is the client id.
    let azp_ok = claims.get("azp").is_none() || azp_is_us;
    if !audience_ok || !azp_ok {
        return Err(Code::IdTokenClaimMismatch.into());
    }
    // Steps 9 and 10: not expired, not issued in the future.
    // RFC 7519 §4.1.5: `nbf`, when present, is a number not later than now (with the skew).
    let not_before = match claims.get("nbf") {
        None => 0,
        Some(_) => time("nbf")?,
    };
    if policy.now >= time("exp")?.saturating_add(policy.skew)
        || time("iat")? > policy.now.saturating_add(policy.skew)
        || not_before > policy.now.saturating_add(policy.skew)
    {
        return Err(Code::IdTokenExpired.into());
    }
    let auth_time = match claims.get("auth_time") {
        None => None,
        Some(_) => Some(time("auth_time")?),
    };
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
        aud,
        auth_time,
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
            trusted_audiences: &[],
        }
    }

    const RS256: &str = r#"{"alg":"RS256","kid":"k1"}"#;

    #[test]
    fn accepts_valid_claims_and_keeps_them() {
        let checked = check_id_token(&jwt(RS256, &claims("")), &policy(1500)).unwrap();
        assert!(checked.json.contains("\"sub\":\"alice\""));
        assert_eq!(checked.sub, "alice");
        let multi = claims("").replace(r#""aud":"spa""#, r#""aud":["api","spa"],"azp":"spa""#);
        let trusted = [String::from("api")];
        let with_api = ClaimsPolicy {
            trusted_audiences: &trusted,
            ..policy(1500)
        };
        let checked = check_id_token(&jwt(RS256, &multi), &with_api).unwrap();
        assert_eq!(checked.aud, ["api", "spa"]);
    }

    /// Issue 11 item 8, OIDC Core §3.1.3.7 (3): an extra audience the app did not list in
    /// `trustedAudiences` is refused, even when `azp` is this client.
    #[test]
    fn refuses_untrusted_extra_audiences_even_with_azp() {
        let evil = claims("").replace(
            r#""aud":"spa""#,
            r#""aud":["spa","https://evil.example"],"azp":"spa""#,
        );
        assert_eq!(
            check_id_token(&jwt(RS256, &evil), &policy(1500))
                .unwrap_err()
                .code,
            Code::IdTokenClaimMismatch
        );
        let trusted = [String::from("https://api.example")];
        let with_api = ClaimsPolicy {
            trusted_audiences: &trusted,
            ..policy(1500)
        };
        assert_eq!(
            check_id_token(&jwt(RS256, &evil), &with_api)
                .unwrap_err()
                .code,
            Code::IdTokenClaimMismatch,
            "trusting one audience does not trust another"
        );
        let api = evil.replace("https://evil.example", "https://api.example");
        assert!(check_id_token(&jwt(RS256, &api), &with_api).is_ok());
        let no_azp = api.replace(r#","azp":"spa""#, "");
        assert_eq!(
            check_id_token(&jwt(RS256, &no_azp), &with_api)
                .unwrap_err()
                .code,
            Code::IdTokenClaimMismatch,
            "several audiences need azp"
        );
    }

    /// Issue 11 item 4, RFC 7519 §4.1.5: `nbf` must be a number not after now + skew.
    #[test]
    fn refuses_a_token_not_yet_valid_or_with_a_malformed_nbf() {
        let at = |nbf: &str| jwt(RS256, &claims(&format!(r#","nbf":{nbf}"#)));
        assert!(
            check_id_token(&at("1560"), &policy(1500)).is_ok(),
            "inside the skew"
        );
        assert_eq!(
            check_id_token(&at("1561"), &policy(1500)).unwrap_err().code,
            Code::IdTokenExpired
        );
        for bad in [r#""1000""#, "1000.5", "-1", "null"] {
            assert_eq!(
                check_id_token(&at(bad), &policy(1500)).unwrap_err().code,
                Code::InvalidIdToken,
                "{bad}"
            );
        }
    }

    /// Issue 11 item 10, OIDC Core §12.2: a refreshed ID token has the same sub, the same
    /// audiences and, when the first had one, the same auth_time.
    #[test]
    fn a_refreshed_id_token_is_for_the_same_authentication() {
        let check =
            |extra: &str| check_id_token(&jwt(RS256, &claims(extra)), &policy(1500)).unwrap();
        let first = check(r#","auth_time":900"#);
        assert!(
            check(r#","auth_time":900,"name":"new""#)
                .check_same_authentication(&first)
                .is_ok()
        );
        assert_eq!(
            check(r#","auth_time":901"#)
                .check_same_authentication(&first)
                .unwrap_err()
                .code,
            Code::IdTokenClaimMismatch
        );
        assert_eq!(
            check("")
                .check_same_authentication(&first)
                .unwrap_err()
                .code,
            Code::IdTokenClaimMismatch,
            "auth_time dropped"
        );
        let mut other_aud = check(r#","auth_time":900"#);
        other_aud.aud.push("api".into());
        assert_eq!(
            other_aud
                .check_same_authentication(&first)
                .unwrap_err()
                .code,
            Code::IdTokenClaimMismatch
        );
        let mut other_sub = check(r#","auth_time":900"#);
        other_sub.sub = "mallory".into();
        assert_eq!(
            other_sub
                .check_same_authentication(&first)
                .unwrap_err()
                .code,
            Code::SubjectChanged
        );
        let without = check("");
        assert!(
            check(r#","auth_time":5"#)
                .check_same_authentication(&without)
                .is_ok(),
            "no auth_time at first: nothing to compare"
        );
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
