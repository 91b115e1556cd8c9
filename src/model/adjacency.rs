//! The adjacency lists of one network, stored in one flat arena instead of a `Vec` per member.
//!
//! Each list is a block of the arena (`entries`) whose capacity is a power of two, at least
//! [`MIN_CAPACITY`]; a list that outgrows its block moves to a block twice the size and the old
//! block goes on a free list of its size, for the next list that needs one. A member's list gets
//! its first block with its first entry. Compared with a `Vec` per member this keeps the lists of
//! members that joined together next to each other, makes a list's position (`Span`, 16 bytes)
//! smaller than a `Vec`'s header, leaves no allocation per member, and puts the rare growth out of
//! the way of the common push ([`AdjacencyLists::push`] is a bounds check and a store).
//!
//! Semantically the lists are exactly a `Vec<Vec<(u32, u32)>>`: [`AdjacencyLists::push`] appends,
//! [`AdjacencyLists::swap_remove`] and [`AdjacencyLists::remove_list`] are `Vec::swap_remove` on a
//! list and on the lists. The order of every list is therefore the order the `Vec`s had, which
//! matters: the model draws a list entry by its position (a triadic candidate's neighbour), and
//! the order of neighbours feeds the year-end structure measures. A test checks the two against
//! each other on random operations.

/// Capacity of a list's first block (the baseline's mean degree is about 2.7).
const MIN_CAPACITY: u32 = 4;

/// "No free block" in [`AdjacencyLists::free`].
const NONE: usize = usize::MAX;

/// Where one list lives in the arena.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Span {
    /// First entry of the list's block (meaningless while `capacity` is 0).
    start: usize,
    /// Entries in use.
    len: u32,
    /// The block's size: 0 (no block yet) or MIN_CAPACITY · 2^class.
    capacity: u32,
}

/// Adjacency lists of entries (neighbour, tie index), one per node, in one arena.
#[derive(Debug, Clone, Default)]
pub(super) struct AdjacencyLists {
    spans: Vec<Span>,
    entries: Vec<(u32, u32)>,
    /// Per size class (blocks of MIN_CAPACITY · 2^class entries, classes up to the largest
    /// freed so far): the start of the first free block, or [`NONE`]. A free block's first entry
    /// holds the start of the next free block of its class (low and high 32 bits). A vector, not
    /// an array of every class, so that a network stays small to move.
    free: Vec<usize>,
}

impl AdjacencyLists {
    /// Removes every list, keeping the allocations.
    pub(super) fn clear(&mut self) {
        self.spans.clear();
        self.entries.clear();
        self.free.clear();
    }

    /// Gives back the memory beyond `keep(len)` elements of each buffer (`Vec::shrink_to`).
    pub(super) fn shrink_to(&mut self, keep: impl Fn(usize) -> usize) {
        self.spans.shrink_to(keep(self.spans.len()));
        self.entries.shrink_to(keep(self.entries.len()));
    }

    /// Number of lists.
    pub(super) fn lists(&self) -> usize {
        self.spans.len()
    }

    /// The entries of list `node`, in order.
    #[inline]
    pub(super) fn list(&self, node: u32) -> &[(u32, u32)] {
        let span = self.spans[node as usize];
        &self.entries[span.start..span.start + span.len as usize]
    }

    /// Length of list `node`.
    #[inline]
    pub(super) fn len_of(&self, node: u32) -> usize {
        self.spans[node as usize].len as usize
    }

    /// Entry `slot` of list `node`.
    #[inline]
    pub(super) fn entry_mut(&mut self, node: u32, slot: u32) -> &mut (u32, u32) {
        let span = self.spans[node as usize];
        debug_assert!(slot < span.len, "slot {slot} beyond list {node}");
        &mut self.entries[span.start + slot as usize]
    }

    /// Appends an empty list.
    pub(super) fn push_list(&mut self) {
        self.spans.push(Span::default());
    }

    /// Removes list `node`, which must be empty, and moves the last list into its place (as
    /// `Vec::swap_remove`).
    pub(super) fn remove_list(&mut self, node: u32) {
        let span = self.spans.swap_remove(node as usize);
        debug_assert_eq!(span.len, 0, "list {node} removed with entries");
        if span.capacity > 0 {
            self.release(span.start, span.capacity);
        }
    }

    /// Appends `entry` to list `node`; returns its slot.
    #[inline]
    pub(super) fn push(&mut self, node: u32, entry: (u32, u32)) -> u32 {
        let span = &mut self.spans[node as usize];
        if span.len < span.capacity {
            let slot = span.len;
            span.len += 1;
            let at = span.start + slot as usize;
            self.entries[at] = entry;
            return slot;
        }
        self.push_to_new_block(node, entry)
    }

