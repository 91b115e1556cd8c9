//! Benchmark: Monte Carlo runs of the built-in baseline through the engine (no file output).
//!
//! `cargo bench --bench baseline` prints wall time and runs per second for 1 and 2 threads
//! (`BENCH_RUNS` sets the run count, default 2,000), first for the baseline's own policy, then
//! for the comparison of all seven policies the baseline defines on common random numbers
//! (folded into the comparison aggregates, as `clustersim compare` does, without file output).
//! Results go in docs/PERFORMANCE.md with the machine they were measured on.

use std::time::Instant;

use clustersim::engine::compare::{CompareSettings, run_comparison};
use clustersim::engine::comparison::ComparisonAggregates;
use clustersim::engine::{RunRows, RunSettings, run_scenario};
use clustersim::scenario::load_baseline;

fn main() {
    let scenario = match load_baseline() {
        Ok(scenario) => scenario,
        Err(error) => {
            eprintln!("baseline does not load: {error}");
            std::process::exit(1);
        }
    };
    let runs: u64 = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(2000);
    // Warm-up (page faults, thread start-up).
    let _ = run_scenario(
        &scenario,
        RunSettings {
            runs: 100,
            seed: 1,
            threads: 1,
        },
        &|| {},
        &|| false,
        RunRows {
            format: &|_, _| {},
            write: &mut |_| Ok(()),
        },
    );
    for threads in [1, 2] {
        let settings = RunSettings {
            runs,
            seed: 20_070_101,
            threads,
        };
        let started = Instant::now();
        let aggregates = run_scenario(
            &scenario,
            settings,
            &|| {},
            &|| false,
            RunRows {
                format: &|_, _| {},
                write: &mut |_| Ok(()),
            },
        );
        let seconds = started.elapsed().as_secs_f64();
        match aggregates {
            Ok(aggregates) => println!(
                "baseline, {runs} runs, {threads} thread(s): {seconds:.2} s, {:.0} runs/s ({} runs folded)",
                runs as f64 / seconds,
                aggregates.runs
            ),
            Err(error) => {
                eprintln!("benchmark failed: {error:#}");
                std::process::exit(1);
            }
        }
    }
    let policies = scenario.defined_policies();
    for threads in [1, 2] {
        let settings = CompareSettings {
            runs: RunSettings {
                runs,
                seed: 20_070_101,
                threads,
            },
            common_random_numbers: true,
            baseline: 0,
        };
        let names = policies.iter().map(|p| p.name.clone()).collect();
        let mut comparison = ComparisonAggregates::new(&scenario, names, 0);
        let started = Instant::now();
        let completed = run_comparison(
            &scenario,
            &policies,
            settings,
            &|_| {},
            &|| false,
            &mut |records| {
                comparison.push(records);
                Ok(())
            },
        );
        let seconds = started.elapsed().as_secs_f64();
        match completed {
            Ok(completed) => println!(
                "compare {} policies, {runs} runs, {threads} thread(s): {seconds:.2} s, {:.0} runs/s, {:.0} policy-runs/s ({completed} runs folded; {} rows)",
                policies.len(),
                runs as f64 / seconds,
                (runs * policies.len() as u64) as f64 / seconds,
                comparison.outcome_rows().len()
            ),
            Err(error) => {
                eprintln!("benchmark failed: {error:#}");
                std::process::exit(1);
            }
        }
    }
}
