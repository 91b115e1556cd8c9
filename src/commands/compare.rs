//! `clustersim compare SCENARIO --policies a,b,c`: the same runs under several policies, with
//! common random numbers, written to one result folder (the baseline policy's usual result files
//! plus the comparison files and a comparison section in the reports).

use std::collections::BTreeSet;

use anyhow::{Context, bail};

use std::sync::atomic::Ordering;

use super::run::{INTERRUPTED, RunOutcome, execute, progress_bar, write_summaries};
use crate::cli::{CompareArgs, Switch};
use crate::engine::compare::{CompareSettings, run_comparison_units};
use crate::engine::comparison::ComparisonAggregates;
use crate::engine::precision::{PrecisionReport, PrecisionTarget, tracked_names};
use crate::engine::{Aggregates, RunSettings};
use crate::report::ComparisonManifest;
use crate::report::PendingOutput;
use crate::report::comparison::ComparisonSet;
use crate::report::comparison_csv::{
    ComparisonRunsWriter, comparison_csv, comparison_pairs_csv, comparison_periods_csv,
};
use crate::report::csv::RunsWriter;
use crate::report::verdict::MinDifference;
use crate::scenario::{NamedPolicy, RULE_KINDS, Scenario};

/// Files a comparison adds to a result folder.
pub const COMPARISON_FILES: [&str; 4] = [
    "comparison.csv",
    "comparison_pairs.csv",
    "comparison_periods.csv",
    "comparison_runs.csv",
];

/// What the command line asked to compare, before it is checked against the scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct ComparisonRequest {
    /// Policy names as given (None: every policy the scenario defines).
    pub policies: Option<Vec<String>>,
    /// Baseline name as given (None: the first policy).
    pub baseline: Option<String>,
    /// Common random numbers.
    pub common_random_numbers: bool,
    /// The smallest difference in networked SMEs the verdict counts as practical.
    pub min_difference: MinDifference,
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
    /// The smallest difference in networked SMEs the verdict counts as practical.
    pub min_difference: MinDifference,
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
            bail!("{}", too_few_policies(scenario, &policies, request));
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
            min_difference: request.min_difference,
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
            min_difference: self.min_difference,
        }
    }

    /// The `compare` options that reproduce this comparison.
    pub fn command_options(&self, quote: fn(&str) -> String) -> String {
        format!(
            "--policies {} --baseline {} --crn {} --min-difference {}",
            quote(&self.names().join(",")),
            quote(&self.policies[self.baseline].name),
            if self.common_random_numbers {
                "on"
            } else {
                "off"
            },
            quote(&self.min_difference.to_string())
        )
    }
}

/// Why fewer than two policies cannot be compared, listing what the scenario does define (its
/// policy and every variant) and an example `--policies` that would work.
fn too_few_policies(
    scenario: &Scenario,
    policies: &[NamedPolicy],
    request: &ComparisonRequest,
) -> String {
    let only = policies.first().map_or("", |p| p.name.as_str());
    let defined: Vec<String> = scenario
        .defined_policies()
        .into_iter()
        .map(|policy| policy.name)
        .collect();
    let mut others: Vec<String> = Vec::new();
    for name in defined
        .iter()
        .cloned()
        .chain(RULE_KINDS.iter().map(|kind| kind.to_string()))
    {
        if others.len() < 2 && name != only && name != "fixed" && !others.contains(&name) {
            others.push(name);
        }
    }
    let example = if only.is_empty() {
        others.join(",")
    } else {
        format!("{only},{}", others.join(","))
    };
    let asked = match &request.policies {
        Some(_) => format!("--policies names only '{only}'"),
        None => format!(
            "scenario '{}' defines only its own policy '{only}'",
            scenario.name
        ),
    };
    let variants = match (defined.len() > 1, request.policies.is_some()) {
        (true, _) => format!(
            "; the scenario defines {} policies: {} (its own policy first, then its \
             policy_variants)",
            defined.len(),
            defined.join(", ")
        ),
        (false, true) => format!(
            "; the scenario defines only its own policy '{}' (add policy_variants to it to \
             compare named policies)",
            defined.first().map_or("", String::as_str)
        ),
        (false, false) => "; add policy_variants to it to compare named policies".to_string(),
    };
    format!(
        "a comparison needs at least two policies, and {asked}{variants}. Rule kinds \
         ({}) also name the scenario's policy with that rule. For example: --policies {example}",
        RULE_KINDS.join(", ")
    )
}

