//! `clustersim merge SHARD_DIRS… --out DIR`: the result one machine would have written, from
//! the shard folders of `run --shard i/N` or `compare --shard i/N`.
//!
//! The shards are checked to be parts of one result (same tool version, scenario bytes, seed,
//! run count, command, posterior and shard plan), complete, each present once. Their aggregates merge
//! exactly (so in any order); `runs.csv` (and `comparison_runs.csv`) are concatenated in shard
//! order, streaming, and the folder is finished by the very code that ends a one-machine run.

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use super::clock::RunClock;
use super::compare::{ComparisonPlan, ComparisonRequest, write_comparison_files};
use super::run::{ResultParts, RunOutcome, finish, write_summaries};
use super::shard::{SHARD_FORMAT, SHARD_FORMAT_VERSION, ShardManifest, ShardState};
use crate::engine::Aggregates;
use crate::engine::blocks::{BLOCK_RUNS, ShardPlan};
use crate::engine::comparison::ComparisonAggregates;
use crate::report::{PendingOutput, PosteriorManifest, sha256_hex};
use crate::scenario::load_str;

/// Options of `merge`.
#[derive(Debug, Clone)]
pub struct MergeRequest {
    /// Shard folders, in any order.
    pub shards: Vec<PathBuf>,
    /// The result folder to write.
    pub out: PathBuf,
    /// Replace an earlier result in `out`.
    pub force: bool,
    /// No summary table.
    pub quiet: bool,
}

/// One shard folder, read and checked on its own.
struct Shard {
    folder: PathBuf,
    manifest: ShardManifest,
}

fn read_manifest(folder: &Path) -> anyhow::Result<ShardManifest> {
    let path = folder.join("shard.json");
    let text = std::fs::read_to_string(&path).with_context(|| {
        format!(
            "reading '{}' (is '{}' a shard folder written by `clustersim run --shard I/N --out DIR`?)",
            path.display(),
            folder.display()
        )
    })?;
    let manifest: ShardManifest = serde_json::from_str(&text).map_err(|error| {
        anyhow::anyhow!(
            "{}:{}:{}: not a clustersim shard.json: {error}",
            path.display(),
            error.line(),
            error.column()
        )
    })?;
    if manifest.format != SHARD_FORMAT || manifest.format_version != SHARD_FORMAT_VERSION {
        bail!(
            "{}: shard format {:?} version {} is not {SHARD_FORMAT:?} version {SHARD_FORMAT_VERSION}; write the shards again with this clustersim",
            path.display(),
            manifest.format,
            manifest.format_version
        );
    }
    Ok(manifest)
}

/// Where a shard's inputs came from, for messages: a posterior (folder and the SHA-256 of its
/// `posterior.csv`) or the priors.
fn inputs_source(posterior: Option<&PosteriorManifest>) -> String {
    match posterior {
        Some(posterior) => format!(
            "the posterior in '{}' (posterior.csv SHA-256 {})",
            posterior.folder, posterior.posterior_sha256
        ),
        None => "their priors (no --posterior)".into(),
    }
}

