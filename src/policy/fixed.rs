//! `fixed`: shares set by the analyst, renormalised over the clusters operating in the year.

use rand_chacha::ChaCha8Rng;

use super::{AllocationRule, ClusterView};

/// Analyst-set shares by cluster index (an equal split if no operating cluster has a share).
pub struct Fixed {
    /// Share per cluster index.
    pub shares: Vec<f64>,
}

impl AllocationRule for Fixed {
    fn weights(
        &self,
        _: &[ClusterView],
        eligible: &[usize],
        _: i64,
        _: &mut ChaCha8Rng,
    ) -> Vec<f64> {
        eligible
            .iter()
            .map(|&c| self.shares.get(c).copied().unwrap_or(0.0))
            .collect()
    }
}
