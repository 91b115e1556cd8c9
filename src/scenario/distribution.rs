//! Probability distributions for uncertain scenario parameters.
//!
//! Many scenario inputs (costs, uptake rates, cooperation probabilities, ...) are not
//! known exactly. Each such input is a [`Param`]: either a fixed number or a
//! [`Distribution`] that the Monte Carlo engine samples once per draw. This module owns
//! everything about those distributions in one place:
//!
//! - **Validation.** A [`Distribution`] can only be built through its checked
//!   constructors (and the deserializer, which calls them), so every value that exists
//!   has finite, consistent parameters. Sampling therefore never fails or panics.
//! - **Sampling.** Through `rand_distr` where it has the distribution; the truncated
//!   normal is implemented here (rejection or inverse CDF, see [`Distribution::truncated_normal`]).
//! - **Analytic moments.** [`Distribution::mean`], [`Distribution::variance`] and
//!   [`Distribution::support`], used by reports and by statistical tests.
//! - **The JSON format.** A parameter is written either as a number or as a single-key
//!   object naming the distribution, e.g. `0.5` or
//!   `{"triangular": {"min": 0.01, "mode": 0.02, "max": 0.04}}`. The serde impls are
//!   written by hand so that invalid parameters are reported through
//!   `serde::de::Error::custom` at the right place: callers that wrap the deserializer
//!   with `serde_path_to_error` get the JSON path (e.g. `x.a[0]`) and serde_json's
//!   line and column together with a message saying what would be valid. The
//!   [`schemars::JsonSchema`] impls describe the same format.

use std::borrow::Cow;
use std::f64::consts::{FRAC_1_SQRT_2, PI};
use std::fmt;

use rand::Rng;
use rand_distr::Distribution as _;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, MapAccess, Unexpected, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

mod density;
mod quantile;

/// The distribution kinds, as they are spelled in JSON (and returned by [`Distribution::kind`]).
pub const KINDS: [&str; 8] = [
    "uniform",
    "triangular",
    "pert",
    "normal",
    "truncated_normal",
    "lognormal",
    "beta",
    "gamma",
];

/// Smallest probability mass that the interval of a truncated normal may hold.
pub const TRUNCATED_NORMAL_MIN_MASS: f64 = 1e-6;

/// Above this mass the truncated normal is sampled by rejection (at most 20 expected
/// tries per draw); below it, by inverse CDF.
const REJECTION_MIN_MASS: f64 = 0.05;

/// Example shown in error messages and in the deserializer's `expecting` text.
const EXAMPLE: &str = r#"{"uniform": {"min": 0, "max": 1}}"#;

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/// Why a set of distribution parameters was rejected.
///
/// Each message names the distribution, the rule that would make the parameters valid,
/// and the offending values, e.g. `PERT needs min < max (got min 5, max 2)`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DistributionError {
    /// A parameter is NaN or infinite.
    #[error("{dist} parameter `{param}` must be a finite number (got {})", num(.value))]
    NotFinite {
        /// Human-readable distribution name.
        dist: &'static str,
        /// Parameter name as written in JSON.
        param: &'static str,
        /// The rejected value.
        value: f64,
    },
    /// `min >= max`.
    #[error("{dist} needs min < max (got min {}, max {})", num(.min), num(.max))]
    EmptyRange {
        /// Human-readable distribution name.
        dist: &'static str,
        /// Given lower bound.
        min: f64,
        /// Given upper bound.
        max: f64,
    },
    /// The mode lies outside `[min, max]`.
    #[error(
        "{dist} needs min <= mode <= max (got min {}, mode {}, max {})",
        num(.min), num(.mode), num(.max)
    )]
    ModeOutsideRange {
        /// Human-readable distribution name.
        dist: &'static str,
        /// Given lower bound.
        min: f64,
        /// Given mode.
        mode: f64,
        /// Given upper bound.
        max: f64,
    },
    /// A parameter that must be strictly positive is not.
    #[error("{dist} needs {param} > 0 (got {param} {})", num(.value))]
    NotPositive {
        /// Human-readable distribution name.
        dist: &'static str,
        /// Parameter name as written in JSON.
        param: &'static str,
        /// The rejected value.
        value: f64,
    },
    /// The truncation interval of a truncated normal holds almost no probability.
    #[error(
        "truncated normal interval [{}, {}] holds probability {mass:.2e} under normal(mean {}, sd {}), \
         but at least 1e-6 is needed: the interval lies too far in the tail (or is too narrow); \
         move it towards the mean, widen it, or increase sd",
        num(.min), num(.max), num(.mean), num(.sd)
    )]
    IntervalInTail {
        /// Given mean of the untruncated normal.
        mean: f64,
        /// Given standard deviation of the untruncated normal.
        sd: f64,
        /// Given lower bound.
        min: f64,
        /// Given upper bound.
        max: f64,
        /// Probability of `[min, max]` under `normal(mean, sd)`.
        mass: f64,
    },
    /// The parameters are individually valid but too extreme for double precision
    /// (for example a variance that overflows).
    #[error("{dist} parameters are too extreme for double precision: {reason}")]
    Unrepresentable {
        /// Human-readable distribution name.
        dist: &'static str,
        /// What overflowed.
        reason: &'static str,
    },
}

/// Formats a number compactly: plain decimal for ordinary magnitudes, scientific
/// notation for very small or very large ones (Rust's `{}` never uses an exponent, so
/// `1e-300` would otherwise print 300 zeros).
struct Num(f64);

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let x = self.0;
        let a = x.abs();
        if x == 0.0 || !x.is_finite() || (1e-4..1e15).contains(&a) {
            write!(f, "{x}")
        } else {
            write!(f, "{x:e}")
        }
    }
}

fn num(x: &f64) -> Num {
    Num(*x)
}

fn check_finite(
    dist: &'static str,
    param: &'static str,
    value: f64,
) -> Result<(), DistributionError> {
    if value.is_finite() {
        Ok(())
    } else {
        Err(DistributionError::NotFinite { dist, param, value })
    }
}

fn check_positive(
    dist: &'static str,
    param: &'static str,
    value: f64,
) -> Result<(), DistributionError> {
    check_finite(dist, param, value)?;
    if value > 0.0 {
        Ok(())
    } else {
        Err(DistributionError::NotPositive { dist, param, value })
    }
}

fn check_range(dist: &'static str, min: f64, max: f64) -> Result<(), DistributionError> {
    check_finite(dist, "min", min)?;
    check_finite(dist, "max", max)?;
    if min < max {
        Ok(())
    } else {
        Err(DistributionError::EmptyRange { dist, min, max })
    }
}

fn check_mode(dist: &'static str, min: f64, mode: f64, max: f64) -> Result<(), DistributionError> {
    check_finite(dist, "min", min)?;
    check_finite(dist, "mode", mode)?;
    check_finite(dist, "max", max)?;
    check_range(dist, min, max)?;
    if min <= mode && mode <= max {
        Ok(())
    } else {
        Err(DistributionError::ModeOutsideRange {
            dist,
            min,
            mode,
            max,
        })
    }
}

// ---------------------------------------------------------------------------
// Distribution
// ---------------------------------------------------------------------------

/// A validated probability distribution over `f64`.
///
/// Build one with a checked constructor ([`Distribution::uniform`], ...,
/// [`Distribution::gamma`]) or by deserializing it from its JSON form
/// `{"<kind>": {<parameters>}}`. Every `Distribution` that exists is valid: its
/// parameters are finite and consistent, its mean and variance are finite, and
/// [`Distribution::sample`] cannot fail.
///
/// The sampler (from `rand_distr`, or the truncated-normal sampler of this module) is
/// prepared once at construction, so sampling does no set-up work.
#[derive(Clone)]
pub struct Distribution {
    spec: Spec,
    sampler: Sampler,
}

/// The parameters, exactly as given.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Spec {
    Uniform {
        min: f64,
        max: f64,
    },
    Triangular {
        min: f64,
        mode: f64,
        max: f64,
    },
    Pert {
        min: f64,
        mode: f64,
        max: f64,
    },
    Normal {
        mean: f64,
        sd: f64,
    },
    TruncatedNormal {
        mean: f64,
        sd: f64,
        min: f64,
        max: f64,
    },
    LogNormal {
        mean: f64,
        sd: f64,
    },
    Beta {
        alpha: f64,
        beta: f64,
        min: f64,
        max: f64,
    },
    Gamma {
        shape: f64,
        scale: f64,
    },
}

/// Ready-to-use samplers, built from a [`Spec`] by the constructors.
#[derive(Debug, Clone)]
enum Sampler {
    Uniform(rand_distr::Uniform<f64>),
    Triangular(rand_distr::Triangular<f64>),
    Pert(rand_distr::Pert<f64>),
    Normal(rand_distr::Normal<f64>),
    TruncatedNormal(TruncNormal),
    LogNormal(rand_distr::LogNormal<f64>),
    /// Standard beta on [0, 1]; rescaled with the bounds of the spec.
    Beta(rand_distr::Beta<f64>),
    Gamma(rand_distr::Gamma<f64>),
}

