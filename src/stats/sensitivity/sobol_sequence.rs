//! The Sobol' low-discrepancy sequence in base 2, with a seeded random linear matrix scramble and
//! digital shift.
//!
//! Point `i` of dimension `j` is the XOR of the direction numbers `v_{j,b}` for the set bits `b`
//! of `i` (Bratley & Fox 1988, Algorithm 659; natural order, so any power-of-two prefix of the
//! sequence is the same point set as in Gray-code order). Direction numbers are those of Joe &
//! Kuo (2008), see [`super::direction_numbers`].
//!
//! Scrambling (Matoušek 1998, "On the L2-discrepancy for anchored boxes", J. Complexity 14; Owen
//! 2003, "Variance with alternative scramblings of digital nets", ACM TOMACS 13): each dimension's
//! 32 binary digits are multiplied by a random lower-triangular binary matrix with a unit diagonal
//! (digit `k` of the result is digit `k` of the input XOR a random combination of the earlier,
//! more significant digits) and then XORed with a random digital shift. The matrix and shift of
//! each dimension come from a ChaCha8 stream keyed by the seed and the dimension, so a scrambled
//! sequence is a pure function of (seed, point, dimension). The scramble keeps the net property
//! (every power-of-two prefix of 2^m points still puts one point in each elementary interval of
//! volume 2^-m in every coordinate) and makes every point uniform on the unit cube, so estimates
//! from it are unbiased and independent replicates can be drawn with different seeds.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::direction_numbers::JOE_KUO;

/// Binary digits per coordinate.
const BITS: u32 = 32;

/// Most dimensions the sequence has (dimension 1 plus one per row of Joe & Kuo's table).
pub const MAX_DIMENSIONS: usize = JOE_KUO.len() + 1;

/// Why a sequence could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SobolError {
    /// More dimensions were asked for than the direction numbers cover.
    #[error("the Sobol' sequence has at most {MAX_DIMENSIONS} dimensions (asked for {0})")]
    TooManyDimensions(usize),
}

/// The direction integers `v_{j,1..32}` (scaled by 2^32) of one dimension.
fn direction_integers(dimension: usize) -> [u32; BITS as usize] {
    let mut v = [0u32; BITS as usize];
    if dimension == 0 {
        for (bit, value) in v.iter_mut().enumerate() {
            *value = 1u32 << (BITS - 1 - bit as u32);
        }
        return v;
    }
    let (degree, coefficients, initial) = JOE_KUO[dimension - 1];
    let degree = degree as usize;
    for bit in 0..BITS as usize {
        if bit < degree {
            v[bit] = initial[bit] << (BITS - 1 - bit as u32);
        } else {
            // Bratley & Fox's recurrence: the polynomial's inner coefficients are the bits of a.
            let mut value = v[bit - degree] ^ (v[bit - degree] >> degree);
            for k in 1..degree {
                if (coefficients >> (degree - 1 - k)) & 1 == 1 {
                    value ^= v[bit - k];
                }
            }
            v[bit] = value;
        }
    }
    v
}

/// One dimension's scramble: the rows of a lower-triangular binary matrix (row `k` has bit
/// `31 − k` set and random bits above it) and a digital shift.
#[derive(Debug, Clone)]
struct Scramble {
    rows: [u32; BITS as usize],
    shift: u32,
}

impl Scramble {
    fn new<R: Rng + ?Sized>(rng: &mut R) -> Self {
        let mut rows = [0u32; BITS as usize];
        for (digit, row) in rows.iter_mut().enumerate() {
            let diagonal = 1u32 << (BITS - 1 - digit as u32);
            // Bits strictly more significant than the diagonal.
            let above = !(diagonal | (diagonal - 1));
            *row = diagonal | (rng.next_u32() & above);
        }
        Scramble {
            rows,
            shift: rng.next_u32(),
        }
    }

    fn apply(&self, x: u32) -> u32 {
        let mut y = 0u32;
        for (digit, row) in self.rows.iter().enumerate() {
            let bit = (row & x).count_ones() & 1;
            y |= bit << (BITS - 1 - digit as u32);
        }
        y ^ self.shift
    }
}

