//! Running until the headline means are precise enough (`--until-se REL`): after every batch of
//! [`PRECISION_BATCH_RUNS`] runs, in run order, the relative standard error of each headline mean
//! is checked; the runs stop at the first batch boundary where every one is at most the target,
//! or at the run limit.
//!
//! The check sees the runs in run-index order only (never thread timing), so the number of runs
//! — and with it every output — depends only on the scenario, the seed and the target; the result
//! is exactly that of a plain run with the final run count.

use serde::{Deserialize, Serialize};

use super::outcomes::HEADLINE_OUTCOMES;
use crate::stats::Moments;

/// Runs between two precision checks (the first check comes after this many runs).
pub const PRECISION_BATCH_RUNS: u64 = 256;

/// Default `--max-runs` for `--until-se`.
pub const DEFAULT_MAX_RUNS: u64 = 100_000;

/// What `--until-se` asks for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PrecisionTarget {
    /// Largest relative standard error (standard error / |mean|) accepted for every headline mean.
    pub relative_se: f64,
    /// Most runs to do when the target is not reached.
    pub max_runs: u64,
}

/// The relative standard error of a mean: `se / |mean|`; 0 when the standard error is 0 (an
/// outcome that does not vary is known exactly), infinite when the mean is 0 but the outcome
/// varies, or when fewer than 2 runs define it.
pub fn relative_standard_error(moments: &Moments) -> f64 {
    if moments.count() < 2 {
        return f64::INFINITY;
    }
    let se = moments.standard_error();
    if se == 0.0 {
        0.0
    } else if moments.mean() == 0.0 {
        f64::INFINITY
    } else {
        se / moments.mean().abs()
    }
}

/// Follows the headline outcomes run by run and says when the target is met.
#[derive(Debug, Clone)]
pub struct PrecisionTracker {
    target: PrecisionTarget,
    moments: Vec<Moments>,
    runs: u64,
    reached: bool,
}

impl PrecisionTracker {
    /// A tracker for `outcomes` headline outcomes per run (the headline outcomes of one policy,
    /// or of every policy compared, side by side).
    pub fn new(target: PrecisionTarget, outcomes: usize) -> Self {
        Self {
            target,
            moments: vec![Moments::new(); outcomes],
            runs: 0,
            reached: false,
        }
    }

    /// Folds in the next run's headline values (undefined, non-finite values are skipped) and
    /// returns true when this run completes a batch at which the target is met: the runs should
    /// stop here.
    pub fn push(&mut self, headline: &[f64]) -> bool {
        for (moments, value) in self.moments.iter_mut().zip(headline) {
            if value.is_finite() {
                moments.push(*value);
            }
        }
        self.runs += 1;
        if self.runs % PRECISION_BATCH_RUNS == 0 && self.worst().1 <= self.target.relative_se {
            self.reached = true;
        }
        self.reached
    }

    /// Whether the target has been met.
    pub fn reached(&self) -> bool {
        self.reached
    }

    /// Runs folded in.
    pub fn runs(&self) -> u64 {
        self.runs
    }

    /// The outcome with the largest relative standard error (index, value), over outcomes that
    /// some run defines; (0, 0) when none is defined.
    pub fn worst(&self) -> (usize, f64) {
        self.moments
            .iter()
            .enumerate()
            .filter(|(_, moments)| moments.count() > 0)
            .map(|(index, moments)| (index, relative_standard_error(moments)))
            .fold(
                (0, 0.0),
                |worst, current| {
                    if current.1 > worst.1 { current } else { worst }
                },
            )
    }

    /// What the manifest records; `names[i]` names outcome i.
    pub fn report(&self, names: &[String]) -> PrecisionReport {
        let (worst, worst_value) = self.worst();
        PrecisionReport {
            target_relative_se: self.target.relative_se,
            max_runs: self.target.max_runs,
            batch_runs: PRECISION_BATCH_RUNS,
            reached: self.reached,
            runs: self.runs,
            largest_relative_se: finite_or_none(worst_value),
            largest_outcome: names.get(worst).cloned().unwrap_or_default(),
            relative_se: names
                .iter()
                .zip(&self.moments)
                .map(|(name, moments)| OutcomePrecision {
                    outcome: name.clone(),
                    mean: (moments.count() > 0).then(|| moments.mean()),
                    relative_se: if moments.count() > 0 {
                        finite_or_none(relative_standard_error(moments))
                    } else {
                        None
                    },
                })
                .collect(),
        }
    }
}

