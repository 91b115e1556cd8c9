//! `clustersim sensitivity`: byte-identical results on one and two threads, the result folder's
//! files, the paired difference of two policies, and clear errors for bad options.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use tempfile::TempDir;

const SCENARIO: &str = "tests/data/sensitivity.json";

fn clustersim() -> Command {
    Command::cargo_bin("clustersim").expect("binary is built")
}

fn sensitivity_into(out: &Path, extra: &[&str]) {
    clustersim()
        .args([
            "sensitivity",
            SCENARIO,
            "--samples",
            "32",
            "--trajectories",
            "4",
            "--replications",
            "3",
            "--quiet",
            "--dpi",
            "60",
            "--out",
        ])
        .arg(out)
        .args(extra)
        .assert()
        .success();
}

/// Every file under `folder` except the manifest (which records the thread count and the time),
/// relative to `folder`, sorted.
fn files(folder: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![folder.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.file_name().is_some_and(|name| name != "manifest.json") {
                found.push(path.strip_prefix(folder).unwrap().to_path_buf());
            }
        }
    }
    found.sort();
    found
}

#[test]
fn same_seed_gives_identical_files_on_one_and_two_threads() {
    let dir = TempDir::new().unwrap();
    let one = dir.path().join("one");
    let two = dir.path().join("two");
    sensitivity_into(&one, &["--seed", "7", "--threads", "1"]);
    sensitivity_into(&two, &["--seed", "7", "--threads", "2"]);
    let listed = files(&one);
    assert_eq!(listed, files(&two));
    for expected in [
        "sensitivity.csv",
        "report.html",
        "report.md",
        "scenario.json",
    ] {
        assert!(
            listed.contains(&PathBuf::from(expected)),
            "{expected} missing"
        );
    }
    assert!(
        listed
            .iter()
            .any(|p| p.starts_with("charts") && p.extension().is_some_and(|e| e == "svg"))
    );
    for file in &listed {
        let a = fs::read(one.join(file)).unwrap();
        let b = fs::read(two.join(file)).unwrap();
        assert!(!a.is_empty(), "{} is empty", file.display());
        assert!(a == b, "{} differs between 1 and 2 threads", file.display());
    }
    // A different seed draws a different design.
    let other = dir.path().join("other");
    sensitivity_into(&other, &["--seed", "8", "--threads", "2"]);
    assert_ne!(
        fs::read(one.join("sensitivity.csv")).unwrap(),
        fs::read(other.join("sensitivity.csv")).unwrap()
    );
}

#[test]
fn csv_has_a_row_per_outcome_and_input_and_the_stream_factor() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("result");
    sensitivity_into(&out, &["--policies", "equal,by_members", "--threads", "2"]);
    let csv = fs::read_to_string(out.join("sensitivity.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "outcome,policy,input,s1,s1_low,s1_high,st,st_low,st_high,mu_star,sigma,tornado_low,tornado_high,tornado_base,prcc"
    );
    let rows: Vec<Vec<&str>> = lines.map(|line| line.split(',').collect()).collect();
    // 12 headline outcomes for each of two policies and 5 paired differences, each with the 7
    // uncertain inputs (the file's 4 and the model's 3 other defaults that are distributions:
    // tie_funding_response, formation_rate, networking_uplift) and the stream.
    assert_eq!(rows.len(), (12 * 2 + 5) * 8);
    assert!(rows.iter().all(|row| row.len() == 15));
    let difference: Vec<&Vec<&str>> = rows
        .iter()
        .filter(|row| row[0] == "networked_smes" && row[1] == "by_members - equal")
        .collect();
    assert_eq!(difference.len(), 8);
    let stream = difference
        .iter()
        .find(|row| row[2] == "(model randomness)")
        .unwrap();
    assert!(!stream[6].is_empty(), "the stream has a total index");
    assert!(
        stream[9].is_empty() && stream[11].is_empty(),
        "but no Morris or tornado"
    );
    let manifest = fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(manifest.contains("clustersim sensitivity tests/data/sensitivity.json --samples 32"));
    assert!(manifest.contains("--policies equal,by_members"));
    let refused = clustersim().arg("report").arg(&out).output().unwrap();
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr)
            .contains("holds a `clustersim sensitivity` result")
    );
    let report = fs::read_to_string(out.join("report.md")).unwrap();
    assert!(report.contains("## Sensitivity"));
    assert!(report.contains("model randomness"));
}

fn fails_with(args: &[&str], message: &str) {
    let dir = TempDir::new().unwrap();
    let output = clustersim()
        .arg("sensitivity")
        .args(args)
        .arg("--out")
        .arg(dir.path().join("never"))
        .output()
        .unwrap();
    assert!(!output.status.success(), "{args:?} succeeded");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(message), "{args:?}: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!dir.path().join("never").exists(), "nothing is written");
}

#[test]
fn bad_options_are_clear_errors() {
    fails_with(
        &[SCENARIO, "--samples", "100"],
        "--samples must be a power of two",
    );
    fails_with(
        &[SCENARIO, "--samples", "4"],
        "--samples must be a power of two",
    );
    fails_with(
        &[SCENARIO, "--trajectories", "1"],
        "--trajectories must be between 2",
    );
    fails_with(
        &[SCENARIO, "--threads", "0"],
        "--threads must be at least 1",
    );
    fails_with(
        &[SCENARIO, "--policies", "equal,nonsense"],
        "unknown policy 'nonsense'",
    );
    fails_with(
        &[SCENARIO, "--policies", "equal,by_members,by_potential"],
        "--policies takes one or two policies",
    );
    fails_with(
        &[SCENARIO, "--policies", "equal,equal"],
        "names 'equal' twice",
    );
    let dir = TempDir::new().unwrap();
    let fixed = dir.path().join("fixed.json");
    let mut scenario: serde_json::Value =
        serde_json::from_str(&fs::read_to_string("tests/data/minimal.json").unwrap()).unwrap();
    scenario["model"] = serde_json::json!({
        "join_funding_response": 0.003,
        "tie_funding_response": 1.5,
        "formation_rate": 0.03,
        "networking_uplift": 0.08
    });
    fs::write(&fixed, scenario.to_string()).unwrap();
    fails_with(
        &[fixed.to_str().unwrap()],
        "the scenario has no uncertain inputs",
    );
    fails_with(&["tests/data/does-not-exist.json"], "does-not-exist.json");
    fails_with(&["tests/data/truncated.json"], "truncated.json");
}

#[test]
fn an_earlier_result_is_kept_without_force() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("result");
    sensitivity_into(&out, &["--threads", "1"]);
    let before = fs::read(out.join("sensitivity.csv")).unwrap();
    let output = clustersim()
        .args([
            "sensitivity",
            SCENARIO,
            "--samples",
            "16",
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert_eq!(fs::read(out.join("sensitivity.csv")).unwrap(), before);
    sensitivity_into(&out, &["--threads", "1", "--seed", "3", "--force"]);
    assert_ne!(fs::read(out.join("sensitivity.csv")).unwrap(), before);
}
