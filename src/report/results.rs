//! A saved result folder read back: the manifest, the scenario that was run and the three CSV
//! tables (`runs.csv` in bounded memory, see [`super::runs_digest`]). Charts and reports are rendered from this, both at the end of `run` and by
//! `clustersim report`, so re-rendering never needs the simulation and gives the same bytes.

use std::fs;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use super::Manifest;
use super::runs_digest::{Bounds, RunsDigest};
use crate::scenario::{Scenario, load_str};

/// One row of `summary.csv`. Statistics are `None` where the file has a blank (no defined value).
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryRow {
    /// Period label, e.g. `2007Q1`.
    pub period: String,
    /// Cluster id or `total`.
    pub cluster: String,
    /// Outcome name.
    pub outcome: String,
    /// Runs in which the outcome is defined.
    pub n: u64,
    /// Mean.
    pub mean: Option<f64>,
    /// Standard error of the mean.
    pub standard_error: Option<f64>,
    /// Standard deviation.
    pub sd: Option<f64>,
    /// Percentiles 5, 25, 50, 75, 95.
    pub percentiles: [Option<f64>; 5],
}

/// One row of `allocations.csv`: its columns in the scenario's currency (the second currency's
/// columns, if any, are these converted at the fixed rate).
#[derive(Debug, Clone, PartialEq)]
pub struct AllocationRow {
    /// Funding year.
    pub year: i32,
    /// Cluster id.
    pub cluster: String,
    /// `infrastructure` or `activity`.
    pub instrument: String,
    /// `allocated`, `absorbed`, `carried` or `returned`.
    pub quantity: String,
    /// Mean over runs, in the scenario's currency.
    pub mean: Option<f64>,
    /// 5th percentile.
    pub p5: Option<f64>,
    /// Median.
    pub p50: Option<f64>,
    /// 95th percentile.
    pub p95: Option<f64>,
}

/// Rows of `runs.csv` held whole: the header and one row of values per run (blank cells are
/// `None`); in a [`RunsDigest`], the first [`SAMPLE_RUNS`](super::runs_digest::SAMPLE_RUNS).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RunsTable {
    /// Column names (first is `run`).
    pub columns: Vec<String>,
    /// Rows in run order.
    pub rows: Vec<Vec<Option<f64>>>,
}

impl RunsTable {
    /// The values of one column in run order, or None if there is no such column.
    pub fn column(&self, name: &str) -> Option<Vec<Option<f64>>> {
        let index = self.columns.iter().position(|c| c == name)?;
        Some(
            self.rows
                .iter()
                .map(|row| row.get(index).copied().flatten())
                .collect(),
        )
    }
}

/// A result folder read back.
#[derive(Debug, Clone)]
pub struct ResultSet {
    /// The folder.
    pub folder: PathBuf,
    /// `manifest.json`.
    pub manifest: Manifest,
    /// `scenario.json` as text.
    pub scenario_text: String,
    /// The scenario, checked again.
    pub scenario: Scenario,
    /// `summary.csv` rows in file order.
    pub summary: Vec<SummaryRow>,
    /// `allocations.csv` rows in file order.
    pub allocations: Vec<AllocationRow>,
    /// `runs.csv`, read in memory independent of its length.
    pub runs: RunsDigest,
    /// The comparison, for a folder written by `clustersim compare` (its summary, allocations
    /// and runs describe the baseline policy).
    pub comparison: Option<super::comparison::ComparisonSet>,
    /// What drives the headline outcomes, computed from `runs.csv`.
    pub drivers: super::drivers::Drivers,
    /// For a comparison on common random numbers: the leader's difference to the runner-up
    /// within each third of each uncertain input (from `runs.csv` and `comparison_runs.csv`).
    pub verdict_by_input: Option<super::verdict_by_input::VerdictByInput>,
}

