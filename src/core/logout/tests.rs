//! Tests of the logout plan (issue 5, specs §11, §12): the order, what is sent, and what is
//! reported, with no browser.

use std::string::ToString;
use std::vec::Vec;

use super::*;
use crate::core::token::{AccessToken, RefreshToken};
use crate::core::url::parse_unique_pairs;

fn tokens() -> TokenSet {
    TokenSet {
        access_token: AccessToken::new("at-1".into()),
        expires_at: Some(100),
        refresh_token: Some(RefreshToken::new("rt-1".into())),
        id_token: Some(IdToken::new("h.p.s".into())),
        scope: "openid".into(),
        #[cfg(not(target_arch = "wasm32"))]
        bound: false,
    }
}

fn input(local: bool, end_session: bool) -> LogoutInput<'static> {
    LogoutInput {
        revocation_endpoint: Some("https://as.example/revoke"),
        end_session_endpoint: Some("https://as.example/logout?ui=1"),
        client_id: "spa",
        post_logout_redirect_uri: Some("https://app.example/"),
        local,
        end_session,
        id_token_hint: true,
    }
}

fn pairs(text: &str) -> Vec<(String, String)> {
    parse_unique_pairs(text).unwrap()
}

fn pair(a: &str, b: &str) -> (String, String) {
    (a.to_string(), b.to_string())
}

/// specs §11 steps 2-6 and §12: the refresh token is revoked first, then the access token,
/// each with token_type_hint and client_id; then storage, the other tabs, the end.
#[test]
fn plan_revokes_refresh_then_access_token_then_clears_broadcasts_and_finishes() {
    let mut plan = Logout::new(Some(tokens()), &input(false, true));
    let mut order = Vec::new();
    loop {
        match plan.poll() {
            Next::Revoke(post) => {
                assert_eq!(post.url, "https://as.example/revoke");
                order.push(pairs(&post.body));
                plan.handle_revocation(200);
            }
            Next::Finish => break,
            other => order.push(vec![pair("step", &format!("{other:?}"))]),
        }
    }
    assert_eq!(
        order,
        [
            vec![
                pair("token", "rt-1"),
                pair("token_type_hint", "refresh_token"),
                pair("client_id", "spa")
            ],
            vec![
                pair("token", "at-1"),
                pair("token_type_hint", "access_token"),
                pair("client_id", "spa")
            ],
            vec![pair("step", "ClearStorage")],
            vec![pair("step", "Broadcast")],
        ]
    );
    assert_eq!(
        plan.result_json(None),
        r#"{"refreshToken":"revoked","accessToken":"revoked"}"#
    );
}

