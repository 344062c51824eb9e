//! The pending authorization: what the callback needs to know about the request it answers
//! (specs §3, design "Rules"). Stored in sessionStorage under [`KEY_PREFIX`], keyed by state,
//! single use, with a time limit. It holds no token.

use alloc::string::String;

use super::decimal::{parse_u64, u64_to_string};
use super::error::{Code, Result};
use super::pkce::CodeVerifier;
use super::secret::secret_string;
use super::url::{find_pair, form_decode, parse_unique_pairs, push_pair};

/// Every key browser-oauth writes to web storage starts with this prefix, and logout removes
/// every key that does.
pub const KEY_PREFIX: &str = "browser-oauth:";
/// The default time limit of a pending request: 10 minutes.
pub const DEFAULT_MAX_AGE_SECONDS: u64 = 600;
/// A stored record as pruning sees it (see [`classify`]).
#[derive(Debug, PartialEq, Eq)]
pub enum Stored {
    /// A pending request of this issuer, created at this time (seconds).
    Ours(u64),
    /// A pending request another client of this origin made: left to that client.
    OtherIssuer,
    /// Not readable as a pending request: pruned first.
    Unreadable,
}

/// Reads only what pruning needs from a stored record `text`: its issuer, compared with
/// `issuer`, and its `created_at`. A full [`PendingAuthorization::decode`] of every other
/// pending request on every login and callback cost about a quarter of each (`make bench`);
/// a record with a defect in any other field still counts towards the bound and its time
/// limit here, and is refused when it is used.
pub fn classify(text: &str, issuer: &str) -> Stored {
    let (mut stored_issuer, mut created) = (None, None);
    for part in text.split('&') {
        let (name, value) = part.split_once('=').unwrap_or((part, ""));
        let slot = match name {
            "i" => &mut stored_issuer,
            "a" => &mut created,
            _ => continue,
        };
        // Twice the same field: not something encode wrote.
        if slot.replace(value).is_some() {
            return Stored::Unreadable;
        }
    }
    let Some(created) = created.and_then(parse_u64) else {
        return Stored::Unreadable;
    };
    match stored_issuer.and_then(form_decode) {
        None => Stored::Unreadable,
        Some(stored) if stored != issuer => Stored::OtherIssuer,
        Some(_) => Stored::Ours(created),
    }
}

secret_string!(
    /// The one-time `state` value that binds a callback to the request and this browser.
    State
);
secret_string!(
    /// The OpenID Connect `nonce` that binds the ID token to the request.
    Nonce
);

/// Where the provider puts the response parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ResponseMode {
    /// In the query string (the default for `response_type=code`).
    Query,
    /// In the fragment.
    Fragment,
}

impl ResponseMode {
    /// Reads `query` or `fragment`.
    pub fn parse(text: &str) -> Result<Self> {
        match text {
            "query" => Ok(ResponseMode::Query),
            "fragment" => Ok(ResponseMode::Fragment),
            _ => Err(Code::InvalidConfig.into()),
        }
    }
}

/// What is remembered between the authorization request and its callback.
#[derive(Debug)]
pub struct PendingAuthorization {
    /// The one-time state.
    pub state: State,
    /// The PKCE verifier for the token request.
    pub verifier: CodeVerifier,
    /// The nonce, when the scope contains `openid`.
    pub nonce: Option<Nonce>,
    /// The issuer the request was sent to (RFC 9700 §4.4.2: compared on return).
    pub issuer: String,
    /// The exact redirect URI sent in the request.
    pub redirect_uri: String,
    /// The scope requested.
    pub scope: String,
    /// Where the app goes after login, already checked by `check_return_to`.
    pub return_to: Option<String>,
    /// When the request was made, in seconds since the epoch.
    pub created_at: u64,
}

impl PendingAuthorization {
    /// The storage key for a pending request with this state.
    pub fn storage_key(state: &str) -> String {
        let mut key = String::from(KEY_PREFIX);
        key.push_str("pending:");
        key.push_str(state);
        key
    }

