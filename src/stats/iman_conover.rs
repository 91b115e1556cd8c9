//! Imposing rank correlations on independently drawn inputs without changing any marginal: the
//! method of Iman & Conover (1982), "A distribution-free approach to inducing rank correlation
//! among input variables", *Communications in Statistics — Simulation and Computation*
//! 11(3):311–334.
//!
//! Given n independent draws of each of k inputs and a target rank-correlation matrix C:
//!
//! 1. van der Waerden scores `aᵢ = Φ⁻¹(i / (n + 1))`, i = 1..n, each column an independent random
//!    permutation of them (matrix R, n × k);
//! 2. the sample correlation T of R is factored `T = Q Qᵀ` (Cholesky) and the target score
//!    correlation `C* = 2 sin(π C / 6)` as `C* = P Pᵀ`; then `R* = R (P Q⁻¹)ᵀ` has sample
//!    correlation exactly C*. (For normal scores, Pearson correlation 2 sin(πρ/6) is Spearman
//!    correlation ρ: Pearson 1907; the adjustment is at most 0.018.)
//! 3. each input's draws are rearranged to have the ranks of its column of R*.
//!
//! Step 3 only reorders: each input's values are exactly its independent draws, so every
//! marginal distribution is kept exactly, and the rank correlations are close to C.

use rand::{Rng, RngExt};

use super::matrix::{cholesky, lower_triangular_inverse};
use super::rank_correlation::ranks;
use crate::scenario::distribution::std_normal_inv_cdf;

/// Why rank correlations could not be imposed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ImanConoverError {
    /// The columns differ in length, or the matrix is not k × k.
    #[error("{0}")]
    Shape(String),
    /// The score correlation target is not positive definite.
    #[error("the target correlation matrix is not positive definite")]
    NotPositiveDefinite,
}

/// The Pearson correlation of normal scores that gives Spearman correlation `rank`:
/// `2 sin(π ρ / 6)` (Pearson 1907).
pub fn score_correlation(rank: f64) -> f64 {
    2.0 * (std::f64::consts::PI * rank / 6.0).sin()
}

/// The Cholesky factor of the score correlation target for the rank-correlation matrix `rank`
/// (k × k, row-major, unit diagonal), or `None` when the adjusted matrix is not positive definite.
pub fn target_factor(rank: &[f64], k: usize) -> Option<Vec<f64>> {
    let adjusted: Vec<f64> = rank
        .iter()
        .enumerate()
        .map(|(index, r)| {
            if index / k == index % k {
                1.0
            } else {
                score_correlation(*r)
            }
        })
        .collect();
    cholesky(&adjusted, k)
}

