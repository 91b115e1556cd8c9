//! Mutation fuzzer for scenario loading and validation.
//!
//! Analysts edit scenario files by hand, so `clustersim` must answer every file with a scenario or
//! an error, never a panic. This fuzzer is self-contained (no nightly toolchain, no cargo-fuzz):
//! it starts from every `.json` file under `scenarios/` and `tests/data/`, mutates them at the
//! text level (bytes, tokens, extreme numbers, deep nesting, long strings, invalid UTF-8, BOMs)
//! and at the structure level (parse as JSON, change values, keys and arrays, serialize again),
//! and feeds each input to [`clustersim::scenario::load_str`] (or to
//! [`clustersim::scenario::load_path`] when the bytes are not UTF-8). Any panic is a crash.
//! Inputs that load are also simulated briefly when they are small enough, and the run's outputs
//! and the model's invariants are checked. docs/FUZZING.md describes how to run it.
//!
//! ```text
//! cargo run --release --example fuzz_scenarios -- --seconds 600 --seed 1
//! ```
//!
//! The logic lives in public functions so that `tests/fuzz_regressions.rs` can include this file
//! as a module and run a short smoke fuzz with every `cargo test`.

use std::backtrace::Backtrace;
use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::fs;
use std::panic::{self, AssertUnwindSafe, PanicHookInfo};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Parser;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use clustersim::engine::outcomes::{CLUSTER_OUTCOMES, HEADLINE_OUTCOMES, TOTAL_OUTCOMES};
use clustersim::engine::{RunRecord, simulate_run};
use clustersim::model::{Simulation, draw_parameters};
use clustersim::policy::{AllocationRule, rule_for};
use clustersim::scenario::{ParameterSlot, Scenario, ScenarioError, load_path, load_str};

/// Largest input the mutators produce, bytes (a quarter of the loader's 16 MiB file limit).
const MAX_INPUT_BYTES: usize = 4 << 20;
/// Largest input kept in the corpus, bytes; bigger ones are tried but not mutated further.
const MAX_CORPUS_ENTRY_BYTES: usize = 256 << 10;
/// Inputs kept in the corpus besides the seed files.
const MAX_GROWN_ENTRIES: usize = 500;
/// Runs simulated for each scenario that loads and is small enough.
const MODEL_RUNS: u64 = 2;
/// Scenarios with more firms, quarters or clusters than these are loaded but not simulated.
pub const MAX_MODEL_FIRMS: u64 = 200_000;
/// See [`MAX_MODEL_FIRMS`].
pub const MAX_MODEL_QUARTERS: usize = 200;
/// See [`MAX_MODEL_FIRMS`].
pub const MAX_MODEL_CLUSTERS: usize = 200;
/// An execution slower than this is a finding (a load takes milliseconds; see
/// [`MAX_MODEL_WORK`] for the runs).
const SLOW_EXECUTION: Duration = Duration::from_secs(10);
/// Upper bound on the model's work (firm-quarters plus tie attempts) for a scenario to be
/// simulated: extreme tie rates make even a small scenario take minutes per run.
pub const MAX_MODEL_WORK: f64 = 2e7;

// ---------------------------------------------------------------------------
// Command line
// ---------------------------------------------------------------------------

/// Mutation fuzzer for clustersim scenario loading and validation.
#[derive(Debug, Parser)]
#[command(name = "fuzz_scenarios")]
pub struct Args {
    /// How long to fuzz, in seconds.
    #[arg(long, default_value_t = 60)]
    pub seconds: u64,
    /// Seed of the mutation stream: the same seed tries the same inputs in the same order.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Folders whose `.json` files (recursively) seed the corpus [default: scenarios/ and
    /// tests/data/].
    #[arg(long, num_args = 1.., value_name = "DIR")]
    pub corpus: Vec<PathBuf>,
    /// Stop after this many executions, even if time is left.
    #[arg(long)]
    pub executions: Option<u64>,
    /// Folder where crashing inputs are saved.
    #[arg(long, value_name = "DIR", default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/fuzz"))]
    pub crash_dir: PathBuf,
    /// Seconds one execution may take before the fuzzer saves it as a hang and exits.
    #[arg(long, default_value_t = 120)]
    pub hang_seconds: u64,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let corpus_dirs = if args.corpus.is_empty() {
        default_corpus_dirs()
    } else {
        args.corpus.clone()
    };
    let seeds = match load_corpus(&corpus_dirs) {
        Ok(seeds) if !seeds.is_empty() => seeds,
        Ok(_) => {
            eprintln!("error: no .json files under {corpus_dirs:?}");
            return ExitCode::from(2);
        }
        Err(error) => {
            eprintln!("error: {error:#}");
            return ExitCode::from(2);
        }
    };
    let config = FuzzConfig {
        seed: args.seed,
        time_limit: Some(Duration::from_secs(args.seconds)),
        max_executions: args.executions,
        crash_dir: Some(args.crash_dir.clone()),
        hang_timeout: Some(Duration::from_secs(args.hang_seconds)),
        in_flight: Some(std::env::temp_dir().join(format!(
            "clustersim-fuzz-in-flight-{}.bin",
            std::process::id()
        ))),
        progress_every: Duration::from_secs(60),
    };
    eprintln!(
        "fuzzing scenario loading: {} seed inputs, seed {}, {} s; crashes go to {}",
        seeds.len(),
        args.seed,
        args.seconds,
        args.crash_dir.display()
    );
    if let Some(in_flight) = &config.in_flight {
        eprintln!(
            "if the fuzzer dies without a report, the input it was trying is {}",
            in_flight.display()
        );
    }
    let summary = match fuzz(&config, seeds, &mut |summary| {
        eprintln!("progress: {}", summary.line());
    }) {
        Ok(summary) => summary,
        Err(error) => {
            eprintln!("error: {error:#}");
            return ExitCode::from(2);
        }
    };
    if let Some(in_flight) = &config.in_flight {
        // Best effort: the file only matters if the process dies.
        let _ = fs::remove_file(in_flight);
    }
    for finding in &summary.findings {
        println!("{}\n", finding.report());
    }
    println!("{}", summary.line());
    if summary.findings.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// `scenarios/` and `tests/data/` of this crate.
pub fn default_corpus_dirs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    vec![root.join("scenarios"), root.join("tests/data")]
}

/// Every `.json` file under `dirs` (recursively), in path order, so a seed always starts from
/// the same corpus.
pub fn load_corpus(dirs: &[PathBuf]) -> anyhow::Result<Vec<Vec<u8>>> {
    let mut paths = Vec::new();
    let mut pending: Vec<PathBuf> = dirs.to_vec();
    while let Some(dir) = pending.pop() {
        let entries =
            fs::read_dir(&dir).with_context(|| format!("reading folder '{}'", dir.display()))?;
        for entry in entries {
            let path = entry
                .with_context(|| format!("reading folder '{}'", dir.display()))?
                .path();
            if path.is_dir() {
                pending.push(path);
            } else if path
                .extension()
                .is_some_and(|extension| extension == "json")
            {
                paths.push(path);
            }
        }
    }
    paths.sort();
    paths
        .iter()
        .map(|path| fs::read(path).with_context(|| format!("reading '{}'", path.display())))
        .collect()
}

// ---------------------------------------------------------------------------
// The fuzzing loop
// ---------------------------------------------------------------------------

/// What to fuzz for how long, and where to save what is found.
#[derive(Debug, Clone)]
pub struct FuzzConfig {
    /// Seed of the mutation stream.
    pub seed: u64,
    /// Stop after this much wall time.
    pub time_limit: Option<Duration>,
    /// Stop after this many executions.
    pub max_executions: Option<u64>,
    /// Save each distinct finding's input here as `crash-<hash>.json` (or `.bin`).
    pub crash_dir: Option<PathBuf>,
    /// When set, an execution running longer than this is saved as `hang-<hash>` and the process
    /// exits with status 3 (a hang cannot be interrupted from inside). Needs `in_flight`.
    pub hang_timeout: Option<Duration>,
    /// When set, each input is written here before it is tried, so that one that aborts the
    /// process (a stack overflow, a failed allocation) or hangs is not lost.
    pub in_flight: Option<PathBuf>,
    /// How often the progress callback is called.
    pub progress_every: Duration,
}

