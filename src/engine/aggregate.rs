//! Folding runs into summaries: one streaming accumulator per (quarter, series slot), per ledger
//! cell and per headline outcome, plus — up to [`EXACT_HEADLINE_RUNS`] runs — the per-run
//! headline values for exact order statistics in the headline table.
//!
//! Every accumulator merges exactly ([`crate::stats::Moments`] keeps exact sums, the sketch
//! integer counts), so aggregates built per block of runs on many threads, or per shard on many
//! machines, merge into the very same bits as one thread folding every run. The series — one
//! accumulator per (quarter, slot), 77,840 on the baseline, most of whose values are `+0.0` or
//! undefined — are kept in [`SparseAccumulators`], which count those values instead of pushing
//! them; workers buffer their runs in [`UnitAggregates`] (each part's explicit values sorted by
//! cell), which are added to a total at the cost of the cells that hold anything else.

use serde::{Deserialize, Serialize};

use super::RunRecord;
use super::outcomes::{HEADLINE_OUTCOMES, slots_per_quarter};
use crate::model::{LEDGER_FIELDS, MEASURE_QUANTITIES};
use crate::money::amount_from_cents;
use crate::scenario::Scenario;
use crate::stats::sparse_accumulators::SparseAccumulatorsStateError;
use crate::stats::{
    Accumulator, AccumulatorState, AccumulatorStateError, RowBuffer, SparseAccumulators,
    SparseAccumulatorsState, Summary, summarize_exact,
};

/// Up to this many runs the headline table's percentiles are exact order statistics of the
/// stored per-run values (12 numbers per run: under 10 MB); beyond it they come from the
/// quantile sketch (relative error ≤ 0.01), so memory stays independent of the run count.
pub const EXACT_HEADLINE_RUNS: u64 = 100_000;

/// Everything aggregated over the runs so far.
#[derive(Debug, Clone)]
pub struct Aggregates {
    /// Runs folded in.
    pub runs: u64,
    /// Series slots per quarter.
    pub width: usize,
    /// One accumulator per (quarter, slot), stored sparsely (most values are zeros or undefined):
    /// read them with [`Self::series_summary`].
    series: SparseAccumulators,
    /// One accumulator per (year, cluster, instrument, ledger field), in LTL.
    pub ledger: Vec<Accumulator>,
    /// One accumulator per headline outcome.
    pub headline_accumulators: Vec<Accumulator>,
    /// One accumulator per (year, measure, quantity of [`MEASURE_QUANTITIES`]), in LTL.
    pub measures: Vec<Accumulator>,
    /// Headline values per outcome, in run order, while at most [`EXACT_HEADLINE_RUNS`] runs
    /// are folded in; empty beyond.
    pub headline: Vec<Vec<f64>>,
}

/// The cells of each part of the aggregates of `scenario`: (series slots per quarter, series,
/// ledger, measures).
pub(crate) fn shape(scenario: &Scenario) -> (usize, usize, usize, usize) {
    let width = slots_per_quarter(scenario.clusters.len());
    let ledger_cells = scenario.budget.funding_years() * scenario.clusters.len() * 2;
    (
        width,
        scenario.budget.quarters() * width,
        ledger_cells * LEDGER_FIELDS.len(),
        scenario.budget.funding_years() * scenario.budget.measures.len() * MEASURE_QUANTITIES.len(),
    )
}

impl Aggregates {
    /// Empty aggregates for a scenario.
    pub fn new(scenario: &Scenario) -> Self {
        let (width, series, ledger, measures) = shape(scenario);
        Self {
            runs: 0,
            width,
            series: SparseAccumulators::new(series),
            ledger: vec![Accumulator::new(); ledger],
            headline_accumulators: vec![Accumulator::new(); HEADLINE_OUTCOMES.len()],
            measures: vec![Accumulator::new(); measures],
            headline: vec![Vec::new(); HEADLINE_OUTCOMES.len()],
        }
    }

