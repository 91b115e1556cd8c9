//! ABC-SMC, generic over the prior and the simulator: the adaptive sequential Monte Carlo sampler
//! of Del Moral, Doucet & Jasra (2012) in the replenishment form of Drovandi & Pettitt (2011),
//! with the move kernel's scale of Beaumont, Cornuet, Marin & Robert (2009).
//!
//! Generation 0 draws `particles` parameter sets from the prior and simulates each (tolerance
//! ∞). Generation g ≥ 1:
//! 1. sets its tolerance εg to the `quantile` of the previous generation's distances;
//! 2. reweights: a particle's importance weight becomes proportional to its old weight times
//!    1{d ≤ εg} (the ratio of the ABC targets πεg / πεg−1); the effective sample size of these
//!    weights is reported;
//! 3. replenishes: each particle with weight 0 is replaced by a copy of a surviving particle
//!    drawn uniformly, so all weights are equal again;
//! 4. moves every particle by ABC-MCMC (Marjoram, Molitor, Plagnol & Tavaré 2003): propose θ′
//!    from the Gaussian [`Kernel`] around θ (twice the population's covariance; integer inputs
//!    rounded, which keeps the proposal symmetric), accept with probability
//!    min(1, π(θ′)/π(θ)) · 1{d(x′) ≤ εg}, simulating only when the prior ratio test passes. A
//!    first round of moves estimates the acceptance rate p; then R − 1 more rounds follow, with
//!    R = ⌈ln 0.01 / ln(1 − p)⌉ (so a particle stays unmoved with probability about 1%), at most
//!    `max_moves`. The moves leave the ABC posterior at εg invariant, so the weights stay equal.
//!
//! Unlike population Monte Carlo weights (Beaumont et al. 2009), which divide by a mixture of
//! kernels and collapse to a handful of particles when dozens of inputs are calibrated at once,
//! these weights never degenerate: the MCMC step does the work in high dimension.
//!
//! Determinism: every random number of a generation comes from a stream keyed by (seed,
//! Calibration, generation, index) — index = round · particles + particle for moves and
//! [`RESAMPLE_INDEX`] + particle for replenishment — and the simulator is told (generation,
//! index) to key its own streams. Particles move in parallel but independently, so the result is
//! the same whatever the thread count.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use super::kernel::Kernel;
use crate::model::streams::{Purpose, stream};

/// Stream index offset of the replenishment draws (far above any move's index).
pub const RESAMPLE_INDEX: u64 = 1 << 40;

/// Probability that a particle is never moved in a generation, which sets the number of move
/// rounds (Drovandi & Pettitt 2011).
const UNMOVED_PROBABILITY: f64 = 0.01;

/// A prior distribution over parameter vectors.
pub trait Prior: Sync {
    /// Number of parameters.
    fn dimension(&self) -> usize;
    /// One draw.
    fn sample(&self, rng: &mut ChaCha8Rng) -> Vec<f64>;
    /// ln π(θ), up to a constant; −∞ where the prior puts no mass.
    fn ln_density(&self, theta: &[f64]) -> f64;
    /// Which coordinates are integers (proposals are rounded there).
    fn integer(&self) -> Vec<bool>;
}

/// How to run ABC-SMC.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AbcSettings {
    /// Particles per generation.
    pub particles: usize,
    /// Generations after generation 0 (the prior).
    pub generations: usize,
    /// Quantile of the previous generation's distances that sets the next tolerance, in (0, 1).
    pub quantile: f64,
    /// Master seed.
    pub seed: u64,
    /// Worker threads.
    pub threads: usize,
    /// Most rounds of MCMC moves per generation (at least 1).
    pub max_moves: usize,
}

/// One particle.
#[derive(Debug, Clone, PartialEq)]
pub struct Particle<T> {
    /// Parameter values.
    pub theta: Vec<f64>,
    /// Normalised importance weight.
    pub weight: f64,
    /// Distance of its simulation to the observations.
    pub distance: f64,
    /// What the simulator returned besides the distance.
    pub output: T,
}

/// What one generation did.
#[derive(Debug, Clone, PartialEq)]
pub struct GenerationSummary {
    /// Generation number (0: the prior).
    pub generation: usize,
    /// Its tolerance (∞ for generation 0).
    pub tolerance: f64,
    /// Particles.
    pub particles: usize,
    /// Model simulations run in the generation.
    pub simulations: u64,
    /// Moves accepted per simulation (1 for generation 0).
    pub acceptance_rate: f64,
    /// Effective sample size 1 / Σ wᵢ² (Kish 1965) of the importance weights after reweighting
    /// to this generation's tolerance (before replenishing).
    pub ess: f64,
    /// Rounds of moves made.
    pub moves: usize,
}

