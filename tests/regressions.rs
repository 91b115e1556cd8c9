//! Regression tests, one per bug fixed, named after what broke.

use clustersim::model::{Simulation, draw_parameters};
use clustersim::policy::rule_for;
use clustersim::scenario::load_str;
use serde_json::json;

fn scenario(cap_share: f64, operating_initially: bool) -> serde_json::Value {
    let first = if operating_initially {
        json!({"id": "a", "name": "A", "sector": "a", "status": "operating", "initial_members": 10, "initial_links": 9})
    } else {
        json!({"id": "a", "name": "A", "sector": "a", "status": "forming"})
    };
    json!({
        "name": "regression",
        "budget": {"total_ltl": 1_000_000, "first_year": 2010, "last_year": 2012, "horizon_year": 2012},
        "sectors": [
            {"id": "a", "name": "A", "firms": 100, "sole_proprietor_share": 0.0, "cooperation_propensity": 0.0, "potential": 1.0},
            {"id": "b", "name": "B", "firms": 100, "sole_proprietor_share": 0.0, "cooperation_propensity": 0.0, "potential": 1.0}
        ],
        "clusters": [first, {"id": "b", "name": "B", "sector": "b", "status": "forming"}],
        "policy": {"rule": {"performance": {"base_share": 0.0}}, "cap_share": cap_share,
                   "forming_reserve_share": 0.1},
        "model": {"join_base_rate": 0, "size_attraction": 0, "join_funding_response": 0,
                  "exit_rate": 0, "formation_rate": 10, "formation_funding_response": 0}
    })
}

#[test]
fn cap_below_one_is_refused_when_no_cluster_operates_at_the_start() {
    // Before the fix, such a cap was not checked and then silently exceeded once clusters formed.
    let error = load_str(&scenario(0.5, false).to_string(), "cap.json").unwrap_err();
    assert!(
        error.to_string().contains("caps cannot all be met"),
        "{error}"
    );
    assert!(load_str(&scenario(1.0, false).to_string(), "cap.json").is_ok());
}

#[test]
fn newly_formed_cluster_shows_no_growth_to_the_performance_rule() {
    // Cluster A operates with no joins or exits (growth 0); cluster B forms in the first quarter
    // with 8 founders (after the first allocation). Before the fix B's founders counted as growth
    // in the second funding year and B took the whole growth tranche; now neither grew, so that
    // year is split equally.
    let scenario = load_str(&scenario(1.0, true).to_string(), "performance.json").unwrap();
    let slots = scenario.parameter_slots();
    let parameters = draw_parameters(&scenario, &slots, 1, 0);
    let rule = rule_for(&scenario.policy.rule);
    let mut simulation = Simulation::new(&scenario, &parameters, Some(rule.as_ref()), 1, 0);
    while !simulation.finished() {
        simulation.step();
    }
    assert!(simulation.clusters()[1].operating, "B formed");
    let clusters = scenario.clusters.len();
    let year = 1; // second funding year: B formed during the first
    let allocated = |cluster: usize| -> i64 {
        (0..2)
            .map(|instrument| {
                simulation.ledger()[(year * clusters + cluster) * 2 + instrument].allocated
            })
            .sum()
    };
    assert_eq!(simulation.clusters()[0].network.members(), 10);
    assert!(
        (allocated(0) - allocated(1)).abs() <= 2,
        "{} vs {}",
        allocated(0),
        allocated(1)
    );
}

#[test]
fn an_absurd_funding_year_does_not_allocate_a_cell_per_year() {
    // last_year 2147483647 with an even profile once built a vector of two billion weights
    // (16 GiB) before reporting the bad year; now the year is reported at once.
    let mut value: serde_json::Value =
        serde_json::from_str(clustersim::scenario::BASELINE_JSON).unwrap();
    value["budget"]["last_year"] = json!(i32::MAX);
    value["budget"]["horizon_year"] = json!(i32::MAX);
    let started = std::time::Instant::now();
    let error = load_str(&value.to_string(), "years.json")
        .unwrap_err()
        .to_string();
    assert!(error.contains("a year between 1900 and 2200"), "{error}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
}
