//! The wasm-bindgen surface: the only place that knows about `JsValue`. It converts
//! arguments and results and nothing else. Structured values cross as JSON text, which the
//! TypeScript wrapper parses; errors are thrown as the JSON of `Error::to_json`, which the
//! wrapper turns into its error classes, so no raw wasm exception reaches the app.

use alloc::string::String;

use wasm_bindgen::prelude::*;

use crate::client::{Client, Step};
use crate::core::error::{Error, TS_ERROR_CODE};
use crate::core::json::ObjectWriter;
use crate::core::pkce::{self, CodeVerifier};
use crate::core::resource;
use crate::web::random;

#[cfg(feature = "dpop")]
mod dpop;

#[wasm_bindgen(typescript_custom_section)]
const ERROR_CODE_TYPE: &str = TS_ERROR_CODE;

fn throw(error: Error) -> JsValue {
    JsValue::from_str(&error.to_json())
}

fn step(result: crate::core::error::Result<Step>) -> Result<String, JsValue> {
    result.map(Step::into_json).map_err(throw)
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

/// True when a `WWW-Authenticate` header says `error="invalid_token"` (RFC 6750 §3.1).
#[cfg(not(feature = "landing"))]
#[wasm_bindgen(js_name = isInvalidToken)]
pub fn is_invalid_token(www_authenticate: &str) -> bool {
    resource::is_invalid_token(www_authenticate)
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

    /// Builds the authorization URL for a login and stores its pending request.
    /// `options` is JSON `{returnTo?, extraParams?}`.
    pub fn login(&mut self, options: &str) -> Result<String, JsValue> {
        self.inner.login(options).map_err(throw)
    }

    /// The events since the last call, as a JSON array.
    pub fn events(&mut self) -> String {
        self.inner.events()
    }
}

/// Everything after login: not in the landing build (`landing` feature).
#[cfg(not(feature = "landing"))]
#[wasm_bindgen]
impl WasmClient {
    /// Validates the redirect back at `url`; returns the first step of the code exchange.
    #[wasm_bindgen(js_name = beginRedirect)]
    pub fn begin_redirect(&mut self, url: &str) -> Result<String, JsValue> {
        step(self.inner.begin_redirect(url))
    }

    /// Checks the redirect back at `url` without cleaning the address bar or exchanging the
    /// code (the low-level step `handleRedirect` starts with).
    #[wasm_bindgen(js_name = validateCallback)]
    pub fn validate_callback(&mut self, url: &str) -> Result<(), JsValue> {
        self.inner.validate_redirect(url).map_err(throw)
    }

    /// Starts the code exchange for the callback `validateCallback` checked; returns its
    /// first step.
    #[wasm_bindgen(js_name = exchangeCode)]
    pub fn exchange_code(&mut self) -> Result<String, JsValue> {
        step(self.inner.exchange_code())
    }

    /// Starts a refresh round; returns its first step.
    #[wasm_bindgen(js_name = startRefresh)]
    pub fn start_refresh(&mut self) -> Result<String, JsValue> {
        step(self.inner.start_refresh())
    }

    /// The answer to the last step (`status`, `body`, `Retry-After`); returns the next step.
    /// `body` is taken by value so that it is freed (and wiped) here.
    pub fn resume(
        &mut self,
        status: u16,
        body: String,
        retry_after: Option<String>,
    ) -> Result<String, JsValue> {
        step(self.inner.resume(status, &body, retry_after.as_deref()))
    }

    /// Starts a logout (`options` is JSON `{local?, endSession?}`); returns its first step.
    pub fn logout(&mut self, options: &str) -> Result<String, JsValue> {
        step(self.inner.logout(options))
    }

    /// The wrapper ignored a message claiming to be the login popup's answer (another window
    /// or origin): queue its security event.
    #[wasm_bindgen(js_name = untrustedPopupMessage)]
    pub fn untrusted_popup_message(&mut self) {
        self.inner.untrusted_popup_message()
    }

    /// Another tab logged out: revoke this tab's tokens and wipe; returns the first step.
    #[wasm_bindgen(js_name = remoteLogout)]
    pub fn remote_logout(&mut self) -> Result<String, JsValue> {
        step(self.inner.remote_logout())
    }

    /// Validates the redirect back from RP-initiated logout at `url` (the state).
    #[wasm_bindgen(js_name = handleLogoutRedirect)]
    pub fn handle_logout_redirect(&mut self, url: &str) -> Result<(), JsValue> {
        self.inner.handle_logout_redirect(url).map_err(throw)
    }

    /// A timer fired or the page woke up; true when an automatic refresh should start.
    pub fn tick(&mut self) -> bool {
        self.inner.tick()
    }

    /// The access token, or `undefined` to refresh first; throws `login_required`,
    /// `token_expired`, ...
    #[wasm_bindgen(js_name = accessToken)]
    pub fn access_token(&mut self, may_refresh: bool) -> Result<Option<String>, JsValue> {
        self.inner.access_token(may_refresh).map_err(throw)
    }

    /// Whether `client.fetch` may send the token to `origin`.
    #[wasm_bindgen(js_name = originAllowed)]
    pub fn origin_allowed(&mut self, origin: &str) -> bool {
        self.inner.origin_allowed(origin)
    }

    /// The verified ID-token claims as JSON, or `undefined`.
    pub fn user(&self) -> Option<String> {
        self.inner.user().map(Into::into)
    }

    /// Whether a user is signed in with tokens that still work.
    #[wasm_bindgen(js_name = isAuthenticated)]
    pub fn is_authenticated(&mut self) -> bool {
        self.inner.is_authenticated()
    }

    /// The UserInfo endpoint for `client.userInfo()`; throws `login_required` or
    /// `userinfo_unavailable`.
    #[wasm_bindgen(js_name = userinfoEndpoint)]
    pub fn userinfo_endpoint(&self) -> Result<String, JsValue> {
        self.inner
            .userinfo_endpoint()
            .map(Into::into)
            .map_err(throw)
    }

    /// Checks the UserInfo answer (`status`, `Content-Type`, body); throws when it must not
    /// be used.
    pub fn userinfo(
        &mut self,
        status: u16,
        content_type: Option<String>,
        body: &str,
    ) -> Result<(), JsValue> {
        self.inner
            .userinfo(status, content_type.as_deref(), body)
            .map_err(throw)
    }

    /// The granted scope, or `undefined` before login.
    #[wasm_bindgen(js_name = grantedScope)]
    pub fn granted_scope(&self) -> Option<String> {
        self.inner.granted_scope().map(Into::into)
    }

    /// When the access token expires, in seconds since the epoch, or `undefined`.
    #[wasm_bindgen(js_name = expiresAt)]
    pub fn expires_at(&self) -> Option<f64> {
        self.inner.expires_at().map(|at| at as f64)
    }
}
