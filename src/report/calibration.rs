//! The charts and report of a calibration folder: prior against posterior per input, the
//! predictive check per target, and a "Calibration" report (`report.html`, `report.md`) that
//! lists misfits first with the closest value the model reached, the fit per target, which
//! inputs the data narrowed (posterior 90% width ÷ prior 90% width), and the generations.
//!
//! Drawn from the folder's `posterior.csv`, `fit.csv` and `generations.csv` only, so
//! `clustersim calibrate` and `clustersim report DIR` give the same bytes.

use std::path::Path;

use anyhow::Context;

use super::calibration_data::{AS_WIDE, Calibration, FitRow, InputSummary, NARROWED};
use super::charts::style::format_value;
use super::charts::{Chart, ChartOptions, render_calibration_charts};
use super::document::{Block, Column, Document, Paragraph, Row, Section, Span, Table};
use super::html::document_html;
use super::markdown::document_md;
use super::output_dir::write_atomically;
use super::render::replace_charts;
use super::table::thousands;
use crate::scenario::Scenario;

/// Files and folders the calibration report writes into a calibration folder.
pub const CALIBRATION_REPORT_FILES: [&str; 3] = ["charts/", "report.html", "report.md"];

/// Reads `posterior.csv`, `fit.csv` and `generations.csv` from `dir` and writes the calibration
/// charts (`charts/`, SVG and PNG at the default 160 dpi) and `report.html` and `report.md`.
pub fn write_calibration_outputs(dir: &Path, scenario: &Scenario) -> anyhow::Result<()> {
    write_calibration_outputs_with(dir, scenario, &ChartOptions::default())
}

/// [`write_calibration_outputs`] at a chosen chart size.
pub fn write_calibration_outputs_with(
    dir: &Path,
    scenario: &Scenario,
    options: &ChartOptions,
) -> anyhow::Result<()> {
    let calibration = Calibration::load(dir, scenario)
        .with_context(|| format!("reading the calibration in '{}'", dir.display()))?;
    let charts = render_calibration_charts(&calibration, options).context("drawing the charts")?;
    replace_charts(dir, &charts)?;
    let document = document(&calibration, &charts);
    write_atomically(
        &dir.join("report.html"),
        document_html(&document, &charts).as_bytes(),
    )?;
    write_atomically(&dir.join("report.md"), document_md(&document).as_bytes())
}

/// How much the data narrowed an input, in words.
pub fn narrowing(ratio: Option<f64>) -> &'static str {
    match ratio {
        None => "fixed prior width",
        Some(ratio) if ratio < NARROWED => "narrowed",
        Some(ratio) if ratio < AS_WIDE => "partly narrowed",
        Some(_) => "about as wide as the prior",
    }
}

/// A number as the report writes it: whole numbers with thousands separators and no decimals,
/// others to three significant digits.
fn number(value: f64) -> String {
    if value.is_finite() && value.fract() == 0.0 && value.abs() < 1e15 {
        thousands(value, 0)
    } else {
        format_value(value)
    }
}

fn value(value: Option<f64>) -> String {
    value.map_or("—".into(), number)
}

fn mean_interval(summary: [Option<f64>; 3]) -> String {
    match summary {
        [Some(mean), Some(low), Some(high)] => {
            format!("{} ({} to {})", number(mean), number(low), number(high))
        }
        [mean, _, _] => value(mean),
    }
}

/// What kind of observation a target is, in words.
fn kind_words(kind: &str) -> &str {
    match kind {
        "sd" => "with a standard deviation",
        "interval" => "within an interval",
        "at_least" => "a lower bound",
        "at_most" => "an upper bound",
        other => other,
    }
}

/// The acceptable band of a target in words.
pub fn band(row: &FitRow) -> String {
    match (row.lower, row.upper) {
        (Some(lower), Some(upper)) => format!("{} to {}", number(lower), number(upper)),
        (Some(lower), None) => format!("at least {}", number(lower)),
        (None, Some(upper)) => format!("at most {}", number(upper)),
        (None, None) => "—".into(),
    }
}