/// A (possibly scrambled) Sobol' sequence of a fixed number of dimensions.
#[derive(Debug, Clone)]
pub struct SobolSequence {
    directions: Vec<[u32; BITS as usize]>,
    scrambles: Option<Vec<Scramble>>,
}

impl SobolSequence {
    /// The unscrambled sequence (its first point is the origin).
    pub fn new(dimensions: usize) -> Result<Self, SobolError> {
        if dimensions > MAX_DIMENSIONS {
            return Err(SobolError::TooManyDimensions(dimensions));
        }
        Ok(SobolSequence {
            directions: (0..dimensions).map(direction_integers).collect(),
            scrambles: None,
        })
    }

    /// The sequence scrambled with a linear matrix scramble and digital shift drawn from
    /// ChaCha8 streams keyed by (`seed`, dimension).
    pub fn scrambled(dimensions: usize, seed: u64) -> Result<Self, SobolError> {
        let mut sequence = Self::new(dimensions)?;
        sequence.scrambles = Some(
            (0..dimensions)
                .map(|dimension| {
                    let mut rng = ChaCha8Rng::seed_from_u64(seed);
                    rng.set_stream(dimension as u64);
                    Scramble::new(&mut rng)
                })
                .collect(),
        );
        Ok(sequence)
    }

    /// Number of dimensions.
    pub fn dimensions(&self) -> usize {
        self.directions.len()
    }

    /// The 32 binary digits of coordinate `dimension` of point `index`.
    pub fn digits(&self, index: u32, dimension: usize) -> u32 {
        let directions = &self.directions[dimension];
        let mut x = 0u32;
        let mut rest = index;
        let mut bit = 0;
        while rest > 0 {
            if rest & 1 == 1 {
                x ^= directions[bit];
            }
            rest >>= 1;
            bit += 1;
        }
        match &self.scrambles {
            Some(scrambles) => scrambles[dimension].apply(x),
            None => x,
        }
    }

    /// Point `index` as coordinates in [0, 1): the digits over 2^32. Unscrambled points are the
    /// published dyadic values (0, 0.5, 0.75, 0.25, …).
    pub fn point(&self, index: u32) -> Vec<f64> {
        (0..self.dimensions())
            .map(|dimension| f64::from(self.digits(index, dimension)) / 2f64.powi(BITS as i32))
            .collect()
    }

