//! The authorization request (RFC 6749 §4.1.1, RFC 7636 §4.3, specs §2).

use alloc::string::String;

use super::base64url;
use super::discovery::Metadata;
use super::error::{Code, Result};
use super::pending::{Nonce, PendingAuthorization, ResponseMode, State};
use super::pkce::{self, CodeVerifier};
use super::redirect::{RedirectUri, check_return_to};
use super::url::push_pair;

/// Random bytes for one state: 32 bytes, 256 bits (specs §3: at least 128).
pub const STATE_BYTES: usize = 32;
/// Random bytes for one nonce.
pub const NONCE_BYTES: usize = 32;

/// Parameters the library sets itself; `extraParams` can never set them (specs §2).
const RESERVED: &[&str] = &[
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
    "nonce",
    "response_mode",
    "request",
    "request_uri",
];

/// What the app asks for in one login.
pub struct AuthorizationInput<'a> {
    /// The registered client id.
    pub client_id: &'a str,
    /// The registered redirect URI, already checked by policy.
    pub redirect_uri: &'a RedirectUri,
    /// Space-separated scope tokens.
    pub scope: &'a str,
    /// Where to go after login; checked here by `check_return_to`.
    pub return_to: Option<&'a str>,
    /// Extra parameters (prompt, login_hint, ui_locales, acr_values, audience, resource...).
    pub extra: &'a [(&'a str, &'a str)],
    /// The response mode to ask for.
    pub response_mode: ResponseMode,
    /// The PKCE verifier length, 43..=128.
    pub verifier_len: usize,
}

/// How many random bytes [`build_authorization_request`] needs for a verifier of `verifier_len`.
pub fn random_bytes_needed(verifier_len: usize) -> usize {
    STATE_BYTES + NONCE_BYTES + CodeVerifier::random_bytes_needed(verifier_len)
}

/// Builds the authorization URL and the pending request to store, from `random` (at least
/// [`random_bytes_needed`] bytes from a CSPRNG) and the time `now`.
pub fn build_authorization_request(
    metadata: &Metadata,
    input: &AuthorizationInput<'_>,
    random: &[u8],
    now: u64,
) -> Result<(String, PendingAuthorization)> {
    check_scope(input.scope)?;
    let return_to = input.return_to.map(check_return_to).transpose()?;
    for (i, (name, _)) in input.extra.iter().enumerate() {
        let repeated = input.extra.iter().take(i).any(|(other, _)| other == name);
        if name.is_empty() || repeated || RESERVED.contains(name) {
            return Err(Code::InvalidConfig.into());
        }
    }
    if random.len() < random_bytes_needed(input.verifier_len) {
        return Err(Code::RandomUnavailable.into());
    }
    let (state_bytes, rest) = random
        .split_at_checked(STATE_BYTES)
        .ok_or(Code::RandomUnavailable)?;
    let (nonce_bytes, verifier_bytes) = rest
        .split_at_checked(NONCE_BYTES)
        .ok_or(Code::RandomUnavailable)?;
    let state = base64url::encode(state_bytes);
    let verifier = CodeVerifier::from_random(verifier_bytes, input.verifier_len)?;
    let openid = input.scope.split(' ').any(|s| s == "openid");
    let nonce = openid.then(|| base64url::encode(nonce_bytes));

    let mut query = String::new();
    push_pair(&mut query, "response_type", "code");
    push_pair(&mut query, "client_id", input.client_id);
    push_pair(&mut query, "redirect_uri", input.redirect_uri.as_str());
    push_pair(&mut query, "scope", input.scope);
    push_pair(&mut query, "state", &state);
    push_pair(&mut query, "code_challenge", &verifier.challenge());
    push_pair(&mut query, "code_challenge_method", pkce::METHOD);
    if let Some(nonce) = &nonce {
        push_pair(&mut query, "nonce", nonce);
    }
    if input.response_mode == ResponseMode::Fragment {
        push_pair(&mut query, "response_mode", "fragment");
    }
    for (name, value) in input.extra {
        push_pair(&mut query, name, value);
    }

    let endpoint = &metadata.authorization_endpoint;
    let mut url = String::with_capacity(endpoint.len() + 1 + query.len());
    url.push_str(endpoint);
    url.push(if endpoint.contains('?') { '&' } else { '?' });
    url.push_str(&query);

    let pending = PendingAuthorization {
        state: State::new(state),
        verifier,
        nonce: nonce.map(Nonce::new),
        issuer: metadata.issuer.clone(),
        redirect_uri: input.redirect_uri.as_str().into(),
        scope: input.scope.into(),
        return_to: return_to.map(Into::into),
        created_at: now,
    };
    Ok((url, pending))
}

/// RFC 6749 §3.3: one or more `scope-token`s (`%x21 / %x23-5B / %x5D-7E`) separated by
/// single spaces.
pub fn check_scope(scope: &str) -> Result<()> {
    let token_ok = |t: &str| {
        !t.is_empty()
            && t.bytes()
                .all(|b| b == 0x21 || (0x23..=0x5B).contains(&b) || (0x5D..=0x7E).contains(&b))
    };
    if scope.split(' ').all(token_ok) {
        Ok(())
    } else {
        Err(Code::InvalidConfig.into())
    }
}