    /// [`AdjacencyLists::push`] onto a full list (or one without a block): moves it to a block
    /// twice the size (or gives it its first block) first.
    #[inline(never)]
    fn push_to_new_block(&mut self, node: u32, entry: (u32, u32)) -> u32 {
        let span = self.spans[node as usize];
        let start = if span.capacity == 0 {
            self.allocate_first()
        } else {
            self.grow(span)
        };
        let slot = span.len;
        self.entries[start + slot as usize] = entry;
        self.spans[node as usize] = Span {
            start,
            len: slot + 1,
            capacity: span.capacity.max(MIN_CAPACITY / 2) * 2,
        };
        slot
    }

    /// Removes entry `slot` of list `node`, moving the list's last entry into its place (as
    /// `Vec::swap_remove`); returns the moved entry, if one moved. Returns also whether the list
    /// is now empty.
    #[inline]
    pub(super) fn swap_remove(&mut self, node: u32, slot: u32) -> (Option<(u32, u32)>, bool) {
        let span = &mut self.spans[node as usize];
        debug_assert!(slot < span.len, "slot {slot} beyond list {node}");
        span.len -= 1;
        let last = span.len;
        let now_empty = last == 0;
        if slot == last {
            return (None, now_empty);
        }
        let start = span.start;
        let moved = self.entries[start + last as usize];
        self.entries[start + slot as usize] = moved;
        (Some(moved), now_empty)
    }

    /// A first block (of [`MIN_CAPACITY`] entries) for a list.
    fn allocate_first(&mut self) -> usize {
        let start = self.free.first().copied().unwrap_or(NONE);
        if start != NONE {
            self.free[0] = self.next_free(start);
            return start;
        }
        let start = self.entries.len();
        // Entry by entry: for four entries a `memcpy` call costs more than the stores.
        for _ in 0..MIN_CAPACITY {
            self.entries.push((0, 0));
        }
        start
    }

    /// Copies the list at `span` into a new block of twice its block's size, frees the old
    /// block and returns the new block's start.
    #[cold]
    fn grow(&mut self, span: Span) -> usize {
        let start = self.allocate(span.capacity * 2);
        self.entries
            .copy_within(span.start..span.start + span.len as usize, start);
        self.release(span.start, span.capacity);
        start
    }

    /// The free block after the free block at `start` in its class's free list.
    fn next_free(&self, start: usize) -> usize {
        let (low, high) = self.entries[start];
        (u64::from(high) << 32 | u64::from(low)) as usize
    }

    /// Size class of a block of `capacity` entries.
    fn class(capacity: u32) -> usize {
        (capacity / MIN_CAPACITY).trailing_zeros() as usize
    }

    /// A block of `capacity` entries: a free one of that size, or a new one at the arena's end.
    fn allocate(&mut self, capacity: u32) -> usize {
        let class = Self::class(capacity);
        let start = self.free.get(class).copied().unwrap_or(NONE);
        if start != NONE {
            self.free[class] = self.next_free(start);
            return start;
        }
        let start = self.entries.len();
        self.entries.resize(start + capacity as usize, (0, 0));
        start
    }

    /// Puts the block at `start` of `capacity` entries on its class's free list.
    fn release(&mut self, start: usize, capacity: u32) {
        let class = Self::class(capacity);
        if self.free.len() <= class {
            self.free.resize(class + 1, NONE);
        }
        let next = self.free[class] as u64;
        self.entries[start] = (next as u32, (next >> 32) as u32);
        self.free[class] = start;
    }

    /// Total entries over all lists.
    pub(super) fn total_entries(&self) -> usize {
        self.spans.iter().map(|span| span.len as usize).sum()
    }