    /// Folds one run in. Non-finite values (undefined ratios) are skipped by the accumulators.
    pub fn push(&mut self, record: &RunRecord) {
        self.runs += 1;
        self.series.push_row(&record.series);
        for (cell, entry) in record.ledger.iter().enumerate() {
            for (field, value) in entry.fields().iter().enumerate() {
                self.ledger[cell * LEDGER_FIELDS.len() + field].push(amount_from_cents(*value));
            }
        }
        for (accumulator, value) in self.headline_accumulators.iter_mut().zip(&record.headline) {
            accumulator.push(*value);
        }
        for (accumulator, value) in self.measures.iter_mut().zip(&record.measures) {
            accumulator.push(amount_from_cents(*value));
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
        self.merge_accumulators(later);
        for (values, other) in self.headline.iter_mut().zip(&later.headline) {
            values.extend_from_slice(other);
        }
        self.drop_values_beyond_limit();
    }

    /// Folds in `unit`, the runs that follow these, exactly as pushing its runs would (sealing
    /// it first if it is not); the unit keeps its runs (see [`UnitAggregates::clear`]).
    pub fn merge_unit(&mut self, unit: &mut UnitAggregates) {
        self.merge_unit_accumulators(unit);
        self.count_unit_runs(unit);
    }

    /// The part of [`Self::merge_unit`] that must follow the run order: the run count and the
    /// per-run headline values.
    pub(crate) fn count_unit_runs(&mut self, unit: &UnitAggregates) {
        self.runs += unit.runs;
        for (values, other) in self.headline.iter_mut().zip(&unit.headline) {
            values.extend_from_slice(other);
        }
        self.drop_values_beyond_limit();
    }

    /// The part of [`Self::merge_unit`] that any thread may do in any order: the accumulators
    /// (exact, so order-free). Between the two parts the run count and the accumulators disagree:
    /// see [`super::partials`].
    pub(crate) fn merge_unit_accumulators(&mut self, unit: &mut UnitAggregates) {
        unit.seal();
        unit.series.add_to(&mut self.series);
        unit.add_dense_parts_to(
            &mut self.ledger,
            &mut self.measures,
            &mut self.headline_accumulators,
        );
    }

    /// [`Self::merge`] of the accumulators alone (see [`Self::merge_unit_accumulators`]).
    pub(crate) fn merge_accumulators(&mut self, other: &Aggregates) {
        self.series.merge(&other.series);
        for (mine, theirs) in [
            (&mut self.ledger, &other.ledger),
            (&mut self.measures, &other.measures),
            (
                &mut self.headline_accumulators,
                &other.headline_accumulators,
            ),
        ] {
            for (accumulator, other) in mine.iter_mut().zip(theirs) {
                accumulator.merge(other);
            }
        }
    }

    /// [`Self::merge_accumulators`] of accumulators no longer needed (built apart, see
    /// `engine::partials`): when these hold nothing yet, the others are taken over instead of
    /// merged (the same state, without the work).
    pub(crate) fn merge_accumulators_owned(
        &mut self,
        series: SparseAccumulators,
        ledger: Vec<Accumulator>,
        measures: Vec<Accumulator>,
        headline_accumulators: Vec<Accumulator>,
    ) {
        let mut other = Aggregates {
            runs: 0,
            width: self.width,
            series,
            ledger,
            measures,
            headline_accumulators,
            headline: Vec::new(),
        };
        if self.series.rows() == 0 {
            std::mem::swap(&mut self.series, &mut other.series);
            std::mem::swap(&mut self.ledger, &mut other.ledger);
            std::mem::swap(&mut self.measures, &mut other.measures);
            std::mem::swap(
                &mut self.headline_accumulators,
                &mut other.headline_accumulators,
            );
        }
        self.merge_accumulators(&other);
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
        self.series.summary(quarter * self.width + slot)
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
            series: self.series.state(),
            ledger: states(&self.ledger),
            measures: states(&self.measures),
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
            ("series", state.series.cells, shape.series.len()),
            ("ledger", state.ledger.len(), shape.ledger.len()),
            ("measures", state.measures.len(), shape.measures.len()),
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
        if state.series.rows != state.runs {
            return Err(AggregatesStateError::SeriesRuns(
                state.series.rows,
                state.runs,
            ));
        }
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
            series: SparseAccumulators::try_from(state.series)?,
            ledger: accumulators(state.ledger)?,
            measures: accumulators(state.measures)?,
            headline_accumulators: accumulators(state.headline_accumulators)?,
            headline: state
                .headline
                .into_iter()
                .map(|values| values.into_iter().map(f64::from_bits).collect())
                .collect(),
        })
    }
}

