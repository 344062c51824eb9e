//! The callback parser on URLs with many parameters (issue 11 item 1): a fuzzed pair
//! repeated a fuzzed number of times (up to 65,535, so far past the 64-parameter limit and
//! the 16 KiB length limit), in the query or the fragment, then a fuzzed tail. Any input
//! gives a typed result, never a panic; a URL over the limits is always `invalid_callback`.
#![no_main]

use browser_oauth::internal::{CallbackParams, Code, ResponseMode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (u16, &str, &str, bool)| {
    let (count, pair, tail, fragment) = input;
    let mut url = String::from("https://app.example/cb");
    url.push(if fragment { '#' } else { '?' });
    for _ in 0..count {
        url.push_str(pair);
        url.push('&');
    }
    url.push_str(tail);
    let mode = if fragment {
        ResponseMode::Fragment
    } else {
        ResponseMode::Query
    };
    match CallbackParams::parse(&url, mode) {
        Ok(params) => {
            let _ = params.state();
        }
        Err(error) => {
            let _ = error.code.as_str();
        }
    }
    // Past 16 KiB nothing is read: the refusal is `invalid_callback`, whatever the text.
    if url.len() > 16 * 1024 {
        assert_eq!(
            CallbackParams::parse(&url, mode).map(|_| ()).unwrap_err().code,
            Code::InvalidCallback
        );
    }
});
