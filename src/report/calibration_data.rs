//! A calibration folder read back: `posterior.csv`, `fit.csv` and `generations.csv` (written by
//! `clustersim calibrate`), with each calibrated input's prior and posterior summarised for the
//! calibration charts and report.
//!
//! The prior of an input is described without random draws, by its quantile function on the
//! input's valid range ([`slot_value_at`], the machinery that design-based sensitivity analysis
//! uses): a stratified grid of [`PRIOR_GRID`] quantiles u = (k + ½)/M for the histogram and the
//! mean, and the exact 5th and 95th percentiles. The posterior is the weighted particle set.

use std::path::Path;

use anyhow::{Context, bail};

use super::results::{number, read, split};
use crate::model::parameters::slot_value_at;
use crate::scenario::{POSTERIOR_FILE, ParameterSlot, Posterior, Scenario};

/// The header `fit.csv` must have.
pub const FIT_HEADER: &str = "target,quantity,observed,kind,lower,upper,source,prior_mean,\
prior_p05,prior_p95,posterior_mean,posterior_p05,posterior_p95,inside,misfit,closest";

/// The header `generations.csv` must have.
pub const GENERATIONS_HEADER: &str =
    "generation,tolerance,particles,simulations,acceptance_rate,ess";

/// Quantiles of the prior evaluated per input (stratified: u = (k + ½)/M).
pub const PRIOR_GRID: usize = 2000;

/// Below this ratio of posterior to prior 90% width, the report says the data narrowed an input.
pub const NARROWED: f64 = 0.5;
/// At or above this ratio the report says the input stays about as wide as its prior.
pub const AS_WIDE: f64 = 0.8;

/// One target's fit (a row of `fit.csv`).
#[derive(Debug, Clone, PartialEq)]
pub struct FitRow {
    /// The target's name.
    pub target: String,
    /// What is compared, in words.
    pub quantity: String,
    /// The observed value (or the bound, for `at_least`/`at_most`).
    pub observed: f64,
    /// `sd`, `interval`, `at_least` or `at_most`.
    pub kind: String,
    /// Lower end of the acceptable band, if bounded below.
    pub lower: Option<f64>,
    /// Upper end of the acceptable band, if bounded above.
    pub upper: Option<f64>,
    /// Source id of the observation.
    pub source: String,
    /// Prior predictive mean, 5th and 95th percentiles.
    pub prior: [Option<f64>; 3],
    /// Posterior predictive mean, 5th and 95th percentiles.
    pub posterior: [Option<f64>; 3],
    /// Whether the observation (or bound) lies within the posterior predictive 90% interval.
    pub inside: bool,
    /// Whether the target is a misfit.
    pub misfit: bool,
    /// The simulated value closest to the observation over the posterior predictive draws.
    pub closest: Option<f64>,
}

/// One ABC-SMC generation (a row of `generations.csv`).
#[derive(Debug, Clone, PartialEq)]
pub struct GenerationRow {
    /// Generation number.
    pub generation: u64,
    /// Its distance tolerance.
    pub tolerance: f64,
    /// Particles accepted.
    pub particles: u64,
    /// Simulations run.
    pub simulations: u64,
    /// Accepted / simulated.
    pub acceptance_rate: f64,
    /// Effective sample size of its weights.
    pub ess: f64,
}

/// One calibrated input: its prior and posterior.
#[derive(Debug, Clone, PartialEq)]
pub struct InputSummary {
    /// The parameter-slot label.
    pub label: String,
    /// The prior's quantiles on the stratified grid (ascending), for the histogram.
    pub prior_grid: Vec<f64>,
    /// Prior mean (over the grid), 5th and 95th percentiles (exact).
    pub prior: [f64; 3],
    /// (value, normalised weight) of every particle.
    pub particles: Vec<(f64, f64)>,
    /// Posterior weighted mean, 5th and 95th weighted percentiles.
    pub posterior: [f64; 3],
}

