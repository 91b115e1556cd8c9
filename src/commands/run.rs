//! `clustersim run [SCENARIO]`: Monte Carlo runs of one scenario, written to a result folder.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::clock::RunClock;
use super::compare::{
    COMPARISON_FILES, ComparisonPlan, ComparisonRequest, write_comparison_results,
};
use crate::cli::RunArgs;
use crate::engine::network_history::{RunSelection, record_history};
use crate::engine::outcomes::HEADLINE_OUTCOMES;
use crate::engine::precision::{DEFAULT_MAX_RUNS, PrecisionReport, tracked_names};
use crate::engine::{Aggregates, PrecisionTarget, RunRows, RunSettings, run_scenario_range};
use crate::report::charts::{ChartOptions, render_network};
use crate::report::comparison::{ComparisonSet, comparison_table};
use crate::report::csv::{RunsWriter, allocations_csv, measures_csv, summary_csv};
use crate::report::network_export::{gexf, graphml};
use crate::report::render::{REPORT_FILES, render_reports};
use crate::report::table::headline_table;
use crate::report::verdict_by_input::BY_INPUT_FILE;
use crate::report::{Manifest, PendingOutput, PosteriorManifest, sha256_hex};
use crate::scenario::plan::MAX_RUNS;
use crate::scenario::{
    BASELINE_JSON, BASELINE_LABEL, Posterior, STDIN_LABEL, Scenario, load_baseline,
    posterior_folder, read_path,
};

/// Default root folder for results.
pub const OUTPUT_ROOT: &str = "output";

/// What a finished run produced.
#[derive(Debug)]
pub struct RunOutcome {
    /// The result folder.
    pub folder: PathBuf,
    /// The aggregates (of the baseline policy, for a comparison).
    pub aggregates: Aggregates,
    /// The comparison as written to `comparison.csv`, for `clustersim compare`.
    pub comparison: Option<ComparisonSet>,
}

/// The files every result folder holds (charts and reports are listed in
/// [`crate::report::render::REPORT_FILES`]).
pub const RESULT_FILES: [&str; 6] = [
    "summary.csv",
    "allocations.csv",
    "measures.csv",
    "runs.csv",
    "scenario.json",
    "manifest.json",
];

/// Set by the first Ctrl-C: no further chunk of runs starts.
pub(crate) static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// A run stopped by Ctrl-C; the partial result (if any runs finished) was written.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Interrupted {
    /// What was written, or that nothing was.
    pub message: String,
}

/// Installs the Ctrl-C handler once: the first Ctrl-C lets the runs in progress finish and then
/// writes a complete, clearly marked partial result; a second one exits at once, writing nothing.
pub(crate) fn install_interrupt_handler() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let installed = ctrlc::set_handler(|| {
            if INTERRUPTED.swap(true, Ordering::SeqCst) {
                eprintln!("\ninterrupted again: stopping now without writing a result");
                std::process::exit(130);
            }
            eprintln!(
                "\ninterrupted: finishing the runs in progress, then writing a partial result (Ctrl-C again to stop at once)"
            );
        });
        // Without a handler Ctrl-C simply ends the process, which leaves no result under a
        // final name either; nothing to report.
        let _ = installed;
    });
}

/// Runs a scenario as the command line asks and writes its results.
pub fn run(args: &RunArgs) -> anyhow::Result<RunOutcome> {
    execute(args, None)
}

/// The scenario a command line names: (checked scenario, file text, label for the manifest).
pub(crate) fn load_scenario(scenario: Option<&Path>) -> anyhow::Result<(Scenario, String, String)> {
    Ok(match scenario {
        Some(path) if path.as_os_str() == "-" => {
            let (scenario, text) = read_path(path)?;
            (scenario, text, STDIN_LABEL.to_string())
        }
        Some(path) => {
            let (scenario, text) = read_path(path)?;
            (scenario, text, path.display().to_string())
        }
        None => (
            load_baseline()?,
            BASELINE_JSON.to_string(),
            BASELINE_LABEL.to_string(),
        ),
    })
}

