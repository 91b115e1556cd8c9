//! `sensitivity.csv`: one row per outcome, policy and input, with the Sobol' indices and their
//! 95% bootstrap intervals, Morris μ* and σ, and the tornado's low and high means.
//!
//! The `prcc` column holds the partial rank correlation of the input with the outcome over the
//! design's A and B rows (Marino et al. 2008); cells that do not apply (Morris and tornado for the model's randomness, indices of an outcome that does not
//! vary) are blank too.

use super::csv::{cell, text};
use crate::engine::sensitivity_analysis::SensitivityAnalysis;
use crate::scenario::currency::Currency;
use crate::stats::sensitivity::Estimate;

/// The header of `sensitivity.csv`.
pub const SENSITIVITY_HEADER: &str = "outcome,policy,input,s1,s1_low,s1_high,st,st_low,st_high,mu_star,sigma,tornado_low,tornado_high,tornado_base,prcc";

fn estimate_cells(estimate: Option<Estimate>) -> String {
    match estimate {
        Some(e) => format!("{},{},{}", cell(e.value), cell(e.low), cell(e.high)),
        None => ",,".into(),
    }
}

/// The text of `sensitivity.csv`, outcome names written in `currency`
/// (`additional_added_value_eur`).
pub fn sensitivity_csv(analysis: &SensitivityAnalysis, currency: &Currency) -> String {
    let mut out = format!("{SENSITIVITY_HEADER}\n");
    for outcome in &analysis.outcomes {
        for input in &outcome.inputs {
            let (mu_star, sigma) = input.morris.map_or((String::new(), String::new()), |m| {
                (cell(m.mu_star), cell(m.sigma))
            });
            let (low, high, base) = input.tornado.map_or(
                (String::new(), String::new(), String::new()),
                |(low, high)| (cell(low), cell(high), cell(outcome.base)),
            );
            let prcc = input.prcc.map_or(String::new(), cell);
            out.push_str(&format!(
                "{},{},{},{},{},{mu_star},{sigma},{low},{high},{base},{prcc}\n",
                currency.name(outcome.outcome.outcome),
                text(&outcome.outcome.policy),
                text(&input.input),
                estimate_cells(input.first),
                estimate_cells(input.total),
            ));
        }
    }
    out
}
