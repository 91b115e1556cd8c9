//! Streaming aggregation of Monte Carlo outcomes.
//!
//! A simulation may run millions of replications, sharded across threads. Keeping every
//! outcome to summarise it at the end would make memory grow with the run count, so outcomes
//! are folded into an [`Accumulator`] as they are produced:
//!
//! * **Bounded memory.** [`Moments`] (exact sums of the values and their squares) grow only with
//!   their dynamic range, never with the count;
//!   [`QuantileSketch`] (a DDSketch) needs a number of buckets that depends only on the
//!   dynamic range of the values (≈ 6 900 buckets per sign for six orders of magnitude), never
//!   on how many values were pushed.
//! * **Mergeable and deterministic.** Each shard keeps its own accumulator and the shards are
//!   merged at the end. Sketch merges add integer bucket counts, so quantiles are
//!   bit-identical whatever order shards merge in (and equal to pushing everything into one
//!   sketch). [`Moments`] keep exact sums ([`exact_sum`]), so their merges are exact too: every
//!   statistic is bit-identical whatever the order of pushes and merges, the thread count or
//!   the split into shards.
//! * **Stated accuracy.** Mean, standard deviation and standard error are exact up to
//!   rounding. Quantiles use the "lower" definition, the order statistic of zero-based rank
//!   `floor(q * (n - 1))`, and are reported within relative error [`sketch::ALPHA`]` = 0.01`
//!   of that order statistic; `q = 0` and `q = 1` give the exact minimum and maximum.
//!
//! For small stored vectors, [`exact_quantile`] and [`summarize_exact`] compute the same
//! quantities exactly, with the same quantile definition.
//!
//! Non-finite outcomes mark undefined values (for example a cost per additional networked SME in
//! a run that added none): [`Accumulator::push`] and [`summarize_exact`] skip them, so `n` counts
//! the runs where the outcome is defined. [`QuantileSketch::push`] itself treats them as a caller
//! bug (`debug_assert!`, skipped in release builds).

pub mod exact_sum;
pub mod iman_conover;
pub mod matrix;
pub mod moments;
pub mod paired;
pub mod rank_correlation;
pub mod row_buffer;
pub mod sensitivity;
pub mod sketch;
mod sketch_store;
pub mod sparse_accumulators;

pub use moments::Moments;
pub use row_buffer::RowBuffer;
pub use sketch::QuantileSketch;
pub use sparse_accumulators::{SparseAccumulators, SparseAccumulatorsState};

/// Zero-based rank `floor(q * (n - 1))` of the lower `q`-quantile among `n >= 1` values.
pub(crate) fn lower_rank(q: f64, n: u64) -> u64 {
    debug_assert!(n >= 1);
    let last = n - 1;
    ((q * last as f64).floor() as u64).min(last)
}

fn check_q(q: f64) {
    assert!(
        (0.0..=1.0).contains(&q),
        "quantile q = {q} is not in [0, 1]"
    );
}

/// Summary statistics of a set of outcomes.
///
/// `sd` is the sample standard deviation (divisor `n - 1`), `standard_error` is `sd / sqrt(n)`
/// (both `0.0` when `n < 2`), and `pN` is the lower `N/100`-quantile (see the module docs).
/// When `n == 0` every `f64` field is `0.0` ([`Summary::EMPTY`]).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Summary {
    pub n: u64,
    pub mean: f64,
    pub sd: f64,
    pub standard_error: f64,
    pub p5: f64,
    pub p25: f64,
    pub p50: f64,
    pub p75: f64,
    pub p95: f64,
}

impl Summary {
    /// The summary of no outcomes: `n = 0` and all statistics `0.0`.
    pub const EMPTY: Summary = Summary {
        n: 0,
        mean: 0.0,
        sd: 0.0,
        standard_error: 0.0,
        p5: 0.0,
        p25: 0.0,
        p50: 0.0,
        p75: 0.0,
        p95: 0.0,
    };

    fn from_parts(moments: &Moments, quantile: impl Fn(f64) -> f64) -> Summary {
        if moments.count() == 0 {
            return Summary::EMPTY;
        }
        Summary {
            n: moments.count(),
            mean: moments.mean(),
            sd: moments.sd(),
            standard_error: moments.standard_error(),
            p5: quantile(0.05),
            p25: quantile(0.25),
            p50: quantile(0.5),
            p75: quantile(0.75),
            p95: quantile(0.95),
        }
    }
}

/// Streaming, mergeable aggregate of one outcome variable: [`Moments`] plus a
/// [`QuantileSketch`], in memory independent of the number of outcomes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Accumulator {
    moments: Moments,
    sketch: QuantileSketch,
}

impl Accumulator {
    /// An empty accumulator.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one outcome. Non-finite values (undefined outcomes) are skipped and not counted.
    pub fn push(&mut self, x: f64) {
        self.push_n(x, 1);
    }

