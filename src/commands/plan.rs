//! `clustersim plan [SCENARIO] --runs R --shards N (--slurm DIR | --k8s DIR)`: job files that run
//! the shards of a `run` or `compare` on a Slurm or Kubernetes cluster and merge them
//! (docs/SCALE-OUT.md). The command line is checked into a [`JobPlan`] first; the job files
//! are then written together, atomically, into the plan folder.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use super::clock::SOURCE_DATE_EPOCH;
use super::compare::{ComparisonPlan, ComparisonRequest};
use super::run::load_scenario;
use crate::cli::{PlanArgs, Switch};
use crate::engine::blocks::{BLOCK_RUNS, ShardPlan, block_count};
use crate::report::file_set::{FileToWrite, write_file_set};
use crate::report::sha256_hex;
use crate::scaleout::kubernetes::{self, KubernetesOptions};
use crate::scaleout::quote::{control_character, shell_quote};
use crate::scaleout::slurm::{self, SlurmOptions};
use crate::scaleout::{JobFile, JobPlan, PlanPosterior, check_name, default_name};
use crate::scenario::plan::MAX_RUNS;
use crate::scenario::{POSTERIOR_FILE, Posterior, Scenario, posterior_folder};

/// The copy of the scenario in the plan folder.
pub const SCENARIO_FILE: &str = "scenario.json";

/// The copy of the calibration's manifest beside the posterior (`Posterior::read` reads the
/// calibrated scenario's hash from it).
pub const CALIBRATION_MANIFEST: &str = "manifest.json";

/// The PersistentVolumeClaim of the shared volume unless `--pvc` says otherwise.
pub const DEFAULT_CLAIM: &str = "clustersim-work";

/// Where Kubernetes mounts the shared volume unless `--workdir` says otherwise.
pub const DEFAULT_KUBERNETES_WORKDIR: &str = "/work";