pub(crate) fn read(folder: &Path, name: &str) -> anyhow::Result<String> {
    let path = folder.join(name);
    fs::read_to_string(&path).with_context(|| {
        format!(
            "reading '{}' (is '{}' a clustersim result folder?)",
            path.display(),
            folder.display()
        )
    })
}

/// `folder/name` opened for reading line by line.
pub(crate) fn open(folder: &Path, name: &str) -> anyhow::Result<BufReader<fs::File>> {
    let path = folder.join(name);
    let file = fs::File::open(&path).with_context(|| {
        format!(
            "reading '{}' (is '{}' a clustersim result folder?)",
            path.display(),
            folder.display()
        )
    })?;
    Ok(BufReader::with_capacity(1 << 16, file))
}

pub(crate) fn number(cell: &str, file: &str, line: usize) -> anyhow::Result<Option<f64>> {
    if cell.is_empty() {
        return Ok(None);
    }
    let value: f64 = cell
        .parse()
        .with_context(|| format!("{file} line {line}: '{cell}' is not a number"))?;
    Ok(value.is_finite().then_some(value))
}

/// Splits a CSV line written by this tool (text cells quoted only when they hold `,` or `"`).
pub(crate) fn split(line: &str) -> Vec<String> {
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => cells.push(std::mem::take(&mut cell)),
            _ => cell.push(c),
        }
    }
    cells.push(cell);
    cells
}

fn rows<'a>(
    text: &'a str,
    file: &'a str,
    header: &str,
) -> anyhow::Result<impl Iterator<Item = (usize, Vec<String>)> + 'a> {
    let mut lines = text.lines();
    match lines.next() {
        Some(first) if first == header => {}
        _ => bail!("{file} does not start with the expected header '{header}'"),
    }
    Ok(lines
        .enumerate()
        .map(|(index, line)| (index + 2, split(line))))
}

/// Each outcome and `runs.csv` column name as the scenario's currency writes it → the name the
/// code uses (`allocated_eur` → `allocated_ltl`); names the currency does not change are absent.
fn canonical_names(scenario: &Scenario) -> std::collections::HashMap<String, String> {
    let outcomes = crate::engine::outcomes::CLUSTER_OUTCOMES
        .iter()
        .chain(crate::engine::outcomes::TOTAL_OUTCOMES.iter())
        .chain(crate::engine::outcomes::HEADLINE_OUTCOMES.iter())
        .map(|name| name.to_string());
    let slots = scenario
        .parameter_slots()
        .into_iter()
        .map(|slot| slot.label);
    outcomes
        .chain(slots)
        .filter_map(|name| {
            let written = scenario.currency.name(&name).into_owned();
            (written != name).then_some((written, name))
        })
        .collect()
}

