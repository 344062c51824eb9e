//! The driver between the sans-IO core and the browser shell: it feeds the core what
//! happened (a callback URL, a response, a WebCrypto verdict, a timer, "now") and performs
//! what it asks for (store this pending request, clean the address bar, arm this timer).
//!
//! Network requests and WebCrypto calls are handed to the TypeScript wrapper as [`Step`]s,
//! so the wasm side never awaits (an executor costs ~10 KB of wasm). An operation (the code
//! exchange, a refresh) runs as a loop in the wrapper: perform the step, hand the answer to
//! [`Client::resume`], until the step is `done`. After every call the driver re-arms the one
//! session timer for the core's earliest deadline.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use crate::core::authorize::{
    AuthorizationInput, build_authorization_request, random_bytes_needed,
};
use crate::core::base64url;
use crate::core::callback::{
    CallbackParams, CallbackPolicy, ValidatedCallback, strip_response_params, validate_callback,
};
use crate::core::config::Config;
use crate::core::discovery::{Metadata, metadata_url, parse_metadata};
use crate::core::error::{Code, Error, Result};
use crate::core::id_token::{ClaimsPolicy, IdTokenClaims, check_id_token};
use crate::core::json::{self, ObjectWriter, Value};
use crate::core::jws::{KeyStep, SignatureCheck};
use crate::core::logout::{Logout, LogoutInput, LogoutState, Next};
use crate::core::pending::{self, KEY_PREFIX, PendingAuthorization, ResponseMode, Stored};
use crate::core::prune::{self, MAX_PENDING};
use crate::core::resource;
use crate::core::security::{self, Phase, SecurityEvent};
use crate::core::session::{Access, RefreshOutcome, Session, timer_delay_ms};
use crate::core::silent;
use crate::core::token::{
    FormPost, TokenSet, TokenTypes, build_code_exchange, process_token_response_as,
};
use crate::core::url::{Url, find_pair, parse_unique_pairs};
use crate::core::userinfo::{process_userinfo_response, userinfo_endpoint};
use crate::web::timer::Timer;
use crate::web::{page, random, storage};

#[cfg(feature = "dpop")]
mod dpop;

/// One configured client: its settings, the provider's metadata, the session, the
/// operation in progress and the session timer.
pub struct Client {
    config: Config,
    metadata: Metadata,
    session: Session,
    op: Op,
    /// The provider's JWKS document, once fetched.
    jwks: Option<String>,
    /// The logout in progress, with its `(local, end_session)` options.
    logout: Option<(Box<Logout>, bool, bool)>,
    /// Refusals since the last [`Client::events`], for the `security` event.
    security: Vec<SecurityEvent>,
    timer: Timer,
    /// DPoP and persistence (the `dpop` build only).
    #[cfg(feature = "dpop")]
    ext: dpop::State,
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

/// What the wrapper must do next for the operation in progress, as JSON: `{"send":
/// request, "lock"?: name}` (answer with the status, body and `Retry-After`; status 0 for
/// no answer), `{"verify": plan}` (answer 1 when WebCrypto verifies, else 0), `{"sleep":
/// ms}` (answer anything after waiting), `{"broadcast": message}` (post it to the other tabs
/// of this client, answer anything), or `{"done": result}`.
pub struct Step(String);

impl Step {
    fn send(request: Request, lock: Option<&str>) -> Step {
        let out = ObjectWriter::default().raw("send", &request.to_json());
        Step(
            match lock {
                Some(name) => out.string("lock", name),
                None => out,
            }
            .finish(),
        )
    }

    fn done(result: &str) -> Step {
        Step(ObjectWriter::default().raw("done", result).finish())
    }