impl InputSummary {
    /// Posterior 90% width ÷ prior 90% width (None when the prior's width is 0).
    pub fn width_ratio(&self) -> Option<f64> {
        let prior = self.prior[2] - self.prior[1];
        (prior > 0.0).then(|| (self.posterior[2] - self.posterior[1]) / prior)
    }
}

/// A calibration folder read back.
#[derive(Debug, Clone)]
pub struct Calibration {
    /// The scenario's name.
    pub scenario_name: String,
    /// The posterior.
    pub posterior: Posterior,
    /// Every calibrated input, in `posterior.csv` order.
    pub inputs: Vec<InputSummary>,
    /// Every target, in `fit.csv` order.
    pub fit: Vec<FitRow>,
    /// Every generation, in order.
    pub generations: Vec<GenerationRow>,
    /// The folder's `manifest.json`, if it has a readable one.
    pub manifest: Option<serde_json::Value>,
}

/// The weighted `p`-quantile of (value, weight) pairs with weights summing to 1: the smallest
/// value whose cumulative weight (values ascending) reaches `p` (the inverse of the weighted
/// empirical distribution function). NaN for no pairs.
pub fn weighted_quantile(pairs: &[(f64, f64)], p: f64) -> f64 {
    let mut sorted = pairs.to_vec();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = sorted.iter().map(|(_, w)| w).sum();
    let mut cumulative = 0.0;
    for (value, weight) in &sorted {
        cumulative += weight;
        // A relative slack of 1e-12 keeps rounding in the running sum from skipping a value
        // whose cumulative weight is exactly p.
        if cumulative >= p * total * (1.0 - 1e-12) && *weight > 0.0 {
            return *value;
        }
    }
    sorted
        .iter()
        .rev()
        .find(|(_, w)| *w > 0.0)
        .map_or(f64::NAN, |(v, _)| *v)
}

/// The prior of `slot`: its quantiles on the stratified grid, and (grid mean, exact 5th, exact
/// 95th percentile).
pub fn prior_summary(slot: &ParameterSlot) -> (Vec<f64>, [f64; 3]) {
    let grid: Vec<f64> = (0..PRIOR_GRID)
        .map(|k| slot_value_at(slot, (k as f64 + 0.5) / PRIOR_GRID as f64))
        .collect();
    let mean = grid.iter().sum::<f64>() / grid.len() as f64;
    (
        grid,
        [mean, slot_value_at(slot, 0.05), slot_value_at(slot, 0.95)],
    )
}

