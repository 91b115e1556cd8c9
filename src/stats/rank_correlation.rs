//! Rank correlations between uncertain inputs and an outcome: Spearman's ρ and the partial rank
//! correlation coefficient (PRCC), with Fisher-z confidence intervals.
//!
//! Both work on ranks, so they measure monotone (not only linear) association and are not
//! thrown by skewed outcomes. PRCC removes the linear effect of every *other* input (on the rank
//! scale) before correlating, so an input that merely travels with an influential one scores
//! near zero; Spearman's ρ does not, which is why both are reported. Methods: Spearman (1904);
//! PRCC as in Marino, Hogue, Ray & Kirschner (2008), "A methodology for performing global
//! uncertainty and sensitivity analysis in systems biology", *J. Theor. Biol.* 254:178–196;
//! Fisher (1921) z-transform for the intervals.
//!
//! Every function here is pure and public so that other analyses (e.g. `clustersim sensitivity`)
//! call the same code.

use super::matrix::spd_inverse;

/// Why a rank correlation could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RankCorrelationError {
    /// Vectors of different lengths.
    #[error("the input has {input} values but the outcome has {output}")]
    LengthMismatch {
        /// Values of the input.
        input: usize,
        /// Values of the outcome.
        output: usize,
    },
    /// Too few runs for the number of inputs.
    #[error("{runs} runs are too few for {inputs} inputs; at least {needed} are needed")]
    TooFewRuns {
        /// Runs given.
        runs: usize,
        /// Inputs given.
        inputs: usize,
        /// Runs needed.
        needed: usize,
    },
    /// A non-finite value.
    #[error("a value is not a finite number")]
    NotFinite,
    /// An input or the outcome does not vary, or inputs are exactly collinear on the rank scale.
    #[error(
        "the ranks are degenerate: an input or the outcome does not vary, or inputs move in lockstep"
    )]
    Degenerate,
}

/// Ranks `1..=n` of `values`, ties given the average of the ranks they span (so the ranks always
/// sum to n(n+1)/2). Ordering by [`f64::total_cmp`].
pub fn ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]).then(a.cmp(&b)));
    let mut ranks = vec![0.0; values.len()];
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && values[order[end]] == values[order[start]] {
            end += 1;
        }
        // Positions start..end (zero-based) hold ranks start+1..=end: their mean.
        let average = (start + 1 + end) as f64 / 2.0;
        for &index in &order[start..end] {
            ranks[index] = average;
        }
        start = end;
    }
    ranks
}

/// Pearson's correlation of two equally long samples; `None` when either does not vary.
pub fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    debug_assert_eq!(x.len(), y.len());
    let n = x.len() as f64;
    if x.len() < 2 {
        return None;
    }
    let mean_x = x.iter().sum::<f64>() / n;
    let mean_y = y.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        let (dx, dy) = (a - mean_x, b - mean_y);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    (sxx > 0.0 && syy > 0.0).then(|| (sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0))
}

fn check(inputs: &[Vec<f64>], output: &[f64]) -> Result<(), RankCorrelationError> {
    for input in inputs {
        if input.len() != output.len() {
            return Err(RankCorrelationError::LengthMismatch {
                input: input.len(),
                output: output.len(),
            });
        }
    }
    let all_finite = inputs.iter().flatten().chain(output).all(|v| v.is_finite());
    if all_finite {
        Ok(())
    } else {
        Err(RankCorrelationError::NotFinite)
    }
}

/// Spearman's rank correlation ρ: Pearson's correlation of the (tie-averaged) ranks.
pub fn spearman(x: &[f64], y: &[f64]) -> Result<f64, RankCorrelationError> {
    check(std::slice::from_ref(&x.to_vec()), y)?;
    if x.len() < 3 {
        return Err(RankCorrelationError::TooFewRuns {
            runs: x.len(),
            inputs: 1,
            needed: 3,
        });
    }
    pearson(&ranks(x), &ranks(y)).ok_or(RankCorrelationError::Degenerate)
}

