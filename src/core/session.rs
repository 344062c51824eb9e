//! The session after login: the token vault, its expiry schedule, refresh with rotation,
//! single flight and backoff, and the events the app sees (specs §4, §6, §10; issue 4).
//!
//! # How to drive a [`Session`]
//! Like quinn-proto's connection, it never reads the clock and never does I/O:
//! - things that happened go in through `handle_*` (a timer fired, maybe late; a refresh
//!   response arrived) and [`Session::start`] / [`Session::commit_refresh`];
//! - what to do comes out of `poll_*`: [`Session::poll_timeout`] is the one earliest
//!   deadline (arm a single timer for it, and call [`Session::handle_timeout`] whenever it
//!   fires *or* the page wakes up: timers fire late in sleeping tabs, so the deadline is
//!   always compared with `now`, never trusted), and [`Session::poll_events`] drains events.
//!
//! Expiry is absolute (receipt time + `expires_in`). The `expiring` event and renew-on-read
//! start `margin` seconds before expiry, but never earlier than half-way through the token's
//! lifetime, and two automatic refresh rounds start at least
//! [`MIN_REFRESH_INTERVAL_SECONDS`] apart, so short-lived tokens (even `expires_in: 0`) are
//! never refreshed in a loop.
//!
//! Refresh is single flight: while one refresh grant is in flight or waiting to retry, no
//! second one is built. Transient failures (network, 429, 5xx) are retried with exponential
//! backoff and jitter, never sooner than `Retry-After`, at most `max_attempts` times; then
//! refresh rests for [`COOLDOWN_SECONDS`]. `invalid_grant` ends the session, as does any
//! refresh response that cannot be used (the provider may already have rotated the old
//! refresh token, and spending it again would look like replay).

use alloc::string::String;
use alloc::vec::Vec;

use super::decimal::parse_u64;
use super::error::{Code, Error};
use super::id_token::IdTokenClaims;
use super::json::ObjectWriter;
use super::token::{
    FormPost, TokenSet, TokenTypes, build_refresh_request, process_token_response_as,
};

/// The session's knobs, from the client configuration.
#[derive(Clone, Copy, Debug)]
pub struct Policy {
    /// Seconds before expiry at which `expiring` fires and reads renew the token.
    pub margin: u64,
    /// Refresh by itself when the token is expiring and a refresh token is held.
    pub auto_refresh: bool,
    /// Refresh attempts per round, the first included (at least 1).
    pub max_attempts: u32,
    /// Refuse a grant broader than the requested scope instead of reporting it.
    pub refuse_broader_scope: bool,
}

/// Something the app is told. No payload ever holds a token.
#[derive(Debug, PartialEq)]
pub enum Event {
    /// The access token expires at `expires_at` (seconds since the epoch), within the margin.
    Expiring {
        /// Absolute expiry.
        expires_at: u64,
    },
    /// The access token expired at `expires_at` and was not renewed in time.
    Expired {
        /// Absolute expiry.
        expires_at: u64,
    },
    /// New tokens are in the vault.
    Refreshed {
        /// Absolute expiry of the new access token, if known.
        expires_at: Option<u64>,
    },
    /// A refresh attempt failed.
    RefreshFailed {
        /// Why.
        code: Code,
        /// Which attempt of this round (1-based).
        attempt: u32,
        /// Whether another attempt is scheduled.
        will_retry: bool,
    },
    /// The session is over and the vault is wiped.
    SessionEnded {
        /// Why: `session_ended` (invalid_grant), `subject_changed`, `scope_broader`, ...
        code: Code,
    },
    /// The session was logged out: here, or in another tab of this client.
    Logout {
        /// True when another tab logged out and this one followed.
        other_tab: bool,
    },
    /// A persisted session was restored: read, decrypted, refreshed and verified.
    #[cfg(any(feature = "dpop", not(target_arch = "wasm32")))]
    Restored,
    /// The granted scope differs from the requested one (at login) or from the previous grant.
    ScopeChanged {
        /// The scope requested in the configuration.
        requested: String,
        /// The scope now granted.
        granted: String,
    },
}

