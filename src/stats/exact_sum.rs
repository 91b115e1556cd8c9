//! Exact, order-independent summation of `f64` values.
//!
//! Floating-point addition is not associative, so a sum folded run by run on one thread, the
//! same sum folded per block of runs on many threads, and the sum of per-shard sums computed on
//! different machines generally differ in their last bits. [`ExactSum`] keeps the sum as an
//! exact fixed-point integer (a "superaccumulator", U. W. Kulisch & W. L. Miranker, *Computer
//! Arithmetic in Theory and Practice*, 1981; the sparse, carry-deferred layout follows
//! R. M. Neal, "Fast exact summation using small and large superaccumulators",
//! arXiv:1505.05571, 2015): every finite `f64` is an integer multiple of 2⁻¹⁰⁷⁴, so adding it
//! to an integer counter of 2⁻¹⁰⁷⁴ units is exact. Sums and merges are therefore exactly
//! associative and commutative, and anything computed from the final integer is the same bits
//! whatever the order of additions, the thread count or the shard split.
//!
//! The integer is stored as 32-bit digits ("limbs") in `i64` cells, only over the span of
//! positions actually used (a few limbs for values of a few orders of magnitude). Carries are
//! propagated lazily: each cell has room for 2³⁰ additions before a normalisation is forced.

use serde::{Deserialize, Serialize};

/// Bits per limb.
const LIMB_BITS: i32 = 32;
/// The low 32 bits.
const LIMB_MASK: i64 = (1 << LIMB_BITS) - 1;
/// Bit 0 of the fixed-point integer is worth 2^-1074, the smallest subnormal.
const BIAS: i32 = 1074;
/// A limb's magnitude is at most `pending · 2^32`; normalise before two states' `pending` can
/// add up to 2^31 (a limb then stays below 2^63).
const PENDING_LIMIT: u32 = 1 << 30;
/// Highest limb index a finite value can touch: position 2045 + 84 bits of shifted mantissa.
const MAX_LIMB: i32 = (2045 + 85) / LIMB_BITS + 2;

/// An exact sum of `f64` values (see the module docs). Non-finite values are summed apart, in
/// [`special`](Self::special), with ordinary IEEE rules (`inf + -inf = NaN`), which are
/// themselves order independent.
#[derive(Debug, Clone)]
pub struct ExactSum {
    /// Limb index of `limbs[0]`.
    offset: i32,
    /// Limb `k` is worth `limbs[k] · 2^(32·(offset + k) − 1074)`.
    limbs: Vec<i64>,
    /// Bound on limb magnitudes in units of 2^32 (see [`PENDING_LIMIT`]).
    pending: u32,
    /// Sum of the non-finite values added (0.0 when there were none).
    special: f64,
}

impl Default for ExactSum {
    fn default() -> Self {
        Self::new()
    }
}

impl PartialEq for ExactSum {
    /// Equal exact values (whatever the internal carry state).
    fn eq(&self, other: &Self) -> bool {
        self.state() == other.state()
    }
}

/// The power of two `2^exponent`, exactly (0 below the subnormal range, +inf above `f64::MAX`).
fn pow2(exponent: i32) -> f64 {
    if exponent > 1023 {
        f64::INFINITY
    } else if exponent >= -1022 {
        f64::from_bits(((exponent + 1023) as u64) << 52)
    } else if exponent >= -1074 {
        f64::from_bits(1u64 << (exponent + 1074))
    } else {
        0.0
    }
}

impl ExactSum {
    /// Zero.
    pub fn new() -> Self {
        Self {
            offset: 0,
            limbs: Vec::new(),
            pending: 1,
            special: 0.0,
        }
    }

    /// Resets to zero, keeping the limb allocation for reuse.
    pub fn clear(&mut self) {
        self.offset = 0;
        self.limbs.clear();
        self.pending = 1;
        self.special = 0.0;
    }

    /// Adds `x` exactly (a non-finite `x` goes to [`special`](Self::special)).
    pub fn add(&mut self, x: f64) {
        if !x.is_finite() {
            self.special += x;
            return;
        }
        if x == 0.0 {
            return;
        }
        let (negative, mantissa, position) = parts(x);
        let limb = position / LIMB_BITS;
        let wide = u128::from(mantissa) << (position % LIMB_BITS);
        self.cover(limb, limb + 2);
        let start = (limb - self.offset) as usize;
        for (k, cell) in self.limbs[start..start + 3].iter_mut().enumerate() {
            let digit = ((wide >> (32 * k)) as i64) & LIMB_MASK;
            *cell += if negative { -digit } else { digit };
        }
        self.pending += 1;
        if self.pending >= PENDING_LIMIT {
            self.normalize();
        }
    }