impl Calibration {
    /// Reads `posterior.csv`, `fit.csv` and `generations.csv` (and `manifest.json`, if any) from
    /// `folder`, checking them against `scenario`.
    pub fn load(folder: &Path, scenario: &Scenario) -> anyhow::Result<Self> {
        let slots = scenario.parameter_slots();
        let posterior_path = folder.join(POSTERIOR_FILE);
        let text = read(folder, POSTERIOR_FILE)?;
        let mut posterior = Posterior::parse(&text, &posterior_path.display().to_string(), &slots)?;
        posterior.folder = folder.display().to_string();
        let inputs = posterior
            .labels
            .iter()
            .enumerate()
            .map(|(column, label)| {
                let slot = slots
                    .iter()
                    .find(|slot| &slot.label == label)
                    .context("a posterior label without a slot")?;
                let (prior_grid, prior) = prior_summary(slot);
                let particles: Vec<(f64, f64)> = (0..posterior.particles())
                    .map(|particle| {
                        (
                            posterior.value(particle, column),
                            posterior.weights[particle],
                        )
                    })
                    .collect();
                let (mean, _) = posterior.weighted_mean_sd(column);
                let posterior = [
                    mean,
                    weighted_quantile(&particles, 0.05),
                    weighted_quantile(&particles, 0.95),
                ];
                Ok(InputSummary {
                    label: label.clone(),
                    prior_grid,
                    prior,
                    particles,
                    posterior,
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let fit = parse_fit(&read(folder, "fit.csv")?)?;
        let generations = parse_generations(&read(folder, "generations.csv")?)?;
        let manifest = std::fs::read_to_string(folder.join("manifest.json"))
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok());
        Ok(Self {
            scenario_name: scenario.name.clone(),
            posterior,
            inputs,
            fit,
            generations,
            manifest,
        })
    }

    /// The targets the model misses, in `fit.csv` order.
    pub fn misfits(&self) -> Vec<&FitRow> {
        self.fit.iter().filter(|row| row.misfit).collect()
    }
}

fn rows(text: &str, file: &'static str, header: &str) -> anyhow::Result<Vec<Vec<String>>> {
    let mut lines = text.lines();
    match lines.next() {
        Some(first) if first.trim_start_matches('\u{feff}') == header => {}
        _ => bail!("{file} does not start with the expected header '{header}'"),
    }
    let width = header.split(',').count();
    lines
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(index, line)| {
            let cells = split(line);
            if cells.len() != width {
                bail!(
                    "{file} line {}: expected {width} cells, found {}",
                    index + 2,
                    cells.len()
                );
            }
            Ok(cells)
        })
        .collect()
}

fn required(cell: &str, file: &str, line: usize, column: &str) -> anyhow::Result<f64> {
    number(cell, file, line)?
        .with_context(|| format!("{file} line {line}: {column} must be a finite number"))
}

fn flag(cell: &str, file: &str, line: usize, column: &str) -> anyhow::Result<bool> {
    match cell {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => bail!("{file} line {line}: {column} must be true or false (found '{cell}')"),
    }
}

/// Parses `fit.csv`.
pub fn parse_fit(text: &str) -> anyhow::Result<Vec<FitRow>> {
    const FILE: &str = "fit.csv";
    rows(text, FILE, FIT_HEADER)?
        .into_iter()
        .enumerate()
        .map(|(index, cells)| {
            let line = index + 2;
            let value = |column: usize| number(&cells[column], FILE, line);
            let kind = cells[3].clone();
            if !["sd", "interval", "at_least", "at_most"].contains(&kind.as_str()) {
                bail!(
                    "{FILE} line {line}: kind must be sd, interval, at_least or at_most (found \
                     '{kind}')"
                );
            }
            Ok(FitRow {
                target: cells[0].clone(),
                quantity: cells[1].clone(),
                observed: required(&cells[2], FILE, line, "observed")?,
                kind,
                lower: value(4)?,
                upper: value(5)?,
                source: cells[6].clone(),
                prior: [value(7)?, value(8)?, value(9)?],
                posterior: [value(10)?, value(11)?, value(12)?],
                inside: flag(&cells[13], FILE, line, "inside")?,
                misfit: flag(&cells[14], FILE, line, "misfit")?,
                closest: value(15)?,
            })
        })
        .collect()
}

/// Parses `generations.csv`.
pub fn parse_generations(text: &str) -> anyhow::Result<Vec<GenerationRow>> {
    const FILE: &str = "generations.csv";
    rows(text, FILE, GENERATIONS_HEADER)?
        .into_iter()
        .enumerate()
        .map(|(index, cells)| {
            let line = index + 2;
            let count = |column: usize, name: &str| -> anyhow::Result<u64> {
                cells[column].parse().with_context(|| {
                    format!(
                        "{FILE} line {line}: {name} must be a whole number (found '{}')",
                        cells[column]
                    )
                })
            };
            Ok(GenerationRow {
                generation: count(0, "generation")?,
                // Generation 0 (draws from the prior) accepts every distance: `inf`.
                tolerance: if cells[1] == "inf" {
                    f64::INFINITY
                } else {
                    required(&cells[1], FILE, line, "tolerance")?
                },
                particles: count(2, "particles")?,
                simulations: count(3, "simulations")?,
                acceptance_rate: required(&cells[4], FILE, line, "acceptance_rate")?,
                ess: required(&cells[5], FILE, line, "ess")?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Distribution, Param};

    #[test]
    fn weighted_quantiles_invert_the_weighted_distribution_function() {
        // Values 1, 2, 3, 4 with weights 0.1, 0.4, 0.4, 0.1: F(1) = 0.1, F(2) = 0.5, F(3) = 0.9.
        let pairs = [(3.0, 0.4), (1.0, 0.1), (4.0, 0.1), (2.0, 0.4)];
        assert_eq!(weighted_quantile(&pairs, 0.05), 1.0);
        assert_eq!(weighted_quantile(&pairs, 0.1), 1.0);
        assert_eq!(weighted_quantile(&pairs, 0.11), 2.0);
        assert_eq!(weighted_quantile(&pairs, 0.5), 2.0);
        assert_eq!(weighted_quantile(&pairs, 0.9), 3.0);
        assert_eq!(weighted_quantile(&pairs, 0.95), 4.0);
        // A zero-weight value is never a quantile.
        assert_eq!(weighted_quantile(&[(0.0, 0.0), (5.0, 1.0)], 0.0), 5.0);
        assert!(weighted_quantile(&[], 0.5).is_nan());
    }

    #[test]
    fn the_prior_summary_matches_the_distribution() {
        // Triangular(0, 1, 2): mean 1, 5th percentile √(0.05 · 2) = 0.3162…, 95th 2 − √0.1.
        let slot = ParameterSlot {
            label: "model.x".into(),
            param: Param::Random(Distribution::triangular(0.0, 1.0, 2.0).unwrap()),
            min: 0.0,
            max: 10.0,
            integer: false,
        };
        let (grid, [mean, p05, p95]) = prior_summary(&slot);
        assert_eq!(grid.len(), PRIOR_GRID);
        assert!(grid.windows(2).all(|w| w[0] <= w[1]));
        // The midpoint rule on 2000 strata of a smooth quantile function: error far below 1e-6.
        assert!((mean - 1.0).abs() < 1e-6, "{mean}");
        assert!((p05 - 0.1f64.sqrt()).abs() < 1e-12, "{p05}");
        assert!((p95 - (2.0 - 0.1f64.sqrt())).abs() < 1e-12, "{p95}");
    }

    #[test]
    fn fit_and_generation_rows_are_read_and_bad_ones_refused() {
        let fit = format!(
            "{FIT_HEADER}\nclusters,\"clusters operating at 2015-12-31, all sectors\",75,sd,65,85,\
             facts,60,40,80,74,66,82,true,false,75\nabbi,members,40,at_least,40,,facts,20,10,30,\
             25,15,35,false,true,36\n"
        );
        let rows = parse_fit(&fit).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(
            rows[0].quantity,
            "clusters operating at 2015-12-31, all sectors"
        );
        assert_eq!(rows[1].upper, None);
        assert_eq!(rows[1].closest, Some(36.0));
        assert!(rows[1].misfit && !rows[1].inside);
        let bad = fit.replace("at_least", "more_than");
        let error = parse_fit(&bad).unwrap_err().to_string();
        assert!(error.contains("fit.csv line 3: kind must be"), "{error}");
        let bad = fit.replace(",true,false,", ",yes,false,");
        assert!(
            parse_fit(&bad)
                .unwrap_err()
                .to_string()
                .contains("inside must be true or false")
        );
        assert!(parse_fit("target\n").is_err());

        let generations =
            format!("{GENERATIONS_HEADER}\n0,12.5,200,200,1,200\n1,3.25,200,950,0.21,180.5\n");
        let rows = parse_generations(&generations).unwrap();
        assert_eq!(rows[1].simulations, 950);
        assert_eq!(rows[1].ess, 180.5);
        let error = parse_generations(&generations.replace("950", "9.5"))
            .unwrap_err()
            .to_string();
        assert!(error.contains("generations.csv line 3: simulations must be a whole number"));
    }
}
