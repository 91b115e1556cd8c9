//! The model's event counters (`clustersim::model::EventCounts`) agree with what the events did
//! to the networks: quarter by quarter and cluster by cluster on the baseline, a cluster that
//! operated all quarter changed its members by joins − exits and its ties by ties made −
//! dissolutions (less the ties that left with exiting members), a formation counts once when a
//! forming cluster starts to operate, and every count is non-zero over a few runs, so a counter
//! left out or bumped in the wrong place fails here.

use clustersim::model::{EventCounts, Simulation, draw_parameters};
use clustersim::policy::{AllocationRule, rule_for};
use clustersim::scenario::{ClusterStatus, load_baseline};

#[test]
fn event_counts_match_the_changes_in_members_and_ties() {
    let scenario = load_baseline().unwrap();
    let slots = scenario.parameter_slots();
    let rule = rule_for(&scenario.policy.rule);
    let mut run_totals = EventCounts::default();
    for run in 0..4 {
        let parameters = draw_parameters(&scenario, &slots, 7, run);
        let funded: &dyn AllocationRule = rule.as_ref();
        for funding in [Some(funded), None] {
            let mut simulation = Simulation::new(&scenario, &parameters, funding, 7, run);
            while !simulation.finished() {
                let quarter = simulation.quarter();
                let before: Vec<(bool, usize, usize, EventCounts)> = simulation
                    .clusters()
                    .iter()
                    .map(|c| {
                        (
                            c.operating,
                            c.network.members(),
                            c.network.links(),
                            c.events,
                        )
                    })
                    .collect();
                simulation.step();
                for (index, (state, (was_operating, members, links, events))) in
                    simulation.clusters().iter().zip(before).enumerate()
                {
                    let delta = |now: u64, then: u64| now - then;
                    let joins = delta(state.events.joins, events.joins);
                    let exits = delta(state.events.exits, events.exits);
                    let made = delta(state.events.ties_made, events.ties_made);
                    let dissolved = delta(state.events.dissolutions, events.dissolutions);
                    let attempts = delta(state.events.tie_attempts, events.tie_attempts);
                    let formations = delta(state.events.formations, events.formations);
                    let at = format!("run {run}, quarter {quarter}, cluster {index}");
                    assert!(made <= attempts + joins, "{at}: more ties than tries");
                    if was_operating {
                        assert_eq!(formations, 0, "{at}: an operating cluster formed");
                        let members_now = state.network.members() as i64;
                        assert_eq!(
                            members_now - members as i64,
                            joins as i64 - exits as i64,
                            "{at}: members"
                        );
                        let expected_links = links as i64 + made as i64 - dissolved as i64;
                        let links_now = state.network.links() as i64;
                        if exits == 0 {
                            assert_eq!(links_now, expected_links, "{at}: links");
                        } else {
                            assert!(links_now <= expected_links, "{at}: links after exits");
                        }
                    } else if state.operating {
                        let formed = scenario.clusters[index].status == ClusterStatus::Forming
                            && state.formed_quarter == Some(quarter);
                        assert_eq!(formations, u64::from(formed), "{at}: formation count");
                    } else {
                        assert_eq!(
                            state.events, events,
                            "{at}: events in a cluster that is not operating"
                        );
                    }
                }
            }
            run_totals += simulation.events();
        }
    }
    for (name, count) in [
        ("exits", run_totals.exits),
        ("dissolutions", run_totals.dissolutions),
        ("joins", run_totals.joins),
        ("tie attempts", run_totals.tie_attempts),
        ("ties made", run_totals.ties_made),
        ("formations", run_totals.formations),
        ("projects", run_totals.projects),
    ] {
        assert!(count > 0, "no {name} in four baseline runs");
    }
}
