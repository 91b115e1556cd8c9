//! Checked calibration targets: each one a value of the run's per-quarter series (the slots of
//! [`crate::engine::outcomes`]) at one quarter, an observation and its uncertainty, and the
//! scaled deviation the ABC distance is built from (docs/CALIBRATION.md "Distance").

use std::path::Path;

use super::targets_file::{TargetSpec, TargetsFile, UncertaintySpec};
use crate::engine::outcomes::{
    CLUSTER_OUTCOMES, TOTAL_OUTCOMES, is_network_outcome, slots_per_quarter, structure_measured,
};
use crate::scenario::Scenario;
use crate::scenario::json_path::JsonPath;
use crate::scenario::load::{LocatedProblem, deserialize_located, format_problems, locate_problem};
use crate::scenario::plan::Problem;

/// Largest targets file accepted, bytes.
const MAX_TARGETS_BYTES: u64 = 4 * 1024 * 1024;

/// z of the standard normal's 95th percentile: an `sd` target's acceptable band is
/// observed ± 1.645 sd, its central 90%.
const Z_95: f64 = 1.644_853_626_951_472_2;

/// How exact an observation is (checked).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Uncertainty {
    /// Standard deviation (> 0).
    Sd(f64),
    /// Acceptable interval (lower < upper).
    Interval {
        /// Lowest acceptable value.
        lower: f64,
        /// Highest acceptable value.
        upper: f64,
    },
    /// Lower bound (the observation), with a scale (> 0).
    AtLeast(f64),
    /// Upper bound (the observation), with a scale (> 0).
    AtMost(f64),
}

/// One checked target.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// Unique name.
    pub name: String,
    /// The outcome name, e.g. `operating_clusters` or `members`.
    pub quantity: String,
    /// Index of the cluster into [`Scenario::clusters`], for a per-cluster outcome.
    pub cluster: Option<usize>,
    /// Decimal year as written.
    pub date: f64,
    /// Quarter index whose end-of-quarter value is compared.
    pub quarter: usize,
    /// Index within one quarter's series values.
    pub slot: usize,
    /// Observed value (the bound for `AtLeast`/`AtMost`).
    pub observed: f64,
    /// Its uncertainty.
    pub uncertainty: Uncertainty,
    /// Source.
    pub source: String,
    /// Readable description, e.g. `members of laser-association at the end of 2012Q3`.
    pub description: String,
}

impl Target {
    /// The simulated value in a run's series (`quarter · width + slot`, width the scenario's
    /// slots per quarter).
    pub fn value(&self, series: &[f64], width: usize) -> f64 {
        series
            .get(self.quarter * width + self.slot)
            .copied()
            .unwrap_or(f64::NAN)
    }

    /// The scaled deviation of a simulated value: 0 inside the acceptable range of a bound or
    /// interval; NaN for an undefined value.
    pub fn deviation(&self, simulated: f64) -> f64 {
        if simulated.is_nan() {
            return f64::NAN;
        }
        match self.uncertainty {
            Uncertainty::Sd(sd) => (simulated - self.observed) / sd,
            Uncertainty::Interval { lower, upper } => {
                let half = (upper - lower) / 2.0;
                if simulated < lower {
                    (lower - simulated) / half
                } else if simulated > upper {
                    (simulated - upper) / half
                } else {
                    0.0
                }
            }
            Uncertainty::AtLeast(scale) => ((self.observed - simulated) / scale).max(0.0),
            Uncertainty::AtMost(scale) => ((simulated - self.observed) / scale).max(0.0),
        }
    }

    /// `sd`, `interval`, `at_least` or `at_most`.
    pub fn kind(&self) -> &'static str {
        match self.uncertainty {
            Uncertainty::Sd(_) => "sd",
            Uncertainty::Interval { .. } => "interval",
            Uncertainty::AtLeast(_) => "at_least",
            Uncertainty::AtMost(_) => "at_most",
        }
    }

    /// The acceptable band implied by the uncertainty (None where unbounded): observed ± 1.645
    /// sd for `sd`, the interval, [observed, ∞) or (−∞, observed].
    pub fn band(&self) -> (Option<f64>, Option<f64>) {
        match self.uncertainty {
            Uncertainty::Sd(sd) => (
                Some(self.observed - Z_95 * sd),
                Some(self.observed + Z_95 * sd),
            ),
            Uncertainty::Interval { lower, upper } => (Some(lower), Some(upper)),
            Uncertainty::AtLeast(_) => (Some(self.observed), None),
            Uncertainty::AtMost(_) => (None, Some(self.observed)),
        }
    }

    /// Whether the observation (for an interval, any of it; for a bound, the bound's side) lies
    /// within the predictive interval [low, high].
    pub fn inside(&self, low: f64, high: f64) -> bool {
        match self.uncertainty {
            Uncertainty::Sd(_) => low <= self.observed && self.observed <= high,
            Uncertainty::Interval { lower, upper } => low <= upper && lower <= high,
            Uncertainty::AtLeast(_) => high >= self.observed,
            Uncertainty::AtMost(_) => low <= self.observed,
        }
    }
}

