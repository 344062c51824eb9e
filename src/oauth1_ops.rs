//! The operations of `WasmOAuth1Client.call` (src/oauth1_api.rs), by number. The TypeScript
//! wrapper names them with the `OAuth1Op` const enum in pkg/src/ops.d.ts, which the test below
//! keeps equal to this table. A request waiting for its signature stays in WASM memory; the
//! wrapper holds only its number (`num`), from `BEGIN_LOGIN`, `BEGIN_CALLBACK` or
//! `PREPARE_FETCH` until `SIGN`, `FINISH` or `DISCARD` consumes it.
#![cfg_attr(
    not(all(target_arch = "wasm32", feature = "oauth1")),
    allow(
        dead_code,
        reason = "dispatched only by the OAuth 1.0a wasm entry (oauth1_api.rs)"
    )
)]

/// The security events queued since the last call, as a JSON array; nothing when there is
/// none.
pub const EVENTS: u8 = 0;
/// The temporary-credentials request; returns its number.
pub const BEGIN_LOGIN: u8 = 1;
/// Checks the temporary-credentials response (`num`: status, `text`: body), stores the
/// pending request and returns the authorization URL.
pub const AUTHORIZATION_URL: u8 = 2;
/// Checks the callback at the URL `text`; returns the number of the token-credentials request.
pub const BEGIN_CALLBACK: u8 = 3;
/// Checks the token-credentials response (`num`: status, `text`: body) and keeps the
/// credentials; returns their expiry (decimal seconds since the epoch).
pub const FINISH_LOGIN: u8 = 4;
/// A request to a protected resource (`text`: method, `more`: URL, `extra`: the body when it
/// is form-encoded); returns its number.
pub const PREPARE_FETCH: u8 = 5;
/// Signs request `num` with the built-in signer (consumed); returns it as JSON
/// `{"method","url","authorization"}`.
pub const SIGN: u8 = 6;
/// Completes request `num` with the signer hook's signature `text` (consumed); returns it as JSON.
pub const FINISH: u8 = 7;
/// The token secret the signer hook needs for request `num` (refused with a consumer secret).
pub const TOKEN_SECRET: u8 = 8;
/// What the signer hook signs for request `num`: JSON `{"baseString","method"}`.
pub const SIGNING_INPUT: u8 = 9;
/// Drops request `num` unsigned.
pub const DISCARD: u8 = 10;
/// When the credentials expire (decimal seconds since the epoch), or `undefined`.
pub const EXPIRES_AT: u8 = 11;
/// Wipes the credentials, the requests waiting for a signature and the pending requests.
pub const LOGOUT: u8 = 12;
/// `fetch` refused to sign for an origin off `allowedOrigins` (a security event).
pub const REFUSE_ORIGIN: u8 = 13;

#[cfg(test)]
mod tests {
    /// The TypeScript `OAuth1Op` enum names the same operations with the same numbers.
    #[test]
    fn typescript_op_numbers_equal_the_rust_ones() {
        crate::ops::tests::assert_mirrored(include_str!("oauth1_ops.rs"), "OAuth1Op", 14);
    }
}
