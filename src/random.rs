#![allow(
    clippy::disallowed_methods,
    reason = "reads the operating system's random number generator"
)]
//! Random bytes from the operating system: the one place quickscale reads
//! them. The modules that decide take the bytes from their caller (`init`
//! and `upgrade` give `env_file` the bytes its secrets are made of), so that
//! under test they are given fixed bytes and give fixed results.

use crate::error::{Error, Result};

/// `N` bytes from the OS random number generator.
pub fn bytes<const N: usize>() -> Result<[u8; N]> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| {
        Error::new(format!(
            "the operating system's random number generator failed: {e}; try again"
        ))
    })?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    #[test]
    fn two_draws_differ() {
        let first: [u8; 32] = super::bytes().unwrap();
        let second: [u8; 32] = super::bytes().unwrap();
        assert_ne!(first, second);
    }
}