/// The ABC distance of simulated values to the targets: the Euclidean norm of the scaled
/// deviations (∞ if any value is undefined).
pub fn distance(targets: &[Target], simulated: &[f64]) -> f64 {
    let mut sum = 0.0;
    for (target, value) in targets.iter().zip(simulated) {
        let deviation = target.deviation(*value);
        if deviation.is_nan() {
            return f64::INFINITY;
        }
        sum += deviation * deviation;
    }
    sum.sqrt()
}

/// Checked targets with notes about scenario observations left out.
#[derive(Debug, Clone, PartialEq)]
pub struct Targets {
    /// The targets, in file order (then the scenario's observations).
    pub targets: Vec<Target>,
    /// Scenario observations not used (dated outside the run), one line each.
    pub skipped: Vec<String>,
}

/// Why targets could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum TargetsError {
    /// The file could not be read.
    #[error("cannot read targets '{file}': {reason}")]
    Read {
        /// File as given.
        file: String,
        /// What went wrong.
        reason: String,
    },
    /// The file was read but is not valid for this scenario.
    #[error("{}", format_problems("targets", file, problems))]
    Invalid {
        /// File as given.
        file: String,
        /// Every problem found.
        problems: Vec<LocatedProblem>,
    },
}

/// Reads and checks a targets file against a scenario; returns the targets and the file text.
pub fn read_targets(path: &Path, scenario: &Scenario) -> Result<(Targets, String), TargetsError> {
    let file = path.display().to_string();
    let read_error = |reason: String| TargetsError::Read {
        file: file.clone(),
        reason,
    };
    let metadata = std::fs::metadata(path).map_err(|error| read_error(error.to_string()))?;
    if metadata.is_dir() {
        return Err(read_error(
            "it is a directory; give the path of a targets JSON file".into(),
        ));
    }
    if metadata.len() > MAX_TARGETS_BYTES {
        return Err(read_error(format!(
            "it is {} bytes; targets files are limited to {MAX_TARGETS_BYTES} bytes",
            metadata.len()
        )));
    }
    let bytes = std::fs::read(path).map_err(|error| read_error(error.to_string()))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| read_error("it is not UTF-8 text; targets files are JSON".into()))?;
    let targets = targets_from_str(&text, &file, scenario)?;
    Ok((targets, text))
}

/// Parses and checks targets text; `file` names it in errors.
pub fn targets_from_str(
    text: &str,
    file: &str,
    scenario: &Scenario,
) -> Result<Targets, TargetsError> {
    let invalid = |problems: Vec<LocatedProblem>| TargetsError::Invalid {
        file: file.to_string(),
        problems,
    };
    if text.trim().is_empty() {
        return Err(invalid(vec![LocatedProblem {
            path: JsonPath::root().to_string(),
            position: Some((1, 1)),
            message: "the file is empty; a targets file is a JSON object {\"targets\": [...]}"
                .into(),
        }]));
    }
    let parsed: TargetsFile =
        deserialize_located(text).map_err(|problem| invalid(vec![problem]))?;
    let mut problems = Vec::new();
    let mut targets: Vec<Target> = parsed
        .targets
        .iter()
        .enumerate()
        .filter_map(|(index, spec)| {
            check_target(
                spec,
                scenario,
                JsonPath::root().key("targets").index(index),
                &mut problems,
            )
        })
        .collect();
    let mut skipped = Vec::new();
    if let Some(observations) = parsed.scenario_observations {
        if !(observations.sd_share.is_finite() && observations.sd_share > 0.0) {
            problems.push(Problem {
                path: JsonPath::root()
                    .key("scenario_observations")
                    .key("sd_share"),
                message: format!(
                    "a positive share is expected, e.g. 0.25 (got {})",
                    observations.sd_share
                ),
            });
        } else {
            let (from_scenario, notes) = observation_targets(scenario, observations.sd_share);
            targets.extend(from_scenario);
            skipped = notes;
        }
    }
    for (index, spec) in parsed.targets.iter().enumerate() {
        if parsed.targets[..index].iter().any(|t| t.name == spec.name) {
            problems.push(Problem {
                path: JsonPath::root().key("targets").index(index).key("name"),
                message: format!(
                    "the name '{}' is used twice; names must be unique",
                    spec.name
                ),
            });
        }
    }
    if targets.is_empty() && problems.is_empty() {
        problems.push(Problem {
            path: JsonPath::root().key("targets"),
            message: "no targets: give at least one target, or \"scenario_observations\" for a scenario with observations inside the run".into(),
        });
    }
    if !problems.is_empty() {
        return Err(invalid(
            problems
                .into_iter()
                .map(|problem| locate_problem(text, problem))
                .collect(),
        ));
    }
    Ok(Targets { targets, skipped })
}

