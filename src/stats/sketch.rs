//! Mergeable quantile sketch with a relative-error guarantee.

use super::lower_rank;
use super::sketch_store::Store;

/// Relative accuracy of [`QuantileSketch`] quantiles.
pub const ALPHA: f64 = 0.01;

/// Bucket growth factor `(1 + alpha) / (1 - alpha)`.
const GAMMA: f64 = (1.0 + ALPHA) / (1.0 - ALPHA);

/// Values with `|x|` below this are counted as exact zeros.
const ZERO_THRESHOLD: f64 = 1e-300;

/// ln(GAMMA), written out because `ln` is not a `const fn`; a unit test checks it equals
/// `GAMMA.ln()` exactly.
const LN_GAMMA: f64 = 0.020000666706669435;

fn ln_gamma() -> f64 {
    LN_GAMMA
}

/// Bucket index of a positive value `x >= ZERO_THRESHOLD`: `ceil(ln(x) / ln(gamma))`, so that
/// bucket `i` holds the values in `(gamma^(i-1), gamma^i]`. Whole numbers up to
/// [`KEY_TABLE_MAX`] (most outcomes are counts) read the same index from a table.
fn key(x: f64) -> i32 {
    let whole = x as usize;
    if whole as f64 == x && whole <= KEY_TABLE_MAX {
        return integer_keys()[whole];
    }
    computed_key(x)
}

/// `ceil(ln(x) / ln(gamma))`, computed.
fn computed_key(x: f64) -> i32 {
    (x.ln() / ln_gamma()).ceil() as i32
}

/// Largest whole number whose bucket [`key`] looks up.
const KEY_TABLE_MAX: usize = 4096;

/// `computed_key(k)` for `k` in `0..=KEY_TABLE_MAX` (entry 0 is never read: zeros are counted
/// apart).
fn integer_keys() -> &'static [i32] {
    static TABLE: std::sync::OnceLock<Vec<i32>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        (0..=KEY_TABLE_MAX)
            .map(|k| computed_key(k as f64))
            .collect()
    })
}

/// Representative value of bucket `i`, `2 * gamma^i / (gamma + 1)`: within relative error
/// `alpha` of every value in `(gamma^(i-1), gamma^i]`. May overflow to `+inf` for the topmost
/// buckets; callers clamp into `[min, max]`.
fn representative(i: i32) -> f64 {
    (f64::from(i) * ln_gamma()).exp() * (2.0 / (GAMMA + 1.0))
}

/// Smallest and largest bucket index any magnitude in `[ZERO_THRESHOLD, f64::MAX]` can map to.
/// `key` is monotone, so no finite non-zero value falls outside.
pub(super) fn key_bounds() -> (i32, i32) {
    (key(ZERO_THRESHOLD), key(f64::MAX))
}

/// A DDSketch (C. Masson, J. E. Rim & H. K. Lee, "DDSketch: A Fast and Fully-Mergeable Quantile
/// Sketch with Relative-Error Guarantees", PVLDB 12(12), 2019) with relative accuracy
/// [`ALPHA`]` = 0.01`.
///
/// With `gamma = (1 + alpha) / (1 - alpha)`, a positive value `x` is counted in bucket
/// `i = ceil(ln(x) / ln(gamma))`, which covers `(gamma^(i-1), gamma^i]` and is represented by
/// `2 * gamma^i / (gamma + 1)`. Negative values are counted by magnitude in a mirrored store and
/// values with `|x| < 1e-300` in a separate zero counter (reported as `0.0`, clamped into
/// `[min, max]`). The exact minimum and maximum are tracked separately.
///
/// Memory depends only on the dynamic range of the data, never on the number of values: a
/// store needs about `ln(max/min) / 0.002` buckets (≈ 6 900 for six orders of magnitude), and at
/// most ≈ 710 000 buckets (a few MB) for the full `[1e-300, f64::MAX]` range.
///
/// The state is a set of integer counts plus an exact min/max, so [`merge`](Self::merge) is
/// commutative and associative: merging shards in any order, or pushing every value into one
/// sketch, yields sketches that compare equal and give bit-identical quantiles.
#[derive(Debug, Clone, PartialEq)]
pub struct QuantileSketch {
    positive: Store,
    /// Counts of `-x` for negative `x`.
    negative: Store,
    zero_count: u64,
    count: u64,
    /// Exact extremes, ordered by `f64::total_cmp` (so `-0.0 < 0.0`, order-independent).
    /// `+inf` / `-inf` while empty.
    min: f64,
    max: f64,
}

