//! The formation process: several initiatives per sector, driven by potential, formation money
//! and networked firms, so that policies that fund formation differently form different numbers
//! of clusters. Paired comparisons use common random numbers (same seed and run index), and each
//! tolerance is three standard errors of the paired differences.

use clustersim::model::{Simulation, draw_parameters};
use clustersim::policy::rule_for;
use clustersim::scenario::{Policy, Scenario, load_str};
use serde_json::{Value, json};

/// Sectors `a` and `b` (up to four initiatives each, none named) and `c`, whose operating
/// cluster takes the distributable budget; formation money is the reserve.
fn scenario(policy_variants: Value, model: Value) -> Value {
    json!({
        "name": "formation",
        "budget": {"total_ltl": 4000000, "first_year": 2010, "last_year": 2013,
            "horizon_year": 2014},
        "sectors": [
            {"id": "a", "name": "A", "firms": 400, "sole_proprietor_share": 0.2,
             "cooperation_propensity": 0.2, "potential": 0.6, "max_clusters": 4},
            {"id": "b", "name": "B", "firms": 400, "sole_proprietor_share": 0.2,
             "cooperation_propensity": 0.2, "potential": 0.6, "max_clusters": 4},
            {"id": "c", "name": "C", "firms": 400, "sole_proprietor_share": 0.2,
             "cooperation_propensity": 0.2, "potential": 0.6}
        ],
        "clusters": [
            {"id": "c-cluster", "name": "C cluster", "sector": "c", "status": "operating",
             "initial_members": 10, "initial_links": 12}
        ],
        "policy": {"rule": "equal", "forming_reserve_share": 0.3},
        "policy_variants": policy_variants,
        "model": model
    })
}

fn load(value: &Value) -> Scenario {
    match load_str(&value.to_string(), "formation.json") {
        Ok(scenario) => scenario,
        Err(error) => panic!("test scenario does not load: {error}"),
    }
}

/// Clusters formed in sector `sector` by the end of run `run` under `policy`.
fn formed(scenario: &Scenario, policy: &Policy, sector: usize, seed: u64, run: u64) -> u64 {
    let parameters = draw_parameters(scenario, &scenario.parameter_slots(), seed, run);
    let rule = rule_for(&policy.rule);
    let mut simulation = Simulation::with_policy(
        scenario,
        &parameters,
        Some((policy, rule.as_ref())),
        seed,
        run,
    );
    while !simulation.finished() {
        simulation.step();
    }
    assert_eq!(simulation.check_invariants(), Ok(()));
    scenario
        .clusters
        .iter()
        .zip(simulation.clusters())
        .filter(|(spec, state)| spec.sector == sector && state.formed_quarter.is_some())
        .count() as u64
}

/// Mean and standard error of the paired differences `second − first`.
fn paired(first: &[u64], second: &[u64]) -> (f64, f64) {
    let differences: Vec<f64> = first
        .iter()
        .zip(second)
        .map(|(a, b)| *b as f64 - *a as f64)
        .collect();
    let n = differences.len() as f64;
    let mean = differences.iter().sum::<f64>() / n;
    let variance = differences.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (variance / n).sqrt())
}

fn variant(scenario: &Scenario, name: &str) -> Policy {
    match scenario.policy_variants.iter().find(|v| v.name == name) {
        Some(variant) => variant.policy.clone(),
        None => panic!("no variant {name}"),
    }
}

#[test]
fn raising_formation_money_for_one_sector_forms_more_clusters_there() {
    let value = scenario(
        json!([{"name": "favour-a", "policy": {"rule": "equal", "forming_reserve_share": 0.3,
            "formation_weights": {"a": 10.0, "b": 0.1}}}]),
        json!({"formation_rate": 0.02, "formation_funding_response": 8.0,
            "saturation_ltl_per_member": 5000.0}),
    );
    let scenario = load(&value);
    let favour_a = variant(&scenario, "favour-a");
    let runs = 300;
    let base: Vec<u64> = (0..runs)
        .map(|run| formed(&scenario, &scenario.policy, 0, 11, run))
        .collect();
    let raised: Vec<u64> = (0..runs)
        .map(|run| formed(&scenario, &favour_a, 0, 11, run))
        .collect();
    let (mean, se) = paired(&base, &raised);
    // Expected clusters formed in sector a must rise by more than 3 SE of the paired difference
    // (a one-sided false-alarm rate of 0.13% if the money made no difference).
    assert!(mean > 3.0 * se, "difference {mean} with SE {se}");
    // Sector b, which lost formation money, forms no more than before.
    let base_b: Vec<u64> = (0..runs)
        .map(|run| formed(&scenario, &scenario.policy, 1, 11, run))
        .collect();
    let raised_b: Vec<u64> = (0..runs)
        .map(|run| formed(&scenario, &favour_a, 1, 11, run))
        .collect();
    let (mean_b, _) = paired(&base_b, &raised_b);
    assert!(
        mean_b <= 0.0,
        "sector b formed more with less money: {mean_b}"
    );
}