/// Counts of one fuzzing session and what it found.
#[derive(Debug, Default)]
pub struct Summary {
    /// Inputs tried.
    pub executions: u64,
    /// Inputs that loaded as a scenario.
    pub accepted: u64,
    /// Inputs rejected with an error.
    pub rejected: u64,
    /// Model runs simulated (each is a funded and a counterfactual simulation).
    pub model_runs: u64,
    /// Loaded scenarios too large to simulate quickly.
    pub model_skipped: u64,
    /// Inputs not tried because they would hit a known open issue ([`KNOWN_ISSUES`]).
    pub known_skipped: u64,
    /// Executions that crashed or failed a check (several may share one finding).
    pub crashes: u64,
    /// Distinct findings, each with the first input that showed it.
    pub findings: Vec<Finding>,
    /// Entries in the corpus at the end (seeds plus grown).
    pub corpus_size: usize,
    /// The slowest execution.
    pub slowest: Duration,
    /// Wall time.
    pub elapsed: Duration,
}

impl Summary {
    /// One line: executions, loads accepted, loads rejected, model runs, crashes, seconds.
    pub fn line(&self) -> String {
        format!(
            "executions {}, loads accepted {}, loads rejected {}, model runs {} ({} scenarios too big to simulate), known issues skipped {}, crashes {} ({} distinct), corpus {}, slowest execution {:.2} s, seconds {:.1}",
            self.executions,
            self.accepted,
            self.rejected,
            self.model_runs,
            self.model_skipped,
            self.known_skipped,
            self.crashes,
            self.findings.len(),
            self.corpus_size,
            self.slowest.as_secs_f64(),
            self.elapsed.as_secs_f64()
        )
    }
}

/// Fuzzes until the time or execution limit, starting from `seeds`. `on_progress` is called every
/// `config.progress_every`. Panics inside the code under test are caught and kept quiet; they are
/// returned as findings.
pub fn fuzz(
    config: &FuzzConfig,
    seeds: Vec<Vec<u8>>,
    on_progress: &mut dyn FnMut(&Summary),
) -> anyhow::Result<Summary> {
    anyhow::ensure!(!seeds.is_empty(), "the seed corpus is empty");
    let scratch = tempfile::Builder::new()
        .prefix("clustersim-fuzz-")
        .tempdir()
        .context("creating a scratch folder")?;
    let watchdog = match (config.hang_timeout, &config.in_flight) {
        (Some(timeout), Some(in_flight)) => Some(Watchdog::start(
            timeout,
            in_flight.clone(),
            config.crash_dir.clone(),
        )),
        _ => None,
    };
    let _quiet = QuietPanics::install();
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let mut corpus = Corpus::new(seeds);
    let mut summary = Summary::default();
    let mut finding_keys = HashSet::new();
    let start = Instant::now();
    let mut last_progress = start;
    loop {
        let out_of_time = config
            .time_limit
            .is_some_and(|limit| start.elapsed() >= limit);
        let out_of_executions = config
            .max_executions
            .is_some_and(|limit| summary.executions >= limit);
        if out_of_time || out_of_executions {
            break;
        }
        let input = corpus.next_input(&mut rng);
        let model_seed: u64 = rng.random();
        if let Some(in_flight) = &config.in_flight {
            fs::write(in_flight, &input).with_context(|| {
                format!("writing the input in flight to '{}'", in_flight.display())
            })?;
        }
        if let Some(watchdog) = &watchdog {
            watchdog.beat();
        }
        summary.executions += 1;
        let started = Instant::now();
        let mut verdict = check_input(&input, model_seed, scratch.path());
        let took = started.elapsed();
        summary.slowest = summary.slowest.max(took);
        if took > SLOW_EXECUTION && !matches!(verdict, Verdict::Failed(_)) {
            let message = format!(
                "one execution took {:.1} s; loading and two small runs take milliseconds",
                took.as_secs_f64()
            );
            verdict = Verdict::Failed(Finding::from_check("slow", message, &input));
        }
        match verdict {
            Verdict::Accepted { model_runs } => {
                summary.accepted += 1;
                match model_runs {
                    Some(runs) => summary.model_runs += runs,
                    None => summary.model_skipped += 1,
                }
                corpus.offer(&input, true, &[], &mut rng);
            }
            Verdict::Rejected { signatures } => {
                summary.rejected += 1;
                corpus.offer(&input, false, &signatures, &mut rng);
            }
            Verdict::Known(_) => summary.known_skipped += 1,
            Verdict::Failed(mut finding) => {
                summary.crashes += 1;
                if finding_keys.insert(finding.key()) {
                    if let Some(dir) = &config.crash_dir {
                        finding.saved_as = Some(save_input(dir, "crash", &finding.input)?);
                    }
                    summary.findings.push(finding);
                }
            }
        }
        if last_progress.elapsed() >= config.progress_every {
            last_progress = Instant::now();
            summary.elapsed = start.elapsed();
            summary.corpus_size = corpus.len();
            on_progress(&summary);
        }
    }
    if let Some(watchdog) = watchdog {
        watchdog.stop();
    }
    summary.elapsed = start.elapsed();
    summary.corpus_size = corpus.len();
    Ok(summary)
}

/// Saves `input` as `<dir>/<prefix>-<hash>.json` (`.bin` when it is not UTF-8).
fn save_input(dir: &Path, prefix: &str, input: &[u8]) -> anyhow::Result<PathBuf> {
    fs::create_dir_all(dir).with_context(|| format!("creating '{}'", dir.display()))?;
    let extension = if std::str::from_utf8(input).is_ok() {
        "json"
    } else {
        "bin"
    };
    let path = dir.join(format!("{prefix}-{:016x}.{extension}", fnv1a(input)));
    fs::write(&path, input).with_context(|| format!("writing '{}'", path.display()))?;
    Ok(path)
}

/// FNV-1a, 64 bits (Fowler, Noll & Vo): a stable hash for file names and signatures.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

// ---------------------------------------------------------------------------
// Checking one input
// ---------------------------------------------------------------------------

/// What happened to one input.
#[derive(Debug)]
pub enum Verdict {
    /// It loaded; `model_runs` is the number of runs simulated, None if it was too big.
    Accepted {
        /// Runs simulated, or None when the scenario was too big to simulate quickly.
        model_runs: Option<u64>,
    },
    /// It was rejected with an error; `signatures` identify the kinds of problems reported.
    Rejected {
        /// One hash per problem: its JSON path and message with numbers and names left out.
        signatures: Vec<u64>,
    },
    /// It was not tried: it would hit the known open issue named.
    Known(&'static str),
    /// It crashed or failed a check.
    Failed(Finding),
}

/// A panic or failed check, with the input that caused it.
#[derive(Debug, Clone)]
pub struct Finding {
    /// What was being done: `load_str`, `load_path`, `model` or `Simulation::check_invariants`.
    pub stage: &'static str,
    /// The panic message, or the check that failed.
    pub message: String,
    /// `file:line:column` of the panic, when it was one.
    pub location: Option<String>,
    /// Backtrace of the panic, when it was one (symbolised only when reported).
    pub backtrace: Option<Arc<Backtrace>>,
    /// The input.
    pub input: Vec<u8>,
    /// Where the input was saved.
    pub saved_as: Option<PathBuf>,
}

impl Finding {
    fn from_panic(stage: &'static str, panic: PanicReport, input: &[u8]) -> Self {
        Self {
            stage,
            message: panic.message,
            location: panic.location,
            backtrace: Some(Arc::new(panic.backtrace)),
            input: input.to_vec(),
            saved_as: None,
        }
    }

    fn from_check(stage: &'static str, message: String, input: &[u8]) -> Self {
        Self {
            stage,
            message,
            location: None,
            backtrace: None,
            input: input.to_vec(),
            saved_as: None,
        }
    }

    /// Findings with the same key are the same bug: same stage and panic location, or same
    /// failed check (numbers aside).
    fn key(&self) -> String {
        match &self.location {
            Some(location) => format!("{} panicked at {location}", self.stage),
            None => format!("{}: {}", self.stage, normalise(&self.message, 80)),
        }
    }

