//! The pieces the browser driver needs around the flow: the settings check, the loopback
//! exception to https, finding and keying the pending request, and cleaning the address bar.

use std::string::String;

use super::code_of;
use crate::core::error::Code;
use crate::core::oauth1::config::{Input, Settings};
use crate::core::oauth1::flow::{
    DEFAULT_TOKEN_LIFETIME, PendingRequest, STORAGE_PREFIX, callback_token, strip_callback_params,
};
use crate::core::oauth1::sign::SignatureMethod;
use crate::core::pending::KEY_PREFIX;

/// Settings for a provider at `base`, with an app at `app`.
fn input<'a>(base: [&'a str; 3], app: &'a str, secret: Option<&str>) -> Input<'a> {
    Input {
        consumer_key: "key",
        consumer_secret: secret.map(String::from),
        signature_method: None,
        realm: None,
        send_version: false,
        endpoints: base,
        callback_url: app,
        token_lifetime: None,
    }
}

const HTTPS: [&str; 3] = [
    "https://p.example/initiate",
    "https://p.example/authorize",
    "https://p.example/token",
];

/// specs §14.3 (Appendix A) with the loopback exception of specs §2: https everywhere, plain
/// http only to 127.0.0.1, [::1] or localhost.
#[test]
fn settings_accept_https_and_loopback_http_only() {
    let ok = Settings::new(input(HTTPS, "https://app.example/cb", Some("s"))).unwrap();
    assert_eq!(ok.consumer.signature_method, SignatureMethod::HmacSha1);
    assert_eq!(ok.token_lifetime, DEFAULT_TOKEN_LIFETIME);
    let loopback = [
        "http://127.0.0.1:8000/initiate",
        "http://localhost/authorize",
        "http://[::1]:9/token",
    ];
    assert!(Settings::new(input(loopback, "http://127.0.0.1:3000/cb", None)).is_ok());
    let remote = [HTTPS[0], "http://p.example/authorize", HTTPS[2]];
    let refused = Settings::new(input(remote, "https://app.example/cb", None));
    assert_eq!(code_of(refused), Code::InsecureTransport);
    let refused = Settings::new(input(HTTPS, "http://app.example/cb", None));
    assert_eq!(code_of(refused), Code::InsecureRedirectUri);
    let refused = Settings::new(input(HTTPS, "https://app.example/cb#x", None));
    assert_eq!(code_of(refused), Code::InsecureRedirectUri);
}

/// specs §14.1 (§2): endpoint queries must not carry `oauth_*`; §15: RSA-SHA1 only through an
/// external signer; an empty consumer key or secret is a configuration mistake.
#[test]
fn settings_refuse_oauth_params_in_endpoints_and_bad_secrets() {
    let with_oauth = [
        HTTPS[0],
        "https://p.example/authorize?oauth_token=x",
        HTTPS[2],
    ];
    let refused = Settings::new(input(with_oauth, "https://app.example/cb", None));
    assert_eq!(code_of(refused), Code::InvalidConfig);
    let refused = Settings::new(input(HTTPS, "https://app.example/cb", Some("")));
    assert_eq!(code_of(refused), Code::InvalidConfig);
    let mut rsa = input(HTTPS, "https://app.example/cb", Some("s"));
    rsa.signature_method = Some("RSA-SHA1");
    assert_eq!(code_of(Settings::new(rsa)), Code::InvalidSignatureMethod);
    let mut rsa_hook = input(HTTPS, "https://app.example/cb", None);
    rsa_hook.signature_method = Some("RSA-SHA1");
    assert!(Settings::new(rsa_hook).is_ok());
    let mut unknown = input(HTTPS, "https://app.example/cb", None);
    unknown.signature_method = Some("hmac-sha1");
    assert_eq!(
        code_of(Settings::new(unknown)),
        Code::InvalidSignatureMethod
    );
}

/// design.md: one storage prefix for every pending request, so one wipe covers OAuth 1 and 2.
#[test]
fn pending_requests_are_keyed_by_temporary_token_under_the_library_prefix() {
    assert!(STORAGE_PREFIX.starts_with(KEY_PREFIX));
    assert_eq!(
        PendingRequest::storage_key("hh5s93j4hdidpola"),
        "browser-oauth:oauth1:hh5s93j4hdidpola"
    );
}

/// specs §14.1 (§2.2): the callback carries `oauth_token` once; it names the pending request.
#[test]
fn callback_token_is_read_once_and_required() {
    let url = "https://app.example/cb?x=1&oauth_token=hh5s93j4hdidpola&oauth_verifier=v";
    assert_eq!(callback_token(url).unwrap(), "hh5s93j4hdidpola");
    let twice = "https://app.example/cb?oauth_token=a&oauth_token=b&oauth_verifier=v";
    assert_eq!(code_of(callback_token(twice)), Code::DuplicateParameter);
    for bad in [
        "https://app.example/cb?oauth_verifier=v",
        "https://app.example/cb?oauth_token=",
        "/cb?oauth_token=a",
    ] {
        assert_eq!(code_of(callback_token(bad)), Code::InvalidCallback, "{bad}");
    }
}

/// specs §2 applied to OAuth 1.0a: the token and verifier leave the address bar; the rest stays.
#[test]
fn strip_callback_params_removes_only_the_response() {
    let cases = [
        (
            "https://a.example/cb?oauth_token=t&oauth_verifier=v",
            "https://a.example/cb",
        ),
        (
            "https://a.example/cb?x=1&oauth_token=t&y=2&oauth_verifier=v#f",
            "https://a.example/cb?x=1&y=2#f",
        ),
        (
            "https://a.example/cb?oauth_verifier",
            "https://a.example/cb",
        ),
        ("https://a.example/cb", "https://a.example/cb"),
    ];
    for (given, expected) in cases {
        assert_eq!(strip_callback_params(given), expected);
    }
}