    /// Point `index` as coordinates strictly inside (0, 1): the centre of the point's cell of
    /// width 2^-32, so that quantile functions of unbounded distributions stay finite.
    pub fn open_point(&self, index: u32) -> Vec<f64> {
        (0..self.dimensions())
            .map(|dimension| {
                (f64::from(self.digits(index, dimension)) + 0.5) / 2f64.powi(BITS as i32)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_points_equal_the_published_values() {
        // Joe & Kuo's sobol.cc with new-joe-kuo-6.21201 prints, for 3 dimensions, the points
        // 0 0 0 / 0.5 0.5 0.5 / 0.75 0.25 0.25 / 0.25 0.75 0.75 / 0.375 0.375 0.625 /
        // 0.875 0.875 0.125 / 0.625 0.125 0.875 / 0.125 0.625 0.375 in Gray-code order; in
        // natural order the same points come as below (the first 2, 4 and 8 points are the same
        // sets).
        let sequence = SobolSequence::new(3).unwrap();
        let expected = [
            [0.0, 0.0, 0.0],
            [0.5, 0.5, 0.5],
            [0.25, 0.75, 0.75],
            [0.75, 0.25, 0.25],
            [0.125, 0.625, 0.375],
            [0.625, 0.125, 0.875],
            [0.375, 0.375, 0.625],
            [0.875, 0.875, 0.125],
        ];
        for (index, point) in expected.iter().enumerate() {
            assert_eq!(
                sequence.point(index as u32),
                point.to_vec(),
                "point {index}"
            );
        }
    }

    #[test]
    fn dimension_four_follows_the_recurrence() {
        // Dimension 4: s = 3, a = 1, m = (1, 3, 1); its m_4 from the recurrence
        // m_4 = 2 a_1 m_3 ⊕ 2^2 a_2 m_2 ⊕ 2^3 m_1 ⊕ m_1 with (a_1, a_2) = (0, 1):
        // 4·3 ⊕ 8·1 ⊕ 1 = 12 ⊕ 8 ⊕ 1 = 5.
        let v = direction_integers(3);
        assert_eq!(v[0] >> 31, 1);
        assert_eq!(v[1] >> 30, 3);
        assert_eq!(v[2] >> 29, 1);
        assert_eq!(v[3] >> 28, 5);
    }

    /// Each of the first 2^m points of each dimension lies in its own interval
    /// [j/2^m, (j+1)/2^m): the one-dimensional net property, which every valid set of direction
    /// numbers has and a mistyped one loses.
    fn assert_stratified(sequence: &SobolSequence, m: u32) {
        let n = 1u32 << m;
        for dimension in 0..sequence.dimensions() {
            let mut seen = vec![false; n as usize];
            for index in 0..n {
                let cell = (sequence.digits(index, dimension) >> (BITS - m)) as usize;
                assert!(
                    !seen[cell],
                    "dimension {dimension}: two points in cell {cell}"
                );
                seen[cell] = true;
            }
        }
    }

    #[test]
    fn every_dimension_is_stratified_with_and_without_scrambling() {
        assert_stratified(&SobolSequence::new(MAX_DIMENSIONS).unwrap(), 10);
        assert_stratified(&SobolSequence::scrambled(MAX_DIMENSIONS, 7).unwrap(), 10);
    }

    #[test]
    fn pairs_of_dimensions_are_two_dimensional_nets() {
        // For dimensions 1 and 2 (t = 0 in two dimensions) every 2^a × 2^b box with a + b = m
        // holds exactly one of the first 2^m points; the scramble keeps that.
        for sequence in [
            SobolSequence::new(2).unwrap(),
            SobolSequence::scrambled(2, 3).unwrap(),
        ] {
            let m = 8;
            for a in 0..=m {
                let b = m - a;
                let mut seen = vec![false; 1 << m];
                for index in 0..(1u32 << m) {
                    let x = if a == 0 {
                        0
                    } else {
                        sequence.digits(index, 0) >> (BITS - a)
                    };
                    let y = if b == 0 {
                        0
                    } else {
                        sequence.digits(index, 1) >> (BITS - b)
                    };
                    let cell = ((x << b) | y) as usize;
                    assert!(!seen[cell], "box {a}×{b}: cell {cell} twice");
                    seen[cell] = true;
                }
            }
        }
    }

    #[test]
    fn scrambling_depends_on_the_seed_only() {
        let a = SobolSequence::scrambled(5, 11).unwrap();
        let b = SobolSequence::scrambled(5, 11).unwrap();
        let c = SobolSequence::scrambled(5, 12).unwrap();
        assert_eq!(a.point(37), b.point(37));
        assert_ne!(a.point(37), c.point(37));
        assert!(a.open_point(0).iter().all(|u| *u > 0.0 && *u < 1.0));
    }

    #[test]
    fn scrambled_points_average_to_one_half() {
        // 4096 points of a scrambled net: each coordinate's mean is within 2^-12 of 1/2 (the
        // points are one per interval of width 2^-12, so the mean differs from 1/2 by less than
        // half that width).
        let sequence = SobolSequence::scrambled(20, 5).unwrap();
        let n = 4096;
        let mut sums = vec![0.0; 20];
        for index in 0..n {
            for (sum, u) in sums.iter_mut().zip(sequence.point(index)) {
                *sum += u;
            }
        }
        for sum in sums {
            assert!((sum / f64::from(n) - 0.5).abs() < 1.0 / 4096.0, "{sum}");
        }
    }

    #[test]
    fn too_many_dimensions_is_an_error() {
        assert_eq!(
            SobolSequence::new(MAX_DIMENSIONS + 1).unwrap_err(),
            SobolError::TooManyDimensions(MAX_DIMENSIONS + 1)
        );
    }
}