    /// A human-readable report: stage, message, location, input (abridged) and backtrace.
    pub fn report(&self) -> String {
        let mut out = format!("CRASH in {}: {}", self.stage, self.message);
        if let Some(location) = &self.location {
            out.push_str(&format!("\n  panicked at {location}"));
        }
        if let Some(path) = &self.saved_as {
            out.push_str(&format!("\n  input saved as {}", path.display()));
        }
        let shown = String::from_utf8_lossy(&self.input[..self.input.len().min(2000)]).into_owned();
        out.push_str(&format!(
            "\n  input ({} bytes{}):\n{shown}",
            self.input.len(),
            if self.input.len() > 2000 {
                ", first 2000 shown"
            } else {
                ""
            }
        ));
        if let Some(backtrace) = &self.backtrace {
            out.push_str("\n  backtrace (clustersim frames):\n");
            out.push_str(&project_frames(&backtrace.to_string()));
        }
        out
    }
}

/// The lines of a backtrace that refer to this project's sources (and their function names).
fn project_frames(backtrace: &str) -> String {
    let lines: Vec<&str> = backtrace.lines().collect();
    let mut out = String::new();
    for (index, line) in lines.iter().enumerate() {
        let location = line.trim_start();
        let is_project_location = location.starts_with("at ./src/")
            || location.starts_with("at ./examples/")
            || location.contains(env!("CARGO_MANIFEST_DIR"));
        if is_project_location && index > 0 {
            out.push_str(lines[index - 1]);
            out.push('\n');
            out.push_str(line);
            out.push('\n');
        }
    }
    if out.is_empty() {
        backtrace.to_string()
    } else {
        out
    }
}

/// Loads `input` and, when it loads and is small, simulates it and checks the results.
/// `model_seed` seeds the model runs; `scratch` is a folder for the temporary file that
/// non-UTF-8 input is written to.
pub fn check_input(input: &[u8], model_seed: u64, scratch: &Path) -> Verdict {
    let Ok(text) = std::str::from_utf8(input) else {
        return check_bytes(input, scratch);
    };
    if let Some(issue) = known_issue(text) {
        return Verdict::Known(issue.summary);
    }
    let loaded = guarded(|| {
        load_str(text, "fuzz.json").map_err(|error| {
            // Formatting the error is part of loading: the message must not panic either.
            let _message = error.to_string();
            signatures(&error)
        })
    });
    match loaded {
        Err(panic) => Verdict::Failed(Finding::from_panic("load_str", panic, input)),
        Ok(Err(signatures)) => Verdict::Rejected { signatures },
        Ok(Ok(scenario)) => match check_model(&scenario, model_seed) {
            Ok(model_runs) => Verdict::Accepted { model_runs },
            Err((stage, Ok(message))) => {
                Verdict::Failed(Finding::from_check(stage, message, input))
            }
            Err((stage, Err(panic))) => Verdict::Failed(Finding::from_panic(stage, panic, input)),
        },
    }
}

/// An open bug that the fuzzer steps around, so that a long run is not spent finding it again.
/// Its reproducer in tests/data/fuzz/ has an ignored regression test in
/// tests/fuzz_regressions.rs; once the bug is fixed, delete the entry and un-ignore the test.
#[derive(Debug)]
pub struct KnownIssue {
    /// What goes wrong.
    pub summary: &'static str,
    /// File name of the reproducing input in tests/data/fuzz/.
    pub reproducer: &'static str,
    /// Whether an input, parsed and of this many bytes, would hit it.
    pub matches: fn(&serde_json::Value, usize) -> bool,
}

/// The open issues found by fuzzing. Empty: the three found so far (a 17 GB allocation for a
/// funding period of billions of years, quadratic time to locate thousands of problems, and
/// profile weights whose sum overflows) are fixed, with regression tests in
/// tests/fuzz_regressions.rs and their inputs in tests/data/fuzz/.
pub const KNOWN_ISSUES: &[KnownIssue] = &[];

/// The known issue `text` would hit, if any. Only text that parses as JSON can get past the
/// parser to where the issues are.
fn known_issue(text: &str) -> Option<&'static KnownIssue> {
    if KNOWN_ISSUES.is_empty() {
        return None;
    }
    let document: serde_json::Value = serde_json::from_str(text).ok()?;
    KNOWN_ISSUES
        .iter()
        .find(|issue| (issue.matches)(&document, text.len()))
}

/// Bytes that are not UTF-8 can only arrive through a file: `load_path` must refuse them.
fn check_bytes(input: &[u8], scratch: &Path) -> Verdict {
    let path = scratch.join("input.json");
    if let Err(error) = fs::write(&path, input) {
        let message = format!("cannot write '{}': {error}", path.display());
        return Verdict::Failed(Finding::from_check("fuzzer", message, input));
    }
    match guarded(|| load_path(&path).map_err(|error| signatures(&error))) {
        Err(panic) => Verdict::Failed(Finding::from_panic("load_path", panic, input)),
        Ok(Ok(_)) => Verdict::Failed(Finding::from_check(
            "load_path",
            "a file that is not UTF-8 was accepted as a scenario".into(),
            input,
        )),
        Ok(Err(signatures)) => Verdict::Rejected { signatures },
    }
}

/// One signature per problem: its JSON path and the start of its message, with numbers, quoted
/// names and positions left out, so that "the same complaint about another cluster" is not new.
fn signatures(error: &ScenarioError) -> Vec<u64> {
    match error {
        ScenarioError::Read { reason, .. } => vec![fnv1a(normalise(reason, 40).as_bytes())],
        ScenarioError::Invalid { problems, .. } => problems
            .iter()
            .map(|problem| {
                let key = format!(
                    "{}|{}",
                    normalise(&problem.path, 200),
                    normalise(&problem.message, 60)
                );
                fnv1a(key.as_bytes())
            })
            .collect(),
    }
}

/// `text` up to its first quote or parenthesis, at most `limit` characters, digits replaced by
/// `#`.
fn normalise(text: &str, limit: usize) -> String {
    text.chars()
        .take_while(|c| !matches!(c, '\'' | '"' | '(' | '`'))
        .take(limit)
        .map(|c| if c.is_ascii_digit() { '#' } else { c })
        .collect()
}

/// Whether simulating `scenario` is quick enough to do for every input that loads: bounded firms,
/// quarters and clusters, and a bound on tie attempts from the largest values the tie
/// parameters can take.
pub fn model_is_quick(scenario: &Scenario, slots: &[ParameterSlot]) -> bool {
    let firms: u64 = scenario
        .sectors
        .iter()
        .map(|sector| sector.firms)
        .fold(0, u64::saturating_add);
    let quarters = scenario.budget.quarters();
    if firms > MAX_MODEL_FIRMS
        || quarters > MAX_MODEL_QUARTERS
        || scenario.clusters.len() > MAX_MODEL_CLUSTERS
    {
        return false;
    }
    let largest = |label: &str| {
        slots
            .iter()
            .find(|slot| slot.label == label)
            .map_or(0.0, |slot| slot.param.support().1.min(slot.max).max(0.0))
    };
    let valley_multiplier = if scenario.valleys.is_empty() {
        1.0
    } else {
        1.0 + largest("model.valley_spillover")
    };
    let tie_attempts_per_firm_quarter = largest("model.tie_rate")
        * (1.0 + largest("model.tie_funding_response"))
        * valley_multiplier;
    let work = firms as f64 * quarters as f64 * (1.0 + tie_attempts_per_firm_quarter);
    work <= MAX_MODEL_WORK
}

