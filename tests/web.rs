//! Browser tests of the web shell, run in headless Chromium by
//! `wasm-pack test --headless --chrome` (wasm-bindgen-test).
#![cfg(target_arch = "wasm32")]

use browser_oauth::internal::{
    Code, CodeVerifier, Event, KeyStep, Policy, Session, SignatureCheck, Timer, fill_random,
    process_token_response, timer_delay_ms,
};
use js_sys::{Function, Promise, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Wraps `crypto.getRandomValues` with `body` (JS taking `orig, buf`) for one closure's
/// duration, restoring the original afterwards.
fn with_patched_random<T>(body: &str, run: impl FnOnce() -> T) -> T {
    let crypto = Reflect::get(&js_sys::global(), &"crypto".into()).unwrap();
    let original = Reflect::get(&crypto, &"getRandomValues".into()).unwrap();
    let make = Function::new_with_args("orig", &format!("return function(buf) {{ {body} }};"));
    let patched = make.call1(&JsValue::NULL, &original).unwrap();
    Reflect::set(&crypto, &"getRandomValues".into(), &patched).unwrap();
    let result = run();
    Reflect::set(&crypto, &"getRandomValues".into(), &original).unwrap();
    result
}

/// specs §1, foundation issue: the wasm build draws its randomness from
/// crypto.getRandomValues, and the verifier is made of exactly those bytes.
#[wasm_bindgen_test]
fn pkce_verifier_comes_from_crypto_get_random_values() {
    let mut bytes = [0u8; 32];
    with_patched_random(
        "const r = orig.call(crypto, buf); globalThis.__seen = Array.from(buf); return r;",
        || {
            fill_random(&mut bytes).unwrap();
        },
    );
    let seen = Reflect::get(&js_sys::global(), &"__seen".into()).unwrap();
    let seen: Vec<u8> = js_sys::Array::from(&seen)
        .iter()
        .map(|v| v.as_f64().unwrap() as u8)
        .collect();
    assert_eq!(
        seen,
        bytes.to_vec(),
        "the bytes are the ones getRandomValues wrote"
    );
    assert_ne!(bytes, [0u8; 32]);
}

/// design "Rules": no weaker fallback; if getRandomValues fails, the call fails.
#[wasm_bindgen_test]
fn randomness_failure_is_a_typed_error_not_a_fallback() {
    let mut bytes = [0u8; 32];
    let result = with_patched_random("throw new Error('no entropy');", || fill_random(&mut bytes));
    assert_eq!(result.unwrap_err().code, Code::RandomUnavailable);
}

/// specs §0.1: the S256 challenge computed in wasm equals WebCrypto's SHA-256.
#[wasm_bindgen_test]
async fn challenge_matches_webcrypto_sha256() {
    let mut bytes = [0u8; 32];
    fill_random(&mut bytes).unwrap();
    let verifier = CodeVerifier::from_random(&bytes, 43).unwrap();
    let subtle = web_sys::window().unwrap().crypto().unwrap().subtle();
    let data = Uint8Array::from(verifier.expose().as_bytes());
    let digest = JsFuture::from(
        subtle
            .digest_with_str_and_js_u8_array("SHA-256", &data)
            .unwrap(),
    )
    .await
    .unwrap();
    let digest = Uint8Array::new(&digest.dyn_into::<js_sys::ArrayBuffer>().unwrap()).to_vec();
    let btoa = js_sys::global()
        .unchecked_into::<web_sys::Window>()
        .btoa(&digest.iter().map(|&b| char::from(b)).collect::<String>())
        .unwrap();
    let expected = btoa
        .trim_end_matches('=')
        .replace('+', "-")
        .replace('/', "_");
    assert_eq!(verifier.challenge(), expected);
}

/// The wasm32 global allocator (src/heap.rs) reuses what is freed: once a loop of mixed-size
/// allocations has run, running it again does not grow memory, and the blocks it hands out
/// hold their contents.
#[wasm_bindgen_test]
fn freed_memory_is_reused() {
    let churn = || {
        let mut kept: Vec<Vec<u8>> = Vec::new();
        for i in 0..20_000usize {
            let len = (i * 7919) % 70_000 + 1;
            let block = vec![(i % 251) as u8; len];
            assert!(block.iter().all(|&b| b == (i % 251) as u8));
            kept.push(block);
            if kept.len() > 8 {
                kept.remove(0);
            }
        }
        let mut text = String::new();
        for i in 0..5_000u32 {
            text.push(char::from(b'a' + (i % 26) as u8));
        }
        assert_eq!(text.len(), 5_000);
    };
    churn();
    let before = memory_bytes();
    churn();
    churn();
    assert_eq!(memory_bytes(), before);
}

fn memory_bytes() -> f64 {
    wasm_bindgen::memory()
        .unchecked_into::<js_sys::WebAssembly::Memory>()
        .buffer()
        .unchecked_into::<js_sys::ArrayBuffer>()
        .byte_length() as f64
}

/// The wasm32 stack is 64 KiB (.cargo/config.toml): it holds the JSON reader's deepest
/// accepted document (32 levels of nesting around an escaped string), in this debug build
/// too, and one level more is refused rather than recursed into.
#[wasm_bindgen_test]
fn deepest_json_fits_the_stack() {
    use browser_oauth::internal::parse_json;
    let nested = |depth: usize| {
        format!(
            "{}\"\\ud83d\\ude00\"{}",
            "[".repeat(depth),
            "]".repeat(depth)
        )
    };
    assert!(parse_json(&nested(32)).is_some());
    assert!(parse_json(&nested(33)).is_none());
    assert!(parse_json(&"[".repeat(100_000)).is_none());
}

/// A session whose access token was received `age` seconds ago and lives `lifetime`
/// seconds, with a 1 s margin and no refresh token.
fn session(age: u64, lifetime: u64) -> Session {
    let received = now() - age;
    let body = format!(
        r#"{{"access_token":"at-browser-test","token_type":"Bearer","expires_in":{lifetime}}}"#
    );
    let tokens = process_token_response(received, 200, &body, "openid").unwrap();
    let policy = Policy {
        margin: 1,
        auto_refresh: false,
        max_attempts: 1,
        refuse_broader_scope: false,
    };
    let mut session = Session::new(policy, "openid");
    session.start(received, tokens, None).unwrap();
    session
}

fn now() -> u64 {
    (js_sys::Date::now() / 1000.0) as u64
}

/// A promise and the function that resolves it: the wake function handed to a [`Timer`].
fn wake_promise() -> (JsFuture, Function) {
    let mut wake = None;
    let promise = Promise::new(&mut |resolve, _| wake = Some(resolve));
    (JsFuture::from(promise), wake.unwrap())
}

/// Issue 4 item 2 (specs §4 timers): with a 4 s token and a real setTimeout, the one timer
/// armed for the session's deadline wakes it for `expiring`, then for `expired`.
#[wasm_bindgen_test]
async fn session_timer_fires_expiring_then_expired_for_a_short_lifetime() {
    let mut session = session(0, 4);
    let mut seen = Vec::new();
    while let Some(deadline) = session.poll_timeout() {
        let (woken, wake) = wake_promise();
        let mut timer = Timer::new(wake);
        timer.arm(Some(timer_delay_ms(deadline, js_sys::Date::now() as u64)));
        woken.await.unwrap();
        session.handle_timeout(now());
        seen.extend(session.poll_events());
    }
    assert!(
        matches!(
            seen.as_slice(),
            [Event::Expiring { .. }, Event::Expired { .. }]
        ),
        "{seen:?}"
    );
}

/// Issue 4 item 2: a background tab's timer may not have fired; when the tab becomes
/// visible again, `visibilitychange` wakes the session, which compares its deadline with
/// the clock and reports the expiry it missed.
#[wasm_bindgen_test]
async fn visibilitychange_wakes_a_session_whose_timer_is_late() {
    // Received 10 s ago with a 5 s lifetime: expired by the clock, but the (throttled)
    // timer is far in the future.
    let mut session = session(10, 5);
    let (woken, wake) = wake_promise();
    let mut timer = Timer::new(wake);
    timer.arm(Some(i32::MAX));
    // As browsers fire it (HTML "page visibility"): at the document, bubbling to the window.
    Function::new_no_args(
        "document.dispatchEvent(new Event('visibilitychange', { bubbles: true }))",
    )
    .call0(&JsValue::NULL)
    .unwrap();
    woken.await.unwrap();
    session.handle_timeout(now());
    let events: Vec<Event> = session.poll_events();
    assert!(
        matches!(events.as_slice(), [Event::Expired { .. }]),
        "{events:?}"
    );
    drop(timer);
}

/// A re-armed timer replaces the old one: only the newer deadline wakes the session.
#[wasm_bindgen_test]
async fn rearming_replaces_the_pending_timer() {
    let counter = Function::new_no_args("globalThis.__wakes = (globalThis.__wakes || 0) + 1");
    let mut replaced = Timer::new(counter);
    replaced.arm(Some(0));
    replaced.arm(Some(i32::MAX));
    let (woken, wake) = wake_promise();
    let mut sentinel = Timer::new(wake);
    sentinel.arm(Some(20));
    woken.await.unwrap();
    let wakes = Reflect::get(&js_sys::global(), &"__wakes".into()).unwrap();
    assert!(wakes.is_undefined(), "the replaced timer never fired");
}

/// Issue 5 / design "Zeroize only where cheap": the allocator overwrites freed blocks, so a
/// dropped token leaves no bytes in linear memory (past the free-list link it stores).
#[wasm_bindgen_test]
fn freed_secrets_are_wiped_from_linear_memory() {
    let secret = String::from("refresh-token-that-must-not-linger-0123456789");
    let (start, len) = (secret.as_ptr() as u32, secret.len() as u32);
    drop(secret);
    let memory = Uint8Array::new(
        &wasm_bindgen::memory()
            .unchecked_into::<js_sys::WebAssembly::Memory>()
            .buffer(),
    );
    let bytes = memory.subarray(start, start + len).to_vec();
    assert!(bytes[8..].iter().all(|&b| b == 0), "{bytes:?}");
}

/// Makes a key pair for `alg` in WebCrypto, signs a compact JWS with it, and returns
/// `{jwks, token}`: the public key as a JWKS document (kid "k1") and the token.
const SIGN_JS: &str = r#"return (async () => {
  const p = {
    RS256: [{ name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, { name: 'RSASSA-PKCS1-v1_5' }],
    PS256: [{ name: 'RSA-PSS', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, { name: 'RSA-PSS', saltLength: 32 }],
    ES256: [{ name: 'ECDSA', namedCurve: 'P-256' }, { name: 'ECDSA', hash: 'SHA-256' }],
  }[alg];
  const keys = await crypto.subtle.generateKey(p[0], true, ['sign', 'verify']);
  const jwk = { ...(await crypto.subtle.exportKey('jwk', keys.publicKey)), kid: 'k1' };
  const b64 = (b) => btoa(String.fromCharCode(...new Uint8Array(b))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  const enc = (o) => b64(new TextEncoder().encode(JSON.stringify(o)));
  const input = enc({ alg, kid: 'k1' }) + '.' + enc({ sub: 'alice' });
  const sig = await crypto.subtle.sign(p[1], keys.privateKey, new TextEncoder().encode(input));
  return { jwks: JSON.stringify({ keys: [jwk] }), token: input + '.' + b64(sig) };
})()"#;

/// What the wrapper does with a verify plan (pkg/src/index.ts `verify`); `tamper` changes
/// one byte of the signed data first.
const VERIFY_JS: &str = r#"return (async () => {
  const p = JSON.parse(plan);
  const key = await crypto.subtle.importKey('jwk', p.jwk, p.import, false, ['verify']);
  const sig = Uint8Array.from(atob(p.sig.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
  const data = tamper ? p.data.slice(0, -1) + (p.data.endsWith('A') ? 'B' : 'A') : p.data;
  return crypto.subtle.verify(p.params, key, sig, new TextEncoder().encode(data));
})()"#;

async fn run_js(source: &str, names: &str, args: &[JsValue]) -> JsValue {
    let f = Function::new_with_args(names, source);
    let promise = match args {
        [a] => f.call1(&JsValue::NULL, a),
        [a, b] => f.call2(&JsValue::NULL, a, b),
        _ => unreachable!(),
    };
    JsFuture::from(Promise::from(promise.unwrap()))
        .await
        .unwrap()
}

/// specs §10 steps 6-7 (issue 4 item 4): the key the core selects and the parameters it
/// plans are what WebCrypto needs, for RS256, PS256 and ES256; a changed byte fails.
#[wasm_bindgen_test]
async fn verify_plans_work_with_webcrypto_for_rs256_ps256_and_es256() {
    for alg in ["RS256", "PS256", "ES256"] {
        let made = run_js(SIGN_JS, "alg", &[alg.into()]).await;
        let text = |name: &str| {
            Reflect::get(&made, &name.into())
                .unwrap()
                .as_string()
                .unwrap()
        };
        let mut check = SignatureCheck::new(&text("token")).unwrap();
        let Ok(KeyStep::Verify(plan)) = check.with_keys(Some(&text("jwks"))) else {
            panic!("{alg}: no plan")
        };
        for (tamper, expected) in [(false, true), (true, false)] {
            let verdict = run_js(
                VERIFY_JS,
                "plan,tamper",
                &[plan.as_str().into(), tamper.into()],
            )
            .await;
            assert_eq!(verdict.as_bool(), Some(expected), "{alg} tamper={tamper}");
        }
    }
}

/// A client whose metadata is given (no discovery), for calls through the one entry point.
fn client() -> browser_oauth::internal::WasmClient {
    let issuer = "https://op.example";
    let config = format!(
        r#"{{"issuer":"{issuer}","clientId":"app","redirectUri":"https://app.example/cb",
        "metadata":{{"issuer":"{issuer}","authorization_endpoint":"{issuer}/authorize",
        "token_endpoint":"{issuer}/token","jwks_uri":"{issuer}/jwks",
        "code_challenge_methods_supported":["S256"]}}}}"#
    );
    browser_oauth::internal::WasmClient::create(&config, 0, None, Function::new_no_args(""))
        .expect("a valid configuration")
}

