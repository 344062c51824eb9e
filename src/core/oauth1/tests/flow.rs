//! The three-legged flow (specs §14.1): the RFC 5849 §1.2 and §2 examples end to end, then
//! one test per hostile case.

use std::string::String;

use super::{code_of, consumer, nonce};
use crate::core::error::Code;
use crate::core::oauth1::flow::{
    DEFAULT_TOKEN_LIFETIME, PENDING_MAX_AGE, PendingRequest, TokenCredentials, ValidatedCallback,
    authorization_url, process_temporary_credentials_response, process_token_response,
    temporary_credentials_request, token_request, validate_callback,
};
use crate::core::oauth1::request::{Consumer, Request, prepare_request, sign_with_secrets};
use crate::core::oauth1::sign::{ConsumerSecret, SignatureMethod, TokenSecret};
use crate::core::prune::{MAX_PENDING, to_prune};

/// specs §0.4 B: the §1.2 client.
fn printer() -> Consumer {
    consumer(
        "dpf43f3p2l4k3l03",
        SignatureMethod::HmacSha1,
        Some("Photos"),
    )
}

fn printer_secret() -> ConsumerSecret {
    ConsumerSecret::new("kd94hf93k423kf44".into())
}

const INITIATE: &str = "https://photos.example.net/initiate";
const AUTHORIZE: &str = "https://photos.example.net/authorize";
const TOKEN: &str = "https://photos.example.net/token";
const TEMPORARY_RESPONSE: &str = "oauth_token=hh5s93j4hdidpola&oauth_token_secret=hdhd0244k9j7ao03&oauth_callback_confirmed=true";
const CALLBACK: &str =
    "http://printer.example.com/ready?oauth_token=hh5s93j4hdidpola&oauth_verifier=hfdp7dh39dks9884";
/// When the temporary credentials arrive in these tests.
const T0: u64 = 137131200;

/// The §1.2 pending request, created at `T0`.
fn pending() -> PendingRequest {
    process_temporary_credentials_response(200, TEMPORARY_RESPONSE, T0).unwrap()
}

/// specs §0.4 B, §14.1: temporary credentials, authorization URL, callback, token
/// credentials and the resource request of RFC 5849 §1.2, with the stored record taken out
/// of a one-slot "sessionStorage".
#[test]
fn rfc5849_1_2_three_legged_flow_end_to_end() {
    let consumer = printer();
    let secret = printer_secret();
    // Step 1: temporary credentials, signed with an empty token secret (specs §14.1).
    let callback = "http://printer.example.com/ready";
    let prepared =
        temporary_credentials_request(&consumer, INITIATE, callback, T0, nonce("wIjqoS")).unwrap();
    assert_eq!(
        prepared.base_string(),
        "POST&https%3A%2F%2Fphotos.example.net%2Finitiate&oauth_callback%3Dhttp%253A%252F%252Fprinter.example.com%252Fready%26oauth_consumer_key%3Ddpf43f3p2l4k3l03%26oauth_nonce%3DwIjqoS%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131200"
    );
    let signed = sign_with_secrets(prepared, &secret, None).unwrap();
    assert_eq!(
        (signed.method.as_str(), signed.url.as_str()),
        ("POST", INITIATE)
    );
    assert!(
        signed
            .authorization
            .contains("oauth_callback=\"http%3A%2F%2Fprinter.example.com%2Fready\"")
    );
    assert!(
        signed
            .authorization
            .ends_with("oauth_signature=\"74KNZJeDHnMBp0EMJ9ZHt%2FXKycU%3D\"")
    );
    let pending = process_temporary_credentials_response(200, TEMPORARY_RESPONSE, T0).unwrap();
    assert_eq!(pending.token(), "hh5s93j4hdidpola");
    let mut storage = Some(pending.encode());

    // Step 2: the authorization redirect and the callback.
    let url = authorization_url(AUTHORIZE, &pending).unwrap();
    assert_eq!(
        url,
        "https://photos.example.net/authorize?oauth_token=hh5s93j4hdidpola"
    );
    let taken = storage
        .take()
        .map(|text| PendingRequest::decode(&text).unwrap());
    let validated: ValidatedCallback = validate_callback(taken, CALLBACK, T0 + 1).unwrap();

    // Step 3: token credentials, signed with the temporary secret.
    let (prepared, temporary_secret) =
        token_request(&consumer, TOKEN, validated, T0 + 1, nonce("walatlh")).unwrap();
    assert_eq!(
        prepared.base_string(),
        "POST&https%3A%2F%2Fphotos.example.net%2Ftoken&oauth_consumer_key%3Ddpf43f3p2l4k3l03%26oauth_nonce%3Dwalatlh%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dhh5s93j4hdidpola%26oauth_verifier%3Dhfdp7dh39dks9884"
    );
    assert_eq!(temporary_secret.expose(), "hdhd0244k9j7ao03");
    let signed = sign_with_secrets(prepared, &secret, Some(&temporary_secret)).unwrap();
    assert_eq!(signed.url, TOKEN);
    assert!(
        signed
            .authorization
            .ends_with("oauth_signature=\"gKgrFCywp7rO0OXSjdot%2FIHF7IU%3D\"")
    );
    let body = "oauth_token=nnch734d00sl2jdk&oauth_token_secret=pfkkdhi9sl3r4s00";
    let credentials: TokenCredentials =
        process_token_response(200, body, T0 + 1, DEFAULT_TOKEN_LIFETIME).unwrap();
    assert_eq!(credentials.token, "nnch734d00sl2jdk");
    assert_eq!(credentials.expires_at, T0 + 1 + 24 * 60 * 60);

    // The protected resource, over http as in the RFC, then the https negative variant.
    let photo = |url| {
        let request = Request {
            method: "GET",
            url,
            form_body: None,
        };
        let token = Some(credentials.token.as_str());
        let prepared =
            prepare_request(&consumer, &request, token, T0 + 2, nonce("chapoH")).unwrap();
        sign_with_secrets(prepared, &secret, Some(&credentials.secret))
            .unwrap()
            .authorization
    };
    let http = photo("http://photos.example.net/photos?file=vacation.jpg&size=original");
    assert!(http.ends_with("oauth_signature=\"MdpQcU8iPSUjWoN%2FUDMsK2sui9I%3D\""));
    let https = photo("https://photos.example.net/photos?file=vacation.jpg&size=original");
    assert!(
        https.ends_with("oauth_signature=\"91yh92rtXzicpezVYjTDNzieVps%3D\""),
        "specs §16"
    );
    assert!(!https.contains("MdpQcU8iPSUjWoN"));
}

