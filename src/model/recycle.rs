//! Reuse of the networks' allocations from one run to the next on the same thread.
//!
//! A run builds up to a few hundred networks (every cluster slot, funded and counterfactual),
//! each with its adjacency lists, tie list and pair set growing member by member; allocating
//! them afresh for every run cost about a sixth of the model's time (malloc, realloc and hash-set
//! rehashing in a `perf` profile). A [`Simulation`](super::Simulation) therefore takes its
//! networks from this thread's spares and, when dropped, gives them back cleared
//! ([`Network::clear`] keeps every buffer). Shared/DESIGN.md §7 measured reused buffers at about
//! 1.4× the speed of fresh ones in a kernel of this kind.
//!
//! A spare network is empty, so a run's results do not depend on which spares it got: only
//! capacities carry over. At most [`MAX_SPARE_NETWORKS`] are kept per thread, each trimmed when
//! given back to about twice what it held at the end of its run
//! ([`Network::clear_for_reuse`]), so the memory held follows one run's networks, not the
//! largest each spare ever held (which at 100 × the sector firms grew with the number of runs:
//! every spare drifted towards the largest cluster's size). A [`Simulation`](super::Simulation)
//! gives its networks back in reverse slot order, so that the next simulation built on the
//! thread, taking spares from the top, gives each slot the network that slot had: a large
//! cluster's network comes back to a large cluster and does not grow again.

use std::cell::RefCell;

use super::network::Network;

/// Most networks kept per thread (a comparison of seven policies over 96 cluster slots uses
/// 8 × 96 = 768 at a time).
pub const MAX_SPARE_NETWORKS: usize = 1024;

thread_local! {
    static SPARE_NETWORKS: RefCell<Vec<Network>> = const { RefCell::new(Vec::new()) };
}

/// An empty network, reusing a spare one of this thread when there is one.
pub(super) fn take_network() -> Network {
    SPARE_NETWORKS
        .try_with(|spares| spares.borrow_mut().pop())
        .ok()
        .flatten()
        .unwrap_or_default()
}

/// Keeps `networks`, cleared, for later runs on this thread (up to [`MAX_SPARE_NETWORKS`]).
pub(super) fn give_back(networks: impl Iterator<Item = Network>) {
    // During thread teardown the spares may already be gone; the networks are then just dropped.
    let _ = SPARE_NETWORKS.try_with(|spares| {
        let mut spares = spares.borrow_mut();
        for mut network in networks {
            if spares.len() >= MAX_SPARE_NETWORKS {
                break;
            }
            network.clear_for_reuse();
            spares.push(network);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_network_given_back_comes_back_empty_with_its_capacity() {
        let mut network = take_network();
        for _ in 0..50 {
            network.add_member(true);
        }
        for node in 1..50 {
            network.add_tie(0, node);
        }
        give_back(std::iter::once(network));
        let reused = take_network();
        assert_eq!(
            (reused.members(), reused.links(), reused.networked()),
            (0, 0, 0)
        );
        assert_eq!(reused.sole_members(), 0);
        assert!(reused.check().is_ok(), "{:?}", reused.check());
        assert!(reused.capacity() >= 50, "the buffers were not kept");
    }

    #[test]
    fn a_spare_keeps_about_its_last_size_not_its_largest() {
        use super::super::network::TRIM_FLOOR;
        let mut network = Network::default();
        for _ in 0..10_000 {
            network.add_member(false);
        }
        for node in 1..10_000 {
            network.add_tie(node - 1, node);
        }
        // Still full at the end of its run: the buffers are kept whole.
        let mut kept = network.clone();
        let full = kept.capacity();
        kept.clear_for_reuse();
        assert_eq!(kept.capacity(), full);
        // Down to 100 members at the end of its run: trimmed to twice that (the floor is 64).
        while network.members() > 100 {
            network.remove_member(0);
        }
        network.clear_for_reuse();
        assert!(
            network.capacity() <= 2 * 100.max(TRIM_FLOOR),
            "capacity {} kept",
            network.capacity()
        );
        assert!(network.check().is_ok(), "{:?}", network.check());
        assert_eq!(
            network.add_member(true),
            0,
            "a trimmed network works as a new one"
        );
    }
}
