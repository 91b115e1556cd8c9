//! Model invariants over randomised scenarios (proptest): members never exceed a sector's firms,
//! links ≤ m(m−1)/2, no self-loops or duplicate ties, no negative stock, the ledger balances, and
//! every policy's allocations sum to each year's budget and to the total, to the cent.

use clustersim::engine::simulate_run;
use clustersim::model::{Simulation, draw_parameters};
use clustersim::policy::rule_for;
use clustersim::scenario::{Scenario, load_str};
use proptest::prelude::*;
use serde_json::{Value, json};

/// A random small scenario: 1–5 sectors, 1–6 clusters (at least one operating), 1–4 funding
/// years, any policy, random budget, shares and model parameters.
fn scenario_json() -> impl Strategy<Value = Value> {
    (
        proptest::collection::vec((1u64..400, 0.0f64..=1.0, 0.0f64..=1.0, 0.0f64..=1.0), 1..5),
        proptest::collection::vec((any::<bool>(), 0usize..5, 1u64..30, 0.0f64..=1.0), 1..6),
        (0.0f64..5e7, 1i32..4, 0i32..3, any::<bool>()),
        (0usize..6, 0.0f64..=1.0, 0.0f64..=0.5, 0.0f64..=1.0),
        (0.0f64..0.05, 0.0f64..0.5, 0.0f64..0.3, 0.0f64..0.2, 0.0f64..0.5),
    )
        .prop_map(|(sectors, clusters, budget, policy, model)| {
            let (total, years, extra, carry) = budget;
            let (rule_index, infrastructure, reserve, floor_fraction) = policy;
            let (join, tie_rate, dissolution, exit, formation) = model;
            let sector_values: Vec<Value> = sectors
                .iter()
                .enumerate()
                .map(|(i, (firms, sole, propensity, potential))| {
                    json!({"id": format!("s{i}"), "name": format!("Sector {i}"), "firms": firms,
                        "sole_proprietor_share": sole, "cooperation_propensity": propensity,
                        "potential": potential})
                })
                .collect();
            let mut used_members = vec![0u64; sectors.len()];
            let mut cluster_values = Vec::new();
            for (i, (operating, sector, members, links_fraction)) in clusters.iter().enumerate() {
                let sector = sector % sectors.len();
                let regular = ((sectors[sector].0 as f64) * (1.0 - sectors[sector].1)).round() as u64;
                let room = regular.saturating_sub(used_members[sector]);
                // The first cluster is operating whenever its sector has room.
                let operating = (*operating || i == 0) && room >= 1;
                let mut cluster = json!({"id": format!("c{i}"), "name": format!("Cluster {i}"),
                    "sector": format!("s{sector}"), "fields": [if i % 2 == 0 { "x" } else { "y" }]});
                if operating {
                    let m = (*members).min(room);
                    used_members[sector] += m;
                    let max_links = m * m.saturating_sub(1) / 2;
                    let links = ((max_links as f64) * links_fraction).floor() as u64;
                    cluster["status"] = json!("operating");
                    cluster["initial_members"] = json!(m);
                    cluster["initial_links"] = json!(links);
                } else {
                    cluster["status"] = json!("forming");
                }
                cluster_values.push(cluster);
            }
            let cluster_count = cluster_values.len() as f64;
            let rule = match rule_index {
                0 => json!("equal"),
                1 => json!("by_members"),
                2 => json!("by_potential"),
                3 => json!({"competitive": {"request_ltl_per_member": 50000, "request_base_ltl": 200000, "quality_sd": 0.3}}),
                4 => json!({"performance": {"base_share": 0.3}}),
                _ => json!({"fixed": {"shares": {"c0": 0.7, "c1": 0.3}, "later_clusters": 0.2}}),
            };
            json!({
                "name": "random",
                "budget": {"total_ltl": (total * 100.0).round() / 100.0, "first_year": 2007,
                    "last_year": 2007 + years - 1, "horizon_year": 2007 + years - 1 + extra,
                    "unabsorbed": if carry { "carry_over" } else { "return" }},
                "sectors": sector_values,
                "clusters": cluster_values,
                "valleys": [{"id": "v", "name": "V", "city": "C", "fields": ["x"],
                    "opening_year": {"uniform": {"min": 2006, "max": 2010}}}],
                "policy": {"rule": rule, "infrastructure_share": infrastructure,
                    "forming_reserve_share": reserve, "floor_share": floor_fraction / cluster_count,
                    "cap_share": 1.0},
                "model": {"join_base_rate": join, "tie_rate": tie_rate,
                    "tie_dissolution_rate": dissolution, "exit_rate": exit,
                    "formation_rate": formation, "infrastructure_lag_quarters": {"uniform": {"min": 0, "max": 6}},
                    "founding_members": {"uniform": {"min": 2, "max": 12}},
                    "absorption_base_ltl": 100000.0, "absorption_per_member_ltl": 10000.0}
            })
        })
}

