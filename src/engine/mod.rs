//! Monte Carlo runs: seeding, parallelism, ordered aggregation.
//!
//! Run *i* draws only from streams keyed by (seed, purpose, index, i), so a run's numbers never
//! depend on which thread ran it. Runs are simulated in parallel in chunks; each chunk's results
//! are collected in run-index order and folded into the aggregates in that order, so every output
//! is byte-identical whatever the thread count, and memory does not grow with the run count.

mod aggregate;
pub mod limits;
pub mod outcomes;

use anyhow::Context;
use rayon::prelude::*;

pub use aggregate::Aggregates;

use crate::model::{LedgerEntry, RunParameters, Simulation, draw_parameters};
use crate::policy::{AllocationRule, rule_for};
use crate::scenario::{ClusterStatus, ParameterSlot, Scenario};
use outcomes::{QuarterState, headline_from_totals, push_quarter, slots_per_quarter};

/// Runs simulated in parallel before their results are folded in order.
const CHUNK_RUNS: u64 = 256;

/// What one run produced.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRecord {
    /// Run index.
    pub run: u64,
    /// The run's parameter values in slot order.
    pub parameters: Vec<f64>,
    /// Series values, `quarter · slots_per_quarter + slot`.
    pub series: Vec<f64>,
    /// The funded run's final ledger.
    pub ledger: Vec<LedgerEntry>,
    /// Headline outcomes at the horizon.
    pub headline: Vec<f64>,
}

/// How to run a scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunSettings {
    /// Number of runs.
    pub runs: u64,
    /// Master seed.
    pub seed: u64,
    /// Worker threads (at least 1).
    pub threads: usize,
}

/// Simulates run `run`: draws its parameters, simulates the policy and the no-funding
/// counterfactual on the same streams, and records the outcomes.
pub fn simulate_run(
    scenario: &Scenario,
    slots: &[ParameterSlot],
    rule: &dyn AllocationRule,
    seed: u64,
    run: u64,
) -> RunRecord {
    let parameters = draw_parameters(scenario, slots, seed, run);
    simulate_with_parameters(scenario, &parameters, Some(rule), seed, run)
}

/// Simulates one run with given parameters; `rule` None means no funding at all (the funded and
/// counterfactual runs are then identical).
pub fn simulate_with_parameters(
    scenario: &Scenario,
    parameters: &RunParameters,
    rule: Option<&dyn AllocationRule>,
    seed: u64,
    run: u64,
) -> RunRecord {
    let mut funded = Simulation::new(scenario, parameters, rule, seed, run);
    let mut counterfactual = Simulation::new(scenario, parameters, None, seed, run);
    let initially_forming: Vec<bool> = scenario
        .clusters
        .iter()
        .map(|c| c.status == ClusterStatus::Forming)
        .collect();
    let total_firms: u64 = scenario.sectors.iter().map(|s| s.firms).sum();
    let quarters = scenario.budget.quarters();
    let width = slots_per_quarter(scenario.clusters.len());
    let mut series = Vec::with_capacity(quarters * width);
    while !funded.finished() {
        funded.step();
        counterfactual.step();
        let funded_records = funded.records();
        let counterfactual_records = counterfactual.records();
        push_quarter(
            &QuarterState {
                funded: &funded_records,
                counterfactual: &counterfactual_records,
                initially_forming: &initially_forming,
                total_firms,
                ledger: funded.ledger(),
                added_value: (funded.added_value_ltl(), counterfactual.added_value_ltl()),
            },
            &mut series,
        );
    }
    let totals_start = series.len() - outcomes::TOTAL_OUTCOMES.len();
    let headline = headline_from_totals(&series[totals_start..]);
    RunRecord {
        run,
        parameters: parameters.values.clone(),
        series,
        ledger: funded.ledger().to_vec(),
        headline,
    }
}

/// Runs the scenario and folds every run, in run-index order, into the aggregates and into
/// `each_run` (which writes `runs.csv`). `progress` is called once per finished run, from any
/// thread. `stop` is polled between chunks; when it returns true no further chunk starts.
///
/// Chunks are pipelined: while the workers simulate chunk k + 1, chunk k is folded in (in run
/// order, on one thread), so the serial fold does not leave the other cores idle.
pub fn run_scenario(
    scenario: &Scenario,
    settings: RunSettings,
    progress: &(dyn Fn() + Sync),
    stop: &dyn Fn() -> bool,
    each_run: &mut (dyn FnMut(&RunRecord) -> anyhow::Result<()> + Send),
) -> anyhow::Result<Aggregates> {
    let slots = scenario.parameter_slots();
    let rule = rule_for(&scenario.policy.rule);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(settings.threads.max(1))
        .build()
        .context("starting worker threads")?;
    let simulate_chunk = |start: u64, end: u64| -> Vec<RunRecord> {
        (start..end)
            .into_par_iter()
            .map(|run| {
                let record = simulate_run(scenario, &slots, rule.as_ref(), settings.seed, run);
                progress();
                record
            })
            .collect()
    };
    let mut aggregates = Aggregates::new(scenario);
    let mut pending: Vec<RunRecord> = Vec::new();
    let mut next = 0;
    loop {
        let more = next < settings.runs && !stop();
        let end = if more {
            (next + CHUNK_RUNS).min(settings.runs)
        } else {
            next
        };
        let (folded, records) = pool.install(|| {
            rayon::join(
                || -> anyhow::Result<()> {
                    for record in &pending {
                        aggregates.push(record);
                        each_run(record)?;
                    }
                    Ok(())
                },
                || {
                    if more {
                        simulate_chunk(next, end)
                    } else {
                        Vec::new()
                    }
                },
            )
        });
        folded?;
        if !more {
            break;
        }
        pending = records;
        next = end;
    }
    Ok(aggregates)
}
