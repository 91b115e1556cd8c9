//! `clustersim merge` and `--shard i/N`: shards merged in any order equal the one-machine result
//! byte for byte (every file, for `run` and `compare`); foreign, missing and duplicate shards are
//! refused by name; Slurm and Kubernetes environments select the shard.

use std::fs;
use std::path::Path;

use tempfile::TempDir;

#[path = "support/shards.rs"]
mod shards;
use shards::{assert_same_folders, clustersim};

const SCENARIO: &str = "tests/data/minimal.json";
/// Enough runs for 8 blocks of 256, so that each of 7 shards has work.
const RUNS: &str = "1800";

fn assert_contains(bytes: &[u8], expected: &str) {
    let text = String::from_utf8_lossy(bytes);
    assert!(text.contains(expected), "{expected:?} not in:\n{text}");
}

/// The shard order used for `n` shards: a fixed shuffle, never ascending for n > 1.
fn shuffled(n: u64) -> Vec<u64> {
    match n {
        1 => vec![1],
        2 => vec![2, 1],
        7 => vec![4, 7, 1, 3, 6, 2, 5],
        _ => (1..=n).rev().collect(),
    }
}

/// Runs `verb` on one machine and as 1, 2 and 7 shards merged in shuffled order, and checks that
/// every merged folder equals the one-machine folder byte for byte.
fn merged_equals_one_machine(verb: &[&str]) {
    let dir = TempDir::new().unwrap();
    let common = [SCENARIO, "--runs", RUNS, "--seed", "11", "--threads", "2"];
    let one = dir.path().join("one");
    clustersim()
        .args(verb)
        .args(common)
        .arg("--out")
        .arg(&one)
        .assert()
        .success();
    for n in [1u64, 2, 7] {
        let mut folders = Vec::new();
        for index in shuffled(n) {
            let folder = dir.path().join(format!("shard-{n}-{index}"));
            let assert = clustersim()
                .args(verb)
                .args(common)
                .args(["--shard", &format!("{index}/{n}"), "--quiet", "--out"])
                .arg(&folder)
                .assert()
                .success();
            assert_contains(
                &assert.get_output().stderr,
                &format!("shard {index}/{n} (from --shard {index}/{n})"),
            );
            assert!(folder.join("shard.json").is_file());
            assert!(!folder.join("charts").exists());
            folders.push(folder);
        }
        let merged = dir.path().join(format!("merged-{n}"));
        let assert = clustersim()
            .arg("merge")
            .args(&folders)
            .arg("--out")
            .arg(&merged)
            .assert()
            .success();
        assert_contains(&assert.get_output().stdout, "Results written to");
        assert_same_folders(&one, &merged);
    }
}

#[test]
fn merged_shards_of_run_equal_the_one_machine_result_byte_for_byte() {
    merged_equals_one_machine(&["run"]);
}

#[test]
fn merged_shards_of_compare_equal_the_one_machine_result_byte_for_byte() {
    merged_equals_one_machine(&["compare", "--policies", "equal,by_members"]);
}

/// Writes shard `index` of `count` of 600 runs of `scenario` with `seed` into `folder`.
fn shard(scenario: &Path, seed: &str, index: u64, count: u64, folder: &Path) {
    clustersim()
        .arg("run")
        .arg(scenario)
        .args(["--runs", "600", "--seed", seed, "--quiet"])
        .args(["--shard", &format!("{index}/{count}"), "--out"])
        .arg(folder)
        .assert()
        .success();
}

fn merge_fails(folders: &[&Path], out: &Path) -> String {
    let output = clustersim()
        .arg("merge")
        .args(folders)
        .arg("--out")
        .arg(out)
        .assert()
        .failure()
        .get_output()
        .clone();
    assert!(!out.exists(), "a refused merge wrote {}", out.display());
    String::from_utf8(output.stderr).unwrap()
}