impl Default for QuantileSketch {
    fn default() -> Self {
        Self::new()
    }
}

impl QuantileSketch {
    /// An empty sketch.
    pub fn new() -> Self {
        Self {
            positive: Store::default(),
            negative: Store::default(),
            zero_count: 0,
            count: 0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
        }
    }

    /// Adds one value.
    ///
    /// Non-finite values (NaN, ±inf) are a caller bug: they trigger a `debug_assert!` in debug
    /// builds and are silently skipped (not counted) in release builds.
    pub fn push(&mut self, x: f64) {
        self.push_n(x, 1);
    }

    /// Adds `n` values `x`, exactly as `n` calls of [`push`](Self::push) would.
    pub fn push_n(&mut self, x: f64, n: u64) {
        debug_assert!(x.is_finite(), "QuantileSketch::push: non-finite value {x}");
        if !x.is_finite() || n == 0 {
            return;
        }
        if x.total_cmp(&self.min).is_lt() {
            self.min = x;
        }
        if x.total_cmp(&self.max).is_gt() {
            self.max = x;
        }
        self.count += n;
        if x.abs() < ZERO_THRESHOLD {
            self.zero_count += n;
        } else if x > 0.0 {
            self.positive.add(key(x), n);
        } else {
            self.negative.add(key(-x), n);
        }
    }

    /// Adds `n` values of `+0.0`: exactly what `n` calls of `push(0.0)` do.
    pub fn push_zeros(&mut self, n: u64) {
        if n == 0 {
            return;
        }
        if 0.0f64.total_cmp(&self.min).is_lt() {
            self.min = 0.0;
        }
        if 0.0f64.total_cmp(&self.max).is_gt() {
            self.max = 0.0;
        }
        self.count += n;
        self.zero_count += n;
    }

    /// Empties the sketch, keeping small allocations for reuse.
    pub fn clear(&mut self) {
        self.positive.clear();
        self.negative.clear();
        self.zero_count = 0;
        self.count = 0;
        self.min = f64::INFINITY;
        self.max = f64::NEG_INFINITY;
    }

    /// Number of values counted.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Exact smallest value, `None` when empty.
    pub fn min(&self) -> Option<f64> {
        (self.count > 0).then_some(self.min)
    }

    /// Exact largest value, `None` when empty.
    pub fn max(&self) -> Option<f64> {
        (self.count > 0).then_some(self.max)
    }

    /// The "lower" `q`-quantile: an estimate of the order statistic with zero-based rank
    /// `floor(q * (n - 1))`, the same definition as [`super::exact_quantile`].
    ///
    /// Returns `None` when empty. Rank `0` (e.g. `q = 0`) gives the exact minimum and rank
    /// `n - 1` (`q = 1`) the exact maximum; any other rank gives the representative of the
    /// bucket holding that order statistic, clamped into `[min, max]`, which is within relative
    /// error [`ALPHA`] of the true order statistic (values with `|x| < 1e-300` are reported as
    /// zero).
    ///
    /// # Panics
    ///
    /// If `q` is not in `[0, 1]` (including NaN).
    pub fn quantile(&self, q: f64) -> Option<f64> {
        assert!(
            (0.0..=1.0).contains(&q),
            "QuantileSketch::quantile: q = {q} is not in [0, 1]"
        );
        if self.count == 0 {
            return None;
        }
        let rank = lower_rank(q, self.count);
        if rank == 0 {
            return Some(self.min);
        }
        if rank == self.count - 1 {
            return Some(self.max);
        }
        Some(self.value_at_rank(rank).clamp(self.min, self.max))
    }

    /// Bucket representative of the order statistic of zero-based `rank < count`.
    fn value_at_rank(&self, rank: u64) -> f64 {
        let mut seen = 0u64;
        // Most negative first: largest magnitude in the mirrored store.
        for (i, c) in self.negative.buckets().rev() {
            seen += c;
            if seen > rank {
                return -representative(i);
            }
        }
        seen += self.zero_count;
        if seen > rank {
            return 0.0;
        }
        for (i, c) in self.positive.buckets() {
            seen += c;
            if seen > rank {
                return representative(i);
            }
        }
        // Unreachable while the counts are consistent; the maximum is the safe answer.
        self.max
    }

    /// Folds `other` into `self`: bucket counts add and extremes combine, so the result does
    /// not depend on merge order and equals the sketch of all values pushed into one sketch.
    pub fn merge(&mut self, other: &QuantileSketch) {
        if other.count == 0 {
            return;
        }
        self.positive.merge(&other.positive);
        self.negative.merge(&other.negative);
        self.zero_count += other.zero_count;
        self.count += other.count;
        if other.min.total_cmp(&self.min).is_lt() {
            self.min = other.min;
        }
        if other.max.total_cmp(&self.max).is_gt() {
            self.max = other.max;
        }
    }
}

