//! The parallel fold (units of runs folded cell by cell on the workers, zeros and undefined
//! values counted instead of pushed, unit accumulators merged into per-worker partial totals in
//! whatever order the workers get to them) gives exactly the aggregates of the plain fold: every
//! run's record pushed, one after the other, into one `Aggregates`. Compared through the exact,
//! canonical state (every count, exact sum, sketch bucket and extreme), on several thread counts
//! and with a precision target that stops the runs part-way.

use clustersim::engine::{
    Aggregates, PrecisionTarget, PrecisionTracker, RunRows, RunSettings, run_scenario_until,
    simulate_run,
};
use clustersim::policy::rule_for;
use clustersim::scenario::{Scenario, load_baseline, load_path};

fn plain_fold(scenario: &Scenario, runs: u64, seed: u64) -> Aggregates {
    let slots = scenario.parameter_slots();
    let rule = rule_for(&scenario.policy.rule);
    let mut aggregates = Aggregates::new(scenario);
    for run in 0..runs {
        aggregates.push(&simulate_run(scenario, &slots, rule.as_ref(), seed, run));
    }
    aggregates
}

/// The engine's fold of `settings.runs` runs (up to the precision `target`), no rows written.
fn engine_fold(
    scenario: &Scenario,
    settings: RunSettings,
    target: Option<PrecisionTarget>,
) -> (Aggregates, Option<PrecisionTracker>) {
    let mut write = |_: &str| -> anyhow::Result<()> { Ok(()) };
    let rows = RunRows {
        format: &|_, _| {},
        write: &mut write,
    };
    run_scenario_until(scenario, settings, target, &|| {}, &|| false, rows).unwrap()
}

#[test]
fn the_parallel_fold_equals_pushing_every_run_in_order() {
    let scenario = load_baseline().unwrap();
    // 100 runs: three full units of 32 and a partial one.
    let expected = plain_fold(&scenario, 100, 5).state();
    for threads in [1, 3] {
        let settings = RunSettings {
            runs: 100,
            seed: 5,
            threads,
        };
        let (folded, _) = engine_fold(&scenario, settings, None);
        assert!(
            folded.state() == expected,
            "{threads} threads: the aggregates differ from the plain fold"
        );
    }
}

#[test]
fn a_met_precision_target_keeps_exactly_the_runs_before_it() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/minimal.json");
    let scenario = load_path(&path).unwrap();
    let settings = RunSettings {
        runs: 4_096,
        seed: 5,
        threads: 3,
    };
    // A loose target is met at an early batch of 256 runs: the units the workers simulated
    // beyond it must not reach the totals.
    let target = PrecisionTarget {
        relative_se: 0.2,
        max_runs: 4_096,
    };
    let (folded, tracker) = engine_fold(&scenario, settings, Some(target));
    assert!(tracker.is_some());
    assert!(
        folded.runs < 4_096 && folded.runs % 256 == 0,
        "{} runs",
        folded.runs
    );
    assert!(folded.state() == plain_fold(&scenario, folded.runs, 5).state());
}
