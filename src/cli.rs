//! Command-line types (clap). Parsing only; the commands live in [`crate::commands`].

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Default chart resolution, dots per inch (PNGs 1600 × 1000 px).
pub const DEFAULT_DPI: u32 = 160;

/// Monte Carlo simulator of cluster-support budget allocation and SME cooperation networks.
#[derive(Debug, Parser)]
#[command(name = "clustersim", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The verbs.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run Monte Carlo simulations of a scenario and write results.
    Run(RunArgs),
    /// Compare allocation policies on the same runs (common random numbers) and write results.
    Compare(CompareArgs),
    /// Which uncertain inputs drive the outcomes: Sobol' indices, Morris screening, tornado.
    Sensitivity(SensitivityArgs),
    /// Write job files that spread a run or comparison over a Slurm or Kubernetes cluster in
    /// shards, then merge them (docs/SCALE-OUT.md).
    Plan(PlanArgs),
    /// Check a scenario file and print the resolved plan.
    Validate {
        /// Scenario file (JSON).
        scenario: PathBuf,
    },
    /// Re-render charts and reports of a result folder from its saved files (no re-run).
    Report {
        /// A result folder written by `clustersim run` or `compare`, or a calibration folder
        /// (posterior.csv, fit.csv, generations.csv and scenario.json).
        results: PathBuf,
        /// Chart resolution: PNGs are 10 × 6.25 inches at this many dots per inch (160 → 1600 × 1000 px).
        #[arg(long, default_value_t = DEFAULT_DPI)]
        dpi: u32,
    },
    /// Merge shard folders (from `run`/`compare` with --shard I/N) into the result folder one
    /// machine would have written, byte for byte.
    Merge {
        /// Every shard folder of the result, in any order.
        #[arg(required = true, value_name = "SHARD_DIRS")]
        shards: Vec<PathBuf>,
        /// The result folder to write.
        #[arg(long)]
        out: PathBuf,
        /// Replace an earlier clustersim result in --out (never a folder of other files).
        #[arg(long)]
        force: bool,
        /// No summary table.
        #[arg(long)]
        quiet: bool,
    },
    /// Condition the scenario's uncertain inputs on observations (ABC-SMC) and write the
    /// posterior and the fit per target.
    Calibrate(CalibrateArgs),
    /// Print the JSON Schema of scenario files (or of targets files, with --targets).
    Schema {
        /// Print the schema of calibration targets files instead.
        #[arg(long)]
        targets: bool,
    },
    /// Write a starter scenario file.
    Init {
        /// Where to write it.
        path: PathBuf,
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
        /// Currency of the starter's money values: LTL (the baseline as it is) or EUR (converted
        /// at 3.4528 LTL/EUR and marked as needing local values).
        #[arg(long, default_value = "LTL")]
        currency: String,
    },
}

/// Default particles per generation of `calibrate`.
pub const DEFAULT_PARTICLES: usize = 400;
/// Default generations of `calibrate` (after the prior).
pub const DEFAULT_GENERATIONS: usize = 8;
/// Default most rounds of moves per generation of `calibrate`.
pub const DEFAULT_MAX_MOVES: usize = 8;
/// Default tolerance quantile of `calibrate`.
pub const DEFAULT_QUANTILE: f64 = 0.5;

