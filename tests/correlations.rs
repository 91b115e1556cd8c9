//! Correlated inputs (`correlations` in a scenario): the rank correlations sampled per run match
//! the targets, every input keeps exactly its independent draws (Iman–Conover only reorders them
//! within fixed blocks of 256 runs), a prefix of runs does not depend on `--runs`, and impossible
//! or ill-named correlations are refused with file, JSON path and line:column.

use std::fs;
use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;
use clustersim::model::draw_parameters;
use clustersim::model::parameters::CORRELATION_BLOCK_RUNS;
use clustersim::scenario::{Scenario, load_str};
use clustersim::stats::rank_correlation::spearman;
use serde_json::Value;
use tempfile::TempDir;

const CORRELATED: &str = "tests/data/correlated.json";

fn crate_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn correlated_text() -> String {
    fs::read_to_string(crate_root().join(CORRELATED)).expect("tests/data/correlated.json")
}

fn load(text: &str) -> Scenario {
    load_str(text, CORRELATED).expect("a valid scenario")
}

/// Each slot's values over runs `0..runs`, slot by slot.
fn columns(scenario: &Scenario, seed: u64, runs: u64) -> Vec<Vec<f64>> {
    let slots = scenario.parameter_slots();
    let mut columns = vec![Vec::new(); slots.len()];
    for run in 0..runs {
        let values = draw_parameters(scenario, &slots, seed, run).values;
        for (column, value) in columns.iter_mut().zip(values) {
            column.push(value);
        }
    }
    columns
}

fn slot(scenario: &Scenario, label: &str) -> usize {
    scenario
        .parameter_slots()
        .iter()
        .position(|slot| slot.label == label)
        .expect("slot exists")
}

#[test]
fn sampled_rank_correlations_match_the_targets() {
    let scenario = load(&correlated_text());
    let runs = 8 * CORRELATION_BLOCK_RUNS;
    let values = columns(&scenario, 7, runs);
    let join = slot(&scenario, "model.join_funding_response");
    let tie = slot(&scenario, "model.tie_rate");
    let potential = slot(&scenario, "sector.ict.potential");
    let uplift = slot(&scenario, "model.networking_uplift");
    // Under random sampling a Spearman ρ from n = 2048 pairs has standard error about
    // (1 − ρ²)/√(n − 3); Iman–Conover corrects each block's score correlation exactly, so the
    // error is smaller still. Allow 3 such standard errors (0.066 for ρ = 0, 0.034 for ρ = 0.7).
    // The pair (join, potential) is not listed but implied: tie links them, and so does the
    // matrix — its target is 0 and its sampled value stays within the same tolerance.
    let n = runs as f64;
    for (a, b, target) in [
        (join, tie, 0.7),
        (tie, potential, -0.4),
        (join, potential, 0.0),
        (join, uplift, 0.0),
        (tie, uplift, 0.0),
    ] {
        let sampled = spearman(&values[a], &values[b]).expect("inputs vary");
        let tolerance = 3.0 * (1.0 - target * target) / (n - 3.0).sqrt();
        assert!(
            (sampled - target).abs() < tolerance,
            "slots {a},{b}: sampled {sampled:.4}, target {target}, tolerance {tolerance:.4}"
        );
    }
}

#[test]
fn each_input_keeps_exactly_its_independent_draws_within_every_block() {
    let text = correlated_text();
    let correlated = load(&text);
    let mut value: Value = serde_json::from_str(&text).expect("JSON");
    value
        .as_object_mut()
        .expect("an object")
        .remove("correlations");
    let independent = load(&value.to_string());
    let runs = 3 * CORRELATION_BLOCK_RUNS;
    let with = columns(&correlated, 3, runs);
    let without = columns(&independent, 3, runs);
    let tie = slot(&correlated, "model.tie_rate");
    let mut rearranged = false;
    for (index, (a, b)) in with.iter().zip(&without).enumerate() {
        for block in 0..3 {
            let range = (block * CORRELATION_BLOCK_RUNS) as usize
                ..((block + 1) * CORRELATION_BLOCK_RUNS) as usize;
            let mut a = a[range.clone()].to_vec();
            let mut b = b[range].to_vec();
            if index == tie && a != b {
                rearranged = true;
            }
            a.sort_by(f64::total_cmp);
            b.sort_by(f64::total_cmp);
            assert_eq!(a, b, "slot {index}, block {block}: not a permutation");
        }
    }
    assert!(rearranged, "the correlated inputs were reordered");
    // Inputs outside every correlation are untouched, run by run.
    let uplift = slot(&correlated, "model.networking_uplift");
    assert_eq!(with[uplift], without[uplift]);
}