/// Precomputed state of a truncated normal: standardized bounds `a = (min - mean)/sd`,
/// `b = (max - mean)/sd`, the mass `Phi(b) - Phi(a)` and the sampling method.
#[derive(Debug, Clone, Copy)]
struct TruncNormal {
    a: f64,
    b: f64,
    mass: f64,
    method: TruncMethod,
}

#[derive(Debug, Clone, Copy)]
enum TruncMethod {
    /// Draw standard normals until one lands in `[a, b]` (used when the mass is large).
    Rejection,
    /// `z = Phi^-1(p)` with `p` uniform between `lo = Phi(a)` and `hi = Phi(b)`.
    /// Used when `a < 0`, so `Phi(a)` is a lower-tail probability (no cancellation).
    InverseLower { lo: f64, hi: f64 },
    /// `z = -Phi^-1(q)` with `q` uniform between `lo = Q(b)` and `hi = Q(a)`, where
    /// `Q(x) = 1 - Phi(x) = Phi(-x)`. Used when `a >= 0`: both bounds are in the upper
    /// tail, where working with `Phi` directly would lose all precision.
    InverseUpper { lo: f64, hi: f64 },
}

impl TruncNormal {
    fn new(a: f64, b: f64) -> Self {
        let (mass, inverse) = if a >= 0.0 {
            let (lo, hi) = (std_normal_sf(b), std_normal_sf(a));
            (hi - lo, TruncMethod::InverseUpper { lo, hi })
        } else {
            let (lo, hi) = (std_normal_cdf(a), std_normal_cdf(b));
            (hi - lo, TruncMethod::InverseLower { lo, hi })
        };
        let method = if mass >= REJECTION_MIN_MASS {
            TruncMethod::Rejection
        } else {
            inverse
        };
        TruncNormal { a, b, mass, method }
    }

    /// A standard normal draw conditioned on `[a, b]`.
    fn sample_standard<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self.method {
            TruncMethod::Rejection => loop {
                // The acceptance probability is `mass >= 0.05`, so this ends after at
                // most 20 iterations on average.
                let z: f64 = rand_distr::StandardNormal.sample(rng);
                if z >= self.a && z <= self.b {
                    return z;
                }
            },
            TruncMethod::InverseLower { lo, hi } => {
                let u: f64 = rand_distr::Open01.sample(rng);
                std_normal_inv_cdf(lo + u * (hi - lo))
            }
            TruncMethod::InverseUpper { lo, hi } => {
                let u: f64 = rand_distr::Open01.sample(rng);
                -std_normal_inv_cdf(lo + u * (hi - lo))
            }
        }
    }

    /// Mean and variance of the standardized truncated normal on `[a, b]`.
    fn standard_moments(&self) -> (f64, f64) {
        let (pa, pb) = (std_normal_pdf(self.a), std_normal_pdf(self.b));
        let shift = (pa - pb) / self.mass;
        let var = 1.0 + (x_pdf(self.a) - x_pdf(self.b)) / self.mass - shift * shift;
        (shift, var.max(0.0))
    }
}

/// `x * phi(x)`, taken as 0 at infinite `x` (its limit) instead of `inf * 0 = NaN`.
fn x_pdf(x: f64) -> f64 {
    if x.is_finite() {
        x * std_normal_pdf(x)
    } else {
        0.0
    }
}

/// Clamps `x` into `[lo, hi]` (requires `lo <= hi`; never panics, unlike `f64::clamp`
/// which asserts). Used to keep draws inside the support despite rounding.
fn clamp_to(x: f64, lo: f64, hi: f64) -> f64 {
    x.max(lo).min(hi)
}

impl Distribution {
    /// Uniform on `[min, max)`. Requires finite `min < max`.
    pub fn uniform(min: f64, max: f64) -> Result<Self, DistributionError> {
        const D: &str = "uniform";
        check_range(D, min, max)?;
        let sampler =
            rand_distr::Uniform::new(min, max).map_err(|_| DistributionError::Unrepresentable {
                dist: D,
                reason: "max - min overflows",
            })?;
        Self::build(Spec::Uniform { min, max }, Sampler::Uniform(sampler))
    }

    /// Triangular on `[min, max]` with peak at `mode`.
    /// Requires finite `min < max` and `min <= mode <= max`.
    pub fn triangular(min: f64, mode: f64, max: f64) -> Result<Self, DistributionError> {
        const D: &str = "triangular";
        check_mode(D, min, mode, max)?;
        // Note the argument order of rand_distr: (min, max, mode).
        let sampler = rand_distr::Triangular::new(min, max, mode).map_err(|_| {
            DistributionError::Unrepresentable {
                dist: D,
                reason: "rand_distr rejected the parameters",
            }
        })?;
        Self::build(
            Spec::Triangular { min, mode, max },
            Sampler::Triangular(sampler),
        )
    }

    /// Classic PERT on `[min, max]` with the given `mode` (shape λ = 4): a beta
    /// distribution with `alpha = 1 + 4 (mode - min)/(max - min)` and
    /// `beta = 1 + 4 (max - mode)/(max - min)`, rescaled to `[min, max]`; its mean is
    /// `(min + 4 mode + max)/6`. Requires finite `min < max` and `min <= mode <= max`.
    pub fn pert(min: f64, mode: f64, max: f64) -> Result<Self, DistributionError> {
        const D: &str = "PERT";
        check_mode(D, min, mode, max)?;
        let sampler = rand_distr::Pert::new(min, max)
            .with_mode(mode)
            .map_err(|_| DistributionError::Unrepresentable {
                dist: D,
                reason: "rand_distr rejected the parameters",
            })?;
        Self::build(Spec::Pert { min, mode, max }, Sampler::Pert(sampler))
    }

    /// Normal with the given `mean` and standard deviation `sd`. Requires finite
    /// parameters and `sd > 0`.
    pub fn normal(mean: f64, sd: f64) -> Result<Self, DistributionError> {
        const D: &str = "normal";
        check_finite(D, "mean", mean)?;
        check_positive(D, "sd", sd)?;
        let sampler =
            rand_distr::Normal::new(mean, sd).map_err(|_| DistributionError::Unrepresentable {
                dist: D,
                reason: "rand_distr rejected the parameters",
            })?;
        Self::build(Spec::Normal { mean, sd }, Sampler::Normal(sampler))
    }

    /// `normal(mean, sd)` conditioned on `[min, max]`. `mean` and `sd` are those of the
    /// untruncated normal, not of the result (see [`Distribution::mean`]).
    ///
    /// Requires finite parameters, `sd > 0`, `min < max`, and that `[min, max]` holds a
    /// probability of at least [`TRUNCATED_NORMAL_MIN_MASS`] (1e-6) under
    /// `normal(mean, sd)`.
    ///
    /// Sampling uses rejection from the normal when the interval holds at least 5 % of
    /// the mass, and otherwise the inverse CDF (Acklam's approximation refined by
    /// Halley steps, with Cody's erfc), working with upper-tail probabilities when the
    /// interval lies above the mean so that no precision is lost in the tail.
    pub fn truncated_normal(
        mean: f64,
        sd: f64,
        min: f64,
        max: f64,
    ) -> Result<Self, DistributionError> {
        const D: &str = "truncated normal";
        check_finite(D, "mean", mean)?;
        check_positive(D, "sd", sd)?;
        check_range(D, min, max)?;
        let tn = TruncNormal::new((min - mean) / sd, (max - mean) / sd);
        // A NaN mass is impossible with finite inputs, but would be rejected too.
        if tn.mass.is_nan() || tn.mass < TRUNCATED_NORMAL_MIN_MASS {
            return Err(DistributionError::IntervalInTail {
                mean,
                sd,
                min,
                max,
                mass: tn.mass,
            });
        }
        Self::build(
            Spec::TruncatedNormal { mean, sd, min, max },
            Sampler::TruncatedNormal(tn),
        )
    }

    /// Log-normal whose **own** mean and standard deviation are `mean` and `sd` (not
    /// those of its logarithm). The underlying normal has
    /// `sigma^2 = ln(1 + sd^2/mean^2)` and `mu = ln(mean) - sigma^2/2`.
    /// Requires finite `mean > 0` and `sd > 0`.
    pub fn lognormal(mean: f64, sd: f64) -> Result<Self, DistributionError> {
        const D: &str = "lognormal";
        check_positive(D, "mean", mean)?;
        check_positive(D, "sd", sd)?;
        let cv = sd / mean;
        let sigma2 = (cv * cv).ln_1p();
        let mu = mean.ln() - sigma2 / 2.0;
        let sigma = sigma2.sqrt();
        if !(sigma.is_finite() && mu.is_finite()) {
            return Err(DistributionError::Unrepresentable {
                dist: D,
                reason: "sd / mean is so large that the log-scale sigma overflows",
            });
        }
        let sampler = rand_distr::LogNormal::new(mu, sigma).map_err(|_| {
            DistributionError::Unrepresentable {
                dist: D,
                reason: "rand_distr rejected the log-scale parameters",
            }
        })?;
        Self::build(Spec::LogNormal { mean, sd }, Sampler::LogNormal(sampler))
    }

