//! Checking targets against a scenario: every bad target located, every good one evaluated from
//! the right series slot.

use super::*;
use crate::scenario::load_str;

const SCENARIO: &str = include_str!("../../../tests/data/calibration.json");

fn scenario() -> Scenario {
    load_str(SCENARIO, "calibration.json").unwrap()
}

fn problems(text: &str) -> String {
    match targets_from_str(text, "t.json", &scenario()) {
        Ok(targets) => panic!("accepted: {targets:?}"),
        Err(error) => error.to_string(),
    }
}

const GOOD: &str = r#"{
  "targets": [
    {"name": "ict-members", "quantity": "members", "cluster": "ict-cluster", "date": 2014.9,
     "observed": 60, "uncertainty": {"sd": 6}, "source": "test"},
    {"name": "formed", "quantity": "clusters_formed", "date": 2014.9,
     "observed": 3, "uncertainty": {"interval": {"lower": 2, "upper": 4}}, "source": "test"},
    {"name": "operating", "quantity": "operating_clusters", "date": 2012.0,
     "observed": 2, "uncertainty": {"at_least": {"scale": 1}}, "source": "test"}
  ]
}"#;

#[test]
fn good_targets_point_at_their_series_slots() {
    let scenario = scenario();
    let targets = targets_from_str(GOOD, "t.json", &scenario).unwrap().targets;
    assert_eq!(targets.len(), 3);
    // 2014.9 lies in 2014Q4, the 20th quarter from 2010Q1 (index 19).
    assert_eq!(targets[0].quarter, 19);
    assert_eq!(
        targets[0].slot,
        CLUSTER_OUTCOMES
            .iter()
            .position(|o| *o == "members")
            .unwrap()
    );
    assert_eq!(
        targets[0].description,
        "members of ict-cluster at the end of 2014Q4"
    );
    let totals = scenario.clusters.len() * CLUSTER_OUTCOMES.len();
    let formed = TOTAL_OUTCOMES
        .iter()
        .position(|o| *o == "clusters_formed")
        .unwrap();
    assert_eq!(targets[1].slot, totals + formed);
    assert_eq!(targets[2].quarter, 8);
    // The value is read from the run's series exactly where the outputs read it.
    let record = crate::engine::simulate_run(
        &scenario,
        &scenario.parameter_slots(),
        crate::policy::rule_for(&scenario.policy.rule).as_ref(),
        7,
        0,
    );
    let width = slots_per_quarter(scenario.clusters.len());
    assert_eq!(
        targets[0].value(&record.series, width),
        record.series[19 * width + targets[0].slot]
    );
}

/// Deviations by hand: sd 6 → (66 − 60)/6 = 1; interval [2, 4] (half-width 1) → 0 inside, 2 at
/// 6; at least 2 (scale 1) → 0 at 5, 1.5 at 0.5. The distance is the Euclidean norm.
#[test]
fn deviations_and_distance_match_hand_values() {
    let targets = targets_from_str(GOOD, "t.json", &scenario())
        .unwrap()
        .targets;
    assert_eq!(targets[0].deviation(66.0), 1.0);
    assert_eq!(targets[1].deviation(3.0), 0.0);
    assert_eq!(targets[1].deviation(6.0), 2.0);
    assert_eq!(targets[2].deviation(5.0), 0.0);
    assert_eq!(targets[2].deviation(0.5), 1.5);
    assert_eq!(
        distance(&targets, &[66.0, 6.0, 0.5]),
        (1.0f64 + 4.0 + 2.25).sqrt()
    );
    assert_eq!(distance(&targets, &[66.0, f64::NAN, 0.5]), f64::INFINITY);
    assert_eq!(
        targets[0].band(),
        (Some(60.0 - Z_95 * 6.0), Some(60.0 + Z_95 * 6.0))
    );
    assert_eq!(targets[2].band(), (Some(2.0), None));
}

#[test]
fn an_unknown_quantity_is_located_and_the_valid_ones_listed() {
    let message = problems(
        r#"{"targets": [
  {"name": "x", "quantity": "clusters", "date": 2012, "observed": 1,
   "uncertainty": {"sd": 1}, "source": "s"}
]}"#,
    );
    assert!(message.starts_with("t.json:2:"), "{message}");
    assert!(message.contains("at targets[0].quantity"), "{message}");
    assert!(message.contains("unknown quantity 'clusters'"), "{message}");
    assert!(message.contains("operating_clusters"), "{message}");
}

