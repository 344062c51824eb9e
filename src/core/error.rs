//! The one error type of browser-oauth, and its stable codes.
//!
//! Every failure anywhere in the library is an [`Error`] carrying a [`Code`]. The code strings
//! are stable API: apps may branch on them, and the TypeScript `ErrorCode` union is generated
//! from the same table ([`TS_ERROR_CODE`]), so the two cannot drift apart. Messages are prose
//! for humans and may change. No message ever contains a state, nonce, code or token value.
//!
//! Codes are grouped by who is at fault:
//! - caller misuse (`invalid_config`, `insecure_redirect_uri`, `unsafe_return_to`, ...): fix the app;
//! - a response we rejected (`state_mismatch`, `iss_mismatch`, `invalid_token_response`, ...):
//!   the provider or an attacker sent something that breaks a rule in specs.md;
//! - the provider said no (`access_denied`, `authorization_error`, `token_error`): the provider's
//!   own `error` string travels as data in [`ServerDetail`], never as our code;
//! - the environment failed (`network_error`, `storage_unavailable`, `random_unavailable`,
//!   and the login popup's `popup_blocked`, `popup_closed`, `popup_timeout`).

use alloc::boxed::Box;
use alloc::string::String;

use super::json::ObjectWriter;

/// Declares [`Code`], its strings and messages, and the TypeScript union, from one table.
macro_rules! error_codes {
    ($($(#[$doc:meta])* $variant:ident = $code:literal, $message:literal;)*) => {
        /// A stable error code. See the module documentation for the groups.
        #[derive(Clone, Copy, Debug, Eq, PartialEq)]
        #[non_exhaustive]
        pub enum Code {
            $($(#[$doc])* $variant,)*
        }

        impl Code {
            /// The stable snake_case string for this code, as seen by JavaScript.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code,)* }
            }

            /// A short English description of what went wrong. Not shipped: the wrapper
            /// derives the message from the code, which saves 0.8 KB gzipped of wasm.
            #[cfg(test)]
            pub fn message(self) -> &'static str {
                match self { $(Code::$variant => $message,)* }
            }

            /// Every code, in declaration order.
            #[cfg(test)]
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];
        }

        /// The TypeScript declaration of the `ErrorCode` union, generated from the table above.
        #[allow(dead_code, reason = "read by the typescript_custom_section in api.rs, which the lint does not see")]
        pub const TS_ERROR_CODE: &str =
            concat!("export type ErrorCode =", $(" | \"", $code, "\"",)* ";");
    };
}

error_codes! {
    // --- caller misuse ---
    /// The configuration is missing a field or has a malformed one.
    InvalidConfig = "invalid_config", "the client configuration is invalid";
    /// A redirect URI is not https (or loopback http), or has a fragment.
    InsecureRedirectUri = "insecure_redirect_uri", "redirect URIs must be https (http only on loopback) and have no fragment";
    /// `returnTo` is not a same-origin relative path.
    UnsafeReturnTo = "unsafe_return_to", "returnTo must be a same-origin path starting with a single '/'";
    /// A PKCE code verifier has the wrong length or characters (RFC 7636 §4.1).
    InvalidVerifier = "invalid_verifier", "a PKCE code verifier must be 43 to 128 unreserved characters";
    /// There is no session: log in first.
    LoginRequired = "login_required", "there is no session; log in first";
    /// The access token has expired and could not be renewed.
    TokenExpired = "token_expired", "the access token has expired";
    /// `client.fetch` was asked to send the token to an origin not on `allowedOrigins`.
    OriginNotAllowed = "origin_not_allowed", "the token is only sent to origins on allowedOrigins";
    /// An OAuth 1.0a request cannot be signed as given: the URL is not an absolute http(s) URL,
    /// the query or form body carries `oauth_*` parameters, the method is empty, the nonce is
    /// too short or not unreserved characters, or `now` is zero (RFC 5849 §2, §3.1, §3.3, §3.5).
    InvalidSigningRequest = "invalid_signing_request", "the OAuth 1.0a request cannot be signed as given";
    /// https is required: PLAINTEXT signatures, and the OAuth 1.0a credential and authorization
    /// endpoints (RFC 5849 §3.4.4, Appendix A).
    InsecureTransport = "insecure_transport", "this OAuth 1.0a request must use https";
    /// The OAuth 1.0a signature method is unknown, or the built-in signer cannot compute it
    /// (RSA-SHA1 needs an external signer).
    InvalidSignatureMethod = "invalid_signature_method", "the OAuth 1.0a signature method is not supported here";
    /// An API was called outside a browser (server-side rendering, Node): the wrapper checks
    /// for `window` and `document` before anything else. Never raised by the wasm.
    BrowserOnly = "browser_only", "browser-oauth runs only in a browser";
    /// `client.userInfo()` cannot be used: the provider's metadata has no
    /// `userinfo_endpoint`, or the session has no ID token whose `sub` the answer could be
    /// checked against (the scope lacks `openid`).
    UserinfoUnavailable = "userinfo_unavailable", "the provider has no userinfo endpoint, or the session has no ID token";
    // --- a response we rejected ---
    /// Provider metadata is malformed, not https, or lacks a required field.
    InvalidMetadata = "invalid_metadata", "the provider metadata is invalid";
    /// The metadata's `issuer` is not exactly the configured issuer (RFC 8414 §3.3).
    IssuerMismatch = "issuer_mismatch", "the metadata issuer does not equal the configured issuer";
    /// The provider does not advertise PKCE with S256 (RFC 7636 §4.2, specs §1).
    PkceUnsupported = "pkce_unsupported", "the provider does not support PKCE with S256";
    /// The callback URL is not the redirect URI the request was made with.
    RedirectUriMismatch = "redirect_uri_mismatch", "the callback URL does not match the redirect URI";
    /// A callback parameter appears more than once (RFC 6749 §3.1).
    DuplicateParameter = "duplicate_parameter", "a callback parameter appears more than once";
    /// The callback carries no `state`.
    MissingState = "missing_state", "the callback has no state parameter";
    /// No pending request has this state: unknown, already used, or from another browser.
    StateMismatch = "state_mismatch", "no pending login request matches this state";
    /// The pending request is older than its time limit.
    PendingRequestExpired = "pending_request_expired", "the login request took too long; start again";
    /// `iss` is missing though the provider advertises it (RFC 9207 §2.4).
    MissingIss = "missing_iss", "the provider advertises the iss parameter but the callback has none";
    /// `iss` is not the issuer the request went to (RFC 9207 §2.4): a possible mix-up attack.
    IssMismatch = "iss_mismatch", "the callback iss does not equal the issuer the request was sent to";
    /// The callback has neither `code` nor `error`, or both, or carries implicit-flow tokens.
    InvalidCallback = "invalid_callback", "the callback is not a valid authorization response";
    /// The token endpoint answered with a body that breaks RFC 6749 §5.1.
    InvalidTokenResponse = "invalid_token_response", "the token response is invalid";
    /// The ID token is not a well-formed JWS, or uses `alg` none or an HMAC algorithm.
    InvalidIdToken = "invalid_id_token", "the ID token is malformed or uses a refused algorithm";
    /// The ID token's `iss`, `aud` or `azp` is not this issuer and client (OIDC Core §3.1.3.7).
    IdTokenClaimMismatch = "id_token_claim_mismatch", "the ID token was not issued by this issuer for this client";
    /// The ID token is expired, or issued in the future, beyond the clock skew.
    IdTokenExpired = "id_token_expired", "the ID token is expired or not yet valid";
    /// The ID token's `nonce` is not the one this login sent.
    NonceMismatch = "nonce_mismatch", "the ID token nonce does not match the login request";
    /// The ID token's signature does not verify with the provider's key (WebCrypto).
    IdTokenSignatureInvalid = "id_token_signature_invalid", "the ID token signature does not verify";
    /// No key of the provider's JWKS (fetched again once) fits the ID token, or several do.
    UnknownSigningKey = "unknown_signing_key", "no unique key in the provider's JWKS fits the ID token";
    /// A refreshed ID token names another user (`sub`) than the session's (OIDC Core §12.2).
    SubjectChanged = "subject_changed", "the refreshed ID token is for another user";
    /// The provider granted more scope than requested and `scopePolicy` is `refuse`.
    ScopeBroader = "scope_broader", "the provider granted more scope than was requested";
    /// The UserInfo response is not a JSON object with one string `sub` (OIDC Core §5.3.2),
    /// or not `application/json`.
    InvalidUserinfoResponse = "invalid_userinfo_response", "the userinfo response is invalid";
    /// The UserInfo `sub` is not the ID token's (OIDC Core §5.3.2): the answer is not used.
    UserinfoSubjectMismatch = "userinfo_subject_mismatch", "the userinfo response is for another user than the ID token";
    /// The temporary-credentials response lacks `oauth_callback_confirmed=true` (RFC 5849
    /// §2.1): the server predates OAuth 1.0a, or the response was tampered with.
    CallbackNotConfirmed = "callback_not_confirmed", "the provider did not confirm the callback (oauth_callback_confirmed is not true)";
    /// An OAuth 1.0a credentials response is not form-encoded with a non-empty `oauth_token`
    /// and an `oauth_token_secret`, each exactly once (RFC 5849 §2.1, §2.3).
    InvalidCredentialsResponse = "invalid_credentials_response", "the OAuth 1.0a credentials response is invalid";
    /// No pending OAuth 1.0a request matches the callback's `oauth_token`: unknown, already
    /// used, from another tab, tampered with, or for a different temporary token.
    TemporaryTokenMismatch = "temporary_token_mismatch", "no pending OAuth 1.0a request matches the callback's oauth_token";
    /// The OAuth 1.0a callback has no `oauth_verifier` (RFC 5849 §2.2).
    MissingVerifier = "missing_verifier", "the callback has no oauth_verifier";
    /// DPoP was requested but the token response is not bound to the key (`token_type` is
    /// not `DPoP`, RFC 9449 §5), and the app did not set `dpop: "optional"`.
    DpopNotBound = "dpop_not_bound", "the provider issued tokens that are not bound to the DPoP key";
    /// A resource server asked for a new DPoP nonce again right after the retry with the
    /// nonce it gave (RFC 9449 §9): one retry only, never a loop.
    DpopNonceRejected = "dpop_nonce_rejected", "the server refused the DPoP proof's nonce again after one retry";
    /// The persisted session could not be used: tampered with, written for another issuer,
    /// client or user, unreadable, or its key is gone. It was wiped; log in again.
    PersistedSessionInvalid = "persisted_session_invalid", "the stored session is invalid and was removed";
    /// A message claiming to be the login popup's answer came from another window or
    /// origin; it was ignored (reported as a security event only, never thrown).
    UntrustedPopupMessage = "untrusted_popup_message", "a popup answer from another window or origin was ignored";
    // --- the provider said no ---
    /// The user or the provider refused the authorization (`error=access_denied`).
    AccessDenied = "access_denied", "the authorization was refused";
    /// The authorization endpoint returned another `error`; see the server detail.
    AuthorizationError = "authorization_error", "the provider returned an authorization error";
    /// The token endpoint returned an OAuth error; see the server detail.
    TokenError = "token_error", "the token endpoint returned an error";
    /// The provider refused the refresh token (`invalid_grant`: revoked, expired or reused):
    /// the session is over and its tokens are wiped.
    SessionEnded = "session_ended", "the provider ended the session; log in again";
    /// The UserInfo endpoint answered with another status than 200 (RFC 6750 §3: its reason
    /// is in `WWW-Authenticate`).
    UserinfoError = "userinfo_error", "the userinfo endpoint refused the request";
    // --- the environment failed ---
    /// The browser refused to open the login popup (`loginPopup` must run in a click handler).
    PopupBlocked = "popup_blocked", "the browser blocked the login popup";
    /// The user closed the login popup before the provider answered.
    PopupClosed = "popup_closed", "the login popup was closed before the login finished";
    /// No answer came back from the login popup within its time limit; the popup is closed.
    PopupTimeout = "popup_timeout", "the login popup did not finish in time";
    /// fetch failed or timed out. For a token request the error says whether the code was sent.
    NetworkError = "network_error", "the request to the provider failed";
    /// sessionStorage is missing, disabled or full.
    StorageUnavailable = "storage_unavailable", "sessionStorage is not available";
    /// crypto.getRandomValues failed; there is no weaker fallback.
    RandomUnavailable = "random_unavailable", "secure randomness is not available";
    /// The WebAssembly module could not be fetched, compiled or instantiated (a 404, a wrong
    /// MIME type, a CSP without `'wasm-unsafe-eval'`). Raised by the wrapper, with the
    /// browser's error as `cause`; the next call tries again.
    WasmLoadFailed = "wasm_load_failed", "the WebAssembly module could not be loaded";
    /// An OAuth 1.0a request could not be signed: the external signer returned an empty
    /// signature, or the MAC could not be keyed.
    SigningFailed = "signing_failed", "the request could not be signed";
}

/// What the provider said when it refused: its own `error`, as plain text data.
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct ServerDetail {
    /// The provider's `error` value (e.g. `invalid_grant`).
    pub error: String,
    /// The provider's `error_description`, if any. Text, never HTML.
    pub description: Option<String>,
    /// The provider's `error_uri`, if any.
    pub uri: Option<String>,
    /// The HTTP status of a token endpoint error; 0 for an authorization response.
    pub status: u16,
}

/// A failure, with a stable [`Code`] and, when the provider refused, what it said.
#[derive(Debug)]
pub struct Error {
    /// The stable code.
    pub code: Code,
    /// The provider's own error, for [`Code::AccessDenied`], [`Code::AuthorizationError`]
    /// and [`Code::TokenError`].
    pub server: Option<Box<ServerDetail>>,
    /// For [`Code::NetworkError`]: whether the request had been handed to the network when
    /// it failed. For the code exchange this means the authorization code may be spent, and
    /// the login must start again rather than retry.
    pub request_sent: bool,
}

impl Error {
    /// An error with just a code.
    pub fn new(code: Code) -> Self {
        Error {
            code,
            server: None,
            request_sent: false,
        }
    }

    /// An error the provider returned, with its detail.
    pub fn server(code: Code, detail: ServerDetail) -> Self {
        Error {
            code,
            server: Some(Box::new(detail)),
            request_sent: false,
        }
    }
}

impl Error {
    /// The error as JSON for the JavaScript side: `code` (the wrapper derives the message
    /// from it), and when present `error`, `errorDescription`, `errorUri`, `status`,
    /// `requestSent`.
    pub fn to_json(&self) -> String {
        let mut out = ObjectWriter::default().string("code", self.code.as_str());
        if let Some(detail) = &self.server {
            out = out
                .string("error", &detail.error)
                .optional("errorDescription", detail.description.as_deref())
                .optional("errorUri", detail.uri.as_deref())
                .number("status", u64::from(detail.status));
        }
        if self.request_sent {
            out = out.raw("requestSent", "true");
        }
        out.finish()
    }
}

/// Errors compare by code only, so tests do not depend on wording or detail.
impl PartialEq for Error {
    fn eq(&self, other: &Self) -> bool {
        self.code == other.code
    }
}

impl From<Code> for Error {
    fn from(code: Code) -> Self {
        Error::new(code)
    }
}

/// The result type of the core.
pub type Result<T> = core::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_snake_case_and_in_the_typescript_union() {
        let mut seen = std::collections::HashSet::new();
        for code in Code::ALL {
            let s = code.as_str();
            assert!(seen.insert(s), "duplicate code {s}");
            assert!(
                s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{s}"
            );
            assert!(
                TS_ERROR_CODE.contains(&format!("\"{s}\"")),
                "{s} missing from TS union"
            );
            assert!(!code.message().is_empty());
        }
        assert_eq!(TS_ERROR_CODE.matches(" | ").count(), Code::ALL.len());
    }

    #[test]
    fn to_json_carries_the_code_and_the_providers_words_as_data() {
        let detail = ServerDetail {
            error: "access_denied".into(),
            description: Some("<b>\"no\"</b>".into()),
            uri: None,
            status: 0,
        };
        let json = Error::server(Code::AccessDenied, detail).to_json();
        let v = crate::core::json::parse(&json).unwrap();
        assert_eq!(v.get("code").unwrap().as_str(), Some("access_denied"));
        assert_eq!(
            v.get("errorDescription").unwrap().as_str(),
            Some("<b>\"no\"</b>")
        );
        assert_eq!(v.get("errorUri"), None);
        let mut network = Error::new(Code::NetworkError);
        network.request_sent = true;
        assert!(network.to_json().ends_with(r#""requestSent":true}"#));
    }

    #[test]
    fn errors_compare_by_code_only() {
        let detail = ServerDetail {
            error: "x".into(),
            description: None,
            uri: None,
            status: 400,
        };
        assert_eq!(
            Error::server(Code::TokenError, detail),
            Error::new(Code::TokenError)
        );
        assert_ne!(
            Error::new(Code::StateMismatch),
            Error::new(Code::IssMismatch)
        );
    }
}
