//! Folding runs into summaries: one streaming accumulator per (quarter, series slot), per ledger
//! cell and per headline outcome, plus — up to [`EXACT_HEADLINE_RUNS`] runs — the per-run
//! headline values for exact order statistics in the headline table.
//!
//! Every accumulator merges exactly ([`crate::stats::Moments`] keeps exact sums, the sketch
//! integer counts), so aggregates built per block of runs on many threads, or per shard on many
//! machines, merge into the very same bits as one thread folding every run.

use serde::{Deserialize, Serialize};

use super::RunRecord;
use super::outcomes::{HEADLINE_OUTCOMES, slots_per_quarter};
use crate::model::LEDGER_FIELDS;
use crate::money::ltl_from_cents;
use crate::scenario::Scenario;
use crate::stats::{
    Accumulator, AccumulatorState, AccumulatorStateError, Summary, summarize_exact,
};

/// Up to this many runs the headline table's percentiles are exact order statistics of the
/// stored per-run values (12 numbers per run: under 10 MB); beyond it they come from the
/// quantile sketch (relative error ≤ 0.001), so memory stays independent of the run count.
pub const EXACT_HEADLINE_RUNS: u64 = 100_000;

/// Everything aggregated over the runs so far.
#[derive(Debug, Clone)]
pub struct Aggregates {
    /// Runs folded in.
    pub runs: u64,
    /// Series slots per quarter.
    pub width: usize,
    /// One accumulator per (quarter, slot).
    pub series: Vec<Accumulator>,
    /// One accumulator per (year, cluster, instrument, ledger field), in LTL.
    pub ledger: Vec<Accumulator>,
    /// One accumulator per headline outcome.
    pub headline_accumulators: Vec<Accumulator>,
    /// Headline values per outcome, in run order, while at most [`EXACT_HEADLINE_RUNS`] runs
    /// are folded in; empty beyond.
    pub headline: Vec<Vec<f64>>,
}

impl Aggregates {
    /// Empty aggregates for a scenario.
    pub fn new(scenario: &Scenario) -> Self {
        let width = slots_per_quarter(scenario.clusters.len());
        let ledger_cells = scenario.budget.funding_years() * scenario.clusters.len() * 2;
        Self {
            runs: 0,
            width,
            series: vec![Accumulator::new(); scenario.budget.quarters() * width],
            ledger: vec![Accumulator::new(); ledger_cells * LEDGER_FIELDS.len()],
            headline_accumulators: vec![Accumulator::new(); HEADLINE_OUTCOMES.len()],
            headline: vec![Vec::new(); HEADLINE_OUTCOMES.len()],
        }
    }

    /// Folds one run in. Non-finite values (undefined ratios) are skipped by the accumulators.
    pub fn push(&mut self, record: &RunRecord) {
        self.runs += 1;
        for (accumulator, value) in self.series.iter_mut().zip(&record.series) {
            accumulator.push(*value);
        }
        for (cell, entry) in record.ledger.iter().enumerate() {
            for (field, value) in entry.fields().iter().enumerate() {
                self.ledger[cell * LEDGER_FIELDS.len() + field].push(ltl_from_cents(*value));
            }
        }
        for (accumulator, value) in self.headline_accumulators.iter_mut().zip(&record.headline) {
            accumulator.push(*value);
        }
        for (values, value) in self.headline.iter_mut().zip(&record.headline) {
            values.push(*value);
        }
        self.drop_values_beyond_limit();
    }

    /// Folds in `later`, the aggregates of the runs that follow these (so that the per-run
    /// headline values stay in run order). Every accumulator merges exactly, so the statistics
    /// do not depend on how the runs were split.
    pub fn merge(&mut self, later: &Aggregates) {
        self.runs += later.runs;
        for (mine, theirs) in [
            (&mut self.series, &later.series),
            (&mut self.ledger, &later.ledger),
            (
                &mut self.headline_accumulators,
                &later.headline_accumulators,
            ),
        ] {
            for (accumulator, other) in mine.iter_mut().zip(theirs) {
                accumulator.merge(other);
            }
        }
        for (values, other) in self.headline.iter_mut().zip(&later.headline) {
            values.extend_from_slice(other);
        }
        self.drop_values_beyond_limit();
    }

    /// Empties the aggregates, keeping their shape (to reuse one for the next block of runs).
    pub fn clear(&mut self) {
        self.runs = 0;
        for accumulator in self
            .series
            .iter_mut()
            .chain(&mut self.ledger)
            .chain(&mut self.headline_accumulators)
        {
            *accumulator = Accumulator::new();
        }
        self.headline.iter_mut().for_each(Vec::clear);
    }

    fn drop_values_beyond_limit(&mut self) {
        if self.runs > EXACT_HEADLINE_RUNS && self.headline.iter().any(|v| !v.is_empty()) {
            self.headline
                .iter_mut()
                .for_each(|values| *values = Vec::new());
        }
    }

