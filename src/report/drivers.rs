//! What drives the result: for every headline outcome and every uncertain input, Spearman's rank
//! correlation and the partial rank correlation (PRCC) over the runs of a result folder, with
//! 95% confidence intervals (see [`crate::stats::rank_correlation`]). Written as `drivers.csv`
//! and shown in the reports' "What drives the result" section and the `drivers` chart.
//!
//! The inputs already vary from run to run, so this needs no extra runs: it reads `runs.csv`
//! (each run's drawn inputs and headline outcomes). Inputs given as fixed numbers, inputs whose
//! draws happen not to vary, and outcomes that do not vary are left out and listed as such.

use crate::engine::outcomes::HEADLINE_OUTCOMES;
use crate::scenario::Param;
use crate::stats::rank_correlation::{Z_95, fisher_interval, prcc, spearman};

use super::csv::{cell, text};
use super::results::ResultSet;

/// Header of `drivers.csv`.
pub const DRIVERS_HEADER: &str = "outcome,input,runs,spearman,spearman_ci95_low,spearman_ci95_high,prcc,prcc_ci95_low,prcc_ci95_high,rank";

/// One (outcome, input) pair.
#[derive(Debug, Clone, PartialEq)]
pub struct Driver {
    /// Headline outcome.
    pub outcome: &'static str,
    /// Input label as in `runs.csv`.
    pub input: String,
    /// Runs in which the outcome is defined (those analysed).
    pub runs: usize,
    /// Spearman's ρ and its 95% interval.
    pub spearman: Option<(f64, (f64, f64))>,
    /// PRCC and its 95% interval.
    pub prcc: Option<(f64, (f64, f64))>,
    /// 1 for the input with the largest |PRCC| for this outcome (|ρ| where PRCC is undefined).
    pub rank: usize,
}

impl Driver {
    /// The strength used to order inputs: |PRCC|, or |ρ| without PRCC.
    pub fn strength(&self) -> f64 {
        self.prcc
            .or(self.spearman)
            .map_or(0.0, |(value, _)| value.abs())
    }
}

/// Every driver of a result folder, and what was left out.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Drivers {
    /// Rows by outcome (in headline order), strongest input first.
    pub rows: Vec<Driver>,
    /// Inputs analysed (have a distribution and vary over the runs).
    pub inputs: Vec<String>,
    /// Inputs that are fixed numbers in the scenario.
    pub fixed_inputs: Vec<String>,
    /// Inputs with a distribution whose drawn values are all equal in these runs.
    pub constant_inputs: Vec<String>,
    /// Headline outcomes that do not vary (or are defined in too few runs).
    pub constant_outcomes: Vec<&'static str>,
    /// Runs analysed: all runs of the folder, or its first
    /// [`SAMPLE_RUNS`](super::runs_digest::SAMPLE_RUNS) beyond that.
    pub runs: usize,
    /// Runs in the folder.
    pub total_runs: usize,
    /// Why PRCC could not be computed for an outcome (e.g. too few runs), if so.
    pub prcc_problems: Vec<(&'static str, String)>,
}

impl Drivers {
    /// The rows of one outcome, strongest first.
    pub fn for_outcome(&self, outcome: &str) -> Vec<&Driver> {
        self.rows.iter().filter(|d| d.outcome == outcome).collect()
    }
}

/// Whether `values` hold at least two different values (false when empty).
fn varies(values: &[f64]) -> bool {
    values
        .first()
        .is_some_and(|first| values.iter().any(|v| v != first))
}

