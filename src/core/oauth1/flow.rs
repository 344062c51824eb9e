//! The three-legged OAuth 1.0a flow as sans-IO steps (RFC 5849 §2, specs §14.1).
//!
//! Each step either builds a request ([`temporary_credentials_request`], [`authorization_url`],
//! [`token_request`]) or checks what came back ([`process_temporary_credentials_response`],
//! [`validate_callback`], [`process_token_response`]). The driver sends, stores and redirects;
//! the steps decide. Every step that needs the time takes `now`, in seconds since the Unix
//! epoch, and every signed request takes a fresh [`Nonce`].

use alloc::string::String;
use alloc::vec::Vec;

use super::base_string;
use super::encode::{form_decode, push_encoded, single};
use super::request::{self, Consumer, Nonce, PreparedRequest, Protocol, Request};
use super::sign::TokenSecret;
use crate::core::decimal::{parse_u64, u64_to_string};
use crate::core::error::{Code, Error, Result, ServerDetail};
use crate::core::secret::constant_time_eq;
use crate::core::url::without_query_params;

/// How long a [`PendingRequest`] stays valid, in seconds: ten minutes, enough to log in and
/// approve at the provider (specs §14.1; design.md: the pending request is single use, with a
/// time limit). The same limit as the OAuth 2 pending request.
pub const PENDING_MAX_AGE: u64 = 600;

/// The default lifetime of token credentials, in seconds: 24 hours.
///
/// RFC 5849 gives token credentials no expiry and X's "do not expire but can be revoked by
/// the user" (specs §15), so they are bearer-like secrets that would live as long as the tab.
/// The app sets its own limit; after it, the user logs in again. Pass a shorter lifetime to
/// [`process_token_response`] when the app can.
pub const DEFAULT_TOKEN_LIFETIME: u64 = 24 * 60 * 60;

/// Step 1 (specs §14.1, §2.1): the temporary-credentials request, `POST` to `endpoint`.
///
/// `callback` is REQUIRED: the absolute http(s) URI of the app's callback page, else
/// `invalid_config`. §2.1 also allows `oob` (the user copies the verifier by hand), but a web
/// app always has a page to come back to, so this module does not offer that flow.
///
/// The request carries no token and is signed with the consumer secret and an empty token
/// secret: pass `None` to [`request::sign_with_secrets`]. The endpoint must be https (or http to
/// a loopback host; `insecure_transport`, Appendix A).
pub fn temporary_credentials_request(
    consumer: &Consumer,
    endpoint: &str,
    callback: &str,
    now: u64,
    nonce: Nonce,
) -> Result<PreparedRequest> {
    if base_string::parse_url(callback).is_err() {
        return Err(Code::InvalidConfig.into());
    }
    let protocol = Protocol {
        token: None,
        extra: Some(("oauth_callback", callback)),
        https_only: true,
    };
    request::prepare(consumer, &post(endpoint), protocol, now, nonce)
}

/// Step 1, response (specs §14.1, §2.1): checks the temporary-credentials response and makes
/// the [`PendingRequest`] to store, created at `now`.
///
/// `status` must be 200, or the error is `token_error` carrying the status and the provider's
/// `oauth_problem`, if any. The body must hold `oauth_token` (non-empty) and
/// `oauth_token_secret` exactly once each (`invalid_credentials_response`), and
/// `oauth_callback_confirmed` must be `true`: when absent, the server is older than 1.0a
/// (`callback_not_confirmed`).
pub fn process_temporary_credentials_response(
    status: u16,
    body: &str,
    now: u64,
) -> Result<PendingRequest> {
    let pairs = form_decode(body);
    let (token, secret) = read_credentials(status, &pairs)?;
    let confirmed = single(
        &pairs,
        "oauth_callback_confirmed",
        Code::InvalidCredentialsResponse,
    )?;
    if confirmed != Some(b"true".as_slice()) {
        return Err(Code::CallbackNotConfirmed.into());
    }
    Ok(PendingRequest {
        token,
        secret,
        created_at: now,
    })
}

