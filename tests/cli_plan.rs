//! `clustersim plan`: the Slurm and Kubernetes job files it writes, read back as sbatch and
//! Kubernetes would read them (directives, YAML documents), and run with stand-ins for
//! `sbatch`, `kubectl` and the clustersim binary that record what they were asked to do; refusal
//! to overwrite; bad arguments.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command as Process;

use assert_cmd::Command;
use tempfile::TempDir;

#[path = "support/job_files.rs"]
mod job_files;
use job_files::{run_merge, run_pods, run_slurm_jobs, yaml_documents};

const SCENARIO: &str = "tests/data/minimal.json";

fn clustersim() -> Command {
    Command::cargo_bin("clustersim").expect("binary is built")
}

/// A folder whose name needs quoting in every language the job files speak.
fn awkward_folder(root: &Path) -> PathBuf {
    root.join("it's a \"plan\" $HOME #1")
}

/// Writes an executable stand-in script.
fn stand_in(folder: &Path, name: &str, body: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    fs::create_dir_all(folder).expect("stand-in folder");
    let path = folder.join(name);
    fs::write(&path, format!("#!/bin/sh\n{body}")).expect("stand-in written");
    fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).expect("executable");
    path
}

/// A stand-in clustersim binary that writes its arguments, one per line, to `$ARGS_LOG`.
fn recording_binary(folder: &Path) -> PathBuf {
    stand_in(
        folder,
        "clustersim-stand-in",
        "for argument in \"$@\"; do printf '%s\\n' \"$argument\"; done > \"$ARGS_LOG\"\n",
    )
}

fn path_with(folder: &Path) -> String {
    format!(
        "{}:{}",
        folder.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

fn lines(path: &Path) -> Vec<String> {
    fs::read_to_string(path)
        .expect("log written")
        .lines()
        .map(String::from)
        .collect()
}

/// The `#SBATCH` options of a script, in order; sbatch reads them only before the first command.
fn directives(script: &str) -> Vec<String> {
    let mut options = Vec::new();
    for line in script.lines().skip(1) {
        if let Some(option) = line.strip_prefix("#SBATCH ") {
            options.push(option.to_string());
        } else if !(line.starts_with('#') || line.trim().is_empty()) {
            break;
        }
    }
    options
}

fn bash_syntax_ok(script: &Path) {
    let status = Process::new("bash")
        .arg("-n")
        .arg(script)
        .status()
        .expect("bash runs");
    assert!(status.success(), "{} is not valid bash", script.display());
}

#[test]
fn slurm_plan_writes_an_array_of_one_task_per_shard_and_a_merge() {
    let dir = TempDir::new().unwrap();
    let plan = awkward_folder(dir.path());
    let output = clustersim()
        .args([
            "plan",
            SCENARIO,
            "--runs",
            "2000",
            "--shards",
            "7",
            "--seed",
            "11",
            "--threads",
            "3",
            "--sbatch-option=--partition=short",
            "--slurm",
        ])
        .arg(&plan)
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&output.get_output().stdout).into_owned();
    assert!(stdout.contains("7 shards"), "{stdout}");
    assert!(stdout.contains("submit.sh"), "{stdout}");
    // The scenario is copied byte for byte, so every shard reads what was planned.
    assert_eq!(
        fs::read(plan.join("scenario.json")).unwrap(),
        fs::read(SCENARIO).unwrap()
    );
    let shards = fs::read_to_string(plan.join("shards.sbatch")).unwrap();
    assert_eq!(
        directives(&shards),
        [
            "--job-name=minimal-shards",
            "--array=1-7",
            "--ntasks=1",
            "--cpus-per-task=3",
            "--partition=short"
        ]
    );
    let merge = fs::read_to_string(plan.join("merge.sbatch")).unwrap();
    assert_eq!(
        directives(&merge),
        [
            "--job-name=minimal-merge",
            "--ntasks=1",
            "--cpus-per-task=1",
            "--partition=short"
        ]
    );
    for script in ["shards.sbatch", "merge.sbatch", "submit.sh"] {
        bash_syntax_ok(&plan.join(script));
    }
}

#[test]
fn slurm_shard_task_runs_its_shard_into_its_own_folder_and_the_merge_takes_all_in_order() {
    let dir = TempDir::new().unwrap();
    let plan = awkward_folder(dir.path());
    let binary = recording_binary(&dir.path().join("bin"));
    clustersim()
        .args([
            "plan", SCENARIO, "--runs", "900", "--shards", "3", "--seed", "5",
        ])
        .arg("--binary")
        .arg(&binary)
        .arg("--slurm")
        .arg(&plan)
        .assert()
        .success();
    let log = dir.path().join("args.log");
    let status = Process::new("bash")
        .arg(plan.join("shards.sbatch"))
        .env("SLURM_ARRAY_TASK_ID", "2")
        .env("ARGS_LOG", &log)
        .status()
        .unwrap();
    assert!(status.success());
    let scenario = plan.join("scenario.json").display().to_string();
    let shard_folder = plan.join("shards/shard-2").display().to_string();
    assert_eq!(
        lines(&log),
        [
            "run",
            &scenario,
            "--runs",
            "900",
            "--seed",
            "5",
            "--threads",
            "1",
            "--shard",
            "2/3",
            "--out",
            &shard_folder
        ]
    );
    let status = Process::new("bash")
        .arg(plan.join("merge.sbatch"))
        .env("ARGS_LOG", &log)
        .status()
        .unwrap();
    assert!(status.success());
    let mut expected = vec!["merge".to_string()];
    expected.extend((1..=3).map(|i| plan.join(format!("shards/shard-{i}")).display().to_string()));
    expected.extend(["--out".into(), plan.join("result").display().to_string()]);
    assert_eq!(lines(&log), expected);
    // Run outside a job array, the shard script says how it must be run.
    let output = Process::new("bash")
        .arg(plan.join("shards.sbatch"))
        .env_remove("SLURM_ARRAY_TASK_ID")
        .env("ARGS_LOG", &log)
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("sbatch"));
}