/// Why the calibration ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// Every generation asked for finished.
    Completed,
    /// Stopped on request (Ctrl-C) before a generation finished; the finished ones are kept.
    Interrupted,
}

/// The result: the first and last finished generations and every generation's summary.
#[derive(Debug, Clone)]
pub struct AbcResult<T> {
    /// Generation 0: draws from the prior (equal weights) with their simulations — the prior
    /// predictive distribution. Empty if interrupted before it finished.
    pub prior: Vec<Particle<T>>,
    /// The last finished generation: the ABC posterior.
    pub posterior: Vec<Particle<T>>,
    /// One summary per finished generation.
    pub generations: Vec<GenerationSummary>,
    /// Why it ended.
    pub ending: Ending,
}

/// Progress callbacks.
pub struct Progress<'a> {
    /// A generation starts: (generation, tolerance).
    pub start: &'a (dyn Fn(usize, f64) + Sync),
    /// Called once per particle simulated or moved.
    pub step: &'a (dyn Fn() + Sync),
    /// Polled between rounds: true stops the calibration.
    pub stop: &'a (dyn Fn() -> bool + Sync),
}

/// The simulator: `simulate(θ, generation, index)` returns the distance of a simulation at θ to
/// the observations (NaN counts as ∞) and anything else worth keeping.
pub type Simulator<'a, T> = dyn Fn(&[f64], usize, u64) -> (f64, T) + Sync + 'a;

/// Runs ABC-SMC.
pub fn abc_smc<T: Send + Sync + Clone>(
    prior: &dyn Prior,
    simulate: &Simulator<T>,
    settings: AbcSettings,
    progress: &Progress,
) -> anyhow::Result<AbcResult<T>> {
    anyhow::ensure!(settings.particles >= 2, "at least 2 particles are needed");
    anyhow::ensure!(
        settings.quantile > 0.0 && settings.quantile < 1.0,
        "the tolerance quantile must lie strictly between 0 and 1"
    );
    anyhow::ensure!(settings.max_moves >= 1, "at least 1 move is needed");
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(settings.threads.max(1))
        .build()?;
    let integer = prior.integer();
    let count = settings.particles;
    let weight = 1.0 / count as f64;
    let interrupted = |generations| AbcResult {
        prior: Vec::new(),
        posterior: Vec::new(),
        generations,
        ending: Ending::Interrupted,
    };

    (progress.start)(0, f64::INFINITY);
    if (progress.stop)() {
        return Ok(interrupted(Vec::new()));
    }
    let first: Vec<Particle<T>> = pool.install(|| {
        (0..count as u64)
            .into_par_iter()
            .map(|index| {
                let mut rng = stream(settings.seed, Purpose::Calibration, 0, index);
                let theta = prior.sample(&mut rng);
                let (distance, output) = simulate(&theta, 0, index);
                (progress.step)();
                Particle {
                    theta,
                    weight,
                    distance: finite_or_infinity(distance),
                    output,
                }
            })
            .collect()
    });
    if (progress.stop)() {
        return Ok(interrupted(Vec::new()));
    }
    let mut generations = vec![GenerationSummary {
        generation: 0,
        tolerance: f64::INFINITY,
        particles: count,
        simulations: count as u64,
        acceptance_rate: 1.0,
        ess: count as f64,
        moves: 0,
    }];
    let mut population = first.clone();
    let mut ending = Ending::Completed;

    for generation in 1..=settings.generations {
        let tolerance = distance_quantile(&population, settings.quantile);
        (progress.start)(generation, tolerance);
        let alive: Vec<usize> = (0..count)
            .filter(|index| population[*index].distance <= tolerance)
            .collect();
        let reweighted: Vec<f64> = (0..count)
            .map(|index| {
                if population[index].distance <= tolerance {
                    1.0 / alive.len() as f64
                } else {
                    0.0
                }
            })
            .collect();
        let ess = effective_sample_size(&reweighted);
        let mut current = replenish(&population, &alive, settings.seed, generation);
        let points: Vec<Vec<f64>> = current.iter().map(|p| p.theta.clone()).collect();
        let kernel = Kernel::from_population(&points, &vec![weight; count], &integer);
        let mut simulations = 0u64;
        let mut accepted = 0u64;
        let mut rounds = 1;
        let mut round = 0;
        let mut stopped = false;
        while round < rounds {
            if (progress.stop)() {
                stopped = true;
                break;
            }
            let moved: Vec<(Particle<T>, bool, bool)> = pool.install(|| {
                current
                    .par_iter()
                    .enumerate()
                    .map(|(index, particle)| {
                        let attempt = (round * count + index) as u64;
                        let result = move_particle(
                            prior,
                            simulate,
                            &kernel,
                            &integer,
                            particle,
                            tolerance,
                            (settings.seed, generation, attempt),
                        );
                        (progress.step)();
                        result
                    })
                    .collect()
            });
            let mut round_accepted = 0u64;
            let mut round_simulations = 0u64;
            current = moved
                .into_iter()
                .map(|(particle, simulated, moved)| {
                    round_simulations += u64::from(simulated);
                    round_accepted += u64::from(moved);
                    particle
                })
                .collect();
            simulations += round_simulations;
            accepted += round_accepted;
            if round == 0 {
                rounds = move_rounds(round_accepted as f64 / count as f64, settings.max_moves);
            }
            round += 1;
        }
        if stopped {
            ending = Ending::Interrupted;
            break;
        }
        population = current;
        generations.push(GenerationSummary {
            generation,
            tolerance,
            particles: count,
            simulations,
            acceptance_rate: if simulations > 0 {
                accepted as f64 / simulations as f64
            } else {
                0.0
            },
            ess,
            moves: rounds,
        });
    }
    Ok(AbcResult {
        prior: first,
        posterior: population,
        generations,
        ending,
    })
}

