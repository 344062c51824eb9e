//! Just enough URL handling for the protocol, with no `url` crate in the shipped module:
//! splitting absolute URLs into their parts and `application/x-www-form-urlencoded`
//! (RFC 6749 Appendix B) encoding and decoding.

use alloc::string::String;
use alloc::vec::Vec;

use super::decimal::parse_u64;
use super::error::{Code, Result};

/// The parts of an absolute `scheme://host[:port]/path?query#fragment` URL, borrowed from
/// the original text. No normalisation except that [`Url::port`] fills in the default port.
#[derive(Debug, PartialEq)]
pub struct Url<'a> {
    /// The scheme as written (compare with `eq_ignore_ascii_case`).
    pub scheme: &'a str,
    /// The host as written; IPv6 hosts keep their brackets.
    pub host: &'a str,
    /// The explicit port, if any.
    pub explicit_port: Option<u16>,
    /// The path, possibly empty.
    pub path: &'a str,
    /// The query without `?`, if a `?` was present.
    pub query: Option<&'a str>,
    /// The fragment without `#`, if a `#` was present.
    pub fragment: Option<&'a str>,
}

impl<'a> Url<'a> {
    /// Splits an absolute hierarchical URL. Refuses user info (`user@host`), empty hosts,
    /// bad ports, and any whitespace, control character or backslash anywhere, since
    /// browsers silently rewrite those.
    pub fn parse(text: &'a str) -> Option<Self> {
        if text.bytes().any(|b| b <= b' ' || b == b'\\' || b == 0x7f) {
            return None;
        }
        // A char pattern, not "://": a substring searcher costs 2 KB of wasm.
        let (scheme, rest) = text.split_once(':')?;
        let rest = rest.strip_prefix("//")?;
        let mut scheme_chars = scheme.bytes();
        if !scheme_chars.next()?.is_ascii_alphabetic()
            || !scheme_chars.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
        {
            return None;
        }
        let (rest, fragment) = split_off(rest, '#');
        let (rest, query) = split_off(rest, '?');
        let (authority, path) = rest
            .find('/')
            .and_then(|i| rest.split_at_checked(i))
            .unwrap_or((rest, ""));
        if authority.contains('@') {
            return None;
        }
        let (host, port_text) = if authority.starts_with('[') {
            let close = authority.find(']')?;
            let (host, after) = authority.split_at_checked(close + 1)?;
            (
                host,
                if after.is_empty() {
                    None
                } else {
                    Some(after.strip_prefix(':')?)
                },
            )
        } else {
            match authority.split_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (authority, None),
            }
        };
        if host.is_empty() || host.contains(':') && !host.starts_with('[') {
            return None;
        }
        let explicit_port = match port_text {
            Some(p) if p.len() <= 5 => Some(u16::try_from(parse_u64(p)?).ok()?),
            Some(_) => return None,
            None => None,
        };
        Some(Url {
            scheme,
            host,
            explicit_port,
            path,
            query,
            fragment,
        })
    }

    /// The port, with 443 for https and 80 for http when none is written.
    pub fn port(&self) -> Option<u16> {
        self.explicit_port.or_else(|| {
            if self.scheme.eq_ignore_ascii_case("https") {
                Some(443)
            } else if self.scheme.eq_ignore_ascii_case("http") {
                Some(80)
            } else {
                None
            }
        })
    }

    /// True for http and https URLs that are https, or http on a loopback host
    /// (127.0.0.1, [::1], localhost): the transport policy of specs §2 and §9.
    pub fn is_secure_or_loopback(&self) -> bool {
        self.scheme.eq_ignore_ascii_case("https")
            || (self.scheme.eq_ignore_ascii_case("http") && is_loopback(self.host))
    }
}

/// The loopback hosts allowed with plain http, for development.
fn is_loopback(host: &str) -> bool {
    host == "127.0.0.1" || host == "[::1]" || host.eq_ignore_ascii_case("localhost")
}

fn split_off(text: &str, at: char) -> (&str, Option<&str>) {
    match text.split_once(at) {
        Some((head, tail)) => (head, Some(tail)),
        None => (text, None),
    }
}

