//! Folding runs into summaries: one streaming accumulator per (quarter, series slot) and per
//! ledger cell, plus the per-run headline values (kept for exact order statistics in the
//! headline table: a dozen numbers per run).

use super::RunRecord;
use super::outcomes::{HEADLINE_OUTCOMES, slots_per_quarter};
use crate::model::{LEDGER_FIELDS, MEASURE_QUANTITIES};
use crate::money::ltl_from_cents;
use crate::scenario::Scenario;
use crate::stats::{Accumulator, Summary, summarize_exact};

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
    /// One accumulator per (year, measure, quantity of [`MEASURE_QUANTITIES`]), in LTL.
    pub measures: Vec<Accumulator>,
    /// Headline values per outcome, in run order.
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
            measures: vec![
                Accumulator::new();
                scenario.budget.funding_years()
                    * scenario.budget.measures.len()
                    * MEASURE_QUANTITIES.len()
            ],
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
        for (accumulator, value) in self.measures.iter_mut().zip(&record.measures) {
            accumulator.push(ltl_from_cents(*value));
        }
        for (values, value) in self.headline.iter_mut().zip(&record.headline) {
            values.push(*value);
        }
    }

    /// Summary of series slot `slot` at quarter `quarter`.
    pub fn series_summary(&self, quarter: usize, slot: usize) -> Summary {
        self.series[quarter * self.width + slot].summary()
    }

    /// Exact summary of headline outcome `index` over the runs where it is defined.
    pub fn headline_summary(&self, index: usize) -> Summary {
        let defined: Vec<f64> = self.headline[index]
            .iter()
            .copied()
            .filter(|v| v.is_finite())
            .collect();
        summarize_exact(&defined)
    }
}
