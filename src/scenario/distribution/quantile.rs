//! Distribution functions and quantile functions (inverse CDFs) of every [`Distribution`], so
//! that a point u of the unit cube maps to input values: the design-based methods of
//! `clustersim sensitivity` (Sobol', Morris, tornado percentiles) place inputs by quantile rather
//! than by drawing them.
//!
//! Closed forms where they exist (uniform, triangular, normal, truncated normal, lognormal);
//! beta and PERT use the regularised incomplete beta function I_x(α, β) and gamma the regularised
//! lower incomplete gamma function P(k, x), both evaluated as in Numerical Recipes (Press et al.
//! 2007, §6.2 and §6.4: series and Lentz's continued fraction), with ln Γ from Lanczos's
//! approximation (g = 7, n = 9), and inverted by Newton steps safeguarded by bisection.

use std::f64::consts::PI;

use super::{Distribution, Param, Spec, std_normal_cdf, std_normal_inv_cdf, std_normal_sf};

impl Distribution {
    /// The cumulative distribution function P(X ≤ x).
    pub fn cdf(&self, x: f64) -> f64 {
        if x.is_nan() {
            return f64::NAN;
        }
        match self.spec {
            Spec::Uniform { min, max } => ((x - min) / (max - min)).clamp(0.0, 1.0),
            Spec::Triangular { min, mode, max } => {
                if x <= min {
                    0.0
                } else if x >= max {
                    1.0
                } else if x <= mode {
                    (x - min).powi(2) / ((max - min) * (mode - min))
                } else {
                    1.0 - (max - x).powi(2) / ((max - min) * (max - mode))
                }
            }
            Spec::Pert { min, mode, max } => {
                let (alpha, beta) = pert_shapes(min, mode, max);
                regularized_beta((x - min) / (max - min), alpha, beta)
            }
            Spec::Normal { mean, sd } => std_normal_cdf((x - mean) / sd),
            Spec::TruncatedNormal { mean, sd, min, max } => {
                if x <= min {
                    return 0.0;
                }
                if x >= max {
                    return 1.0;
                }
                let (a, b, z) = ((min - mean) / sd, (max - mean) / sd, (x - mean) / sd);
                if a >= 0.0 {
                    // Upper tail: work with survival functions (no cancellation).
                    (std_normal_sf(a) - std_normal_sf(z)) / (std_normal_sf(a) - std_normal_sf(b))
                } else {
                    (std_normal_cdf(z) - std_normal_cdf(a))
                        / (std_normal_cdf(b) - std_normal_cdf(a))
                }
            }
            Spec::LogNormal { mean, sd } => {
                if x <= 0.0 {
                    return 0.0;
                }
                let (mu, sigma) = lognormal_log_parameters(mean, sd);
                std_normal_cdf((x.ln() - mu) / sigma)
            }
            Spec::Beta {
                alpha,
                beta,
                min,
                max,
            } => regularized_beta((x - min) / (max - min), alpha, beta),
            Spec::Gamma { shape, scale } => regularized_gamma(shape, x / scale),
        }
    }

    /// The quantile function: the x with P(X ≤ x) = p, for p in [0, 1] (the support's bounds at
    /// 0 and 1, which may be infinite; NaN outside [0, 1]).
    pub fn quantile(&self, p: f64) -> f64 {
        if !(0.0..=1.0).contains(&p) {
            return f64::NAN;
        }
        let (lo, hi) = self.support();
        if p == 0.0 {
            return lo;
        }
        if p == 1.0 {
            return hi;
        }
        let value = match self.spec {
            Spec::Uniform { min, max } => min + p * (max - min),
            Spec::Triangular { min, mode, max } => {
                let range = max - min;
                if p < (mode - min) / range {
                    min + (p * range * (mode - min)).sqrt()
                } else {
                    max - ((1.0 - p) * range * (max - mode)).sqrt()
                }
            }
            Spec::Pert { min, mode, max } => {
                let (alpha, beta) = pert_shapes(min, mode, max);
                min + (max - min) * inverse_regularized_beta(p, alpha, beta)
            }
            Spec::Normal { mean, sd } => mean + sd * std_normal_inv_cdf(p),
            Spec::TruncatedNormal { mean, sd, min, max } => {
                let (a, b) = ((min - mean) / sd, (max - mean) / sd);
                let z = if a >= 0.0 {
                    let (low, high) = (std_normal_sf(b), std_normal_sf(a));
                    -std_normal_inv_cdf(high - p * (high - low))
                } else {
                    let (low, high) = (std_normal_cdf(a), std_normal_cdf(b));
                    std_normal_inv_cdf(low + p * (high - low))
                };
                mean + sd * z
            }
            Spec::LogNormal { mean, sd } => {
                let (mu, sigma) = lognormal_log_parameters(mean, sd);
                (mu + sigma * std_normal_inv_cdf(p)).exp()
            }
            Spec::Beta {
                alpha,
                beta,
                min,
                max,
            } => min + (max - min) * inverse_regularized_beta(p, alpha, beta),
            Spec::Gamma { shape, scale } => scale * inverse_regularized_gamma(p, shape),
        };
        value.max(lo).min(hi)
    }
}

