//! One cluster's cooperation network: members as compact node ids, ties with O(1) insertion and
//! removal and a duplicate check in O(min degree).
//!
//! Nodes are numbered 0..m; removing a member moves the last node into its slot. The adjacency
//! lists live in one arena ([`super::adjacency`]), whose allocation serves later members (and,
//! through [`Network::clear`], later runs). Each tie stores
//! its position in both endpoints' adjacency lists so it can be swap-removed in O(1).
//! Preferential attachment samples uniformly from the
//! 2L tie endpoints plus one entry per member, i.e. with probability ∝ degree + 1.
//!
//! Whether a and b are tied is answered by scanning the shorter of their two adjacency lists.
//! The model's degrees stay small (for the tie attempts of the baseline the shorter list has 2.7
//! entries on average and at most 45; at 100 × the sector firms, 2.5 and 85), so a scan of a few
//! contiguous entries is cheaper than a hash look-up, and keeping no set of pairs saves its
//! insert and removal on every tie change and its rewriting when a member is renumbered (about
//! 10–20 bytes per tie as well).

use rand_chacha::ChaCha8Rng;

use super::adjacency::AdjacencyLists;
use super::variates::below;

/// [`Network::clear_for_reuse`] keeps room for at least this many members, ties and adjacency
/// entries whatever the network held.
pub const TRIM_FLOOR: usize = 64;

/// One tie between two members.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Tie {
    /// Endpoints.
    ends: [u32; 2],
    /// Position of this tie in each endpoint's adjacency list.
    slots: [u32; 2],
}

/// A cluster's members and the ties among them.
#[derive(Debug, Clone, Default)]
pub struct Network {
    /// Per node: (neighbour, tie index).
    adjacency: AdjacencyLists,
    /// Per node: whether the member is a sole proprietorship.
    sole: Vec<bool>,
    /// Members that are sole proprietorships (the `true` entries of `sole`).
    sole_count: usize,
    /// Per node: the member's permanent number in this network (0, 1, 2, … in order of
    /// joining; never reused), which survives the renumbering of node ids.
    firm_ids: Vec<u64>,
    /// The permanent number the next member gets.
    next_firm_id: u64,
    ties: Vec<Tie>,
    /// Members with at least one tie.
    networked: usize,
}

impl Network {
    /// Clears the network, keeping allocated buffers (the adjacency arena too) for reuse.
    pub fn clear(&mut self) {
        self.adjacency.clear();
        self.sole.clear();
        self.sole_count = 0;
        self.firm_ids.clear();
        self.next_firm_id = 0;
        self.ties.clear();
        self.networked = 0;
    }

    /// Clears the network for another run, first giving back the memory its buffers hold
    /// beyond twice what they hold now (and beyond room for [`TRIM_FLOOR`] members): a spare
    /// network then keeps about the size of its last use, not the largest it ever had.
    pub fn clear_for_reuse(&mut self) {
        let keep = |len: usize| 2 * len.max(TRIM_FLOOR);
        self.sole.shrink_to(keep(self.sole.len()));
        self.firm_ids.shrink_to(keep(self.firm_ids.len()));
        self.ties.shrink_to(keep(self.ties.len()));
        self.adjacency.shrink_to(keep);
        self.clear();
    }

    /// Members the network has room for without allocating (at least its number of members).
    pub fn capacity(&self) -> usize {
        self.sole.capacity()
    }

    /// Number of members.
    pub fn members(&self) -> usize {
        self.sole.len()
    }

    /// Number of ties.
    pub fn links(&self) -> usize {
        self.ties.len()
    }

    /// Members with at least one tie.
    pub fn networked(&self) -> usize {
        self.networked
    }

    /// Members that are sole proprietorships.
    pub fn sole_members(&self) -> usize {
        self.sole_count
    }

    /// Whether member `node` is a sole proprietorship.
    #[inline]
    pub fn is_sole(&self, node: u32) -> bool {
        self.sole[node as usize]
    }

    /// The permanent number of member `node` (see [`Network::add_member`]).
    pub fn firm_id(&self, node: u32) -> u64 {
        self.firm_ids[node as usize]
    }