#[test]
fn an_unknown_cluster_is_located_and_the_valid_ones_listed() {
    let message = problems(
        r#"{"targets": [
  {"name": "x", "quantity": "members", "cluster": "laser", "date": 2012, "observed": 1,
   "uncertainty": {"sd": 1}, "source": "s"}
]}"#,
    );
    assert!(message.contains("t.json:2:"), "{message}");
    assert!(message.contains("at targets[0].cluster"), "{message}");
    assert!(
        message.contains("unknown cluster 'laser'; valid: ict-cluster, food-cluster"),
        "{message}"
    );
}

#[test]
fn a_date_outside_the_run_is_refused() {
    let message = problems(
        r#"{"targets": [
  {"name": "x", "quantity": "operating_clusters", "date": 2016.5, "observed": 1,
   "uncertainty": {"sd": 1}, "source": "s"}
]}"#,
    );
    assert!(message.contains("t.json:2:"), "{message}");
    assert!(message.contains("at targets[0].date"), "{message}");
    assert!(message.contains("outside the run"), "{message}");
    assert!(message.contains("from 2010 to before 2015"), "{message}");
}

#[test]
fn network_outcomes_need_a_year_end_date() {
    let message = problems(
        r#"{"targets": [{"name": "x", "quantity": "transitivity", "date": 2012.2, "observed": 0.3,
   "uncertainty": {"sd": 0.1}, "source": "s"}]}"#,
    );
    assert!(
        message.contains("measured only at the end of each year"),
        "{message}"
    );
}

#[test]
fn bad_uncertainties_and_duplicate_names_are_all_reported() {
    let message = problems(
        r#"{"targets": [
  {"name": "a", "quantity": "links", "date": 2012, "observed": 1,
   "uncertainty": {"sd": 0}, "source": "s"},
  {"name": "b", "quantity": "links", "date": 2012, "observed": 1,
   "uncertainty": {"interval": {"lower": 5, "upper": 2}}, "source": "s"},
  {"name": "c", "quantity": "links", "date": 2012, "observed": 1,
   "uncertainty": {"at_most": {"scale": -1}}, "source": "s"},
  {"name": "c", "quantity": "links", "date": 2012, "observed": 1,
   "uncertainty": {"sd": 1}, "source": ""}
]}"#,
    );
    assert!(message.contains("has 5 problems"), "{message}");
    assert!(
        message.contains("at targets[0].uncertainty.sd: a positive number"),
        "{message}"
    );
    assert!(
        message.contains("at targets[1].uncertainty.interval"),
        "{message}"
    );
    assert!(
        message.contains("at targets[2].uncertainty.at_most.scale"),
        "{message}"
    );
    assert!(
        message.contains("at targets[3].name: the name 'c' is used twice"),
        "{message}"
    );
    assert!(message.contains("at targets[3].source"), "{message}");
}

#[test]
fn misspelt_fields_and_unknown_kinds_are_located() {
    let message = problems(
        r#"{"targets": [
  {"name": "a", "quantity": "links", "date": 2012, "observed": 1,
   "uncertainty": {"standard_deviation": 2}, "source": "s"}
]}"#,
    );
    assert!(message.contains("t.json:3:"), "{message}");
    assert!(message.contains("standard_deviation"), "{message}");
    let message = problems(r#"{"target": []}"#);
    assert!(message.contains("unknown field `target`"), "{message}");
    let message = problems("");
    assert!(message.contains("empty"), "{message}");
    let message = problems(r#"{"targets": []}"#);
    assert!(message.contains("no targets"), "{message}");
}

/// The scenario's observations serve as targets with sd = max(1, share × members); those
/// outside the run are skipped with a note.
#[test]
fn scenario_observations_become_targets() {
    let text = SCENARIO
        .replace(
            "\"budget\"",
            r#""sources": [{"id": "obs-1", "kind": "data", "citation": "a count"}],
  "budget""#,
        )
        .replace(
            "\"simulation\"",
            r#""observations": [
    {"cluster": "ict-cluster", "date": 2013.5, "members": 40, "source": "obs-1"},
    {"cluster": "ict-cluster", "date": 2020.5, "members": 90}
  ],
  "simulation""#,
        );
    let scenario = load_str(&text, "s.json").unwrap();
    let targets = targets_from_str(
        r#"{"scenario_observations": {"sd_share": 0.25}}"#,
        "t.json",
        &scenario,
    )
    .unwrap();
    assert_eq!(targets.targets.len(), 1);
    let target = &targets.targets[0];
    assert_eq!(target.uncertainty, Uncertainty::Sd(10.0));
    assert_eq!(target.source, "obs-1");
    assert_eq!(target.quarter, 14);
    assert_eq!(targets.skipped.len(), 1);
    assert!(
        targets.skipped[0].contains("outside the run"),
        "{:?}",
        targets.skipped
    );
}
