//! `clustersim calibrate [SCENARIO] --targets FILE`: ABC-SMC on the scenario's uncertain inputs,
//! written to a result folder (docs/CALIBRATION.md).

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::Ordering;
use std::time::Instant;

use anyhow::{Context, bail};
use indicatif::ProgressBar;

use super::run::{INTERRUPTED, Interrupted, OUTPUT_ROOT, install_interrupt_handler, shell_quote};
use crate::calibration::abc::{AbcSettings, Ending, Progress};
use crate::calibration::run::{Calibration, calibrate_scenario, input_narrowing};
use crate::calibration::targets::{Targets, observation_targets, read_targets, targets_from_str};
use crate::cli::{
    CalibrateArgs, DEFAULT_GENERATIONS, DEFAULT_MAX_MOVES, DEFAULT_PARTICLES, DEFAULT_QUANTILE,
};
use crate::report::abc_files::{
    CALIBRATION_FILES, CalibrationManifest, CalibrationManifestFile, fit_csv, generations_csv,
    posterior_csv,
};
use crate::report::{PendingOutput, sha256_hex};
use crate::scenario::Scenario;

/// The targets shipped with the built-in baseline.
pub const BASELINE_TARGETS_JSON: &str =
    include_str!("../../scenarios/lithuania-2007-2013.targets.json");
/// Label of the baseline's shipped targets in messages and manifests.
pub const BASELINE_TARGETS_LABEL: &str = "scenarios/lithuania-2007-2013.targets.json (built in)";
/// Standard deviation of a scenario observation used as a target, as a share of its count.
pub const OBSERVATION_SD_SHARE: f64 = 0.25;
/// Most particles accepted.
const MAX_PARTICLES: usize = 1_000_000;
/// Most generations accepted.
const MAX_GENERATIONS: usize = 1000;
/// Most rounds of moves accepted.
const MAX_MOVES: usize = 100;

/// What a finished calibration produced.
#[derive(Debug)]
pub struct CalibrateOutcome {
    /// The result folder.
    pub folder: PathBuf,
    /// The calibration.
    pub calibration: Calibration,
}

/// Where the targets came from: (targets, label, bytes hashed, text to copy as targets.json).
type TargetSource = (Targets, String, String, Option<String>);

fn load_targets(
    args: &CalibrateArgs,
    scenario: &Scenario,
    scenario_text: &str,
) -> anyhow::Result<TargetSource> {
    Ok(match (&args.targets, &args.scenario) {
        (Some(path), _) => {
            let (targets, text) = read_targets(path, scenario)?;
            (
                targets,
                path.display().to_string(),
                text.clone(),
                Some(text),
            )
        }
        (None, None) => (
            targets_from_str(BASELINE_TARGETS_JSON, BASELINE_TARGETS_LABEL, scenario)?,
            BASELINE_TARGETS_LABEL.to_string(),
            BASELINE_TARGETS_JSON.to_string(),
            Some(BASELINE_TARGETS_JSON.to_string()),
        ),
        (None, Some(path)) => {
            let (targets, skipped) = observation_targets(scenario, OBSERVATION_SD_SHARE);
            if targets.is_empty() {
                bail!(
                    "scenario '{}' has no observations inside the run to calibrate to; give a targets file with --targets (see `clustersim schema --targets` and docs/CALIBRATION.md)",
                    path.display()
                );
            }
            (
                Targets { targets, skipped },
                "scenario observations".to_string(),
                scenario_text.to_string(),
                None,
            )
        }
    })
}

