//! Bucket counts of one sign of a [`super::QuantileSketch`]: sparse while few buckets are in use,
//! dense once a dense array is no larger.
//!
//! A run's outcomes are aggregated into tens of thousands of sketches at once (one per quarter,
//! cluster and outcome, and one set per block of runs in flight), most of which see a handful
//! of distinct values (counts of firms, of clusters). A dense array over the span of the
//! buckets used costs 8 bytes per bucket of span — 25 KB for values from 1 to 500 even when only
//! ten distinct values occur — so a store starts as a sorted list of (bucket, count) pairs and
//! turns dense only when it holds a few dozen pairs and the dense array would be no larger than
//! the list (a span of at most twice the pairs), or when the list grows long. Either way the counts are the same, so equality, quantiles and
//! merges do not depend on the layout.

use super::sketch::key_bounds;

/// Sparse pairs beyond which a store turns dense whatever its span (keeps insertion cheap).
const SPARSE_LIMIT: usize = 2048;
/// Sparse pairs below which a store stays sparse whatever its span (at most 512 bytes).
const SPARSE_MINIMUM: usize = 32;

/// Bucket counts (see the module docs).
#[derive(Debug, Clone)]
pub(super) enum Store {
    /// (bucket index, count) pairs, ascending by index, counts non-zero.
    Sparse(Vec<(i32, u64)>),
    /// `counts[k]` is the count of bucket `offset + k` (zero-count slack at either end).
    Dense { offset: i32, counts: Vec<u64> },
}

impl Default for Store {
    fn default() -> Self {
        Store::Sparse(Vec::new())
    }
}

impl PartialEq for Store {
    fn eq(&self, other: &Self) -> bool {
        self.buckets().eq(other.buckets())
    }
}

impl Store {
    /// Empties the store, keeping a sparse list's allocation for reuse.
    pub(super) fn clear(&mut self) {
        match self {
            Store::Sparse(pairs) => pairs.clear(),
            Store::Dense { .. } => *self = Store::default(),
        }
    }

    /// Adds `n` to bucket `index`.
    pub(super) fn add(&mut self, index: i32, n: u64) {
        match self {
            Store::Sparse(pairs) => {
                match pairs.binary_search_by_key(&index, |&(i, _)| i) {
                    Ok(at) => pairs[at].1 += n,
                    Err(at) => pairs.insert(at, (index, n)),
                }
                self.densify_if_smaller();
            }
            Store::Dense { .. } => {
                self.cover(index, index);
                if let Store::Dense { offset, counts } = self {
                    counts[(index - *offset) as usize] += n;
                }
            }
        }
    }

    /// Folds `other`'s counts in.
    pub(super) fn merge(&mut self, other: &Store) {
        match (&mut *self, other) {
            (Store::Sparse(pairs), Store::Sparse(theirs)) => {
                merge_sparse(pairs, theirs);
                self.densify_if_smaller();
            }
            (_, other) => {
                let Some((low, high)) = other.span() else {
                    return;
                };
                if let Store::Sparse(_) = self {
                    self.densify();
                }
                self.cover(low, high);
                if let Store::Dense { offset, counts } = self {
                    for (index, count) in other.buckets() {
                        counts[(index - *offset) as usize] += count;
                    }
                }
            }
        }
    }

    /// `(bucket index, count)` of the non-empty buckets in ascending index order.
    pub(super) fn buckets(&self) -> Box<dyn DoubleEndedIterator<Item = (i32, u64)> + '_> {
        match self {
            Store::Sparse(pairs) => Box::new(pairs.iter().copied()),
            Store::Dense { offset, counts } => Box::new(
                counts
                    .iter()
                    .enumerate()
                    .filter(|(_, count)| **count != 0)
                    .map(move |(k, &count)| (offset + k as i32, count)),
            ),
        }
    }

    /// Lowest and highest non-empty bucket, None when empty.
    fn span(&self) -> Option<(i32, i32)> {
        let mut buckets = self.buckets();
        let (low, _) = buckets.next()?;
        let high = buckets.next_back().map_or(low, |(index, _)| index);
        Some((low, high))
    }

    /// Cells allocated (pairs or dense slots), for tests of the layout.
    #[cfg(test)]
    pub(super) fn cells(&self) -> usize {
        match self {
            Store::Sparse(pairs) => pairs.len(),
            Store::Dense { counts, .. } => counts.len(),
        }
    }

    fn densify_if_smaller(&mut self) {
        if let Store::Sparse(pairs) = self
            && let (Some(first), Some(last)) = (pairs.first(), pairs.last())
        {
            let span = (last.0 - first.0) as usize + 1;
            if (pairs.len() >= SPARSE_MINIMUM && span <= 2 * pairs.len())
                || pairs.len() > SPARSE_LIMIT
            {
                self.densify();
            }
        }
    }

    fn densify(&mut self) {
        if let Store::Sparse(pairs) = self {
            let pairs = std::mem::take(pairs);
            *self = Store::Dense {
                offset: 0,
                counts: Vec::new(),
            };
            if let (Some(first), Some(last)) = (pairs.first(), pairs.last()) {
                self.cover(first.0, last.0);
                if let Store::Dense { offset, counts } = self {
                    for (index, count) in pairs {
                        counts[(index - *offset) as usize] += count;
                    }
                }
            }
        }
    }

    /// Grows a dense range so that it contains `low..=high`, with geometric slack so that
    /// growth stays amortised O(1) per bucket even when new extremes keep arriving (e.g. sorted
    /// input); never past the reachable index range.
    fn cover(&mut self, low: i32, high: i32) {
        let Store::Dense { offset, counts } = self else {
            return;
        };
        debug_assert!(low <= high);
        if counts.is_empty() {
            *offset = low;
            *counts = vec![0; (high - low) as usize + 1];
            return;
        }
        let current_low = *offset;
        let current_high = *offset + counts.len() as i32 - 1;
        if low >= current_low && high <= current_high {
            return;
        }
        let slack = (counts.len() / 2) as i32;
        let (min_key, max_key) = key_bounds();
        let new_low = if low < current_low {
            low.min((current_low - slack).max(min_key))
        } else {
            current_low
        };
        let new_high = if high > current_high {
            high.max((current_high + slack).min(max_key))
        } else {
            current_high
        };
        let mut grown = vec![0; (new_high - new_low) as usize + 1];
        let start = (current_low - new_low) as usize;
        grown[start..start + counts.len()].copy_from_slice(counts);
        *offset = new_low;
        *counts = grown;
    }
}