#[test]
fn slurm_submit_queues_the_merge_after_the_array_and_prints_both_ids() {
    let dir = TempDir::new().unwrap();
    let plan = dir.path().join("plan");
    let workdir = awkward_folder(dir.path());
    clustersim()
        .args(["plan", SCENARIO, "--runs", "600", "--shards", "2"])
        .arg("--workdir")
        .arg(&workdir)
        .arg("--slurm")
        .arg(&plan)
        .assert()
        .success();
    // A stand-in sbatch: logs its arguments and answers job ids 101, 102, … as
    // `sbatch --parsable` does on a multi-cluster site ("id;cluster").
    let bin = dir.path().join("bin");
    stand_in(
        &bin,
        "sbatch",
        "n=$(cat \"$SBATCH_STATE\" 2>/dev/null || echo 100); n=$((n + 1)); echo \"$n\" > \"$SBATCH_STATE\"\n\
         for argument in \"$@\"; do printf '%s\\n' \"$argument\"; done >> \"$ARGS_LOG\"\necho ----- >> \"$ARGS_LOG\"\n\
         echo \"$n;cluster\"\n",
    );
    let log = dir.path().join("sbatch.log");
    let output = Process::new("bash")
        .arg(plan.join("submit.sh"))
        .arg("--account=project")
        .env("PATH", path_with(&bin))
        .env("ARGS_LOG", &log)
        .env("SBATCH_STATE", dir.path().join("state"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("shards job: 101 "), "{stdout}");
    assert!(stdout.contains("merge job: 102 "), "{stdout}");
    let log = lines(&log);
    let calls: Vec<&[String]> = log.split(|line| line == "-----").collect();
    let workdir_text = workdir.display().to_string();
    assert_eq!(
        calls[0],
        [
            "--parsable".to_string(),
            "--account=project".into(),
            format!("--chdir={workdir_text}"),
            format!("--output={workdir_text}/logs/shard-%a.out"),
            plan.join("shards.sbatch").display().to_string(),
        ]
    );
    assert!(calls[1].contains(&"--dependency=afterok:101".to_string()));
    assert!(calls[1].contains(&"--kill-on-invalid-dep=yes".to_string()));
    assert_eq!(
        calls[1].last(),
        Some(&plan.join("merge.sbatch").display().to_string())
    );
    assert!(workdir.join("logs").is_dir());
    // A second submission would mix two runs' shards: refused while shards/ exists.
    fs::create_dir_all(workdir.join("shards")).unwrap();
    let output = Process::new("bash")
        .arg(plan.join("submit.sh"))
        .env("PATH", path_with(&bin))
        .env("ARGS_LOG", dir.path().join("second.log"))
        .env("SBATCH_STATE", dir.path().join("state"))
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("already exists"));
    assert!(!dir.path().join("second.log").exists(), "nothing submitted");
}