/// Partial rank correlation coefficient of each input with the outcome (Marino et al. 2008):
/// rank-transform every input and the outcome; for input j, regress its ranks and the outcome's
/// ranks on the ranks of all other inputs (least squares with an intercept) and correlate the two
/// residuals. Returns one coefficient per input, in order.
///
/// Computed in one step from the inverse `P` of the correlation matrix of the ranks of
/// `[x₁ … x_k, y]`: the residual correlation equals `−P_jy / √(P_jj P_yy)` exactly (the
/// partial-correlation identity, e.g. Whittaker 1990, *Graphical Models*, §5.7), which costs one
/// (k+1)² pass over the runs instead of k regressions.
///
/// Needs at least k + 4 runs (so the interval of [`fisher_interval`] exists) and inputs that
/// vary and are not exactly collinear on the rank scale.
pub fn prcc(inputs: &[Vec<f64>], output: &[f64]) -> Result<Vec<f64>, RankCorrelationError> {
    check(inputs, output)?;
    let k = inputs.len();
    let n = output.len();
    if n < k + 4 {
        return Err(RankCorrelationError::TooFewRuns {
            runs: n,
            inputs: k,
            needed: k + 4,
        });
    }
    let mut columns: Vec<Vec<f64>> = inputs.iter().map(|x| ranks(x)).collect();
    columns.push(ranks(output));
    // Centre and scale each rank column (all ranks have mean (n+1)/2).
    let centre = (n as f64 + 1.0) / 2.0;
    for column in &mut columns {
        let norm = column
            .iter()
            .map(|r| (r - centre) * (r - centre))
            .sum::<f64>()
            .sqrt();
        if norm <= 0.0 {
            return Err(RankCorrelationError::Degenerate);
        }
        column.iter_mut().for_each(|r| *r = (*r - centre) / norm);
    }
    let size = k + 1;
    let mut correlation = vec![0.0; size * size];
    for i in 0..size {
        for j in 0..=i {
            let value: f64 = columns[i].iter().zip(&columns[j]).map(|(a, b)| a * b).sum();
            correlation[i * size + j] = value;
            correlation[j * size + i] = value;
        }
    }
    let precision = spd_inverse(&correlation, size).ok_or(RankCorrelationError::Degenerate)?;
    let yy = precision[k * size + k];
    Ok((0..k)
        .map(|j| {
            let value = -precision[j * size + k] / (precision[j * size + j] * yy).sqrt();
            value.clamp(-1.0, 1.0)
        })
        .collect())
}

/// Two-sided standard normal quantile for a 95% interval.
pub const Z_95: f64 = 1.959_963_984_540_054;

