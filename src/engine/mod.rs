//! Monte Carlo runs: seeding, parallelism, ordered aggregation.
//!
//! Run *i* draws only from streams keyed by (seed, purpose, index, i), so a run's numbers never
//! depend on which thread ran it. Runs are simulated in parallel in units of consecutive runs,
//! each buffered by the worker that ran it; the units are folded in run order (see [`blocks`])
//! and their values added exactly to the totals, so every output is byte-identical whatever the
//! thread count or the split into shards, and memory does not grow with the run count.

mod aggregate;
pub mod blocks;
pub mod compare;
pub mod comparison;
pub mod expected_networks;
pub mod limits;
pub mod network_history;
pub mod outcomes;
mod partials;
pub mod precision;
pub mod recorder;
pub mod sensitivity;
pub mod sensitivity_analysis;

use anyhow::Context;
use rayon::prelude::*;

pub use aggregate::{
    Aggregates, AggregatesState, AggregatesStateError, EXACT_HEADLINE_RUNS, UnitAggregates,
};

use crate::model::structure::Workspace;
use crate::model::{LedgerEntry, RunParameters, Simulation, draw_parameters};
use crate::policy::{AllocationRule, rule_for};
use crate::scenario::{ClusterStatus, ParameterSlot, Policy, Scenario};
use outcomes::{HEADLINE_OUTCOMES, headline_from_totals, slots_per_quarter, structure_measured};
pub use precision::{PrecisionTarget, PrecisionTracker};
use recorder::{QuarterState, Recorder};

/// Runs simulated in parallel before their results are folded in order (sensitivity designs).
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
    /// The funded run's ledger per funding year and measure, summed over clusters
    /// ([`Simulation::measure_year_totals`]).
    pub measures: Vec<i64>,
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
    let funding = [rule.map(|rule| (&scenario.policy, rule))];
    let mut records = simulate_policies(scenario, parameters, &funding, seed, run);
    records.swap_remove(0)
}

/// Simulates run `run` under each of `policies` (None: no funding) and one shared no-funding
/// counterfactual, all with the same parameters and the same random streams, stepping them
/// together quarter by quarter. Returns one record per policy, in order.
///
/// Because streams are keyed by (seed, purpose, index, run) only, every policy starts from the
/// same random numbers (common random numbers), and the counterfactual — which no policy affects
/// — is simulated once instead of once per policy.
pub fn simulate_policies(
    scenario: &Scenario,
    parameters: &RunParameters,
    policies: &[Option<(&Policy, &dyn AllocationRule)>],
    seed: u64,
    run: u64,
) -> Vec<RunRecord> {
    simulate_policies_measuring(scenario, parameters, policies, seed, run, &|_| true)
}

