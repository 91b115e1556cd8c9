//! A fixed array of [`Accumulator`]s that each take one value per row, stored sparsely: pushes of
//! `+0.0` and of non-finite values are counted, not pushed.
//!
//! A run's outcome series has one value per (quarter, cluster, outcome) — 77,840 on the
//! baseline — and most of them are `+0.0` (clusters that never formed, quarters before a
//! cluster's founding) or undefined (the network structure between year ends, ratios with
//! nothing to divide by): on the baseline about 45% and 38%. Pushing each into its own
//! accumulator touched ~12 MB of state per run. Here a row costs one pass over its values: a
//! `+0.0` costs nothing, a non-finite value one counter increment, and only the other values
//! (~17%) reach an accumulator, kept in a compact list of the cells that have any.
//!
//! Nothing is lost: an [`Accumulator`] is a function of the multiset of finite values pushed
//! (exact sums and integer bucket counts), skips non-finite values, and `n` pushes of `+0.0`
//! change it exactly as [`Accumulator::push_zeros`]`(n)` does. So cell `i` *is* the accumulator
//! of its explicit values plus `rows − explicit − non-finite` zeros ([`Self::accumulator`]),
//! bit for bit the one pushing every value would have built, whatever the order of rows and
//! merges. `−0.0` is not `+0.0` (the extremes tell them apart) and is pushed like any value.

use super::{Accumulator, AccumulatorState, AccumulatorStateError, Summary};

/// Marks a cell without explicit values in [`SparseAccumulators::position`].
const NONE: u32 = u32::MAX;

/// Accumulators of a fixed number of cells (see the module docs).
#[derive(Debug, Clone, Default)]
pub struct SparseAccumulators {
    /// Rows pushed (each row gives every cell one value) or merged in.
    rows: u64,
    /// Per cell: non-finite values pushed (skipped, as [`Accumulator::push`] skips them).
    nonfinite: Vec<u64>,
    /// Per cell: index into `explicit`, or [`NONE`].
    position: Vec<u32>,
    /// `(cell, accumulator of the cell's values that are neither +0.0 nor non-finite)`, in the
    /// order cells were first given such a value.
    explicit: Vec<(u32, Accumulator)>,
    /// Cleared accumulators kept for reuse (their allocations), see [`Self::clear`].
    spare: Vec<Accumulator>,
}

impl SparseAccumulators {
    /// `cells` empty accumulators.
    ///
    /// # Panics
    ///
    /// If `cells` does not fit in a `u32` (far beyond any scenario the validation accepts).
    pub fn new(cells: usize) -> Self {
        assert!(cells < NONE as usize, "too many accumulator cells: {cells}");
        Self {
            rows: 0,
            nonfinite: vec![0; cells],
            position: vec![NONE; cells],
            explicit: Vec::new(),
            spare: Vec::new(),
        }
    }

    /// Number of cells.
    pub fn len(&self) -> usize {
        self.position.len()
    }

    /// Whether there are no cells.
    pub fn is_empty(&self) -> bool {
        self.position.is_empty()
    }

    /// Rows pushed or merged in.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Cells holding explicit values (the rest hold only zeros and non-finite values).
    pub fn explicit_cells(&self) -> usize {
        self.explicit.len()
    }

    /// Pushes one row: `values[i]` into cell `i`.
    ///
    /// # Panics
    ///
    /// If `values` does not have one value per cell.
    pub fn push_row(&mut self, values: &[f64]) {
        assert_eq!(values.len(), self.len(), "a row needs one value per cell");
        self.rows += 1;
        for (cell, &value) in values.iter().enumerate() {
            if value.to_bits() == 0 {
                continue;
            }
            if !value.is_finite() {
                self.nonfinite[cell] += 1;
                continue;
            }
            self.explicit_mut(cell).push(value);
        }
    }

    /// Counts `rows` more rows, of which `nonfinite[i]` gave cell `i` a non-finite value (the
    /// rest of their values go through [`Self::explicit_mut`] or are `+0.0`).
    ///
    /// # Panics
    ///
    /// If `nonfinite` does not have one count per cell.
    pub(super) fn add_rows(&mut self, rows: u64, nonfinite: &[u32]) {
        assert_eq!(nonfinite.len(), self.len(), "one count per cell");
        self.rows += rows;
        for (total, count) in self.nonfinite.iter_mut().zip(nonfinite) {
            *total += u64::from(*count);
        }
    }

