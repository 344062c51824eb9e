//! Restore, adoption of the shared record's refresh token, what persists, and DPoP-bound
//! refreshes, with a fixed clock.

use std::vec::Vec;

use super::super::*;
use crate::core::persist::Contents;
use crate::core::token::{RefreshToken, TokenTypes};

const T0: u64 = 1_000_000;
const ENDPOINT: &str = "https://as.example/token";
const BOUND: &str = r#"{"access_token":"at-2","token_type":"DPoP","expires_in":3600,"refresh_token":"rt-2","scope":"openid"}"#;
const BEARER: &str = r#"{"access_token":"at-2","token_type":"Bearer","expires_in":3600,"refresh_token":"rt-2","scope":"openid"}"#;

fn policy() -> Policy {
    Policy {
        margin: 60,
        auto_refresh: true,
        max_attempts: 3,
        refuse_broader_scope: false,
    }
}

fn contents(rt: &str, sub: &str) -> Contents {
    Contents {
        refresh_token: RefreshToken::new(rt.into()),
        scope: "openid".into(),
        sub: sub.into(),
        claims: format!(r#"{{"sub":"{sub}"}}"#),
    }
}

fn dpop_session() -> Session {
    let mut s = Session::new(policy(), "openid");
    s.set_token_types(TokenTypes::Dpop { optional: false });
    s
}

fn types(s: &mut Session) -> Vec<&'static str> {
    s.poll_events()
        .iter()
        .map(|e| match e {
            Event::Restored => "restored",
            Event::Refreshed { .. } => "refreshed",
            Event::SessionEnded { .. } => "sessionEnded",
            Event::Expired { .. } => "expired",
            Event::Expiring { .. } => "expiring",
            _ => "other",
        })
        .collect()
}

fn refresh_token_in(post: FormPost) -> String {
    crate::core::url::find_pair(
        &crate::core::url::parse_unique_pairs(&post.body).unwrap(),
        "refresh_token",
    )
    .unwrap()
    .into()
}