/// What `plan` wrote.
#[derive(Debug)]
pub struct PlanOutcome {
    /// The plan folder.
    pub folder: PathBuf,
    /// The checked plan.
    pub plan: JobPlan,
    /// The files written, with what each is.
    pub files: Vec<(PathBuf, &'static str)>,
    /// The scheduler: "Slurm" or "Kubernetes".
    pub scheduler: &'static str,
    /// The scenario as the jobs read it (`None`: the built-in baseline).
    pub scenario_path: Option<String>,
}

impl PlanOutcome {
    /// What `plan` prints: the files and how to submit them.
    pub fn summary(&self) -> String {
        let mut text = format!(
            "wrote a {} plan: {} shards of `{}` into {}\n",
            self.scheduler,
            self.plan.shards,
            self.plan.one_machine_command(self.scenario_path.as_deref()),
            self.folder.display()
        );
        let sizes = (1..=self.plan.shards).map(|index| {
            let runs = ShardPlan {
                index,
                count: self.plan.shards,
            }
            .runs(self.plan.runs);
            runs.end - runs.start
        });
        let (fewest, most) = sizes.fold((u64::MAX, 0), |(low, high), size| {
            (low.min(size), high.max(size))
        });
        text.push_str(&if fewest == most {
            format!("each shard does {most} runs\n")
        } else {
            format!("each shard does {fewest} to {most} runs (whole blocks of {BLOCK_RUNS})\n")
        });
        if let Some(epoch) = self.plan.source_date_epoch {
            text.push_str(&format!(
                "the jobs record the time {SOURCE_DATE_EPOCH}={epoch}, as a one-machine run with it set does\n"
            ));
        }
        for (path, description) in &self.files {
            text.push_str(&format!("  {}  {description}\n", path.display()));
        }
        text.push_str(&format!(
            "submit with: bash {}\nshards go to {}/shards/shard-<i>, the merged result to {}\n",
            shell_quote(&self.folder.join("submit.sh").display().to_string()),
            self.plan.workdir,
            self.plan.result_folder()
        ));
        text
    }
}

/// Checks the command line and writes the job files.
pub fn plan(args: &PlanArgs) -> anyhow::Result<PlanOutcome> {
    let (folder, scheduler) = match (&args.slurm, &args.k8s) {
        (Some(folder), None) => (folder, "Slurm"),
        (None, Some(folder)) => (folder, "Kubernetes"),
        _ => bail!("give exactly one of --slurm DIR and --k8s DIR"),
    };
    let folder = std::path::absolute(folder)
        .with_context(|| format!("resolving the plan folder '{}'", folder.display()))?;
    check_scheduler_options(args, scheduler == "Slurm")?;
    let plan = check(args, &folder, scheduler == "Slurm")?;
    let scenario_path = match (&plan.scenario_text, scheduler) {
        (None, _) => None,
        (Some(_), "Slurm") => Some(path_text(&folder.join(SCENARIO_FILE), "the plan folder")?),
        (Some(_), _) => Some(kubernetes::SCENARIO_PATH.to_string()),
    };
    let job_files = if scheduler == "Slurm" {
        for option in &args.sbatch_option {
            slurm::check_sbatch_option(option).map_err(anyhow::Error::msg)?;
        }
        slurm::job_files(
            &plan,
            &SlurmOptions {
                sbatch_options: args.sbatch_option.clone(),
                scenario_path: scenario_path.clone(),
            },
        )
    } else {
        let image = args
            .image
            .clone()
            .unwrap_or_else(|| format!("clustersim:{}", env!("CARGO_PKG_VERSION")));
        kubernetes::check_image(&image).map_err(anyhow::Error::msg)?;
        let claim = args.pvc.clone().unwrap_or_else(|| DEFAULT_CLAIM.into());
        kubernetes::check_claim(&claim).map_err(anyhow::Error::msg)?;
        let parallelism = args.parallelism.unwrap_or(plan.shards);
        if parallelism == 0 {
            bail!("--parallelism must be at least 1");
        }
        kubernetes::job_files(
            &plan,
            &KubernetesOptions {
                image,
                claim,
                parallelism: parallelism.min(plan.shards),
            },
        )
    }
    .map_err(anyhow::Error::msg)?;
    let mut files: Vec<FileToWrite<'_>> = Vec::with_capacity(job_files.len() + 1);
    let mut descriptions = Vec::with_capacity(job_files.len() + 3);
    if let Some(text) = &plan.scenario_text {
        files.push(FileToWrite {
            name: SCENARIO_FILE,
            contents: text.as_bytes(),
            executable: false,
        });
        descriptions.push("the scenario every shard reads");
    }
    // A Kubernetes plan carries the posterior in the ConfigMap of shards.yaml instead.
    if let (Some(posterior), "Slurm") = (&plan.posterior, scheduler) {
        files.push(FileToWrite {
            name: POSTERIOR_FILE,
            contents: posterior.csv.as_bytes(),
            executable: false,
        });
        descriptions.push("the posterior every shard draws the calibrated inputs from");
        if let Some(manifest) = &posterior.manifest {
            files.push(FileToWrite {
                name: CALIBRATION_MANIFEST,
                contents: manifest.as_bytes(),
                executable: false,
            });
            descriptions.push("the calibration's manifest (the scenario it calibrated)");
        }
    }
    files.extend(job_files.iter().map(|file: &JobFile| FileToWrite {
        name: file.name,
        contents: file.contents.as_bytes(),
        executable: file.executable,
    }));
    descriptions.extend(job_files.iter().map(|file| file.description));
    let written = write_file_set(&folder, &files, args.force)?;
    Ok(PlanOutcome {
        files: written.into_iter().zip(descriptions).collect(),
        folder,
        plan,
        scheduler,
        scenario_path,
    })
}

/// Refuses the options of the other scheduler, which would be silently ignored.
fn check_scheduler_options(args: &PlanArgs, slurm: bool) -> anyhow::Result<()> {
    let kubernetes_only = [
        ("--image", args.image.is_some()),
        ("--pvc", args.pvc.is_some()),
        ("--parallelism", args.parallelism.is_some()),
    ];
    if slurm {
        if let Some((option, _)) = kubernetes_only.iter().find(|(_, given)| *given) {
            bail!(
                "{option} applies to Kubernetes plans only (--k8s DIR); a Slurm plan has no use for it"
            );
        }
    } else if !args.sbatch_option.is_empty() {
        bail!(
            "--sbatch-option applies to Slurm plans only (--slurm DIR); edit the manifests for Kubernetes settings"
        );
    }
    Ok(())
}

/// Arguments → checked plan: the scenario loaded and checked, runs, seed and policies resolved as
/// `run`/`compare` would resolve them, names and paths checked.
fn check(args: &PlanArgs, folder: &Path, slurm: bool) -> anyhow::Result<JobPlan> {
    let (scenario, text, label) = load_scenario(args.scenario.as_deref())?;
    super::print_warnings(&scenario, &label);
    let runs = args.runs.unwrap_or(scenario.runs);
    if runs == 0 || runs > MAX_RUNS {
        bail!("--runs must be between 1 and {MAX_RUNS} (got {runs})");
    }
    let blocks = block_count(runs);
    if args.shards == 0 || args.shards > blocks {
        bail!(
            "--shards must be between 1 and {blocks} (got {}): shards are made of blocks of {BLOCK_RUNS} runs, and {runs} runs make {blocks}; plan fewer shards or more runs",
            args.shards
        );
    }
    if args.threads == 0 {
        bail!("--threads must be at least 1");
    }
    let compare_options = if args.compare {
        let request = ComparisonRequest {
            policies: args.policies.clone(),
            baseline: args.baseline.clone(),
            common_random_numbers: args.crn == Switch::On,
            min_difference: args.min_difference,
        };
        Some(ComparisonPlan::resolve(&scenario, &request)?.command_options(shell_quote))
    } else {
        None
    };
    let name = match &args.name {
        Some(name) => {
            check_name(name).map_err(anyhow::Error::msg)?;
            name.clone()
        }
        None => default_name(&scenario.name),
    };
    let binary = match &args.binary {
        Some(binary) => binary.clone(),
        None if slurm => std::env::current_exe()
            .ok()
            .and_then(|path| path.to_str().map(String::from))
            .unwrap_or_else(|| "clustersim".into()),
        None => "clustersim".into(),
    };
    if binary.is_empty() {
        bail!("--binary is empty; give the clustersim binary's path as the jobs see it");
    }
    if let Some(character) = control_character(&binary) {
        bail!(
            "--binary holds the control character {:?}; give a path without one",
            character
        );
    }
    let workdir = match (&args.workdir, slurm) {
        (Some(workdir), true) => std::path::absolute(workdir)
            .with_context(|| format!("resolving --workdir '{}'", workdir.display()))?,
        (Some(workdir), false) => {
            if !workdir.is_absolute() {
                bail!(
                    "--workdir '{}' must be an absolute path: where the containers mount the shared volume, e.g. /work",
                    workdir.display()
                );
            }
            workdir.clone()
        }
        (None, true) => folder.to_path_buf(),
        (None, false) => PathBuf::from(DEFAULT_KUBERNETES_WORKDIR),
    };
    let workdir = path_text(&workdir, "--workdir")?;
    let posterior = plan_posterior(args, &scenario, &text, folder, slurm)?;
    Ok(JobPlan {
        name,
        scenario_text: args.scenario.is_some().then_some(text),
        scenario_name: scenario.name.clone(),
        runs,
        seed: args.seed.unwrap_or(scenario.seed),
        shards: args.shards,
        threads: args.threads,
        compare_options,
        binary,
        workdir,
        source_date_epoch: source_date_epoch()?,
        posterior,
    })
}

/// The posterior that `--posterior` or the scenario's `posterior` field names, if any: read and
/// checked against the scenario as `run --posterior` would (its warnings printed now), then
/// carried into the plan, beside the scenario, where every shard reads it (a relative
/// `posterior` field would otherwise point away from the plan's copy of the scenario).
fn plan_posterior(
    args: &PlanArgs,
    scenario: &Scenario,
    text: &str,
    folder: &Path,
    slurm: bool,
) -> anyhow::Result<Option<PlanPosterior>> {
    let Some(source) = posterior_folder(
        args.posterior.as_deref(),
        scenario,
        args.scenario.as_deref(),
    ) else {
        return Ok(None);
    };
    let (_, warnings) = Posterior::read(&source, scenario, &sha256_hex(text.as_bytes()))?;
    for warning in warnings {
        eprintln!("{warning}");
    }
    let csv_path = source.join(POSTERIOR_FILE);
    let csv = std::fs::read_to_string(&csv_path)
        .with_context(|| format!("copying '{}' into the plan", csv_path.display()))?;
    // As `Posterior::read`: a calibration folder without a readable manifest is still usable.
    let manifest = std::fs::read_to_string(source.join(CALIBRATION_MANIFEST)).ok();
    let folder = if slurm {
        path_text(folder, "the plan folder")?
    } else {
        kubernetes::SCENARIO_MOUNT.to_string()
    };
    Ok(Some(PlanPosterior {
        csv,
        manifest,
        folder,
    }))
}

/// `SOURCE_DATE_EPOCH` from the environment of `plan`, if set: the job files pin the times the
/// shards and the merge record to it, as `run` does on one machine.
fn source_date_epoch() -> anyhow::Result<Option<i64>> {
    match std::env::var(SOURCE_DATE_EPOCH) {
        Ok(text) => text.trim().parse::<i64>().map(Some).map_err(|_| {
            anyhow::anyhow!(
                "{SOURCE_DATE_EPOCH}={text:?} is not a time in seconds since 1970 (e.g. 1700000000); unset it to let the jobs record the real time"
            )
        }),
        Err(_) => Ok(None),
    }
}

/// A path as text for a job file, without a trailing `/`: refused if it is not valid UTF-8 or
/// holds a control character (a line break would end a line of the job files).
fn path_text(path: &Path, what: &str) -> anyhow::Result<String> {
    let Some(text) = path.to_str() else {
        bail!(
            "{what} '{}' is not valid UTF-8; choose a path the job files can hold",
            path.display()
        );
    };
    if let Some(character) = control_character(text) {
        bail!(
            "{what} '{}' holds the control character {character:?}; choose a path without one",
            text.escape_debug()
        );
    }
    let trimmed = text.trim_end_matches('/');
    Ok(if trimmed.is_empty() { "/" } else { trimmed }.to_string())
}
