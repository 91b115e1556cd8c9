//! Binomial and Poisson variates drawn exactly as rand_distr 0.6 draws them, with the set-up of
//! the common cases cached.
//!
//! Every operating cluster draws four binomials and two Poisson counts a quarter, more draws
//! than the model has events, and most of them are small (n·p < 10 or λ < 12). For those,
//! rand_distr's `Binomial::new` computes (1 − p)ⁿ with `powf` (BINV, Kachitvichyanukul &
//! Schmeiser 1988, "Binomial random variate generation", Commun. ACM 31(2)) and `Poisson::new`
//! computes e^−λ (Knuth's multiplication method, TAOCP vol. 2, §3.4.1) — a `pow` or an `exp` per
//! draw, about a sixth of the kernel's time in a `perf` profile. The same (n, p) or λ comes back
//! often within a run (a cluster whose members or links did not change, every unfunded cluster's
//! exit probability), so this module keeps the last set-ups in a small direct-mapped table per
//! thread and does the sampling itself, with the same floating-point operations in the same
//! order as rand_distr: the draws, and so every result, are bit for bit those of
//! `Binomial::new(n, p)?.sample(rng)` and `Poisson::new(λ)?.sample(rng)` (a test checks this
//! against rand_distr on many parameters, value and generator state alike). The table holds only
//! values that are pure functions of their key, so which entries it holds never changes a
//! result. The other cases (BTPE, Poisson's rejection method, n·p < 10 with 1 − p rounding to 1)
//! are handed to rand_distr unchanged.
//!
//! Most set-ups are not needed exactly. BINV's first step compares its uniform u with (1 − p)ⁿ
//! and returns 0 if u is not above it; Knuth's method compares each running product of uniforms
//! with e^−λ. Both numbers have cheap bounds: (1 − p)ⁿ ≥ 1 − n·p (Bernoulli's inequality) and
//! 1 − λ ≤ e^−λ ≤ 1 − λ + λ²/2 (Taylor's theorem with the remainder's sign). A comparison that
//! the bounds decide, with a margin of [`BOUND_MARGIN`] for the rounding of the bounds and of
//! `pow` and `exp` (glibc's are within about one unit in the last place, ~10⁻¹⁶ here), comes out
//! as the exact comparison would, so the `pow` or `exp` is computed only when a comparison falls
//! between the bounds. With the small n·p and λ of most of the model's draws (a cluster's exits,
//! its sole proprietors' joins, a sector's formations) that skips most of them; the draws, the
//! uniforms consumed and the results are unchanged (the same tests check them).

use std::cell::RefCell;

use rand::{Rng, RngExt};
use rand_distr::{Binomial, Distribution, Poisson};

/// Entries of each table (a power of two).
const TABLE_SIZE: usize = 1024;

/// rand_distr's threshold on n · min(p, 1 − p) below which it uses BINV.
const BINV_THRESHOLD: f64 = 10.0;

/// rand_distr's bound on the BINV search before it starts again with a new uniform.
const BINV_MAX_X: u64 = 110;

/// rand_distr's threshold on λ below which it uses Knuth's method.
const KNUTH_THRESHOLD: f64 = 12.0;

/// How far beyond a bound of (1 − p)ⁿ or e^−λ a uniform (or product of uniforms, all in [0, 1))
/// must lie for the bound to decide its comparison. The bounds are computed with a few roundings
/// of numbers at most 1 (each under 1.2·10⁻¹⁶) and glibc's `pow` and `exp` are accurate to about
/// one unit in the last place (under 2.3·10⁻¹⁶ at most 1), so 10⁻¹² leaves a factor of over
/// 1,000; it costs only the comparisons within 10⁻¹² of a bound, which then compute the exact
/// value.
const BOUND_MARGIN: f64 = 1e-12;

/// One BINV set-up: (1 − p)ⁿ for trials `n` and the folded probability p ≤ 0.5 (as bits).
#[derive(Clone, Copy)]
struct BinvEntry {
    trials: u64,
    probability_bits: u64,
    start: f64,
}

/// One Knuth set-up: e^−λ for λ (as bits).
#[derive(Clone, Copy)]
struct KnuthEntry {
    mean_bits: u64,
    exp_minus_mean: f64,
}

