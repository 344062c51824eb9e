//! The configuration reader, including metadata given inline: any JSON gives a typed result.
#![no_main]

use browser_oauth::internal::Config;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = Config::parse(text);
});
