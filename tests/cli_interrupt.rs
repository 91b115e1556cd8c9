//! Ctrl-C (SIGINT) during a real run: runs in progress finish, then a complete, clearly marked
//! partial result is written and the process exits with status 130.

#![cfg(unix)]

use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use tempfile::TempDir;

fn wait_for(condition: impl Fn() -> bool, limit: Duration) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if condition() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

fn staging_has_runs_file(parent: &Path) -> bool {
    fs::read_dir(parent).is_ok_and(|entries| {
        entries.flatten().any(|entry| {
            entry.file_name().to_string_lossy().contains(".partial-")
                && entry.path().join("runs.csv.tmp").exists()
        })
    })
}

/// Starts `clustersim VERB --runs 1000000 --quiet --out DIR`, sends SIGINT once it is running,
/// checks the partial result it writes and returns (DIR's parent, manifest, runs completed).
fn interrupt(verb: &str) -> (TempDir, serde_json::Value, u64) {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("result");
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("clustersim"))
        .args([verb, "--runs", "1000000", "--quiet", "--out"])
        .arg(&out)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The handler is installed before runs.csv is opened in the staging folder.
    assert!(wait_for(
        || staging_has_runs_file(dir.path()),
        Duration::from_secs(60)
    ));
    std::thread::sleep(Duration::from_millis(800));
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "stderr: {stderr}");
    assert!(stderr.contains("partial result"), "{stderr}");

    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["complete"], false);
    let completed = manifest["runs_completed"].as_u64().unwrap();
    assert!(completed > 0 && completed < 1_000_000);
    // Runs are dispatched in units of 32 and every dispatched unit is finished (so are the
    // chunks of 256 of compare).
    assert_eq!(completed % 32, 0, "{completed} runs");
    let runs = fs::read_to_string(out.join("runs.csv")).unwrap();
    assert_eq!(runs.lines().count() as u64, completed + 1);
    assert!(
        out.join("report.html").exists(),
        "the partial result is complete in itself"
    );
    (dir, manifest, completed)
}

#[test]
fn sigint_writes_a_marked_partial_result_of_whole_chunks() {
    let (_dir, manifest, completed) = interrupt("run");
    assert_eq!(
        manifest["command"],
        format!("clustersim run --runs {completed} --seed 20070101")
    );
}

#[test]
fn sigint_during_compare_writes_a_partial_comparison_of_whole_chunks() {
    let (dir, manifest, completed) = interrupt("compare");
    let out = dir.path().join("result");
    let policies = manifest["comparison"]["policies"].as_array().unwrap().len() as u64;
    assert_eq!(policies, 7);
    let runs = fs::read_to_string(out.join("comparison_runs.csv")).unwrap();
    assert_eq!(runs.lines().count() as u64, completed * policies + 1);
    let table = fs::read_to_string(out.join("comparison.csv")).unwrap();
    assert!(
        table.lines().skip(1).all(|line| line.split(',').nth(4)
            == Some(completed.to_string().as_str())
            || line.contains("cost_per_additional")),
        "every outcome over the completed runs"
    );
    assert!(
        manifest["command"].as_str().unwrap().ends_with(&format!(
            "--crn on --min-difference 1% --runs {completed} --seed 20070101"
        )),
        "{}",
        manifest["command"]
    );
}

#[test]
fn latest_is_unchanged_by_an_interrupted_run() {
    let dir = TempDir::new().unwrap();
    let parent = dir.path().join("output").join("lithuania-2007-2013");
    let binary = assert_cmd::cargo::cargo_bin("clustersim");
    let complete = std::process::Command::new(&binary)
        .args(["run", "--runs", "5", "--quiet"])
        .current_dir(dir.path())
        .status()
        .unwrap();
    assert!(complete.success());
    let latest = parent.join("latest");
    let before = fs::read_link(&latest).expect("a complete run sets latest");
    let child = std::process::Command::new(&binary)
        .args(["run", "--runs", "1000000", "--quiet"])
        .current_dir(dir.path())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    assert!(wait_for(
        || staging_has_runs_file(&parent),
        Duration::from_secs(60)
    ));
    std::thread::sleep(Duration::from_millis(500));
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(130));
    // The partial result is written beside the first, under its own name…
    let results: Vec<_> = fs::read_dir(&parent)
        .unwrap()
        .flatten()
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.') && e.file_name() != "latest")
        .map(|e| e.path())
        .collect();
    assert_eq!(results.len(), 2, "{results:?}");
    let partial = results
        .iter()
        .find(|path| path.file_name() != Some(before.as_os_str()))
        .unwrap();
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(partial.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["complete"], false);
    // …and `latest` still points at the complete one.
    assert_eq!(fs::read_link(&latest).unwrap(), before);
    let kept: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(latest.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(kept["complete"], true);
}
