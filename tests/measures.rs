//! Funding measures: a measure's money never flows before its contracts start, the ledger
//! balances to the cent per measure, year and cluster, closed clusters get nothing more from any
//! measure, eligibility rules exclude ineligible clusters, and files without measures compute
//! exactly what one implicit measure does.

use clustersim::model::{LedgerEntry, Simulation, draw_parameters};
use clustersim::policy::rule_for;
use clustersim::scenario::{Scenario, load_str};
use serde_json::{Value, json};

/// 2007–2012 funding, horizon 2013. Cluster `big` (20 members, one research partner) and `small`
/// (3 members) operate from 2007 in sectors a and b; `valley-side` (20 members, no research
/// partner, field `x`) in sector c gains a research partner when valley `vx` opens (2009.0).
/// Sector d has a forming initiative. `measures` replaces the budget's measures.
fn scenario(measures: Value, exit_rate: f64) -> Value {
    json!({
        "name": "measures",
        "budget": {"first_year": 2007, "last_year": 2012, "horizon_year": 2013,
            "unabsorbed": "carry_over", "measures": measures},
        "sectors": [
            {"id": "a", "name": "A", "firms": 400, "sole_proprietor_share": 0.2,
             "cooperation_propensity": 0.2, "potential": 0.6},
            {"id": "b", "name": "B", "firms": 400, "sole_proprietor_share": 0.2,
             "cooperation_propensity": 0.2, "potential": 0.5},
            {"id": "c", "name": "C", "firms": 400, "sole_proprietor_share": 0.2,
             "cooperation_propensity": 0.2, "potential": 0.4},
            {"id": "d", "name": "D", "firms": 400, "sole_proprietor_share": 0.2,
             "cooperation_propensity": 0.2, "potential": 0.7}
        ],
        "clusters": [
            {"id": "big", "name": "Big", "sector": "a", "status": "operating",
             "initial_members": 20, "initial_links": 25, "research_partners": 1},
            {"id": "small", "name": "Small", "sector": "b", "status": "operating",
             "initial_members": 3, "initial_links": 2},
            {"id": "valley-side", "name": "Valley side", "sector": "c", "status": "operating",
             "initial_members": 20, "initial_links": 25, "fields": ["x"]},
            {"id": "forming", "name": "Forming", "sector": "d", "status": "forming"}
        ],
        "valleys": [
            {"id": "vx", "name": "Valley X", "city": "Vilnius", "fields": ["x"],
             "opening_year": 2009.0}
        ],
        "policy": {"rule": "by_members", "forming_reserve_share": 0.2,
            "infrastructure_share": 0.6},
        "model": {"exit_rate": exit_rate, "exit_funding_retention": 0.0,
            "absorption_base_ltl": 150000, "absorption_per_member_ltl": 5000,
            "formation_rate": 0.05}
    })
}

/// Measure `early` pays infrastructure and activity from 2007; `late` pays activity and
/// formation to clusters with at least 5 members and 1 research partner, its contracts starting
/// some time in 2010 (a distribution), its money spread evenly from 2007 (so 2007–2009 money is
/// uncontracted and follows `uncontracted`).
fn two_measures(uncontracted: &str) -> Value {
    json!([
        {"id": "early", "name": "Early", "total": 6000000,
         "pays_for": ["infrastructure", "activity"], "contracts_start": 2007.0},
        {"id": "late", "name": "Late", "total": 3000000,
         "pays_for": ["activity", "formation"],
         "eligibility": {"min_members": 5, "min_research_partners": 1},
         "contracts_start": {"triangular": {"min": 2010.0, "mode": 2010.8, "max": 2010.99}},
         "uncontracted": uncontracted}
    ])
}

fn load(value: &Value) -> Scenario {
    match load_str(&value.to_string(), "measures.json") {
        Ok(scenario) => scenario,
        Err(error) => panic!("test scenario does not load: {error}"),
    }
}