/// Options of `calibrate`.
#[derive(Debug, Args)]
pub struct CalibrateArgs {
    /// Scenario file (JSON); the built-in Lithuanian 2007–2013 baseline (with its shipped
    /// targets) if omitted.
    pub scenario: Option<PathBuf>,
    /// Targets file (JSON; `clustersim schema --targets`) [default: the scenario's observations
    /// inside the run, each with a standard deviation of 25% of the count; for the built-in
    /// baseline, its shipped targets].
    #[arg(long)]
    pub targets: Option<PathBuf>,
    /// Particles per generation.
    #[arg(long, default_value_t = DEFAULT_PARTICLES)]
    pub particles: usize,
    /// Generations after the first (which draws from the prior); each shrinks the tolerance.
    #[arg(long, default_value_t = DEFAULT_GENERATIONS)]
    pub generations: usize,
    /// Quantile of the previous generation's distances that sets the next tolerance, in (0, 1).
    #[arg(long, default_value_t = DEFAULT_QUANTILE)]
    pub quantile: f64,
    /// Most rounds of MCMC moves per particle and generation (the number is set from the first
    /// round's acceptance rate so that about 99% of particles move).
    #[arg(long, default_value_t = DEFAULT_MAX_MOVES)]
    pub max_moves: usize,
    /// Master seed [default: the scenario's simulation.seed].
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads [default: all cores].
    #[arg(long)]
    pub threads: Option<usize>,
    /// Write results exactly into this folder [default:
    /// output/<scenario>/calibrate-<UTC time>/].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace an earlier clustersim result in --out (never a folder of other files).
    #[arg(long, requires = "out")]
    pub force: bool,
    /// No progress bar and no summary tables (misfits are still listed on stderr).
    #[arg(long)]
    pub quiet: bool,
}

/// Options of `run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario file (JSON); the built-in Lithuanian 2007–2013 baseline if omitted.
    pub scenario: Option<PathBuf>,
    /// Number of Monte Carlo runs [default: the scenario's simulation.runs].
    #[arg(long)]
    pub runs: Option<u64>,
    /// Run in batches of 256 until the relative standard error (se / |mean|) of every headline
    /// mean is at most REL (e.g. 0.01); the result equals `--runs N` with the final N.
    #[arg(long, value_name = "REL", conflicts_with = "runs")]
    pub until_se: Option<f64>,
    /// With --until-se: the most runs to do [default: 100000].
    #[arg(long, value_name = "N", requires = "until_se")]
    pub max_runs: Option<u64>,
    /// Master seed [default: the scenario's simulation.seed].
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads [default: all cores].
    #[arg(long)]
    pub threads: Option<usize>,
    /// Write results exactly into this folder [default: output/<scenario>/<UTC time>/, or
    /// output/<scenario>/compare-<UTC time>/ for compare].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace an earlier clustersim result in --out (never a folder of other files).
    #[arg(long, requires = "out")]
    pub force: bool,
    /// No progress bar and no summary table.
    #[arg(long)]
    pub quiet: bool,
    /// Chart resolution: PNGs are 10 × 6.25 inches at this many dots per inch (160 → 1600 × 1000 px).
    #[arg(long, default_value_t = DEFAULT_DPI)]
    pub dpi: u32,
    /// Also write the cooperation networks of selected runs for Gephi: `median` (the run at the
    /// median of networked SMEs at the horizon) and/or run indices, comma-separated. Each selected
    /// run is simulated again and written as networks/run-<i>.gexf (dynamic: every member and
    /// tie with its quarters) and networks/run-<i>.graphml (the networks at the horizon).
    /// `run` only.
    #[arg(long, value_name = "RUNS")]
    pub export_network: Option<String>,
    /// Go ahead with a run whose estimated memory or disk exceeds the limits (16 GiB, 20 GiB).
    #[arg(long)]
    pub allow_large: bool,
    /// Do only shard I of N (1-based) and write a shard folder to --out for `clustersim merge`.
    /// Runs are grouped in blocks of 256 run indices; with B = ceil(runs / 256) blocks, shard I
    /// does blocks floor((I − 1)·B / N) .. floor(I·B / N). Without it, a Slurm array task
    /// (SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN + 1 of SLURM_ARRAY_TASK_COUNT) or a Kubernetes
    /// Indexed Job pod (JOB_COMPLETION_INDEX + 1 of --shards N) is a shard.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// The number of shards, for a Kubernetes Indexed Job (the shard is JOB_COMPLETION_INDEX + 1).
    #[arg(long, value_name = "N")]
    pub shards: Option<u64>,

    /// Draw the calibrated inputs from the weighted posterior in this calibration folder (its
    /// posterior.csv, written by `clustersim calibrate`) instead of their priors: run i takes
    /// one particle, picked by weight [default: the scenario's `posterior` field, if any].
    #[arg(long, value_name = "DIR")]
    pub posterior: Option<PathBuf>,
}