/// specs §0.4 C: the PLAINTEXT examples of RFC 5849 §2.1–§2.3, including a callback that
/// already has a query (§2.2: the server appends to it).
#[test]
fn rfc5849_2_plaintext_flow_with_a_callback_query_end_to_end() {
    let consumer = consumer(
        "jd83jd92dhsh93js",
        SignatureMethod::Plaintext,
        Some("Example"),
    );
    let secret = ConsumerSecret::new("ja893SD9".into());
    let endpoint = "https://server.example.com/request_temp_credentials";
    let callback = "http://client.example.net/cb?x=1";
    let prepared =
        temporary_credentials_request(&consumer, endpoint, callback, T0, nonce("a1")).unwrap();
    let header = sign_with_secrets(prepared, &secret, None)
        .unwrap()
        .authorization;
    assert!(
        header.starts_with("OAuth realm=\"Example\", oauth_consumer_key=\"jd83jd92dhsh93js\", ")
    );
    assert!(header.contains("oauth_callback=\"http%3A%2F%2Fclient.example.net%2Fcb%3Fx%3D1\""));
    assert!(header.ends_with("oauth_signature=\"ja893SD9%26\""));
    let body =
        "oauth_token=hdk48Djdsa&oauth_token_secret=xyz4992k83j47x0b&oauth_callback_confirmed=true";
    let pending = process_temporary_credentials_response(200, body, T0).unwrap();
    let url = authorization_url("https://server.example.com/authorize_access", &pending).unwrap();
    assert_eq!(
        url,
        "https://server.example.com/authorize_access?oauth_token=hdk48Djdsa"
    );
    let back = "http://client.example.net/cb?x=1&oauth_token=hdk48Djdsa&oauth_verifier=473f82d3";
    let validated = validate_callback(Some(pending), back, T0 + 60).unwrap();
    let endpoint = "https://server.example.com/request_token";
    let (prepared, temporary) =
        token_request(&consumer, endpoint, validated, T0 + 60, nonce("a2")).unwrap();
    let header = sign_with_secrets(prepared, &secret, Some(&temporary))
        .unwrap()
        .authorization;
    assert!(header.contains("oauth_token=\"hdk48Djdsa\", "));
    assert!(header.contains("oauth_verifier=\"473f82d3\""));
    assert!(header.ends_with("oauth_signature=\"ja893SD9%26xyz4992k83j47x0b\""));
    let body = "oauth_token=j49ddk933skd9dks&oauth_token_secret=ll399dj47dskfjdk";
    let credentials = process_token_response(200, body, T0 + 60, 3600).unwrap();
    assert_eq!(credentials.secret.expose(), "ll399dj47dskfjdk");
}

