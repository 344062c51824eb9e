//! Randomness from `crypto.getRandomValues`, through getrandom. No fallback: if the browser
//! cannot give secure randomness, the call fails with `random_unavailable`.

use crate::core::error::{Code, Result};

/// Fills `buf` from the browser's CSPRNG.
pub fn fill(buf: &mut [u8]) -> Result<()> {
    getrandom::fill(buf).map_err(|_| Code::RandomUnavailable.into())
}
