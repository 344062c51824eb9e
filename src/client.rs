//! The driver between the sans-IO core and the browser shell: it feeds the core what
//! happened (a callback URL, a response, "now") and performs what the core asks for (send
//! this request, store this pending request, clean the address bar).

use alloc::string::String;
use alloc::borrow::ToOwned;
use alloc::vec::Vec;
use alloc::vec;

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
use crate::core::token::{FormPost, TokenSet, build_code_exchange, process_token_response};
use crate::web::{http, page, random, storage};

/// Tolerated clock difference for ID-token times, in seconds.
const CLOCK_SKEW_SECONDS: u64 = 60;

/// One configured client: its settings, the provider's metadata, and the session once
/// logged in.
pub struct Client {
    config: Config,
    metadata: Metadata,
    session: Option<Session>,
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
    /// Checks the configuration and obtains the metadata: given directly, or fetched from
    /// the provider's well-known document.
    pub async fn create(config_json: &str) -> Result<Client> {
        let mut config = Config::parse(config_json)?;
        let metadata = match config.metadata.take() {
            Some(metadata) => metadata,
            None => {
                let url = metadata_url(&config.issuer, config.well_known);
                let response = http::send(&url, None, config.timeout_ms).await?;
                if response.status != 200 {
                    return Err(Code::InvalidMetadata.into());
                }
                parse_metadata(&config.issuer, &response.body)?
            }
        };
        Ok(Client {
            config,
            metadata,
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
    /// address bar, takes the pending request (single use) and validates the response.
    /// The caller then sends [`Client::token_request`] and hands the answer to
    /// [`Client::finish_login`]; the split lets it await the network without holding the
    /// client borrowed.
    pub fn begin_redirect(&self, url: &str) -> Result<ValidatedCallback> {
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
        validate_callback(url, params, pending, &policy)
    }

    /// The token endpoint, the client id and the request timeout, for the code exchange.
    pub fn token_request(&self, callback: &ValidatedCallback) -> (FormPost, u32) {
        (
            build_code_exchange(
                &self.metadata.token_endpoint,
                &self.config.client_id,
                callback,
            ),
            self.config.timeout_ms,
        )
    }

    /// Checks the token response for `callback` and keeps the session.
    pub fn finish_login(
        &mut self,
        callback: ValidatedCallback,
        response: http::HttpResponse,
    ) -> Result<LoginResult> {
        let now = page::now();
        let pending = callback.pending;
        let tokens = process_token_response(now, response.status, &response.body, &pending.scope)?;
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