    /// A compact form-encoded text for sessionStorage.
    ///
    /// # Security Warning
    /// It contains the state, nonce and PKCE verifier: these are bound to this tab's
    /// sessionStorage on purpose (RFC 6749 §10.12) and removed on first use.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        push_pair(&mut out, "s", self.state.expose());
        push_pair(&mut out, "v", self.verifier.expose());
        if let Some(nonce) = &self.nonce {
            push_pair(&mut out, "n", nonce.expose());
        }
        push_pair(&mut out, "i", &self.issuer);
        push_pair(&mut out, "r", &self.redirect_uri);
        push_pair(&mut out, "c", &self.scope);
        if let Some(return_to) = &self.return_to {
            push_pair(&mut out, "t", return_to);
        }
        push_pair(&mut out, "a", &u64_to_string(self.created_at));
        out
    }

    /// Reads what [`PendingAuthorization::encode`] wrote. Anything else (tampered or from
    /// another version) is refused as [`Code::StateMismatch`]: it cannot be trusted to
    /// describe our request.
    pub fn decode(text: &str) -> Result<Self> {
        let pairs = parse_unique_pairs(text).map_err(|_| Code::StateMismatch)?;
        let get = |name: &str| find_pair(&pairs, name).map(String::from);
        let required = |name: &str| get(name).ok_or(Code::StateMismatch);
        let created_at = parse_u64(&required("a")?).ok_or(Code::StateMismatch)?;
        Ok(PendingAuthorization {
            state: State::new(required("s")?),
            verifier: CodeVerifier::parse(&required("v")?).map_err(|_| Code::StateMismatch)?,
            nonce: get("n").map(Nonce::new),
            issuer: required("i")?,
            redirect_uri: required("r")?,
            scope: required("c")?,
            return_to: get("t"),
            created_at,
        })
    }

    /// True when the request is older than `max_age` seconds at `now`, or claims to be
    /// from the future (a clock that went backwards is not trusted either way).
    pub fn is_expired(&self, now: u64, max_age: u64) -> bool {
        now < self.created_at || now - self.created_at > max_age
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn sample(created_at: u64) -> PendingAuthorization {
        PendingAuthorization {
            state: State::new("st&te=1".into()),
            verifier: CodeVerifier::parse("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").unwrap(),
            nonce: Some(Nonce::new("n0nce".into())),
            issuer: "https://as.example".into(),
            redirect_uri: "https://app.example/cb?x=1".into(),
            scope: "openid profile".into(),
            return_to: Some("/inbox?a=b&c=d".into()),
            created_at,
        }
    }

    #[test]
    fn encode_decode_round_trip() {
        let text = sample(1_700_000_000).encode();
        let back = PendingAuthorization::decode(&text).unwrap();
        assert_eq!(back.state.expose(), "st&te=1");
        assert_eq!(
            back.verifier.expose(),
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
        );
        assert_eq!(back.nonce.unwrap().expose(), "n0nce");
        assert_eq!(back.redirect_uri, "https://app.example/cb?x=1");
        assert_eq!(back.return_to.as_deref(), Some("/inbox?a=b&c=d"));
        assert_eq!(back.created_at, 1_700_000_000);
    }

    #[test]
    fn tampered_records_are_refused() {
        let text = sample(5).encode();
        for bad in [
            text.replace("a=5", "a=x"),
            text.replace("v=", "v=%2B"),
            String::new(),
        ] {
            assert_eq!(
                PendingAuthorization::decode(&bad).unwrap_err().code,
                Code::StateMismatch,
                "{bad}"
            );
        }
    }

    /// specs §3: a pending request has a time limit.
    #[test]
    fn expiry_respects_the_time_limit_and_refuses_the_future() {
        let p = sample(1000);
        assert!(!p.is_expired(1000, 600));
        assert!(!p.is_expired(1600, 600));
        assert!(p.is_expired(1601, 600));
        assert!(p.is_expired(999, 600));
    }

    #[test]
    fn classify_reads_issuer_and_creation_time_like_decode() {
        let text = sample(1_700_000_000).encode();
        let full = PendingAuthorization::decode(&text).unwrap();
        assert_eq!(classify(&text, &full.issuer), Stored::Ours(full.created_at));
        assert_eq!(
            classify(&text, "https://other.example"),
            Stored::OtherIssuer
        );
        // The issuer is compared decoded, as decode would.
        let mut odd = sample(5);
        odd.issuer = "https://as.example/a b&c".into();
        assert_eq!(
            classify(&odd.encode(), "https://as.example/a b&c"),
            Stored::Ours(5)
        );
    }

    #[test]
    fn classify_refuses_what_encode_never_writes() {
        let text = sample(7).encode();
        for bad in [
            String::new(),
            "garbage".into(),
            text.replace("&a=7", ""),
            text.replace("a=7", "a=x7"),
            text.replace("a=7", "a="),
            std::format!("{text}&a=8"),
            std::format!("{text}&i=https%3A%2F%2Fas.example"),
            text.replace("i=https%3A%2F%2Fas.example", "i=%ZZ"),
            text.replace("i=https%3A%2F%2Fas.example&", ""),
        ] {
            assert_eq!(
                classify(&bad, "https://as.example"),
                Stored::Unreadable,
                "{bad}"
            );
        }
    }

    #[test]
    fn storage_keys_share_the_prefix() {
        assert_eq!(
            PendingAuthorization::storage_key("abc"),
            "browser-oauth:pending:abc"
        );
    }
}
