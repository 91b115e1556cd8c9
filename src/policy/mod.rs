//! Allocation policies: how each funding year's budget is split across clusters and instruments.
//!
//! Every rule implements [`AllocationRule`], which only says how much each operating cluster
//! *should* get relative to the others (weights). What all policies share — the reserve for
//! forming clusters, floors and caps, the infrastructure/activity split and exact rounding to
//! whole cents — lives here, in [`allocate_year`], so a new rule is one new file.

mod by_members;
mod by_potential;
mod competitive;
mod constraints;
mod equal;
mod fixed;
mod performance;

use rand_chacha::ChaCha8Rng;

pub use constraints::constrained_shares;

use crate::money::largest_remainder;
use crate::scenario::{Policy, Rule};

/// Index of the infrastructure instrument in per-cluster `[i64; 2]` amounts.
pub const INFRASTRUCTURE: usize = 0;
/// Index of the activity instrument.
pub const ACTIVITY: usize = 1;
/// Instrument names in index order.
pub const INSTRUMENTS: [&str; 2] = ["infrastructure", "activity"];

/// What a rule may look at when the year's budget is allocated.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterView {
    /// Whether the cluster is operating (only operating clusters share the distributable budget).
    pub operating: bool,
    /// Whether the cluster may still form (not operating, not closed, not waiting for a founding
    /// date): only such clusters share the reserve for forming clusters.
    pub forming: bool,
    /// Relative weight of a forming cluster in the reserve (the policy's formation weight of its
    /// sector); ignored for clusters that are not forming.
    pub reserve_weight: f64,
    /// Members at the start of the year.
    pub members: u64,
    /// The run's cluster potential of the cluster's sector, in [0, 1].
    pub potential: f64,
    /// Members at the start of this year minus members at the start of the previous year
    /// (0 in the first funding year).
    pub last_year_growth: f64,
}

/// One allocation rule: relative weights for the operating clusters.
pub trait AllocationRule {
    /// Non-negative weights, one per entry of `eligible` (indices into `clusters`), for
    /// distributing `distributable_cents`. Rules that draw random numbers use `rng` (the run's
    /// policy stream) and must draw the same amount whatever the weights come out as.
    fn weights(
        &self,
        clusters: &[ClusterView],
        eligible: &[usize],
        distributable_cents: i64,
        rng: &mut ChaCha8Rng,
    ) -> Vec<f64>;
}

/// The rule object for a checked rule.
pub fn rule_for(rule: &Rule) -> Box<dyn AllocationRule + Send + Sync> {
    match rule {
        Rule::Equal => Box::new(equal::Equal),
        Rule::ByMembers => Box::new(by_members::ByMembers),
        Rule::ByPotential => Box::new(by_potential::ByPotential),
        Rule::Competitive {
            request_ltl_per_member,
            request_base_ltl,
            quality_sd,
        } => Box::new(competitive::Competitive {
            request_ltl_per_member: *request_ltl_per_member,
            request_base_ltl: *request_base_ltl,
            quality_sd: *quality_sd,
        }),
        Rule::Performance { base_share } => Box::new(performance::Performance {
            base_share: *base_share,
        }),
        Rule::Fixed { shares } => Box::new(fixed::Fixed {
            shares: shares.clone(),
        }),
    }
}

/// Cents of a year's budget the policy leaves unallocated: round(budget × `unspent_share`),
/// within [0, budget].
pub fn withheld_cents(policy: &Policy, budget_cents: i64) -> i64 {
    ((budget_cents as f64 * policy.unspent_share).round() as i64).clamp(0, budget_cents.max(0))
}

/// Splits one year's budget (`budget_cents`) into `[infrastructure, activity]` cents per cluster.
///
/// 0. The policy's unspent share of the budget ([`withheld_cents`]) is not allocated at all; the
///    steps below split the rest (called the budget below).
/// 1. If any cluster is forming with a positive reserve weight, `forming_reserve_share` of the
///    budget is reserved for those forming clusters (all of it if none is operating), split in
///    proportion to their reserve weights, as activity funding. If none is, the reserve is not
///    set aside. Clusters neither operating nor forming
///    (closed, or waiting for their founding date) get nothing; if no cluster is operating or
///    forming, no cents move.
/// 2. The rest (the distributable budget) goes to operating clusters by the rule's weights,
///    turned into shares with floors and caps by [`constrained_shares`].
/// 3. Each operating cluster's amount is split `infrastructure_share` : 1 − `infrastructure_share`.
/// 4. All cells are rounded together to whole cents by largest remainder, so the year's cells sum
///    to `budget_cents` less the withheld cents exactly and none is negative.
pub fn allocate_year(
    policy: &Policy,
    rule: &dyn AllocationRule,
    clusters: &[ClusterView],
    budget_cents: i64,
    rng: &mut ChaCha8Rng,
) -> Vec<[i64; 2]> {
    let budget_cents = budget_cents - withheld_cents(policy, budget_cents);
    let operating: Vec<usize> = (0..clusters.len())
        .filter(|&index| clusters[index].operating)
        .collect();
    let forming: Vec<usize> = (0..clusters.len())
        .filter(|&index| {
            let view = &clusters[index];
            !view.operating && view.forming && view.reserve_weight > 0.0
        })
        .collect();
    let reserve_fraction = match (operating.is_empty(), forming.is_empty()) {
        (true, _) => 1.0,
        (false, true) => 0.0,
        (false, false) => policy.forming_reserve_share,
    };
    let budget = budget_cents as f64;
    let distributable = budget * (1.0 - reserve_fraction);
    let distributable_cents = (distributable.round() as i64).clamp(0, budget_cents);
    // Rules draw from the policy stream even when nothing is distributable, so the stream
    // position never depends on the year's circumstances.
    let weights = rule.weights(clusters, &operating, distributable_cents, rng);
    let shares = if operating.is_empty() {
        Vec::new()
    } else {
        constrained_shares(&weights, policy.floor_share, policy.cap_share)
    };
    let mut targets = vec![0.0; clusters.len() * 2];
    for (position, &cluster) in operating.iter().enumerate() {
        let amount = distributable * shares[position];
        targets[cluster * 2 + INFRASTRUCTURE] = amount * policy.infrastructure_share;
        targets[cluster * 2 + ACTIVITY] = amount * (1.0 - policy.infrastructure_share);
    }
    if !forming.is_empty() {
        let total_weight: f64 = forming.iter().map(|&c| clusters[c].reserve_weight).sum();
        for &cluster in &forming {
            targets[cluster * 2 + ACTIVITY] =
                budget * reserve_fraction * clusters[cluster].reserve_weight / total_weight;
        }
    }
    let cents = if targets.iter().any(|target| *target > 0.0) {
        largest_remainder(budget_cents, &targets)
    } else {
        // Nothing to split (zero budget, or every target zero): no cents move.
        vec![0; targets.len()]
    };
    cents
        .chunks_exact(2)
        .map(|pair| [pair[INFRASTRUCTURE], pair[ACTIVITY]])
        .collect()
}

#[cfg(test)]
mod tests;
