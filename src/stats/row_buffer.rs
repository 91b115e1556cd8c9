//! Rows of values buffered, sorted by cell and pushed straight into the accumulators of a
//! total: the fold of a unit of runs.
//!
//! Pushing a row straight into the accumulators visits every cell with a value once per row,
//! and each visit reaches the cell's accumulator and its heap blocks (exact-sum limbs, sketch
//! buckets): scattered over megabytes, these are cache misses, ~300 ns per value on the
//! baseline. A [`RowBuffer`] only appends each row's explicit values with their cells
//! (sequential writes) and counts its non-finite ones. [`RowBuffer::seal`] then sorts the
//! values by cell (a counting sort) and, inside a cell, by bits, and keeps each distinct value
//! once with its multiplicity (35% of a unit's values repeat in their cell). Adding the sealed
//! buffer to a total ([`RowBuffer::add_to`], [`RowBuffer::add_to_dense`]) pushes each cell's
//! values together, in ascending cell order, so each accumulator of the total is reached once
//! per buffer instead of once per row, and no accumulator is built for the buffer itself.
//!
//! The result is the accumulators that pushing every row would have built, bit for bit: an
//! [`Accumulator`] is a function of the multiset of values pushed (exact sums, integer bucket
//! counts, exact extremes), and `+0.0`s and non-finite values are counted exactly as
//! [`SparseAccumulators`] counts them.

use super::{Accumulator, SparseAccumulators};

/// A cell's distinct value and how many times the buffered rows gave it to the cell.
#[derive(Debug, Clone, Copy)]
struct Entry {
    cell: u32,
    count: u32,
    value: f64,
}

/// Rows waiting to be added to accumulators of the same cells, cell by cell (see the module
/// docs).
#[derive(Debug, Clone, Default)]
pub struct RowBuffer {
    /// Rows buffered.
    rows: u32,
    /// Per cell: non-finite values buffered.
    nonfinite: Vec<u32>,
    /// Explicit values buffered: the first `buffered` of `cells` and `values` (beyond them,
    /// room for the next row).
    buffered: usize,
    /// Cell of each buffered explicit value, in row order.
    cells: Vec<u32>,
    /// The buffered explicit values (neither `+0.0` nor non-finite), in row order.
    values: Vec<f64>,
    /// Scratch of the counting sort: per cell, where its values start in `sorted`.
    starts: Vec<u32>,
    /// Scratch of the counting sort: the bits of the values grouped by cell.
    sorted: Vec<u64>,
    /// The buffered values by ascending cell, then ascending bits, equal values once with their
    /// count: valid while `sealed`.
    entries: Vec<Entry>,
    /// Whether `entries` holds every buffered value.
    sealed: bool,
}

impl RowBuffer {
    /// An empty buffer for rows of `cells` values.
    ///
    /// # Panics
    ///
    /// If `cells` does not fit in a `u32` (far beyond any scenario the validation accepts).
    pub fn new(cells: usize) -> Self {
        assert!(cells < u32::MAX as usize, "too many cells: {cells}");
        Self {
            nonfinite: vec![0; cells],
            starts: vec![0; cells + 1],
            sealed: true,
            ..Self::default()
        }
    }

    /// Rows buffered.
    pub fn rows(&self) -> u64 {
        u64::from(self.rows)
    }

    /// Buffers one row: `values[i]` for cell `i`.
    ///
    /// # Panics
    ///
    /// If `values` does not have one value per cell, after `u32::MAX` rows without a
    /// [`clear`](Self::clear), or beyond `u32::MAX` explicit values.
    pub fn push_row(&mut self, values: &[f64]) {
        const EXPONENT: u64 = 0x7FF << 52;
        assert_eq!(
            values.len(),
            self.nonfinite.len(),
            "a row needs one value per cell"
        );
        self.rows = self
            .rows
            .checked_add(1)
            .expect("clear a RowBuffer before 2^32 rows");
        self.sealed = false;
        // Two passes without branches on the values: the counts of non-finite values (which
        // the compiler vectorises), then every value written at the next free slot, which moves
        // on only past an explicit value.
        for (nonfinite, &value) in self.nonfinite.iter_mut().zip(values) {
            *nonfinite += u32::from(value.to_bits() & EXPONENT == EXPONENT);
        }
        let start = self.buffered;
        let end = start + values.len();
        assert!(
            end < u32::MAX as usize,
            "clear a RowBuffer before 2^32 values"
        );
        if self.cells.len() < end {
            self.cells.resize(end, 0);
            self.values.resize(end, 0.0);
        }
        let (cells, kept_values) = (&mut self.cells[start..end], &mut self.values[start..end]);
        let mut kept = 0;
        for (cell, &value) in values.iter().enumerate() {
            let bits = value.to_bits();
            cells[kept] = cell as u32;
            kept_values[kept] = value;
            kept += usize::from(bits != 0 && bits & EXPONENT != EXPONENT);
        }
        self.buffered = start + kept;
    }

