//! The OAuth 1.0a driver, beside the OAuth 2 one in `client.rs`: it feeds the sans-IO core
//! in `core::oauth1` what happened (a response, the callback URL, "now") and performs what it
//! asks for (store or take the pending request, clean the address bar, draw a nonce).
//!
//! Like the OAuth 2 driver it never awaits. Every signed request goes out in two steps, so
//! that the signature can come from the built-in signer or from the app's signer hook (an
//! async call to its backend, specs §15): a `prepare_*`/`begin_*` method returns a
//! [`Signing`] (the request with its base string); [`OAuth1Client::sign`] or
//! [`OAuth1Client::finish`] turns it into the [`SignedRequest`] that the wrapper sends. In
//! between, the wasm surface keeps the [`Signing`] here ([`OAuth1Client::hold`]) and hands
//! the wrapper only its number.
//!
//! The token credentials live in this struct only: WASM memory, never storage (design.md).
//! The pending request between the redirect and the callback is in sessionStorage, under
//! the library's prefix, like the OAuth 2 one (see `flow::PendingRequest` for what it holds:
//! the temporary token secret, for the few minutes of the redirect).
//!
//! # The vault and the wipe, across two entries
//! design.md has OAuth 1.0a share the vault and the wipe with OAuth 2. This entry is a
//! separate wasm instance (so that OAuth 2 apps do not download it), so that becomes:
//! - the vault: the token credentials are held in this instance's memory, as the OAuth 2
//!   tokens are in theirs, and never in storage;
//! - the wipe: [`OAuth1Client::logout`] drops them and removes every `browser-oauth:oauth1:`
//!   key. This build's allocator zeroes freed memory, and [`OAuth1Client::sign`] zeroes the
//!   stack the signer used, so no copy of a token or token secret stays in WASM memory (the
//!   e2e tests scan it). Copies in JavaScript strings (response bodies, headers) are outside
//!   our reach and are left to the garbage collector;
//! - the link: the TypeScript wrapper wipes on a `{ type: "logout" }` message on the
//!   BroadcastChannel `browser-oauth`, and posts one on every OAuth 1.0a logout, so a logout
//!   in the OAuth 2 entry (if it posts the same message) or in another tab covers both.

use alloc::string::String;
use alloc::vec::Vec;

use crate::core::error::{Code, Result};
use crate::core::oauth1::config::Settings;
use crate::core::oauth1::flow::{
    self, PENDING_MAX_AGE, PendingRequest, STORAGE_PREFIX, TokenCredentials, callback_token,
    strip_callback_params,
};
use crate::core::oauth1::request::{
    self, Nonce, PreparedRequest, Request, SignedRequest, sign_with_secrets,
};
use crate::core::oauth1::sign::{ConsumerSecret, TokenSecret};
use crate::core::prune::{self, MAX_PENDING};
use crate::core::security::{self, Phase, SecurityEvent};
use crate::web::{page, random, storage};

/// One OAuth 1.0a client: its settings and, once logged in, the token credentials.
pub struct OAuth1Client {
    settings: Settings,
    session: Option<TokenCredentials>,
    /// Refusals since the last [`OAuth1Client::events`], for the `security` event.
    security: Vec<SecurityEvent>,
    /// Requests waiting for their signature, by number; a slot is reused once emptied.
    waiting: Vec<Option<Signing>>,
}

/// A request waiting for its signature, with the token secret it is to be signed with.
pub struct Signing {
    prepared: PreparedRequest,
    secret: SigningSecret,
}

/// Which token secret signs a request.
enum SigningSecret {
    /// None: the temporary-credentials request (§2.1, the key ends in `&`).
    Empty,
    /// The temporary secret: the token-credentials request (§2.3).
    Temporary(TokenSecret),
    /// The session's token secret, read when the signature is made, so that a logout in
    /// between leaves nothing to sign with.
    Session,
}

