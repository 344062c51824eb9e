//! The client configuration, read from the JSON the TypeScript wrapper passes in.

use alloc::string::String;
use alloc::vec::Vec;

use super::discovery::{Metadata, WellKnown, check_issuer, metadata_from_value};
use super::error::{Code, Result};
use super::json::{self, Value};
use super::pending::{DEFAULT_MAX_AGE_SECONDS, ResponseMode};
use super::pkce;
use super::redirect::RedirectUri;
use super::session::Policy;
use super::url::Url;

/// The default timeout of a request to the provider, in milliseconds.
pub const DEFAULT_TIMEOUT_MS: u32 = 10_000;

/// A checked client configuration.
#[derive(Debug)]
pub struct Config {
    /// The issuer identifier, compared exactly with the metadata and `iss`.
    pub issuer: String,
    /// The registered client id.
    pub client_id: String,
    /// The registered redirect URI.
    pub redirect_uri: RedirectUri,
    /// The scope to request.
    pub scope: String,
    /// The time limit of a pending request, in seconds.
    pub pending_max_age: u64,
    /// The PKCE verifier length.
    pub verifier_len: usize,
    /// Where the provider puts the response parameters.
    pub response_mode: ResponseMode,
    /// The timeout of each request to the provider, in milliseconds.
    pub timeout_ms: u32,
    /// Which metadata document to fetch.
    pub well_known: WellKnown,
    /// Metadata given directly: no discovery fetch.
    pub metadata: Option<Metadata>,
    /// Where the provider sends the browser after RP-initiated logout.
    pub post_logout_redirect_uri: Option<RedirectUri>,
    /// Tolerated clock difference for ID-token times, in seconds.
    pub clock_skew: u64,
    /// The session's expiry, refresh and scope policy.
    pub session: Policy,
    /// The origins `client.fetch` may send the access token to, compared exactly.
    pub allowed_origins: Vec<String>,
    /// `dpop`: `true` (bound tokens only), `"optional"` (bound when the provider binds), or off.
    #[cfg(any(feature = "dpop", not(target_arch = "wasm32")))]
    pub token_types: super::token::TokenTypes,
    /// `persistUnboundRefreshToken`: persist a refresh token that is not DPoP-bound.
    #[cfg(any(feature = "dpop", not(target_arch = "wasm32")))]
    pub persist_unbound: bool,
    /// Audiences besides the client id that an ID token may also name (`trustedAudiences`,
    /// default none): OIDC Core §3.1.3.7 step 3 refuses any other.
    pub trusted_audiences: Vec<String>,
}

