//! The UserInfo endpoint (OIDC Core §5.3): who may ask, and which answers are used.
//!
//! The request is a GET with the access token as a Bearer header, sent by the wrapper to the
//! `userinfo_endpoint` of the validated metadata (https, or http on loopback). The response is
//! used only when it is a `200` with a JSON object whose `sub` is exactly the `sub` of the
//! session's verified ID token (§5.3.2: otherwise the values "MUST NOT be used"): that is
//! what stops a response for another user (a token substitution) from being shown as this one.

use super::error::{Code, Result};
use super::json::{self, Value};

/// The endpoint to ask, given the provider's `userinfo_endpoint` and the `sub` of the
/// session's ID token. Without either there is nothing to compare the answer with:
/// `userinfo_unavailable` (no endpoint, or a session without an ID token: scope lacks
/// `openid`). No session at all is `login_required`.
pub fn userinfo_endpoint<'a>(
    endpoint: Option<&'a str>,
    logged_in: bool,
    subject: Option<&str>,
) -> Result<&'a str> {
    if !logged_in {
        return Err(Code::LoginRequired.into());
    }
    match (endpoint, subject) {
        (Some(endpoint), Some(_)) => Ok(endpoint),
        _ => Err(Code::UserinfoUnavailable.into()),
    }
}

/// Checks a UserInfo response; `Ok` means its body (the claims, a JSON object) may be used.
///
/// `status` 0 means no response (`network_error`); any status but 200 is `userinfo_error`
/// (the provider refused: its reason is in `WWW-Authenticate`, RFC 6750 §3); the media type
/// must be `application/json` (a signed or encrypted `application/jwt` answer is not
/// supported); the body must be a JSON object with no repeated member and a string `sub`
/// (`invalid_userinfo_response`), equal to `expected_sub` (`userinfo_subject_mismatch`).
pub fn process_userinfo_response(
    status: u16,
    content_type: Option<&str>,
    body: &str,
    expected_sub: &str,
) -> Result<()> {
    match status {
        0 => return Err(Code::NetworkError.into()),
        200 => {}
        _ => return Err(Code::UserinfoError.into()),
    }
    if !content_type.is_some_and(is_json_media_type) {
        return Err(Code::InvalidUserinfoResponse.into());
    }
    let claims = json::parse(body).ok_or(Code::InvalidUserinfoResponse)?;
    if !claims.is_unique_object() {
        return Err(Code::InvalidUserinfoResponse.into());
    }
    match claims.get("sub") {
        Some(Value::String(sub)) if sub == expected_sub => Ok(()),
        Some(Value::String(_)) => Err(Code::UserinfoSubjectMismatch.into()),
        _ => Err(Code::InvalidUserinfoResponse.into()),
    }
}

/// True for `application/json`, in any case, alone or followed by parameters
/// (`; charset=utf-8`). Header values reach us trimmed (Fetch), so nothing precedes it.
fn is_json_media_type(content_type: &str) -> bool {
    const JSON: &[u8] = b"application/json";
    let bytes = content_type.as_bytes();
    bytes
        .get(..JSON.len())
        .is_some_and(|essence| essence.eq_ignore_ascii_case(JSON))
        && matches!(bytes.get(JSON.len()), None | Some(b';' | b' '))
}

#[cfg(test)]
mod tests {
    use super::*;

    const JSON: Option<&str> = Some("application/json; charset=utf-8");

    /// OIDC Core §5.3.2: the claims are used only when `sub` is the ID token's, exactly.
    #[test]
    fn claims_are_returned_only_for_the_id_tokens_subject() {
        let body = r#"{"sub":"alice","name":"Alice","email":"alice@example.com"}"#;
        assert_eq!(process_userinfo_response(200, JSON, body, "alice"), Ok(()));
        for other in ["bob", "Alice", "alice ", ""] {
            assert_eq!(
                process_userinfo_response(200, JSON, body, other)
                    .unwrap_err()
                    .code,
                Code::UserinfoSubjectMismatch,
                "{other:?}"
            );
        }
    }

    /// OIDC Core §5.3.2: a `sub` must be present; the body is one JSON object.
    #[test]
    fn refuses_bodies_without_a_single_string_sub() {
        for body in [
            r#"{"name":"Alice"}"#,
            r#"{"sub":42}"#,
            r#"{"sub":null}"#,
            r#"{"sub":"alice","sub":"bob"}"#,
            r#"["sub","alice"]"#,
            r#""alice""#,
            "not json",
            "",
        ] {
            assert_eq!(
                process_userinfo_response(200, JSON, body, "alice")
                    .unwrap_err()
                    .code,
                Code::InvalidUserinfoResponse,
                "{body}"
            );
        }
    }

    /// OIDC Core §5.3.2: JSON answers only; a JWT answer (`application/jwt`) is refused.
    #[test]
    fn accepts_only_a_json_media_type() {
        let body = r#"{"sub":"alice"}"#;
        for ok in [
            "application/json",
            "Application/JSON",
            "application/json;charset=UTF-8",
            "application/json ; charset=utf-8",
        ] {
            assert!(
                process_userinfo_response(200, Some(ok), body, "alice").is_ok(),
                "{ok}"
            );
        }
        for no in [
            Some("application/jwt"),
            Some("text/html"),
            Some("application/jsonp"),
            Some(""),
            None,
        ] {
            assert_eq!(
                process_userinfo_response(200, no, body, "alice")
                    .unwrap_err()
                    .code,
                Code::InvalidUserinfoResponse,
                "{no:?}"
            );
        }
    }

    /// OIDC Core §5.3.3 / RFC 6750 §3: a refusal is the provider's, no response is the network's.
    #[test]
    fn statuses_other_than_200_are_typed() {
        let body = r#"{"sub":"alice"}"#;
        assert_eq!(
            process_userinfo_response(0, None, "", "alice")
                .unwrap_err()
                .code,
            Code::NetworkError
        );
        for status in [201, 204, 302, 400, 401, 403, 500] {
            assert_eq!(
                process_userinfo_response(status, JSON, body, "alice")
                    .unwrap_err()
                    .code,
                Code::UserinfoError,
                "{status}"
            );
        }
    }

    /// Without an endpoint or an ID-token `sub` to compare with, there is no request at all.
    #[test]
    fn the_endpoint_needs_a_session_with_an_id_token() {
        let endpoint = Some("https://as.example/me");
        assert_eq!(
            userinfo_endpoint(endpoint, true, Some("alice")).unwrap(),
            "https://as.example/me"
        );
        assert_eq!(
            userinfo_endpoint(endpoint, false, None).unwrap_err().code,
            Code::LoginRequired
        );
        assert_eq!(
            userinfo_endpoint(endpoint, true, None).unwrap_err().code,
            Code::UserinfoUnavailable
        );
        assert_eq!(
            userinfo_endpoint(None, true, Some("alice"))
                .unwrap_err()
                .code,
            Code::UserinfoUnavailable
        );
    }
}