#[test]
fn foreign_missing_and_duplicate_shards_are_refused_by_name() {
    let dir = TempDir::new().unwrap();
    let at = |name: &str| dir.path().join(name);
    let scenario = Path::new(SCENARIO);
    shard(scenario, "5", 1, 3, &at("a1"));
    shard(scenario, "5", 2, 3, &at("a2"));
    shard(scenario, "5", 3, 3, &at("a3"));
    let out = at("merged");

    // Another seed.
    shard(scenario, "6", 2, 3, &at("seed6"));
    let error = merge_fails(&[&at("a1"), &at("seed6"), &at("a3")], &out);
    assert!(error.contains("seed is 6, not 5"), "{error}");
    assert!(error.contains("seed6"), "{error}");

    // Another scenario: the same content with one more byte is another file.
    let other = at("other.json");
    fs::write(
        &other,
        format!("{}\n", fs::read_to_string(scenario).unwrap()),
    )
    .unwrap();
    shard(&other, "5", 3, 3, &at("other3"));
    let error = merge_fails(&[&at("a1"), &at("a2"), &at("other3")], &out);
    assert!(error.contains("scenario (SHA-256)"), "{error}");

    // Another tool version.
    let version = at("v3");
    fs::create_dir(&version).unwrap();
    for name in ["shard.json", "scenario.json", "state.json", "runs.csv"] {
        fs::copy(at("a3").join(name), version.join(name)).unwrap();
    }
    let manifest = fs::read_to_string(version.join("shard.json")).unwrap();
    let changed = manifest.replace(
        &format!("\"version\": \"{}\"", env!("CARGO_PKG_VERSION")),
        "\"version\": \"0.0.1\"",
    );
    assert_ne!(changed, manifest);
    fs::write(version.join("shard.json"), changed).unwrap();
    let error = merge_fails(&[&at("a1"), &at("a2"), &version], &out);
    assert!(error.contains("written by clustersim 0.0.1"), "{error}");

    // Missing shards are named with their runs.
    let error = merge_fails(&[&at("a2")], &out);
    assert!(
        error.contains("missing shards 1/3 (runs 0..256), 3/3 (runs 512..600)"),
        "{error}"
    );

    // A duplicate is named with both folders.
    let copy = at("a2-copy");
    fs::create_dir(&copy).unwrap();
    for name in ["shard.json", "scenario.json", "state.json", "runs.csv"] {
        fs::copy(at("a2").join(name), copy.join(name)).unwrap();
    }
    let error = merge_fails(&[&at("a1"), &at("a2"), &copy, &at("a3")], &out);
    assert!(error.contains("shard 2/3 is given twice"), "{error}");
    assert!(error.contains("a2-copy"), "{error}");

    // A folder that is no shard, and a tampered state.
    let error = merge_fails(&[&at("a1"), dir.path()], &out);
    assert!(error.contains("shard.json"), "{error}");
    let tampered = at("a1").join("state.json");
    let state = fs::read_to_string(&tampered).unwrap();
    fs::write(&tampered, state.replacen("\"runs\":256", "\"runs\":255", 1)).unwrap();
    let error = merge_fails(&[&at("a1"), &at("a2"), &at("a3")], &out);
    assert!(error.contains("state.json"), "{error}");
}

#[test]
fn slurm_and_kubernetes_environments_select_the_shard() {
    let dir = TempDir::new().unwrap();
    let by_flag = dir.path().join("flag");
    shard(Path::new(SCENARIO), "5", 2, 3, &by_flag);
    let slurm = dir.path().join("slurm");
    let assert = clustersim()
        .args([
            "run", SCENARIO, "--runs", "600", "--seed", "5", "--quiet", "--out",
        ])
        .arg(&slurm)
        .env("SLURM_ARRAY_TASK_ID", "8")
        .env("SLURM_ARRAY_TASK_MIN", "7")
        .env("SLURM_ARRAY_TASK_COUNT", "3")
        .assert()
        .success();
    assert_contains(
        &assert.get_output().stderr,
        "shard 2/3 (from SLURM_ARRAY_TASK_ID=8, SLURM_ARRAY_TASK_MIN=7, SLURM_ARRAY_TASK_COUNT=3)",
    );
    assert_same_folders(&by_flag, &slurm);
    let kubernetes = dir.path().join("kubernetes");
    let assert = clustersim()
        .args(["run", SCENARIO, "--runs", "600", "--seed", "5", "--quiet"])
        .args(["--shards", "3", "--out"])
        .arg(&kubernetes)
        .env("JOB_COMPLETION_INDEX", "1")
        .assert()
        .success();
    assert_contains(
        &assert.get_output().stderr,
        "shard 2/3 (from JOB_COMPLETION_INDEX=1, --shards 3)",
    );
    assert_same_folders(&by_flag, &kubernetes);
    // The index without a count is a clear error, and nothing is written.
    let nowhere = dir.path().join("nowhere");
    let assert = clustersim()
        .args(["run", SCENARIO, "--runs", "600", "--quiet", "--out"])
        .arg(&nowhere)
        .env("JOB_COMPLETION_INDEX", "1")
        .assert()
        .failure();
    assert_contains(&assert.get_output().stderr, "--shards N");
    assert!(!nowhere.exists());
}

#[test]
fn a_shard_needs_an_output_folder_and_a_fixed_run_count() {
    let assert = clustersim()
        .args(["run", SCENARIO, "--runs", "600", "--shard", "1/2"])
        .assert()
        .failure();
    assert_contains(&assert.get_output().stderr, "needs --out DIR");
    let dir = TempDir::new().unwrap();
    let assert = clustersim()
        .args([
            "run",
            SCENARIO,
            "--until-se",
            "0.01",
            "--shard",
            "1/2",
            "--out",
        ])
        .arg(dir.path().join("s"))
        .assert()
        .failure();
    assert_contains(&assert.get_output().stderr, "cannot be split into shards");
}
