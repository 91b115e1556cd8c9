//! `--shard i/N` on `run` and `compare`: one machine's part of a result, written as a shard
//! folder that `clustersim merge` combines with the others.
//!
//! Runs are grouped in blocks of [`BLOCK_RUNS`] run indices; with B blocks, shard i of N does
//! blocks `floor((i − 1)·B / N) .. floor(i·B / N)` ([`ShardPlan`]). A shard folder holds
//! `shard.json` (what was run and which part: [`ShardManifest`]), `scenario.json`, `state.json`
//! (the shard's aggregates, exactly: [`ShardState`]) and its rows of `runs.csv` (and, for a
//! comparison, of `comparison_runs.csv`). No charts or reports: those are drawn once, by merge.
//!
//! Without `--shard`, a Slurm array task (`SLURM_ARRAY_TASK_ID`, `SLURM_ARRAY_TASK_COUNT`,
//! optional `SLURM_ARRAY_TASK_MIN`) or a Kubernetes Indexed Job pod (`JOB_COMPLETION_INDEX`,
//! with the count from `--shards N`) selects the shard from its environment.

use std::path::Path;

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};

use super::clock::RunClock;
use super::compare::{ComparisonPlan, write_comparison_results};
use super::run::{Interrupted, RunOutcome, write_results};
use crate::engine::blocks::{BLOCK_RUNS, ShardPlan};
use crate::engine::comparison::ComparisonState;
use crate::engine::{AggregatesState, RunSettings};
use crate::report::{ComparisonManifest, PendingOutput, PosteriorManifest, sha256_hex};
use crate::scenario::Scenario;

/// `format` of every `shard.json`.
pub const SHARD_FORMAT: &str = "clustersim-shard";
/// Version of the shard folder layout; merge refuses any other.
pub const SHARD_FORMAT_VERSION: u32 = 2;

/// A shard and where it was taken from (for messages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectedShard {
    /// The shard.
    pub plan: ShardPlan,
    /// Where it came from, e.g. `--shard 2/4` or `SLURM_ARRAY_TASK_ID=3`.
    pub source: String,
}

/// Parses `i/N` (1 ≤ i ≤ N).
fn parse_shard(text: &str) -> anyhow::Result<ShardPlan> {
    let parsed = text.split_once('/').and_then(|(index, count)| {
        Some((
            index.trim().parse::<u64>().ok()?,
            count.trim().parse::<u64>().ok()?,
        ))
    });
    match parsed {
        Some((index, count)) if count >= 1 && (1..=count).contains(&index) => {
            Ok(ShardPlan { index, count })
        }
        _ => bail!(
            "--shard {text:?}: expected I/N with 1 ≤ I ≤ N, e.g. --shard 1/4 for the first of four shards"
        ),
    }
}

