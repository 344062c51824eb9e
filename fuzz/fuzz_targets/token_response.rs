//! The token response checks (specs §4): any body and status give a typed result.
#![no_main]

use browser_oauth::internal::process_token_response;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (u16, &str)| {
    let (status, body) = input;
    let _ = process_token_response(1_000, status, body, "openid profile");
    let _ = process_token_response(1_000, 200, body, "openid");
});
