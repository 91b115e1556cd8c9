//! The files of a calibration result (`clustersim calibrate`): `posterior.csv`, `fit.csv`,
//! `generations.csv` and `manifest.json`, in the formats docs/CALIBRATION.md specifies. Every
//! number is written with Rust's shortest round-trip `{}` Display, so reading it back gives the
//! same bits.

use serde::{Deserialize, Serialize};

use super::csv::text;
use crate::calibration::abc::{GenerationSummary, Particle};
use crate::calibration::fit::TargetFit;
use crate::calibration::targets::Target;

/// Files every calibration result holds.
pub const CALIBRATION_FILES: [&str; 5] = [
    "posterior.csv",
    "fit.csv",
    "generations.csv",
    "scenario.json",
    "manifest.json",
];

/// `posterior.csv`: `particle,weight,<label>…`, one row per particle in order, weights summing
/// to 1.
pub fn posterior_csv<T>(labels: &[String], particles: &[Particle<T>]) -> String {
    let mut out = String::from("particle,weight");
    for label in labels {
        out.push(',');
        out.push_str(&text(label));
    }
    out.push('\n');
    for (index, particle) in particles.iter().enumerate() {
        out.push_str(&format!("{index},{}", particle.weight));
        for value in &particle.theta {
            out.push_str(&format!(",{value}"));
        }
        out.push('\n');
    }
    out
}

/// A number, or empty when undefined.
fn number(value: f64) -> String {
    if value.is_nan() {
        String::new()
    } else {
        format!("{value}")
    }
}

/// `fit.csv`: one row per target.
pub fn fit_csv(targets: &[Target], fits: &[TargetFit]) -> String {
    let mut out = String::from(
        "target,quantity,observed,kind,lower,upper,source,prior_mean,prior_p05,prior_p95,posterior_mean,posterior_p05,posterior_p95,inside,misfit,closest\n",
    );
    for (target, fit) in targets.iter().zip(fits) {
        let (lower, upper) = target.band();
        let bound = |value: Option<f64>| value.map_or(String::new(), number);
        out.push_str(
            &[
                text(&target.name),
                text(&target.description),
                number(target.observed),
                target.kind().to_string(),
                bound(lower),
                bound(upper),
                text(&target.source),
                number(fit.prior.mean),
                number(fit.prior.p05),
                number(fit.prior.p95),
                number(fit.posterior.mean),
                number(fit.posterior.p05),
                number(fit.posterior.p95),
                fit.inside.to_string(),
                fit.misfit.to_string(),
                number(fit.closest),
            ]
            .join(","),
        );
        out.push('\n');
    }
    out
}

/// `generations.csv`: one row per finished generation (generation 0's tolerance is `inf`).
pub fn generations_csv(generations: &[GenerationSummary]) -> String {
    let mut out = String::from("generation,tolerance,particles,simulations,acceptance_rate,ess\n");
    for generation in generations {
        out.push_str(&format!(
            "{},{},{},{},{},{}\n",
            generation.generation,
            generation.tolerance,
            generation.particles,
            generation.simulations,
            generation.acceptance_rate,
            generation.ess
        ));
    }
    out
}

/// `manifest.json` of a calibration: what produced it and how to reproduce it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CalibrationManifestFile {
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
    /// False when interrupted: the result holds the generations that finished.
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
    /// The calibration's own settings and results.
    pub calibration: CalibrationManifest,
}

/// The `calibration` section of a calibration manifest.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CalibrationManifest {
    /// Targets file as given, or `scenario observations`.
    pub targets_file: String,
    /// SHA-256 of the targets file's bytes (of the scenario's, for its observations).
    pub targets_hash: String,
    /// Effective sample size of the posterior.
    pub ess: f64,
    /// Particles per generation.
    pub particles: usize,
    /// Generations asked for after generation 0.
    pub generations: usize,
    /// Generations finished after generation 0.
    pub generations_completed: usize,
    /// Tolerance quantile.
    pub quantile: f64,
    /// Most rounds of moves per generation.
    pub max_moves: usize,
    /// Model simulations run in all (posterior predictive runs included).
    pub simulations: u64,
    /// `completed` or `interrupted`.
    pub ending: String,
    /// Names of the targets the posterior predictive misses.
    pub misfits: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Weights and values survive a write and read back bit for bit.
    #[test]
    fn posterior_numbers_round_trip_exactly() {
        let particles = vec![
            Particle {
                theta: vec![0.1 + 0.2, 1.0 / 3.0],
                weight: 2.0 / 3.0,
                distance: 0.0,
                output: (),
            },
            Particle {
                theta: vec![1e-300, 12345.678901234567],
                weight: 1.0 / 3.0,
                distance: 0.0,
                output: (),
            },
        ];
        let csv = posterior_csv(&["model.a".into(), "sector.x,y".into()], &particles);
        let mut lines = csv.lines();
        assert_eq!(lines.next(), Some("particle,weight,model.a,\"sector.x,y\""));
        for (line, particle) in lines.zip(&particles) {
            let cells: Vec<f64> = line
                .split(',')
                .skip(1)
                .map(|c| c.parse().unwrap())
                .collect();
            assert_eq!(cells[0].to_bits(), particle.weight.to_bits());
            for (cell, value) in cells[1..].iter().zip(&particle.theta) {
                assert_eq!(cell.to_bits(), value.to_bits());
            }
        }
    }
}