#[cfg(test)]
mod tests {
    use std::vec::Vec;

    use super::*;
    use crate::core::url::{Url, parse_unique_pairs};

    pub(crate) fn metadata() -> Metadata {
        Metadata {
            issuer: "https://as.example".into(),
            authorization_endpoint: "https://as.example/authorize?tenant=t1".into(),
            token_endpoint: "https://as.example/token".into(),
            revocation_endpoint: None,
            end_session_endpoint: None,
            jwks_uri: None,
            userinfo_endpoint: None,
            iss_parameter_supported: true,
        }
    }

    fn build(scope: &str, extra: &[(&str, &str)]) -> Result<(String, PendingAuthorization)> {
        let redirect = RedirectUri::parse("https://app.example/cb").unwrap();
        let input = AuthorizationInput {
            client_id: "spa",
            redirect_uri: &redirect,
            scope,
            return_to: Some("/inbox"),
            extra,
            response_mode: ResponseMode::Query,
            verifier_len: 43,
        };
        let random: Vec<u8> = (0..random_bytes_needed(43) as u8).collect();
        build_authorization_request(&metadata(), &input, &random, 1_000)
    }

    fn params(url: &str) -> Vec<(String, String)> {
        parse_unique_pairs(Url::parse(url).unwrap().query.unwrap()).unwrap()
    }

    /// specs §2, §1: every required parameter once, S256 explicit, endpoint query kept.
    #[test]
    fn request_carries_every_required_parameter_once() {
        let (url, pending) = build("openid profile", &[]).unwrap();
        assert!(url.starts_with("https://as.example/authorize?tenant=t1&response_type=code&"));
        let p = params(&url);
        let get = |n: &str| p.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
        assert_eq!(get("client_id"), Some("spa"));
        assert_eq!(get("redirect_uri"), Some("https://app.example/cb"));
        assert_eq!(get("scope"), Some("openid profile"));
        assert_eq!(get("code_challenge_method"), Some("S256"));
        assert_eq!(get("state"), Some(pending.state.expose()));
        assert_eq!(get("nonce"), pending.nonce.as_ref().map(|n| n.expose()));
        assert_eq!(
            get("code_challenge"),
            Some(pending.verifier.challenge().as_str())
        );
        assert_eq!(get("response_mode"), None);
        assert_eq!(pending.state.expose().len(), 43, "256-bit state");
        assert_eq!(pending.issuer, "https://as.example");
        assert_eq!(pending.return_to.as_deref(), Some("/inbox"));
        assert_eq!(pending.created_at, 1_000);
    }

    #[test]
    fn no_nonce_without_openid_scope() {
        let (url, pending) = build("api.read", &[]).unwrap();
        assert!(pending.nonce.is_none());
        assert!(!params(&url).iter().any(|(k, _)| k == "nonce"));
    }

    /// specs §2: extra parameters can never override the reserved ones.
    #[test]
    fn extra_parameters_are_added_but_cannot_override_reserved_ones() {
        let extra = [("prompt", "login"), ("login_hint", "a b@x")];
        let (url, _) = build("openid", &extra).unwrap();
        let p = params(&url);
        assert!(p.contains(&("prompt".into(), "login".into())));
        assert!(p.contains(&("login_hint".into(), "a b@x".into())));
        for reserved in RESERVED {
            let err = build("openid", &[(*reserved, "x")]).unwrap_err();
            assert_eq!(err.code, Code::InvalidConfig, "{reserved}");
        }
        let twice = [("prompt", "a"), ("prompt", "b")];
        assert_eq!(
            build("openid", &twice).unwrap_err().code,
            Code::InvalidConfig
        );
    }

    #[test]
    fn scope_must_follow_rfc6749_section_3_3() {
        assert!(check_scope("openid profile offline_access").is_ok());
        for bad in ["", "openid  profile", " openid", "a\"b", "a\\b", "é"] {
            assert!(check_scope(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            build("openid  x", &[]).unwrap_err().code,
            Code::InvalidConfig
        );
    }

    #[test]
    fn unsafe_return_to_is_refused_before_anything_is_stored() {
        let redirect = RedirectUri::parse("https://app.example/cb").unwrap();
        let input = AuthorizationInput {
            client_id: "spa",
            redirect_uri: &redirect,
            scope: "openid",
            return_to: Some("//evil.example"),
            extra: &[],
            response_mode: ResponseMode::Query,
            verifier_len: 43,
        };
        let err = build_authorization_request(&metadata(), &input, &[0; 200], 0).unwrap_err();
        assert_eq!(err.code, Code::UnsafeReturnTo);
    }

    #[test]
    fn too_little_randomness_is_an_error_not_a_weaker_value() {
        let redirect = RedirectUri::parse("https://app.example/cb").unwrap();
        let input = AuthorizationInput {
            client_id: "spa",
            redirect_uri: &redirect,
            scope: "openid",
            return_to: None,
            extra: &[],
            response_mode: ResponseMode::Query,
            verifier_len: 43,
        };
        let err = build_authorization_request(&metadata(), &input, &[0; 10], 0).unwrap_err();
        assert_eq!(err.code, Code::RandomUnavailable);
    }
}
