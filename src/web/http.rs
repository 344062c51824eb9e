//! fetch with a timeout. Every request to the provider goes through here.

use alloc::string::String;

use js_sys::Function;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Headers, RequestInit, Response};

use crate::core::error::{Code, Error, Result};

/// An HTTP response: status and body text.
pub struct HttpResponse {
    /// The HTTP status.
    pub status: u16,
    /// The body as text.
    pub body: String,
}

/// Sends a GET (when `form` is `None`) or a form POST, aborting after `timeout_ms`
/// (an AbortController fired by setTimeout). Network failures, CORS refusals and the
/// timeout are all [`Code::NetworkError`].
pub async fn send(url: &str, form: Option<&str>, timeout_ms: u32) -> Result<HttpResponse> {
    let window = web_sys::window().ok_or(Code::NetworkError)?;
    let controller = AbortController::new().map_err(|_| Code::NetworkError)?;
    let init = RequestInit::new();
    init.set_signal(Some(&controller.signal()));
    init.set_credentials(web_sys::RequestCredentials::Omit);
    let headers = Headers::new().map_err(|_| Code::NetworkError)?;
    headers
        .set("Accept", "application/json")
        .map_err(|_| Code::NetworkError)?;
    if let Some(body) = form {
        init.set_method("POST");
        headers
            .set("Content-Type", "application/x-www-form-urlencoded")
            .map_err(|_| Code::NetworkError)?;
        init.set_body(&JsValue::from_str(body));
    }
    init.set_headers(&headers);

    let abort: Function = js_sys::Reflect::get(&controller, &JsValue::from_str("abort"))
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
        .ok_or(Code::NetworkError)?
        .bind0(&controller);
    let timer = window
        .set_timeout_with_callback_and_timeout_and_arguments_0(
            &abort,
            timeout_ms.min(i32::MAX as u32) as i32,
        )
        .map_err(|_| Code::NetworkError)?;
    let result = fetch_text(&window, url, &init).await;
    window.clear_timeout_with_handle(timer);
    result
}

/// Runs the fetch; any failure from here on is marked `request_sent`.
async fn fetch_text(
    window: &web_sys::Window,
    url: &str,
    init: &RequestInit,
) -> Result<HttpResponse> {
    let network = |_| Error {
        request_sent: true,
        ..Error::new(Code::NetworkError)
    };
    let response: Response = JsFuture::from(window.fetch_with_str_and_init(url, init))
        .await
        .map_err(network)?
        .dyn_into()
        .map_err(network)?;
    let text = JsFuture::from(response.text().map_err(network)?)
        .await
        .map_err(network)?;
    Ok(HttpResponse {
        status: response.status(),
        body: text.as_string().unwrap_or_default(),
    })
}
