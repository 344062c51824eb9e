//! The wasm-bindgen surface of the OAuth 1.0a entry (`browser-oauth/oauth1`, built with the
//! `oauth1` feature): conversion only, like `api.rs`. Signed requests cross as JSON
//! `{"method","url","authorization"}`; errors are thrown as the JSON of `Error::to_json`.

use alloc::string::String;

use wasm_bindgen::prelude::*;

use crate::core::decimal::u64_to_string;
use crate::core::error::{Code, Error, Result as CoreResult, TS_ERROR_CODE};
use crate::core::json::ObjectWriter;
use crate::core::oauth1::config::{Input, Settings};
use crate::core::oauth1::request::SignedRequest;
use crate::core::security::Phase;
use crate::oauth1_client::{OAuth1Client, Signing};
use crate::oauth1_ops as ops;

#[wasm_bindgen(typescript_custom_section)]
const ERROR_CODE_TYPE: &str = TS_ERROR_CODE;

fn throw(error: Error) -> JsValue {
    JsValue::from_str(&error.to_json())
}

/// A signed request as JSON `{"method","url","authorization"}`.
///
/// # Security Warning
/// `authorization` carries the token (and with PLAINTEXT the secrets): it goes into the
/// request's header only.
fn signed_json(signed: SignedRequest) -> String {
    ObjectWriter::default()
        .string("method", &signed.method)
        .string("url", &signed.url)
        .string("authorization", &signed.authorization)
        .finish()
}

/// One OAuth 1.0a client, held in WASM memory.
#[wasm_bindgen]
pub struct WasmOAuth1Client {
    inner: OAuth1Client,
}

#[wasm_bindgen]
impl WasmOAuth1Client {
    /// Checks the settings. `consumer_secret` is `undefined` when the app signs through its
    /// backend; `token_lifetime` 0 means the default.
    #[wasm_bindgen(constructor)]
    #[allow(
        clippy::too_many_arguments,
        reason = "one plain argument per setting keeps the JSON parser out of this wasm"
    )]
    pub fn new(
        consumer_key: &str,
        consumer_secret: Option<String>,
        signature_method: Option<String>,
        realm: Option<String>,
        send_version: bool,
        temporary_credentials_url: &str,
        authorization_url: &str,
        token_url: &str,
        callback_url: &str,
        token_lifetime: u32,
    ) -> Result<WasmOAuth1Client, JsValue> {
        let settings = Settings::new(Input {
            consumer_key,
            consumer_secret,
            signature_method: signature_method.as_deref(),
            realm: realm.as_deref(),
            send_version,
            endpoints: [temporary_credentials_url, authorization_url, token_url],
            callback_url,
            token_lifetime: Some(u64::from(token_lifetime)),
        })
        .map_err(throw)?;
        Ok(WasmOAuth1Client {
            inner: OAuth1Client::new(settings),
        })
    }

    /// Runs operation `op` (a number from `oauth1_ops.rs`, mirrored by `OAuth1Op` in
    /// pkg/src/ops.d.ts) with its arguments: a number `num` (an HTTP status, or the number of
    /// a request waiting for its signature) and up to three texts. Returns text, or
    /// `undefined`. One entry point instead of one export per operation, as in the OAuth 2
    /// entry: each export costs its own wasm shim and JS wrapper.
    pub fn call(
        &mut self,
        op: u8,
        num: f64,
        text: Option<String>,
        more: Option<String>,
        extra: Option<String>,
    ) -> Result<Option<String>, JsValue> {
        let text = text.as_deref().unwrap_or_default();
        dispatch(
            &mut self.inner,
            op,
            num,
            text,
            more.as_deref(),
            extra.as_deref(),
        )
        .map_err(throw)
    }
}

/// [`WasmOAuth1Client::call`] in the core's own result type.
fn dispatch(
    client: &mut OAuth1Client,
    op: u8,
    num: f64,
    text: &str,
    more: Option<&str>,
    extra: Option<&str>,
) -> CoreResult<Option<String>> {
    // A status outside u16, or a number outside usize, saturates: refused like any other.
    let (status, number) = (num as u16, num as usize);
    let held = |client: &mut OAuth1Client, signing: CoreResult<Signing>| {
        signing.map(|signing| Some(u64_to_string(client.hold(signing) as u64)))
    };
    Ok(match op {
        ops::EVENTS => client.events(),
        ops::BEGIN_LOGIN => {
            let signing = client.begin_login();
            held(client, signing)?
        }
        ops::AUTHORIZATION_URL => {
            let result = client.authorization_url(status, text);
            Some(client.report(Phase::Token, result)?)
        }
        ops::BEGIN_CALLBACK => {
            let result = client.begin_callback(text);
            let signing = client.report(Phase::Callback, result);
            held(client, signing)?
        }
        ops::FINISH_LOGIN => {
            let result = client.finish_login(status, text);
            Some(u64_to_string(client.report(Phase::Token, result)?))
        }
        ops::PREPARE_FETCH => {
            let signing = client.prepare_fetch(text, more.unwrap_or_default(), extra);
            held(client, signing)?
        }
        ops::SIGN => {
            let signing = client.take(number)?;
            Some(signed_json(client.sign(signing)?))
        }
        ops::FINISH => {
            let signing = client.take(number)?;
            Some(signed_json(client.finish(signing, text)?))
        }
        ops::TOKEN_SECRET => {
            let signing = client.held(number)?;
            Some(client.token_secret_for_signer(signing)?.into())
        }
        ops::SIGNING_INPUT => {
            let signing = client.held(number)?;
            Some(
                ObjectWriter::default()
                    .string("baseString", signing.base_string())
                    .string("method", signing.signature_method())
                    .finish(),
            )
        }
        ops::DISCARD => {
            drop(client.take(number));
            None
        }
        ops::EXPIRES_AT => client.expires_at().map(u64_to_string),
        ops::LOGOUT => {
            client.logout();
            None
        }
        ops::REFUSE_ORIGIN => {
            // Only the event: the wrapper throws `origin_not_allowed` itself.
            let _ = client.report::<()>(Phase::Config, Err(Code::OriginNotAllowed.into()));
            None
        }
        _ => return Err(Code::InvalidConfig.into()),
    })
}
