//! The comparison files: `comparison.csv` (each policy and outcome at the horizon),
//! `comparison_periods.csv` (networked SMEs per quarter and policy, with paired differences) and
//! `comparison_pairs.csv` (the pairwise difference matrix: every policy minus every policy, on
//! each compared outcome) and the streaming `comparison_runs.csv` (each run's compared outcomes
//! per policy).

use std::fmt::Write as _;
use std::path::Path;

use super::csv::{StreamingCsv, cell, text};
use crate::engine::RunRecord;
use crate::engine::comparison::{
    COMPARED_OUTCOMES, ComparisonAggregates, PERIOD_OUTCOME, compared_headline_indices,
};
use crate::engine::outcomes::{is_count, present_percentile};
use crate::scenario::Scenario;
use crate::scenario::currency::Currency;

/// Columns of `comparison.csv` before the rank columns (`rank_1` … `rank_P`).
pub const COMPARISON_COLUMNS: [&str; 21] = [
    "policy",
    "baseline",
    "outcome",
    "better",
    "n",
    "mean",
    "standard_error",
    "p5",
    "p25",
    "p50",
    "p75",
    "p95",
    "difference_n",
    "difference_mean",
    "difference_standard_error",
    "difference_ci95_low",
    "difference_ci95_high",
    "p_beats_baseline",
    "p_best",
    "regret_mean",
    "regret_p95",
];

/// Header of `comparison_periods.csv`.
pub const PERIODS_HEADER: &str = "period,policy,outcome,n,mean,p25,p50,p75,difference_mean,difference_standard_error,difference_ci95_low,difference_ci95_high";

/// A share of runs for `comparison.csv`, rounded to 12 decimals: shares are sums of 1/k over runs
/// (ties split evenly), and the rounding removes float noise such as 0.14285714285714363 while
/// keeping every share distinguishable (1 run in 10⁸ is 1e-8).
fn share(value: f64) -> String {
    cell((value * 1e12).round() / 1e12)
}

/// Header of `comparison.csv` for `policies` policies.
pub fn comparison_header(policies: usize) -> String {
    let mut columns: Vec<String> = COMPARISON_COLUMNS.iter().map(|c| c.to_string()).collect();
    columns.extend((1..=policies).map(|rank| format!("rank_{rank}")));
    columns.join(",")
}

/// `comparison.csv`: one row per (policy, compared outcome), outcome names in `currency`.
pub fn comparison_csv(aggregates: &ComparisonAggregates, currency: &Currency) -> String {
    let mut out = format!("{}\n", comparison_header(aggregates.names.len()));
    for row in aggregates.outcome_rows() {
        let count = is_count(row.outcome);
        let percentile = |value: f64| present_percentile(value, count);
        let summary = &row.summary;
        let defined = |value: f64, n: u64| if n == 0 { String::new() } else { cell(value) };
        let mut cells = vec![
            text(&row.policy),
            row.baseline.to_string(),
            currency.name(row.outcome).into_owned(),
            row.better.label().to_string(),
            summary.n.to_string(),
        ];
        for value in [summary.mean, summary.standard_error] {
            cells.push(defined(value, summary.n));
        }
        for value in [
            summary.p5,
            summary.p25,
            summary.p50,
            summary.p75,
            summary.p95,
        ] {
            cells.push(defined(percentile(value), summary.n));
        }
        let difference = &row.difference;
        cells.push(difference.n.to_string());
        for value in [
            difference.mean,
            difference.standard_error,
            difference.low,
            difference.high,
        ] {
            cells.push(defined(value, difference.n));
        }
        cells.push(share(row.p_beats_baseline));
        cells.push(share(row.p_best));
        cells.push(defined(row.regret.mean, row.regret.n));
        cells.push(defined(row.regret.p95, row.regret.n));
        cells.extend(row.ranks.iter().map(|value| share(*value)));
        let _ = writeln!(out, "{}", cells.join(","));
    }
    out
}

/// `comparison_periods.csv`: networked SMEs per (quarter, policy): mean and quartiles (from the
/// streaming sketch) and the paired difference to the baseline with its 95% interval.
pub fn comparison_periods_csv(scenario: &Scenario, aggregates: &ComparisonAggregates) -> String {
    let mut out = format!("{PERIODS_HEADER}\n");
    for row in aggregates.period_rows() {
        let level = &row.level;
        let difference = &row.difference;
        let percentile = |value: f64| cell(present_percentile(value, true));
        let _ = writeln!(
            out,
            "{},{},{PERIOD_OUTCOME},{},{},{},{},{},{},{},{},{}",
            scenario.budget.period_label(row.quarter),
            text(&row.policy),
            level.n,
            cell(level.mean),
            percentile(level.p25),
            percentile(level.p50),
            percentile(level.p75),
            cell(difference.mean),
            cell(difference.standard_error),
            cell(difference.low),
            cell(difference.high),
        );
    }
    out
}

/// Header of `comparison_pairs.csv`.
pub const PAIRS_HEADER: &str = "outcome,policy,versus,n,difference_mean,difference_standard_error,difference_ci95_low,difference_ci95_high";

/// `comparison_pairs.csv`: for each compared outcome, each policy (row) minus each policy
/// (column), paired by run, with the 95% confidence interval of the mean difference; outcome
/// names in `currency`.
pub fn comparison_pairs_csv(aggregates: &ComparisonAggregates, currency: &Currency) -> String {
    let mut out = format!("{PAIRS_HEADER}\n");
    for row in aggregates.pair_rows() {
        let difference = &row.difference;
        let defined = |value: f64| {
            if difference.n == 0 {
                String::new()
            } else {
                cell(value)
            }
        };
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{}",
            currency.name(row.outcome),
            text(&row.policy),
            text(&row.versus),
            difference.n,
            defined(difference.mean),
            defined(difference.standard_error),
            defined(difference.low),
            defined(difference.high),
        );
    }
    out
}

/// Streams `comparison_runs.csv`: one row per (run, policy) with the compared outcomes.
pub struct ComparisonRunsWriter {
    stream: StreamingCsv,
    names: Vec<String>,
    headline_index: Vec<usize>,
}

impl ComparisonRunsWriter {
    /// Creates `path` (through a temporary name) and writes the header (outcome names in
    /// `currency`).
    pub fn create(path: &Path, names: &[String], currency: &Currency) -> anyhow::Result<Self> {
        let mut header = vec!["run".to_string(), "policy".to_string()];
        header.extend(
            COMPARED_OUTCOMES
                .iter()
                .map(|(name, _)| currency.name(name).into_owned()),
        );
        Ok(Self {
            stream: StreamingCsv::create(path, &header.join(","))?,
            names: names.iter().map(|name| text(name)).collect(),
            headline_index: compared_headline_indices(),
        })
    }

    /// Appends one run: `records[p]` is policy p's record.
    pub fn push(&mut self, records: &[RunRecord]) -> anyhow::Result<()> {
        for (record, name) in records.iter().zip(&self.names) {
            let mut line = format!("{},{name}", record.run);
            for &index in &self.headline_index {
                line.push(',');
                line.push_str(&cell(record.headline[index]));
            }
            self.stream.line(&line)?;
        }
        Ok(())
    }

    /// Flushes and renames into place.
    pub fn finish(self) -> anyhow::Result<()> {
        self.stream.finish()
    }
}
