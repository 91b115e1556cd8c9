//! The report of a sensitivity result folder: a "Sensitivity" section (method, warnings, the
//! inputs that matter most for each headline outcome, charts) in `report.html` and `report.md`,
//! with the charts in `charts/` as SVG and PNG.

use std::path::Path;

use anyhow::Context;

use super::charts::{ChartOptions, render_sensitivity_charts};
use super::document::{Block, Column, Document, Paragraph, Row, Section, Span, Table};
use super::html::document_html;
use super::manifest::Manifest;
use super::markdown::document_md;
use super::output_dir::write_atomically;
use crate::engine::sensitivity::{SensitivityPlan, TORNADO_PERCENTILES};
use crate::engine::sensitivity_analysis::{
    InputSensitivity, OutcomeSensitivity, STREAM_INPUT, SensitivityAnalysis,
};
use crate::scenario::Scenario;
use crate::scenario::currency::Currency;
use crate::stats::sensitivity::Estimate;

/// Files and folders the report writes into a sensitivity result folder.
pub const SENSITIVITY_REPORT_FILES: [&str; 3] = ["charts/", "report.html", "report.md"];

/// Outcomes the report discusses (all are in `sensitivity.csv`).
pub const REPORTED_OUTCOMES: [&str; 3] = [
    "networked_smes",
    "additional_networked_smes",
    "additional_added_value_ltl",
];

/// Inputs shown per outcome in the report's tables.
const TABLE_INPUTS: usize = 10;
/// Above this sum of total indices the report says that interactions dominate.
const INTERACTION_SUM: f64 = 1.5;

/// The `count` inputs with the largest total index (ties by name), the stream included.
pub fn top_inputs(outcome: &OutcomeSensitivity, count: usize) -> Vec<&InputSensitivity> {
    let mut inputs: Vec<&InputSensitivity> = outcome.inputs.iter().collect();
    inputs.sort_by(|a, b| {
        let key = |i: &InputSensitivity| i.total.map_or(f64::NEG_INFINITY, |t| t.value);
        key(b)
            .total_cmp(&key(a))
            .then_with(|| a.input.cmp(&b.input))
    });
    inputs.truncate(count);
    inputs
}

/// The outcomes the report discusses, in order: per policy the [`REPORTED_OUTCOMES`], then the
/// paired differences.
pub fn reported(analysis: &SensitivityAnalysis) -> Vec<&OutcomeSensitivity> {
    analysis
        .outcomes
        .iter()
        .filter(|o| REPORTED_OUTCOMES.contains(&o.outcome.outcome))
        .collect()
}

/// A readable name for an outcome of a policy or a difference, its money in `currency`
/// ("Additional added value (EUR), …").
pub fn outcome_title(outcome: &OutcomeSensitivity, currency: &Currency) -> String {
    let name = outcome
        .outcome
        .outcome
        .replace('_', " ")
        .replace(" ltl", &format!(" ({})", currency.code))
        .replace("smes", "SMEs");
    let mut name = name;
    if let Some(first) = name.get(..1) {
        name = first.to_uppercase() + &name[1..];
    }
    if outcome.outcome.policy.contains(" - ") {
        format!(
            "{name}, difference {}",
            outcome.outcome.policy.replace(" - ", " − ")
        )
    } else {
        format!("{name}, {}", outcome.outcome.policy)
    }
}

fn interval(estimate: Option<Estimate>) -> String {
    estimate.map_or("—".into(), |e| {
        format!("{:.3} ({:.3} to {:.3})", e.value, e.low, e.high)
    })
}

fn number(value: f64) -> String {
    if !value.is_finite() {
        return "—".into();
    }
    let magnitude = value.abs();
    if magnitude >= 1000.0 {
        super::table::thousands(value, 0)
    } else if magnitude >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.3}")
    }
}

fn outcome_table(outcome: &OutcomeSensitivity) -> Table {
    let column = |heading: &str, numeric: bool| Column {
        heading: heading.into(),
        numeric,
        nowrap: false,
    };
    let (low, high) = TORNADO_PERCENTILES;
    Table {
        columns: vec![
            column("input", false),
            column("total index S_T (95% interval)", true),
            column("first-order S_1 (95% interval)", true),
            column("Morris μ*", true),
            column(
                &format!("tornado: at P{:.0} / P{:.0}", low * 100.0, high * 100.0),
                true,
            ),
        ],
        rows: top_inputs(outcome, TABLE_INPUTS)
            .into_iter()
            .map(|input| Row {
                cells: vec![
                    Span::code(input.input.clone()),
                    Span::text(interval(input.total)),
                    Span::text(interval(input.first)),
                    Span::text(input.morris.map_or("—".into(), |m| number(m.mu_star))),
                    Span::text(input.tornado.map_or("—".into(), |(low, high)| {
                        format!("{} / {}", number(low), number(high))
                    })),
                ],
                strong: false,
            })
            .collect(),
        total: None,
        grouped: false,
    }
}

fn paragraph(text: impl Into<String>) -> Block<'static> {
    Block::Paragraph(vec![Span::text(text)])
}

