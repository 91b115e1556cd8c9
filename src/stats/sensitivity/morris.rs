//! Morris (1991) elementary effects on random one-at-a-time trajectories, summarised by μ*
//! (Campolongo, Cariboni & Saltelli 2007) and σ.
//!
//! Each factor lives on a grid of `p` (even) levels in the unit interval, the centres
//! (l + ½)/p of p equal cells, l = 0 … p − 1, so that quantile functions of unbounded
//! distributions stay finite. A trajectory starts at a point whose levels are drawn uniformly and
//! moves one factor at a time, in a random order, by Δ = p/2 levels (Morris's recommended
//! Δ = p / (2(p − 1)) on the grid {0, 1/(p−1), …, 1}, expressed in cells): up when the factor is
//! in the lower half of the grid, down otherwise, so every move stays on the grid and each level
//! is reached equally often. A trajectory of k factors costs k + 1 evaluations and gives one
//! elementary effect per factor, EE_i = (f(x + Δ e_i) − f(x)) / Δ with Δ = ½ in the unit
//! interval. Over r trajectories, μ* = mean |EE_i| (Campolongo et al. 2007, "An effective
//! screening design for sensitivity analysis of large models", Environ. Model. Softw. 22,
//! 1509–1518) ranks the factors by overall influence and σ = sd(EE_i) flags non-linearity and
//! interactions (Morris 1991, "Factorial sampling plans for preliminary computational
//! experiments", Technometrics 33, 161–174).

use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::stats::Moments;

/// Grid levels per factor.
pub const DEFAULT_LEVELS: usize = 4;

/// A set of Morris trajectories.
#[derive(Debug, Clone)]
pub struct MorrisDesign {
    factors: usize,
    levels: usize,
    /// Points, trajectory by trajectory, `factors + 1` each, `factors` coordinates each.
    points: Vec<f64>,
    /// Per step: the factor moved and whether it moved up.
    moves: Vec<(usize, bool)>,
}

/// Why a Morris design could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MorrisError {
    /// Levels must be an even number of at least 2.
    #[error("Morris levels must be an even number of at least 2 (got {0})")]
    Levels(usize),
}

impl MorrisDesign {
    /// `trajectories` trajectories for `factors` factors on `levels` levels, drawn from a
    /// ChaCha8 stream keyed by `seed`.
    pub fn new(
        factors: usize,
        trajectories: usize,
        levels: usize,
        seed: u64,
    ) -> Result<Self, MorrisError> {
        if levels < 2 || levels % 2 != 0 {
            return Err(MorrisError::Levels(levels));
        }
        let jump = levels / 2;
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut points = Vec::with_capacity(trajectories * (factors + 1) * factors);
        let mut moves = Vec::with_capacity(trajectories * factors);
        let centre = |level: usize| (level as f64 + 0.5) / levels as f64;
        for _ in 0..trajectories {
            let mut state: Vec<usize> = (0..factors).map(|_| rng.random_range(0..levels)).collect();
            let mut order: Vec<usize> = (0..factors).collect();
            order.shuffle(&mut rng);
            points.extend(state.iter().map(|&l| centre(l)));
            for factor in order {
                let up = state[factor] < jump;
                state[factor] = if up {
                    state[factor] + jump
                } else {
                    state[factor] - jump
                };
                moves.push((factor, up));
                points.extend(state.iter().map(|&l| centre(l)));
            }
        }
        Ok(MorrisDesign {
            factors,
            levels,
            points,
            moves,
        })
    }

    /// Number of factors.
    pub fn factors(&self) -> usize {
        self.factors
    }

    /// Number of evaluations, r(k + 1).
    pub fn evaluations(&self) -> usize {
        self.points.len() / self.factors.max(1)
    }

    /// The step Δ in the unit interval.
    pub fn delta(&self) -> f64 {
        (self.levels / 2) as f64 / self.levels as f64
    }

    /// Point `index` (in `0..evaluations()`), coordinates in (0, 1).
    pub fn point(&self, index: usize) -> &[f64] {
        &self.points[index * self.factors..(index + 1) * self.factors]
    }