/// The scenario's observations inside the run as targets, each with sd = max(1, share ×
/// members); notes for those outside.
pub fn observation_targets(scenario: &Scenario, sd_share: f64) -> (Vec<Target>, Vec<String>) {
    let members = CLUSTER_OUTCOMES
        .iter()
        .position(|name| *name == "members")
        .unwrap_or(0);
    let mut targets = Vec::new();
    let mut skipped = Vec::new();
    for (index, observation) in scenario.observations.iter().enumerate() {
        let cluster = &scenario.clusters[observation.cluster];
        let Some(quarter) = quarter_of(scenario, observation.date) else {
            skipped.push(format!(
                "observation {index} ({} members of {} at {}) lies outside the run ({} to the end of {}); not used",
                observation.members,
                cluster.id,
                observation.date,
                scenario.budget.first_year,
                scenario.budget.horizon_year
            ));
            continue;
        };
        let source = scenario
            .file
            .observations
            .get(index)
            .and_then(|spec| spec.source.clone())
            .unwrap_or_else(|| "scenario observations".into());
        let observed = observation.members as f64;
        targets.push(Target {
            name: format!("{}-members-{}", cluster.id, observation.date),
            quantity: "members".into(),
            cluster: Some(observation.cluster),
            date: observation.date,
            quarter,
            slot: observation.cluster * CLUSTER_OUTCOMES.len() + members,
            observed,
            uncertainty: Uncertainty::Sd((sd_share * observed).max(1.0)),
            source,
            description: describe("members", Some(&cluster.id), scenario, quarter),
        });
    }
    (targets, skipped)
}

/// The quarter index containing decimal year `date`, if it lies within the run.
fn quarter_of(scenario: &Scenario, date: f64) -> Option<usize> {
    let offset = (date - f64::from(scenario.budget.first_year)) * 4.0;
    (date.is_finite() && offset >= 0.0 && offset < scenario.budget.quarters() as f64)
        .then(|| offset.floor() as usize)
}

fn describe(quantity: &str, cluster: Option<&str>, scenario: &Scenario, quarter: usize) -> String {
    let of = cluster.map_or(String::new(), |id| format!(" of {id}"));
    format!(
        "{quantity}{of} at the end of {}",
        scenario.budget.period_label(quarter)
    )
}

