//! Probability density functions of every [`Distribution`], on the log scale: the prior
//! densities that importance weights need in `clustersim calibrate` (ABC-SMC, Beaumont et al.
//! 2009). Each is the textbook density of its kind (e.g. Johnson, Kotz & Balakrishnan 1994–95);
//! PERT is the beta on [min, max] with shapes 1 + 4(mode − min)/(max − min) and
//! 1 + 4(max − mode)/(max − min), the lognormal is parameterised by its own mean and standard
//! deviation as everywhere in the scenario, and the truncated normal is renormalised to its
//! interval.

use std::f64::consts::PI;

use super::quantile::{ln_gamma, lognormal_log_parameters, pert_shapes};
use super::{Distribution, Spec, std_normal_cdf, std_normal_sf};

/// ln of the normal density with mean 0 and standard deviation 1 at `z`.
fn ln_std_normal_pdf(z: f64) -> f64 {
    -0.5 * z * z - 0.5 * (2.0 * PI).ln()
}

/// ln of the beta(α, β) density on [0, 1] at `u` (−∞ outside; at an end point, the limit).
fn ln_beta_pdf(u: f64, alpha: f64, beta: f64) -> f64 {
    if !(0.0..=1.0).contains(&u) {
        return f64::NEG_INFINITY;
    }
    let ln_norm = ln_gamma(alpha + beta) - ln_gamma(alpha) - ln_gamma(beta);
    let term = |shape: f64, x: f64| {
        if shape == 1.0 {
            0.0
        } else if x == 0.0 {
            if shape > 1.0 {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            }
        } else {
            (shape - 1.0) * x.ln()
        }
    };
    ln_norm + term(alpha, u) + term(beta, 1.0 - u)
}

impl Distribution {
    /// ln f(x), the natural logarithm of the probability density at `x`: −∞ outside the support
    /// (and for NaN).
    pub fn ln_pdf(&self, x: f64) -> f64 {
        let (low, high) = self.support();
        if x.is_nan() || x < low || x > high {
            return f64::NEG_INFINITY;
        }
        match self.spec {
            Spec::Uniform { min, max } => -(max - min).ln(),
            Spec::Triangular { min, mode, max } => {
                let density = if x < mode {
                    2.0 * (x - min) / ((max - min) * (mode - min))
                } else if x > mode {
                    2.0 * (max - x) / ((max - min) * (max - mode))
                } else {
                    2.0 / (max - min)
                };
                density.ln()
            }
            Spec::Pert { min, mode, max } => {
                let (alpha, beta) = pert_shapes(min, mode, max);
                ln_beta_pdf((x - min) / (max - min), alpha, beta) - (max - min).ln()
            }
            Spec::Normal { mean, sd } => ln_std_normal_pdf((x - mean) / sd) - sd.ln(),
            Spec::TruncatedNormal { mean, sd, min, max } => {
                let (a, b) = ((min - mean) / sd, (max - mean) / sd);
                let mass = if a >= 0.0 {
                    std_normal_sf(a) - std_normal_sf(b)
                } else {
                    std_normal_cdf(b) - std_normal_cdf(a)
                };
                ln_std_normal_pdf((x - mean) / sd) - sd.ln() - mass.ln()
            }
            Spec::LogNormal { mean, sd } => {
                if x <= 0.0 {
                    return f64::NEG_INFINITY;
                }
                let (mu, sigma) = lognormal_log_parameters(mean, sd);
                ln_std_normal_pdf((x.ln() - mu) / sigma) - sigma.ln() - x.ln()
            }
            Spec::Beta {
                alpha,
                beta,
                min,
                max,
            } => ln_beta_pdf((x - min) / (max - min), alpha, beta) - (max - min).ln(),
            Spec::Gamma { shape, scale } => {
                if x == 0.0 {
                    return if shape < 1.0 {
                        f64::INFINITY
                    } else if shape == 1.0 {
                        -scale.ln()
                    } else {
                        f64::NEG_INFINITY
                    };
                }
                (shape - 1.0) * x.ln() - x / scale - ln_gamma(shape) - shape * scale.ln()
            }
        }
    }

