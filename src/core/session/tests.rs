//! Session tests with a fixed clock: the expiry schedule (including late timers), renew on
//! read, single flight, rotation, backoff and the end of a session. Each names the rule.

use std::vec::Vec;

use super::*;
use crate::core::token::{AccessToken, IdToken, RefreshToken};

const T0: u64 = 1_000_000;
const ENDPOINT: &str = "https://as.example/token";

fn policy() -> Policy {
    Policy {
        margin: 60,
        auto_refresh: true,
        max_attempts: 3,
        refuse_broader_scope: false,
    }
}

fn tokens(at: &str, rt: Option<&str>, expires_at: Option<u64>, scope: &str) -> TokenSet {
    TokenSet {
        access_token: AccessToken::new(at.into()),
        expires_at,
        refresh_token: rt.map(|r| RefreshToken::new(r.into())),
        id_token: Some(IdToken::new("h.p.s".into())),
        scope: scope.into(),
        #[cfg(not(target_arch = "wasm32"))]
        bound: false,
    }
}

fn claims(sub: &str) -> IdTokenClaims {
    IdTokenClaims {
        sub: sub.into(),
        aud: vec!["spa".into()],
        auth_time: Some(T0),
        json: format!(r#"{{"sub":"{sub}"}}"#),
    }
}

/// A session logged in at T0 with a 3600 s access token and a refresh token.
fn active() -> Session {
    let mut s = Session::new(policy(), "openid profile");
    s.start(
        T0,
        tokens("at-1", Some("rt-1"), Some(T0 + 3600), "openid profile"),
        Some(claims("alice")),
    )
    .unwrap();
    s
}

fn is_active(s: &Session) -> bool {
    s.granted_scope().is_some()
}

fn events(s: &mut Session) -> Vec<Event> {
    s.poll_events()
}

fn body_of(post: FormPost) -> String {
    post.body
}

const REFRESHED: &str = r#"{"access_token":"at-2","token_type":"Bearer","expires_in":3600,"refresh_token":"rt-2","scope":"openid profile"}"#;

/// specs §4 timer edge cases: one deadline at a time, expiring then expired, each once.
#[test]
fn schedule_is_expiring_then_expired_one_deadline_at_a_time() {
    let mut s = Session::new(
        Policy {
            auto_refresh: false,
            ..policy()
        },
        "openid",
    );
    s.start(T0, tokens("at", None, Some(T0 + 3600), "openid"), None)
        .unwrap();
    assert_eq!(s.poll_timeout(), Some(T0 + 3540), "margin before expiry");
    assert!(!s.handle_timeout(T0 + 3539), "early wake: nothing");
    assert!(events(&mut s).is_empty());
    assert!(!s.handle_timeout(T0 + 3540));
    assert_eq!(
        events(&mut s),
        [Event::Expiring {
            expires_at: T0 + 3600
        }]
    );
    assert_eq!(s.poll_timeout(), Some(T0 + 3600));
    s.handle_timeout(T0 + 3600);
    assert_eq!(
        events(&mut s),
        [Event::Expired {
            expires_at: T0 + 3600
        }]
    );
    assert_eq!(s.poll_timeout(), None, "nothing left to wait for");
    s.handle_timeout(T0 + 9999);
    assert!(events(&mut s).is_empty(), "each event once per token");
}

/// Issue 4 / anchors §5: a timer that fires hours late (sleeping tab) still yields the
/// right events, compared against the clock, not the timer: `expired` only, since the
/// token is no longer merely expiring.
#[test]
fn late_timer_after_sleep_sees_the_real_time() {
    let mut s = Session::new(
        Policy {
            auto_refresh: false,
            ..policy()
        },
        "openid",
    );
    s.start(T0, tokens("at", None, Some(T0 + 3600), "openid"), None)
        .unwrap();
    s.handle_timeout(T0 + 5 * 3600);
    assert_eq!(
        events(&mut s),
        [Event::Expired {
            expires_at: T0 + 3600
        }]
    );
    assert_eq!(
        s.access_token(T0 + 5 * 3600, true).unwrap_err().code,
        Code::TokenExpired
    );
}

/// specs §4: no made-up expiry when `expires_in` is absent: no timer at all.
#[test]
fn no_expiry_means_no_timer() {
    let mut s = Session::new(policy(), "openid");
    s.start(T0, tokens("at", Some("rt"), None, "openid"), None)
        .unwrap();
    assert_eq!(s.poll_timeout(), None);
    assert!(!s.handle_timeout(T0 + 100_000));
    assert_eq!(s.access_token(T0 + 100_000, true), Ok(Access::Token("at")));
}

/// Short lifetimes: the margin never exceeds half the lifetime, so a 10 s token is
/// renewed after 5 s, not at once and in a loop.
#[test]
fn margin_is_at_most_half_the_lifetime() {
    let mut s = Session::new(policy(), "openid");
    s.start(T0, tokens("at", Some("rt"), Some(T0 + 10), "openid"), None)
        .unwrap();
    assert_eq!(s.poll_timeout(), Some(T0 + 5));
    assert!(!s.handle_timeout(T0 + 4));
    assert!(s.handle_timeout(T0 + 5), "auto refresh due half-way");
}

/// Issue 4 item 1: renew on read. Inside the margin with a refresh token, read says
/// refresh first; without refresh it hands out the still-valid token; after expiry, fails.
#[test]
fn renew_on_read_within_the_margin() {
    let s = active();
    assert_eq!(s.access_token(T0 + 10, true), Ok(Access::Token("at-1")));
    assert_eq!(s.access_token(T0 + 3545, true), Ok(Access::RefreshFirst));
    assert_eq!(s.access_token(T0 + 3545, false), Ok(Access::Token("at-1")));
    assert_eq!(
        s.access_token(T0 + 3600, false).unwrap_err().code,
        Code::TokenExpired
    );
    let empty = Session::new(policy(), "openid");
    assert_no_session(&empty);
}

/// specs §4 [DERIVED] serialize refreshes: concurrent reads share one refresh grant.
#[test]
fn refresh_is_single_flight_under_concurrent_reads() {
    let mut s = active();
    let first = s.start_refresh(T0 + 3545, ENDPOINT, "spa").unwrap();
    assert!(body_of(first.unwrap()).contains("refresh_token=rt-1"));
    for _ in 0..3 {
        assert!(
            s.start_refresh(T0 + 3545, ENDPOINT, "spa")
                .unwrap()
                .is_none()
        );
        assert_eq!(s.access_token(T0 + 3545, true), Ok(Access::RefreshFirst));
    }
    assert!(
        !s.handle_timeout(T0 + 3545),
        "no auto refresh while one is out"
    );
}

/// RFC 6749 §6: the new refresh token replaces the old; the next grant spends the new one,
/// and events carry no token.
#[test]
fn rotation_replaces_the_refresh_token_and_events_carry_no_token() {
    let mut s = active();
    s.start_refresh(T0 + 3545, ENDPOINT, "spa").unwrap();
    let RefreshOutcome::Received(set) =
        s.handle_refresh_response(T0 + 3546, 200, REFRESHED, None, 0)
    else {
        panic!("expected tokens")
    };
    s.commit_refresh(T0 + 3546, set, Some(claims("alice")))
        .unwrap();
    let evs = events(&mut s);
    assert_eq!(
        evs,
        [Event::Refreshed {
            expires_at: Some(T0 + 3546 + 3600)
        }]
    );
    for e in &evs {
        let json = e.to_json();
        assert!(!json.contains("at-") && !json.contains("rt-"), "{json}");
    }
    assert_eq!(s.access_token(T0 + 3547, true), Ok(Access::Token("at-2")));
    let next = s
        .start_refresh(T0 + 9999, ENDPOINT, "spa")
        .unwrap()
        .unwrap();
    assert!(body_of(next).contains("refresh_token=rt-2"));
}

/// Issue 16 (the demo's lifetime bar): `expires_at` is the vault's absolute expiry, it
/// follows each refresh, and there is none before login or after the session ended.
#[test]
fn expires_at_follows_the_vault() {
    assert_eq!(Session::new(policy(), "openid").expires_at(), None);
    let mut s = active();
    assert_eq!(s.expires_at(), Some(T0 + 3600));
    s.start_refresh(T0 + 3545, ENDPOINT, "spa").unwrap();
    let RefreshOutcome::Received(set) =
        s.handle_refresh_response(T0 + 3546, 200, REFRESHED, None, 0)
    else {
        panic!("expected tokens")
    };
    s.commit_refresh(T0 + 3546, set, None).unwrap();
    assert_eq!(s.expires_at(), Some(T0 + 3546 + 3600));
    let _ = s.end(Code::SessionEnded);
    assert_eq!(s.expires_at(), None);
}

/// RFC 6749 §6: a response without a refresh token keeps the old one.
#[test]
fn a_response_without_refresh_token_keeps_the_old_one() {
    let mut s = active();
    s.start_refresh(T0, ENDPOINT, "spa").unwrap();
    let body = r#"{"access_token":"at-2","token_type":"Bearer","expires_in":60}"#;
    let RefreshOutcome::Received(set) = s.handle_refresh_response(T0, 200, body, None, 0) else {
        panic!()
    };
    assert_eq!(set.refresh_token.as_ref().unwrap().expose(), "rt-1");
    s.commit_refresh(T0, set, None).unwrap();
    assert_eq!(s.user(), Some(r#"{"sub":"alice"}"#), "claims kept");
    assert!(body_of(s.start_refresh(T0, ENDPOINT, "spa").unwrap().unwrap()).contains("rt-1"));
}

/// Issue 4 item 3: invalid_grant (revoked, expired or reused refresh token) ends the
/// session: vault wiped, sessionEnded, typed error, no retry.
#[test]
fn invalid_grant_ends_the_session() {
    let mut s = active();
    s.start_refresh(T0, ENDPOINT, "spa").unwrap();
    let outcome = s.handle_refresh_response(
        T0,
        400,
        r#"{"error":"invalid_grant","error_description":"grant request is invalid"}"#,
        None,
        0,
    );
    let RefreshOutcome::Failed(error) = outcome else {
        panic!()
    };
    assert_eq!(error.code, Code::SessionEnded);
    assert_eq!(error.server.unwrap().error, "invalid_grant");
    assert_eq!(
        events(&mut s),
        [Event::SessionEnded {
            code: Code::SessionEnded
        }]
    );
    assert!(!is_active(&s) && s.user().is_none() && s.poll_timeout().is_none());
    assert_no_session(&s);
}

/// Issue 4 item 3: transient failures back off exponentially with jitter, honour
/// Retry-After, and stop after `max_attempts`; then refresh rests (no storm).
#[test]
fn transient_failures_back_off_then_rest() {
    let mut s = active();
    s.start_refresh(T0, ENDPOINT, "spa").unwrap();
    let RefreshOutcome::Retry { delay_ms } = s.handle_refresh_response(T0, 503, "", None, 0) else {
        panic!()
    };
    assert_eq!(
        delay_ms, UNREADABLE_RETRY_AFTER_FLOOR_MS,
        "attempt 1: no readable Retry-After, so the floor"
    );
    assert!(
        s.start_refresh(T0, ENDPOINT, "spa").unwrap().is_none(),
        "still one flight"
    );
    assert!(s.retry_refresh(ENDPOINT, "spa").is_some());
    let RefreshOutcome::Retry { delay_ms } = s.handle_refresh_response(T0, 429, "", Some("7"), 0)
    else {
        panic!()
    };
    assert_eq!(delay_ms, 7_000, "Retry-After wins over a shorter backoff");
    s.retry_refresh(ENDPOINT, "spa").unwrap();
    let RefreshOutcome::Failed(error) = s.handle_refresh_response(T0, 0, "", None, 0) else {
        panic!()
    };
    assert_eq!(error.code, Code::NetworkError);
    let failed: Vec<_> = events(&mut s)
        .into_iter()
        .map(|e| match e {
            Event::RefreshFailed {
                attempt,
                will_retry,
                ..
            } => (attempt, will_retry),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(failed, [(1, true), (2, true), (3, false)]);
    assert!(is_active(&s), "a transient failure keeps the session");
    assert_eq!(
        s.start_refresh(T0 + 1, ENDPOINT, "spa").unwrap_err().code,
        Code::NetworkError,
        "resting"
    );
    assert_eq!(
        s.access_token(T0 + 10, true),
        Ok(Access::Token("at-1")),
        "the valid token is still handed out"
    );
    assert!(
        s.start_refresh(T0 + COOLDOWN_SECONDS, ENDPOINT, "spa")
            .unwrap()
            .is_some()
    );
}

/// A non-transient error (e.g. invalid_client) is not retried and keeps the session.
#[test]
fn other_errors_are_not_retried() {
    let mut s = active();
    s.start_refresh(T0, ENDPOINT, "spa").unwrap();
    let outcome = s.handle_refresh_response(T0, 401, r#"{"error":"invalid_client"}"#, None, 0);
    assert!(matches!(outcome, RefreshOutcome::Failed(e) if e.code == Code::TokenError));
    assert!(is_active(&s));
}

/// The backoff formula: doubling, capped, jitter within [base/2, base], Retry-After
/// honoured up to its limit, and dates ignored.
#[test]
fn backoff_grows_is_jittered_capped_and_honours_retry_after() {
    assert_eq!(backoff_ms(1, None, 0), Some(500));
    assert_eq!(backoff_ms(1, None, 500), Some(1000));
    assert_eq!(backoff_ms(1, None, 501), Some(500), "jitter wraps in range");
    assert_eq!(backoff_ms(2, None, 0), Some(1000));
    assert_eq!(backoff_ms(3, None, 0), Some(2000));
    assert_eq!(
        backoff_ms(30, None, u32::MAX),
        Some(BACKOFF_CAP_MS / 2 + u32::MAX % (BACKOFF_CAP_MS / 2 + 1))
    );
    assert!(backoff_ms(30, None, 12345).unwrap() <= BACKOFF_CAP_MS);
    assert_eq!(backoff_ms(1, Some("120"), 0), Some(120_000));
    assert_eq!(
        backoff_ms(1, Some("301"), 0),
        None,
        "too long: stop this round"
    );
    assert_eq!(
        backoff_ms(1, Some("Wed, 21 Oct 2015 07:28:00 GMT"), 0),
        Some(500)
    );
}

/// OIDC Core §12.2: a refreshed ID token for another user ends the session.
#[test]
fn sub_must_not_change_after_refresh() {
    let mut s = active();
    s.start_refresh(T0, ENDPOINT, "spa").unwrap();
    let RefreshOutcome::Received(set) = s.handle_refresh_response(T0, 200, REFRESHED, None, 0)
    else {
        panic!()
    };
    assert_eq!(
        s.commit_refresh(T0, set, Some(claims("mallory")))
            .unwrap_err()
            .code,
        Code::SubjectChanged
    );
    assert!(!is_active(&s));
    assert_eq!(
        events(&mut s),
        [Event::SessionEnded {
            code: Code::SubjectChanged
        }]
    );
}

/// Issue 11 item 10, OIDC Core §12.2: a refreshed ID token with other audiences or another
/// auth_time ends the session; one for the same authentication replaces what `user()` gives.
#[test]
fn a_refreshed_id_token_must_keep_aud_and_auth_time() {
    let received = |s: &mut Session| {
        s.start_refresh(T0, ENDPOINT, "spa").unwrap();
        match s.handle_refresh_response(T0, 200, REFRESHED, None, 0) {
            RefreshOutcome::Received(set) => set,
            other => panic!("{other:?}"),
        }
    };
    let mut s = active();
    let set = received(&mut s);
    let mut same = claims("alice");
    same.json = r#"{"sub":"alice","name":"Alice B."}"#.into();
    s.commit_refresh(T0, set, Some(same)).unwrap();
    assert_eq!(s.user(), Some(r#"{"sub":"alice","name":"Alice B."}"#));
    for change in [
        |c: &mut IdTokenClaims| c.aud.push("https://evil.example".into()),
        |c: &mut IdTokenClaims| c.auth_time = Some(T0 + 1),
        |c: &mut IdTokenClaims| c.auth_time = None,
    ] {
        let mut s = active();
        let set = received(&mut s);
        let mut other = claims("alice");
        change(&mut other);
        assert_eq!(
            s.commit_refresh(T0, set, Some(other)).unwrap_err().code,
            Code::IdTokenClaimMismatch
        );
        assert!(!is_active(&s));
        assert_eq!(s.user(), None);
    }
}

/// A 200 refresh response we cannot use ends the session: the old refresh token may
/// already be rotated, and sending it again would look like replay (RFC 9700 §4.14.2).
#[test]
fn an_unusable_refresh_response_ends_the_session() {
    let mut s = active();
    s.start_refresh(T0, ENDPOINT, "spa").unwrap();
    let outcome = s.handle_refresh_response(T0, 200, "{}", None, 0);
    assert!(matches!(outcome, RefreshOutcome::Failed(e) if e.code == Code::InvalidTokenResponse));
    assert!(!is_active(&s));
}

/// specs §6 least privilege: a narrower grant is reported; a broader one is reported, or
/// refused under the `refuse` policy.
#[test]
fn scope_policy_reports_or_refuses_a_broader_grant() {
    let mut s = Session::new(policy(), "openid profile");
    s.start(T0, tokens("at", None, None, "openid"), None)
        .unwrap();
    assert_eq!(
        events(&mut s),
        [Event::ScopeChanged {
            requested: "openid profile".into(),
            granted: "openid".into()
        }]
    );
    let mut same = Session::new(policy(), "openid profile");
    same.start(T0, tokens("at", None, None, "profile openid"), None)
        .unwrap();
    assert!(events(&mut same).is_empty(), "order does not matter");
    let mut strict = Session::new(
        Policy {
            refuse_broader_scope: true,
            ..policy()
        },
        "openid",
    );
    assert_eq!(
        strict
            .start(T0, tokens("at", None, None, "openid admin"), None)
            .unwrap_err()
            .code,
        Code::ScopeBroader
    );
    assert!(!is_active(&strict));
}

/// An answer arriving after the session ended is dropped, not applied.
#[test]
fn a_late_answer_after_the_end_is_dropped() {
    let mut s = active();
    s.start_refresh(T0, ENDPOINT, "spa").unwrap();
    s.end(Code::SessionEnded);
    assert!(matches!(
        s.handle_refresh_response(T0, 200, REFRESHED, None, 0),
        RefreshOutcome::Failed(_)
    ));
    assert!(!is_active(&s));
}

/// specs §4 timer edge case: delays above 2^31-1 ms are capped, not wrapped; past
/// deadlines fire at once.
#[test]
fn timer_delays_are_capped_and_never_negative() {
    assert_eq!(timer_delay_ms(T0 + 10, T0 * 1000 + 500), 9_500);
    assert_eq!(timer_delay_ms(T0, T0 * 1000 + 5), 0);
    assert_eq!(timer_delay_ms(T0 + 40 * 86_400, T0 * 1000), i32::MAX);
    assert_eq!(timer_delay_ms(u64::MAX, 0), i32::MAX);
}

/// Every accessor of a session that holds nothing fails with `login_required`.
fn assert_no_session(s: &Session) {
    assert_eq!(
        s.access_token(T0, true).unwrap_err().code,
        Code::LoginRequired
    );
}

/// Issue 12 item 7: `isAuthenticated` is true while the tokens work (the access token has
/// not expired, or a refresh may renew it), false before login, after the end of the
/// session and once an access token without a refresh token has expired.
#[test]
fn is_authenticated_follows_the_tokens() {
    let fresh = Session::new(policy(), "openid");
    assert!(!fresh.is_authenticated(T0), "before login");
    assert_eq!(fresh.subject(), None);

    let mut s = active();
    assert!(s.is_authenticated(T0));
    assert_eq!(s.subject(), Some("alice"));
    assert!(
        s.is_authenticated(T0 + 7200),
        "expired, but the refresh token can renew it"
    );
    s.end(Code::SessionEnded);
    assert!(!s.is_authenticated(T0), "after the session ended");
    assert_eq!(s.subject(), None);

    let mut no_refresh = Session::new(policy(), "openid");
    no_refresh
        .start(T0, tokens("at", None, Some(T0 + 3600), "openid"), None)
        .unwrap();
    assert!(no_refresh.is_authenticated(T0 + 3599));
    assert!(
        !no_refresh.is_authenticated(T0 + 3600),
        "expired, nothing to renew it"
    );
    assert_eq!(no_refresh.subject(), None, "no ID token");
}

/// Issue 11 item 5: `expires_in: 0` must not make the token endpoint see a storm. A driver
/// that does everything the session asks, as fast as it asks, over one minute of a fixed
/// clock, sends at most 7 refresh grants (one every MIN_REFRESH_INTERVAL_SECONDS).
#[test]
fn expires_in_zero_gives_at_most_a_handful_of_refreshes_a_minute() {
    const ZERO: &str = r#"{"access_token":"at-n","token_type":"Bearer","expires_in":0,"refresh_token":"rt-n","scope":"openid profile"}"#;
    let mut s = active();
    s.start(
        T0,
        tokens("at-1", Some("rt-1"), Some(T0), "openid profile"),
        Some(claims("alice")),
    )
    .unwrap();
    let mut grants = 0;
    let mut now = T0;
    let mut wakes = 0;
    let mut last = T0;
    while now < T0 + 60 {
        wakes += 1;
        assert!(wakes < 10_000, "the timer never spins at one instant");
        let due = s.handle_timeout(now);
        let read = s.access_token(now, true);
        if (due || read == Ok(Access::RefreshFirst))
            && let Some(_post) = s.start_refresh(now, ENDPOINT, "spa").unwrap()
        {
            grants += 1;
            last = now;
            let RefreshOutcome::Received(set) = s.handle_refresh_response(now, 200, ZERO, None, 0)
            else {
                panic!()
            };
            s.commit_refresh(now, set, None).unwrap();
            continue;
        }
        // The next wake: the deadline the session asks for (never in the past), else a second.
        now = s.poll_timeout().map_or(now + 1, |at| at.max(now + 1));
    }
    assert!(
        (5..=7).contains(&grants),
        "{grants} refresh grants in a minute"
    );
    assert_eq!(
        s.access_token(last + 1, true).unwrap_err().code,
        Code::TokenExpired,
        "between refreshes a zero-lifetime token reads as expired, not as a refresh"
    );
}

/// Issue 11 item 11: a 429 or 5xx without a readable Retry-After waits at least the floor;
/// a network failure keeps the short backoff, and a readable Retry-After is honoured.
#[test]
fn an_unreadable_retry_after_backs_off_by_at_least_the_floor() {
    for (status, retry_after, least, most) in [
        (
            503,
            None,
            UNREADABLE_RETRY_AFTER_FLOOR_MS,
            UNREADABLE_RETRY_AFTER_FLOOR_MS,
        ),
        (
            429,
            None,
            UNREADABLE_RETRY_AFTER_FLOOR_MS,
            UNREADABLE_RETRY_AFTER_FLOOR_MS,
        ),
        (429, Some("2"), 2_000, 2_000),
        (0, None, 500, 1_000),
    ] {
        let mut s = active();
        s.start_refresh(T0, ENDPOINT, "spa").unwrap();
        let RefreshOutcome::Retry { delay_ms } =
            s.handle_refresh_response(T0, status, "", retry_after, 0)
        else {
            panic!()
        };
        assert!(
            (least..=most).contains(&delay_ms),
            "{status} {retry_after:?}: {delay_ms}"
        );
    }
}
