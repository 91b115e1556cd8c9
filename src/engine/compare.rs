//! Policy comparisons: the same runs under several policies.
//!
//! With common random numbers (the default), run *i* of every policy uses the same parameter
//! draws and the same random streams (streams are keyed by seed, purpose, index and run, never by
//! policy), and one no-funding counterfactual serves them all. Without them (`--crn off`), each
//! policy after the first runs under its own seed, as independent Monte Carlo studies would.

use super::comparison::ComparisonAggregates;
use super::outcomes::HEADLINE_OUTCOMES;
use super::partials::Partials;
use super::precision::{PrecisionTarget, PrecisionTracker};
use super::{
    Aggregates, RunRecord, RunSettings, UnitAggregates, blocks, run_in_order_from,
    simulate_policies_measuring,
};
use crate::model::draw_parameters;
use crate::model::streams::splitmix64;
use crate::policy::{AllocationRule, rule_for};
use crate::scenario::{NamedPolicy, ParameterSlot, Scenario};

/// An allocation rule that worker threads can share.
pub type SharedRule = dyn AllocationRule + Send + Sync;

/// How to run a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CompareSettings {
    /// Runs, seed and threads.
    pub runs: RunSettings,
    /// Common random numbers on (true) or off.
    pub common_random_numbers: bool,
    /// Index of the baseline policy.
    pub baseline: usize,
}

impl CompareSettings {
    /// The seed each of `policies` policies runs under: the master seed with common random
    /// numbers, and for the baseline in any case (so its results equal those of `run`);
    /// otherwise a seed derived from the master seed and the policy's position (SplitMix64), so
    /// the policies' runs are independent.
    pub fn seeds(&self, policies: usize) -> Vec<u64> {
        let seed = self.runs.seed;
        (0..policies)
            .map(|position| {
                if self.common_random_numbers || position == self.baseline {
                    seed
                } else {
                    splitmix64(seed ^ splitmix64(0xC0FF_EE00_0000_0000 | position as u64))
                }
            })
            .collect()
    }
}

/// Simulates run `run` under every policy, policy p with seed `seeds[p]`, returning one record
/// per policy in order. Policies that share a seed share parameter draws, random streams and
/// one counterfactual; the others are simulated on their own.
pub fn simulate_comparison_run(
    scenario: &Scenario,
    slots: &[ParameterSlot],
    policies: &[(&NamedPolicy, &SharedRule)],
    seeds: &[u64],
    run: u64,
) -> Vec<super::RunRecord> {
    simulate_comparison_run_measuring(scenario, slots, policies, seeds, run, &|_| true)
}

/// [`simulate_comparison_run`], measuring the network structure only of the policies p where
/// `measured(p)` (see [`super::simulate_policies_measuring`]).
fn simulate_comparison_run_measuring(
    scenario: &Scenario,
    slots: &[ParameterSlot],
    policies: &[(&NamedPolicy, &SharedRule)],
    seeds: &[u64],
    run: u64,
    measured: &dyn Fn(usize) -> bool,
) -> Vec<super::RunRecord> {
    if let Some(&seed) = seeds.first()
        && seeds.iter().all(|s| *s == seed)
    {
        let parameters = draw_parameters(scenario, slots, seed, run);
        let funding: Vec<_> = policies
            .iter()
            .map(|(named, rule)| Some((&named.policy, *rule as &dyn AllocationRule)))
            .collect();
        simulate_policies_measuring(scenario, &parameters, &funding, seed, run, measured)
    } else {
        policies
            .iter()
            .enumerate()
            .map(|(position, (named, rule))| {
                let seed = seeds[position];
                let parameters = draw_parameters(scenario, slots, seed, run);
                simulate_policies_measuring(
                    scenario,
                    &parameters,
                    &[Some((&named.policy, *rule as &dyn AllocationRule))],
                    seed,
                    run,
                    &|_| measured(position),
                )
                .swap_remove(0)
            })
            .collect()
    }
}