/// Step 2 (specs §14.1, §2.2): the URL to send the user to, `endpoint` with
/// `oauth_token=<temporary token>` appended to any query it already has.
///
/// The endpoint must be https or loopback http (`insecure_transport`) and its query must not hold `oauth_*`
/// parameters (§2, `invalid_signing_request`).
pub fn authorization_url(endpoint: &str, pending: &PendingRequest) -> Result<String> {
    let parsed = base_string::parse_url(endpoint)?;
    if !parsed.is_secure_or_loopback() {
        return Err(Code::InsecureTransport.into());
    }
    if base_string::carries_protocol_parameters(&form_decode(parsed.query)) {
        return Err(Code::InvalidSigningRequest.into());
    }
    let (base, fragment) = match endpoint.split_once('#') {
        Some((base, fragment)) => (base, Some(fragment)),
        None => (endpoint, None),
    };
    let mut url = String::from(base);
    if !base.contains('?') {
        url.push('?');
    } else if !base.ends_with(['?', '&']) {
        url.push('&');
    }
    url.push_str("oauth_token=");
    push_encoded(&mut url, pending.token.as_bytes());
    if let Some(fragment) = fragment {
        url.push('#');
        url.push_str(fragment);
    }
    Ok(url)
}

/// The flow between the redirect to the provider and the callback, to store in sessionStorage
/// like the OAuth 2 pending request: single use ([`validate_callback`] consumes it; the driver
/// must *take* it out of storage, never just read it), with a time limit
/// ([`PENDING_MAX_AGE`]).
///
/// # Security Warning
/// It holds the temporary token secret, so [`PendingRequest::encode`] writes a secret to
/// sessionStorage. That secret is needed after the full-page redirect to sign the token
/// request. It is short-lived (the provider revokes it after one use, §2.3; we drop it after
/// [`PENDING_MAX_AGE`]), and is useless without the verifier from the callback and the consumer
/// secret, but script injected into the origin can read it during that window.
pub struct PendingRequest {
    /// The temporary `oauth_token`.
    token: String,
    /// The temporary `oauth_token_secret`.
    secret: TokenSecret,
    /// When the temporary credentials arrived, in seconds since the Unix epoch.
    created_at: u64,
}

impl PendingRequest {
    /// The temporary token, for example to key the stored record.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The sessionStorage key of the record for the temporary `token`: under the library's
    /// one prefix ([`STORAGE_PREFIX`]), beside the OAuth 2 pending requests, so that a wipe of
    /// the prefix covers both.
    pub fn storage_key(token: &str) -> String {
        let mut key = String::from(STORAGE_PREFIX);
        key.push_str(token);
        key
    }

    /// The record as a compact form-urlencoded string: `v=1&t=<token>&s=<secret>&c=<created_at>`,
    /// values §3.6-encoded.
    ///
    /// # Security Warning
    /// The string contains the temporary token secret; see [`PendingRequest`].
    pub fn encode(&self) -> String {
        let mut out = String::from("v=1&t=");
        push_encoded(&mut out, self.token.as_bytes());
        out.push_str("&s=");
        push_encoded(&mut out, self.secret.expose().as_bytes());
        out.push_str("&c=");
        out.push_str(&u64_to_string(self.created_at));
        out
    }

    /// Reads a record written by [`PendingRequest::encode`]. Anything else (another version;
    /// a missing, repeated or extra field; tampering) is refused as `temporary_token_mismatch`:
    /// it cannot be trusted to describe our request.
    pub fn decode(text: &str) -> Result<Self> {
        Self::read(text).ok_or_else(|| Code::TemporaryTokenMismatch.into())
    }

    /// When the stored record `text` was created, for pruning ([`crate::core::prune`]):
    /// its one `c` field, `None` when that is missing, repeated or not a number. Like the
    /// OAuth 2 `classify`, it reads nothing else: a record with a defect in another field
    /// still counts towards the bound and its time limit, and is refused when it is used.
    pub fn created_at_of(text: &str) -> Option<u64> {
        let mut created = None;
        for part in text.split('&') {
            if let Some(value) = part.strip_prefix("c=")
                && created.replace(value).is_some()
            {
                return None;
            }
        }
        parse_u64(created?)
    }