fn column(heading: &str, numeric: bool) -> Column {
    Column {
        heading: heading.into(),
        numeric,
        nowrap: false,
    }
}

fn table(columns: Vec<Column>, rows: Vec<Vec<Span>>) -> Block<'static> {
    Block::Table(Table {
        columns,
        rows: rows.into_iter().map(Row::new).collect(),
        total: None,
        grouped: false,
    })
}

fn paragraph(text: impl Into<String>) -> Block<'static> {
    Block::Paragraph(vec![Span::text(text)])
}

/// A target's first cells in the misfit and fit tables: name, quantity, observed value with its
/// kind, acceptable band.
fn target_cells(row: &FitRow) -> Vec<Span> {
    vec![
        Span::code(row.target.clone()),
        Span::text(row.quantity.clone()),
        Span::text(format!(
            "{} ({})",
            number(row.observed),
            kind_words(&row.kind)
        )),
        Span::text(band(row)),
    ]
}

fn misfits_section(calibration: &Calibration) -> Option<Section<'static>> {
    let misfits = calibration.misfits();
    if misfits.is_empty() {
        return None;
    }
    let rows = misfits
        .iter()
        .map(|row| {
            let mut cells = target_cells(row);
            cells.push(Span::text(mean_interval(row.posterior)));
            cells.push(Span::text(value(row.closest)));
            cells
        })
        .collect();
    Some(Section {
        id: "misfits",
        heading: "Misfits",
        blocks: vec![
            paragraph(format!(
                "{} the model does not reach under any parameter set the posterior holds: the \
                 posterior predictive 90% interval excludes the observation. The closest value \
                 is the simulated value nearest the observation over all posterior predictive \
                 draws. A misfit points at a mechanism the model lacks, an observation that \
                 measures something else, or a prior too narrow to reach it.",
                if misfits.len() == 1 {
                    "One target".to_string()
                } else {
                    format!("{} targets", misfits.len())
                }
            )),
            table(
                vec![
                    column("target", false),
                    column("quantity", false),
                    column("observed", true),
                    column("acceptable band", true),
                    column("posterior predictive mean (90%)", true),
                    column("closest simulated", true),
                ],
                rows,
            ),
        ],
    })
}

fn fit_section<'a>(calibration: &Calibration, chart: Option<(usize, &'a Chart)>) -> Section<'a> {
    let rows = calibration
        .fit
        .iter()
        .map(|row| {
            let mut cells = target_cells(row);
            cells.extend([
                Span::text(mean_interval(row.prior)),
                Span::text(mean_interval(row.posterior)),
                Span::text(if row.inside { "yes" } else { "no" }),
                Span::text(if row.misfit { "misfit" } else { "fits" }),
                Span::text(row.source.clone()),
            ]);
            cells
        })
        .collect();
    let mut blocks = vec![
        paragraph(
            "Each target's observed value (or bound), the band its stated uncertainty \
             allows, and the model's prior and posterior predictive means with their 90% \
             intervals (5th to 95th percentile). \"Inside\" says whether the observation lies \
             within the posterior predictive 90% interval.",
        ),
        table(
            vec![
                column("target", false),
                column("quantity", false),
                column("observed", true),
                column("acceptable band", true),
                column("prior predictive mean (90%)", true),
                column("posterior predictive mean (90%)", true),
                column("inside", false),
                column("fit", false),
                column("source", false),
            ],
            rows,
        ),
    ];
    if let Some((number, chart)) = chart {
        blocks.push(Block::Figure(number, chart));
    }
    Section {
        id: "fit",
        heading: "Fit per target",
        blocks,
    }
}

