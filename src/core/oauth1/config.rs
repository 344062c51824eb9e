//! The settings of an OAuth 1.0a client, checked once at start-up (specs §14, §15).

use alloc::string::String;

use super::base_string::{self, parse_url};
use super::encode::form_decode;
use super::flow::DEFAULT_TOKEN_LIFETIME;
use super::request::Consumer;
use super::sign::{ConsumerSecret, SignatureMethod};
use crate::core::error::{Code, Result};

/// A checked OAuth 1.0a client configuration.
pub struct Settings {
    /// The consumer key, signature method, realm and version choice.
    pub consumer: Consumer,
    /// The consumer secret for the built-in signer; `None` when an external signer (the
    /// app's backend, through the signer hook) holds it.
    ///
    /// # Security Warning
    /// specs §15: a consumer secret given to a public web app is public.
    pub consumer_secret: Option<ConsumerSecret>,
    /// The Temporary Credential Request endpoint (§2.1).
    pub temporary_credentials_url: String,
    /// The Resource Owner Authorization endpoint (§2.2).
    pub authorization_url: String,
    /// The Token Request endpoint (§2.3).
    pub token_url: String,
    /// The app's callback page: the `oauth_callback` (§2.1).
    pub callback_url: String,
    /// How long token credentials are used, in seconds (the app's own expiry, specs §15).
    pub token_lifetime: u64,
}

/// The settings as given by the app, before the checks of [`Settings::new`].
pub struct Input<'a> {
    /// `oauth_consumer_key`; must not be empty.
    pub consumer_key: &'a str,
    /// The consumer secret, or `None` for the signer hook.
    pub consumer_secret: Option<String>,
    /// `HMAC-SHA1` (when `None`), `HMAC-SHA256`, `PLAINTEXT` or `RSA-SHA1` (external signer only).
    pub signature_method: Option<&'a str>,
    /// The optional `realm` of the `Authorization` header.
    pub realm: Option<&'a str>,
    /// Whether to send `oauth_version="1.0"`.
    pub send_version: bool,
    /// The three endpoints: temporary credentials, authorization, token.
    pub endpoints: [&'a str; 3],
    /// The callback page.
    pub callback_url: &'a str,
    /// The token lifetime in seconds; `None` or 0 for [`DEFAULT_TOKEN_LIFETIME`].
    pub token_lifetime: Option<u64>,
}

impl Settings {
    /// Checks `input`.
    ///
    /// Errors: `invalid_config` (empty consumer key or empty secret, an endpoint that is not an
    /// absolute http(s) URL or whose query carries `oauth_*` parameters (§2)),
    /// `invalid_signature_method` (an unknown method, or RSA-SHA1 with a consumer secret: it
    /// needs a key pair, which only an external signer can use), `insecure_transport` (an
    /// endpoint that is neither https nor loopback http, Appendix A), `insecure_redirect_uri`
    /// (a callback that is not https or loopback http, or has a fragment: the OAuth 2 redirect
    /// policy, specs §2).
    pub fn new(input: Input<'_>) -> Result<Settings> {
        if input.consumer_key.is_empty() {
            return Err(Code::InvalidConfig.into());
        }
        let method = SignatureMethod::parse(input.signature_method.unwrap_or("HMAC-SHA1"))?;
        let consumer_secret = match input.consumer_secret {
            Some(secret) if secret.is_empty() => return Err(Code::InvalidConfig.into()),
            Some(_) if method == SignatureMethod::RsaSha1 => {
                return Err(Code::InvalidSignatureMethod.into());
            }
            secret => secret.map(ConsumerSecret::new),
        };
        for endpoint in input.endpoints {
            let url = parse_url(endpoint).map_err(|_| Code::InvalidConfig)?;
            if !url.is_secure_or_loopback() {
                return Err(Code::InsecureTransport.into());
            }
            if base_string::carries_protocol_parameters(&form_decode(url.query)) {
                return Err(Code::InvalidConfig.into());
            }
        }
        let callback = parse_url(input.callback_url).map_err(|_| Code::InsecureRedirectUri)?;
        if !callback.is_secure_or_loopback() || input.callback_url.contains('#') {
            return Err(Code::InsecureRedirectUri.into());
        }
        let [temporary, authorization, token] = input.endpoints;
        Ok(Settings {
            consumer: Consumer {
                key: input.consumer_key.into(),
                signature_method: method,
                realm: input.realm.map(Into::into),
                send_version: input.send_version,
            },
            consumer_secret,
            temporary_credentials_url: temporary.into(),
            authorization_url: authorization.into(),
            token_url: token.into(),
            callback_url: input.callback_url.into(),
            token_lifetime: input
                .token_lifetime
                .filter(|&lifetime| lifetime > 0)
                .unwrap_or(DEFAULT_TOKEN_LIFETIME),
        })
    }
}
