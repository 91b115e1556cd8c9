//! CSV exporters: `summary.csv`, `allocations.csv` and the streaming `runs.csv`.
//!
//! Numbers are written with Rust's shortest exact representation, so the same aggregates always
//! give the same bytes; undefined values (e.g. the cost per additional networked SME when no
//! firm was added) are left blank.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::engine::outcomes::{
    CLUSTER_OUTCOMES, HEADLINE_OUTCOMES, TOTAL_OUTCOMES, is_count, is_network_outcome,
    present_percentile, structure_measured,
};
use crate::engine::{Aggregates, RunRecord};
use crate::model::{LEDGER_FIELDS, MEASURE_QUANTITIES};
use crate::policy::INSTRUMENTS;
use crate::scenario::Scenario;
use crate::scenario::currency::Currency;
use crate::stats::Summary;

/// A number for a CSV cell: blank if not finite.
pub fn cell(value: f64) -> String {
    if value.is_finite() {
        format!("{value}")
    } else {
        String::new()
    }
}

/// Quotes a text cell if it needs it (RFC 4180).
pub fn text(value: &str) -> String {
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_string()
    }
}

fn summary_cells(summary: &Summary, outcome: &str) -> String {
    let count = is_count(outcome);
    let percentile = |value: f64| present_percentile(value, count);
    [
        summary.mean,
        summary.standard_error,
        summary.sd,
        percentile(summary.p5),
        percentile(summary.p25),
        percentile(summary.p50),
        percentile(summary.p75),
        percentile(summary.p95),
    ]
    .iter()
    .map(|v| {
        if summary.n == 0 {
            String::new()
        } else {
            cell(*v)
        }
    })
    .collect::<Vec<_>>()
    .join(",")
}

/// Header of `summary.csv`.
pub const SUMMARY_HEADER: &str =
    "period,cluster,outcome,n,mean,standard_error,sd,p5,p25,p50,p75,p95";
/// Header of `allocations.csv`: the money columns in the scenario's currency, then in the
/// second currency when one is shown (`…,mean_ltl,p5_ltl,p50_ltl,p95_ltl,mean_eur,…,p95_eur`
/// for an LTL scenario).
pub fn allocations_header(currency: &Currency) -> String {
    let mut header = String::from("year,cluster,instrument,quantity");
    let codes = std::iter::once(currency.code).chain(currency.also_in.as_ref().map(|s| s.code));
    for code in codes {
        for statistic in ["mean", "p5", "p50", "p95"] {
            let _ = write!(header, ",{statistic}_{}", code.to_lowercase());
        }
    }
    header
}

/// `summary.csv`: one row per (period, cluster or `total`, outcome); the network-structure
/// outcomes only in the quarters where they are measured (year ends).
pub fn summary_csv(scenario: &Scenario, aggregates: &Aggregates) -> String {
    let mut out = format!("{SUMMARY_HEADER}\n");
    for quarter in 0..scenario.budget.quarters() {
        let period = scenario.budget.period_label(quarter);
        let listed = |outcome: &str| structure_measured(quarter) || !is_network_outcome(outcome);
        let mut slot = 0;
        for cluster in &scenario.clusters {
            for outcome in CLUSTER_OUTCOMES {
                if !listed(outcome) {
                    slot += 1;
                    continue;
                }
                let summary = aggregates.series_summary(quarter, slot);
                let _ = writeln!(
                    out,
                    "{period},{},{},{},{}",
                    text(&cluster.id),
                    scenario.currency.name(outcome),
                    summary.n,
                    summary_cells(&summary, outcome)
                );
                slot += 1;
            }
        }
        for outcome in TOTAL_OUTCOMES {
            if !listed(outcome) {
                slot += 1;
                continue;
            }
            let summary = aggregates.series_summary(quarter, slot);
            let _ = writeln!(
                out,
                "{period},total,{},{},{}",
                scenario.currency.name(outcome),
                summary.n,
                summary_cells(&summary, outcome)
            );
            slot += 1;
        }
    }
    out
}

/// `allocations.csv`: one row per (year, cluster, instrument, ledger field) with the mean and
/// percentiles over runs in the scenario's currency (and the second currency, if shown).
pub fn allocations_csv(scenario: &Scenario, aggregates: &Aggregates) -> String {
    let mut out = format!("{}\n", allocations_header(&scenario.currency));
    let clusters = scenario.clusters.len();
    for year in 0..scenario.budget.funding_years() {
        for (index, cluster) in scenario.clusters.iter().enumerate() {
            for (instrument, instrument_name) in INSTRUMENTS.iter().enumerate() {
                for (field, field_name) in LEDGER_FIELDS.iter().enumerate() {
                    let cell_index =
                        ((year * clusters + index) * 2 + instrument) * LEDGER_FIELDS.len() + field;
                    let summary = aggregates.ledger[cell_index].summary();
                    let cells = money_cells(&summary, &scenario.currency);
                    let _ = writeln!(
                        out,
                        "{},{},{instrument_name},{field_name},{}",
                        scenario.budget.first_year + year as i32,
                        text(&cluster.id),
                        cells.join(",")
                    );
                }
            }
        }
    }
    out
}