    /// Whether the per-run headline values are kept (at most [`EXACT_HEADLINE_RUNS`] runs).
    pub fn has_headline_values(&self) -> bool {
        self.runs <= EXACT_HEADLINE_RUNS
    }

    /// Summary of series slot `slot` at quarter `quarter`.
    pub fn series_summary(&self, quarter: usize, slot: usize) -> Summary {
        self.series[quarter * self.width + slot].summary()
    }

    /// Summary of headline outcome `index` over the runs where it is defined: exact order
    /// statistics up to [`EXACT_HEADLINE_RUNS`] runs, the sketch's beyond.
    pub fn headline_summary(&self, index: usize) -> Summary {
        if !self.has_headline_values() {
            return self.headline_accumulators[index].summary();
        }
        let defined: Vec<f64> = self.headline[index]
            .iter()
            .copied()
            .filter(|v| v.is_finite())
            .collect();
        summarize_exact(&defined)
    }

    /// The serialisable state (accumulators exactly, headline values as `f64` bits).
    pub fn state(&self) -> AggregatesState {
        let states = |accumulators: &[Accumulator]| -> Vec<AccumulatorState> {
            accumulators.iter().map(Accumulator::state).collect()
        };
        AggregatesState {
            runs: self.runs,
            width: self.width,
            series: states(&self.series),
            ledger: states(&self.ledger),
            headline_accumulators: states(&self.headline_accumulators),
            headline: self
                .headline
                .iter()
                .map(|values| values.iter().map(|v| v.to_bits()).collect())
                .collect(),
        }
    }

    /// Aggregates from a saved state, checked against the shape `scenario` gives.
    pub fn from_state(
        state: AggregatesState,
        scenario: &Scenario,
    ) -> Result<Self, AggregatesStateError> {
        let shape = Self::new(scenario);
        let counts = [
            ("series", state.series.len(), shape.series.len()),
            ("ledger", state.ledger.len(), shape.ledger.len()),
            (
                "headline_accumulators",
                state.headline_accumulators.len(),
                shape.headline_accumulators.len(),
            ),
            ("headline", state.headline.len(), shape.headline.len()),
        ];
        if let Some((part, found, expected)) = counts.into_iter().find(|(_, a, b)| a != b) {
            return Err(AggregatesStateError::Shape {
                part,
                found,
                expected,
            });
        }
        if state.width != shape.width {
            return Err(AggregatesStateError::Shape {
                part: "width",
                found: state.width,
                expected: shape.width,
            });
        }
        let kept = state.runs <= EXACT_HEADLINE_RUNS;
        if state
            .headline
            .iter()
            .any(|values| values.len() as u64 != if kept { state.runs } else { 0 })
        {
            return Err(AggregatesStateError::HeadlineValues(state.runs));
        }
        let accumulators = |states: Vec<AccumulatorState>| {
            states
                .into_iter()
                .map(Accumulator::try_from)
                .collect::<Result<Vec<_>, _>>()
        };
        Ok(Self {
            runs: state.runs,
            width: state.width,
            series: accumulators(state.series)?,
            ledger: accumulators(state.ledger)?,
            headline_accumulators: accumulators(state.headline_accumulators)?,
            headline: state
                .headline
                .into_iter()
                .map(|values| values.into_iter().map(f64::from_bits).collect())
                .collect(),
        })
    }
}

/// The serialised form of [`Aggregates`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AggregatesState {
    /// Runs folded in.
    pub runs: u64,
    /// Series slots per quarter.
    pub width: usize,
    /// Accumulators per (quarter, slot).
    pub series: Vec<AccumulatorState>,
    /// Accumulators per ledger cell and field.
    pub ledger: Vec<AccumulatorState>,
    /// Accumulators per headline outcome.
    pub headline_accumulators: Vec<AccumulatorState>,
    /// Per-run headline values as `f64` bits, per outcome (empty beyond
    /// [`EXACT_HEADLINE_RUNS`] runs).
    pub headline: Vec<Vec<u64>>,
}

/// A saved aggregate state that does not fit the scenario or is inconsistent.
#[derive(Debug, thiserror::Error)]
pub enum AggregatesStateError {
    /// A part has the wrong number of cells for the scenario.
    #[error("{part} has {found} cells where the scenario has {expected}")]
    Shape {
        /// Which part.
        part: &'static str,
        /// Cells found.
        found: usize,
        /// Cells the scenario gives.
        expected: usize,
    },
    /// Headline values do not match the run count.
    #[error("the per-run headline values do not match {0} runs")]
    HeadlineValues(u64),
    /// An accumulator is malformed.
    #[error(transparent)]
    Accumulator(#[from] AccumulatorStateError),
}
