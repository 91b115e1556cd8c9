//! Streaming mean and variance, exactly mergeable.

use super::exact_sum::{ExactSum, ExactSumState, ExactSumStateError, double_double};

/// Running count, mean and variance of a stream of `f64` values in memory independent of the
/// number of values.
///
/// The state is the count and the *exact* sums `S1 = Σx` and `S2 = Σx²` ([`ExactSum`]; each
/// square enters exactly as the pair `x·x` rounded plus its rounding error, from a fused
/// multiply-add). Pushing and [`merge`](Moments::merge) are therefore exactly associative and
/// commutative: the same values give bit-identical statistics in any order, on any thread count
/// and in any split into shards. The statistics are computed once from the exact sums in
/// double-double arithmetic: mean `S1 / n` and `M2 = S2 − S1² / n` (the corrected sum of
/// squares; with exact sums this textbook formula has no catastrophic cancellation left
/// beyond the ~2⁻¹⁰⁴ of the double-double, which is why it is safe here, unlike in plain `f64`
/// — see Welford 1962 and Chan, Golub & LeVeque 1983 for the streaming formulas this replaces).
///
/// Whole numbers of magnitude below 2³¹ (most outcomes are counts) are summed apart, as plain
/// integers (`i128`, exact: at most 2⁶⁴ values of square below 2⁶² cannot overflow it), and
/// added to the exact sums when the statistics or the state are read; the result is the same
/// exact sum, so this changes no bit of any statistic, only the cost of a push.
///
/// `Moments` itself does no input validation: a non-finite value makes the mean and variance
/// non-finite. [`super::Accumulator`] filters such values before they get here.
#[derive(Debug, Clone, Default)]
pub struct Moments {
    count: u64,
    sum: ExactSum,
    squares: ExactSum,
    /// Sum of the whole-number values kept out of `sum`.
    whole_sum: i128,
    /// Sum of their squares, kept out of `squares`.
    whole_squares: i128,
}

impl PartialEq for Moments {
    /// Equal counts and exact sums (however they were split between the parts).
    fn eq(&self, other: &Self) -> bool {
        self.state() == other.state()
    }
}

/// `x` as an integer when it is a whole number of magnitude below 2³¹.
fn small_whole(x: f64) -> Option<i64> {
    let whole = x as i64;
    (whole as f64 == x && whole.unsigned_abs() < 1 << 31).then_some(whole)
}

impl Moments {
    /// An empty accumulator.
    pub fn new() -> Self {
        Self::default()
    }

    /// Empties the accumulator, keeping its allocations for reuse.
    pub fn clear(&mut self) {
        self.count = 0;
        self.sum.clear();
        self.squares.clear();
        self.whole_sum = 0;
        self.whole_squares = 0;
    }

    /// Adds `n` observations of `+0.0`: exactly what `n` calls of `push(0.0)` do (the count
    /// grows, the exact sums of `0.0` and `0.0²` add nothing).
    pub fn push_zeros(&mut self, n: u64) {
        self.count += n;
    }

    /// Adds one observation.
    pub fn push(&mut self, x: f64) {
        self.push_n(x, 1);
    }

    /// Adds `n` observations of `x`, exactly as `n` calls of [`push`](Self::push) would.
    pub fn push_n(&mut self, x: f64, n: u64) {
        if let Some(whole) = small_whole(x) {
            self.count += n;
            let whole = i128::from(whole);
            self.whole_sum += whole * i128::from(n);
            self.whole_squares += whole * whole * i128::from(n);
            return;
        }
        if n == 1 {
            self.push_fractional(x);
            return;
        }
        // n copies at once: the same exact sums as n single pushes.
        self.count += n;
        let square = x * x;
        self.sum.add_n(x, n);
        self.squares.add_n(square, n);
        if square.is_finite() {
            self.squares.add_n(x.mul_add(x, -square), n);
        }
    }

    /// [`push`](Self::push) through the exact sums.
    fn push_fractional(&mut self, x: f64) {
        self.count += 1;
        self.sum.add(x);
        let square = x * x;
        self.squares.add(square);
        if square.is_finite() {
            self.squares.add(x.mul_add(x, -square));
        }
    }