    /// The probability density f(x) = exp([`Self::ln_pdf`]).
    pub fn pdf(&self, x: f64) -> f64 {
        self.ln_pdf(x).exp()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_kinds() -> Vec<Distribution> {
        vec![
            Distribution::uniform(2.0, 5.0).unwrap(),
            Distribution::triangular(0.0, 1.0, 4.0).unwrap(),
            Distribution::pert(1.0, 2.0, 5.0).unwrap(),
            Distribution::normal(3.0, 2.0).unwrap(),
            Distribution::truncated_normal(0.5, 1.0, 0.0, 2.0).unwrap(),
            Distribution::lognormal(2.0, 1.0).unwrap(),
            Distribution::beta(2.0, 3.0, 1.0, 3.0).unwrap(),
            Distribution::gamma(2.5, 1.5).unwrap(),
        ]
    }

    /// Known values, computed by hand: N(3, 2²) at 3 is 1/(2√(2π)); Beta(2, 2) on [0, 1] at ½
    /// is 6·¼ = 1.5; Gamma(2, 1) at 1 is e⁻¹; triangular(0, 1, 4) at its mode is 2/4; the
    /// standard lognormal with μ = 0, σ = 1 at 1 is 1/√(2π); uniform on [2, 5] is 1/3; the
    /// normal truncated to [mean, ∞) doubles the density at the mean.
    #[test]
    fn densities_match_hand_computed_values() {
        let close = |a: f64, b: f64| (a - b).abs() < 1e-12 * b.abs().max(1.0);
        let normal = Distribution::normal(3.0, 2.0).unwrap();
        assert!(close(normal.pdf(3.0), 1.0 / (2.0 * (2.0 * PI).sqrt())));
        let beta = Distribution::beta(2.0, 2.0, 0.0, 1.0).unwrap();
        assert!(close(beta.pdf(0.5), 1.5));
        let gamma = Distribution::gamma(2.0, 1.0).unwrap();
        assert!(close(gamma.pdf(1.0), (-1.0f64).exp()));
        let triangular = Distribution::triangular(0.0, 1.0, 4.0).unwrap();
        assert!(close(triangular.pdf(1.0), 0.5));
        assert!(close(triangular.pdf(2.5), 2.0 * 1.5 / (4.0 * 3.0)));
        // Mean e^{1/2} and variance (e − 1)e give μ = 0, σ = 1.
        let e = 1.0f64.exp();
        let lognormal = Distribution::lognormal(e.sqrt(), ((e - 1.0) * e).sqrt()).unwrap();
        assert!((lognormal.pdf(1.0) - 1.0 / (2.0 * PI).sqrt()).abs() < 1e-9);
        let uniform = Distribution::uniform(2.0, 5.0).unwrap();
        assert!(close(uniform.pdf(3.3), 1.0 / 3.0));
        let half = Distribution::truncated_normal(0.0, 1.0, 0.0, 50.0).unwrap();
        assert!(close(half.pdf(0.0), 2.0 / (2.0 * PI).sqrt()));
    }

    #[test]
    fn densities_are_zero_outside_the_support() {
        for distribution in all_kinds() {
            let (low, high) = distribution.support();
            if low.is_finite() {
                assert_eq!(distribution.pdf(low - 0.1), 0.0, "{distribution}");
            }
            if high.is_finite() {
                assert_eq!(distribution.pdf(high + 0.1), 0.0, "{distribution}");
            }
            assert_eq!(distribution.pdf(f64::NAN), 0.0);
        }
    }

    /// The density is the derivative of the distribution function (itself checked against
    /// published values in `quantile.rs`): a central difference with step h has error O(h²)
    /// (about 1e-8 here, far below the tolerance) wherever the density is smooth.
    #[test]
    fn densities_are_the_derivative_of_the_distribution_function() {
        for distribution in all_kinds() {
            for p in [0.05, 0.2, 0.35, 0.6, 0.8, 0.95] {
                let x = distribution.quantile(p);
                let h = 1e-5 * distribution.sd();
                let slope = (distribution.cdf(x + h) - distribution.cdf(x - h)) / (2.0 * h);
                let density = distribution.pdf(x);
                assert!(
                    (slope - density).abs() < 1e-5 * density.max(1e-3),
                    "{distribution} at {x}: cdf slope {slope}, pdf {density}"
                );
            }
        }
    }

    /// Each density integrates to 1 over its support (Simpson's rule on 20,000 intervals over
    /// the 1e-9 to 1 − 1e-9 quantile range; the tails left out hold 2e-9).
    #[test]
    fn densities_integrate_to_one() {
        for distribution in all_kinds() {
            let (a, b) = (
                distribution.quantile(1e-9),
                distribution.quantile(1.0 - 1e-9),
            );
            let n = 20_000;
            let h = (b - a) / f64::from(n);
            let mut sum = distribution.pdf(a) + distribution.pdf(b);
            for i in 1..n {
                let weight = if i % 2 == 1 { 4.0 } else { 2.0 };
                sum += weight * distribution.pdf(a + f64::from(i) * h);
            }
            let integral = sum * h / 3.0;
            assert!((integral - 1.0).abs() < 1e-4, "{distribution}: {integral}");
        }
    }
}