fn input_row(input: &InputSummary) -> Vec<Span> {
    let interval = |[mean, low, high]: [f64; 3]| {
        format!("{} ({} to {})", number(mean), number(low), number(high))
    };
    let ratio = input.width_ratio();
    vec![
        Span::code(input.label.clone()),
        Span::text(interval(input.prior)),
        Span::text(interval(input.posterior)),
        Span::text(ratio.map_or("—".into(), |ratio| format!("{ratio:.2}"))),
        Span::text(narrowing(ratio)),
    ]
}

fn inputs_section<'a>(calibration: &Calibration, chart: Option<(usize, &'a Chart)>) -> Section<'a> {
    let mut inputs: Vec<&InputSummary> = calibration.inputs.iter().collect();
    inputs.sort_by(|a, b| {
        let key = |input: &InputSummary| input.width_ratio().unwrap_or(f64::INFINITY);
        key(a)
            .total_cmp(&key(b))
            .then_with(|| a.label.cmp(&b.label))
    });
    let names = |verdict: &str| -> String {
        let names: Vec<&str> = inputs
            .iter()
            .filter(|input| narrowing(input.width_ratio()) == verdict)
            .map(|input| input.label.as_str())
            .collect();
        if names.is_empty() {
            "none".into()
        } else {
            names.join(", ")
        }
    };
    let mut blocks = vec![
        paragraph(format!(
            "How much the observations narrowed each calibrated input: the posterior's 90% \
             interval (weighted 5th to 95th percentile of the particles) against the prior's \
             (the scenario's distribution on the input's valid range), as the ratio of their \
             widths. Below {NARROWED} the data pin the input down (\"narrowed\"); from {AS_WIDE} \
             up they leave it about as wide as the prior. Narrowed: {}. About as wide as the \
             prior: {}.",
            names("narrowed"),
            names("about as wide as the prior"),
        )),
        table(
            vec![
                column("input", false),
                column("prior mean (90%)", true),
                column("posterior mean (90%)", true),
                column("width ratio", true),
                column("verdict", false),
            ],
            inputs.into_iter().map(input_row).collect(),
        ),
    ];
    if let Some((number, chart)) = chart {
        blocks.push(Block::Figure(number, chart));
    }
    Section {
        id: "inputs",
        heading: "Which inputs the data narrowed",
        blocks,
    }
}

fn generations_section(calibration: &Calibration) -> Section<'static> {
    let rows = calibration
        .generations
        .iter()
        .map(|generation| {
            vec![
                Span::text(generation.generation.to_string()),
                Span::text(format_value(generation.tolerance)),
                Span::text(thousands(generation.particles as f64, 0)),
                Span::text(thousands(generation.simulations as f64, 0)),
                Span::text(format!("{:.1}%", 100.0 * generation.acceptance_rate)),
                Span::text(format_value(generation.ess)),
            ]
        })
        .collect();
    Section {
        id: "generations",
        heading: "Generations",
        blocks: vec![
            paragraph(
                "Each ABC-SMC generation accepts particles whose simulated targets lie within a \
                 smaller distance tolerance than the last; the effective sample size (1/Σw²) \
                 says how many independent draws the weighted particles are worth.",
            ),
            table(
                vec![
                    column("generation", true),
                    column("tolerance", true),
                    column("particles", true),
                    column("simulations", true),
                    column("acceptance", true),
                    column("effective sample size", true),
                ],
                rows,
            ),
        ],
    }
}