/// `url` without the query parameters whose (form-decoded) name `drop` selects: the other
/// parameters keep their order and their text, and the fragment stays. Used to take an
/// authorization response out of the address bar (specs §2).
pub fn without_query_params(url: &str, drop: impl Fn(&str) -> bool) -> String {
    let (rest, fragment) = url
        .split_once('#')
        .map_or((url, None), |(a, b)| (a, Some(b)));
    let (base, query) = rest.split_once('?').unwrap_or((rest, ""));
    let kept = query.split('&').filter(|part| {
        let name = part.split_once('=').map_or(*part, |(name, _)| name);
        !part.is_empty() && !form_decode(name).is_some_and(|name| drop(&name))
    });
    let mut out = String::from(base);
    // Pushed one by one: `join` carries a panic path (and a `Vec`).
    for (i, part) in kept.enumerate() {
        out.push(if i == 0 { '?' } else { '&' });
        out.push_str(part);
    }
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

/// Appends `name=value` to a form-encoded string, with `&` between pairs.
pub fn push_pair(out: &mut String, name: &str, value: &str) {
    if !out.is_empty() {
        out.push('&');
    }
    form_encode_into(out, name);
    out.push('=');
    form_encode_into(out, value);
}

/// `application/x-www-form-urlencoded` encoding: space as `+`, `*-._` and alphanumerics
/// kept, everything else as `%XX` of its UTF-8 bytes.
pub fn form_encode_into(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in text.bytes() {
        match b {
            b' ' => out.push('+'),
            b'*' | b'-' | b'.' | b'_' => out.push(char::from(b)),
            _ if b.is_ascii_alphanumeric() => out.push(char::from(b)),
            _ => {
                out.push('%');
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 15)]));
            }
        }
    }
}

/// Decodes one form-encoded component (`+` is space). `None` on a bad escape or bad UTF-8.
pub fn form_decode(text: &str) -> Option<String> {
    let digit = |d: Option<u8>| char::from(d?).to_digit(16);
    let mut bytes = text.bytes();
    let mut out = Vec::with_capacity(text.len());
    while let Some(b) = bytes.next() {
        out.push(match b {
            b'+' => b' ',
            b'%' => (digit(bytes.next())? * 16 + digit(bytes.next())?) as u8,
            b => b,
        });
    }
    String::from_utf8(out).ok()
}

/// Decodes a whole form-encoded string into pairs, refusing any name that appears twice
/// (RFC 6749 §3.1: "parameters MUST NOT be included more than once"), and more than
/// [`MAX_PAIRS`] pairs with [`Code::InvalidCallback`] before decoding any of them.
///
/// Linear in the length of `text`: the pairs are counted first (one pass), so the
/// duplicate check compares at most `MAX_PAIRS` names, each comparison stopping at the
/// first differing byte, which bounds the work by `MAX_PAIRS` passes over the text.
pub fn parse_unique_pairs(text: &str) -> Result<Vec<(String, String)>> {
    let parts = || text.split('&').filter(|p| !p.is_empty());
    if parts().nth(MAX_PAIRS).is_some() {
        return Err(Code::InvalidCallback.into());
    }
    let mut pairs: Vec<(String, String)> = Vec::new();
    for part in parts() {
        let (name, value) = part.split_once('=').unwrap_or((part, ""));
        let name = form_decode(name).ok_or(Code::InvalidCallback)?;
        let value = form_decode(value).ok_or(Code::InvalidCallback)?;
        if pairs.iter().any(|(n, _)| *n == name) {
            return Err(Code::DuplicateParameter.into());
        }
        pairs.push((name, value));
    }
    Ok(pairs)
}

/// The most parameters a callback (or a stored record) may carry: an authorization response
/// has a handful, so anything beyond this is refused unread (issue 11 item 1).
pub const MAX_PAIRS: usize = 64;