/// Adds the ascending `(index, count)` pairs `theirs` into the ascending `pairs`, in place: one
/// pass counts the indices new to `pairs`, which grows by that many, and a second pass merges
/// from the top down into the grown list (no new allocation unless the list must grow).
fn merge_sparse(pairs: &mut Vec<(i32, u64)>, theirs: &[(i32, u64)]) {
    let (mut a, mut new) = (0, 0);
    for &(index, _) in theirs {
        while a < pairs.len() && pairs[a].0 < index {
            a += 1;
        }
        if a == pairs.len() || pairs[a].0 != index {
            new += 1;
        }
    }
    let mine = pairs.len();
    if new == 0 {
        let mut a = 0;
        for &(index, count) in theirs {
            while pairs[a].0 < index {
                a += 1;
            }
            pairs[a].1 += count;
        }
        return;
    }
    pairs.resize(mine + new, (0, 0));
    // Merge from the top: `out` is the next slot to fill, above every unread pair of either list.
    let (mut a, mut b, mut out) = (mine, theirs.len(), mine + new);
    while b > 0 {
        out -= 1;
        let theirs_top = theirs[b - 1];
        if a > 0 && pairs[a - 1].0 > theirs_top.0 {
            pairs[out] = pairs[a - 1];
            a -= 1;
        } else if a > 0 && pairs[a - 1].0 == theirs_top.0 {
            pairs[out] = (theirs_top.0, pairs[a - 1].1 + theirs_top.1);
            a -= 1;
            b -= 1;
        } else {
            pairs[out] = theirs_top;
            b -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store_of(indices: &[i32]) -> Store {
        let mut store = Store::default();
        indices.iter().for_each(|&i| store.add(i, 1));
        store
    }

    #[test]
    fn few_spread_buckets_stay_sparse_and_many_close_ones_turn_dense() {
        let sparse = store_of(&[0, 1000, 3000, 1000]);
        assert!(matches!(sparse, Store::Sparse(_)));
        assert_eq!(sparse.cells(), 3);
        let close: Vec<i32> = (5..5 + SPARSE_MINIMUM as i32).collect();
        let dense = store_of(&close);
        assert!(matches!(dense, Store::Dense { .. }));
        assert_eq!(dense.cells(), SPARSE_MINIMUM);
        assert!(dense.buckets().eq(close.iter().map(|&i| (i, 1))));
    }

    #[test]
    fn sparse_merges_in_place_match_a_sorted_count() {
        use std::collections::BTreeMap;
        let lists: [&[i32]; 6] = [
            &[],
            &[5],
            &[1, 2, 3],
            &[-4, 2, 9, 11],
            &[0, 1, 2, 3, 9, 12, 40],
            &[-10, 3, 50],
        ];
        for mine in lists {
            for theirs in lists {
                let (a, b) = (store_of(mine), store_of(&[theirs, theirs].concat()));
                let mut merged = a.clone();
                merged.merge(&b);
                let mut expected = BTreeMap::new();
                for index in mine.iter().chain(theirs).chain(theirs) {
                    *expected.entry(*index).or_insert(0u64) += 1;
                }
                let got: Vec<(i32, u64)> = merged.buckets().collect();
                assert_eq!(got, expected.into_iter().collect::<Vec<_>>());
            }
        }
    }

    #[test]
    fn the_layout_does_not_change_counts_equality_or_merges() {
        let a = store_of(&[0, 1000, 3000, 1000, -7]);
        let b = store_of(&[1, 2, 3, 4, 1000]);
        let mut ab = a.clone();
        ab.merge(&b);
        let mut ba = b.clone();
        ba.merge(&a);
        let all = store_of(&[0, 1000, 3000, 1000, -7, 1, 2, 3, 4, 1000]);
        assert_eq!(ab, all);
        assert_eq!(ba, all);
        assert_eq!(
            ab.buckets().collect::<Vec<_>>(),
            [
                (-7, 1),
                (0, 1),
                (1, 1),
                (2, 1),
                (3, 1),
                (4, 1),
                (1000, 3),
                (3000, 1)
            ]
        );
        assert_eq!(ab.buckets().next_back(), Some((3000, 1)));
    }
}
