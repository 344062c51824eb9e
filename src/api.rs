//! The wasm-bindgen surface: the only place that knows about `JsValue`. It converts
//! arguments and results and nothing else. Structured values cross as JSON text, which the
//! TypeScript wrapper parses; errors are thrown as the JSON of `Error::to_json`, which the
//! wrapper turns into its error classes, so no raw wasm exception reaches the app.

use alloc::string::String;

use wasm_bindgen::prelude::*;

use crate::client::Client;
use crate::core::decimal::u64_to_string;
use crate::core::error::{Code, Error, Result as CoreResult, TS_ERROR_CODE};
use crate::core::json::ObjectWriter;
use crate::core::pkce::{self, CodeVerifier};
use crate::core::resource;
use crate::ops;
use crate::web::random;

#[cfg(feature = "dpop")]
mod dpop;

#[wasm_bindgen(typescript_custom_section)]
const ERROR_CODE_TYPE: &str = TS_ERROR_CODE;

fn throw(error: Error) -> JsValue {
    JsValue::from_str(&error.to_json())
}

/// The discovery request (JSON `{"url","timeoutMs"}`) to send before `WasmClient.create`,
/// or `undefined` when the configuration (JSON) gives the metadata.
#[wasm_bindgen(js_name = discoveryRequest)]
pub fn discovery_request(config: &str) -> Result<Option<String>, JsValue> {
    Ok(Client::discovery_request(config)
        .map_err(throw)?
        .map(|r| r.to_json()))
}

/// Generates a PKCE pair (RFC 7636, S256) from 32 bytes of `crypto.getRandomValues`.
/// Returns JSON `{"verifier","challenge","method":"S256"}`.
#[cfg(not(feature = "landing"))]
#[wasm_bindgen(js_name = generatePkce)]
pub fn generate_pkce() -> Result<String, JsValue> {
    let mut bytes = [0u8; 32];
    random::fill(&mut bytes).map_err(throw)?;
    let verifier = CodeVerifier::from_random(&bytes, pkce::DEFAULT_LEN).map_err(throw)?;
    Ok(ObjectWriter::default()
        .string("verifier", verifier.expose())
        .string("challenge", &verifier.challenge())
        .string("method", pkce::METHOD)
        .finish())
}

/// One OAuth client, held in WASM memory. Created by `WasmClient.create`.
#[wasm_bindgen]
pub struct WasmClient {
    inner: Client,
}

#[wasm_bindgen]
impl WasmClient {
    /// Checks the configuration (JSON) and takes the metadata: given in the configuration,
    /// or the answer (`status`, `body`) to `discoveryRequest`. `wake` is called when the
    /// session timer fires and when the page becomes visible or focused.
    pub fn create(
        config: &str,
        status: u16,
        body: Option<String>,
        wake: js_sys::Function,
    ) -> Result<WasmClient, JsValue> {
        let discovery = body.as_deref().map(|body| (status, body));
        Ok(WasmClient {
            inner: Client::create(config, discovery, wake).map_err(throw)?,
        })
    }

    /// Runs operation `op` (a number from `ops.rs`, mirrored by `Op` in pkg/src/ops.d.ts) with
    /// its arguments: a number `num` (an HTTP status, or 1 for true), a text `text` (JSON
    /// options, a URL, an origin or a response body) and a second text `more` (a
    /// `Retry-After` or `Content-Type` header). Returns text, or `undefined`; a `true`
    /// answer is the empty string. One entry point instead of one export per operation:
    /// each export costs its own wasm shim and JS wrapper (about 1.7 KB gzipped in all).
    /// Texts are taken by value so that they are freed (and wiped) here.
    pub fn call(
        &mut self,
        op: u8,
        num: f64,
        text: Option<String>,
        more: Option<String>,
    ) -> Result<Option<String>, JsValue> {
        self.dispatch(
            op,
            num,
            text.as_deref().unwrap_or_default(),
            more.as_deref(),
        )
        .map_err(throw)
    }
}