/// Runs a scenario — under its own policy, or, given a comparison request, under each policy
/// compared — and writes the result folder (or, given a shard, the shard folder): the shared
/// pipeline of `run` and `compare`.
pub(crate) fn execute(
    args: &RunArgs,
    request: Option<&ComparisonRequest>,
) -> anyhow::Result<RunOutcome> {
    let clock = RunClock::start()?;
    let (mut scenario, text, label) = load_scenario(args.scenario.as_deref())?;
    super::print_warnings(&scenario, &label);
    attach_posterior(&mut scenario, args, &text)?;
    let plan = request
        .map(|request| ComparisonPlan::resolve(&scenario, request))
        .transpose()?;
    let target = precision_target(args)?;
    let runs = match target {
        Some(target) => target.max_runs,
        None => args.runs.unwrap_or(scenario.runs),
    };
    if runs == 0 || runs > MAX_RUNS {
        bail!("--runs must be between 1 and {MAX_RUNS} (got {runs})");
    }
    let seed = args.seed.unwrap_or(scenario.seed);
    let shard = super::shard::select(args.shard.as_deref(), args.shards, &|name| {
        std::env::var(name).ok()
    })?;
    if let Some(selected) = &shard {
        if target.is_some() {
            bail!(
                "--until-se decides the run count as it goes, so it cannot be split into shards ({}); run --runs N with shards, or --until-se on one machine",
                selected.source
            );
        }
        if args.export_network.is_some() {
            bail!(
                "--export-network needs the whole result; run it on the merged result's scenario without a shard ({})",
                selected.source
            );
        }
    }
    let export = network_selection(args, request.is_some(), runs)?;
    let chart_options = super::report::chart_options(args.dpi)?;
    let threads = match args.threads {
        Some(0) => bail!("--threads must be at least 1"),
        Some(threads) => threads,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    if !args.allow_large {
        let policies = plan.as_ref().map_or(1, |plan| plan.policies.len());
        let simulated = shard.as_ref().map_or(runs, |selected| {
            let range = selected.plan.runs(runs);
            range.end - range.start
        });
        let work = crate::engine::limits::Work {
            runs: simulated,
            threads,
            policies,
            shard: shard.is_some(),
        };
        crate::engine::limits::check(
            crate::engine::limits::estimate_work(&scenario, work),
            crate::engine::limits::machine_memory_limit(),
        )?;
    }
    let settings = RunSettings {
        runs,
        seed,
        threads,
    };
    let command = reproduce_line(args, plan.as_ref(), runs, seed, false, &scenario);
    if let Some(selected) = shard {
        let out = args.out.as_deref().with_context(|| {
            format!(
                "a shard ({}) needs --out DIR: the shard folder that `clustersim merge` reads",
                selected.source
            )
        })?;
        return super::shard::run_shard(super::shard::ShardJob {
            scenario: &scenario,
            text: &text,
            label: &label,
            plan: plan.as_ref(),
            selected,
            settings,
            command,
            dpi: args.dpi,
            clock,
            out,
            force: args.force,
            quiet: args.quiet,
        });
    }
    let pending = match &args.out {
        Some(out) => PendingOutput::exact(out, args.force)?,
        None => PendingOutput::timestamped(
            Path::new(OUTPUT_ROOT),
            &scenario.name,
            &format!(
                "{}{}",
                if plan.is_some() { "compare-" } else { "" },
                clock.started().format("%Y%m%dT%H%M%SZ")
            ),
        )?,
    };
    install_interrupt_handler();
    let range = 0..runs;
    let result = match &plan {
        None => write_results(
            &scenario, settings, range, target, &pending, args.quiet, true,
        )
        .map(|(aggregates, precision)| (aggregates, None, precision)),
        Some(plan) => write_comparison_results(
            &scenario, plan, settings, range, target, &pending, args.quiet, true,
        )
        .map(|(aggregates, comparison, precision)| (aggregates, comparison.set, precision)),
    };
    let (aggregates, comparison, precision) = match result {
        Ok((aggregates, _, _)) if aggregates.runs == 0 => {
            pending.abandon();
            return Err(Interrupted {
                message: "interrupted before any run finished; nothing was written".into(),
            }
            .into());
        }
        Ok(done) => done,
        Err(error) => {
            pending.abandon();
            return Err(error);
        }
    };
    // With --until-se the runs end complete at the target or at --max-runs; only an interrupt
    // leaves them incomplete, and the result then counts the runs done as those requested.
    let complete = match &precision {
        Some(precision) => precision.reached || aggregates.runs == runs,
        None => aggregates.runs == runs,
    };
    let runs = if precision.is_some() && complete {
        aggregates.runs
    } else {
        runs
    };
    let exported = match &export {
        Some(selection) if complete => {
            match write_networks(
                &scenario,
                seed,
                selection,
                &aggregates,
                &pending,
                &chart_options,
            ) {
                Ok(()) => true,
                Err(error) => {
                    pending.abandon();
                    return Err(error);
                }
            }
        }
        _ => false,
    };
    let command = reproduce_line(
        args,
        plan.as_ref(),
        aggregates.runs,
        seed,
        exported,
        &scenario,
    );
    finish(ResultParts {
        scenario: &scenario,
        text: &text,
        label,
        plan: plan.as_ref(),
        aggregates,
        comparison,
        precision,
        runs,
        complete,
        seed,
        threads,
        started_utc: clock.started_utc(),
        clock,
        wall_seconds: None,
        command,
        exported,
        pending,
        chart_options,
        quiet: args.quiet,
        posterior: scenario.posterior.as_deref().map(PosteriorManifest::new),
    })
}

/// Everything a result folder is finished from, once its runs are aggregated and `runs.csv`,
/// the summaries and any comparison files are in the staging folder.
pub(crate) struct ResultParts<'a> {
    pub scenario: &'a Scenario,
    pub text: &'a str,
    pub label: String,
    pub plan: Option<&'a ComparisonPlan>,
    pub aggregates: Aggregates,
    pub comparison: Option<ComparisonSet>,
    pub precision: Option<PrecisionReport>,
    /// Runs requested.
    pub runs: u64,
    pub complete: bool,
    pub seed: u64,
    pub threads: usize,
    pub started_utc: String,
    pub clock: RunClock,
    /// Wall seconds to record instead of the clock's (a merge records its shards' sum).
    pub wall_seconds: Option<f64>,
    /// The command that reproduces the result.
    pub command: String,
    pub exported: bool,
    pub pending: PendingOutput,
    pub chart_options: ChartOptions,
    pub quiet: bool,
    /// The posterior the calibrated inputs were drawn from, if any (a merge takes it from its
    /// shards' `shard.json`, as its scenario carries none).
    pub posterior: Option<PosteriorManifest>,
}