/// The code of an error `WasmClient.call` threw (the JSON text of `Error::to_json`).
fn thrown_code(error: JsValue) -> String {
    let text = error.as_string().expect("errors cross as JSON text");
    let start = text.find(r#""code":""#).expect("a code") + 8;
    text[start..].split('"').next().unwrap_or_default().into()
}

/// Bad input through the one entry point (`WasmClient.call`, src/ops.rs) is a typed error,
/// never a trap: an operation number no build knows, and numbers that are not statuses.
#[wasm_bindgen_test]
fn the_entry_point_answers_odd_input_with_typed_errors() {
    use browser_oauth::internal::ops;
    let mut client = client();
    for op in [21, 99, u8::MAX] {
        let error = client
            .call(op, 0.0, None, None)
            .expect_err("no such operation");
        assert_eq!(thrown_code(error), Code::InvalidConfig.as_str(), "op {op}");
    }
    // No step is waiting for an answer, whatever the status says.
    for status in [f64::NAN, f64::INFINITY, -1.0, 1e12] {
        let error = client
            .call(ops::RESUME, status, Some("{}".into()), None)
            .expect_err("nothing to resume");
        assert_eq!(
            thrown_code(error),
            Code::LoginRequired.as_str(),
            "status {status}"
        );
    }
    // No session: the access token needs a login, refresh allowed or not.
    for may_refresh in [0.0, 1.0, f64::NAN] {
        let error = client
            .call(ops::ACCESS_TOKEN, may_refresh, None, None)
            .expect_err("no session");
        assert_eq!(thrown_code(error), Code::LoginRequired.as_str());
    }
    // The client still works after all of it.
    let url = client
        .call(ops::LOGIN, 0.0, Some("{}".into()), None)
        .expect("a login URL")
        .expect("text");
    assert!(url.starts_with("https://op.example/authorize?"), "{url}");
    assert_eq!(
        client.call(ops::IS_AUTHENTICATED, 0.0, None, None).ok(),
        Some(None)
    );
}