    /// Beta(`alpha`, `beta`) rescaled to `[min, max]`: `X = min + (max - min) B`.
    /// Requires finite `alpha > 0`, `beta > 0` and `min < max`. In JSON, `min` and `max`
    /// may be omitted and default to 0 and 1.
    pub fn beta(alpha: f64, beta: f64, min: f64, max: f64) -> Result<Self, DistributionError> {
        const D: &str = "beta";
        check_positive(D, "alpha", alpha)?;
        check_positive(D, "beta", beta)?;
        check_range(D, min, max)?;
        let sampler =
            rand_distr::Beta::new(alpha, beta).map_err(|_| DistributionError::Unrepresentable {
                dist: D,
                reason: "rand_distr rejected the shape parameters",
            })?;
        Self::build(
            Spec::Beta {
                alpha,
                beta,
                min,
                max,
            },
            Sampler::Beta(sampler),
        )
    }

    /// Gamma with the given `shape` (k) and `scale` (θ): mean `k θ`, variance `k θ^2`.
    /// Requires finite `shape > 0` and `scale > 0`.
    pub fn gamma(shape: f64, scale: f64) -> Result<Self, DistributionError> {
        const D: &str = "gamma";
        check_positive(D, "shape", shape)?;
        check_positive(D, "scale", scale)?;
        let sampler = rand_distr::Gamma::new(shape, scale).map_err(|_| {
            DistributionError::Unrepresentable {
                dist: D,
                reason: "rand_distr rejected the parameters",
            }
        })?;
        Self::build(Spec::Gamma { shape, scale }, Sampler::Gamma(sampler))
    }

    /// Final check shared by all constructors: the moments must be finite (this rejects
    /// e.g. ranges so wide that `max - min` overflows).
    fn build(spec: Spec, sampler: Sampler) -> Result<Self, DistributionError> {
        let d = Distribution { spec, sampler };
        if d.mean().is_finite() && d.variance().is_finite() {
            Ok(d)
        } else {
            Err(DistributionError::Unrepresentable {
                dist: d.label(),
                reason: "the mean or variance overflows f64",
            })
        }
    }

    /// Draws one value. Draws always lie within [`Distribution::support`].
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match (&self.sampler, self.spec) {
            (Sampler::Uniform(s), Spec::Uniform { min, max }) => clamp_to(s.sample(rng), min, max),
            (Sampler::Triangular(s), Spec::Triangular { min, max, .. }) => {
                clamp_to(s.sample(rng), min, max)
            }
            (Sampler::Pert(s), Spec::Pert { min, max, .. }) => clamp_to(s.sample(rng), min, max),
            (Sampler::Normal(s), _) => s.sample(rng),
            (Sampler::TruncatedNormal(tn), Spec::TruncatedNormal { mean, sd, min, max }) => {
                clamp_to(mean + sd * tn.sample_standard(rng), min, max)
            }
            (Sampler::LogNormal(s), _) => s.sample(rng),
            (Sampler::Beta(s), Spec::Beta { min, max, .. }) => {
                clamp_to(min + (max - min) * s.sample(rng), min, max)
            }
            (Sampler::Gamma(s), _) => s.sample(rng),
            // Constructors always pair a sampler with the spec of the same kind, and the
            // fields are private, so this arm is never reached. It returns the mean rather
            // than panicking.
            _ => self.mean(),
        }
    }

    /// The analytic mean.
    pub fn mean(&self) -> f64 {
        match self.spec {
            Spec::Uniform { min, max } => min + (max - min) / 2.0,
            Spec::Triangular { min, mode, max } => (min + mode + max) / 3.0,
            Spec::Pert { min, mode, max } => (min + 4.0 * mode + max) / 6.0,
            Spec::Normal { mean, .. } | Spec::LogNormal { mean, .. } => mean,
            Spec::TruncatedNormal { mean, sd, .. } => match &self.sampler {
                Sampler::TruncatedNormal(tn) => mean + sd * tn.standard_moments().0,
                _ => mean,
            },
            Spec::Beta {
                alpha,
                beta,
                min,
                max,
            } => min + (max - min) * alpha / (alpha + beta),
            Spec::Gamma { shape, scale } => shape * scale,
        }
    }

    /// The analytic variance.
    pub fn variance(&self) -> f64 {
        match self.spec {
            Spec::Uniform { min, max } => (max - min).powi(2) / 12.0,
            Spec::Triangular { min, mode, max } => {
                (min * min + mode * mode + max * max - min * mode - min * max - mode * max) / 18.0
            }
            Spec::Pert { min, mode, max } => {
                let range = max - min;
                let a = 1.0 + 4.0 * (mode - min) / range;
                let b = 1.0 + 4.0 * (max - mode) / range;
                beta_variance(a, b) * range * range
            }
            Spec::Normal { sd, .. } | Spec::LogNormal { sd, .. } => sd * sd,
            Spec::TruncatedNormal { sd, .. } => match &self.sampler {
                Sampler::TruncatedNormal(tn) => sd * sd * tn.standard_moments().1,
                _ => sd * sd,
            },
            Spec::Beta {
                alpha,
                beta,
                min,
                max,
            } => beta_variance(alpha, beta) * (max - min).powi(2),
            Spec::Gamma { shape, scale } => shape * scale * scale,
        }
    }

    /// The standard deviation, `sqrt(variance)`.
    pub fn sd(&self) -> f64 {
        self.variance().sqrt()
    }

    /// The closed interval `(lo, hi)` that contains every draw; bounds may be infinite.
    pub fn support(&self) -> (f64, f64) {
        match self.spec {
            Spec::Uniform { min, max }
            | Spec::Triangular { min, max, .. }
            | Spec::Pert { min, max, .. }
            | Spec::TruncatedNormal { min, max, .. }
            | Spec::Beta { min, max, .. } => (min, max),
            Spec::Normal { .. } => (f64::NEG_INFINITY, f64::INFINITY),
            Spec::LogNormal { .. } | Spec::Gamma { .. } => (0.0, f64::INFINITY),
        }
    }

    /// The kind as spelled in JSON: one of [`KINDS`].
    pub fn kind(&self) -> &'static str {
        match self.spec {
            Spec::Uniform { .. } => "uniform",
            Spec::Triangular { .. } => "triangular",
            Spec::Pert { .. } => "pert",
            Spec::Normal { .. } => "normal",
            Spec::TruncatedNormal { .. } => "truncated_normal",
            Spec::LogNormal { .. } => "lognormal",
            Spec::Beta { .. } => "beta",
            Spec::Gamma { .. } => "gamma",
        }
    }

    /// Human-readable name used in error messages.
    fn label(&self) -> &'static str {
        match self.spec {
            Spec::Pert { .. } => "PERT",
            Spec::TruncatedNormal { .. } => "truncated normal",
            _ => self.kind(),
        }
    }
}

fn beta_variance(a: f64, b: f64) -> f64 {
    let s = a + b;
    a * b / (s * s * (s + 1.0))
}

impl PartialEq for Distribution {
    /// Two distributions are equal when their kinds and parameters are equal (the
    /// prepared samplers are a function of those).
    fn eq(&self, other: &Self) -> bool {
        self.spec == other.spec
    }
}

impl fmt::Debug for Distribution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.spec, f)
    }
}

impl fmt::Display for Distribution {
    /// E.g. `triangular(min 0.01, mode 0.02, max 0.04)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let k = self.kind();
        match self.spec {
            Spec::Uniform { min, max } => write!(f, "{k}(min {}, max {})", Num(min), Num(max)),
            Spec::Triangular { min, mode, max } | Spec::Pert { min, mode, max } => {
                write!(
                    f,
                    "{k}(min {}, mode {}, max {})",
                    Num(min),
                    Num(mode),
                    Num(max)
                )
            }
            Spec::Normal { mean, sd } | Spec::LogNormal { mean, sd } => {
                write!(f, "{k}(mean {}, sd {})", Num(mean), Num(sd))
            }
            Spec::TruncatedNormal { mean, sd, min, max } => write!(
                f,
                "{k}(mean {}, sd {}, min {}, max {})",
                Num(mean),
                Num(sd),
                Num(min),
                Num(max)
            ),
            Spec::Beta {
                alpha,
                beta,
                min,
                max,
            } => write!(
                f,
                "{k}(alpha {}, beta {}, min {}, max {})",
                Num(alpha),
                Num(beta),
                Num(min),
                Num(max)
            ),
            Spec::Gamma { shape, scale } => {
                write!(f, "{k}(shape {}, scale {})", Num(shape), Num(scale))
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Param
// ---------------------------------------------------------------------------

/// A scenario input that is either a fixed number or drawn from a distribution.
///
/// JSON: a number (`0.5`) or a distribution object
/// (`{"pert": {"min": 1, "mode": 2, "max": 5}}`).
#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    /// A known value (finite when deserialized).
    Fixed(f64),
    /// An uncertain value, drawn anew for each Monte Carlo draw.
    Random(Distribution),
}

impl Param {
    /// The value for one Monte Carlo draw. `Fixed` consumes no randomness, so adding or
    /// removing fixed parameters does not shift the random stream of the others.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            Param::Fixed(v) => *v,
            Param::Random(d) => d.sample(rng),
        }
    }

