//! Benchmark: Monte Carlo runs of the built-in baseline through the engine (no file output).
//!
//! `cargo bench --bench baseline` prints wall time and runs per second for 1 and 2 threads
//! (`BENCH_RUNS` sets the run count, default 2,000). Results go in docs/PERFORMANCE.md with the
//! machine they were measured on.

use std::time::Instant;

use clustersim::engine::{RunSettings, run_scenario};
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
        &mut |_| Ok(()),
    );
    for threads in [1, 2] {
        let settings = RunSettings {
            runs,
            seed: 20_070_101,
            threads,
        };
        let started = Instant::now();
        let aggregates = run_scenario(&scenario, settings, &|| {}, &|| false, &mut |_| Ok(()));
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
}
