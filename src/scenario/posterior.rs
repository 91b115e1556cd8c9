//! A weighted posterior over some of a scenario's uncertain inputs, read from the
//! `posterior.csv` of a calibration folder, for `run --posterior DIR` and `compare --posterior
//! DIR` (or the scenario's `posterior` field).
//!
//! The file has the header `particle,weight,<label>,…` where each label is a parameter-slot label
//! of [`Scenario::parameter_slots`] (as in `runs.csv`), then one row per particle (0, 1, 2, … in
//! order). Run *i* picks one particle by the inverse of the weights' cumulative distribution at a
//! uniform number from stream (seed, Posterior, 0, *i*) and takes that particle's values for the
//! inputs the posterior names; every other input is drawn from its prior exactly as without a
//! posterior (docs/MODEL.md §11.6). Sampling particles in proportion to their weights is the
//! standard way to use an importance-weighted ABC posterior (Beaumont et al. 2009, §2).

use std::path::{Path, PathBuf};

use rand::RngExt;

use super::plan::{ParameterSlot, Scenario};
use crate::model::streams::{Purpose, stream};

/// The file a calibration folder holds its posterior in.
pub const POSTERIOR_FILE: &str = "posterior.csv";

/// Largest `posterior.csv` accepted, bytes (a million particles of a dozen inputs is ~250 MB).
const MAX_POSTERIOR_BYTES: u64 = 1 << 30;

/// Why a posterior could not be used.
#[derive(Debug, thiserror::Error)]
pub enum PosteriorError {
    /// The folder or its `posterior.csv` could not be read.
    #[error(
        "cannot read the posterior '{file}': {reason} (give a folder written by `clustersim calibrate`, holding posterior.csv)"
    )]
    Read {
        /// The file as given.
        file: String,
        /// What went wrong.
        reason: String,
    },
    /// A cell, a row or the header is wrong.
    #[error("{file}:{line}:{column}: {message}")]
    Invalid {
        /// The file as given.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column (cell number).
        column: usize,
        /// What is wrong and what would be valid.
        message: String,
    },
}

/// A checked weighted posterior over some of a scenario's uncertain inputs.
#[derive(Debug, Clone, PartialEq)]
pub struct Posterior {
    /// The folder as given (for messages and the manifest).
    pub folder: String,
    /// Hex SHA-256 of `posterior.csv`'s bytes (as read, a byte-order mark included).
    pub sha256: String,
    /// The inputs it covers, in file order.
    pub labels: Vec<String>,
    /// For every parameter slot of the scenario, the posterior column that replaces its prior
    /// draw, if any.
    pub column_of_slot: Vec<Option<usize>>,
    /// Normalised weights (sum 1), one per particle.
    pub weights: Vec<f64>,
    /// Running sums of the weights as written, for the inverse-CDF pick.
    cumulative: Vec<f64>,
    /// Particle values, particle-major: `values[particle · labels.len() + column]`.
    values: Vec<f64>,
    /// SHA-256 of the scenario file the posterior was calibrated on (from the folder's
    /// `manifest.json`), when the folder says.
    pub calibrated_scenario_sha256: Option<String>,
}

