//! Every vector of `tests/vectors/rfc5849.json` (specs §0.4 A–E), plus the errata check.

use std::borrow::ToOwned;
use std::string::String;
use std::vec::Vec;

use serde_json::Value;

use super::{consumer, prepare};
use crate::core::oauth1::base_string::parse_url;
use crate::core::oauth1::encode::{encode, form_decode};
use crate::core::oauth1::request::{Request, SignedRequest, finish, sign_with_secrets};
use crate::core::oauth1::sign::signature;
use crate::core::oauth1::sign::{ConsumerSecret, SignatureMethod, TokenSecret};

/// The vector file, checked against the spec and an independent Python model (see its
/// `provenance` field).
const VECTORS: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/vectors/rfc5849.json"
));

fn vectors() -> Value {
    serde_json::from_str(VECTORS).expect("rfc5849.json is valid JSON")
}

fn text<'a>(vector: &'a Value, key: &str) -> &'a str {
    vector[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} missing in {vector}"))
}

/// Signs `vector` through `prepare` and the built-in signer; returns (base string, signature,
/// header).
fn sign_vector(vector: &Value) -> (String, String, String) {
    let method = SignatureMethod::parse(text(vector, "signature_method")).unwrap();
    let mut consumer = consumer(
        text(vector, "consumer_key"),
        method,
        vector["realm"].as_str(),
    );
    consumer.send_version = vector["send_version"].as_bool().unwrap();
    let request = Request {
        method: text(vector, "method"),
        url: text(vector, "url"),
        form_body: vector["form_body"].as_str(),
    };
    let extra = match (vector["callback"].as_str(), vector["verifier"].as_str()) {
        (Some(callback), None) => Some(("oauth_callback", callback)),
        (None, Some(verifier)) => Some(("oauth_verifier", verifier)),
        (None, None) => None,
        _ => panic!("a vector has a callback or a verifier, not both"),
    };
    let now = vector["timestamp"].as_u64().unwrap();
    let token = vector["token"].as_str();
    let prepared = prepare(&consumer, request, token, extra, now, text(vector, "nonce")).unwrap();
    let base_string = prepared.base_string().to_owned();
    let consumer_secret = ConsumerSecret::new(text(vector, "consumer_secret").into());
    let token_secret = vector["token_secret"]
        .as_str()
        .map(|s| TokenSecret::new(s.into()));
    let sig = signature(
        method,
        &base_string,
        &consumer_secret,
        token_secret.as_ref(),
    )
    .unwrap();
    let signed = sign_with_secrets(prepared, &consumer_secret, token_secret.as_ref()).unwrap();
    (base_string, sig, signed.authorization)
}

/// specs §0.4 A–C and E: base string, normalized parameters, signature and header of every
/// vector, HMAC-SHA1, HMAC-SHA256 and PLAINTEXT.
#[test]
fn every_json_vector_reproduces_its_base_string_signature_and_header() {
    let vectors = vectors();
    let list = vectors["signatures"].as_array().unwrap();
    assert!(list.len() >= 11);
    for vector in list {
        let name = text(vector, "name");
        let (base_string, sig, header) = sign_vector(vector);
        if let Some(expected) = vector["base_string"].as_str() {
            assert_eq!(base_string, expected, "{name}: base string");
        }
        let normalized = base_string.rsplit('&').next().unwrap();
        assert_eq!(
            normalized,
            encode(text(vector, "normalized_parameters").as_bytes()),
            "{name}"
        );
        assert_eq!(sig, text(vector, "signature"), "{name}: signature");
        assert_eq!(header, text(vector, "authorization"), "{name}: header");
    }
}

/// specs §0.4 A and §16: RFC 5849 §3.1 prints a wrong signature (Errata 2550). The POST
/// request signs to `r6/TJ…`; the printed `bYT5…` is the GET variant.
#[test]
fn rfc5849_3_1_signature_is_the_errata_value_not_the_printed_one() {
    let vectors = vectors();
    let find = |name: &str| {
        let list = vectors["signatures"].as_array().unwrap();
        list.iter().find(|v| v["name"] == name).unwrap().clone()
    };
    let (post_base, post, post_header) = sign_vector(&find("rfc5849-3.1-hmac-sha1"));
    assert_eq!(post, "r6/TJjbCOr97/+UU0NsvSne7s5g=");
    assert_ne!(post, "bYT5CMsGcbgUdFHObYMEfcx6bsw=");
    assert!(post_base.starts_with("POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26"));
    assert!(post_header.ends_with("oauth_signature=\"r6%2FTJjbCOr97%2F%2BUU0NsvSne7s5g%3D\""));
    assert!(post_header.starts_with("OAuth realm=\"Example\", oauth_consumer_key="));
    let (get_base, get, _) = sign_vector(&find("rfc5849-3.1-errata-2550-get-variant"));
    assert_eq!(get, "bYT5CMsGcbgUdFHObYMEfcx6bsw=");
    assert_eq!(get_base.strip_prefix("GET"), post_base.strip_prefix("POST"));
}

