//! The wasm-bindgen surface of the OAuth 1.0a entry (`browser-oauth/oauth1`, built with the
//! `oauth1` feature): conversion only, like `api.rs`. Signed requests cross as JSON
//! `{"method","url","authorization"}`; errors are thrown as the JSON of `Error::to_json`.

use alloc::string::String;

use wasm_bindgen::prelude::*;

use crate::core::error::{Code, Error, TS_ERROR_CODE};
use crate::core::json::ObjectWriter;
use crate::core::oauth1::config::{Input, Settings};
use crate::core::oauth1::request::SignedRequest;
use crate::core::security::Phase;
use crate::oauth1_client::{OAuth1Client, Signing};

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

/// A request waiting for its signature. Pass it to `WasmOAuth1Client.sign` or `finish`,
/// which consume it.
#[wasm_bindgen]
pub struct WasmSigning {
    inner: Signing,
}

#[wasm_bindgen]
impl WasmSigning {
    /// The signature base string (RFC 5849 §3.4.1) for the signer hook.
    #[wasm_bindgen(getter, js_name = baseString)]
    pub fn base_string(&self) -> String {
        self.inner.base_string().into()
    }

    /// The `oauth_signature_method` for the signer hook.
    #[wasm_bindgen(getter)]
    pub fn method(&self) -> String {
        self.inner.signature_method().into()
    }
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

    /// The temporary-credentials request, to sign and send.
    #[wasm_bindgen(js_name = beginLogin)]
    pub fn begin_login(&self) -> Result<WasmSigning, JsValue> {
        let inner = self.inner.begin_login().map_err(throw)?;
        Ok(WasmSigning { inner })
    }

    /// Checks the temporary-credentials response, stores the pending request, and returns
    /// the authorization URL.
    #[wasm_bindgen(js_name = authorizationUrl)]
    pub fn authorization_url(&mut self, status: u16, body: &str) -> Result<String, JsValue> {
        let result = self.inner.authorization_url(status, body);
        self.inner.report(Phase::Token, result).map_err(throw)
    }

    /// Checks the callback at `url` and returns the token-credentials request to sign and send.
    #[wasm_bindgen(js_name = beginCallback)]
    pub fn begin_callback(&mut self, url: &str) -> Result<WasmSigning, JsValue> {
        let result = self.inner.begin_callback(url);
        let inner = self.inner.report(Phase::Callback, result).map_err(throw)?;
        Ok(WasmSigning { inner })
    }

    /// Checks the token-credentials response and keeps the credentials; returns their expiry
    /// in seconds since the Unix epoch.
    #[wasm_bindgen(js_name = finishLogin)]
    pub fn finish_login(&mut self, status: u16, body: &str) -> Result<f64, JsValue> {
        let result = self.inner.finish_login(status, body);
        let expires_at = self.inner.report(Phase::Token, result).map_err(throw)?;
        Ok(expires_at as f64)
    }

    /// A request to a protected resource, to sign and send. `form_body` only for an
    /// `application/x-www-form-urlencoded` body.
    #[wasm_bindgen(js_name = prepareFetch)]
    pub fn prepare_fetch(
        &mut self,
        method: &str,
        url: &str,
        form_body: Option<String>,
    ) -> Result<WasmSigning, JsValue> {
        let inner = self
            .inner
            .prepare_fetch(method, url, form_body.as_deref())
            .map_err(throw)?;
        Ok(WasmSigning { inner })
    }

    /// Signs with the built-in signer; returns the signed request as JSON.
    pub fn sign(&self, signing: WasmSigning) -> Result<String, JsValue> {
        self.inner
            .sign(signing.inner)
            .map(signed_json)
            .map_err(throw)
    }

    /// Completes a request with the signer hook's signature; returns it as JSON.
    pub fn finish(&self, signing: WasmSigning, signature: &str) -> Result<String, JsValue> {
        self.inner
            .finish(signing.inner, signature)
            .map(signed_json)
            .map_err(throw)
    }

    /// The token secret the signer hook needs for `signing`; refused when the client holds
    /// a consumer secret.
    #[wasm_bindgen(js_name = tokenSecretForSigner)]
    pub fn token_secret_for_signer(&self, signing: &WasmSigning) -> Result<String, JsValue> {
        self.inner
            .token_secret_for_signer(&signing.inner)
            .map(Into::into)
            .map_err(throw)
    }

    /// When the credentials expire, in seconds since the Unix epoch; `undefined` when logged out.
    #[wasm_bindgen(js_name = expiresAt)]
    pub fn expires_at(&self) -> Option<f64> {
        self.inner.expires_at().map(|at| at as f64)
    }

    /// Wipes the credentials from memory and the OAuth 1.0a pending requests from storage.
    pub fn logout(&mut self) {
        self.inner.logout();
    }

    /// Records that `fetch` refused to sign for an origin off `allowedOrigins` (a security
    /// event; the wrapper throws `origin_not_allowed`).
    #[wasm_bindgen(js_name = refuseOrigin)]
    pub fn refuse_origin(&mut self) {
        let _ = self
            .inner
            .report::<()>(Phase::Config, Err(Code::OriginNotAllowed.into()));
    }

    /// The security events since the last call, as a JSON array of `{type: "security",
    /// code, phase, time, issuer}` (the issuer is the token URL).
    pub fn events(&mut self) -> String {
        self.inner.events()
    }
}