impl Posterior {
    /// Parses `posterior.csv` text (`file` names it in errors) against the scenario's parameter
    /// slots: every label an uncertain input, every weight finite and ≥ 0 with a positive sum,
    /// every value inside its input's valid range (integer inputs are rounded half away from zero,
    /// as their prior draws are).
    pub fn parse(text: &str, file: &str, slots: &[ParameterSlot]) -> Result<Self, PosteriorError> {
        let invalid = |line: usize, column: usize, message: String| PosteriorError::Invalid {
            file: file.to_string(),
            line,
            column,
            message,
        };
        let sha256 = crate::report::sha256_hex(text.as_bytes());
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut lines = text
            .lines()
            .enumerate()
            .map(|(index, line)| (index + 1, line));
        let header: Vec<&str> = match lines.next() {
            Some((_, line)) => line.split(',').collect(),
            None => vec![],
        };
        for (column, expected) in ["particle", "weight"].into_iter().enumerate() {
            if header.get(column).map(|cell| cell.trim()) != Some(expected) {
                return Err(invalid(
                    1,
                    column + 1,
                    format!(
                        "the header must start with 'particle,weight' followed by the calibrated \
                         inputs (e.g. 'particle,weight,model.formation_rate'); found '{}'",
                        header.get(column).copied().unwrap_or("")
                    ),
                ));
            }
        }
        let uncertain: Vec<&str> = slots
            .iter()
            .filter(|slot| slot.param.is_random())
            .map(|slot| slot.label.as_str())
            .collect();
        let mut labels = Vec::new();
        let mut column_of_slot = vec![None; slots.len()];
        let mut slot_of_column = Vec::new();
        for (position, label) in header.iter().enumerate().skip(2) {
            let label = label.trim();
            let column = position + 1;
            let Some(slot) = slots.iter().position(|slot| slot.label == label) else {
                return Err(invalid(
                    1,
                    column,
                    format!(
                        "'{label}' is not an input of this scenario; the uncertain inputs are {}",
                        list(&uncertain)
                    ),
                ));
            };
            if !slots[slot].param.is_random() {
                return Err(invalid(
                    1,
                    column,
                    format!(
                        "'{label}' is a fixed value in this scenario, not an uncertain input; a \
                         posterior can only replace inputs drawn from a distribution ({})",
                        list(&uncertain)
                    ),
                ));
            }
            if column_of_slot[slot].is_some() {
                return Err(invalid(
                    1,
                    column,
                    format!("'{label}' appears twice in the header; name each input once"),
                ));
            }
            column_of_slot[slot] = Some(labels.len());
            slot_of_column.push(slot);
            labels.push(label.to_string());
        }
        if labels.is_empty() {
            return Err(invalid(
                1,
                3,
                format!(
                    "the header names no input after 'particle,weight'; name the calibrated \
                     inputs, from {}",
                    list(&uncertain)
                ),
            ));
        }

        let mut weights = Vec::new();
        let mut values = Vec::new();
        let mut blank_line = None;
        for (line, row) in lines {
            if row.trim().is_empty() {
                blank_line.get_or_insert(line);
                continue;
            }
            if let Some(blank) = blank_line {
                return Err(invalid(
                    blank,
                    1,
                    "a blank line between particles; remove it".into(),
                ));
            }
            let cells: Vec<&str> = row.split(',').map(str::trim).collect();
            if cells.len() != header.len() {
                return Err(invalid(
                    line,
                    cells.len().min(header.len()) + 1,
                    format!(
                        "expected {} cells like the header, found {}",
                        header.len(),
                        cells.len()
                    ),
                ));
            }
            let expected = weights.len();
            if cells[0].parse::<usize>().ok() != Some(expected) {
                return Err(invalid(
                    line,
                    1,
                    format!(
                        "expected particle {expected} (particles are numbered 0, 1, 2, … in \
                         order); found '{}'",
                        cells[0]
                    ),
                ));
            }
            let weight = number(cells[1])
                .filter(|weight| weight.is_finite() && *weight >= 0.0)
                .ok_or_else(|| {
                    invalid(
                        line,
                        2,
                        format!("a weight is a finite number ≥ 0; found '{}'", cells[1]),
                    )
                })?;
            weights.push(weight);
            for (column, &slot) in slot_of_column.iter().enumerate() {
                let slot = &slots[slot];
                let cell = cells[column + 2];
                let value = number(cell)
                    .filter(|value| value.is_finite() && *value >= slot.min && *value <= slot.max)
                    .ok_or_else(|| {
                        invalid(
                            line,
                            column + 3,
                            format!(
                                "{} must be a number between {} and {} (its valid range); found \
                                 '{cell}'",
                                slot.label, slot.min, slot.max
                            ),
                        )
                    })?;
                values.push(if slot.integer { value.round() } else { value });
            }
        }
        if weights.is_empty() {
            return Err(invalid(
                2,
                1,
                "no particles: the file has a header but no rows".into(),
            ));
        }
        let mut cumulative = Vec::with_capacity(weights.len());
        let mut total = 0.0;
        for weight in &weights {
            total += weight;
            cumulative.push(total);
        }
        if !(total.is_finite() && total > 0.0) {
            return Err(invalid(
                2,
                2,
                format!(
                    "the weights must have a positive, finite sum (normally 1); they sum to {total}"
                ),
            ));
        }
        let weights = weights.iter().map(|weight| weight / total).collect();
        Ok(Self {
            folder: String::new(),
            sha256,
            labels,
            column_of_slot,
            weights,
            cumulative,
            values,
            calibrated_scenario_sha256: None,
        })
    }

