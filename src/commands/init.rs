//! `clustersim init PATH`: a starter scenario, the baseline with every model parameter written
//! out, ready to edit.

use std::path::Path;

use anyhow::{Context, bail};

use crate::report::write_atomically;
use crate::scenario::{BASELINE_JSON, ScenarioFile};

/// The starter scenario text.
pub fn starter_text() -> anyhow::Result<String> {
    let mut file: ScenarioFile =
        serde_json::from_str(BASELINE_JSON).context("parsing the built-in baseline")?;
    file.name = "my-scenario".into();
    file.description = format!(
        "Starter scenario copied from the Lithuania 2007–2013 baseline. Edit the budget, sectors, clusters, valleys, policy and model parameters; every field is documented in docs/SCENARIO.md. {}",
        file.description
    );
    let mut text = serde_json::to_string_pretty(&file).context("writing the starter scenario")?;
    text.push('\n');
    Ok(text)
}

/// Writes the starter scenario to `path`, refusing to overwrite without `force`.
pub fn init(path: &Path, force: bool) -> anyhow::Result<()> {
    if path.exists() && !force {
        bail!(
            "'{}' already exists; pass --force to overwrite it",
            path.display()
        );
    }
    if path.is_dir() {
        bail!(
            "'{}' is a folder; give a file name such as my-scenario.json",
            path.display()
        );
    }
    write_atomically(path, starter_text()?.as_bytes())
}