    /// The JSON text.
    pub fn into_json(self) -> String {
        self.0
    }
}

impl Request {
    /// The request as JSON `{"url","body"?,"timeoutMs"}`.
    pub fn to_json(&self) -> String {
        ObjectWriter::default()
            .string("url", &self.url)
            .optional("body", self.body.as_deref())
            .number("timeoutMs", u64::from(self.timeout_ms))
            .finish()
    }
}

/// The operation in progress: what the next answer from the wrapper is for.
enum Op {
    Idle,
    /// The code exchange is out.
    Exchange(ValidatedCallback),
    /// A refresh grant is out.
    Refresh,
    /// Waiting before the next refresh attempt.
    Backoff,
    /// The JWKS request is out, for this ID token.
    Keys(Box<Candidate>),
    /// WebCrypto is verifying this ID token's signature.
    Verify(Box<Candidate>),
    /// A logout step (a revocation request, or the broadcast to other tabs) is out.
    Logout,
}

/// Tokens whose ID token passed its claims checks and awaits its signature check.
struct Candidate {
    tokens: TokenSet,
    claims: IdTokenClaims,
    check: SignatureCheck,
    /// `Some(returnTo)` for a login, `None` for a refresh.
    login: Option<Option<String>>,
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
    /// body)` answer to [`Client::discovery_request`]. `wake` is called when the session
    /// timer fires and when the page becomes visible or focused again.
    pub fn create(
        config_json: &str,
        discovery: Option<(u16, &str)>,
        wake: js_sys::Function,
    ) -> Result<Client> {
        let mut config = Config::parse(config_json)?;
        #[cfg_attr(not(feature = "dpop"), allow(unused_mut))]
        let mut session = Session::new(config.session, &config.scope);
        #[cfg(feature = "dpop")]
        session.set_token_types(config.token_types);
        let metadata = match (config.metadata.take(), discovery) {
            (Some(metadata), _) => metadata,
            (None, Some((200, body))) => parse_metadata(&config.issuer, body)?,
            (None, Some((0, _))) => return Err(Code::NetworkError.into()),
            (None, _) => return Err(Code::InvalidMetadata.into()),
        };
        Ok(Client {
            #[cfg(feature = "dpop")]
            ext: dpop::State::new(&config),
            session,
            config,
            metadata,
            op: Op::Idle,
            jwks: None,
            logout: None,
            security: Vec::new(),
            timer: Timer::new(wake),
        })
    }

    /// Builds the authorization URL and stores the pending request. `options_json` may give
    /// `returnTo` and `extraParams` (an object of string values).
    pub fn login(&mut self, options_json: &str) -> Result<String> {
        let result = self.build_login(options_json);
        self.report(Phase::Config, result)
    }

