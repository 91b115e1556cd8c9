//! Faults: a run killed with SIGKILL at random moments, output folders that cannot be created or
//! written, and a full disk. Nothing already written is lost or half-overwritten.
//!
//! The read-only and full-disk tests mount small tmpfs file systems and so need root on Linux;
//! they are `#[ignore]`d and `.ci/run` runs them with `cargo test --release --test faults --
//! --ignored` (see the README).

#![cfg(unix)]

use std::fs;
use std::path::Path;
use std::process::Command as Process;
use std::time::Duration;

use assert_cmd::Command;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tempfile::TempDir;

fn clustersim() -> Command {
    Command::cargo_bin("clustersim").expect("binary is built")
}

/// Every file of a complete result is present, nothing is left under a temporary name, and
/// `runs.csv` has one row per completed run.
fn assert_complete_result(folder: &Path) {
    let manifest: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(folder.join("manifest.json")).expect("manifest.json"),
    )
    .expect("manifest.json is complete JSON");
    for name in [
        "summary.csv",
        "allocations.csv",
        "runs.csv",
        "scenario.json",
        "report.html",
        "report.md",
        "summary.xlsx",
        "charts/networked-smes-fan.svg",
    ] {
        assert!(
            folder.join(name).is_file(),
            "{name} missing in {}",
            folder.display()
        );
    }
    let runs = fs::read_to_string(folder.join("runs.csv")).unwrap();
    assert_eq!(
        runs.lines().count() as u64,
        manifest["runs_completed"].as_u64().unwrap() + 1
    );
    for entry in walk(folder) {
        let name = entry.to_string_lossy().to_string();
        assert!(
            !name.ends_with(".tmp") && !name.contains(".partial-"),
            "partial file {name}"
        );
    }
}

fn walk(folder: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(folder).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        }
        out.push(path);
    }
    out
}

#[test]
fn sigkill_at_random_moments_leaves_the_earlier_result_or_a_complete_new_one() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("result");
    clustersim()
        .args(["run", "--runs", "50", "--seed", "1", "--quiet", "--out"])
        .arg(&out)
        .assert()
        .success();
    let earlier = fs::read(out.join("runs.csv")).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(2026);
    let mut outcomes = [0usize; 3];
    for attempt in 0..10 {
        let delay = rng.random_range(0..1500u64);
        let mut child = Process::new(assert_cmd::cargo::cargo_bin("clustersim"))
            .args([
                "run", "--runs", "400", "--seed", "2", "--quiet", "--force", "--out",
            ])
            .arg(&out)
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay));
        let _ = child.kill(); // SIGKILL
        let status = child.wait().unwrap();
        if !out.exists() {
            // Killed between moving the earlier result aside and moving the new one in: the
            // earlier result is in its hidden aside folder, nothing is under the final name.
            outcomes[2] += 1;
            continue;
        }
        assert_complete_result(&out);
        let now = fs::read(out.join("runs.csv")).unwrap();
        if now == earlier {
            outcomes[0] += 1;
        } else {
            let rows = String::from_utf8_lossy(&now).lines().count();
            assert!(status.success() || rows == 401, "attempt {attempt}");
            outcomes[1] += 1;
            // Start the next attempt from the earlier result again.
            fs::remove_dir_all(&out).unwrap();
            clustersim()
                .args(["run", "--runs", "50", "--seed", "1", "--quiet", "--out"])
                .arg(&out)
                .assert()
                .success();
        }
    }
    eprintln!(
        "kills: {} left the earlier result, {} a new one, {} none",
        outcomes[0], outcomes[1], outcomes[2]
    );
    // At least some kills must land mid-run for the test to mean anything.
    assert!(
        outcomes[0] > 0,
        "no kill landed before the commit: {outcomes:?}"
    );
    // The next run into the same place removes the killed runs' staging folders.
    clustersim()
        .args(["run", "--runs", "5", "--quiet", "--force", "--out"])
        .arg(&out)
        .assert()
        .success();
    let staging: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|name| name.contains(".partial-"))
        .collect();
    assert!(
        staging.is_empty(),
        "staging folders of killed runs left: {staging:?}"
    );
}

#[test]
fn an_output_folder_that_cannot_be_created_is_a_clear_error() {
    let dir = TempDir::new().unwrap();
    let file = dir.path().join("not-a-folder");
    fs::write(&file, b"x").unwrap();
    let assert = clustersim()
        .args(["run", "--runs", "5", "--quiet", "--out"])
        .arg(file.join("result"))
        .assert()
        .failure()
        .code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(stderr.contains("creating output folder"), "{stderr}");
    assert!(!stderr.contains("panicked"));
    assert_eq!(fs::read(&file).unwrap(), b"x");
}

/// Mounts a tmpfs at `point` with `options`; panics with a clear message if that is impossible.
fn mount_tmpfs(point: &Path, options: &str) {
    fs::create_dir_all(point).unwrap();
    let status = Process::new("mount")
        .args(["-t", "tmpfs", "-o", options, "tmpfs"])
        .arg(point)
        .status()
        .expect("mount runs");
    assert!(
        status.success(),
        "mounting a tmpfs needs root on Linux (run by .ci/run)"
    );
}

fn unmount(point: &Path) {
    let _ = Process::new("umount").arg(point).status();
}

#[test]
#[ignore = "mounts tmpfs file systems: needs root; run by .ci/run"]
fn a_read_only_output_place_is_a_clear_error() {
    let dir = TempDir::new().unwrap();
    let point = dir.path().join("ro");
    mount_tmpfs(&point, "ro,size=1m");
    let assert = clustersim()
        .args(["run", "--runs", "5", "--quiet", "--out"])
        .arg(point.join("result"))
        .assert()
        .failure()
        .code(1);
    unmount(&point);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(stderr.contains("Read-only file system"), "{stderr}");
    assert!(!stderr.contains("panicked"));
}

#[test]
#[ignore = "mounts tmpfs file systems: needs root; run by .ci/run"]
fn a_full_disk_is_a_clear_error_and_the_earlier_result_stays_intact() {
    let dir = TempDir::new().unwrap();
    let point = dir.path().join("small");
    // A 5-run baseline result takes about 11 MiB (96 initiative slots in summary.csv and the
    // workbook, fonts embedded in report.html); a second, larger result cannot fit beside it.
    mount_tmpfs(&point, "size=16m");
    let out = point.join("result");
    let earlier = clustersim()
        .args(["run", "--runs", "5", "--seed", "1", "--quiet", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    let stored = out
        .exists()
        .then(|| fs::read(out.join("runs.csv")).unwrap());
    let assert = clustersim()
        .args([
            "run", "--runs", "3000", "--seed", "2", "--quiet", "--force", "--out",
        ])
        .arg(&out)
        .assert()
        .failure()
        .code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    let left: Vec<_> = fs::read_dir(&point)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    let intact = stored.map(|bytes| {
        assert_complete_result(&out);
        fs::read(out.join("runs.csv")).unwrap() == bytes
    });
    unmount(&point);
    assert!(
        earlier.status.success(),
        "the earlier result must fit in 16 MiB"
    );
    assert!(stderr.contains("No space left on device"), "{stderr}");
    assert!(!stderr.contains("panicked"));
    assert_eq!(intact, Some(true), "the earlier result was changed");
    assert_eq!(
        left,
        vec!["result".to_string()],
        "staging folders left behind"
    );
}