/// Checks that every shard belongs to the result of `reference` and that together they are
/// every shard once; returns them in shard order.
fn check_plan(mut shards: Vec<Shard>) -> anyhow::Result<Vec<Shard>> {
    let version = env!("CARGO_PKG_VERSION");
    let Some(first) = shards.first() else {
        bail!("merge needs at least one shard folder");
    };
    let reference = first.manifest.clone();
    let reference_folder = first.folder.clone();
    for shard in &shards {
        let m = &shard.manifest;
        let folder = shard.folder.display();
        if m.version != version {
            bail!(
                "shard '{folder}' was written by clustersim {} and this is {version}: shards are merged by the version that wrote them (results may differ between versions)",
                m.version
            );
        }
        let differences = [
            (
                "scenario (SHA-256)",
                &m.scenario_sha256,
                &reference.scenario_sha256,
            ),
            ("command", &m.command_kind, &reference.command_kind),
        ];
        for (what, mine, theirs) in differences {
            if mine != theirs {
                bail!(
                    "shard '{folder}' is not part of the same result as '{}': its {what} is {mine}, not {theirs}",
                    reference_folder.display()
                );
            }
        }
        let numbers = [
            ("seed", m.seed, reference.seed),
            ("run count", m.runs, reference.runs),
            ("shard count", m.shards, reference.shards),
            ("block size", m.block_runs, reference.block_runs),
            (
                "chart resolution (dpi)",
                u64::from(m.dpi),
                u64::from(reference.dpi),
            ),
        ];
        for (what, mine, theirs) in numbers {
            if mine != theirs {
                bail!(
                    "shard '{folder}' is not part of the same result as '{}': its {what} is {mine}, not {theirs}",
                    reference_folder.display()
                );
            }
        }
        if m.comparison != reference.comparison {
            bail!(
                "shard '{folder}' compares other policies than '{}'",
                reference_folder.display()
            );
        }
        // The same posterior.csv bytes, wherever the shard found its folder (the merged
        // manifest records shard 1's).
        let digest = |posterior: &Option<PosteriorManifest>| {
            posterior
                .as_ref()
                .map(|posterior| posterior.posterior_sha256.clone())
        };
        if digest(&m.posterior) != digest(&reference.posterior) {
            bail!(
                "shard '{folder}' is not part of the same result as '{}': its calibrated inputs were drawn from {}, not from {}; write every shard with the same --posterior",
                reference_folder.display(),
                inputs_source(m.posterior.as_ref()),
                inputs_source(reference.posterior.as_ref())
            );
        }
        if m.block_runs != BLOCK_RUNS {
            bail!(
                "shard '{folder}' uses blocks of {} runs, this clustersim {BLOCK_RUNS}",
                m.block_runs
            );
        }
        let plan = ShardPlan {
            index: m.shard,
            count: m.shards,
        };
        let (blocks, runs) = (plan.blocks(m.runs), plan.runs(m.runs));
        if m.shard == 0
            || m.shard > m.shards
            || m.blocks != [blocks.start, blocks.end]
            || m.run_range != [runs.start, runs.end]
        {
            bail!(
                "shard '{folder}': shard {}/{} with blocks {:?} and runs {:?} does not follow the shard plan (blocks {blocks:?}, runs {runs:?})",
                m.shard,
                m.shards,
                m.blocks,
                m.run_range
            );
        }
    }
    shards.sort_by_key(|shard| shard.manifest.shard);
    for pair in shards.windows(2) {
        if pair[0].manifest.shard == pair[1].manifest.shard {
            bail!(
                "shard {}/{} is given twice: '{}' and '{}'",
                pair[0].manifest.shard,
                pair[0].manifest.shards,
                pair[0].folder.display(),
                pair[1].folder.display()
            );
        }
    }
    let count = reference.shards;
    let missing: Vec<String> = (1..=count)
        .filter(|index| !shards.iter().any(|s| s.manifest.shard == *index))
        .map(|index| {
            let runs = ShardPlan { index, count }.runs(reference.runs);
            format!("{index}/{count} (runs {}..{})", runs.start, runs.end)
        })
        .collect();
    if !missing.is_empty() {
        bail!(
            "missing shard{} {} of the {count}; run {} and merge again",
            if missing.len() == 1 { "" } else { "s" },
            missing.join(", "),
            if missing.len() == 1 { "it" } else { "them" }
        );
    }
    Ok(shards)
}

/// Concatenates the shards' `name` (a CSV with a header line) into `out`: the first shard's
/// header, then every shard's rows, streaming.
fn concatenate(shards: &[Shard], name: &str, out: &Path) -> anyhow::Result<()> {
    let temporary = out.with_extension("csv.tmp");
    let file =
        File::create(&temporary).with_context(|| format!("creating '{}'", temporary.display()))?;
    let mut writer = std::io::BufWriter::new(file);
    let mut header: Option<String> = None;
    for shard in shards {
        let path = shard.folder.join(name);
        let file = File::open(&path).with_context(|| format!("reading '{}'", path.display()))?;
        let mut reader = BufReader::new(file);
        let mut first = String::new();
        reader
            .read_line(&mut first)
            .with_context(|| format!("reading '{}'", path.display()))?;
        match &header {
            None => {
                writer.write_all(first.as_bytes())?;
                header = Some(first);
            }
            Some(expected) if *expected != first => bail!(
                "'{}' has another header than the first shard's {name}",
                path.display()
            ),
            Some(_) => {}
        }
        std::io::copy(&mut reader, &mut writer)
            .with_context(|| format!("copying '{}'", path.display()))?;
    }
    let file = writer
        .into_inner()
        .map_err(|error| error.into_error())
        .with_context(|| format!("writing '{}'", temporary.display()))?;
    file.sync_all()
        .with_context(|| format!("writing '{}'", temporary.display()))?;
    std::fs::rename(&temporary, out).with_context(|| format!("renaming to '{}'", out.display()))
}