fn load_error(value: &Value) -> String {
    match load_str(&value.to_string(), "measures.json") {
        Ok(_) => panic!("a bad scenario loaded"),
        Err(error) => error.to_string(),
    }
}

/// Cell of the per-measure ledger.
fn cell(
    simulation: &Simulation<'_>,
    scenario: &Scenario,
    year: usize,
    measure: usize,
    cluster: usize,
    instrument: usize,
) -> LedgerEntry {
    let measures = scenario.budget.measures.len();
    let clusters = scenario.clusters.len();
    simulation.measure_ledger()[((year * measures + measure) * clusters + cluster) * 2 + instrument]
}

/// Sum of one field of a measure's ledger over years, clusters and instruments.
fn measure_sum(
    simulation: &Simulation<'_>,
    scenario: &Scenario,
    measure: usize,
    field: fn(&LedgerEntry) -> i64,
) -> i64 {
    let mut sum = 0;
    for year in 0..scenario.budget.funding_years() {
        for cluster in 0..scenario.clusters.len() {
            for instrument in 0..2 {
                sum += field(&cell(
                    simulation, scenario, year, measure, cluster, instrument,
                ));
            }
        }
    }
    sum
}

#[test]
fn money_of_a_measure_whose_contracts_start_in_2010_is_never_absorbed_before_then() {
    for uncontracted in ["return", "carry"] {
        let scenario = load(&scenario(two_measures(uncontracted), 0.01));
        let slots = scenario.parameter_slots();
        let rule = rule_for(&scenario.policy.rule);
        let mut absorbed_after_start = 0;
        for run in 0..40 {
            let parameters = draw_parameters(&scenario, &slots, 11, run);
            let start = parameters.measure_start_quarter[1];
            // 2010Q1 is quarter 12 from 2007Q1; the distribution lies within 2010.
            assert!(
                (12..16).contains(&start),
                "run {run}: start quarter {start}"
            );
            let mut simulation =
                Simulation::new(&scenario, &parameters, Some(rule.as_ref()), 11, run);
            while !simulation.finished() {
                let quarter = simulation.quarter();
                simulation.step();
                let absorbed = measure_sum(&simulation, &scenario, 1, |e| e.absorbed);
                let allocated = measure_sum(&simulation, &scenario, 1, |e| e.allocated);
                if quarter < start {
                    assert_eq!(
                        (absorbed, allocated),
                        (0, 0),
                        "{uncontracted}, run {run}: measure 'late' paid before its contracts start (quarter {quarter}, start {start})"
                    );
                } else {
                    absorbed_after_start = absorbed_after_start.max(absorbed);
                }
            }
            // The early measure did pay from 2007, so the check above is not vacuous.
            assert!(cell(&simulation, &scenario, 0, 0, 0, 0).absorbed > 0);
        }
        assert!(
            absorbed_after_start > 0,
            "{uncontracted}: the late measure never paid"
        );
    }
}

#[test]
fn uncontracted_money_is_returned_or_carried_as_the_measure_says() {
    // Even profile over 2007–2012: 500,000 LTL of 'late' per year. With "return" the three years
    // before the contracts start are returned (150,000,000 cents); with "carry" they reach 2010.
    for (uncontracted, returned_before) in [("return", 150_000_000i64), ("carry", 0)] {
        let scenario = load(&scenario(two_measures(uncontracted), 0.01));
        let slots = scenario.parameter_slots();
        let rule = rule_for(&scenario.policy.rule);
        for run in 0..10 {
            let parameters = draw_parameters(&scenario, &slots, 2, run);
            let mut simulation =
                Simulation::new(&scenario, &parameters, Some(rule.as_ref()), 2, run);
            for _ in 0..13 {
                simulation.step();
            }
            // After the 2010 allocation: nothing of 'late' waits any more.
            assert_eq!(simulation.pending_by_measure()[1], 0);
            assert_eq!(
                simulation.withheld_by_measure()[1],
                returned_before,
                "{uncontracted}, run {run}"
            );
            let contracted_2010: i64 = simulation.year_cells_of_measure(1).iter().sum();
            let expected = if uncontracted == "carry" {
                200_000_000
            } else {
                50_000_000
            };
            assert_eq!(contracted_2010, expected, "{uncontracted}, run {run}");
        }
    }
}

