//! Clusters with histories: a founding date keeps a cluster empty and unfunded before it, and a
//! cluster that loses every member closes, receives no further money and returns what it held.

use clustersim::model::{Simulation, draw_parameters};
use clustersim::policy::rule_for;
use clustersim::scenario::{Scenario, load_str};
use serde_json::{Value, json};

/// Two sectors; `early` operates from 2007, `late` is founded at `founded` (a decimal year).
fn scenario(founded: f64, exit_rate: f64) -> Value {
    json!({
        "name": "histories",
        "budget": {"total_ltl": 8000000, "first_year": 2007, "last_year": 2010,
            "horizon_year": 2011, "unabsorbed": "carry_over"},
        "sectors": [
            {"id": "a", "name": "A", "firms": 300, "sole_proprietor_share": 0.2,
             "cooperation_propensity": 0.2, "potential": 0.6},
            {"id": "b", "name": "B", "firms": 300, "sole_proprietor_share": 0.2,
             "cooperation_propensity": 0.2, "potential": 0.6}
        ],
        "clusters": [
            {"id": "early", "name": "Early", "sector": "a", "status": "operating",
             "initial_members": 10, "initial_links": 12},
            {"id": "late", "name": "Late", "sector": "b", "status": "operating",
             "initial_members": 10, "initial_links": 12, "founded": founded}
        ],
        "policy": {"rule": "by_members", "forming_reserve_share": 0.0},
        "model": {"exit_rate": exit_rate, "exit_funding_retention": 0.0,
            "join_base_rate": 0.01}
    })
}

fn load(value: &Value) -> Scenario {
    match load_str(&value.to_string(), "histories.json") {
        Ok(scenario) => scenario,
        Err(error) => panic!("test scenario does not load: {error}"),
    }
}

#[test]
fn a_cluster_founded_in_2009_has_no_members_links_or_money_before_2009() {
    let scenario = load(&scenario(2009.0, 0.01));
    let slots = scenario.parameter_slots();
    let rule = rule_for(&scenario.policy.rule);
    let founding_quarter = 8; // 2009Q1, counted from 2007Q1
    for run in 0..40 {
        let parameters = draw_parameters(&scenario, &slots, 3, run);
        let mut simulation = Simulation::new(&scenario, &parameters, Some(rule.as_ref()), 3, run);
        while !simulation.finished() {
            let quarter = simulation.quarter();
            simulation.step();
            assert_eq!(
                simulation.check_invariants(),
                Ok(()),
                "run {run}, quarter {quarter}"
            );
            let late = &simulation.clusters()[1];
            if quarter < founding_quarter {
                assert_eq!(late.network.members(), 0, "run {run}, quarter {quarter}");
                assert_eq!(late.network.links(), 0, "run {run}, quarter {quarter}");
                assert!(!late.operating, "run {run}, quarter {quarter}");
                assert_eq!(simulation.cluster_balance(1), [0, 0]);
            } else if quarter == founding_quarter {
                assert!(
                    late.operating,
                    "run {run}: not operating at its founding quarter"
                );
            }
        }
        // Ledger rows of 2007 and 2008 for the late cluster are empty; from 2009 it is paid.
        let ledger = simulation.ledger();
        let clusters = scenario.clusters.len();
        for year in 0..scenario.budget.funding_years() {
            for instrument in 0..2 {
                let entry = ledger[(year * clusters + 1) * 2 + instrument];
                if year < 2 {
                    assert_eq!(entry.fields(), [0; 4], "run {run}, year {year}");
                }
            }
            let paid: i64 = (0..2)
                .map(|instrument| ledger[(year * clusters + 1) * 2 + instrument].allocated)
                .sum();
            if year >= 2 {
                assert!(
                    paid > 0,
                    "run {run}: the founded cluster got nothing in year {year}"
                );
            }
        }
    }
}

#[test]
fn founding_at_or_before_the_start_means_operating_from_the_start() {
    let scenario = load(&scenario(2004.0, 0.01));
    assert_eq!(scenario.clusters[1].founded_quarter, None);
    let parameters = draw_parameters(&scenario, &scenario.parameter_slots(), 1, 0);
    let simulation = Simulation::new(&scenario, &parameters, None, 1, 0);
    assert_eq!(simulation.clusters()[1].network.members(), 10);
}

#[test]
fn a_forming_cluster_with_a_founding_date_is_refused() {
    let mut value = scenario(2009.0, 0.01);
    value["clusters"][1]["status"] = json!("forming");
    value["clusters"][1]["initial_members"] = json!(0);
    value["clusters"][1]["initial_links"] = json!(0);
    let error = match load_str(&value.to_string(), "histories.json") {
        Ok(_) => panic!("a forming cluster with `founded` loaded"),
        Err(error) => error.to_string(),
    };
    assert!(error.contains("clusters[1].founded"), "{error}");
    assert!(
        error.contains("forming cluster has no founding date"),
        "{error}"
    );
}

#[test]
fn a_founding_date_after_the_horizon_is_refused() {
    let error = match load_str(&scenario(2030.0, 0.01).to_string(), "histories.json") {
        Ok(_) => panic!("a founding date after the horizon loaded"),
        Err(error) => error.to_string(),
    };
    assert!(error.contains("clusters[1].founded"), "{error}");
}

