//! The wasm-bindgen surface: the only place that knows about `JsValue`. It converts
//! arguments and results and nothing else. Structured values cross as JSON text, which the
//! TypeScript wrapper parses; errors are thrown as the JSON of `Error::to_json`, which the
//! wrapper turns into its error classes, so no raw wasm exception reaches the app.

use alloc::string::String;

use wasm_bindgen::prelude::*;

use crate::client::{Client, Request};
use crate::core::error::{Error, TS_ERROR_CODE};
use crate::core::json::ObjectWriter;
use crate::core::pending::u64_to_string;
use crate::core::pkce::{self, CodeVerifier};
use crate::web::random;

#[wasm_bindgen(typescript_custom_section)]
const ERROR_CODE_TYPE: &str = TS_ERROR_CODE;

fn throw(error: Error) -> JsValue {
    JsValue::from_str(&error.to_json())
}

/// A request for the wrapper to send, as JSON `{"url","body"?,"timeoutMs"}`.
fn request_json(request: Request) -> String {
    ObjectWriter::default()
        .string("url", &request.url)
        .optional("body", request.body.as_deref())
        .raw("timeoutMs", &u64_to_string(u64::from(request.timeout_ms)))
        .finish()
}

/// The discovery request (JSON, see `request_json`) to send before `WasmClient.create`, or
/// `undefined` when the configuration (JSON) gives the metadata.
#[wasm_bindgen(js_name = discoveryRequest)]
pub fn discovery_request(config: &str) -> Result<Option<String>, JsValue> {
    Ok(Client::discovery_request(config)
        .map_err(throw)?
        .map(request_json))
}

/// Generates a PKCE pair (RFC 7636, S256) from 32 bytes of `crypto.getRandomValues`.
/// Returns JSON `{"verifier","challenge","method":"S256"}`.
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
    /// or the answer (`status`, `body`) to `discoveryRequest`.
    pub fn create(config: &str, status: u16, body: Option<String>) -> Result<WasmClient, JsValue> {
        let discovery = body.as_deref().map(|body| (status, body));
        Ok(WasmClient {
            inner: Client::create(config, discovery).map_err(throw)?,
        })
    }

    /// Builds the authorization URL for a login and stores its pending request.
    /// `options` is JSON `{returnTo?, extraParams?}`.
    pub fn login(&self, options: &str) -> Result<String, JsValue> {
        self.inner.login(options).map_err(throw)
    }

    /// Validates the redirect back at `url` and returns the code exchange to send (JSON,
    /// see `request_json`); its answer goes to `finishRedirect`.
    #[wasm_bindgen(js_name = beginRedirect)]
    pub fn begin_redirect(&mut self, url: &str) -> Result<String, JsValue> {
        self.inner
            .begin_redirect(url)
            .map(request_json)
            .map_err(throw)
    }

    /// Checks the token response (`status`, `body`); returns JSON `{"returnTo"?, "scope"}`.
    #[wasm_bindgen(js_name = finishRedirect)]
    pub fn finish_redirect(&mut self, status: u16, body: &str) -> Result<String, JsValue> {
        let result = self.inner.finish_login(status, body).map_err(throw)?;
        Ok(ObjectWriter::default()
            .optional("returnTo", result.return_to.as_deref())
            .string("scope", &result.scope)
            .finish())
    }

    /// The verified ID-token claims as JSON, or `undefined` before login.
    pub fn user(&self) -> Option<String> {
        self.inner.user().map(Into::into)
    }

    /// The access token while it is valid; throws `login_required` or `token_expired`.
    #[wasm_bindgen(js_name = accessToken)]
    pub fn access_token(&self) -> Result<String, JsValue> {
        self.inner
            .access_token(crate::web::page::now())
            .map(Into::into)
            .map_err(throw)
    }

    /// The granted scope, or `undefined` before login.
    #[wasm_bindgen(js_name = grantedScope)]
    pub fn granted_scope(&self) -> Option<String> {
        self.inner.granted_scope().map(Into::into)
    }
}
