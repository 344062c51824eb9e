//! Signing one request in two halves, so the signature can come from anywhere (specs §14.2).
//!
//! [`prepare_request`] builds everything but the signature: the protocol parameters, the
//! signature base string (§3.4.1) and the `Authorization` header (§3.5.1) so far. The signature
//! then comes either from the built-in signer ([`sign_with_secrets`], with the secrets in WASM
//! memory) or from an external signer, for example an async hook in JavaScript that asks a
//! backend holding the consumer secret (specs §15), and [`finish`] adds it. Both halves are
//! pure: `now` and the nonce come in as arguments.
//!
//! Every `oauth_*` parameter travels in the `Authorization` header, the first and preferred
//! location of §3.5, so none may also appear in the query or the form body.

use alloc::string::String;

use super::base_string;
use super::encode::{self, push_encoded};
use super::sign::{self, ConsumerSecret, SignatureMethod, TokenSecret};
use crate::core::decimal::u64_to_string;
use crate::core::error::{Code, Result};

/// An HTTP request as the signer sees it.
#[derive(Clone, Copy, Debug)]
pub struct Request<'a> {
    /// The HTTP method, in any case; the base string uses it uppercased (§3.4.1.1).
    pub method: &'a str,
    /// The absolute `http` or `https` URL the request goes to, query included. Pass the URL
    /// the browser will really send (`new URL(u).href`): the path is signed exactly as given
    /// here, so it must already be percent-encoded the way it goes on the wire.
    pub url: &'a str,
    /// The body, but only when it is a single-part `application/x-www-form-urlencoded` body
    /// sent with that `Content-Type` (specs §14.2, §3.4.1.3.1). `None` for any other body, or
    /// none: such a body is not signed.
    pub form_body: Option<&'a str>,
}

/// The client ("consumer") settings used for every request. No secret in here.
#[derive(Clone, Debug)]
pub struct Consumer {
    /// The `oauth_consumer_key` (§3.1).
    pub key: String,
    /// The `oauth_signature_method` to use (§3.1).
    pub signature_method: SignatureMethod,
    /// The optional `realm` of the `Authorization` header (§3.5.1). It is never signed.
    pub realm: Option<String>,
    /// Whether to send `oauth_version="1.0"` (§3.1: optional; X requires it, specs §15).
    pub send_version: bool,
}

/// An `oauth_nonce` (§3.3): unique for each timestamp, consumer and token.
///
/// Not `Clone`, and consumed by the request it is used for, so that reusing one is awkward.
#[derive(Debug)]
pub struct Nonce(String);

impl Nonce {
    /// The fewest random bytes [`Nonce::from_random`] accepts: 128 bits.
    pub const MIN_RANDOM_BYTES: usize = 16;

    /// A nonce made from `random`, which must come from a CSPRNG (§4.9) and hold at least
    /// [`Nonce::MIN_RANDOM_BYTES`] bytes. The text is uppercase hex: plain ASCII, which every
    /// provider accepts (X accepts only ASCII nonces, specs §15).
    pub fn from_random(random: &[u8]) -> Result<Self> {
        if random.len() < Self::MIN_RANDOM_BYTES {
            return Err(Code::InvalidSigningRequest.into());
        }
        let mut text = String::with_capacity(random.len() * 2);
        for &byte in random {
            encode::push_hex(&mut text, byte);
        }
        Ok(Nonce(text))
    }

    /// A nonce with a given text, for the fixed RFC 5849 test vectors. It must be non-empty
    /// and made only of §3.6 unreserved characters. Shipped code draws every nonce with
    /// [`Nonce::from_random`].
    #[cfg(test)]
    pub fn parse(text: &str) -> Result<Self> {
        if text.is_empty() || !text.bytes().all(encode::is_unreserved) {
            return Err(Code::InvalidSigningRequest.into());
        }
        Ok(Nonce(text.into()))
    }
}

/// A request with everything but its signature: see the module documentation.
///
/// Consumed by [`finish`] or [`sign_with_secrets`], so one preparation (one nonce) signs at
/// most one request.
pub struct PreparedRequest {
    /// The uppercase HTTP method.
    method: String,
    /// The request URL, as given.
    url: String,
    /// The signature method the header names.
    signature_method: SignatureMethod,
    /// The §3.4.1 signature base string.
    base_string: String,
    /// `OAuth realm="..", oauth_consumer_key="..", ...`: the header without `oauth_signature`.
    header: String,
}

impl PreparedRequest {
    /// The signature base string (§3.4.1.1) an external signer must sign. PLAINTEXT ignores it.
    ///
    /// A backend that signs for the browser should read the method, URL and `oauth_token` in
    /// this string and check them against what it allows, so it does not sign anything at all.
    pub fn base_string(&self) -> &str {
        &self.base_string
    }

    /// The signature method the external signer must use.
    pub fn signature_method(&self) -> SignatureMethod {
        self.signature_method
    }
}

/// A signed request: what the shell sends.
///
/// # Security Warning
/// With PLAINTEXT the `authorization` value contains both secrets; with any method it carries
/// the token. It goes into the request's header and nowhere else.
pub struct SignedRequest {
    /// The uppercase HTTP method.
    pub method: String,
    /// The URL, as given to [`prepare_request`] or configured as the endpoint.
    pub url: String,
    /// The value of the `Authorization` header (§3.5.1).
    pub authorization: String,
}

