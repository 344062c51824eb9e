//! The request half: signature methods, secrets, the external signer and the refusals
//! (specs §14.2, §15).

use super::{code_of, consumer, prepare};
use crate::core::error::Code;
use crate::core::error::Result;
use crate::core::oauth1::request::{
    Consumer, Nonce, PreparedRequest, Request, finish, prepare_request, sign_with_secrets,
};
use crate::core::oauth1::sign::{ConsumerSecret, SignatureMethod, TokenSecret};

/// The §1.2 resource request of specs §0.4 B.
const PHOTOS: &str = "http://photos.example.net/photos?file=vacation.jpg&size=original";

/// A request with no flow parameter (callback or verifier).
fn prep(
    consumer: &Consumer,
    request: Request<'_>,
    token: Option<&str>,
    now: u64,
    nonce_text: &str,
) -> Result<PreparedRequest> {
    prepare(consumer, request, token, None, now, nonce_text)
}

fn get(url: &str) -> Request<'_> {
    Request {
        method: "GET",
        url,
        form_body: None,
    }
}

fn hmac_sha1() -> Consumer {
    consumer(
        "dpf43f3p2l4k3l03",
        SignatureMethod::HmacSha1,
        Some("Photos"),
    )
}

/// specs §0.4 B through the public entry points `prepare_request` + `sign_with_secrets`.
#[test]
fn prepare_request_and_sign_with_secrets_give_the_rfc5849_1_2_resource_signature() {
    let prepared = prepare_request(
        &hmac_sha1(),
        &get(PHOTOS),
        Some("nnch734d00sl2jdk"),
        137131202,
        Nonce::parse("chapoH").unwrap(),
    )
    .unwrap();
    assert_eq!(prepared.signature_method(), SignatureMethod::HmacSha1);
    let consumer_secret = ConsumerSecret::new("kd94hf93k423kf44".into());
    let token_secret = TokenSecret::new("pfkkdhi9sl3r4s00".into());
    let signed = sign_with_secrets(prepared, &consumer_secret, Some(&token_secret)).unwrap();
    assert!(
        signed
            .authorization
            .ends_with("oauth_signature=\"MdpQcU8iPSUjWoN%2FUDMsK2sui9I%3D\"")
    );
}

/// specs §14.2 (§3.1): names are case-sensitive; every method has one spelling.
#[test]
fn signature_method_names_round_trip_and_are_case_sensitive() {
    for method in [
        SignatureMethod::HmacSha1,
        SignatureMethod::HmacSha256,
        SignatureMethod::RsaSha1,
        SignatureMethod::Plaintext,
    ] {
        assert_eq!(SignatureMethod::parse(method.as_str()).unwrap(), method);
    }
    for bad in ["hmac-sha1", "HMAC-SHA512", "", "PLAINTEXT "] {
        assert_eq!(
            code_of(SignatureMethod::parse(bad)),
            Code::InvalidSignatureMethod,
            "{bad:?}"
        );
    }
}

/// specs §14.2: RSA-SHA1 is out of the built-in signer's reach, but a request can name it and
/// an external signer (WebCrypto, a backend) can finish it.
#[test]
fn built_in_signer_refuses_rsa_sha1_but_an_external_signer_can_finish_it() {
    let rsa = consumer("key", SignatureMethod::RsaSha1, None);
    let secret = ConsumerSecret::new("unused".into());
    let prepared = prep(&rsa, get(PHOTOS), None, 137131202, "n1").unwrap();
    assert_eq!(
        code_of(sign_with_secrets(prepared, &secret, None)),
        Code::InvalidSignatureMethod
    );
    let prepared = prep(&rsa, get(PHOTOS), None, 137131202, "n2").unwrap();
    assert!(
        prepared
            .base_string()
            .contains("oauth_signature_method%3DRSA-SHA1")
    );
    let signed = finish(prepared, "c2lnbmF0dXJl+/=").unwrap();
    assert!(
        signed
            .authorization
            .contains("oauth_signature_method=\"RSA-SHA1\"")
    );
    assert!(
        signed
            .authorization
            .ends_with("oauth_signature=\"c2lnbmF0dXJl%2B%2F%3D\"")
    );
}

