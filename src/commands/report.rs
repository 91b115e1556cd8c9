//! `clustersim report RESULTS_DIR`: re-renders charts and reports from a saved result.

use std::path::Path;

use anyhow::bail;

use crate::report::charts::ChartOptions;
use crate::report::render::render_reports;

/// Chart options for a `--dpi` value, checked.
pub fn chart_options(dpi: u32) -> anyhow::Result<ChartOptions> {
    if !(50..=600).contains(&dpi) {
        bail!("--dpi must be between 50 and 600 (got {dpi}); 160 gives 1600 × 1000 px charts");
    }
    Ok(ChartOptions::at_dpi(dpi))
}

/// Re-renders `folder`'s charts, report.html, report.md and summary.xlsx.
pub fn report(folder: &Path, dpi: u32) -> anyhow::Result<()> {
    let options = chart_options(dpi)?;
    if !folder.is_dir() {
        bail!(
            "'{}' is not a folder; give a result folder written by `clustersim run`",
            folder.display()
        );
    }
    if folder.join("sensitivity.csv").is_file() && !folder.join("summary.csv").exists() {
        bail!(
            "'{}' holds a `clustersim sensitivity` result, whose charts and reports are drawn from the design's runs; rerun the command in its manifest.json (with --dpi for another resolution)",
            folder.display()
        );
    }
    render_reports(folder, &options)
}