type ModelFailure = (&'static str, Result<String, PanicReport>);

/// Simulates [`MODEL_RUNS`] runs and steps one run quarter by quarter checking invariants.
/// Returns the runs simulated, or None when the scenario is too big.
fn check_model(scenario: &Scenario, seed: u64) -> Result<Option<u64>, ModelFailure> {
    let slots = scenario.parameter_slots();
    if !model_is_quick(scenario, &slots) {
        return Ok(None);
    }
    let rule = rule_for(&scenario.policy.rule);
    for run in 0..MODEL_RUNS {
        let record = guarded(|| simulate_run(scenario, &slots, rule.as_ref(), seed, run))
            .map_err(|panic| ("model", Err(panic)))?;
        check_record(scenario, &record).map_err(|message| ("model", Ok(message)))?;
    }
    for policy in [Some(rule.as_ref() as &dyn AllocationRule), None] {
        guarded(|| step_with_invariants(scenario, &slots, policy, seed))
            .map_err(|panic| ("model", Err(panic)))?
            .map_err(|message| ("Simulation::check_invariants", Ok(message)))?;
    }
    Ok(Some(MODEL_RUNS))
}

/// Steps run 0 of `scenario` quarter by quarter, checking the invariants before the first
/// quarter and after each one.
fn step_with_invariants(
    scenario: &Scenario,
    slots: &[ParameterSlot],
    rule: Option<&dyn AllocationRule>,
    seed: u64,
) -> Result<(), String> {
    let funding = if rule.is_some() {
        "funded"
    } else {
        "counterfactual"
    };
    let parameters = draw_parameters(scenario, slots, seed, 0);
    let mut simulation = Simulation::new(scenario, &parameters, rule, seed, 0);
    simulation
        .check_invariants()
        .map_err(|error| format!("{funding} run, before the first quarter: {error}"))?;
    while !simulation.finished() {
        simulation.step();
        simulation.check_invariants().map_err(|error| {
            format!(
                "{funding} run, after quarter {}: {error}",
                simulation.quarter()
            )
        })?;
    }
    Ok(())
}

/// Every parameter finite; every series value finite or NaN (undefined); headline values finite
/// except the last two ratios, which may be NaN.
fn check_record(scenario: &Scenario, record: &RunRecord) -> Result<(), String> {
    if let Some((index, value)) = record
        .parameters
        .iter()
        .enumerate()
        .find(|(_, value)| !value.is_finite())
    {
        let slots = scenario.parameter_slots();
        let label = slots.get(index).map_or("?", |slot| slot.label.as_str());
        return Err(format!(
            "run {}: drawn parameter {label} is {value}",
            record.run
        ));
    }
    let clusters = scenario.clusters.len();
    let width = clusters * CLUSTER_OUTCOMES.len() + TOTAL_OUTCOMES.len();
    if let Some((index, value)) = record
        .series
        .iter()
        .enumerate()
        .find(|(_, value)| value.is_infinite())
    {
        let (quarter, slot) = (index / width, index % width);
        let name = if slot < clusters * CLUSTER_OUTCOMES.len() {
            format!(
                "cluster {} {}",
                slot / CLUSTER_OUTCOMES.len(),
                CLUSTER_OUTCOMES[slot % CLUSTER_OUTCOMES.len()]
            )
        } else {
            format!(
                "total {}",
                TOTAL_OUTCOMES[slot - clusters * CLUSTER_OUTCOMES.len()]
            )
        };
        return Err(format!(
            "run {}: series value {name} in quarter {quarter} is {value}",
            record.run
        ));
    }
    let may_be_nan = record.headline.len().saturating_sub(2);
    for (index, value) in record.headline.iter().enumerate() {
        if value.is_infinite() || (index < may_be_nan && value.is_nan()) {
            let name = HEADLINE_OUTCOMES.get(index).copied().unwrap_or("?");
            return Err(format!("run {}: headline {name} is {value}", record.run));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Catching panics quietly
// ---------------------------------------------------------------------------

/// A caught panic: message, location and backtrace.
#[derive(Debug)]
pub struct PanicReport {
    /// The panic message.
    pub message: String,
    /// `file:line:column`.
    pub location: Option<String>,
    /// Where it happened.
    pub backtrace: Backtrace,
}

thread_local! {
    /// Whether this thread is inside [`guarded`], so its panics are recorded, not printed.
    static CAPTURING: Cell<bool> = const { Cell::new(false) };
    /// The last panic recorded on this thread.
    static LAST_PANIC: RefCell<Option<PanicReport>> = const { RefCell::new(None) };
}

type PanicHook = Box<dyn Fn(&PanicHookInfo<'_>) + Send + Sync + 'static>;

/// While alive, panics inside [`guarded`] are recorded instead of printed; other panics (other
/// threads, the fuzzer itself) still reach the previous hook. Dropping it restores that hook.
struct QuietPanics {
    previous: Arc<PanicHook>,
}

impl QuietPanics {
    fn install() -> Self {
        let previous: Arc<PanicHook> = Arc::new(panic::take_hook());
        let fallback = Arc::clone(&previous);
        panic::set_hook(Box::new(move |info| {
            if CAPTURING.get() {
                let message = payload_message(info.payload());
                let location = info
                    .location()
                    .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()));
                LAST_PANIC.set(Some(PanicReport {
                    message,
                    location,
                    backtrace: Backtrace::force_capture(),
                }));
            } else {
                fallback(info);
            }
        }));
        Self { previous }
    }
}

impl Drop for QuietPanics {
    fn drop(&mut self) {
        // The hook cannot be replaced while this thread panics.
        if !std::thread::panicking() {
            let previous = Arc::clone(&self.previous);
            panic::set_hook(Box::new(move |info| previous(info)));
        }
    }
}

/// The message of a panic: its payload when that is a string.
fn payload_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|message| message.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(a panic payload that is not a string)".into())
}

/// Runs `f`, turning a panic into a [`PanicReport`].
fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, PanicReport> {
    let was_capturing = CAPTURING.replace(true);
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    CAPTURING.set(was_capturing);
    result.map_err(|payload| {
        LAST_PANIC.take().unwrap_or_else(|| PanicReport {
            message: payload_message(payload.as_ref()),
            location: None,
            backtrace: Backtrace::disabled(),
        })
    })
}

// ---------------------------------------------------------------------------
// Hangs
// ---------------------------------------------------------------------------

/// Watches for an execution that does not finish: saves its input and exits the process.
struct Watchdog {
    beats: Arc<AtomicU64>,
    stopped: Arc<AtomicBool>,
    thread: JoinHandle<()>,
}

impl Watchdog {
    fn start(timeout: Duration, in_flight: PathBuf, crash_dir: Option<PathBuf>) -> Self {
        let beats = Arc::new(AtomicU64::new(0));
        let stopped = Arc::new(AtomicBool::new(false));
        let thread = {
            let (beats, stopped) = (Arc::clone(&beats), Arc::clone(&stopped));
            std::thread::spawn(move || {
                let mut last = beats.load(Ordering::Relaxed);
                let mut since = Instant::now();
                while !stopped.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(200));
                    let now = beats.load(Ordering::Relaxed);
                    if now != last {
                        (last, since) = (now, Instant::now());
                    } else if since.elapsed() > timeout {
                        report_hang(timeout, &in_flight, crash_dir.as_deref());
                    }
                }
            })
        };
        Self {
            beats,
            stopped,
            thread,
        }
    }

    fn beat(&self) {
        self.beats.fetch_add(1, Ordering::Relaxed);
    }

    fn stop(self) {
        self.stopped.store(true, Ordering::Relaxed);
        // The thread only ends the process or returns; a join error would be a bug in it.
        let _ = self.thread.join();
    }
}

fn report_hang(timeout: Duration, in_flight: &Path, crash_dir: Option<&Path>) -> ! {
    eprintln!(
        "HANG: one execution has run for more than {} s",
        timeout.as_secs()
    );
    match (fs::read(in_flight), crash_dir) {
        (Ok(input), Some(dir)) => match save_input(dir, "hang", &input) {
            Ok(path) => eprintln!("  input saved as {}", path.display()),
            Err(error) => eprintln!("  {error:#}; the input is {}", in_flight.display()),
        },
        _ => eprintln!("  the input is {}", in_flight.display()),
    }
    std::process::exit(3);
}

// ---------------------------------------------------------------------------
// Corpus
// ---------------------------------------------------------------------------

/// The seed inputs plus a bounded set of inputs found interesting: ones that loaded, and ones
/// rejected with a kind of problem not seen before (a cheap stand-in for coverage).
struct Corpus {
    seeds: Vec<Vec<u8>>,
    grown: Vec<Vec<u8>>,
    known: HashSet<u64>,
    signatures: HashSet<u64>,
}

impl Corpus {
    fn new(seeds: Vec<Vec<u8>>) -> Self {
        let known = seeds.iter().map(|seed| fnv1a(seed)).collect();
        Self {
            seeds,
            grown: Vec::new(),
            known,
            signatures: HashSet::new(),
        }
    }

    fn len(&self) -> usize {
        self.seeds.len() + self.grown.len()
    }