/// specs §14.1 [DERIVED]: the callback's `oauth_token` must be the pending temporary token.
#[test]
fn callback_rejects_a_token_that_is_not_the_pending_temporary_token() {
    for token in [
        "hh5s93j4hdidpolb",
        "hh5s93j4hdidpol",
        "hh5s93j4hdidpola0",
        "HH5S93J4HDIDPOLA",
        "",
    ] {
        let url = format!("http://printer.example.com/ready?oauth_token={token}&oauth_verifier=v");
        assert_eq!(
            code_of(validate_callback(Some(pending()), &url, T0)),
            Code::TemporaryTokenMismatch,
            "{token:?}"
        );
    }
}

/// specs §14.1 (§2.2): the verifier is REQUIRED.
#[test]
fn callback_rejects_a_missing_or_empty_verifier() {
    for url in [
        "http://printer.example.com/ready?oauth_token=hh5s93j4hdidpola",
        "http://printer.example.com/ready?oauth_token=hh5s93j4hdidpola&oauth_verifier=",
        "http://printer.example.com/ready?oauth_token=hh5s93j4hdidpola&denied=hh5s93j4hdidpola",
        "http://printer.example.com/ready?oauth_token=hh5s93j4hdidpola&oauth_verifier=%FF",
    ] {
        assert_eq!(
            code_of(validate_callback(Some(pending()), url, T0)),
            Code::MissingVerifier,
            "{url}"
        );
    }
}

/// style.md: each parameter the check reads appears at most once; checked before anything else.
#[test]
fn callback_rejects_duplicate_oauth_token_or_verifier() {
    for url in [
        "http://printer.example.com/ready?oauth_token=hh5s93j4hdidpola&oauth_token=evil&oauth_verifier=v",
        "http://printer.example.com/ready?oauth_token=hh5s93j4hdidpola&oauth_verifier=a&oauth_verifier=b",
        "http://printer.example.com/ready?oauth_token=x&oauth_token=x&oauth_verifier=v",
    ] {
        assert_eq!(
            code_of(validate_callback(Some(pending()), url, T0)),
            Code::DuplicateParameter,
            "{url}"
        );
        assert_eq!(
            code_of(validate_callback(None, url, T0)),
            Code::DuplicateParameter,
            "order: before lookup"
        );
    }
}

/// specs §14.1 (§2.2): the callback carries `oauth_token`; without it, or without a URL we
/// can read, it is not an answer to our request.
#[test]
fn callback_without_oauth_token_or_with_a_broken_url_is_invalid() {
    for url in [
        "http://printer.example.com/ready?oauth_verifier=v",
        "http://printer.example.com/ready",
        "ready?x",
    ] {
        assert_eq!(
            code_of(validate_callback(Some(pending()), url, T0)),
            Code::InvalidCallback,
            "{url}"
        );
    }
}

/// specs §14.1 [DERIVED] and design.md: the pending record is single use. The driver takes it
/// out of storage, so the second callback finds nothing.
#[test]
fn callback_cannot_be_replayed_because_the_pending_record_is_taken() {
    let mut storage = Some(pending().encode());
    let take = |storage: &mut Option<String>| {
        storage
            .take()
            .map(|text| PendingRequest::decode(&text).unwrap())
    };
    assert!(validate_callback(take(&mut storage), CALLBACK, T0 + 5).is_ok());
    assert_eq!(
        code_of(validate_callback(take(&mut storage), CALLBACK, T0 + 6)),
        Code::TemporaryTokenMismatch
    );
}

/// A failed check consumes the record too: a wrong first callback cannot be retried with
/// the right token.
#[test]
fn a_rejected_callback_also_consumes_the_pending_record() {
    let mut storage = Some(pending());
    let wrong = "http://printer.example.com/ready?oauth_token=evil&oauth_verifier=v";
    assert_eq!(
        code_of(validate_callback(storage.take(), wrong, T0)),
        Code::TemporaryTokenMismatch
    );
    assert_eq!(
        code_of(validate_callback(storage.take(), CALLBACK, T0)),
        Code::TemporaryTokenMismatch
    );
}