fn settings(args: &CalibrateArgs, scenario: &Scenario) -> anyhow::Result<AbcSettings> {
    if !(2..=MAX_PARTICLES).contains(&args.particles) {
        bail!(
            "--particles must be between 2 and {MAX_PARTICLES} (got {})",
            args.particles
        );
    }
    if args.generations > MAX_GENERATIONS {
        bail!(
            "--generations must be at most {MAX_GENERATIONS} (got {})",
            args.generations
        );
    }
    if !(args.quantile > 0.0 && args.quantile < 1.0) {
        bail!(
            "--quantile must lie strictly between 0 and 1, e.g. 0.5 (got {})",
            args.quantile
        );
    }
    if !(1..=MAX_MOVES).contains(&args.max_moves) {
        bail!(
            "--max-moves must be between 1 and {MAX_MOVES} (got {})",
            args.max_moves
        );
    }
    let threads = match args.threads {
        Some(0) => bail!("--threads must be at least 1"),
        Some(threads) => threads,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    Ok(AbcSettings {
        particles: args.particles,
        generations: args.generations,
        quantile: args.quantile,
        seed: args.seed.unwrap_or(scenario.seed),
        threads,
        max_moves: args.max_moves,
    })
}

/// Calibrates a scenario as the command line asks and writes the result folder.
pub fn calibrate(args: &CalibrateArgs) -> anyhow::Result<CalibrateOutcome> {
    let started = chrono::Utc::now();
    let clock = Instant::now();
    let (scenario, text, label) = super::run::load_scenario(args.scenario.as_deref())?;
    super::print_warnings(&scenario, &label);
    let (targets, targets_label, targets_bytes, targets_copy) =
        load_targets(args, &scenario, &text)?;
    for note in &targets.skipped {
        eprintln!("note: {note}");
    }
    let settings = settings(args, &scenario)?;
    let pending = match &args.out {
        Some(out) => PendingOutput::exact(out, args.force)?,
        None => PendingOutput::timestamped(
            Path::new(OUTPUT_ROOT),
            &scenario.name,
            &format!("calibrate-{}", started.format("%Y%m%dT%H%M%SZ")),
        )?,
    };
    install_interrupt_handler();
    let bar: Mutex<ProgressBar> = Mutex::new(ProgressBar::hidden());
    let start = |generation: usize, tolerance: f64| {
        if let Ok(mut bar) = bar.lock() {
            bar.finish_and_clear();
            // Generation 0 simulates each particle once; later ones move each particle up to
            // --max-moves times.
            let length = if generation == 0 {
                settings.particles
            } else {
                settings.particles * settings.max_moves
            };
            *bar = super::run::progress_bar(length as u64, "moves", args.quiet);
            if !args.quiet {
                bar.println(if tolerance.is_finite() {
                    format!("generation {generation}: tolerance {tolerance:.4}")
                } else {
                    format!("generation {generation}: drawing from the prior")
                });
            }
        }
    };
    let step = || {
        if let Ok(bar) = bar.lock() {
            bar.inc(1);
        }
    };
    let stop = || INTERRUPTED.load(Ordering::SeqCst);
    let progress = Progress {
        start: &start,
        step: &step,
        stop: &stop,
    };
    let result = calibrate_scenario(&scenario, &targets.targets, settings, &progress);
    if let Ok(bar) = bar.lock() {
        bar.finish_and_clear();
    }
    let calibration = match result {
        Ok(calibration) if calibration.abc.generations.is_empty() => {
            pending.abandon();
            return Err(Interrupted {
                message: "interrupted before the first generation finished; nothing was written"
                    .into(),
            }
            .into());
        }
        Ok(calibration) => calibration,
        Err(error) => {
            pending.abandon();
            return Err(error);
        }
    };
    let complete = calibration.abc.ending != Ending::Interrupted;
    let written = write_files(
        &pending,
        args,
        &scenario,
        (&text, &label),
        (
            &targets,
            &targets_label,
            &targets_bytes,
            targets_copy.as_deref(),
        ),
        &calibration,
        settings,
        (started, clock, complete),
    );
    // The charts and the report are drawn from the files just written, as `clustersim report`
    // re-draws them.
    let written = written.and_then(|()| {
        crate::report::calibration::write_calibration_outputs(&pending.file(""), &scenario)
    });
    if let Err(error) = written {
        pending.abandon();
        return Err(error);
    }
    let folder = pending.commit(complete)?;
    report_misfits(&targets, &calibration);
    let finished = calibration.abc.generations.len() - 1;
    if !complete {
        return Err(Interrupted {
            message: format!(
                "interrupted: the {} finished generations (marked \"complete\": false in the manifest) were written to {}",
                finished + 1,
                folder.display()
            ),
        }
        .into());
    }
    if !args.quiet {
        super::print_stdout(&format!(
            "{}Results written to {}\n",
            summary_text(&targets, &calibration),
            folder.display()
        ));
    }
    Ok(CalibrateOutcome {
        folder,
        calibration,
    })
}

/// Misfits on stderr, always: a target the calibrated model does not reach.
fn report_misfits(targets: &Targets, calibration: &Calibration) {
    for (target, fit) in targets.targets.iter().zip(&calibration.fit) {
        if fit.misfit {
            eprintln!(
                "misfit: {} ({}): observed {}, posterior predictive 90% interval {} to {}, closest simulated {}",
                target.name,
                target.description,
                target.observed,
                fit.posterior.p05,
                fit.posterior.p95,
                fit.closest
            );
        }
    }
}

/// The fit per target and the inputs the data narrow most, as plain-text tables.
fn summary_text(targets: &Targets, calibration: &Calibration) -> String {
    let mut out = String::from("Generations:\n  gen  tolerance  simulations  acceptance  ESS\n");
    for generation in &calibration.abc.generations {
        out.push_str(&format!(
            "  {:>3}  {:>9.4}  {:>11}  {:>10.4}  {:>6.1}\n",
            generation.generation,
            generation.tolerance,
            generation.simulations,
            generation.acceptance_rate,
            generation.ess
        ));
    }
    out.push_str("Fit per target (mean [5%, 95%]):\n");
    for (target, fit) in targets.targets.iter().zip(&calibration.fit) {
        out.push_str(&format!(
            "  {}: observed {} ({}); prior {:.4} [{:.4}, {:.4}]; posterior {:.4} [{:.4}, {:.4}]{}\n",
            target.name,
            target.observed,
            target.kind(),
            fit.prior.mean,
            fit.prior.p05,
            fit.prior.p95,
            fit.posterior.mean,
            fit.posterior.p05,
            fit.posterior.p95,
            if fit.misfit { "  MISFIT" } else { "" }
        ));
    }
    let mut narrowing = input_narrowing(calibration);
    narrowing.sort_by(|a, b| a.width_ratio().total_cmp(&b.width_ratio()));
    out.push_str("Inputs by posterior 90% width / prior 90% width (narrowest first):\n");
    for input in &narrowing {
        out.push_str(&format!(
            "  {:<45} {:.3}  prior [{:.4}, {:.4}]  posterior [{:.4}, {:.4}]\n",
            input.label,
            input.width_ratio(),
            input.prior.p05,
            input.prior.p95,
            input.posterior.p05,
            input.posterior.p95
        ));
    }
    out
}

/// Writes the CSVs, the copies of the inputs and the manifest into the staging folder.
#[allow(clippy::too_many_arguments)]
fn write_files(
    pending: &PendingOutput,
    args: &CalibrateArgs,
    scenario: &Scenario,
    (text, label): (&str, &str),
    (targets, targets_label, targets_bytes, targets_copy): (&Targets, &str, &str, Option<&str>),
    calibration: &Calibration,
    settings: AbcSettings,
    (started, clock, complete): (chrono::DateTime<chrono::Utc>, Instant, bool),
) -> anyhow::Result<()> {
    let abc = &calibration.abc;
    pending.write(
        "posterior.csv",
        posterior_csv(&calibration.labels, &abc.posterior).as_bytes(),
    )?;
    pending.write(
        "fit.csv",
        fit_csv(&targets.targets, &calibration.fit).as_bytes(),
    )?;
    pending.write(
        "generations.csv",
        generations_csv(&abc.generations).as_bytes(),
    )?;
    pending.write("scenario.json", text.as_bytes())?;
    let mut files: Vec<String> = CALIBRATION_FILES.iter().map(|f| f.to_string()).collect();
    if let Some(copy) = targets_copy {
        pending.write("targets.json", copy.as_bytes())?;
        files.push("targets.json".into());
    }
    let simulations =
        abc.generations.iter().map(|g| g.simulations).sum::<u64>() + abc.posterior.len() as u64;
    let manifest = CalibrationManifestFile {
        tool: "clustersim".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        scenario_path: label.to_string(),
        scenario_name: scenario.name.clone(),
        scenario_sha256: sha256_hex(text.as_bytes()),
        seed: settings.seed,
        complete,
        threads: settings.threads,
        started_utc: started.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        finished_utc: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        wall_seconds: (clock.elapsed().as_secs_f64() * 1000.0).round() / 1000.0,
        command: reproduce_command(args, settings, abc.generations.len() - 1),
        files,
        calibration: CalibrationManifest {
            targets_file: targets_label.to_string(),
            targets_hash: sha256_hex(targets_bytes.as_bytes()),
            ess: abc.generations.last().map_or(f64::NAN, |g| g.ess),
            particles: settings.particles,
            generations: settings.generations,
            generations_completed: abc.generations.len() - 1,
            quantile: settings.quantile,
            max_moves: settings.max_moves,
            simulations,
            ending: match abc.ending {
                Ending::Completed => "completed",
                Ending::Interrupted => "interrupted",
            }
            .into(),
            misfits: targets
                .targets
                .iter()
                .zip(&calibration.fit)
                .filter(|(_, fit)| fit.misfit)
                .map(|(target, _)| target.name.clone())
                .collect(),
        },
    };
    let json = serde_json::to_string_pretty(&manifest).context("encoding the manifest")?;
    pending.write("manifest.json", format!("{json}\n").as_bytes())
}

/// The command line that reproduces the result; after an interrupt, with the generations that
/// finished (the same particles, since generations never depend on later ones).
fn reproduce_command(args: &CalibrateArgs, settings: AbcSettings, generations: usize) -> String {
    let mut command = String::from("clustersim calibrate");
    if let Some(path) = &args.scenario {
        command.push(' ');
        command.push_str(&shell_quote(&path.display().to_string()));
    }
    if let Some(path) = &args.targets {
        command.push_str(&format!(
            " --targets {}",
            shell_quote(&path.display().to_string())
        ));
    }
    if settings.particles != DEFAULT_PARTICLES {
        command.push_str(&format!(" --particles {}", settings.particles));
    }
    if generations != DEFAULT_GENERATIONS {
        command.push_str(&format!(" --generations {generations}"));
    }
    if settings.quantile != DEFAULT_QUANTILE {
        command.push_str(&format!(" --quantile {}", settings.quantile));
    }
    if settings.max_moves != DEFAULT_MAX_MOVES {
        command.push_str(&format!(" --max-moves {}", settings.max_moves));
    }
    command.push_str(&format!(" --seed {}", settings.seed));
    // A scenario read from standard input is rerun from the copy in the result folder.
    if args.scenario.as_deref() == Some(Path::new("-")) {
        command.push_str(" < scenario.json");
    }
    command
}