#[test]
fn several_clusters_form_in_one_sector_up_to_its_maximum() {
    // A hazard of 6 per quarter (formation_rate 10 × potential 0.6): sector a fills all four
    // initiative slots in its first quarters in every run (400 firms hold 4 founding groups).
    let scenario = load(&scenario(json!([]), json!({"formation_rate": 10.0})));
    for run in 0..50 {
        assert_eq!(
            formed(&scenario, &scenario.policy, 0, 3, run),
            4,
            "run {run}"
        );
    }
    // The generated initiatives carry generated names after the sector's named clusters.
    let generated: Vec<&str> = scenario
        .clusters
        .iter()
        .filter(|c| c.generated && c.sector == 0)
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(
        generated,
        [
            "a-initiative-1",
            "a-initiative-2",
            "a-initiative-3",
            "a-initiative-4"
        ]
    );
}

#[test]
fn a_sector_with_potential_zero_forms_none() {
    let mut value = scenario(json!([]), json!({"formation_rate": 10.0}));
    value["sectors"][0]["potential"] = json!(0.0);
    let scenario = load(&value);
    for run in 0..50 {
        assert_eq!(
            formed(&scenario, &scenario.policy, 0, 5, run),
            0,
            "run {run}"
        );
        assert_eq!(
            formed(&scenario, &scenario.policy, 1, 5, run),
            4,
            "run {run}"
        );
    }
}

#[test]
fn allocation_rules_that_fund_different_sectors_form_different_numbers() {
    // Sectors a and b each start with one operating cluster and room for three more. Both
    // policies reserve the same formation money; they differ only in which operating cluster the
    // rule funds. Funded members network more, and networked firms raise their sector's
    // formation hazard, so the rule changes how many clusters form in sector a.
    let value = json!({
        "name": "rules",
        "budget": {"total_ltl": 20000000, "first_year": 2010, "last_year": 2013,
            "horizon_year": 2015},
        "sectors": [
            {"id": "a", "name": "A", "firms": 300, "sole_proprietor_share": 0.0,
             "cooperation_propensity": 0.2, "potential": 0.6, "max_clusters": 4},
            {"id": "b", "name": "B", "firms": 300, "sole_proprietor_share": 0.0,
             "cooperation_propensity": 0.2, "potential": 0.6, "max_clusters": 4}
        ],
        "clusters": [
            {"id": "a-cluster", "name": "A cluster", "sector": "a", "status": "operating",
             "initial_members": 10, "initial_links": 12},
            {"id": "b-cluster", "name": "B cluster", "sector": "b", "status": "operating",
             "initial_members": 10, "initial_links": 12}
        ],
        "policy": {"rule": {"fixed": {"shares": {"a-cluster": 1.0, "b-cluster": 0.0}, "later_clusters": "none"}},
            "forming_reserve_share": 0.1, "floor_share": 0.0, "cap_share": 1.0},
        "policy_variants": [{"name": "fund-b", "policy": {
            "rule": {"fixed": {"shares": {"a-cluster": 0.0, "b-cluster": 1.0}, "later_clusters": "none"}},
            "forming_reserve_share": 0.1, "floor_share": 0.0, "cap_share": 1.0}}],
        "model": {"formation_rate": 0.01, "formation_network_response": 20.0,
            "join_funding_response": 0.05, "saturation_ltl_per_member": 5000.0}
    });
    let scenario = load(&value);
    let fund_b = variant(&scenario, "fund-b");
    let runs = 300;
    let fund_a: Vec<u64> = (0..runs)
        .map(|run| formed(&scenario, &scenario.policy, 0, 17, run))
        .collect();
    let fund_b: Vec<u64> = (0..runs)
        .map(|run| formed(&scenario, &fund_b, 0, 17, run))
        .collect();
    let (mean, se) = paired(&fund_b, &fund_a);
    // More clusters form in sector a when the rule funds a's cluster: beyond 3 SE of the paired
    // difference (0.13% one-sided false-alarm rate if the rule did not matter).
    assert!(mean > 3.0 * se, "difference {mean} with SE {se}");
}