    /// Sorts the buffered values by cell and bits and counts equal values (see the module docs);
    /// done again only after more rows are pushed. [`Self::add_to`] seals first, so calling this
    /// is only a way to choose which thread does the work.
    pub fn seal(&mut self) {
        if self.sealed {
            return;
        }
        // Counting sort by cell: starts[c + 1] counts cell c, then becomes its start.
        self.starts.fill(0);
        let (cells, values) = (&self.cells[..self.buffered], &self.values[..self.buffered]);
        for &cell in cells {
            self.starts[cell as usize + 1] += 1;
        }
        for cell in 1..self.starts.len() {
            self.starts[cell] += self.starts[cell - 1];
        }
        self.sorted.resize(self.buffered, 0);
        for (&cell, &value) in cells.iter().zip(values) {
            let at = &mut self.starts[cell as usize];
            self.sorted[*at as usize] = value.to_bits();
            *at += 1;
        }
        // starts[c] is now the end of cell c's values and the start of cell c + 1's. Sort each
        // cell's values by bits and keep equal ones once with their count.
        self.entries.clear();
        let mut start = 0;
        for (cell, &end) in self.starts[..self.nonfinite.len()].iter().enumerate() {
            let end = end as usize;
            if end > start {
                let bits = &mut self.sorted[start..end];
                if bits.len() > 1 {
                    bits.sort_unstable();
                }
                for equal in bits.chunk_by(|a, b| a == b) {
                    self.entries.push(Entry {
                        cell: cell as u32,
                        count: equal.len() as u32,
                        value: f64::from_bits(equal[0]),
                    });
                }
            }
            start = end;
        }
        self.sealed = true;
    }

    /// Adds the buffered rows to `target` (of the same cells), exactly as pushing each row into
    /// it would; the buffer keeps them (see [`Self::clear`]).
    ///
    /// # Panics
    ///
    /// If `target` has another number of cells.
    pub fn add_to(&mut self, target: &mut SparseAccumulators) {
        self.seal();
        self.add_range_to(target, 0..self.nonfinite.len());
    }

    /// Adds the buffered rows' values of the cells `cells` to `target`, whose cell `i` is cell
    /// `cells.start + i` here; the buffer must be sealed ([`Self::seal`]), so that threads can
    /// add different ranges of one buffer at once.
    ///
    /// # Panics
    ///
    /// If the buffer is not sealed, or `target` does not have one cell per cell of `cells`.
    pub fn add_range_to(&self, target: &mut SparseAccumulators, cells: std::ops::Range<usize>) {
        assert!(self.sealed, "seal a RowBuffer before adding it");
        assert_eq!(target.len(), cells.len(), "one target cell per cell");
        target.add_rows(self.rows(), &self.nonfinite[cells.clone()]);
        let below = |end: usize| {
            self.entries
                .partition_point(|entry| (entry.cell as usize) < end)
        };
        let entries = &self.entries[below(cells.start)..below(cells.end)];
        for cell in entries.chunk_by(|a, b| a.cell == b.cell) {
            let accumulator = target.explicit_mut(cell[0].cell as usize - cells.start);
            for entry in cell {
                accumulator.push_n(entry.value, u64::from(entry.count));
            }
        }
    }

    /// Adds the sealed buffer's rows to `dense`, one accumulator per cell, exactly as pushing
    /// each row's values into them would (zeros included); the buffer keeps them (see
    /// [`Self::clear`]).
    ///
    /// # Panics
    ///
    /// If the buffer is not sealed ([`Self::seal`]) or `dense` does not have one accumulator per
    /// cell.
    pub fn add_to_dense(&self, dense: &mut [Accumulator]) {
        assert!(self.sealed, "seal a RowBuffer before adding it");
        assert_eq!(
            dense.len(),
            self.nonfinite.len(),
            "one accumulator per cell"
        );
        let mut cells = self.entries.chunk_by(|a, b| a.cell == b.cell).peekable();
        for (cell, (accumulator, nonfinite)) in dense.iter_mut().zip(&self.nonfinite).enumerate() {
            let mut explicit = 0;
            if let Some(entries) = cells.next_if(|entries| entries[0].cell as usize == cell) {
                for entry in entries {
                    accumulator.push_n(entry.value, u64::from(entry.count));
                    explicit += u64::from(entry.count);
                }
            }
            accumulator.push_zeros(self.rows() - explicit - u64::from(*nonfinite));
        }
    }

    /// Adds the buffered rows to `target` and empties the buffer.
    pub fn fold_into(&mut self, target: &mut SparseAccumulators) {
        self.add_to(target);
        self.clear();
    }

