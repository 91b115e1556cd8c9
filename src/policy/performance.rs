//! `performance`: performance-based tranches — a base share split equally plus a share by last
//! year's member growth.

use rand_chacha::ChaCha8Rng;

use super::{AllocationRule, ClusterView};

/// Base share equally, the rest in proportion to max(0, last year's growth in members). If no
/// cluster grew (always so in the first funding year), the growth part is split equally too.
pub struct Performance {
    /// Share split equally, in [0, 1].
    pub base_share: f64,
}

impl AllocationRule for Performance {
    fn weights(
        &self,
        clusters: &[ClusterView],
        eligible: &[usize],
        _: i64,
        _: &mut ChaCha8Rng,
    ) -> Vec<f64> {
        let count = eligible.len() as f64;
        let growth: Vec<f64> = eligible
            .iter()
            .map(|&c| clusters[c].last_year_growth.max(0.0))
            .collect();
        let total_growth: f64 = growth.iter().sum();
        growth
            .iter()
            .map(|g| {
                let by_growth = if total_growth > 0.0 {
                    g / total_growth
                } else {
                    1.0 / count
                };
                self.base_share / count + (1.0 - self.base_share) * by_growth
            })
            .collect()
    }
}