/// Writes the manifest and the scenario, renders charts and reports, moves the folder into
/// place and prints the headline table: the end of `run`, `compare` and `merge` alike, so a
/// merged result is made by the same code as a one-machine result.
pub(crate) fn finish(parts: ResultParts) -> anyhow::Result<RunOutcome> {
    let ResultParts {
        scenario,
        text,
        label,
        plan,
        aggregates,
        comparison,
        precision,
        runs,
        complete,
        seed,
        threads,
        started_utc,
        clock,
        wall_seconds,
        command,
        exported,
        pending,
        chart_options,
        quiet,
        posterior,
    } = parts;
    let manifest = Manifest {
        tool: "clustersim".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        scenario_path: label,
        scenario_name: scenario.name.clone(),
        scenario_sha256: sha256_hex(text.as_bytes()),
        seed,
        runs,
        runs_completed: aggregates.runs,
        complete,
        threads,
        started_utc,
        finished_utc: clock.finished_utc(),
        wall_seconds: wall_seconds.unwrap_or_else(|| clock.wall_seconds()),
        command,
        files: RESULT_FILES
            .iter()
            .chain(if plan.is_some() {
                &COMPARISON_FILES[..]
            } else {
                &[]
            })
            .chain(&REPORT_FILES)
            .chain(
                plan.filter(|plan| plan.common_random_numbers)
                    .map(|_| &BY_INPUT_FILE),
            )
            .chain(if exported { &[NETWORK_FOLDER][..] } else { &[] })
            .map(|f| f.to_string())
            .collect(),
        comparison: plan.map(ComparisonPlan::manifest),
        precision: precision.clone(),
        posterior,
    };
    let written = pending
        .write("scenario.json", text.as_bytes())
        .and_then(|()| {
            let json = serde_json::to_string_pretty(&manifest).context("encoding the manifest")?;
            pending.write("manifest.json", format!("{json}\n").as_bytes())
        });
    let written = written.and_then(|()| render_reports(&pending.staging, &chart_options));
    if let Err(error) = written {
        pending.abandon();
        return Err(error);
    }
    let folder = pending.commit(complete)?;
    if !complete {
        return Err(Interrupted {
            message: format!(
                "interrupted: a partial result of the first {} of {runs} runs (marked \"complete\": false in its manifest) was written to {}",
                aggregates.runs,
                folder.display()
            ),
        }
        .into());
    }
    if !quiet {
        let horizon = scenario.budget.period_label(scenario.budget.quarters() - 1);
        let table = match &comparison {
            None => headline_table(&aggregates, &horizon, &scenario.currency),
            Some(comparison) => {
                comparison_table(comparison, &horizon, aggregates.runs, &scenario.currency)
            }
        };
        let precision_line = precision
            .as_ref()
            .map_or(String::new(), PrecisionReport::summary_line);
        super::print_stdout(&format!(
            "{table}{precision_line}Results written to {}\n",
            folder.display()
        ));
    }
    Ok(RunOutcome {
        folder,
        aggregates,
        comparison,
    })
}