impl Signing {
    /// The signature base string for an external signer.
    pub fn base_string(&self) -> &str {
        self.prepared.base_string()
    }

    /// The signature method name for an external signer.
    pub fn signature_method(&self) -> &'static str {
        self.prepared.signature_method().as_str()
    }
}

impl OAuth1Client {
    /// A client with checked `settings`, logged out.
    pub fn new(settings: Settings) -> Self {
        OAuth1Client {
            settings,
            session: None,
            security: Vec::new(),
            waiting: Vec::new(),
        }
    }

    /// Keeps `signing` until [`OAuth1Client::take`] and returns its number.
    pub fn hold(&mut self, signing: Signing) -> usize {
        let free = self
            .waiting
            .iter_mut()
            .enumerate()
            .find(|(_, slot)| slot.is_none());
        if let Some((number, slot)) = free {
            *slot = Some(signing);
            return number;
        }
        self.waiting.push(Some(signing));
        self.waiting.len() - 1
    }

    /// The request waiting under `number`. `login_required` when there is none: a logout
    /// dropped it, or it was signed or discarded already.
    pub fn held(&self, number: usize) -> Result<&Signing> {
        self.waiting
            .get(number)
            .and_then(Option::as_ref)
            .ok_or_else(|| Code::LoginRequired.into())
    }

    /// Takes the request waiting under `number` out of the table (see [`OAuth1Client::held`]).
    pub fn take(&mut self, number: usize) -> Result<Signing> {
        self.waiting
            .get_mut(number)
            .and_then(Option::take)
            .ok_or_else(|| Code::LoginRequired.into())
    }

    /// Queues a security event when `result` is a refusal met in `phase` (see
    /// `core::security::classify`), and passes `result` on.
    pub fn report<T>(&mut self, phase: Phase, result: Result<T>) -> Result<T> {
        if let Err(error) = &result
            && let Some(phase) = security::classify(error.code, phase)
        {
            self.security.push(SecurityEvent {
                code: error.code,
                phase,
                time: page::now(),
            });
        }
        result
    }

    /// The security events since the last call, as a JSON array, `None` when there is none;
    /// `issuer` is the token URL. No event carries a token, a verifier, a secret or a response.
    pub fn events(&mut self) -> Option<String> {
        if self.security.is_empty() {
            return None;
        }
        let mut out = String::from("[");
        let events = core::mem::take(&mut self.security);
        security::push_events(&mut out, &events, &self.settings.token_url);
        out.push(']');
        Some(out)
    }

    /// Step 1 of login: the temporary-credentials request (specs §14.1, §2.1) to sign and
    /// send; its answer goes to [`OAuth1Client::authorization_url`].
    pub fn begin_login(&self) -> Result<Signing> {
        let prepared = flow::temporary_credentials_request(
            &self.settings.consumer,
            &self.settings.temporary_credentials_url,
            &self.settings.callback_url,
            page::now(),
            fresh_nonce()?,
        )?;
        Ok(Signing {
            prepared,
            secret: SigningSecret::Empty,
        })
    }

    /// Checks the temporary-credentials response, stores the pending request (single use,
    /// time limit) and returns the URL to send the user to (specs §14.1, §2.1–§2.2).
    pub fn authorization_url(&self, status: u16, body: &str) -> Result<String> {
        let pending = flow::process_temporary_credentials_response(status, body, page::now())?;
        let url = flow::authorization_url(&self.settings.authorization_url, &pending)?;
        let key = PendingRequest::storage_key(pending.token());
        let record = pending.encode();
        // Bounded storage, as for OAuth 2 (issue 11 item 13): room for this one among the
        // newest others; when storage is full, the older ones go and it is tried once more.
        let now = page::now();
        prune_pending(now, MAX_PENDING - 1);
        if storage::set(&key, &record).is_err() {
            prune_pending(now, 0);
            storage::set(&key, &record)?;
        }
        Ok(url)
    }

