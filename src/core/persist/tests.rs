//! The session record: format, binding and every tamper case. AES-GCM-256 from the
//! `aes-gcm` crate stands in for the wrapper's `crypto.subtle.encrypt`/`decrypt` (same
//! algorithm, IV and additional data), so a tampered record is refused for the reason it
//! would be in the browser: the tag does not verify, or the decrypted contents do not fit.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};

use std::string::ToString;

use super::*;

const ISS: &str = "https://as.example";
const CID: &str = "spa";
const SUB: &str = "alice";
const NOW: u64 = 1_700_000_000;
const KEY: [u8; 32] = [9; 32];

fn contents(sub: &str) -> Contents {
    Contents {
        refresh_token: RefreshToken::new("rt-secret-1".into()),
        scope: "openid offline_access".into(),
        sub: sub.into(),
        claims: format!(r#"{{"iss":"{ISS}","sub":"{sub}","name":"Alice"}}"#),
    }
}

fn cipher() -> Aes256Gcm {
    Aes256Gcm::new_from_slice(&KEY).unwrap()
}

/// What the wrapper does on a write: encrypt the plaintext, then store `record(..)`.
fn write(issuer: &str, client_id: &str, contents: &Contents, iv: [u8; 12]) -> String {
    let seal = seal(issuer, client_id, contents, iv, NOW);
    let ct = cipher()
        .encrypt(
            Nonce::from_slice(&seal.iv),
            Payload {
                msg: seal.plaintext.as_bytes(),
                aad: seal.aad.as_bytes(),
            },
        )
        .unwrap();
    record(&contents.sub, &seal.iv, &ct)
}

/// What the wrapper does on a restore: open, decrypt (a failure is the core's
/// `persisted_session_invalid`), read.
fn restore(text: &str, now: u64) -> Result<Contents> {
    let sealed = open(text, ISS, CID)?;
    let plaintext = cipher()
        .decrypt(
            Nonce::from_slice(&sealed.iv),
            Payload {
                msg: &sealed.ciphertext,
                aad: sealed.aad.as_bytes(),
            },
        )
        .map_err(|_| Code::PersistedSessionInvalid)?;
    read(&plaintext, ISS, CID, &sealed.sub, now)
}

fn code(result: Result<Contents>) -> Code {
    result.unwrap_err().code
}

fn record_json(text: &str) -> serde_json::Map<String, serde_json::Value> {
    serde_json::from_str::<serde_json::Value>(text)
        .unwrap()
        .as_object()
        .unwrap()
        .clone()
}

#[test]
fn a_record_round_trips_with_refresh_token_scope_claims_and_expiry() {
    let text = write(ISS, CID, &contents(SUB), [1; 12]);
    let back = restore(&text, NOW + 1).unwrap();
    assert_eq!(back.refresh_token.expose(), "rt-secret-1");
    assert_eq!(back.scope, "openid offline_access");
    assert_eq!(back.sub, SUB);
    assert!(back.claims.contains("\"name\":\"Alice\""));
    let seal = seal(ISS, CID, &contents(SUB), [1; 12], NOW);
    let plain: serde_json::Value = serde_json::from_str(&seal.plaintext).unwrap();
    assert_eq!(plain["exp"], NOW + MAX_AGE_SECONDS);
    let names: Vec<_> = plain.as_object().unwrap().keys().cloned().collect();
    assert_eq!(
        names,
        ["aud", "claims", "exp", "iss", "rt", "scope", "sub", "v"],
        "never an access token"
    );
}

/// The stored text holds the version, `sub`, IV and ciphertext only: no token in clear.
#[test]
fn the_stored_record_holds_no_secret_in_clear() {
    let text = write(ISS, CID, &contents(SUB), [1; 12]);
    let record = record_json(&text);
    let names: Vec<_> = record.keys().cloned().collect();
    assert_eq!(names, ["ct", "iv", "sub", "v"]);
    assert!(!text.contains("rt-secret-1") && !text.contains("offline_access"));
}

/// A fresh IV per write: the same contents give different ciphertexts.
#[test]
fn each_write_uses_its_own_iv() {
    let a = record_json(&write(ISS, CID, &contents(SUB), [1; 12]));
    let b = record_json(&write(ISS, CID, &contents(SUB), [2; 12]));
    assert_ne!(a["iv"], b["iv"]);
    assert_ne!(a["ct"], b["ct"]);
}

/// The additional data binds issuer, client id and sub, unambiguously.
#[test]
fn additional_data_binds_issuer_client_and_sub() {
    assert_eq!(
        additional_data(ISS, CID, SUB),
        r#"["browser-oauth session 1","https://as.example","spa","alice"]"#
    );
    assert_ne!(
        additional_data("a", "b,c", "d"),
        additional_data("a", "b", "c,d")
    );
    assert_ne!(
        additional_data("a\"", "b", "c"),
        additional_data("a", "\"b", "c")
    );
}

#[test]
fn a_record_from_another_issuer_client_or_user_is_refused() {
    for (issuer, client_id) in [("https://other.example", CID), (ISS, "other-spa")] {
        let text = write(issuer, client_id, &contents(SUB), [1; 12]);
        assert_eq!(
            code(restore(&text, NOW)),
            Code::PersistedSessionInvalid,
            "{issuer} {client_id}"
        );
    }
    // Mallory's own valid record relabelled with Alice's sub: the tag breaks.
    let mallory = write(ISS, CID, &contents("mallory"), [1; 12]);
    let relabelled = mallory.replace("\"sub\":\"mallory\"", "\"sub\":\"alice\"");
    assert_ne!(relabelled, mallory);
    assert_eq!(
        code(restore(&relabelled, NOW)),
        Code::PersistedSessionInvalid
    );
}

/// Every field of the stored text, altered, truncated, missing, duplicated or extra.
#[test]
fn every_tampered_record_is_refused() {
    let text = write(ISS, CID, &contents(SUB), [1; 12]);
    let record = record_json(&text);
    let ct = base64url::decode(record["ct"].as_str().unwrap()).unwrap();
    let iv = base64url::decode(record["iv"].as_str().unwrap()).unwrap();
    let with = |name: &str, value: serde_json::Value| {
        let mut r = record.clone();
        r.insert(name.into(), value);
        serde_json::Value::Object(r).to_string()
    };
    let without = |name: &str| {
        let mut r = record.clone();
        r.remove(name);
        serde_json::Value::Object(r).to_string()
    };
    let mut cases: Vec<(&str, String)> = vec![
        ("bad json", String::from("{")),
        ("not an object", "[]".into()),
        ("empty", String::new()),
        ("version 2", with("v", 2.into())),
        ("version as text", with("v", "1".into())),
        ("other sub", with("sub", "bob".into())),
        ("empty sub", with("sub", "".into())),
        ("short iv", with("iv", base64url::encode(&iv[..11]).into())),
        ("long iv", with("iv", base64url::encode(&[1; 16]).into())),
        ("iv not base64url", with("iv", "AQEBAQEBAQEBAQEB+".into())),
        (
            "ct only a tag",
            with("ct", base64url::encode(&ct[ct.len() - 16..]).into()),
        ),
        (
            "ct truncated",
            with("ct", base64url::encode(&ct[..ct.len() - 1]).into()),
        ),
        (
            "ct extended",
            with("ct", base64url::encode(&[&ct[..], &[0]].concat()).into()),
        ),
        ("ct not base64url", with("ct", "%%%".into())),
        ("extra member", with("at", "x".into())),
        ("no sub", without("sub")),
        ("no iv", without("iv")),
        ("no ct", without("ct")),
        ("no v", without("v")),
        ("duplicate member", text.replacen("{", "{\"v\":1,", 1)),
    ];
    // One flipped bit anywhere in the ciphertext or tag, and one in the IV.
    for i in [0, ct.len() / 2, ct.len() - 1] {
        let mut bad = ct.clone();
        bad[i] ^= 1;
        cases.push(("flipped ct bit", with("ct", base64url::encode(&bad).into())));
    }
    let mut bad_iv = iv.clone();
    bad_iv[0] ^= 0x80;
    cases.push((
        "flipped iv bit",
        with("iv", base64url::encode(&bad_iv).into()),
    ));
    for (what, tampered) in cases {
        assert_eq!(
            code(restore(&tampered, NOW)),
            Code::PersistedSessionInvalid,
            "{what}"
        );
    }
    assert!(
        restore(&text, NOW).is_ok(),
        "the untouched record still restores"
    );
}

/// Contents checked after decryption (a record sealed with the right key but wrong inside).
#[test]
fn decrypted_contents_must_fit_this_client_and_be_fresh() {
    let good = seal(ISS, CID, &contents(SUB), [1; 12], NOW).plaintext;
    assert!(read(good.as_bytes(), ISS, CID, SUB, NOW).is_ok());
    let expired = NOW + MAX_AGE_SECONDS;
    assert_eq!(
        read(good.as_bytes(), ISS, CID, SUB, expired)
            .unwrap_err()
            .code,
        Code::PersistedSessionInvalid
    );
    let refused = |plaintext: &str| {
        read(plaintext.as_bytes(), ISS, CID, SUB, NOW)
            .unwrap_err()
            .code
    };
    for (from, to) in [
        ("\"v\":1", "\"v\":2"),
        (
            "\"iss\":\"https://as.example\"",
            "\"iss\":\"https://evil.example\"",
        ),
        ("\"aud\":\"spa\"", "\"aud\":\"other\""),
        ("\"sub\":\"alice\",\"rt\"", "\"sub\":\"bob\",\"rt\""),
        ("\"rt\":\"rt-secret-1\"", "\"rt\":\"\""),
        ("\\\"sub\\\":\\\"alice\\\"", "\\\"sub\\\":\\\"bob\\\""),
        ("\"exp\":", "\"exp\":-"),
    ] {
        let changed = good.replace(from, to);
        assert_ne!(changed, good, "{from}");
        assert_eq!(
            refused(&changed),
            Code::PersistedSessionInvalid,
            "{from} -> {to}"
        );
    }
    assert_eq!(refused("not json"), Code::PersistedSessionInvalid);
    assert_eq!(
        read(&[0xff, 0xfe], ISS, CID, SUB, NOW).unwrap_err().code,
        Code::PersistedSessionInvalid,
        "not UTF-8"
    );
}