    /// Adds `n` times `x` exactly: the same sum as `n` calls of [`add`](Self::add), at the cost
    /// of one (the mantissa times `n` spans at most four limbs while `n < 2³²`).
    pub fn add_n(&mut self, x: f64, n: u64) {
        if n == 0 {
            return;
        }
        if !x.is_finite() {
            // inf + inf = inf and NaN stays NaN: once is n times.
            self.special += x;
            return;
        }
        if x == 0.0 {
            return;
        }
        let (negative, mantissa, position) = parts(x);
        let limb = position / LIMB_BITS;
        let mut left = n;
        while left > 0 {
            // 53 bits of mantissa × under 2^32 × 2^31 of shift: under 2^116.
            let times = left.min(u64::from(u32::MAX));
            left -= times;
            let wide = (u128::from(mantissa) * u128::from(times)) << (position % LIMB_BITS);
            self.cover(limb, limb + 3);
            let start = (limb - self.offset) as usize;
            for (k, cell) in self.limbs[start..start + 4].iter_mut().enumerate() {
                let digit = ((wide >> (32 * k)) as i64) & LIMB_MASK;
                *cell += if negative { -digit } else { digit };
            }
            self.pending += 1;
            if self.pending >= PENDING_LIMIT {
                self.normalize();
            }
        }
    }

    /// Adds the integer `n` exactly (in pieces of at most 52 bits, each an exact `f64`).
    pub fn add_integer(&mut self, n: i128) {
        let negative = n < 0;
        let mut magnitude = n.unsigned_abs();
        let mut scale = 1.0;
        while magnitude != 0 {
            let piece = (magnitude & ((1 << 52) - 1)) as f64 * scale;
            self.add(if negative { -piece } else { piece });
            magnitude >>= 52;
            scale *= 2f64.powi(52);
        }
    }

    /// Adds everything added to `other` (exact, so the order of merges does not matter).
    pub fn merge(&mut self, other: &ExactSum) {
        self.special += other.special;
        if other.limbs.is_empty() {
            return;
        }
        let high = other.offset + other.limbs.len() as i32 - 1;
        self.cover(other.offset, high);
        let start = (other.offset - self.offset) as usize;
        for (cell, value) in self.limbs[start..].iter_mut().zip(&other.limbs) {
            *cell += value;
        }
        self.pending += other.pending;
        if self.pending >= PENDING_LIMIT {
            self.normalize();
        }
    }

    /// The sum of the non-finite values added: 0.0 when none was, else ±inf or NaN.
    pub fn special(&self) -> f64 {
        self.special
    }

    /// Grows the limb span to contain `low..=high` (in the allocation it has when it fits).
    #[inline]
    fn cover(&mut self, low: i32, high: i32) {
        if low >= self.offset && high < self.offset + self.limbs.len() as i32 {
            return;
        }
        self.grow(low, high);
    }

    /// [`Self::cover`] when the span must grow.
    fn grow(&mut self, low: i32, high: i32) {
        if self.limbs.is_empty() {
            self.offset = low;
            self.limbs.resize((high - low + 1) as usize, 0);
            return;
        }
        let current_high = self.offset + self.limbs.len() as i32 - 1;
        if low < self.offset {
            let below = (self.offset - low) as usize;
            self.limbs.splice(0..0, std::iter::repeat_n(0, below));
            self.offset = low;
        }
        if high > current_high {
            self.limbs
                .resize(self.limbs.len() + (high - current_high) as usize, 0);
        }
    }

    /// Propagates carries into the canonical form: every limb but the top in `[0, 2^32)`, the
    /// top in `[−2^31, 2^31)` and non-zero, no zero limb at the bottom (zero: no limbs).
    fn normalize(&mut self) {
        let mut carry: i64 = 0;
        for cell in &mut self.limbs {
            let value = *cell + carry;
            carry = value >> LIMB_BITS;
            *cell = value & LIMB_MASK;
        }
        // The carry left over is the signed top; split it while it does not fit a signed limb.
        loop {
            if (-(1i64 << 31)..(1i64 << 31)).contains(&carry) {
                self.limbs.push(carry);
                break;
            }
            self.limbs.push(carry & LIMB_MASK);
            carry >>= LIMB_BITS;
        }
        // Drop redundant top limbs (0 above a digit < 2^31, −1 above a digit ≥ 2^31).
        while self.limbs.len() >= 2 {
            let top = self.limbs[self.limbs.len() - 1];
            let below = self.limbs[self.limbs.len() - 2];
            if top == 0 && below < 1 << 31 {
                self.limbs.pop();
            } else if top == -1 && below >= 1 << 31 {
                self.limbs.pop();
                let last = self.limbs.len() - 1;
                self.limbs[last] = below - (1 << LIMB_BITS);
            } else {
                break;
            }
        }
        let zeros = self.limbs.iter().take_while(|&&limb| limb == 0).count();
        if zeros == self.limbs.len() {
            self.limbs.clear();
            self.offset = 0;
        } else {
            self.limbs.drain(..zeros);
            self.offset += zeros as i32;
        }
        self.pending = 1;
    }