/// One ABC-MCMC move of `particle` at `tolerance`, from stream (seed, Calibration, generation,
/// attempt). Returns the particle (moved or not), whether a simulation ran, and whether it moved.
fn move_particle<T: Clone>(
    prior: &dyn Prior,
    simulate: &Simulator<T>,
    kernel: &Kernel,
    integer: &[bool],
    particle: &Particle<T>,
    tolerance: f64,
    (seed, generation, attempt): (u64, usize, u64),
) -> (Particle<T>, bool, bool) {
    let mut rng = stream(seed, Purpose::Calibration, generation as u64, attempt);
    let mut theta = kernel.perturb(&particle.theta, &mut rng);
    for (value, integer) in theta.iter_mut().zip(integer) {
        if *integer {
            *value = value.round();
        }
    }
    let u: f64 = rng.random();
    let ln_ratio = prior.ln_density(&theta) - prior.ln_density(&particle.theta);
    if ln_ratio == f64::NEG_INFINITY || u.ln() > ln_ratio {
        return (particle.clone(), false, false);
    }
    let (distance, output) = simulate(&theta, generation, attempt);
    let distance = finite_or_infinity(distance);
    if distance <= tolerance {
        let moved = Particle {
            theta,
            weight: particle.weight,
            distance,
            output,
        };
        (moved, true, true)
    } else {
        (particle.clone(), true, false)
    }
}

/// Rounds of moves for a first-round acceptance rate `rate`: ⌈ln 0.01 / ln(1 − rate)⌉, between
/// 1 and `max`.
fn move_rounds(rate: f64, max: usize) -> usize {
    if rate <= 0.0 {
        return max;
    }
    if rate >= 1.0 {
        return 1;
    }
    let rounds = (UNMOVED_PROBABILITY.ln() / (1.0 - rate).ln()).ceil();
    (rounds as usize).clamp(1, max)
}

/// Keeps the particles in `alive` and replaces each other one by a copy of an alive particle
/// drawn uniformly from stream (seed, Calibration, generation, [`RESAMPLE_INDEX`] + index).
fn replenish<T: Clone>(
    population: &[Particle<T>],
    alive: &[usize],
    seed: u64,
    generation: usize,
) -> Vec<Particle<T>> {
    let mut is_alive = vec![false; population.len()];
    for index in alive {
        is_alive[*index] = true;
    }
    population
        .iter()
        .enumerate()
        .map(|(index, particle)| {
            if is_alive[index] {
                return particle.clone();
            }
            let mut rng = stream(
                seed,
                Purpose::Calibration,
                generation as u64,
                RESAMPLE_INDEX + index as u64,
            );
            let pick = rng.random_range(0..alive.len());
            population[alive[pick]].clone()
        })
        .collect()
}

fn finite_or_infinity(distance: f64) -> f64 {
    if distance.is_nan() {
        f64::INFINITY
    } else {
        distance
    }
}

/// The `quantile` of the particles' distances (the smallest d with at least ⌈q·N⌉ distances
/// ≤ d).
fn distance_quantile<T>(population: &[Particle<T>], quantile: f64) -> f64 {
    let mut distances: Vec<f64> = population.iter().map(|p| p.distance).collect();
    distances.sort_by(f64::total_cmp);
    let rank = ((quantile * distances.len() as f64).ceil() as usize).clamp(1, distances.len());
    distances[rank - 1]
}

/// Effective sample size 1 / Σ wᵢ² of normalised weights (Kish 1965).
pub fn effective_sample_size(weights: &[f64]) -> f64 {
    1.0 / weights.iter().map(|w| w * w).sum::<f64>()
}

#[cfg(test)]
mod tests;
