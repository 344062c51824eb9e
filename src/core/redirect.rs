//! Redirect URI policy (specs §2, §6): where the provider may send the browser back to, how
//! a callback URL is matched against it, and where the app may go after login.

use alloc::borrow::ToOwned;
use alloc::string::String;

use super::error::{Code, Result};
use super::url::{Url, form_decode};

/// A redirect URI that passed the policy: https, or http on loopback for development, and
/// no fragment (RFC 6749 §3.1.2). Keeps the exact string given, which is what the request
/// sends and what the provider compares against its registration.
#[derive(Clone, Debug, PartialEq)]
pub struct RedirectUri(String);

impl RedirectUri {
    /// Checks `text` against the policy. Used for `redirectUri` and `postLogoutRedirectUri`.
    pub fn parse(text: &str) -> Result<Self> {
        let url = Url::parse(text).ok_or(Code::InsecureRedirectUri)?;
        if !url.is_secure_or_loopback() || url.fragment.is_some() {
            return Err(Code::InsecureRedirectUri.into());
        }
        Ok(RedirectUri(text.into()))
    }

    /// The URI exactly as configured.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True when `callback` (the page's `location.href`) is this redirect URI: same scheme,
    /// host and port (ASCII case-insensitive for scheme and host, default ports filled in,
    /// since the browser normalises both) and exactly the same path. Query and fragment are
    /// where the response parameters travel, so they are not compared.
    pub fn matches_callback(&self, callback: &str) -> bool {
        let (Some(expected), Some(actual)) = (Url::parse(&self.0), Url::parse(callback)) else {
            return false;
        };
        let path = |p: &str| if p.is_empty() { "/" } else { p }.to_owned();
        expected.scheme.eq_ignore_ascii_case(actual.scheme)
            && expected.host.eq_ignore_ascii_case(actual.host)
            && expected.port() == actual.port()
            && path(expected.path) == path(actual.path)
    }
}

/// Checks a `returnTo` target: only a same-origin path is accepted, so login can never be
/// turned into an open redirector (RFC 9700 §4.11, specs §2). The text is percent-decoded
/// up to three times before checking, so encoded variants of a bad target are refused too.
/// Returns the target unchanged.
pub fn check_return_to(target: &str) -> Result<&str> {
    let mut decoded = target.to_owned();
    for _ in 0..3 {
        if !is_safe_path(&decoded) {
            return Err(Code::UnsafeReturnTo.into());
        }
        match form_decode(&decoded.replace('+', "%2B")) {
            Some(next) if next != decoded => decoded = next,
            Some(_) => return Ok(target),
            None => return Err(Code::UnsafeReturnTo.into()),
        }
    }
    Err(Code::UnsafeReturnTo.into())
}

/// A path that every browser resolves against the current origin: starts with exactly one
/// `/`, and has no backslash (browsers read `/\host` as `//host`), no whitespace and no
/// control characters (browsers strip tabs and newlines, turning `/\t/host` into `//host`).
fn is_safe_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && !path.bytes().any(|b| b == b'\\' || b <= b' ' || b == 0x7f)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// specs §2, §6: https or loopback http, no fragment.
    #[test]
    fn redirect_uri_policy() {
        for good in [
            "https://app.example/callback",
            "https://app.example/callback?tenant=1",
            "http://127.0.0.1:8080/callback.html",
            "http://[::1]:3000/cb",
            "http://localhost:5173/",
        ] {
            assert!(RedirectUri::parse(good).is_ok(), "{good} refused");
        }
        for bad in [
            "http://app.example/callback",
            "https://app.example/callback#x",
            "https://app.example/callback#",
            "javascript:alert(1)",
            "/callback",
            "https://user@app.example/cb",
            "custom://app/cb",
        ] {
            assert_eq!(
                RedirectUri::parse(bad).unwrap_err().code,
                Code::InsecureRedirectUri,
                "{bad}"
            );
        }
    }

    /// specs §2: the callback must be the exact redirect URI (scheme, host, port, path).
    #[test]
    fn callback_must_match_scheme_host_port_and_path() {
        let uri = RedirectUri::parse("https://app.example/callback").unwrap();
        assert!(uri.matches_callback("https://app.example/callback?code=x&state=y"));
        assert!(uri.matches_callback("https://APP.example:443/callback#code=x"));
        assert!(!uri.matches_callback("http://app.example/callback?code=x"));
        assert!(!uri.matches_callback("https://app.example:8443/callback?code=x"));
        assert!(!uri.matches_callback("https://evil.example/callback?code=x"));
        assert!(!uri.matches_callback("https://app.example/callback/?code=x"));
        assert!(!uri.matches_callback("https://app.example/Callback?code=x"));
        assert!(!uri.matches_callback("https://app.example/callback.html?code=x"));
        assert!(!uri.matches_callback("not a url"));
    }

    /// specs §2 / RFC 9700 §4.11: returnTo is never an open redirector.
    #[test]
    fn return_to_accepts_only_same_origin_paths() {
        for good in [
            "/",
            "/inbox",
            "/a/b?x=1&y=%2F#top",
            "/search?q=a+b",
            "/%7Euser",
        ] {
            assert_eq!(check_return_to(good).unwrap(), good);
        }
        for bad in [
            "//evil.example",
            "//evil.example/path",
            "/\\evil.example",
            "\\\\evil.example",
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "https://evil.example/",
            "http://evil.example",
            "evil.example",
            "",
            "%2F%2Fevil.example",
            "/%2Fevil.example",
            "/%5Cevil.example",
            "/%252Fevil.example",
            "%2F%252Fevil.example",
            "/%09/evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "javascript%3Aalert(1)",
            "/%E0%A4%A",
        ] {
            assert_eq!(
                check_return_to(bad).unwrap_err().code,
                Code::UnsafeReturnTo,
                "{bad:?} accepted"
            );
        }
    }
}