/// Issue 5 item 3: the provider down still wipes everything and says what failed.
#[test]
fn failed_revocations_are_reported_and_the_plan_goes_on() {
    let mut plan = Logout::new(Some(tokens()), &input(false, false));
    let mut steps = Vec::new();
    loop {
        match plan.poll() {
            Next::Revoke(_) => plan.handle_revocation(0),
            Next::Finish => break,
            step => steps.push(step),
        }
    }
    assert_eq!(steps, [Next::ClearStorage, Next::Broadcast]);
    assert_eq!(
        plan.result_json(None),
        r#"{"refreshToken":"failed","accessToken":"failed"}"#
    );
    let mut odd = Logout::new(Some(tokens()), &input(false, false));
    assert!(matches!(odd.poll(), Next::Revoke(_)));
    odd.handle_revocation(503);
    assert!(
        odd.result_json(None)
            .starts_with(r#"{"refreshToken":"failed""#)
    );
}

/// Issue 5 item 3, issue 11 item 7: a local logout sends nothing and builds no end-session
/// URL, also when `endSession` is asked for with it.
#[test]
fn local_logout_has_no_network_step() {
    let mut plan = Logout::new(Some(tokens()), &input(true, true));
    assert_eq!(plan.poll(), Next::ClearStorage);
    assert_eq!(plan.poll(), Next::Broadcast);
    assert_eq!(plan.poll(), Next::Finish);
    assert_eq!(plan.end_session_url(&input(true, true), "st"), None);
    assert_eq!(plan.end_session_url(&input(true, false), "st"), None);
    assert_eq!(
        plan.result_json(None),
        r#"{"refreshToken":"skipped","accessToken":"skipped"}"#
    );
}

/// Without a revocation endpoint, or without tokens, there is nothing to send.
#[test]
fn unsupported_or_nothing_held() {
    let mut no_endpoint = input(false, false);
    no_endpoint.revocation_endpoint = None;
    let mut plan = Logout::new(Some(tokens()), &no_endpoint);
    assert_eq!(plan.poll(), Next::ClearStorage);
    assert!(
        plan.result_json(None)
            .contains(r#""refreshToken":"unsupported""#)
    );
    let mut empty = Logout::new(None, &input(false, true));
    assert_eq!(empty.poll(), Next::ClearStorage);
    assert_eq!(
        empty.result_json(None),
        r#"{"refreshToken":"none","accessToken":"none"}"#
    );
}

/// specs §11 step 7 (RP-Initiated Logout §2): id_token_hint, client_id, the registered
/// post_logout_redirect_uri and a fresh state; the endpoint's own query is kept.
#[test]
fn end_session_url_carries_hint_client_redirect_and_state() {
    let plan = Logout::new(Some(tokens()), &input(false, true));
    let url = plan
        .end_session_url(&input(false, true), "fresh-state")
        .unwrap();
    let (base, query) = url.split_once('?').unwrap();
    assert_eq!(base, "https://as.example/logout");
    assert_eq!(
        pairs(query),
        [
            pair("ui", "1"),
            pair("id_token_hint", "h.p.s"),
            pair("client_id", "spa"),
            pair("post_logout_redirect_uri", "https://app.example/"),
            pair("state", "fresh-state"),
        ]
    );
    assert_eq!(plan.end_session_url(&input(false, false), "s"), None);
    let mut no_endpoint = input(false, true);
    no_endpoint.end_session_endpoint = None;
    assert_eq!(plan.end_session_url(&no_endpoint, "s"), None);
}

/// Issue 11 item 11: a tab that follows another tab's logout revokes its own refresh and
/// access tokens, clears storage, and neither broadcasts again nor redirects.
#[test]
fn a_followed_logout_revokes_this_tabs_tokens_without_broadcast_or_redirect() {
    let mut plan = Logout::follow(Some(tokens()), &input(false, true));
    let mut steps = Vec::new();
    loop {
        match plan.poll() {
            Next::Revoke(post) => {
                steps.push(pairs(&post.body)[1].1.clone());
                plan.handle_revocation(200);
            }
            Next::Finish => break,
            other => steps.push(format!("{other:?}")),
        }
    }
    assert_eq!(steps, ["refresh_token", "access_token", "ClearStorage"]);
    assert!(plan.is_followed() && plan.held_tokens());
    assert_eq!(
        plan.result_json(None),
        r#"{"refreshToken":"revoked","accessToken":"revoked"}"#
    );
    assert!(!Logout::follow(None, &input(false, false)).held_tokens());
}

/// Issue 11 item 12: `endSession` without the hint puts no ID token in the URL.
#[test]
fn end_session_without_the_hint_carries_no_id_token() {
    let no_hint = LogoutInput {
        id_token_hint: false,
        ..input(false, true)
    };
    let plan = Logout::new(Some(tokens()), &no_hint);
    let url = plan.end_session_url(&no_hint, "st").unwrap();
    assert!(
        !url.contains("id_token_hint") && !url.contains("h.p.s"),
        "{url}"
    );
    assert!(url.contains("client_id=spa") && url.contains("state=st"));
}

/// The logout state is single use (the caller removes it on read), must match exactly, and
/// has a time limit.
#[test]
fn logout_state_must_match_and_be_fresh() {
    let record = LogoutState::encode("st-1", 1000);
    assert!(LogoutState::check(Some(&record), "st-1", 1010, 600).is_ok());
    for (record, state, now, code) in [
        (Some(record.as_str()), "st-2", 1010, Code::StateMismatch),
        (None, "st-1", 1010, Code::StateMismatch),
        (Some("junk&&s=1&s=2"), "1", 1010, Code::StateMismatch),
        (
            Some(record.as_str()),
            "st-1",
            1601,
            Code::PendingRequestExpired,
        ),
        (
            Some(record.as_str()),
            "st-1",
            999,
            Code::PendingRequestExpired,
        ),
    ] {
        assert_eq!(
            LogoutState::check(record, state, now, 600)
                .unwrap_err()
                .code,
            code,
            "{record:?} {state}"
        );
    }
    assert_eq!(LogoutState::storage_key("x"), "browser-oauth:logout:x");
}
