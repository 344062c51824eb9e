//! Logout that leaves nothing behind (specs §11, §12; issue 5).
//!
//! A [`Logout`] is the plan, in order:
//! 1. (before the plan starts) a refresh in flight is awaited by the wrapper (its answer,
//!    maybe a rotated refresh token, lands first), a backoff pause is cut short and no new
//!    refresh starts; then the driver takes the tokens out of the session and the timer
//!    stops, so no refresh can rotate a token while it is being revoked, and every accessor
//!    fails from this moment;
//! 2. revoke the refresh token, then the access token (RFC 7009 §2.1: `token`,
//!    `token_type_hint`, `client_id`), best effort: a failure is reported, never fatal;
//! 3. wipe: the plan drops the tokens (the allocator zeroes their bytes);
//! 4. remove every key under the library prefix from sessionStorage and localStorage;
//! 5. tell the other tabs;
//! 6. finish: the `logout` event, and the RP-initiated logout URL (OIDC RP-Initiated Logout
//!    §2: `id_token_hint`, `client_id`, `post_logout_redirect_uri`, a fresh `state`) when the
//!    app asked for it and the provider has an `end_session_endpoint`.
//!
//! A local logout skips the network (steps 2 and 6's URL), even when `end_session` is also
//! asked for. A logout heard from another tab runs steps 1 to 4 and 6 without its URL
//! ([`Logout::follow`]): the tab revokes its own tokens, but does not broadcast again.
//!
//! OAuth 1.0a credentials live in the separate `browser-oauth/oauth1` entry (its own wasm
//! instance). They are wiped at step 5: the wrapper announces the logout on the
//! BroadcastChannel `browser-oauth`, and the OAuth 1.0a entry drops its token secret and
//! removes its `browser-oauth:oauth1:` keys when it hears it. RFC 5849 defines no
//! revocation, so OAuth 1.0a adds nothing to step 2.

use alloc::string::String;
use alloc::vec::Vec;

use super::decimal::{parse_u64, u64_to_string};
use super::error::{Code, Result};
use super::json::ObjectWriter;
use super::pending::KEY_PREFIX;
use super::secret::constant_time_eq;
use super::token::{FormPost, IdToken, TokenSet};
use super::url::{find_pair, parse_unique_pairs, push_pair};

/// What the logout needs to know about the provider, the client and the app's wish.
#[derive(Clone, Copy)]
pub struct LogoutInput<'a> {
    /// The RFC 7009 revocation endpoint, if the provider has one.
    pub revocation_endpoint: Option<&'a str>,
    /// The RP-Initiated Logout endpoint, if the provider has one.
    pub end_session_endpoint: Option<&'a str>,
    /// The client id.
    pub client_id: &'a str,
    /// The registered post-logout redirect URI, if configured.
    pub post_logout_redirect_uri: Option<&'a str>,
    /// No network at all: no revocation and no end-session redirect, whatever
    /// `end_session` says.
    pub local: bool,
    /// Redirect to the provider's end-session endpoint afterwards (not with `local`).
    pub end_session: bool,
    /// Send the ID token as `id_token_hint` in that redirect. It then sits in the URL, the
    /// browser history and the provider's logs; without it some providers ask the user to
    /// confirm the logout.
    pub id_token_hint: bool,
}

/// The next thing the driver must do.
#[derive(Debug, PartialEq)]
pub enum Next {
    /// Send this revocation request; report its status with [`Logout::handle_revocation`].
    Revoke(FormPost),
    /// Remove every key starting with [`KEY_PREFIX`] from sessionStorage and localStorage.
    ClearStorage,
    /// Tell the other tabs of this client to wipe too.
    Broadcast,
    /// The plan is done: emit `logout`, then build the end-session URL if any.
    Finish,
}

/// How one revocation went, as reported to the app.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Outcome {
    /// The provider answered 200 (revoked, or already invalid: RFC 7009 §2.2).
    Revoked,
    /// No answer, or another status: the token may still be valid until it expires.
    Failed,
    /// No such token was held.
    None,
    /// The provider has no revocation endpoint.
    Unsupported,
    /// A local logout: not attempted.
    Skipped,
}

/// The logout plan of one session. See the module documentation for the order.
pub struct Logout {
    /// The revocations still to send, the next one last.
    revocations: Vec<(usize, FormPost)>,
    /// Which outcome slot the request out is for: 0 refresh token, 1 access token.
    current: Option<usize>,
    outcomes: [Outcome; 2],
    /// Kept for `id_token_hint` until the end-session URL is built.
    id_token: Option<IdToken>,
    stage: u8,
    /// This tab follows another tab's logout: no broadcast back (see [`Logout::follow`]).
    followed: bool,
    /// Whether tokens were held when the plan was made.
    held: bool,
}

