//! Random streams: one per (master seed, purpose, index) and run, never per thread.
//!
//! A stream is `ChaCha8Rng::seed_from_u64(key)` with `set_stream(run)`, where
//! `key = splitmix64(seed XOR splitmix64(purpose · 2^32 + index))`. Each purpose (parameter draws,
//! each cluster's network events, policy draws) has its own streams, so one policy's extra draws
//! never shift another purpose's numbers: the basis for common random numbers across policies.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// What a stream is used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Drawing uncertain parameter number `index` of the run.
    Parameter = 1,
    /// Network events of cluster number `index` (initial ties, formation, joins, ties, exits).
    Network = 2,
    /// Random draws of the allocation policy (`index` 0).
    Policy = 3,
    /// The Iman–Conover score permutations of one block of runs (`index` 0; the stream number
    /// is the block number, not a run index).
    Correlation = 4,
    /// The formation process of sector number `index` (how many initiatives form each quarter).
    Formation = 5,
    /// ABC-SMC proposals of `clustersim calibrate`: `index` is the generation and the stream
    /// number the attempt within it (which particle is perturbed, and how).
    Calibration = 7,
}

/// SplitMix64 finaliser (Steele, Lea & Flood 2014): a bijective mix of 64 bits.
pub fn splitmix64(value: u64) -> u64 {
    let mut z = value.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The stream for `purpose` number `index` in run `run` under master seed `seed`.
pub fn stream(seed: u64, purpose: Purpose, index: u64, run: u64) -> ChaCha8Rng {
    let key = splitmix64(seed ^ splitmix64(((purpose as u64) << 32) | (index & 0xFFFF_FFFF)));
    let mut rng = ChaCha8Rng::seed_from_u64(key);
    rng.set_stream(run);
    rng
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn streams_differ_by_every_key_part_and_repeat_exactly() {
        let first = |seed, purpose, index, run| stream(seed, purpose, index, run).next_u64();
        let base = first(7, Purpose::Network, 3, 11);
        assert_eq!(base, first(7, Purpose::Network, 3, 11));
        assert_ne!(base, first(8, Purpose::Network, 3, 11));
        assert_ne!(base, first(7, Purpose::Policy, 3, 11));
        assert_ne!(base, first(7, Purpose::Network, 4, 11));
        assert_ne!(base, first(7, Purpose::Network, 3, 12));
    }
}