    /// Number of observations pushed or merged in.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The exact sums of the values and of their squares, whole numbers included.
    fn sums(&self) -> (ExactSum, ExactSum) {
        let (mut sum, mut squares) = (self.sum.clone(), self.squares.clone());
        sum.add_integer(self.whole_sum);
        squares.add_integer(self.whole_squares);
        (sum, squares)
    }

    /// Arithmetic mean; `0.0` when empty.
    pub fn mean(&self) -> f64 {
        if self.count == 0 {
            return 0.0;
        }
        let (sum, _) = self.sums();
        let (high, low) = double_double::div_f64(sum.to_double_double(), self.count as f64);
        high + low
    }

    /// Unbiased sample variance (divisor `n - 1`); `0.0` when fewer than two observations.
    pub fn variance(&self) -> f64 {
        if self.count < 2 {
            return 0.0;
        }
        let n = self.count as f64;
        let (sum, squares) = self.sums();
        let (sum, squares) = (sum.to_double_double(), squares.to_double_double());
        if !sum.0.is_finite() {
            return f64::NAN;
        }
        if !squares.0.is_finite() {
            return squares.0;
        }
        let corrected = double_double::sub(
            squares,
            double_double::div_f64(double_double::mul(sum, sum), n),
        );
        ((corrected.0 + corrected.1) / (n - 1.0)).max(0.0)
    }

    /// Sample standard deviation, `sqrt(variance())`.
    pub fn sd(&self) -> f64 {
        self.variance().sqrt()
    }

    /// Standard error of the mean, `sd() / sqrt(n)`; `0.0` when fewer than two observations.
    pub fn standard_error(&self) -> f64 {
        if self.count < 2 {
            0.0
        } else {
            self.sd() / (self.count as f64).sqrt()
        }
    }

    /// Folds `other` into `self`, exactly as if every value pushed into `other` had been pushed
    /// into `self`: the result is bit-identical whatever the order of pushes and merges.
    pub fn merge(&mut self, other: &Moments) {
        self.count += other.count;
        self.sum.merge(&other.sum);
        self.squares.merge(&other.squares);
        self.whole_sum += other.whole_sum;
        self.whole_squares += other.whole_squares;
    }

    /// The serialisable, canonical state.
    pub fn state(&self) -> MomentsState {
        let (sum, squares) = self.sums();
        MomentsState {
            count: self.count,
            sum: sum.state(),
            squares: squares.state(),
        }
    }
}

/// The serialised form of [`Moments`]: the count and the two exact sums.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MomentsState {
    /// Observations.
    pub count: u64,
    /// Σx.
    pub sum: ExactSumState,
    /// Σx².
    pub squares: ExactSumState,
}

impl TryFrom<MomentsState> for Moments {
    type Error = ExactSumStateError;

    fn try_from(state: MomentsState) -> Result<Self, Self::Error> {
        Ok(Self {
            count: state.count,
            sum: state.sum.try_into()?,
            squares: state.squares.try_into()?,
            whole_sum: 0,
            whole_squares: 0,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn rel_close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * a.abs().max(b.abs()).max(f64::MIN_POSITIVE)
    }

    fn from(values: &[f64]) -> Moments {
        let mut m = Moments::new();
        values.iter().for_each(|&x| m.push(x));
        m
    }

    #[test]
    fn empty_and_single() {
        let m = Moments::new();
        assert_eq!(m.count(), 0);
        assert_eq!(m.mean(), 0.0);
        assert_eq!(m.variance(), 0.0);
        assert_eq!(m.sd(), 0.0);
        assert_eq!(m.standard_error(), 0.0);

        let m = from(&[3.5]);
        assert_eq!(m.count(), 1);
        assert_eq!(m.mean(), 3.5);
        assert_eq!(m.variance(), 0.0);
        assert_eq!(m.standard_error(), 0.0);
    }

    #[test]
    fn hand_computed() {
        let m = from(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]);
        assert_eq!(m.count(), 8);
        assert!(rel_close(m.mean(), 5.0, 1e-15));
        assert!(rel_close(m.variance(), 32.0 / 7.0, 1e-14));
        assert!(rel_close(m.sd(), (32.0f64 / 7.0).sqrt(), 1e-14));
        assert!(rel_close(
            m.standard_error(),
            (32.0f64 / 7.0).sqrt() / 8f64.sqrt(),
            1e-14
        ));
    }

    #[test]
    fn large_offset_is_stable() {
        // The naive sum-of-squares formula loses everything here.
        let m = from(&[1e9 + 4.0, 1e9 + 7.0, 1e9 + 13.0, 1e9 + 16.0]);
        assert!(rel_close(m.mean(), 1e9 + 10.0, 1e-15));
        assert!(rel_close(m.variance(), 30.0, 1e-9));
    }

    #[test]
    fn merge_halves_equals_push_all() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let values: Vec<f64> = (0..1001)
            .map(|_| 100.0 + 10.0 * rng.random::<f64>())
            .collect();
        let all = from(&values);
        for split in [0, 1, 500, 1000, 1001] {
            let (a, b) = values.split_at(split);
            let mut merged = from(a);
            merged.merge(&from(b));
            assert_eq!(merged.count(), all.count());
            assert!(rel_close(merged.mean(), all.mean(), 1e-12), "split {split}");
            assert!(
                rel_close(merged.variance(), all.variance(), 1e-12),
                "split {split}"
            );
            let mut reversed = from(b);
            reversed.merge(&from(a));
            assert!(rel_close(reversed.mean(), all.mean(), 1e-12));
            assert!(rel_close(reversed.variance(), all.variance(), 1e-12));
        }
    }

