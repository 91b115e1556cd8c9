//! Counts of the model's events in one run, so that benchmarks can state the cost per event
//! (shared/DESIGN.md §5: a run's cost should follow its events, not its population).
//!
//! The counters are plain integers bumped where each event happens; they never feed back into
//! the model and are not written to any output. An *event* in the per-event cost is an exit, a
//! tie dissolution, a join, a tie attempt or a formation ([`EventCounts::total`]): each costs its
//! own random draws and network updates. Joint projects are counted too, but they are one Poisson
//! draw per cluster and quarter whatever their number, so they are not events of the kernel.

use std::ops::AddAssign;

/// How many times each kind of model event happened.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EventCounts {
    /// Members that left their cluster (exits).
    pub exits: u64,
    /// Ties that dissolved for want of use (not counting ties removed with an exiting member).
    pub dissolutions: u64,
    /// Firms that joined an operating cluster (regular and sole proprietorships).
    pub joins: u64,
    /// Attempts to make a new tie (triadic closure or preferential attachment), accepted or not.
    pub tie_attempts: u64,
    /// Ties made: accepted tie attempts plus each joiner's tie to its partner.
    pub ties_made: u64,
    /// Cluster initiatives that formed.
    pub formations: u64,
    /// Joint projects started.
    pub projects: u64,
}

impl EventCounts {
    /// The events the per-event cost is stated in: exits, dissolutions, joins, tie attempts and
    /// formations (ties made are a subset of the attempts and joins; projects are not events).
    pub fn total(&self) -> u64 {
        self.exits + self.dissolutions + self.joins + self.tie_attempts + self.formations
    }
}

impl AddAssign for EventCounts {
    fn add_assign(&mut self, other: Self) {
        self.exits += other.exits;
        self.dissolutions += other.dissolutions;
        self.joins += other.joins;
        self.tie_attempts += other.tie_attempts;
        self.ties_made += other.ties_made;
        self.formations += other.formations;
        self.projects += other.projects;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn total_counts_the_kernel_events_but_not_projects_or_ties_made() {
        let mut counts = EventCounts {
            exits: 1,
            dissolutions: 2,
            joins: 3,
            tie_attempts: 4,
            ties_made: 5,
            formations: 6,
            projects: 7,
        };
        assert_eq!(counts.total(), 16);
        counts += counts;
        assert_eq!(counts.total(), 32);
        assert_eq!((counts.ties_made, counts.projects), (10, 14));
    }
}
