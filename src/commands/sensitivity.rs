//! `clustersim sensitivity [SCENARIO]`: generates the Sobol', Morris and tornado designs,
//! runs the simulator on them and analyses them in one command (so design and analysis cannot
//! mismatch), and writes a result folder: `sensitivity.csv`, charts, `report.html`,
//! `report.md`, `scenario.json` and `manifest.json`.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, bail};

use super::run::{OUTPUT_ROOT, load_scenario, progress_bar, shell_quote};
use crate::cli::{DEFAULT_DPI, DEFAULT_REPLICATIONS, DEFAULT_TRAJECTORIES, SensitivityArgs};
use crate::engine::sensitivity::{DesignSizes, SensitivityPlan, evaluate_designs};
use crate::engine::sensitivity_analysis::{SensitivityAnalysis, analyse};
use crate::report::sensitivity_csv::sensitivity_csv;
use crate::report::sensitivity_report::{SENSITIVITY_REPORT_FILES, write_sensitivity_reports};
use crate::report::{Manifest, PendingOutput, sha256_hex};
use crate::scenario::{NamedPolicy, STDIN_LABEL, Scenario};

/// Most rows of the Sobol' design.
pub const MAX_SAMPLES: usize = 1 << 16;
/// Most Morris trajectories or tornado replications.
pub const MAX_REPEATS: usize = 10_000;

/// The files a sensitivity result folder holds besides its reports.
pub const SENSITIVITY_FILES: [&str; 3] = ["sensitivity.csv", "scenario.json", "manifest.json"];

/// What a finished analysis produced.
#[derive(Debug)]
pub struct SensitivityOutcome {
    /// The result folder.
    pub folder: std::path::PathBuf,
    /// The analysis.
    pub analysis: SensitivityAnalysis,
}

/// Checks the design sizes given on the command line.
fn sizes(args: &SensitivityArgs) -> anyhow::Result<DesignSizes> {
    let samples = args.samples;
    if !(8..=MAX_SAMPLES).contains(&samples) || !samples.is_power_of_two() {
        bail!(
            "--samples must be a power of two from 8 to {MAX_SAMPLES} (e.g. 256, 512, 1024), so that the Sobol' points form a balanced net (got {samples})"
        );
    }
    for (flag, value) in [
        ("--trajectories", args.trajectories),
        ("--replications", args.replications),
    ] {
        if !(2..=MAX_REPEATS).contains(&value) {
            bail!("{flag} must be between 2 and {MAX_REPEATS} (got {value})");
        }
    }
    Ok(DesignSizes {
        samples,
        trajectories: args.trajectories,
        replications: args.replications,
    })
}

/// The policies analysed: the scenario's own, or the one or two named.
fn policies(scenario: &Scenario, names: Option<&[String]>) -> anyhow::Result<Vec<NamedPolicy>> {
    let Some(names) = names else {
        return Ok(vec![scenario.main_policy()]);
    };
    if names.is_empty() || names.len() > 2 {
        bail!(
            "--policies takes one or two policies (got {}); with two, a,b, the paired difference b − a is analysed",
            names.len()
        );
    }
    let mut seen = BTreeSet::new();
    let mut policies = Vec::with_capacity(names.len());
    for name in names {
        let name = name.trim();
        if name.is_empty() {
            bail!(
                "--policies has an empty name; give names separated by single commas, e.g. --policies equal,performance"
            );
        }
        if !seen.insert(name.to_string()) {
            bail!("--policies names '{name}' twice; give two different policies");
        }
        policies.push(
            scenario
                .resolve_policy(name)
                .map_err(anyhow::Error::msg)
                .context("--policies")?,
        );
    }
    Ok(policies)
}