/// The shard a command runs: `--shard i/N`; else a Slurm array task's or a Kubernetes Indexed
/// Job's environment (read through `env`); else none (the whole result).
pub fn select(
    shard: Option<&str>,
    shards: Option<u64>,
    env: &dyn Fn(&str) -> Option<String>,
) -> anyhow::Result<Option<SelectedShard>> {
    if let Some(text) = shard {
        let plan = parse_shard(text)?;
        if let Some(count) = shards
            && count != plan.count
        {
            bail!("--shards {count} contradicts --shard {text}; give one of them");
        }
        return Ok(Some(SelectedShard {
            plan,
            source: format!("--shard {text}"),
        }));
    }
    let number = |name: &str| -> anyhow::Result<Option<u64>> {
        env(name)
            .map(|value| {
                value.trim().parse::<u64>().with_context(|| {
                    format!("{name}={value:?} is not a whole number (set by the scheduler?)")
                })
            })
            .transpose()
    };
    if let Some(id) = number("SLURM_ARRAY_TASK_ID")? {
        let count = number("SLURM_ARRAY_TASK_COUNT")?.context(
            "SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not; give --shard I/N",
        )?;
        let min = number("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
        if let Some(shards) = shards
            && shards != count
        {
            bail!(
                "--shards {shards} contradicts SLURM_ARRAY_TASK_COUNT={count}; drop --shards or submit an array of {shards} tasks"
            );
        }
        let index = id
            .checked_sub(min)
            .map(|offset| offset + 1)
            .filter(|index| count >= 1 && *index <= count)
            .with_context(|| {
                format!(
                    "SLURM_ARRAY_TASK_ID={id} with SLURM_ARRAY_TASK_MIN={min} and SLURM_ARRAY_TASK_COUNT={count} is not a shard of {count}: submit the array as --array={min}-{}",
                    min + count.saturating_sub(1)
                )
            })?;
        return Ok(Some(SelectedShard {
            plan: ShardPlan { index, count },
            source: format!(
                "SLURM_ARRAY_TASK_ID={id}, SLURM_ARRAY_TASK_MIN={min}, SLURM_ARRAY_TASK_COUNT={count}"
            ),
        }));
    }
    if let Some(completion) = number("JOB_COMPLETION_INDEX")? {
        let count = shards.context(
            "JOB_COMPLETION_INDEX is set (a Kubernetes Indexed Job) but --shards N is not: pass the Job's completions as --shards N",
        )?;
        if count == 0 || completion >= count {
            bail!(
                "JOB_COMPLETION_INDEX={completion} is not below --shards {count}: the Job's completions and --shards must agree"
            );
        }
        return Ok(Some(SelectedShard {
            plan: ShardPlan {
                index: completion + 1,
                count,
            },
            source: format!("JOB_COMPLETION_INDEX={completion}, --shards {count}"),
        }));
    }
    if let Some(count) = shards {
        bail!(
            "--shards {count} takes the shard index from JOB_COMPLETION_INDEX (Kubernetes) or SLURM_ARRAY_TASK_ID (Slurm), and neither is set; give --shard I/{count} instead"
        );
    }
    Ok(None)
}

/// `shard.json`: what a shard folder holds and what it is a part of.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardManifest {
    /// Always [`SHARD_FORMAT`].
    pub format: String,
    /// [`SHARD_FORMAT_VERSION`].
    pub format_version: u32,
    /// Always `clustersim`.
    pub tool: String,
    /// Tool version (merge refuses shards of another version).
    pub version: String,
    /// `run` or `compare`.
    pub command_kind: String,
    /// The command that reproduces the whole (merged) result on one machine.
    pub command: String,
    /// Scenario file as given (or the built-in baseline's label).
    pub scenario_path: String,
    /// Scenario name.
    pub scenario_name: String,
    /// SHA-256 of the scenario file's bytes.
    pub scenario_sha256: String,
    /// Master seed.
    pub seed: u64,
    /// Runs of the whole result.
    pub runs: u64,
    /// Chart resolution of the whole result.
    pub dpi: u32,
    /// Runs per block ([`BLOCK_RUNS`]).
    pub block_runs: u64,
    /// This shard's number, 1-based.
    pub shard: u64,
    /// Number of shards.
    pub shards: u64,
    /// Blocks done, `[first, end)`.
    pub blocks: [u64; 2],
    /// Run indices done, `[first, end)`.
    pub run_range: [u64; 2],
    /// For `compare`: the policies compared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comparison: Option<ComparisonManifest>,
    /// Worker threads of this shard.
    pub threads: usize,
    /// Start, UTC, RFC 3339.
    pub started_utc: String,
    /// End, UTC, RFC 3339.
    pub finished_utc: String,
    /// Wall-clock seconds of this shard.
    pub wall_seconds: f64,
    /// With `--posterior` (or the scenario's `posterior` field): the posterior the shard's
    /// calibrated inputs were drawn from; merge requires the same in every shard and records it
    /// in the merged manifest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub posterior: Option<PosteriorManifest>,
}

