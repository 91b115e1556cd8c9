//! Folding the runs of a policy comparison: every policy's headline outcomes per run (for exact
//! quantiles and paired differences), rank weights and regret per run, and the networked SMEs per
//! quarter (levels and paired differences to the baseline, streaming).

use super::RunRecord;
use super::outcomes::{CLUSTER_OUTCOMES, HEADLINE_OUTCOMES, TOTAL_OUTCOMES};
use crate::scenario::Scenario;
use crate::stats::paired::{Better, PairedDifference, add_rank_weights, oriented, regrets};
use crate::stats::{Accumulator, Moments, Summary, summarize_exact};

/// The outcomes compared, at the horizon, and which direction is better.
pub const COMPARED_OUTCOMES: [(&str, Better); 7] = [
    ("networked_smes", Better::Higher),
    ("additional_networked_smes", Better::Higher),
    ("links", Better::Higher),
    ("clusters_formed", Better::Higher),
    ("joint_projects", Better::Higher),
    ("cost_per_additional_networked_sme_ltl", Better::Lower),
    ("added_value_per_ltl_spent", Better::Higher),
];

/// The outcome compared per period (the first compared outcome).
pub const PERIOD_OUTCOME: &str = "networked_smes";

/// Where each compared outcome sits in a run record's headline values.
pub fn compared_headline_indices() -> Vec<usize> {
    COMPARED_OUTCOMES
        .iter()
        .filter_map(|(name, _)| HEADLINE_OUTCOMES.iter().position(|h| h == name))
        .collect()
}

/// One policy and outcome of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeComparison {
    /// Policy name.
    pub policy: String,
    /// Whether this policy is the baseline.
    pub baseline: bool,
    /// Outcome name.
    pub outcome: &'static str,
    /// Which direction is better.
    pub better: Better,
    /// The policy's outcome over the runs where it is defined.
    pub summary: Summary,
    /// Policy minus baseline, over the runs where both are defined.
    pub difference: PairedDifference,
    /// Share of runs where the policy is strictly better than the baseline (an undefined value
    /// is worse than any defined one).
    pub p_beats_baseline: f64,
    /// Share of runs where the policy is best, ties split evenly.
    pub p_best: f64,
    /// Regret (shortfall from the run's best policy, in the outcome's units) over the runs where
    /// the policy's value is defined.
    pub regret: Summary,
    /// Share of runs at each rank (index 0 = best), ties split evenly.
    pub ranks: Vec<f64>,
}

/// One cell of the pairwise difference matrix: `policy` minus `versus` on one outcome, paired by
/// run over the runs where both are defined.
#[derive(Debug, Clone, PartialEq)]
pub struct PairComparison {
    /// Outcome name.
    pub outcome: &'static str,
    /// The row policy.
    pub policy: String,
    /// The column policy.
    pub versus: String,
    /// `policy` minus `versus`.
    pub difference: PairedDifference,
}

/// One period and policy of the per-period comparison of [`PERIOD_OUTCOME`].
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodComparison {
    /// Quarter index.
    pub quarter: usize,
    /// Policy name.
    pub policy: String,
    /// The policy's level (mean; quartiles from the streaming sketch).
    pub level: Summary,
    /// Policy minus baseline.
    pub difference: PairedDifference,
}

/// Everything aggregated over the runs of a comparison so far.
#[derive(Debug, Clone)]
pub struct ComparisonAggregates {
    /// Policy names, in order.
    pub names: Vec<String>,
    /// Index of the baseline policy.
    pub baseline: usize,
    /// Runs folded in.
    pub runs: u64,
    /// Series slot of the period outcome in a run record.
    period_slot: usize,
    /// Series slots per quarter.
    width: usize,
    /// Index of each compared outcome in [`HEADLINE_OUTCOMES`].
    headline_index: Vec<usize>,
    /// `values[outcome][policy]`: per-run values, in run order.
    values: Vec<Vec<Vec<f64>>>,
    /// `regret[outcome][policy]`: per-run regret, in run order.
    regret: Vec<Vec<Vec<f64>>>,
    /// `rank_weights[outcome][policy][rank]`.
    rank_weights: Vec<Vec<Vec<f64>>>,
    /// `beats[outcome][policy]`: runs strictly better than the baseline.
    beats: Vec<Vec<u64>>,
    /// `period_levels[quarter · policies + policy]`.
    period_levels: Vec<Accumulator>,
    /// `period_differences[quarter · policies + policy]`.
    period_differences: Vec<Moments>,
}