/// [`simulate_policies`], measuring the year-end network structure only for the policies `p`
/// where `measured(p)` is true; the others' structure outcomes are left undefined (NaN), as in
/// quarters that are not measured. Callers that never read a policy's structure (the
/// non-baseline policies of a comparison, every policy of a sensitivity design) skip its cost,
/// which is about a third of the model's; nothing else in the records changes.
pub fn simulate_policies_measuring(
    scenario: &Scenario,
    parameters: &RunParameters,
    policies: &[Option<(&Policy, &dyn AllocationRule)>],
    seed: u64,
    run: u64,
    measured: &dyn Fn(usize) -> bool,
) -> Vec<RunRecord> {
    let mut funded: Vec<Simulation> = policies
        .iter()
        .map(|funding| Simulation::with_policy(scenario, parameters, *funding, seed, run))
        .collect();
    let mut counterfactual = Simulation::new(scenario, parameters, None, seed, run);
    let initially_forming: Vec<bool> = scenario
        .clusters
        .iter()
        .map(|c| c.status == ClusterStatus::Forming)
        .collect();
    let total_firms: u64 = scenario.sectors.iter().map(|s| s.firms).sum();
    let sole_share = |sole: u64, firms: u64| outcomes::ratio(sole as f64, firms as f64);
    let sector_sole_share: Vec<f64> = scenario
        .clusters
        .iter()
        .map(|c| &scenario.sectors[c.sector])
        .map(|sector| sole_share(sector.sole_firms, sector.firms))
        .collect();
    let total_sole_share = sole_share(
        scenario.sectors.iter().map(|s| s.sole_firms).sum(),
        total_firms,
    );
    let quarters = scenario.budget.quarters();
    let width = slots_per_quarter(scenario.clusters.len());
    let mut series = vec![Vec::with_capacity(quarters * width); funded.len()];
    let mut recorders: Vec<Recorder> = funded.iter().map(|_| Recorder::default()).collect();
    // The structure measurement's arrays, shared by the policies (measured one after another).
    let mut workspace = Workspace::default();
    // One quarter's cluster records, refilled every quarter.
    let mut counterfactual_records = Vec::with_capacity(scenario.clusters.len());
    let mut funded_records = Vec::with_capacity(scenario.clusters.len());
    while !counterfactual.finished() {
        counterfactual.step();
        counterfactual.records_into(&mut counterfactual_records);
        for (policy, ((simulation, series), recorder)) in funded
            .iter_mut()
            .zip(&mut series)
            .zip(&mut recorders)
            .enumerate()
        {
            simulation.step();
            simulation.records_into(&mut funded_records);
            let quarter = simulation.quarter() - 1;
            let structure = (structure_measured(quarter) && measured(policy))
                .then(|| workspace.measure_all(simulation.clusters().iter().map(|c| &c.network)));
            recorder.push_quarter(
                &QuarterState {
                    quarter,
                    funded: &funded_records,
                    counterfactual: &counterfactual_records,
                    initially_forming: &initially_forming,
                    total_firms,
                    ledger: simulation.ledger(),
                    withheld_cents: simulation.withheld_cents(),
                    added_value: (
                        simulation.added_value_ltl(),
                        counterfactual.added_value_ltl(),
                    ),
                    structure: structure.as_ref().map(|total| (workspace.parts(), total)),
                    sector_sole_share: &sector_sole_share,
                    total_sole_share,
                },
                series,
            );
        }
    }
    funded
        .iter()
        .zip(series)
        .map(|(simulation, series)| {
            let totals_start = series.len() - outcomes::TOTAL_OUTCOMES.len();
            let headline = headline_from_totals(&series[totals_start..]);
            RunRecord {
                run,
                parameters: parameters.values.clone(),
                series,
                ledger: simulation.ledger().to_vec(),
                measures: simulation.measure_year_totals(),
                headline,
            }
        })
        .collect()
}

/// Where the text each run contributes to `runs.csv` goes.
pub struct RunRows<'a> {
    /// Appends one run's line (with its newline) to a buffer; called on worker threads.
    pub format: &'a (dyn Fn(&RunRecord, &mut String) + Sync),
    /// Receives the lines of consecutive runs, in run order, on the calling thread.
    pub write: &'a mut dyn FnMut(&str) -> anyhow::Result<()>,
}

/// Runs the scenario and folds every run into the aggregates; each run's `runs.csv` line goes
/// to `rows` in run order. `progress` is called once per finished run, from any thread. `stop`
/// is polled before each unit of runs starts; once it returns true no further unit starts.
pub fn run_scenario(
    scenario: &Scenario,
    settings: RunSettings,
    progress: &(dyn Fn() + Sync),
    stop: &(dyn Fn() -> bool + Sync),
    rows: RunRows,
) -> anyhow::Result<Aggregates> {
    run_scenario_until(scenario, settings, None, progress, stop, rows)
        .map(|(aggregates, _)| aggregates)
}

/// [`run_scenario`], optionally until a precision target is met (`--until-se`): then
/// `settings.runs` is the run limit, and the runs stop at the first batch boundary where every
/// headline mean is precise enough (see [`precision`]). Returns the aggregates and the tracker.
pub fn run_scenario_until(
    scenario: &Scenario,
    settings: RunSettings,
    target: Option<PrecisionTarget>,
    progress: &(dyn Fn() + Sync),
    stop: &(dyn Fn() -> bool + Sync),
    rows: RunRows,
) -> anyhow::Result<(Aggregates, Option<PrecisionTracker>)> {
    run_scenario_range(
        scenario,
        settings,
        0..settings.runs,
        target,
        progress,
        stop,
        rows,
    )
}

