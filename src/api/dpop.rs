//! The wasm-bindgen surface of the `dpop` build: DPoP proofs (RFC 9449) and the encrypted
//! session record. Conversions only; the decisions are in `client::dpop` and the core.

use alloc::string::String;
use alloc::vec::Vec;

use wasm_bindgen::prelude::*;

use super::{WasmClient, throw};
use crate::client::Step;
use crate::core::dpop;

fn step(result: crate::core::error::Result<Step>) -> Result<String, JsValue> {
    result.map(Step::into_json).map_err(throw)
}

/// The compact DPoP proof JWT from the signing input the core built and the raw 64-byte
/// `r || s` ES256 signature WebCrypto returned.
#[wasm_bindgen(js_name = assembleProof)]
pub fn assemble_proof(signing_input: &str, signature: &[u8]) -> Result<String, JsValue> {
    dpop::assemble(signing_input, signature).map_err(throw)
}

#[wasm_bindgen]
impl WasmClient {
    /// Takes the public key (P-256 `x`, `y`, base64url) of the DPoP key pair.
    #[wasm_bindgen(js_name = setDpopKey)]
    pub fn set_dpop_key(&mut self, x: &str, y: &str) -> Result<(), JsValue> {
        self.inner.set_dpop_key(x, y).map_err(throw)
    }

    /// Remembers a `DPoP-Nonce` header from the origin of `url`.
    #[wasm_bindgen(js_name = rememberNonce)]
    pub fn remember_nonce(&mut self, url: &str, nonce: &str) {
        self.inner.remember_nonce(url, nonce)
    }

    /// The signing input of a DPoP proof for a resource request presenting `access_token`;
    /// `undefined` when the tokens are not bound (send them as Bearer, without a proof).
    #[wasm_bindgen(js_name = resourceProof)]
    pub fn resource_proof(
        &self,
        method: &str,
        url: &str,
        access_token: &str,
    ) -> Result<Option<String>, JsValue> {
        self.inner
            .resource_proof(method, url, access_token)
            .map_err(throw)
    }

    /// What `client.fetch` does with a resource server's answer (`status`,
    /// `WWW-Authenticate`), given whether this call had its nonce retry and its refresh: 0
    /// hand it to the app, 1 send again with the new nonce (RFC 9449 §9), 2 refresh and send
    /// again (an `invalid_token` challenge). Throws `dpop_nonce_rejected` on a second nonce
    /// challenge.
    #[wasm_bindgen(js_name = resourceRetry)]
    pub fn resource_retry(
        &self,
        nonce_retried: bool,
        refreshed: bool,
        status: u16,
        www_authenticate: &str,
    ) -> Result<u8, JsValue> {
        self.inner
            .resource_retry(nonce_retried, refreshed, status, www_authenticate)
            .map(|retry| retry as u8)
            .map_err(throw)
    }

    /// Prepares the session record: JSON `{"iv","aad"}`, or `undefined` if nothing persists.
    #[wasm_bindgen(js_name = persistSeal)]
    pub fn persist_seal(&mut self) -> Result<Option<String>, JsValue> {
        self.inner.persist_seal().map_err(throw)
    }

    /// The prepared record's plaintext, once (zero it after `encrypt`).
    #[wasm_bindgen(js_name = persistPlaintext)]
    pub fn persist_plaintext(&mut self) -> Vec<u8> {
        self.inner.persist_plaintext()
    }

    /// The text to store for the encrypted record.
    #[wasm_bindgen(js_name = persistRecord)]
    pub fn persist_record(&mut self, ciphertext: &[u8]) -> Result<String, JsValue> {
        self.inner.persist_record(ciphertext).map_err(throw)
    }

    /// Reads a stored record: JSON `{"iv","ct","aad"}` for `decrypt`.
    #[wasm_bindgen(js_name = persistOpen)]
    pub fn persist_open(&mut self, record: &str) -> Result<String, JsValue> {
        self.inner.persist_open(record).map_err(throw)
    }

    /// The record did not decrypt, or its key is gone: the session ends.
    #[wasm_bindgen(js_name = persistInvalid)]
    pub fn persist_invalid(&mut self) {
        self.inner.persist_invalid()
    }

    /// Restores from the decrypted record; returns the first step of its refresh.
    #[wasm_bindgen(js_name = persistRestore)]
    pub fn persist_restore(&mut self, plaintext: &[u8]) -> Result<String, JsValue> {
        step(self.inner.persist_restore(plaintext))
    }

    /// The restore's refresh completed: emits `restored`.
    #[wasm_bindgen(js_name = persistRestored)]
    pub fn persist_restored(&mut self) -> Result<(), JsValue> {
        self.inner.persist_restored().map_err(throw)
    }

    /// Takes the newest refresh token from the decrypted shared record.
    #[wasm_bindgen(js_name = persistAdopt)]
    pub fn persist_adopt(&mut self, plaintext: &[u8]) -> Result<(), JsValue> {
        self.inner.persist_adopt(plaintext).map_err(throw)
    }
}
