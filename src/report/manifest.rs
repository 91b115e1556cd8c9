//! `manifest.json`: what produced a result and how to reproduce it bit for bit.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Hex SHA-256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The manifest written with every result.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    /// Always `clustersim`.
    pub tool: String,
    /// Tool version.
    pub version: String,
    /// Scenario file as given (or the built-in baseline's label).
    pub scenario_path: String,
    /// Scenario name.
    pub scenario_name: String,
    /// SHA-256 of the scenario file's bytes.
    pub scenario_sha256: String,
    /// Master seed.
    pub seed: u64,
    /// Runs requested.
    pub runs: u64,
    /// Runs completed (equal to `runs` unless interrupted).
    pub runs_completed: u64,
    /// False for the partial result of an interrupted run (its `runs_completed` runs are exactly
    /// the first runs of the full result, and `command` reproduces them).
    #[serde(default = "complete_default")]
    pub complete: bool,
    /// Worker threads (does not affect results).
    pub threads: usize,
    /// Start, UTC, RFC 3339.
    pub started_utc: String,
    /// End, UTC, RFC 3339.
    pub finished_utc: String,
    /// Wall-clock seconds.
    pub wall_seconds: f64,
    /// Command that reproduces the result.
    pub command: String,
    /// Files in the result folder.
    pub files: Vec<String>,
    /// For `clustersim compare`: the policies compared (the result's summary, allocations and
    /// runs files describe the baseline policy).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comparison: Option<ComparisonManifest>,
    /// For `--until-se`: the target and the precision reached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precision: Option<crate::engine::precision::PrecisionReport>,
    /// With `--posterior` (or the scenario's `posterior` field): the posterior the calibrated
    /// inputs were drawn from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub posterior: Option<PosteriorManifest>,
}

/// The weighted posterior a result's calibrated inputs were drawn from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PosteriorManifest {
    /// The calibration folder as given.
    pub folder: String,
    /// SHA-256 of its `posterior.csv`.
    pub posterior_sha256: String,
    /// Particles in the posterior.
    pub particles: usize,
    /// Kish's effective sample size of the weights, 1 / Σ w².
    pub effective_sample_size: f64,
    /// The inputs drawn from the posterior (the others from their priors).
    pub inputs: Vec<String>,
    /// SHA-256 of the scenario file it was calibrated on, from the folder's manifest (null when
    /// the folder does not say).
    pub calibrated_scenario_sha256: Option<String>,
}

impl PosteriorManifest {
    /// The record of `posterior`.
    pub fn new(posterior: &crate::scenario::Posterior) -> Self {
        Self {
            folder: posterior.folder.clone(),
            posterior_sha256: posterior.sha256.clone(),
            particles: posterior.particles(),
            effective_sample_size: posterior.effective_sample_size(),
            inputs: posterior.labels.clone(),
            calibrated_scenario_sha256: posterior.calibrated_scenario_sha256.clone(),
        }
    }
}

/// What a comparison compared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComparisonManifest {
    /// Policy names in order.
    pub policies: Vec<String>,
    /// The baseline policy's name.
    pub baseline: String,
    /// Whether the policies shared random numbers.
    pub common_random_numbers: bool,
    /// The smallest difference in networked SMEs the verdict counts as practical (`1%` for a
    /// folder written before the option existed).
    #[serde(default)]
    pub min_difference: super::verdict::MinDifference,
}

fn complete_default() -> bool {
    true
}