    /// Adds `n` outcomes `x`, exactly as `n` calls of [`push`](Self::push) would.
    pub fn push_n(&mut self, x: f64, n: u64) {
        if !x.is_finite() || n == 0 {
            return;
        }
        self.moments.push_n(x, n);
        self.sketch.push_n(x, n);
    }

    /// Adds `n` outcomes of `+0.0`, exactly as `n` calls of `push(0.0)` would (see
    /// [`SparseAccumulators`], which counts zeros instead of pushing them).
    pub fn push_zeros(&mut self, n: u64) {
        self.moments.push_zeros(n);
        self.sketch.push_zeros(n);
    }

    /// Empties the accumulator, keeping its allocations for reuse.
    pub fn clear(&mut self) {
        self.moments.clear();
        self.sketch.clear();
    }

    /// Folds `other` into `self` (see the module docs on merge-order determinism).
    pub fn merge(&mut self, other: &Accumulator) {
        self.moments.merge(&other.moments);
        self.sketch.merge(&other.sketch);
    }

    /// Number of outcomes counted.
    pub fn count(&self) -> u64 {
        self.moments.count()
    }

    /// The running moments.
    pub fn moments(&self) -> &Moments {
        &self.moments
    }

    /// The quantile sketch.
    pub fn sketch(&self) -> &QuantileSketch {
        &self.sketch
    }

    /// The serialisable state.
    pub fn state(&self) -> AccumulatorState {
        AccumulatorState {
            moments: self.moments.state(),
            sketch: self.sketch.state(),
        }
    }

    /// Summary of everything pushed or merged so far; [`Summary::EMPTY`] when nothing was.
    /// Quantiles come from the sketch (relative error ≤ 0.01).
    pub fn summary(&self) -> Summary {
        Summary::from_parts(&self.moments, |q| self.sketch.quantile(q).unwrap_or(0.0))
    }
}

/// The serialised form of an [`Accumulator`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AccumulatorState {
    /// Count and exact sums.
    pub moments: moments::MomentsState,
    /// Quantile sketch.
    pub sketch: sketch::SketchState,
}