#[test]
fn the_ledger_balances_to_the_cent_per_measure_year_and_cluster() {
    for uncontracted in ["return", "carry"] {
        let scenario = load(&scenario(two_measures(uncontracted), 0.01));
        let slots = scenario.parameter_slots();
        let rule = rule_for(&scenario.policy.rule);
        let measures = scenario.budget.measures.len();
        let clusters = scenario.clusters.len();
        let mut carried_seen = false;
        for run in 0..30 {
            let parameters = draw_parameters(&scenario, &slots, 7, run);
            let mut simulation =
                Simulation::new(&scenario, &parameters, Some(rule.as_ref()), 7, run);
            while !simulation.finished() {
                simulation.step();
                assert_eq!(simulation.check_invariants(), Ok(()), "run {run}");
            }
            // Recomputed here from the public ledger, independently of check_invariants.
            for measure in 0..measures {
                let mut allocated = 0;
                for cluster in 0..clusters {
                    for instrument in 0..2 {
                        let mut carried_in = 0;
                        for year in 0..scenario.budget.funding_years() {
                            let e =
                                cell(&simulation, &scenario, year, measure, cluster, instrument);
                            assert_eq!(
                                carried_in + e.allocated,
                                e.absorbed + e.returned + e.carried,
                                "run {run}, measure {measure}, cluster {cluster}, year {year}"
                            );
                            carried_seen |= e.carried > 0;
                            carried_in = e.carried;
                            allocated += e.allocated;
                        }
                        assert_eq!(carried_in, 0, "money held after the funding period");
                    }
                }
                assert_eq!(
                    allocated + simulation.withheld_by_measure()[measure],
                    scenario.budget.measures[measure].total_cents,
                    "run {run}, measure {measure}: not every cent accounted for"
                );
            }
            // The summed ledger is the sum of the measures' ledgers.
            for year in 0..scenario.budget.funding_years() {
                for cluster in 0..clusters {
                    for instrument in 0..2 {
                        let total =
                            simulation.ledger()[(year * clusters + cluster) * 2 + instrument];
                        let sum: i64 = (0..measures)
                            .map(|m| {
                                cell(&simulation, &scenario, year, m, cluster, instrument).allocated
                            })
                            .sum();
                        assert_eq!(total.allocated, sum);
                    }
                }
            }
            assert_eq!(
                simulation.ledger().iter().map(|e| e.allocated).sum::<i64>()
                    + simulation.withheld_cents(),
                scenario.budget.total_cents
            );
        }
        assert!(
            carried_seen,
            "no balance was ever carried: the test is vacuous"
        );
    }
}