    /// The fixed value, or the distribution's analytic mean.
    pub fn mean(&self) -> f64 {
        match self {
            Param::Fixed(v) => *v,
            Param::Random(d) => d.mean(),
        }
    }

    /// 0 for a fixed value, or the distribution's analytic variance.
    pub fn variance(&self) -> f64 {
        match self {
            Param::Fixed(_) => 0.0,
            Param::Random(d) => d.variance(),
        }
    }

    /// Whether the value is drawn from a distribution.
    pub fn is_random(&self) -> bool {
        matches!(self, Param::Random(_))
    }

    /// `(v, v)` for a fixed value, or the distribution's support (bounds may be infinite).
    pub fn support(&self) -> (f64, f64) {
        match self {
            Param::Fixed(v) => (*v, *v),
            Param::Random(d) => d.support(),
        }
    }
}

impl From<Distribution> for Param {
    fn from(d: Distribution) -> Self {
        Param::Random(d)
    }
}

impl fmt::Display for Param {
    /// `0.5`, or the distribution's display such as `uniform(min 0, max 1)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Param::Fixed(v) => write!(f, "{}", Num(*v)),
            Param::Random(d) => fmt::Display::fmt(d, f),
        }
    }
}

// ---------------------------------------------------------------------------
// JSON: shadow parameter structs
// ---------------------------------------------------------------------------

/// Parameters of a uniform distribution on [min, max).
#[derive(Serialize, Deserialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = r#"uniform parameters {"min": number, "max": number}"#
)]
struct UniformParams {
    /// Lower bound.
    min: f64,
    /// Upper bound; must be greater than min.
    max: f64,
}

/// Parameters of a triangular distribution.
#[derive(Serialize, Deserialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = r#"triangular parameters {"min": number, "mode": number, "max": number}"#
)]
struct TriangularParams {
    /// Lower bound.
    min: f64,
    /// Most likely value; min <= mode <= max.
    mode: f64,
    /// Upper bound; must be greater than min.
    max: f64,
}

/// Parameters of a classic PERT distribution (beta-shaped, lambda = 4).
#[derive(Serialize, Deserialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = r#"PERT parameters {"min": number, "mode": number, "max": number}"#
)]
struct PertParams {
    /// Lower bound.
    min: f64,
    /// Most likely value; min <= mode <= max.
    mode: f64,
    /// Upper bound; must be greater than min.
    max: f64,
}

/// Parameters of a normal distribution.
#[derive(Serialize, Deserialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = r#"normal parameters {"mean": number, "sd": number}"#
)]
struct NormalParams {
    /// Mean.
    mean: f64,
    /// Standard deviation; must be > 0.
    sd: f64,
}

/// Parameters of a normal distribution conditioned on [min, max].
#[derive(Serialize, Deserialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = r#"truncated normal parameters {"mean": number, "sd": number, "min": number, "max": number}"#
)]
struct TruncatedNormalParams {
    /// Mean of the normal before truncation.
    mean: f64,
    /// Standard deviation of the normal before truncation; must be > 0.
    sd: f64,
    /// Lower truncation bound.
    min: f64,
    /// Upper truncation bound; [min, max] must hold probability >= 1e-6 under the normal.
    max: f64,
}

/// Parameters of a log-normal distribution, given as the mean and standard deviation
/// of the variable itself (not of its logarithm).
#[derive(Serialize, Deserialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = r#"lognormal parameters {"mean": number, "sd": number}"#
)]
struct LogNormalParams {
    /// Mean of the variable; must be > 0.
    mean: f64,
    /// Standard deviation of the variable; must be > 0.
    sd: f64,
}

/// Parameters of a beta distribution rescaled to [min, max].
#[derive(Serialize, Deserialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = r#"beta parameters {"alpha": number, "beta": number, "min": number (optional), "max": number (optional)}"#
)]
struct BetaParams {
    /// First shape parameter; must be > 0.
    alpha: f64,
    /// Second shape parameter; must be > 0.
    beta: f64,
    /// Lower bound (default 0).
    #[serde(default)]
    min: f64,
    /// Upper bound (default 1); must be greater than min.
    #[serde(default = "default_beta_max")]
    max: f64,
}

fn default_beta_max() -> f64 {
    1.0
}

/// Parameters of a gamma distribution (shape k, scale theta; mean k*theta).
#[derive(Serialize, Deserialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = r#"gamma parameters {"shape": number, "scale": number}"#
)]
struct GammaParams {
    /// Shape k; must be > 0.
    shape: f64,
    /// Scale theta; must be > 0.
    scale: f64,
}

// ---------------------------------------------------------------------------
// JSON: Serialize
// ---------------------------------------------------------------------------

impl Serialize for Distribution {
    /// Writes `{"<kind>": {<parameters>}}`; beta always writes `min` and `max`.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(1))?;
        let kind = self.kind();
        match self.spec {
            Spec::Uniform { min, max } => map.serialize_entry(kind, &UniformParams { min, max })?,
            Spec::Triangular { min, mode, max } => {
                map.serialize_entry(kind, &TriangularParams { min, mode, max })?
            }
            Spec::Pert { min, mode, max } => {
                map.serialize_entry(kind, &PertParams { min, mode, max })?
            }
            Spec::Normal { mean, sd } => map.serialize_entry(kind, &NormalParams { mean, sd })?,
            Spec::TruncatedNormal { mean, sd, min, max } => {
                map.serialize_entry(kind, &TruncatedNormalParams { mean, sd, min, max })?
            }
            Spec::LogNormal { mean, sd } => {
                map.serialize_entry(kind, &LogNormalParams { mean, sd })?
            }
            Spec::Beta {
                alpha,
                beta,
                min,
                max,
            } => map.serialize_entry(
                kind,
                &BetaParams {
                    alpha,
                    beta,
                    min,
                    max,
                },
            )?,
            Spec::Gamma { shape, scale } => {
                map.serialize_entry(kind, &GammaParams { shape, scale })?
            }
        }
        map.end()
    }
}

impl Serialize for Param {
    /// A number for `Fixed`, the distribution object for `Random`.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Param::Fixed(v) => serializer.serialize_f64(*v),
            Param::Random(d) => d.serialize(serializer),
        }
    }
}

// ---------------------------------------------------------------------------
// JSON: Deserialize
// ---------------------------------------------------------------------------

/// Reads the body of a distribution object: exactly one key naming the kind, whose
/// value holds the parameters. Invalid parameters are reported with
/// `de::Error::custom` from here, i.e. at the path of the distribution object.
fn distribution_from_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<Distribution, A::Error> {
    let kinds = KINDS.join(", ");
    let Some(kind) = map.next_key::<String>()? else {
        return Err(de::Error::custom(format_args!(
            "empty distribution object: expected exactly one key naming the distribution \
             (one of {kinds}), e.g. {EXAMPLE}"
        )));
    };
    let built = match kind.as_str() {
        "uniform" => {
            let p: UniformParams = map.next_value()?;
            Distribution::uniform(p.min, p.max)
        }
        "triangular" => {
            let p: TriangularParams = map.next_value()?;
            Distribution::triangular(p.min, p.mode, p.max)
        }
        "pert" => {
            let p: PertParams = map.next_value()?;
            Distribution::pert(p.min, p.mode, p.max)
        }
        "normal" => {
            let p: NormalParams = map.next_value()?;
            Distribution::normal(p.mean, p.sd)
        }
        "truncated_normal" => {
            let p: TruncatedNormalParams = map.next_value()?;
            Distribution::truncated_normal(p.mean, p.sd, p.min, p.max)
        }
        "lognormal" => {
            let p: LogNormalParams = map.next_value()?;
            Distribution::lognormal(p.mean, p.sd)
        }
        "beta" => {
            let p: BetaParams = map.next_value()?;
            Distribution::beta(p.alpha, p.beta, p.min, p.max)
        }
        "gamma" => {
            let p: GammaParams = map.next_value()?;
            Distribution::gamma(p.shape, p.scale)
        }
        other => {
            return Err(de::Error::custom(format_args!(
                "unknown distribution `{other}`: expected one of {kinds}"
            )));
        }
    };
    if let Some(extra) = map.next_key::<String>()? {
        return Err(de::Error::custom(format_args!(
            "a distribution object must have exactly one key, the distribution name, \
             but `{kind}` is followed by a second key `{extra}`"
        )));
    }
    built.map_err(de::Error::custom)
}

struct DistributionVisitor;

impl<'de> Visitor<'de> for DistributionVisitor {
    type Value = Distribution;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a distribution object such as {EXAMPLE}")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Distribution, A::Error> {
        distribution_from_map(map)
    }
}

impl<'de> Deserialize<'de> for Distribution {
    /// Reads `{"<kind>": {<parameters>}}` and validates it with the checked constructor.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(DistributionVisitor)
    }
}

struct ParamVisitor;