    /// The work of [`PendingRequest::decode`]: `None` for anything `encode` did not write.
    fn read(text: &str) -> Option<Self> {
        let pairs = form_decode(text);
        let field = |name| {
            single(&pairs, name, Code::TemporaryTokenMismatch)
                .ok()
                .flatten()
        };
        if pairs.len() != 4 || field("v")? != b"1" {
            return None;
        }
        let token = String::from_utf8(field("t")?.to_vec())
            .ok()
            .filter(|t| !t.is_empty())?;
        let secret = String::from_utf8(field("s")?.to_vec()).ok()?;
        let created_at = parse_u64(core::str::from_utf8(field("c")?).ok()?)?;
        Some(PendingRequest {
            token,
            secret: TokenSecret::new(secret),
            created_at,
        })
    }

    /// True when the record is older than [`PENDING_MAX_AGE`] at `now`, or claims to be from
    /// the future (a clock that went backwards is not trusted either way), like the OAuth 2
    /// pending request.
    fn is_expired(&self, now: u64) -> bool {
        now < self.created_at || now - self.created_at > PENDING_MAX_AGE
    }
}

/// The callback's `oauth_token`, to find the pending request with
/// ([`PendingRequest::storage_key`]) before [`validate_callback`] checks it against it.
///
/// Errors: `invalid_callback` (not an absolute http(s) URL, or no `oauth_token`),
/// `duplicate_parameter` (`oauth_token` twice).
pub fn callback_token(callback_url: &str) -> Result<String> {
    let query = base_string::parse_url(callback_url)
        .map_err(|_| Code::InvalidCallback)?
        .query;
    single(&form_decode(query), "oauth_token", Code::DuplicateParameter)?
        .and_then(|token| String::from_utf8(token.to_vec()).ok())
        .filter(|token| !token.is_empty())
        .ok_or_else(|| Code::InvalidCallback.into())
}

/// The callback URL without the response parameters (`oauth_token`, `oauth_verifier`), for
/// the address bar and history: specs §2 (the response leaves the URL first, whatever
/// happens next), applied to the OAuth 1.0a callback. Other query parameters, in order, and
/// the fragment stay.
pub fn strip_callback_params(callback_url: &str) -> String {
    without_query_params(callback_url, |name| {
        name == "oauth_token" || name == "oauth_verifier"
    })
}

/// Step 2, callback (specs §14.1, §2.2): checks the callback URL against the pending request
/// taken out of storage and decoded (`None` when there was none: unknown, already used, or
/// from another tab), at `now`.
///
/// Checks in this fixed order:
/// 1. `oauth_token` and `oauth_verifier` each appear at most once (`duplicate_parameter`);
/// 2. `oauth_token` is present (`invalid_callback`);
/// 3. a pending request exists and its temporary token equals the callback's, compared in
///    constant time (`temporary_token_mismatch`);
/// 4. the pending request is at most [`PENDING_MAX_AGE`] old and not from the future
///    (`pending_request_expired`);
/// 5. `oauth_verifier` is present and non-empty (`missing_verifier`).
///
/// The pending request is consumed whatever the outcome: a callback cannot be replayed.
pub fn validate_callback(
    pending: Option<PendingRequest>,
    callback_url: &str,
    now: u64,
) -> Result<ValidatedCallback> {
    let query = base_string::parse_url(callback_url)
        .map_err(|_| Code::InvalidCallback)?
        .query;
    let pairs = form_decode(query);
    let token = single(&pairs, "oauth_token", Code::DuplicateParameter)?;
    let verifier = single(&pairs, "oauth_verifier", Code::DuplicateParameter)?;
    let token = token.ok_or(Code::InvalidCallback)?;
    let pending = pending.ok_or(Code::TemporaryTokenMismatch)?;
    if !constant_time_eq(token, pending.token.as_bytes()) {
        return Err(Code::TemporaryTokenMismatch.into());
    }
    if pending.is_expired(now) {
        return Err(Code::PendingRequestExpired.into());
    }
    let verifier = verifier
        .and_then(|verifier| String::from_utf8(verifier.to_vec()).ok())
        .filter(|verifier| !verifier.is_empty())
        .ok_or(Code::MissingVerifier)?;
    Ok(ValidatedCallback {
        token: pending.token,
        secret: pending.secret,
        verifier,
    })
}

/// A callback that passed [`validate_callback`]; only it can start [`token_request`].
pub struct ValidatedCallback {
    /// The temporary token, equal to the callback's `oauth_token`.
    token: String,
    /// The temporary token secret, to sign the token request with.
    secret: TokenSecret,
    /// The `oauth_verifier` from the callback.
    verifier: String,
}

