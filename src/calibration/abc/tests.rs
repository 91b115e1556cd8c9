//! ABC-SMC on toy problems whose posterior is known exactly.

use std::sync::atomic::{AtomicUsize, Ordering};

use rand::RngExt;
use rand_distr::{Distribution as _, StandardNormal};

use super::*;

/// N(0, 1) on each coordinate (up to its constant).
struct StandardNormalPrior(usize);

impl Prior for StandardNormalPrior {
    fn dimension(&self) -> usize {
        self.0
    }
    fn sample(&self, rng: &mut ChaCha8Rng) -> Vec<f64> {
        (0..self.0).map(|_| StandardNormal.sample(rng)).collect()
    }
    fn ln_density(&self, theta: &[f64]) -> f64 {
        -0.5 * theta.iter().map(|x| x * x).sum::<f64>()
    }
    fn integer(&self) -> Vec<bool> {
        vec![false; self.0]
    }
}

/// Uniform on [0, 1]².
struct UnitSquare;

impl Prior for UnitSquare {
    fn dimension(&self) -> usize {
        2
    }
    fn sample(&self, rng: &mut ChaCha8Rng) -> Vec<f64> {
        vec![rng.random::<f64>(), rng.random::<f64>()]
    }
    fn ln_density(&self, theta: &[f64]) -> f64 {
        if theta.iter().all(|x| (0.0..=1.0).contains(x)) {
            0.0
        } else {
            f64::NEG_INFINITY
        }
    }
    fn integer(&self) -> Vec<bool> {
        vec![false; 2]
    }
}

fn no_progress() -> Progress<'static> {
    Progress {
        start: &|_, _| {},
        step: &|| {},
        stop: &|| false,
    }
}

fn settings(particles: usize, generations: usize, threads: usize) -> AbcSettings {
    AbcSettings {
        particles,
        generations,
        quantile: 0.5,
        seed: 11,
        threads,
        max_moves: 5,
    }
}

/// Weighted mean and variance of coordinate `index`.
fn moments(population: &[Particle<()>], index: usize) -> (f64, f64) {
    let mean: f64 = population.iter().map(|p| p.weight * p.theta[index]).sum();
    let variance = population
        .iter()
        .map(|p| p.weight * (p.theta[index] - mean).powi(2))
        .sum();
    (mean, variance)
}

/// Normal mean with a normal prior: θ ~ N(0, 1), one observation y = 1 of x ~ N(θ, 1). The exact
/// posterior is N(½, ½). ABC with |x − y| ≤ ε targets it as ε → 0 (ε ends near 0.02 here; the
/// uniform ABC kernel widens the posterior variance by about ε²/12, negligible).
///
/// Tolerances: the mean's SE is sd/√n and the variance's about var·√(2/n) (normal posterior),
/// with n the reported ESS of the last reweighting (the surviving half of the particles: the
/// replenished copies are moved but not fully independent, so n is taken conservatively as the
/// survivors alone); 4 SE each, so a correct algorithm fails about once in 10⁴.
#[test]
fn normal_mean_with_normal_prior_recovers_the_exact_posterior() {
    let simulate = |theta: &[f64], generation: usize, attempt: u64| {
        let mut rng = stream(5, Purpose::Network, generation as u64, attempt);
        let noise: f64 = StandardNormal.sample(&mut rng);
        ((theta[0] + noise - 1.0).abs(), ())
    };
    // Enough moves that the replenished copies spread out again even at the low acceptance
    // rates of small tolerances (otherwise the particles are few distinct values, and the
    // estimates below far noisier than their nominal SE).
    let mut settings = settings(1000, 7, 2);
    settings.max_moves = 60;
    let result = abc_smc(&StandardNormalPrior(1), &simulate, settings, &no_progress()).unwrap();
    assert_eq!(result.ending, Ending::Completed);
    assert_eq!(result.generations.len(), 8);
    let mut distinct: Vec<f64> = result.posterior.iter().map(|p| p.theta[0]).collect();
    distinct.sort_by(f64::total_cmp);
    distinct.dedup();
    assert!(
        distinct.len() > 500,
        "{} distinct particles",
        distinct.len()
    );
    let last = result.generations.last().unwrap();
    assert!(last.tolerance < 0.05, "{:?}", result.generations);
    let ess = last.ess;
    assert!(ess > 200.0, "ESS {ess}");
    let (mean, variance) = moments(&result.posterior, 0);
    let mean_se = (0.5f64 / ess).sqrt();
    let variance_se = 0.5 * (2.0 / ess).sqrt();
    assert!(
        (mean - 0.5).abs() < 4.0 * mean_se,
        "mean {mean} (SE {mean_se})"
    );
    assert!(
        (variance - 0.5).abs() < 4.0 * variance_se,
        "variance {variance} (SE {variance_se}) {:?}",
        result.generations
    );
    // The tolerances shrink generation by generation.
    for pair in result.generations.windows(2) {
        assert!(pair[1].tolerance <= pair[0].tolerance, "{pair:?}");
    }
}