#[test]
fn a_cluster_with_no_members_receives_no_further_money_from_any_measure() {
    // exit_rate 1 with no retention: every member leaves in 2007Q1 and every operating cluster
    // closes. Both measures pay from 2007 (the second from 2007Q3, after the closings): the 2007
    // allocations were made before the clusters closed, so what is still paid in 2007 is returned
    // at once; from 2008 no measure pays them anything.
    let measures = json!([
        {"id": "early", "name": "Early", "total": 6000000,
         "pays_for": ["infrastructure", "activity"], "contracts_start": 2007.0},
        {"id": "mid-year", "name": "Mid-year", "total": 3000000,
         "pays_for": ["activity"], "contracts_start": 2007.5, "uncontracted": "carry"}
    ]);
    let scenario = load(&scenario(measures, 1.0));
    let slots = scenario.parameter_slots();
    let rule = rule_for(&scenario.policy.rule);
    let operating = [0usize, 1, 2];
    let mut returned_mid_year = 0;
    for run in 0..20 {
        let parameters = draw_parameters(&scenario, &slots, 5, run);
        let mut simulation = Simulation::new(&scenario, &parameters, Some(rule.as_ref()), 5, run);
        simulation.step();
        let absorbed_first_quarter: Vec<i64> = simulation
            .measure_ledger()
            .iter()
            .map(|e| e.absorbed)
            .collect();
        while !simulation.finished() {
            simulation.step();
            assert_eq!(simulation.check_invariants(), Ok(()), "run {run}");
            for &cluster in &operating {
                assert!(simulation.clusters()[cluster].closed, "run {run}");
                assert_eq!(simulation.cluster_balance(cluster), [0, 0], "run {run}");
            }
        }
        for &cluster in &operating {
            for measure in 0..2 {
                for instrument in 0..2 {
                    let first = cell(&simulation, &scenario, 0, measure, cluster, instrument);
                    let index = ((measure) * scenario.clusters.len() + cluster) * 2 + instrument;
                    assert_eq!(first.absorbed, absorbed_first_quarter[index], "run {run}");
                    assert_eq!(first.carried, 0);
                    assert_eq!(first.allocated, first.absorbed + first.returned);
                    if measure == 1 {
                        returned_mid_year += first.returned;
                    }
                    for year in 1..scenario.budget.funding_years() {
                        let later =
                            cell(&simulation, &scenario, year, measure, cluster, instrument);
                        assert_eq!(later.fields(), [0; 4], "run {run}, year {year}");
                    }
                }
            }
        }
    }
    assert!(
        returned_mid_year > 0,
        "the mid-year measure's 2007 money was not returned"
    );
}

#[test]
fn an_eligibility_rule_excludes_an_ineligible_cluster() {
    let scenario = load(&scenario(
        json!([
            {"id": "open", "name": "Open to all", "total": 3000000,
             "pays_for": ["infrastructure", "activity"], "contracts_start": 2007.0},
            {"id": "consortia", "name": "Consortia", "total": 3000000,
             "pays_for": ["activity"], "contracts_start": 2007.0,
             "eligibility": {"min_members": 5, "min_research_partners": 1}}
        ]),
        0.01,
    ));
    let slots = scenario.parameter_slots();
    let rule = rule_for(&scenario.policy.rule);
    let (big, small, valley_side) = (0, 1, 2);
    let mut small_excluded_years = 0;
    for run in 0..20 {
        let parameters = draw_parameters(&scenario, &slots, 9, run);
        let mut simulation = Simulation::new(&scenario, &parameters, Some(rule.as_ref()), 9, run);
        for year in 0..scenario.budget.funding_years() {
            let small_members = simulation.clusters()[small].network.members();
            for _ in 0..4 {
                simulation.step();
            }
            let from = |cluster, measure| -> i64 {
                (0..2)
                    .map(|k| cell(&simulation, &scenario, year, measure, cluster, k).allocated)
                    .sum()
            };
            assert!(from(big, 1) > 0, "run {run}, year {year}: big got nothing");
            if small_members < 5 {
                small_excluded_years += 1;
                assert_eq!(from(small, 1), 0, "run {run}, year {year}: small was paid");
            }
            // The small cluster is eligible for the open measure.
            assert!(from(small, 0) > 0, "run {run}, year {year}");
            // No research partner before the valley opens in 2009 (year index 2).
            if year < 2 {
                assert_eq!(from(valley_side, 1), 0, "run {run}, year {year}");
            } else {
                assert!(from(valley_side, 1) > 0, "run {run}, year {year}");
            }
        }
    }
    assert!(small_excluded_years > 0);
}