    /// On the callback page at `url`: cleans the address bar, takes the pending request out
    /// of storage (single use, whatever happens next), checks the callback against it and
    /// returns the token-credentials request to sign and send (specs §14.1, §2.2–§2.3). Its
    /// answer goes to [`OAuth1Client::finish_login`].
    pub fn begin_callback(&self, url: &str) -> Result<Signing> {
        // specs §2: the response leaves the address bar first.
        page::replace_url(&strip_callback_params(url))?;
        let token = callback_token(url)?;
        let pending = storage::take(&PendingRequest::storage_key(&token))?
            .map(|stored| PendingRequest::decode(&stored))
            .transpose()?;
        // Expired requests of other logins go too.
        prune_pending(page::now(), MAX_PENDING);
        let callback = flow::validate_callback(pending, url, page::now())?;
        let (prepared, temporary) = flow::token_request(
            &self.settings.consumer,
            &self.settings.token_url,
            callback,
            page::now(),
            fresh_nonce()?,
        )?;
        Ok(Signing {
            prepared,
            secret: SigningSecret::Temporary(temporary),
        })
    }

    /// Checks the token-credentials response and keeps the credentials in memory with the
    /// app's expiry. Returns that expiry, in seconds since the Unix epoch.
    pub fn finish_login(&mut self, status: u16, body: &str) -> Result<u64> {
        let lifetime = self.settings.token_lifetime;
        let credentials = flow::process_token_response(status, body, page::now(), lifetime)?;
        let expires_at = credentials.expires_at;
        self.session = Some(credentials);
        Ok(expires_at)
    }

    /// A request to a protected resource, to sign with the session's token credentials.
    /// `form_body` is the body only when it is sent as `application/x-www-form-urlencoded`.
    ///
    /// Errors: `login_required` (no session), `token_expired` (the app-set lifetime is over:
    /// the credentials are dropped), and those of `request::prepare_request`.
    pub fn prepare_fetch(
        &mut self,
        method: &str,
        url: &str,
        form_body: Option<&str>,
    ) -> Result<Signing> {
        let now = page::now();
        self.drop_if_expired(now)?;
        let session = self.session.as_ref().ok_or(Code::LoginRequired)?;
        let request = Request {
            method,
            url,
            form_body,
        };
        let prepared = request::prepare_request(
            &self.settings.consumer,
            &request,
            Some(&session.token),
            now,
            fresh_nonce()?,
        )?;
        Ok(Signing {
            prepared,
            secret: SigningSecret::Session,
        })
    }

    /// Signs with the built-in signer and the consumer secret from the settings.
    ///
    /// Errors: `invalid_config` when the client was created without a consumer secret (it
    /// signs through the hook), `login_required` when the session ended in between.
    pub fn sign(&self, signing: Signing) -> Result<SignedRequest> {
        let consumer = self
            .settings
            .consumer_secret
            .as_ref()
            .ok_or(Code::InvalidConfig)?;
        let Signing { prepared, secret } = signing;
        let token = self.token_secret(&secret)?;
        let signed = sign_apart(prepared, consumer, token);
        scrub_stack();
        signed
    }

    /// Completes `signing` with a signature made elsewhere (the signer hook).
    pub fn finish(&self, signing: Signing, signature: &str) -> Result<SignedRequest> {
        // The session may have ended while the hook was waiting for the backend.
        self.token_secret(&signing.secret)?;
        request::finish(signing.prepared, signature)
    }

    /// The token secret the external signer needs to sign `signing`: empty for the
    /// temporary-credentials request.
    ///
    /// # Security Warning
    /// This hands a token secret to JavaScript, for the app's signer hook to pass to its
    /// backend. It is refused (`invalid_config`) when the client holds a consumer secret: then
    /// the built-in signer is used and no token secret ever leaves WASM memory.
    pub fn token_secret_for_signer<'a>(&'a self, signing: &'a Signing) -> Result<&'a str> {
        if self.settings.consumer_secret.is_some() {
            return Err(Code::InvalidConfig.into());
        }
        Ok(self
            .token_secret(&signing.secret)?
            .map_or("", TokenSecret::expose))
    }

