//! The scenario fuzzer (examples/fuzz_scenarios.rs) in CI: a short smoke run with every
//! `cargo test`, and every input it found (tests/data/fuzz/) replayed, so a fixed crash stays
//! fixed. docs/FUZZING.md describes the long runs.

#[allow(dead_code)] // The command line (`main`, `Args`) is used by the example only.
#[path = "../examples/fuzz_scenarios.rs"]
mod fuzz;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::mpsc;
use std::time::Duration;

use clustersim::scenario::{ScenarioError, load_str};
use fuzz::{FuzzConfig, KNOWN_ISSUES, Summary, Verdict};

fn fuzz_inputs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fuzz")
}

fn read_input(name: &str) -> String {
    std::fs::read_to_string(fuzz_inputs_dir().join(name)).expect("input readable")
}

/// `work`'s result, or a test failure once `limit` has passed (the work is left running on its
/// thread until the test process exits), so that a hang fails fast.
fn finishes_within<T: Send + 'static>(
    limit: Duration,
    work: impl FnOnce() -> T + Send + 'static,
) -> T {
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        // The receiver is gone only if the test has already failed.
        let _ = sender.send(work());
    });
    receiver
        .recv_timeout(limit)
        .unwrap_or_else(|_| panic!("still running after {limit:?}"))
}

/// Fuzzes `executions` inputs from the default seed corpus without saving anything.
fn smoke_run(seed: u64, executions: u64) -> Summary {
    let config = FuzzConfig {
        seed,
        time_limit: None,
        max_executions: Some(executions),
        crash_dir: None,
        hang_timeout: None,
        in_flight: None,
        progress_every: Duration::MAX,
    };
    let seeds = fuzz::load_corpus(&fuzz::default_corpus_dirs()).expect("seed corpus readable");
    fuzz::fuzz(&config, seeds, &mut |_| {}).expect("fuzzer starts")
}

#[test]
fn a_short_fuzz_run_finds_no_crash() {
    let summary = smoke_run(0x5eed, 3000);
    let reports: Vec<String> = summary.findings.iter().map(|f| f.report()).collect();
    assert!(summary.findings.is_empty(), "{}", reports.join("\n\n"));
    assert_eq!(summary.executions, 3000);
    // The mutations must reach every stage: the parser, validation and the model.
    assert!(summary.rejected > 0, "{}", summary.line());
    assert!(summary.accepted > 0, "{}", summary.line());
    assert!(summary.model_runs > 0, "{}", summary.line());
}

#[test]
fn the_same_seed_tries_the_same_inputs() {
    let counts = |summary: &Summary| {
        (
            summary.accepted,
            summary.rejected,
            summary.model_runs,
            summary.known_skipped,
            summary.corpus_size,
        )
    };
    assert_eq!(counts(&smoke_run(7, 300)), counts(&smoke_run(7, 300)));
}

#[test]
fn saved_fuzz_inputs_load_or_fail_without_panicking() {
    let Ok(entries) = std::fs::read_dir(fuzz_inputs_dir()) else {
        return; // Nothing found yet.
    };
    let scratch = tempfile::tempdir().expect("scratch folder");
    let open_issues: Vec<&str> = KNOWN_ISSUES.iter().map(|issue| issue.reproducer).collect();
    for entry in entries {
        let path = entry.expect("folder entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let is_input = name.ends_with(".json") || name.ends_with(".bin");
        if !is_input || open_issues.contains(&name) {
            continue; // Inputs of known issues are checked by the tests below.
        }
        let input = std::fs::read(&path).expect("input readable");
        match fuzz::check_input(&input, 1, scratch.path()) {
            Verdict::Failed(finding) => panic!("{}", finding.report()),
            Verdict::Known(issue) => eprintln!("{name}: not checked, hits open issue: {issue}"),
            Verdict::Accepted { .. } | Verdict::Rejected { .. } => {}
        }
    }
}

#[test]
fn a_funding_period_of_billions_of_years_is_refused_without_allocating_it() {
    // tests/data/minimal.json with last_year 2147483647. Run the real binary with its address
    // space limited to 1 GB: a fixed loader refuses the year at once; before the fix it aborts
    // with "memory allocation of 17179853104 bytes failed" (or, without a limit, pages for a
    // minute through 17 GB).
    let input = fuzz_inputs_dir().join("crash-e5943850132719b6.json");
    let output = Command::new("sh")
        .arg("-c")
        .arg("ulimit -v 1000000 && exec \"$0\" validate \"$1\"")
        .arg(env!("CARGO_BIN_EXE_clustersim"))
        .arg(&input)
        .output()
        .expect("sh runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("budget.last_year"), "{stderr}");
    assert!(stderr.contains("between 1900 and 2200"), "{stderr}");
}

#[test]
fn thousands_of_problems_are_located_in_linear_time() {
    let text = read_input("crash-28127b16a661dc80.json");
    // Linear work takes milliseconds; the limit allows for slow CI machines.
    let error = finishes_within(Duration::from_secs(2), move || {
        load_str(&text, "crash.json").expect_err("duplicate ids are refused")
    });
    let ScenarioError::Invalid { problems, .. } = &error else {
        panic!("expected problems, got {error}");
    };
    assert_eq!(problems.len(), 5999, "one per duplicate id");
    assert_eq!(problems[0].path, "clusters[1].id");
    assert!(problems[0].position.is_some());
}

#[test]
fn profile_weights_whose_sum_overflows_are_split_by_weight_or_refused() {
    let text = read_input("crash-9b200d4311201ea6.json");
    let loaded = finishes_within(Duration::from_secs(2), move || {
        load_str(&text, "crash.json").map_err(|error| error.to_string())
    });
    match loaded {
        // Either refuse weights whose sum is not finite, saying where …
        Err(message) => assert!(message.contains("budget.profile.weights"), "{message}"),
        // … or split by them: 1e308 / (1e308 + 1.7976931348623157e308) = 35.74% to the first year.
        Ok(scenario) => {
            let yearly = &scenario.budget.yearly_cents;
            assert_eq!(yearly.iter().sum::<i64>(), 18_600_000_000);
            let first_share = yearly[0] as f64 / 18_600_000_000.0;
            let expected = 1.0 / (1.0 + f64::MAX / 1e308); // computed without overflowing
            assert!((first_share - expected).abs() < 1e-9, "{yearly:?}");
        }
    }
}
