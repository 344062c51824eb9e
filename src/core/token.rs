//! The token request and response (RFC 6749 §4.1.3, §5, RFC 7636 §4.5, specs §4).

use alloc::string::String;

use super::callback::ValidatedCallback;
use super::decimal::parse_u64;
use super::error::{Code, Error, Result, ServerDetail};
use super::json::{self, Value};
use super::secret::secret_string;
use super::url::push_pair;

secret_string!(
    /// An access token.
    AccessToken
);
secret_string!(
    /// An ID token (a JWT), kept for claims and `id_token_hint`.
    IdToken
);
secret_string!(
    /// A refresh token. It never leaves WASM memory except inside the body of a refresh or
    /// revocation request, which the wrapper hands to `fetch` unread.
    RefreshToken
);

/// A form POST to make: the only kind of request the token endpoint gets. Its `Debug`
/// shows the URL only.
#[derive(PartialEq)]
pub struct FormPost {
    /// The endpoint URL.
    pub url: String,
    /// The `application/x-www-form-urlencoded` body.
    ///
    /// # Security Warning
    /// Contains the code and verifier, or a refresh token.
    pub body: String,
}

impl core::fmt::Debug for FormPost {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("FormPost")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

/// Which `token_type` a token response must have.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum TokenTypes {
    /// `Bearer` only: DPoP was not requested.
    Bearer,
    /// DPoP was requested (RFC 9449 §5): `DPoP`, or with `optional` also `Bearer`.
    #[cfg(any(feature = "dpop", not(target_arch = "wasm32")))]
    Dpop {
        /// The app accepts unbound (`Bearer`) tokens (`dpop: "optional"`).
        optional: bool,
    },
}

/// A validated token response: Bearer tokens, or DPoP-bound ones when DPoP was requested.
#[derive(Debug)]
pub struct TokenSet {
    /// The access token.
    pub access_token: AccessToken,
    /// Absolute expiry, seconds since the epoch, when the provider gave `expires_in`.
    pub expires_at: Option<u64>,
    /// The refresh token, if one was issued.
    pub refresh_token: Option<RefreshToken>,
    /// The ID token, if one was issued: its claims are checked at login, and it is kept
    /// for `id_token_hint` at logout.
    pub id_token: Option<IdToken>,
    /// The granted scope: the response's `scope`, else the requested one (RFC 6749 §5.1).
    pub scope: String,
    /// The tokens are bound to the DPoP key (`token_type` `DPoP`, RFC 9449 §5).
    #[cfg(any(feature = "dpop", not(target_arch = "wasm32")))]
    pub bound: bool,
}

/// The code exchange (RFC 6749 §4.1.3 + RFC 7636 §4.5): grant_type, code, the identical
/// redirect_uri, client_id (a public client must send it) and the code_verifier.
pub fn build_code_exchange(
    token_endpoint: &str,
    client_id: &str,
    callback: &ValidatedCallback,
) -> FormPost {
    let mut body = String::new();
    push_pair(&mut body, "grant_type", "authorization_code");
    push_pair(&mut body, "code", callback.code.expose());
    push_pair(&mut body, "redirect_uri", &callback.pending.redirect_uri);
    push_pair(&mut body, "client_id", client_id);
    push_pair(
        &mut body,
        "code_verifier",
        callback.pending.verifier.expose(),
    );
    FormPost {
        url: token_endpoint.into(),
        body,
    }
}

/// The refresh grant (RFC 6749 §6): grant_type, the refresh token and client_id. No
/// `scope`: omitted, it means the originally granted scope, which never widens.
pub fn build_refresh_request(
    token_endpoint: &str,
    client_id: &str,
    refresh_token: &RefreshToken,
) -> FormPost {
    let mut body = String::new();
    push_pair(&mut body, "grant_type", "refresh_token");
    push_pair(&mut body, "refresh_token", refresh_token.expose());
    push_pair(&mut body, "client_id", client_id);
    FormPost {
        url: token_endpoint.into(),
        body,
    }
}

/// Checks a token endpoint response received at `now` (specs §4). A 200 must carry a
/// non-empty `access_token` and a Bearer `token_type` (any case); `expires_in` may be a
/// number or a numeric string; unknown members are ignored. Any other status becomes
/// [`Code::TokenError`] with the provider's `error` when the body has one; status 0 (the
/// wrapper's "no response": network failure, CORS, timeout) is [`Code::NetworkError`] with
/// `request_sent`, since the request may have reached the provider.
pub fn process_token_response(
    now: u64,
    status: u16,
    body: &str,
    requested_scope: &str,
) -> Result<TokenSet> {
    process_token_response_as(now, status, body, requested_scope, TokenTypes::Bearer)
}