/// Runs `clustersim compare` as the command line asks.
pub fn compare(args: &CompareArgs) -> anyhow::Result<RunOutcome> {
    let request = ComparisonRequest {
        policies: args.policies.clone(),
        baseline: args.baseline.clone(),
        common_random_numbers: args.crn == Switch::On,
        min_difference: args.min_difference,
    };
    execute(&args.run, Some(&request))
}

/// Runs the comparison on the runs `range` (with a progress bar over policies × runs unless
/// `quiet`), streaming `runs.csv` (baseline policy) and `comparison_runs.csv`; with `summaries`,
/// then writes the baseline policy's summaries and the comparison files. Returns the baseline's
/// aggregates, the comparison's, the comparison as written (with `summaries`) and the precision.
#[allow(clippy::too_many_arguments)]
pub(crate) fn write_comparison_results(
    scenario: &Scenario,
    plan: &ComparisonPlan,
    settings: RunSettings,
    range: std::ops::Range<u64>,
    target: Option<PrecisionTarget>,
    pending: &PendingOutput,
    quiet: bool,
    summaries: bool,
) -> anyhow::Result<(Aggregates, ComparisonResult, Option<PrecisionReport>)> {
    let names = plan.names();
    let bar = progress_bar(
        (range.end - range.start) * names.len() as u64,
        "policy-runs",
        quiet,
    );
    let mut runs_writer = RunsWriter::create(&pending.file("runs.csv"), scenario)?;
    let mut comparison_runs = ComparisonRunsWriter::create(
        &pending.file("comparison_runs.csv"),
        &names,
        &scenario.currency,
    )?;
    let mut comparison = ComparisonAggregates::new(scenario, names.clone(), plan.baseline);
    let (_, aggregates, tracker) = run_comparison_units(
        scenario,
        &plan.policies,
        &names,
        CompareSettings {
            runs: RunSettings {
                runs: range.end,
                ..settings
            },
            common_random_numbers: plan.common_random_numbers,
            baseline: plan.baseline,
        },
        range.start,
        target,
        &|finished| bar.inc(finished),
        &|| INTERRUPTED.load(Ordering::SeqCst),
        &RunsWriter::format,
        &mut |unit| {
            runs_writer.push_lines(&unit.rows)?;
            comparison.merge(&unit.comparison);
            for records in &unit.headlines {
                comparison_runs.push(records)?;
            }
            Ok(())
        },
    )?;
    bar.finish_and_clear();
    runs_writer.finish()?;
    comparison_runs.finish()?;
    let set = if summaries {
        Some(write_comparison_files(
            scenario,
            plan,
            &aggregates,
            &comparison,
            pending,
        )?)
    } else {
        None
    };
    let precision = tracker.map(|tracker| tracker.report(&tracked_names(&plan.names())));
    Ok((
        aggregates,
        ComparisonResult {
            aggregates: comparison,
            set,
        },
        precision,
    ))
}

/// A comparison's aggregates and, once written, its files read back.
pub(crate) struct ComparisonResult {
    /// Everything aggregated.
    pub aggregates: ComparisonAggregates,
    /// The comparison as written to `comparison.csv` (None in a shard).
    pub set: Option<ComparisonSet>,
}

/// Writes the baseline policy's summaries and `comparison.csv`, `comparison_periods.csv` and
/// `comparison_pairs.csv`, and returns the comparison as written.
pub(crate) fn write_comparison_files(
    scenario: &Scenario,
    plan: &ComparisonPlan,
    aggregates: &Aggregates,
    comparison: &ComparisonAggregates,
    pending: &PendingOutput,
) -> anyhow::Result<ComparisonSet> {
    write_summaries(scenario, aggregates, pending)?;
    let table = comparison_csv(comparison, &scenario.currency);
    let periods = comparison_periods_csv(scenario, comparison);
    pending.write("comparison.csv", table.as_bytes())?;
    pending.write("comparison_periods.csv", periods.as_bytes())?;
    let pairs = comparison_pairs_csv(comparison, &scenario.currency);
    pending.write("comparison_pairs.csv", pairs.as_bytes())?;
    let mut set = ComparisonSet::parse(&table, &periods)
        .context("reading back comparison.csv")?
        .with_pairs(&pairs)
        .context("reading back comparison_pairs.csv")?
        .with_canonical_names(&scenario.currency);
    set.min_difference = plan.min_difference;
    Ok(set)
}
