//! Bounded storage of pending requests, for OAuth 2 ([`super::pending`]) and OAuth 1.0a
//! ([`super::oauth1::flow`]) alike: which stored records to drop so that however often a
//! login starts, storage holds only the newest few, none of them expired.

use alloc::string::String;
use alloc::vec::Vec;

/// The most pending requests of one client kept at once (logins started in this tab and not
/// yet back): each new login prunes the expired ones, then drops the oldest beyond this.
pub const MAX_PENDING: usize = 8;

/// Which stored pending requests to remove, given each one's key and `created_at` (`None`
/// when the record cannot be read): every expired or unreadable one (older than `max_age`
/// at `now`, or from the future), then the oldest until at most `keep` remain (issue 11
/// item 13: storage stays bounded however often a login starts).
pub fn to_prune(
    records: Vec<(String, Option<u64>)>,
    now: u64,
    max_age: u64,
    keep: usize,
) -> Vec<String> {
    let mut out = Vec::new();
    let mut live = Vec::new();
    for (key, created) in records {
        match created {
            Some(at) if now >= at && now - at <= max_age => live.push((key, at)),
            _ => out.push(key),
        }
    }
    // Oldest first out: each round takes the record with the smallest `created_at` off the
    // end after swapping it there (no panicking `swap_remove`).
    while live.len() > keep {
        let mut oldest = 0;
        let mut oldest_at = u64::MAX;
        for (i, (_, at)) in live.iter().enumerate() {
            if *at < oldest_at {
                (oldest, oldest_at) = (i, *at);
            }
        }
        let last = live.len() - 1;
        live.swap(oldest, last);
        match live.pop() {
            Some((key, _)) => out.push(key),
            None => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::string::ToString;

    use super::*;

    /// Issue 11 item 13: expired and unreadable records go, then the oldest beyond the cap.
    #[test]
    fn pruning_drops_expired_unreadable_then_oldest_records() {
        let records = |list: &[(&str, Option<u64>)]| {
            list.iter()
                .map(|(k, at)| (String::from(*k), *at))
                .collect::<Vec<_>>()
        };
        let mut gone = to_prune(
            records(&[
                ("old", Some(100)),
                ("future", Some(2_000)),
                ("bad", None),
                ("a", Some(950)),
                ("b", Some(990)),
                ("c", Some(900)),
            ]),
            1_000,
            600,
            2,
        );
        gone.sort();
        assert_eq!(gone, ["bad", "c", "future", "old"]);
        assert!(to_prune(records(&[("a", Some(950))]), 1_000, 600, 8).is_empty());
        let many: Vec<_> = (0..100u64)
            .map(|i| (i.to_string(), Some(900 + i)))
            .collect();
        let gone = to_prune(many, 1_000, 600, MAX_PENDING - 1);
        assert_eq!(gone.len(), 100 - (MAX_PENDING - 1));
        assert!(
            gone.iter().all(|k| k.parse::<u64>().unwrap() < 93),
            "the newest stay"
        );
    }
}