/// The set-up tables of one thread. A key of probability or mean bits 0 (p = 0, λ = 0) is never
/// looked up, so zeroed entries are empty.
struct SetupTables {
    binv: [BinvEntry; TABLE_SIZE],
    knuth: [KnuthEntry; TABLE_SIZE],
}

thread_local! {
    static TABLES: RefCell<SetupTables> = const {
        RefCell::new(SetupTables {
            binv: [BinvEntry { trials: 0, probability_bits: 0, start: 0.0 }; TABLE_SIZE],
            knuth: [KnuthEntry { mean_bits: 0, exp_minus_mean: 0.0 }; TABLE_SIZE],
        })
    };
}

/// Table slot of a key (a multiplicative hash, Knuth TAOCP vol. 3, §6.4).
fn slot(key: u64) -> usize {
    (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - TABLE_SIZE.trailing_zeros())) as usize
}

/// (1 − p)ⁿ as rand_distr's `Binomial::new` computes it, from the table when it is there.
///
/// Not inlined: it is called only when the bounds do not decide a comparison, and inlined the
/// compiler may compute the `pow` or `exp` before it knows whether it is needed.
#[inline(never)]
fn binv_start(trials: u64, probability: f64, q: f64) -> f64 {
    let bits = probability.to_bits();
    let index = slot(trials.rotate_left(32) ^ bits);
    let cached = TABLES.try_with(|tables| {
        let mut tables = tables.borrow_mut();
        let entry = &mut tables.binv[index];
        if entry.trials == trials && entry.probability_bits == bits {
            entry.start
        } else {
            let start = q.powf(trials as f64);
            *entry = BinvEntry {
                trials,
                probability_bits: bits,
                start,
            };
            start
        }
    });
    // During thread teardown there is no table: compute it.
    cached.unwrap_or_else(|_| q.powf(trials as f64))
}

/// e^−λ as rand_distr's Knuth method computes it, from the table when it is there.
///
/// Not inlined: it is called only when the bounds do not decide a comparison, and inlined the
/// compiler may compute the `pow` or `exp` before it knows whether it is needed.
#[inline(never)]
fn knuth_limit(mean: f64) -> f64 {
    let bits = mean.to_bits();
    let index = slot(bits);
    let cached = TABLES.try_with(|tables| {
        let mut tables = tables.borrow_mut();
        let entry = &mut tables.knuth[index];
        if entry.mean_bits == bits {
            entry.exp_minus_mean
        } else {
            let exp_minus_mean = (-mean).exp();
            *entry = KnuthEntry {
                mean_bits: bits,
                exp_minus_mean,
            };
            exp_minus_mean
        }
    });
    cached.unwrap_or_else(|_| (-mean).exp())
}

/// A uniform integer in 0..`bound` (`bound` ≥ 1), drawn exactly as rand 0.10's
/// `rng.random_range(0..bound)` draws it for `u32` and `usize` (Lemire's widening multiply, with
/// a second word where the first product's low half leaves a possible bias: rand's "Canon's
/// method", biased variant; `usize` bounds above `u32::MAX` use 64-bit words), the same words
/// taken from `rng` in the same order. Here it is inlined into the event loops; rand's generic
/// function stayed a call per draw (about 3% of the kernel's time in a `perf` profile). A test
/// checks it against `random_range`, value and generator state alike.
#[inline]
pub(crate) fn below<R: Rng + ?Sized>(rng: &mut R, bound: usize) -> usize {
    debug_assert!(bound > 0, "empty range");
    if bound > u32::MAX as usize {
        let range = bound as u64;
        let product = u128::from(rng.next_u64()) * u128::from(range);
        let (mut result, low) = ((product >> 64) as u64, product as u64);
        if low > range.wrapping_neg() {
            let high = ((u128::from(rng.next_u64()) * u128::from(range)) >> 64) as u64;
            result += u64::from(low.checked_add(high).is_none());
        }
        return result as usize;
    }
    let range = bound as u32;
    let product = u64::from(rng.next_u32()) * u64::from(range);
    let (mut result, low) = ((product >> 32) as u32, product as u32);
    if low > range.wrapping_neg() {
        let high = ((u64::from(rng.next_u32()) * u64::from(range)) >> 32) as u32;
        result += u32::from(low.checked_add(high).is_none());
    }
    result as usize
}