/// A serialised accumulator that is not consistent.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AccumulatorStateError {
    /// The exact sums are malformed.
    #[error(transparent)]
    Sums(#[from] exact_sum::ExactSumStateError),
    /// The sketch is malformed.
    #[error(transparent)]
    Sketch(#[from] sketch::SketchStateError),
    /// Moments and sketch count different values.
    #[error("the moments count {0} values, the sketch {1}")]
    Counts(u64, u64),
}

impl TryFrom<AccumulatorState> for Accumulator {
    type Error = AccumulatorStateError;

    fn try_from(state: AccumulatorState) -> Result<Self, Self::Error> {
        let moments = Moments::try_from(state.moments)?;
        let sketch = QuantileSketch::try_from(state.sketch)?;
        if moments.count() != sketch.count() {
            return Err(AccumulatorStateError::Counts(
                moments.count(),
                sketch.count(),
            ));
        }
        Ok(Self { moments, sketch })
    }
}

/// The lower `q`-quantile of an ascending `sorted` slice: the element of zero-based rank
/// `floor(q * (n - 1))`. No interpolation, so the result is always one of the inputs.
///
/// # Panics
///
/// If `sorted` is empty or `q` is not in `[0, 1]` (including NaN). Debug builds also check that
/// `sorted` is in ascending order.
pub fn exact_quantile(sorted: &[f64], q: f64) -> f64 {
    check_q(q);
    assert!(!sorted.is_empty(), "exact_quantile of an empty slice");
    debug_assert!(
        sorted.is_sorted_by(|a, b| a <= b),
        "exact_quantile: input is not sorted"
    );
    sorted[lower_rank(q, sorted.len() as u64) as usize]
}

/// Exact [`Summary`] of stored `values`, for small vectors: sorts a copy and uses
/// [`exact_quantile`] (same definition as the sketch) and [`Moments`] (same arithmetic as
/// [`Accumulator`], so mean/sd agree bit for bit with pushing the values in the same order).
/// Returns [`Summary::EMPTY`] for an empty slice. Non-finite values (undefined outcomes) are
/// skipped and not counted.
pub fn summarize_exact(values: &[f64]) -> Summary {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    let mut moments = Moments::new();
    sorted.iter().for_each(|&x| moments.push(x));
    sorted.sort_by(f64::total_cmp);
    Summary::from_parts(&moments, |q| exact_quantile(&sorted, q))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn lower_rank_definition() {
        assert_eq!(lower_rank(0.0, 1), 0);
        assert_eq!(lower_rank(1.0, 1), 0);
        assert_eq!(lower_rank(0.5, 4), 1);
        assert_eq!(lower_rank(0.5, 5), 2);
        assert_eq!(lower_rank(1.0, 5), 4);
        assert_eq!(lower_rank(0.95, 101), 95);
    }

    #[test]
    fn exact_quantile_lower_rank() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(exact_quantile(&v, 0.0), 1.0);
        assert_eq!(exact_quantile(&v, 0.5), 2.0);
        assert_eq!(exact_quantile(&v, 0.66), 2.0);
        assert_eq!(exact_quantile(&v, 0.67), 3.0);
        assert_eq!(exact_quantile(&v, 1.0), 4.0);
    }

    #[test]
    #[should_panic(expected = "empty")]
    fn exact_quantile_empty_panics() {
        exact_quantile(&[], 0.5);
    }

    #[test]
    fn empty_summaries_are_zero() {
        assert_eq!(Accumulator::new().summary(), Summary::EMPTY);
        assert_eq!(summarize_exact(&[]), Summary::EMPTY);
        let e = Summary::EMPTY;
        assert_eq!(e.n, 0);
        for f in [
            e.mean,
            e.sd,
            e.standard_error,
            e.p5,
            e.p25,
            e.p50,
            e.p75,
            e.p95,
        ] {
            assert_eq!(f, 0.0);
        }
    }

    #[test]
    fn summarize_exact_hand_computed() {
        let s = summarize_exact(&[9.0, 2.0, 4.0, 5.0, 4.0, 7.0, 4.0, 5.0]);
        assert_eq!(s.n, 8);
        assert!((s.mean - 5.0).abs() < 1e-14);
        assert!((s.sd - (32.0f64 / 7.0).sqrt()).abs() < 1e-14);
        assert!((s.standard_error - s.sd / 8f64.sqrt()).abs() < 1e-15);
        // sorted: 2 4 4 4 5 5 7 9; ranks floor(q * 7)
        assert_eq!(
            (s.p5, s.p25, s.p50, s.p75, s.p95),
            (2.0, 4.0, 4.0, 5.0, 7.0)
        );
    }

    #[test]
    fn accumulator_matches_exact() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let values: Vec<f64> = (0..5_000)
            .map(|_| (rng.random::<f64>() * 4.0).exp() - 10.0)
            .collect();
        let mut acc = Accumulator::new();
        values.iter().for_each(|&x| acc.push(x));
        let approx = acc.summary();
        let exact = summarize_exact(&values);
        assert_eq!(approx.n, exact.n);
        assert_eq!(approx.mean, exact.mean);
        assert_eq!(approx.sd, exact.sd);
        assert_eq!(approx.standard_error, exact.standard_error);
        for (a, e) in [
            (approx.p5, exact.p5),
            (approx.p25, exact.p25),
            (approx.p50, exact.p50),
            (approx.p75, exact.p75),
            (approx.p95, exact.p95),
        ] {
            assert!(
                (a - e).abs() <= sketch::ALPHA * (1.0 + 1e-9) * e.abs(),
                "{a} vs {e}"
            );
        }
    }

    #[test]
    fn accumulator_merge() {
        let mut rng = ChaCha8Rng::seed_from_u64(12);
        let values: Vec<f64> = (0..2_000).map(|_| rng.random::<f64>() * 50.0).collect();
        let (a, b) = values.split_at(777);
        let mut all = Accumulator::new();
        values.iter().for_each(|&x| all.push(x));
        let mut left = Accumulator::new();
        a.iter().for_each(|&x| left.push(x));
        let mut right = Accumulator::new();
        b.iter().for_each(|&x| right.push(x));

        let mut ab = left.clone();
        ab.merge(&right);
        let mut ba = right.clone();
        ba.merge(&left);
        assert_eq!(ab.count(), 2_000);
        assert_eq!(ab.sketch(), all.sketch());
        assert_eq!(ba.sketch(), all.sketch());
        let (s_ab, s_ba, s_all) = (ab.summary(), ba.summary(), all.summary());
        assert_eq!(
            (s_ab.p5, s_ab.p25, s_ab.p50, s_ab.p75, s_ab.p95),
            (s_all.p5, s_all.p25, s_all.p50, s_all.p75, s_all.p95)
        );
        assert_eq!(
            (s_ba.p5, s_ba.p25, s_ba.p50, s_ba.p75, s_ba.p95),
            (s_all.p5, s_all.p25, s_all.p50, s_all.p75, s_all.p95)
        );
        for s in [s_ab, s_ba] {
            assert!((s.mean - s_all.mean).abs() <= 1e-12 * s_all.mean.abs());
            assert!((s.sd - s_all.sd).abs() <= 1e-12 * s_all.sd);
        }
    }

    #[test]
    fn summary_serializes() {
        fn assert_serialize<T: serde::Serialize>(_: &T) {}
        assert_serialize(&Summary::EMPTY);
    }
}