fn clustersim(args: &[&str]) -> std::process::Output {
    Command::cargo_bin("clustersim")
        .expect("the clustersim binary is built")
        .current_dir(crate_root())
        .env("RUST_BACKTRACE", "0")
        .timeout(Duration::from_secs(120))
        .args(args)
        .output()
        .expect("clustersim could be started")
}

#[test]
fn the_first_runs_do_not_depend_on_the_run_count() {
    // 300 runs end inside the second block; the first 300 rows of a 600-run result are the same.
    let dir = TempDir::new().expect("temporary folder");
    let short = dir.path().join("short");
    let long = dir.path().join("long");
    for (runs, out) in [("300", &short), ("600", &long)] {
        let output = clustersim(&[
            "run",
            CORRELATED,
            "--runs",
            runs,
            "--quiet",
            "--threads",
            "2",
            "--out",
            out.to_str().expect("UTF-8 path"),
        ]);
        assert!(output.status.success(), "{output:?}");
    }
    let short = fs::read_to_string(short.join("runs.csv")).expect("runs.csv");
    let long = fs::read_to_string(long.join("runs.csv")).expect("runs.csv");
    let prefix: Vec<&str> = long.lines().take(301).collect();
    assert_eq!(short.lines().collect::<Vec<_>>(), prefix);
}

/// Validates the correlated scenario with `correlations` replaced by `replacement` (JSON text),
/// and returns (stderr, 1-based line where the replacement starts).
fn refused(replacement: &str) -> (String, usize, String) {
    let text = correlated_text();
    let start = text
        .find("  \"correlations\": [")
        .expect("correlations present");
    let end = start + text[start..].find("  ],\n").expect("end of correlations") + 5;
    let edited = format!(
        "{}  \"correlations\": {replacement},\n{}",
        &text[..start],
        &text[end..]
    );
    let line = text[..start].matches('\n').count() + 1;
    let dir = TempDir::new().expect("temporary folder");
    let file = dir.path().join("scenario.json");
    fs::write(&file, &edited).expect("writing the scenario");
    let path = file.to_str().expect("UTF-8 path").to_string();
    let output = clustersim(&["validate", &path]);
    assert!(!output.status.success(), "refused with a non-zero exit");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    (stderr, line, path)
}

#[test]
fn correlations_that_cannot_hold_together_are_refused_with_the_json_path() {
    // 0.9, 0.9 and −0.9 among three inputs: the matrix is not positive semi-definite.
    let (stderr, line, path) = refused(
        r#"[
    { "inputs": ["join_funding_response", "tie_rate"], "rank": 0.9 },
    { "inputs": ["join_funding_response", "networking_uplift"], "rank": 0.9 },
    { "inputs": ["tie_rate", "networking_uplift"], "rank": -0.9 }
  ]"#,
    );
    // The array starts on the line of "correlations", after `"correlations": ` (column 19).
    let expected = format!("{path}:{line}:19: at correlations: ");
    assert!(stderr.contains(&expected), "{expected} not in {stderr}");
    assert!(stderr.contains("not positive definite"), "{stderr}");
    assert!(stderr.contains("model.networking_uplift"), "{stderr}");
}

#[test]
fn unknown_fixed_or_impossible_inputs_are_refused_with_their_paths() {
    let (stderr, line, path) = refused(
        r#"[
    { "inputs": ["tie_rate", "no_such_input"], "rank": 0.5 },
    { "inputs": ["tie_rate", "sector.food.potential"], "rank": 0.5 },
    { "inputs": ["tie_rate", "join_funding_response"], "rank": 1.0 },
    { "inputs": ["tie_rate"], "rank": 0.2 }
  ]"#,
    );
    for (offset, column, json_path, words) in [
        (
            1,
            30,
            "correlations[0].inputs[1]",
            "unknown input 'no_such_input'",
        ),
        (
            2,
            30,
            "correlations[1].inputs[1]",
            "is a fixed number (0.5)",
        ),
        (3, 64, "correlations[2].rank", "strictly between -1 and 1"),
        (4, 17, "correlations[3].inputs", "exactly two inputs"),
    ] {
        let expected = format!("{path}:{}:{column}: at {json_path}: ", line + offset);
        assert!(stderr.contains(&expected), "{expected} not in {stderr}");
        assert!(stderr.contains(words), "{words} not in {stderr}");
    }
    assert!(
        stderr.contains("inputs with a distribution: model.join_funding_response, model.tie_rate"),
        "the valid names are listed: {stderr}"
    );
}

#[test]
fn validate_prints_the_correlations() {
    let output = clustersim(&["validate", CORRELATED]);
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("model.join_funding_response ~ model.tie_rate  0.7"),
        "{stdout}"
    );
    assert!(
        stdout.contains("model.tie_rate ~ sector.ict.potential  -0.4"),
        "{stdout}"
    );
}