    /// Reads `folder/posterior.csv` for `scenario`, and the scenario hash in
    /// `folder/manifest.json` when there is one. Returns the posterior and its warnings (a
    /// different or unknown calibrated scenario).
    pub fn read(
        folder: &Path,
        scenario: &Scenario,
        scenario_sha256: &str,
    ) -> Result<(Self, Vec<String>), PosteriorError> {
        let path = folder.join(POSTERIOR_FILE);
        let file = path.display().to_string();
        let read_error = |reason: String| PosteriorError::Read {
            file: file.clone(),
            reason,
        };
        if !folder.is_dir() {
            return Err(PosteriorError::Read {
                file: folder.display().to_string(),
                reason: "it is not a folder".into(),
            });
        }
        let metadata = std::fs::metadata(&path).map_err(|error| read_error(error.to_string()))?;
        if metadata.len() > MAX_POSTERIOR_BYTES {
            return Err(read_error(format!(
                "it is {} bytes; posterior files are limited to {MAX_POSTERIOR_BYTES} bytes",
                metadata.len()
            )));
        }
        let bytes = std::fs::read(&path).map_err(|error| read_error(error.to_string()))?;
        let text = String::from_utf8(bytes).map_err(|error| {
            read_error(format!(
                "it is not UTF-8 text (invalid byte at offset {})",
                error.utf8_error().valid_up_to()
            ))
        })?;
        let mut posterior = Self::parse(&text, &file, &scenario.parameter_slots())?;
        posterior.folder = folder.display().to_string();
        let mut warnings = Vec::new();
        let manifest = folder.join("manifest.json");
        posterior.calibrated_scenario_sha256 = std::fs::read_to_string(&manifest)
            .ok()
            .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
            .and_then(|value| value.get("scenario_sha256")?.as_str().map(str::to_string));
        match &posterior.calibrated_scenario_sha256 {
            Some(calibrated) if calibrated != scenario_sha256 => warnings.push(format!(
                "warning: the posterior in '{}' was calibrated on another scenario file (SHA-256 \
                 {} in its manifest.json; this one is {}): its values are used as they are, so \
                 check that the assumptions it was calibrated under still hold",
                posterior.folder,
                short(calibrated),
                short(scenario_sha256)
            )),
            Some(_) => {}
            None => warnings.push(format!(
                "warning: '{}' has no readable manifest.json naming the scenario it was \
                 calibrated on; its values are used as they are",
                manifest.display()
            )),
        }
        if scenario.correlations.is_some() {
            warnings.push(
                "warning: the scenario's correlations are not imposed under a posterior: the \
                 posterior's particles carry the dependence between the calibrated inputs, and \
                 the other inputs are drawn independently"
                    .into(),
            );
        }
        Ok((posterior, warnings))
    }

    /// Number of particles.
    pub fn particles(&self) -> usize {
        self.weights.len()
    }

    /// Kish's effective sample size of the weights, 1 / Σ w² (Kish 1965; Liu 2001, §2.5.3).
    pub fn effective_sample_size(&self) -> f64 {
        1.0 / self.weights.iter().map(|w| w * w).sum::<f64>()
    }

    /// The value of column `column` in particle `particle`.
    pub fn value(&self, particle: usize, column: usize) -> f64 {
        self.values[particle * self.labels.len() + column]
    }