    /// The explicit accumulator of `cell`, created (from a spare) if it has none yet.
    pub(super) fn explicit_mut(&mut self, cell: usize) -> &mut Accumulator {
        let mut at = self.position[cell];
        if at == NONE {
            at = self.explicit.len() as u32;
            self.position[cell] = at;
            let accumulator = self.spare.pop().unwrap_or_default();
            self.explicit.push((cell as u32, accumulator));
        }
        &mut self.explicit[at as usize].1
    }

    /// Folds `other` in (same number of cells): exact, so the result does not depend on the order
    /// of rows and merges.
    ///
    /// # Panics
    ///
    /// If the cell counts differ.
    pub fn merge(&mut self, other: &SparseAccumulators) {
        assert_eq!(
            other.len(),
            self.len(),
            "merging accumulators of other cells"
        );
        self.rows += other.rows;
        for (mine, theirs) in self.nonfinite.iter_mut().zip(&other.nonfinite) {
            *mine += theirs;
        }
        for (cell, accumulator) in &other.explicit {
            self.explicit_mut(*cell as usize).merge(accumulator);
        }
    }

    /// The cells of `parts` one after the other (part 0's first), each part's accumulators
    /// moved, not merged: the inverse of filling consecutive ranges of cells apart (see
    /// [`super::RowBuffer::add_range_to`]).
    ///
    /// # Panics
    ///
    /// If the parts hold different numbers of rows, or the cells do not fit in a `u32`.
    pub fn concat(parts: Vec<SparseAccumulators>) -> SparseAccumulators {
        let mut whole = Self::new(parts.iter().map(Self::len).sum());
        whole.rows = parts.first().map_or(0, Self::rows);
        let mut offset = 0;
        for part in parts {
            assert_eq!(part.rows, whole.rows, "parts of other rows");
            whole.nonfinite[offset..offset + part.len()].copy_from_slice(&part.nonfinite);
            whole.explicit.reserve(part.explicit.len());
            for (cell, accumulator) in part.explicit {
                let cell = offset + cell as usize;
                whole.position[cell] = whole.explicit.len() as u32;
                whole.explicit.push((cell as u32, accumulator));
            }
            offset += part.position.len();
        }
        whole
    }

    /// Empties every cell, keeping the allocations for the next rows.
    pub fn clear(&mut self) {
        self.rows = 0;
        self.nonfinite.fill(0);
        for (cell, mut accumulator) in self.explicit.drain(..) {
            self.position[cell as usize] = NONE;
            accumulator.clear();
            self.spare.push(accumulator);
        }
    }

    /// Zeros pushed into `cell`: the rows whose value was neither explicit nor non-finite.
    fn zeros(&self, cell: usize, explicit: u64) -> u64 {
        self.rows - explicit - self.nonfinite[cell]
    }

    /// The accumulator of cell `cell`, exactly as pushing every value of the cell into one
    /// [`Accumulator`] would have built it.
    pub fn accumulator(&self, cell: usize) -> Accumulator {
        let mut accumulator = match self.position[cell] {
            NONE => Accumulator::new(),
            at => self.explicit[at as usize].1.clone(),
        };
        let zeros = self.zeros(cell, accumulator.count());
        accumulator.push_zeros(zeros);
        accumulator
    }

    /// Summary of cell `cell` (see [`Accumulator::summary`]).
    pub fn summary(&self, cell: usize) -> Summary {
        self.accumulator(cell).summary()
    }

    /// Merges every cell into `dense[cell]` (one accumulator per cell), zeros included.
    ///
    /// # Panics
    ///
    /// If `dense` does not have one accumulator per cell.
    pub fn merge_into(&self, dense: &mut [Accumulator]) {
        assert_eq!(dense.len(), self.len(), "one accumulator per cell");
        for (cell, accumulator) in dense.iter_mut().enumerate() {
            let explicit = match self.position[cell] {
                NONE => 0,
                at => {
                    let explicit = &self.explicit[at as usize].1;
                    accumulator.merge(explicit);
                    explicit.count()
                }
            };
            accumulator.push_zeros(self.zeros(cell, explicit));
        }
    }

    /// The serialisable, canonical state: equal for equal accumulators however they were built.
    pub fn state(&self) -> SparseAccumulatorsState {
        let mut explicit: Vec<(u32, AccumulatorState)> = self
            .explicit
            .iter()
            .map(|(cell, accumulator)| (*cell, accumulator.state()))
            .collect();
        explicit.sort_unstable_by_key(|(cell, _)| *cell);
        SparseAccumulatorsState {
            cells: self.len(),
            rows: self.rows,
            nonfinite: self
                .nonfinite
                .iter()
                .enumerate()
                .filter(|(_, count)| **count > 0)
                .map(|(cell, count)| (cell as u32, *count))
                .collect(),
            explicit,
        }
    }
}

