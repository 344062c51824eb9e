//! Security events: one for every response or input the library refuses, for the app's
//! monitoring (issue 11 item 14, design "Rules": "every refused input also goes out as a
//! security event without secrets").
//!
//! An event says what was refused ([`Code`]), in which [`Phase`], when, and for which
//! issuer (or OAuth 1.0a provider). It never carries a token, a code, a state, a nonce or a
//! raw response: the JSON is built here from those four fields only.

use alloc::string::String;

use super::error::Code;
use super::json::ObjectWriter;

/// Where in the protocol a refusal happened.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub enum Phase {
    /// The redirect back from the provider (state, iss, parameters, the pending record).
    Callback,
    /// The code exchange's token response.
    Token,
    /// An ID token (claims, signature, keys), at login or after a refresh.
    IdToken,
    /// A refresh grant and its answer.
    Refresh,
    /// Logout, and the redirect back from the provider's end-session endpoint.
    Logout,
    /// Web storage failed (missing, disabled, full or throwing).
    Storage,
    /// An input from the app that is refused (an open-redirect `returnTo`, a token bound
    /// for an origin off the allowlist).
    Config,
    /// A UserInfo response (`client.userInfo()`).
    Userinfo,
}

impl Phase {
    /// The stable name of the phase, as JavaScript sees it.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Callback => "callback",
            Phase::Token => "token",
            Phase::IdToken => "id_token",
            Phase::Refresh => "refresh",
            Phase::Logout => "logout",
            Phase::Storage => "storage",
            Phase::Config => "config",
            Phase::Userinfo => "userinfo",
        }
    }
}

/// The phase to report a failure with `code` under, met `during` an operation; `None` when
/// the failure is not a refusal (the network, the user saying no, no session, ...). ID-token
/// refusals are always `id_token`, and storage failures always `storage`.
pub fn classify(code: Code, during: Phase) -> Option<Phase> {
    use Code::*;
    match code {
        StorageUnavailable => Some(Phase::Storage),
        // A persisted session record that was tampered with or is not this client's.
        PersistedSessionInvalid => Some(Phase::Storage),
        InvalidIdToken
        | IdTokenClaimMismatch
        | IdTokenExpired
        | NonceMismatch
        | IdTokenSignatureInvalid
        | UnknownSigningKey
        | SubjectChanged => Some(Phase::IdToken),
        RedirectUriMismatch
        | DuplicateParameter
        | MissingState
        | StateMismatch
        | PendingRequestExpired
        | MissingIss
        | IssMismatch
        | InvalidCallback
        | InvalidTokenResponse
        | InvalidMetadata
        | IssuerMismatch
        | ScopeBroader
        | UnsafeReturnTo
        | OriginNotAllowed
        | SessionEnded
        | CallbackNotConfirmed
        | InvalidCredentialsResponse
        | TemporaryTokenMismatch
        | MissingVerifier
        | DpopNotBound
        | UntrustedPopupMessage
        | InvalidUserinfoResponse
        | UserinfoSubjectMismatch => Some(during),
        _ => None,
    }
}

/// One refusal, for the `security` event.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SecurityEvent {
    /// What was refused.
    pub code: Code,
    /// Where.
    pub phase: Phase,
    /// When, in seconds since the Unix epoch.
    pub time: u64,
}

impl SecurityEvent {
    /// The event as JSON `{"type":"security","code","phase","time","issuer"}`: those fields
    /// and nothing else.
    pub fn to_json(self, issuer: &str) -> String {
        ObjectWriter::default()
            .string("type", "security")
            .string("code", self.code.as_str())
            .string("phase", self.phase.as_str())
            .number("time", self.time)
            .string("issuer", issuer)
            .finish()
    }
}

/// Appends the JSON of `events` to a JSON array in `out` (which holds `[` and maybe other
/// members), comma-separated.
pub fn push_events(out: &mut String, events: &[SecurityEvent], issuer: &str) {
    for event in events {
        if out.len() > 1 {
            out.push(',');
        }
        out.push_str(&event.to_json(issuer));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::json;

    /// Every refusal the issue lists is an event, with the phase it happens in; failures
    /// that are not refusals are not.
    #[test]
    fn refusals_are_events_with_their_phase_and_other_failures_are_not() {
        for (code, during, phase) in [
            (Code::StateMismatch, Phase::Callback, Phase::Callback),
            (
                Code::UserinfoSubjectMismatch,
                Phase::Userinfo,
                Phase::Userinfo,
            ),
            (
                Code::InvalidUserinfoResponse,
                Phase::Userinfo,
                Phase::Userinfo,
            ),
            (Code::IssMismatch, Phase::Callback, Phase::Callback),
            (Code::DuplicateParameter, Phase::Callback, Phase::Callback),
            (
                Code::UntrustedPopupMessage,
                Phase::Callback,
                Phase::Callback,
            ),
            (Code::NonceMismatch, Phase::Token, Phase::IdToken),
            (
                Code::IdTokenSignatureInvalid,
                Phase::Refresh,
                Phase::IdToken,
            ),
            (Code::SubjectChanged, Phase::Refresh, Phase::IdToken),
            (Code::InvalidTokenResponse, Phase::Token, Phase::Token),
            (Code::SessionEnded, Phase::Refresh, Phase::Refresh),
            (Code::UnsafeReturnTo, Phase::Config, Phase::Config),
            (Code::StorageUnavailable, Phase::Config, Phase::Storage),
            (
                Code::TemporaryTokenMismatch,
                Phase::Callback,
                Phase::Callback,
            ),
        ] {
            assert_eq!(classify(code, during), Some(phase), "{code:?}");
        }
        for code in [
            Code::NetworkError,
            Code::AccessDenied,
            Code::LoginRequired,
            Code::TokenExpired,
            Code::TokenError,
            Code::InvalidConfig,
        ] {
            assert_eq!(classify(code, Phase::Callback), None, "{code:?}");
        }
    }

    /// The JSON holds exactly type, code, phase, time and issuer.
    #[test]
    fn the_event_json_has_only_the_five_fields() {
        let event = SecurityEvent {
            code: Code::StateMismatch,
            phase: Phase::Callback,
            time: 1_700_000_000,
        };
        let mut out = String::from("[");
        push_events(&mut out, &[event, event], "https://as.example");
        out.push(']');
        let json::Value::Array(items) = json::parse(&out).unwrap() else {
            panic!()
        };
        assert_eq!(items.len(), 2);
        assert_eq!(
            event.to_json("https://as.example"),
            r#"{"type":"security","code":"state_mismatch","phase":"callback","time":1700000000,"issuer":"https://as.example"}"#
        );
    }
}
