//! Provider metadata: OpenID Connect Discovery 1.0 and RFC 8414 (specs §9).

use alloc::borrow::ToOwned;
use alloc::string::String;

use super::error::{Code, Result};
use super::json::{self, Value};
use super::url::Url;

/// Which well-known document to read.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum WellKnown {
    /// OIDC Discovery §4: `/.well-known/openid-configuration` appended to the issuer.
    OpenIdConfiguration,
    /// RFC 8414 §3: `/.well-known/oauth-authorization-server` inserted before the issuer's path.
    OAuthAuthorizationServer,
}

/// Checks a configured issuer identifier: https (or loopback http for development), with no
/// query and no fragment (RFC 8414 §2). The string is kept as given: it is compared exactly.
pub fn check_issuer(issuer: &str) -> Result<()> {
    match Url::parse(issuer) {
        Some(url)
            if url.is_secure_or_loopback() && url.query.is_none() && url.fragment.is_none() =>
        {
            Ok(())
        }
        _ => Err(Code::InvalidConfig.into()),
    }
}

/// The URL of the metadata document for `issuer` (already checked by [`check_issuer`]).
pub fn metadata_url(issuer: &str, kind: WellKnown) -> String {
    match kind {
        WellKnown::OpenIdConfiguration => {
            let mut url = issuer.trim_end_matches('/').to_owned();
            url.push_str("/.well-known/openid-configuration");
            url
        }
        WellKnown::OAuthAuthorizationServer => {
            // The checked issuer's first ':' ends its scheme and "//" follows.
            let scheme_end = issuer.find(':').map_or(0, |i| i + 3);
            let (origin, path) = issuer
                .get(scheme_end..)
                .and_then(|rest| rest.find('/'))
                .and_then(|i| issuer.split_at_checked(scheme_end + i))
                .unwrap_or((issuer, ""));
            let mut url = origin.to_owned();
            url.push_str("/.well-known/oauth-authorization-server");
            url.push_str(path.trim_end_matches('/'));
            url
        }
    }
}

/// Validated provider metadata: only what the client uses.
#[derive(Clone, Debug, PartialEq)]
pub struct Metadata {
    /// The issuer identifier, identical to the configured one.
    pub issuer: String,
    /// Where the browser is sent to log in.
    pub authorization_endpoint: String,
    /// Where codes and refresh tokens are exchanged.
    pub token_endpoint: String,
    /// RFC 7009 revocation endpoint, if the provider has one.
    pub revocation_endpoint: Option<String>,
    /// RP-Initiated Logout endpoint, if the provider has one.
    pub end_session_endpoint: Option<String>,
    /// The provider's signing keys, for ID-token signatures.
    pub jwks_uri: Option<String>,
    /// The OIDC UserInfo endpoint, for `client.userInfo()`.
    pub userinfo_endpoint: Option<String>,
    /// RFC 9207: the provider puts `iss` in every authorization response, so a response
    /// without it must be refused.
    pub iss_parameter_supported: bool,
}

/// Reads and checks a metadata document (specs §9): the `issuer` must equal
/// `expected_issuer` exactly (RFC 8414 §3.3), the authorization and token endpoints must be
/// present, https (or loopback http) and fragment-free, and `code_challenge_methods_supported`
/// must list `S256` (specs §1: no PKCE means no login, never a silent downgrade).
pub fn parse_metadata(expected_issuer: &str, body: &str) -> Result<Metadata> {
    let doc = json::parse(body).ok_or(Code::InvalidMetadata)?;
    metadata_from_value(expected_issuer, &doc)
}

/// [`parse_metadata`] for a document already parsed (metadata passed in the configuration).
pub fn metadata_from_value(expected_issuer: &str, doc: &Value) -> Result<Metadata> {
    if !doc.is_unique_object() {
        return Err(Code::InvalidMetadata.into());
    }
    let issuer = doc
        .get("issuer")
        .and_then(Value::as_str)
        .ok_or(Code::InvalidMetadata)?;
    if issuer != expected_issuer {
        return Err(Code::IssuerMismatch.into());
    }
    let supports_s256 = match doc.get("code_challenge_methods_supported") {
        Some(Value::Array(methods)) => methods.iter().any(|m| m.as_str() == Some("S256")),
        _ => false,
    };
    if !supports_s256 {
        return Err(Code::PkceUnsupported.into());
    }
    let iss_parameter_supported = match doc.get("authorization_response_iss_parameter_supported") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(Code::InvalidMetadata.into()),
    };
    Ok(Metadata {
        issuer: issuer.into(),
        authorization_endpoint: endpoint(doc, "authorization_endpoint")?
            .ok_or(Code::InvalidMetadata)?,
        token_endpoint: endpoint(doc, "token_endpoint")?.ok_or(Code::InvalidMetadata)?,
        revocation_endpoint: endpoint(doc, "revocation_endpoint")?,
        end_session_endpoint: endpoint(doc, "end_session_endpoint")?,
        jwks_uri: endpoint(doc, "jwks_uri")?,
        userinfo_endpoint: endpoint(doc, "userinfo_endpoint")?,
        iss_parameter_supported,
    })
}

