//! The ID token header and claims checks (specs §10): any token gives a typed result.
#![no_main]

use browser_oauth::internal::{ClaimsPolicy, check_id_token};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|token: &str| {
    let policy = ClaimsPolicy {
        issuer: "https://as.example",
        client_id: "spa",
        nonce: Some("n"),
        now: 1_500,
        skew: 60,
        trusted_audiences: &[],
    };
    let _ = check_id_token(token, &policy);
});