/// The runs of one unit of consecutive runs, buffered on a worker thread and added to a total
/// with [`Aggregates::merge_unit`]: each part's explicit values sorted by cell ([`RowBuffer`]),
/// so that adding the unit reaches each of the total's accumulators once, and only those of
/// cells that had a value other than `+0.0` or undefined. No accumulator is built for the unit
/// itself. Cleared and reused for the next unit.
#[derive(Debug, Clone)]
pub struct UnitAggregates {
    /// Runs folded in.
    pub runs: u64,
    series: RowBuffer,
    ledger: RowBuffer,
    measures: RowBuffer,
    headline_accumulators: RowBuffer,
    /// Headline values per outcome, in run order.
    pub headline: Vec<Vec<f64>>,
    /// A ledger or measure row in LTL, refilled per run.
    row: Vec<f64>,
}

impl UnitAggregates {
    /// Empty unit aggregates for a scenario.
    pub fn new(scenario: &Scenario) -> Self {
        let (_, series, ledger, measures) = shape(scenario);
        Self {
            runs: 0,
            series: RowBuffer::new(series),
            ledger: RowBuffer::new(ledger),
            measures: RowBuffer::new(measures),
            headline_accumulators: RowBuffer::new(HEADLINE_OUTCOMES.len()),
            headline: vec![Vec::new(); HEADLINE_OUTCOMES.len()],
            row: Vec::new(),
        }
    }

    /// Folds one run in (runs in run order).
    pub fn push(&mut self, record: &RunRecord) {
        self.runs += 1;
        self.series.push_row(&record.series);
        self.row.clear();
        self.row.extend(
            record
                .ledger
                .iter()
                .flat_map(|entry| entry.fields())
                .map(amount_from_cents),
        );
        self.ledger.push_row(&self.row);
        self.row.clear();
        self.row
            .extend(record.measures.iter().copied().map(amount_from_cents));
        self.measures.push_row(&self.row);
        self.headline_accumulators.push_row(&record.headline);
        for (values, value) in self.headline.iter_mut().zip(&record.headline) {
            values.push(*value);
        }
    }

    /// Sorts the buffered values by cell ([`RowBuffer::seal`]); a worker does this before
    /// handing the unit over, so that adding it to a total finds only the pushes left to do.
    pub fn seal(&mut self) {
        for part in self.parts() {
            part.seal();
        }
    }

    /// Empties the unit, keeping its allocations for the next.
    pub fn clear(&mut self) {
        self.runs = 0;
        for part in self.parts() {
            part.clear();
        }
        self.headline.iter_mut().for_each(Vec::clear);
    }

    /// Adds the series values of the cells `cells` of the sealed unit ([`Self::seal`]) to
    /// `stripe`, whose cell `i` is series cell `cells.start + i`.
    pub(crate) fn add_series_range_to(
        &self,
        stripe: &mut SparseAccumulators,
        cells: std::ops::Range<usize>,
    ) {
        self.series.add_range_to(stripe, cells);
    }

    /// Adds the sealed unit's ledger, measure and headline values to those accumulators.
    pub(crate) fn add_dense_parts_to(
        &self,
        ledger: &mut [Accumulator],
        measures: &mut [Accumulator],
        headline_accumulators: &mut [Accumulator],
    ) {
        self.ledger.add_to_dense(ledger);
        self.measures.add_to_dense(measures);
        self.headline_accumulators
            .add_to_dense(headline_accumulators);
    }

    fn parts(&mut self) -> [&mut RowBuffer; 4] {
        [
            &mut self.series,
            &mut self.ledger,
            &mut self.measures,
            &mut self.headline_accumulators,
        ]
    }
}

/// The serialised form of [`Aggregates`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AggregatesState {
    /// Runs folded in.
    pub runs: u64,
    /// Series slots per quarter.
    pub width: usize,
    /// Accumulators per (quarter, slot), sparse.
    pub series: SparseAccumulatorsState,
    /// Accumulators per ledger cell and field.
    pub ledger: Vec<AccumulatorState>,
    /// Accumulators per (year, measure, measure quantity).
    pub measures: Vec<AccumulatorState>,
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
    /// The series count another number of runs than the state.
    #[error("the series count {0} runs where the state has {1}")]
    SeriesRuns(u64, u64),
    /// An accumulator is malformed.
    #[error(transparent)]
    Accumulator(#[from] AccumulatorStateError),
    /// The series accumulators are malformed.
    #[error("series: {0}")]
    Series(#[from] SparseAccumulatorsStateError),
}