    /// μ* and σ of every factor from `outputs` (one per evaluation, in order). Elementary
    /// effects with a non-finite output are left out of their factor's statistics.
    pub fn effects(&self, outputs: &[f64]) -> Vec<ElementaryEffects> {
        let mut absolute = vec![Moments::new(); self.factors];
        let mut signed = vec![Moments::new(); self.factors];
        let delta = self.delta();
        let per_trajectory = self.factors + 1;
        for (step, &(factor, up)) in self.moves.iter().enumerate() {
            let trajectory = step / self.factors.max(1);
            let position = trajectory * per_trajectory + step % self.factors.max(1);
            let (before, after) = match (outputs.get(position), outputs.get(position + 1)) {
                (Some(before), Some(after)) => (*before, *after),
                _ => continue,
            };
            let effect = (after - before) / if up { delta } else { -delta };
            if effect.is_finite() {
                absolute[factor].push(effect.abs());
                signed[factor].push(effect);
            }
        }
        absolute
            .iter()
            .zip(&signed)
            .map(|(absolute, signed)| ElementaryEffects {
                mu_star: absolute.mean(),
                mu: signed.mean(),
                sigma: signed.sd(),
                count: signed.count(),
            })
            .collect()
    }
}

/// The elementary effects of one factor, summarised.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ElementaryEffects {
    /// Mean absolute elementary effect (Campolongo et al. 2007).
    pub mu_star: f64,
    /// Mean elementary effect.
    pub mu: f64,
    /// Standard deviation of the elementary effects.
    pub sigma: f64,
    /// Elementary effects counted.
    pub count: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sobol's g-function on the unit cube: Π (|4x_i − 2| + a_i) / (1 + a_i).
    fn g_function(x: &[f64], a: &[f64]) -> f64 {
        x.iter()
            .zip(a)
            .map(|(x, a)| ((4.0 * x - 2.0).abs() + a) / (1.0 + a))
            .product()
    }

    #[test]
    fn g_function_ranks_the_important_factors_first() {
        // a = (0, 1, 4.5, 9, 99, 99, 99, 99): the smaller a_i, the more important x_i
        // (Saltelli et al. 2008, §3.7, where Morris separates the first four from the rest).
        let a = [0.0, 1.0, 4.5, 9.0, 99.0, 99.0, 99.0, 99.0];
        let design = MorrisDesign::new(8, 20, DEFAULT_LEVELS, 17).unwrap();
        assert_eq!(design.evaluations(), 20 * 9);
        let outputs: Vec<f64> = (0..design.evaluations())
            .map(|index| g_function(design.point(index), &a))
            .collect();
        let effects = design.effects(&outputs);
        assert!(effects.iter().all(|e| e.count == 20));
        let weakest_important = effects[..4]
            .iter()
            .map(|e| e.mu_star)
            .fold(f64::INFINITY, f64::min);
        let strongest_unimportant = effects[4..].iter().map(|e| e.mu_star).fold(0.0, f64::max);
        assert!(weakest_important > strongest_unimportant, "{effects:?}");
        // And within the first four, μ* falls as a_i grows.
        for pair in effects[..4].windows(2) {
            assert!(pair[0].mu_star > pair[1].mu_star, "{effects:?}");
        }
    }

    #[test]
    fn linear_model_effects_are_its_slopes() {
        // f = 3 x1 − 2 x2: every elementary effect of x1 is 3 and of x2 is −2, so μ* = |slope|,
        // μ = slope and σ = 0.
        let design = MorrisDesign::new(2, 10, 6, 3).unwrap();
        let outputs: Vec<f64> = (0..design.evaluations())
            .map(|index| {
                let x = design.point(index);
                3.0 * x[0] - 2.0 * x[1]
            })
            .collect();
        let effects = design.effects(&outputs);
        assert!((effects[0].mu_star - 3.0).abs() < 1e-12);
        assert!((effects[0].mu - 3.0).abs() < 1e-12);
        assert!((effects[1].mu + 2.0).abs() < 1e-12);
        assert!(effects[0].sigma < 1e-12 && effects[1].sigma < 1e-12);
    }

    #[test]
    fn trajectories_move_one_factor_at_a_time_on_the_grid() {
        let design = MorrisDesign::new(5, 4, 4, 9).unwrap();
        for trajectory in 0..4 {
            for step in 0..5 {
                let before = design.point(trajectory * 6 + step);
                let after = design.point(trajectory * 6 + step + 1);
                let changed: Vec<usize> = (0..5).filter(|&i| before[i] != after[i]).collect();
                assert_eq!(changed.len(), 1);
                assert!(((before[changed[0]] - after[changed[0]]).abs() - 0.5).abs() < 1e-12);
            }
        }
        assert!(design.points.iter().all(|u| *u > 0.0 && *u < 1.0));
    }

    #[test]
    fn odd_levels_are_refused() {
        assert_eq!(
            MorrisDesign::new(2, 2, 3, 0).unwrap_err(),
            MorrisError::Levels(3)
        );
    }
}
