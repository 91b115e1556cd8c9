//! Money in whole cents of the scenario's currency (see `scenario::currency`): conversion from
//! amounts and largest-remainder rounding, so that every split of a budget sums to it exactly.

/// Fixed conversion rate of the litas to the euro (LTL per EUR), in force from 2002 to 2014.
pub const LTL_PER_EUR: f64 = 3.4528;

/// Whole cents nearest to an amount in the scenario's currency. The caller guarantees a finite,
/// non-negative amount below 1e13 (checked at load), so the result fits in i64 exactly.
pub fn cents_from_amount(amount: f64) -> i64 {
    (amount * 100.0).round() as i64
}

/// The amount (in the scenario's currency) of a number of its cents.
pub fn amount_from_cents(cents: i64) -> f64 {
    cents as f64 / 100.0
}

/// Splits `total` cents in proportion to `weights` by the largest-remainder (Hamilton) method:
/// each part gets the floor of its quota, and the cents left over go one each to the parts with
/// the largest fractional remainders (ties to the lower index). The parts are non-negative and sum
/// to `total` exactly. Zero, negative or non-finite weights get nothing; if no weight is
/// positive the whole total goes to the first part (callers avoid this case).
pub fn largest_remainder(total: i64, weights: &[f64]) -> Vec<i64> {
    let mut parts = vec![0i64; weights.len()];
    if weights.is_empty() || total <= 0 {
        return parts;
    }
    // Scaled by the largest weight so that the sum cannot overflow (weights near f64::MAX).
    let largest = weights
        .iter()
        .copied()
        .filter(|w| w.is_finite() && *w > 0.0)
        .fold(0.0, f64::max);
    let clean: Vec<f64> = weights
        .iter()
        .map(|w| {
            if w.is_finite() && *w > 0.0 {
                *w / largest
            } else {
                0.0
            }
        })
        .collect();
    let sum: f64 = clean.iter().sum();
    if sum <= 0.0 {
        parts[0] = total;
        return parts;
    }
    let mut remainders: Vec<(f64, usize)> = Vec::with_capacity(weights.len());
    let mut assigned: i64 = 0;
    for (index, weight) in clean.iter().enumerate() {
        let quota = total as f64 * (weight / sum);
        let floor = quota.floor().max(0.0);
        let floor_cents = (floor as i64).min(total);
        parts[index] = floor_cents;
        assigned += floor_cents;
        if *weight > 0.0 {
            remainders.push((quota - floor, index));
        }
    }
    // Largest remainder first; ties to the lower index.
    remainders.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut left = total - assigned;
    // Floating-point quotas can overshoot by a cent or two at extreme magnitudes; take them back
    // from the smallest remainders first.
    let mut cursor = remainders.len();
    while left < 0 && cursor > 0 {
        cursor -= 1;
        let index = remainders[cursor].1;
        if parts[index] > 0 {
            parts[index] -= 1;
            left += 1;
        }
        if cursor == 0 && left < 0 {
            cursor = remainders.len();
        }
    }
    // Normally fewer cents are left than there are parts; spread any excess evenly in one step
    // rather than a cent per iteration.
    if left > 0 && !remainders.is_empty() {
        let count = remainders.len() as i64;
        let (each, extra) = (left / count, (left % count) as usize);
        for (position, (_, index)) in remainders.iter().enumerate() {
            parts[*index] += each + i64::from(position < extra);
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn splits_by_hand_computed_example() {
        // 10 cents by 1:1:1 → quotas 3.33 each; one leftover cent to the first.
        assert_eq!(largest_remainder(10, &[1.0, 1.0, 1.0]), vec![4, 3, 3]);
        // 100 by 0.5, 0.3, 0.2 → exact.
        assert_eq!(largest_remainder(100, &[0.5, 0.3, 0.2]), vec![50, 30, 20]);
        // Remainders .6 and .4 and 0: the .6 part gets the cent.
        assert_eq!(largest_remainder(7, &[0.2, 0.8]), vec![1, 6]);
        assert_eq!(largest_remainder(5, &[0.0, 1.0]), vec![0, 5]);
        // Weights whose sum overflows f64 are still split by weight.
        let parts = largest_remainder(1_000_000, &[1e308, f64::MAX]);
        assert_eq!(parts.iter().sum::<i64>(), 1_000_000);
        let share = 1.0 / (1.0 + f64::MAX / 1e308);
        assert!(
            (parts[0] as f64 - 1_000_000.0 * share).abs() <= 1.0,
            "{parts:?}"
        );
    }

    #[test]
    fn converts_amounts_to_cents() {
        assert_eq!(cents_from_amount(186_000_000.0), 18_600_000_000);
        assert_eq!(cents_from_amount(0.015), 2);
        assert_eq!(amount_from_cents(12_345), 123.45);
    }

    proptest! {
        #[test]
        fn parts_sum_to_total_and_are_non_negative(
            total in 0i64..2_000_000_000_000_000,
            weights in proptest::collection::vec(0.0f64..1e6, 1..40),
        ) {
            let parts = largest_remainder(total, &weights);
            prop_assert_eq!(parts.iter().sum::<i64>(), total);
            prop_assert!(parts.iter().all(|p| *p >= 0));
            for (part, weight) in parts.iter().zip(&weights) {
                if *weight == 0.0 && weights.iter().any(|w| *w > 0.0) {
                    prop_assert_eq!(*part, 0);
                }
            }
        }
    }
}