/// [`run_scenario_until`] for the runs `range` only (a shard; the whole range is
/// `0..settings.runs`). Each worker simulates a unit of runs ([`blocks::UNIT_RUNS`]), buffers
/// their values sorted by cell ([`UnitAggregates`]) and formats their `runs.csv` lines; the
/// calling thread takes the units in run order (their lines, headline values and the precision
/// target) and the workers add the units it confirmed to the one striped total
/// (`engine::partials`). Every accumulator is a function of the multiset of its values, so the
/// result is the same bits on any thread count and for any split of the runs into shards.
pub fn run_scenario_range(
    scenario: &Scenario,
    settings: RunSettings,
    range: std::ops::Range<u64>,
    target: Option<PrecisionTarget>,
    progress: &(dyn Fn() + Sync),
    stop: &(dyn Fn() -> bool + Sync),
    rows: RunRows,
) -> anyhow::Result<(Aggregates, Option<PrecisionTracker>)> {
    let slots = scenario.parameter_slots();
    let rule = rule_for(&scenario.policy.rule);
    let mut aggregates = Aggregates::new(scenario);
    let mut tracker = target.map(|target| PrecisionTracker::new(target, HEADLINE_OUTCOMES.len()));
    let partials = partials::Partials::new(scenario);
    let format = rows.format;
    let write = rows.write;
    let mut headline = vec![0.0; HEADLINE_OUTCOMES.len()];
    blocks::run_units(
        range,
        settings.threads,
        stop,
        &|runs| {
            partials.merge_confirmed();
            let mut unit = partials.unit();
            let mut text = String::new();
            for run in runs {
                let record = simulate_run(scenario, &slots, rule.as_ref(), settings.seed, run);
                unit.push(&record);
                format(&record, &mut text);
                progress();
            }
            unit.seal();
            (unit, text)
        },
        &|| partials.merge_confirmed(),
        &mut |(unit, text)| {
            aggregates.count_unit_runs(&unit);
            write(&text)?;
            let mut done = false;
            if let Some(tracker) = tracker.as_mut() {
                for run in 0..unit.runs as usize {
                    for (value, values) in headline.iter_mut().zip(&unit.headline) {
                        *value = values[run];
                    }
                    if tracker.push(&headline) {
                        // Precision batches are whole units, so this is the unit's last run.
                        debug_assert_eq!(run + 1, unit.runs as usize);
                        done = true;
                        break;
                    }
                }
            }
            partials.confirm(unit);
            Ok(done)
        },
    )?;
    partials.finish(&mut aggregates);
    Ok((aggregates, tracker))
}

/// Simulates runs `0..settings.runs` with `simulate` on `settings.threads` workers and hands each
/// result to `fold` in run-index order. `stop` is polled between chunks; when it returns true no
/// further chunk starts. When `fold` returns true (done: e.g. a precision target is met), no
/// further run is folded and runs simulated beyond it are discarded. Returns the number of runs
/// folded.
///
/// Chunks are pipelined: while the workers simulate chunk k + 1, chunk k is folded in (in run
/// order, on one thread), so the serial fold does not leave the other cores idle.
pub(crate) fn run_in_order<T: Send + Sync>(
    settings: RunSettings,
    stop: &dyn Fn() -> bool,
    simulate: &(dyn Fn(u64) -> T + Sync),
    fold: &mut (dyn FnMut(&T) -> anyhow::Result<bool> + Send),
) -> anyhow::Result<u64> {
    run_in_order_from(0, settings, stop, simulate, fold)
}

/// [`run_in_order`] for runs `first..settings.runs`.
pub(crate) fn run_in_order_from<T: Send + Sync>(
    first: u64,
    settings: RunSettings,
    stop: &dyn Fn() -> bool,
    simulate: &(dyn Fn(u64) -> T + Sync),
    fold: &mut (dyn FnMut(&T) -> anyhow::Result<bool> + Send),
) -> anyhow::Result<u64> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(settings.threads.max(1))
        .build()
        .context("starting worker threads")?;
    let mut pending: Vec<T> = Vec::new();
    let mut folded_runs = 0;
    let mut done = false;
    let mut next = first;
    loop {
        let more = next < settings.runs && !stop();
        let end = if more {
            (next + CHUNK_RUNS).min(settings.runs)
        } else {
            next
        };
        let (folded, records) = pool.install(|| {
            rayon::join(
                || -> anyhow::Result<(u64, bool)> {
                    let mut count = 0;
                    for record in &pending {
                        count += 1;
                        if fold(record)? {
                            return Ok((count, true));
                        }
                    }
                    Ok((count, false))
                },
                || {
                    if more {
                        (next..end).into_par_iter().map(simulate).collect()
                    } else {
                        Vec::new()
                    }
                },
            )
        });
        let (count, finished) = folded?;
        folded_runs += count;
        done |= finished;
        if !more || done {
            break;
        }
        pending = records;
        next = end;
    }
    Ok(folded_runs)
}
