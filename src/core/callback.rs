//! The authorization response at the redirect URI (RFC 6749 §4.1.2, RFC 9207, specs §2, §3, §8).
//!
//! Driving it takes two steps, because the pending request is found by the callback's state:
//! 1. [`CallbackParams::parse`] reads the parameters (each at most once) and gives the state;
//! 2. the shell takes (reads and removes: single use) the pending request for that state and
//!    hands both to [`validate_callback`], which checks, in this order: the time limit, the
//!    redirect URI, the state, `iss` (also on error responses), then `error`, then `code`.
//!
//! Only [`validate_callback`] makes a [`ValidatedCallback`], and only a `ValidatedCallback`
//! can be exchanged for tokens.

use alloc::string::String;
use alloc::vec::Vec;

use super::error::{Code, Error, Result, ServerDetail};
use super::pending::{PendingAuthorization, ResponseMode};
use super::redirect::{RedirectUri, check_return_to};
use super::secret::{constant_time_eq, secret_string};
use super::url::{Url, find_pair, parse_unique_pairs, without_query_params};

secret_string!(
    /// An authorization code: a short-lived, single-use credential.
    AuthorizationCode
);

/// The parameters of one authorization response. Its `Debug` shows the names only: the
/// values include the code and the state.
pub struct CallbackParams(Vec<(String, String)>);

impl core::fmt::Debug for CallbackParams {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(name, _)| name))
            .finish()
    }
}

impl CallbackParams {
    /// Reads the response parameters from the query or the fragment of `url`, refusing any
    /// parameter that appears twice (specs §3). A URL longer than [`MAX_CALLBACK_LEN`] is
    /// refused before it is parsed, as are more than `url::MAX_PAIRS` parameters: a
    /// fragment never reaches a server, so no server limit protects the page (issue 11).
    pub fn parse(url: &str, mode: ResponseMode) -> Result<Self> {
        if url.len() > MAX_CALLBACK_LEN {
            return Err(Code::InvalidCallback.into());
        }
        let parsed = Url::parse(url).ok_or(Code::InvalidCallback)?;
        let part = match mode {
            ResponseMode::Query => parsed.query,
            ResponseMode::Fragment => parsed.fragment,
        };
        Ok(CallbackParams(parse_unique_pairs(part.unwrap_or(""))?))
    }

    /// The `state` parameter, to find the pending request with.
    pub fn state(&self) -> Result<&str> {
        self.get("state")
            .filter(|s| !s.is_empty())
            .ok_or_else(|| Code::MissingState.into())
    }

    fn get(&self, name: &str) -> Option<&str> {
        find_pair(&self.0, name)
    }
}

/// The longest callback URL read, in bytes: a code, a state, `iss` and an error description
/// fit many times over.
pub const MAX_CALLBACK_LEN: usize = 16 * 1024;

/// A callback that passed every check: its code may be exchanged.
#[derive(Debug)]
pub struct ValidatedCallback {
    /// The authorization code.
    pub code: AuthorizationCode,
    /// The pending request it answers (verifier, nonce, redirect URI, returnTo, scope).
    pub pending: PendingAuthorization,
}

/// What the callback checks need besides the response itself.
pub struct CallbackPolicy {
    /// The time now, seconds since the epoch.
    pub now: u64,
    /// The time limit of a pending request, in seconds.
    pub max_age: u64,
    /// The provider advertises `authorization_response_iss_parameter_supported`.
    pub iss_required: bool,
}