/// Step 3 (specs §14.1, §2.3): the token-credentials request, `POST` to `endpoint` with
/// `oauth_token` = the temporary token and `oauth_verifier`.
///
/// Returns the prepared request and the temporary secret to sign it with (with
/// [`request::sign_with_secrets`], or by the external signer). The endpoint must be https (or http to
/// a loopback host; `insecure_transport`, Appendix A).
pub fn token_request(
    consumer: &Consumer,
    endpoint: &str,
    callback: ValidatedCallback,
    now: u64,
    nonce: Nonce,
) -> Result<(PreparedRequest, TokenSecret)> {
    let protocol = Protocol {
        token: Some(&callback.token),
        extra: Some(("oauth_verifier", &callback.verifier)),
        https_only: true,
    };
    let prepared = request::prepare(consumer, &post(endpoint), protocol, now, nonce)?;
    Ok((prepared, callback.secret))
}

/// Step 3, response (specs §14.1, §2.3): checks the token-credentials response received at
/// `now` and sets the app's expiry, `now + lifetime` seconds ([`DEFAULT_TOKEN_LIFETIME`]
/// unless the app knows better).
///
/// `status` must be 200 (else `token_error`, with the status and any `oauth_problem`); the body
/// must hold `oauth_token` (non-empty) and `oauth_token_secret` exactly once each
/// (`invalid_credentials_response`).
pub fn process_token_response(
    status: u16,
    body: &str,
    now: u64,
    lifetime: u64,
) -> Result<TokenCredentials> {
    let (token, secret) = read_credentials(status, &form_decode(body))?;
    Ok(TokenCredentials {
        token,
        secret,
        expires_at: now.saturating_add(lifetime),
    })
}

/// The token credentials (§2.3): what signs requests to protected resources.
pub struct TokenCredentials {
    /// The `oauth_token`.
    pub token: String,
    /// The `oauth_token_secret`.
    pub secret: TokenSecret,
    /// When the app stops using them, in seconds since the Unix epoch (the protocol sets no
    /// expiry; see [`DEFAULT_TOKEN_LIFETIME`]).
    pub expires_at: u64,
}

impl TokenCredentials {
    /// Whether the app-set lifetime is over at `now`.
    pub fn is_expired(&self, now: u64) -> bool {
        now >= self.expires_at
    }
}

/// The sessionStorage key prefix of OAuth 1.0a pending requests, under the library's one
/// prefix.
pub const STORAGE_PREFIX: &str = "browser-oauth:oauth1:";

/// A `POST` without a body to `endpoint`: the credential requests of §2.1 and §2.3.
fn post(endpoint: &str) -> Request<'_> {
    Request {
        method: "POST",
        url: endpoint,
        form_body: None,
    }
}

/// The `oauth_token` and `oauth_token_secret` of a credentials response (§2.1, §2.3), after
/// checking the status.
fn read_credentials(status: u16, pairs: &[(Vec<u8>, Vec<u8>)]) -> Result<(String, TokenSecret)> {
    if status != 200 {
        return Err(server_error(status, pairs));
    }
    let text = |name| {
        let value = single(pairs, name, Code::InvalidCredentialsResponse)?;
        value
            .and_then(|value| String::from_utf8(value.to_vec()).ok())
            .ok_or_else(|| Error::new(Code::InvalidCredentialsResponse))
    };
    let token = text("oauth_token")?;
    let secret = text("oauth_token_secret")?;
    if token.is_empty() {
        return Err(Code::InvalidCredentialsResponse.into());
    }
    Ok((token, TokenSecret::new(secret)))
}

/// The provider refused a credentials request: `token_error` with the HTTP status and the
/// `oauth_problem` of the OAuth Problem Reporting extension when there is one (else empty).
fn server_error(status: u16, pairs: &[(Vec<u8>, Vec<u8>)]) -> Error {
    // Kept only when it is UTF-8: a lossy conversion would add about 1 KB of wasm for a
    // value that is only ever shown as text.
    let problem = single(pairs, "oauth_problem", Code::TokenError)
        .ok()
        .flatten()
        .and_then(|problem| String::from_utf8(problem.to_vec()).ok())
        .unwrap_or_default();
    let detail = ServerDetail {
        error: problem,
        description: None,
        uri: None,
        status,
    };
    Error::server(Code::TokenError, detail)
}