#[test]
fn a_cluster_with_no_members_receives_no_further_money_and_returns_what_it_held() {
    // exit_rate 1 with no retention: every member leaves in the first quarter, so both clusters
    // close in 2007Q1. The 2007 allocation was made before they closed: its later quarters are
    // returned at once (nothing absorbed after closing, nothing carried); from 2008 nobody is
    // operating or forming, so nothing is allocated and the whole budget counts as withheld.
    let scenario = load(&scenario(2006.0, 1.0));
    let slots = scenario.parameter_slots();
    let rule = rule_for(&scenario.policy.rule);
    let clusters = scenario.clusters.len();
    for run in 0..20 {
        let parameters = draw_parameters(&scenario, &slots, 5, run);
        let mut simulation = Simulation::new(&scenario, &parameters, Some(rule.as_ref()), 5, run);
        simulation.step();
        for state in simulation.clusters() {
            assert!(state.closed && !state.operating, "run {run}: not closed");
            assert_eq!(state.network.members(), 0);
        }
        let absorbed_first_quarter: Vec<[i64; 4]> = simulation
            .ledger()
            .iter()
            .map(|entry| entry.fields())
            .collect();
        while !simulation.finished() {
            simulation.step();
            assert_eq!(simulation.check_invariants(), Ok(()), "run {run}");
            for (index, state) in simulation.clusters().iter().enumerate() {
                assert!(
                    state.closed && !state.operating,
                    "run {run}: a closed cluster reopened"
                );
                assert_eq!(
                    simulation.cluster_balance(index),
                    [0, 0],
                    "run {run}: a closed cluster holds money"
                );
                assert_eq!(state.network.members(), 0);
            }
        }
        let ledger = simulation.ledger();
        let first_year = &scenario.budget.yearly_cents;
        for cluster in 0..clusters {
            for instrument in 0..2 {
                let index = cluster * 2 + instrument;
                let entry = ledger[index];
                // Nothing absorbed after the first quarter, nothing carried out of 2007.
                assert_eq!(
                    entry.absorbed, absorbed_first_quarter[index][1],
                    "run {run}"
                );
                assert_eq!(entry.carried, 0, "run {run}");
                assert_eq!(
                    entry.allocated,
                    entry.absorbed + entry.returned,
                    "run {run}"
                );
                for year in 1..scenario.budget.funding_years() {
                    let later = ledger[(year * clusters + cluster) * 2 + instrument];
                    assert_eq!(later.fields(), [0; 4], "run {run}, year {year}");
                }
            }
        }
        let allocated: i64 = ledger.iter().map(|entry| entry.allocated).sum();
        assert_eq!(allocated, first_year[0], "run {run}");
        assert_eq!(
            allocated + simulation.withheld_cents(),
            scenario.budget.total_cents,
            "run {run}: the ledger does not account for every cent"
        );
    }
}

/// The members chart of a 5-run result of `value` (written by the binary), as SVG.
fn members_chart(value: &Value) -> String {
    let folder = match tempfile::tempdir() {
        Ok(folder) => folder,
        Err(error) => panic!("temporary folder: {error}"),
    };
    let file = folder.path().join("scenario.json");
    if let Err(error) = std::fs::write(&file, value.to_string()) {
        panic!("writing the scenario: {error}");
    }
    let out = folder.path().join("result");
    let mut command = match assert_cmd::Command::cargo_bin("clustersim") {
        Ok(command) => command,
        Err(error) => panic!("binary: {error}"),
    };
    command
        .args(["run", "--runs", "5", "--quiet", "--out"])
        .arg(&out)
        .arg(&file)
        .assert()
        .success();
    let results = match clustersim::report::results::ResultSet::load(&out) {
        Ok(results) => results,
        Err(error) => panic!("{error:#}"),
    };
    let charts = match clustersim::report::charts::render_all(
        &results,
        &clustersim::report::charts::ChartOptions::default(),
    ) {
        Ok(charts) => charts,
        Err(error) => panic!("{error:#}"),
    };
    match charts
        .into_iter()
        .find(|chart| chart.name == "clusters-members")
    {
        Some(chart) => chart.svg,
        None => panic!("no members chart"),
    }
}

#[test]
fn observed_members_are_drawn_in_the_members_chart() {
    let plain = scenario(2009.0, 0.01);
    let mut observed = plain.clone();
    observed["observations"] = json!([
        {"cluster": "early", "date": 2008.5, "members": 14},
        {"cluster": "late", "date": 2011.25, "members": 9},
        {"cluster": "late", "date": 2030.0, "members": 40}
    ]);
    let scenario = load(&observed);
    assert_eq!(scenario.observations.len(), 3);
    // Two observations lie inside 2007–2011 and are drawn as dots; the one in 2030 is not.
    let dots = |svg: &str| svg.matches("<circle").count();
    assert_eq!(dots(&members_chart(&plain)), 0);
    assert_eq!(dots(&members_chart(&observed)), 2);
}

#[test]
fn an_observation_of_an_unknown_cluster_is_refused() {
    let mut value = scenario(2009.0, 0.01);
    value["observations"] = json!([{"cluster": "nope", "date": 2010.0, "members": 3}]);
    let error = match load_str(&value.to_string(), "histories.json") {
        Ok(_) => panic!("an observation of an unknown cluster loaded"),
        Err(error) => error.to_string(),
    };
    assert!(error.contains("observations[0].cluster"), "{error}");
    assert!(error.contains("unknown cluster 'nope'"), "{error}");
}