/// [`process_token_response`], with the `token_type`s `accept` allows: with DPoP requested,
/// a `DPoP` token type, or `Bearer` only when DPoP is optional (else `dpop_not_bound`).
pub fn process_token_response_as(
    now: u64,
    status: u16,
    body: &str,
    requested_scope: &str,
    accept: TokenTypes,
) -> Result<TokenSet> {
    if status == 0 {
        let mut error = Error::new(Code::NetworkError);
        error.request_sent = true;
        return Err(error);
    }
    let doc = json::parse(body).and_then(Value::object);
    if status != 200 {
        return Err(token_error(status, doc.as_ref()));
    }
    let doc = doc.ok_or(Code::InvalidTokenResponse)?;
    let text = |name: &str| -> Result<Option<String>> {
        match doc.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if !s.is_empty() => Ok(Some(s.clone())),
            Some(_) => Err(Code::InvalidTokenResponse.into()),
        }
    };
    let access_token = text("access_token")?.ok_or(Code::InvalidTokenResponse)?;
    let token_type = text("token_type")?.ok_or(Code::InvalidTokenResponse)?;
    #[cfg(any(feature = "dpop", not(target_arch = "wasm32")))]
    let bound = match accept {
        TokenTypes::Dpop { optional } => super::dpop::check_token_type(&token_type, optional)?,
        TokenTypes::Bearer => false,
    };
    if matches!(accept, TokenTypes::Bearer) && !token_type.eq_ignore_ascii_case("bearer") {
        return Err(Code::InvalidTokenResponse.into());
    }
    let expires_in = match doc.get("expires_in") {
        None | Some(Value::Null) => None,
        Some(Value::Number(Some(n))) if *n >= 0 => Some(*n as u64),
        Some(Value::String(s)) if s.len() <= 12 => {
            Some(parse_u64(s).ok_or(Code::InvalidTokenResponse)?)
        }
        Some(_) => return Err(Code::InvalidTokenResponse.into()),
    };
    Ok(TokenSet {
        access_token: AccessToken::new(access_token),
        expires_at: expires_in.map(|s| now.saturating_add(s)),
        refresh_token: text("refresh_token")?.map(RefreshToken::new),
        id_token: text("id_token")?.map(IdToken::new),
        scope: text("scope")?.unwrap_or_else(|| requested_scope.into()),
        #[cfg(any(feature = "dpop", not(target_arch = "wasm32")))]
        bound,
    })
}

/// A non-200 response as a typed error (RFC 6749 §5.2).
fn token_error(status: u16, doc: Option<&Value>) -> Error {
    let field = |name: &str| {
        doc.and_then(|d| d.get(name))
            .and_then(Value::as_str)
            .map(String::from)
    };
    Error::server(
        Code::TokenError,
        ServerDetail {
            error: field("error").unwrap_or_default(),
            description: field("error_description"),
            uri: field("error_uri"),
            status,
        },
    )
}

#[cfg(test)]
mod tests {
    use std::string::ToString;

    use super::*;
    use crate::core::callback::{CallbackParams, CallbackPolicy, validate_callback};
    use crate::core::pending::{PendingAuthorization, ResponseMode, State};
    use crate::core::pkce::CodeVerifier;
    use crate::core::url::parse_unique_pairs;

    /// specs §0.1 / §4: the token request carries the Appendix B verifier and every field.
    #[test]
    fn code_exchange_carries_verifier_redirect_uri_and_client_id() {
        let pending = PendingAuthorization {
            state: State::new("s".into()),
            verifier: CodeVerifier::parse("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").unwrap(),
            nonce: None,
            issuer: "https://as.example".into(),
            redirect_uri: "https://app.example/cb?x=1".into(),
            scope: "openid".into(),
            return_to: None,
            created_at: 0,
        };
        let url = "https://app.example/cb?x=1&code=abc+def&state=s";
        let params = CallbackParams::parse(url, ResponseMode::Query).unwrap();
        let policy = CallbackPolicy {
            now: 1,
            max_age: 600,
            iss_required: false,
        };
        let validated = validate_callback(url, params, pending, &policy).unwrap();
        let post = build_code_exchange("https://as.example/token", "spa", &validated);
        assert_eq!(post.url, "https://as.example/token");
        let pairs = parse_unique_pairs(&post.body).unwrap();
        let expect = [
            ("grant_type", "authorization_code"),
            ("code", "abc def"),
            ("redirect_uri", "https://app.example/cb?x=1"),
            ("client_id", "spa"),
            (
                "code_verifier",
                "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
            ),
        ];
        assert_eq!(pairs, expect.map(|(a, b)| (a.to_string(), b.to_string())));
    }