    fn pick<'a>(&'a self, rng: &mut ChaCha8Rng) -> &'a [u8] {
        let from_grown = !self.grown.is_empty() && rng.random_bool(0.7);
        let pool = if from_grown { &self.grown } else { &self.seeds };
        &pool[rng.random_range(0..pool.len())]
    }

    /// A mutation of a corpus entry: structural, textual, or structural then textual.
    fn next_input(&self, rng: &mut ChaCha8Rng) -> Vec<u8> {
        let base = self.pick(rng);
        let other = self.pick(rng);
        let structural = match rng.random_range(0..10) {
            0..=4 => structure::mutate(rng, base, other),
            _ => None,
        };
        match structural {
            Some(mutated) if rng.random_bool(0.8) => mutated,
            Some(mutated) => text::mutate(rng, &mutated, other),
            None => text::mutate(rng, base, other),
        }
    }

    /// Keeps `input` if it loaded or showed a new kind of problem, replacing a random grown entry
    /// when full.
    fn offer(&mut self, input: &[u8], accepted: bool, signatures: &[u64], rng: &mut ChaCha8Rng) {
        let mut new_signature = false;
        for signature in signatures {
            new_signature |= self.signatures.insert(*signature);
        }
        if !(accepted || new_signature) || input.len() > MAX_CORPUS_ENTRY_BYTES {
            return;
        }
        if !self.known.insert(fnv1a(input)) {
            return;
        }
        if self.grown.len() < MAX_GROWN_ENTRIES {
            self.grown.push(input.to_vec());
        } else {
            let index = rng.random_range(0..self.grown.len());
            self.grown[index] = input.to_vec();
        }
    }
}

/// A random item of a non-empty slice.
fn choose<T: Copy>(rng: &mut ChaCha8Rng, items: &[T]) -> T {
    items[rng.random_range(0..items.len())]
}

/// A random item of a non-empty slice, by reference.
fn choose_ref<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

// ---------------------------------------------------------------------------
// Text-level mutations
// ---------------------------------------------------------------------------

/// Mutations of the raw bytes: they mostly produce invalid JSON, exercising the parser and the
/// error messages (positions, paths, hints).
mod text {
    use super::{MAX_INPUT_BYTES, choose};
    use rand::RngExt;
    use rand_chacha::ChaCha8Rng;

    /// Number literals at and beyond the edges of f64, u64, i64, i32 and the scenario's ranges,
    /// plus literals that are not JSON numbers at all.
    #[rustfmt::skip]
    pub(super) const NUMBERS: &[&str] = &[
        "1e400", "-1e400", "1e308", "-1e308", "1.7976931348623157e308", "1.7976931348623159e308",
        "9007199254740993", "18446744073709551615", "18446744073709551616", "-9223372036854775809",
        "2147483648", "-2147483649", "4294967296", "-0", "-0.0", "1e-400", "5e-324", "NaN",
        "Infinity", "-Infinity", "1e13", "10000000000000.01", "-1", "0.5", "1.5",
        "1.0000000000000002", "1000000001", "100000001", "1899", "2201", "2007.5", "01", "+1", ".5",
        "1.", "1e", "0x10", "123456789012345678901234567890",
    ];
    #[rustfmt::skip]
    const TOKENS: &[&str] = &[
        "{", "}", "[", "]", ",", ":", "\"", "null", "true", "false", "0", "\"\"", "{}", "[]",
        ",\"x\":1", "\"name\":", "//", "/*", "\\", "NaN", "Infinity",
    ];
    #[rustfmt::skip]
    const INVALID_UTF8: &[&[u8]] = &[
        b"\xff", b"\xfe", b"\x80", b"\xc0\x80", b"\xc3", b"\xe2\x82", b"\xed\xa0\x80",
        b"\xf4\x90\x80\x80", b"\xf8\x88\x80\x80\x80",
    ];
    /// Control characters, odd whitespace and escapes (valid and not) for inside strings.
    #[rustfmt::skip]
    const ODD_TEXT: &[&str] = &[
        "\u{feff}", "\0", "\u{1}", "\u{7f}", "\r", "\t", "\u{b}", "\u{c}", "\u{a0}", "\u{2028}",
        "\u{200b}", "\u{202e}", "é", "😀", "\\u0000", "\\ud800", "\\udfff", "\\ud83d\\ude00",
        "\\x41", "\\u12", "\\",
    ];
    const NESTING_DEPTHS: &[usize] = &[64, 127, 128, 129, 256, 1000, 5000, 20_000, 100_000];
    const STRING_LENGTHS: &[usize] = &[256, 4096, 65_536, 1 << 20];

    /// Applies one to four stacked byte-level mutations to `input`; `other` is used for splicing.
    pub(super) fn mutate(rng: &mut ChaCha8Rng, input: &[u8], other: &[u8]) -> Vec<u8> {
        let mut data = input.to_vec();
        for _ in 0..rng.random_range(1..=4) {
            mutate_once(rng, &mut data, other);
            data.truncate(MAX_INPUT_BYTES);
        }
        data
    }

    fn mutate_once(rng: &mut ChaCha8Rng, data: &mut Vec<u8>, other: &[u8]) {
        match rng.random_range(0..16) {
            0 if !data.is_empty() => {
                let index = rng.random_range(0..data.len());
                data[index] ^= 1 << rng.random_range(0..8);
            }
            1 if !data.is_empty() => {
                let index = rng.random_range(0..data.len());
                data[index] = choose(rng, b"\0\x7f\x80\xff\"\\{}[],:-.eE0912 \n");
            }
            2 => {
                let bytes: Vec<u8> = (0..rng.random_range(1..=8)).map(|_| rng.random()).collect();
                insert(data, position(rng, data), &bytes);
            }
            3 => {
                let (start, end) = span(rng, data);
                data.drain(start..end);
            }
            4 => {
                let (start, end) = span(rng, data);
                let copy = data[start..end].to_vec();
                insert(data, position(rng, data), &copy);
            }
            5 => data.truncate(position(rng, data)),
            6 => {
                let cut = position(rng, data);
                let from = rng.random_range(0..=other.len());
                data.truncate(cut);
                data.extend_from_slice(&other[from..]);
            }
            7 => insert(data, position(rng, data), choose(rng, TOKENS).as_bytes()),
            8 => {
                let literal = choose(rng, NUMBERS).as_bytes();
                replace_number(rng, data, literal);
            }
            9 => {
                let nested = deep_nesting(rng);
                replace_number(rng, data, &nested);
            }
            10 => long_string(rng, data),
            11 => insert(data, inside_string(rng, data), choose(rng, INVALID_UTF8)),
            12 => byte_order_mark(rng, data),
            13 => insert(
                data,
                inside_string(rng, data),
                choose(rng, ODD_TEXT).as_bytes(),
            ),
            14 => edit_lines(rng, data),
            _ => {
                // Replace a keyword or a whole string with another token.
                let (start, end) = match string_spans(data).as_slice() {
                    [] => return,
                    spans => choose(rng, spans),
                };
                let token = choose(rng, &["null", "true", "0", "{}", "[]", "\"\""]);
                data.splice(start - 1..=end, token.bytes());
            }
        }
    }

    fn insert(data: &mut Vec<u8>, at: usize, bytes: &[u8]) {
        data.splice(at..at, bytes.iter().copied());
    }

    /// A random position, half the time moved forward to the next structural character so that
    /// insertions land between tokens.
    fn position(rng: &mut ChaCha8Rng, data: &[u8]) -> usize {
        let at = rng.random_range(0..=data.len());
        if rng.random_bool(0.5) {
            data[at..]
                .iter()
                .position(|b| b"{}[],:\"".contains(b))
                .map_or(at, |offset| at + offset)
        } else {
            at
        }
    }

    /// A random span of 1 to 256 bytes (empty when `data` is).
    fn span(rng: &mut ChaCha8Rng, data: &[u8]) -> (usize, usize) {
        if data.is_empty() {
            return (0, 0);
        }
        let start = rng.random_range(0..data.len());
        let length = rng.random_range(1..=(data.len() - start).min(256));
        (start, start + length)
    }

    /// A position just inside a string literal, or anywhere when there is none.
    fn inside_string(rng: &mut ChaCha8Rng, data: &[u8]) -> usize {
        match string_spans(data).as_slice() {
            [] => rng.random_range(0..=data.len()),
            spans => {
                let (start, end) = choose(rng, spans);
                rng.random_range(start..=end)
            }
        }
    }

    /// Replaces a random number literal with `replacement`, or inserts it when there is none.
    fn replace_number(rng: &mut ChaCha8Rng, data: &mut Vec<u8>, replacement: &[u8]) {
        match number_spans(data).as_slice() {
            [] => insert(data, position(rng, data), replacement),
            spans => {
                let (start, end) = choose(rng, spans);
                data.splice(start..end, replacement.iter().copied());
            }
        }
    }