#[test]
fn kubernetes_plan_is_an_indexed_job_with_the_scenario_and_a_merge_job() {
    let dir = TempDir::new().unwrap();
    let plan = dir.path().join("k8s");
    clustersim()
        .args([
            "plan",
            SCENARIO,
            "--runs",
            "1000",
            "--shards",
            "4",
            "--threads",
            "2",
            "--parallelism",
            "3",
            "--image",
            "registry.example.org/clustersim:test",
            "--pvc",
            "shared-runs",
            "--k8s",
        ])
        .arg(&plan)
        .assert()
        .success();
    let documents = yaml_documents(&plan.join("shards.yaml"));
    assert_eq!(documents.len(), 2);
    let config_map = &documents[0];
    assert_eq!(config_map["kind"], "ConfigMap");
    assert_eq!(
        config_map["data"]["scenario.json"].as_str().unwrap(),
        fs::read_to_string(SCENARIO).unwrap(),
        "the scenario survives YAML quoting byte for byte"
    );
    let job = &documents[1];
    assert_eq!(job["kind"], "Job");
    assert_eq!(job["metadata"]["name"], "minimal-shards");
    assert_eq!(job["spec"]["completionMode"], "Indexed");
    assert_eq!(job["spec"]["completions"], 4);
    assert_eq!(job["spec"]["parallelism"], 3);
    let pod = &job["spec"]["template"]["spec"];
    assert_eq!(pod["restartPolicy"], "Never");
    let container = &pod["containers"][0];
    assert_eq!(container["image"], "registry.example.org/clustersim:test");
    assert_eq!(container["resources"]["requests"]["cpu"], "2");
    assert_eq!(container["command"][0], "/bin/sh");
    assert_eq!(container["command"][1], "-c");
    assert!(
        container["command"][2]
            .as_str()
            .unwrap()
            .contains("JOB_COMPLETION_INDEX")
    );
    assert_eq!(container["volumeMounts"][0]["mountPath"], "/work");
    assert_eq!(
        pod["volumes"][0]["persistentVolumeClaim"]["claimName"],
        "shared-runs"
    );
    assert_eq!(pod["volumes"][1]["configMap"]["name"], "minimal-scenario");
    let merge = yaml_documents(&plan.join("merge.yaml"));
    assert_eq!(merge.len(), 1);
    assert_eq!(merge[0]["metadata"]["name"], "minimal-merge");
    let command: Vec<&str> = merge[0]["spec"]["template"]["spec"]["containers"][0]["command"]
        .as_array()
        .unwrap()
        .iter()
        .map(|value| value.as_str().unwrap())
        .collect();
    assert_eq!(
        command,
        [
            "clustersim",
            "merge",
            "/work/shards/shard-1",
            "/work/shards/shard-2",
            "/work/shards/shard-3",
            "/work/shards/shard-4",
            "--out",
            "/work/result"
        ]
    );
    bash_syntax_ok(&plan.join("submit.sh"));
}