/// The serialised form of a [`QuantileSketch`]: its non-empty buckets and exact extremes (as
/// `f64` bit patterns, so that they survive any text format exactly).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SketchState {
    /// (bucket, count) of positive values, ascending.
    pub positive: Vec<(i32, u64)>,
    /// (bucket, count) of the magnitudes of negative values, ascending.
    pub negative: Vec<(i32, u64)>,
    /// Values counted as zero.
    pub zero: u64,
    /// Bits of the exact minimum (+inf while empty).
    pub min: u64,
    /// Bits of the exact maximum (−inf while empty).
    pub max: u64,
}

/// A serialised sketch that is not consistent.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("not a quantile sketch: {0}")]
pub struct SketchStateError(&'static str);

impl QuantileSketch {
    /// The serialisable state.
    pub fn state(&self) -> SketchState {
        SketchState {
            positive: self.positive.buckets().collect(),
            negative: self.negative.buckets().collect(),
            zero: self.zero_count,
            min: self.min.to_bits(),
            max: self.max.to_bits(),
        }
    }
}

impl TryFrom<SketchState> for QuantileSketch {
    type Error = SketchStateError;

    fn try_from(state: SketchState) -> Result<Self, Self::Error> {
        let (low, high) = key_bounds();
        let mut count = state.zero;
        let mut stores = [Store::default(), Store::default()];
        for (store, pairs) in stores.iter_mut().zip([&state.positive, &state.negative]) {
            if pairs.windows(2).any(|pair| pair[0].0 >= pair[1].0) {
                return Err(SketchStateError("buckets not in ascending order"));
            }
            for &(index, n) in pairs {
                if !(low..=high).contains(&index) || n == 0 {
                    return Err(SketchStateError("bucket index or count out of range"));
                }
                count = count
                    .checked_add(n)
                    .ok_or(SketchStateError("counts overflow"))?;
                store.add(index, n);
            }
        }
        let (min, max) = (f64::from_bits(state.min), f64::from_bits(state.max));
        let consistent = if count == 0 {
            min == f64::INFINITY && max == f64::NEG_INFINITY
        } else {
            min.is_finite() && max.is_finite() && min.total_cmp(&max).is_le()
        };
        if !consistent {
            return Err(SketchStateError("extremes do not match the counts"));
        }
        let [positive, negative] = stores;
        Ok(Self {
            positive,
            negative,
            zero_count: state.zero,
            count,
            min,
            max,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::exact_quantile;
    use super::*;
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    const QS: [f64; 7] = [0.0, 0.05, 0.25, 0.5, 0.75, 0.95, 1.0];
    /// ALPHA plus room for rounding at bucket boundaries.
    const TOL: f64 = ALPHA * (1.0 + 1e-9);

    fn sketch_of(values: &[f64]) -> QuantileSketch {
        let mut s = QuantileSketch::new();
        values.iter().for_each(|&x| s.push(x));
        s
    }

    fn sorted(values: &[f64]) -> Vec<f64> {
        let mut v = values.to_vec();
        v.sort_by(f64::total_cmp);
        v
    }

    fn assert_within_alpha(values: &[f64], qs: &[f64]) {
        let s = sketch_of(values);
        let exact = sorted(values);
        for &q in qs {
            let est = s.quantile(q).unwrap();
            let truth = exact_quantile(&exact, q);
            assert!(
                (est - truth).abs() <= TOL * truth.abs(),
                "q = {q}: sketch {est} vs exact {truth}"
            );
        }
        assert_eq!(s.quantile(0.0), Some(exact[0]));
        assert_eq!(s.quantile(1.0), Some(exact[exact.len() - 1]));
    }

    #[test]
    fn bucket_geometry() {
        // gamma^i is in bucket i, slightly above it is in bucket i + 1.
        for i in [-5000, -1, 1, 2, 700, 30_000] {
            let upper = (f64::from(i) * ln_gamma()).exp();
            let k = key(upper * (1.0 + 1e-12));
            assert_eq!(k, i + 1);
            let k = key(upper * (1.0 - 1e-12));
            assert_eq!(k, i);
        }
        let (lo, hi) = key_bounds();
        assert!(lo < -30_000 && hi > 30_000);
        // Representative is within alpha of both bucket edges.
        let i = 1234;
        let rep = representative(i);
        let upper = (f64::from(i) * ln_gamma()).exp();
        let lower = upper / GAMMA;
        assert!((upper - rep) / upper <= TOL);
        assert!((rep - lower) / lower <= TOL);
    }

    #[test]
    fn empty_sketch() {
        let s = QuantileSketch::new();
        assert_eq!(s.count(), 0);
        assert_eq!(s.quantile(0.0), None);
        assert_eq!(s.quantile(0.5), None);
        assert_eq!(s.min(), None);
        assert_eq!(s.max(), None);
        assert_eq!(s, QuantileSketch::default());
    }

    #[test]
    fn single_value() {
        let s = sketch_of(&[42.5]);
        for q in QS {
            assert_eq!(s.quantile(q), Some(42.5));
        }
    }

    #[test]
    fn uniform_within_relative_error() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let values: Vec<f64> = (0..10_000).map(|_| rng.random::<f64>()).collect();
        assert_within_alpha(&values, &QS);
    }

    #[test]
    fn lognormal_within_relative_error() {
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        // Sum of 12 uniforms minus 6 is approximately standard normal.
        let values: Vec<f64> = (0..10_000)
            .map(|_| {
                let z: f64 = (0..12).map(|_| rng.random::<f64>()).sum::<f64>() - 6.0;
                (1.5 * z + 3.0).exp()
            })
            .collect();
        assert_within_alpha(&values, &QS);
        let many: Vec<f64> = (0..=100).map(|k| f64::from(k) / 100.0).collect();
        assert_within_alpha(&values, &many);
    }

    #[test]
    fn mixed_signs_within_relative_error() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let values: Vec<f64> = (0..10_000)
            .map(|_| {
                let u = rng.random::<f64>();
                (u - 0.3) * 1000.0
            })
            .collect();
        let many: Vec<f64> = (0..=100).map(|k| f64::from(k) / 100.0).collect();
        assert_within_alpha(&values, &many);
    }

    #[test]
    fn integers_round_to_exact_order_statistic() {
        // Whole numbers below 1 / (2 ALPHA) = 50 lie within half a unit of their bucket's
        // representative, so every order statistic of 0..=40 rounds back to itself.
        let values: Vec<f64> = (0..=40).map(f64::from).collect();
        let s = sketch_of(&values);
        for k in 0..=1000 {
            let q = f64::from(k) / 1000.0;
            let est = s.quantile(q).unwrap();
            assert_eq!(est.round(), exact_quantile(&values, q), "q = {q}");
        }
        // Every rank individually, and in shuffled push order.
        let mut rng = ChaCha8Rng::seed_from_u64(4);
        let mut shuffled = values.clone();
        for i in (1..shuffled.len()).rev() {
            let j = rng.random_range(0..=i);
            shuffled.swap(i, j);
        }
        let t = sketch_of(&shuffled);
        assert_eq!(s, t);
        for r in 0..=40u32 {
            let q = f64::from(r) / 40.0;
            assert_eq!(t.quantile(q).unwrap().round(), exact_quantile(&values, q));
        }
    }

    #[test]
    fn negatives_and_zeros() {
        let values = [-5.0, -1.0, 0.0, 0.0, -0.0, 1e-310, 2.0, 3.0, -2.0];
        let s = sketch_of(&values);
        let exact = sorted(&values);
        assert_eq!(s.count(), 9);
        assert_eq!(s.min(), Some(-5.0));
        assert_eq!(s.max(), Some(3.0));
        for k in 0..=8u32 {
            let q = f64::from(k) / 8.0;
            let est = s.quantile(q).unwrap();
            let truth = exact_quantile(&exact, q);
            if truth.abs() < ZERO_THRESHOLD {
                assert_eq!(est, 0.0, "q = {q}");
            } else {
                assert!((est - truth).abs() <= TOL * truth.abs(), "q = {q}");
                assert_eq!(est.signum(), truth.signum());
            }
        }

        let zeros = sketch_of(&[0.0, 0.0, 0.0]);
        for q in QS {
            assert_eq!(zeros.quantile(q), Some(0.0));
        }
        let negs = sketch_of(&[-3.0, -2.0, -1.0]);
        assert_eq!(negs.quantile(0.0), Some(-3.0));
        assert!((negs.quantile(0.5).unwrap() + 2.0).abs() <= 2.0 * TOL);
        assert_eq!(negs.quantile(1.0), Some(-1.0));
    }

    #[test]
    fn clamps_into_min_max() {
        // All values in one bucket: representatives must not escape [min, max].
        let s = sketch_of(&[1.0, 1.0000001, 1.0000002, 1.0000003]);
        for k in 0..=10u32 {
            let v = s.quantile(f64::from(k) / 10.0).unwrap();
            assert!((1.0..=1.0000003).contains(&v));
        }
        let big = sketch_of(&[f64::MAX, f64::MAX, f64::MAX, -f64::MAX]);
        for q in QS {
            assert!(big.quantile(q).unwrap().is_finite());
        }
    }

    #[test]
    fn merge_is_order_independent() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let shards: Vec<Vec<f64>> = (0..4)
            .map(|s| {
                (0..500)
                    .map(|_| (rng.random::<f64>() - 0.2) * 10f64.powi(s))
                    .chain([0.0, -0.0])
                    .collect()
            })
            .collect();
        let sketches: Vec<QuantileSketch> = shards.iter().map(|v| sketch_of(v)).collect();

        let mut forward = QuantileSketch::new();
        sketches.iter().for_each(|s| forward.merge(s));
        let mut backward = QuantileSketch::new();
        sketches.iter().rev().for_each(|s| backward.merge(s));
        let mut tree = sketches[2].clone();
        tree.merge(&sketches[0]);
        let mut right = sketches[3].clone();
        right.merge(&sketches[1]);
        tree.merge(&right);
        let all = sketch_of(&shards.concat());

        for other in [&backward, &tree, &all] {
            assert_eq!(&forward, other);
            assert_eq!(
                forward.min().unwrap().to_bits(),
                other.min().unwrap().to_bits()
            );
            assert_eq!(
                forward.max().unwrap().to_bits(),
                other.max().unwrap().to_bits()
            );
            for k in 0..=100u32 {
                let q = f64::from(k) / 100.0;
                assert_eq!(
                    forward.quantile(q).unwrap().to_bits(),
                    other.quantile(q).unwrap().to_bits()
                );
            }
        }
        assert_eq!(forward.count(), 4 * 502);

        let mut with_empty = forward.clone();
        with_empty.merge(&QuantileSketch::new());
        assert_eq!(with_empty, forward);
        let mut from_empty = QuantileSketch::new();
        from_empty.merge(&forward);
        assert_eq!(from_empty, forward);

        let back = QuantileSketch::try_from(forward.state()).unwrap();
        assert_eq!(back, forward);
        assert_eq!(
            back.max().unwrap().to_bits(),
            forward.max().unwrap().to_bits()
        );
        let mut bad = forward.state();
        bad.zero += 1;
        bad.min = f64::NAN.to_bits();
        assert!(QuantileSketch::try_from(bad).is_err());
        let mut bad = forward.state();
        bad.positive.reverse();
        assert!(QuantileSketch::try_from(bad).is_err());
    }

    #[test]
    fn descending_input_grows_amortised() {
        // New minimum bucket on every push: exercises front growth.
        let values: Vec<f64> = (0..20_000).map(|k| 1e6 * 0.999f64.powi(k)).collect();
        let s = sketch_of(&values);
        assert_within_alpha(&values, &QS);
        assert!(s.positive.cells() <= 2 * (key(1e6) - key(values[19_999]) + 1) as usize);
    }

    #[test]
    #[should_panic(expected = "not in [0, 1]")]
    fn quantile_rejects_bad_q() {
        sketch_of(&[1.0]).quantile(1.5);
    }

    #[cfg(debug_assertions)]
    #[test]
    #[should_panic(expected = "non-finite")]
    fn non_finite_asserts_in_debug() {
        QuantileSketch::new().push(f64::NAN);
    }

    #[cfg(not(debug_assertions))]
    #[test]
    fn non_finite_skipped_in_release() {
        let mut s = sketch_of(&[1.0]);
        s.push(f64::NAN);
        s.push(f64::INFINITY);
        s.push(f64::NEG_INFINITY);
        assert_eq!(s, sketch_of(&[1.0]));
    }

    #[test]
    fn table_keys_equal_computed_keys() {
        for k in 1..=KEY_TABLE_MAX + 2 {
            let x = k as f64;
            assert_eq!(key(x), computed_key(x), "{k}");
            let near = f64::from_bits(x.to_bits() + 1);
            assert_eq!(key(near), computed_key(near), "just above {k}");
        }
        assert_eq!(key(0.5), computed_key(0.5));
        assert_eq!(key(1e300), computed_key(1e300));
    }

    #[test]
    fn ln_gamma_constant_is_exact() {
        assert_eq!(LN_GAMMA.to_bits(), GAMMA.ln().to_bits());
    }
}