#[test]
fn a_restored_session_has_no_access_token_until_its_refresh_commits() {
    let mut s = dpop_session();
    s.restore(contents("rt-1", "alice"));
    assert!(s.handle_timeout(T0), "a refresh is due at once");
    assert!(
        types(&mut s).is_empty(),
        "no expiring or expired event for the empty vault"
    );
    assert_eq!(
        s.access_token(T0, false).unwrap_err().code,
        Code::TokenExpired
    );
    assert_eq!(
        s.restored().unwrap_err().code,
        Code::LoginRequired,
        "not before the refresh"
    );
    let post = s.start_refresh(T0, ENDPOINT, "spa").unwrap().unwrap();
    assert_eq!(refresh_token_in(post), "rt-1");
    let RefreshOutcome::Received(tokens) = s.handle_refresh_response(T0, 200, BOUND, None, 0)
    else {
        panic!("received");
    };
    s.commit_refresh(T0, tokens, None).unwrap();
    s.restored().unwrap();
    assert_eq!(types(&mut s), ["refreshed", "restored"]);
    assert_eq!(s.access_token(T0, true).unwrap(), Access::Token("at-2"));
    assert_eq!(s.user(), Some(r#"{"sub":"alice"}"#));
}

/// A refused restore (invalid_grant) ends the session: nothing half restored.
#[test]
fn a_refused_restore_ends_the_session() {
    let mut s = dpop_session();
    s.restore(contents("rt-1", "alice"));
    s.start_refresh(T0, ENDPOINT, "spa").unwrap();
    let out = s.handle_refresh_response(T0, 400, r#"{"error":"invalid_grant"}"#, None, 0);
    assert!(matches!(out, RefreshOutcome::Failed(ref e) if e.code == Code::SessionEnded));
    assert_eq!(types(&mut s), ["sessionEnded"]);
    assert_eq!(
        s.access_token(T0, true).unwrap_err().code,
        Code::LoginRequired
    );
    assert!(s.persistable(true).is_none());
}

/// RFC 9449 §5: with DPoP on, a Bearer refresh answer is refused and ends the session.
#[test]
fn a_dpop_session_refuses_an_unbound_refresh() {
    let mut s = dpop_session();
    s.restore(contents("rt-1", "alice"));
    s.start_refresh(T0, ENDPOINT, "spa").unwrap();
    let out = s.handle_refresh_response(T0, 200, BEARER, None, 0);
    assert!(
        matches!(out, RefreshOutcome::Failed(ref e) if e.code == Code::DpopNotBound),
        "{out:?}"
    );
}

/// Browser mode: the record's (newest) refresh token replaces the tab's own, same user only.
#[test]
fn adopting_the_shared_record_takes_its_refresh_token_for_the_same_user_only() {
    let mut s = dpop_session();
    s.restore(contents("rt-1", "alice"));
    s.adopt(contents("rt-9", "alice")).unwrap();
    assert_eq!(
        refresh_token_in(s.start_refresh(T0, ENDPOINT, "spa").unwrap().unwrap()),
        "rt-9"
    );
    assert_eq!(
        s.adopt(contents("rt-x", "bob")).unwrap_err().code,
        Code::PersistedSessionInvalid
    );
    assert_eq!(
        Session::new(policy(), "openid")
            .adopt(contents("r", "alice"))
            .unwrap_err()
            .code,
        Code::LoginRequired
    );
}

/// Only a DPoP-bound refresh token persists, unless the app allows unbound ones.
#[test]
fn only_a_bound_refresh_token_persists_unless_allowed() {
    let mut s = Session::new(policy(), "openid");
    s.set_token_types(TokenTypes::Dpop { optional: true });
    s.restore(contents("rt-1", "alice"));
    s.start_refresh(T0, ENDPOINT, "spa").unwrap();
    let RefreshOutcome::Received(tokens) = s.handle_refresh_response(T0, 200, BEARER, None, 0)
    else {
        panic!("optional DPoP takes a Bearer answer");
    };
    assert!(!tokens.bound);
    s.commit_refresh(T0, tokens, None).unwrap();
    assert!(s.persistable(false).is_none(), "unbound: not persisted");
    let saved = s.persistable(true).unwrap();
    assert_eq!(
        (saved.refresh_token.expose(), saved.sub.as_str()),
        ("rt-2", "alice")
    );
    s.start_refresh(T0 + 4000, ENDPOINT, "spa").unwrap();
    let RefreshOutcome::Received(tokens) = s.handle_refresh_response(T0, 200, BOUND, None, 0)
    else {
        panic!("bound");
    };
    s.commit_refresh(T0, tokens, None).unwrap();
    assert!(s.persistable(false).is_some(), "bound: persisted");
}

/// RFC 9449 §8: the refresh grant in flight is built again (same refresh token) for its
/// one nonce retry; there is nothing to resend when no refresh is in flight.
#[test]
fn the_refresh_in_flight_is_resent_for_the_nonce_retry() {
    let mut s = dpop_session();
    s.restore(contents("rt-1", "alice"));
    assert!(s.resend_refresh(ENDPOINT, "spa").is_none());
    let first = s.start_refresh(T0, ENDPOINT, "spa").unwrap().unwrap();
    let again = s.resend_refresh(ENDPOINT, "spa").unwrap();
    assert_eq!(first, again);
}

/// OIDC Core §12.2 after a restore: the refreshed ID token must be for the same
/// authentication as the claims in the record (sub, audiences, auth_time).
#[test]
fn a_restored_session_keeps_its_authentication() {
    let claims = |sub: &str, auth_time| crate::core::id_token::IdTokenClaims {
        sub: sub.into(),
        aud: vec!["spa".into()],
        auth_time,
        json: format!(r#"{{"sub":"{sub}"}}"#),
    };
    for (refreshed, expected) in [
        (claims("alice", Some(5)), None),
        (claims("bob", Some(5)), Some(Code::SubjectChanged)),
        (claims("alice", Some(6)), Some(Code::IdTokenClaimMismatch)),
    ] {
        let mut s = dpop_session();
        let mut record = contents("rt-1", "alice");
        record.claims = r#"{"sub":"alice","aud":"spa","auth_time":5}"#.into();
        s.restore(record);
        s.start_refresh(T0, ENDPOINT, "spa").unwrap();
        let RefreshOutcome::Received(tokens) = s.handle_refresh_response(T0, 200, BOUND, None, 0)
        else {
            panic!("received");
        };
        let result = s.commit_refresh(T0, tokens, Some(refreshed));
        assert_eq!(result.err().map(|e| e.code), expected);
    }
}