/// With data that say nothing (every distance 0), the posterior is the prior — but only because
/// the moves' Metropolis–Hastings test keeps the prior invariant: accepting every proposal
/// would add the kernel's variance (twice the population's), tripling the variance every
/// generation. Every particle is its own chain from an independent prior draw, so the SE of the
/// variance is var·√(2/N); 4 SE.
#[test]
fn uninformative_data_leave_the_prior_unchanged_through_the_weights() {
    let simulate = |_: &[f64], _: usize, _: u64| (0.0, ());
    let result = abc_smc(
        &StandardNormalPrior(2),
        &simulate,
        settings(2000, 4, 2),
        &no_progress(),
    )
    .unwrap();
    let ess = result.generations.last().unwrap().ess;
    for index in 0..2 {
        let (mean, variance) = moments(&result.posterior, index);
        assert!(mean.abs() < 4.0 / ess.sqrt(), "mean {mean}, ESS {ess}");
        assert!(
            (variance - 1.0).abs() < 4.0 * (2.0 / ess).sqrt(),
            "variance {variance}, ESS {ess}"
        );
    }
}

/// A bounded prior: proposals outside [0, 1]² are rejected without simulating, so the posterior
/// of uninformative data stays uniform: mean ½ and variance 1/12 (SEs √(1/12/N) and about
/// (1/12)·√(0.8/N), the uniform's kurtosis being 1.8; 4 SE).
#[test]
fn bounded_priors_are_respected_and_reweighted() {
    let simulate = |_: &[f64], _: usize, _: u64| (0.0, ());
    let result = abc_smc(&UnitSquare, &simulate, settings(2000, 4, 2), &no_progress()).unwrap();
    assert!(
        result
            .posterior
            .iter()
            .all(|p| p.theta.iter().all(|x| (0.0..=1.0).contains(x)))
    );
    let ess = result.generations.last().unwrap().ess;
    for index in 0..2 {
        let (mean, variance) = moments(&result.posterior, index);
        assert!(
            (mean - 0.5).abs() < 4.0 * (1.0 / 12.0 / ess).sqrt(),
            "{mean}"
        );
        assert!(
            (variance - 1.0 / 12.0).abs() < 4.0 / 12.0 * (0.8 / ess).sqrt(),
            "{variance}"
        );
    }
}

/// The same seed gives the same particles, bit for bit, on 1 and 3 threads.
#[test]
fn results_do_not_depend_on_the_thread_count() {
    let simulate = |theta: &[f64], generation: usize, attempt: u64| {
        let mut rng = stream(5, Purpose::Network, generation as u64, attempt);
        let noise: f64 = StandardNormal.sample(&mut rng);
        ((theta[0] + noise - 1.0).abs(), noise)
    };
    let run = |threads| {
        abc_smc(
            &StandardNormalPrior(1),
            &simulate,
            settings(300, 3, threads),
            &no_progress(),
        )
        .unwrap()
    };
    let (one, three) = (run(1), run(3));
    assert_eq!(one.posterior, three.posterior);
    assert_eq!(one.generations, three.generations);
}

/// A stop request keeps the generations that finished.
#[test]
fn a_stop_keeps_the_finished_generations() {
    let starts = AtomicUsize::new(0);
    let start = |_: usize, _: f64| {
        starts.fetch_add(1, Ordering::SeqCst);
    };
    let stop = || starts.load(Ordering::SeqCst) >= 3;
    let progress = Progress {
        start: &start,
        step: &|| {},
        stop: &stop,
    };
    let simulate = |theta: &[f64], _: usize, _: u64| (theta[0].abs(), ());
    let result = abc_smc(
        &StandardNormalPrior(1),
        &simulate,
        settings(100, 5, 1),
        &progress,
    )
    .unwrap();
    assert_eq!(result.ending, Ending::Interrupted);
    assert_eq!(result.generations.len(), 2);
    assert_eq!(result.posterior.len(), 100);
}
