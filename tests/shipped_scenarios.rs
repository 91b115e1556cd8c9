//! The shipped scenarios are grounded: every number in them has a source id or an explicit
//! assumption label, data sources cite rows of the facts file, and every behavioural assumption
//! of the baseline is a distribution whose range states how unsure we are.

use std::fs;
use std::path::{Path, PathBuf};

use clustersim::scenario::provenance::unsourced_numbers;
use clustersim::scenario::{Param, SourceKind, load_str};
use serde_json::Value;

fn shipped() -> Vec<PathBuf> {
    let mut files = vec![PathBuf::from("scenarios/lithuania-2007-2013.json")];
    let mut policies: Vec<PathBuf> = match fs::read_dir("scenarios/policies") {
        Ok(entries) => entries.filter_map(|e| e.ok().map(|e| e.path())).collect(),
        Err(error) => panic!("reading scenarios/policies: {error}"),
    };
    policies.sort();
    files.extend(policies);
    files
}

fn read(path: &Path) -> String {
    match fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) => panic!("reading {}: {error}", path.display()),
    }
}

/// A facts-file row id such as `LT-C3` or `EU-F1`.
fn cites_a_fact(text: &str) -> bool {
    let bytes = text.as_bytes();
    (0..bytes.len().saturating_sub(4)).any(|i| {
        (text[i..].starts_with("LT-") || text[i..].starts_with("EU-"))
            && bytes[i + 3].is_ascii_uppercase()
            && bytes.get(i + 4).is_some_and(u8::is_ascii_digit)
    })
}

#[test]
fn every_number_in_the_shipped_scenarios_has_a_source_or_an_assumption_label() {
    let files = shipped();
    assert!(
        files.len() >= 7,
        "expected the baseline and six policy files"
    );
    for path in files {
        let text = read(&path);
        let value: Value = match serde_json::from_str(&text) {
            Ok(value) => value,
            Err(error) => panic!("{}: {error}", path.display()),
        };
        let unsourced = unsourced_numbers(&value);
        assert!(
            unsourced.is_empty(),
            "{}: unsourced {unsourced:?}",
            path.display()
        );
        let scenario = match load_str(&text, &path.display().to_string()) {
            Ok(scenario) => scenario,
            Err(error) => panic!("{error}"),
        };
        for (id, (kind, citation)) in &scenario.sources {
            match kind {
                SourceKind::Data => assert!(
                    cites_a_fact(id) || cites_a_fact(citation),
                    "{}: data source '{id}' cites no facts-file row",
                    path.display()
                ),
                SourceKind::Assumption => assert!(
                    citation.contains("ASSUMED") && citation.contains("range"),
                    "{}: assumption '{id}' is not labelled ASSUMED with a range",
                    path.display()
                ),
            }
        }
    }
}

#[test]
fn every_behavioural_assumption_of_the_baseline_is_a_distribution() {
    let path = Path::new("scenarios/lithuania-2007-2013.json");
    let scenario = match load_str(&read(path), "baseline") {
        Ok(scenario) => scenario,
        Err(error) => panic!("{error}"),
    };
    for (info, param) in scenario.model.values() {
        assert!(
            matches!(param, Param::Random(_)),
            "model.{} is a fixed assumption; give it a range",
            info.name
        );
    }
    for sector in &scenario.sectors {
        for (name, param) in [
            ("cooperation_propensity", &sector.cooperation_propensity),
            ("potential", &sector.potential),
        ] {
            assert!(
                matches!(param, Param::Random(_)),
                "sector {}: {name} is a fixed assumption",
                sector.id
            );
        }
    }
}

#[test]
fn the_baseline_starts_from_what_happened() {
    let scenario = match load_str(&read(Path::new("scenarios/lithuania-2007-2013.json")), "b") {
        Ok(scenario) => scenario,
        Err(error) => panic!("{error}"),
    };
    // No money before the first contracts of late 2010 (LT-A1, LT-C5, LT-C6).
    let budget = &scenario.budget;
    for (year, cents) in budget.yearly_cents.iter().enumerate() {
        if budget.first_year + (year as i32) < 2010 {
            assert_eq!(*cents, 0, "money in {}", budget.first_year + year as i32);
        }
    }
    // The two measures (LT-C3, LT-C4) make the total, LTL 187,004,000.
    assert_eq!(budget.total_cents, 18_700_400_000);
    let measure = |id: &str| match budget.measures.iter().find(|m| m.id == id) {
        Some(measure) => measure,
        None => panic!("measure {id} missing"),
    };
    let lt = measure("inoklaster-lt");
    let lt_plus = measure("inoklaster-lt-plus");
    assert_eq!(lt.total_cents, 2_670_000_000);
    assert_eq!(lt_plus.total_cents, 16_030_400_000);
    assert!(lt.pays_activity && lt.pays_formation && !lt.pays_infrastructure);
    assert!(lt_plus.pays_infrastructure && lt_plus.pays_activity && !lt_plus.pays_formation);
    assert_eq!((lt.min_members, lt.min_research_partners), (5, 1));
    // First contracts 22 October 2010 (LT-C6) and 18 November 2010 (LT-C5): 2010Q4.
    for measure in [lt, lt_plus] {
        let quarter = clustersim::scenario::measures::contract_start_quarter(
            measure.earliest_contracts_start(),
            budget.first_year,
        );
        assert_eq!(budget.period_label(quarter), "2010Q4", "{}", measure.id);
    }
    // The charts shade the period in which money can flow: from 2010Q4.
    assert_eq!(budget.money_period(), (2010.75, 2016.0));
    // Founding dates: photovoltaic 2008 (LT-B3), ABBI December 2009 (LT-B2), lasers before 2007.
    let founded = |id: &str| {
        scenario
            .clusters
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.founded_quarter.map(|q| budget.period_label(q)))
    };
    assert_eq!(founded("photovoltaic"), Some(Some("2008Q1".into())));
    assert_eq!(founded("abbi"), Some(Some("2009Q4".into())));
    assert_eq!(founded("laser-association"), Some(None));
}

#[test]
fn the_previous_stylised_baseline_still_loads_and_runs() {
    // The shipped baseline before issue 10 (one forming slot per sector, money from 2007, no
    // founding dates, no model_sources): old files keep loading, and run as before in shape.
    let text = read(Path::new("tests/data/stylised-baseline-2007.json"));
    let scenario = match load_str(&text, "stylised-baseline-2007.json") {
        Ok(scenario) => scenario,
        Err(error) => panic!("{error}"),
    };
    assert_eq!(
        scenario.clusters.len(),
        16,
        "no generated initiatives by default"
    );
    assert!(
        scenario
            .sectors
            .iter()
            .all(|sector| sector.max_clusters == 1)
    );
    let slots = scenario.parameter_slots();
    let rule = clustersim::policy::rule_for(&scenario.policy.rule);
    let record = clustersim::engine::simulate_run(&scenario, &slots, rule.as_ref(), 1, 0);
    assert!(record.headline.iter().any(|value| *value > 0.0));
}