/// Merges shard folders into a result folder (see the module docs).
pub fn merge(request: &MergeRequest) -> anyhow::Result<RunOutcome> {
    let clock = RunClock::start()?;
    let shards = request
        .shards
        .iter()
        .map(|folder| {
            Ok(Shard {
                manifest: read_manifest(folder)?,
                folder: folder.clone(),
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let shards = check_plan(shards)?;
    let first = &shards[0];
    let scenario_path = first.folder.join("scenario.json");
    let text = std::fs::read_to_string(&scenario_path)
        .with_context(|| format!("reading '{}'", scenario_path.display()))?;
    if sha256_hex(text.as_bytes()) != first.manifest.scenario_sha256 {
        bail!(
            "'{}' is not the scenario its shard.json names (SHA-256 differs); the shard folder was altered",
            scenario_path.display()
        );
    }
    let scenario = load_str(&text, &scenario_path.display().to_string())?;
    let plan = first
        .manifest
        .comparison
        .as_ref()
        .map(|comparison| {
            ComparisonPlan::resolve(
                &scenario,
                &ComparisonRequest {
                    policies: Some(comparison.policies.clone()),
                    baseline: Some(comparison.baseline.clone()),
                    common_random_numbers: comparison.common_random_numbers,
                    min_difference: comparison.min_difference,
                },
            )
        })
        .transpose()?;
    let mut aggregates = Aggregates::new(&scenario);
    let mut comparison: Option<ComparisonAggregates> = None;
    for shard in &shards {
        let path = shard.folder.join("state.json");
        let file = File::open(&path).with_context(|| format!("reading '{}'", path.display()))?;
        let state: ShardState = serde_json::from_reader(BufReader::new(file))
            .with_context(|| format!("reading '{}': not a shard state", path.display()))?;
        let part = Aggregates::from_state(state.aggregates, &scenario)
            .with_context(|| format!("'{}'", path.display()))?;
        let expected = shard.manifest.run_range[1] - shard.manifest.run_range[0];
        if part.runs != expected {
            bail!(
                "'{}' holds {} runs where shard {}/{} has {expected}",
                path.display(),
                part.runs,
                shard.manifest.shard,
                shard.manifest.shards
            );
        }
        aggregates.merge(&part);
        match (state.comparison, &plan) {
            (Some(state), Some(_)) => {
                let part = ComparisonAggregates::from_state(state, &scenario)
                    .map_err(anyhow::Error::msg)
                    .with_context(|| format!("'{}'", path.display()))?;
                match &mut comparison {
                    None => comparison = Some(part),
                    Some(total) => total.merge(&part),
                }
            }
            (None, None) => {}
            _ => bail!(
                "'{}' does not match its shard.json (comparison state present or missing)",
                path.display()
            ),
        }
    }
    let pending = PendingOutput::exact(&request.out, request.force)?;
    let written = (|| -> anyhow::Result<_> {
        concatenate(&shards, "runs.csv", &pending.file("runs.csv"))?;
        match (&plan, &comparison) {
            (Some(plan), Some(comparison)) => {
                concatenate(
                    &shards,
                    "comparison_runs.csv",
                    &pending.file("comparison_runs.csv"),
                )?;
                Ok(Some(write_comparison_files(
                    &scenario,
                    plan,
                    &aggregates,
                    comparison,
                    &pending,
                )?))
            }
            _ => {
                write_summaries(&scenario, &aggregates, &pending)?;
                Ok(None)
            }
        }
    })();
    let set = match written {
        Ok(set) => set,
        Err(error) => {
            pending.abandon();
            return Err(error);
        }
    };
    let chart_options = super::report::chart_options(first.manifest.dpi)?;
    let started_utc = shards
        .iter()
        .map(|shard| shard.manifest.started_utc.clone())
        .min()
        .unwrap_or_else(|| clock.started_utc());
    let wall_seconds: f64 = shards.iter().map(|shard| shard.manifest.wall_seconds).sum();
    let threads = shards
        .iter()
        .map(|shard| shard.manifest.threads)
        .max()
        .unwrap_or(1);
    finish(ResultParts {
        scenario: &scenario,
        text: &text,
        label: first.manifest.scenario_path.clone(),
        plan: plan.as_ref(),
        runs: first.manifest.runs,
        complete: true,
        seed: first.manifest.seed,
        threads,
        started_utc,
        clock,
        wall_seconds: Some((wall_seconds * 1000.0).round() / 1000.0),
        command: first.manifest.command.clone(),
        exported: false,
        pending,
        chart_options,
        quiet: request.quiet,
        posterior: first.manifest.posterior.clone(),
        aggregates,
        comparison: set,
        precision: None,
    })
}