fn finite_or_none(value: f64) -> Option<f64> {
    value.is_finite().then_some(value)
}

/// The names of the headline outcomes a tracker follows: the plain names for one policy, or
/// `policy:outcome` for each of several.
pub fn tracked_names(policies: &[String]) -> Vec<String> {
    if policies.len() <= 1 {
        HEADLINE_OUTCOMES.iter().map(|s| s.to_string()).collect()
    } else {
        policies
            .iter()
            .flat_map(|policy| {
                HEADLINE_OUTCOMES
                    .iter()
                    .map(move |outcome| format!("{policy}:{outcome}"))
            })
            .collect()
    }
}

/// The precision reached, as written to `manifest.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrecisionReport {
    /// `--until-se`.
    pub target_relative_se: f64,
    /// `--max-runs`.
    pub max_runs: u64,
    /// Runs between checks.
    pub batch_runs: u64,
    /// Whether every headline mean reached the target (false: stopped at `max_runs`).
    pub reached: bool,
    /// Runs done.
    pub runs: u64,
    /// The largest relative standard error among the headline means (absent if infinite).
    pub largest_relative_se: Option<f64>,
    /// The outcome it belongs to.
    pub largest_outcome: String,
    /// Every headline outcome's mean and relative standard error (absent where undefined).
    pub relative_se: Vec<OutcomePrecision>,
}

/// One outcome's precision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutcomePrecision {
    /// Outcome name (`policy:outcome` in a comparison).
    pub outcome: String,
    /// Mean over the runs that define it.
    pub mean: Option<f64>,
    /// Standard error / |mean|.
    pub relative_se: Option<f64>,
}

impl PrecisionReport {
    /// One line for the printed summary.
    pub fn summary_line(&self) -> String {
        let largest = match self.largest_relative_se {
            Some(value) => format!("{value:.4}"),
            None => "undefined (a mean of 0 with varying runs)".into(),
        };
        if self.reached {
            format!(
                "Precision: every headline mean has a relative standard error of at most {} after {} runs (largest {largest}, {}).\n",
                self.target_relative_se, self.runs, self.largest_outcome
            )
        } else {
            format!(
                "Precision: target relative standard error {} NOT reached within {} runs (largest {largest}, {}); raise --max-runs or relax --until-se.\n",
                self.target_relative_se, self.runs, self.largest_outcome
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_standard_error_cases() {
        let mut constant = Moments::new();
        (0..10).for_each(|_| constant.push(5.0));
        assert_eq!(relative_standard_error(&constant), 0.0);
        let mut centred = Moments::new();
        [-1.0, 1.0].iter().for_each(|x| centred.push(*x));
        assert_eq!(relative_standard_error(&centred), f64::INFINITY);
        // 1, 2, 3: mean 2, sd 1, se 1/√3.
        let mut small = Moments::new();
        [1.0, 2.0, 3.0].iter().for_each(|x| small.push(*x));
        assert!((relative_standard_error(&small) - 1.0 / (2.0 * 3f64.sqrt())).abs() < 1e-15);
    }

    #[test]
    fn stops_only_at_a_batch_boundary_where_every_outcome_is_precise() {
        let target = PrecisionTarget {
            relative_se: 0.01,
            max_runs: 10_000,
        };
        let mut tracker = PrecisionTracker::new(target, 2);
        // Outcome 0 alternates 9, 11 (relative se ≈ 0.1/√n, below 0.01 from n = 100 on);
        // outcome 1 alternates 0.5, 1.5 (relative se ≈ 0.5/√n: below 0.01 only from n = 2500).
        let mut stopped = None;
        for run in 0..10_000u64 {
            let wobble = if run % 2 == 0 { -1.0 } else { 1.0 };
            if tracker.push(&[10.0 + wobble, 1.0 + 0.5 * wobble]) {
                stopped = Some(run + 1);
                break;
            }
        }
        // The first multiple of 256 at or above 2500 (where 0.5·√(n/(n−1))/√n ≤ 0.01) is 2560.
        assert_eq!(stopped, Some(2560));
        let report = tracker.report(&["a".into(), "b".into()]);
        assert!(report.reached);
        assert_eq!(report.largest_outcome, "b");
        assert!(report.largest_relative_se.unwrap() <= 0.01);
    }
}