/// The money cells of a ledger row: mean, p5, p50 and p95 in the scenario's currency, then in
/// its `also_in` currency if it shows one (the columns of [`allocations_header`]).
fn money_cells(summary: &Summary, currency: &Currency) -> Vec<String> {
    let values = [
        summary.mean,
        present_percentile(summary.p5, false),
        present_percentile(summary.p50, false),
        present_percentile(summary.p95, false),
    ];
    let mut cells: Vec<String> = values.iter().map(|v| cell(*v)).collect();
    if let Some(second) = &currency.also_in {
        cells.extend(values.iter().map(|v| cell(second.convert(*v))));
    }
    cells
}

/// Header of `measures.csv`: the money columns in the scenario's currency, then in its `also_in`
/// currency if it shows one (as `allocations.csv`).
pub fn measures_header(currency: &Currency) -> String {
    allocations_header(currency).replacen("year,cluster,", "year,measure,", 1)
}

/// `measures.csv`: the ledger per (year, measure), summed over clusters — one row per
/// instrument and ledger field, then the money the year's allocation did not contract (returned,
/// and carried into the measure's next year) — with the mean and percentiles over runs in the
/// scenario's currency (and its `also_in` currency). A file without measures has one measure, `budget`.
pub fn measures_csv(scenario: &Scenario, aggregates: &Aggregates) -> String {
    let mut out = format!("{}\n", measures_header(&scenario.currency));
    let measures = &scenario.budget.measures;
    for year in 0..scenario.budget.funding_years() {
        for (index, measure) in measures.iter().enumerate() {
            for (quantity, (instrument, name)) in MEASURE_QUANTITIES.iter().enumerate() {
                let slot = (year * measures.len() + index) * MEASURE_QUANTITIES.len() + quantity;
                let Some(accumulator) = aggregates.measures.get(slot) else {
                    continue;
                };
                let cells = money_cells(&accumulator.summary(), &scenario.currency);
                let _ = writeln!(
                    out,
                    "{},{},{instrument},{name},{}",
                    scenario.budget.first_year + year as i32,
                    text(&measure.id),
                    cells.join(",")
                );
            }
        }
    }
    out
}

/// A CSV file written row by row under a temporary name and renamed into place when finished.
pub struct StreamingCsv {
    writer: BufWriter<File>,
    temporary: PathBuf,
    path: PathBuf,
}

impl StreamingCsv {
    /// Creates `path` (through a temporary name) and writes `header`.
    pub fn create(path: &Path, header: &str) -> anyhow::Result<Self> {
        let temporary = path.with_extension("csv.tmp");
        let file = File::create(&temporary)
            .with_context(|| format!("creating '{}'", temporary.display()))?;
        let mut stream = Self {
            writer: BufWriter::new(file),
            temporary,
            path: path.to_path_buf(),
        };
        stream.line(header)?;
        Ok(stream)
    }

    /// Appends text made of whole lines (each with its newline).
    pub fn lines(&mut self, text: &str) -> anyhow::Result<()> {
        self.writer
            .write_all(text.as_bytes())
            .with_context(|| format!("writing '{}'", self.temporary.display()))
    }

    /// Appends one line (without its newline).
    pub fn line(&mut self, line: &str) -> anyhow::Result<()> {
        writeln!(self.writer, "{line}")
            .with_context(|| format!("writing '{}'", self.temporary.display()))
    }

    /// Flushes, syncs and renames into place.
    pub fn finish(self) -> anyhow::Result<()> {
        let file = self
            .writer
            .into_inner()
            .map_err(|error| error.into_error())
            .with_context(|| format!("writing '{}'", self.temporary.display()))?;
        file.sync_all()
            .with_context(|| format!("writing '{}'", self.temporary.display()))?;
        std::fs::rename(&self.temporary, &self.path)
            .with_context(|| format!("renaming to '{}'", self.path.display()))
    }
}

/// Streams `runs.csv`: one row per run with its parameters and horizon outcomes.
pub struct RunsWriter {
    stream: StreamingCsv,
}

impl RunsWriter {
    /// Creates `path` (through a temporary name) and writes the header.
    pub fn create(path: &Path, scenario: &Scenario) -> anyhow::Result<Self> {
        Ok(Self {
            stream: StreamingCsv::create(path, &Self::header(scenario))?,
        })
    }

    /// The header line of `runs.csv` (without its newline).
    pub fn header(scenario: &Scenario) -> String {
        let mut header = vec!["run".to_string()];
        header.extend(
            scenario
                .parameter_slots()
                .iter()
                .map(|slot| text(&scenario.currency.name(&slot.label))),
        );
        header.extend(
            HEADLINE_OUTCOMES
                .iter()
                .map(|name| scenario.currency.name(name).into_owned()),
        );
        header.join(",")
    }

    /// Appends one run.
    pub fn push(&mut self, record: &RunRecord) -> anyhow::Result<()> {
        let mut line = String::new();
        Self::format(record, &mut line);
        self.stream.lines(&line)
    }

    /// Appends one run's line, with its newline, to `text` (no I/O: callable on any thread).
    pub fn format(record: &RunRecord, text: &mut String) {
        text.push_str(&record.run.to_string());
        for value in record.parameters.iter().chain(&record.headline) {
            text.push(',');
            text.push_str(&cell(*value));
        }
        text.push('\n');
    }

    /// Appends lines formatted by [`RunsWriter::format`].
    pub fn push_lines(&mut self, text: &str) -> anyhow::Result<()> {
        self.stream.lines(text)
    }

    /// Flushes and renames into place.
    pub fn finish(self) -> anyhow::Result<()> {
        self.stream.finish()
    }
}