    /// The neighbours of member `node`.
    pub fn neighbours(&self, node: u32) -> impl Iterator<Item = u32> + '_ {
        self.adjacency.list(node).iter().map(|&(other, _)| other)
    }

    /// The ties as endpoint pairs, in storage order.
    pub fn tie_ends(&self) -> impl Iterator<Item = [u32; 2]> + '_ {
        self.ties.iter().map(|tie| tie.ends)
    }

    /// Degree of a member.
    #[inline]
    pub fn degree(&self, node: u32) -> usize {
        self.adjacency.len_of(node)
    }

    /// Whether a tie joins `a` and `b` (a scan of the shorter adjacency list).
    #[inline]
    pub fn has_tie(&self, a: u32, b: u32) -> bool {
        let (list_a, list_b) = (self.adjacency.list(a), self.adjacency.list(b));
        let (shorter, other) = if list_a.len() <= list_b.len() {
            (list_a, b)
        } else {
            (list_b, a)
        };
        shorter.iter().any(|&(neighbour, _)| neighbour == other)
    }

    /// Adds a member with no ties; returns its node id. The member also gets the next permanent
    /// number ([`Network::firm_id`]), which, unlike its node id, never changes.
    pub fn add_member(&mut self, sole: bool) -> u32 {
        let node = self.sole.len() as u32;
        self.sole.push(sole);
        self.sole_count += usize::from(sole);
        self.firm_ids.push(self.next_firm_id);
        self.next_firm_id += 1;
        self.adjacency.push_list();
        node
    }

    /// Adds a tie unless it is a self-loop or a duplicate; returns whether it was added.
    pub fn add_tie(&mut self, a: u32, b: u32) -> bool {
        if a == b || self.has_tie(a, b) {
            return false;
        }
        self.add_new_tie(a, b);
        true
    }

    /// Adds a tie between `a` and `b`, which the caller knows to be distinct members without a
    /// tie (a newcomer and its partner; a tie attempt that [`Network::has_tie`] just checked).
    #[inline]
    pub fn add_new_tie(&mut self, a: u32, b: u32) {
        debug_assert!(a != b && !self.has_tie(a, b), "tie {a}-{b} not new");
        let index = self.ties.len() as u32;
        let slot_a = self.adjacency.push(a, (b, index));
        let slot_b = self.adjacency.push(b, (a, index));
        self.networked += usize::from(slot_a == 0) + usize::from(slot_b == 0);
        self.ties.push(Tie {
            ends: [a, b],
            slots: [slot_a, slot_b],
        });
    }

    /// Removes tie number `index` (0..links) in O(1).
    #[inline]
    pub fn remove_tie(&mut self, index: usize) {
        let tie = self.ties[index];
        for side in 0..2 {
            self.detach(tie.ends[side], tie.slots[side]);
        }
        // Move the last tie into `index` and repoint its adjacency entries.
        let last = self.ties.len() - 1;
        self.ties.swap_remove(index);
        if index != last {
            let moved = self.ties[index];
            for side in 0..2 {
                self.adjacency
                    .entry_mut(moved.ends[side], moved.slots[side])
                    .1 = index as u32;
            }
        }
    }

    /// Removes the adjacency entry at `slot` of `node`, fixing the moved entry's tie record.
    fn detach(&mut self, node: u32, slot: u32) {
        let (moved, now_empty) = self.adjacency.swap_remove(node, slot);
        if let Some((_, moved_tie)) = moved {
            let tie = &mut self.ties[moved_tie as usize];
            let side = usize::from(tie.ends[0] != node);
            tie.slots[side] = slot;
        }
        if now_empty {
            self.networked -= 1;
        }
    }

    /// Removes member `node` and its ties; the last member takes its id. Returns whether the
    /// removed member was a sole proprietorship.
    pub fn remove_member(&mut self, node: u32) -> bool {
        while let Some(&(_, tie)) = self.adjacency.list(node).last() {
            self.remove_tie(tie as usize);
        }
        let last = (self.sole.len() - 1) as u32;
        let was_sole = self.sole[node as usize];
        self.sole_count -= usize::from(was_sole);
        // `node`'s (empty) list goes; when `node` is not the last, the last member's list takes
        // its place.
        self.adjacency.remove_list(node);
        if node != last {
            // Renumber `last` as `node`: its ties' endpoints follow its list.
            for entry in 0..self.adjacency.len_of(node) {
                let (neighbour, tie) = self.adjacency.list(node)[entry];
                let record = &mut self.ties[tie as usize];
                let side = usize::from(record.ends[0] != last);
                record.ends[side] = node;
                // The neighbour's entry pointing back at `last` now points at `node`.
                let back = record.slots[1 - side];
                self.adjacency.entry_mut(neighbour, back).0 = node;
            }
            self.sole[node as usize] = self.sole[last as usize];
            self.firm_ids[node as usize] = self.firm_ids[last as usize];
        }
        self.sole.pop();
        self.firm_ids.pop();
        was_sole
    }

    /// A member drawn with probability ∝ degree + 1 (preferential attachment).
    #[inline]
    pub fn preferential_member(&self, rng: &mut ChaCha8Rng) -> Option<u32> {
        let members = self.sole.len();
        if members == 0 {
            return None;
        }
        let entries = 2 * self.ties.len() + members;
        let pick = below(rng, entries);
        Some(if pick < 2 * self.ties.len() {
            self.ties[pick / 2].ends[pick % 2]
        } else {
            (pick - 2 * self.ties.len()) as u32
        })
    }

    /// A friend of a friend: a random tie endpoint u (∝ degree), a random neighbour v of u, and a
    /// random neighbour w of v. Returns (u, w), which may be equal or already tied.
    #[inline]
    pub fn triadic_candidate(&self, rng: &mut ChaCha8Rng) -> Option<(u32, u32)> {
        if self.ties.is_empty() {
            return None;
        }
        let pick = below(rng, 2 * self.ties.len());
        let tie = self.ties[pick / 2];
        let (u, v) = (tie.ends[pick % 2], tie.ends[1 - pick % 2]);
        let neighbours = self.adjacency.list(v);
        let (w, _) = neighbours[below(rng, neighbours.len())];
        Some((u, w))
    }

    /// Checks the internal invariants (tests and debug use): no self-loops or duplicates,
    /// adjacency and tie records consistent, the networked count right.
    pub fn check(&self) -> Result<(), String> {
        let mut seen = std::collections::HashSet::new();
        for (index, tie) in self.ties.iter().enumerate() {
            let [a, b] = tie.ends;
            if a == b {
                return Err(format!("self-loop at {a}"));
            }
            if a as usize >= self.members() || b as usize >= self.members() {
                return Err(format!("tie {index} points outside the members"));
            }
            if !seen.insert((a.min(b), a.max(b))) {
                return Err(format!("duplicate tie {a}-{b}"));
            }
            for side in 0..2 {
                let entry = self
                    .adjacency
                    .list(tie.ends[side])
                    .get(tie.slots[side] as usize)
                    .copied();
                if entry != Some((tie.ends[1 - side], index as u32)) {
                    return Err(format!("adjacency of tie {index} inconsistent"));
                }
            }
        }
        if self.sole.iter().filter(|sole| **sole).count() != self.sole_count {
            return Err("sole-proprietor count differs from the members' flags".into());
        }
        if self.firm_ids.len() != self.members()
            || self.firm_ids.iter().any(|id| *id >= self.next_firm_id)
        {
            return Err("permanent member numbers inconsistent".into());
        }
        if self.adjacency.lists() != self.members() {
            return Err("not one adjacency list per member".into());
        }
        self.adjacency.check()?;
        if self.adjacency.total_entries() != 2 * self.ties.len() {
            return Err("adjacency entry count differs from 2L".into());
        }
        let networked = (0..self.members() as u32)
            .filter(|&node| self.adjacency.len_of(node) > 0)
            .count();
        if networked != self.networked {
            return Err(format!(
                "networked count {} but {networked} have ties",
                self.networked
            ));
        }
        let pairs_max = self.members() * self.members().saturating_sub(1) / 2;
        if self.links() > pairs_max {
            return Err("more links than m(m-1)/2".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rand::{RngExt, SeedableRng};

    proptest! {
        #[test]
        fn random_operations_keep_the_network_consistent(seed in any::<u64>(), steps in 1usize..400) {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let mut network = Network::default();
            for _ in 0..steps {
                match rng.random_range(0..5) {
                    0 => { network.add_member(rng.random_bool(0.3)); }
                    1 | 2 if network.members() >= 2 => {
                        let a = rng.random_range(0..network.members() as u32);
                        let b = rng.random_range(0..network.members() as u32);
                        let before = network.links();
                        let expected_new = a != b && !network.has_tie(a, b);
                        let added = network.add_tie(a, b);
                        prop_assert_eq!(added, expected_new);
                        prop_assert_eq!(network.links(), before + usize::from(added));
                    }
                    3 if network.links() > 0 => {
                        let index = rng.random_range(0..network.links());
                        network.remove_tie(index);
                    }
                    4 if network.members() > 0 => {
                        let node = rng.random_range(0..network.members() as u32);
                        network.remove_member(node);
                    }
                    _ => {}
                }
                prop_assert!(network.check().is_ok(), "{:?}", network.check());
                if network.members() > 0 {
                    // The look-up agrees with the tie list, both ways round.
                    let a = rng.random_range(0..network.members() as u32);
                    let b = rng.random_range(0..network.members() as u32);
                    let listed = network
                        .tie_ends()
                        .any(|ends| ends == [a, b] || ends == [b, a]);
                    prop_assert_eq!(network.has_tie(a, b), listed);
                    prop_assert_eq!(network.has_tie(b, a), listed);
                }
            }
        }
    }

    /// Applies the `operations` (drawn from `seed`) to `network`.
    fn apply_random_operations(network: &mut Network, seed: u64, steps: usize) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        for _ in 0..steps {
            match rng.random_range(0..5) {
                0 => {
                    network.add_member(rng.random_bool(0.3));
                }
                1 | 2 if network.members() >= 2 => {
                    let a = rng.random_range(0..network.members() as u32);
                    let b = rng.random_range(0..network.members() as u32);
                    network.add_tie(a, b);
                }
                3 if network.links() > 0 => {
                    network.remove_tie(rng.random_range(0..network.links()))
                }
                4 if network.members() > 0 => {
                    network.remove_member(rng.random_range(0..network.members() as u32));
                }
                _ => {}
            }
        }
    }

    proptest! {
        /// A cleared network (as runs reuse them) behaves exactly like a new one: the same
        /// operations give the same members, ties, neighbours in order and permanent numbers.
        #[test]
        fn a_cleared_network_behaves_like_a_new_one(
            first in any::<u64>(), second in any::<u64>(), steps in 1usize..300,
        ) {
            let mut reused = Network::default();
            apply_random_operations(&mut reused, first, steps);
            reused.clear();
            prop_assert!(reused.check().is_ok(), "{:?}", reused.check());
            let mut fresh = Network::default();
            apply_random_operations(&mut reused, second, steps);
            apply_random_operations(&mut fresh, second, steps);
            prop_assert!(reused.check().is_ok(), "{:?}", reused.check());
            prop_assert_eq!(reused.members(), fresh.members());
            prop_assert_eq!(reused.sole_members(), fresh.sole_members());
            prop_assert_eq!(reused.tie_ends().collect::<Vec<_>>(), fresh.tie_ends().collect::<Vec<_>>());
            for node in 0..fresh.members() as u32 {
                prop_assert_eq!(reused.firm_id(node), fresh.firm_id(node));
                prop_assert_eq!(reused.is_sole(node), fresh.is_sole(node));
                prop_assert_eq!(
                    reused.neighbours(node).collect::<Vec<_>>(),
                    fresh.neighbours(node).collect::<Vec<_>>()
                );
            }
        }
    }

    #[test]
    fn removing_a_member_removes_its_ties_and_renumbers_the_last() {
        let mut network = Network::default();
        for _ in 0..4 {
            network.add_member(false);
        }
        assert!(network.add_tie(0, 1));
        assert!(network.add_tie(1, 3));
        assert!(network.add_tie(2, 3));
        assert!(!network.add_tie(3, 2), "duplicate rejected");
        assert!(!network.add_tie(2, 2), "self-loop rejected");
        network.remove_member(1);
        // Ties 0-1 and 1-3 are gone; node 3 is now node 1, tied to 2.
        assert_eq!(network.members(), 3);
        assert_eq!(network.links(), 1);
        assert!(network.has_tie(1, 2));
        assert_eq!(network.networked(), 2);
        // Permanent numbers follow the members, not the node ids.
        assert_eq!(
            (0..3).map(|node| network.firm_id(node)).collect::<Vec<_>>(),
            [0, 3, 2]
        );
        assert_eq!(network.add_member(false), 3);
        assert_eq!(network.firm_id(3), 4, "permanent numbers are never reused");
        network.check().unwrap();
    }
}