/// An external signer that answers nothing must not produce a request.
#[test]
fn finish_refuses_an_empty_external_signature() {
    let prepared = prep(&hmac_sha1(), get(PHOTOS), None, 137131202, "n").unwrap();
    assert_eq!(code_of(finish(prepared, "")), Code::SigningFailed);
}

/// specs §14.2 (§3.4.4): PLAINTEXT sends the secrets, so it MUST use TLS.
#[test]
fn plaintext_over_http_is_refused() {
    let plaintext = consumer("key", SignatureMethod::Plaintext, None);
    assert_eq!(
        code_of(prep(&plaintext, get(PHOTOS), None, 1, "n")),
        Code::InsecureTransport
    );
    assert!(
        prep(
            &plaintext,
            get("http://127.0.0.1:8000/photos"),
            None,
            1,
            "n"
        )
        .is_ok()
    );
    assert!(
        prep(
            &plaintext,
            get("https://photos.example.net/photos"),
            None,
            1,
            "n"
        )
        .is_ok()
    );
}

/// specs §14.1 (§2) and §14.2 (§3.5): our `oauth_*` parameters travel in the header only, so
/// a query or form body that carries one is refused rather than sent twice.
#[test]
fn oauth_parameters_in_the_query_or_form_body_are_refused() {
    let consumer = hmac_sha1();
    let in_query = get("https://photos.example.net/photos?oauth_token=x");
    assert_eq!(
        code_of(prep(&consumer, in_query, None, 1, "n")),
        Code::InvalidSigningRequest
    );
    let in_body = Request {
        method: "POST",
        url: "https://photos.example.net/photos",
        form_body: Some("a=1&oauth%5Fsignature=x"),
    };
    assert_eq!(
        code_of(prep(&consumer, in_body, None, 1, "n")),
        Code::InvalidSigningRequest
    );
}

/// specs §14.2 (§3.4.1.3.1): `realm` in the header is never signed, but a query parameter that
/// happens to be named `realm` is.
#[test]
fn header_realm_is_not_signed_but_a_realm_query_parameter_is() {
    let with_realm = prep(&hmac_sha1(), get(PHOTOS), None, 1, "n").unwrap();
    let without = consumer("dpf43f3p2l4k3l03", SignatureMethod::HmacSha1, None);
    let without_realm = prep(&without, get(PHOTOS), None, 1, "n").unwrap();
    assert_eq!(with_realm.base_string(), without_realm.base_string());
    assert!(!with_realm.base_string().contains("realm"));
    let query_realm = prep(
        &without,
        get("http://photos.example.net/photos?realm=x"),
        None,
        1,
        "n",
    );
    assert!(query_realm.unwrap().base_string().contains("%26realm%3Dx"));
}

/// specs §14.2 (§3.4.1.3.1): the body is signed only when it is a form body (the flag).
#[test]
fn body_parameters_are_signed_only_for_a_form_body() {
    let consumer = hmac_sha1();
    let url = "https://photos.example.net/upload";
    let form = Request {
        method: "POST",
        url,
        form_body: Some("title=Jane%27s+photo"),
    };
    let other = Request {
        method: "POST",
        url,
        form_body: None,
    };
    let form = prep(&consumer, form, None, 1, "n").unwrap();
    let other = prep(&consumer, other, None, 1, "n").unwrap();
    assert!(
        form.base_string()
            .ends_with("%26title%3DJane%2527s%2520photo")
    );
    assert!(!other.base_string().contains("title"));
}

/// specs §14.2 (§3.1, §3.4.1.3.1): `oauth_version` is optional and never added unless sent.
#[test]
fn oauth_version_is_signed_and_sent_only_when_asked_for() {
    let mut consumer = hmac_sha1();
    let without = prep(&consumer, get(PHOTOS), None, 1, "n").unwrap();
    assert!(!without.base_string().contains("oauth_version"));
    consumer.send_version = true;
    let with = prep(&consumer, get(PHOTOS), None, 1, "n").unwrap();
    assert!(with.base_string().contains("oauth_version%3D1.0"));
    let signed = finish(with, "x").unwrap();
    assert!(signed.authorization.contains(", oauth_version=\"1.0\", "));
}