    /// Empties the buffer, keeping its allocations for the next rows.
    pub fn clear(&mut self) {
        self.rows = 0;
        self.nonfinite.fill(0);
        self.buffered = 0;
        self.entries.clear();
        self.sealed = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// Rows like a run's series: mostly +0.0 and NaN, some −0.0, tiny, negative, fractional and
    /// repeated integer values, and one cell that is always zero.
    fn rows(seed: u64, count: usize, cells: usize) -> Vec<Vec<f64>> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        (0..count)
            .map(|_| {
                (0..cells)
                    .map(|cell| match (cell, rng.random_range(0..10)) {
                        (0, _) => 0.0,
                        (_, 0..=3) => 0.0,
                        (_, 4..=5) => f64::NAN,
                        (_, 6..=7) => f64::from(rng.random_range(-3..40)),
                        (_, 8) => (rng.random::<f64>() - 0.3) * 1e6,
                        _ => [-0.0, 1e-310, f64::INFINITY, 7.25, 5e9][rng.random_range(0..5)],
                    })
                    .collect()
            })
            .collect()
    }

    /// Every value pushed into its own cell's accumulator, one row after the other.
    fn pushed(rows: &[Vec<f64>], cells: usize) -> Vec<Accumulator> {
        let mut dense = vec![Accumulator::new(); cells];
        for row in rows {
            for (accumulator, value) in dense.iter_mut().zip(row) {
                accumulator.push(*value);
            }
        }
        dense
    }

    #[test]
    fn adding_sealed_rows_equals_pushing_every_value() {
        let cells = 30;
        let all = rows(7, 250, cells);
        let expected = pushed(&all, cells);
        // In batches of 64 rows, into a sparse and a dense total, sealing or not beforehand.
        let mut sparse = SparseAccumulators::new(cells);
        let mut dense = vec![Accumulator::new(); cells];
        let mut buffer = RowBuffer::new(cells);
        for (batch, rows) in all.chunks(64).enumerate() {
            rows.iter().for_each(|row| buffer.push_row(row));
            if batch % 2 == 0 {
                buffer.seal();
            }
            buffer.add_to(&mut sparse);
            buffer.add_to_dense(&mut dense);
            assert_eq!(buffer.rows(), rows.len() as u64);
            buffer.clear();
        }
        assert_eq!(sparse.rows(), 250);
        for (cell, expected) in expected.iter().enumerate() {
            assert_eq!(sparse.accumulator(cell).state(), expected.state(), "{cell}");
            assert_eq!(dense[cell].state(), expected.state(), "{cell}");
        }
        // Cell 0 is all zeros: counted, no accumulator.
        assert!(sparse.explicit_cells() < cells);
        assert_eq!(dense[0].count(), 250);
        // Ranges of cells added apart, in any order, then joined: the same again.
        let mut buffer = RowBuffer::new(cells);
        all.iter().for_each(|row| buffer.push_row(row));
        buffer.seal();
        let ranges = [20..30, 0..7, 7..7, 7..20];
        let mut parts: Vec<(usize, SparseAccumulators)> = ranges
            .iter()
            .map(|cells| {
                let mut part = SparseAccumulators::new(cells.len());
                buffer.add_range_to(&mut part, cells.clone());
                (cells.start, part)
            })
            .collect();
        parts.sort_by_key(|(start, _)| *start);
        let joined = SparseAccumulators::concat(parts.into_iter().map(|(_, part)| part).collect());
        assert_eq!(joined.state(), sparse.state());
    }

    #[test]
    fn equal_values_are_kept_once_with_their_count() {
        let mut buffer = RowBuffer::new(3);
        for row in [
            [1.0, 0.0, -0.0],
            [2.0, f64::NAN, -0.0],
            [1.0, 0.0, 0.5],
            [1.0, 3.0, -0.0],
        ] {
            buffer.push_row(&row);
        }
        buffer.seal();
        let entries: Vec<(u32, u32, u64)> = buffer
            .entries
            .iter()
            .map(|entry| (entry.cell, entry.count, entry.value.to_bits()))
            .collect();
        // Cell 2: 0.5 sorts before −0.0 by bits (the sign bit is the highest).
        assert_eq!(
            entries,
            [
                (0, 3, 1f64.to_bits()),
                (0, 1, 2f64.to_bits()),
                (1, 1, 3f64.to_bits()),
                (2, 1, 0.5f64.to_bits()),
                (2, 3, (-0.0f64).to_bits()),
            ]
        );
        // Pushing more rows after sealing re-sorts everything.
        buffer.push_row(&[2.0, 3.0, 0.0]);
        let mut total = SparseAccumulators::new(3);
        buffer.add_to(&mut total);
        assert_eq!(total.rows(), 5);
        assert_eq!(total.accumulator(0).count(), 5);
        assert_eq!(total.accumulator(1).count(), 4);
        assert_eq!(total.accumulator(1).moments().mean(), 1.5);
        assert_eq!(total.accumulator(2).count(), 5);
    }
}
