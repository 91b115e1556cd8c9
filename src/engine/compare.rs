//! Policy comparisons: the same runs under several policies.
//!
//! With common random numbers (the default), run *i* of every policy uses the same parameter
//! draws and the same random streams (streams are keyed by seed, purpose, index and run, never by
//! policy), and one no-funding counterfactual serves them all. Without them (`--crn off`), each
//! policy after the first runs under its own seed, as independent Monte Carlo studies would.

use super::outcomes::HEADLINE_OUTCOMES;
use super::precision::{PrecisionTarget, PrecisionTracker};
use super::{RunSettings, run_in_order_from, simulate_policies};
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
    if let Some(&seed) = seeds.first()
        && seeds.iter().all(|s| *s == seed)
    {
        let parameters = draw_parameters(scenario, slots, seed, run);
        let funding: Vec<_> = policies
            .iter()
            .map(|(named, rule)| Some((&named.policy, *rule as &dyn AllocationRule)))
            .collect();
        simulate_policies(scenario, &parameters, &funding, seed, run)
    } else {
        policies
            .iter()
            .enumerate()
            .map(|(position, (named, rule))| {
                let seed = seeds[position];
                let parameters = draw_parameters(scenario, slots, seed, run);
                simulate_policies(
                    scenario,
                    &parameters,
                    &[Some((&named.policy, *rule as &dyn AllocationRule))],
                    seed,
                    run,
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
    let rules: Vec<Box<SharedRule>> = policies
        .iter()
        .map(|named| rule_for(&named.policy.rule))
        .collect();
    let pairs: Vec<(&NamedPolicy, &SharedRule)> = policies
        .iter()
        .zip(&rules)
        .map(|(named, rule)| (named, rule.as_ref()))
        .collect();
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
            let records = simulate_comparison_run(scenario, &slots, &pairs, &seeds, run);
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