/// The answer to reading the access token.
#[derive(Debug, PartialEq)]
pub enum Access<'a> {
    /// The token, valid now.
    Token(&'a str),
    /// Refresh first (or join the refresh in flight), then read again.
    RefreshFirst,
}

/// What became of a refresh response.
#[derive(Debug)]
pub enum RefreshOutcome {
    /// Usable tokens (the old refresh token kept if none was issued). Check the ID token, if
    /// any, then pass them to [`Session::commit_refresh`].
    Received(TokenSet),
    /// A transient failure: wait `delay_ms`, then send [`Session::retry_refresh`].
    Retry {
        /// Milliseconds to wait.
        delay_ms: u32,
    },
    /// The refresh failed; if the code is `session_ended` the vault is already wiped.
    Failed(Error),
}

/// After a round of refresh attempts fails, refresh rests this long (no storms).
pub const COOLDOWN_SECONDS: u64 = 60;

/// The token vault, schedule and refresh state of one signed-in user.
pub struct Session {
    policy: Policy,
    requested_scope: String,
    vault: Option<Vault>,
    refresh: Refresh,
    expiring_sent: bool,
    expired_sent: bool,
    /// No automatic or renew-on-read refresh round starts before this time: the last round
    /// started [`MIN_REFRESH_INTERVAL_SECONDS`] earlier (issue 11 item 5).
    refresh_not_before: u64,
    /// Queued events, newest last (a handful at most between two drains).
    events: Vec<Event>,
    /// The token types a refresh response may have (DPoP: see `session::persist`).
    token_types: TokenTypes,
}

/// What a login holds. Dropping it frees the token strings, which the wasm allocator
/// overwrites with zeros.
struct Vault {
    tokens: TokenSet,
    /// The first ID token's claims (its JSON moved to `claims`): a refreshed one must be
    /// for the same authentication (OIDC Core §12.2).
    first: Option<IdTokenClaims>,
    /// The verified claims as JSON, for `client.user()`.
    claims: Option<String>,
    /// When the current access token was received.
    received_at: u64,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Refresh {
    Idle,
    InFlight { attempt: u32 },
    Backoff { attempt: u32 },
    Resting { until: u64, code: Code },
}

impl Session {
    /// A session with nothing in it yet; `requested_scope` is the configured scope.
    pub fn new(policy: Policy, requested_scope: &str) -> Self {
        Session {
            policy,
            requested_scope: requested_scope.into(),
            vault: None,
            refresh: Refresh::Idle,
            expiring_sent: false,
            expired_sent: false,
            refresh_not_before: 0,
            events: Vec::new(),
            token_types: TokenTypes::Bearer,
        }
    }

    /// Fills the vault with the tokens of a login received at `now`, whose ID token (if
    /// any) has passed every check. A grant broader than requested is refused under the
    /// `refuse` policy (specs §6 least privilege); any difference is a `scopeChanged` event.
    pub fn start(
        &mut self,
        now: u64,
        tokens: TokenSet,
        claims: Option<IdTokenClaims>,
    ) -> Result<(), Error> {
        self.check_scope(&tokens.scope, &self.requested_scope.clone())?;
        let (first, claims) = claims
            .map(|mut c| {
                let json = core::mem::take(&mut c.json);
                (c, json)
            })
            .unzip();
        self.vault = Some(Vault {
            tokens,
            first,
            claims,
            received_at: now,
        });
        self.refresh = Refresh::Idle;
        self.expiring_sent = false;
        self.expired_sent = false;
        Ok(())
    }

    /// The verified ID-token claims as JSON.
    pub fn user(&self) -> Option<&str> {
        self.vault.as_ref()?.claims.as_deref()
    }

    /// The granted scope.
    pub fn granted_scope(&self) -> Option<&str> {
        self.vault.as_ref().map(|v| v.tokens.scope.as_str())
    }

    /// When the access token in the vault expires (seconds since the epoch), or `None`
    /// before login, after logout, or when the provider gave no lifetime.
    pub fn expires_at(&self) -> Option<u64> {
        self.vault.as_ref()?.tokens.expires_at
    }

