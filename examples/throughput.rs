//! Throughput benchmark: runs per second and nanoseconds per model event, split by stage.
//!
//! ```text
//! cargo run --release --example throughput -- [--runs N] [--threads 1,2] [--scale K] [--seed S]
//!     [--stages kernel,recorded,all-in]
//! ```
//!
//! On the built-in baseline with every sector's firms multiplied by `--scale` (default 1), it
//! times `--runs` runs (default 1,000) three ways, each on one thread first:
//!
//! 1. **kernel**: the model alone — each run's parameters, the funded simulation and its
//!    no-funding counterfactual stepped to the horizon, nothing recorded. This pass also counts
//!    the runs' events ([`clustersim::model::EventCounts`]), which are the same in every stage
//!    because each run is a pure function of (scenario, seed, run index).
//! 2. **recorded**: [`clustersim::engine::simulate_run`] — the kernel plus the per-quarter
//!    outcome series and the year-end network structure, i.e. one run's whole record.
//! 3. **all-in**: [`clustersim::engine::run_scenario`] — the recorded runs folded into the
//!    aggregates in run order, as `clustersim run` does before it writes files; also at each
//!    thread count of `--threads` (default `1,2`).
//!
//! `--stages` times only the stages named (default all three; the kernel pass always runs, since
//! it counts the events, but is reported only when named) — e.g. `--stages kernel` to profile
//! the model alone with `perf record`.
//!
//! For each it prints runs/s and ns per event per core (wall time × threads / events) and, since
//! a shared machine's wall time includes waiting for a core, the same from the CPU time the
//! process used (utime + stime from /proc/self/stat), then the events per run by type and the
//! process's peak resident memory (VmHWM from /proc/self/status). The /proc figures are Linux
//! only (printed as unknown elsewhere). docs/PERFORMANCE.md records the figures with the machine
//! they were measured on.

use std::process::ExitCode;
use std::time::Instant;

use clustersim::engine::{RunRows, RunSettings, run_scenario, simulate_run};
use clustersim::model::{EventCounts, Simulation, draw_parameters};
use clustersim::policy::{AllocationRule, rule_for};
use clustersim::scenario::{Scenario, load_baseline};

struct Options {
    runs: u64,
    threads: Vec<usize>,
    scale: u64,
    seed: u64,
    stages: Vec<Stage>,
}

/// One of the timed stages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Kernel,
    Recorded,
    AllIn,
}

fn parse_options() -> Result<Options, String> {
    let mut options = Options {
        runs: 1000,
        threads: vec![1, 2],
        scale: 1,
        seed: 20_070_101,
        stages: vec![Stage::Kernel, Stage::Recorded, Stage::AllIn],
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let number = |text: &str| {
            text.parse::<u64>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| format!("{flag}: '{text}' is not a positive whole number"))
        };
        match flag.as_str() {
            "--runs" => options.runs = number(&value)?,
            "--scale" => options.scale = number(&value)?,
            "--seed" => options.seed = value.parse().map_err(|_| format!("--seed: '{value}'"))?,
            "--threads" => {
                options.threads = value
                    .split(',')
                    .map(|part| number(part).map(|n| n as usize))
                    .collect::<Result<_, _>>()?;
            }
            "--stages" => {
                options.stages = value
                    .split(',')
                    .map(|part| match part {
                        "kernel" => Ok(Stage::Kernel),
                        "recorded" => Ok(Stage::Recorded),
                        "all-in" => Ok(Stage::AllIn),
                        other => Err(format!(
                            "--stages: '{other}' is not a stage; valid: kernel, recorded, all-in"
                        )),
                    })
                    .collect::<Result<_, _>>()?;
            }
            other => {
                return Err(format!(
                    "unknown option {other}; valid: --runs N, --threads 1,2, --scale K, --seed S, --stages kernel,recorded,all-in"
                ));
            }
        }
    }
    Ok(options)
}

/// The baseline with every sector's firms (regular and sole proprietorships) times `scale`.
fn scaled_baseline(scale: u64) -> Result<Scenario, String> {
    let mut scenario = load_baseline().map_err(|error| format!("baseline: {error}"))?;
    for sector in &mut scenario.sectors {
        sector.firms *= scale;
        sector.regular_firms *= scale;
        sector.sole_firms *= scale;
    }
    Ok(scenario)
}