    fn build_login(&self, options_json: &str) -> Result<String> {
        let options = json::parse(options_json)
            .and_then(Value::object)
            .ok_or(Code::InvalidConfig)?;
        let return_to = match options.get("returnTo") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.as_str()),
            Some(_) => return Err(Code::UnsafeReturnTo.into()),
        };
        // Borrowed from the options, and a plain loop rather than `collect::<Result<..>>`.
        let mut extra = Vec::new();
        match options.get("extraParams") {
            None | Some(Value::Null) => {}
            Some(Value::Object(members)) => {
                for (name, value) in members {
                    extra.push((name.as_str(), value.as_str().ok_or(Code::InvalidConfig)?));
                }
            }
            Some(_) => return Err(Code::InvalidConfig.into()),
        }
        // RFC 9449 §10: the code is bound to the DPoP key.
        #[cfg(feature = "dpop")]
        if let Some(jkt) = self.dpop_jkt() {
            // The app cannot bind the code to another key.
            if extra.iter().any(|(name, _)| *name == "dpop_jkt") {
                return Err(Code::InvalidConfig.into());
            }
            extra.push(("dpop_jkt", jkt));
        }
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
        let now = page::now();
        let (url, pending) = build_authorization_request(&self.metadata, &input, &fresh, now)?;
        let key = PendingAuthorization::storage_key(pending.state.expose());
        let record = pending.encode();
        // Bounded storage (issue 11 item 13): room for this one among the newest others.
        self.prune_pending(now, MAX_PENDING - 1);
        if storage::set(&key, &record).is_err() {
            // Full: our own older pending requests go first, then one more try.
            self.prune_pending(now, 0);
            storage::set(&key, &record)?;
        }
        Ok(url)
    }

    /// Removes expired and unreadable pending requests, then the oldest until at most
    /// `keep` remain. Requests another client of this origin made (another issuer) are left
    /// to that client. Storage that cannot be read or written is left as it is: pruning
    /// never fails the operation it runs in.
    fn prune_pending(&self, now: u64, keep: usize) {
        let mut prefix = String::from(KEY_PREFIX);
        prefix.push_str("pending:");
        // Plain loops: iterator adapters over owned strings cost wasm size here.
        let mut records = Vec::new();
        for key in storage::keys_with_prefix(&prefix) {
            let stored =
                storage::get(&key).map(|text| pending::classify(&text, &self.metadata.issuer));
            let created = match stored {
                Some(Stored::OtherIssuer) => continue,
                Some(Stored::Ours(at)) => Some(at),
                Some(Stored::Unreadable) | None => None,
            };
            records.push((key, created));
        }
        for key in prune::to_prune(records, now, self.config.pending_max_age, keep) {
            storage::remove(&key);
        }
    }

    /// Starts handling the redirect back from the provider at `url`: cleans the address
    /// bar, takes the pending request (single use), validates the response and returns the
    /// code exchange to send.
    pub fn begin_redirect(&mut self, url: &str) -> Result<Step> {
        // specs §2: the response leaves the address bar first, whatever happens next.
        let result = page::replace_url(&strip_response_params(url, self.config.response_mode))
            .and_then(|()| self.check_redirect(url));
        if let Err(error) = self.report(Phase::Callback, result) {
            // The provider has no session for a `prompt=none` request: an outcome, not an error.
            return Ok(Step::done(silent::not_signed_in(&error).ok_or(error)?));
        }
        self.exchange_code()
    }

    /// Checks the redirect back at `url` (state, `iss`, single use, time limit) and holds
    /// the validated code for [`Client::exchange_code`]. Touches neither the address bar
    /// nor the network.
    pub fn validate_redirect(&mut self, url: &str) -> Result<()> {
        let result = self.check_redirect(url);
        self.report(Phase::Callback, result)
    }

    fn check_redirect(&mut self, url: &str) -> Result<()> {
        let params = CallbackParams::parse(url, self.config.response_mode)?;
        let key = PendingAuthorization::storage_key(params.state()?);
        let stored = storage::take(&key)?.ok_or(Code::StateMismatch)?;
        // Expired requests of other logins go too (issue 11 item 13).
        self.prune_pending(page::now(), MAX_PENDING);
        let pending = PendingAuthorization::decode(&stored)?;
        // RFC 9700 §4.4.2: a response to a request sent to another issuer (another client
        // of this origin sharing the redirect URI) never reaches this token endpoint.
        if pending.issuer != self.metadata.issuer {
            return Err(Code::IssMismatch.into());
        }
        let policy = CallbackPolicy {
            now: page::now(),
            max_age: self.config.pending_max_age,
            iss_required: self.metadata.iss_parameter_supported,
        };
        self.op = Op::Exchange(validate_callback(url, params, pending, &policy)?);
        Ok(())
    }

    /// The first step of the code exchange for the callback [`Client::validate_redirect`]
    /// holds.
    pub fn exchange_code(&self) -> Result<Step> {
        let Op::Exchange(callback) = &self.op else {
            return Err(Code::InvalidCallback.into());
        };
        let post = build_code_exchange(
            &self.metadata.token_endpoint,
            &self.config.client_id,
            callback,
        );
        self.token_send(post, None)
    }

    /// Starts a refresh (the wrapper keeps it single flight and calls this once per round):
    /// the refresh grant to send under the cross-tab lock, or `done` at once if one is
    /// already under way.
    pub fn start_refresh(&mut self) -> Result<Step> {
        let started = self.session.start_refresh(
            page::now(),
            &self.metadata.token_endpoint,
            &self.config.client_id,
        );
        self.rearm();
        match started? {
            Some(post) => {
                self.op = Op::Refresh;
                self.refresh_step(post)
            }
            None => Ok(Step::done("{}")),
        }
    }

    /// Hands the answer to the last step to the core and returns the next step. For a
    /// `send`: `status` (0 for none), `body` and the `Retry-After` header; for a `verify`:
    /// `status` 1 when the signature verified.
    pub fn resume(&mut self, status: u16, body: &str, retry_after: Option<&str>) -> Result<Step> {
        // Taken out: a failed step leaves no operation behind.
        let op = core::mem::replace(&mut self.op, Op::Idle);
        let phase = match &op {
            Op::Exchange(_) => Phase::Token,
            Op::Idle | Op::Refresh | Op::Backoff => Phase::Refresh,
            Op::Keys(_) | Op::Verify(_) => Phase::IdToken,
            Op::Logout => Phase::Logout,
        };
        let step = self.advance(op, status, body, retry_after);
        self.rearm();
        self.report(phase, step)
    }

    /// Queues a security event when `result` is a refusal met in `phase` (see
    /// `core::security::classify`), and passes `result` on.
    fn report<T>(&mut self, phase: Phase, result: Result<T>) -> Result<T> {
        if let Err(error) = &result {
            self.note(phase, error.code);
        }
        result
    }

    /// Queues the security event for a failure with `code` in `phase`, if it is a refusal.
    #[inline(never)]
    fn note(&mut self, phase: Phase, code: Code) {
        if let Some(phase) = security::classify(code, phase) {
            self.security.push(SecurityEvent {
                code,
                phase,
                time: page::now(),
            });
        }
    }

    fn advance(
        &mut self,
        op: Op,
        status: u16,
        body: &str,
        retry_after: Option<&str>,
    ) -> Result<Step> {
        let now = page::now();
        match op {
            Op::Idle => Err(Code::LoginRequired.into()),
            Op::Exchange(callback) => {
                // RFC 9449 §8: one retry with the token endpoint's nonce.
                #[cfg(feature = "dpop")]
                if self.token_nonce_retry(status, body) {
                    self.op = Op::Exchange(callback);
                    return self.exchange_code();
                }
                let pending = callback.pending;
                let tokens = process_token_response_as(
                    now,
                    status,
                    body,
                    &pending.scope,
                    self.token_types(),
                )?;
                let nonce = pending.nonce.as_ref().map(|n| n.expose());
                let Some(id_token) = &tokens.id_token else {
                    // OIDC Core §3.1.3.3: an openid request must get an ID token back.
                    if nonce.is_some() {
                        return Err(Code::InvalidTokenResponse.into());
                    }
                    self.session.start(now, tokens, None)?;
                    return Ok(login_done(pending.return_to.as_deref(), &self.session));
                };
                let claims = check_id_token(id_token.expose(), &self.claims_policy(nonce, now))?;
                let check = SignatureCheck::new(id_token.expose())?;
                self.keys_step(Box::new(Candidate {
                    tokens,
                    claims,
                    check,
                    login: Some(pending.return_to),
                }))
            }
            Op::Refresh => {
                #[cfg(feature = "dpop")]
                if self.token_nonce_retry(status, body) {
                    return self.refresh_again();
                }
                let mut jitter = [0u8; 4];
                // Jitter is not a secret: without randomness the backoff is merely regular.
                let _ = random::fill(&mut jitter);
                match self.session.handle_refresh_response(
                    now,
                    status,
                    body,
                    retry_after,
                    u32::from_le_bytes(jitter),
                ) {
                    RefreshOutcome::Received(tokens) => self.refreshed(now, tokens),
                    RefreshOutcome::Retry { delay_ms } => {
                        self.op = Op::Backoff;
                        Ok(Step(
                            ObjectWriter::default()
                                .number("sleep", u64::from(delay_ms))
                                .finish(),
                        ))
                    }
                    RefreshOutcome::Failed(error) => Err(error),
                }
            }
            Op::Backoff => {
                let post = self
                    .session
                    .retry_refresh(&self.metadata.token_endpoint, &self.config.client_id)
                    .ok_or(Code::LoginRequired)?;
                self.op = Op::Refresh;
                self.refresh_step(post)
            }
            Op::Logout => {
                if let Some((plan, ..)) = self.logout.as_mut() {
                    plan.handle_revocation(status);
                }
                self.logout_step()
            }
            Op::Keys(candidate) => {
                if status != 200 {
                    let code = if status == 0 {
                        Code::NetworkError
                    } else {
                        Code::InvalidMetadata
                    };
                    return Err(self.fail(&candidate, code));
                }
                self.jwks = Some(body.into());
                self.keys_step(candidate)
            }
            Op::Verify(candidate) => {
                if status != 1 {
                    return Err(self.fail(&candidate, Code::IdTokenSignatureInvalid));
                }
                let Candidate {
                    tokens,
                    claims,
                    login,
                    ..
                } = *candidate;
                match login {
                    Some(return_to) => {
                        self.session.start(now, tokens, Some(claims))?;
                        Ok(login_done(return_to.as_deref(), &self.session))
                    }
                    None => {
                        self.session.commit_refresh(now, tokens, Some(claims))?;
                        Ok(Step::done("{}"))
                    }
                }
            }
        }
    }

    /// Refreshed tokens: check a new ID token (same issuer and client, not expired; the
    /// nonce belongs to the login only), or commit them as they are.
    fn refreshed(&mut self, now: u64, tokens: TokenSet) -> Result<Step> {
        let Some(id_token) = &tokens.id_token else {
            self.session.commit_refresh(now, tokens, None)?;
            return Ok(Step::done("{}"));
        };
        let checked = check_id_token(id_token.expose(), &self.claims_policy(None, now))
            .and_then(|claims| Ok((claims, SignatureCheck::new(id_token.expose())?)));
        match checked {
            Ok((claims, check)) => self.keys_step(Box::new(Candidate {
                tokens,
                claims,
                check,
                login: None,
            })),
            // The old refresh token is spent: the session cannot go on.
            Err(error) => Err(self.session.end(error.code)),
        }
    }

    /// Asks for the JWKS or for the WebCrypto verification of the candidate's ID token.
    fn keys_step(&mut self, mut candidate: Box<Candidate>) -> Result<Step> {
        match candidate.check.with_keys(self.jwks.as_deref()) {
            Ok(KeyStep::FetchJwks) => {
                let Some(url) = self.metadata.jwks_uri.clone() else {
                    return Err(self.fail(&candidate, Code::InvalidMetadata));
                };
                self.op = Op::Keys(candidate);
                Ok(Step::send(
                    Request {
                        url,
                        body: None,
                        timeout_ms: self.config.timeout_ms,
                    },
                    None,
                ))
            }
            Ok(KeyStep::Verify(plan)) => {
                self.op = Op::Verify(candidate);
                Ok(Step(ObjectWriter::default().raw("verify", &plan).finish()))
            }
            Err(error) => {
                // A JWKS that did not parse is not kept: the next ID token fetches it again.
                if error.code == Code::InvalidMetadata {
                    self.jwks = None;
                }
                Err(self.fail(&candidate, error.code))
            }
        }
    }

    /// A refused ID token: a login just fails; a refresh ends the session, since the old
    /// refresh token was spent on the refused response.
    fn fail(&mut self, candidate: &Candidate, code: Code) -> Error {
        if candidate.login.is_some() {
            code.into()
        } else {
            self.session.end(code)
        }
    }

    /// Logs out (issue 5; order in `core::logout`). `options_json` may give `local` (no
    /// network, and so no redirect either), `endSession` (then redirect to the provider's
    /// end-session endpoint) and `idTokenHint` (default true). The wrapper calls this once a
    /// refresh in flight has landed; the tokens leave the session first, so the timer stops
    /// and every accessor fails at once; the plan then revokes, wipes, clears storage and
    /// broadcasts.
    pub fn logout(&mut self, options_json: &str) -> Result<Step> {
        let result = self.start_logout(options_json);
        self.report(Phase::Logout, result)
    }

    fn start_logout(&mut self, options_json: &str) -> Result<Step> {
        let options = json::parse(options_json)
            .and_then(Value::object)
            .ok_or(Code::InvalidConfig)?;
        let flag = |name: &str| match options.get(name) {
            None | Some(Value::Null) => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(_) => Err(Code::InvalidConfig),
        };
        let (local, end_session) = (flag("local")?, flag("endSession")?);
        let hint = match options.get("idTokenHint") {
            None | Some(Value::Null) => true,
            Some(Value::Bool(b)) => *b,
            Some(_) => return Err(Code::InvalidConfig.into()),
        };
        // The wrapper lets a refresh in flight land first (its rotated refresh token is the
        // one to revoke); an answer that still came later would find no operation.
        self.op = Op::Idle;
        let tokens = self.session.take_tokens();
        self.rearm();
        let mut input = self.logout_input(local, end_session);
        input.id_token_hint = hint;
        let plan = Logout::new(tokens, &input);
        self.logout = Some((Box::new(plan), local, end_session));
        self.logout_step()
    }

    /// A message claiming to be the login popup's answer came from another window or origin
    /// and was ignored: queue its security event.
    pub fn untrusted_popup_message(&mut self) {
        self.note(Phase::Callback, Code::UntrustedPopupMessage);
    }

    /// Another tab of this client logged out: take the tokens out, revoke them (each tab
    /// holds its own), clear storage, and emit `logout` if a session was held. Returns the
    /// first step of that plan ([`Logout::follow`]: no broadcast, no redirect).
    pub fn remote_logout(&mut self) -> Result<Step> {
        self.op = Op::Idle;
        let tokens = self.session.take_tokens();
        self.rearm();
        let plan = Logout::follow(tokens, &self.logout_input(false, false));
        self.logout = Some((Box::new(plan), false, false));
        let result = self.logout_step();
        self.report(Phase::Logout, result)
    }

    /// Validates the provider's redirect back after RP-initiated logout at `url`: it must be
    /// the configured post-logout redirect URI and carry the `state` this tab stored (single
    /// use, with the pending-request time limit). The state leaves the address bar first.
    pub fn handle_logout_redirect(&mut self, url: &str) -> Result<()> {
        let result = self.check_logout_redirect(url);
        self.report(Phase::Logout, result)
    }

    fn check_logout_redirect(&mut self, url: &str) -> Result<()> {
        let expected = self
            .config
            .post_logout_redirect_uri
            .as_ref()
            .ok_or(Code::InvalidConfig)?;
        page::replace_url(&strip_response_params(url, ResponseMode::Query))?;
        if !expected.matches_callback(url) {
            return Err(Code::RedirectUriMismatch.into());
        }
        let query = Url::parse(url).and_then(|u| u.query).unwrap_or("");
        let pairs = parse_unique_pairs(query)?;
        let state = find_pair(&pairs, "state").ok_or(Code::MissingState)?;
        let record = storage::take(&LogoutState::storage_key(state))?;
        LogoutState::check(
            record.as_deref(),
            state,
            page::now(),
            self.config.pending_max_age,
        )
    }

    /// Runs the logout plan up to its next step for the wrapper.
    fn logout_step(&mut self) -> Result<Step> {
        loop {
            let (plan, local, end_session) = self.logout.as_mut().ok_or(Code::LoginRequired)?;
            match plan.poll() {
                Next::Revoke(post) => {
                    self.op = Op::Logout;
                    let mut request = self.post(post);
                    // Best effort: logout does not wait long for the provider.
                    request.timeout_ms = request.timeout_ms.min(LOGOUT_TIMEOUT_MS);
                    return Ok(Step::send(request, None));
                }
                Next::ClearStorage => storage::remove_prefixed(KEY_PREFIX),
                Next::Broadcast => {
                    self.op = Op::Logout;
                    return Ok(Step(
                        ObjectWriter::default()
                            .string("broadcast", "logout")
                            .finish(),
                    ));
                }
                Next::Finish => {
                    let (local, end_session) = (*local, *end_session);
                    let Some((plan, ..)) = self.logout.take() else {
                        return Err(Code::LoginRequired.into());
                    };
                    if plan.is_followed() {
                        if plan.held_tokens() {
                            self.session.logged_out(true);
                        }
                        return Ok(Step::done(&plan.result_json(None)));
                    }
                    // The local logout is complete whatever happens to the redirect: the
                    // `logout` event goes out first, then a failure to prepare it is reported.
                    let redirect = self.end_session_redirect(&plan, local, end_session);
                    self.session.logged_out(false);
                    return Ok(Step::done(&plan.result_json(redirect?.as_deref())));
                }
            }
        }
    }

    /// The RP-initiated logout URL, when the app asked for it and the provider has an
    /// end-session endpoint; its fresh `state` is stored (single use) only when the URL
    /// carries it, that is when a `postLogoutRedirectUri` is configured.
    fn end_session_redirect(
        &self,
        plan: &Logout,
        local: bool,
        end_session: bool,
    ) -> Result<Option<String>> {
        let input = self.logout_input(local, end_session);
        let mut bytes = [0u8; 32];
        let carries_state = input.post_logout_redirect_uri.is_some();
        if carries_state {
            random::fill(&mut bytes)?;
        }
        let state = base64url::encode(&bytes);
        let url = plan.end_session_url(&input, &state);
        if url.is_some() && carries_state {
            storage::set(
                &LogoutState::storage_key(&state),
                &LogoutState::encode(&state, page::now()),
            )?;
        }
        Ok(url)
    }

    fn logout_input(&self, local: bool, end_session: bool) -> LogoutInput<'_> {
        LogoutInput {
            revocation_endpoint: self.metadata.revocation_endpoint.as_deref(),
            end_session_endpoint: self.metadata.end_session_endpoint.as_deref(),
            client_id: &self.config.client_id,
            post_logout_redirect_uri: self
                .config
                .post_logout_redirect_uri
                .as_ref()
                .map(|uri| uri.as_str()),
            local,
            end_session,
            id_token_hint: true,
        }
    }

    /// A timer fired or the page woke up: emits due events; true when an automatic refresh
    /// should start now.
    pub fn tick(&mut self) -> bool {
        let due = self.session.handle_timeout(page::now());
        self.rearm();
        due
    }

    /// The access token (renew on read): `None` means refresh first, then read again with
    /// `may_refresh` false.
    ///
    /// # Security Warning
    /// This hands the bearer token to JavaScript: only for the app's own API calls.
    pub fn access_token(&mut self, may_refresh: bool) -> Result<Option<String>> {
        let now = page::now();
        // The clock is checked on every read: events that a late timer missed fire now.
        self.session.handle_timeout(now);
        self.rearm();
        Ok(match self.session.access_token(now, may_refresh)? {
            Access::Token(token) => Some(token.into()),
            Access::RefreshFirst => None,
        })
    }

    /// Whether `client.fetch` may send the token to `origin` (specs §4: never to another);
    /// a refusal is a security event.
    pub fn origin_allowed(&mut self, origin: &str) -> bool {
        let allowed = resource::origin_allowed(&self.config.allowed_origins, origin);
        if !allowed {
            self.note(Phase::Config, Code::OriginNotAllowed);
        }
        allowed
    }

    /// The events since the last call, as a JSON array: the session's, then the security
    /// events; `None` when there is none (most calls), so that nothing crosses to JS. No event
    /// carries a token, a code, a state or a response.
    pub fn events(&mut self) -> Option<String> {
        let mut out = String::from("[");
        // A landing page (`landing` feature) holds no session, so it has no session events.
        #[cfg(not(feature = "landing"))]
        for event in self.session.poll_events() {
            if out.len() > 1 {
                out.push(',');
            }
            out.push_str(&event.to_json());
        }
        let security = core::mem::take(&mut self.security);
        security::push_events(&mut out, &security, &self.metadata.issuer);
        if out.len() == 1 {
            return None;
        }
        out.push(']');
        Some(out)
    }

    /// The verified ID-token claims of the session, as JSON text.
    pub fn user(&self) -> Option<&str> {
        self.session.user()
    }

    /// The granted scope of the session.
    pub fn granted_scope(&self) -> Option<&str> {
        self.session.granted_scope()
    }

    /// When the session's access token expires (seconds since the epoch), if known.
    pub fn expires_at(&self) -> Option<u64> {
        self.session.expires_at()
    }

    /// Whether a user is signed in with tokens that still work (checked against the clock
    /// now, without reading the token).
    pub fn is_authenticated(&mut self) -> bool {
        let now = page::now();
        self.session.handle_timeout(now);
        self.rearm();
        self.session.is_authenticated(now)
    }

    /// The UserInfo endpoint to send the access token to, once the session has an ID token
    /// to compare the answer with.
    pub fn userinfo_endpoint(&self) -> Result<&str> {
        userinfo_endpoint(
            self.metadata.userinfo_endpoint.as_deref(),
            self.session.granted_scope().is_some(),
            self.session.subject(),
        )
    }

    /// Checks the UserInfo answer against the session's ID token (`Ok`: its body may be
    /// used). A refused answer is also a security event.
    pub fn userinfo(&mut self, status: u16, content_type: Option<&str>, body: &str) -> Result<()> {
        let result = match self.session.subject() {
            Some(expected) => process_userinfo_response(status, content_type, body, expected),
            None => Err(Code::UserinfoUnavailable.into()),
        };
        self.report(Phase::Userinfo, result)
    }

    fn claims_policy<'a>(&'a self, nonce: Option<&'a str>, now: u64) -> ClaimsPolicy<'a> {
        ClaimsPolicy {
            issuer: &self.metadata.issuer,
            client_id: &self.config.client_id,
            nonce,
            now,
            skew: self.config.clock_skew,
            trusted_audiences: &self.config.trusted_audiences,
        }
    }

    fn post(&self, post: FormPost) -> Request {
        Request {
            url: post.url,
            body: Some(post.body),
            timeout_ms: self.config.timeout_ms,
        }
    }

    /// A refresh grant, sent under a Web Lock named for this issuer and client. Each tab holds
    /// its own refresh token, but a provider may issue them all from one grant (the user's
    /// session there), and refreshes of one grant racing each other can look like reuse
    /// (RFC 9700 §4.14.2): with the lock the tabs of this origin take turns.
    fn refresh_step(&self, post: FormPost) -> Result<Step> {
        let mut lock = String::from("browser-oauth:refresh ");
        lock.push_str(&self.config.client_id);
        lock.push(' ');
        lock.push_str(&self.metadata.issuer);
        self.token_send(post, Some(&lock))
    }

    /// A token endpoint request (the `dpop` build adds the DPoP proof: `client::dpop`).
    #[cfg(not(feature = "dpop"))]
    fn token_send(&self, post: FormPost, lock: Option<&str>) -> Result<Step> {
        Ok(Step::send(self.post(post), lock))
    }

    /// The token types a token response may have: DPoP-bound ones only in the `dpop` build
    /// with DPoP on.
    fn token_types(&self) -> TokenTypes {
        #[cfg(feature = "dpop")]
        return self.config.token_types;
        #[cfg(not(feature = "dpop"))]
        TokenTypes::Bearer
    }

    /// Arms the one timer for the session's earliest deadline.
    fn rearm(&mut self) {
        let now_ms = js_sys::Date::now() as u64;
        let delay = self
            .session
            .poll_timeout()
            .map(|deadline| timer_delay_ms(deadline, now_ms));
        self.timer.arm(delay);
    }
}

/// The longest a logout waits for each revocation, in milliseconds.
const LOGOUT_TIMEOUT_MS: u32 = 5_000;

/// The result of a login: `{"returnTo"?, "scope"}`.
fn login_done(return_to: Option<&str>, session: &Session) -> Step {
    Step::done(
        &ObjectWriter::default()
            .optional("returnTo", return_to)
            .string("scope", session.granted_scope().unwrap_or(""))
            .finish(),
    )
}