/// Prepares a request to a protected resource (§3), signed for the `token` of the token
/// credentials (`None` for a request signed with the consumer credentials only).
///
/// `now` (seconds since the Unix epoch) becomes `oauth_timestamp` (§3.3) and must be positive.
/// Errors: `invalid_signing_request` (URL not absolute http(s), `oauth_*` parameters in the query
/// or body, empty method, `now` zero), `insecure_transport` (PLAINTEXT over http),
/// `invalid_config` (empty consumer key).
pub fn prepare_request(
    consumer: &Consumer,
    request: &Request<'_>,
    token: Option<&str>,
    now: u64,
    nonce: Nonce,
) -> Result<PreparedRequest> {
    let protocol = Protocol {
        token,
        extra: None,
        https_only: false,
    };
    prepare(consumer, request, protocol, now, nonce)
}

/// Completes `prepared` with a `signature` from any signer, raw (not yet §3.6-encoded).
///
/// An empty signature is refused with `signing_failed`: the external signer gave nothing.
pub fn finish(prepared: PreparedRequest, signature: &str) -> Result<SignedRequest> {
    if signature.is_empty() {
        return Err(Code::SigningFailed.into());
    }
    let mut authorization = prepared.header;
    push_header_param(&mut authorization, "oauth_signature", signature);
    Ok(SignedRequest {
        method: prepared.method,
        url: prepared.url,
        authorization,
    })
}

/// Signs `prepared` with the built-in signer (HMAC-SHA1, HMAC-SHA256 or PLAINTEXT) and the
/// secrets, then [`finish`]es it. `token` is `None` when the request has no token (the
/// temporary-credentials request: the key then ends in `&`, §2.1).
pub fn sign_with_secrets(
    prepared: PreparedRequest,
    consumer: &ConsumerSecret,
    token: Option<&TokenSecret>,
) -> Result<SignedRequest> {
    let signature = sign::signature(
        prepared.signature_method,
        &prepared.base_string,
        consumer,
        token,
    )?;
    finish(prepared, &signature)
}

/// The protocol parameters that differ between the kinds of signed request.
#[derive(Clone, Copy)]
pub(super) struct Protocol<'a> {
    /// The `oauth_token`, if any; an empty one is omitted (§2.1).
    pub(super) token: Option<&'a str>,
    /// One flow parameter: `oauth_callback` (§2.1) or `oauth_verifier` (§2.3).
    pub(super) extra: Option<(&'static str, &'a str)>,
    /// Whether the request must use https (or loopback http) whatever the method
    /// (Appendix A, specs §14.3).
    pub(super) https_only: bool,
}

/// Builds a [`PreparedRequest`]: the checks, the parameters, the base string and the header.
pub(super) fn prepare(
    consumer: &Consumer,
    request: &Request<'_>,
    protocol: Protocol<'_>,
    now: u64,
    nonce: Nonce,
) -> Result<PreparedRequest> {
    // specs §14.2 (§3.3): the timestamp is a positive integer; a missing clock is not zero.
    let method = request.method;
    if now == 0 || method.is_empty() || !method.bytes().all(|byte| byte.is_ascii_graphic()) {
        return Err(Code::InvalidSigningRequest.into());
    }
    if consumer.key.is_empty() {
        return Err(Code::InvalidConfig.into());
    }
    let url = base_string::parse_url(request.url)?;
    // specs §14.2 (§3.4.4) and §14.3 (Appendix A): PLAINTEXT and credential requests need
    // TLS (plain http only to a loopback host, for development).
    let plaintext = consumer.signature_method == SignatureMethod::Plaintext;
    if !url.is_secure_or_loopback() && (protocol.https_only || plaintext) {
        return Err(Code::InsecureTransport.into());
    }
    let mut sent = encode::form_decode(url.query);
    sent.extend(
        request
            .form_body
            .map(encode::form_decode)
            .unwrap_or_default(),
    );
    // specs §14.1, §14.2 (§2, §3.5): the oauth_* parameters go in the header only.
    if base_string::carries_protocol_parameters(&sent) {
        return Err(Code::InvalidSigningRequest.into());
    }
    let timestamp = u64_to_string(now);
    // specs §14.2 (§3.1): never add what is not sent; an omitted oauth_version stays omitted.
    let params = [
        Some(("oauth_consumer_key", consumer.key.as_str())),
        protocol
            .token
            .filter(|token| !token.is_empty())
            .map(|token| ("oauth_token", token)),
        Some(("oauth_signature_method", consumer.signature_method.as_str())),
        Some(("oauth_timestamp", timestamp.as_str())),
        Some(("oauth_nonce", nonce.0.as_str())),
        consumer.send_version.then_some(("oauth_version", "1.0")),
        protocol.extra,
    ];
    let params = params.iter().flatten();
    let normalized = base_string::normalize(
        sent.iter()
            .map(|(name, value)| (name.as_slice(), value.as_slice()))
            .chain(
                params
                    .clone()
                    .map(|(name, value)| (name.as_bytes(), value.as_bytes())),
            ),
    );
    let mut header = String::from("OAuth ");
    if let Some(realm) = &consumer.realm {
        push_header_param(&mut header, "realm", realm);
    }
    for (name, value) in params {
        push_header_param(&mut header, name, value);
    }
    let method = method.to_ascii_uppercase();
    Ok(PreparedRequest {
        base_string: base_string::base_string(&method, &url.base_uri, &normalized),
        method,
        url: request.url.into(),
        signature_method: consumer.signature_method,
        header,
    })
}

/// Appends `name="enc(value)"` to an `Authorization: OAuth` header, after `, ` unless it is
/// the first parameter (§3.5.1: values §3.6-encoded, so no quote or line break can get in).
fn push_header_param(header: &mut String, name: &str, value: &str) {
    if header.ends_with('"') {
        header.push_str(", ");
    }
    header.push_str(name);
    header.push_str("=\"");
    push_encoded(header, value.as_bytes());
    header.push('"');
}