/// Peak resident memory of this process so far, in MiB (None off Linux).
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// CPU time this process has used so far (all its threads, live or ended), in seconds: utime +
/// stime of /proc/self/stat, in clock ticks of 1/100 s (Linux's fixed USER_HZ on x86 and ARM).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which is in parentheses and may contain spaces): state is
    // field 3, utime field 14, stime field 15.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |field: usize| fields.get(field - 3)?.parse::<f64>().ok();
    Some((ticks(14)? + ticks(15)?) / 100.0)
}

/// Times `work`: (wall seconds, CPU seconds if known).
fn timed(work: impl FnOnce()) -> (f64, Option<f64>) {
    let cpu_before = cpu_seconds();
    let started = Instant::now();
    work();
    let wall = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds()
        .zip(cpu_before)
        .map(|(after, before)| after - before);
    (wall, cpu)
}

fn report(stage: &str, runs: u64, threads: usize, (wall, cpu): (f64, Option<f64>), events: u64) {
    let per_event = |seconds: f64| seconds * 1e9 / events as f64;
    let cpu_text = match cpu {
        Some(cpu) => format!("; CPU {cpu:7.2} s, {:7.1} ns/event", per_event(cpu)),
        None => "; CPU time unknown".to_string(),
    };
    println!(
        "{stage:<9} {threads:>2} thread(s): wall {wall:7.3} s, {:8.1} runs/s, {:7.1} ns/event/core{cpu_text}",
        runs as f64 / wall,
        per_event(wall * threads as f64),
    );
}

fn main() -> ExitCode {
    let options = match parse_options() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("throughput: {message}");
            return ExitCode::from(2);
        }
    };
    let scenario = match scaled_baseline(options.scale) {
        Ok(scenario) => scenario,
        Err(message) => {
            eprintln!("throughput: {message}");
            return ExitCode::FAILURE;
        }
    };
    let (runs, seed) = (options.runs, options.seed);
    let slots = scenario.parameter_slots();
    let rule = rule_for(&scenario.policy.rule);
    let firms: u64 = scenario.sectors.iter().map(|s| s.firms).sum();
    println!(
        "baseline, sector firms × {} ({firms} firms), {runs} runs, seed {seed}",
        options.scale
    );

    let mut events = EventCounts::default();
    let kernel = timed(|| {
        for run in 0..runs {
            let parameters = draw_parameters(&scenario, &slots, seed, run);
            let funding: Option<&dyn AllocationRule> = Some(rule.as_ref());
            let mut funded = Simulation::new(&scenario, &parameters, funding, seed, run);
            let mut counterfactual = Simulation::new(&scenario, &parameters, None, seed, run);
            while !funded.finished() {
                funded.step();
                counterfactual.step();
            }
            events += funded.events();
            events += counterfactual.events();
        }
    });
    let total = events.total();
    if options.stages.contains(&Stage::Kernel) {
        report("kernel", runs, 1, kernel, total);
    }

    if options.stages.contains(&Stage::Recorded) {
        let recorded = timed(|| {
            for run in 0..runs {
                std::hint::black_box(simulate_run(&scenario, &slots, rule.as_ref(), seed, run));
            }
        });
        report("recorded", runs, 1, recorded, total);
    }

    let all_in_threads: &[usize] = if options.stages.contains(&Stage::AllIn) {
        &options.threads
    } else {
        &[]
    };
    for &threads in all_in_threads {
        let settings = RunSettings {
            runs,
            seed,
            threads,
        };
        let mut result = Ok(());
        let all_in = timed(|| {
            result = run_scenario(
                &scenario,
                settings,
                &|| {},
                &|| false,
                RunRows {
                    format: &|_, _| {},
                    write: &mut |_| Ok(()),
                },
            )
            .map(|aggregates| {
                std::hint::black_box(aggregates);
            });
        });
        if let Err(error) = result {
            eprintln!("throughput: {error:#}");
            return ExitCode::FAILURE;
        }
        report("all-in", runs, threads, all_in, total);
    }

    let per_run = |count: u64| count as f64 / runs as f64;
    println!(
        "events per run (funded + counterfactual): {:.1} = exits {:.1} + dissolutions {:.1} + joins {:.1} + tie attempts {:.1} + formations {:.2}; ties made {:.1}, projects {:.1}",
        per_run(total),
        per_run(events.exits),
        per_run(events.dissolutions),
        per_run(events.joins),
        per_run(events.tie_attempts),
        per_run(events.formations),
        per_run(events.ties_made),
        per_run(events.projects),
    );
    match peak_rss_mib() {
        Some(mib) => println!("peak RSS {mib:.1} MiB"),
        None => println!("peak RSS unknown (no /proc/self/status)"),
    }
    ExitCode::SUCCESS
}