/// Runs the analysis the command line asks for and writes its result folder.
pub fn sensitivity(args: &SensitivityArgs) -> anyhow::Result<SensitivityOutcome> {
    let started = chrono::Utc::now();
    let clock = Instant::now();
    let (scenario, text, label) = load_scenario(args.scenario.as_deref())?;
    let sizes = sizes(args)?;
    let policies = policies(&scenario, args.policies.as_deref())?;
    let seed = args.seed.unwrap_or(scenario.seed);
    let chart_options = super::report::chart_options(args.dpi)?;
    let threads = match args.threads {
        Some(0) => bail!("--threads must be at least 1"),
        Some(threads) => threads,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    let policy_names: Vec<String> = policies.iter().map(|p| p.name.clone()).collect();
    let plan = SensitivityPlan::new(&scenario, policies, sizes, seed)?;
    let pending = match &args.out {
        Some(out) => PendingOutput::exact(out, args.force)?,
        None => PendingOutput::timestamped(
            Path::new(OUTPUT_ROOT),
            &scenario.name,
            &format!("sensitivity-{}", started.format("%Y%m%dT%H%M%SZ")),
        )?,
    };
    let result = (|| -> anyhow::Result<SensitivityAnalysis> {
        let bar = progress_bar(plan.evaluations() as u64, "runs", args.quiet);
        let outputs = evaluate_designs(&plan, threads, &|| bar.inc(1))?;
        bar.finish_and_clear();
        let analysis = analyse(&plan, &outputs, seed, threads)?;
        pending.write(
            "sensitivity.csv",
            sensitivity_csv(&analysis, &scenario.currency).as_bytes(),
        )?;
        pending.write("scenario.json", text.as_bytes())?;
        let manifest = Manifest {
            tool: "clustersim".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            scenario_path: label.clone(),
            scenario_name: scenario.name.clone(),
            scenario_sha256: sha256_hex(text.as_bytes()),
            seed,
            runs: plan.evaluations() as u64,
            runs_completed: plan.evaluations() as u64,
            complete: true,
            threads,
            started_utc: started.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            finished_utc: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            wall_seconds: (clock.elapsed().as_secs_f64() * 1000.0).round() / 1000.0,
            command: reproduce_command(args, &label, &policy_names, seed),
            files: SENSITIVITY_FILES
                .iter()
                .chain(&SENSITIVITY_REPORT_FILES)
                .map(|f| f.to_string())
                .collect(),
            comparison: None,
            precision: None,
            posterior: None,
        };
        let json = serde_json::to_string_pretty(&manifest).context("encoding the manifest")?;
        pending.write("manifest.json", format!("{json}\n").as_bytes())?;
        write_sensitivity_reports(
            &pending.staging,
            &scenario,
            &plan,
            &analysis,
            &manifest,
            &chart_options,
        )?;
        Ok(analysis)
    })();
    let analysis = match result {
        Ok(analysis) => analysis,
        Err(error) => {
            pending.abandon();
            return Err(error);
        }
    };
    let folder = pending.commit(true)?;
    if scenario.correlations.is_some() {
        eprintln!(
            "warning: the scenario's correlations are not imposed here: Sobol' indices, Morris and the tornado treat the inputs as independent (run and compare impose them)"
        );
    }
    if scenario.file.posterior.is_some() {
        eprintln!(
            "warning: the scenario's posterior is not used here: sensitivity analysis places the inputs by their priors' quantiles (run and compare draw from the posterior)"
        );
    }
    for warning in &analysis.warnings {
        eprintln!("warning: {warning}");
    }
    if !args.quiet {
        super::print_stdout(&format!(
            "{}Results written to {}\n",
            summary_table(&analysis),
            folder.display()
        ));
    }
    Ok(SensitivityOutcome { folder, analysis })
}

/// The top five inputs by total index for the first outcome of each policy (networked SMEs) and
/// for the paired difference, as text.
fn summary_table(analysis: &SensitivityAnalysis) -> String {
    let mut out = String::new();
    for outcome in analysis
        .outcomes
        .iter()
        .filter(|o| o.outcome.outcome == "networked_smes")
    {
        out.push_str(&format!(
            "Networked SMEs ({}): largest total Sobol' indices (95% interval)\n",
            outcome.outcome.policy
        ));
        match &outcome.note {
            Some(note) => out.push_str(&format!("  no indices: {note}\n")),
            None => {
                for input in crate::report::sensitivity_report::top_inputs(outcome, 5) {
                    if let Some(total) = input.total {
                        out.push_str(&format!(
                            "  {:<45} {:>6.3}  ({:.3} to {:.3})\n",
                            input.input, total.value, total.low, total.high
                        ));
                    }
                }
            }
        }
    }
    out
}

/// The command line that reproduces a result (a scenario from standard input is reproduced
/// from the copy in the result folder).
fn reproduce_command(
    args: &SensitivityArgs,
    label: &str,
    policies: &[String],
    seed: u64,
) -> String {
    let mut options = format!("--samples {} --seed {seed}", args.samples);
    if args.trajectories != DEFAULT_TRAJECTORIES {
        options.push_str(&format!(" --trajectories {}", args.trajectories));
    }
    if args.replications != DEFAULT_REPLICATIONS {
        options.push_str(&format!(" --replications {}", args.replications));
    }
    if args.policies.is_some() {
        options.push_str(&format!(" --policies {}", shell_quote(&policies.join(","))));
    }
    if args.dpi != DEFAULT_DPI {
        options.push_str(&format!(" --dpi {}", args.dpi));
    }
    match args.scenario.as_deref() {
        Some(path) if label == STDIN_LABEL || path.as_os_str() == "-" => {
            format!("clustersim sensitivity - {options} < scenario.json")
        }
        Some(path) => format!(
            "clustersim sensitivity {} {options}",
            shell_quote(&path.display().to_string())
        ),
        None => format!("clustersim sensitivity {options}"),
    }
}