    /// The `sub` of the session's verified ID token, if it had one.
    pub fn subject(&self) -> Option<&str> {
        self.vault
            .as_ref()?
            .first
            .as_ref()
            .map(|first| first.sub.as_str())
    }

    /// Whether a user is signed in at `now` with tokens that still work: an access token
    /// that has not expired, or one a refresh may renew (the same answer as
    /// [`Session::access_token`] with `may_refresh`, without reading the token).
    pub fn is_authenticated(&self, now: u64) -> bool {
        self.access_token(now, true).is_ok()
    }

    /// The one deadline to arm a timer for: `expiring`, then `expired`, and, when automatic
    /// refresh is due but must wait (the end of a refresh rest, or the minimum interval
    /// between refreshes), the time it may start.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<u64> {
        let vault = self.vault.as_ref()?;
        let expires_at = vault.tokens.expires_at?;
        let expiring_at = self.expiring_at(vault, expires_at);
        if !self.expiring_sent {
            return Some(expiring_at);
        }
        let waiting = match self.refresh {
            _ if !self.policy.auto_refresh || vault.tokens.refresh_token.is_none() => None,
            Refresh::Resting { until, .. } => Some(until.max(self.refresh_not_before)),
            Refresh::Idle if self.refresh_not_before > expiring_at => Some(self.refresh_not_before),
            _ => None,
        };
        match (self.expired_sent, waiting) {
            (false, Some(at)) => Some(at.min(expires_at)),
            (false, None) => Some(expires_at),
            (true, waiting) => waiting,
        }
    }

    /// A timer fired, or the page woke up, at `now`: emits the events whose time has come
    /// (however late) and says whether an automatic refresh should start now.
    pub fn handle_timeout(&mut self, now: u64) -> bool {
        let Some(vault) = self.vault.as_ref() else {
            return false;
        };
        let Some(expires_at) = vault.tokens.expires_at else {
            return false;
        };
        let expiring_at = self.expiring_at(vault, expires_at);
        if now >= expiring_at && !self.expiring_sent {
            self.expiring_sent = true;
            if now < expires_at {
                self.events.push(Event::Expiring { expires_at });
            }
        }
        if now >= expires_at && !self.expired_sent {
            self.expired_sent = true;
            self.events.push(Event::Expired { expires_at });
        }
        self.policy.auto_refresh && now >= expiring_at && self.can_start_refresh(now)
    }