/// The value of the parameter `name` among `pairs` (as [`parse_unique_pairs`] returns them,
/// so there is at most one). The one lookup for callbacks and stored records.
pub fn find_pair<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_an_absolute_url() {
        let url = Url::parse("https://App.Example:8443/cb/x?a=1&b=2#frag").unwrap();
        assert_eq!(url.scheme, "https");
        assert_eq!(url.host, "App.Example");
        assert_eq!(url.port(), Some(8443));
        assert_eq!(url.path, "/cb/x");
        assert_eq!(url.query, Some("a=1&b=2"));
        assert_eq!(url.fragment, Some("frag"));
        let ipv6 = Url::parse("http://[::1]:8080").unwrap();
        assert_eq!(
            (ipv6.host, ipv6.port(), ipv6.path),
            ("[::1]", Some(8080), "")
        );
        assert_eq!(Url::parse("https://a.example").unwrap().port(), Some(443));
    }

    #[test]
    fn refuses_urls_browsers_would_rewrite_or_that_hide_a_host() {
        for bad in [
            "https://user@evil.example/",
            "https://good.example\\@evil.example/",
            "https:// good.example/",
            "https://good.example/\tx",
            "https://:443/",
            "https://a.example:99999/",
            "https://a.example:/",
            "https://a.example:8a/",
            "//a.example/",
            "1http://a.example/",
            "https://[::1/",
            "https://a:b:c/",
        ] {
            assert_eq!(Url::parse(bad), None, "{bad:?} accepted");
        }
    }

    #[test]
    fn loopback_http_is_allowed_other_http_is_not() {
        let secure = |s| Url::parse(s).unwrap().is_secure_or_loopback();
        assert!(secure("https://app.example/cb"));
        assert!(secure("http://127.0.0.1:8080/cb"));
        assert!(secure("http://[::1]/cb"));
        assert!(secure("http://LOCALHOST/cb"));
        assert!(!secure("http://app.example/cb"));
        assert!(!secure("http://127.0.0.2/cb"));
        assert!(!secure("http://localhost.evil.example/cb"));
        assert!(!secure("ftp://127.0.0.1/cb"));
    }

    #[test]
    fn form_encoding_round_trips_and_uses_plus_for_space() {
        let mut out = String::new();
        push_pair(&mut out, "redirect_uri", "https://a.example/cb?x=1 2");
        push_pair(&mut out, "scope", "openid profile");
        assert_eq!(
            out,
            "redirect_uri=https%3A%2F%2Fa.example%2Fcb%3Fx%3D1+2&scope=openid+profile"
        );
        let pairs = parse_unique_pairs(&out).unwrap();
        assert_eq!(pairs[0].1, "https://a.example/cb?x=1 2");
        assert_eq!(pairs[1].1, "openid profile");
        assert_eq!(form_decode("%C3%A9%E2%98%83").unwrap(), "é☃");
        assert_eq!(form_decode("%zz"), None);
        assert_eq!(form_decode("%C3"), None, "bad UTF-8");
    }

    /// specs §2: "MUST NOT send any request or response parameter more than once".
    #[test]
    fn repeated_names_are_refused_even_when_encoded_differently() {
        assert_eq!(
            parse_unique_pairs("state=a&state=b").unwrap_err().code,
            Code::DuplicateParameter
        );
        assert_eq!(
            parse_unique_pairs("st%61te=a&state=a").unwrap_err().code,
            Code::DuplicateParameter
        );
        assert_eq!(parse_unique_pairs("a=1&&b=").unwrap().len(), 2);
    }

    /// Issue 11 item 1: 40,000 names used to take seconds (every name compared with every
    /// earlier one); more than `MAX_PAIRS` pairs are refused before any is decoded.
    #[test]
    fn more_than_64_pairs_are_refused_before_decoding() {
        let names = |n: usize| {
            (0..n)
                .map(|i| format!("p{i}="))
                .collect::<Vec<_>>()
                .join("&")
        };
        assert_eq!(parse_unique_pairs(&names(MAX_PAIRS)).unwrap().len(), 64);
        assert_eq!(
            parse_unique_pairs(&names(MAX_PAIRS + 1)).unwrap_err().code,
            Code::InvalidCallback
        );
        // A bad escape after the limit is never reached: the count comes first.
        let many = format!("{}&%zz", names(40_000));
        assert_eq!(
            parse_unique_pairs(&many).unwrap_err().code,
            Code::InvalidCallback
        );
        // Empty parts do not count (and cost one pass).
        let empties = format!("a=1{}", "&".repeat(1 << 20));
        assert_eq!(parse_unique_pairs(&empties).unwrap().len(), 1);
    }
}
