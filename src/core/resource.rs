//! Calls to the app's resource servers with the access token (`client.fetch`, RFC 6750).
//!
//! The token goes only to origins on the configured allowlist, compared exactly with the
//! browser's serialisation of the request URL's origin, and a 401 is retried once after a
//! refresh only when the server says the token itself is bad (`error="invalid_token"`,
//! RFC 6750 §3.1): any other 401 is the app's to handle.

/// True when `origin` (as `URL.origin` serialises it) is on `allowed`.
pub fn origin_allowed(allowed: &[alloc::string::String], origin: &str) -> bool {
    allowed.iter().any(|a| a == origin)
}

/// True when a `WWW-Authenticate` header carries a Bearer challenge with
/// `error="invalid_token"` (quoted or not, RFC 6750 §3): the token expired or was revoked,
/// so one refresh and one retry may help.
pub fn is_invalid_token(www_authenticate: &str) -> bool {
    // On bytes, ASCII only and without allocating: this runs in wasm, where every byte ships
    // (Unicode-aware trimming alone pulls in a table).
    let header = www_authenticate.trim_start_matches(' ').as_bytes();
    header.len() >= 6
        && header[..6].eq_ignore_ascii_case(b"bearer")
        && header.split(|&b| b == b',' || b == b' ').any(|param| {
            param.len() > 6
                && param[..6].eq_ignore_ascii_case(b"error=")
                && matches!(&param[6..], b"invalid_token" | b"\"invalid_token\"")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 4 item 6: the token never goes to another origin; comparison is exact.
    #[test]
    fn only_allowlisted_origins_get_the_token() {
        let allowed = ["https://api.example".into(), "http://127.0.0.1:8080".into()];
        assert!(origin_allowed(&allowed, "https://api.example"));
        assert!(origin_allowed(&allowed, "http://127.0.0.1:8080"));
        for other in [
            "https://api.example.evil",
            "https://evil.example",
            "http://api.example",
            "http://127.0.0.1:8081",
            "null",
            "",
        ] {
            assert!(!origin_allowed(&allowed, other), "{other}");
        }
    }

    /// RFC 6750 §3.1: only invalid_token triggers the refresh and retry.
    #[test]
    fn retries_only_on_invalid_token() {
        assert!(is_invalid_token(
            r#"Bearer realm="api", error="invalid_token", error_description="expired""#
        ));
        assert!(is_invalid_token("Bearer error=invalid_token"));
        assert!(is_invalid_token(r#"bearer error="invalid_token""#));
        for no in [
            r#"Bearer realm="api""#,
            r#"Bearer error="insufficient_scope""#,
            r#"Basic realm="x", error="invalid_token""#,
            r#"Bearer error_description="invalid_token""#,
            "",
        ] {
            assert!(!is_invalid_token(no), "{no}");
        }
    }
}