    /// Reads the access token at `now` (renew on read). Within the margin, with a refresh
    /// token and `may_refresh`, says to refresh first; otherwise gives the token while it
    /// has not expired.
    pub fn access_token(&self, now: u64, may_refresh: bool) -> Result<Access<'_>, Error> {
        let vault = self.vault.as_ref().ok_or(Code::LoginRequired)?;
        let token = vault.tokens.access_token.expose();
        let Some(expires_at) = vault.tokens.expires_at else {
            return Ok(Access::Token(token));
        };
        let refreshing = matches!(
            self.refresh,
            Refresh::InFlight { .. } | Refresh::Backoff { .. }
        );
        if now < self.expiring_at(vault, expires_at) {
            Ok(Access::Token(token))
        } else if may_refresh && (refreshing || self.can_start_refresh(now)) {
            Ok(Access::RefreshFirst)
        } else if now < expires_at {
            Ok(Access::Token(token))
        } else {
            Err(Code::TokenExpired.into())
        }
    }

    /// Starts a refresh round: the refresh grant to send, or `None` when one is already in
    /// flight or waiting to retry (single flight: join it). Fails without a refresh token,
    /// and while refresh rests after a failed round.
    pub fn start_refresh(
        &mut self,
        now: u64,
        token_endpoint: &str,
        client_id: &str,
    ) -> Result<Option<FormPost>, Error> {
        let vault = self.vault.as_ref().ok_or(Code::LoginRequired)?;
        let refresh_token = vault
            .tokens
            .refresh_token
            .as_ref()
            .ok_or(Code::LoginRequired)?;
        match self.refresh {
            Refresh::InFlight { .. } | Refresh::Backoff { .. } => Ok(None),
            Refresh::Resting { until, code } if now < until => Err(code.into()),
            _ => {
                let post = build_refresh_request(token_endpoint, client_id, refresh_token);
                self.refresh = Refresh::InFlight { attempt: 1 };
                self.refresh_not_before = now.saturating_add(MIN_REFRESH_INTERVAL_SECONDS);
                Ok(Some(post))
            }
        }
    }

    /// The next attempt after a [`RefreshOutcome::Retry`] wait; `None` if the session
    /// ended or was logged out meanwhile.
    pub fn retry_refresh(&mut self, token_endpoint: &str, client_id: &str) -> Option<FormPost> {
        let Refresh::Backoff { attempt } = self.refresh else {
            return None;
        };
        let refresh_token = self.vault.as_ref()?.tokens.refresh_token.as_ref()?;
        let post = build_refresh_request(token_endpoint, client_id, refresh_token);
        self.refresh = Refresh::InFlight {
            attempt: attempt + 1,
        };
        Some(post)
    }

    /// Handles the token endpoint's answer to a refresh grant received at `now`: `status` 0
    /// means no answer (network). `retry_after` is the `Retry-After` header; `jitter` is a
    /// random number for the backoff.
    pub fn handle_refresh_response(
        &mut self,
        now: u64,
        status: u16,
        body: &str,
        retry_after: Option<&str>,
        jitter: u32,
    ) -> RefreshOutcome {
        let (Refresh::InFlight { attempt }, Some(vault)) = (self.refresh, self.vault.as_mut())
        else {
            // Logged out or ended while the request was out: its answer is dropped.
            return RefreshOutcome::Failed(Code::LoginRequired.into());
        };
        let error = match process_token_response_as(
            now,
            status,
            body,
            &vault.tokens.scope,
            self.token_types,
        ) {
            Ok(mut tokens) => {
                // RFC 6749 §6: a new refresh token replaces the old; none keeps the old.
                if tokens.refresh_token.is_none() {
                    tokens.refresh_token = vault.tokens.refresh_token.take();
                }
                return RefreshOutcome::Received(tokens);
            }
            Err(error) => error,
        };
        let invalid_grant = error
            .server
            .as_ref()
            .is_some_and(|s| s.error == "invalid_grant");
        // The old refresh token may be spent on an answer we cannot use (an unbound token
        // when DPoP is required included): the session cannot go on.
        if invalid_grant || matches!(error.code, Code::InvalidTokenResponse | Code::DpopNotBound) {
            let code = if invalid_grant {
                Code::SessionEnded
            } else {
                error.code
            };
            self.end(code);
            return RefreshOutcome::Failed(Error { code, ..error });
        }
        let transient = status == 0 || status == 429 || (500..600).contains(&status);
        // A provider that answers without a `Retry-After` we can read (not sent, or not
        // exposed over CORS) gets at least the floor between attempts, not 1-2 s.
        let floor = if status != 0 && retry_after.is_none() {
            UNREADABLE_RETRY_AFTER_FLOOR_MS
        } else {
            0
        };
        let delay = backoff_ms(attempt, retry_after, jitter)
            .map(|delay| delay.max(floor))
            .filter(|_| transient && attempt < self.policy.max_attempts);
        self.events.push(Event::RefreshFailed {
            code: error.code,
            attempt,
            will_retry: delay.is_some(),
        });
        match delay {
            Some(delay_ms) => {
                self.refresh = Refresh::Backoff { attempt };
                RefreshOutcome::Retry { delay_ms }
            }
            None => {
                self.refresh = Refresh::Resting {
                    until: now.saturating_add(COOLDOWN_SECONDS),
                    code: error.code,
                };
                RefreshOutcome::Failed(error)
            }
        }
    }

    /// Puts refreshed tokens, received at `now` and whose ID token (if any) passed every
    /// check, into the vault. A refreshed ID token must be for the same authentication:
    /// same `sub`, audiences and `auth_time` (OIDC Core §12.2); otherwise, or on a refused
    /// scope, the session ends. `user()` then gives the refreshed token's claims.
    pub fn commit_refresh(
        &mut self,
        now: u64,
        mut tokens: TokenSet,
        claims: Option<IdTokenClaims>,
    ) -> Result<(), Error> {
        let vault = self.vault.as_mut().ok_or(Code::LoginRequired)?;
        if let Some(claims) = &claims {
            let same = match &vault.first {
                Some(first) => claims.check_same_authentication(first),
                None => Err(Code::SubjectChanged.into()),
            };
            if let Err(error) = same {
                return Err(self.end(error.code));
            }
        }
        let previous = core::mem::take(&mut vault.tokens.scope);
        if let Err(error) = self.check_scope(&tokens.scope, &previous) {
            self.end(error.code);
            return Err(error);
        }
        let Some(vault) = self.vault.as_mut() else {
            return Err(Code::LoginRequired.into());
        };
        if tokens.id_token.is_none() {
            // Kept for id_token_hint at logout.
            tokens.id_token = vault.tokens.id_token.take();
        }
        if let Some(claims) = claims {
            vault.claims = Some(claims.json);
        }
        let expires_at = tokens.expires_at;
        vault.tokens = tokens;
        vault.received_at = now;
        self.refresh = Refresh::Idle;
        self.expiring_sent = false;
        self.expired_sent = false;
        self.events.push(Event::Refreshed { expires_at });
        Ok(())
    }

    /// Takes the tokens out for logout: the vault is empty from now on (every accessor
    /// fails), refresh stops and no deadline is left.
    pub fn take_tokens(&mut self) -> Option<TokenSet> {
        self.refresh = Refresh::Idle;
        self.vault.take().map(|vault| vault.tokens)
    }

    /// Queues the `logout` event, once the logout is complete.
    pub fn logged_out(&mut self, other_tab: bool) {
        self.events.push(Event::Logout { other_tab });
    }

    /// Ends the session for `code`: wipes the vault, stops refreshing, emits `sessionEnded`.
    /// Returns the error for the caller to report.
    pub fn end(&mut self, code: Code) -> Error {
        self.vault = None;
        self.refresh = Refresh::Idle;
        self.events.push(Event::SessionEnded { code });
        code.into()
    }

    /// The events for the app since the last call, oldest first. All at once: taking them
    /// one by one from the front would cost a `Vec::remove` and its panic path.
    #[must_use]
    pub fn poll_events(&mut self) -> Vec<Event> {
        core::mem::take(&mut self.events)
    }

    /// The start of the `expiring` window: `margin` before expiry, but not before half of
    /// the token's lifetime.
    fn expiring_at(&self, vault: &Vault, expires_at: u64) -> u64 {
        let half_life = expires_at.saturating_sub(vault.received_at) / 2;
        expires_at.saturating_sub(self.policy.margin.min(half_life))
    }

    fn can_start_refresh(&self, now: u64) -> bool {
        let held = self
            .vault
            .as_ref()
            .is_some_and(|v| v.tokens.refresh_token.is_some());
        held && now >= self.refresh_not_before
            && match self.refresh {
                Refresh::Idle => true,
                Refresh::Resting { until, .. } => now >= until,
                _ => false,
            }
    }

    /// Compares `granted` with `against` (the requested scope, or the previous grant).
    fn check_scope(&mut self, granted: &str, against: &str) -> Result<(), Error> {
        if self.policy.refuse_broader_scope && is_broader(granted, &self.requested_scope) {
            return Err(Code::ScopeBroader.into());
        }
        if !same_scope(granted, against) {
            self.events.push(Event::ScopeChanged {
                requested: self.requested_scope.clone(),
                granted: granted.into(),
            });
        }
        Ok(())
    }
}

