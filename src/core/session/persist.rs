//! The session's side of DPoP and persistence: which token types a refresh may return, a
//! session restored from a persisted record (a refresh token and verified claims, no access
//! token until the first refresh), the newest refresh token adopted from the shared record,
//! what a record holds, and the nonce retry of a refresh grant.

use alloc::string::String;
use alloc::vec::Vec;

use super::{Event, Refresh, Session, Vault};
use crate::core::error::{Code, Result};
use crate::core::id_token::IdTokenClaims;
use crate::core::json::{self, Value};
use crate::core::persist::Contents;
use crate::core::token::{
    AccessToken, FormPost, RefreshToken, TokenSet, TokenTypes, build_refresh_request,
};

impl Session {
    /// Sets the token types a refresh response may have (DPoP-bound when DPoP is on).
    pub fn set_token_types(&mut self, token_types: TokenTypes) {
        self.token_types = token_types;
    }

    /// Fills the vault from a decrypted record. There is no access token yet: the caller
    /// starts a refresh at once, and nothing is due (no `expiring` or `expired` event) until
    /// it answers. The refresh either commits (then [`Session::restored`]) or ends the
    /// session, so a session is never half restored.
    pub fn restore(&mut self, contents: Contents) {
        let first = first_authentication(&contents.claims, contents.sub);
        self.vault = Some(Vault {
            tokens: TokenSet {
                access_token: AccessToken::new(String::new()),
                expires_at: Some(0),
                refresh_token: Some(contents.refresh_token),
                id_token: None,
                scope: contents.scope,
                bound: true,
            },
            first: Some(first),
            claims: Some(contents.claims),
            received_at: 0,
        });
        self.refresh = Refresh::Idle;
        self.expiring_sent = true;
        self.expired_sent = true;
    }

    /// The restore's refresh committed: queues the `restored` event. Fails when it did not
    /// (no access token in the vault).
    pub fn restored(&mut self) -> Result<()> {
        let vault = self.vault.as_ref().ok_or(Code::LoginRequired)?;
        if vault.tokens.access_token.expose().is_empty() {
            return Err(Code::LoginRequired.into());
        }
        self.events.push(Event::Restored);
        Ok(())
    }

    /// Takes the refresh token of the shared record (another tab may have rotated it) before
    /// a refresh: it must be for the same user.
    pub fn adopt(&mut self, contents: Contents) -> Result<()> {
        let vault = self.vault.as_mut().ok_or(Code::LoginRequired)?;
        if vault.first.as_ref().map(|first| first.sub.as_str()) != Some(contents.sub.as_str()) {
            return Err(Code::PersistedSessionInvalid.into());
        }
        vault.tokens.refresh_token = Some(contents.refresh_token);
        Ok(())
    }

    /// Whether the tokens held are DPoP-bound (`token_type` `DPoP`); false when none are held.
    pub fn bound(&self) -> bool {
        self.vault.as_ref().is_some_and(|vault| vault.tokens.bound)
    }

    /// What a record would hold now: the refresh token, scope, `sub` and verified claims.
    /// `None` without a refresh token or a `sub`, and for a refresh token that is not
    /// DPoP-bound unless `allow_unbound`.
    pub fn persistable(&self, allow_unbound: bool) -> Option<Contents> {
        let vault = self.vault.as_ref()?;
        let refresh_token = vault.tokens.refresh_token.as_ref()?;
        if !vault.tokens.bound && !allow_unbound {
            return None;
        }
        Some(Contents {
            refresh_token: RefreshToken::new(refresh_token.expose().into()),
            scope: vault.tokens.scope.clone(),
            sub: vault.first.as_ref()?.sub.clone(),
            claims: vault.claims.clone()?,
        })
    }

    /// The refresh grant in flight, built again for its one DPoP nonce retry (RFC 9449 §8).
    pub fn resend_refresh(&self, token_endpoint: &str, client_id: &str) -> Option<FormPost> {
        let Refresh::InFlight { .. } = self.refresh else {
            return None;
        };
        let refresh_token = self.vault.as_ref()?.tokens.refresh_token.as_ref()?;
        Some(build_refresh_request(
            token_endpoint,
            client_id,
            refresh_token,
        ))
    }
}

/// The first authentication of a restored session, from its verified claims: a refreshed ID
/// token must keep its `sub`, audiences and `auth_time` (OIDC Core §12.2).
fn first_authentication(claims: &str, sub: String) -> IdTokenClaims {
    let doc = json::parse(claims);
    // Plain pushes: iterator adapters and `collect` cost wasm.
    let mut aud = Vec::new();
    match doc.as_ref().and_then(|d| d.get("aud")) {
        Some(Value::String(one)) => aud.push(one.clone()),
        Some(Value::Array(many)) => {
            for one in many {
                if let Value::String(one) = one {
                    aud.push(one.clone());
                }
            }
        }
        _ => {}
    }
    let auth_time = match doc.as_ref().and_then(|d| d.get("auth_time")) {
        Some(Value::Number(Some(n))) if *n >= 0 => Some(*n as u64),
        _ => None,
    };
    IdTokenClaims {
        sub,
        aud,
        auth_time,
        json: String::new(),
    }
}

#[cfg(test)]
mod tests;