impl Logout {
    /// Plans the logout of `tokens` (taken out of the session; `None` when none were held).
    pub fn new(tokens: Option<TokenSet>, input: &LogoutInput<'_>) -> Self {
        let mut revocations = Vec::new();
        let mut outcomes = [Outcome::None; 2];
        let mut id_token = None;
        let held = tokens.is_some();
        if let Some(tokens) = tokens {
            let held = [
                tokens
                    .refresh_token
                    .as_ref()
                    .map(|t| ("refresh_token", t.expose())),
                Some(("access_token", tokens.access_token.expose())),
            ];
            // Last slot first, so that the refresh token's request ends up last: sent first.
            for (slot, token) in held.into_iter().enumerate().rev() {
                let Some((hint, value)) = token else { continue };
                outcomes[slot] = match (input.local, input.revocation_endpoint) {
                    (true, _) => Outcome::Skipped,
                    (false, None) => Outcome::Unsupported,
                    (false, Some(endpoint)) => {
                        let mut body = String::new();
                        push_pair(&mut body, "token", value);
                        push_pair(&mut body, "token_type_hint", hint);
                        push_pair(&mut body, "client_id", input.client_id);
                        let url = endpoint.into();
                        revocations.push((slot, FormPost { url, body }));
                        Outcome::Failed
                    }
                };
            }
            if input.end_session && !input.local && input.id_token_hint {
                id_token = tokens.id_token;
            }
        }
        Logout {
            revocations,
            current: None,
            outcomes,
            id_token,
            stage: 0,
            followed: false,
            held,
        }
    }

    /// The plan of a tab that heard another tab's logout: it revokes its own tokens too
    /// (each tab holds its own; left alone they would stay valid at the provider until they
    /// expire), wipes and clears storage, but does not broadcast again and never redirects.
    pub fn follow(tokens: Option<TokenSet>, input: &LogoutInput<'_>) -> Self {
        let input = LogoutInput {
            end_session: false,
            ..*input
        };
        Logout {
            followed: true,
            ..Logout::new(tokens, &input)
        }
    }

    /// True for a plan made by [`Logout::follow`].
    pub fn is_followed(&self) -> bool {
        self.followed
    }

    /// Whether the session held tokens when the logout started.
    pub fn held_tokens(&self) -> bool {
        self.held
    }

    /// The next step of the plan.
    #[must_use]
    pub fn poll(&mut self) -> Next {
        if let Some((slot, post)) = self.revocations.pop() {
            self.current = Some(slot);
            return Next::Revoke(post);
        }
        self.stage = self.stage.saturating_add(1);
        match self.stage {
            1 => Next::ClearStorage,
            2 if !self.followed => Next::Broadcast,
            _ => Next::Finish,
        }
    }

    /// The status of the revocation request out (0: no answer). Only 200 counts as revoked.
    pub fn handle_revocation(&mut self, status: u16) {
        if let Some(outcome) = self
            .current
            .take()
            .and_then(|slot| self.outcomes.get_mut(slot))
        {
            *outcome = if status == 200 {
                Outcome::Revoked
            } else {
                Outcome::Failed
            };
        }
    }

    /// The RP-initiated logout URL with a fresh `state`, when asked for and possible. A
    /// local logout never has one: `local` means no network, and a navigation to the
    /// provider is network (issue 11 item 7).
    pub fn end_session_url(&self, input: &LogoutInput<'_>, state: &str) -> Option<String> {
        let endpoint = input
            .end_session_endpoint
            .filter(|_| input.end_session && !input.local)?;
        let mut query = String::new();
        if let Some(id_token) = &self.id_token {
            push_pair(&mut query, "id_token_hint", id_token.expose());
        }
        push_pair(&mut query, "client_id", input.client_id);
        if let Some(uri) = input.post_logout_redirect_uri {
            push_pair(&mut query, "post_logout_redirect_uri", uri);
            push_pair(&mut query, "state", state);
        }
        let mut url = String::from(endpoint);
        url.push(if endpoint.contains('?') { '&' } else { '?' });
        url.push_str(&query);
        Some(url)
    }

    /// The result for the app: `{"refreshToken", "accessToken", "endSession"?}` with each
    /// outcome as `revoked`, `failed`, `none`, `unsupported` or `skipped`.
    pub fn result_json(&self, redirect: Option<&str>) -> String {
        ObjectWriter::default()
            .string("refreshToken", self.outcomes[0].as_str())
            .string("accessToken", self.outcomes[1].as_str())
            .optional("endSession", redirect)
            .finish()
    }
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Outcome::Revoked => "revoked",
            Outcome::Failed => "failed",
            Outcome::None => "none",
            Outcome::Unsupported => "unsupported",
            Outcome::Skipped => "skipped",
        }
    }
}

/// The state of an RP-initiated logout, kept in sessionStorage until the provider sends the
/// browser back: single use, with a time limit, like the pending login.
pub struct LogoutState;

impl LogoutState {
    /// The storage key for `state`.
    pub fn storage_key(state: &str) -> String {
        let mut key = String::from(KEY_PREFIX);
        key.push_str("logout:");
        key.push_str(state);
        key
    }

    /// The stored record: the state and when it was made.
    pub fn encode(state: &str, now: u64) -> String {
        let mut out = String::new();
        push_pair(&mut out, "s", state);
        push_pair(&mut out, "a", &u64_to_string(now));
        out
    }

    /// Checks a record read (and already removed) for the `state` that came back at `now`.
    pub fn check(record: Option<&str>, state: &str, now: u64, max_age: u64) -> Result<()> {
        let pairs = parse_unique_pairs(record.ok_or(Code::StateMismatch)?)
            .map_err(|_| Code::StateMismatch)?;
        let stored = find_pair(&pairs, "s").ok_or(Code::StateMismatch)?;
        if !constant_time_eq(stored.as_bytes(), state.as_bytes()) {
            return Err(Code::StateMismatch.into());
        }
        let created = find_pair(&pairs, "a")
            .and_then(parse_u64)
            .ok_or(Code::StateMismatch)?;
        if now < created || now - created > max_age {
            return Err(Code::PendingRequestExpired.into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