impl Param {
    /// The value at probability `p`: the fixed value, or the distribution's quantile.
    pub fn quantile(&self, p: f64) -> f64 {
        match self {
            Param::Fixed(value) => *value,
            Param::Random(distribution) => distribution.quantile(p),
        }
    }
}

/// The beta shapes of a PERT distribution (λ = 4).
pub(super) fn pert_shapes(min: f64, mode: f64, max: f64) -> (f64, f64) {
    let range = max - min;
    (
        1.0 + 4.0 * (mode - min) / range,
        1.0 + 4.0 * (max - mode) / range,
    )
}

/// (μ, σ) of the logarithm of a lognormal with mean `mean` and standard deviation `sd`.
pub(super) fn lognormal_log_parameters(mean: f64, sd: f64) -> (f64, f64) {
    let sigma2 = ((sd / mean).powi(2)).ln_1p();
    (mean.ln() - sigma2 / 2.0, sigma2.sqrt())
}

/// ln Γ(x) for x > 0: Lanczos's approximation with g = 7 and 9 coefficients (relative error
/// below 1e-15), with the reflection formula below ½.
#[allow(clippy::excessive_precision)] // coefficients quoted verbatim
pub(crate) fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_93,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_13,
        -176.615_029_162_140_59,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_571_6e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        return (PI / (PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut sum = C[0];
    for (i, c) in C.iter().enumerate().skip(1) {
        sum += c / (x + i as f64);
    }
    let t = x + G + 0.5;
    0.5 * (2.0 * PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

/// Lentz's evaluation of the continued fraction of I_x(a, b) (Numerical Recipes `betacf`).
fn beta_continued_fraction(x: f64, a: f64, b: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..=10_000 {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let delta = d * c;
        h *= delta;
        if (delta - 1.0).abs() < 1e-15 {
            break;
        }
    }
    h
}

/// The regularised incomplete beta function I_x(a, b), clamped to [0, 1] outside (0, 1).
pub(crate) fn regularized_beta(x: f64, a: f64, b: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (-x).ln_1p();
    let front = ln_front.exp();
    if x < (a + 1.0) / (a + b + 2.0) {
        (front * beta_continued_fraction(x, a, b) / a).clamp(0.0, 1.0)
    } else {
        (1.0 - front * beta_continued_fraction(1.0 - x, b, a) / b).clamp(0.0, 1.0)
    }
}

/// The regularised lower incomplete gamma function P(a, x) (Numerical Recipes `gser`/`gcf`).
pub(crate) fn regularized_gamma(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if !x.is_finite() {
        return 1.0;
    }
    let ln_front = -x + a * x.ln() - ln_gamma(a);
    if x < a + 1.0 {
        let (mut ap, mut sum) = (a, 1.0 / a);
        let mut term = sum;
        for _ in 0..100_000 {
            ap += 1.0;
            term *= x / ap;
            sum += term;
            if term.abs() < sum.abs() * 1e-16 {
                break;
            }
        }
        (sum * ln_front.exp()).clamp(0.0, 1.0)
    } else {
        const TINY: f64 = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / TINY;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..100_000 {
            let an = -f64::from(i) * (f64::from(i) - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < TINY {
                d = TINY;
            }
            c = b + an / c;
            if c.abs() < TINY {
                c = TINY;
            }
            d = 1.0 / d;
            let delta = d * c;
            h *= delta;
            if (delta - 1.0).abs() < 1e-16 {
                break;
            }
        }
        (1.0 - ln_front.exp() * h).clamp(0.0, 1.0)
    }
}

/// Solves `cdf(x) = p` for x in `[lo, hi]` (cdf increasing there, `cdf(lo) ≤ p ≤ cdf(hi)`) by
/// Newton steps with the density `pdf`, falling back to bisection whenever a step leaves the
/// bracket.
fn invert(
    p: f64,
    mut lo: f64,
    mut hi: f64,
    cdf: impl Fn(f64) -> f64,
    pdf: impl Fn(f64) -> f64,
) -> f64 {
    let mut x = 0.5 * (lo + hi);
    for _ in 0..200 {
        let error = cdf(x) - p;
        if error == 0.0 {
            return x;
        }
        if error < 0.0 {
            lo = x;
        } else {
            hi = x;
        }
        let density = pdf(x);
        let newton = x - error / density;
        let next = if density > 0.0 && newton > lo && newton < hi {
            newton
        } else {
            0.5 * (lo + hi)
        };
        if (next - x).abs() <= 1e-15 * x.abs().max(f64::MIN_POSITIVE) || hi - lo <= 0.0 {
            return next;
        }
        x = next;
    }
    x
}

/// x with I_x(a, b) = p.
fn inverse_regularized_beta(p: f64, a: f64, b: f64) -> f64 {
    let ln_beta = ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b);
    invert(
        p,
        0.0,
        1.0,
        |x| regularized_beta(x, a, b),
        |x| {
            if x <= 0.0 || x >= 1.0 {
                0.0
            } else {
                ((a - 1.0) * x.ln() + (b - 1.0) * (-x).ln_1p() - ln_beta).exp()
            }
        },
    )
}

/// x with P(a, x) = p.
fn inverse_regularized_gamma(p: f64, a: f64) -> f64 {
    let mut hi = a.max(1.0);
    while regularized_gamma(a, hi) < p && hi < 1e300 {
        hi *= 2.0;
    }
    let ln_gamma_a = ln_gamma(a);
    invert(
        p,
        0.0,
        hi,
        |x| regularized_gamma(a, x),
        |x| {
            if x <= 0.0 {
                0.0
            } else {
                ((a - 1.0) * x.ln() - x - ln_gamma_a).exp()
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(got: f64, want: f64, tolerance: f64) {
        assert!(
            (got - want).abs() <= tolerance * want.abs().max(1.0),
            "{got} vs {want}"
        );
    }

    #[test]
    fn special_functions_match_known_values() {
        close(ln_gamma(0.5), PI.sqrt().ln(), 1e-14);
        close(ln_gamma(10.0), 362_880f64.ln(), 1e-14);
        // I_0.5(a, a) = 1/2; I_x(1, 1) = x; I_x(2, 3) = 6x²/2 − 8x³/3 + 3x⁴/4 times 2 … closed
        // form 1 − (1−x)⁴ − 4x(1−x)³.
        close(regularized_beta(0.5, 3.7, 3.7), 0.5, 1e-13);
        close(regularized_beta(0.3, 1.0, 1.0), 0.3, 1e-13);
        let x: f64 = 0.3;
        close(
            regularized_beta(x, 2.0, 3.0),
            1.0 - (1.0 - x).powi(4) - 4.0 * x * (1.0 - x).powi(3),
            1e-13,
        );
        // P(1, x) = 1 − e^−x; P(½, x) = erf(√x) (erf(1) = 0.8427007929497149).
        close(regularized_gamma(1.0, 2.0), 1.0 - (-2.0f64).exp(), 1e-14);
        close(regularized_gamma(0.5, 1.0), 0.842_700_792_949_714_9, 1e-13);
        close(
            regularized_gamma(3.0, 10.0),
            1.0 - 61.0 * (-10.0f64).exp(),
            1e-13,
        );
    }

    #[test]
    fn quantiles_match_known_values() {
        let normal = Distribution::normal(1.0, 2.0).unwrap();
        close(
            normal.quantile(0.975),
            1.0 + 2.0 * 1.959_963_984_540_054,
            1e-12,
        );
        let uniform = Distribution::uniform(2.0, 6.0).unwrap();
        assert_eq!(uniform.quantile(0.25), 3.0);
        // Triangular(0, 1, 2) is symmetric; its 1/8 quantile is √(1/8 · 2 · 1) = ½.
        let triangular = Distribution::triangular(0.0, 1.0, 2.0).unwrap();
        close(triangular.quantile(0.5), 1.0, 1e-14);
        close(triangular.quantile(0.125), 0.5, 1e-14);
        close(triangular.quantile(0.875), 1.5, 1e-14);
        // Beta(½, ½) is the arcsine law: Q(p) = sin²(πp/2).
        let arcsine = Distribution::beta(0.5, 0.5, 0.0, 1.0).unwrap();
        close(arcsine.quantile(0.3), (PI * 0.3 / 2.0).sin().powi(2), 1e-12);
        // Gamma(1, θ) is exponential: Q(p) = −θ ln(1 − p); χ²₃ = Gamma(1.5, 2) has
        // 95th percentile 7.814727903251178.
        let exponential = Distribution::gamma(1.0, 3.0).unwrap();
        close(exponential.quantile(0.9), -3.0 * 0.1f64.ln(), 1e-12);
        let chi2 = Distribution::gamma(1.5, 2.0).unwrap();
        close(chi2.quantile(0.95), 7.814_727_903_251_178, 1e-11);
        // Lognormal: the median is e^μ.
        let lognormal = Distribution::lognormal(2.0, 1.0).unwrap();
        let (mu, _) = lognormal_log_parameters(2.0, 1.0);
        close(lognormal.quantile(0.5), mu.exp(), 1e-12);
        // PERT(0, 0.5, 1) is Beta(3, 3): symmetric about ½.
        let pert = Distribution::pert(0.0, 0.5, 1.0).unwrap();
        close(pert.quantile(0.5), 0.5, 1e-12);
        close(pert.quantile(0.2) + pert.quantile(0.8), 1.0, 1e-12);
        assert_eq!(normal.quantile(0.0), f64::NEG_INFINITY);
        assert!(normal.quantile(1.5).is_nan());
    }

    #[test]
    fn quantile_inverts_cdf_for_every_kind() {
        let distributions = [
            Distribution::uniform(-1.0, 3.0).unwrap(),
            Distribution::triangular(0.0, 0.2, 1.0).unwrap(),
            Distribution::pert(10.0, 12.0, 30.0).unwrap(),
            Distribution::normal(5.0, 0.5).unwrap(),
            Distribution::truncated_normal(0.0, 1.0, -0.5, 2.0).unwrap(),
            Distribution::truncated_normal(0.0, 1.0, 4.0, 6.0).unwrap(),
            Distribution::lognormal(1.0, 3.0).unwrap(),
            Distribution::beta(0.3, 7.0, 2.0, 4.0).unwrap(),
            Distribution::gamma(0.2, 5.0).unwrap(),
            Distribution::gamma(40.0, 0.1).unwrap(),
        ];
        for distribution in &distributions {
            let (lo, hi) = distribution.support();
            let mut previous = f64::NEG_INFINITY;
            for step in 1..200 {
                let p = f64::from(step) / 200.0;
                let x = distribution.quantile(p);
                assert!(
                    x >= lo && x <= hi && x >= previous,
                    "{distribution}: {p} → {x}"
                );
                close(distribution.cdf(x), p, 1e-9);
                previous = x;
            }
        }
    }

    #[test]
    fn quantiles_of_uniform_points_have_the_distributions_moments() {
        // The mean of Q(u) over a fine midpoint grid of u is the distribution's mean (a
        // midpoint rule for ∫ Q(u) du); 20,000 points put the error far below 0.5%.
        for distribution in [
            Distribution::pert(1.0, 2.0, 9.0).unwrap(),
            Distribution::gamma(2.5, 1.5).unwrap(),
            Distribution::beta(2.0, 5.0, 0.0, 10.0).unwrap(),
        ] {
            let n = 20_000;
            let mean = (0..n)
                .map(|i| distribution.quantile((f64::from(i) + 0.5) / f64::from(n)))
                .sum::<f64>()
                / f64::from(n);
            close(mean, distribution.mean(), 5e-3);
        }
    }
}