impl Config {
    /// Reads and checks the configuration. A `clientSecret` is refused: a browser app is a
    /// public client and cannot keep one (RFC 6749 §10.1, specs §5).
    pub fn parse(text: &str) -> Result<Self> {
        let doc = json::parse(text)
            .and_then(Value::object)
            .ok_or(Code::InvalidConfig)?;
        let text = |name: &str| -> Result<Option<&str>> {
            match doc.get(name) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s)),
                Some(_) => Err(Code::InvalidConfig.into()),
            }
        };
        let number =
            |name: &str, default: u64, range: core::ops::RangeInclusive<u64>| -> Result<u64> {
                match doc.get(name) {
                    None | Some(Value::Null) => Ok(default),
                    Some(Value::Number(Some(n))) if range.contains(&(*n as u64)) && *n >= 0 => {
                        Ok(*n as u64)
                    }
                    Some(_) => Err(Code::InvalidConfig.into()),
                }
            };
        if doc.get("clientSecret").is_some() {
            return Err(Code::InvalidConfig.into());
        }
        let issuer = text("issuer")?.ok_or(Code::InvalidConfig)?;
        check_issuer(issuer)?;
        let client_id = text("clientId")?
            .filter(|c| !c.is_empty())
            .ok_or(Code::InvalidConfig)?;
        let redirect_uri = RedirectUri::parse(text("redirectUri")?.ok_or(Code::InvalidConfig)?)?;
        // Checked now so that a bad value fails at start-up, not at logout.
        let post_logout_redirect_uri = text("postLogoutRedirectUri")?
            .map(RedirectUri::parse)
            .transpose()?;
        let flag = |name: &str, default: bool| match doc.get(name) {
            None | Some(Value::Null) => Ok(default),
            Some(Value::Bool(b)) => Ok(*b),
            Some(_) => Err(Code::InvalidConfig),
        };
        let refuse_broader_scope = match text("scopePolicy")? {
            None | Some("report") => false,
            Some("refuse") => true,
            Some(_) => return Err(Code::InvalidConfig.into()),
        };
        let mut allowed_origins = Vec::new();
        match doc.get("allowedOrigins") {
            None | Some(Value::Null) => {}
            Some(Value::Array(items)) => {
                for item in items {
                    let origin = item
                        .as_str()
                        .filter(|o| is_origin(o))
                        .ok_or(Code::InvalidConfig)?;
                    allowed_origins.push(origin.into());
                }
            }
            Some(_) => return Err(Code::InvalidConfig.into()),
        }
        // Where the wrapper keeps the encrypted record; the core only checks the value.
        #[cfg(any(feature = "dpop", not(target_arch = "wasm32")))]
        if !matches!(text("persist")?, None | Some("tab" | "browser")) {
            return Err(Code::InvalidConfig.into());
        }
        let mut trusted_audiences = Vec::new();
        match doc.get("trustedAudiences") {
            None | Some(Value::Null) => {}
            Some(Value::Array(items)) => {
                for item in items {
                    let audience = item
                        .as_str()
                        .filter(|a| !a.is_empty())
                        .ok_or(Code::InvalidConfig)?;
                    trusted_audiences.push(audience.into());
                }
            }
            Some(_) => return Err(Code::InvalidConfig.into()),
        }
        let scope = text("scope")?.unwrap_or("openid");
        super::authorize::check_scope(scope)?;
        let well_known = match text("discovery")? {
            None | Some("openid-configuration") => WellKnown::OpenIdConfiguration,
            Some("oauth-authorization-server") => WellKnown::OAuthAuthorizationServer,
            Some(_) => return Err(Code::InvalidConfig.into()),
        };
        let metadata = match doc.get("metadata") {
            None | Some(Value::Null) => None,
            Some(given) => Some(metadata_from_value(issuer, given)?),
        };
        Ok(Config {
            issuer: issuer.into(),
            client_id: client_id.into(),
            redirect_uri,
            scope: scope.into(),
            pending_max_age: number(
                "pendingRequestMaxAgeSeconds",
                DEFAULT_MAX_AGE_SECONDS,
                1..=86_400,
            )?,
            verifier_len: number(
                "codeVerifierLength",
                pkce::DEFAULT_LEN as u64,
                pkce::MIN_LEN as u64..=pkce::MAX_LEN as u64,
            )? as usize,
            response_mode: ResponseMode::parse(text("responseMode")?.unwrap_or("query"))?,
            timeout_ms: number(
                "requestTimeoutMs",
                u64::from(DEFAULT_TIMEOUT_MS),
                100..=120_000,
            )? as u32,
            well_known,
            metadata,
            post_logout_redirect_uri,
            clock_skew: number("clockSkewSeconds", 60, 0..=600)?,
            session: Policy {
                margin: number("refreshMarginSeconds", 60, 0..=3600)?,
                auto_refresh: flag("autoRefresh", true)?,
                max_attempts: number("maxRefreshAttempts", 4, 1..=10)? as u32,
                refuse_broader_scope,
            },
            allowed_origins,
            #[cfg(any(feature = "dpop", not(target_arch = "wasm32")))]
            token_types: dpop_setting(doc.get("dpop"))?,
            #[cfg(any(feature = "dpop", not(target_arch = "wasm32")))]
            persist_unbound: flag("persistUnboundRefreshToken", false)?,
            trusted_audiences,
        })
    }
}

