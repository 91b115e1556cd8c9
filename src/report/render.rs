//! Rendering a result folder's charts and reports from its saved files: used at the end of
//! `clustersim run` and by `clustersim report RESULTS_DIR`, so both give the same bytes.

use std::fs;
use std::path::Path;

use anyhow::Context;

use super::charts::{Chart, ChartOptions, render_all};
use super::drivers::drivers_csv;
use super::html::report_html;
use super::markdown::report_md;
use super::output_dir::write_atomically;
use super::results::ResultSet;
use super::verdict_by_input::{BY_INPUT_FILE, by_input_csv};
use super::xlsx::summary_xlsx;

/// Files and folders this module writes into a result folder.
pub const REPORT_FILES: [&str; 5] = [
    "drivers.csv",
    "charts/",
    "report.html",
    "report.md",
    "summary.xlsx",
];

/// Reads the result folder, writes `drivers.csv` (computed from `runs.csv`), renders every chart
/// (SVG and PNG) into `charts/`, and writes `report.html`, `report.md` and `summary.xlsx`. Each file is written under a temporary name and
/// renamed; the new `charts/` folder replaces the old one only once it is complete.
pub fn render_reports(folder: &Path, options: &ChartOptions) -> anyhow::Result<()> {
    let results = ResultSet::load(folder)?;
    write_atomically(
        &folder.join("drivers.csv"),
        drivers_csv(&results.drivers, &results.scenario.currency).as_bytes(),
    )?;
    if results
        .manifest
        .comparison
        .as_ref()
        .is_some_and(|comparison| comparison.common_random_numbers)
    {
        // Header only when the analysis does not apply (e.g. fewer than 6 runs); the report
        // says why.
        write_atomically(
            &folder.join(BY_INPUT_FILE),
            by_input_csv(results.verdict_by_input.as_ref()).as_bytes(),
        )?;
    }
    let charts = render_all(&results, options).context("drawing the charts")?;

    replace_charts(folder, &charts)?;

    write_atomically(
        &folder.join("report.html"),
        report_html(&results, &charts).as_bytes(),
    )?;
    write_atomically(
        &folder.join("report.md"),
        report_md(&results, &charts).as_bytes(),
    )?;
    let workbook = summary_xlsx(&results).context("writing the Excel workbook")?;
    write_atomically(&folder.join("summary.xlsx"), &workbook)?;
    Ok(())
}

/// Writes every chart (SVG and PNG) into a staging folder and then swaps it in as
/// `folder/charts/`: the old charts are replaced only once the new ones are complete.
pub(crate) fn replace_charts(folder: &Path, charts: &[Chart]) -> anyhow::Result<()> {
    let staging = folder.join(format!(".charts.partial-{}", std::process::id()));
    if staging.exists() {
        fs::remove_dir_all(&staging).ok();
    }
    fs::create_dir(&staging).with_context(|| format!("creating '{}'", staging.display()))?;
    for chart in charts {
        write_atomically(
            &staging.join(format!("{}.svg", chart.name)),
            chart.svg.as_bytes(),
        )?;
        write_atomically(&staging.join(format!("{}.png", chart.name)), &chart.png)?;
    }
    let final_charts = folder.join("charts");
    let aside = folder.join(format!(".charts.old-{}", std::process::id()));
    if final_charts.exists() {
        fs::rename(&final_charts, &aside)
            .with_context(|| format!("moving the old '{}' aside", final_charts.display()))?;
    }
    fs::rename(&staging, &final_charts)
        .with_context(|| format!("moving charts into '{}'", final_charts.display()))?;
    if aside.exists() {
        fs::remove_dir_all(&aside).ok();
    }
    Ok(())
}