    /// Weighted mean and standard deviation of column `column` over the particles.
    pub fn weighted_mean_sd(&self, column: usize) -> (f64, f64) {
        let mean: f64 = (0..self.particles())
            .map(|particle| self.weights[particle] * self.value(particle, column))
            .sum();
        let variance: f64 = (0..self.particles())
            .map(|particle| self.weights[particle] * (self.value(particle, column) - mean).powi(2))
            .sum();
        (mean, variance.max(0.0).sqrt())
    }

    /// The particle at probability `u` in [0, 1): the first whose cumulative weight exceeds
    /// `u` × total, so particle j is picked with probability w_j (never one of weight 0).
    pub fn particle_at(&self, u: f64) -> usize {
        let total = self.cumulative.last().copied().unwrap_or(0.0);
        let target = u * total;
        let index = self.cumulative.partition_point(|sum| *sum <= target);
        if index < self.cumulative.len() {
            index
        } else {
            // Only when rounding puts u · total at the total: the last particle with weight.
            self.weights.iter().rposition(|w| *w > 0.0).unwrap_or(0)
        }
    }

    /// The particle run `run` uses under master seed `seed`: [`Self::particle_at`] a uniform
    /// number from stream (seed, Posterior, 0, run).
    pub fn particle_for_run(&self, seed: u64, run: u64) -> usize {
        let u: f64 = stream(seed, Purpose::Posterior, 0, run).random();
        self.particle_at(u)
    }

    /// Replaces the values of the inputs the posterior covers with those of run `run`'s particle.
    pub fn apply(&self, seed: u64, run: u64, values: &mut [f64]) {
        let particle = self.particle_for_run(seed, run);
        for (slot, column) in self.column_of_slot.iter().enumerate() {
            if let Some(column) = column {
                values[slot] = self.value(particle, *column);
            }
        }
    }
}

/// The posterior folder a run uses: `--posterior` when given, else the scenario's `posterior`
/// field resolved relative to the scenario file's folder (to the working folder for a scenario
/// read from standard input).
pub fn posterior_folder(
    option: Option<&Path>,
    scenario: &Scenario,
    scenario_path: Option<&Path>,
) -> Option<PathBuf> {
    if let Some(folder) = option {
        return Some(folder.to_path_buf());
    }
    let field = Path::new(scenario.file.posterior.as_deref()?);
    let base = scenario_path
        .filter(|path| path.as_os_str() != "-")
        .and_then(Path::parent)
        .unwrap_or(Path::new(""));
    Some(base.join(field))
}

fn number(cell: &str) -> Option<f64> {
    cell.parse().ok()
}

