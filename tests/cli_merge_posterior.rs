//! `run --posterior DIR --shard i/N` (and `compare`) merged by `clustersim merge`: the merged
//! folder equals the one-machine `--posterior` result byte for byte, whatever the shard order —
//! its manifest records the posterior, its report says so and its reproduce line has
//! `--posterior` — and a shard drawn from another posterior, or from the priors, is refused by
//! name.

use std::fs;
use std::path::{Path, PathBuf};

use tempfile::TempDir;

#[path = "support/shards.rs"]
mod shards;
use shards::{assert_same_folders, clustersim};

const SCENARIO: &str = "tests/data/minimal.json";
/// The hand-written posterior of tests/cli_posterior.rs.
const POSTERIOR: &str = "tests/data/calibration";
/// Three blocks of 256 runs, so that each of three shards has work.
const RUNS: &str = "600";

/// Writes shard `index` of `count` of `verb` with `extra` options into `folder`.
fn shard(verb: &[&str], extra: &[&str], index: u64, count: u64, folder: &Path) {
    clustersim()
        .args(verb)
        .args([SCENARIO, "--runs", RUNS, "--seed", "11", "--threads", "2"])
        .args(extra)
        .args(["--shard", &format!("{index}/{count}"), "--quiet", "--out"])
        .arg(folder)
        .assert()
        .success();
}

/// Merges `folders` into `out`, expecting success.
fn merge(folders: &[PathBuf], out: &Path) {
    clustersim()
        .arg("merge")
        .args(folders)
        .args(["--quiet", "--out"])
        .arg(out)
        .assert()
        .success();
}

/// Runs `verb` with `--posterior` on one machine and as three shards merged in the order 3, 1,
/// 2, and checks the folders are the same bytes and carry the posterior.
fn merged_posterior_equals_one_machine(verb: &[&str]) {
    let dir = TempDir::new().unwrap();
    let one = dir.path().join("one");
    clustersim()
        .args(verb)
        .args([SCENARIO, "--runs", RUNS, "--seed", "11", "--threads", "2"])
        .args(["--posterior", POSTERIOR, "--quiet", "--out"])
        .arg(&one)
        .assert()
        .success();
    let folders: Vec<PathBuf> = [3u64, 1, 2]
        .iter()
        .map(|&index| {
            let folder = dir.path().join(format!("shard-{index}"));
            shard(verb, &["--posterior", POSTERIOR], index, 3, &folder);
            folder
        })
        .collect();
    let merged = dir.path().join("merged");
    merge(&folders, &merged);
    assert_same_folders(&one, &merged);

    // The bytes being equal, what they say is checked on the merged folder.
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(merged.join("manifest.json")).unwrap()).unwrap();
    let posterior = &manifest["posterior"];
    assert_eq!(posterior["folder"], POSTERIOR, "{manifest}");
    assert_eq!(posterior["particles"], 200, "{manifest}");
    let command = manifest["command"].as_str().unwrap();
    assert!(
        command.contains(&format!("--posterior {POSTERIOR}")),
        "{command}"
    );
    let report = fs::read_to_string(merged.join("report.md")).unwrap();
    assert!(
        report.contains(posterior["posterior_sha256"].as_str().unwrap()),
        "the report does not name the posterior"
    );
}

#[test]
fn merged_posterior_shards_of_run_equal_the_one_machine_result() {
    merged_posterior_equals_one_machine(&["run"]);
}

#[test]
fn merged_posterior_shards_of_compare_equal_the_one_machine_result() {
    merged_posterior_equals_one_machine(&["compare", "--policies", "equal,by_members"]);
}

/// A copy of the posterior fixture with the first two particles' weights swapped: the same
/// inputs, another posterior.csv.
fn other_posterior(dir: &Path) -> PathBuf {
    let folder = dir.join("other-calibration");
    fs::create_dir(&folder).unwrap();
    for entry in fs::read_dir(POSTERIOR).unwrap() {
        let path = entry.unwrap().path();
        fs::copy(&path, folder.join(path.file_name().unwrap())).unwrap();
    }
    let text = fs::read_to_string(folder.join("posterior.csv")).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let weight = |line: &str| line.split(',').nth(1).unwrap().to_string();
    let (first, second) = (weight(&lines[1]), weight(&lines[2]));
    assert_ne!(first, second, "the fixture's first weights are equal");
    lines[1] = lines[1].replacen(&format!(",{first},"), &format!(",{second},"), 1);
    lines[2] = lines[2].replacen(&format!(",{second},"), &format!(",{first},"), 1);
    fs::write(folder.join("posterior.csv"), lines.join("\n") + "\n").unwrap();
    folder
}

#[test]
fn a_shard_of_another_posterior_or_of_the_priors_is_refused_by_name() {
    let dir = TempDir::new().unwrap();
    let other = other_posterior(dir.path());
    let other = other.to_str().unwrap();
    let run = ["run"];
    let first = dir.path().join("first");
    let second = dir.path().join("second-other");
    let priors = dir.path().join("second-priors");
    shard(&run, &["--posterior", POSTERIOR], 1, 2, &first);
    shard(&run, &["--posterior", other], 2, 2, &second);
    shard(&run, &[], 2, 2, &priors);
    let refused = |second: &Path| -> String {
        let out = dir.path().join("merged");
        let assert = clustersim()
            .arg("merge")
            .arg(&first)
            .arg(second)
            .arg("--out")
            .arg(&out)
            .assert()
            .failure();
        assert!(!out.exists(), "a refused merge wrote {}", out.display());
        String::from_utf8_lossy(&assert.get_output().stderr).into_owned()
    };
    let error = refused(&second);
    assert!(error.contains("second-other"), "{error}");
    assert!(
        error.contains(&format!("the posterior in '{other}'")),
        "{error}"
    );
    assert!(
        error.contains(&format!("the posterior in '{POSTERIOR}'")),
        "{error}"
    );
    assert!(error.contains("the same --posterior"), "{error}");
    let error = refused(&priors);
    assert!(error.contains("second-priors"), "{error}");
    assert!(error.contains("their priors (no --posterior)"), "{error}");

    // The same posterior.csv under another path is the same posterior: the merge goes ahead and
    // records shard 1's folder.
    let copy = dir.path().join("copy-calibration");
    fs::create_dir(&copy).unwrap();
    for entry in fs::read_dir(POSTERIOR).unwrap() {
        let path = entry.unwrap().path();
        fs::copy(&path, copy.join(path.file_name().unwrap())).unwrap();
    }
    let copied = dir.path().join("second-copy");
    shard(
        &run,
        &["--posterior", copy.to_str().unwrap()],
        2,
        2,
        &copied,
    );
    let merged = dir.path().join("merged-copy");
    merge(&[copied, first], &merged);
    let manifest = fs::read_to_string(merged.join("manifest.json")).unwrap();
    assert!(
        manifest.contains(&format!("\"folder\": \"{POSTERIOR}\"")),
        "{manifest}"
    );
}