    #[test]
    fn any_order_and_split_is_bit_identical() {
        let mut rng = ChaCha8Rng::seed_from_u64(8);
        let values: Vec<f64> = (0..2_000)
            .map(|_| 1e6 + 1e3 * rng.random::<f64>())
            .collect();
        let all = from(&values);
        let mut reversed = values.clone();
        reversed.reverse();
        let backwards = from(&reversed);
        let mut blocks = Moments::new();
        for block in values.chunks(256).rev() {
            blocks.merge(&from(block));
        }
        for other in [&backwards, &blocks] {
            assert_eq!(other.mean().to_bits(), all.mean().to_bits());
            assert_eq!(other.variance().to_bits(), all.variance().to_bits());
        }
        let back = Moments::try_from(all.state()).unwrap();
        assert_eq!(back.variance().to_bits(), all.variance().to_bits());
    }

    #[test]
    fn uniform_integers_against_closed_forms() {
        // 1..=n: mean (n + 1) / 2 and variance n (n + 1) / 12, exact in f64 for this n.
        let n = 10_001u32;
        let m = from(&(1..=n).map(f64::from).collect::<Vec<_>>());
        assert_eq!(m.mean(), 5_001.0);
        assert_eq!(m.variance(), f64::from(n) * f64::from(n + 1) / 12.0);
    }

    #[test]
    fn whole_numbers_summed_apart_give_the_same_bits() {
        // Whole numbers (the integer path), large and fractional ones (the exact sums) mixed;
        // against the same values all pushed through the exact sums.
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        let values: Vec<f64> = (0..3_000)
            .map(|k| match k % 4 {
                0 => f64::from(rng.random_range(-2_000..2_000)),
                1 => rng.random::<f64>() * 1e3,
                2 => f64::from(rng.random_range(0..5)),
                _ => (f64::from(rng.random_range(0..1_000)) + 2f64.powi(40)) * 4.0,
            })
            .chain([-0.0, 2_147_483_647.0, -2_147_483_647.0, 2_147_483_648.0])
            .collect();
        let mixed = from(&values);
        let mut exact = Moments::new();
        values.iter().for_each(|&x| exact.push_fractional(x));
        assert_eq!(mixed.state(), exact.state());
        assert_eq!(mixed, exact);
        assert_eq!(mixed.mean().to_bits(), exact.mean().to_bits());
        assert_eq!(mixed.variance().to_bits(), exact.variance().to_bits());
        let mut repeated = Moments::new();
        for &x in &values[..200] {
            repeated.push_n(x, 3);
        }
        let mut thrice = Moments::new();
        for &x in &values[..200] {
            (0..3).for_each(|_| thrice.push_fractional(x));
        }
        assert_eq!(repeated.state(), thrice.state());
    }

    #[test]
    fn merge_with_empty_is_identity() {
        let m = from(&[1.0, 2.0, 6.0]);
        let mut a = m.clone();
        a.merge(&Moments::new());
        assert_eq!(a, m);
        let mut b = Moments::new();
        b.merge(&m);
        assert_eq!(b, m);
    }
}