    /// `[[[…0…]]]`, `{"a":{"a":…0…}}` or unbalanced openers, from 64 to 100,000 levels deep.
    fn deep_nesting(rng: &mut ChaCha8Rng) -> Vec<u8> {
        let depth = choose(rng, NESTING_DEPTHS);
        let (open, close) = choose(
            rng,
            &[("[", "]"), ("{\"a\":", "}"), ("[{\"x\":", "}]"), ("[", "")],
        );
        let mut nested = open.repeat(depth);
        nested.push('0');
        nested.push_str(&close.repeat(depth));
        nested.into_bytes()
    }

    /// Makes a string literal very long, or inserts a very long one.
    fn long_string(rng: &mut ChaCha8Rng, data: &mut Vec<u8>) {
        let length = choose(rng, STRING_LENGTHS);
        let unit = choose(rng, &["a", "é", "\\u00e9", "\\\"", "\\\\", "😀", " "]);
        let content = unit.repeat(length / unit.len());
        match string_spans(data).as_slice() {
            spans if !spans.is_empty() && rng.random_bool(0.7) => {
                let (start, end) = choose(rng, spans);
                data.splice(start..end, content.bytes());
            }
            _ => {
                let literal = format!("\"{content}\"");
                insert(data, position(rng, data), literal.as_bytes());
            }
        }
    }

    /// A UTF-8 BOM at the start (once or twice) or in the middle, or a UTF-16 BOM.
    fn byte_order_mark(rng: &mut ChaCha8Rng, data: &mut Vec<u8>) {
        let (at, mark): (usize, &[u8]) = match rng.random_range(0..5) {
            0 | 1 => (0, b"\xef\xbb\xbf"),
            2 => (0, b"\xef\xbb\xbf\xef\xbb\xbf"),
            3 => (0, b"\xff\xfe"),
            _ => (position(rng, data), b"\xef\xbb\xbf"),
        };
        insert(data, at, mark);
    }

    /// Deletes, duplicates or swaps whole lines (pretty-printed files are one member a line).
    fn edit_lines(rng: &mut ChaCha8Rng, data: &mut Vec<u8>) {
        let mut lines: Vec<Vec<u8>> = data.split(|b| *b == b'\n').map(<[u8]>::to_vec).collect();
        let (a, b) = (
            rng.random_range(0..lines.len()),
            rng.random_range(0..lines.len()),
        );
        match rng.random_range(0..3) {
            0 => {
                lines.remove(a);
            }
            1 => {
                let copy = lines[a].clone();
                lines.insert(b, copy);
            }
            _ => lines.swap(a, b),
        }
        *data = lines.join(&b'\n');
    }

    /// Byte ranges of number-like runs (digits with signs, points and exponents), at most 4096.
    pub(super) fn number_spans(data: &[u8]) -> Vec<(usize, usize)> {
        let mut spans = Vec::new();
        let mut index = 0;
        while index < data.len() && spans.len() < 4096 {
            let starts_number = data[index].is_ascii_digit()
                || (data[index] == b'-' && data.get(index + 1).is_some_and(u8::is_ascii_digit));
            if starts_number {
                let start = index;
                index += 1;
                while index < data.len() && b"0123456789.eE+-".contains(&data[index]) {
                    index += 1;
                }
                spans.push((start, index));
            } else {
                index += 1;
            }
        }
        spans
    }

    /// Byte ranges of the contents of string literals (between the quotes), at most 4096.
    pub(super) fn string_spans(data: &[u8]) -> Vec<(usize, usize)> {
        let mut spans = Vec::new();
        let mut index = 0;
        while index < data.len() && spans.len() < 4096 {
            if data[index] != b'"' {
                index += 1;
                continue;
            }
            let start = index + 1;
            let mut end = start;
            while end < data.len() && data[end] != b'"' {
                end += if data[end] == b'\\' { 2 } else { 1 };
            }
            if end >= data.len() {
                break;
            }
            spans.push((start, end));
            index = end + 1;
        }
        spans
    }
}

// ---------------------------------------------------------------------------
// Structure-level mutations
// ---------------------------------------------------------------------------

/// Mutations of the parsed JSON: the result is valid JSON (apart from injected literals such as
/// `NaN` and duplicate keys) and mostly a plausible scenario, so it gets past the parser and
/// exercises validation and, when it loads, the model.
mod structure {
    use super::{MAX_INPUT_BYTES, choose, choose_ref, text};
    use rand::RngExt;
    use rand_chacha::ChaCha8Rng;
    use serde_json::{Map, Value, json};

    /// A string starting with this is written out as the raw literal that follows (`NaN`,
    /// `1e400`, …), which `serde_json::Value` cannot hold.
    const RAW: &str = "\u{1}raw\u{1}";
    /// A key starting with this is written out without it, making a duplicate key.
    const DUPLICATE: &str = "\u{1}dup\u{1}";
    /// Nodes considered for a mutation, at most.
    const MAX_NODES: usize = 5000;
    #[rustfmt::skip]
    const FINITE_NUMBERS: &[f64] = &[
        0.0, -0.0, -1.0, 0.5, 1.0, 1.5, 2.0, -0.01, 1.01, 1e-9, 1e-300, 5e-324, 1e9, 1e12, 1e13,
        1.000_000_000_01e13, 1e300, 1e308, -1e308, f64::MAX, f64::MIN_POSITIVE, 1899.0, 2200.0,
        2201.0, 2147483648.0, 9007199254740993.0,
    ];
    #[rustfmt::skip]
    const KINDS: &[&str] = &[
        "uniform", "triangular", "pert", "normal", "truncated_normal", "lognormal", "beta", "gamma",
        "Uniform", "poisson", "",
    ];
    const DISTRIBUTION_PARAMETERS: &[&str] = &[
        "min", "mode", "max", "mean", "sd", "alpha", "beta", "shape", "scale",
    ];

    /// Parses `input` as JSON, applies one to three mutations, and serializes it again (pretty
    /// or compact). None when `input` is not JSON.
    pub(super) fn mutate(rng: &mut ChaCha8Rng, input: &[u8], other: &[u8]) -> Option<Vec<u8>> {
        let mut document: Value = serde_json::from_slice(input).ok()?;
        // Mostly one mutation, so that many results still load and reach the model.
        let rounds = match rng.random_range(0..20) {
            0..=11 => 1,
            12..=16 => 2,
            _ => 3,
        };
        for _ in 0..rounds {
            mutate_once(rng, &mut document, other);
        }
        let text = if rng.random_bool(0.5) {
            serde_json::to_string_pretty(&document)
        } else {
            serde_json::to_string(&document)
        }
        .ok()?;
        let mut bytes = resolve_markers(&text).into_bytes();
        bytes.truncate(MAX_INPUT_BYTES);
        Some(bytes)
    }

    fn mutate_once(rng: &mut ChaCha8Rng, document: &mut Value, other: &[u8]) {
        match rng.random_range(0..16) {
            0 | 1 => edit_node(rng, document, Value::is_number, |rng, node| {
                *node = extreme_number(rng, node.as_f64());
            }),
            2 => edit_node(
                rng,
                document,
                |_| true,
                |rng, node| *node = other_type(rng, node),
            ),
            3 => edit_object(rng, document, |rng, map| {
                let key = random_key(rng, map);
                map.shift_remove(&key);
            }),
            4 => edit_object(rng, document, |rng, map| {
                let key = random_key(rng, map);
                let value = map[&key].clone();
                let copies = map.len();
                map.insert(format!("{DUPLICATE}{copies}\u{1}{key}"), value);
            }),
            5 => edit_object(rng, document, |rng, map| {
                let key = random_key(rng, map);
                if let Some(value) = map.shift_remove(&key) {
                    map.insert(near_miss(rng, &key), value);
                }
            }),
            6 => edit_object(rng, document, |rng, map| {
                let key = random_key(rng, map);
                let key = near_miss(rng, &key);
                map.insert(key, small_value(rng));
            }),
            7 => edit_node(rng, document, is_container, |_, node| match node {
                Value::Array(items) => items.clear(),
                Value::Object(map) => map.clear(),
                _ => {}
            }),
            8 => edit_node(rng, document, has_items, grow_array),
            9 => {
                let strings = strings_of(document);
                edit_node(rng, document, Value::is_string, |rng, node| {
                    *node = unknown_reference(rng, node, &strings);
                });
            }
            10 => years(rng, document),
            11 => edit_node(rng, document, is_param, |rng, node| {
                *node = distribution(rng);
            }),
            12 => share_out_of_range(rng, document),
            13 => copy_subtree(rng, document, other),
            14 => edit_node(rng, document, Value::is_string, |rng, node| {
                let unit = choose(rng, &["x", "é", "\u{0}", "\n", "😀", "\u{202e}", " "]);
                let length = choose(rng, &[0, 1, 200, 10_000, 1 << 20]);
                *node = Value::String(unit.repeat(length));
            }),
            _ => rules_and_profiles(rng, document),
        }
    }