fn reproduce_section(calibration: &Calibration) -> Section<'static> {
    let mut facts = Vec::new();
    if let Some(manifest) = &calibration.manifest {
        let text = |key: &str| {
            manifest
                .get(key)
                .and_then(|v| v.as_str())
                .filter(|text| !text.is_empty())
                .map(str::to_string)
        };
        if let Some(command) = text("command") {
            facts.push(("Command".to_string(), Span::code(command)));
        }
        if let Some(seed) = manifest.get("seed").and_then(|v| v.as_u64()) {
            facts.push(("Seed".to_string(), Span::text(seed.to_string())));
        }
        if let Some(hash) = text("scenario_sha256") {
            facts.push(("Scenario SHA-256".to_string(), Span::code(hash)));
        }
        let calibration_field = |key: &str| {
            manifest
                .get("calibration")
                .and_then(|c| c.get(key))
                .and_then(|v| v.as_str())
                .filter(|text| !text.is_empty())
                .map(str::to_string)
        };
        if let Some(file) = calibration_field("targets_file") {
            facts.push(("Targets file".to_string(), Span::code(file)));
        }
        if let Some(hash) = calibration_field("targets_hash") {
            facts.push(("Targets SHA-256".to_string(), Span::code(hash)));
        }
        if let Some(version) = text("version") {
            facts.push(("clustersim version".to_string(), Span::text(version)));
        }
    }
    facts.push((
        "Posterior SHA-256".to_string(),
        Span::code(calibration.posterior.sha256.clone()),
    ));
    Section {
        id: "reproduce",
        heading: "Reproduce",
        blocks: vec![
            Block::Facts(facts),
            Block::Paragraph(vec![
                Span::text("Use the posterior in projections and comparisons with "),
                Span::code(format!(
                    "clustersim run SCENARIO --posterior {}",
                    calibration.posterior.folder
                )),
                Span::text(" (or "),
                Span::code("compare"),
                Span::text(")."),
            ]),
        ],
    }
}

/// The report's content.
fn document<'a>(calibration: &Calibration, charts: &'a [Chart]) -> Document<'a> {
    let chart = |name: &str| {
        charts
            .iter()
            .enumerate()
            .find(|(_, chart)| chart.name == name)
            .map(|(index, chart)| (index + 1, chart))
    };
    let posterior = &calibration.posterior;
    let mut lead: Vec<Paragraph> = vec![vec![Span::text(format!(
        "Calibration of {} uncertain input{} of {} to {} observed target{}: the posterior holds \
         {} particles with an effective sample size of {}{}.",
        calibration.inputs.len(),
        if calibration.inputs.len() == 1 {
            ""
        } else {
            "s"
        },
        calibration.scenario_name,
        calibration.fit.len(),
        if calibration.fit.len() == 1 { "" } else { "s" },
        thousands(posterior.particles() as f64, 0),
        format_value(posterior.effective_sample_size()),
        match calibration.generations.last() {
            Some(last) => format!(
                " after {} generation{} (final tolerance {})",
                calibration.generations.len(),
                if calibration.generations.len() == 1 {
                    ""
                } else {
                    "s"
                },
                format_value(last.tolerance)
            ),
            None => String::new(),
        }
    ))]];
    let misfits = calibration.misfits();
    lead.push(vec![Span::text(if misfits.is_empty() {
        "No target is a misfit: the posterior predictive 90% interval of every target reaches \
         its observation."
            .to_string()
    } else {
        format!(
            "Misfits (listed first below): {}.",
            misfits
                .iter()
                .map(|row| format!(
                    "{} (observed {}, closest simulated {})",
                    row.target,
                    number(row.observed),
                    value(row.closest)
                ))
                .collect::<Vec<_>>()
                .join("; ")
        )
    })]);
    let mut sections: Vec<Section<'a>> = misfits_section(calibration).into_iter().collect();
    sections.push(fit_section(calibration, chart("calibration-fit")));
    sections.push(inputs_section(calibration, chart("calibration-inputs")));
    sections.push(generations_section(calibration));
    sections.push(reproduce_section(calibration));
    Document {
        title: format!(
            "{}: calibration to what was observed",
            calibration.scenario_name
        ),
        lead,
        sections,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn narrowing_follows_the_thresholds() {
        assert_eq!(narrowing(Some(0.2)), "narrowed");
        assert_eq!(narrowing(Some(NARROWED)), "partly narrowed");
        assert_eq!(narrowing(Some(0.79)), "partly narrowed");
        assert_eq!(narrowing(Some(AS_WIDE)), "about as wide as the prior");
        assert_eq!(narrowing(None), "fixed prior width");
    }
}