impl<'de> Visitor<'de> for ParamVisitor {
    type Value = Param;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a number or a distribution object such as {EXAMPLE}")
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Param, E> {
        if v.is_finite() {
            Ok(Param::Fixed(v))
        } else {
            Err(E::invalid_value(Unexpected::Float(v), &"a finite number"))
        }
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Param, E> {
        Ok(Param::Fixed(v as f64))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Param, E> {
        Ok(Param::Fixed(v as f64))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Param, A::Error> {
        distribution_from_map(map).map(Param::Random)
    }
}

impl<'de> Deserialize<'de> for Param {
    /// Reads a finite number (→ [`Param::Fixed`]) or a distribution object
    /// (→ [`Param::Random`]); anything else is an `invalid_type` error.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ParamVisitor)
    }
}

// ---------------------------------------------------------------------------
// JSON Schema
// ---------------------------------------------------------------------------

/// One schema per kind: an object with exactly that one key, whose value is the
/// parameter object (typed fields, `additionalProperties: false`).
fn distribution_variant_schemas(generator: &mut SchemaGenerator) -> Vec<serde_json::Value> {
    let params = [
        ("uniform", generator.subschema_for::<UniformParams>()),
        ("triangular", generator.subschema_for::<TriangularParams>()),
        ("pert", generator.subschema_for::<PertParams>()),
        ("normal", generator.subschema_for::<NormalParams>()),
        (
            "truncated_normal",
            generator.subschema_for::<TruncatedNormalParams>(),
        ),
        ("lognormal", generator.subschema_for::<LogNormalParams>()),
        ("beta", generator.subschema_for::<BetaParams>()),
        ("gamma", generator.subschema_for::<GammaParams>()),
    ];
    params
        .into_iter()
        .map(|(kind, schema)| {
            let mut properties = serde_json::Map::new();
            properties.insert(kind.to_owned(), schema.to_value());
            serde_json::json!({
                "type": "object",
                "title": kind,
                "properties": properties,
                "required": [kind],
                "additionalProperties": false,
            })
        })
        .collect()
}

impl JsonSchema for Distribution {
    fn schema_name() -> Cow<'static, str> {
        "Distribution".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let variants = distribution_variant_schemas(generator);
        json_schema!({
            "description": "A probability distribution: an object with exactly one key naming the kind.",
            "oneOf": variants,
        })
    }
}

impl JsonSchema for Param {
    fn schema_name() -> Cow<'static, str> {
        "Param".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let mut variants = vec![serde_json::json!({
            "type": "number",
            "title": "fixed",
            "description": "A fixed value.",
        })];
        variants.extend(distribution_variant_schemas(generator));
        json_schema!({
            "description": "A number, or one of the distribution objects (exactly one key naming the kind), \
                            e.g. {\"triangular\": {\"min\": 0.01, \"mode\": 0.02, \"max\": 0.04}}.",
            "oneOf": variants,
        })
    }
}

// ---------------------------------------------------------------------------
// Standard normal functions
// ---------------------------------------------------------------------------

/// Complementary error function, W. J. Cody's rational Chebyshev approximations
/// ("Rational Chebyshev approximation for the error function", Math. Comp. 23, 1969;
/// coefficients as in his CALERF routine), relative error below about 1e-15 in double
/// precision, including the far tail.
#[allow(clippy::excessive_precision)] // coefficients are quoted verbatim from the source
fn erfc(x: f64) -> f64 {
    // erf on |x| <= 0.46875.
    const A: [f64; 5] = [
        3.16112374387056560e00,
        1.13864154151050156e02,
        3.77485237685302021e02,
        3.20937758913846947e03,
        1.85777706184603153e-1,
    ];
    const B: [f64; 4] = [
        2.36012909523441209e01,
        2.44024637934444173e02,
        1.28261652607737228e03,
        2.84423683343917062e03,
    ];
    // erfc on 0.46875 < |x| <= 4.
    const C: [f64; 9] = [
        5.64188496988670089e-1,
        8.88314979438837594e00,
        6.61191906371416295e01,
        2.98635138197400131e02,
        8.81952221241769090e02,
        1.71204761263407058e03,
        2.05107837782607147e03,
        1.23033935479799725e03,
        2.15311535474403846e-8,
    ];
    const D: [f64; 8] = [
        1.57449261107098347e01,
        1.17693950891312499e02,
        5.37181101862009858e02,
        1.62138957456669019e03,
        3.29079923573345963e03,
        4.36261909014324716e03,
        3.43936767414372164e03,
        1.23033935480374942e03,
    ];
    // erfc on |x| > 4.
    const P: [f64; 6] = [
        3.05326634961232344e-1,
        3.60344899949804439e-1,
        1.25781726111229246e-1,
        1.60837851487422766e-2,
        6.58749161529837803e-4,
        1.63153871373020978e-2,
    ];
    const Q: [f64; 5] = [
        2.56852019228982242e00,
        1.87295284992346047e00,
        5.27905102951428412e-1,
        6.05183413124413191e-2,
        2.33520497626869185e-3,
    ];
    const FRAC_1_SQRT_PI: f64 = 0.564_189_583_547_756_286_9;
    // erfc(x) underflows to 0 beyond this.
    const XBIG: f64 = 26.543;

    /// `exp(-y^2) * r`, splitting y^2 to avoid the rounding error of squaring y.
    fn scaled(y: f64, r: f64) -> f64 {
        let y16 = (y * 16.0).trunc() / 16.0;
        let del = (y - y16) * (y + y16);
        (-y16 * y16).exp() * (-del).exp() * r
    }

    if x.is_nan() {
        return f64::NAN;
    }
    let y = x.abs();
    if y <= 0.46875 {
        let ysq = if y > f64::EPSILON / 2.0 { y * y } else { 0.0 };
        let mut num = A[4] * ysq;
        let mut den = ysq;
        for (a, b) in A[..3].iter().zip(&B[..3]) {
            num = (num + a) * ysq;
            den = (den + b) * ysq;
        }
        return 1.0 - x * (num + A[3]) / (den + B[3]);
    }
    let r = if y <= 4.0 {
        let mut num = C[8] * y;
        let mut den = y;
        for (c, d) in C[..7].iter().zip(&D[..7]) {
            num = (num + c) * y;
            den = (den + d) * y;
        }
        scaled(y, (num + C[7]) / (den + D[7]))
    } else if y >= XBIG {
        0.0
    } else {
        let ysq = 1.0 / (y * y);
        let mut num = P[5] * ysq;
        let mut den = ysq;
        for (p, q) in P[..4].iter().zip(&Q[..4]) {
            num = (num + p) * ysq;
            den = (den + q) * ysq;
        }
        let r = ysq * (num + P[4]) / (den + Q[4]);
        scaled(y, (FRAC_1_SQRT_PI - r) / y)
    };
    if x < 0.0 { 2.0 - r } else { r }
}

/// Standard normal CDF `Phi(x)`, accurate in relative terms in the lower tail.
fn std_normal_cdf(x: f64) -> f64 {
    0.5 * erfc(-x * FRAC_1_SQRT_2)
}

/// Standard normal survival function `Q(x) = 1 - Phi(x) = Phi(-x)`, accurate in
/// relative terms in the upper tail.
fn std_normal_sf(x: f64) -> f64 {
    0.5 * erfc(x * FRAC_1_SQRT_2)
}

/// Standard normal density.
fn std_normal_pdf(x: f64) -> f64 {
    (-0.5 * x * x).exp() / (2.0 * PI).sqrt()
}

