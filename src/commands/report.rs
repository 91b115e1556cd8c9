//! `clustersim report RESULTS_DIR`: re-renders charts and reports from a saved result.

use std::path::Path;

use anyhow::bail;

use crate::report::calibration::write_calibration_outputs_with;
use crate::report::charts::ChartOptions;
use crate::report::render::render_reports;
use crate::scenario::{POSTERIOR_FILE, read_path};

/// Chart options for a `--dpi` value, checked.
pub fn chart_options(dpi: u32) -> anyhow::Result<ChartOptions> {
    if !(50..=600).contains(&dpi) {
        bail!("--dpi must be between 50 and 600 (got {dpi}); 160 gives 1600 × 1000 px charts");
    }
    Ok(ChartOptions::at_dpi(dpi))
}

/// Whether `folder` holds a calibration (`posterior.csv` and `fit.csv`) rather than the result
/// of `run` or `compare`.
pub fn is_calibration(folder: &Path) -> bool {
    folder.join(POSTERIOR_FILE).is_file()
        && folder.join("fit.csv").is_file()
        && !folder.join("summary.csv").exists()
}

/// Re-renders a calibration folder's charts, report.html and report.md against the scenario
/// copy it holds (`scenario.json`).
fn report_calibration(folder: &Path, options: &ChartOptions) -> anyhow::Result<()> {
    let path = folder.join("scenario.json");
    if !path.is_file() {
        bail!(
            "'{}' holds a calibration (posterior.csv, fit.csv) but no scenario.json to draw the priors from; rerun the command in its manifest.json",
            folder.display()
        );
    }
    let (scenario, _) = read_path(&path)?;
    write_calibration_outputs_with(folder, &scenario, options)
}

/// Re-renders `folder`'s charts, report.html, report.md and summary.xlsx (for a calibration
/// folder: its charts, report.html and report.md).
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
    if is_calibration(folder) {
        return report_calibration(folder, &options);
    }
    render_reports(folder, &options)
}
