//! The driver between the sans-IO core and the browser shell: it feeds the core what
//! happened (a callback URL, a response, "now") and performs what the core asks for (store
//! this pending request, clean the address bar). Requests to the provider are handed out as
//! [`Request`] values: the TypeScript wrapper sends them with `fetch` and hands the status
//! and body back, so the wasm side never awaits (an executor costs ~10 KB of wasm).

use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use crate::core::authorize::{
    AuthorizationInput, build_authorization_request, random_bytes_needed,
};
use crate::core::callback::{
    CallbackParams, CallbackPolicy, ValidatedCallback, strip_response_params, validate_callback,
};
use crate::core::config::Config;
use crate::core::discovery::{Metadata, metadata_url, parse_metadata};
use crate::core::error::{Code, Result};
use crate::core::id_token::{ClaimsPolicy, IdTokenClaims, check_id_token};
use crate::core::json::{self, Value};
use crate::core::pending::PendingAuthorization;
use crate::core::token::{TokenSet, build_code_exchange, process_token_response};
use crate::web::{page, random, storage};

/// Tolerated clock difference for ID-token times, in seconds.
const CLOCK_SKEW_SECONDS: u64 = 60;

/// One configured client: its settings, the provider's metadata, and the session once
/// logged in.
pub struct Client {
    config: Config,
    metadata: Metadata,
    /// The validated callback whose code exchange is in flight.
    exchange: Option<ValidatedCallback>,
    session: Option<Session>,
}

/// A request for the wrapper to send: a GET, or a form POST when `body` is given.
pub struct Request {
    /// The URL.
    pub url: String,
    /// The `application/x-www-form-urlencoded` body of a POST.
    ///
    /// # Security Warning
    /// Contains the code and verifier, or a refresh token.
    pub body: Option<String>,
    /// The time limit, in milliseconds.
    pub timeout_ms: u32,
}

/// What a completed login holds.
struct Session {
    tokens: TokenSet,
    claims: Option<IdTokenClaims>,
}

/// The outcome of a handled redirect, for the app.
pub struct LoginResult {
    /// Where the app wanted to go after login.
    pub return_to: Option<String>,
    /// The granted scope.
    pub scope: String,
}

impl Client {
    /// The discovery request to send before [`Client::create`], unless the configuration
    /// gives the metadata.
    pub fn discovery_request(config_json: &str) -> Result<Option<Request>> {
        let config = Config::parse(config_json)?;
        Ok(config.metadata.is_none().then(|| Request {
            url: metadata_url(&config.issuer, config.well_known),
            body: None,
            timeout_ms: config.timeout_ms,
        }))
    }

    /// Checks the configuration and takes the metadata: given directly, or the `(status,
    /// body)` answer to [`Client::discovery_request`].
    pub fn create(config_json: &str, discovery: Option<(u16, &str)>) -> Result<Client> {
        let mut config = Config::parse(config_json)?;
        let metadata = match (config.metadata.take(), discovery) {
            (Some(metadata), _) => metadata,
            (None, Some((200, body))) => parse_metadata(&config.issuer, body)?,
            (None, _) => return Err(Code::InvalidMetadata.into()),
        };
        Ok(Client {
            config,
            metadata,
            exchange: None,
            session: None,
        })
    }

