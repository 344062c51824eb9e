//! Silent sign-in (`client.restore()`): a top-level authorization request with
//! `prompt=none`. The provider answers without showing anything: a code when it still has a
//! session and consent, else one of the errors of OpenID Connect Core §3.1.2.6 that mean "not
//! signed in", which the app gets as an outcome rather than an error.

use super::error::{Code, Error};

/// The outcome `{"signedIn":false,"reason"}` as JSON, when a validated authorization error
/// response means "not signed in": `login_required`, `interaction_required` or
/// `consent_required`. Only reached after the callback's `state` and `iss` checks, so a
/// forged response cannot sign anyone out. Whole JSON texts, so that no JSON is built here.
pub fn not_signed_in(error: &Error) -> Option<&'static str> {
    if error.code != Code::AuthorizationError {
        return None;
    }
    let reason = error.server.as_ref()?.error.as_str();
    Some(match reason {
        "login_required" => r#"{"signedIn":false,"reason":"login_required"}"#,
        "interaction_required" => r#"{"signedIn":false,"reason":"interaction_required"}"#,
        "consent_required" => r#"{"signedIn":false,"reason":"consent_required"}"#,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::error::ServerDetail;

    fn refused(code: Code, error: &str) -> Error {
        let detail = ServerDetail {
            error: error.into(),
            description: None,
            uri: None,
            status: 0,
        };
        Error::server(code, detail)
    }

    /// OIDC Core §3.1.2.6: the three prompt=none answers are "not signed in".
    #[test]
    fn prompt_none_answers_mean_not_signed_in() {
        for reason in ["login_required", "interaction_required", "consent_required"] {
            let error = refused(Code::AuthorizationError, reason);
            let outcome = crate::core::json::parse(not_signed_in(&error).unwrap()).unwrap();
            assert_eq!(
                outcome.get("signedIn"),
                Some(&crate::core::json::Value::Bool(false))
            );
            assert_eq!(outcome.get("reason").unwrap().as_str(), Some(reason));
        }
    }

    #[test]
    fn every_other_failure_stays_an_error() {
        for error in [
            refused(Code::AccessDenied, "access_denied"),
            refused(Code::AuthorizationError, "account_selection_required"),
            refused(Code::AuthorizationError, "server_error"),
            refused(Code::TokenError, "login_required"),
            Error::new(Code::StateMismatch),
            Error::new(Code::AuthorizationError),
        ] {
            assert_eq!(not_signed_in(&error), None, "{error:?}");
        }
    }
}
