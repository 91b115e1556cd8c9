//! `by_members`: in proportion to each operating cluster's members at the start of the year.

use rand_chacha::ChaCha8Rng;

use super::{AllocationRule, ClusterView};

/// Proportional to members (an equal split if every eligible cluster is empty).
pub struct ByMembers;

impl AllocationRule for ByMembers {
    fn weights(
        &self,
        clusters: &[ClusterView],
        eligible: &[usize],
        _: i64,
        _: &mut ChaCha8Rng,
    ) -> Vec<f64> {
        eligible
            .iter()
            .map(|&c| clusters[c].members as f64)
            .collect()
    }
}