/// Standard normal quantile `Phi^-1(p)`: P. J. Acklam's rational approximation
/// (relative error about 1.15e-9 in its central range) refined by Halley steps using
/// [`erfc`] (one suffices except in the far tail), which bring it to near machine
/// precision. Returns -inf at 0, +inf at 1, NaN outside [0, 1].
#[allow(clippy::excessive_precision)] // coefficients are quoted verbatim from the source
pub(crate) fn std_normal_inv_cdf(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969683028665376e+01,
        2.209460984245205e+02,
        -2.759285104469687e+02,
        1.383577518672690e+02,
        -3.066479806614716e+01,
        2.506628277459239e+00,
    ];
    const B: [f64; 5] = [
        -5.447609879822406e+01,
        1.615858368580409e+02,
        -1.556989798598866e+02,
        6.680131188771972e+01,
        -1.328068155288572e+01,
    ];
    const C: [f64; 6] = [
        -7.784894002430293e-03,
        -3.223964580411365e-01,
        -2.400758277161838e+00,
        -2.549732539343734e+00,
        4.374664141464968e+00,
        2.938163982698783e+00,
    ];
    const D: [f64; 4] = [
        7.784695709041462e-03,
        3.224671290700398e-01,
        2.445134137142996e+00,
        3.754408661907416e+00,
    ];
    const P_LOW: f64 = 0.02425;

    fn tail(q: f64) -> f64 {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    }

    if p.is_nan() || !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    let x = if p < P_LOW {
        tail((-2.0 * p.ln()).sqrt())
    } else if p <= 1.0 - P_LOW {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        -tail((-2.0 * (1.0 - p).ln()).sqrt())
    };
    // Halley steps on f(x) = Phi(x) - p: x <- x - u / (1 + x u / 2), u = f(x) / phi(x).
    // One step brings Acklam's 1e-9 to machine precision for p >= ~1e-30; in the far
    // tail the initial guess is cruder, so iterate (cubic convergence) while the
    // correction is still noticeable. Stop if phi(x) is no longer a normal number
    // (|x| > ~37.5, p subnormal): there p itself carries no more precision.
    let mut x = x;
    for _ in 0..4 {
        let pdf = std_normal_pdf(x);
        if pdf.is_nan() || pdf < f64::MIN_POSITIVE {
            break;
        }
        let u = (std_normal_cdf(x) - p) / pdf;
        let step = u / (1.0 + 0.5 * x * u);
        if !step.is_finite() {
            break;
        }
        x -= step;
        if step.abs() <= 1e-15 * x.abs().max(1.0) {
            break;
        }
    }
    x
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs().max(f64::MIN_POSITIVE)
    }

    /// Draws `N` values and checks that they lie in the support and that the sample
    /// mean and variance agree with the analytic ones.
    ///
    /// Tolerances are 4 standard errors of each estimator:
    /// - the sample mean has standard error `sqrt(var / n)` (analytic variance);
    /// - the sample variance `s^2` has asymptotic variance `(mu4 - sigma^4) / n`, where
    ///   `mu4` is the fourth central moment. Not every kind has a convenient closed form
    ///   for `mu4`, so we plug in the sample fourth central moment `m4` and `s^2`
    ///   (the plug-in estimate of that standard error, consistent for any distribution
    ///   with a finite eighth moment, which holds for all parameter sets used here).
    ///
    /// With correct samplers each check fails with probability ~6e-5; the seeds are
    /// fixed, so the tests are deterministic. N = 200 000 keeps the whole module well
    /// under a second in the opt-level=2 test profile while making the tolerances tight
    /// (a few tenths of a percent of the mean for the sets below).
    fn check_moments(d: &Distribution, seed: u64) {
        const N: usize = 200_000;
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let xs: Vec<f64> = (0..N).map(|_| d.sample(&mut rng)).collect();

        let (lo, hi) = d.support();
        for &x in &xs {
            assert!(
                x.is_finite() && lo <= x && x <= hi,
                "{d}: draw {x} outside support [{lo}, {hi}]"
            );
        }

        let n = N as f64;
        let mean = xs.iter().sum::<f64>() / n;
        let (mut m2, mut m4) = (0.0, 0.0);
        for &x in &xs {
            let dx = x - mean;
            m2 += dx * dx;
            m4 += dx * dx * dx * dx;
        }
        let s2 = m2 / (n - 1.0);
        let m4 = m4 / n;

        let (mu, var) = (d.mean(), d.variance());
        let se_mean = (var / n).sqrt();
        assert!(
            (mean - mu).abs() <= 4.0 * se_mean,
            "{d}: sample mean {mean} vs analytic {mu} (se {se_mean})"
        );
        let se_var = ((m4 - s2 * s2).max(0.0) / n).sqrt();
        assert!(se_var > 0.0, "{d}: degenerate sample");
        assert!(
            (s2 - var).abs() <= 4.0 * se_var,
            "{d}: sample variance {s2} vs analytic {var} (se {se_var})"
        );
    }

    #[test]
    fn uniform_moments() {
        check_moments(&Distribution::uniform(2.0, 5.0).unwrap(), 1);
        check_moments(&Distribution::uniform(-1e-3, 1e-3).unwrap(), 2);
    }

    #[test]
    fn triangular_moments() {
        check_moments(&Distribution::triangular(0.0, 1.0, 4.0).unwrap(), 3);
        check_moments(&Distribution::triangular(0.01, 0.02, 0.04).unwrap(), 4);
        check_moments(&Distribution::triangular(1.0, 1.0, 2.0).unwrap(), 5);
    }

    #[test]
    fn pert_moments() {
        check_moments(&Distribution::pert(1.0, 2.0, 10.0).unwrap(), 6);
        check_moments(&Distribution::pert(0.0, 5.0, 5.0).unwrap(), 7);
    }

    #[test]
    fn normal_moments() {
        check_moments(&Distribution::normal(-3.0, 2.0).unwrap(), 8);
    }

    #[test]
    fn truncated_normal_moments() {
        // Rejection (mass ~0.82).
        check_moments(
            &Distribution::truncated_normal(0.0, 1.0, -1.0, 2.0).unwrap(),
            9,
        );
        // Inverse CDF, interval above the mean (a = 3, b = 10, mass ~1.3e-3).
        check_moments(
            &Distribution::truncated_normal(10.0, 2.0, 16.0, 30.0).unwrap(),
            10,
        );
        // Inverse CDF, far lower tail (mass ~3.4e-6).
        check_moments(
            &Distribution::truncated_normal(0.0, 1.0, -6.0, -4.5).unwrap(),
            11,
        );
        // Inverse CDF, narrow interval around the mean (mass ~0.04).
        check_moments(
            &Distribution::truncated_normal(5.0, 1.0, 4.95, 5.05).unwrap(),
            12,
        );
    }

    #[test]
    fn truncated_normal_uses_expected_method() {
        let method = |d: &Distribution| match &d.sampler {
            Sampler::TruncatedNormal(tn) => tn.method,
            _ => unreachable!(),
        };
        let d = Distribution::truncated_normal(0.0, 1.0, -1.0, 2.0).unwrap();
        assert!(matches!(method(&d), TruncMethod::Rejection));
        let d = Distribution::truncated_normal(10.0, 2.0, 16.0, 30.0).unwrap();
        assert!(matches!(method(&d), TruncMethod::InverseUpper { .. }));
        let d = Distribution::truncated_normal(0.0, 1.0, -6.0, -4.5).unwrap();
        assert!(matches!(method(&d), TruncMethod::InverseLower { .. }));
    }

    #[test]
    fn lognormal_moments() {
        check_moments(&Distribution::lognormal(100.0, 30.0).unwrap(), 13);
        check_moments(&Distribution::lognormal(0.02, 0.005).unwrap(), 14);
    }

    #[test]
    fn beta_moments() {
        check_moments(&Distribution::beta(2.0, 5.0, 0.0, 1.0).unwrap(), 15);
        check_moments(&Distribution::beta(0.5, 0.5, 10.0, 20.0).unwrap(), 16);
    }

    #[test]
    fn gamma_moments() {
        check_moments(&Distribution::gamma(2.5, 3.0).unwrap(), 17);
        check_moments(&Distribution::gamma(0.5, 1.0).unwrap(), 18);
    }

    #[test]
    fn hand_computed_moments() {
        let cases: [(Distribution, f64, f64); 9] = [
            (Distribution::uniform(0.0, 12.0).unwrap(), 6.0, 12.0),
            (
                Distribution::triangular(0.0, 1.0, 2.0).unwrap(),
                1.0,
                1.0 / 6.0,
            ),
            // alpha = beta = 3: var = 9 / (36 * 7) * 2^2 = 1/7.
            (Distribution::pert(0.0, 1.0, 2.0).unwrap(), 1.0, 1.0 / 7.0),
            // alpha = 1, beta = 5: var = 5 / (36 * 7) * 6^2 = 5/7.
            (Distribution::pert(0.0, 0.0, 6.0).unwrap(), 1.0, 5.0 / 7.0),
            (Distribution::normal(3.0, 2.0).unwrap(), 3.0, 4.0),
            (Distribution::lognormal(2.0, 1.0).unwrap(), 2.0, 1.0),
            // mean 10 * 2/5 = 4, var 6 / (25 * 6) * 100 = 4.
            (Distribution::beta(2.0, 3.0, 0.0, 10.0).unwrap(), 4.0, 4.0),
            (Distribution::gamma(3.0, 2.0).unwrap(), 6.0, 12.0),
            // Symmetric truncation: mean 0, var 1 - 2 phi(1) / (Phi(1) - Phi(-1)) (mpmath).
            (
                Distribution::truncated_normal(0.0, 1.0, -1.0, 1.0).unwrap(),
                0.0,
                0.291_125_094_772_793_2,
            ),
        ];
        for (d, mean, var) in &cases {
            assert!(
                (d.mean() - mean).abs() <= 1e-12 * mean.abs().max(1.0),
                "{d}: mean {}",
                d.mean()
            );
            assert!(
                close(d.variance(), *var, 1e-12),
                "{d}: variance {}",
                d.variance()
            );
        }
        // Half-normal (the upper bound is irrelevantly far): mean sqrt(2/pi), var 1 - 2/pi.
        let d = Distribution::truncated_normal(0.0, 1.0, 0.0, 40.0).unwrap();
        assert!(close(d.mean(), (2.0 / PI).sqrt(), 1e-13));
        assert!(close(d.variance(), 1.0 - 2.0 / PI, 1e-13));
        // Scaled and shifted: mean 1 + 2 sqrt(2/pi).
        let d = Distribution::truncated_normal(1.0, 2.0, 1.0, 100.0).unwrap();
        assert!(close(d.mean(), 1.0 + 2.0 * (2.0 / PI).sqrt(), 1e-13));
        assert!(close(d.variance(), 4.0 * (1.0 - 2.0 / PI), 1e-13));
    }

    #[test]
    fn supports_and_kinds() {
        let inf = f64::INFINITY;
        assert_eq!(
            Distribution::normal(0.0, 1.0).unwrap().support(),
            (-inf, inf)
        );
        assert_eq!(Distribution::gamma(1.0, 1.0).unwrap().support(), (0.0, inf));
        assert_eq!(
            Distribution::lognormal(1.0, 1.0).unwrap().support(),
            (0.0, inf)
        );
        assert_eq!(
            Distribution::beta(1.0, 1.0, 2.0, 3.0).unwrap().support(),
            (2.0, 3.0)
        );
        let all = all_kinds();
        let kinds: Vec<&str> = all.iter().map(Distribution::kind).collect();
        assert_eq!(kinds, KINDS);
    }

    fn all_kinds() -> Vec<Distribution> {
        vec![
            Distribution::uniform(0.0, 1.0).unwrap(),
            Distribution::triangular(0.01, 0.02, 0.04).unwrap(),
            Distribution::pert(1.0, 2.0, 5.0).unwrap(),
            Distribution::normal(0.0, 1.5).unwrap(),
            Distribution::truncated_normal(0.0, 1.0, -1.0, 3.0).unwrap(),
            Distribution::lognormal(2.0, 0.5).unwrap(),
            Distribution::beta(2.0, 5.0, 0.0, 1.0).unwrap(),
            Distribution::gamma(2.0, 0.25).unwrap(),
        ]
    }

    #[test]
    fn display() {
        let shown: Vec<String> = all_kinds().iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "uniform(min 0, max 1)",
                "triangular(min 0.01, mode 0.02, max 0.04)",
                "pert(min 1, mode 2, max 5)",
                "normal(mean 0, sd 1.5)",
                "truncated_normal(mean 0, sd 1, min -1, max 3)",
                "lognormal(mean 2, sd 0.5)",
                "beta(alpha 2, beta 5, min 0, max 1)",
                "gamma(shape 2, scale 0.25)",
            ]
        );
        assert_eq!(Param::Fixed(0.5).to_string(), "0.5");
        assert_eq!(Param::Fixed(1e-300).to_string(), "1e-300");
        assert_eq!(
            Param::Random(Distribution::uniform(0.0, 2.0).unwrap()).to_string(),
            "uniform(min 0, max 2)"
        );
    }

    #[test]
    fn param_methods() {
        let mut rng = ChaCha8Rng::seed_from_u64(99);
        let fixed = Param::Fixed(0.5);
        let before = rng.clone();
        assert_eq!(fixed.sample(&mut rng), 0.5);
        assert_eq!(rng, before, "Fixed must not consume randomness");
        assert_eq!(fixed.mean(), 0.5);
        assert_eq!(fixed.variance(), 0.0);
        assert_eq!(fixed.support(), (0.5, 0.5));
        assert!(!fixed.is_random());

        let random: Param = Distribution::uniform(1.0, 3.0).unwrap().into();
        assert!(random.is_random());
        assert_eq!(random.mean(), 2.0);
        assert_eq!(random.support(), (1.0, 3.0));
        let x = random.sample(&mut rng);
        assert!((1.0..3.0).contains(&x));
    }

    #[test]
    fn invalid_parameters_are_rejected() {
        use DistributionError as E;
        let nan = f64::NAN;
        let inf = f64::INFINITY;

        let err = Distribution::pert(5.0, 3.0, 2.0).unwrap_err();
        assert_eq!(
            err,
            E::EmptyRange {
                dist: "PERT",
                min: 5.0,
                max: 2.0
            }
        );
        assert_eq!(err.to_string(), "PERT needs min < max (got min 5, max 2)");
        assert!(matches!(
            Distribution::pert(1.0, 3.0, 2.0),
            Err(E::ModeOutsideRange { .. })
        ));
        assert!(matches!(
            Distribution::triangular(0.0, -1.0, 2.0),
            Err(E::ModeOutsideRange { .. })
        ));
        assert!(matches!(
            Distribution::triangular(1.0, 1.0, 1.0),
            Err(E::EmptyRange { .. })
        ));
        assert!(matches!(
            Distribution::uniform(1.0, 1.0),
            Err(E::EmptyRange { .. })
        ));
        assert!(matches!(
            Distribution::uniform(nan, 1.0),
            Err(E::NotFinite { param: "min", .. })
        ));
        assert!(matches!(
            Distribution::uniform(0.0, inf),
            Err(E::NotFinite { param: "max", .. })
        ));
        assert!(matches!(
            Distribution::normal(0.0, -1.0),
            Err(E::NotPositive { param: "sd", .. })
        ));
        assert!(matches!(
            Distribution::normal(0.0, 0.0),
            Err(E::NotPositive { param: "sd", .. })
        ));
        assert!(matches!(
            Distribution::normal(nan, 1.0),
            Err(E::NotFinite { param: "mean", .. })
        ));
        assert!(matches!(
            Distribution::lognormal(0.0, 1.0),
            Err(E::NotPositive { param: "mean", .. })
        ));
        assert!(matches!(
            Distribution::lognormal(1.0, -1.0),
            Err(E::NotPositive { param: "sd", .. })
        ));
        assert!(matches!(
            Distribution::beta(0.0, 1.0, 0.0, 1.0),
            Err(E::NotPositive { param: "alpha", .. })
        ));
        assert!(matches!(
            Distribution::beta(1.0, -2.0, 0.0, 1.0),
            Err(E::NotPositive { param: "beta", .. })
        ));
        assert!(matches!(
            Distribution::beta(1.0, 1.0, 1.0, 0.0),
            Err(E::EmptyRange { .. })
        ));
        assert!(matches!(
            Distribution::gamma(0.0, 1.0),
            Err(E::NotPositive { param: "shape", .. })
        ));
        assert!(matches!(
            Distribution::gamma(1.0, nan),
            Err(E::NotFinite { param: "scale", .. })
        ));
        assert!(matches!(
            Distribution::truncated_normal(0.0, 1.0, 2.0, 1.0),
            Err(E::EmptyRange { .. })
        ));
        assert!(matches!(
            Distribution::truncated_normal(0.0, 0.0, 0.0, 1.0),
            Err(E::NotPositive { .. })
        ));
        // [6, 7] under N(0, 1) holds ~1e-9.
        let err = Distribution::truncated_normal(0.0, 1.0, 6.0, 7.0).unwrap_err();
        assert!(matches!(err, E::IntervalInTail { .. }), "{err:?}");
        assert!(err.to_string().contains("too far in the tail"), "{err}");
        // Just above the threshold is accepted.
        assert!(Distribution::truncated_normal(0.0, 1.0, -40.0, -4.7).is_ok());
        // Overflowing ranges are rejected rather than producing inf/NaN draws.
        assert!(matches!(
            Distribution::uniform(-1e308, 1e308),
            Err(E::Unrepresentable { .. })
        ));
        assert!(matches!(
            Distribution::lognormal(1e-300, 1e300),
            Err(E::Unrepresentable { .. })
        ));
    }

    #[test]
    fn erfc_and_normal_functions_match_reference_values() {
        // Reference values from mpmath at 40 digits.
        let erfc_ref = [
            (0.1, 0.887_537_083_981_715),
            (0.46875, 0.507_386_526_782_062),
            (1.0, 0.157_299_207_050_285_13),
            (3.0, 2.209_049_699_858_544e-5),
            (4.0, 1.541_725_790_028_002e-8),
            (5.0, 1.537_459_794_428_035e-12),
            (10.0, 2.088_487_583_762_545e-45),
            (26.0, 5.663_192_408_856_143e-296),
        ];
        for (x, want) in erfc_ref {
            assert!(
                close(erfc(x), want, 1e-14),
                "erfc({x}) = {} vs {want}",
                erfc(x)
            );
            assert!(close(erfc(-x), 2.0 - want, 1e-15), "erfc(-{x})");
        }
        assert_eq!(erfc(0.0), 1.0);
        assert_eq!(erfc(f64::INFINITY), 0.0);
        assert_eq!(erfc(f64::NEG_INFINITY), 2.0);

        let cdf_ref = [
            (-1.0, 0.158_655_253_931_457_05),
            (-5.0, 2.866_515_718_791_939e-7),
            (-10.0, 7.619_853_024_160_526e-24),
            (-20.0, 2.753_624_118_606_233_7e-89),
            (-37.0, 5.725_571_222_524_577e-300),
            (0.3, 0.617_911_422_188_952_6),
            (2.5, 0.993_790_334_674_224),
        ];
        for (x, want) in cdf_ref {
            assert!(
                close(std_normal_cdf(x), want, 1e-13),
                "Phi({x}) = {}",
                std_normal_cdf(x)
            );
            assert!(close(std_normal_sf(-x), want, 1e-13), "Q({})", -x);
        }

        let inv_ref = [
            (1e-300, -37.047_096_299_361_2),
            (1e-100, -21.273_453_560_965_324),
            (1e-20, -9.262_340_089_798_408),
            (1e-10, -6.361_340_902_404_056),
            (0.001, -3.090_232_306_167_813_5),
            (0.02425, -1.972_961_051_311_884_8),
            (0.1, -1.281_551_565_544_600_5),
            (0.9, 1.281_551_565_544_600_5),
            (0.999, 3.090_232_306_167_813_5),
        ];
        for (p, want) in inv_ref {
            let got = std_normal_inv_cdf(p);
            // Upper-half p carry the absolute rounding error of 1 - p.
            let tol = if p > 0.5 { 1e-12 } else { 1e-14 };
            assert!(close(got, want, tol), "Phi^-1({p}) = {got} vs {want}");
        }
        assert_eq!(std_normal_inv_cdf(0.5), 0.0);
        assert_eq!(std_normal_inv_cdf(0.0), f64::NEG_INFINITY);
        assert_eq!(std_normal_inv_cdf(1.0), f64::INFINITY);
        assert!(std_normal_inv_cdf(f64::NAN).is_nan());
        assert!(std_normal_inv_cdf(1.5).is_nan());
        // Round trip across the range.
        for i in 1..200 {
            let p = f64::from(i) / 200.0;
            assert!(
                close(std_normal_cdf(std_normal_inv_cdf(p)), p, 1e-14),
                "p = {p}"
            );
        }
    }

    // ----- JSON -----

    fn parse(json: &str) -> Result<Param, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn deserialize_numbers() {
        assert_eq!(parse("0.5").unwrap(), Param::Fixed(0.5));
        assert_eq!(parse("3").unwrap(), Param::Fixed(3.0));
        assert_eq!(parse("-2").unwrap(), Param::Fixed(-2.0));
        assert_eq!(parse("1e-3").unwrap(), Param::Fixed(1e-3));
    }

    #[test]
    fn deserialize_each_kind() {
        let cases = [
            (
                r#"{"uniform": {"min": 0, "max": 1}}"#,
                Distribution::uniform(0.0, 1.0),
            ),
            (
                r#"{"triangular": {"min": 0.01, "mode": 0.02, "max": 0.04}}"#,
                Distribution::triangular(0.01, 0.02, 0.04),
            ),
            (
                r#"{"pert": {"min": 1, "mode": 2, "max": 5}}"#,
                Distribution::pert(1.0, 2.0, 5.0),
            ),
            (
                r#"{"normal": {"mean": 0, "sd": 1.5}}"#,
                Distribution::normal(0.0, 1.5),
            ),
            (
                r#"{"truncated_normal": {"mean": 0, "sd": 1, "min": -1, "max": 3}}"#,
                Distribution::truncated_normal(0.0, 1.0, -1.0, 3.0),
            ),
            (
                r#"{"lognormal": {"mean": 2, "sd": 0.5}}"#,
                Distribution::lognormal(2.0, 0.5),
            ),
            (
                r#"{"beta": {"alpha": 2, "beta": 5}}"#,
                Distribution::beta(2.0, 5.0, 0.0, 1.0),
            ),
            (
                r#"{"beta": {"alpha": 2, "beta": 5, "min": 10, "max": 20}}"#,
                Distribution::beta(2.0, 5.0, 10.0, 20.0),
            ),
            (
                r#"{"gamma": {"shape": 2, "scale": 0.25}}"#,
                Distribution::gamma(2.0, 0.25),
            ),
        ];
        for (json, want) in cases {
            let want = want.unwrap();
            assert_eq!(parse(json).unwrap(), Param::Random(want.clone()), "{json}");
            let d: Distribution = serde_json::from_str(json).unwrap();
            assert_eq!(d, want);
        }
    }

    #[test]
    fn deserialize_errors() {
        let msg = |json: &str| parse(json).unwrap_err().to_string();

        let m = msg(r#"{"weibull": {"scale": 1}}"#);
        assert!(m.contains("unknown distribution `weibull`"), "{m}");
        for kind in KINDS {
            assert!(m.contains(kind), "{m}");
        }

        let m = msg(r#"{"uniform": {"min": 0, "max": 1, "mode": 0.5}}"#);
        assert!(m.contains("unknown field `mode`"), "{m}");

        let m = msg(r#"{"uniform": {"min": 0}}"#);
        assert!(m.contains("missing field `max`"), "{m}");

        let m = msg("{}");
        assert!(m.contains("empty distribution object"), "{m}");

        let m = msg(r#"{"uniform": {"min": 0, "max": 1}, "normal": {"mean": 0, "sd": 1}}"#);
        assert!(m.contains("exactly one key"), "{m}");
        assert!(m.contains("`normal`"), "{m}");

        let m = msg(r#"{"uniform": 3}"#);
        assert!(m.contains("uniform parameters"), "{m}");

        for json in [r#""0.5""#, "true", "null", "[1, 2]"] {
            let m = msg(json);
            assert!(m.contains("invalid type"), "{json}: {m}");
            assert!(
                m.contains("a number or a distribution object such as"),
                "{json}: {m}"
            );
        }

        let m = msg(r#"{"normal": {"mean": 0, "sd": -1}}"#);
        assert!(m.contains("normal needs sd > 0 (got sd -1)"), "{m}");

        let m = msg(r#"{"truncated_normal": {"mean": 0, "sd": 1, "min": 8, "max": 9}}"#);
        assert!(m.contains("too far in the tail"), "{m}");

        let e: Result<Distribution, _> = serde_json::from_str("0.5");
        let m = e.unwrap_err().to_string();
        assert!(m.contains("a distribution object such as"), "{m}");
    }

    #[test]
    fn non_finite_numbers_are_rejected() {
        use serde::de::IntoDeserializer;
        use serde::de::value::{Error as ValueError, F64Deserializer};
        let de: F64Deserializer<ValueError> = f64::NAN.into_deserializer();
        assert!(Param::deserialize(de).is_err());
        let de: F64Deserializer<ValueError> = f64::INFINITY.into_deserializer();
        assert!(Param::deserialize(de).is_err());
    }

    #[test]
    fn deserialize_error_keeps_path_and_position() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Outer {
            x: Inner,
        }
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Inner {
            a: Vec<Param>,
        }
        let json = "{\n  \"x\": {\n    \"a\": [\n      {\"pert\": {\"min\": 5, \"mode\": 3, \"max\": 2}}\n    ]\n  }\n}";
        let mut de = serde_json::Deserializer::from_str(json);
        let err = serde_path_to_error::deserialize::<_, Outer>(&mut de).unwrap_err();
        assert_eq!(err.path().to_string(), "x.a[0]");
        let msg = err.inner().to_string();
        assert!(msg.contains("min < max"), "{msg}");
        assert!(msg.contains("PERT"), "{msg}");
        assert!(err.inner().line() > 0, "{msg}");
        assert_eq!(err.inner().line(), 4, "{msg}");

        // Structural errors inside the parameters point into the parameter object.
        let json = r#"{"x": {"a": [1, {"gamma": {"shape": 1, "scal": 2}}]}}"#;
        let mut de = serde_json::Deserializer::from_str(json);
        let err = serde_path_to_error::deserialize::<_, Outer>(&mut de).unwrap_err();
        assert!(
            err.path().to_string().starts_with("x.a[1].gamma"),
            "{}",
            err.path()
        );
        assert!(
            err.inner().to_string().contains("unknown field `scal`"),
            "{err}"
        );
    }

    #[test]
    fn serialize_round_trip() {
        let mut params: Vec<Param> = all_kinds().into_iter().map(Param::Random).collect();
        params.push(Param::Fixed(0.5));
        params.push(Param::Fixed(-3.0));
        params.push(Param::Random(
            Distribution::beta(0.5, 0.5, 10.0, 20.0).unwrap(),
        ));
        params.push(Param::Random(
            Distribution::truncated_normal(1e-7, 3e-8, 0.0, 2.5e-7).unwrap(),
        ));
        for p in params {
            let json = serde_json::to_string(&p).unwrap();
            let back: Param = serde_json::from_str(&json).unwrap();
            assert_eq!(back, p, "{json}");
        }
        let json = serde_json::to_value(Param::Random(
            Distribution::beta(2.0, 5.0, 0.0, 1.0).unwrap(),
        ))
        .unwrap();
        assert_eq!(
            json,
            serde_json::json!({"beta": {"alpha": 2.0, "beta": 5.0, "min": 0.0, "max": 1.0}})
        );
        assert_eq!(
            serde_json::to_value(Param::Fixed(0.5)).unwrap(),
            serde_json::json!(0.5)
        );
    }

    #[test]
    fn json_schema_lists_number_and_every_kind() {
        let schema = schemars::schema_for!(Param);
        let value = schema.to_value();
        let one_of = value["oneOf"].as_array().expect("oneOf array");
        assert_eq!(one_of.len(), 1 + KINDS.len());
        assert_eq!(one_of[0]["type"], "number");
        for (variant, kind) in one_of[1..].iter().zip(KINDS) {
            assert_eq!(variant["required"], serde_json::json!([kind]));
            assert_eq!(variant["additionalProperties"], false);
            assert!(variant["properties"][kind].is_object(), "{variant}");
        }
        let defs = value["$defs"].as_object().expect("$defs");
        let beta = &defs["BetaParams"];
        assert_eq!(beta["additionalProperties"], false);
        assert_eq!(beta["required"], serde_json::json!(["alpha", "beta"]));
        let uniform = &defs["UniformParams"];
        assert_eq!(uniform["properties"]["min"]["type"], "number");

        let schema = schemars::schema_for!(Distribution);
        assert_eq!(
            schema.to_value()["oneOf"].as_array().map(Vec::len),
            Some(KINDS.len())
        );
    }
}
