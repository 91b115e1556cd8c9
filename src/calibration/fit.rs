//! How well the calibrated model fits each target: prior and posterior predictive mean and 90%
//! interval, whether the observation lies inside, and — for a misfit — the closest simulated
//! value (docs/CALIBRATION.md "Reading the fit").

use super::targets::Target;

/// The predictive summary of one target.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetFit {
    /// Prior predictive mean, 5th and 95th percentiles.
    pub prior: Interval,
    /// Posterior predictive mean, 5th and 95th percentiles.
    pub posterior: Interval,
    /// Whether the observation (or bound, or any of the interval) lies within the posterior
    /// predictive 90% interval.
    pub inside: bool,
    /// Not inside: the model, as calibrated, does not reach the observation.
    pub misfit: bool,
    /// The posterior predictive draw with the smallest deviation from the observation (NaN if
    /// every draw was undefined).
    pub closest: f64,
}

/// A weighted mean and 90% interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    /// Weighted mean.
    pub mean: f64,
    /// Weighted 5th percentile.
    pub p05: f64,
    /// Weighted 95th percentile.
    pub p95: f64,
}

/// The weighted mean and 5th/95th percentiles of `values` (undefined values left out and the
/// remaining weights renormalised). The weighted p-quantile is the smallest value whose
/// cumulative weight reaches p.
pub fn weighted_interval(values: &[f64], weights: &[f64]) -> Interval {
    let mut pairs: Vec<(f64, f64)> = values
        .iter()
        .zip(weights)
        .filter(|(value, _)| value.is_finite())
        .map(|(value, weight)| (*value, *weight))
        .collect();
    let total: f64 = pairs.iter().map(|(_, weight)| weight).sum();
    if pairs.is_empty() || total.is_nan() || total <= 0.0 {
        return Interval {
            mean: f64::NAN,
            p05: f64::NAN,
            p95: f64::NAN,
        };
    }
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mean = pairs
        .iter()
        .map(|(value, weight)| value * weight)
        .sum::<f64>()
        / total;
    Interval {
        mean,
        p05: weighted_quantile(&pairs, total, 0.05),
        p95: weighted_quantile(&pairs, total, 0.95),
    }
}

fn weighted_quantile(sorted: &[(f64, f64)], total: f64, p: f64) -> f64 {
    let mut cumulative = 0.0;
    for (value, weight) in sorted {
        cumulative += weight;
        if cumulative >= p * total {
            return *value;
        }
    }
    sorted.last().map_or(f64::NAN, |(value, _)| *value)
}

/// The fit of every target. `prior` holds one vector of target values per prior draw (equal
/// weights); `posterior` one per posterior predictive draw with its weight.
pub fn fit_targets(
    targets: &[Target],
    prior: &[Vec<f64>],
    posterior: &[Vec<f64>],
    posterior_weights: &[f64],
) -> Vec<TargetFit> {
    let equal = vec![1.0; prior.len()];
    targets
        .iter()
        .enumerate()
        .map(|(index, target)| {
            let prior_values: Vec<f64> = prior.iter().map(|values| values[index]).collect();
            let posterior_values: Vec<f64> = posterior.iter().map(|values| values[index]).collect();
            let prior = weighted_interval(&prior_values, &equal);
            let posterior = weighted_interval(&posterior_values, posterior_weights);
            let inside = posterior.p05.is_finite() && target.inside(posterior.p05, posterior.p95);
            let closest = posterior_values
                .iter()
                .filter(|value| value.is_finite())
                .fold((f64::INFINITY, f64::NAN), |best, value| {
                    let deviation = target.deviation(*value).abs();
                    let gap = (value - target.observed).abs();
                    // Smallest deviation, then nearest to the observation itself.
                    let key = deviation + gap * f64::EPSILON;
                    if key < best.0 { (key, *value) } else { best }
                })
                .1;
            TargetFit {
                prior,
                posterior,
                inside,
                misfit: !inside,
                closest,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calibration::targets::Uncertainty;

    fn target(observed: f64, uncertainty: Uncertainty) -> Target {
        Target {
            name: "t".into(),
            quantity: "operating_clusters".into(),
            cluster: None,
            date: 2010.0,
            quarter: 0,
            slot: 0,
            observed,
            uncertainty,
            source: "test".into(),
            description: "test".into(),
        }
    }

    /// Values 1..=100 with equal weights: mean 50.5, 5th percentile 5, 95th 95 (the smallest
    /// value whose cumulative share reaches p). Doubling the weight of the top half moves the
    /// mean to (Σ₁⁵⁰ i + 2 Σ₅₁¹⁰⁰ i) / 150 = (1275 + 7550) / 150.
    #[test]
    fn weighted_intervals_match_hand_computed_values() {
        let values: Vec<f64> = (1..=100).map(f64::from).collect();
        let equal = weighted_interval(&values, &[1.0; 100]);
        assert_eq!((equal.mean, equal.p05, equal.p95), (50.5, 5.0, 95.0));
        let weights: Vec<f64> = (1..=100).map(|i| if i > 50 { 2.0 } else { 1.0 }).collect();
        let tilted = weighted_interval(&values, &weights);
        assert!((tilted.mean - 8825.0 / 150.0).abs() < 1e-12);
        let with_nan = weighted_interval(&[f64::NAN, 2.0], &[0.5, 0.5]);
        assert_eq!(with_nan.mean, 2.0);
    }

    /// An observation of 100 where every posterior draw lies in 1..=10 is a misfit, and the
    /// closest draw is 10; an observation of 5 is inside.
    #[test]
    fn an_unreached_observation_is_a_misfit_with_the_closest_value() {
        let draws: Vec<Vec<f64>> = (1..=10).map(|i| vec![f64::from(i)]).collect();
        let weights = vec![0.1; 10];
        let far = fit_targets(
            &[target(100.0, Uncertainty::Sd(5.0))],
            &draws,
            &draws,
            &weights,
        );
        assert!(far[0].misfit && !far[0].inside);
        assert_eq!(far[0].closest, 10.0);
        let near = fit_targets(
            &[target(5.0, Uncertainty::Sd(5.0))],
            &draws,
            &draws,
            &weights,
        );
        assert!(near[0].inside && !near[0].misfit);
        // A lower bound of 8 is reached by the upper part of the predictive interval.
        let bound = fit_targets(
            &[target(8.0, Uncertainty::AtLeast(1.0))],
            &draws,
            &draws,
            &weights,
        );
        assert!(bound[0].inside);
        let above = fit_targets(
            &[target(30.0, Uncertainty::AtLeast(1.0))],
            &draws,
            &draws,
            &weights,
        );
        assert!(above[0].misfit);
        assert_eq!(above[0].closest, 10.0);
    }
}
