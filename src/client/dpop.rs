//! The driver's side of DPoP (RFC 9449) and persistence, built with the `dpop` feature only.
//!
//! The wrapper keeps the key pair and the AES key (non-extractable `CryptoKey`s in IndexedDB)
//! and performs WebCrypto; everything it signs, encrypts or decrypts comes from here and
//! goes back here. A token request of the DPoP build is the `send` step with a `proof`
//! member: the signing input the wrapper signs and hands to `assembleProof`, which gives the
//! `DPoP` header.

use alloc::string::String;
use alloc::vec::Vec;

use super::{Client, Op, Step};
use crate::core::base64url;
use crate::core::config::Config;
use crate::core::dpop::{self, DpopKey, JTI_BYTES, Nonces, Proof, ResourceRetry};
use crate::core::error::{Code, Result};
use crate::core::json::ObjectWriter;
use crate::core::persist::{self, IV_BYTES};
use crate::core::security::Phase;
use crate::core::token::{FormPost, TokenTypes};
use crate::web::{page, random};

/// DPoP and persistence state of one client.
pub(super) struct State {
    /// The public half of the DPoP key pair, once the wrapper has one.
    key: Option<DpopKey>,
    /// The latest server nonce per origin.
    nonces: Nonces,
    /// The token request out is the nonce retry (RFC 9449 §8: one only).
    retried: bool,
    /// Persist a refresh token that is not DPoP-bound (`persistUnboundRefreshToken`).
    persist_unbound: bool,
    /// The `sub` of the stored record being opened.
    opening: Option<String>,
    /// The record being written: its `sub`, IV and, until the wrapper takes it, plaintext.
    sealing: Option<(String, [u8; IV_BYTES], Vec<u8>)>,
}

impl State {
    /// The state for a configuration.
    pub(super) fn new(config: &Config) -> Self {
        State {
            key: None,
            nonces: Nonces::default(),
            retried: false,
            persist_unbound: config.persist_unbound,
            opening: None,
            sealing: None,
        }
    }
}

impl Client {
    /// Takes the public key of the wrapper's DPoP key pair (P-256 `x`, `y`, base64url).
    pub fn set_dpop_key(&mut self, x: &str, y: &str) -> Result<()> {
        self.ext.key = Some(DpopKey::p256(x, y)?);
        Ok(())
    }

    /// Remembers a `DPoP-Nonce` header from the origin of `url` (§8, §9).
    pub fn remember_nonce(&mut self, url: &str, nonce: &str) {
        self.ext.nonces.remember(url, nonce);
    }

    /// The `dpop_jkt` of the authorization request (§10), when DPoP is on.
    pub(super) fn dpop_jkt(&self) -> Option<&str> {
        self.dpop_on()
            .then_some(self.ext.key.as_ref()?.thumbprint())
    }

    /// A token endpoint request: with DPoP, the `send` step carries the proof's signing input.
    pub(super) fn token_send(&self, post: FormPost, lock: Option<&str>) -> Result<Step> {
        let url = post.url.clone();
        let request = self.post(post).to_json();
        let step = ObjectWriter::default()
            .raw("send", &request)
            .optional("lock", lock);
        if !self.dpop_on() {
            return Ok(Step(step.finish()));
        }
        let proof = self.signing_input("POST", &url, None)?;
        Ok(Step(step.string("proof", &proof).finish()))
    }

    /// The signing input of a proof for a resource request presenting `access_token`, or
    /// `None` when the tokens held are not DPoP-bound (`dpop: "optional"` and a provider that
    /// answered Bearer): that token goes as `Authorization: Bearer`, without a proof.
    pub fn resource_proof(
        &self,
        method: &str,
        url: &str,
        access_token: &str,
    ) -> Result<Option<String>> {
        if !self.session.bound() {
            return Ok(None);
        }
        self.signing_input(method, url, Some(access_token))
            .map(Some)
    }

    /// What `client.fetch` does with a resource's answer ([`dpop::resource_retry`]), for the
    /// tokens held: DPoP challenges for bound ones, Bearer challenges for unbound ones.
    pub fn resource_retry(
        &self,
        nonce_retried: bool,
        refreshed: bool,
        status: u16,
        www_authenticate: &str,
    ) -> Result<ResourceRetry> {
        dpop::resource_retry(
            self.session.bound(),
            nonce_retried,
            refreshed,
            status,
            www_authenticate,
        )
    }

    /// A token endpoint answer: true when it is the nonce challenge (§8) of a first attempt,
    /// to be answered by sending the request again with the nonce. The retry's answer, nonce
    /// challenge or not, goes on to the core as it is.
    pub(super) fn token_nonce_retry(&mut self, status: u16, body: &str) -> bool {
        let challenged = self.dpop_on() && dpop::is_token_nonce_error(status, body);
        let retry = dpop::nonce_retry(self.ext.retried, challenged).unwrap_or(false);
        self.ext.retried = retry;
        retry
    }

    /// The refresh grant in flight, again, for its nonce retry.
    pub(super) fn refresh_again(&mut self) -> Result<Step> {
        let post = self
            .session
            .resend_refresh(&self.metadata.token_endpoint, &self.config.client_id)
            .ok_or(Code::LoginRequired)?;
        self.op = Op::Refresh;
        self.refresh_step(post)
    }