/// Builds the report document.
fn document<'a>(
    scenario: &Scenario,
    plan: &SensitivityPlan,
    analysis: &SensitivityAnalysis,
    manifest: &Manifest,
    charts: &'a [super::charts::Chart],
) -> Document<'a> {
    let inputs = plan.inputs.len();
    let samples = plan.saltelli.samples();
    let mut blocks: Vec<Block<'a>> = vec![
        Block::Paragraph(vec![
            Span::text(format!(
                "Which of the scenario's {inputs} uncertain inputs move the outcomes at the \
                 horizon, and how much of the outcomes' variance comes from the model's own \
                 randomness. Sobol' indices come from a Saltelli design of {} rows on a \
                 scrambled Sobol' sequence ({} simulations): the first-order index S_1 is the \
                 share of the outcome's variance that the input explains alone, the total index \
                 S_T the share it explains with all its interactions; an input with S_T near \
                 zero can be fixed anywhere in its range without changing the result. Intervals \
                 are 95% bootstrap intervals. The model's randomness is one more factor, ",
                super::table::thousands(samples as f64, 0),
                super::table::thousands(plan.saltelli.evaluations() as f64, 0)
            )),
            Span::code(STREAM_INPUT),
            Span::text(
                ", whose S_T is the share of variance that no knowledge of the inputs would \
                 remove.",
            ),
        ]),
        paragraph(format!(
            "Morris screening ({} trajectories) gives μ*, the mean absolute change of the outcome \
             when an input moves by half its probability range; the tornado sets each input to \
             its 10th and 90th percentile with the others at their medians, averaged over {} \
             replications on common random numbers. Every value is in sensitivity.csv.",
            plan.morris.evaluations() / (inputs + 1),
            plan.replications
        )),
    ];
    if analysis.warnings.is_empty() {
        blocks.push(paragraph(
            "No index is negative beyond rounding and every total-index interval is narrower \
             than 0.3: the sample is large enough to rank the inputs shown.",
        ));
    } else {
        for warning in &analysis.warnings {
            blocks.push(Block::Paragraph(vec![Span::text(format!(
                "Warning: {warning}."
            ))]));
        }
    }
    for outcome in reported(analysis) {
        blocks.push(Block::Heading(outcome_title(outcome, &scenario.currency)));
        match &outcome.note {
            Some(note) => blocks.push(paragraph(format!("No Sobol' indices: {note}."))),
            None => {
                let stream = outcome.inputs.iter().find(|i| i.input == STREAM_INPUT);
                if let Some(total) = stream.and_then(|s| s.total) {
                    blocks.push(paragraph(format!(
                        "The model's own randomness accounts for {:.0}% of the variance \
                         (total index {:.3}, 95% interval {:.3} to {:.3}); the rest comes from \
                         the uncertain inputs.",
                        100.0 * total.value.clamp(0.0, 1.0),
                        total.value,
                        total.low,
                        total.high
                    )));
                }
                let sum: f64 = outcome
                    .inputs
                    .iter()
                    .filter_map(|i| i.total.map(|t| t.value))
                    .sum();
                if sum > INTERACTION_SUM {
                    blocks.push(paragraph(format!(
                        "The total indices sum to {sum:.2}: much of the variance comes from \
                         interactions, including model noise re-drawn whenever an input changes \
                         (docs/MODEL.md §13b). Rank these inputs by S_1, μ* and the tornado as \
                         well as by S_T."
                    )));
                }
                blocks.push(Block::Table(outcome_table(outcome)));
            }
        }
    }
    for (number, chart) in charts.iter().enumerate() {
        blocks.push(Block::Figure(number + 1, chart));
    }
    let reproduce: Vec<(String, Span)> = vec![
        ("Command".into(), Span::code(manifest.command.clone())),
        ("Seed".into(), Span::text(manifest.seed.to_string())),
        ("Simulations".into(), Span::text(manifest.runs.to_string())),
        (
            "Scenario SHA-256".into(),
            Span::code(manifest.scenario_sha256.clone()),
        ),
        (
            "clustersim version".into(),
            Span::text(manifest.version.clone()),
        ),
    ];
    let lead: Vec<Paragraph> = vec![vec![Span::text(format!(
        "Global sensitivity analysis of {} under {}.",
        scenario.name,
        analysis
            .outcomes
            .iter()
            .map(|o| o.outcome.policy.as_str())
            .filter(|p| !p.contains(" - "))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect::<Vec<_>>()
            .join(" and ")
    ))]];
    Document {
        title: format!("{}: which assumptions matter", scenario.name),
        lead,
        sections: vec![
            Section {
                id: "sensitivity",
                heading: "Sensitivity",
                blocks,
            },
            Section {
                id: "reproduce",
                heading: "Reproduce",
                blocks: vec![Block::Facts(reproduce)],
            },
        ],
    }
}

/// Draws the charts into `folder/charts/` and writes `report.html` and `report.md`.
pub fn write_sensitivity_reports(
    folder: &Path,
    scenario: &Scenario,
    plan: &SensitivityPlan,
    analysis: &SensitivityAnalysis,
    manifest: &Manifest,
    options: &ChartOptions,
) -> anyhow::Result<()> {
    let charts = render_sensitivity_charts(analysis, &scenario.currency, options)
        .context("drawing the charts")?;
    let chart_folder = folder.join("charts");
    std::fs::create_dir_all(&chart_folder)
        .with_context(|| format!("creating '{}'", chart_folder.display()))?;
    for chart in &charts {
        write_atomically(
            &chart_folder.join(format!("{}.svg", chart.name)),
            chart.svg.as_bytes(),
        )?;
        write_atomically(
            &chart_folder.join(format!("{}.png", chart.name)),
            &chart.png,
        )?;
    }
    let document = document(scenario, plan, analysis, manifest, &charts);
    write_atomically(
        &folder.join("report.html"),
        document_html(&document, &charts).as_bytes(),
    )?;
    write_atomically(&folder.join("report.md"), document_md(&document).as_bytes())
}
