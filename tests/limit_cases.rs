//! Limit cases of the model: no money means the no-funding dynamics exactly, and more activity
//! funding for one cluster, all else and every random stream equal, does not lower its links.

use clustersim::engine::outcomes::{CLUSTER_OUTCOMES, slots_per_quarter};
use clustersim::engine::{simulate_run, simulate_with_parameters};
use clustersim::model::draw_parameters;
use clustersim::policy::rule_for;
use clustersim::scenario::{Scenario, load_str};
use serde_json::{Value, json};

fn two_cluster_scenario(total_ltl: f64, share_a: f64, share_b: f64) -> Value {
    json!({
        "name": "two-clusters",
        "budget": {"total_ltl": total_ltl, "first_year": 2010, "last_year": 2011, "horizon_year": 2013},
        "sectors": [
            {"id": "a", "name": "A", "firms": 600, "sole_proprietor_share": 0.3,
             "cooperation_propensity": 0.2, "potential": 0.6},
            {"id": "b", "name": "B", "firms": 600, "sole_proprietor_share": 0.3,
             "cooperation_propensity": 0.2, "potential": 0.6}
        ],
        "clusters": [
            {"id": "a", "name": "A", "sector": "a", "status": "operating", "initial_members": 15, "initial_links": 20},
            {"id": "b", "name": "B", "sector": "b", "status": "operating", "initial_members": 15, "initial_links": 20}
        ],
        "policy": {"rule": {"fixed": {"shares": {"a": share_a, "b": share_b}}},
                   "infrastructure_share": 0.0, "forming_reserve_share": 0.0},
        "model": {"absorption_base_ltl": 1e8, "saturation_ltl_per_member": 30000}
    })
}

/// Bit-for-bit equality, so that undefined (NaN) values compare equal to themselves.
fn same_bits(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
}

fn load(value: &Value) -> Scenario {
    load_str(&value.to_string(), "limit.json").expect("test scenario is valid")
}

#[test]
fn zero_budget_gives_exactly_the_no_funding_dynamics() {
    let text = clustersim::scenario::BASELINE_JSON;
    let mut value: Value = serde_json::from_str(text).unwrap();
    // The baseline's budget is its measures': every measure gets nothing.
    if let Some(measures) = value["budget"]["measures"].as_array_mut() {
        for measure in measures {
            measure["total"] = json!(0);
        }
    }
    let scenario = load(&value);
    assert_eq!(scenario.budget.total_cents, 0);
    let slots = scenario.parameter_slots();
    let rule = rule_for(&scenario.policy.rule);
    for run in 0..30 {
        let funded = simulate_run(&scenario, &slots, rule.as_ref(), 11, run);
        let parameters = draw_parameters(&scenario, &slots, 11, run);
        let unfunded = simulate_with_parameters(&scenario, &parameters, None, 11, run);
        assert!(
            same_bits(&funded.series, &unfunded.series),
            "run {run}: zero budget differs from no funding"
        );
        assert!(
            funded
                .ledger
                .iter()
                .all(|entry| entry.fields() == [0, 0, 0, 0])
        );
        // And the baseline with money does differ, so the comparison has teeth.
        let with_money = simulate_run(
            &load_str(text, "baseline").unwrap(),
            &slots,
            rule.as_ref(),
            11,
            run,
        );
        assert!(!same_bits(&with_money.series, &unfunded.series));
    }
}

#[test]
fn more_activity_funding_for_one_cluster_does_not_lower_its_links() {
    // Base: LTL 2M split 1M/1M. More: LTL 3M split 2M/1M. Cluster B's money is identical, A's
    // doubles; absorption capacity is not binding; all random streams are the same (same seed).
    let base = load(&two_cluster_scenario(2_000_000.0, 1.0, 1.0));
    let more = load(&two_cluster_scenario(3_000_000.0, 2.0, 1.0));
    let slots = base.parameter_slots();
    let base_rule = rule_for(&base.policy.rule);
    let more_rule = rule_for(&more.policy.rule);
    let width = slots_per_quarter(2);
    let last = base.budget.quarters() - 1;
    let links_slot = CLUSTER_OUTCOMES.iter().position(|n| *n == "links").unwrap();
    let runs = 400;
    let mut differences = Vec::with_capacity(runs);
    for run in 0..runs as u64 {
        let a = simulate_run(&base, &slots, base_rule.as_ref(), 3, run);
        let b = simulate_run(&more, &slots, more_rule.as_ref(), 3, run);
        let links_a = |record: &clustersim::engine::RunRecord, cluster: usize| {
            record.series[last * width + cluster * CLUSTER_OUTCOMES.len() + links_slot]
        };
        // Cluster B got the same money and has its own streams: identical in every run.
        assert_eq!(
            links_a(&a, 1),
            links_a(&b, 1),
            "run {run}: cluster B changed"
        );
        differences.push(links_a(&b, 0) - links_a(&a, 0));
    }
    let n = differences.len() as f64;
    let mean = differences.iter().sum::<f64>() / n;
    let variance = differences.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / (n - 1.0);
    let standard_error = (variance / n).sqrt();
    // The paired mean difference is approximately normal (400 runs, CLT); a true effect ≥ 0 puts
    // it above −3 standard errors with probability 0.9987. The model also says the effect is
    // positive (more tie attempts, fewer exits and dissolutions), so with common random numbers it
    // should be clearly above zero: check that too, at 3 standard errors.
    assert!(
        mean >= -3.0 * standard_error,
        "more funding lowered links: {mean} ± {standard_error}"
    );
    assert!(
        mean > 3.0 * standard_error,
        "no detectable effect of funding: {mean} ± {standard_error}"
    );
}