/// design.md: the pending request has a time limit; a record from the future is not trusted.
#[test]
fn callback_rejects_an_expired_or_future_pending_request() {
    assert!(validate_callback(Some(pending()), CALLBACK, T0 + PENDING_MAX_AGE).is_ok());
    let late = validate_callback(Some(pending()), CALLBACK, T0 + PENDING_MAX_AGE + 1);
    assert_eq!(code_of(late), Code::PendingRequestExpired);
    assert_eq!(
        code_of(validate_callback(Some(pending()), CALLBACK, T0 - 1)),
        Code::PendingRequestExpired
    );
}

/// specs §14.1 (§2.1): `oauth_callback_confirmed` MUST be present and `true`; otherwise the
/// server is older than 1.0a and the flow stops.
#[test]
fn temporary_credentials_response_requires_callback_confirmed_true() {
    let base = "oauth_token=hh5s93j4hdidpola&oauth_token_secret=hdhd0244k9j7ao03";
    for suffix in [
        "",
        "&oauth_callback_confirmed=false",
        "&oauth_callback_confirmed=TRUE",
        "&oauth_callback_confirmed=",
    ] {
        let body = format!("{base}{suffix}");
        assert_eq!(
            code_of(process_temporary_credentials_response(200, &body, T0)),
            Code::CallbackNotConfirmed,
            "{suffix:?}"
        );
    }
    let twice = format!("{base}&oauth_callback_confirmed=true&oauth_callback_confirmed=true");
    assert_eq!(
        code_of(process_temporary_credentials_response(200, &twice, T0)),
        Code::InvalidCredentialsResponse
    );
}

/// specs §14.1 (§2.1, §2.3): `oauth_token` (non-empty) and `oauth_token_secret`, once each.
#[test]
fn credentials_responses_require_a_token_and_a_secret_exactly_once() {
    for body in [
        "",
        "<html>error</html>",
        "oauth_token_secret=s",
        "oauth_token=&oauth_token_secret=s",
        "oauth_token=t",
        "oauth_token=t&oauth_token=u&oauth_token_secret=s",
        "oauth_token=t&oauth_token_secret=s&oauth_token_secret=s",
        "oauth_token=%FF&oauth_token_secret=s",
    ] {
        let confirmed = format!("{body}&oauth_callback_confirmed=true");
        assert_eq!(
            code_of(process_temporary_credentials_response(200, &confirmed, T0)),
            Code::InvalidCredentialsResponse,
            "{body}"
        );
        assert_eq!(
            code_of(process_token_response(200, body, T0, 60)),
            Code::InvalidCredentialsResponse,
            "{body}"
        );
    }
    let empty_secret = process_token_response(200, "oauth_token=t&oauth_token_secret=", T0, 60);
    assert_eq!(
        empty_secret.unwrap().secret.expose(),
        "",
        "the secret may be empty, the token not"
    );
}

/// style.md: "they refused" is not "we rejected": a non-200 answer is `token_error` with the
/// status and the provider's `oauth_problem` as data.
#[test]
fn a_non_200_credentials_response_is_a_token_error_carrying_the_status_and_problem() {
    let error = process_token_response(401, "oauth_problem=signature_invalid", T0, 60)
        .err()
        .unwrap();
    assert_eq!(error.code, Code::TokenError);
    let detail = error.server.unwrap();
    assert_eq!(
        (detail.error.as_str(), detail.status),
        ("signature_invalid", 401)
    );
    let error = process_temporary_credentials_response(500, "<h1>oops</h1>", T0)
        .err()
        .unwrap();
    assert_eq!(error.code, Code::TokenError);
    let detail = error.server.unwrap();
    assert_eq!((detail.error.as_str(), detail.status), ("", 500));
    assert_eq!(
        code_of(process_token_response(
            201,
            "oauth_token=t&oauth_token_secret=s",
            T0,
            60
        )),
        Code::TokenError
    );
}