/// A Binomial(`trials`, `probability`) count: 0 if there are no trials or the probability is
/// not positive (or NaN), `trials` if it is at least 1; otherwise exactly rand_distr 0.6's
/// `Binomial::new(trials, probability)` sample from `rng`.
pub(super) fn binomial<R: Rng + ?Sized>(rng: &mut R, trials: u64, probability: f64) -> u64 {
    if trials == 0 || probability.is_nan() || probability <= 0.0 {
        return 0;
    }
    if probability >= 1.0 {
        return trials;
    }
    // rand_distr: the distribution is symmetric under p → 1 − p.
    let flipped = probability > 0.5;
    let p = if flipped {
        1.0 - probability
    } else {
        probability
    };
    let q = 1.0 - p;
    let np = trials as f64 * p;
    if np >= BINV_THRESHOLD || q == 1.0 {
        // BTPE, or the Poisson limit: rand_distr's own code.
        return match Binomial::new(trials, probability) {
            Ok(distribution) => distribution.sample(rng),
            Err(_) => 0,
        };
    }
    let s = p / q;
    let a = (trials as f64 + 1.0) * s;
    // A uniform at most this is at most (1 − p)ⁿ (1 − q is exact for q in [0.5, 1]), so BINV's
    // first comparison returns 0: no `pow` needed.
    let zero_below = 1.0 - trials as f64 * (1.0 - q) - BOUND_MARGIN;
    let mut start = None;
    // rand_distr's `binv`, operation for operation.
    let sample = 'outer: loop {
        let mut u: f64 = rng.random();
        if u <= zero_below {
            break 0;
        }
        let mut r = *start.get_or_insert_with(|| binv_start(trials, p, q));
        let mut x = 0;
        while u > r {
            u -= r;
            x += 1;
            if x > BINV_MAX_X {
                continue 'outer;
            }
            r *= a / (x as f64) - s;
        }
        break x;
    };
    if flipped { trials - sample } else { sample }
}

