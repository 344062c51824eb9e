//! The wasm-bindgen surface: the only place that knows about `JsValue`. It converts
//! arguments and results and nothing else. Structured values cross as JSON text, which the
//! TypeScript wrapper parses; errors are thrown as the JSON of `Error::to_json`, which the
//! wrapper turns into its error classes, so no raw wasm exception reaches the app.

use alloc::rc::Rc;
use alloc::string::String;
use core::cell::RefCell;

use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::client::Client;
use crate::core::error::{Error, TS_ERROR_CODE};
use crate::core::json::ObjectWriter;
use crate::core::pkce::{self, CodeVerifier};
use crate::web::{http, random};

#[wasm_bindgen(typescript_custom_section)]
const ERROR_CODE_TYPE: &str = TS_ERROR_CODE;

fn throw(error: Error) -> JsValue {
    JsValue::from_str(&error.to_json())
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
    inner: Rc<RefCell<Client>>,
}

#[wasm_bindgen]
impl WasmClient {
    /// Checks the configuration (JSON) and fetches the provider metadata unless it is given.
    pub async fn create(config: String) -> Result<WasmClient, JsValue> {
        let client = Client::create(&config).await.map_err(throw)?;
        Ok(WasmClient {
            inner: Rc::new(RefCell::new(client)),
        })
    }

    /// Builds the authorization URL for a login and stores its pending request.
    /// `options` is JSON `{returnTo?, extraParams?}`.
    pub fn login(&self, options: &str) -> Result<String, JsValue> {
        self.inner.borrow().login(options).map_err(throw)
    }

    /// Handles the redirect back at `url`; resolves to JSON `{"returnTo"?, "scope"}`.
    #[wasm_bindgen(js_name = handleRedirect)]
    pub fn handle_redirect(&self, url: String) -> Promise {
        let inner = Rc::clone(&self.inner);
        future_to_promise(async move {
            let callback = inner.borrow().begin_redirect(&url).map_err(throw)?;
            let (request, timeout) = inner.borrow().token_request(&callback);
            let response = http::send(&request.url, Some(&request.body), timeout)
                .await
                .map_err(throw)?;
            let result = inner
                .borrow_mut()
                .finish_login(callback, response)
                .map_err(throw)?;
            let json = ObjectWriter::default()
                .optional("returnTo", result.return_to.as_deref())
                .string("scope", &result.scope)
                .finish();
            Ok(JsValue::from_str(&json))
        })
    }

    /// The verified ID-token claims as JSON, or `undefined` before login.
    pub fn user(&self) -> Option<String> {
        self.inner.borrow().user().map(Into::into)
    }

    /// The access token while it is valid; throws `login_required` or `token_expired`.
    #[wasm_bindgen(js_name = accessToken)]
    pub fn access_token(&self) -> Result<String, JsValue> {
        self.inner
            .borrow()
            .access_token(crate::web::page::now())
            .map(Into::into)
            .map_err(throw)
    }

    /// The granted scope, or `undefined` before login.
    #[wasm_bindgen(js_name = grantedScope)]
    pub fn granted_scope(&self) -> Option<String> {
        self.inner.borrow().granted_scope().map(Into::into)
    }
}