/// Rearranges `columns` (k inputs, n independent draws each) in place so that their rank
/// correlations approach the matrix whose Cholesky factor (of the *score* correlation, see
/// [`target_factor`]) is `factor`. Only the order within each column changes. The score
/// permutations are drawn from `rng`, column by column (Fisher–Yates), so the result is a pure
/// function of the draws, the target and the stream.
///
/// With k ≥ n the sample correlation of the scores is singular and cannot be corrected; the
/// scores are then used as drawn (rank correlations still approach the target, less exactly).
pub fn impose<R: Rng + ?Sized>(
    columns: &mut [Vec<f64>],
    factor: &[f64],
    rng: &mut R,
) -> Result<(), ImanConoverError> {
    let k = columns.len();
    if k == 0 {
        return Ok(());
    }
    let n = columns[0].len();
    if columns.iter().any(|c| c.len() != n) {
        return Err(ImanConoverError::Shape(
            "all inputs need the same number of draws".into(),
        ));
    }
    if factor.len() != k * k {
        return Err(ImanConoverError::Shape(format!(
            "the target factor has {} entries, expected {k} × {k}",
            factor.len()
        )));
    }
    if n < 2 {
        return Ok(());
    }
    let scores: Vec<f64> = (1..=n)
        .map(|i| std_normal_inv_cdf(i as f64 / (n as f64 + 1.0)))
        .collect();
    // R, row-major n × k: column j is a random permutation of the scores.
    let mut r = vec![0.0; n * k];
    for j in 0..k {
        let mut column = scores.clone();
        for i in (1..n).rev() {
            let swap = rng.random_range(0..=i);
            column.swap(i, swap);
        }
        for (i, value) in column.into_iter().enumerate() {
            r[i * k + j] = value;
        }
    }
    // T = sample correlation of R (scores have mean 0 exactly by symmetry up to rounding).
    let mut t = vec![0.0; k * k];
    for row in r.chunks_exact(k) {
        for a in 0..k {
            for b in 0..=a {
                t[a * k + b] += row[a] * row[b];
            }
        }
    }
    let diagonal: Vec<f64> = (0..k).map(|a| t[a * k + a]).collect();
    for a in 0..k {
        for b in 0..=a {
            let value = t[a * k + b] / (diagonal[a] * diagonal[b]).sqrt();
            t[a * k + b] = value;
            t[b * k + a] = value;
        }
    }
    // S = P Q⁻¹ (lower triangular); without a factor of T, S = P.
    let s = match cholesky(&t, k) {
        Some(q) => {
            let q_inverse = lower_triangular_inverse(&q, k);
            let mut s = vec![0.0; k * k];
            for a in 0..k {
                for b in 0..=a {
                    s[a * k + b] = (b..=a)
                        .map(|m| factor[a * k + m] * q_inverse[m * k + b])
                        .sum();
                }
            }
            s
        }
        None => factor.to_vec(),
    };
    for (j, column) in columns.iter_mut().enumerate() {
        // Column j of R* = R Sᵀ: row i is Σ_m R[i, m] S[j, m].
        let target: Vec<f64> = r
            .chunks_exact(k)
            .map(|row| (0..=j).map(|m| row[m] * s[j * k + m]).sum())
            .collect();
        let target_ranks = ranks(&target);
        let mut sorted = column.clone();
        sorted.sort_by(f64::total_cmp);
        for (value, rank) in column.iter_mut().zip(&target_ranks) {
            // Ranks of continuous scores are distinct integers 1..=n (a tie would average).
            let position = (rank.floor() as usize).clamp(1, n) - 1;
            *value = sorted[position];
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Distribution;
    use crate::stats::rank_correlation::spearman;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn draws(n: usize, seed: u64) -> Vec<Vec<f64>> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let marginals = [
            Distribution::lognormal(1.0, 1.0).unwrap(),
            Distribution::uniform(2.0, 5.0).unwrap(),
            Distribution::triangular(0.0, 0.2, 1.0).unwrap(),
        ];
        marginals
            .iter()
            .map(|d| (0..n).map(|_| d.sample(&mut rng)).collect())
            .collect()
    }

    const TARGET: [f64; 9] = [1.0, 0.6, -0.3, 0.6, 1.0, 0.0, -0.3, 0.0, 1.0];

    #[test]
    fn sampled_rank_correlations_match_the_targets_and_marginals_are_kept() {
        let n = 2_000;
        let independent = draws(n, 1);
        let mut columns = independent.clone();
        let factor = target_factor(&TARGET, 3).unwrap();
        impose(&mut columns, &factor, &mut ChaCha8Rng::seed_from_u64(2)).unwrap();
        // Permutation property: each input's values are exactly its independent draws.
        for (before, after) in independent.iter().zip(&columns) {
            let mut a = before.clone();
            let mut b = after.clone();
            a.sort_by(f64::total_cmp);
            b.sort_by(f64::total_cmp);
            assert_eq!(a, b);
            assert_ne!(before, after, "the values were rearranged");
        }
        // A sample Spearman ρ from n pairs has standard error about (1 − ρ²)/√(n − 3) under
        // random sampling (≤ 0.023 at n = 2000); Iman–Conover's correction of T makes the error
        // smaller still. Allow 3 such standard errors (0.067 at ρ = 0).
        for (a, b) in [(0, 1), (0, 2), (1, 2)] {
            let target = TARGET[a * 3 + b];
            let sampled = spearman(&columns[a], &columns[b]).unwrap();
            let tolerance = 3.0 * (1.0 - target * target) / ((n - 3) as f64).sqrt();
            assert!(
                (sampled - target).abs() < tolerance,
                "({a},{b}): sampled {sampled}, target {target}, tolerance {tolerance}"
            );
        }
    }

    #[test]
    fn small_blocks_also_approach_the_target_on_average() {
        // Blocks of 256 runs (the engine's block size): the mean over 40 blocks of ρ(0,1) has a
        // standard error ≤ 0.64/√253/√40 ≈ 0.0064 under random sampling; allow 4 of them.
        let factor = target_factor(&TARGET, 3).unwrap();
        let mut total = 0.0;
        for block in 0..40 {
            let mut columns = draws(256, 100 + block);
            impose(&mut columns, &factor, &mut ChaCha8Rng::seed_from_u64(block)).unwrap();
            total += spearman(&columns[0], &columns[1]).unwrap();
        }
        let mean = total / 40.0;
        assert!((mean - 0.6).abs() < 4.0 * 0.0064, "{mean}");
    }

    #[test]
    fn the_same_stream_gives_the_same_arrangement() {
        let factor = target_factor(&TARGET, 3).unwrap();
        let mut a = draws(300, 5);
        let mut b = a.clone();
        impose(&mut a, &factor, &mut ChaCha8Rng::seed_from_u64(9)).unwrap();
        impose(&mut b, &factor, &mut ChaCha8Rng::seed_from_u64(9)).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn the_score_target_is_the_pearson_adjustment() {
        assert_eq!(score_correlation(0.0), 0.0);
        assert!((score_correlation(1.0) - 1.0).abs() < 1e-15);
        assert!((score_correlation(0.6) - 0.618_033_988_749_894_8).abs() < 1e-12);
        // 0.9, 0.9, −0.9 cannot hold together.
        assert!(target_factor(&[1.0, 0.9, 0.9, 0.9, 1.0, -0.9, 0.9, -0.9, 1.0], 3).is_none());
    }

    #[test]
    fn mismatched_shapes_are_errors() {
        let factor = target_factor(&TARGET, 3).unwrap();
        let mut columns = vec![vec![1.0, 2.0], vec![1.0]];
        assert!(impose(&mut columns, &factor, &mut ChaCha8Rng::seed_from_u64(1)).is_err());
    }
}