/// Runs the comparison and hands each run's records (one per policy, in order) to `each_run` in
/// run-index order. `progress(k)` is called as k more policy-runs finish, from any thread; `stop`
/// is polled between chunks. Returns the number of runs completed.
pub fn run_comparison(
    scenario: &Scenario,
    policies: &[NamedPolicy],
    settings: CompareSettings,
    progress: &(dyn Fn(u64) + Sync),
    stop: &dyn Fn() -> bool,
    each_run: &mut (dyn FnMut(&[super::RunRecord]) -> anyhow::Result<()> + Send),
) -> anyhow::Result<u64> {
    run_comparison_until(
        scenario, policies, settings, 0, None, progress, stop, each_run,
    )
    .map(|(runs, _)| runs)
}

/// [`run_comparison`], optionally until every policy's headline means are precise enough
/// (`--until-se`; `settings.runs.runs` is then the run limit). Returns the runs completed and
/// the tracker. Only runs `first..settings.runs.runs` are simulated (a shard starts past 0).
#[allow(clippy::too_many_arguments)]
pub fn run_comparison_until(
    scenario: &Scenario,
    policies: &[NamedPolicy],
    settings: CompareSettings,
    first: u64,
    target: Option<PrecisionTarget>,
    progress: &(dyn Fn(u64) + Sync),
    stop: &dyn Fn() -> bool,
    each_run: &mut (dyn FnMut(&[super::RunRecord]) -> anyhow::Result<()> + Send),
) -> anyhow::Result<(u64, Option<PrecisionTracker>)> {
    let rules = policy_rules(policies);
    let pairs = policy_pairs(policies, &rules);
    let slots = scenario.parameter_slots();
    let seeds = settings.seeds(policies.len());
    let mut tracker = target
        .map(|target| PrecisionTracker::new(target, policies.len() * HEADLINE_OUTCOMES.len()));
    let mut headline = Vec::with_capacity(policies.len() * HEADLINE_OUTCOMES.len());
    let runs = run_in_order_from(
        first,
        settings.runs,
        stop,
        &|run| {
            // Only the baseline's series (and so its network structure) reach the summaries and
            // runs.csv; the other policies contribute headlines and total counts.
            let baseline = |policy: usize| policy == settings.baseline;
            let records =
                simulate_comparison_run_measuring(scenario, &slots, &pairs, &seeds, run, &baseline);
            progress(records.len() as u64);
            records
        },
        &mut |records: &Vec<super::RunRecord>| {
            each_run(records)?;
            Ok(match tracker.as_mut() {
                None => false,
                Some(tracker) => {
                    headline.clear();
                    for record in records {
                        headline.extend_from_slice(&record.headline);
                    }
                    tracker.push(&headline)
                }
            })
        },
    )?;
    Ok((runs, tracker))
}

/// What a worker made of one unit of consecutive comparison runs (see [`run_comparison_units`]).
pub struct ComparisonUnit {
    /// The baseline policy's aggregates of the unit's runs.
    pub baseline: UnitAggregates,
    /// The comparison's aggregates of the unit's runs.
    pub comparison: ComparisonAggregates,
    /// The baseline policy's `runs.csv` lines of the unit's runs, in run order.
    pub rows: String,
    /// Per run (in order), every policy's record without its series, ledger and measures: the
    /// run index, parameters and headline values, for the per-run files and the precision target.
    pub headlines: Vec<Vec<RunRecord>>,
}