fn load(value: &Value) -> Result<Scenario, String> {
    load_str(&value.to_string(), "random.json").map_err(|error| error.to_string())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn invariants_hold_after_every_quarter(value in scenario_json(), run in 0u64..1000) {
        let scenario = match load(&value) {
            Ok(scenario) => scenario,
            // A fixed-share rule naming a cluster that the random scenario lacks is a load error,
            // as it should be; nothing to simulate then.
            Err(message) => {
                prop_assert!(message.contains("unknown cluster"), "unexpected load error: {message}");
                return Ok(());
            }
        };
        let slots = scenario.parameter_slots();
        let parameters = draw_parameters(&scenario, &slots, 99, run);
        let rule = rule_for(&scenario.policy.rule);
        let mut simulation = Simulation::new(&scenario, &parameters, Some(rule.as_ref()), 99, run);
        prop_assert_eq!(simulation.check_invariants(), Ok(()));
        while !simulation.finished() {
            simulation.step();
            prop_assert_eq!(simulation.check_invariants(), Ok(()), "after quarter {}", simulation.quarter());
            for (spec, state) in scenario.clusters.iter().zip(simulation.clusters()) {
                let members = state.network.members() as u64;
                prop_assert!(members <= scenario.sectors[spec.sector].firms);
                prop_assert!(state.network.links() as u64 <= members * members.saturating_sub(1) / 2);
                prop_assert!(state.capital >= 0.0 && state.activity >= 0.0);
            }
        }
        // Allocations never exceed a year's budget; with what was withheld (no cluster operating
        // or forming, e.g. every cluster closed) they sum to the total, to the cent.
        let clusters = scenario.clusters.len();
        let mut total = 0i64;
        for (year, budget) in scenario.budget.yearly_cents.iter().enumerate() {
            let allocated: i64 = simulation.ledger()[year * clusters * 2..(year + 1) * clusters * 2]
                .iter()
                .map(|entry| entry.allocated)
                .sum();
            prop_assert!(allocated <= *budget, "year {}", year);
            total += allocated;
        }
        prop_assert_eq!(total + simulation.withheld_cents(), scenario.budget.total_cents);
        // After the funding period nothing is held: absorbed + returned = allocated.
        for index in 0..simulation.clusters().len() {
            prop_assert_eq!(simulation.cluster_balance(index), [0, 0]);
        }
    }

    #[test]
    fn outputs_are_always_finite_or_explicitly_undefined(value in scenario_json(), run in 0u64..1000) {
        let Ok(scenario) = load(&value) else { return Ok(()); };
        let slots = scenario.parameter_slots();
        let rule = rule_for(&scenario.policy.rule);
        let record = simulate_run(&scenario, &slots, rule.as_ref(), 5, run);
        // Only the two ratio outcomes may be undefined (NaN, written blank); nothing is infinite.
        for value in record.series.iter().chain(&record.headline) {
            prop_assert!(!value.is_infinite());
        }
        let ratios = clustersim::engine::outcomes::HEADLINE_OUTCOMES.len() - 2;
        prop_assert!(record.headline[..ratios].iter().all(|v| v.is_finite()));
    }
}
