//! The signature base string, RFC 5849 §3.4.1 (specs §14.2).
//!
//! `METHOD & enc(base string URI) & enc(normalized parameters)`, where the parameters come
//! from the query, from a form body, and from the `oauth_*` protocol parameters that go into
//! the `Authorization` header. `realm` and `oauth_signature` never enter the list: this
//! module is only ever given the protocol parameters that are signed.

use alloc::string::String;
use alloc::vec::Vec;

use super::encode::{encode, push_encoded};
use crate::core::decimal::{parse_u64, u64_to_string};
use crate::core::error::{Code, Result};

/// A request URL taken apart for signing (§3.4.1.2).
#[derive(Debug)]
pub(super) struct ParsedUrl<'a> {
    /// Whether the scheme is `https`.
    pub(super) https: bool,
    /// Whether the host is a loopback host: `127.0.0.1`, `[::1]` or `localhost`.
    pub(super) loopback: bool,
    /// The base string URI: lowercase scheme and host, non-default port, path as sent.
    pub(super) base_uri: String,
    /// The raw query, without `?` and fragment; empty when there is none.
    pub(super) query: &'a str,
}

impl ParsedUrl<'_> {
    /// Whether requests to this URL are protected in transit: https, or plain http to a
    /// loopback host, which never leaves the machine (the same development exception as the
    /// OAuth 2 redirect URI policy, specs §2). RFC 5849 Appendix A asks for TLS (specs §14.3).
    pub(super) fn is_secure_or_loopback(&self) -> bool {
        self.https || self.loopback
    }
}

/// Takes an absolute `http`/`https` URL apart into the §3.4.1.2 base string URI and its query.
///
/// specs §14.2: lowercase scheme and host; the port only when it is not the default (80 for
/// http, 443 for https); no query, no fragment; the path as sent (`/` when empty). Userinfo,
/// an empty host, a host with spaces, controls or non-ASCII (browsers send IDNs as punycode),
/// a malformed port and any other scheme are refused.
pub(super) fn parse_url(url: &str) -> Result<ParsedUrl<'_>> {
    let invalid = || Code::InvalidSigningRequest;
    // A char pattern and `strip_prefix`, not `split_once("://")`: the substring searcher
    // costs about 2 KB of wasm. Same outcome, as the scheme itself has no ':'.
    let (scheme, rest) = url.split_once(':').ok_or_else(invalid)?;
    let rest = rest.strip_prefix("//").ok_or_else(invalid)?;
    let https = if scheme.eq_ignore_ascii_case("https") {
        true
    } else if scheme.eq_ignore_ascii_case("http") {
        false
    } else {
        return Err(invalid().into());
    };
    let rest = rest.split_once('#').map_or(rest, |(before, _)| before);
    let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (authority, path) = match rest.find('/') {
        Some(slash) => rest.split_at_checked(slash).ok_or_else(invalid)?,
        None => (rest, "/"),
    };
    let (host, port) = split_port(authority).ok_or_else(invalid)?;
    if host.is_empty()
        || !host
            .bytes()
            .all(|byte| byte.is_ascii_graphic() && byte != b'@')
    {
        return Err(invalid().into());
    }
    let mut base_uri = String::with_capacity(url.len());
    base_uri.push_str(if https { "https://" } else { "http://" });
    base_uri.push_str(&host.to_ascii_lowercase());
    if let Some(port) = port.filter(|&port| port != if https { 443 } else { 80 }) {
        base_uri.push(':');
        base_uri.push_str(&u64_to_string(u64::from(port)));
    }
    base_uri.push_str(path);
    let loopback = host == "127.0.0.1" || host == "[::1]" || host.eq_ignore_ascii_case("localhost");
    Ok(ParsedUrl {
        https,
        loopback,
        base_uri,
        query,
    })
}

/// §3.4.1.3.2: encodes every name and value (§3.6), sorts by encoded name and then encoded
/// value in ascending byte order, and joins `name=value` pairs with `&` (the `=` stays for an
/// empty value).
pub(super) fn normalize<'a>(pairs: impl IntoIterator<Item = (&'a [u8], &'a [u8])>) -> String {
    let mut encoded: Vec<(String, String)> = pairs
        .into_iter()
        .map(|(name, value)| (encode(name), encode(value)))
        .collect();
    // Tuples of `String` order by name, then value, both bytewise: exactly §3.4.1.3.2.
    heapsort(&mut encoded);
    let mut out = String::new();
    for (index, (name, value)) in encoded.iter().enumerate() {
        if index > 0 {
            out.push('&');
        }
        out.push_str(name);
        out.push('=');
        out.push_str(value);
    }
    out
}

/// §3.4.1.1: the method (already uppercase), the base string URI and the normalized
/// parameters, each §3.6-encoded and joined with `&`.
pub(super) fn base_string(method: &str, base_uri: &str, normalized: &str) -> String {
    let mut out = String::new();
    push_encoded(&mut out, method.as_bytes());
    out.push('&');
    push_encoded(&mut out, base_uri.as_bytes());
    out.push('&');
    push_encoded(&mut out, normalized.as_bytes());
    out
}

/// Whether any of the decoded `pairs` is named `oauth_*`. specs §14.1 (§2): endpoint queries
/// must not carry such parameters; §14.2 (§3.5): ours all travel in the header.
pub(super) fn carries_protocol_parameters(pairs: &[(Vec<u8>, Vec<u8>)]) -> bool {
    pairs.iter().any(|(name, _)| name.starts_with(b"oauth_"))
}

/// Sorts `items` in place, in O(n log n) time and no extra memory. A plain heapsort, because
/// `sort_unstable` adds about 3 KB of wasm for this single call site.
fn heapsort<T: Ord>(items: &mut [T]) {
    for root in (0..items.len() / 2).rev() {
        sift_down(items, root);
    }
    for end in (1..items.len()).rev() {
        items.swap(0, end);
        sift_down(&mut items[..end], 0);
    }
}

/// Moves `items[root]` down until it is no smaller than its children (a max-heap).
fn sift_down<T: Ord>(items: &mut [T], mut root: usize) {
    loop {
        let mut child = 2 * root + 1;
        if child >= items.len() {
            return;
        }
        if child + 1 < items.len() && items[child] < items[child + 1] {
            child += 1;
        }
        if items[root] >= items[child] {
            return;
        }
        items.swap(root, child);
        root = child;
    }
}

/// Splits `host[:port]` or `[v6]:port`. An empty port (`host:`) is the default port.
/// `None` when the port is not a decimal number up to 65535 or the brackets are unbalanced.
fn split_port(authority: &str) -> Option<(&str, Option<u16>)> {
    let (host, port) = match authority.strip_prefix('[') {
        Some(v6) => {
            let close = v6.find(']')?;
            let (host, after) = authority.split_at_checked(close + 2)?;
            match after {
                "" => (host, ""),
                _ => (host, after.strip_prefix(':')?),
            }
        }
        None => authority.split_once(':').unwrap_or((authority, "")),
    };
    if port.is_empty() {
        return Some((host, None));
    }
    let port = parse_u64(port)?;
    Some((host, Some(u16::try_from(port).ok()?)))
}
