//! The wasm-bindgen surface of the `dpop` build: DPoP proofs (RFC 9449) and the encrypted
//! session record. Conversions only; the decisions are in `client::dpop` and the core.
//! The operations on texts go through `WasmClient.call` (src/ops.rs, from `SET_DPOP_KEY`
//! on); those that take or give bytes, or more arguments than `call` carries, are exports
//! of their own here.

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

    /// Restores from the decrypted record; returns the first step of its refresh.
    #[wasm_bindgen(js_name = persistRestore)]
    pub fn persist_restore(&mut self, plaintext: &[u8]) -> Result<String, JsValue> {
        step(self.inner.persist_restore(plaintext))
    }

    /// Takes the newest refresh token from the decrypted shared record.
    #[wasm_bindgen(js_name = persistAdopt)]
    pub fn persist_adopt(&mut self, plaintext: &[u8]) -> Result<(), JsValue> {
        self.inner.persist_adopt(plaintext).map_err(throw)
    }
}