/// specs §14.2 (§3.4.1.1): the method is uppercased; an empty one is refused.
#[test]
fn method_is_uppercased_and_must_not_be_empty() {
    let consumer = hmac_sha1();
    let lower = Request {
        method: "get",
        url: PHOTOS,
        form_body: None,
    };
    let prepared = prep(&consumer, lower, None, 1, "n").unwrap();
    assert!(prepared.base_string().starts_with("GET&"));
    assert_eq!(finish(prepared, "x").unwrap().method, "GET");
    for bad in ["", "G T", "GET\r\n"] {
        let request = Request {
            method: bad,
            url: PHOTOS,
            form_body: None,
        };
        assert_eq!(
            code_of(prep(&consumer, request, None, 1, "n")),
            Code::InvalidSigningRequest
        );
    }
}

/// specs §14.2 (§3.3): the timestamp is a positive integer; a missing clock (0) is refused.
#[test]
fn a_zero_timestamp_is_refused() {
    assert_eq!(
        code_of(prep(&hmac_sha1(), get(PHOTOS), None, 0, "n")),
        Code::InvalidSigningRequest
    );
}

/// specs §14.2 (§3.4.1.2): only absolute http(s) URLs with a host and a valid port are signed.
#[test]
fn urls_that_cannot_be_signed_are_refused() {
    for url in [
        "ftp://example.com/x",
        "example.com/x",
        "//example.com/x",
        "http:///x",
        "http://user:pass@example.com/x",
        "http://example.com:99999/x",
        "http://example.com:8a/x",
        "http://example.com:+80/x",
        "http://[::1/x",
        "http://[::1]x/y",
        "http://exa mple.com/x",
        "http://exa\tmple.com/x",
        "http://bücher.example/x",
    ] {
        assert_eq!(
            code_of(prep(&hmac_sha1(), get(url), None, 1, "n")),
            Code::InvalidSigningRequest,
            "{url}"
        );
    }
}

/// specs §14.2 (§3.1): `oauth_consumer_key` is REQUIRED.
#[test]
fn an_empty_consumer_key_is_a_config_error() {
    let empty = consumer("", SignatureMethod::HmacSha1, None);
    assert_eq!(
        code_of(prep(&empty, get(PHOTOS), None, 1, "n")),
        Code::InvalidConfig
    );
}

/// specs §14.2 (§3.5.1): values are §3.6-encoded, so none can close the quote or add a line.
#[test]
fn header_values_cannot_break_out_of_their_quotes() {
    let hostile = consumer(
        "k\"ey",
        SignatureMethod::HmacSha1,
        Some("a\", evil=\"1\r\nX: y"),
    );
    let prepared = prep(&hostile, get(PHOTOS), Some("t\""), 1, "n").unwrap();
    let header = finish(prepared, "s\"").unwrap().authorization;
    assert!(header.starts_with("OAuth realm=\"a%22%2C%20evil%3D%221%0D%0AX%3A%20y\", "));
    assert_eq!(header.matches('"').count(), 2 * 7, "{header}");
    assert!(!header.contains(['\r', '\n']));
}

/// specs §14.3 (§4.9): nonces come from at least 128 random bits and are plain ASCII.
#[test]
fn nonce_from_random_needs_16_bytes_and_is_uppercase_hex() {
    assert_eq!(
        code_of(Nonce::from_random(&[0u8; 15])),
        Code::InvalidSigningRequest
    );
    let nonce = Nonce::from_random(&[
        0x00, 0xab, 0x10, 0xff, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
    ])
    .unwrap();
    let prepared = prepare_request(&hmac_sha1(), &get(PHOTOS), None, 1, nonce).unwrap();
    assert!(
        prepared
            .base_string()
            .contains("oauth_nonce%3D00AB10FF0102030405060708090A0B0C%26")
    );
    for bad in ["", "a b", "é", "a+b"] {
        assert_eq!(
            code_of(Nonce::parse(bad)),
            Code::InvalidSigningRequest,
            "{bad:?}"
        );
    }
}

/// style.md: secrets print redacted and carry no `Clone`.
#[test]
fn secrets_are_redacted_in_debug_output() {
    let consumer_secret = ConsumerSecret::new("kd94hf93k423kf44".into());
    let token_secret = TokenSecret::new("pfkkdhi9sl3r4s00".into());
    assert_eq!(format!("{consumer_secret:?}"), "ConsumerSecret(..)");
    assert_eq!(format!("{token_secret:?}"), "TokenSecret(..)");
    assert_eq!(token_secret.expose(), "pfkkdhi9sl3r4s00");
}