#[test]
fn kubernetes_pod_of_index_k_runs_shard_k_plus_one() {
    let dir = TempDir::new().unwrap();
    let plan = dir.path().join("k8s");
    let workdir = awkward_folder(dir.path());
    let binary = recording_binary(&dir.path().join("bin"));
    clustersim()
        .args([
            "plan",
            SCENARIO,
            "--compare",
            "--policies",
            "equal,by_members",
            "--runs",
            "1300",
            "--shards",
            "5",
            "--seed",
            "3",
        ])
        .arg("--binary")
        .arg(&binary)
        .arg("--workdir")
        .arg(&workdir)
        .arg("--k8s")
        .arg(&plan)
        .assert()
        .success();
    let documents = yaml_documents(&plan.join("shards.yaml"));
    let script = documents[1]["spec"]["template"]["spec"]["containers"][0]["command"][2]
        .as_str()
        .unwrap()
        .to_string();
    let log = dir.path().join("args.log");
    // The container's command, run as the kubelet runs it with the index the Job controller sets.
    let status = Process::new("/bin/sh")
        .arg("-c")
        .arg(&script)
        .env("JOB_COMPLETION_INDEX", "4")
        .env("ARGS_LOG", &log)
        .status()
        .unwrap();
    assert!(status.success());
    let shard_folder = workdir.join("shards/shard-5").display().to_string();
    assert_eq!(
        lines(&log),
        [
            "compare",
            "/etc/clustersim/scenario.json",
            "--policies",
            "equal,by_members",
            "--baseline",
            "equal",
            "--crn",
            "on",
            "--min-difference",
            "1%",
            "--runs",
            "1300",
            "--seed",
            "3",
            "--threads",
            "1",
            "--shard",
            "5/5",
            "--out",
            &shard_folder
        ]
    );
}

#[test]
fn kubernetes_submit_applies_the_merge_only_after_the_shards_complete() {
    let dir = TempDir::new().unwrap();
    let plan = dir.path().join("k8s");
    clustersim()
        .args(["plan", SCENARIO, "--runs", "300", "--shards", "2", "--k8s"])
        .arg(&plan)
        .assert()
        .success();
    let bin = dir.path().join("bin");
    // A stand-in kubectl: logs each call; `get` answers the Job's true conditions from
    // $CONDITIONS.
    stand_in(
        &bin,
        "kubectl",
        "echo \"$*\" >> \"$ARGS_LOG\"\ncase \" $* \" in *\" get \"*) printf '%s' \"$CONDITIONS\" ;; esac\n",
    );
    let run = |conditions: &str, log: &Path| {
        Process::new("bash")
            .arg(plan.join("submit.sh"))
            .arg("--namespace=simulations")
            .env("PATH", path_with(&bin))
            .env("ARGS_LOG", log)
            .env("CONDITIONS", conditions)
            .env("POLL_SECONDS", "0")
            .output()
            .unwrap()
    };
    let log = dir.path().join("complete.log");
    let output = run("SuccessCriteriaMet Complete", &log);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let shards = plan.join("shards.yaml").display().to_string();
    let merge = plan.join("merge.yaml").display().to_string();
    assert_eq!(
        lines(&log),
        [
            format!("--namespace=simulations apply -f {shards}"),
            "--namespace=simulations get job/minimal-shards -o jsonpath={.status.conditions[?(@.status==\"True\")].type}".into(),
            format!("--namespace=simulations apply -f {merge}"),
            "--namespace=simulations get job/minimal-merge -o jsonpath={.status.conditions[?(@.status==\"True\")].type}".into(),
        ]
    );
    let log = dir.path().join("failed.log");
    let output = run("FailureTarget Failed", &log);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("job/minimal-shards failed"));
    assert!(
        !fs::read_to_string(&log).unwrap().contains("merge.yaml"),
        "no merge after failed shards"
    );
}

#[test]
fn plan_refuses_to_overwrite_without_force() {
    let dir = TempDir::new().unwrap();
    let plan = dir.path().join("plan");
    let args = |runs: &str| {
        vec![
            "plan".to_string(),
            SCENARIO.into(),
            "--runs".into(),
            runs.into(),
            "--shards".into(),
            "2".into(),
            "--slurm".into(),
            plan.display().to_string(),
        ]
    };
    clustersim().args(args("500")).assert().success();
    let before = fs::read(plan.join("shards.sbatch")).unwrap();
    let output = clustersim().args(args("800")).assert().failure();
    let stderr = String::from_utf8_lossy(&output.get_output().stderr).into_owned();
    assert!(
        stderr.contains("shards.sbatch") && stderr.contains("--force"),
        "{stderr}"
    );
    assert_eq!(fs::read(plan.join("shards.sbatch")).unwrap(), before);
    let mut forced = args("800");
    forced.push("--force".into());
    clustersim().args(forced).assert().success();
    assert!(
        fs::read_to_string(plan.join("shards.sbatch"))
            .unwrap()
            .contains("--runs 800")
    );
    let hidden: Vec<_> = fs::read_dir(&plan)
        .unwrap()
        .filter_map(|entry| {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            name.starts_with('.').then_some(name)
        })
        .collect();
    assert!(hidden.is_empty(), "temporaries left: {hidden:?}");
}