    /// The canonical state: (offset, limbs, special bits); equal for equal sums.
    pub fn state(&self) -> ExactSumState {
        let mut normal = self.clone();
        normal.normalize();
        ExactSumState {
            offset: normal.offset,
            limbs: normal.limbs,
            special: normal.special.to_bits(),
        }
    }

    /// The sum as a double-double `(high, low)`: `high + low` is within about 2^-104 of the
    /// exact sum relative to it, and `high` is `high + low` rounded. With non-finite values
    /// added, `(special, 0.0)`.
    pub fn to_double_double(&self) -> (f64, f64) {
        if self.special != 0.0 || self.special.is_nan() {
            return (self.special, 0.0);
        }
        let mut magnitude = self.clone();
        magnitude.normalize();
        let Some(&top) = magnitude.limbs.last() else {
            return (0.0, 0.0);
        };
        let negative = top < 0;
        if negative {
            magnitude.limbs.iter_mut().for_each(|limb| *limb = -*limb);
            magnitude.normalize();
        }
        // Non-negative digits from the top down: no cancellation.
        let (mut high, mut low) = (0.0, 0.0);
        for (k, &limb) in magnitude.limbs.iter().enumerate().rev() {
            if limb == 0 {
                continue;
            }
            let exponent = LIMB_BITS * (magnitude.offset + k as i32) - BIAS;
            let term = limb as f64 * pow2(exponent);
            (high, low) = double_double::add_f64((high, low), term);
        }
        if negative { (-high, -low) } else { (high, low) }
    }

    /// The sum rounded to an `f64`.
    pub fn value(&self) -> f64 {
        let (high, low) = self.to_double_double();
        high + low
    }
}

/// The serialised, canonical form of an [`ExactSum`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExactSumState {
    /// Limb index of the first limb.
    pub offset: i32,
    /// 32-bit digits, the top one signed.
    pub limbs: Vec<i64>,
    /// Bits of the sum of non-finite values (0 when none).
    pub special: u64,
}