/// The `dpop` setting: absent or `false` (off), `true`, or `"optional"`.
#[cfg(any(feature = "dpop", not(target_arch = "wasm32")))]
fn dpop_setting(value: Option<&Value>) -> Result<super::token::TokenTypes> {
    use super::token::TokenTypes;
    Ok(match value {
        None | Some(Value::Null) | Some(Value::Bool(false)) => TokenTypes::Bearer,
        Some(Value::Bool(true)) => TokenTypes::Dpop { optional: false },
        Some(Value::String(s)) if s == "optional" => TokenTypes::Dpop { optional: true },
        Some(_) => return Err(Code::InvalidConfig.into()),
    })
}

/// True for an origin as browsers serialise it (`URL.origin`): https (http on loopback),
/// lower-case host, no default port, no path, query or fragment.
fn is_origin(text: &str) -> bool {
    Url::parse(text).is_some_and(|url| {
        let default_port = match url.scheme {
            "https" => Some(443),
            "http" => Some(80),
            _ => None,
        };
        url.is_secure_or_loopback()
            && url.path.is_empty()
            && url.query.is_none()
            && url.fragment.is_none()
            && !url.host.bytes().any(|b| b.is_ascii_uppercase())
            && url.scheme.bytes().all(|b| b.is_ascii_lowercase())
            && url.explicit_port.is_none_or(|p| Some(p) != default_port)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str =
        r#""issuer":"https://as.example","clientId":"spa","redirectUri":"https://app.example/cb""#;

    fn parse(extra: &str) -> Result<Config> {
        Config::parse(&format!("{{{BASE}{extra}}}"))
    }

    /// Issue 10: `dpop` is off, `true` or `"optional"`; `persist` is `"tab"` or `"browser"`.
    #[test]
    #[cfg(not(target_arch = "wasm32"))]
    fn dpop_and_persist_settings() {
        use crate::core::token::TokenTypes;
        assert_eq!(parse("").unwrap().token_types, TokenTypes::Bearer);
        assert!(!parse("").unwrap().persist_unbound);
        assert_eq!(
            parse(r#","dpop":true"#).unwrap().token_types,
            TokenTypes::Dpop { optional: false }
        );
        assert_eq!(
            parse(r#","dpop":"optional""#).unwrap().token_types,
            TokenTypes::Dpop { optional: true }
        );
        assert!(
            parse(r#","persistUnboundRefreshToken":true"#)
                .unwrap()
                .persist_unbound
        );
        for ok in [
            r#","persist":"tab""#,
            r#","persist":"browser""#,
            r#","persist":null"#,
        ] {
            assert!(parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            r#","dpop":"yes""#,
            r#","dpop":1"#,
            r#","persist":"local""#,
            r#","persist":true"#,
            r#","persistUnboundRefreshToken":"yes""#,
        ] {
            assert_eq!(parse(bad).unwrap_err().code, Code::InvalidConfig, "{bad}");
        }
    }

    #[test]
    fn defaults_are_filled_in() {
        let c = parse("").unwrap();
        assert_eq!(c.scope, "openid");
        assert_eq!(c.pending_max_age, 600);
        assert_eq!(c.verifier_len, 43);
        assert_eq!(c.response_mode, ResponseMode::Query);
        assert_eq!(c.timeout_ms, DEFAULT_TIMEOUT_MS);
        assert_eq!(c.well_known, WellKnown::OpenIdConfiguration);
        assert!(c.metadata.is_none());
    }

    #[test]
    fn options_are_read_and_metadata_can_be_given_directly() {
        let c = parse(
            r#","scope":"openid offline_access","pendingRequestMaxAgeSeconds":60,"codeVerifierLength":128,
            "responseMode":"fragment","postLogoutRedirectUri":"http://127.0.0.1:8080/","discovery":"oauth-authorization-server",
            "metadata":{"issuer":"https://as.example","authorization_endpoint":"https://as.example/a",
            "token_endpoint":"https://as.example/t","code_challenge_methods_supported":["S256"]}"#,
        )
        .unwrap();
        assert_eq!((c.pending_max_age, c.verifier_len), (60, 128));
        assert_eq!(c.response_mode, ResponseMode::Fragment);
        assert_eq!(c.metadata.unwrap().token_endpoint, "https://as.example/t");
        assert_eq!(c.well_known, WellKnown::OAuthAuthorizationServer);
        assert_eq!(
            c.post_logout_redirect_uri.unwrap().as_str(),
            "http://127.0.0.1:8080/"
        );
    }

    /// Issue 11 item 8: `trustedAudiences` is a list of non-empty strings, empty by default.
    #[test]
    fn trusted_audiences_default_to_none() {
        assert!(parse("").unwrap().trusted_audiences.is_empty());
        let c = parse(r#","trustedAudiences":["https://api.example"]"#).unwrap();
        assert_eq!(c.trusted_audiences, ["https://api.example"]);
        for bad in [r#""x""#, r#"[""]"#, "[1]"] {
            assert_eq!(
                parse(&format!(r#","trustedAudiences":{bad}"#))
                    .unwrap_err()
                    .code,
                Code::InvalidConfig,
                "{bad}"
            );
        }
    }

    /// Issue 4: session knobs and the fetch allowlist, with their defaults.
    #[test]
    fn session_policy_and_allowed_origins() {
        let c = parse("").unwrap();
        assert_eq!((c.session.margin, c.session.max_attempts), (60, 4));
        assert!(c.session.auto_refresh && !c.session.refuse_broader_scope);
        assert_eq!(c.clock_skew, 60);
        assert!(c.allowed_origins.is_empty());
        let c = parse(
            r#","refreshMarginSeconds":5,"autoRefresh":false,"maxRefreshAttempts":2,"clockSkewSeconds":0,
            "scopePolicy":"refuse","allowedOrigins":["https://api.example","http://127.0.0.1:8080"]"#,
        )
        .unwrap();
        assert_eq!(
            (c.session.margin, c.session.max_attempts, c.clock_skew),
            (5, 2, 0)
        );
        assert!(!c.session.auto_refresh && c.session.refuse_broader_scope);
        assert_eq!(
            c.allowed_origins,
            ["https://api.example", "http://127.0.0.1:8080"]
        );
        for bad in [
            r#""https://api.example/""#,
            r#""https://API.example""#,
            r#""https://api.example:443""#,
            r#""http://api.example""#,
            r#""https://api.example/v1""#,
            r#""*""#,
            "1",
        ] {
            assert_eq!(
                parse(&format!(r#","allowedOrigins":[{bad}]"#))
                    .unwrap_err()
                    .code,
                Code::InvalidConfig,
                "{bad}"
            );
        }
        assert!(parse(r#","scopePolicy":"maybe""#).is_err());
        assert!(parse(r#","autoRefresh":"yes""#).is_err());
    }

    /// specs §5: a browser app is a public client; a client secret is refused.
    #[test]
    fn refuses_a_client_secret_and_bad_values() {
        for (extra, code) in [
            (r#","clientSecret":"s""#, Code::InvalidConfig),
            (r#","codeVerifierLength":42"#, Code::InvalidConfig),
            (r#","pendingRequestMaxAgeSeconds":-1"#, Code::InvalidConfig),
            (r#","responseMode":"form_post""#, Code::InvalidConfig),
            (r#","scope":"a  b""#, Code::InvalidConfig),
            (
                r#","postLogoutRedirectUri":"http://app.example/""#,
                Code::InsecureRedirectUri,
            ),
            (
                r#","metadata":{"issuer":"https://other.example"}"#,
                Code::IssuerMismatch,
            ),
        ] {
            assert_eq!(parse(extra).unwrap_err().code, code, "{extra}");
        }
        assert_eq!(Config::parse(r#"{"issuer":"http://as.example","clientId":"a","redirectUri":"https://a.example/"}"#).unwrap_err().code, Code::InvalidConfig);
        assert_eq!(Config::parse(r#"{"issuer":"https://as.example","clientId":"a","redirectUri":"http://a.example/"}"#).unwrap_err().code, Code::InsecureRedirectUri);
        assert_eq!(Config::parse("[]").unwrap_err().code, Code::InvalidConfig);
    }
}
