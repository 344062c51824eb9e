//! The callback URL parser and checks, against a fixed pending request (specs §2, §3, §8),
//! and the returnTo check: any input gives a typed result, never a panic.
#![no_main]

use browser_oauth::internal::{
    CallbackParams, CallbackPolicy, PendingAuthorization, ResponseMode, check_return_to,
    validate_callback,
};
use libfuzzer_sys::fuzz_target;

const PENDING: &str = "s=ZWVlNDBlYzA1NjdkMDNhYjg3ZjUxZjAyNGQzMTM2NzI&v=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk\
&n=n0nce&i=https%3A%2F%2Fas.example&r=https%3A%2F%2Fapp.example%2Fcb&c=openid&t=%2Finbox&a=1000";

fuzz_target!(|url: &str| {
    let _ = check_return_to(url);
    let _ = PendingAuthorization::decode(url);
    for mode in [ResponseMode::Query, ResponseMode::Fragment] {
        let Ok(params) = CallbackParams::parse(url, mode) else {
            continue;
        };
        let Ok(pending) = PendingAuthorization::decode(PENDING) else {
            return;
        };
        let policy = CallbackPolicy {
            now: 1_100,
            max_age: 600,
            iss_required: true,
        };
        let _ = validate_callback(url, params, pending, &policy);
    }
});