impl Event {
    /// The event as JSON `{"type", ...}` for the wrapper; times are seconds since the epoch.
    pub fn to_json(&self) -> String {
        let out = ObjectWriter::default();
        match self {
            Event::Expiring { expires_at } => out
                .string("type", "expiring")
                .number("expiresAt", *expires_at),
            Event::Expired { expires_at } => out
                .string("type", "expired")
                .number("expiresAt", *expires_at),
            Event::Refreshed { expires_at } => {
                let out = out.string("type", "refreshed");
                match expires_at {
                    Some(at) => out.number("expiresAt", *at),
                    None => out,
                }
            }
            Event::RefreshFailed {
                code,
                attempt,
                will_retry,
            } => out
                .string("type", "refreshFailed")
                .string("code", code.as_str())
                .number("attempt", u64::from(*attempt))
                .raw("willRetry", if *will_retry { "true" } else { "false" }),
            Event::SessionEnded { code } => out
                .string("type", "sessionEnded")
                .string("code", code.as_str()),
            Event::Logout { other_tab } => out
                .string("type", "logout")
                .raw("otherTab", if *other_tab { "true" } else { "false" }),
            #[cfg(any(feature = "dpop", not(target_arch = "wasm32")))]
            Event::Restored => out.string("type", "restored"),
            Event::ScopeChanged { requested, granted } => out
                .string("type", "scopeChanged")
                .string("requested", requested)
                .string("granted", granted),
        }
        .finish()
    }
}

