//! The expected size of one run's cluster networks, from the scenario's parameters alone: how
//! many firms are members and how many ties join them at the horizon, in the funded world and in
//! the no-funding counterfactual. [`super::limits`] turns these sizes into bytes.
//!
//! An estimate, not a simulation: every rate is taken at its mean (the fixed value, or the
//! distribution's analytic mean; a posterior draws within its priors' support, so the priors'
//! means are used), firms are assumed to be able to join from the first quarter, and exits are
//! ignored (they return firms to the pool, so they can only lower the count). The sections of
//! docs/MODEL.md each step follows are named below; docs/PERFORMANCE.md ("The memory
//! estimate") states the formula and how it was checked against measured peaks.

use crate::scenario::{ClusterStatus, Param, Scenario};

/// Members and ties of one world's networks (all clusters together) at the horizon.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NetworkSize {
    /// Members of all clusters.
    pub members: f64,
    /// Ties of all clusters.
    pub ties: f64,
}

/// One run's expected networks: the funded world (each policy simulated has one) and the
/// counterfactual.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExpectedNetworks {
    /// A funded world.
    pub funded: NetworkSize,
    /// The no-funding counterfactual.
    pub counterfactual: NetworkSize,
    /// The member-weighted mean funding effect assumed for the funded world (0 to 1).
    pub funding_effect: f64,
}

/// The expected networks of one run of `scenario` (see the module docs).
pub fn expected_networks(scenario: &Scenario) -> ExpectedNetworks {
    let counterfactual = world(scenario, 0.0);
    let funding_effect = funding_effect_bound(scenario, counterfactual.members);
    ExpectedNetworks {
        funded: world(scenario, funding_effect),
        counterfactual,
        funding_effect,
    }
}

/// The member-weighted mean funding effect of a world with `members` members (§7.4), at most:
/// the money that can be in the effect at once, w·K + A, is at most (w + 1)·B over all clusters
/// (capital and the activity stock are built from absorbed money, at most the budget B, and only
/// shrink otherwise), and E = 1 − exp(−x / (h·n)) is concave in the money x per member, so by
/// Jensen's inequality the member-weighted mean of E over clusters is at most
/// 1 − exp(−(w + 1)·B / (h·N)) with N the members of all clusters. The members of the
/// counterfactual (no money, so fewer joins) stand in for N, which makes the bound larger.
fn funding_effect_bound(scenario: &Scenario, members: f64) -> f64 {
    let model = &scenario.model;
    let budget = scenario.budget.total_cents.max(0) as f64 / 100.0;
    let money = (mean(&model.infrastructure_weight) + 1.0) * budget;
    let saturation = mean(&model.saturation_ltl_per_member).max(f64::MIN_POSITIVE) * members;
    if money <= 0.0 {
        0.0
    } else if saturation <= 0.0 {
        1.0
    } else {
        (1.0 - (-money / saturation).exp()).clamp(0.0, 1.0)
    }
}

/// A parameter's mean, kept finite and non-negative (every rate used here is).
fn mean(param: &Param) -> f64 {
    let value = param.mean();
    if value.is_finite() {
        value.max(0.0)
    } else {
        0.0
    }
}

