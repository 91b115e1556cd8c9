//! Floors and caps: turning a rule's weights into shares that respect both.

/// Shares s_i = clamp(λ·w_i, floor, cap) summing to 1, for weights `w` (non-negative).
///
/// λ is found by bisection on the non-decreasing function Σ clamp(λ·w_i, floor, cap). If the
/// weights are all zero the split is equal. If even λ → ∞ leaves the sum below 1 (the positive
/// weights all sit at their caps), the rest is split equally among the zero-weight entries, up to
/// their caps. The caller guarantees n·floor ≤ 1 ≤ n·cap (checked when the scenario loads).
pub fn constrained_shares(weights: &[f64], floor: f64, cap: f64) -> Vec<f64> {
    let count = weights.len();
    if count == 0 {
        return Vec::new();
    }
    let clean: Vec<f64> = weights
        .iter()
        .map(|w| if w.is_finite() && *w > 0.0 { *w } else { 0.0 })
        .collect();
    let total: f64 = clean.iter().sum();
    if total <= 0.0 {
        return vec![(1.0 / count as f64).clamp(floor, cap); count];
    }
    let normalised: Vec<f64> = clean.iter().map(|w| w / total).collect();
    let sum_at = |lambda: f64| -> f64 {
        normalised
            .iter()
            .map(|w| (lambda * w).clamp(floor, cap))
            .sum()
    };
    let smallest_positive = normalised
        .iter()
        .copied()
        .filter(|w| *w > 0.0)
        .fold(f64::INFINITY, f64::min);
    let mut high = (cap / smallest_positive).max(1.0);
    if sum_at(high) < 1.0 {
        // Positive weights all capped: spread the rest over the zero-weight entries.
        let zero_count = normalised.iter().filter(|w| **w == 0.0).count();
        let capped_sum: f64 = normalised.iter().filter(|w| **w > 0.0).map(|_| cap).sum();
        let each = if zero_count > 0 {
            ((1.0 - capped_sum) / zero_count as f64).clamp(floor, cap)
        } else {
            0.0
        };
        return normalised
            .iter()
            .map(|w| if *w > 0.0 { cap } else { each })
            .collect();
    }
    let mut low = 0.0;
    for _ in 0..200 {
        let middle = 0.5 * (low + high);
        if middle == low || middle == high {
            // `low` and `high` are adjacent numbers. `low` only ever takes a middle whose sum is
            // below 1 (or is the first 0, which no middle of high ≥ 1 equals) and `high` one
            // whose sum is not, so every further step would leave both as they are: stop, with
            // the result of all 200 steps (usually after about 60).
            break;
        }
        if sum_at(middle) < 1.0 {
            low = middle;
        } else {
            high = middle;
        }
    }
    normalised
        .iter()
        .map(|w| (high * w).clamp(floor, cap))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unconstrained_shares_are_proportional() {
        let shares = constrained_shares(&[1.0, 3.0], 0.0, 1.0);
        assert!((shares[0] - 0.25).abs() < 1e-12 && (shares[1] - 0.75).abs() < 1e-12);
    }

    #[test]
    fn cap_moves_excess_to_the_others_in_proportion() {
        // Weights 6:3:1, cap 0.4: the first is capped at 0.4; 0.6 left split 3:1 → 0.45, 0.15.
        let shares = constrained_shares(&[6.0, 3.0, 1.0], 0.0, 0.4);
        let expected = [0.4, 0.4, 0.2];
        // 0.45 exceeds the cap too, so both are capped and the last gets 0.2.
        for (share, want) in shares.iter().zip(expected) {
            assert!((share - want).abs() < 1e-9, "{shares:?}");
        }
    }

    #[test]
    fn floor_lifts_small_weights() {
        // Weights 98:1:1 with floor 0.1: two at 0.1, the first gets 0.8.
        let shares = constrained_shares(&[98.0, 1.0, 1.0], 0.1, 1.0);
        assert!(
            (shares[0] - 0.8).abs() < 1e-9 && (shares[1] - 0.1).abs() < 1e-9,
            "{shares:?}"
        );
    }

    #[test]
    fn zero_weights_take_the_rest_when_positive_ones_are_capped() {
        let shares = constrained_shares(&[1.0, 0.0, 0.0], 0.0, 0.5);
        assert_eq!(shares, vec![0.5, 0.25, 0.25]);
    }

    #[test]
    fn all_zero_weights_split_equally() {
        assert_eq!(constrained_shares(&[0.0, 0.0], 0.0, 1.0), vec![0.5, 0.5]);
    }
}