/// An optional endpoint member: absent is `None`; present but not a secure absolute URL
/// without fragment is an error.
fn endpoint(doc: &Value, name: &str) -> Result<Option<String>> {
    match doc.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => match Url::parse(s) {
            Some(url) if url.is_secure_or_loopback() && url.fragment.is_none() => {
                Ok(Some(s.clone()))
            }
            _ => Err(Code::InvalidMetadata.into()),
        },
        Some(_) => Err(Code::InvalidMetadata.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(issuer: &str, extra: &str) -> String {
        format!(
            r#"{{"issuer":"{issuer}","authorization_endpoint":"https://as.example/auth",
            "token_endpoint":"https://as.example/token","response_types_supported":["code"]{extra}}}"#
        )
    }

    const S256: &str = r#","code_challenge_methods_supported":["plain","S256"]"#;

    /// specs §9: OIDC appends, RFC 8414 inserts; the two differ for issuers with a path.
    #[test]
    fn well_known_urls_append_or_insert() {
        use WellKnown::*;
        assert_eq!(
            metadata_url("https://as.example", OpenIdConfiguration),
            "https://as.example/.well-known/openid-configuration"
        );
        assert_eq!(
            metadata_url("https://as.example/tenant1/", OpenIdConfiguration),
            "https://as.example/tenant1/.well-known/openid-configuration"
        );
        assert_eq!(
            metadata_url("https://as.example", OAuthAuthorizationServer),
            "https://as.example/.well-known/oauth-authorization-server"
        );
        assert_eq!(
            metadata_url("https://as.example/tenant1", OAuthAuthorizationServer),
            "https://as.example/.well-known/oauth-authorization-server/tenant1"
        );
    }

    #[test]
    fn issuer_must_be_secure_without_query_or_fragment() {
        assert!(check_issuer("https://as.example").is_ok());
        assert!(check_issuer("http://127.0.0.1:9000").is_ok());
        assert!(check_issuer("http://as.example").is_err());
        assert!(check_issuer("https://as.example?x=1").is_err());
        assert!(check_issuer("https://as.example#x").is_err());
    }

    #[test]
    fn accepts_valid_metadata() {
        let extra = format!(
            r#"{S256},"authorization_response_iss_parameter_supported":true,
            "revocation_endpoint":"https://as.example/revoke","unknown_member":{{"x":[1]}}"#
        );
        let m = parse_metadata("https://as.example", &doc("https://as.example", &extra)).unwrap();
        assert_eq!(m.token_endpoint, "https://as.example/token");
        assert_eq!(
            m.revocation_endpoint.as_deref(),
            Some("https://as.example/revoke")
        );
        assert_eq!(m.end_session_endpoint, None);
        assert!(m.iss_parameter_supported);
    }

    /// specs §9 / RFC 8414 §3.3: the issuer must be identical, with no normalisation.
    #[test]
    fn refuses_an_issuer_that_is_not_identical() {
        for other in [
            "https://as.example/",
            "HTTPS://as.example",
            "https://as.example:443",
            "https://evil.example",
        ] {
            let err = parse_metadata("https://as.example", &doc(other, S256)).unwrap_err();
            assert_eq!(err.code, Code::IssuerMismatch, "{other}");
        }
    }

    /// specs §1: no S256, no login; never fall back to plain.
    #[test]
    fn refuses_a_provider_without_s256() {
        for extra in [
            "",
            r#","code_challenge_methods_supported":["plain"]"#,
            r#","code_challenge_methods_supported":"S256""#,
        ] {
            let err = parse_metadata("https://as.example", &doc("https://as.example", extra))
                .unwrap_err();
            assert_eq!(err.code, Code::PkceUnsupported, "{extra}");
        }
    }

    #[test]
    fn refuses_missing_or_insecure_endpoints_and_bad_types() {
        let no_token = r#"{"issuer":"https://as.example","authorization_endpoint":"https://as.example/a","code_challenge_methods_supported":["S256"]}"#;
        let insecure = doc(
            "https://as.example",
            &format!(r#"{S256},"revocation_endpoint":"http://as.example/r""#),
        );
        let bad_flag = doc(
            "https://as.example",
            &format!(r#"{S256},"authorization_response_iss_parameter_supported":"yes""#),
        );
        let insecure_userinfo = doc(
            "https://as.example",
            &format!(r#"{S256},"userinfo_endpoint":"http://as.example/me""#),
        );
        for body in [
            no_token,
            &insecure,
            &insecure_userinfo,
            &bad_flag,
            "[]",
            "not json",
            r#"{"issuer":1}"#,
        ] {
            let err = parse_metadata("https://as.example", body).unwrap_err();
            assert_eq!(err.code, Code::InvalidMetadata, "{body}");
        }
    }

    /// Issue 12 item 7: the UserInfo endpoint is kept when it is https (OIDC Discovery §3).
    #[test]
    fn keeps_a_secure_userinfo_endpoint() {
        let with = doc(
            "https://as.example",
            &format!(r#"{S256},"userinfo_endpoint":"https://as.example/me""#),
        );
        let parsed = parse_metadata("https://as.example", &with).unwrap();
        assert_eq!(
            parsed.userinfo_endpoint.as_deref(),
            Some("https://as.example/me")
        );
        let without = parse_metadata("https://as.example", &doc("https://as.example", S256));
        assert_eq!(without.unwrap().userinfo_endpoint, None);
    }
}
