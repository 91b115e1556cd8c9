//! The "What drives the result" section of `report.html` and `report.md`: which uncertain inputs
//! move the headline outcomes, by partial rank correlation (PRCC) and Spearman's ρ over the runs
//! (see [`super::drivers`]), with the `drivers` chart and what was left out.

use super::charts::{Chart, DRIVERS_CHART};
use super::document::{Block, Column, Row, Section, Span, Table};
use super::drivers::{Driver, Drivers};
use super::results::ResultSet;
use super::table::thousands;
use crate::engine::outcomes::{HEADLINE_OUTCOMES, headline_label};
use crate::scenario::currency::Currency;

/// The outcome the section (and the chart) looks at first.
pub(crate) const MAIN_OUTCOME: &str = "additional_networked_smes";

/// Most inputs listed in the main table.
const MAIN_ROWS: usize = 15;

/// |PRCC| from which the text calls an input one the result hinges on (with an interval clear
/// of zero); smaller coefficients explain under 4% of the rank variance left by the others.
const STRONG: f64 = 0.2;

/// Strongest inputs named per outcome in the overview table.
const TOP_PER_OUTCOME: usize = 3;

fn column(heading: &str, numeric: bool) -> Column {
    Column {
        heading: heading.to_string(),
        numeric,
        nowrap: false,
    }
}

/// `0.62 (0.58 to 0.66)`, or `undefined`.
pub(crate) fn with_interval(value: Option<(f64, (f64, f64))>) -> String {
    match value {
        Some((value, (low, high))) => format!("{value:.2} ({low:.2} to {high:.2})"),
        None => "undefined".to_string(),
    }
}

/// Whether a 95% interval excludes zero.
fn clear(value: Option<(f64, (f64, f64))>) -> bool {
    value.is_some_and(|(_, (low, high))| low > 0.0 || high < 0.0)
}

/// The outcome the section and chart show: additional networked SMEs, or the first analysed
/// headline outcome when that one does not vary.
pub(crate) fn main_outcome(drivers: &Drivers) -> Option<&'static str> {
    if !drivers.for_outcome(MAIN_OUTCOME).is_empty() {
        return Some(MAIN_OUTCOME);
    }
    HEADLINE_OUTCOMES
        .into_iter()
        .find(|outcome| !drivers.for_outcome(outcome).is_empty())
}

fn main_table(rows: &[&Driver]) -> Table {
    Table {
        columns: vec![
            column("Rank", true),
            column("Input", false),
            column("PRCC (95% CI)", true),
            column("Spearman ρ (95% CI)", true),
            column("Clear of zero?", false),
        ],
        rows: rows
            .iter()
            .take(MAIN_ROWS)
            .map(|row| Row {
                cells: vec![
                    Span::text(row.rank.to_string()),
                    Span::code(&row.input),
                    Span::text(with_interval(row.prcc)),
                    Span::text(with_interval(row.spearman)),
                    Span::text(if clear(row.prcc) { "yes" } else { "no" }),
                ],
                strong: false,
            })
            .collect(),
        total: None,
        grouped: false,
    }
}

fn overview_table(drivers: &Drivers, currency: &Currency) -> Table {
    let mut columns = vec![column("Outcome", false)];
    for position in 1..=TOP_PER_OUTCOME {
        columns.push(column(&format!("Driver {position}: PRCC"), false));
    }
    let rows = HEADLINE_OUTCOMES
        .iter()
        .filter_map(|outcome| {
            let rows = drivers.for_outcome(outcome);
            if rows.is_empty() {
                return None;
            }
            let mut cells = vec![Span::text(currency.label(headline_label(outcome)))];
            for position in 0..TOP_PER_OUTCOME {
                cells.push(Span::text(match rows.get(position) {
                    Some(row) => match row.prcc {
                        Some((value, _)) => format!("{} {value:+.2}", row.input),
                        None => format!("{} (undefined)", row.input),
                    },
                    None => String::new(),
                }));
            }
            Some(Row {
                cells,
                strong: false,
            })
        })
        .collect();
    Table {
        columns,
        rows,
        total: None,
        grouped: false,
    }
}