#[test]
fn slurm_default_binary_is_this_binary() {
    let dir = TempDir::new().unwrap();
    let plan = dir.path().join("plan");
    clustersim()
        .args(["plan", "--runs", "300", "--shards", "2", "--slurm"])
        .arg(&plan)
        .assert()
        .success();
    let script = fs::read_to_string(plan.join("shards.sbatch")).unwrap();
    let binary = Command::cargo_bin("clustersim")
        .unwrap()
        .get_program()
        .to_string_lossy()
        .into_owned();
    assert!(script.contains(&format!("binary={binary}\n")), "{script}");
    // No scenario given: the shards run the built-in baseline, and no copy is written.
    assert!(
        script.contains("exec \"$binary\" run --runs 300"),
        "{script}"
    );
    assert!(!plan.join("scenario.json").exists());
}

fn fails_with(args: &[&str], expected: &str) {
    let output = clustersim().args(args).assert().failure();
    let stderr = String::from_utf8_lossy(&output.get_output().stderr).into_owned();
    assert!(
        stderr.contains(expected),
        "{args:?}: expected '{expected}' in: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn bad_arguments_are_refused_with_what_would_be_valid() {
    let dir = TempDir::new().unwrap();
    let plan = dir.path().join("plan");
    let plan = plan.to_str().unwrap();
    let base = ["plan", SCENARIO, "--runs", "1000"];
    // Every folder named `x` is the temporary plan folder, which must stay unwritten.
    let with = |extra: &[&'static str]| -> Vec<&str> {
        base.iter()
            .copied()
            .chain(extra.iter().map(|&arg| if arg == "x" { plan } else { arg }))
            .collect()
    };
    fails_with(
        &with(&["--shards", "0", "--slurm", "x"]),
        "--shards must be between 1 and 4 (got 0): shards are made of blocks of 256 runs",
    );
    fails_with(
        &with(&["--shards", "5", "--slurm", "x"]),
        "1000 runs make 4",
    );
    fails_with(&with(&["--shards", "2"]), "--slurm");
    fails_with(
        &with(&["--shards", "2", "--slurm", "x", "--k8s", "x"]),
        "cannot be used with",
    );
    fails_with(
        &with(&["--shards", "2", "--name", "Bad_Name", "--slurm", "x"]),
        "lower-case letters, digits and '-'",
    );
    fails_with(
        &with(&["--shards", "2", "--image", "i", "--slurm", "x"]),
        "--image applies to Kubernetes plans only",
    );
    fails_with(
        &with(&["--shards", "2", "--policies", "equal", "--slurm", "x"]),
        "--compare",
    );
    fails_with(
        &with(&[
            "--shards",
            "2",
            "--compare",
            "--policies",
            "equal,nonesuch",
            "--slurm",
            "x",
        ]),
        "nonesuch",
    );
    fails_with(
        &with(&["--shards", "2", "--workdir", "relative/dir", "--k8s", "x"]),
        "must be an absolute path",
    );
    fails_with(
        &with(&[
            "--shards",
            "2",
            "--sbatch-option",
            "partition=short",
            "--slurm",
            "x",
        ]),
        "#SBATCH",
    );
    fails_with(
        &with(&[
            "--shards",
            "2",
            "--sbatch-option=--time=1:00:00",
            "--k8s",
            "x",
        ]),
        "--sbatch-option applies to Slurm plans only",
    );
    fails_with(
        &with(&["--shards", "2", "--crn", "off", "--slurm", "x"]),
        "--compare",
    );
    fails_with(
        &with(&["--shards", "2", "--pvc", "Shared_Volume", "--k8s", "x"]),
        "PersistentVolumeClaim",
    );
    fails_with(
        &with(&["--shards", "2", "--workdir", "/a\\b", "--slurm", "x"]),
        "Slurm's file-name patterns",
    );
    fails_with(
        &[
            "plan",
            "tests/data/truncated.json",
            "--shards",
            "2",
            "--slurm",
            plan,
        ],
        "truncated.json",
    );
    fails_with(
        &[
            "plan",
            "tests/data/missing.json",
            "--shards",
            "2",
            "--slurm",
            plan,
        ],
        "missing.json",
    );
    assert!(!Path::new(plan).exists(), "nothing written on refusal");
    let file = dir.path().join("a-file");
    fs::write(&file, "x").unwrap();
    fails_with(
        &[
            "plan",
            SCENARIO,
            "--shards",
            "1",
            "--slurm",
            file.to_str().unwrap(),
        ],
        "not a folder",
    );
}

/// The manifests record when a result was made; pinned, one machine and a merge record the same.
const EPOCH: &str = "SOURCE_DATE_EPOCH";
const PINNED: &str = "1700000000";

/// Every file under `folder`, relative, with its bytes.
fn tree(folder: &Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    let mut files = std::collections::BTreeMap::new();
    let mut pending = vec![folder.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in fs::read_dir(&current).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let relative = path.strip_prefix(folder).unwrap().to_path_buf();
                files.insert(relative, fs::read(&path).unwrap());
            }
        }
    }
    files
}