/// `state.json`: a shard's aggregates, exactly.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShardState {
    /// The (baseline policy's) aggregates.
    pub aggregates: AggregatesState,
    /// For `compare`: the comparison's aggregates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comparison: Option<ComparisonState>,
}

/// What a shard run needs.
pub(crate) struct ShardJob<'a> {
    pub scenario: &'a Scenario,
    pub text: &'a str,
    pub label: &'a str,
    pub plan: Option<&'a ComparisonPlan>,
    pub selected: SelectedShard,
    pub settings: RunSettings,
    pub command: String,
    pub dpi: u32,
    pub clock: RunClock,
    pub out: &'a Path,
    pub force: bool,
    pub quiet: bool,
}

/// Runs a shard's runs and writes its folder.
pub(crate) fn run_shard(job: ShardJob) -> anyhow::Result<RunOutcome> {
    let settings = job.settings;
    let shard = job.selected.plan;
    let blocks = shard.blocks(settings.runs);
    let range = shard.runs(settings.runs);
    eprintln!(
        "shard {}/{} (from {}): blocks {}..{} of {}, runs {}..{} of {}",
        shard.index,
        shard.count,
        job.selected.source,
        blocks.start,
        blocks.end,
        crate::engine::blocks::block_count(settings.runs),
        range.start,
        range.end,
        settings.runs
    );
    let pending = PendingOutput::exact(job.out, job.force)?;
    super::run::install_interrupt_handler();
    let result = match job.plan {
        None => write_results(
            job.scenario,
            settings,
            range.clone(),
            None,
            &pending,
            job.quiet,
            false,
        )
        .map(|(aggregates, _)| (aggregates, None)),
        Some(plan) => write_comparison_results(
            job.scenario,
            plan,
            settings,
            range.clone(),
            None,
            &pending,
            job.quiet,
            false,
        )
        .map(|(aggregates, comparison, _)| (aggregates, Some(comparison.aggregates))),
    };
    let (aggregates, comparison) = match result {
        Ok(done) => done,
        Err(error) => {
            pending.abandon();
            return Err(error);
        }
    };
    if aggregates.runs != range.end - range.start {
        pending.abandon();
        return Err(Interrupted {
            message: format!(
                "interrupted: shard {}/{} stopped after {} of its {} runs; nothing was written (run the shard again)",
                shard.index,
                shard.count,
                aggregates.runs,
                range.end - range.start
            ),
        }
        .into());
    }
    let manifest = ShardManifest {
        format: SHARD_FORMAT.into(),
        format_version: SHARD_FORMAT_VERSION,
        tool: "clustersim".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        command_kind: if job.plan.is_some() { "compare" } else { "run" }.into(),
        command: job.command,
        scenario_path: job.label.to_string(),
        scenario_name: job.scenario.name.clone(),
        scenario_sha256: sha256_hex(job.text.as_bytes()),
        seed: settings.seed,
        runs: settings.runs,
        dpi: job.dpi,
        block_runs: BLOCK_RUNS,
        shard: shard.index,
        shards: shard.count,
        blocks: [blocks.start, blocks.end],
        run_range: [range.start, range.end],
        comparison: job.plan.map(ComparisonPlan::manifest),
        threads: settings.threads,
        started_utc: job.clock.started_utc(),
        finished_utc: job.clock.finished_utc(),
        wall_seconds: job.clock.wall_seconds(),
        posterior: job
            .scenario
            .posterior
            .as_deref()
            .map(PosteriorManifest::new),
    };
    let state = ShardState {
        aggregates: aggregates.state(),
        comparison: comparison.as_ref().map(|c| c.state()),
    };
    let written = pending
        .write("scenario.json", job.text.as_bytes())
        .and_then(|()| {
            let json = serde_json::to_vec(&state).context("encoding the shard state")?;
            pending.write("state.json", &json)
        })
        .and_then(|()| {
            let json = serde_json::to_string_pretty(&manifest).context("encoding shard.json")?;
            pending.write("shard.json", format!("{json}\n").as_bytes())
        });
    if let Err(error) = written {
        pending.abandon();
        return Err(error);
    }
    let folder = pending.commit(true)?;
    if !job.quiet {
        super::print_stdout(&format!(
            "Shard {}/{} (runs {}..{} of {}) written to {}; merge all {} with `clustersim merge SHARD_DIRS… --out DIR`\n",
            shard.index,
            shard.count,
            range.start,
            range.end,
            settings.runs,
            folder.display(),
            shard.count
        ));
    }
    Ok(RunOutcome {
        folder,
        aggregates,
        comparison: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| {
            pairs
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.clone())
        }
    }

    fn plan(index: u64, count: u64) -> Option<ShardPlan> {
        Some(ShardPlan { index, count })
    }

    #[test]
    fn the_flag_wins_and_is_checked() {
        let slurm = env_of(&[
            ("SLURM_ARRAY_TASK_ID", "0"),
            ("SLURM_ARRAY_TASK_COUNT", "9"),
        ]);
        let selected = select(Some("2/3"), None, &slurm).unwrap().unwrap();
        assert_eq!(Some(selected.plan), plan(2, 3));
        assert_eq!(selected.source, "--shard 2/3");
        for bad in ["0/3", "4/3", "3", "a/b", "1/0"] {
            let error = select(Some(bad), None, &env_of(&[])).unwrap_err();
            assert!(error.to_string().contains("expected I/N"), "{bad}: {error}");
        }
        assert!(select(Some("1/3"), Some(4), &env_of(&[])).is_err());
        assert_eq!(select(None, None, &env_of(&[])).unwrap(), None);
    }

    #[test]
    fn slurm_array_tasks_are_shards() {
        let selected = select(
            None,
            None,
            &env_of(&[
                ("SLURM_ARRAY_TASK_ID", "7"),
                ("SLURM_ARRAY_TASK_MIN", "5"),
                ("SLURM_ARRAY_TASK_COUNT", "4"),
            ]),
        )
        .unwrap()
        .unwrap();
        assert_eq!(Some(selected.plan), plan(3, 4));
        assert!(selected.source.contains("SLURM_ARRAY_TASK_ID=7"));
        let zero_based = select(
            None,
            None,
            &env_of(&[
                ("SLURM_ARRAY_TASK_ID", "0"),
                ("SLURM_ARRAY_TASK_COUNT", "2"),
            ]),
        )
        .unwrap()
        .unwrap();
        assert_eq!(Some(zero_based.plan), plan(1, 2));
        for broken in [
            vec![
                ("SLURM_ARRAY_TASK_ID", "4"),
                ("SLURM_ARRAY_TASK_COUNT", "4"),
            ],
            vec![("SLURM_ARRAY_TASK_ID", "1")],
            vec![
                ("SLURM_ARRAY_TASK_ID", "x"),
                ("SLURM_ARRAY_TASK_COUNT", "4"),
            ],
        ] {
            assert!(select(None, None, &env_of(&broken)).is_err(), "{broken:?}");
        }
    }

    #[test]
    fn kubernetes_completion_indices_are_shards_with_a_count() {
        let env = env_of(&[("JOB_COMPLETION_INDEX", "0")]);
        let selected = select(None, Some(3), &env).unwrap().unwrap();
        assert_eq!(Some(selected.plan), plan(1, 3));
        assert!(selected.source.contains("JOB_COMPLETION_INDEX=0"));
        let error = select(None, None, &env).unwrap_err();
        assert!(error.to_string().contains("--shards N"));
        assert!(select(None, Some(3), &env_of(&[("JOB_COMPLETION_INDEX", "3")])).is_err());
        let error = select(None, Some(3), &env_of(&[])).unwrap_err();
        assert!(error.to_string().contains("--shard I/3"));
    }
}
