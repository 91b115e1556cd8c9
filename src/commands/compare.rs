//! `clustersim compare SCENARIO --policies a,b,c`: the same runs under several policies, with
//! common random numbers, written to one result folder (the baseline policy's usual result files
//! plus the comparison files and a comparison section in the reports).

use std::collections::BTreeSet;

use anyhow::{Context, bail};

use std::sync::atomic::Ordering;

use super::run::{INTERRUPTED, RunOutcome, execute, progress_bar, write_summaries};
use crate::cli::{CompareArgs, Switch};
use crate::engine::compare::{CompareSettings, run_comparison_until};
use crate::engine::comparison::ComparisonAggregates;
use crate::engine::precision::{PrecisionReport, PrecisionTarget, tracked_names};
use crate::engine::{Aggregates, RunSettings};
use crate::report::ComparisonManifest;
use crate::report::PendingOutput;
use crate::report::comparison::ComparisonSet;
use crate::report::comparison_csv::{ComparisonRunsWriter, comparison_csv, comparison_periods_csv};
use crate::report::csv::RunsWriter;
use crate::scenario::{NamedPolicy, RULE_KINDS, Scenario};

/// Files a comparison adds to a result folder.
pub const COMPARISON_FILES: [&str; 3] = [
    "comparison.csv",
    "comparison_periods.csv",
    "comparison_runs.csv",
];

/// What the command line asked to compare, before it is checked against the scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComparisonRequest {
    /// Policy names as given (None: every policy the scenario defines).
    pub policies: Option<Vec<String>>,
    /// Baseline name as given (None: the first policy).
    pub baseline: Option<String>,
    /// Common random numbers.
    pub common_random_numbers: bool,
}

/// A checked comparison: the policies, which one is the baseline, and whether they share random
/// numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct ComparisonPlan {
    /// Policies in order.
    pub policies: Vec<NamedPolicy>,
    /// Index of the baseline.
    pub baseline: usize,
    /// Common random numbers.
    pub common_random_numbers: bool,
}

impl ComparisonPlan {
    /// Resolves the requested names against the scenario.
    pub fn resolve(scenario: &Scenario, request: &ComparisonRequest) -> anyhow::Result<Self> {
        let policies = match &request.policies {
            None => scenario.defined_policies(),
            Some(names) => {
                let mut policies = Vec::with_capacity(names.len());
                for name in names {
                    let name = name.trim();
                    if name.is_empty() {
                        bail!(
                            "--policies has an empty name; give names separated by single commas, e.g. --policies equal,by_members"
                        );
                    }
                    policies.push(
                        scenario
                            .resolve_policy(name)
                            .map_err(anyhow::Error::msg)
                            .context("--policies")?,
                    );
                }
                policies
            }
        };
        let mut seen = BTreeSet::new();
        for policy in &policies {
            if !seen.insert(policy.name.as_str()) {
                bail!(
                    "--policies lists '{}' twice; to compare a policy with a copy of itself, define the copy as a policy variant under another name",
                    policy.name
                );
            }
        }
        if policies.len() < 2 {
            let only = policies.first().map_or("", |p| p.name.as_str());
            let others: Vec<&str> = RULE_KINDS
                .iter()
                .copied()
                .filter(|kind| *kind != only && *kind != "fixed")
                .take(2)
                .collect();
            let example = if only.is_empty() {
                others.join(",")
            } else {
                format!("{only},{}", others.join(","))
            };
            bail!(
                "a comparison needs at least two policies, and {} defines only '{only}'; name them with --policies (e.g. --policies {example}) or add policy_variants to the scenario",
                scenario.name,
            );
        }
        let baseline = match &request.baseline {
            None => 0,
            Some(name) => {
                let resolved = scenario
                    .resolve_policy(name.trim())
                    .map_err(anyhow::Error::msg)
                    .context("--baseline")?;
                policies
                    .iter()
                    .position(|p| p.name == resolved.name)
                    .with_context(|| {
                        format!(
                            "--baseline '{name}' is not among the policies compared ({}); add it to --policies",
                            policies
                                .iter()
                                .map(|p| p.name.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    })?
            }
        };
        Ok(Self {
            policies,
            baseline,
            common_random_numbers: request.common_random_numbers,
        })
    }

    /// Policy names in order.
    pub fn names(&self) -> Vec<String> {
        self.policies.iter().map(|p| p.name.clone()).collect()
    }

    /// What the manifest records.
    pub fn manifest(&self) -> ComparisonManifest {
        ComparisonManifest {
            policies: self.names(),
            baseline: self.policies[self.baseline].name.clone(),
            common_random_numbers: self.common_random_numbers,
        }
    }

    /// The `compare` options that reproduce this comparison.
    pub fn command_options(&self, quote: fn(&str) -> String) -> String {
        format!(
            "--policies {} --baseline {} --crn {}",
            quote(&self.names().join(",")),
            quote(&self.policies[self.baseline].name),
            if self.common_random_numbers {
                "on"
            } else {
                "off"
            }
        )
    }
}

/// Runs `clustersim compare` as the command line asks.
pub fn compare(args: &CompareArgs) -> anyhow::Result<RunOutcome> {
    let request = ComparisonRequest {
        policies: args.policies.clone(),
        baseline: args.baseline.clone(),
        common_random_numbers: args.crn == Switch::On,
    };
    execute(&args.run, Some(&request))
}

/// Runs the comparison (with a progress bar over policies × runs unless `quiet`), streaming
/// `runs.csv` (baseline policy) and `comparison_runs.csv`, then writes the summaries of the
/// baseline policy and the comparison files. Returns the baseline's aggregates and the
/// comparison as written.
pub(crate) fn write_comparison_results(
    scenario: &Scenario,
    plan: &ComparisonPlan,
    settings: RunSettings,
    target: Option<PrecisionTarget>,
    pending: &PendingOutput,
    quiet: bool,
) -> anyhow::Result<(Aggregates, ComparisonSet, Option<PrecisionReport>)> {
    let names = plan.names();
    let bar = progress_bar(settings.runs * names.len() as u64, "policy-runs", quiet);
    let mut runs_writer = RunsWriter::create(&pending.file("runs.csv"), scenario)?;
    let mut comparison_runs =
        ComparisonRunsWriter::create(&pending.file("comparison_runs.csv"), &names)?;
    let mut aggregates = Aggregates::new(scenario);
    let mut comparison = ComparisonAggregates::new(scenario, names, plan.baseline);
    let (_, tracker) = run_comparison_until(
        scenario,
        &plan.policies,
        CompareSettings {
            runs: settings,
            common_random_numbers: plan.common_random_numbers,
            baseline: plan.baseline,
        },
        target,
        &|finished| bar.inc(finished),
        &|| INTERRUPTED.load(Ordering::SeqCst),
        &mut |records| {
            let baseline = &records[plan.baseline];
            aggregates.push(baseline);
            runs_writer.push(baseline)?;
            comparison.push(records);
            comparison_runs.push(records)
        },
    )?;
    bar.finish_and_clear();
    runs_writer.finish()?;
    comparison_runs.finish()?;
    write_summaries(scenario, &aggregates, pending)?;
    let table = comparison_csv(&comparison);
    let periods = comparison_periods_csv(scenario, &comparison);
    pending.write("comparison.csv", table.as_bytes())?;
    pending.write("comparison_periods.csv", periods.as_bytes())?;
    let set = ComparisonSet::parse(&table, &periods).context("reading back comparison.csv")?;
    let precision = tracker.map(|tracker| tracker.report(&tracked_names(&plan.names())));
    Ok((aggregates, set, precision))
}