/// Approximate confidence interval of a (partial) rank correlation `r` from `n` runs with
/// `controlled` other inputs held fixed (0 for Spearman's ρ, k − 1 for a PRCC among k inputs),
/// by Fisher's z-transform: `atanh r ± z / √(n − 3 − controlled)`, mapped back with `tanh`.
/// The partial correlation has n − 2 − controlled degrees of freedom, and the standard error of
/// its z-transform is 1/√(df − 1) (Fisher 1924). On ranks this is the usual large-sample
/// approximation (Fieller, Hartley & Pearson 1957 find it slightly narrow for |ρ| > 0.8).
/// `None` when `n − 3 − controlled < 1`.
pub fn fisher_interval(r: f64, n: usize, controlled: usize, z: f64) -> Option<(f64, f64)> {
    let df = n.checked_sub(3 + controlled).filter(|df| *df >= 1)?;
    let r = r.clamp(-1.0, 1.0);
    if r.abs() == 1.0 {
        return Some((r, r));
    }
    let centre = r.atanh();
    let half = z / (df as f64).sqrt();
    Some(((centre - half).tanh(), (centre + half).tanh()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Distribution;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn ranks_average_ties() {
        assert_eq!(ranks(&[10.0, 30.0, 20.0]), vec![1.0, 3.0, 2.0]);
        // 5 5 at positions 2,3 share (2+3)/2; the three 7s share (4+5+6)/3 = 5.
        assert_eq!(
            ranks(&[1.0, 5.0, 7.0, 5.0, 7.0, 7.0]),
            vec![1.0, 2.5, 5.0, 2.5, 5.0, 5.0]
        );
    }

    #[test]
    fn spearman_hand_computed() {
        // Any increasing transformation has ρ = 1; reversed order −1.
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        let y: Vec<f64> = x.iter().map(|v: &f64| v.exp()).collect();
        assert!((spearman(&x, &y).unwrap() - 1.0).abs() < 1e-15);
        let reversed: Vec<f64> = x.iter().map(|v| -v * v).collect();
        assert!((spearman(&x, &reversed).unwrap() + 1.0).abs() < 1e-15);
        // d = rank differences (0, -1, 1, 0, 0): ρ = 1 − 6·2 / (5·24) = 0.9.
        let y = [1.0, 3.0, 2.0, 4.0, 5.0];
        assert!((spearman(&x, &y).unwrap() - 0.9).abs() < 1e-12);
        assert_eq!(
            spearman(&x, &[2.0; 5]),
            Err(RankCorrelationError::Degenerate)
        );
    }

    /// The residual definition of PRCC, step by step: least squares by the normal equations.
    fn prcc_by_residuals(inputs: &[Vec<f64>], output: &[f64], j: usize) -> f64 {
        let n = output.len();
        let ranked: Vec<Vec<f64>> = inputs.iter().map(|x| ranks(x)).collect();
        let others: Vec<&Vec<f64>> = (0..inputs.len())
            .filter(|&m| m != j)
            .map(|m| &ranked[m])
            .collect();
        let design = |row: usize| {
            let mut x = vec![1.0];
            x.extend(others.iter().map(|c| c[row]));
            x
        };
        let p = others.len() + 1;
        let residuals = |target: &[f64]| {
            let mut xtx = vec![0.0; p * p];
            let mut xty = vec![0.0; p];
            for (row, value) in target.iter().enumerate() {
                let x = design(row);
                for a in 0..p {
                    xty[a] += x[a] * value;
                    for b in 0..p {
                        xtx[a * p + b] += x[a] * x[b];
                    }
                }
            }
            let inverse = spd_inverse(&xtx, p).unwrap();
            let beta: Vec<f64> = (0..p)
                .map(|a| (0..p).map(|b| inverse[a * p + b] * xty[b]).sum())
                .collect();
            (0..n)
                .map(|row| {
                    let x = design(row);
                    target[row] - (0..p).map(|a| x[a] * beta[a]).sum::<f64>()
                })
                .collect::<Vec<f64>>()
        };
        pearson(&residuals(&ranked[j]), &residuals(&ranks(output))).unwrap()
    }

    /// y = 3·x₁ + 1·x₂ − 2·x₃ + 0·x₄ + ε with independent uniform inputs: the known coefficients
    /// fix the order |x₁| > |x₃| > |x₂| and x₄ does not enter.
    fn linear_model(n: usize, seed: u64) -> (Vec<Vec<f64>>, Vec<f64>) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let uniform = Distribution::uniform(0.0, 1.0).unwrap();
        let noise = Distribution::normal(0.0, 0.3).unwrap();
        let inputs: Vec<Vec<f64>> = (0..4)
            .map(|_| (0..n).map(|_| uniform.sample(&mut rng)).collect())
            .collect();
        let output = (0..n)
            .map(|r| {
                3.0 * inputs[0][r] + inputs[1][r] - 2.0 * inputs[2][r] + noise.sample(&mut rng)
            })
            .collect();
        (inputs, output)
    }

    #[test]
    fn prcc_equals_the_residual_definition() {
        let (inputs, output) = linear_model(200, 1);
        let fast = prcc(&inputs, &output).unwrap();
        for (j, value) in fast.iter().enumerate() {
            let slow = prcc_by_residuals(&inputs, &output, j);
            assert!((value - slow).abs() < 1e-10, "input {j}: {value} vs {slow}");
        }
    }

    #[test]
    fn prcc_ranks_a_known_linear_model_and_gives_zero_to_an_input_that_does_not_enter() {
        let n = 2_000;
        let (inputs, output) = linear_model(n, 2);
        let coefficients = prcc(&inputs, &output).unwrap();
        // Signs follow the coefficients, and the order of |PRCC| follows |3| > |−2| > |1| > 0.
        assert!(coefficients[0] > 0.0 && coefficients[1] > 0.0 && coefficients[2] < 0.0);
        assert!(coefficients[0].abs() > coefficients[2].abs());
        assert!(coefficients[2].abs() > coefficients[1].abs());
        assert!(coefficients[1].abs() > coefficients[3].abs());
        // x₄ has a true PRCC of 0: its estimate's standard error is about 1/√(n − 3 − 3), so
        // |PRCC| < 4/√(n − 6) ≈ 0.09 fails by chance with probability about 6e-5.
        let bound = 4.0 / ((n - 6) as f64).sqrt();
        assert!(coefficients[3].abs() < bound, "{}", coefficients[3]);
        // And its 95% interval covers 0 while the others' exclude it.
        for (j, value) in coefficients.iter().enumerate() {
            let (low, high) = fisher_interval(*value, n, 3, Z_95).unwrap();
            assert!(low <= *value && *value <= high);
            assert_eq!(
                low < 0.0 && high > 0.0,
                j == 3,
                "input {j}: ({low}, {high})"
            );
        }
    }

    #[test]
    fn prcc_sees_through_an_input_that_only_travels_with_an_influential_one() {
        // x₂ = x₁ + noise does not enter y = x₁ + ε: Spearman's ρ(x₂, y) is large, PRCC small.
        let n = 1_000;
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let normal = Distribution::normal(0.0, 1.0).unwrap();
        let x1: Vec<f64> = (0..n).map(|_| normal.sample(&mut rng)).collect();
        let x2: Vec<f64> = x1
            .iter()
            .map(|v| v + 0.5 * normal.sample(&mut rng))
            .collect();
        let y: Vec<f64> = x1
            .iter()
            .map(|v| v + 0.2 * normal.sample(&mut rng))
            .collect();
        assert!(spearman(&x2, &y).unwrap() > 0.7);
        let coefficients = prcc(&[x1, x2], &y).unwrap();
        assert!(coefficients[0] > 0.9);
        // True partial correlation 0; standard error ≈ 1/√(n − 4): 4 se ≈ 0.13.
        assert!(coefficients[1].abs() < 4.0 / ((n - 4) as f64).sqrt());
    }

    #[test]
    fn prcc_refuses_degenerate_or_short_input() {
        let (inputs, output) = linear_model(7, 4);
        assert!(matches!(
            prcc(&inputs, &output),
            Err(RankCorrelationError::TooFewRuns { needed: 8, .. })
        ));
        let (mut inputs, output) = linear_model(50, 5);
        inputs[1] = vec![0.5; 50];
        assert_eq!(
            prcc(&inputs, &output),
            Err(RankCorrelationError::Degenerate)
        );
        let (mut inputs, output) = linear_model(50, 6);
        inputs[1] = inputs[0].iter().map(|v| 2.0 * v).collect();
        assert_eq!(
            prcc(&inputs, &output),
            Err(RankCorrelationError::Degenerate)
        );
        let (mut inputs, output) = linear_model(50, 7);
        inputs[0][3] = f64::NAN;
        assert_eq!(prcc(&inputs, &output), Err(RankCorrelationError::NotFinite));
    }

    #[test]
    fn fisher_interval_hand_computed() {
        // r = 0.5, n = 103, no controls: atanh 0.5 = 0.549306, half-width 1.96/10.
        let (low, high) = fisher_interval(0.5, 103, 0, Z_95).unwrap();
        assert!(
            (low - (0.549_306_144_334_054_8_f64 - 0.195_996_398_454_005_4).tanh()).abs() < 1e-12
        );
        assert!(
            (high - (0.549_306_144_334_054_8_f64 + 0.195_996_398_454_005_4).tanh()).abs() < 1e-12
        );
        // Controlling for more inputs widens it; too few runs gives none.
        let (low_p, high_p) = fisher_interval(0.5, 103, 50, Z_95).unwrap();
        assert!(low_p < low && high_p > high);
        assert_eq!(fisher_interval(0.5, 5, 2, Z_95), None);
    }
}