fn short(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

fn list(labels: &[&str]) -> String {
    if labels.is_empty() {
        "none: every input of this scenario is fixed".into()
    } else {
        labels.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Distribution, Param};

    fn slots() -> Vec<ParameterSlot> {
        let uncertain = |label: &str, integer| ParameterSlot {
            label: label.into(),
            param: Param::Random(Distribution::uniform(0.0, 1.0).unwrap()),
            min: 0.0,
            max: 10.0,
            integer,
        };
        vec![
            uncertain("model.a", false),
            ParameterSlot {
                label: "model.fixed".into(),
                param: Param::Fixed(2.0),
                min: 0.0,
                max: 10.0,
                integer: false,
            },
            uncertain("model.count", true),
        ]
    }

    fn error(text: &str) -> String {
        Posterior::parse(text, "p.csv", &slots())
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn parses_normalises_and_maps_columns_to_slots() {
        let text = "particle,weight,model.count,model.a\n0,1,2.6,0.5\n1,3,4,0.25\n";
        let posterior = Posterior::parse(text, "p.csv", &slots()).unwrap();
        assert_eq!(posterior.labels, ["model.count", "model.a"]);
        assert_eq!(posterior.column_of_slot, [Some(1), None, Some(0)]);
        assert_eq!(posterior.weights, [0.25, 0.75]);
        // Integer inputs are rounded as their prior draws are.
        assert_eq!(posterior.value(0, 0), 3.0);
        assert_eq!(posterior.value(1, 1), 0.25);
        // ESS = 1 / (0.25² + 0.75²) = 1.6.
        assert!((posterior.effective_sample_size() - 1.6).abs() < 1e-12);
        // Weighted mean of model.a: 0.25·0.5 + 0.75·0.25 = 0.3125; variance
        // 0.25·0.1875² + 0.75·0.0625² = 0.01171875.
        let (mean, sd) = posterior.weighted_mean_sd(1);
        assert!((mean - 0.3125).abs() < 1e-15);
        assert!((sd - 0.01171875f64.sqrt()).abs() < 1e-15);
        let mut values = vec![9.0, 2.0, 9.0];
        posterior.apply(1, 0, &mut values);
        assert_eq!(
            values[1], 2.0,
            "a slot the posterior does not cover is kept"
        );
        assert!(values == [0.5, 2.0, 3.0] || values == [0.25, 2.0, 4.0]);
    }

    #[test]
    fn inverse_cdf_picks_by_weight_and_never_a_zero_weight_particle() {
        let text = "particle,weight,model.a\n0,0,1\n1,0.5,2\n2,0,3\n3,0.5,4\n4,0,5\n";
        let posterior = Posterior::parse(text, "p.csv", &slots()).unwrap();
        assert_eq!(posterior.particle_at(0.0), 1);
        assert_eq!(posterior.particle_at(0.4999), 1);
        assert_eq!(posterior.particle_at(0.5), 3);
        assert_eq!(posterior.particle_at(0.999_999), 3);
        assert_eq!(posterior.particle_at(1.0), 3);
    }

    #[test]
    fn bad_files_are_refused_with_line_and_column() {
        assert!(error("").contains("p.csv:1:1: the header must start with 'particle,weight'"));
        assert!(
            error("particle,weight,model.b\n0,1,1\n")
                .contains("p.csv:1:3: 'model.b' is not an input of this scenario; the uncertain inputs are model.a, model.count")
        );
        assert!(
            error("particle,weight,model.fixed\n0,1,1\n")
                .contains("p.csv:1:3: 'model.fixed' is a fixed value")
        );
        assert!(
            error("particle,weight,model.a,model.a\n")
                .contains("p.csv:1:4: 'model.a' appears twice")
        );
        assert!(error("particle,weight\n0,1\n").contains("p.csv:1:3: the header names no input"));
        assert!(error("particle,weight,model.a\n").contains("p.csv:2:1: no particles"));
        assert!(
            error("particle,weight,model.a\n0,-0.1,1\n")
                .contains("p.csv:2:2: a weight is a finite number ≥ 0; found '-0.1'")
        );
        assert!(error("particle,weight,model.a\n0,NaN,1\n").contains("p.csv:2:2:"));
        assert!(error("particle,weight,model.a\n0,inf,1\n").contains("p.csv:2:2:"));
        assert!(
            error("particle,weight,model.a\n0,0,1\n1,0,1\n")
                .contains("p.csv:2:2: the weights must have a positive, finite sum")
        );
        assert!(error("particle,weight,model.a\n0,1,11\n").contains(
            "p.csv:2:3: model.a must be a number between 0 and 10 (its valid range); found '11'"
        ));
        assert!(error("particle,weight,model.a\n0,1,x\n").contains("p.csv:2:3:"));
        assert!(
            error("particle,weight,model.a\n0,1\n")
                .contains("p.csv:2:3: expected 3 cells like the header, found 2")
        );
        assert!(
            error("particle,weight,model.a\n1,1,1\n").contains("p.csv:2:1: expected particle 0")
        );
        assert!(
            error("particle,weight,model.a\n0,1,1\n\n1,1,1\n").contains("p.csv:3:1: a blank line")
        );
    }

    #[test]
    fn trailing_blank_lines_and_crlf_are_accepted() {
        let text = "particle,weight,model.a\r\n0,1,1\r\n\r\n";
        let posterior = Posterior::parse(text, "p.csv", &slots()).unwrap();
        assert_eq!(posterior.particles(), 1);
    }
}
