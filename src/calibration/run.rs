//! ABC-SMC on a scenario: the scenario's uncertain inputs as the prior, one model run (the
//! scenario's policy and its counterfactual, exactly as `clustersim run` simulates them) as the
//! simulator, the targets' scaled distance, then a fresh posterior predictive run per particle.
//!
//! Model runs of a calibration use the master seed with run indices 2⁶³ + g·2³² + a (generation
//! g, attempt a; g = 2³¹ − 1 for the posterior predictive runs), far from the indices of
//! `clustersim run`, so each simulation has its own streams and none depends on the thread count.

use rayon::prelude::*;

use super::abc::{AbcResult, AbcSettings, Progress, abc_smc};
use super::fit::{Interval, TargetFit, fit_targets, weighted_interval};
use super::prior::ScenarioPrior;
use super::targets::{Target, distance};
use crate::engine::outcomes::slots_per_quarter;
use crate::engine::simulate_with_parameters;
use crate::model::parameters::parameters_from_values;
use crate::policy::rule_for;
use crate::scenario::Scenario;

/// The generation number of the posterior predictive runs.
const PREDICTIVE_GENERATION: usize = 0x7FFF_FFFF;

/// The model run index of attempt `attempt` in generation `generation`.
pub fn model_run(generation: usize, attempt: u64) -> u64 {
    (1 << 63) | ((generation as u64 & 0x7FFF_FFFF) << 32) | (attempt & 0xFFFF_FFFF)
}

/// A finished calibration.
#[derive(Debug, Clone)]
pub struct Calibration {
    /// Labels of the calibrated inputs, in slot order.
    pub labels: Vec<String>,
    /// The ABC result; each particle's output is its simulated target values.
    pub abc: AbcResult<Vec<f64>>,
    /// Target values of a fresh run per posterior particle (same order as the particles).
    pub posterior_predictive: Vec<Vec<f64>>,
    /// The fit per target.
    pub fit: Vec<TargetFit>,
}

/// Calibrates `scenario` to `targets`.
pub fn calibrate_scenario(
    scenario: &Scenario,
    targets: &[Target],
    settings: AbcSettings,
    progress: &Progress,
) -> anyhow::Result<Calibration> {
    let prior = ScenarioPrior::new(scenario)?;
    let rule = rule_for(&scenario.policy.rule);
    let width = slots_per_quarter(scenario.clusters.len());
    let simulate_values = |theta: &[f64], run: u64| -> Vec<f64> {
        let parameters = parameters_from_values(scenario, prior.full_values(theta));
        let record = simulate_with_parameters(
            scenario,
            &parameters,
            Some(rule.as_ref()),
            settings.seed,
            run,
        );
        targets
            .iter()
            .map(|target| target.value(&record.series, width))
            .collect()
    };
    let simulate = |theta: &[f64], generation: usize, attempt: u64| {
        let values = simulate_values(theta, model_run(generation, attempt));
        (distance(targets, &values), values)
    };
    let abc = abc_smc(&prior, &simulate, settings, progress)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(settings.threads.max(1))
        .build()?;
    let posterior_predictive: Vec<Vec<f64>> = pool.install(|| {
        abc.posterior
            .par_iter()
            .enumerate()
            .map(|(index, particle)| {
                simulate_values(
                    &particle.theta,
                    model_run(PREDICTIVE_GENERATION, index as u64),
                )
            })
            .collect()
    });
    let prior_values: Vec<Vec<f64>> = abc.prior.iter().map(|p| p.output.clone()).collect();
    let weights: Vec<f64> = abc.posterior.iter().map(|p| p.weight).collect();
    let fit = fit_targets(targets, &prior_values, &posterior_predictive, &weights);
    Ok(Calibration {
        labels: prior.labels(),
        abc,
        posterior_predictive,
        fit,
    })
}

/// Prior and posterior 90% intervals of one calibrated input.
#[derive(Debug, Clone, PartialEq)]
pub struct InputNarrowing {
    /// Input label.
    pub label: String,
    /// Over the prior draws of generation 0.
    pub prior: Interval,
    /// Over the weighted posterior.
    pub posterior: Interval,
}

impl InputNarrowing {
    /// Posterior 90% width over prior 90% width (NaN for a prior of zero width).
    pub fn width_ratio(&self) -> f64 {
        let prior = self.prior.p95 - self.prior.p05;
        if prior > 0.0 {
            (self.posterior.p95 - self.posterior.p05) / prior
        } else {
            f64::NAN
        }
    }
}

/// How much the data narrowed each input.
pub fn input_narrowing(calibration: &Calibration) -> Vec<InputNarrowing> {
    let prior = &calibration.abc.prior;
    let posterior = &calibration.abc.posterior;
    let equal = vec![1.0; prior.len()];
    let weights: Vec<f64> = posterior.iter().map(|p| p.weight).collect();
    calibration
        .labels
        .iter()
        .enumerate()
        .map(|(index, label)| {
            let prior_values: Vec<f64> = prior.iter().map(|p| p.theta[index]).collect();
            let posterior_values: Vec<f64> = posterior.iter().map(|p| p.theta[index]).collect();
            InputNarrowing {
                label: label.clone(),
                prior: weighted_interval(&prior_values, &equal),
                posterior: weighted_interval(&posterior_values, &weights),
            }
        })
        .collect()
}
