//! The provider metadata checks (specs §9): any document gives a typed result.
#![no_main]

use browser_oauth::internal::parse_metadata;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &str| {
    let _ = parse_metadata("https://as.example", body);
});