/// specs §14.3 (Appendix A): credential requests need TLS; the authorization page too.
#[test]
fn credential_requests_and_the_authorization_page_require_https() {
    let consumer = printer();
    let callback = "https://printer.example.com/ready";
    let http = "http://photos.example.net/initiate";
    let temporary = temporary_credentials_request(&consumer, http, callback, T0, nonce("n"));
    assert_eq!(code_of(temporary), Code::InsecureTransport);
    assert_eq!(
        code_of(authorization_url(
            "http://photos.example.net/authorize",
            &pending()
        )),
        Code::InsecureTransport
    );
    let validated = validate_callback(Some(pending()), CALLBACK, T0).unwrap();
    let token = token_request(
        &consumer,
        "http://photos.example.net/token",
        validated,
        T0,
        nonce("n"),
    );
    assert_eq!(code_of(token), Code::InsecureTransport);
    // The development exception of specs §2: plain http to a loopback host stays local.
    for loopback in [
        "http://127.0.0.1:8000/initiate",
        "http://localhost/initiate",
    ] {
        assert!(
            temporary_credentials_request(&consumer, loopback, callback, T0, nonce("n")).is_ok()
        );
    }
    assert!(authorization_url("http://[::1]:8000/authorize", &pending()).is_ok());
}

/// specs §14.1 (§2.1): `oauth_callback` is REQUIRED and absolute; a web app has no use for `oob`.
#[test]
fn temporary_credentials_request_requires_an_absolute_callback() {
    for callback in [
        "",
        "oob",
        "/ready",
        "printer.example.com/ready",
        "javascript:alert(1)",
    ] {
        let request = temporary_credentials_request(&printer(), INITIATE, callback, T0, nonce("n"));
        assert_eq!(code_of(request), Code::InvalidConfig, "{callback:?}");
    }
}

/// specs §14.1 (§2): endpoint queries must not carry `oauth_*` parameters.
#[test]
fn endpoint_queries_must_not_carry_oauth_parameters() {
    let url = authorization_url(
        "https://photos.example.net/authorize?oauth_token=other",
        &pending(),
    );
    assert_eq!(code_of(url), Code::InvalidSigningRequest);
    let callback = "https://printer.example.com/ready";
    let endpoint = "https://photos.example.net/initiate?oauth_callback=x";
    let request = temporary_credentials_request(&printer(), endpoint, callback, T0, nonce("n"));
    assert_eq!(code_of(request), Code::InvalidSigningRequest);
}

/// specs §14.1 (§2.2): `oauth_token` is appended to the endpoint's own query, §3.6-encoded.
#[test]
fn authorization_url_keeps_the_existing_query_and_fragment() {
    let pending = pending();
    for (endpoint, expected) in [
        (
            "https://p.example/authorize?lang=en",
            "https://p.example/authorize?lang=en&oauth_token=hh5s93j4hdidpola",
        ),
        (
            "https://p.example/authorize?",
            "https://p.example/authorize?oauth_token=hh5s93j4hdidpola",
        ),
        (
            "https://p.example/authorize?a=1&",
            "https://p.example/authorize?a=1&oauth_token=hh5s93j4hdidpola",
        ),
        (
            "https://p.example/a#top",
            "https://p.example/a?oauth_token=hh5s93j4hdidpola#top",
        ),
        (
            "https://p.example",
            "https://p.example?oauth_token=hh5s93j4hdidpola",
        ),
    ] {
        assert_eq!(authorization_url(endpoint, &pending).unwrap(), expected);
    }
    let odd = process_temporary_credentials_response(
        200,
        "oauth_token=a+b%26c%3D&oauth_token_secret=s&oauth_callback_confirmed=true",
        T0,
    )
    .unwrap();
    assert_eq!(
        authorization_url("https://p.example/a", &odd).unwrap(),
        "https://p.example/a?oauth_token=a%20b%26c%3D"
    );
}

