//! Property tests shared by every rule: exact sums, no negative cents, floors and caps.

use proptest::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::*;
use crate::scenario::{Policy, Rule};

fn any_rule(clusters: usize) -> impl Strategy<Value = Rule> {
    prop_oneof![
        Just(Rule::Equal),
        Just(Rule::ByMembers),
        Just(Rule::ByPotential),
        (0.0f64..200_000.0, 0.0f64..5e6, 0.0f64..1.0).prop_map(|(per_member, base, sd)| {
            Rule::Competitive {
                request_ltl_per_member: per_member,
                request_base_ltl: base + 1.0,
                quality_sd: sd,
            }
        }),
        (0.0f64..=1.0).prop_map(|base_share| Rule::Performance { base_share }),
        proptest::collection::vec(0.0f64..1.0, clusters).prop_map(|mut shares| {
            shares[0] += 0.01;
            Rule::Fixed { shares }
        }),
    ]
}

fn any_views(count: usize) -> impl Strategy<Value = Vec<ClusterView>> {
    proptest::collection::vec(
        (any::<bool>(), 0u64..5000, 0.0f64..=1.0, -50.0f64..50.0),
        count,
    )
    .prop_map(|rows| {
        rows.into_iter()
            .map(|(operating, members, potential, growth)| ClusterView {
                operating,
                forming: !operating,
                reserve_weight: 1.0,
                members,
                potential,
                last_year_growth: growth,
            })
            .collect()
    })
}