    /// Writes raw literals and duplicate keys in place of their markers.
    fn resolve_markers(text: &str) -> String {
        let raw = format!("\"{}", escaped(RAW));
        let duplicate = escaped(DUPLICATE);
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find(&raw) {
            out.push_str(&rest[..start]);
            let literal = &rest[start + raw.len()..];
            let end = literal.find('"').unwrap_or(literal.len());
            out.push_str(&literal[..end]);
            rest = literal.get(end + 1..).unwrap_or("");
        }
        out.push_str(rest);
        // `"\u0001dup\u0001<n>\u0001key"` → `"key"`.
        let mut result = String::with_capacity(out.len());
        let mut rest = out.as_str();
        while let Some(start) = rest.find(&duplicate) {
            result.push_str(&rest[..start]);
            let after = &rest[start + duplicate.len()..];
            let separator = escaped("\u{1}");
            rest = after
                .find(&separator)
                .map_or(after, |end| &after[end + separator.len()..]);
        }
        result.push_str(rest);
        result
    }

    /// How serde_json writes `marker` inside a string.
    fn escaped(marker: &str) -> String {
        let quoted = serde_json::to_string(marker).unwrap_or_default();
        quoted.trim_matches('"').to_string()
    }

    fn raw(literal: &str) -> Value {
        Value::String(format!("{RAW}{literal}"))
    }

    /// JSON Pointers of the nodes of `document` (depth first, at most [`MAX_NODES`]) for which
    /// `wanted` holds.
    fn pointers(document: &Value, wanted: impl Fn(&str, &Value) -> bool) -> Vec<String> {
        let mut found = Vec::new();
        let mut stack = vec![(String::new(), String::new(), document)];
        let mut visited = 0;
        while let Some((pointer, key, node)) = stack.pop() {
            visited += 1;
            if visited > MAX_NODES {
                break;
            }
            if wanted(&key, node) {
                found.push(pointer.clone());
            }
            match node {
                Value::Array(items) => {
                    for (index, item) in items.iter().enumerate().take(MAX_NODES) {
                        stack.push((format!("{pointer}/{index}"), index.to_string(), item));
                    }
                }
                Value::Object(map) => {
                    for (name, value) in map.iter().take(MAX_NODES) {
                        let escaped = name.replace('~', "~0").replace('/', "~1");
                        stack.push((format!("{pointer}/{escaped}"), name.clone(), value));
                    }
                }
                _ => {}
            }
        }
        found
    }

    /// Applies `edit` to a random node for which `wanted` holds, if any.
    fn edit_node(
        rng: &mut ChaCha8Rng,
        document: &mut Value,
        wanted: impl Fn(&Value) -> bool,
        edit: impl FnOnce(&mut ChaCha8Rng, &mut Value),
    ) {
        let candidates = pointers(document, |_, node| wanted(node));
        if candidates.is_empty() {
            return;
        }
        let pointer = choose_ref(rng, &candidates).clone();
        if let Some(node) = document.pointer_mut(&pointer) {
            edit(rng, node);
        }
    }

    /// Applies `edit` to a random non-empty object (the whole document a fifth of the time).
    fn edit_object(
        rng: &mut ChaCha8Rng,
        document: &mut Value,
        edit: impl FnOnce(&mut ChaCha8Rng, &mut Map<String, Value>),
    ) {
        if rng.random_bool(0.2)
            && let Value::Object(map) = document
            && !map.is_empty()
        {
            edit(rng, map);
            return;
        }
        edit_node(
            rng,
            document,
            |node| node.as_object().is_some_and(|map| !map.is_empty()),
            |rng, node| {
                if let Value::Object(map) = node {
                    edit(rng, map);
                }
            },
        );
    }

    fn random_key(rng: &mut ChaCha8Rng, map: &Map<String, Value>) -> String {
        let index = rng.random_range(0..map.len());
        map.keys().nth(index).cloned().unwrap_or_default()
    }

    fn is_container(node: &Value) -> bool {
        node.is_array() || node.is_object()
    }

    fn has_items(node: &Value) -> bool {
        node.as_array().is_some_and(|items| !items.is_empty())
    }

    /// A number or a distribution object (`{"kind": {…}}`).
    fn is_param(node: &Value) -> bool {
        node.is_number()
            || node
                .as_object()
                .is_some_and(|map| map.len() == 1 && map.values().all(Value::is_object))
    }

    /// A value at or beyond the edges of the numeric types and the scenario's ranges, a raw
    /// literal such as `NaN` or `1e400`, or a transformation of `current`.
    fn extreme_number(rng: &mut ChaCha8Rng, current: Option<f64>) -> Value {
        match (rng.random_range(0..4), current) {
            (0, _) => raw(choose(rng, text::NUMBERS)),
            (1, _) => json!(choose(rng, FINITE_NUMBERS)),
            (2, _) => choose_ref(
                rng,
                &[
                    json!(u64::MAX),
                    json!(i64::MIN),
                    json!(i64::from(i32::MAX) + 1),
                    json!(9_007_199_254_740_993_u64),
                    json!(1_000_000_001),
                ],
            )
            .clone(),
            (_, Some(value)) => {
                let changed = match rng.random_range(0..6) {
                    0 => -value,
                    1 => value * 10f64.powi(rng.random_range(-12..=12)),
                    2 => value + 1.0,
                    3 => value - 1.0,
                    4 => value + 0.5,
                    _ => value * (1.0 + 1e-9),
                };
                serde_json::Number::from_f64(changed).map_or_else(|| raw("1e400"), Value::Number)
            }
            (_, None) => json!(0),
        }
    }

    /// A value of another JSON type than `node`.
    fn other_type(rng: &mut ChaCha8Rng, node: &Value) -> Value {
        let options = [
            Value::Null,
            json!(true),
            json!(0),
            json!(node.to_string()),
            json!([]),
            json!({}),
            json!([node.clone()]),
            json!({ "value": node.clone() }),
        ];
        loop {
            let candidate = choose_ref(rng, &options);
            if std::mem::discriminant(candidate) != std::mem::discriminant(node)
                || rng.random_bool(0.1)
            {
                return candidate.clone();
            }
        }
    }

    fn small_value(rng: &mut ChaCha8Rng) -> Value {
        choose_ref(
            rng,
            &[json!(1), json!("x"), Value::Null, json!([]), json!({})],
        )
        .clone()
    }

    /// A key one typo away: case, a dropped, doubled or swapped letter, `_` changed, a plural,
    /// padding, or a look-alike letter.
    fn near_miss(rng: &mut ChaCha8Rng, key: &str) -> String {
        let mut chars: Vec<char> = key.chars().collect();
        let index = if chars.is_empty() {
            0
        } else {
            rng.random_range(0..chars.len())
        };
        match rng.random_range(0..9) {
            0 => return key.to_uppercase(),
            1 if !chars.is_empty() => {
                chars.remove(index);
            }
            2 if !chars.is_empty() => chars.insert(index, chars[index]),
            3 if chars.len() > 1 => {
                let next = (index + 1) % chars.len();
                chars.swap(index, next);
            }
            4 => return key.replace('_', choose(rng, &["-", "", " ", "__"])),
            5 => return format!("{key}s"),
            6 => return format!("{key} "),
            7 => return key.replacen('a', "а", 1), // Cyrillic а
            _ => return format!("{}{}", key, choose(rng, &["_ltl", "_share", "2", "\u{0}"])),
        }
        chars.into_iter().collect()
    }

    /// Repeats the array's items up to 2 to 20,000 items; object items get fresh `id`s most of
    /// the time, so that the copies pass the duplicate-id check and reach the model.
    fn grow_array(rng: &mut ChaCha8Rng, node: &mut Value) {
        let Value::Array(items) = node else { return };
        let item_size = items
            .iter()
            .map(|item| item.to_string().len() + 1)
            .max()
            .unwrap_or(1);
        let wanted = choose(rng, &[2, 10, 201, 1000, 5000, 20_000]);
        let target = wanted.min(MAX_INPUT_BYTES / item_size).max(items.len());
        let fresh_ids = rng.random_bool(0.8);
        let originals = items.clone();
        for copy in originals.len()..target {
            let mut item = choose_ref(rng, &originals).clone();
            if fresh_ids && let Some(Value::String(id)) = item.get_mut("id") {
                id.push_str(&format!("-{copy}"));
            }
            items.push(item);
        }
    }

