//! The memory estimate `clustersim run` checks before it starts, with its parts, for comparing
//! with a measured peak.
//!
//! ```text
//! cargo run --release --example memory_estimate -- [SCENARIO] [--scale K] [--runs N]
//!     [--threads 1,2,16] [--policies P] [--shard]
//! ```
//!
//! For the scenario file (default: the built-in baseline) with every sector's firms multiplied
//! by `--scale` (default 1, as `examples/throughput.rs` does), it prints the expected networks of
//! one run and, for each thread count, the estimated peak (engine and report stages) of `--runs`
//! runs (default 1,000) of `--policies` policies (default 1; more is `compare`), as a whole
//! result or, with `--shard`, as a shard (its state, no reports: what `run --shard 1/1`
//! measures). Measure the peak to compare with `/usr/bin/time -f "%e s %M KB" clustersim run …`;
//! docs/PERFORMANCE.md ("The memory estimate") records both.

use std::path::Path;
use std::process::ExitCode;

use clustersim::engine::expected_networks::expected_networks;
use clustersim::engine::limits::{Work, accumulators, estimate_work, human_bytes};
use clustersim::scenario::{Scenario, load_baseline, load_path};

struct Options {
    scenario: Option<String>,
    scale: u64,
    runs: u64,
    threads: Vec<usize>,
    policies: usize,
    shard: bool,
}

fn parse_options() -> Result<Options, String> {
    let mut options = Options {
        scenario: None,
        scale: 1,
        runs: 1000,
        threads: vec![1, 2, 16],
        policies: 1,
        shard: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        if flag == "--shard" {
            options.shard = true;
            continue;
        }
        if !flag.starts_with("--") {
            options.scenario = Some(flag);
            continue;
        }
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
            "--policies" => options.policies = number(&value)? as usize,
            "--threads" => {
                options.threads = value
                    .split(',')
                    .map(|part| number(part).map(|n| n as usize))
                    .collect::<Result<_, _>>()?;
            }
            other => {
                return Err(format!(
                    "unknown option {other}; valid: SCENARIO, --scale K, --runs N, --threads 1,2,16, --policies P, --shard"
                ));
            }
        }
    }
    Ok(options)
}

fn scenario(options: &Options) -> Result<Scenario, String> {
    let mut scenario = match &options.scenario {
        None => load_baseline().map_err(|error| format!("baseline: {error}"))?,
        Some(path) => load_path(Path::new(path)).map_err(|error| format!("{path}: {error}"))?,
    };
    for sector in &mut scenario.sectors {
        sector.firms = sector.firms.saturating_mul(options.scale);
        sector.regular_firms = sector.regular_firms.saturating_mul(options.scale);
        sector.sole_firms = sector.sole_firms.saturating_mul(options.scale);
    }
    Ok(scenario)
}

fn main() -> ExitCode {
    let options = match parse_options() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("memory_estimate: {message}");
            return ExitCode::FAILURE;
        }
    };
    let scenario = match scenario(&options) {
        Ok(scenario) => scenario,
        Err(message) => {
            eprintln!("memory_estimate: {message}");
            return ExitCode::FAILURE;
        }
    };
    let firms: u64 = scenario.sectors.iter().map(|sector| sector.firms).sum();
    let networks = expected_networks(&scenario);
    println!(
        "{} firms; expected per run: funded {:.0} members, {:.0} ties; counterfactual {:.0} members, {:.0} ties; funding effect {:.4}; {} accumulators",
        firms,
        networks.funded.members,
        networks.funded.ties,
        networks.counterfactual.members,
        networks.counterfactual.ties,
        networks.funding_effect,
        accumulators(&scenario)
    );
    for &threads in &options.threads {
        let work = Work {
            runs: options.runs,
            threads,
            policies: options.policies,
            shard: options.shard,
        };
        let estimate = estimate_work(&scenario, work);
        let parts = estimate.memory;
        println!(
            "{} runs, {threads} threads{}: {} (engine {}, reports {}; networks {}, accumulators {} total, units in flight {}, run values {}, shard state {}, report stage {})",
            options.runs,
            if options.shard { ", shard" } else { "" },
            human_bytes(estimate.memory_bytes),
            human_bytes(parts.engine()),
            human_bytes(parts.report_stage()),
            human_bytes(parts.networks),
            human_bytes(parts.total_accumulators),
            human_bytes(parts.units),
            human_bytes(parts.run_values),
            human_bytes(parts.shard_state),
            human_bytes(parts.reports),
        );
    }
    ExitCode::SUCCESS
}