/// The networks of a world whose clusters see the funding effect `effect`.
fn world(scenario: &Scenario, effect: f64) -> NetworkSize {
    let model = &scenario.model;
    let quarters = scenario.budget.quarters() as f64;
    // §7.5: the valley multiplier, taken as open from the start wherever a valley exists.
    let valley = if scenario.valleys.is_empty() {
        1.0
    } else {
        1.0 + mean(&model.valley_spillover)
    };
    let sole_factor = mean(&model.sole_proprietor_factor).min(1.0);
    let founding = mean(&model.founding_members);
    // §7.8: a tie is used with probability u and an unused one dissolves.
    let used = mean(&model.tie_use_probability).min(1.0);
    let used = used + (1.0 - used) * effect;
    let dissolution = mean(&model.tie_dissolution_rate).min(1.0) * (1.0 - used);
    // §7.10: tie attempts per member and quarter.
    let attempts =
        mean(&model.tie_rate) * (1.0 + mean(&model.tie_funding_response) * effect) * valley;
    let mut total = NetworkSize {
        members: 0.0,
        ties: 0.0,
    };
    for (index, sector) in scenario.sectors.iter().enumerate() {
        let clusters = scenario
            .clusters
            .iter()
            .filter(|cluster| cluster.sector == index);
        let (mut initial, mut initial_ties) = (0.0, 0.0);
        for cluster in clusters {
            if cluster.status == ClusterStatus::Operating {
                initial += cluster.initial_members as f64;
                initial_ties += cluster.initial_links as f64;
            } else {
                // §7.6: a forming cluster's founders, in a ring.
                initial += founding;
                initial_ties += founding;
            }
        }
        let regular = sector.regular_firms as f64;
        let sole = sector.sole_firms as f64;
        let initial = initial.min(regular + sole);
        // §7.9 with the size attraction at its maximum (m₀ / (m₀ + half) < 1).
        let hazard = valley
            * (mean(&model.join_base_rate) * mean(&sector.cooperation_propensity)
                + mean(&model.size_attraction)
                + mean(&model.join_funding_response) * effect);
        // A firm joins in a quarter with probability p = 1 − e^(−r) (times the sole
        // proprietors' factor), so it has joined by the horizon with 1 − (1 − p)^quarters.
        let join = 1.0 - (-hazard).exp();
        let joined = |firms: f64, factor: f64| {
            firms * (1.0 - (1.0 - (join * factor).min(1.0)).powf(quarters))
        };
        let regular_members = joined((regular - initial).max(0.0), 1.0);
        let sole_members = joined(sole, sole_factor);
        let members = (initial + regular_members + sole_members).min(regular + sole);
        // §7.10 step 4: a pair with n sole proprietors is accepted with probability
        // factor^n, so a random pair of members is accepted with ((1 − s) + s·factor)², s the
        // sole proprietors' share of the members.
        let sole_share = if members > 0.0 {
            (sole_members / members).min(1.0)
        } else {
            0.0
        };
        let accepted = attempts * ((1.0 - sole_share) + sole_share * sole_factor).powi(2);
        // Ties per member: the joiner's attachment tie (§7.9), plus attempts accepted, which
        // balance dissolution at accepted / dissolution per member and cannot exceed what the
        // horizon's quarters accumulate.
        let per_member = if dissolution > 0.0 {
            (accepted / dissolution).min(accepted * quarters)
        } else {
            accepted * quarters
        };
        let ties = (initial_ties + members * (1.0 + per_member))
            .min(members * (members - 1.0).max(0.0) / 2.0);
        total.members += members;
        total.ties += ties;
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::load_baseline;

    /// A copy of the baseline with fixed rates chosen so the sizes can be worked out by hand.
    fn fixed_scenario() -> Scenario {
        let mut scenario = load_baseline().unwrap();
        let model = &mut scenario.model;
        model.join_base_rate = Param::Fixed(0.01);
        model.size_attraction = Param::Fixed(0.002);
        model.join_funding_response = Param::Fixed(0.004);
        model.sole_proprietor_factor = Param::Fixed(0.5);
        model.tie_rate = Param::Fixed(0.1);
        model.tie_funding_response = Param::Fixed(1.0);
        model.tie_dissolution_rate = Param::Fixed(0.1);
        model.tie_use_probability = Param::Fixed(0.5);
        model.valley_spillover = Param::Fixed(0.25);
        model.infrastructure_weight = Param::Fixed(0.1);
        model.saturation_ltl_per_member = Param::Fixed(20_000.0);
        model.founding_members = Param::Fixed(8.0);
        scenario.valleys.truncate(1);
        // One sector of 1,000 regular firms and 1,000 sole proprietorships, no cluster at the
        // start.
        scenario.sectors.truncate(1);
        let sector = &mut scenario.sectors[0];
        sector.regular_firms = 1000;
        sector.sole_firms = 1000;
        sector.firms = 2000;
        sector.cooperation_propensity = Param::Fixed(0.5);
        scenario.clusters.clear();
        scenario
    }

    #[test]
    fn the_counterfactual_matches_a_hand_computation() {
        let scenario = fixed_scenario();
        let quarters = scenario.budget.quarters() as f64;
        let networks = expected_networks(&scenario);
        // r = 1.25 · (0.01 · 0.5 + 0.002) = 0.00875 per quarter; p = 1 − e^(−r).
        let p: f64 = 1.0 - (-0.00875f64).exp();
        let regular = 1000.0 * (1.0 - (1.0 - p).powf(quarters));
        let sole = 1000.0 * (1.0 - (1.0 - p * 0.5).powf(quarters));
        let members = regular + sole;
        assert!((networks.counterfactual.members - members).abs() < 1e-9);
        // Attempts 0.1 · 1.25 = 0.125, accepted × ((1 − s) + s/2)², dissolution 0.1 · 0.5.
        let s = sole / members;
        let accepted = 0.125 * (1.0 - s / 2.0).powi(2);
        let per_member = (accepted / 0.05f64).min(accepted * quarters);
        let ties = members * (1.0 + per_member);
        assert!((networks.counterfactual.ties - ties).abs() < 1e-6);
        assert!(networks.counterfactual.ties > 2.0 * members);
    }

    #[test]
    fn the_funding_effect_follows_the_budget_per_member() {
        let mut scenario = fixed_scenario();
        let members = expected_networks(&scenario).counterfactual.members;
        let budget = scenario.budget.total_cents as f64 / 100.0;
        let effect = expected_networks(&scenario).funding_effect;
        let expected = 1.0 - (-(1.1 * budget) / (20_000.0 * members)).exp();
        assert!((effect - expected).abs() < 1e-12, "{effect} {expected}");
        let funded = expected_networks(&scenario).funded;
        assert!(funded.members > members);
        // A thousand times the firms: the same money spread over about a thousand times the
        // members has almost no effect (the bound at ×1 is saturated, near 1).
        assert!(effect > 0.99, "{effect}");
        let sector = &mut scenario.sectors[0];
        sector.regular_firms *= 1000;
        sector.sole_firms *= 1000;
        let large = expected_networks(&scenario);
        let members = large.counterfactual.members;
        let expected = 1.0 - (-(1.1 * budget) / (20_000.0 * members)).exp();
        assert!((large.funding_effect - expected).abs() < 1e-12, "{large:?}");
        assert!(large.funding_effect < 0.05, "{large:?}");
        assert!(
            (large.funded.members / members - 1.0).abs() < 0.05,
            "{large:?}"
        );
    }

    #[test]
    fn members_never_exceed_the_firms_and_ties_never_the_pairs() {
        let mut scenario = fixed_scenario();
        scenario.model.join_base_rate = Param::Fixed(10.0);
        scenario.model.tie_rate = Param::Fixed(100.0);
        scenario.model.tie_dissolution_rate = Param::Fixed(0.0);
        let sector = &mut scenario.sectors[0];
        sector.regular_firms = 6;
        sector.sole_firms = 0;
        let networks = expected_networks(&scenario);
        assert!(networks.funded.members <= 6.0 + 1e-9, "{networks:?}");
        assert!(networks.funded.ties <= 15.0 + 1e-9, "{networks:?}");
    }
}