/// specs §0.4 A: the decoded-parameter table of RFC 5849 §3.4.1.3.1 (`+` in the form body is
/// a space; realm is not a parameter).
#[test]
fn rfc5849_3_4_1_3_1_decoded_parameter_table() {
    let url = parse_url("http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b").unwrap();
    let mut pairs = form_decode(url.query);
    pairs.extend(form_decode("c2&a3=2+q"));
    let expected: [(&[u8], &[u8]); 6] = [
        (b"b5", b"=%3D"),
        (b"a3", b"a"),
        (b"c@", b""),
        (b"a2", b"r b"),
        (b"c2", b""),
        (b"a3", b"2 q"),
    ];
    let got: Vec<(&[u8], &[u8])> = pairs
        .iter()
        .map(|(n, v)| (n.as_slice(), v.as_slice()))
        .collect();
    assert_eq!(got, expected);
}

/// specs §0.4 C: PLAINTEXT is `enc(consumer secret) & enc(token secret)`, then §3.6-encoded
/// in the header.
#[test]
fn plaintext_signature_is_the_encoded_secret_pair() {
    let consumer_secret = ConsumerSecret::new("ja893SD9".into());
    let temporary = TokenSecret::new("xyz4992k83j47x0b".into());
    let method = SignatureMethod::Plaintext;
    assert_eq!(
        signature(method, "ignored", &consumer_secret, None).unwrap(),
        "ja893SD9&"
    );
    let with_token = signature(method, "ignored", &consumer_secret, Some(&temporary)).unwrap();
    assert_eq!(with_token, "ja893SD9&xyz4992k83j47x0b");
    let odd = signature(method, "", &ConsumerSecret::new("a&b c".into()), None).unwrap();
    assert_eq!(
        odd, "a%26b%20c&",
        "§3.4.4: each secret is encoded before joining"
    );
}

/// specs §0.4 C: the callback `http://client.example.net/cb?x=1` in the header.
#[test]
fn rfc5849_2_1_callback_is_percent_encoded_in_the_header() {
    let vectors = vectors();
    let list = vectors["signatures"].as_array().unwrap();
    let vector = list
        .iter()
        .find(|v| v["name"] == "rfc5849-2.1-plaintext-temporary-credentials");
    let (_, _, header) = sign_vector(vector.unwrap());
    assert!(header.contains("oauth_callback=\"http%3A%2F%2Fclient.example.net%2Fcb%3Fx%3D1\""));
    assert!(header.ends_with("oauth_signature=\"ja893SD9%26\""));
}

/// specs §0.4 E: the §3.6 encoder cases.
#[test]
fn percent_encoding_vectors() {
    for case in vectors()["percent_encoding"].as_array().unwrap() {
        let input = text(case, "input");
        assert_eq!(encode(input.as_bytes()), text(case, "output"), "{input:?}");
    }
}

/// specs §0.4 D and §14.2: the §3.4.1.2 base string URI.
#[test]
fn base_string_uri_vectors() {
    for case in vectors()["base_string_uri"].as_array().unwrap() {
        let url = text(case, "url");
        assert_eq!(
            parse_url(url).unwrap().base_uri,
            text(case, "base_uri"),
            "{url}"
        );
    }
}

/// specs §0.4: the computed HMAC-SHA256 vectors say where they come from.
#[test]
fn computed_vectors_record_their_provenance() {
    let vectors = vectors();
    assert!(text(&vectors, "provenance").contains("Python"));
    assert!(text(&vectors, "python_check").contains("hashlib.sha256"));
    for vector in vectors["signatures"].as_array().unwrap() {
        if text(vector, "signature_method") == "HMAC-SHA256" {
            assert!(text(vector, "source").starts_with("computed"), "{vector}");
        }
    }
}

/// An external signer that is handed the base string gets the same header as the built-in one.
#[test]
fn external_signature_gives_the_same_header_as_the_built_in_signer() {
    let consumer = consumer(
        "dpf43f3p2l4k3l03",
        SignatureMethod::HmacSha1,
        Some("Photos"),
    );
    let request = Request {
        method: "GET",
        url: "http://photos.example.net/photos?file=vacation.jpg&size=original",
        form_body: None,
    };
    let token = Some("nnch734d00sl2jdk");
    let prepared = prepare(&consumer, request, token, None, 137131202, "chapoH").unwrap();
    // The "backend": HMAC-SHA1 with the hmac crate directly, base64 with the same alphabet.
    use hmac::{Hmac, KeyInit, Mac};
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(b"kd94hf93k423kf44&pfkkdhi9sl3r4s00").unwrap();
    mac.update(prepared.base_string().as_bytes());
    let backend = crate::core::oauth1::encode::base64(&mac.finalize().into_bytes());
    assert_eq!(backend, "MdpQcU8iPSUjWoN/UDMsK2sui9I=");
    let signed: SignedRequest = finish(prepared, &backend).unwrap();
    assert!(
        signed
            .authorization
            .ends_with("oauth_signature=\"MdpQcU8iPSUjWoN%2FUDMsK2sui9I%3D\"")
    );
    assert_eq!(signed.method, "GET");
    assert_eq!(
        signed.url,
        "http://photos.example.net/photos?file=vacation.jpg&size=original"
    );
}