/// A serialised state that is not a canonical [`ExactSum`].
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("not an exact sum: {0}")]
pub struct ExactSumStateError(&'static str);

impl TryFrom<ExactSumState> for ExactSum {
    type Error = ExactSumStateError;

    fn try_from(state: ExactSumState) -> Result<Self, Self::Error> {
        let count = state.limbs.len() as i32;
        if state.offset < 0 || state.offset + count > MAX_LIMB + 1 {
            return Err(ExactSumStateError("limbs outside the range of f64 values"));
        }
        if let Some((top, rest)) = state.limbs.split_last() {
            if !(-(1i64 << 31)..(1i64 << 31)).contains(top) || *top == 0 && rest.is_empty() {
                return Err(ExactSumStateError("top limb out of range"));
            }
            if rest.iter().any(|limb| !(0..=LIMB_MASK).contains(limb)) {
                return Err(ExactSumStateError("limb out of range"));
            }
        }
        Ok(Self {
            offset: state.offset,
            limbs: state.limbs,
            pending: 1,
            special: f64::from_bits(state.special),
        })
    }
}

/// Double-double arithmetic (T. J. Dekker, "A floating-point technique for extending the
/// available precision", *Numerische Mathematik* 18, 1971; the accurate variants of M. Joldes,
/// J.-M. Muller & V. Popescu, "Tight and rigorous error bounds for basic building blocks of
/// double-word arithmetic", *ACM TOMS* 44(2), 2017). A pair `(high, low)` stands for
/// `high + low` with `|low| ≤ ulp(high) / 2`.
pub(crate) mod double_double {
    /// `a + b` as an exact pair (Knuth's TwoSum).
    fn two_sum(a: f64, b: f64) -> (f64, f64) {
        let s = a + b;
        let bb = s - a;
        (s, (a - (s - bb)) + (b - bb))
    }

    /// `a + b` as an exact pair when `|a| ≥ |b|` (Dekker's Fast2Sum).
    fn fast_two_sum(a: f64, b: f64) -> (f64, f64) {
        let s = a + b;
        (s, b - (s - a))
    }

    /// Double-double plus double.
    pub fn add_f64(a: (f64, f64), b: f64) -> (f64, f64) {
        let (s, e) = two_sum(a.0, b);
        if !s.is_finite() {
            return (s, 0.0);
        }
        fast_two_sum(s, e + a.1)
    }

    /// Double-double minus double-double.
    pub fn sub(a: (f64, f64), b: (f64, f64)) -> (f64, f64) {
        let (s, e) = two_sum(a.0, -b.0);
        let (t, f) = two_sum(a.1, -b.1);
        if !s.is_finite() {
            return (s, 0.0);
        }
        let (s, e) = fast_two_sum(s, e + t);
        fast_two_sum(s, e + f)
    }

    /// Double-double times double-double.
    pub fn mul(a: (f64, f64), b: (f64, f64)) -> (f64, f64) {
        let p = a.0 * b.0;
        if !p.is_finite() {
            return (p, 0.0);
        }
        let e = a.0.mul_add(b.0, -p) + (a.0 * b.1 + a.1 * b.0);
        fast_two_sum(p, e)
    }

    /// Double-double divided by a positive double.
    pub fn div_f64(a: (f64, f64), d: f64) -> (f64, f64) {
        let q = a.0 / d;
        if !q.is_finite() {
            return (q, 0.0);
        }
        let remainder = (-q).mul_add(d, a.0) + a.1;
        fast_two_sum(q, remainder / d)
    }
}

/// A finite, non-zero `x` as (sign, mantissa, position) with
/// x = ±mantissa · 2^(position − 1074): subnormals at position 0, normal numbers with their
/// implicit leading bit.
#[inline]
fn parts(x: f64) -> (bool, u64, i32) {
    let bits = x.to_bits();
    let negative = bits >> 63 == 1;
    let biased_exponent = ((bits >> 52) & 0x7FF) as i32;
    let fraction = bits & ((1u64 << 52) - 1);
    if biased_exponent == 0 {
        (negative, fraction, 0)
    } else {
        (negative, fraction | (1u64 << 52), biased_exponent - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn sum_of(values: &[f64]) -> ExactSum {
        let mut sum = ExactSum::new();
        values.iter().for_each(|&x| sum.add(x));
        sum
    }

    #[test]
    fn sums_that_floating_point_gets_wrong() {
        // 1e100 + 1 − 1e100 is 0 in f64; exactly it is 1.
        assert_eq!(sum_of(&[1e100, 1.0, -1e100]).value(), 1.0);
        // Ten times 0.1 (the double nearest 0.1 is 0.1000000000000000055511151231257827…):
        // the exact sum rounds to 1.0, the running f64 sum is 0.9999999999999999.
        assert_eq!(sum_of(&[0.1; 10]).value(), 1.0);
        assert_eq!((0..10).fold(0.0, |s, _| s + 0.1), 0.9999999999999999);
        // The smallest subnormal and the largest double.
        assert_eq!(sum_of(&[f64::from_bits(1); 3]).value(), f64::from_bits(3));
        assert_eq!(sum_of(&[f64::MAX, -f64::MAX, 5.0]).value(), 5.0);
        assert_eq!(sum_of(&[f64::MAX, f64::MAX]).value(), f64::INFINITY);
        assert_eq!(sum_of(&[]).value(), 0.0);
        assert_eq!(sum_of(&[-2.5, -0.25]).value(), -2.75);
    }

    #[test]
    fn the_double_double_carries_what_one_double_cannot() {
        let (high, low) = sum_of(&[1.0, 1e-30]).to_double_double();
        assert_eq!((high, low), (1.0, 1e-30));
        let (high, low) = sum_of(&[-1.0, -1e-30]).to_double_double();
        assert_eq!((high, low), (-1.0, -1e-30));
    }

    #[test]
    fn any_order_and_any_split_gives_the_same_state() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let values: Vec<f64> = (0..3_000i32)
            .map(|k| {
                let scale = 10f64.powi(k % 13 - 6);
                (rng.random::<f64>() - 0.4) * scale
            })
            .collect();
        let forward = sum_of(&values);
        let mut reversed: Vec<f64> = values.clone();
        reversed.reverse();
        assert_eq!(forward.state(), sum_of(&reversed).state());
        for split in [0, 1, 1_234, 3_000] {
            let (a, b) = values.split_at(split);
            let mut merged = sum_of(b);
            merged.merge(&sum_of(a));
            assert_eq!(merged.state(), forward.state(), "split {split}");
            assert_eq!(merged.value().to_bits(), forward.value().to_bits());
        }
        // Against a 128-bit integer sum of values on a common grid.
        let grid: Vec<i64> = (0..3_000)
            .map(|_| rng.random_range(-1i64 << 50..1 << 50))
            .collect();
        let as_floats: Vec<f64> = grid.iter().map(|&v| v as f64 * 2f64.powi(-20)).collect();
        let exact: i128 = grid.iter().map(|&v| i128::from(v)).sum();
        let expected = exact as f64 * 2f64.powi(-20);
        assert_eq!(sum_of(&as_floats).value(), expected);
    }

    #[test]
    fn many_additions_force_normalisation_without_overflow() {
        let mut sum = ExactSum::new();
        let digit = f64::from_bits((1023u64 + 31) << 52 | ((1u64 << 52) - 1)); // just under 2^32
        for _ in 0..3 * u64::from(PENDING_LIMIT / 1024) {
            sum.add(digit);
        }
        let mut big = sum.clone();
        for _ in 0..1024 {
            big.merge(&sum);
        }
        // digit = (2^53 − 1) · 2^-21; the exact total, rounded once.
        let additions = i128::from(3 * (PENDING_LIMIT / 1024)) * 1025;
        let expected = (((1i128 << 53) - 1) * additions) as f64 * 2f64.powi(-21);
        assert_eq!(big.value(), expected);
    }

    #[test]
    fn adding_n_times_equals_adding_n_times_one_by_one() {
        let values = [
            0.1,
            -7.3e-5,
            1e300,
            -f64::MAX,
            5e-324,
            f64::MIN_POSITIVE,
            123_456.789,
            -0.0,
        ];
        for &x in &values {
            for n in [0, 1, 2, 3, 17, 1_000] {
                let mut once = ExactSum::new();
                once.add(1.0);
                once.add_n(x, n);
                let mut one_by_one = ExactSum::new();
                one_by_one.add(1.0);
                (0..n).for_each(|_| one_by_one.add(x));
                assert_eq!(once.state(), one_by_one.state(), "{x} × {n}");
            }
        }
        // Beyond 2^32 - 1 at once: split, still exact (0.5 · (2^33 + 1) = 2^32 + 0.5).
        let mut big = ExactSum::new();
        big.add_n(0.5, (1 << 33) + 1);
        assert_eq!(big.value(), 4_294_967_296.5);
        let mut special = ExactSum::new();
        special.add_n(f64::INFINITY, 3);
        assert_eq!(special.special(), f64::INFINITY);
    }

    #[test]
    fn integers_are_added_exactly() {
        for n in [
            0i128,
            1,
            -1,
            12_345,
            (1 << 52) + 1,
            -(1 << 100) - 7,
            i128::MAX,
            i128::MIN + 1,
        ] {
            let mut sum = ExactSum::new();
            sum.add_integer(n);
            sum.add_integer(-n);
            assert_eq!(sum.state(), ExactSum::new().state(), "{n}");
            let mut sum = ExactSum::new();
            sum.add_integer(n);
            assert_eq!(sum.value(), n as f64, "{n}");
        }
    }

    #[test]
    fn non_finite_values_are_summed_apart() {
        assert_eq!(sum_of(&[1.0, f64::INFINITY]).value(), f64::INFINITY);
        assert!(sum_of(&[f64::INFINITY, f64::NEG_INFINITY]).value().is_nan());
        assert!(sum_of(&[f64::NAN, 2.0]).value().is_nan());
    }

    #[test]
    fn states_round_trip_and_bad_ones_are_refused() {
        let sum = sum_of(&[3.0, -1e-7, 12345.678]);
        let back = ExactSum::try_from(sum.state()).unwrap();
        assert_eq!(back, sum);
        assert_eq!(back.value(), sum.value());
        let mut bad = sum.state();
        bad.limbs[0] = -5;
        assert!(ExactSum::try_from(bad).is_err());
        let mut bad = sum.state();
        bad.offset = 10_000;
        assert!(ExactSum::try_from(bad).is_err());
    }

    #[test]
    fn powers_of_two_are_exact() {
        assert_eq!(pow2(0), 1.0);
        assert_eq!(pow2(-1074), f64::from_bits(1));
        assert_eq!(pow2(-1022), f64::MIN_POSITIVE);
        assert_eq!(pow2(1023), 2f64.powi(1023));
        assert_eq!(pow2(1024), f64::INFINITY);
        assert_eq!(pow2(-1075), 0.0);
    }
}