/// The serialised form of [`SparseAccumulators`]: only the cells that hold something other than
/// zeros.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SparseAccumulatorsState {
    /// Number of cells.
    pub cells: usize,
    /// Rows pushed.
    pub rows: u64,
    /// `(cell, non-finite values)` of the cells that had any, ascending by cell.
    pub nonfinite: Vec<(u32, u64)>,
    /// `(cell, accumulator of its values other than +0.0)` of the cells that had any, ascending.
    pub explicit: Vec<(u32, AccumulatorState)>,
}

/// A serialised [`SparseAccumulators`] that is not consistent.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SparseAccumulatorsStateError {
    /// Cells out of range or not ascending.
    #[error("cells out of range or not in ascending order")]
    Cells,
    /// A cell counts more values than there are rows.
    #[error("cell {0} counts more values than the {1} rows")]
    Counts(u32, u64),
    /// An explicit accumulator is empty or malformed.
    #[error("cell {0}: {1}")]
    Accumulator(u32, AccumulatorStateError),
}

impl TryFrom<SparseAccumulatorsState> for SparseAccumulators {
    type Error = SparseAccumulatorsStateError;

    fn try_from(state: SparseAccumulatorsState) -> Result<Self, Self::Error> {
        if state.cells >= NONE as usize {
            return Err(SparseAccumulatorsStateError::Cells);
        }
        let ascending = |cells: Vec<u32>| {
            cells
                .last()
                .is_none_or(|last| (*last as usize) < state.cells)
                && cells.windows(2).all(|pair| pair[0] < pair[1])
        };
        if !ascending(state.nonfinite.iter().map(|(cell, _)| *cell).collect())
            || !ascending(state.explicit.iter().map(|(cell, _)| *cell).collect())
        {
            return Err(SparseAccumulatorsStateError::Cells);
        }
        let mut accumulators = Self::new(state.cells);
        accumulators.rows = state.rows;
        for (cell, count) in state.nonfinite {
            accumulators.nonfinite[cell as usize] = count;
        }
        for (cell, accumulator) in state.explicit {
            let accumulator = Accumulator::try_from(accumulator)
                .map_err(|error| SparseAccumulatorsStateError::Accumulator(cell, error))?;
            if accumulator.count() == 0 {
                return Err(SparseAccumulatorsStateError::Accumulator(
                    cell,
                    AccumulatorStateError::Counts(0, 0),
                ));
            }
            accumulators.position[cell as usize] = accumulators.explicit.len() as u32;
            accumulators.explicit.push((cell, accumulator));
        }
        for cell in 0..accumulators.len() {
            let explicit = match accumulators.position[cell] {
                NONE => 0,
                at => accumulators.explicit[at as usize].1.count(),
            };
            let counted = explicit.checked_add(accumulators.nonfinite[cell]);
            if counted.is_none_or(|counted| counted > accumulators.rows) {
                return Err(SparseAccumulatorsStateError::Counts(
                    cell as u32,
                    accumulators.rows,
                ));
            }
        }
        Ok(accumulators)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::RowBuffer;
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// Rows like a run's series: mostly +0.0 and NaN, some −0.0, tiny, negative and repeated
    /// integer values, and one cell that is always zero.
    fn rows(seed: u64, count: usize, cells: usize) -> Vec<Vec<f64>> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        (0..count)
            .map(|_| {
                (0..cells)
                    .map(|cell| match (cell, rng.random_range(0..10)) {
                        (0, _) => 0.0,
                        (_, 0..=3) => 0.0,
                        (_, 4..=6) => f64::NAN,
                        (_, 7) => f64::from(rng.random_range(-3..40)),
                        (_, 8) => (rng.random::<f64>() - 0.3) * 1e6,
                        _ => [-0.0, 1e-310, f64::INFINITY, 7.25][rng.random_range(0..4)],
                    })
                    .collect()
            })
            .collect()
    }

    fn dense(rows: &[Vec<f64>], cells: usize) -> Vec<Accumulator> {
        let mut dense = vec![Accumulator::new(); cells];
        for row in rows {
            for (accumulator, value) in dense.iter_mut().zip(row) {
                accumulator.push(*value);
            }
        }
        dense
    }

    fn sparse(rows: &[Vec<f64>], cells: usize) -> SparseAccumulators {
        let mut sparse = SparseAccumulators::new(cells);
        rows.iter().for_each(|row| sparse.push_row(row));
        sparse
    }

    fn assert_same(sparse: &SparseAccumulators, dense: &[Accumulator]) {
        for (cell, expected) in dense.iter().enumerate() {
            let got = sparse.accumulator(cell);
            assert_eq!(got.state(), expected.state(), "cell {cell}");
            let (a, b) = (got.summary(), expected.summary());
            assert_eq!(format!("{a:?}"), format!("{b:?}"), "cell {cell}");
        }
    }