/// The section; `charts` is searched for the `drivers` chart.
pub(crate) fn drivers_section<'a>(results: &ResultSet, charts: &'a [Chart]) -> Section<'a> {
    let drivers = &results.drivers;
    let mut blocks = Vec::new();
    let policy = results.comparison.as_ref().map_or(String::new(), |c| {
        format!(" (baseline policy “{}”)", c.baseline)
    });
    blocks.push(Block::Paragraph(vec![
        Span::text(format!(
            "Which uncertain inputs move the results{policy}? Each run draws every uncertain \
             input once, so the {} runs themselves show how each outcome goes with each input. \
             The partial rank correlation coefficient (PRCC; Marino et al. 2008) measures how \
             strongly an outcome rises (positive) or falls (negative) with one input once the \
             other uncertain inputs are accounted for; Spearman’s ρ is the plain rank \
             correlation, which also picks up inputs that only travel with an influential one. \
             Values near ±1 mean the outcome hinges on that input; an interval that includes 0 \
             means these runs cannot tell the input’s effect from none. Intervals are 95% \
             Fisher-z intervals with n − 3 − (other inputs) degrees of freedom. All values for \
             every outcome are in ",
            drivers.runs
        )),
        Span::code("drivers.csv"),
        Span::text("."),
    ]));
    if drivers.runs < drivers.total_runs {
        blocks.push(Block::Paragraph(vec![Span::text(format!(
            "These are the first {} of the {} runs: each run's inputs are independent draws, so \
             the first runs are a random sample of them, and holding every run would make the \
             report's memory grow with the run count. Over {} runs a rank correlation has a \
             standard error of about {:.3} (1/√(n − 3)), below the precision shown here.",
            thousands(drivers.runs as f64, 0),
            thousands(drivers.total_runs as f64, 0),
            thousands(drivers.runs as f64, 0),
            1.0 / (drivers.runs as f64 - 3.0).max(1.0).sqrt()
        ))]));
    }
    match main_outcome(drivers) {
        None => blocks.push(Block::Paragraph(vec![Span::text(
            "No headline outcome varies with an uncertain input in these runs, so there is \
             nothing to rank (give inputs distributions, or run more runs).",
        )])),
        Some(outcome) => {
            let rows = drivers.for_outcome(outcome);
            if let Some((index, chart)) = charts
                .iter()
                .enumerate()
                .find(|(_, chart)| chart.name == DRIVERS_CHART)
            {
                blocks.push(Block::Figure(index + 1, chart));
            }
            blocks.push(Block::Heading(format!(
                "{} at the horizon: inputs by strength",
                results.scenario.currency.label(headline_label(outcome))
            )));
            let strong: Vec<String> = rows
                .iter()
                .filter(|row| clear(row.prcc) && row.strength() >= STRONG)
                .map(|row| {
                    format!(
                        "“{}” (PRCC {:+.2})",
                        row.input,
                        row.prcc.map_or(0.0, |(value, _)| value)
                    )
                })
                .collect();
            blocks.push(Block::Paragraph(vec![Span::text(if strong.is_empty() {
                format!(
                    "No input has a PRCC of {STRONG} or more in size with an interval clear of \
                     zero: with these runs, no single input stands out."
                )
            } else {
                format!(
                    "The result hinges most on {}; every other input has a PRCC below {STRONG} \
                     in size or an interval that includes zero.",
                    strong.join(", ")
                )
            })]));
            blocks.push(Block::Table(main_table(&rows)));
            if rows.len() > MAIN_ROWS {
                blocks.push(Block::Paragraph(vec![Span::text(format!(
                    "{} weaker inputs are left out here; every input is in drivers.csv.",
                    rows.len() - MAIN_ROWS
                ))]));
            }
            blocks.push(Block::Heading("Strongest inputs of every outcome".into()));
            blocks.push(Block::Table(overview_table(
                drivers,
                &results.scenario.currency,
            )));
        }
    }
    let mut left_out = Vec::new();
    if !drivers.fixed_inputs.is_empty() {
        left_out.push(format!(
            "{} inputs are fixed numbers in the scenario and cannot show up here however much \
             they matter: {}",
            drivers.fixed_inputs.len(),
            drivers.fixed_inputs.join(", ")
        ));
    }
    if !drivers.constant_inputs.is_empty() {
        left_out.push(format!(
            "inputs with a distribution that did not vary in these runs: {}",
            drivers.constant_inputs.join(", ")
        ));
    }
    if !drivers.constant_outcomes.is_empty() {
        left_out.push(format!(
            "outcomes that do not vary (or are defined in fewer than 3 runs): {}",
            drivers
                .constant_outcomes
                .iter()
                .map(|outcome| results.scenario.currency.name(outcome))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    for (outcome, problem) in &drivers.prcc_problems {
        left_out.push(format!(
            "no PRCC for {}: {problem}",
            results.scenario.currency.name(outcome)
        ));
    }
    if !left_out.is_empty() {
        blocks.push(Block::Paragraph(vec![Span::text(format!(
            "Left out: {}.",
            left_out.join("; ")
        ))]));
    }
    Section {
        id: "drivers",
        heading: "What drives the result",
        blocks,
    }
}