/// Computes the drivers of a result folder from its `runs.csv`: from all runs up to
/// [`SAMPLE_RUNS`](super::runs_digest::SAMPLE_RUNS), from the first that many beyond (a
/// deterministic subset: the runs are independent draws, so the first n are a random sample of
/// n; the standard error of a rank correlation is then about 1/√(n − 3) ≈ 0.010).
pub fn drivers(results: &ResultSet) -> Drivers {
    let slots = results.scenario.parameter_slots();
    let table = &results.runs.sample;
    let mut analysis = Drivers {
        runs: table.rows.len(),
        total_runs: results.runs.count(),
        ..Drivers::default()
    };
    let mut inputs: Vec<(String, Vec<f64>)> = Vec::new();
    for slot in &slots {
        match slot.param {
            Param::Fixed(_) => analysis.fixed_inputs.push(slot.label.clone()),
            Param::Random(_) => {
                let values: Option<Vec<f64>> = table
                    .column(&slot.label)
                    .map(|column| column.into_iter().map(|v| v.unwrap_or(f64::NAN)).collect());
                match values {
                    Some(values) if varies(&values) && values.iter().all(|v| v.is_finite()) => {
                        inputs.push((slot.label.clone(), values))
                    }
                    _ => analysis.constant_inputs.push(slot.label.clone()),
                }
            }
        }
    }
    analysis.inputs = inputs.iter().map(|(label, _)| label.clone()).collect();
    for outcome in HEADLINE_OUTCOMES {
        let column = table.column(outcome).unwrap_or_default();
        let defined: Vec<usize> = (0..column.len())
            .filter(|&run| column[run].is_some_and(f64::is_finite))
            .collect();
        let output: Vec<f64> = defined.iter().filter_map(|&run| column[run]).collect();
        if output.len() < 3 || !varies(&output) || inputs.is_empty() {
            analysis.constant_outcomes.push(outcome);
            continue;
        }
        // The inputs over the runs where the outcome is defined; one that does not vary there
        // has no rank correlation with it.
        let subset: Vec<(&String, Vec<f64>)> = inputs
            .iter()
            .map(|(label, values)| (label, defined.iter().map(|&run| values[run]).collect()))
            .collect();
        let (varying, flat): (Vec<_>, Vec<_>) =
            subset.into_iter().partition(|(_, values)| varies(values));
        let columns: Vec<Vec<f64>> = varying.iter().map(|(_, values)| values.clone()).collect();
        let n = output.len();
        let controlled = columns.len().saturating_sub(1);
        let partial = match prcc(&columns, &output) {
            Ok(values) => values.into_iter().map(Some).collect(),
            Err(error) => {
                analysis.prcc_problems.push((outcome, error.to_string()));
                vec![None; columns.len()]
            }
        };
        let mut rows: Vec<Driver> = varying
            .iter()
            .zip(&partial)
            .map(|((label, values), partial)| Driver {
                outcome,
                input: (*label).clone(),
                runs: n,
                spearman: spearman(values, &output).ok().and_then(|rho| {
                    fisher_interval(rho, n, 0, Z_95).map(|interval| (rho, interval))
                }),
                prcc: partial.and_then(|value| {
                    fisher_interval(value, n, controlled, Z_95).map(|interval| (value, interval))
                }),
                rank: 0,
            })
            .collect();
        rows.extend(flat.iter().map(|(label, _)| Driver {
            outcome,
            input: (*label).clone(),
            runs: n,
            spearman: None,
            prcc: None,
            rank: 0,
        }));
        // Strongest first; equal strengths keep the scenario's input order (stable sort).
        rows.sort_by(|a, b| b.strength().total_cmp(&a.strength()));
        for (position, row) in rows.iter_mut().enumerate() {
            row.rank = position + 1;
        }
        analysis.rows.extend(rows);
    }
    analysis
}

/// `drivers.csv`: one row per (headline outcome, analysed input), strongest first within each
/// outcome; blank cells where a value is undefined.
/// Outcome names are written in `currency` (`cost_per_additional_networked_sme_eur`).
pub fn drivers_csv(drivers: &Drivers, currency: &crate::scenario::currency::Currency) -> String {
    let mut out = String::from(DRIVERS_HEADER);
    out.push('\n');
    let pair = |value: Option<(f64, (f64, f64))>| match value {
        Some((value, (low, high))) => format!("{},{},{}", cell(value), cell(low), cell(high)),
        None => ",,".to_string(),
    };
    for row in &drivers.rows {
        out.push_str(&format!(
            "{},{},{},{},{},{}\n",
            currency.name(row.outcome),
            text(&row.input),
            row.runs,
            pair(row.spearman),
            pair(row.prcc),
            row.rank
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varies_needs_two_different_values() {
        assert!(!varies(&[]));
        assert!(!varies(&[1.0, 1.0]));
        assert!(varies(&[1.0, 2.0]));
    }

    #[test]
    fn the_csv_leaves_undefined_values_blank() {
        let drivers = Drivers {
            rows: vec![Driver {
                outcome: "links",
                input: "model.a,b".into(),
                runs: 5,
                spearman: Some((0.5, (0.1, 0.8))),
                prcc: None,
                rank: 1,
            }],
            ..Drivers::default()
        };
        assert_eq!(
            drivers_csv(&drivers, &crate::scenario::currency::Currency::litas()),
            format!("{DRIVERS_HEADER}\nlinks,\"model.a,b\",5,0.5,0.1,0.8,,,,1\n")
        );
    }
}