/// Checks an authorization response against the pending request it claims to answer.
pub fn validate_callback(
    callback_url: &str,
    params: CallbackParams,
    pending: PendingAuthorization,
    policy: &CallbackPolicy,
) -> Result<ValidatedCallback> {
    if pending.is_expired(policy.now, policy.max_age) {
        return Err(Code::PendingRequestExpired.into());
    }
    let redirect = RedirectUri::parse(&pending.redirect_uri).map_err(|_| Code::StateMismatch)?;
    // specs §2: the record may have been edited in storage since login checked returnTo.
    if let Some(target) = &pending.return_to {
        check_return_to(target)?;
    }
    if !redirect.matches_callback(callback_url) {
        return Err(Code::RedirectUriMismatch.into());
    }
    // specs §3: the state was the lookup key; compare it in constant time all the same.
    if !constant_time_eq(
        params.state()?.as_bytes(),
        pending.state.expose().as_bytes(),
    ) {
        return Err(Code::StateMismatch.into());
    }
    // specs §8 / RFC 9207 §2.4: exact string comparison, also before reading `error`.
    match params.get("iss") {
        Some(iss) if iss != pending.issuer => return Err(Code::IssMismatch.into()),
        None if policy.iss_required => return Err(Code::MissingIss.into()),
        _ => {}
    }
    // specs §6: no implicit or hybrid flow; tokens never come through the front channel.
    if ["access_token", "id_token", "token_type"]
        .iter()
        .any(|n| params.get(n).is_some())
    {
        return Err(Code::InvalidCallback.into());
    }
    match (params.get("code"), params.get("error")) {
        (None, Some(error)) => Err(authorization_error(&params, error)),
        (Some(code), None) if !code.is_empty() => Ok(ValidatedCallback {
            code: AuthorizationCode::new(code.into()),
            pending,
        }),
        _ => Err(Code::InvalidCallback.into()),
    }
}

/// The callback URL with the response parameters removed, for `history.replaceState`
/// (specs §2: the code, state and `iss` leave the address bar before the token request).
/// In fragment mode the whole fragment goes; in query mode the response parameters go and
/// any other query parameters of the redirect URI stay.
pub fn strip_response_params(url: &str, mode: ResponseMode) -> String {
    const RESPONSE_PARAMS: &[&str] = &[
        "code",
        "state",
        "iss",
        "error",
        "error_description",
        "error_uri",
        "session_state",
    ];
    match mode {
        ResponseMode::Fragment => url.split_once('#').map_or(url, |(before, _)| before).into(),
        ResponseMode::Query => without_query_params(url, |name| RESPONSE_PARAMS.contains(&name)),
    }
}