/// The command line that reproduces a result of `runs` runs (with `--dpi` and, when networks
/// were exported, `--export-network`).
pub(crate) fn reproduce_line(
    args: &RunArgs,
    plan: Option<&ComparisonPlan>,
    runs: u64,
    seed: u64,
    exported: bool,
    scenario: &Scenario,
) -> String {
    let mut reproduce = reproduce_command(args.scenario.as_deref(), plan, runs, seed);
    let mut extra_options = String::new();
    if let Some(posterior) = &scenario.posterior {
        extra_options.push_str(&format!(" --posterior {}", shell_quote(&posterior.folder)));
    }
    if args.dpi != crate::cli::DEFAULT_DPI {
        extra_options.push_str(&format!(" --dpi {}", args.dpi));
    }
    if let (true, Some(text)) = (exported, &args.export_network) {
        extra_options.push_str(&format!(" --export-network {}", shell_quote(text)));
    }
    // Before a `< scenario.json` redirection, if any.
    match reproduce.find(" < ") {
        Some(at) => reproduce.insert_str(at, &extra_options),
        None => reproduce.push_str(&extra_options),
    }
    reproduce
}

/// Reads the posterior that `--posterior` or the scenario's `posterior` field names, if any,
/// prints its warnings and attaches it to the scenario (whose correlations then no longer
/// apply: the particles carry the calibrated inputs' dependence).
fn attach_posterior(scenario: &mut Scenario, args: &RunArgs, text: &str) -> anyhow::Result<()> {
    let Some(folder) = posterior_folder(
        args.posterior.as_deref(),
        scenario,
        args.scenario.as_deref(),
    ) else {
        return Ok(());
    };
    let (posterior, warnings) = Posterior::read(&folder, scenario, &sha256_hex(text.as_bytes()))?;
    for warning in warnings {
        eprintln!("{warning}");
    }
    scenario.correlations = None;
    scenario.posterior = Some(std::sync::Arc::new(posterior));
    Ok(())
}

/// The folder of a result that holds the exported networks.
pub const NETWORK_FOLDER: &str = "networks/";

/// The `--export-network` selection, checked before any run: only for `run`, and every run index
/// below the number of runs.
fn network_selection(
    args: &RunArgs,
    comparison: bool,
    runs: u64,
) -> anyhow::Result<Option<RunSelection>> {
    let Some(text) = &args.export_network else {
        return Ok(None);
    };
    if comparison {
        bail!(
            "--export-network is an option of `clustersim run`; run the scenario with the policy of interest to export its networks"
        );
    }
    let selection: RunSelection = text.parse()?;
    if selection.median && runs > crate::engine::EXACT_HEADLINE_RUNS {
        bail!(
            "--export-network median: the median run is found among at most {} runs (got {runs}); name run indices instead",
            crate::engine::EXACT_HEADLINE_RUNS
        );
    }
    if let Some(run) = selection.runs.iter().find(|run| **run >= runs) {
        bail!(
            "--export-network: run {run} does not exist; with {runs} runs the indices are 0 to {}",
            runs - 1
        );
    }
    Ok(Some(selection))
}

/// Simulates each selected run again and writes its networks into `networks/`: GEXF, GraphML
/// and a picture at the horizon (SVG and PNG).
fn write_networks(
    scenario: &Scenario,
    seed: u64,
    selection: &RunSelection,
    aggregates: &Aggregates,
    pending: &PendingOutput,
    chart_options: &ChartOptions,
) -> anyhow::Result<()> {
    let networked_index = HEADLINE_OUTCOMES
        .iter()
        .position(|name| *name == "networked_smes")
        .context("networked SMEs missing from the headline outcomes")?;
    let folder = pending.file(NETWORK_FOLDER);
    std::fs::create_dir_all(&folder).with_context(|| format!("creating '{}'", folder.display()))?;
    for run in selection.resolve(&aggregates.headline[networked_index]) {
        let history = record_history(scenario, seed, run);
        pending.write(
            &format!("{NETWORK_FOLDER}run-{run}.gexf"),
            gexf(scenario, &history).as_bytes(),
        )?;
        pending.write(
            &format!("{NETWORK_FOLDER}run-{run}.graphml"),
            graphml(scenario, &history).as_bytes(),
        )?;
        let picture = render_network(scenario, &history, seed, chart_options)
            .with_context(|| format!("drawing the networks of run {run}"))?;
        pending.write(
            &format!("{NETWORK_FOLDER}{}.svg", picture.name),
            picture.svg.as_bytes(),
        )?;
        pending.write(
            &format!("{NETWORK_FOLDER}{}.png", picture.name),
            &picture.png,
        )?;
    }
    Ok(())
}

