//! The operations of `WasmClient.call` (src/api.rs), by number. The TypeScript wrapper names
//! them with the `Op` const enum in pkg/src/ops.d.ts, which the test below keeps equal to this
//! table: the numbers cross the boundary, so the two lists must never drift apart.
#![cfg_attr(
    not(all(target_arch = "wasm32", not(feature = "oauth1"))),
    allow(
        dead_code,
        reason = "dispatched only by the OAuth 2 wasm entry (api.rs)"
    )
)]

/// Builds the authorization URL and stores the pending request (`text`: JSON options).
pub const LOGIN: u8 = 0;
/// The events queued since the last call, as a JSON array; nothing when there is none.
pub const EVENTS: u8 = 1;
/// Handles the redirect back at the URL `text`; returns the first step of the code exchange.
pub const BEGIN_REDIRECT: u8 = 2;
/// Checks the redirect back at the URL `text` and holds the code for `EXCHANGE_CODE`.
pub const VALIDATE_CALLBACK: u8 = 3;
/// Starts the code exchange of the callback `VALIDATE_CALLBACK` checked; returns a step.
pub const EXCHANGE_CODE: u8 = 4;
/// Starts a refresh round; returns its first step.
pub const START_REFRESH: u8 = 5;
/// The answer to the last step (`num`: status, `text`: body, `more`: `Retry-After`).
pub const RESUME: u8 = 6;
/// Starts a logout (`text`: JSON options); returns its first step.
pub const LOGOUT: u8 = 7;
/// Another tab logged out: revokes this tab's tokens and wipes; returns the first step.
pub const REMOTE_LOGOUT: u8 = 8;
/// Checks the redirect back from RP-initiated logout at the URL `text`.
pub const HANDLE_LOGOUT_REDIRECT: u8 = 9;
/// The wrapper ignored a message claiming to be the login popup's answer.
pub const UNTRUSTED_POPUP_MESSAGE: u8 = 10;
/// A timer fired or the page woke up; true when an automatic refresh should start.
pub const TICK: u8 = 11;
/// The access token, or `undefined` to refresh first (`num` 1: the caller may refresh).
pub const ACCESS_TOKEN: u8 = 12;
/// Whether `client.fetch` may send the token to the origin `text`.
pub const ORIGIN_ALLOWED: u8 = 13;
/// Whether a user is signed in with tokens that still work.
pub const IS_AUTHENTICATED: u8 = 14;
/// The verified ID-token claims as JSON, or `undefined`.
pub const USER: u8 = 15;
/// The granted scope, or `undefined` before login.
pub const GRANTED_SCOPE: u8 = 16;
/// When the access token expires (decimal seconds since the epoch), or `undefined`.
pub const EXPIRES_AT: u8 = 17;
/// The UserInfo endpoint to send the access token to.
pub const USERINFO_ENDPOINT: u8 = 18;
/// Checks the UserInfo answer (`num`: status, `text`: body, `more`: `Content-Type`).
pub const USERINFO: u8 = 19;
/// Whether the `WWW-Authenticate` header `text` says `error="invalid_token"` (RFC 6750
/// §3.1). An operation of the client rather than a free function, so that it runs in the
/// build the client was made from (the default one is not loaded when `persist` is set).
pub const IS_INVALID_TOKEN: u8 = 20;

/// The `dpop` build's operations on texts (src/api/dpop.rs keeps the ones on bytes as their
/// own exports): numbered after the others, and refused by the builds without the feature.
#[cfg(any(feature = "dpop", not(target_arch = "wasm32")))]
pub mod dpop {
    /// Takes the public key of the DPoP key pair (`text`: P-256 `x`, `more`: `y`, base64url).
    pub const SET_DPOP_KEY: u8 = 21;
    /// Remembers a `DPoP-Nonce` header (`more`) from the origin of the URL `text`.
    pub const REMEMBER_NONCE: u8 = 22;
    /// Prepares the session record: JSON `{"iv","aad"}`, or `undefined` if nothing persists.
    pub const PERSIST_SEAL: u8 = 23;
    /// Reads the stored record `text`: JSON `{"iv","ct","aad"}` to decrypt.
    pub const PERSIST_OPEN: u8 = 24;
    /// The record did not decrypt, or its key is gone: the session ends.
    pub const PERSIST_INVALID: u8 = 25;
    /// The restore's refresh completed: emits `restored`.
    pub const PERSIST_RESTORED: u8 = 26;
}

#[cfg(test)]
pub(crate) mod tests {
    use std::string::String;
    use std::vec::Vec;

    /// `(NAME, number)` for each `pub const NAME: u8 = number;` of a Rust source, in nested
    /// modules too.
    fn rust_table(source: &str) -> Vec<(String, u8)> {
        source
            .lines()
            .filter_map(|line| line.trim_start().strip_prefix("pub const "))
            .filter_map(|rest| {
                let (name, value) = rest.split_once(": u8 = ")?;
                Some((name.into(), value.trim_end_matches(';').parse().ok()?))
            })
            .collect()
    }

    /// `(NAME, number)` for each `Name = number,` member of the const enum `name` in
    /// pkg/src/ops.d.ts, the name turned from PascalCase into SCREAMING_SNAKE_CASE.
    fn typescript_table(name: &str) -> Vec<(String, u8)> {
        let source = include_str!("../pkg/src/ops.d.ts");
        let body = source
            .split_once(&std::format!("declare const enum {name} {{"))
            .expect("the enum")
            .1;
        let body = body.split_once('}').expect("end of the enum").0;
        body.lines()
            .filter_map(|line| line.trim().strip_suffix(','))
            .filter_map(|member| {
                let (name, value) = member.split_once(" = ")?;
                let mut snake = String::new();
                for (i, c) in name.chars().enumerate() {
                    if c.is_ascii_uppercase() && i > 0 {
                        snake.push('_');
                    }
                    snake.push(c.to_ascii_uppercase());
                }
                Some((snake, value.parse().ok()?))
            })
            .collect()
    }

    /// The operations of `rust_source` are those of the TypeScript enum `ts_enum`, numbered
    /// 0 to `count - 1` in order, once each: the numbers cross the boundary, so the two lists
    /// must never drift apart.
    pub(crate) fn assert_mirrored(rust_source: &str, ts_enum: &str, count: u8) {
        let rust = rust_table(rust_source);
        assert_eq!(rust.len(), usize::from(count), "every operation is read");
        assert_eq!(typescript_table(ts_enum), rust);
        let numbers: Vec<u8> = rust.iter().map(|(_, n)| *n).collect();
        assert_eq!(
            numbers,
            (0..count).collect::<Vec<u8>>(),
            "numbered 0.. in order, once each"
        );
    }

    #[test]
    fn typescript_op_numbers_equal_the_rust_ones() {
        assert_mirrored(include_str!("ops.rs"), "Op", 27);
    }
}
