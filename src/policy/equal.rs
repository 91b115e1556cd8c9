//! `equal`: every operating cluster gets the same amount.

use rand_chacha::ChaCha8Rng;

use super::{AllocationRule, ClusterView};

/// Equal split.
pub struct Equal;

impl AllocationRule for Equal {
    fn weights(
        &self,
        _: &[ClusterView],
        eligible: &[usize],
        _: i64,
        _: &mut ChaCha8Rng,
    ) -> Vec<f64> {
        vec![1.0; eligible.len()]
    }
}