impl ResultSet {
    /// Reads a result folder written by `clustersim run`.
    pub fn load(folder: &Path) -> anyhow::Result<Self> {
        let manifest: Manifest = serde_json::from_str(&read(folder, "manifest.json")?)
            .with_context(|| format!("reading '{}'", folder.join("manifest.json").display()))?;
        let scenario_text = read(folder, "scenario.json")?;
        let scenario = load_str(
            &scenario_text,
            &folder.join("scenario.json").display().to_string(),
        )?;

        // Outcome and column names are written in the scenario's currency
        // (`allocated_eur`); the report code looks them up by their canonical names.
        let canonical = canonical_names(&scenario);
        let canonical_name = |name: String| match canonical.get(&name) {
            Some(known) => known.clone(),
            None => name,
        };
        let text = read(folder, "summary.csv")?;
        let mut summary = Vec::new();
        for (line, cells) in rows(&text, "summary.csv", super::csv::SUMMARY_HEADER)? {
            if cells.len() != 12 {
                bail!(
                    "summary.csv line {line}: expected 12 cells, found {}",
                    cells.len()
                );
            }
            let value = |index: usize| number(&cells[index], "summary.csv", line);
            summary.push(SummaryRow {
                period: cells[0].clone(),
                cluster: cells[1].clone(),
                outcome: canonical_name(cells[2].clone()),
                n: cells[3]
                    .parse()
                    .with_context(|| format!("summary.csv line {line}: bad n"))?,
                mean: value(4)?,
                standard_error: value(5)?,
                sd: value(6)?,
                percentiles: [value(7)?, value(8)?, value(9)?, value(10)?, value(11)?],
            });
        }

        let text = read(folder, "allocations.csv")?;
        let mut allocations = Vec::new();
        let header = super::csv::allocations_header(&scenario.currency);
        let width = header.split(',').count();
        for (line, cells) in rows(&text, "allocations.csv", &header)? {
            if cells.len() != width {
                bail!(
                    "allocations.csv line {line}: expected {width} cells, found {}",
                    cells.len()
                );
            }
            let value = |index: usize| number(&cells[index], "allocations.csv", line);
            allocations.push(AllocationRow {
                year: cells[0]
                    .parse()
                    .with_context(|| format!("allocations.csv line {line}: bad year"))?,
                cluster: cells[1].clone(),
                instrument: cells[2].clone(),
                quantity: cells[3].clone(),
                mean: value(4)?,
                p5: value(5)?,
                p50: value(6)?,
                p95: value(7)?,
            });
        }

        let runs_path = folder.join("runs.csv");
        let runs = RunsDigest::read(
            || open(folder, "runs.csv"),
            canonical_name,
            Bounds::default(),
        )
        .with_context(|| format!("reading '{}'", runs_path.display()))?;
        let comparison = match &manifest.comparison {
            None => None,
            Some(manifest) => {
                let mut set = super::comparison::ComparisonSet::parse(
                    &read(folder, "comparison.csv")?,
                    &read(folder, "comparison_periods.csv")?,
                )?;
                // Folders written before the pairwise matrix existed have no pairs file.
                if folder.join("comparison_pairs.csv").exists() {
                    set = set.with_pairs(&read(folder, "comparison_pairs.csv")?)?;
                }
                set = set.with_canonical_names(&scenario.currency);
                set.min_difference = manifest.min_difference;
                Some(set)
            }
        };
        let mut results = Self {
            folder: folder.to_path_buf(),
            comparison,
            manifest,
            scenario_text,
            scenario,
            summary,
            allocations,
            runs,
            drivers: super::drivers::Drivers::default(),
            verdict_by_input: None,
        };
        results.drivers = super::drivers::drivers(&results);
        let common_random_numbers = results.manifest.comparison.as_ref().map(|comparison| {
            (
                comparison.common_random_numbers,
                comparison.policies.clone(),
            )
        });
        if let Some((true, policies)) = common_random_numbers {
            results.verdict_by_input = super::verdict_by_input::verdict_by_input(
                folder,
                &results.scenario,
                &results.runs,
                &policies,
            )?;
        }
        Ok(results)
    }

    /// The rows of one (cluster or `total`, outcome) series in period order.
    pub fn series(&self, cluster: &str, outcome: &str) -> Vec<&SummaryRow> {
        self.summary
            .iter()
            .filter(|row| row.cluster == cluster && row.outcome == outcome)
            .collect()
    }
}

impl ResultSet {
    /// Summaries (mean, sd, percentiles) of the headline outcomes at the horizon, from
    /// `runs.csv`, over the runs where each is defined, in [`HEADLINE_OUTCOMES`] order: exact
    /// order statistics up to [`EXACT_RUNS`](super::runs_digest::EXACT_RUNS) runs, the
    /// sketch's beyond.
    ///
    /// [`HEADLINE_OUTCOMES`]: crate::engine::outcomes::HEADLINE_OUTCOMES
    pub fn headline_summaries(&self) -> Vec<(&'static str, crate::stats::Summary)> {
        crate::engine::outcomes::HEADLINE_OUTCOMES
            .iter()
            .map(|name| (*name, self.runs.headline_summary(name)))
            .collect()
    }
}
