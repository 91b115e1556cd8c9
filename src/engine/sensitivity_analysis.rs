//! From the design outputs to the answer: per outcome and input, Sobol' indices with intervals,
//! Morris μ* and σ, and the tornado's low and high means; and the warnings an analyst needs when
//! the sample is too small for the intervals to mean anything.

use rayon::prelude::*;

use super::sensitivity::{AnalysedOutcome, DesignOutputs, SensitivityPlan};
use crate::model::streams::splitmix64;
use crate::stats::sensitivity::{ElementaryEffects, Estimate, sobol_indices};

/// The label of the model's own randomness (the random-stream factor) among the inputs.
pub const STREAM_INPUT: &str = "(model randomness)";
/// Bootstrap resamples for the Sobol' intervals.
pub const BOOTSTRAP_RESAMPLES: usize = 500;
/// An index whose estimate is below zero and whose interval reaches below this is negative
/// beyond rounding: the sample is too small.
pub const NEGATIVE_LIMIT: f64 = -0.05;
/// A total-index interval wider than this cannot rank inputs: the sample is too small.
pub const WIDE_INTERVAL: f64 = 0.3;

/// What is known about one input's influence on one outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct InputSensitivity {
    /// Input label (slot label, or [`STREAM_INPUT`]).
    pub input: String,
    /// First-order Sobol' index.
    pub first: Option<Estimate>,
    /// Total Sobol' index.
    pub total: Option<Estimate>,
    /// Morris elementary effects (None for the stream).
    pub morris: Option<ElementaryEffects>,
    /// Tornado: mean outcome with the input at its 10th and 90th percentile (None for the
    /// stream).
    pub tornado: Option<(f64, f64)>,
}

/// One outcome's sensitivity to every input.
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeSensitivity {
    /// The outcome.
    pub outcome: AnalysedOutcome,
    /// Mean outcome with every input at its median (the tornado's centre).
    pub base: f64,
    /// Inputs in slot order, then the stream.
    pub inputs: Vec<InputSensitivity>,
    /// Why there are no Sobol' indices (e.g. the outcome does not vary), if there are none.
    pub note: Option<String>,
}

/// The whole analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct SensitivityAnalysis {
    /// Per outcome, in the plan's order.
    pub outcomes: Vec<OutcomeSensitivity>,
    /// Warnings about the sample (too small, negative indices), for the console and report.
    pub warnings: Vec<String>,
}

/// Analyses `outputs` of `plan`'s designs; bootstrap resamples of outcome o come from a stream
/// keyed by (`seed`, o), and outcomes are analysed in parallel on `threads` workers and
/// collected in order, so the result does not depend on the thread count.
pub fn analyse(
    plan: &SensitivityPlan,
    outputs: &DesignOutputs,
    seed: u64,
    threads: usize,
) -> anyhow::Result<SensitivityAnalysis> {
    let labels: Vec<String> = plan
        .input_labels()
        .into_iter()
        .chain([STREAM_INPUT.to_string()])
        .collect();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()?;
    let outcomes: Vec<OutcomeSensitivity> = pool.install(|| {
        plan.outcomes
            .par_iter()
            .enumerate()
            .map(|(index, outcome)| {
                let bootstrap_seed = splitmix64(seed ^ splitmix64(0xB007_0000 + index as u64));
                let sobol = sobol_indices(
                    &plan.saltelli,
                    &outputs.saltelli[index],
                    BOOTSTRAP_RESAMPLES,
                    bootstrap_seed,
                );
                let morris = plan.morris.effects(&outputs.morris[index]);
                let tornado = &outputs.tornado[index];
                let (note, first, total) = match sobol {
                    Ok(indices) => (None, Some(indices.first), Some(indices.total)),
                    Err(error) => (Some(error.to_string()), None, None),
                };
                let inputs = labels
                    .iter()
                    .enumerate()
                    .map(|(factor, label)| {
                        let is_input = factor < plan.inputs.len();
                        InputSensitivity {
                            input: label.clone(),
                            first: first.as_ref().map(|f| f[factor]),
                            total: total.as_ref().map(|t| t[factor]),
                            morris: is_input.then(|| morris[factor]),
                            tornado: (is_input && plan.replications > 0)
                                .then(|| (tornado[1 + 2 * factor], tornado[2 + 2 * factor])),
                        }
                    })
                    .collect();
                OutcomeSensitivity {
                    outcome: outcome.clone(),
                    base: tornado[0],
                    inputs,
                    note,
                }
            })
            .collect()
    });
    let warnings = warnings(&outcomes, plan.saltelli.samples());
    Ok(SensitivityAnalysis { outcomes, warnings })
}

/// Warnings when intervals include clearly negative indices or are too wide to rank inputs.
fn warnings(outcomes: &[OutcomeSensitivity], samples: usize) -> Vec<String> {
    let mut negative = 0;
    let mut wide = 0;
    for outcome in outcomes {
        for input in &outcome.inputs {
            for estimate in [input.first, input.total].into_iter().flatten() {
                if estimate.value < 0.0 && estimate.low < NEGATIVE_LIMIT {
                    negative += 1;
                }
            }
            if let Some(total) = input.total
                && total.high - total.low > WIDE_INTERVAL
            {
                wide += 1;
            }
        }
    }
    let mut warnings = Vec::new();
    if negative > 0 {
        warnings.push(format!(
            "{negative} Sobol' indices are negative with intervals reaching below {NEGATIVE_LIMIT}: an index cannot be negative, so the sample of {samples} rows is too small for them; rerun with --samples {} or more before reading small indices",
            samples * 4
        ));
    }
    if wide > 0 {
        warnings.push(format!(
            "{wide} total-index intervals are wider than {WIDE_INTERVAL}: the sample of {samples} rows cannot rank those inputs; rerun with --samples {} or more",
            samples * 4
        ));
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn estimate(value: f64, low: f64, high: f64) -> Estimate {
        Estimate {
            value,
            low,
            high,
            standard_error: 0.0,
        }
    }

    fn outcome(first: Estimate, total: Estimate) -> OutcomeSensitivity {
        OutcomeSensitivity {
            outcome: AnalysedOutcome {
                outcome: "links",
                policy: "equal".into(),
            },
            base: 0.0,
            inputs: vec![InputSensitivity {
                input: "model.tie_rate".into(),
                first: Some(first),
                total: Some(total),
                morris: None,
                tornado: None,
            }],
            note: None,
        }
    }

    #[test]
    fn precise_positive_indices_give_no_warning() {
        let outcomes = [outcome(
            estimate(0.3, 0.25, 0.35),
            estimate(0.4, 0.35, 0.45),
        )];
        assert!(warnings(&outcomes, 1024).is_empty());
    }

    #[test]
    fn negative_and_wide_intervals_are_warned_about() {
        let outcomes = [outcome(estimate(-0.2, -0.4, 0.1), estimate(0.3, 0.0, 0.6))];
        let warnings = warnings(&outcomes, 64);
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings[0].contains("negative") && warnings[0].contains("--samples 256"));
        assert!(warnings[1].contains("wider"));
    }
}
