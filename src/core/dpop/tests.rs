//! DPoP proofs, thumbprints and nonces with a fixed clock and fixed randomness (specs §0.3, §13).

use super::*;

/// specs §0.3: the RFC 9449 example key (Fig. 4 / §6.1).
const X: &str = "l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs";
const Y: &str = "9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA";

fn key() -> DpopKey {
    DpopKey::p256(X, Y).unwrap()
}

fn decode_json(part: &str) -> serde_json::Value {
    serde_json::from_slice(&base64url::decode(part).unwrap()).unwrap()
}

/// RFC 7638 §3.1: the RSA example key's thumbprint.
#[test]
fn rfc7638_section_3_1_example() {
    let n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
    let canonical = format!(r#"{{"e":"AQAB","kty":"RSA","n":"{n}"}}"#);
    assert_eq!(
        thumbprint(&canonical),
        "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
    );
}

/// specs §0.3: the RFC 9449 key's thumbprint is the §6.1 `cnf.jkt`; a second EC key's
/// thumbprint was computed independently with Python `hashlib` over the canonical JSON.
#[test]
fn ec_thumbprints_follow_rfc7638_canonical_form() {
    let key = key();
    assert_eq!(
        key.jwk(),
        format!(r#"{{"crv":"P-256","kty":"EC","x":"{X}","y":"{Y}"}}"#)
    );
    assert_eq!(
        key.thumbprint(),
        "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"
    );
    // x = bytes 1..=32, y = bytes 101..=132.
    let other = DpopKey::p256(
        "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA",
        "ZWZnaGlqa2xtbm9wcXJzdHV2d3h5ent8fX5_gIGCg4Q",
    )
    .unwrap();
    assert_eq!(
        other.thumbprint(),
        "IZlv4bWxIEZdvX7b0NUMuttfGmP8Pko97zDNMhAZSYU"
    );
}

#[test]
fn only_32_byte_base64url_coordinates_make_a_key() {
    for (x, y) in [
        ("", Y),
        (X, "AQID"),
        ("l8tFrhx+34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs", Y),
        (X, "9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDAA"),
        (r#"a","d":"secret"#, Y),
    ] {
        assert_eq!(
            DpopKey::p256(x, y).unwrap_err().code,
            Code::InvalidConfig,
            "{x} {y}"
        );
    }
}

/// specs §0.3 (RFC 9449 §7.1, Fig. 14).
#[test]
fn ath_is_the_hash_of_the_access_token() {
    assert_eq!(
        ath("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"),
        "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo"
    );
}

/// RFC 9449 §4.2: header typ/alg/jwk (public members only); claims jti, htm, htu without
/// query and fragment, iat; ath and nonce when given. The whole signing input equals one
/// built independently with Python's `json` and `base64`.
#[test]
fn resource_proof_has_every_claim_and_nothing_secret() {
    let jti = [7u8; JTI_BYTES];
    let proof = Proof {
        htm: "GET",
        url: "https://resource.example.org/protectedresource?x=1#frag",
        iat: 1_562_262_618,
        jti: &jti,
        access_token: Some("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"),
        nonce: Some("eyJ7S_zG.eyJH0-Z.HX4w-7v"),
    };
    let input = signing_input(&key(), &proof).unwrap();
    assert_eq!(
        input,
        "eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7ImNydiI6IlAtMjU2Iiwia3R5IjoiRUMiLCJ4IjoibDh0RnJoeC0zNHRWM2hSSUNSRFk5ekNrRGxwQmhGNDJVUVVmV1ZBV0JGcyIsInkiOiI5VkU0amZfT2tfbzY0emJUVGxjdU5KYWpIbXQ2djlURFZyVTBDZHZHUkRBIn19.eyJqdGkiOiJCd2NIQndjSEJ3Y0hCd2NIQndjSEJ3IiwiaHRtIjoiR0VUIiwiaHR1IjoiaHR0cHM6Ly9yZXNvdXJjZS5leGFtcGxlLm9yZy9wcm90ZWN0ZWRyZXNvdXJjZSIsImlhdCI6MTU2MjI2MjYxOCwiYXRoIjoiZlVIeU8ycjJaM0RaNTNFc05yV0JiMHhXWG9hTnk1OUlpS0NBcWtzbVFFbyIsIm5vbmNlIjoiZXlKN1NfekcuZXlKSDAtWi5IWDR3LTd2In0"
    );
    let (header, claims) = input.split_once('.').unwrap();
    let header = decode_json(header);
    assert_eq!(header["typ"], "dpop+jwt");
    assert_eq!(header["alg"], "ES256");
    assert_eq!(
        header["jwk"].as_object().unwrap().len(),
        4,
        "public members only, no d"
    );
    let claims = decode_json(claims);
    assert_eq!(
        claims["htu"],
        "https://resource.example.org/protectedresource"
    );
    assert_eq!(claims["iat"], 1_562_262_618);
    assert_eq!(
        base64url::decode(claims["jti"].as_str().unwrap())
            .unwrap()
            .len(),
        16
    );
    assert!(
        !input.contains("Kz~8mXK1"),
        "the access token itself is not in the proof"
    );
}

/// RFC 9449 §4.2, Fig. 4: a token-endpoint proof has no ath, and no nonce until one is given.
#[test]
fn token_endpoint_proof_matches_figure_4_claims() {
    let jti = [1u8; 16];
    let proof = Proof {
        htm: "POST",
        url: "https://server.example.com/token",
        iat: 1_562_262_616,
        jti: &jti,
        access_token: None,
        nonce: None,
    };
    let input = signing_input(&key(), &proof).unwrap();
    let claims = decode_json(input.split_once('.').unwrap().1);
    let names: Vec<_> = claims.as_object().unwrap().keys().cloned().collect();
    assert_eq!(names, ["htm", "htu", "iat", "jti"], "serde_json sorts keys");
    assert_eq!(claims["htm"], "POST");
    assert_eq!(claims["htu"], "https://server.example.com/token");
}

#[test]
fn a_proof_needs_128_random_bits_a_method_a_time_and_an_http_url() {
    let jti = [1u8; 16];
    let ok = |htm, url, iat, jti: &[u8]| {
        signing_input(
            &key(),
            &Proof {
                htm,
                url,
                iat,
                jti,
                access_token: None,
                nonce: None,
            },
        )
    };
    assert!(ok("POST", "http://127.0.0.1:9000/token", 1, &jti).is_ok());
    assert!(
        ok("POST", "https://as.example/token", 1, &jti[..15]).is_err(),
        "short jti"
    );
    assert!(
        ok("", "https://as.example/token", 1, &jti).is_err(),
        "no method"
    );
    assert!(
        ok("POST", "https://as.example/token", 0, &jti).is_err(),
        "no clock"
    );
    assert!(
        ok("POST", "ftp://as.example/token", 1, &jti).is_err(),
        "not http"
    );
    assert!(ok("POST", "/token", 1, &jti).is_err(), "relative");
}

/// RFC 7518 §3.4: the JWS signature is the 64-byte r || s that WebCrypto returns.
#[test]
fn assembly_appends_the_raw_signature_and_refuses_other_lengths() {
    let sig: Vec<u8> = (0..64).collect();
    let jwt = assemble("aGVhZA.Y2xhaW1z", &sig).unwrap();
    let mut parts = jwt.split('.');
    assert_eq!(
        (parts.next(), parts.next()),
        (Some("aGVhZA"), Some("Y2xhaW1z"))
    );
    assert_eq!(base64url::decode(parts.next().unwrap()).unwrap(), sig);
    for bad in [&sig[..63], &[0u8; 65][..], &[]] {
        assert_eq!(assemble("a.b", bad).unwrap_err().code, Code::SigningFailed);
    }
    assert!(assemble("a.b.c", &sig).is_err(), "not a signing input");
}

#[test]
fn htu_drops_query_and_fragment_only() {
    assert_eq!(
        htu("https://a.example/p/q?x=1&y#f").unwrap(),
        "https://a.example/p/q"
    );
    assert_eq!(
        htu("https://a.example:8443/p#f?x").unwrap(),
        "https://a.example:8443/p"
    );
    assert_eq!(
        htu("http://127.0.0.1:9000/token").unwrap(),
        "http://127.0.0.1:9000/token"
    );
}

/// RFC 9449 §8, §9: nonces are kept per origin, the latest wins, malformed ones are ignored.
#[test]
fn nonces_are_remembered_per_origin() {
    let mut nonces = Nonces::default();
    assert_eq!(nonces.get("https://as.example/token"), None);
    nonces.remember("https://as.example/token", "n1");
    nonces.remember("https://api.example/v1?x", "r1");
    assert_eq!(nonces.get("https://as.example/other"), Some("n1"));
    assert_eq!(nonces.get("https://api.example/"), Some("r1"));
    assert_eq!(
        nonces.get("https://as.example:8443/token"),
        None,
        "another origin"
    );
    nonces.remember("https://as.example/token", "n2");
    assert_eq!(
        nonces.get("https://as.example/token"),
        Some("n2"),
        "the latest"
    );
    for bad in ["", "a b", "a\"b", "a\\b", "é"] {
        nonces.remember("https://as.example/token", bad);
        assert_eq!(
            nonces.get("https://as.example/token"),
            Some("n2"),
            "{bad:?} ignored"
        );
    }
}

#[test]
fn token_endpoint_nonce_challenge_is_a_400_use_dpop_nonce() {
    let body = r#"{"error":"use_dpop_nonce","error_description":"x"}"#;
    assert!(is_token_nonce_error(400, body));
    assert!(!is_token_nonce_error(401, body));
    assert!(!is_token_nonce_error(
        400,
        r#"{"error":"invalid_dpop_proof"}"#
    ));
    assert!(!is_token_nonce_error(400, "use_dpop_nonce"));
}

#[test]
fn resource_nonce_challenge_is_a_401_dpop_use_dpop_nonce() {
    for yes in [
        r#"DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof""#,
        r#"DPoP algs="ES256", error="use_dpop_nonce""#,
        r#"Bearer realm="x", DPoP error="use_dpop_nonce""#,
        r#"dpop error=use_dpop_nonce"#,
        r#"DPoP error_description="a, b error=x", error="use_dpop_nonce""#,
    ] {
        assert!(is_resource_nonce_error(401, yes), "{yes}");
    }
    for no in [
        r#"Bearer error="use_dpop_nonce""#,
        r#"DPoP error="invalid_token""#,
        r#"DPoP error_description="error=\"use_dpop_nonce\"""#,
        r#"DPoP error="use_dpop_nonce"#,
        "",
    ] {
        assert!(!is_resource_nonce_error(401, no), "{no}");
    }
    assert!(!is_resource_nonce_error(
        400,
        r#"DPoP error="use_dpop_nonce""#
    ));
}

/// One retry per request, then an error: never a loop.
#[test]
fn a_nonce_challenge_is_retried_once_then_refused() {
    assert_eq!(nonce_retry(false, false), Ok(false));
    assert_eq!(nonce_retry(true, false), Ok(false));
    assert_eq!(nonce_retry(false, true), Ok(true));
    assert_eq!(
        nonce_retry(true, true).unwrap_err().code,
        Code::DpopNonceRejected
    );
}

/// specs §13 (RFC 9449 §7.1, RFC 6750 §3.1): a DPoP challenge with `invalid_token` means the
/// access token itself was refused (expired, revoked); Bearer challenges and other errors do not.
#[test]
fn resource_invalid_token_is_a_401_dpop_invalid_token() {
    for yes in [
        r#"DPoP error="invalid_token", error_description="unknown or expired access token", algs="ES256""#,
        r#"Bearer realm="x", DPoP algs="ES256", error="invalid_token""#,
        "dpop error=invalid_token",
    ] {
        assert!(is_resource_invalid_token(401, yes), "{yes}");
    }
    for no in [
        r#"Bearer error="invalid_token""#,
        r#"DPoP error="invalid_dpop_proof""#,
        r#"DPoP error="use_dpop_nonce""#,
        r#"DPoP error_description="invalid_token""#,
        r#"DPoP error="invalid_token"#,
        "",
    ] {
        assert!(!is_resource_invalid_token(401, no), "{no}");
    }
    assert!(!is_resource_invalid_token(
        403,
        r#"DPoP error="invalid_token""#
    ));
}

/// specs §13: `client.fetch` with DPoP answers a nonce challenge with one retry and an
/// `invalid_token` challenge (DPoP for a bound token, Bearer for an unbound one, RFC 6750
/// §3.1) with one refresh and retry; each once per call, never a loop.
#[test]
fn a_resource_answer_gets_one_nonce_retry_and_one_refresh() {
    let nonce = r#"DPoP error="use_dpop_nonce""#;
    let invalid = r#"DPoP error="invalid_token", algs="ES256""#;
    let retry = |n, r, status, header| resource_retry(true, n, r, status, header).unwrap();
    assert_eq!(retry(false, false, 200, ""), ResourceRetry::Done);
    assert_eq!(
        retry(false, false, 401, r#"DPoP error="invalid_dpop_proof""#),
        ResourceRetry::Done
    );
    assert_eq!(
        retry(false, false, 401, r#"Bearer error="invalid_token""#),
        ResourceRetry::Done
    );
    assert_eq!(retry(false, false, 401, nonce), ResourceRetry::Nonce);
    assert_eq!(retry(false, true, 401, nonce), ResourceRetry::Nonce);
    assert_eq!(retry(false, false, 401, invalid), ResourceRetry::Refresh);
    assert_eq!(retry(true, false, 401, invalid), ResourceRetry::Refresh);
    // The second invalid_token goes to the app; the second nonce challenge is an error.
    assert_eq!(retry(false, true, 401, invalid), ResourceRetry::Done);
    assert_eq!(retry(true, true, 401, invalid), ResourceRetry::Done);
    assert_eq!(
        resource_retry(true, true, false, 401, nonce)
            .unwrap_err()
            .code,
        Code::DpopNonceRejected
    );
    // An unbound token (`dpop: "optional"`, sent as Bearer): the Bearer challenge counts.
    let unbound = |status, header| resource_retry(false, false, false, status, header).unwrap();
    assert_eq!(
        unbound(401, r#"Bearer error="invalid_token""#),
        ResourceRetry::Refresh
    );
    assert_eq!(unbound(401, invalid), ResourceRetry::Done);
    assert_eq!(
        unbound(403, r#"Bearer error="invalid_token""#),
        ResourceRetry::Done
    );
    assert_eq!(
        resource_retry(false, false, true, 401, r#"Bearer error="invalid_token""#).unwrap(),
        ResourceRetry::Done
    );
    // The wrapper gets these numbers (pkg/src/dpop.ts RETRY_NONCE, RETRY_REFRESH).
    assert_eq!(
        [
            ResourceRetry::Done,
            ResourceRetry::Nonce,
            ResourceRetry::Refresh
        ]
        .map(|r| r as u8),
        [0, 1, 2]
    );
}

/// RFC 9449 §5: a Bearer answer to a DPoP request is refused unless the app made DPoP optional.
#[test]
fn an_unbound_token_is_refused_unless_dpop_is_optional() {
    assert_eq!(check_token_type("DPoP", false), Ok(true));
    assert_eq!(check_token_type("dpop", true), Ok(true));
    assert_eq!(check_token_type("Bearer", true), Ok(false));
    assert_eq!(
        check_token_type("Bearer", false).unwrap_err().code,
        Code::DpopNotBound
    );
    assert_eq!(
        check_token_type("MAC", true).unwrap_err().code,
        Code::DpopNotBound
    );
}
