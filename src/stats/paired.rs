//! Statistics of several policies simulated on the same runs: per-run ranks with ties, regret,
//! and paired differences with a confidence interval.
//!
//! Every function takes one run's values, one per policy, already oriented so that **larger is
//! better** (see [`oriented`]); an undefined value (NaN) counts as the worst possible.

use super::Moments;

/// Two-sided 95% standard normal quantile, z₀.₉₇₅.
pub const Z_95: f64 = 1.959_963_984_540_054;

/// Whether a larger or a smaller value of an outcome is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Better {
    /// More is better (networked SMEs, links, …).
    Higher,
    /// Less is better (cost per additional networked SME).
    Lower,
}

impl Better {
    /// `higher` or `lower`, as written in `comparison.csv`.
    pub fn label(self) -> &'static str {
        match self {
            Better::Higher => "higher",
            Better::Lower => "lower",
        }
    }
}

/// `value` oriented so that larger is better; NaN (undefined) becomes −∞, the worst.
pub fn oriented(value: f64, better: Better) -> f64 {
    if value.is_nan() {
        f64::NEG_INFINITY
    } else {
        match better {
            Better::Higher => value,
            Better::Lower => -value,
        }
    }
}

/// Adds one run's rank weights to `weights[policy][rank]` (rank 0 is the best).
///
/// Ties share their ranks: a group of k policies with equal values occupying ranks r … r+k−1
/// adds 1/k to each of those ranks for each of its members. Each policy's weights thus sum to one
/// per run and so do each rank's, so over n runs `weights[p][0] / n` is policy p's probability of
/// being best with ties split evenly.
pub fn add_rank_weights(keys: &[f64], weights: &mut [Vec<f64>]) {
    let mut order: Vec<usize> = (0..keys.len()).collect();
    // Descending by key; the policy index breaks nothing (tied groups are handled below) but
    // keeps the order deterministic.
    order.sort_by(|&a, &b| keys[b].total_cmp(&keys[a]).then(a.cmp(&b)));
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && keys[order[end]] == keys[order[start]] {
            end += 1;
        }
        let share = 1.0 / (end - start) as f64;
        for &policy in &order[start..end] {
            for weight in &mut weights[policy][start..end] {
                *weight += share;
            }
        }
        start = end;
    }
}

/// Each policy's regret in one run: the best defined value minus its own, in the outcome's units
/// (never negative). Undefined (NaN) for a policy whose value is undefined, and for every policy
/// when no value is defined. `keys` are oriented values.
pub fn regrets(keys: &[f64]) -> Vec<f64> {
    let best = keys
        .iter()
        .copied()
        .filter(|k| k.is_finite())
        .fold(f64::NEG_INFINITY, f64::max);
    keys.iter()
        .map(|&key| {
            if key.is_finite() && best.is_finite() {
                best - key
            } else {
                f64::NAN
            }
        })
        .collect()
}

/// A paired difference summarised: mean, standard error and a normal-approximation 95%
/// confidence interval, mean ± z₀.₉₇₅ · SE (the runs are independent and, for the run counts
/// used, the mean of the differences is close to normal by the central limit theorem).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairedDifference {
    /// Runs where both values are defined.
    pub n: u64,
    /// Mean difference (policy − baseline).
    pub mean: f64,
    /// Standard error of the mean difference.
    pub standard_error: f64,
    /// Lower end of the 95% confidence interval.
    pub low: f64,
    /// Upper end of the 95% confidence interval.
    pub high: f64,
}

impl PairedDifference {
    /// From the moments of the per-run differences.
    pub fn from_moments(moments: &Moments) -> Self {
        let mean = moments.mean();
        let standard_error = moments.standard_error();
        Self {
            n: moments.count(),
            mean,
            standard_error,
            low: mean - Z_95 * standard_error,
            high: mean + Z_95 * standard_error,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranks(keys: &[f64]) -> Vec<Vec<f64>> {
        let mut weights = vec![vec![0.0; keys.len()]; keys.len()];
        add_rank_weights(keys, &mut weights);
        weights
    }

    #[test]
    fn distinct_values_rank_in_order() {
        assert_eq!(
            ranks(&[2.0, 5.0, 1.0]),
            vec![
                vec![0.0, 1.0, 0.0],
                vec![1.0, 0.0, 0.0],
                vec![0.0, 0.0, 1.0]
            ]
        );
    }

    #[test]
    fn ties_share_their_ranks_and_undefined_is_last() {
        let weights = ranks(&[3.0, 3.0, f64::NEG_INFINITY, 4.0]);
        assert_eq!(weights[3], vec![1.0, 0.0, 0.0, 0.0]);
        assert_eq!(weights[0], vec![0.0, 0.5, 0.5, 0.0]);
        assert_eq!(weights[1], vec![0.0, 0.5, 0.5, 0.0]);
        assert_eq!(weights[2], vec![0.0, 0.0, 0.0, 1.0]);
        // Doubly stochastic: every rank's weights sum to one too.
        for rank in 0..4 {
            let total: f64 = weights.iter().map(|w| w[rank]).sum();
            assert_eq!(total, 1.0);
        }
    }

    #[test]
    fn a_policy_tied_with_itself_is_best_half_the_time() {
        assert_eq!(ranks(&[7.0, 7.0]), vec![vec![0.5, 0.5], vec![0.5, 0.5]]);
    }

    #[test]
    fn orientation_makes_lower_costs_better() {
        assert!(oriented(100.0, Better::Lower) > oriented(200.0, Better::Lower));
        assert!(oriented(f64::NAN, Better::Lower) < oriented(1e300, Better::Lower));
        assert_eq!(oriented(3.0, Better::Higher), 3.0);
    }

    #[test]
    fn regret_is_the_shortfall_from_the_best_defined_value() {
        let keys = [oriented(10.0, Better::Higher), 14.0, f64::NEG_INFINITY];
        let regret = regrets(&keys);
        assert_eq!(regret[0], 4.0);
        assert_eq!(regret[1], 0.0);
        assert!(regret[2].is_nan());
        // Costs: 120 vs 100 → regret 20 LTL for the dearer one.
        let costs = [
            oriented(120.0, Better::Lower),
            oriented(100.0, Better::Lower),
        ];
        assert_eq!(regrets(&costs), vec![20.0, 0.0]);
        assert!(regrets(&[f64::NEG_INFINITY]).iter().all(|r| r.is_nan()));
    }

    #[test]
    fn paired_difference_interval_is_mean_plus_minus_z_se() {
        let mut moments = Moments::new();
        for x in [1.0, 2.0, 3.0, 4.0] {
            moments.push(x);
        }
        let difference = PairedDifference::from_moments(&moments);
        // sd of 1..4 = sqrt(5/3); se = sd / 2.
        let se = (5.0f64 / 3.0).sqrt() / 2.0;
        assert_eq!(difference.n, 4);
        assert!((difference.mean - 2.5).abs() < 1e-12);
        assert!((difference.standard_error - se).abs() < 1e-12);
        assert!((difference.low - (2.5 - Z_95 * se)).abs() < 1e-12);
        assert!((difference.high - (2.5 + Z_95 * se)).abs() < 1e-12);
    }
}
