//! What the funding added: the `additional_*` series equal the funded run minus the no-funding
//! counterfactual of the same run, run by run and quarter by quarter, and the per-cluster
//! additional outcomes and absorbed money sum to the totals.

use clustersim::engine::outcomes::{CLUSTER_OUTCOMES, TOTAL_OUTCOMES, slots_per_quarter};
use clustersim::engine::{simulate_run, simulate_with_parameters};
use clustersim::model::draw_parameters;
use clustersim::policy::rule_for;
use clustersim::scenario::{BASELINE_JSON, load_str};

fn cluster_slot(name: &str) -> usize {
    CLUSTER_OUTCOMES.iter().position(|n| *n == name).unwrap()
}

fn total_slot(clusters: usize, name: &str) -> usize {
    clusters * CLUSTER_OUTCOMES.len() + TOTAL_OUTCOMES.iter().position(|n| *n == name).unwrap()
}

#[test]
fn additional_outcomes_are_funded_minus_counterfactual_and_clusters_sum_to_totals() {
    let scenario = load_str(BASELINE_JSON, "baseline").unwrap();
    let slots = scenario.parameter_slots();
    let rule = rule_for(&scenario.policy.rule);
    let clusters = scenario.clusters.len();
    let width = slots_per_quarter(clusters);
    let quarters = scenario.budget.quarters();
    let mut some_positive = false;
    for run in 0..12 {
        let funded = simulate_run(&scenario, &slots, rule.as_ref(), 5, run);
        let parameters = draw_parameters(&scenario, &slots, 5, run);
        // Without funding the funded run *is* the counterfactual, drawn on the same streams.
        let unfunded = simulate_with_parameters(&scenario, &parameters, None, 5, run);
        for quarter in 0..quarters {
            let at = |series: &[f64], slot: usize| series[quarter * width + slot];
            let cluster_sum = |name: &str| -> f64 {
                (0..clusters)
                    .map(|c| {
                        at(
                            &funded.series,
                            c * CLUSTER_OUTCOMES.len() + cluster_slot(name),
                        )
                    })
                    .sum()
            };
            let networked = at(&funded.series, total_slot(clusters, "networked_smes"));
            let counterfactual = at(&unfunded.series, total_slot(clusters, "networked_smes"));
            let additional = at(
                &funded.series,
                total_slot(clusters, "additional_networked_smes"),
            );
            assert_eq!(
                at(
                    &funded.series,
                    total_slot(clusters, "counterfactual_networked_smes")
                ),
                counterfactual,
                "run {run}, quarter {quarter}: counterfactual series"
            );
            assert_eq!(
                additional,
                networked - counterfactual,
                "run {run}, quarter {quarter}"
            );
            some_positive |= additional > 0.0;
            // Counts are integers below 2^53, so these sums are exact.
            assert_eq!(cluster_sum("additional_networked_smes"), additional);
            let members = at(&funded.series, total_slot(clusters, "members"));
            let members_counterfactual = at(&unfunded.series, total_slot(clusters, "members"));
            assert_eq!(
                cluster_sum("additional_members"),
                members - members_counterfactual
            );
            let links = at(&funded.series, total_slot(clusters, "links"));
            let links_counterfactual = at(&unfunded.series, total_slot(clusters, "links"));
            assert_eq!(
                cluster_sum("additional_links"),
                links - links_counterfactual
            );
            // Money: each cluster's absorbed amount is a whole number of cents converted once,
            // so the sum may differ from the total's single conversion by float rounding only.
            let absorbed = at(&funded.series, total_slot(clusters, "absorbed_ltl"));
            assert!(
                (cluster_sum("absorbed_ltl") - absorbed).abs() <= 1e-9 * absorbed.max(1.0),
                "run {run}, quarter {quarter}: absorbed by cluster does not add up"
            );
            for c in 0..clusters {
                let base = c * CLUSTER_OUTCOMES.len();
                let cost = at(
                    &funded.series,
                    base + cluster_slot("cost_per_additional_networked_sme_ltl"),
                );
                let added = at(
                    &funded.series,
                    base + cluster_slot("additional_networked_smes"),
                );
                let spent = at(&funded.series, base + cluster_slot("absorbed_ltl"));
                if added > 0.0 {
                    assert_eq!(cost, spent / added);
                } else {
                    assert!(cost.is_nan(), "cost defined without an additional SME");
                }
            }
        }
        let last = (quarters - 1) * width;
        let headline_index = |name: &str| {
            clustersim::engine::outcomes::HEADLINE_OUTCOMES
                .iter()
                .position(|n| *n == name)
                .unwrap()
        };
        assert_eq!(
            funded.headline[headline_index("additional_networked_smes")],
            funded.series[last + total_slot(clusters, "additional_networked_smes")]
        );
    }
    assert!(
        some_positive,
        "the baseline's funding should add networked SMEs"
    );
}
