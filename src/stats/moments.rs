//! Streaming mean and variance.

/// Running count, mean and variance of a stream of `f64` values in O(1) memory.
///
/// Values are folded in with Welford's online algorithm (B. P. Welford, "Note on a Method for
/// Calculating Corrected Sums of Squares and Products", *Technometrics* 4(3):419–420, 1962),
/// which avoids the catastrophic cancellation of the naive sum-of-squares formula. Two
/// accumulators built from disjoint shards are combined with the pairwise update of Chan,
/// Golub & LeVeque ("Updating Formulae and a Pairwise Algorithm for Computing Sample
/// Variances", 1979/1983), see [`Moments::merge`].
///
/// `Moments` itself does no input validation: a non-finite value makes the mean and variance
/// non-finite. [`super::Accumulator`] filters such values before they get here.
///
/// Floating-point addition is not associative, so merging the same shards in a different order
/// may change the last few bits of the result (relative differences of order 1e-15). Merge in
/// a fixed order (e.g. by shard index) when bit-identical output is required.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Moments {
    count: u64,
    mean: f64,
    /// Sum of squared deviations from the current mean.
    m2: f64,
}

impl Moments {
    /// An empty accumulator.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one observation (Welford's update).
    pub fn push(&mut self, x: f64) {
        self.count += 1;
        let delta = x - self.mean;
        self.mean += delta / self.count as f64;
        self.m2 += delta * (x - self.mean);
    }

    /// Number of observations pushed or merged in.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Arithmetic mean; `0.0` when empty.
    pub fn mean(&self) -> f64 {
        self.mean
    }

    /// Unbiased sample variance (divisor `n - 1`); `0.0` when fewer than two observations.
    pub fn variance(&self) -> f64 {
        if self.count < 2 {
            0.0
        } else {
            self.m2 / (self.count - 1) as f64
        }
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

    /// Folds `other` into `self`, as if every value pushed into `other` had been pushed into
    /// `self` (up to floating-point rounding). Uses the parallel update of Chan et al.:
    /// `mean = mean_a + delta * n_b / n` and `M2 = M2_a + M2_b + delta^2 * n_a * n_b / n`.
    pub fn merge(&mut self, other: &Moments) {
        if other.count == 0 {
            return;
        }
        if self.count == 0 {
            *self = other.clone();
            return;
        }
        let n_a = self.count as f64;
        let n_b = other.count as f64;
        let count = self.count + other.count;
        let n = count as f64;
        let delta = other.mean - self.mean;
        self.mean += delta * (n_b / n);
        self.m2 += other.m2 + delta * delta * (n_a * n_b / n);
        self.count = count;
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
