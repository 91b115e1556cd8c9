//! `run --until-se REL` and `compare --until-se REL`: runs in deterministic batches until every
//! headline mean's relative standard error is at most REL. The result depends only on the
//! scenario, seed and target (byte-identical on 1 and 2 threads), equals a plain `--runs N` with
//! the final N, and the manifest and printed summary say what precision was reached.

use std::fs;
use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

const MINIMAL: &str = "tests/data/minimal.json";

fn clustersim(args: &[&str]) -> std::process::Output {
    Command::cargo_bin("clustersim")
        .expect("the clustersim binary is built")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("RUST_BACKTRACE", "0")
        .timeout(Duration::from_secs(120))
        .args(args)
        .output()
        .expect("clustersim could be started")
}

fn run_ok(args: &[&str]) -> String {
    let output = clustersim(args);
    assert!(output.status.success(), "{args:?}: {output:?}");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn manifest(folder: &Path) -> Value {
    serde_json::from_str(&fs::read_to_string(folder.join("manifest.json")).expect("manifest"))
        .expect("manifest is JSON")
}

/// Every file under `folder` except those that record when and how fast it ran, relative path
/// → bytes.
fn result_files(folder: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    let mut stack = vec![folder.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).expect("readable folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let name = path
                .strip_prefix(folder)
                .expect("inside the folder")
                .to_string_lossy()
                .into_owned();
            if ["manifest.json", "report.html", "report.md", "summary.xlsx"]
                .contains(&name.as_str())
            {
                continue;
            }
            files.push((name, fs::read(&path).expect("readable file")));
        }
    }
    files.sort();
    files
}

#[test]
fn until_se_is_byte_identical_on_one_and_two_threads_and_equals_a_plain_run() {
    let dir = TempDir::new().expect("temporary folder");
    let out = |name: &str| dir.path().join(name).to_str().expect("UTF-8").to_string();
    let printed = run_ok(&[
        "run",
        MINIMAL,
        "--until-se",
        "0.05",
        "--threads",
        "1",
        "--out",
        &out("one"),
    ]);
    run_ok(&[
        "run",
        MINIMAL,
        "--until-se",
        "0.05",
        "--threads",
        "2",
        "--quiet",
        "--out",
        &out("two"),
    ]);
    let one = manifest(&dir.path().join("one"));
    let two = manifest(&dir.path().join("two"));
    let precision = &one["precision"];
    assert_eq!(
        precision, &two["precision"],
        "same precision on 1 and 2 threads"
    );
    assert_eq!(precision["reached"], true);
    let runs = precision["runs"].as_u64().expect("runs");
    // The check comes every 256 runs; this target needs more than one batch.
    assert!(runs > 256 && runs % 256 == 0, "{runs}");
    assert_eq!(one["runs"], runs);
    assert_eq!(one["runs_completed"], runs);
    assert_eq!(one["complete"], true);
    assert!(
        one["command"]
            .as_str()
            .unwrap()
            .contains(&format!("--runs {runs}"))
    );
    let largest = precision["largest_relative_se"].as_f64().expect("largest");
    assert!(largest <= 0.05, "{largest}");
    for outcome in precision["relative_se"].as_array().expect("per outcome") {
        if let Some(value) = outcome["relative_se"].as_f64() {
            assert!(value <= largest, "{outcome}");
        }
    }
    assert!(
        printed.contains(&format!(
            "relative standard error of at most 0.05 after {runs} runs"
        )),
        "{printed}"
    );
    let files_one = result_files(&dir.path().join("one"));
    assert!(
        files_one.len() > 5,
        "{:?}",
        files_one.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    assert!(
        files_one == result_files(&dir.path().join("two")),
        "1 and 2 threads differ"
    );

    // A plain run with the final run count gives the same files.
    let runs = runs.to_string();
    run_ok(&[
        "run",
        MINIMAL,
        "--runs",
        &runs,
        "--threads",
        "2",
        "--quiet",
        "--out",
        &out("plain"),
    ]);
    assert!(
        files_one == result_files(&dir.path().join("plain")),
        "differs from --runs {runs}"
    );
    assert!(
        manifest(&dir.path().join("plain"))
            .get("precision")
            .is_none()
    );
}

#[test]
fn a_target_out_of_reach_stops_at_max_runs_and_says_so() {
    let dir = TempDir::new().expect("temporary folder");
    let folder = dir.path().join("capped");
    let printed = run_ok(&[
        "run",
        MINIMAL,
        "--until-se",
        "0.0001",
        "--max-runs",
        "300",
        "--out",
        folder.to_str().expect("UTF-8"),
    ]);
    let manifest = manifest(&folder);
    assert_eq!(manifest["precision"]["reached"], false);
    assert_eq!(manifest["precision"]["runs"], 300);
    assert_eq!(manifest["runs"], 300);
    assert_eq!(manifest["complete"], true);
    assert!(printed.contains("NOT reached within 300 runs"), "{printed}");
}

#[test]
fn compare_until_se_covers_every_policy() {
    let dir = TempDir::new().expect("temporary folder");
    let folder = dir.path().join("compared");
    run_ok(&[
        "compare",
        MINIMAL,
        "--policies",
        "equal,by_members",
        "--until-se",
        "0.05",
        "--quiet",
        "--out",
        folder.to_str().expect("UTF-8"),
    ]);
    let manifest = manifest(&folder);
    let precision = &manifest["precision"];
    assert_eq!(precision["reached"], true);
    let names: Vec<&str> = precision["relative_se"]
        .as_array()
        .expect("per outcome")
        .iter()
        .map(|o| o["outcome"].as_str().expect("name"))
        .collect();
    assert!(names.contains(&"equal:networked_smes"), "{names:?}");
    assert!(names.contains(&"by_members:networked_smes"), "{names:?}");
    let runs = precision["runs"].as_u64().expect("runs");
    let comparison_runs = fs::read_to_string(folder.join("comparison_runs.csv")).expect("csv");
    // One row per run and policy, after the header.
    assert_eq!(comparison_runs.lines().count() as u64, 2 * runs + 1);
}

#[test]
fn bad_until_se_options_are_refused() {
    for (args, words) in [
        (vec!["--until-se", "0"], "--until-se must be a positive"),
        (vec!["--until-se=-0.1"], "--until-se must be a positive"),
        (
            vec!["--until-se", "0.01", "--max-runs", "0"],
            "--max-runs must be between",
        ),
        (
            vec!["--until-se", "0.01", "--runs", "10"],
            "cannot be used with",
        ),
        (vec!["--max-runs", "10"], "--until-se"),
    ] {
        let mut full = vec!["run", MINIMAL, "--quiet"];
        full.extend(args.iter().copied());
        let output = clustersim(&full);
        assert!(!output.status.success(), "{full:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(words), "{full:?}: {stderr}");
    }
}