/// design.md: the pending record is a compact form-encoded string holding the temporary
/// secret; anything it did not write is refused.
#[test]
fn pending_record_round_trips_and_refuses_anything_else() {
    let encoded = pending().encode();
    assert_eq!(
        encoded,
        "v=1&t=hh5s93j4hdidpola&s=hdhd0244k9j7ao03&c=137131200"
    );
    assert_eq!(PendingRequest::created_at_of(&encoded), Some(T0));
    let decoded = PendingRequest::decode(&encoded).unwrap();
    assert_eq!(decoded.encode(), encoded);
    assert!(validate_callback(Some(decoded), CALLBACK, T0).is_ok());
    for bad in [
        "",
        "v=2&t=hh5s93j4hdidpola&s=hdhd0244k9j7ao03&c=137131200",
        "v=1&t=hh5s93j4hdidpola&s=hdhd0244k9j7ao03",
        "v=1&t=hh5s93j4hdidpola&s=hdhd0244k9j7ao03&c=137131200&x=1",
        "v=1&t=hh5s93j4hdidpola&t=evil&c=137131200",
        "v=1&t=&s=hdhd0244k9j7ao03&c=137131200",
        "v=1&t=hh5s93j4hdidpola&s=hdhd0244k9j7ao03&c=-5",
        "v=1&t=%FF&s=hdhd0244k9j7ao03&c=137131200",
    ] {
        assert_eq!(
            code_of(PendingRequest::decode(bad)),
            Code::TemporaryTokenMismatch,
            "{bad:?}"
        );
    }
    // Pruning reads only the `c` field; the rest is checked when the record is used.
    for (record, created) in [
        (
            "v=1&t=hh5s93j4hdidpola&s=hdhd0244k9j7ao03&c=137131200",
            Some(T0),
        ),
        ("v=2&t=&c=5", Some(5)),
        ("v=1&t=hh5s93j4hdidpola&s=hdhd0244k9j7ao03", None),
        ("v=1&c=5&c=5", None),
        ("v=1&c=-5", None),
        ("v=1&c=", None),
        ("", None),
    ] {
        assert_eq!(PendingRequest::created_at_of(record), created, "{record:?}");
    }
    let odd = process_temporary_credentials_response(
        200,
        "oauth_token=a+b%26&oauth_token_secret=%C3%A9%3D&oauth_callback_confirmed=true",
        7,
    )
    .unwrap();
    let text = odd.encode();
    assert_eq!(text, "v=1&t=a%20b%26&s=%C3%A9%3D&c=7");
    assert_eq!(PendingRequest::decode(&text).unwrap().token(), "a b&");
}

/// Issue 11 item 13, for OAuth 1.0a: however many logins start, the stored pending records
/// are pruned to the newest few; expired and unreadable ones go first.
#[test]
fn pending_records_are_pruned_to_the_newest_like_oauth2_ones() {
    let now = T0 + 100;
    let mut records = vec![
        (String::from("expired"), Some(now - PENDING_MAX_AGE - 1)),
        (
            String::from("unreadable"),
            PendingRequest::created_at_of("v=1&t=x"),
        ),
    ];
    for i in 0..20u64 {
        let at = process_temporary_credentials_response(200, TEMPORARY_RESPONSE, T0 + i)
            .unwrap()
            .encode();
        records.push((format!("n{i:02}"), PendingRequest::created_at_of(&at)));
    }
    let mut gone = to_prune(records, now, PENDING_MAX_AGE, MAX_PENDING - 1);
    gone.sort();
    let mut expected = vec![String::from("expired"), String::from("unreadable")];
    expected.extend((0..13).map(|i| format!("n{i:02}")));
    expected.sort();
    assert_eq!(gone, expected, "the 7 newest stay, with room for the next");
}

/// specs §15: token credentials get the app's expiry, `now + lifetime`.
#[test]
fn token_credentials_expire_at_now_plus_the_app_lifetime() {
    let body = "oauth_token=t&oauth_token_secret=s";
    assert_eq!(DEFAULT_TOKEN_LIFETIME, 86_400);
    let credentials = process_token_response(200, body, 1_000, 3_600).unwrap();
    assert_eq!(credentials.expires_at, 4_600);
    assert!(!credentials.is_expired(4_599));
    assert!(credentials.is_expired(4_600));
    let forever = process_token_response(200, body, 1_000, u64::MAX).unwrap();
    assert_eq!(
        forever.expires_at,
        u64::MAX,
        "saturates instead of wrapping"
    );
}

/// The temporary secret the token request returns is the one from the pending record.
#[test]
fn token_request_signs_with_the_temporary_secret_of_the_pending_record() {
    let validated = validate_callback(Some(pending()), CALLBACK, T0).unwrap();
    let (prepared, secret) =
        token_request(&printer(), TOKEN, validated, T0 + 1, nonce("walatlh")).unwrap();
    let wrong = TokenSecret::new("not-the-secret".into());
    let signed = sign_with_secrets(prepared, &printer_secret(), Some(&wrong)).unwrap();
    assert!(!signed.authorization.contains("gKgrFCywp7rO0OXSjdot"));
    assert_eq!(secret.expose(), "hdhd0244k9j7ao03");
}