/// A Poisson(`mean`) count: 0 if the mean is not positive (or NaN); otherwise exactly rand_distr
/// 0.6's `Poisson::new(mean)` sample from `rng`, converted to an integer (0 where rand_distr
/// refuses the mean: infinite or above its `MAX_LAMBDA`).
pub(super) fn poisson<R: Rng + ?Sized>(rng: &mut R, mean: f64) -> u64 {
    if mean.is_nan() || mean <= 0.0 {
        return 0;
    }
    if mean >= KNUTH_THRESHOLD {
        return match Poisson::new(mean) {
            Ok(distribution) => distribution.sample(rng) as u64,
            Err(_) => 0,
        };
    }
    // Bounds of e^−λ that decide most of the comparisons without the `exp`.
    let lower = 1.0 - mean - BOUND_MARGIN;
    let upper = 1.0 - mean + 0.5 * mean * mean + BOUND_MARGIN;
    let mut limit = None;
    let mut above_limit = |product: f64| {
        if product <= lower {
            false
        } else if product > upper {
            true
        } else {
            product > *limit.get_or_insert_with(|| knuth_limit(mean))
        }
    };
    // rand_distr's `KnuthMethod::sample`, operation for operation (in f64).
    let mut result = 1.0f64;
    let mut product: f64 = rng.random();
    while above_limit(product) {
        product *= rng.random::<f64>();
        result += 1.0;
    }
    (result - 1.0) as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    /// rand_distr's binomial as the model drew it before this module.
    fn reference_binomial(rng: &mut ChaCha8Rng, trials: u64, probability: f64) -> u64 {
        if trials == 0 || probability.is_nan() || probability <= 0.0 {
            return 0;
        }
        match Binomial::new(trials, probability.min(1.0)) {
            Ok(distribution) => distribution.sample(rng),
            Err(_) => 0,
        }
    }

    /// rand_distr's Poisson as the model drew it before this module.
    fn reference_poisson(rng: &mut ChaCha8Rng, mean: f64) -> u64 {
        if mean.is_nan() || mean <= 0.0 {
            return 0;
        }
        match Poisson::new(mean) {
            Ok(distribution) => distribution.sample(rng) as u64,
            Err(_) => 0,
        }
    }

    /// Trials and probabilities around every branch: n = 0, p ≤ 0, NaN, p ≥ 1, p just above and
    /// below 0.5 (mirroring), n·p just below and above 10 (BINV/BTPE), p so small that 1 − p
    /// rounds to 1 (the Poisson limit), and many ordinary values.
    fn binomial_cases() -> Vec<(u64, f64)> {
        let mut cases = vec![
            (0, 0.3),
            (5, 0.0),
            (5, -0.1),
            (5, f64::NAN),
            (5, 1.0),
            (5, 1.5),
            (7, 0.5),
            (7, 0.5 + f64::EPSILON),
            (7, 0.5 - f64::EPSILON / 2.0),
            (20, 0.4999),
            (20, 0.5001),
            (1000, 0.00999),
            (1000, 0.01001),
            (10, 0.99),
            (1_000_000_000, 1e-17),
            (u64::MAX / 2, 1e-30),
            (1, 1e-300),
        ];
        let mut rng = ChaCha8Rng::seed_from_u64(42);
        for _ in 0..3000 {
            let trials = match rng.random_range(0..3) {
                0 => rng.random_range(1..60),
                1 => rng.random_range(1..2000),
                _ => rng.random_range(1..200_000),
            };
            let probability = match rng.random_range(0..3) {
                0 => rng.random::<f64>(),
                1 => rng.random::<f64>() * 0.05,
                _ => 10f64.powf(-rng.random_range(0.0..8.0)),
            };
            cases.push((trials, probability));
        }
        cases
    }

    #[test]
    fn binomial_draws_are_rand_distrs_bit_for_bit() {
        let cases = binomial_cases();
        // Twice over, so that the second pass takes its set-ups from the table.
        for pass in 0..2 {
            for (index, &(trials, probability)) in cases.iter().enumerate() {
                let seed = (index as u64) << 8 | pass;
                let mut ours = ChaCha8Rng::seed_from_u64(seed);
                let mut theirs = ChaCha8Rng::seed_from_u64(seed);
                for draw in 0..4 {
                    assert_eq!(
                        binomial(&mut ours, trials, probability),
                        reference_binomial(&mut theirs, trials, probability),
                        "Binomial({trials}, {probability}), pass {pass}, draw {draw}"
                    );
                }
                assert_eq!(
                    ours.random::<u64>(),
                    theirs.random::<u64>(),
                    "generator state after Binomial({trials}, {probability})"
                );
            }
        }
    }

    #[test]
    fn poisson_draws_are_rand_distrs_bit_for_bit() {
        let mut means = vec![
            0.0,
            -1.0,
            f64::NAN,
            f64::INFINITY,
            1e-300,
            11.999_999_999,
            12.0,
            12.000_000_001,
            1e20,
        ];
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for _ in 0..3000 {
            means.push(match rng.random_range(0..3) {
                0 => rng.random::<f64>() * 12.0,
                1 => rng.random::<f64>() * 0.1,
                _ => rng.random::<f64>() * 500.0,
            });
        }
        for pass in 0..2 {
            for (index, &mean) in means.iter().enumerate() {
                let seed = (index as u64) << 8 | pass;
                let mut ours = ChaCha8Rng::seed_from_u64(seed);
                let mut theirs = ChaCha8Rng::seed_from_u64(seed);
                for draw in 0..4 {
                    assert_eq!(
                        poisson(&mut ours, mean),
                        reference_poisson(&mut theirs, mean),
                        "Poisson({mean}), pass {pass}, draw {draw}"
                    );
                }
                assert_eq!(ours.random::<u64>(), theirs.random::<u64>());
            }
        }
    }

    #[test]
    fn uniform_integers_are_rands_bit_for_bit() {
        let mut bounds: Vec<usize> = vec![1, 2, 3, 5, 7, 10, 1000, 65_537];
        for shift in [8, 16, 24, 31, 32, 33, 40, 63] {
            let power = 1usize << shift;
            bounds.extend([power - 1, power, power + 1, power / 3 * 2 + 1]);
        }
        bounds.extend([u32::MAX as usize, usize::MAX]);
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        for _ in 0..2000 {
            bounds.push(rng.random_range(1..100_000));
        }
        for (index, &bound) in bounds.iter().enumerate() {
            let mut ours = ChaCha8Rng::seed_from_u64(index as u64);
            let mut theirs = ChaCha8Rng::seed_from_u64(index as u64);
            for draw in 0..64 {
                assert_eq!(
                    below(&mut ours, bound),
                    theirs.random_range(0..bound),
                    "bound {bound}, draw {draw}"
                );
                if let Ok(small) = u32::try_from(bound) {
                    assert_eq!(
                        below(&mut ours, bound) as u32,
                        theirs.random_range(0..small),
                        "u32 bound {bound}, draw {draw}"
                    );
                }
            }
            assert_eq!(
                ours.random::<u64>(),
                theirs.random::<u64>(),
                "state, bound {bound}"
            );
        }
    }

    /// The bounds that decide comparisons without `pow` or `exp` hold, with their margin, for
    /// the values `powf` and `exp` return: over a grid of n and p (n·p from 10⁻¹⁸ to past 1,
    /// where the bound turns negative) and of λ in (0, 12), and near 1 − p = 1 and λ = 0,
    /// where the bounds are tightest.
    #[test]
    fn the_bounds_hold_for_the_computed_pow_and_exp() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        for _ in 0..200_000 {
            let trials: u64 = match rng.random_range(0..3) {
                0 => rng.random_range(1..100),
                1 => rng.random_range(1..100_000),
                _ => rng.random_range(1..1u64 << 40),
            };
            let p = 10f64.powf(-rng.random_range(0.0..18.0)).min(0.5);
            let q = 1.0 - p;
            if q == 1.0 {
                continue;
            }
            let zero_below = 1.0 - trials as f64 * (1.0 - q) - BOUND_MARGIN;
            let exact = q.powf(trials as f64);
            assert!(
                zero_below < exact,
                "(1 - {p})^{trials} = {exact} below {zero_below}"
            );
            let mean = match rng.random_range(0..3) {
                0 => rng.random::<f64>() * KNUTH_THRESHOLD,
                1 => rng.random::<f64>() * 0.01,
                _ => 10f64.powf(-rng.random_range(0.0..18.0)),
            };
            let exact = (-mean).exp();
            let lower = 1.0 - mean - BOUND_MARGIN;
            let upper = 1.0 - mean + 0.5 * mean * mean + BOUND_MARGIN;
            assert!(lower < exact && exact < upper, "e^-{mean} = {exact}");
        }
    }

    /// Both ways of deciding BINV's and Knuth's comparisons occur in the comparison tests'
    /// parameters: the bounds alone, and the exact `pow` or `exp` (so the tests above check both).
    #[test]
    fn the_comparison_tests_reach_both_the_bounds_and_the_exact_values() {
        let small = binomial_cases()
            .into_iter()
            .filter(|&(n, p)| n > 0 && p > 0.0 && p < 0.5 && (n as f64) * p < 0.5)
            .count();
        let large = binomial_cases()
            .into_iter()
            .filter(|&(n, p)| p > 0.0 && p < 0.5 && (n as f64) * p > 2.0 && (n as f64) * p < 10.0)
            .count();
        assert!(
            small > 150 && large > 150,
            "{small} small, {large} large n·p"
        );
    }

    #[test]
    fn colliding_keys_replace_each_other_without_changing_values() {
        // Two keys in one slot: each look-up must give its own key's value, never the other's.
        let first = (3u64, 0.25f64);
        let target = slot(first.0.rotate_left(32) ^ first.1.to_bits());
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let second = loop {
            let candidate = (rng.random_range(1..1000u64), rng.random::<f64>() * 0.5);
            if candidate != first
                && slot(candidate.0.rotate_left(32) ^ candidate.1.to_bits()) == target
            {
                break candidate;
            }
        };
        for _ in 0..3 {
            for (trials, p) in [first, second] {
                assert_eq!(
                    binv_start(trials, p, 1.0 - p),
                    (1.0 - p).powf(trials as f64)
                );
            }
        }
    }
}