/// The wait before the attempt after `attempt` (1-based), in milliseconds: exponential from
/// [`BACKOFF_BASE_MS`] up to [`BACKOFF_CAP_MS`], half of it random ("equal jitter"), and
/// never shorter than `Retry-After` given in seconds. `None` when `Retry-After` asks for
/// more than [`MAX_RETRY_AFTER_SECONDS`]: then this round stops. A `Retry-After` date is
/// not parsed and counts as absent.
pub fn backoff_ms(attempt: u32, retry_after: Option<&str>, jitter: u32) -> Option<u32> {
    let base = BACKOFF_BASE_MS
        .saturating_mul(1 << attempt.saturating_sub(1).min(16))
        .min(BACKOFF_CAP_MS);
    let delay = base / 2 + jitter % (base / 2 + 1);
    let asked = retry_after
        .map(|s| s.trim_matches(' '))
        .filter(|s| s.len() <= 9)
        .and_then(parse_u64)
        .map(|seconds| seconds as u32);
    match asked {
        Some(seconds) if seconds > MAX_RETRY_AFTER_SECONDS => None,
        Some(seconds) => Some(delay.max(seconds * 1000)),
        None => Some(delay),
    }
}

/// The `setTimeout` delay for a deadline (seconds since the epoch) at `now_ms`
/// (milliseconds): never negative, and capped at 2^31-1 ms, beyond which browsers fire at
/// once (specs §4). A capped timer fires early, finds nothing due, and is armed again.
pub fn timer_delay_ms(deadline: u64, now_ms: u64) -> i32 {
    let delay = deadline.saturating_mul(1000).saturating_sub(now_ms);
    delay.min(i32::MAX as u64) as i32
}

/// True when `granted` has a scope token that `requested` lacks.
fn is_broader(granted: &str, requested: &str) -> bool {
    granted
        .split(' ')
        .any(|g| !g.is_empty() && !requested.split(' ').any(|r| r == g))
}

/// Same set of scope tokens, in any order.
fn same_scope(a: &str, b: &str) -> bool {
    !is_broader(a, b) && !is_broader(b, a)
}

/// The shortest time between the starts of two automatic (or renew-on-read) refresh
/// rounds, whatever lifetime the provider gives (`expires_in: 0` included): at most 6 or 7
/// refresh grants a minute. A token that expires sooner is reported expired meanwhile.
pub const MIN_REFRESH_INTERVAL_SECONDS: u64 = 10;
/// The least wait before retrying a refresh the provider answered (429, 5xx) without a
/// `Retry-After` the page could read: the header must be listed in the provider's
/// `Access-Control-Expose-Headers` for a cross-origin page to see it.
pub const UNREADABLE_RETRY_AFTER_FLOOR_MS: u32 = 10_000;
/// First backoff step.
pub const BACKOFF_BASE_MS: u32 = 1_000;
/// Longest backoff step.
pub const BACKOFF_CAP_MS: u32 = 30_000;
/// The longest `Retry-After` honoured by waiting; longer ends the round.
pub const MAX_RETRY_AFTER_SECONDS: u32 = 300;

#[cfg(any(feature = "dpop", not(target_arch = "wasm32")))]
mod persist;
#[cfg(test)]
mod tests;