impl ComparisonAggregates {
    /// Empty aggregates for `names` on `scenario`, with `baseline` the index of the baseline.
    pub fn new(scenario: &Scenario, names: Vec<String>, baseline: usize) -> Self {
        let policies = names.len();
        let outcomes = COMPARED_OUTCOMES.len();
        let quarters = scenario.budget.quarters();
        let total_index = TOTAL_OUTCOMES
            .iter()
            .position(|name| *name == PERIOD_OUTCOME)
            .unwrap_or(0);
        Self {
            baseline,
            runs: 0,
            period_slot: scenario.clusters.len() * CLUSTER_OUTCOMES.len() + total_index,
            width: super::outcomes::slots_per_quarter(scenario.clusters.len()),
            headline_index: compared_headline_indices(),
            values: vec![vec![Vec::new(); policies]; outcomes],
            regret: vec![vec![Vec::new(); policies]; outcomes],
            rank_weights: vec![vec![vec![0.0; policies]; policies]; outcomes],
            beats: vec![vec![0; policies]; outcomes],
            period_levels: vec![Accumulator::new(); quarters * policies],
            period_differences: vec![Moments::new(); quarters * policies],
            names,
        }
    }

    /// Folds one run in: `records[p]` is policy p's record of the same run.
    pub fn push(&mut self, records: &[RunRecord]) {
        self.runs += 1;
        let policies = self.names.len();
        for (outcome, (_, better)) in COMPARED_OUTCOMES.iter().enumerate() {
            let values: Vec<f64> = records
                .iter()
                .map(|record| record.headline[self.headline_index[outcome]])
                .collect();
            let keys: Vec<f64> = values.iter().map(|v| oriented(*v, *better)).collect();
            add_rank_weights(&keys, &mut self.rank_weights[outcome]);
            for (policy, regret) in regrets(&keys).into_iter().enumerate() {
                self.regret[outcome][policy].push(regret);
            }
            for (policy, value) in values.iter().enumerate() {
                self.values[outcome][policy].push(*value);
                if keys[policy] > keys[self.baseline] {
                    self.beats[outcome][policy] += 1;
                }
            }
        }
        let quarters = self.period_levels.len() / policies.max(1);
        for quarter in 0..quarters {
            let at = quarter * self.width + self.period_slot;
            let baseline = records[self.baseline].series[at];
            for (policy, record) in records.iter().enumerate() {
                let value = record.series[at];
                self.period_levels[quarter * policies + policy].push(value);
                self.period_differences[quarter * policies + policy].push(value - baseline);
            }
        }
    }

    /// The comparison table: for each policy (in order), each compared outcome.
    pub fn outcome_rows(&self) -> Vec<OutcomeComparison> {
        let runs = self.runs.max(1) as f64;
        let mut rows = Vec::new();
        for (policy, name) in self.names.iter().enumerate() {
            for (outcome, (outcome_name, better)) in COMPARED_OUTCOMES.iter().enumerate() {
                let values = &self.values[outcome][policy];
                let baseline = &self.values[outcome][self.baseline];
                let mut differences = Moments::new();
                for (value, base) in values.iter().zip(baseline) {
                    if value.is_finite() && base.is_finite() {
                        differences.push(value - base);
                    }
                }
                let weights = &self.rank_weights[outcome][policy];
                rows.push(OutcomeComparison {
                    policy: name.clone(),
                    baseline: policy == self.baseline,
                    outcome: outcome_name,
                    better: *better,
                    summary: summarize_exact(values),
                    difference: PairedDifference::from_moments(&differences),
                    p_beats_baseline: self.beats[outcome][policy] as f64 / runs,
                    p_best: weights[0] / runs,
                    regret: summarize_exact(&self.regret[outcome][policy]),
                    ranks: weights.iter().map(|w| w / runs).collect(),
                });
            }
        }
        rows
    }

    /// The pairwise difference matrix: for each compared outcome, each policy (row) minus each
    /// policy (column), in policy order. Negating every per-run difference negates its mean and
    /// interval exactly in floating point, so the matrix is antisymmetric bit for bit and its
    /// diagonal is exactly zero.
    pub fn pair_rows(&self) -> Vec<PairComparison> {
        let mut rows = Vec::new();
        for (outcome, (outcome_name, _)) in COMPARED_OUTCOMES.iter().enumerate() {
            for (policy, name) in self.names.iter().enumerate() {
                for (versus, versus_name) in self.names.iter().enumerate() {
                    let mut differences = Moments::new();
                    for (value, other) in self.values[outcome][policy]
                        .iter()
                        .zip(&self.values[outcome][versus])
                    {
                        if value.is_finite() && other.is_finite() {
                            differences.push(value - other);
                        }
                    }
                    rows.push(PairComparison {
                        outcome: outcome_name,
                        policy: name.clone(),
                        versus: versus_name.clone(),
                        difference: PairedDifference::from_moments(&differences),
                    });
                }
            }
        }
        rows
    }

    /// The per-period comparison of [`PERIOD_OUTCOME`]: for each quarter, each policy.
    pub fn period_rows(&self) -> Vec<PeriodComparison> {
        let policies = self.names.len();
        let mut rows = Vec::with_capacity(self.period_levels.len());
        for (index, (level, difference)) in self
            .period_levels
            .iter()
            .zip(&self.period_differences)
            .enumerate()
        {
            rows.push(PeriodComparison {
                quarter: index / policies,
                policy: self.names[index % policies].clone(),
                level: level.summary(),
                difference: PairedDifference::from_moments(difference),
            });
        }
        rows
    }
}