    #[test]
    fn equals_pushing_every_value_into_its_own_accumulator() {
        let cells = 40;
        let all = rows(1, 300, cells);
        let expected = dense(&all, cells);
        let folded = sparse(&all, cells);
        assert_same(&folded, &expected);
        // The all-zero cell and a cell with no explicit value have no accumulator stored.
        assert!(folded.explicit_cells() < cells);
        assert_eq!(folded.summary(0).n, 300);
        assert_eq!(folded.summary(0).mean, 0.0);
        let mut merged = vec![Accumulator::new(); cells];
        folded.merge_into(&mut merged);
        for (a, b) in merged.iter().zip(&expected) {
            assert_eq!(a.state(), b.state());
        }
    }

    #[test]
    fn zeros_count_in_n_min_and_quantiles() {
        let mut folded = SparseAccumulators::new(2);
        for row in [[0.0, -0.0], [5.0, f64::NAN], [0.0, 3.0], [0.0, f64::NAN]] {
            folded.push_row(&row);
        }
        let first = folded.summary(0);
        assert_eq!(
            (first.n, first.p5, first.p50, first.p95),
            (4, 0.0, 0.0, 0.0)
        );
        assert_eq!(first.mean, 1.25);
        let extremes = folded.accumulator(0);
        assert_eq!(extremes.sketch().min(), Some(0.0));
        assert_eq!(extremes.sketch().max(), Some(5.0));
        // −0.0 is pushed as a value: the minimum is −0.0, not +0.0.
        let second = folded.accumulator(1);
        assert_eq!(second.count(), 2);
        assert_eq!(
            second.sketch().min().map(f64::to_bits),
            Some((-0.0f64).to_bits())
        );
    }

    #[test]
    fn any_split_and_merge_order_gives_the_same_state() {
        let cells = 25;
        let all = rows(2, 200, cells);
        let whole = sparse(&all, cells);
        let parts: Vec<SparseAccumulators> =
            all.chunks(32).map(|chunk| sparse(chunk, cells)).collect();
        let mut forward = SparseAccumulators::new(cells);
        parts.iter().for_each(|part| forward.merge(part));
        let mut backward = SparseAccumulators::new(cells);
        parts.iter().rev().for_each(|part| backward.merge(part));
        assert_eq!(forward.state(), whole.state());
        assert_eq!(backward.state(), whole.state());
        // Buffered rows folded in cell by cell, in two batches: the same again.
        let mut buffered = SparseAccumulators::new(cells);
        let mut buffer = RowBuffer::new(cells);
        for batch in all.chunks(120) {
            batch.iter().for_each(|row| buffer.push_row(row));
            buffer.fold_into(&mut buffered);
        }
        assert_eq!(buffered.state(), whole.state());
        assert_same(&backward, &dense(&all, cells));
        // Cleared and refilled (reusing the spare accumulators): as new.
        let mut reused = forward.clone();
        reused.clear();
        assert_eq!(reused.state(), SparseAccumulators::new(cells).state());
        all.iter().for_each(|row| reused.push_row(row));
        assert_eq!(reused.state(), whole.state());
    }

    #[test]
    fn states_round_trip_and_bad_ones_are_refused() {
        let cells = 12;
        let folded = sparse(&rows(3, 50, cells), cells);
        let state = folded.state();
        let back = SparseAccumulators::try_from(state.clone()).unwrap();
        assert_eq!(back.state(), state);
        let json = serde_json::to_string(&state).unwrap();
        let parsed: SparseAccumulatorsState = serde_json::from_str(&json).unwrap();
        assert_eq!(parsed, state);

        let mut bad = state.clone();
        bad.rows = 1;
        assert!(matches!(
            SparseAccumulators::try_from(bad),
            Err(SparseAccumulatorsStateError::Counts(..))
        ));
        let mut bad = state.clone();
        bad.explicit.reverse();
        assert_eq!(
            SparseAccumulators::try_from(bad).unwrap_err(),
            SparseAccumulatorsStateError::Cells
        );
        let mut bad = state.clone();
        bad.nonfinite.push((cells as u32, 1));
        assert_eq!(
            SparseAccumulators::try_from(bad).unwrap_err(),
            SparseAccumulatorsStateError::Cells
        );
        let mut bad = state;
        bad.explicit[0].1.sketch.zero += 1;
        assert!(matches!(
            SparseAccumulators::try_from(bad),
            Err(SparseAccumulatorsStateError::Accumulator(..))
        ));
    }
}