/// Whether policies share their random numbers in `compare`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Switch {
    /// On.
    On,
    /// Off.
    Off,
}

/// Options of `compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Policies to compare, comma-separated: rule kinds (equal, by_members, by_potential,
    /// competitive, performance, fixed: the scenario's policy with that rule) or names of the
    /// scenario's policy_variants [default: the scenario's policy, then every variant].
    #[arg(long, value_delimiter = ',')]
    pub policies: Option<Vec<String>>,
    /// The policy the others are compared with [default: the first policy].
    #[arg(long)]
    pub baseline: Option<String>,
    /// Common random numbers: every policy faces the same parameter draws and random events in
    /// run i. `off` gives each policy its own seed (to show what CRN gains).
    #[arg(long, value_enum, default_value_t = Switch::On)]
    pub crn: Switch,
    /// The smallest gain in networked SMEs at the horizon that the verdict counts as a practical
    /// difference: a percentage of the baseline policy's mean (`1%`) or a number of SMEs (`5`).
    #[arg(long, default_value = "1%")]
    pub min_difference: crate::report::verdict::MinDifference,
    /// Scenario, runs, seed, threads, output and chart options, as for `run`.
    #[command(flatten)]
    pub run: RunArgs,
}

/// Default rows of the Saltelli design of `sensitivity`.
pub const DEFAULT_SAMPLES: usize = 2048;
/// Default Morris trajectories of `sensitivity`.
pub const DEFAULT_TRAJECTORIES: usize = 20;
/// Default tornado replications of `sensitivity`.
pub const DEFAULT_REPLICATIONS: usize = 20;

/// Options of `sensitivity`.
#[derive(Debug, Args)]
pub struct SensitivityArgs {
    /// Scenario file (JSON); the built-in Lithuanian 2007–2013 baseline if omitted.
    pub scenario: Option<PathBuf>,
    /// Rows N of the Sobol' design, a power of two: the model runs N × (inputs + 3) times for
    /// the Sobol' indices (more rows, narrower intervals).
    #[arg(long, default_value_t = DEFAULT_SAMPLES)]
    pub samples: usize,
    /// Morris trajectories: (inputs + 1) runs each.
    #[arg(long, default_value_t = DEFAULT_TRAJECTORIES)]
    pub trajectories: usize,
    /// Tornado replications: (2 × inputs + 1) runs each, averaged on common random numbers.
    #[arg(long, default_value_t = DEFAULT_REPLICATIONS)]
    pub replications: usize,
    /// One or two policies (rule kinds or variant names, as for `compare`); with two, a, b, the
    /// paired difference b − a on common random numbers is analysed too [default: the
    /// scenario's policy].
    #[arg(long, value_delimiter = ',')]
    pub policies: Option<Vec<String>>,
    /// Master seed [default: the scenario's simulation.seed].
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads [default: all cores].
    #[arg(long)]
    pub threads: Option<usize>,
    /// Write results exactly into this folder [default:
    /// output/<scenario>/sensitivity-<UTC time>/].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace an earlier clustersim result in --out (never a folder of other files).
    #[arg(long, requires = "out")]
    pub force: bool,
    /// No progress bar and no summary table.
    #[arg(long)]
    pub quiet: bool,
    /// Chart resolution: PNGs are 10 × 6.25 inches at this many dots per inch (160 → 1600 × 1000 px).
    #[arg(long, default_value_t = DEFAULT_DPI)]
    pub dpi: u32,
}