fn check_target(
    spec: &TargetSpec,
    scenario: &Scenario,
    path: JsonPath,
    problems: &mut Vec<Problem>,
) -> Option<Target> {
    let before = problems.len();
    if spec.name.trim().is_empty() {
        problems.push(Problem {
            path: path.key("name"),
            message: "the name must not be empty".into(),
        });
    }
    if spec.source.trim().is_empty() {
        problems.push(Problem {
            path: path.key("source"),
            message: "say where the observation comes from (a facts-file id or a URL)".into(),
        });
    }
    let cluster = match &spec.cluster {
        None => None,
        Some(id) => match scenario.clusters.iter().position(|c| &c.id == id) {
            Some(index) => Some(index),
            None => {
                let ids: Vec<&str> = scenario.clusters.iter().map(|c| c.id.as_str()).collect();
                problems.push(Problem {
                    path: path.key("cluster"),
                    message: format!("unknown cluster '{id}'; valid: {}", ids.join(", ")),
                });
                return None;
            }
        },
    };
    let outcomes: &[&str] = if cluster.is_some() {
        &CLUSTER_OUTCOMES
    } else {
        &TOTAL_OUTCOMES
    };
    // Money quantities are named as `summary.csv` names them: in the scenario's currency
    // (`absorbed_eur` in an EUR scenario, `absorbed_ltl` in an LTL one).
    let currency = &scenario.currency;
    let Some(position) = outcomes
        .iter()
        .position(|name| currency.name(name) == spec.quantity)
    else {
        let scope = if cluster.is_some() {
            "per-cluster quantities (with \"cluster\")"
        } else {
            "whole-economy quantities (without \"cluster\")"
        };
        problems.push(Problem {
            path: path.key("quantity"),
            message: format!(
                "unknown quantity '{}'; valid {scope}: {}",
                spec.quantity,
                outcomes
                    .iter()
                    .map(|name| currency.name(name))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
        return None;
    };
    let quarter = quarter_of(scenario, spec.date);
    match quarter {
        None => problems.push(Problem {
            path: path.key("date"),
            message: format!(
                "the date {} lies outside the run; a decimal year from {} to before {} is expected (e.g. {}.5 for mid-{})",
                spec.date,
                scenario.budget.first_year,
                scenario.budget.horizon_year + 1,
                scenario.budget.horizon_year,
                scenario.budget.horizon_year
            ),
        }),
        Some(quarter) if is_network_outcome(&spec.quantity) && !structure_measured(quarter) => {
            problems.push(Problem {
                path: path.key("date"),
                message: format!(
                    "'{}' is measured only at the end of each year; give a date in the last quarter (e.g. {}.9)",
                    spec.quantity,
                    scenario.budget.first_year + (quarter / 4) as i32
                ),
            });
        }
        Some(_) => {}
    }
    if !spec.observed.is_finite() {
        problems.push(Problem {
            path: path.key("observed"),
            message: "a finite number is expected".into(),
        });
    }
    let uncertainty = check_uncertainty(spec, path.key("uncertainty"), problems);
    if problems.len() > before {
        return None;
    }
    let quarter = quarter?;
    let slot = match cluster {
        Some(index) => index * CLUSTER_OUTCOMES.len() + position,
        None => scenario.clusters.len() * CLUSTER_OUTCOMES.len() + position,
    };
    debug_assert!(slot < slots_per_quarter(scenario.clusters.len()));
    Some(Target {
        name: spec.name.clone(),
        quantity: spec.quantity.clone(),
        cluster,
        date: spec.date,
        quarter,
        slot,
        observed: spec.observed,
        uncertainty: uncertainty?,
        source: spec.source.clone(),
        description: describe(
            &spec.quantity,
            cluster.map(|c| scenario.clusters[c].id.as_str()),
            scenario,
            quarter,
        ),
    })
}

fn check_uncertainty(
    spec: &TargetSpec,
    path: JsonPath,
    problems: &mut Vec<Problem>,
) -> Option<Uncertainty> {
    let positive = |value: f64| value.is_finite() && value > 0.0;
    let (checked, field, value) = match spec.uncertainty {
        UncertaintySpec::Sd(sd) => (Uncertainty::Sd(sd), "sd", sd),
        UncertaintySpec::AtLeast { scale } => (Uncertainty::AtLeast(scale), "at_least", scale),
        UncertaintySpec::AtMost { scale } => (Uncertainty::AtMost(scale), "at_most", scale),
        UncertaintySpec::Interval { lower, upper } => {
            if !(lower.is_finite() && upper.is_finite() && lower < upper) {
                problems.push(Problem {
                    path: path.key("interval"),
                    message: format!(
                        "an interval with finite lower < upper is expected (got {lower} to {upper})"
                    ),
                });
                return None;
            }
            return Some(Uncertainty::Interval { lower, upper });
        }
    };
    if positive(value) {
        Some(checked)
    } else {
        let at = if field == "sd" {
            path.key("sd")
        } else {
            path.key(field).key("scale")
        };
        problems.push(Problem {
            path: at,
            message: format!("a positive number is expected (got {value})"),
        });
        None
    }
}

#[cfg(test)]
mod tests;
