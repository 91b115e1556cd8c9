//! `by_potential`: in proportion to the cluster potential of each operating cluster's sector
//! (allocation by need).

use rand_chacha::ChaCha8Rng;

use super::{AllocationRule, ClusterView};

/// Proportional to sector potential (an equal split if every potential is zero).
pub struct ByPotential;

impl AllocationRule for ByPotential {
    fn weights(
        &self,
        clusters: &[ClusterView],
        eligible: &[usize],
        _: i64,
        _: &mut ChaCha8Rng,
    ) -> Vec<f64> {
        eligible.iter().map(|&c| clusters[c].potential).collect()
    }
}