/// A `true` answer of [`WasmClient::call`] is the empty string, `false` is `undefined`.
fn flag(value: bool) -> Option<String> {
    value.then(String::new)
}

impl WasmClient {
    /// [`WasmClient::call`] in the core's own result type: login and the events here, the
    /// rest in [`after_login`].
    fn dispatch(
        &mut self,
        op: u8,
        num: f64,
        text: &str,
        more: Option<&str>,
    ) -> CoreResult<Option<String>> {
        let client = &mut self.inner;
        Ok(match op {
            ops::LOGIN => Some(client.login(text)?),
            ops::EVENTS => client.events(),
            #[cfg(not(feature = "landing"))]
            _ => return after_login(client, op, num, text, more),
            // The landing build has nothing after login; its wrapper asks for nothing else.
            #[cfg(feature = "landing")]
            _ => {
                let _ = (num, more);
                return Err(Code::InvalidConfig.into());
            }
        })
    }
}

/// The operations after login, for [`WasmClient::call`].
#[cfg(not(feature = "landing"))]
fn after_login(
    client: &mut Client,
    op: u8,
    num: f64,
    text: &str,
    more: Option<&str>,
) -> CoreResult<Option<String>> {
    // A status outside u16 saturates, and the core refuses it like any non-2xx answer.
    let status = num as u16;
    Ok(match op {
        ops::BEGIN_REDIRECT => Some(client.begin_redirect(text)?.into_json()),
        ops::VALIDATE_CALLBACK => client.validate_redirect(text).map(|()| None)?,
        ops::EXCHANGE_CODE => Some(client.exchange_code()?.into_json()),
        ops::START_REFRESH => Some(client.start_refresh()?.into_json()),
        ops::RESUME => Some(client.resume(status, text, more)?.into_json()),
        ops::LOGOUT => Some(client.logout(text)?.into_json()),
        ops::REMOTE_LOGOUT => Some(client.remote_logout()?.into_json()),
        ops::HANDLE_LOGOUT_REDIRECT => client.handle_logout_redirect(text).map(|()| None)?,
        ops::UNTRUSTED_POPUP_MESSAGE => {
            client.untrusted_popup_message();
            None
        }
        ops::TICK => flag(client.tick()),
        // `status` 1: the caller may refresh first (then `undefined` asks it to).
        ops::ACCESS_TOKEN => client.access_token(status == 1)?,
        ops::ORIGIN_ALLOWED => flag(client.origin_allowed(text)),
        ops::IS_AUTHENTICATED => flag(client.is_authenticated()),
        ops::USER => client.user().map(Into::into),
        ops::GRANTED_SCOPE => client.granted_scope().map(Into::into),
        ops::EXPIRES_AT => client.expires_at().map(u64_to_string),
        ops::USERINFO_ENDPOINT => Some(client.userinfo_endpoint()?.into()),
        ops::USERINFO => client.userinfo(status, more, text).map(|()| None)?,
        ops::IS_INVALID_TOKEN => flag(resource::is_invalid_token(text)),
        #[cfg(feature = "dpop")]
        ops::dpop::SET_DPOP_KEY => client
            .set_dpop_key(text, more.unwrap_or_default())
            .map(|()| None)?,
        #[cfg(feature = "dpop")]
        ops::dpop::REMEMBER_NONCE => {
            client.remember_nonce(text, more.unwrap_or_default());
            None
        }
        #[cfg(feature = "dpop")]
        ops::dpop::PERSIST_SEAL => client.persist_seal()?,
        #[cfg(feature = "dpop")]
        ops::dpop::PERSIST_OPEN => Some(client.persist_open(text)?),
        #[cfg(feature = "dpop")]
        ops::dpop::PERSIST_INVALID => {
            client.persist_invalid();
            None
        }
        #[cfg(feature = "dpop")]
        ops::dpop::PERSIST_RESTORED => client.persist_restored().map(|()| None)?,
        _ => return Err(Code::InvalidConfig.into()),
    })
}
