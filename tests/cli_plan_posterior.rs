//! `clustersim plan` under a posterior (`--posterior DIR`, or the scenario's relative
//! `posterior` field): the plan carries the calibration's `posterior.csv` and `manifest.json`
//! beside its copy of the scenario (the Slurm plan folder, the Kubernetes ConfigMap), so the
//! shards read the same posterior wherever the calibration folder was — and the job files, run
//! as the scheduler would run them, merge into the one-machine `--posterior` result byte for
//! byte, even after the calibration folder is gone.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;
use tempfile::TempDir;

#[path = "support/shards.rs"]
mod shards;
use shards::{assert_same_folders, clustersim};

#[path = "support/job_files.rs"]
mod job_files;
use job_files::{run_merge, run_pods, run_slurm_jobs, yaml_documents};

/// The hand-written posterior of tests/cli_posterior.rs, for tests/data/minimal.json.
const CALIBRATION: &str = "tests/data/calibration";
const SCENARIO: &str = "tests/data/minimal.json";
/// Three blocks of 256 runs: two shards of one and two blocks.
const RUNS: &str = "600";

/// A copy of the calibration folder at `folder`.
fn copy_calibration(folder: &Path) {
    fs::create_dir_all(folder).unwrap();
    for name in ["posterior.csv", "manifest.json"] {
        fs::copy(Path::new(CALIBRATION).join(name), folder.join(name)).unwrap();
    }
}

/// tests/data/minimal.json with `"posterior": "calibration"` (relative to the scenario file),
/// written into `folder` beside a copy of the calibration; returns the scenario's path.
fn scenario_with_posterior_field(folder: &Path) -> PathBuf {
    let mut scenario: Value = serde_json::from_str(&fs::read_to_string(SCENARIO).unwrap()).unwrap();
    scenario["posterior"] = Value::from("calibration");
    let path = folder.join("scenario.json");
    fs::create_dir_all(folder).unwrap();
    fs::write(&path, serde_json::to_string_pretty(&scenario).unwrap()).unwrap();
    copy_calibration(&folder.join("calibration"));
    path
}

#[test]
fn a_slurm_plan_carries_the_scenarios_posterior_and_merges_into_the_one_machine_result() {
    let dir = TempDir::new().unwrap();
    let scenario = scenario_with_posterior_field(&dir.path().join("analysis"));
    let plan = dir.path().join("plan");
    let output = clustersim()
        .arg("plan")
        .arg(&scenario)
        .args(["--runs", RUNS, "--shards", "2", "--seed", "9", "--slurm"])
        .arg(&plan)
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&output.get_output().stdout).into_owned();
    assert!(stdout.contains("posterior.csv"), "{stdout}");
    assert!(
        stdout.contains(&format!("--posterior {}", plan.display())),
        "the one-machine command names the plan's copy: {stdout}"
    );
    for name in ["posterior.csv", "manifest.json"] {
        assert_eq!(
            fs::read(plan.join(name)).unwrap(),
            fs::read(Path::new(CALIBRATION).join(name)).unwrap(),
            "{name} is copied byte for byte"
        );
    }
    // The shards must not need the calibration folder the scenario's field pointed at.
    fs::remove_dir_all(dir.path().join("analysis")).unwrap();
    run_slurm_jobs(&plan, &["2", "1"]);
    let one_machine = dir.path().join("one-machine");
    clustersim()
        .arg("run")
        .arg(plan.join("scenario.json"))
        .args(["--runs", RUNS, "--seed", "9", "--posterior"])
        .arg(&plan)
        .args(["--threads", "1", "--quiet", "--out"])
        .arg(&one_machine)
        .assert()
        .success();
    let manifest: Value =
        serde_json::from_str(&fs::read_to_string(one_machine.join("manifest.json")).unwrap())
            .unwrap();
    assert!(
        manifest["posterior"]["posterior_sha256"].is_string(),
        "the one-machine result was drawn from the posterior"
    );
    assert_same_folders(&one_machine, &plan.join("result"));
}

#[test]
fn a_kubernetes_plan_carries_the_posterior_in_its_config_map() {
    // The ConfigMap's files are written into a folder as the kubelet would mount them, each pod's
    // command runs with that folder in place of the mount path, then the merge Job's command.
    let dir = TempDir::new().unwrap();
    let calibration = dir.path().join("calibration");
    copy_calibration(&calibration);
    let plan = dir.path().join("k8s");
    let workdir = dir.path().join("volume");
    let binary = assert_cmd::Command::cargo_bin("clustersim")
        .unwrap()
        .get_program()
        .to_owned();
    clustersim()
        .args([
            "plan",
            SCENARIO,
            "--compare",
            "--policies",
            "equal,by_members",
        ])
        .args([
            "--runs",
            "520",
            "--shards",
            "2",
            "--seed",
            "4",
            "--posterior",
        ])
        .arg(&calibration)
        .arg("--binary")
        .arg(&binary)
        .arg("--workdir")
        .arg(&workdir)
        .arg("--k8s")
        .arg(&plan)
        .assert()
        .success();
    let documents = yaml_documents(&plan.join("shards.yaml"));
    let data = &documents[0]["data"];
    let mount = dir.path().join("mount");
    fs::create_dir_all(&mount).unwrap();
    for name in ["scenario.json", "posterior.csv", "manifest.json"] {
        let text = data[name]
            .as_str()
            .unwrap_or_else(|| panic!("{name} in the ConfigMap"));
        fs::write(mount.join(name), text).unwrap();
    }
    assert_eq!(
        fs::read(mount.join("posterior.csv")).unwrap(),
        fs::read(calibration.join("posterior.csv")).unwrap()
    );
    fs::remove_dir_all(&calibration).unwrap();
    let script = documents[1]["spec"]["template"]["spec"]["containers"][0]["command"][2]
        .as_str()
        .unwrap();
    assert!(script.contains("--posterior /etc/clustersim"), "{script}");
    run_pods(&plan, &mount, &["1", "0"]);
    run_merge(&plan);
    let one_machine = dir.path().join("one-machine");
    clustersim()
        .arg("compare")
        .arg(mount.join("scenario.json"))
        .args([
            "--policies",
            "equal,by_members",
            "--runs",
            "520",
            "--seed",
            "4",
        ])
        .arg("--posterior")
        .arg(&mount)
        .args(["--threads", "1", "--quiet", "--out"])
        .arg(&one_machine)
        .assert()
        .success();
    assert_same_folders(&one_machine, &workdir.join("result"));
}

#[test]
fn a_missing_posterior_is_refused_before_any_job_file_is_written() {
    let dir = TempDir::new().unwrap();
    let plan = dir.path().join("plan");
    let output = clustersim()
        .args([
            "plan",
            SCENARIO,
            "--runs",
            RUNS,
            "--shards",
            "2",
            "--posterior",
        ])
        .arg(dir.path().join("no-such-calibration"))
        .arg("--slurm")
        .arg(&plan)
        .assert()
        .failure();
    let stderr = String::from_utf8_lossy(&output.get_output().stderr).into_owned();
    assert!(stderr.contains("no-such-calibration"), "{stderr}");
    assert!(stderr.contains("not a folder"), "{stderr}");
    assert!(!plan.exists(), "nothing written");
}