    /// Builds the authorization URL and stores the pending request. `options_json` may give
    /// `returnTo` and `extraParams` (an object of string values).
    pub fn login(&self, options_json: &str) -> Result<String> {
        let options = json::parse(options_json)
            .and_then(Value::object)
            .ok_or(Code::InvalidConfig)?;
        let return_to = match options.get("returnTo") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.as_str()),
            Some(_) => return Err(Code::UnsafeReturnTo.into()),
        };
        let extra = match options.get("extraParams") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Object(members)) => members
                .iter()
                .map(|(k, v)| {
                    v.as_str()
                        .map(|v| (k.clone(), v.to_owned()))
                        .ok_or(Code::InvalidConfig)
                })
                .collect::<core::result::Result<_, _>>()?,
            Some(_) => return Err(Code::InvalidConfig.into()),
        };
        let mut fresh = vec![0u8; random_bytes_needed(self.config.verifier_len)];
        random::fill(&mut fresh)?;
        let input = AuthorizationInput {
            client_id: &self.config.client_id,
            redirect_uri: &self.config.redirect_uri,
            scope: &self.config.scope,
            return_to,
            extra: &extra,
            response_mode: self.config.response_mode,
            verifier_len: self.config.verifier_len,
        };
        let (url, pending) =
            build_authorization_request(&self.metadata, &input, &fresh, page::now())?;
        storage::set(
            &PendingAuthorization::storage_key(pending.state.expose()),
            &pending.encode(),
        )?;
        Ok(url)
    }

    /// First half of handling the redirect back from the provider at `url`: cleans the
    /// address bar, takes the pending request (single use), validates the response and
    /// returns the code exchange to send. Its answer goes to [`Client::finish_login`].
    pub fn begin_redirect(&mut self, url: &str) -> Result<Request> {
        let mode = self.config.response_mode;
        // specs §2: the response leaves the address bar first, whatever happens next.
        page::replace_url(&strip_response_params(url, mode))?;
        let params = CallbackParams::parse(url, mode)?;
        let key = PendingAuthorization::storage_key(params.state()?);
        let stored = storage::take(&key)?.ok_or(Code::StateMismatch)?;
        let pending = PendingAuthorization::decode(&stored)?;
        let policy = CallbackPolicy {
            now: page::now(),
            max_age: self.config.pending_max_age,
            iss_required: self.metadata.iss_parameter_supported,
        };
        let callback = validate_callback(url, params, pending, &policy)?;
        let post = build_code_exchange(
            &self.metadata.token_endpoint,
            &self.config.client_id,
            &callback,
        );
        self.exchange = Some(callback);
        Ok(Request {
            url: post.url,
            body: Some(post.body),
            timeout_ms: self.config.timeout_ms,
        })
    }

    /// Checks the token response (`status`, `body`) to the exchange that
    /// [`Client::begin_redirect`] started, and keeps the session.
    pub fn finish_login(&mut self, status: u16, body: &str) -> Result<LoginResult> {
        let now = page::now();
        let pending = self.exchange.take().ok_or(Code::InvalidCallback)?.pending;
        let tokens = process_token_response(now, status, body, &pending.scope)?;
        let claims = match (&tokens.id_token, &pending.nonce) {
            (Some(id_token), nonce) => Some(check_id_token(
                id_token.expose(),
                &ClaimsPolicy {
                    issuer: &self.metadata.issuer,
                    client_id: &self.config.client_id,
                    nonce: nonce.as_ref().map(|n| n.expose()),
                    now,
                    skew: CLOCK_SKEW_SECONDS,
                },
            )?),
            // OIDC Core §3.1.3.3: an openid request must get an ID token back.
            (None, Some(_)) => return Err(Code::InvalidTokenResponse.into()),
            (None, None) => None,
        };
        let result = LoginResult {
            return_to: pending.return_to,
            scope: tokens.scope.clone(),
        };
        self.session = Some(Session { tokens, claims });
        Ok(result)
    }

    /// The verified ID-token claims of the session, as JSON text.
    pub fn user(&self) -> Option<&str> {
        self.session
            .as_ref()?
            .claims
            .as_ref()
            .map(|c| c.json.as_str())
    }

    /// The access token, while it is not expired at `now`.
    ///
    /// # Security Warning
    /// This hands the bearer token to JavaScript: only for the app's own API calls.
    pub fn access_token(&self, now: u64) -> Result<&str> {
        let session = self.session.as_ref().ok_or(Code::LoginRequired)?;
        match session.tokens.expires_at {
            Some(at) if now >= at => Err(Code::TokenExpired.into()),
            _ => Ok(session.tokens.access_token.expose()),
        }
    }

    /// The granted scope of the session.
    pub fn granted_scope(&self) -> Option<&str> {
        self.session.as_ref().map(|s| s.tokens.scope.as_str())
    }
}