    /// Prepares a record of the session as it is now, for `crypto.subtle.encrypt`: JSON
    /// `{"iv","aad"}` (IV in base64url), or `None` when there is nothing to persist (no
    /// refresh token, or one that is not DPoP-bound and unbound ones are not allowed).
    pub fn persist_seal(&mut self) -> Result<Option<String>> {
        self.ext.sealing = None;
        let Some(contents) = self.session.persistable(self.ext.persist_unbound) else {
            return Ok(None);
        };
        let mut iv = [0u8; IV_BYTES];
        random::fill(&mut iv)?;
        let seal = persist::seal(
            &self.metadata.issuer,
            &self.config.client_id,
            &contents,
            iv,
            page::now(),
        );
        self.ext.sealing = Some((contents.sub, seal.iv, seal.plaintext.into_bytes()));
        Ok(Some(
            ObjectWriter::default()
                .string("iv", &base64url::encode(&iv))
                .string("aad", &seal.aad)
                .finish(),
        ))
    }

    /// The plaintext of the record [`Client::persist_seal`] prepared, handed over once.
    ///
    /// # Security Warning
    /// Holds the refresh token: only for `crypto.subtle.encrypt`, then zeroed.
    pub fn persist_plaintext(&mut self) -> Vec<u8> {
        match self.ext.sealing.as_mut() {
            Some((_, _, plaintext)) => core::mem::take(plaintext),
            None => Vec::new(),
        }
    }

    /// The text to store for the encrypted record.
    pub fn persist_record(&mut self, ciphertext: &[u8]) -> Result<String> {
        let (sub, iv, _) = self
            .ext
            .sealing
            .take()
            .ok_or(Code::PersistedSessionInvalid)?;
        Ok(persist::record(&sub, &iv, ciphertext))
    }

    /// Reads a stored record for `crypto.subtle.decrypt`: JSON `{"iv","ct","aad"}` (IV and
    /// ciphertext in base64url). A record that cannot be read ends the session (`sessionEnded`
    /// with `persisted_session_invalid`).
    pub fn persist_open(&mut self, record: &str) -> Result<String> {
        let sealed = persist::open(record, &self.metadata.issuer, &self.config.client_id)
            .map_err(|error| self.invalid(error.code))?;
        let out = ObjectWriter::default()
            .string("iv", &base64url::encode(&sealed.iv))
            .string("ct", &base64url::encode(&sealed.ciphertext))
            .string("aad", &sealed.aad)
            .finish();
        self.ext.opening = Some(sealed.sub);
        Ok(out)
    }

    /// The record could not be decrypted (tampered with, or its key is gone): the session
    /// ends with `persisted_session_invalid`.
    pub fn persist_invalid(&mut self) {
        self.ext.opening = None;
        self.invalid(Code::PersistedSessionInvalid);
    }

    /// Restores from the decrypted record: fills the vault and returns the first step of its
    /// refresh, which gets the access token. An unusable record ends the session.
    pub fn persist_restore(&mut self, plaintext: &[u8]) -> Result<Step> {
        let contents = self.read_opened(plaintext)?;
        self.session.restore(contents);
        self.start_refresh()
    }

    /// The restore's refresh committed: emits `restored`.
    pub fn persist_restored(&mut self) -> Result<()> {
        self.session.restored()
    }

    /// Takes the newest refresh token from the shared record (`"browser"` mode, under the
    /// Web Lock, before each refresh). A record for another user ends the session.
    pub fn persist_adopt(&mut self, plaintext: &[u8]) -> Result<()> {
        let contents = self.read_opened(plaintext)?;
        self.session
            .adopt(contents)
            .map_err(|error| self.invalid(error.code))
    }

    fn read_opened(&mut self, plaintext: &[u8]) -> Result<persist::Contents> {
        let sub = self
            .ext
            .opening
            .take()
            .ok_or(Code::PersistedSessionInvalid)?;
        persist::read(
            plaintext,
            &self.metadata.issuer,
            &self.config.client_id,
            &sub,
            page::now(),
        )
        .map_err(|error| self.invalid(error.code))
    }

    /// A persisted record that cannot be used: the session ends, and the refusal is a
    /// security event (phase `storage`).
    fn invalid(&mut self, code: Code) -> crate::core::error::Error {
        self.note(Phase::Storage, code);
        self.session.end(code)
    }

    fn dpop_on(&self) -> bool {
        matches!(self.config.token_types, TokenTypes::Dpop { .. })
    }

    /// The signing input of a proof for `method` `url` at the current time, with the
    /// origin's nonce; fails when DPoP is on but the wrapper gave no key.
    fn signing_input(&self, method: &str, url: &str, access_token: Option<&str>) -> Result<String> {
        let key = self.ext.key.as_ref().ok_or(Code::SigningFailed)?;
        let mut jti = [0u8; JTI_BYTES];
        random::fill(&mut jti)?;
        dpop::signing_input(
            key,
            &Proof {
                htm: method,
                url,
                iat: page::now(),
                jti: &jti,
                access_token,
                nonce: self.ext.nonces.get(url),
            },
        )
    }
}