/// An error response (RFC 6749 §4.1.2.1) as a typed error carrying the provider's words.
fn authorization_error(params: &CallbackParams, error: &str) -> Error {
    let code = if error == "access_denied" {
        Code::AccessDenied
    } else {
        Code::AuthorizationError
    };
    Error::server(
        code,
        ServerDetail {
            error: error.into(),
            description: params.get("error_description").map(Into::into),
            uri: params.get("error_uri").map(Into::into),
            status: 0,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::pending::{Nonce, State};
    use crate::core::pkce::CodeVerifier;

    const STATE: &str = "ZWVlNDBlYzA1NjdkMDNhYjg3ZjUxZjAyNGQzMTM2NzI";
    const ISSUER: &str = "https://honest.as.example";

    fn pending(created_at: u64) -> PendingAuthorization {
        PendingAuthorization {
            state: State::new(STATE.into()),
            verifier: CodeVerifier::parse("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").unwrap(),
            nonce: Some(Nonce::new("n".into())),
            issuer: ISSUER.into(),
            redirect_uri: "https://client.example/cb".into(),
            scope: "openid".into(),
            return_to: None,
            created_at,
        }
    }

    fn policy(iss_required: bool) -> CallbackPolicy {
        CallbackPolicy {
            now: 1_000,
            max_age: 600,
            iss_required,
        }
    }

    fn check(url: &str, iss_required: bool) -> Result<ValidatedCallback> {
        let params = CallbackParams::parse(url, ResponseMode::Query)?;
        params.state()?;
        validate_callback(url, params, pending(900), &policy(iss_required))
    }

    /// specs §0.2: the RFC 9207 example response is accepted.
    #[test]
    fn accepts_the_rfc9207_example_response() {
        let url = "https://client.example/cb?code=x1848ZT64p4IirMPT0R-X3141MFPTuBX-VFL_cvaplMH58&state=ZWVlNDBlYzA1NjdkMDNhYjg3ZjUxZjAyNGQzMTM2NzI&iss=https%3A%2F%2Fhonest.as.example";
        let ok = check(url, true).unwrap();
        assert_eq!(
            ok.code.expose(),
            "x1848ZT64p4IirMPT0R-X3141MFPTuBX-VFL_cvaplMH58"
        );
    }

    /// specs §0.2 / §8: simple string comparison, no normalisation.
    #[test]
    fn iss_is_compared_exactly() {
        for other in [
            "https://honest.as.example/",
            "HTTPS://honest.as.example",
            "https://honest.as.example:443",
            "https://evil.example",
        ] {
            let mut url = format!("https://client.example/cb?code=c&state={STATE}&iss=");
            crate::core::url::form_encode_into(&mut url, other);
            assert_eq!(
                check(&url, false).unwrap_err().code,
                Code::IssMismatch,
                "{other}"
            );
        }
    }

    /// specs §8: a response without iss from a provider that advertises it is refused.
    #[test]
    fn missing_iss_is_refused_only_when_advertised() {
        let url = format!("https://client.example/cb?code=c&state={STATE}");
        assert_eq!(check(&url, true).unwrap_err().code, Code::MissingIss);
        assert!(check(&url, false).is_ok());
    }

    /// specs §0.2 / §4.1: iss is checked on error responses too, before the error is read.
    #[test]
    fn error_responses_are_typed_and_iss_checked_first() {
        let url = format!(
            "https://client.example/cb?error=access_denied&error_description=User+said+%3Cb%3Eno%3C%2Fb%3E&state={STATE}&iss=https%3A%2F%2Fhonest.as.example"
        );
        let err = check(&url, true).unwrap_err();
        assert_eq!(err.code, Code::AccessDenied);
        let detail = err.server.unwrap();
        assert_eq!(detail.error, "access_denied");
        assert_eq!(
            detail.description.as_deref(),
            Some("User said <b>no</b>"),
            "kept as plain text"
        );
        let other = format!(
            "https://client.example/cb?error=invalid_scope&state={STATE}&iss=https%3A%2F%2Fhonest.as.example"
        );
        assert_eq!(
            check(&other, true).unwrap_err().code,
            Code::AuthorizationError
        );
        let forged = format!(
            "https://client.example/cb?error=access_denied&state={STATE}&iss=https%3A%2F%2Fevil.example"
        );
        assert_eq!(check(&forged, true).unwrap_err().code, Code::IssMismatch);
    }

    /// specs §3: duplicated parameters, a missing state, a wrong state.
    #[test]
    fn refuses_duplicates_missing_and_wrong_state() {
        let dup = format!("https://client.example/cb?code=a&code=b&state={STATE}");
        assert_eq!(
            check(&dup, false).unwrap_err().code,
            Code::DuplicateParameter
        );
        assert_eq!(
            check("https://client.example/cb?code=a", false)
                .unwrap_err()
                .code,
            Code::MissingState
        );
        assert_eq!(
            check("https://client.example/cb?code=a&state=", false)
                .unwrap_err()
                .code,
            Code::MissingState
        );
        let wrong =
            "https://client.example/cb?code=a&state=ZWVlNDBlYzA1NjdkMDNhYjg3ZjUxZjAyNGQzMTM2NzJ";
        assert_eq!(check(wrong, false).unwrap_err().code, Code::StateMismatch);
    }

    /// specs §3, §6: code and error together, neither, or implicit-flow tokens.
    #[test]
    fn refuses_malformed_responses() {
        for query in [
            "code=a&error=x",
            "",
            "code=",
            "code=a&access_token=t",
            "code=a&id_token=t",
        ] {
            let url = format!("https://client.example/cb?{query}&state={STATE}");
            assert_eq!(
                check(&url, false).unwrap_err().code,
                Code::InvalidCallback,
                "{query}"
            );
        }
    }

    /// Issue 11 item 1: a link to `/cb#a&b&c…` with 40,000 names, or any callback over the
    /// length limit, is refused as `invalid_callback` before its parameters are read.
    #[test]
    fn refuses_too_many_parameters_or_an_over_long_url_before_parsing() {
        let names: String = (0..40_000).map(|i| format!("n{i}&")).collect();
        let url = format!("https://client.example/cb#{names}state={STATE}");
        assert_eq!(
            CallbackParams::parse(&url, ResponseMode::Fragment)
                .unwrap_err()
                .code,
            Code::InvalidCallback
        );
        let few: String = (0..60).map(|i| format!("n{i}&")).collect();
        let short = format!("https://client.example/cb#{few}state={STATE}");
        assert!(short.len() < MAX_CALLBACK_LEN);
        assert!(CallbackParams::parse(&short, ResponseMode::Fragment).is_ok());
        let long = format!(
            "https://client.example/cb?state={STATE}&code=a&x={}",
            "a".repeat(MAX_CALLBACK_LEN)
        );
        assert_eq!(
            CallbackParams::parse(&long, ResponseMode::Query)
                .unwrap_err()
                .code,
            Code::InvalidCallback
        );
    }

    /// Issue 11 item 11: the stored `returnTo` is checked again when the pending record is
    /// read back, so a record edited in sessionStorage cannot turn login into an open
    /// redirect.
    #[test]
    fn refuses_a_stored_return_to_that_is_not_a_same_origin_path() {
        let url = format!("https://client.example/cb?code=a&state={STATE}");
        for (target, ok) in [
            ("/inbox", true),
            ("//evil.example", false),
            ("https://evil.example/", false),
            ("/\\evil.example", false),
        ] {
            let params = CallbackParams::parse(&url, ResponseMode::Query).unwrap();
            let mut record = pending(900);
            record.return_to = Some(target.into());
            let result = validate_callback(&url, params, record, &policy(false));
            match ok {
                true => assert!(result.is_ok(), "{target}"),
                false => assert_eq!(result.unwrap_err().code, Code::UnsafeReturnTo, "{target}"),
            }
        }
    }

    #[test]
    fn refuses_an_expired_pending_request() {
        let url = format!("https://client.example/cb?code=a&state={STATE}");
        let params = CallbackParams::parse(&url, ResponseMode::Query).unwrap();
        let late = CallbackPolicy {
            now: 1_501,
            max_age: 600,
            iss_required: false,
        };
        assert_eq!(
            validate_callback(&url, params, pending(900), &late)
                .unwrap_err()
                .code,
            Code::PendingRequestExpired
        );
    }

    /// specs §2: the callback must arrive at the exact redirect URI.
    #[test]
    fn refuses_a_callback_at_another_uri() {
        let url = format!("https://client.example/other?code=a&state={STATE}");
        assert_eq!(
            check(&url, false).unwrap_err().code,
            Code::RedirectUriMismatch
        );
    }

    /// specs §2: nothing of the response stays in the address bar.
    #[test]
    fn stripping_removes_every_response_parameter_and_keeps_the_rest() {
        let url = "https://app.example/cb?tenant=1&code=c&state=s&iss=https%3A%2F%2Fas&st%61te=x&session_state=y#keep";
        assert_eq!(
            strip_response_params(url, ResponseMode::Query),
            "https://app.example/cb?tenant=1#keep"
        );
        let error =
            "https://app.example/cb?error=access_denied&error_description=no&error_uri=u&state=s";
        assert_eq!(
            strip_response_params(error, ResponseMode::Query),
            "https://app.example/cb"
        );
        let fragment = "https://app.example/cb?tenant=1#code=c&state=s";
        assert_eq!(
            strip_response_params(fragment, ResponseMode::Fragment),
            "https://app.example/cb?tenant=1"
        );
    }

    #[test]
    fn reads_the_fragment_in_fragment_mode() {
        let url = format!("https://client.example/cb#code=a&state={STATE}");
        let params = CallbackParams::parse(&url, ResponseMode::Fragment).unwrap();
        assert_eq!(params.state().unwrap(), STATE);
        assert!(validate_callback(&url, params, pending(900), &policy(false)).is_ok());
        let in_query = CallbackParams::parse(&url, ResponseMode::Query).unwrap();
        assert_eq!(in_query.state().unwrap_err().code, Code::MissingState);
    }
}