/// Options of `plan`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("scheduler").required(true).args(["slurm", "k8s"])))]
pub struct PlanArgs {
    /// Scenario file (JSON), copied into the plan so that every shard reads the same bytes; the
    /// built-in Lithuanian 2007–2013 baseline if omitted; `-` reads standard input.
    pub scenario: Option<PathBuf>,
    /// Total Monte Carlo runs over all shards [default: the scenario's simulation.runs].
    #[arg(long)]
    pub runs: Option<u64>,
    /// Number of shards: Slurm array tasks or Kubernetes completions.
    #[arg(long)]
    pub shards: u64,
    /// Master seed [default: the scenario's simulation.seed].
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads of each shard (the CPUs each task requests); the result is the same for
    /// any number.
    #[arg(long, default_value_t = 1)]
    pub threads: usize,
    /// Plan `clustersim compare` instead of `run`.
    #[arg(long)]
    pub compare: bool,
    /// With --compare: the policies, as for `compare` [default: the scenario's policy, then
    /// every variant].
    #[arg(long, value_delimiter = ',', requires = "compare")]
    pub policies: Option<Vec<String>>,
    /// With --compare: the policy the others are compared with [default: the first].
    #[arg(long, requires = "compare")]
    pub baseline: Option<String>,
    /// With --compare: common random numbers.
    #[arg(long, value_enum, default_value_t = Switch::On, requires = "compare")]
    pub crn: Switch,
    /// With --compare: the smallest practical difference, as for `compare`.
    #[arg(long, default_value = "1%", requires = "compare")]
    pub min_difference: crate::report::verdict::MinDifference,
    /// Write Slurm job files (an sbatch job array, a merge job, submit.sh) into this folder,
    /// which must be on the file system the nodes share.
    #[arg(long, value_name = "DIR")]
    pub slurm: Option<PathBuf>,
    /// Write Kubernetes manifests (an Indexed Job, a merge Job, submit.sh) into this folder.
    #[arg(long, value_name = "DIR")]
    pub k8s: Option<PathBuf>,
    /// The clustersim binary as the jobs call it [default: Slurm: this binary's absolute path;
    /// Kubernetes: clustersim, found on the image's PATH].
    #[arg(long)]
    pub binary: Option<String>,
    /// The shared folder for shards/, result/ (and logs/ on Slurm) as the jobs see it
    /// [default: Slurm: the plan folder; Kubernetes: /work, where the volume is mounted].
    #[arg(long)]
    pub workdir: Option<PathBuf>,
    /// Job name prefix: jobs are NAME-shards and NAME-merge [default: from the scenario's name].
    #[arg(long)]
    pub name: Option<String>,
    /// Slurm: an extra #SBATCH option for both jobs, e.g. --sbatch-option=--partition=short
    /// (repeatable).
    #[arg(
        long,
        value_name = "OPTION",
        requires = "slurm",
        allow_hyphen_values = true
    )]
    pub sbatch_option: Vec<String>,
    /// Kubernetes: the container image holding clustersim and /bin/sh [default:
    /// clustersim:<this version>].
    #[arg(long)]
    pub image: Option<String>,
    /// Kubernetes: the PersistentVolumeClaim of the shared volume (ReadWriteMany) [default:
    /// clustersim-work].
    #[arg(long)]
    pub pvc: Option<String>,
    /// Kubernetes: shards running at once [default: all of them].
    #[arg(long)]
    pub parallelism: Option<u64>,
    /// Draw the calibrated inputs from the weighted posterior in this calibration folder, as
    /// `run --posterior` does; its posterior.csv (and manifest.json) are copied into the plan
    /// and every shard reads the copy [default: the scenario's `posterior` field, if any,
    /// relative to the scenario file].
    #[arg(long, value_name = "DIR")]
    pub posterior: Option<PathBuf>,
    /// Overwrite job files an earlier plan wrote into the folder.
    #[arg(long)]
    pub force: bool,
}