#[test]
fn a_file_without_measures_computes_exactly_what_one_equivalent_measure_does() {
    let mut implicit = scenario(json!([]), 0.01);
    implicit["budget"]
        .as_object_mut()
        .map(|budget| budget.remove("measures"));
    implicit["budget"]["total"] = json!(9000000);
    let explicit = scenario(
        json!([{"id": "all", "name": "All", "total": 9000000,
            "pays_for": ["infrastructure", "activity", "formation"],
            "contracts_start": 2007.0}]),
        0.01,
    );
    let (implicit, explicit) = (load(&implicit), load(&explicit));
    let rule = rule_for(&implicit.policy.rule);
    for run in 0..10 {
        let parameters_a = draw_parameters(&implicit, &implicit.parameter_slots(), 4, run);
        let parameters_b = draw_parameters(&explicit, &explicit.parameter_slots(), 4, run);
        let mut a = Simulation::new(&implicit, &parameters_a, Some(rule.as_ref()), 4, run);
        let mut b = Simulation::new(&explicit, &parameters_b, Some(rule.as_ref()), 4, run);
        while !a.finished() {
            a.step();
            b.step();
            assert_eq!(a.records(), b.records(), "run {run}");
            assert_eq!(a.ledger(), b.ledger(), "run {run}");
        }
    }
}

#[test]
fn measures_that_do_not_add_up_or_make_no_sense_are_refused() {
    let mut wrong_total = scenario(two_measures("return"), 0.01);
    wrong_total["budget"]["total"] = json!(8000000);
    let error = load_error(&wrong_total);
    assert!(
        error.contains("budget.total") && error.contains("not the sum of its measures"),
        "{error}"
    );

    let mut nothing_paid = two_measures("return");
    nothing_paid[0]["pays_for"] = json!([]);
    let error = load_error(&scenario(nothing_paid, 0.01));
    assert!(
        error.contains("budget.measures[0].pays_for") && error.contains("\"formation\""),
        "{error}"
    );

    let mut too_late = two_measures("return");
    too_late[0]["contracts_start"] = json!(2013.2);
    let error = load_error(&scenario(too_late, 0.01));
    assert!(
        error.contains("budget.measures[0].contracts_start") && error.contains("before 2013"),
        "{error}"
    );

    let mut unknown = two_measures("return");
    unknown[1]["pays_for"] = json!(["activity", "salaries"]);
    let error = load_error(&scenario(unknown, 0.01));
    assert!(error.contains("salaries"), "{error}");

    let mut duplicate = two_measures("return");
    duplicate[1]["id"] = json!("early");
    let error = load_error(&scenario(duplicate, 0.01));
    assert!(error.contains("budget.measures[1].id"), "{error}");
}

#[test]
fn the_shaded_funding_period_starts_when_money_can_flow() {
    // Two measures whose contracts start some time in 2010 (the late one's earliest is 2010.0),
    // the early one from 2007: money can flow from 2007.
    let both = load(&scenario(two_measures("return"), 0.01));
    assert_eq!(both.budget.money_period(), (2007.0, 2013.0));
    // Only the late measure, its money returned before the contracts start: from 2010 Q1 (the
    // earliest contract start its distribution allows).
    let late_only = json!([two_measures("return")[1].clone()]);
    let late = load(&scenario(late_only.clone(), 0.01));
    assert_eq!(late.budget.money_period(), (2010.0, 2013.0));
    // A fixed start in October 2010: from 2010 Q4.
    let mut october = late_only;
    october[0]["contracts_start"] = json!(2010.81);
    let october = load(&scenario(october, 0.01));
    assert_eq!(october.budget.money_period(), (2010.75, 2013.0));
    // A file without measures whose profile gives the first years nothing: from the first year
    // with money.
    let mut old = scenario(json!([]), 0.01);
    old["budget"]
        .as_object_mut()
        .map(|budget| budget.remove("measures"));
    old["budget"]["total"] = json!(1000000);
    old["budget"]["profile"] = json!({"weights": [0, 0, 0, 1, 1, 1]});
    assert_eq!(load(&old).budget.money_period(), (2010.0, 2013.0));
}