    /// When the session's credentials expire (seconds since the Unix epoch), if logged in.
    pub fn expires_at(&self) -> Option<u64> {
        self.session.as_ref().map(|session| session.expires_at)
    }

    /// Drops the credentials and the requests waiting for a signature from memory (the
    /// allocator of this build zeroes freed memory) and removes every OAuth 1.0a pending
    /// request from sessionStorage.
    pub fn logout(&mut self) {
        self.session = None;
        self.waiting.clear();
        storage::remove_prefixed(STORAGE_PREFIX);
    }

    /// Drops the session once its lifetime is over at `now`, with `token_expired`.
    fn drop_if_expired(&mut self, now: u64) -> Result<()> {
        if self.session.as_ref().is_some_and(|s| s.is_expired(now)) {
            self.session = None;
            return Err(Code::TokenExpired.into());
        }
        Ok(())
    }

    /// The token secret that `which` names, if any.
    fn token_secret<'a>(&'a self, which: &'a SigningSecret) -> Result<Option<&'a TokenSecret>> {
        match which {
            SigningSecret::Empty => Ok(None),
            SigningSecret::Temporary(secret) => Ok(Some(secret)),
            SigningSecret::Session => match &self.session {
                Some(session) if !session.is_expired(page::now()) => Ok(Some(&session.secret)),
                Some(_) => Err(Code::TokenExpired.into()),
                None => Err(Code::LoginRequired.into()),
            },
        }
    }
}

/// The built-in signer in a frame of its own, never inlined into the caller, so that
/// [`scrub_stack`] called next from the same caller overwrites everything it left on the
/// stack (the HMAC key block, the hash state with the end of the base string).
#[inline(never)]
fn sign_apart(
    prepared: PreparedRequest,
    consumer: &ConsumerSecret,
    token: Option<&TokenSecret>,
) -> Result<SignedRequest> {
    sign_with_secrets(prepared, consumer, token)
}

/// Overwrites with zeros the stack just below the caller's frame, where the signer's frames
/// were: HMAC copies its key (`enc(consumer secret)&enc(token secret)`) into a block on the
/// stack, which the heap's zeroing does not reach. `black_box` keeps the zeroing from being
/// optimised away.
#[inline(never)]
fn scrub_stack() {
    let mut zeros = [0u8; SCRUB_BYTES];
    core::hint::black_box(&mut zeros);
}

/// How much stack [`scrub_stack`] zeroes: more than the signer's frames use.
const SCRUB_BYTES: usize = 8 * 1024;

/// A fresh `oauth_nonce` from `crypto.getRandomValues` (§3.3, §4.9): 16 bytes, 32 hex digits.
fn fresh_nonce() -> Result<Nonce> {
    let mut bytes = [0u8; Nonce::MIN_RANDOM_BYTES];
    random::fill(&mut bytes)?;
    Nonce::from_random(&bytes)
}

/// Removes expired and unreadable OAuth 1.0a pending requests from sessionStorage, then the
/// oldest until at most `keep` remain. The records do not name their provider, so a second
/// OAuth 1.0a client of this origin shares the cap. Storage that cannot be read or written
/// is left as it is: pruning never fails the operation it runs in.
fn prune_pending(now: u64, keep: usize) {
    let mut records = Vec::new();
    for key in storage::keys_with_prefix(STORAGE_PREFIX) {
        let created = storage::get(&key).and_then(|text| PendingRequest::created_at_of(&text));
        records.push((key, created));
    }
    for key in prune::to_prune(records, now, PENDING_MAX_AGE, keep) {
        storage::remove(&key);
    }
}
