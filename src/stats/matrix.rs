//! Small dense symmetric matrices (row-major `Vec<f64>`): the Cholesky factorisation and the
//! inverse that partial rank correlations and the Iman–Conover method need. Sizes are the number
//! of uncertain inputs (tens), so plain O(k³) loops are the clear choice.

/// Lower-triangular Cholesky factor `L` of the symmetric `k × k` matrix `a` (row-major), with
/// `a = L Lᵀ`, or `None` when `a` is not positive definite (a pivot is not above a relative
/// tolerance of 1e-10 of the diagonal). Golub & Van Loan, *Matrix Computations*, §4.2.
pub fn cholesky(a: &[f64], k: usize) -> Option<Vec<f64>> {
    debug_assert_eq!(a.len(), k * k);
    let mut l = vec![0.0; k * k];
    for i in 0..k {
        for j in 0..=i {
            let mut sum = a[i * k + j];
            for m in 0..j {
                sum -= l[i * k + m] * l[j * k + m];
            }
            if i == j {
                let scale = a[i * k + i].abs().max(f64::MIN_POSITIVE);
                if sum.is_nan() || sum <= 1e-10 * scale || !sum.is_finite() {
                    return None;
                }
                l[i * k + i] = sum.sqrt();
            } else {
                l[i * k + j] = sum / l[j * k + j];
            }
        }
    }
    Some(l)
}

/// The index of the first pivot at which [`cholesky`] fails, or `None` when `a` is positive
/// definite: the leading `(m + 1) × (m + 1)` block is the smallest one that is not.
pub fn first_failing_pivot(a: &[f64], k: usize) -> Option<usize> {
    (1..=k)
        .find(|&m| {
            let block: Vec<f64> = (0..m)
                .flat_map(|i| (0..m).map(move |j| (i, j)))
                .map(|(i, j)| a[i * k + j])
                .collect();
            cholesky(&block, m).is_none()
        })
        .map(|m| m - 1)
}

/// Inverse of the lower-triangular `l` (`k × k`, nonzero diagonal), by forward substitution.
pub fn lower_triangular_inverse(l: &[f64], k: usize) -> Vec<f64> {
    let mut inverse = vec![0.0; k * k];
    for column in 0..k {
        for row in column..k {
            let mut sum = if row == column { 1.0 } else { 0.0 };
            for m in column..row {
                sum -= l[row * k + m] * inverse[m * k + column];
            }
            inverse[row * k + column] = sum / l[row * k + row];
        }
    }
    inverse
}

/// Inverse of a symmetric positive definite `k × k` matrix through its Cholesky factor
/// (`a⁻¹ = L⁻ᵀ L⁻¹`), or `None` when `a` is not positive definite.
pub fn spd_inverse(a: &[f64], k: usize) -> Option<Vec<f64>> {
    let l = cholesky(a, k)?;
    let l_inverse = lower_triangular_inverse(&l, k);
    let mut inverse = vec![0.0; k * k];
    for i in 0..k {
        for j in 0..=i {
            let sum: f64 = (i.max(j)..k)
                .map(|m| l_inverse[m * k + i] * l_inverse[m * k + j])
                .sum();
            inverse[i * k + j] = sum;
            inverse[j * k + i] = sum;
        }
    }
    Some(inverse)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cholesky_of_a_hand_computed_matrix() {
        // [[4, 12, -16], [12, 37, -43], [-16, -43, 98]] = L Lᵀ with L = [[2,0,0],[6,1,0],[-8,5,3]].
        let a = [4.0, 12.0, -16.0, 12.0, 37.0, -43.0, -16.0, -43.0, 98.0];
        let l = cholesky(&a, 3).unwrap();
        let expected = [2.0, 0.0, 0.0, 6.0, 1.0, 0.0, -8.0, 5.0, 3.0];
        for (got, want) in l.iter().zip(expected) {
            assert!((got - want).abs() < 1e-12, "{l:?}");
        }
    }

    #[test]
    fn inverse_times_matrix_is_the_identity() {
        let a = [4.0, 12.0, -16.0, 12.0, 37.0, -43.0, -16.0, -43.0, 98.0];
        let inverse = spd_inverse(&a, 3).unwrap();
        for i in 0..3 {
            for j in 0..3 {
                let product: f64 = (0..3).map(|m| a[i * 3 + m] * inverse[m * 3 + j]).sum();
                let identity = if i == j { 1.0 } else { 0.0 };
                assert!((product - identity).abs() < 1e-9, "({i},{j}) {product}");
            }
        }
    }

    #[test]
    fn matrices_that_are_not_positive_definite_are_refused() {
        // Correlations 0.9, 0.9 and −0.9 cannot hold together (determinant < 0).
        let a = [1.0, 0.9, 0.9, 0.9, 1.0, -0.9, 0.9, -0.9, 1.0];
        assert!(cholesky(&a, 3).is_none());
        assert_eq!(first_failing_pivot(&a, 3), Some(2));
        // A perfect correlation is semi-definite but singular: refused too.
        assert!(cholesky(&[1.0, 1.0, 1.0, 1.0], 2).is_none());
        assert_eq!(first_failing_pivot(&[1.0, 1.0, 1.0, 1.0], 2), Some(1));
        assert_eq!(first_failing_pivot(&[1.0, 0.5, 0.5, 1.0], 2), None);
    }
}