fn assert_same_tree(one_machine: &Path, merged: &Path) {
    let expected = tree(one_machine);
    let actual = tree(merged);
    assert_eq!(
        expected.keys().collect::<Vec<_>>(),
        actual.keys().collect::<Vec<_>>(),
        "the merged folder holds other files"
    );
    for (file, bytes) in &expected {
        assert!(bytes == &actual[file], "{} differs", file.display());
    }
}

#[test]
fn slurm_job_files_run_without_a_scheduler_give_the_one_machine_result() {
    // The scripts run as Slurm would run them: each array task with its SLURM_ARRAY_TASK_ID (in
    // an order other than the array's), then the merge job.
    let dir = TempDir::new().unwrap();
    let plan = awkward_folder(dir.path());
    clustersim()
        .args([
            "plan", SCENARIO, "--runs", "600", "--shards", "3", "--seed", "9", "--slurm",
        ])
        .arg(&plan)
        .env(EPOCH, PINNED)
        .assert()
        .success();
    run_slurm_jobs(&plan, &["3", "1", "2"]);
    let one_machine = dir.path().join("one-machine");
    clustersim()
        .arg("run")
        .arg(plan.join("scenario.json"))
        .args([
            "--runs",
            "600",
            "--seed",
            "9",
            "--threads",
            "1",
            "--quiet",
            "--out",
        ])
        .arg(&one_machine)
        .env(EPOCH, PINNED)
        .assert()
        .success();
    assert_same_tree(&one_machine, &plan.join("result"));
}

#[test]
fn kubernetes_pods_of_a_comparison_give_the_one_machine_result() {
    // Each pod's command as the kubelet runs it (with the ConfigMap's mount path replaced by the
    // plan's copy of the scenario, the same bytes), in an order other than the indices', then
    // the merge Job's command.
    let dir = TempDir::new().unwrap();
    let plan = dir.path().join("k8s");
    let workdir = awkward_folder(dir.path());
    let binary = Command::cargo_bin("clustersim")
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
            "--runs",
            "520",
            "--shards",
            "2",
            "--seed",
            "4",
        ])
        .arg("--binary")
        .arg(&binary)
        .arg("--workdir")
        .arg(&workdir)
        .arg("--k8s")
        .arg(&plan)
        .env(EPOCH, PINNED)
        .assert()
        .success();
    // The plan folder holds the ConfigMap's file, scenario.json, so it stands in for the mount.
    let scenario = plan.join("scenario.json").display().to_string();
    run_pods(&plan, &plan, &["1", "0"]);
    let merge = yaml_documents(&plan.join("merge.yaml"));
    assert_eq!(
        merge[0]["spec"]["template"]["spec"]["containers"][0]["env"][0]["name"],
        EPOCH
    );
    run_merge(&plan);
    let one_machine = dir.path().join("one-machine");
    clustersim()
        .args([
            "compare",
            &scenario,
            "--policies",
            "equal,by_members",
            "--runs",
            "520",
            "--seed",
            "4",
            "--threads",
            "1",
            "--quiet",
            "--out",
        ])
        .arg(&one_machine)
        .env(EPOCH, PINNED)
        .assert()
        .success();
    assert_same_tree(&one_machine, &workdir.join("result"));
}
