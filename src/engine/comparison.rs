//! Folding the runs of a policy comparison: every policy's headline outcomes per run (for exact
//! quantiles and paired differences), rank weights and regret per run, and the networked SMEs per
//! quarter (levels and paired differences to the baseline, streaming).

use super::RunRecord;
use super::outcomes::{CLUSTER_OUTCOMES, HEADLINE_OUTCOMES, TOTAL_OUTCOMES};
use crate::scenario::Scenario;
use crate::stats::paired::{Better, PairedDifference, add_rank_weights, oriented, regrets};
use serde::{Deserialize, Serialize};

use crate::stats::exact_sum::{ExactSum, ExactSumState};
use crate::stats::moments::MomentsState;
use crate::stats::{Accumulator, AccumulatorState, Moments, Summary, summarize_exact};

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
    /// `rank_weights[outcome][policy][rank]`, summed exactly (ties add shares such as 1/3,
    /// whose floating-point sum would depend on the order of runs and shards).
    rank_weights: Vec<Vec<Vec<ExactSum>>>,
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
            rank_weights: vec![vec![vec![ExactSum::new(); policies]; policies]; outcomes],
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
        let mut shares = vec![vec![0.0; policies]; policies];
        for (outcome, (_, better)) in COMPARED_OUTCOMES.iter().enumerate() {
            let values: Vec<f64> = records
                .iter()
                .map(|record| record.headline[self.headline_index[outcome]])
                .collect();
            let keys: Vec<f64> = values.iter().map(|v| oriented(*v, *better)).collect();
            shares.iter_mut().for_each(|row| row.fill(0.0));
            add_rank_weights(&keys, &mut shares);
            for (sums, row) in self.rank_weights[outcome].iter_mut().zip(&shares) {
                for (sum, share) in sums.iter_mut().zip(row) {
                    sum.add(*share);
                }
            }
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

    /// Empties the aggregates, keeping their shape and allocations (for the next unit of runs).
    pub fn clear(&mut self) {
        self.runs = 0;
        for per_run in [&mut self.values, &mut self.regret] {
            per_run.iter_mut().flatten().for_each(Vec::clear);
        }
        self.rank_weights
            .iter_mut()
            .flatten()
            .flatten()
            .for_each(ExactSum::clear);
        self.beats.iter_mut().flatten().for_each(|count| *count = 0);
        self.period_levels.iter_mut().for_each(Accumulator::clear);
        self.period_differences.iter_mut().for_each(Moments::clear);
    }

    /// Folds in `later`, the aggregates of the runs that follow these: per-run values are
    /// appended (staying in run order), counts and exact sums add, so the result is the same
    /// bits however the runs were split.
    pub fn merge(&mut self, later: &ComparisonAggregates) {
        self.runs += later.runs;
        for (mine, theirs) in [
            (&mut self.values, &later.values),
            (&mut self.regret, &later.regret),
        ] {
            for (outcome, other) in mine.iter_mut().zip(theirs) {
                for (values, more) in outcome.iter_mut().zip(other) {
                    values.extend_from_slice(more);
                }
            }
        }
        for (outcome, other) in self.rank_weights.iter_mut().zip(&later.rank_weights) {
            for (policy, theirs) in outcome.iter_mut().zip(other) {
                for (sum, more) in policy.iter_mut().zip(theirs) {
                    sum.merge(more);
                }
            }
        }
        for (outcome, other) in self.beats.iter_mut().zip(&later.beats) {
            for (count, more) in outcome.iter_mut().zip(other) {
                *count += more;
            }
        }
        for (level, more) in self.period_levels.iter_mut().zip(&later.period_levels) {
            level.merge(more);
        }
        for (difference, more) in self
            .period_differences
            .iter_mut()
            .zip(&later.period_differences)
        {
            difference.merge(more);
        }
    }

    /// The serialisable state (values as `f64` bits, sums exactly).
    pub fn state(&self) -> ComparisonState {
        let bits = |values: &Vec<Vec<Vec<f64>>>| -> Vec<Vec<Vec<u64>>> {
            values
                .iter()
                .map(|outcome| {
                    outcome
                        .iter()
                        .map(|policy| policy.iter().map(|v| v.to_bits()).collect())
                        .collect()
                })
                .collect()
        };
        ComparisonState {
            names: self.names.clone(),
            baseline: self.baseline,
            runs: self.runs,
            values: bits(&self.values),
            regret: bits(&self.regret),
            rank_weights: self
                .rank_weights
                .iter()
                .map(|outcome| {
                    outcome
                        .iter()
                        .map(|policy| policy.iter().map(ExactSum::state).collect())
                        .collect()
                })
                .collect(),
            beats: self.beats.clone(),
            period_levels: self.period_levels.iter().map(Accumulator::state).collect(),
            period_differences: self.period_differences.iter().map(Moments::state).collect(),
        }
    }

    /// Aggregates from a saved state, checked against the shape the scenario and `names` give.
    pub fn from_state(state: ComparisonState, scenario: &Scenario) -> Result<Self, String> {
        let mut shape = Self::new(scenario, state.names.clone(), state.baseline);
        let policies = state.names.len();
        let runs = state.runs as usize;
        let per_run_ok = |values: &Vec<Vec<Vec<u64>>>| {
            values.len() == COMPARED_OUTCOMES.len()
                && values
                    .iter()
                    .all(|o| o.len() == policies && o.iter().all(|p| p.len() == runs))
        };
        if state.baseline >= policies
            || !per_run_ok(&state.values)
            || !per_run_ok(&state.regret)
            || state.beats.len() != COMPARED_OUTCOMES.len()
            || state.beats.iter().any(|o| o.len() != policies)
            || state.rank_weights.len() != COMPARED_OUTCOMES.len()
            || state
                .rank_weights
                .iter()
                .any(|o| o.len() != policies || o.iter().any(|p| p.len() != policies))
            || state.period_levels.len() != shape.period_levels.len()
            || state.period_differences.len() != shape.period_differences.len()
        {
            return Err("the comparison state does not fit the scenario and policies".into());
        }
        let floats = |values: Vec<Vec<Vec<u64>>>| -> Vec<Vec<Vec<f64>>> {
            values
                .into_iter()
                .map(|outcome| {
                    outcome
                        .into_iter()
                        .map(|policy| policy.into_iter().map(f64::from_bits).collect())
                        .collect()
                })
                .collect()
        };
        shape.runs = state.runs;
        shape.values = floats(state.values);
        shape.regret = floats(state.regret);
        shape.beats = state.beats;
        shape.rank_weights = state
            .rank_weights
            .into_iter()
            .map(|outcome| {
                outcome
                    .into_iter()
                    .map(|policy| {
                        policy
                            .into_iter()
                            .map(ExactSum::try_from)
                            .collect::<Result<Vec<_>, _>>()
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(|error| error.to_string())?;
        shape.period_levels = state
            .period_levels
            .into_iter()
            .map(Accumulator::try_from)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|error| error.to_string())?;
        shape.period_differences = state
            .period_differences
            .into_iter()
            .map(Moments::try_from)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|error| error.to_string())?;
        Ok(shape)
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
                let weights: Vec<f64> = self.rank_weights[outcome][policy]
                    .iter()
                    .map(ExactSum::value)
                    .collect();
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

/// The serialised form of [`ComparisonAggregates`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComparisonState {
    /// Policy names in order.
    pub names: Vec<String>,
    /// Index of the baseline.
    pub baseline: usize,
    /// Runs folded in.
    pub runs: u64,
    /// `values[outcome][policy][run]` as `f64` bits.
    pub values: Vec<Vec<Vec<u64>>>,
    /// `regret[outcome][policy][run]` as `f64` bits.
    pub regret: Vec<Vec<Vec<u64>>>,
    /// `rank_weights[outcome][policy][rank]`, exact sums.
    pub rank_weights: Vec<Vec<Vec<ExactSumState>>>,
    /// `beats[outcome][policy]`.
    pub beats: Vec<Vec<u64>>,
    /// Per quarter and policy.
    pub period_levels: Vec<AccumulatorState>,
    /// Per quarter and policy.
    pub period_differences: Vec<MomentsState>,
}