    /// Checks that every list lies in its own block inside the arena (tests and debug use).
    pub(super) fn check(&self) -> Result<(), String> {
        let mut blocks: Vec<(usize, usize)> = Vec::with_capacity(self.spans.len());
        for (node, span) in self.spans.iter().enumerate() {
            if span.len > span.capacity
                || (span.capacity != 0
                    && (span.capacity < MIN_CAPACITY || !span.capacity.is_power_of_two()))
            {
                return Err(format!("list {node}: length or block size wrong"));
            }
            if span.capacity > 0 {
                if span.start + span.capacity as usize > self.entries.len() {
                    return Err(format!("list {node}: block outside the arena"));
                }
                blocks.push((span.start, span.start + span.capacity as usize));
            }
        }
        for (class, &first) in self.free.iter().enumerate() {
            let capacity = (MIN_CAPACITY as usize) << class;
            let mut start = first;
            while start != NONE {
                if start + capacity > self.entries.len() {
                    return Err(format!("free block of class {class} outside the arena"));
                }
                blocks.push((start, start + capacity));
                start = self.next_free(start);
            }
        }
        blocks.sort_unstable();
        if blocks.windows(2).any(|pair| pair[0].1 > pair[1].0) {
            return Err("blocks overlap".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// Random pushes, removals, list removals and clears applied to the arena and to a
    /// `Vec<Vec<_>>` side by side; after each, every list must be the same, in the same order.
    fn compare_with_vectors(seed: u64, steps: usize) -> Result<(), TestCaseError> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut arena = AdjacencyLists::default();
        let mut vectors: Vec<Vec<(u32, u32)>> = Vec::new();
        for step in 0..steps {
            let lists = vectors.len() as u32;
            match rng.random_range(0..20) {
                0..=2 => {
                    arena.push_list();
                    vectors.push(Vec::new());
                }
                // Pushes mostly onto a few lists, so that some grow through several blocks.
                3..=10 if lists > 0 => {
                    let node = if rng.random_bool(0.5) {
                        rng.random_range(0..lists.min(3))
                    } else {
                        rng.random_range(0..lists)
                    };
                    let entry = (rng.random::<u32>(), step as u32);
                    let slot = arena.push(node, entry);
                    prop_assert_eq!(slot as usize, vectors[node as usize].len());
                    vectors[node as usize].push(entry);
                }
                11..=15 if lists > 0 => {
                    let node = rng.random_range(0..lists);
                    let len = vectors[node as usize].len() as u32;
                    if len > 0 {
                        let slot = rng.random_range(0..len);
                        let (moved, empty) = arena.swap_remove(node, slot);
                        let list = &mut vectors[node as usize];
                        list.swap_remove(slot as usize);
                        prop_assert_eq!(moved, list.get(slot as usize).copied());
                        prop_assert_eq!(empty, list.is_empty());
                    }
                }
                16 if lists > 0 => {
                    let node = rng.random_range(0..lists);
                    let len = vectors[node as usize].len() as u32;
                    if len > 0 {
                        let slot = rng.random_range(0..len);
                        *arena.entry_mut(node, slot) = (7, step as u32);
                        vectors[node as usize][slot as usize] = (7, step as u32);
                    }
                }
                17 | 18 if lists > 0 => {
                    // Empty a list and remove it, as a member's exit does.
                    let node = rng.random_range(0..lists);
                    while let Some(slot) = vectors[node as usize].len().checked_sub(1) {
                        arena.swap_remove(node, slot as u32);
                        vectors[node as usize].pop();
                    }
                    arena.remove_list(node);
                    vectors.swap_remove(node as usize);
                }
                19 if rng.random_bool(0.1) => {
                    arena.clear();
                    vectors.clear();
                }
                _ => {}
            }
            prop_assert!(arena.check().is_ok(), "{:?}", arena.check());
            prop_assert_eq!(arena.lists(), vectors.len());
            for (node, list) in vectors.iter().enumerate() {
                prop_assert_eq!(arena.list(node as u32), list.as_slice());
                prop_assert_eq!(arena.len_of(node as u32), list.len());
            }
            let total: usize = vectors.iter().map(Vec::len).sum();
            prop_assert_eq!(arena.total_entries(), total);
        }
        Ok(())
    }

    proptest! {
        #[test]
        fn the_arena_behaves_like_a_vector_of_vectors(seed in any::<u64>(), steps in 1usize..600) {
            compare_with_vectors(seed, steps)?;
        }
    }

    #[test]
    fn freed_blocks_are_reused_before_the_arena_grows() {
        let mut arena = AdjacencyLists::default();
        arena.push_list();
        arena.push_list();
        for index in 0..MIN_CAPACITY + 1 {
            arena.push(0, (1, index));
        }
        // List 0 moved from a block of 4 to one of 8; the block of 4 is free and list 1's first
        // block takes it instead of growing the arena.
        let size = arena.entries.len();
        assert_eq!(size, (MIN_CAPACITY * 3) as usize);
        arena.push(1, (0, 0));
        assert_eq!(arena.entries.len(), size);
        assert_eq!(arena.spans[1].start, 0);
        arena.check().unwrap();
    }
}