fn case() -> impl Strategy<Value = (Policy, Vec<ClusterView>, i64, u64)> {
    (1usize..20).prop_flat_map(|count| {
        (
            any_rule(count),
            any_views(count),
            0i64..10_000_000_000_000,
            0.0f64..=1.0,
            0.0f64..=1.0,
            0.0f64..=1.0,
            0.0f64..=1.0,
            (any::<u64>(), prop_oneof![Just(0.0), 0.0f64..=1.0]),
        )
            .prop_map(
                move |(
                    rule,
                    views,
                    budget,
                    infrastructure,
                    reserve,
                    floor_fraction,
                    cap_fraction,
                    (seed, unspent),
                )| {
                    // Feasible floors and caps for the clusters operating now: n·floor ≤ 1 ≤ n·cap.
                    let operating = views.iter().filter(|v| v.operating).count().max(1) as f64;
                    let floor = floor_fraction / operating;
                    let cap = (1.0 / operating + cap_fraction * (1.0 - 1.0 / operating)).max(floor);
                    let policy = Policy {
                        rule,
                        infrastructure_share: infrastructure,
                        forming_reserve_share: reserve,
                        floor_share: floor,
                        cap_share: cap,
                        unspent_share: unspent,
                        formation_weights: Vec::new(),
                    };
                    (policy, views, budget, seed)
                },
            )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn every_rule_sums_to_the_cent_respects_floors_and_caps((policy, views, budget, seed) in case()) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let rule = rule_for(&policy.rule);
        let cells = allocate_year(&policy, rule.as_ref(), &views, budget, &mut rng);
        prop_assert_eq!(cells.len(), views.len());
        let total: i64 = cells.iter().map(|pair| pair[0] + pair[1]).sum();
        let withheld = withheld_cents(&policy, budget);
        prop_assert!((0..=budget).contains(&withheld));
        prop_assert!(
            (withheld as f64 - policy.unspent_share * budget as f64).abs() <= 0.5 + 1e-9 * budget as f64,
            "withheld {} is not the unspent share of {}", withheld, budget
        );
        prop_assert_eq!(total, budget - withheld,
            "allocations must sum to the year's budget less what the policy withholds, to the cent");
        let budget = budget - withheld;
        prop_assert!(cells.iter().all(|pair| pair[0] >= 0 && pair[1] >= 0));

        let operating: Vec<usize> = (0..views.len()).filter(|&c| views[c].operating).collect();
        let forming = views.len() - operating.len();
        if !operating.is_empty() {
            let reserve = if forming > 0 { policy.forming_reserve_share } else { 0.0 };
            let distributable = budget as f64 * (1.0 - reserve);
            for &cluster in &operating {
                let amount = (cells[cluster][0] + cells[cluster][1]) as f64;
                // Rounding moves each of the two cells by less than one cent (largest remainder),
                // plus float error in the shares, so allow 2 cents plus 1e-9 relative.
                let slack = 2.0 + 1e-9 * budget as f64;
                prop_assert!(amount <= policy.cap_share * distributable + slack,
                    "cap exceeded: {} > {}", amount, policy.cap_share * distributable);
                prop_assert!(amount >= policy.floor_share * distributable - slack,
                    "floor missed: {} < {}", amount, policy.floor_share * distributable);
                let infrastructure = cells[cluster][0] as f64;
                prop_assert!((infrastructure - policy.infrastructure_share * amount).abs() <= slack);
            }
        }
        // Forming clusters get activity funding only.
        for (cluster, view) in views.iter().enumerate() {
            if !view.operating {
                prop_assert_eq!(cells[cluster][0], 0);
            }
        }
    }
}

#[test]
fn competitive_funds_best_proposal_first() {
    // Two clusters, a budget that covers one request: the one with far higher potential wins
    // (quality noise sd 0 makes the ranking deterministic).
    let views = vec![
        ClusterView {
            operating: true,
            forming: false,
            reserve_weight: 1.0,
            members: 10,
            potential: 0.2,
            last_year_growth: 0.0,
        },
        ClusterView {
            operating: true,
            forming: false,
            reserve_weight: 1.0,
            members: 10,
            potential: 0.9,
            last_year_growth: 0.0,
        },
    ];
    let policy = Policy {
        rule: Rule::Competitive {
            request_ltl_per_member: 0.0,
            request_base_ltl: 1000.0,
            quality_sd: 0.0,
        },
        infrastructure_share: 0.0,
        forming_reserve_share: 0.0,
        floor_share: 0.0,
        cap_share: 1.0,
        unspent_share: 0.0,
        formation_weights: Vec::new(),
    };
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let cells = allocate_year(
        &policy,
        rule_for(&policy.rule).as_ref(),
        &views,
        150_000,
        &mut rng,
    );
    assert_eq!(cells, vec![[0, 50_000], [0, 100_000]]);
}

#[test]
fn performance_rewards_growth() {
    let views = vec![
        ClusterView {
            operating: true,
            forming: false,
            reserve_weight: 1.0,
            members: 10,
            potential: 0.5,
            last_year_growth: 0.0,
        },
        ClusterView {
            operating: true,
            forming: false,
            reserve_weight: 1.0,
            members: 10,
            potential: 0.5,
            last_year_growth: 10.0,
        },
    ];
    let policy = Policy {
        rule: Rule::Performance { base_share: 0.5 },
        infrastructure_share: 0.5,
        forming_reserve_share: 0.0,
        floor_share: 0.0,
        cap_share: 1.0,
        unspent_share: 0.0,
        formation_weights: Vec::new(),
    };
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let cells = allocate_year(
        &policy,
        rule_for(&policy.rule).as_ref(),
        &views,
        1000,
        &mut rng,
    );
    // Base half split equally (250 each), growth half all to the second: 250 and 750.
    assert_eq!(cells, vec![[125, 125], [375, 375]]);
}

#[test]
fn reserve_goes_to_forming_clusters_as_activity() {
    let views = vec![
        ClusterView {
            operating: true,
            forming: false,
            reserve_weight: 1.0,
            members: 10,
            potential: 0.5,
            last_year_growth: 0.0,
        },
        ClusterView {
            operating: false,
            forming: true,
            reserve_weight: 1.0,
            members: 0,
            potential: 0.5,
            last_year_growth: 0.0,
        },
        ClusterView {
            operating: false,
            forming: true,
            reserve_weight: 1.0,
            members: 0,
            potential: 0.5,
            last_year_growth: 0.0,
        },
    ];
    let policy = Policy {
        rule: Rule::Equal,
        infrastructure_share: 0.4,
        forming_reserve_share: 0.2,
        floor_share: 0.0,
        cap_share: 1.0,
        unspent_share: 0.0,
        formation_weights: Vec::new(),
    };
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let cells = allocate_year(
        &policy,
        rule_for(&policy.rule).as_ref(),
        &views,
        1000,
        &mut rng,
    );
    assert_eq!(cells, vec![[320, 480], [0, 100], [0, 100]]);
}