/// The `--until-se` target the command line asks for, checked.
fn precision_target(args: &RunArgs) -> anyhow::Result<Option<PrecisionTarget>> {
    let Some(relative_se) = args.until_se else {
        return Ok(None);
    };
    if !(relative_se.is_finite() && relative_se > 0.0) {
        bail!(
            "--until-se must be a positive relative standard error such as 0.01 (1% of the mean); got {relative_se}"
        );
    }
    let max_runs = args.max_runs.unwrap_or(DEFAULT_MAX_RUNS);
    if max_runs == 0 || max_runs > MAX_RUNS {
        bail!("--max-runs must be between 1 and {MAX_RUNS} (got {max_runs})");
    }
    Ok(Some(PrecisionTarget {
        relative_se,
        max_runs,
    }))
}

/// Runs the engine on the runs `range`, streaming `runs.csv`, then (if `summaries`) writes the
/// summaries. With a precision target, also returns the precision reached.
pub(crate) fn write_results(
    scenario: &Scenario,
    settings: RunSettings,
    range: std::ops::Range<u64>,
    target: Option<PrecisionTarget>,
    pending: &PendingOutput,
    quiet: bool,
    summaries: bool,
) -> anyhow::Result<(Aggregates, Option<PrecisionReport>)> {
    let bar = progress_bar(range.end - range.start, "runs", quiet);
    let mut runs_writer = RunsWriter::create(&pending.file("runs.csv"), scenario)?;
    let (aggregates, tracker) = run_scenario_range(
        scenario,
        settings,
        range,
        target,
        &|| bar.inc(1),
        &|| INTERRUPTED.load(Ordering::SeqCst),
        RunRows {
            format: &RunsWriter::format,
            write: &mut |text| runs_writer.push_lines(text),
        },
    )?;
    bar.finish_and_clear();
    runs_writer.finish()?;
    if summaries {
        write_summaries(scenario, &aggregates, pending)?;
    }
    let precision = tracker.map(|tracker| tracker.report(&tracked_names(&[])));
    Ok((aggregates, precision))
}

/// Writes `summary.csv`, `allocations.csv` and `measures.csv` of a policy's aggregates.
pub(crate) fn write_summaries(
    scenario: &Scenario,
    aggregates: &Aggregates,
    pending: &PendingOutput,
) -> anyhow::Result<()> {
    pending.write("summary.csv", summary_csv(scenario, aggregates).as_bytes())?;
    pending.write(
        "allocations.csv",
        allocations_csv(scenario, aggregates).as_bytes(),
    )?;
    pending.write(
        "measures.csv",
        measures_csv(scenario, aggregates).as_bytes(),
    )
}

/// A progress bar on stderr counting `unit` (e.g. "runs") with its rate and ETA, hidden when
/// quiet or not a terminal.
pub(crate) fn progress_bar(length: u64, unit: &'static str, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(length), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(&format!(
        "{{spinner}} [{{elapsed_precise}}] {{wide_bar}} {{pos}}/{{len}} {unit} ({{rate}}, ETA {{eta}})"
    )) {
        bar.set_style(style.with_key(
            "rate",
            move |state: &indicatif::ProgressState, writer: &mut dyn std::fmt::Write| {
                let _ = write!(writer, "{:.0} {unit}/s", state.per_sec());
            },
        ));
    }
    bar
}

/// The command line that reproduces a result.
///
/// A scenario read from standard input is reproduced from the copy in the result folder
/// (`scenario.json`), run from inside that folder.
fn reproduce_command(
    scenario: Option<&Path>,
    plan: Option<&ComparisonPlan>,
    runs: u64,
    seed: u64,
) -> String {
    let verb = if plan.is_some() { "compare" } else { "run" };
    let options = match plan {
        None => format!("--runs {runs} --seed {seed}"),
        Some(plan) => format!(
            "{} --runs {runs} --seed {seed}",
            plan.command_options(shell_quote)
        ),
    };
    match scenario {
        Some(path) if path.as_os_str() == "-" => {
            format!("clustersim {verb} - {options} < scenario.json")
        }
        Some(path) => format!(
            "clustersim {verb} {} {options}",
            shell_quote(&path.display().to_string())
        ),
        None => format!("clustersim {verb} {options}"),
    }
}

pub(crate) fn shell_quote(text: &str) -> String {
    if text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_./,%".contains(c))
    {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}