    /// Every string value in the document (at most [`MAX_NODES`] nodes looked at).
    fn strings_of(document: &Value) -> Vec<String> {
        pointers(document, |_, node| node.is_string())
            .iter()
            .filter_map(|pointer| document.pointer(pointer)?.as_str().map(str::to_string))
            .collect()
    }

    /// Another string of the document (ids refer to the wrong kind of thing), an id that does
    /// not exist, or an almost-equal variant of the string.
    fn unknown_reference(rng: &mut ChaCha8Rng, node: &Value, strings: &[String]) -> Value {
        let current = node.as_str().unwrap_or_default();
        let replacement = match rng.random_range(0..6) {
            0 | 1 if !strings.is_empty() => choose_ref(rng, strings).clone(),
            2 => "no-such-id".to_string(),
            3 => String::new(),
            4 => current.to_uppercase(),
            _ => format!("{current}\u{200b}"),
        };
        Value::String(replacement)
    }

    /// Reversed or out-of-range budget years.
    fn years(rng: &mut ChaCha8Rng, document: &mut Value) {
        let Some(budget) = document.get_mut("budget").and_then(Value::as_object_mut) else {
            return;
        };
        let keys = ["first_year", "last_year", "horizon_year"];
        let (a, b) = (choose(rng, &keys), choose(rng, &keys));
        if rng.random_bool(0.5) {
            let (first, second) = (budget.get(a).cloned(), budget.get(b).cloned());
            if let (Some(first), Some(second)) = (first, second) {
                budget.insert(a.into(), second);
                budget.insert(b.into(), first);
            }
        } else {
            let year = choose_ref(
                rng,
                &[
                    json!(1899),
                    json!(1900),
                    json!(2200),
                    json!(2201),
                    json!(0),
                    json!(-1),
                    json!(i32::MAX),
                    json!(i64::from(i32::MAX) + 1),
                    json!(i32::MIN),
                    json!(2007.5),
                    json!("2007"),
                ],
            )
            .clone();
            budget.insert(a.into(), year);
        }
    }

    /// A distribution of a random (possibly unknown) kind whose parameters are mostly invalid:
    /// missing, extra, reversed, non-positive, non-finite or huge.
    fn distribution(rng: &mut ChaCha8Rng) -> Value {
        let kind = choose(rng, KINDS);
        let mut parameters = Map::new();
        for name in DISTRIBUTION_PARAMETERS {
            if rng.random_bool(0.35) {
                let value = match rng.random_range(0..4) {
                    0 => raw(choose(rng, &["NaN", "Infinity", "-Infinity", "1e400"])),
                    1 => json!(choose(rng, FINITE_NUMBERS)),
                    _ => json!(rng.random_range(-2.0..3.0)),
                };
                parameters.insert((*name).to_string(), value);
            }
        }
        let mut outer = Map::new();
        outer.insert(kind.to_string(), Value::Object(parameters));
        if rng.random_bool(0.05) {
            outer.insert("normal".into(), json!({"mean": 0, "sd": 1}));
        }
        Value::Object(outer)
    }

    /// Shares, probabilities and rates outside [0, 1].
    fn share_out_of_range(rng: &mut ChaCha8Rng, document: &mut Value) {
        let candidates = pointers(document, |key, node| {
            node.is_number()
                && [
                    "share",
                    "probability",
                    "propensity",
                    "potential",
                    "rate",
                    "factor",
                    "retention",
                    "persistence",
                    "depreciation",
                ]
                .iter()
                .any(|word| key.contains(word))
        });
        let shares = pointers(document, |key, node| key == "shares" && node.is_object());
        let pointer = match (candidates.is_empty(), shares.is_empty()) {
            (true, true) => return,
            (false, true) => choose_ref(rng, &candidates).clone(),
            (true, false) => choose_ref(rng, &shares).clone(),
            (false, false) if rng.random_bool(0.8) => choose_ref(rng, &candidates).clone(),
            _ => choose_ref(rng, &shares).clone(),
        };
        let value = choose_ref(
            rng,
            &[
                json!(-0.01),
                json!(-1e-12),
                json!(1.000_000_1),
                json!(1.01),
                json!(2.0),
                json!(-1),
                json!(1e300),
                raw("NaN"),
                raw("-1e400"),
            ],
        )
        .clone();
        match document.pointer_mut(&pointer) {
            Some(Value::Object(shares)) if !shares.is_empty() => {
                let key = random_key(rng, shares);
                shares.insert(key, value);
            }
            Some(node) if node.is_number() => *node = value,
            _ => {}
        }
    }

    /// Replaces a node with the node at the same place in `other`, or with a random node of
    /// `other`, or of the same document.
    fn copy_subtree(rng: &mut ChaCha8Rng, document: &mut Value, other: &[u8]) {
        let source: Value = match serde_json::from_slice(other) {
            Ok(source) if rng.random_bool(0.7) => source,
            _ => document.clone(),
        };
        let targets = pointers(document, |_, _| true);
        let target = choose_ref(rng, &targets).clone();
        let replacement = match source.pointer(&target) {
            Some(same_place) if rng.random_bool(0.5) => same_place.clone(),
            _ => {
                let sources = pointers(&source, |_, _| true);
                let pointer = choose_ref(rng, &sources);
                source.pointer(pointer).cloned().unwrap_or(Value::Null)
            }
        };
        if let Some(node) = document.pointer_mut(&target) {
            *node = replacement;
        }
    }

    /// Allocation rules of every kind with odd parameters (shares for unknown clusters, negative
    /// or non-finite values, two rules at once), and budget profiles with the wrong number of
    /// weights or invalid ones.
    fn rules_and_profiles(rng: &mut ChaCha8Rng, document: &mut Value) {
        let cluster_ids: Vec<Value> = document
            .get("clusters")
            .and_then(Value::as_array)
            .map(|clusters| {
                clusters
                    .iter()
                    .filter_map(|c| c.get("id").cloned())
                    .collect()
            })
            .unwrap_or_default();
        let years = document
            .get("budget")
            .and_then(|budget| {
                let first = budget.get("first_year")?.as_i64()?;
                let last = budget.get("last_year")?.as_i64()?;
                Some(last.saturating_sub(first).saturating_add(1).clamp(0, 300))
            })
            .unwrap_or(3);
        let number = |rng: &mut ChaCha8Rng| match rng.random_range(0..5) {
            0 => json!(choose(rng, FINITE_NUMBERS)),
            1 => raw(choose(rng, &["NaN", "-1", "1e400", "-0"])),
            _ => json!(rng.random_range(0.0..1.0)),
        };
        if rng.random_bool(0.5) {
            let mut shares = Map::new();
            for id in &cluster_ids {
                if rng.random_bool(0.8) {
                    let key = id.as_str().unwrap_or("?").to_string();
                    shares.insert(key, number(rng));
                }
            }
            if rng.random_bool(0.2) {
                shares.insert("no-such-cluster".into(), number(rng));
            }
            let rule = match rng.random_range(0..10) {
                0 => json!("equal"),
                1 => json!("by_members"),
                2 => json!("by_potential"),
                3 => json!("Equal"),
                4 => json!("competitive"),
                5 => json!({"competitive": {"request_ltl_per_member": number(rng),
                    "request_base_ltl": number(rng), "quality_sd": number(rng)}}),
                6 => json!({"performance": {"base_share": number(rng)}}),
                7 => json!({"fixed": {"shares": shares}}),
                8 => json!({"equal": null, "fixed": {"shares": {}}}),
                _ => json!({}),
            };
            if let Some(policy) = document.get_mut("policy").and_then(Value::as_object_mut) {
                policy.insert("rule".into(), rule);
            }
        } else {
            let count = (years + rng.random_range(-1..=1)).max(0) as usize;
            let weights: Vec<Value> = (0..count).map(|_| number(rng)).collect();
            let profile = match rng.random_range(0..5) {
                0 => json!("even"),
                1 => json!("weights"),
                2 => json!({"weights": []}),
                _ => json!({ "weights": weights }),
            };
            if let Some(budget) = document.get_mut("budget").and_then(Value::as_object_mut) {
                budget.insert("profile".into(), profile);
            }
        }
    }
}
