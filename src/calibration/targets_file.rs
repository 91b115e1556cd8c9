//! The targets file as written by an analyst: serde types that mirror the JSON one to one
//! (docs/CALIBRATION.md "Writing targets"). `clustersim schema --targets` prints the JSON Schema
//! generated from these types. [`super::targets`] checks a parsed file against a scenario.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A whole targets file.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetsFile {
    /// What the targets are and where they come from.
    #[serde(default)]
    pub description: String,
    /// Also use the scenario's `observations` (members of named clusters at dates) as targets,
    /// each with a standard deviation of `sd_share` × the observed count (at least 1). Those
    /// dated outside the run are skipped with a note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario_observations: Option<ScenarioObservationsSpec>,
    /// The targets.
    #[serde(default)]
    pub targets: Vec<TargetSpec>,
}

/// How the scenario's observations become targets.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScenarioObservationsSpec {
    /// Standard deviation of each observation as a share of the observed count (e.g. 0.25).
    pub sd_share: f64,
}

/// One observed quantity.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetSpec {
    /// Unique name, used in `fit.csv` (e.g. `clusters-2016`).
    pub name: String,
    /// The simulated quantity: an outcome of the per-quarter series, as named in `summary.csv`.
    /// Without `cluster`, a whole-economy outcome (e.g. `operating_clusters`,
    /// `clusters_formed`, `networked_smes`, `absorbed_ltl`); with `cluster`, a per-cluster one
    /// (e.g. `members`, `networked_smes`, `absorbed_ltl`). Money quantities carry the scenario's
    /// currency, as in `summary.csv` (`absorbed_eur` in an EUR scenario).
    pub quantity: String,
    /// Id of a cluster of the scenario, for a per-cluster quantity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
    /// Date as a decimal year (2016.5 = mid-2016): the quantity's value at the end of the quarter
    /// containing it. Must lie within the run.
    pub date: f64,
    /// The observed value (for `at_least` / `at_most`, the bound).
    pub observed: f64,
    /// How exact the observation is.
    pub uncertainty: UncertaintySpec,
    /// Where the observation comes from (e.g. a facts-file id such as `LT-A4`, or a URL).
    pub source: String,
}

/// How far a simulated value may lie from the observation.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum UncertaintySpec {
    /// A standard deviation: the deviation is (simulated − observed) / sd.
    Sd(f64),
    /// Any value in [lower, upper] fits exactly; outside, the deviation is the distance to the
    /// interval divided by its half-width.
    Interval {
        /// Lowest acceptable value.
        lower: f64,
        /// Highest acceptable value.
        upper: f64,
    },
    /// The observation is a lower bound: any value ≥ observed fits exactly; below, the deviation
    /// is (observed − simulated) / scale.
    AtLeast {
        /// How far below the bound counts as one unit of deviation.
        scale: f64,
    },
    /// The observation is an upper bound: any value ≤ observed fits exactly; above, the
    /// deviation is (simulated − observed) / scale.
    AtMost {
        /// How far above the bound counts as one unit of deviation.
        scale: f64,
    },
}

/// The JSON Schema of targets files, pretty-printed.
pub fn targets_schema_json() -> String {
    let schema = schemars::schema_for!(TargetsFile);
    serde_json::to_string_pretty(&schema)
        .unwrap_or_else(|error| format!("{{\"error\": \"{error}\"}}"))
}