/// Runs the comparison in units of [`blocks::UNIT_RUNS`] consecutive runs on
/// `settings.runs.threads` workers, as [`super::run_scenario_range`] does for one policy: each
/// worker simulates a unit, folds it into a [`ComparisonUnit`] (the baseline's aggregates, the
/// comparison's, the baseline's `runs.csv` lines formatted with `format`) and `fold` receives
/// the units in run order on the calling thread; the baseline's aggregates are merged into its
/// total by the workers (`engine::partials`). No unit holds more than one run's full records
/// at a time, so memory depends on the threads, not on the runs or the policies' series. Only
/// runs `first..settings.runs.runs` are simulated. With a precision `target`, the runs stop at
/// the first batch where every policy's headline means are precise enough. Returns the runs
/// folded, the baseline policy's aggregates and the tracker.
#[allow(clippy::too_many_arguments)]
pub fn run_comparison_units(
    scenario: &Scenario,
    policies: &[NamedPolicy],
    names: &[String],
    settings: CompareSettings,
    first: u64,
    target: Option<PrecisionTarget>,
    progress: &(dyn Fn(u64) + Sync),
    stop: &(dyn Fn() -> bool + Sync),
    format: &(dyn Fn(&RunRecord, &mut String) + Sync),
    fold: &mut dyn FnMut(&mut ComparisonUnit) -> anyhow::Result<()>,
) -> anyhow::Result<(u64, Aggregates, Option<PrecisionTracker>)> {
    let rules = policy_rules(policies);
    let pairs = policy_pairs(policies, &rules);
    let slots = scenario.parameter_slots();
    let seeds = settings.seeds(policies.len());
    let mut tracker = target
        .map(|target| PrecisionTracker::new(target, policies.len() * HEADLINE_OUTCOMES.len()));
    let mut headline = Vec::with_capacity(policies.len() * HEADLINE_OUTCOMES.len());
    let mut baseline_total = Aggregates::new(scenario);
    let partials = Partials::new(scenario);
    let spare: std::sync::Mutex<Vec<ComparisonUnit>> = std::sync::Mutex::new(Vec::new());
    let new_unit = || ComparisonUnit {
        baseline: partials.unit(),
        comparison: ComparisonAggregates::new(scenario, names.to_vec(), settings.baseline),
        rows: String::new(),
        headlines: Vec::new(),
    };
    let runs = blocks::run_units(
        first..settings.runs.runs,
        settings.runs.threads,
        stop,
        &|runs| {
            partials.merge_confirmed();
            let mut unit = spare
                .lock()
                .ok()
                .and_then(|mut spare| spare.pop())
                .unwrap_or_else(new_unit);
            for run in runs {
                // Only the baseline's series (and so its network structure) reach the
                // summaries and runs.csv; the other policies contribute headlines and totals.
                let baseline = |policy: usize| policy == settings.baseline;
                let records = simulate_comparison_run_measuring(
                    scenario, &slots, &pairs, &seeds, run, &baseline,
                );
                progress(records.len() as u64);
                unit.baseline.push(&records[settings.baseline]);
                format(&records[settings.baseline], &mut unit.rows);
                unit.comparison.push(&records);
                unit.headlines.push(
                    records
                        .into_iter()
                        .map(|record| RunRecord {
                            series: Vec::new(),
                            ledger: Vec::new(),
                            measures: Vec::new(),
                            ..record
                        })
                        .collect(),
                );
            }
            unit.baseline.seal();
            unit
        },
        &|| partials.merge_confirmed(),
        &mut |mut unit| {
            baseline_total.count_unit_runs(&unit.baseline);
            fold(&mut unit)?;
            let mut done = false;
            if let Some(tracker) = tracker.as_mut() {
                for (run, records) in unit.headlines.iter().enumerate() {
                    headline.clear();
                    for record in records {
                        headline.extend_from_slice(&record.headline);
                    }
                    if tracker.push(&headline) {
                        // Precision batches are whole units, so this is the unit's last run.
                        debug_assert_eq!(run + 1, unit.headlines.len());
                        done = true;
                        break;
                    }
                }
            }
            partials.confirm(std::mem::replace(&mut unit.baseline, partials.unit()));
            unit.comparison.clear();
            unit.rows.clear();
            unit.headlines.clear();
            if let Ok(mut spare) = spare.lock() {
                spare.push(unit);
            }
            Ok(done)
        },
    )?;
    partials.finish(&mut baseline_total);
    Ok((runs, baseline_total, tracker))
}

/// Each compared policy's allocation rule, in the policies' order.
fn policy_rules(policies: &[NamedPolicy]) -> Vec<Box<SharedRule>> {
    policies
        .iter()
        .map(|named| rule_for(&named.policy.rule))
        .collect()
}

/// Each compared policy with its rule (from [`policy_rules`]), as the simulation takes them.
fn policy_pairs<'a>(
    policies: &'a [NamedPolicy],
    rules: &'a [Box<SharedRule>],
) -> Vec<(&'a NamedPolicy, &'a SharedRule)> {
    policies
        .iter()
        .zip(rules)
        .map(|(named, rule)| (named, rule.as_ref()))
        .collect()
}