    #[test]
    fn accepts_a_response_with_any_case_token_type_and_string_expires_in() {
        let body = r#"{"access_token":"at","token_type":"bEaReR","expires_in":"3600","refresh_token":"rt","id_token":"a.b.c","unknown":{"x":1}}"#;
        let set = process_token_response(1_000, 200, body, "openid profile").unwrap();
        assert_eq!(set.access_token.expose(), "at");
        assert_eq!(set.expires_at, Some(4_600));
        assert_eq!(
            set.scope, "openid profile",
            "requested scope when none returned"
        );
        let narrowed = process_token_response(
            0,
            200,
            r#"{"access_token":"at","token_type":"Bearer","expires_in":60,"scope":"openid"}"#,
            "openid profile",
        )
        .unwrap();
        assert_eq!(
            (narrowed.scope.as_str(), narrowed.expires_at),
            ("openid", Some(60))
        );
        let no_expiry = process_token_response(
            0,
            200,
            r#"{"access_token":"at","token_type":"Bearer"}"#,
            "x",
        )
        .unwrap();
        assert_eq!(no_expiry.expires_at, None, "no made-up expiry");
    }

    #[test]
    fn refuses_responses_that_break_rfc6749_section_5_1() {
        for body in [
            r#"{"token_type":"Bearer"}"#,
            r#"{"access_token":"","token_type":"Bearer"}"#,
            r#"{"access_token":"at"}"#,
            r#"{"access_token":"at","token_type":"DPoP"}"#,
            r#"{"access_token":"at","token_type":"Bearer","expires_in":-1}"#,
            r#"{"access_token":"at","token_type":"Bearer","expires_in":"1h"}"#,
            r#"{"access_token":"at","token_type":"Bearer","expires_in":1.5}"#,
            r#"{"access_token":1,"token_type":"Bearer"}"#,
            r#"{"access_token":"a","access_token":"b","token_type":"Bearer"}"#,
            "[]",
            "<html>",
        ] {
            let err = process_token_response(0, 200, body, "x").unwrap_err();
            assert_eq!(err.code, Code::InvalidTokenResponse, "{body}");
        }
    }

    /// RFC 9449 §5: with DPoP requested, a DPoP token type is bound; Bearer is refused with
    /// dpop_not_bound unless DPoP is optional; without DPoP, a DPoP token type stays refused.
    #[test]
    #[cfg(not(target_arch = "wasm32"))]
    fn token_type_follows_whether_dpop_was_requested() {
        let body = |t: &str| format!(r#"{{"access_token":"at","token_type":"{t}"}}"#);
        let as_ = |t: &str, accept| process_token_response_as(0, 200, &body(t), "x", accept);
        let required = TokenTypes::Dpop { optional: false };
        let optional = TokenTypes::Dpop { optional: true };
        assert!(as_("DPoP", required).unwrap().bound);
        assert!(!as_("Bearer", optional).unwrap().bound);
        assert_eq!(
            as_("Bearer", required).unwrap_err().code,
            Code::DpopNotBound
        );
        assert_eq!(
            as_("DPoP", TokenTypes::Bearer).unwrap_err().code,
            Code::InvalidTokenResponse
        );
        assert!(!as_("Bearer", TokenTypes::Bearer).unwrap().bound);
    }

    /// specs §4.1: error bodies become a typed error carrying the provider's code as data.
    #[test]
    fn error_bodies_carry_the_oauth_error_and_status() {
        let err = process_token_response(
            0,
            400,
            r#"{"error":"invalid_grant","error_description":"code used"}"#,
            "x",
        )
        .unwrap_err();
        assert_eq!(err.code, Code::TokenError);
        let detail = err.server.unwrap();
        assert_eq!(
            (detail.error.as_str(), detail.status),
            ("invalid_grant", 400)
        );
        assert_eq!(detail.description.as_deref(), Some("code used"));
        let html = process_token_response(0, 502, "<html>bad gateway</html>", "x").unwrap_err();
        assert_eq!(html.server.unwrap().status, 502);
        let down = process_token_response(0, 0, "", "x").unwrap_err();
        assert_eq!((down.code, down.request_sent), (Code::NetworkError, true));
    }

    /// specs §4 (RFC 6749 §6): the refresh grant sends the refresh token and client_id, and
    /// a response keeps the new refresh token it carries.
    #[test]
    fn refresh_request_carries_the_refresh_token_and_client_id() {
        let post = build_refresh_request(
            "https://as.example/token",
            "spa",
            &RefreshToken::new("r t&1".into()),
        );
        let pairs = parse_unique_pairs(&post.body).unwrap();
        let expect = [
            ("grant_type", "refresh_token"),
            ("refresh_token", "r t&1"),
            ("client_id", "spa"),
        ];
        assert_eq!(pairs, expect.map(|(a, b)| (a.to_string(), b.to_string())));
        let set = process_token_response(
            0,
            200,
            r#"{"access_token":"at","token_type":"Bearer","refresh_token":"rt2"}"#,
            "x",
        )
        .unwrap();
        assert_eq!(set.refresh_token.unwrap().expose(), "rt2");
    }
}
