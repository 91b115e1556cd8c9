//! Shared by the `plan` tests: the job files run without a scheduler, as the scheduler would run
//! them — a Slurm plan's array tasks and merge job with bash, a Kubernetes plan's pods and merge
//! Job as the kubelet would (its manifests read as Kubernetes reads them). The job files export
//! the `SOURCE_DATE_EPOCH` that `plan` ran with.

use std::fs;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// The YAML documents of a manifest, as JSON values.
pub fn yaml_documents(path: &Path) -> Vec<Value> {
    use serde::Deserialize;
    let text = fs::read_to_string(path).unwrap();
    serde_norway::Deserializer::from_str(&text)
        .map(|document| Value::deserialize(document).expect("valid YAML"))
        .collect()
}

/// Runs the shard pods of the Indexed Job in `plan`'s `shards.yaml` with the given
/// `JOB_COMPLETION_INDEX`es, in that order, with `mount` (the ConfigMap's files, as the kubelet
/// mounts them) in place of the mount path.
pub fn run_pods(plan: &Path, mount: &Path, indices: &[&str]) {
    let documents = yaml_documents(&plan.join("shards.yaml"));
    let script = documents[1]["spec"]["template"]["spec"]["containers"][0]["command"][2]
        .as_str()
        .unwrap()
        .replace("/etc/clustersim", &mount.display().to_string());
    for index in indices {
        let output = Command::new("/bin/sh")
            .arg("-c")
            .arg(&script)
            .env("JOB_COMPLETION_INDEX", index)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "pod {index}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// Runs the merge Job of `plan`'s `merge.yaml` with the environment its container sets.
pub fn run_merge(plan: &Path) {
    let merge = yaml_documents(&plan.join("merge.yaml"));
    let container = &merge[0]["spec"]["template"]["spec"]["containers"][0];
    let command: Vec<String> = container["command"]
        .as_array()
        .unwrap()
        .iter()
        .map(|value| value.as_str().unwrap().to_string())
        .collect();
    let mut process = Command::new(&command[0]);
    process.args(&command[1..]);
    for variable in container["env"].as_array().into_iter().flatten() {
        process.env(
            variable["name"].as_str().unwrap(),
            variable["value"].as_str().unwrap(),
        );
    }
    let output = process.output().unwrap();
    assert!(
        output.status.success(),
        "merge: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Runs the array tasks of `plan`'s `shards.sbatch` with the given `SLURM_ARRAY_TASK_ID`s, in
/// that order, then its `merge.sbatch`.
pub fn run_slurm_jobs(plan: &Path, tasks: &[&str]) {
    for task in tasks {
        let output = Command::new("bash")
            .arg(plan.join("shards.sbatch"))
            .env("SLURM_ARRAY_TASK_ID", task)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "task {task}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let output = Command::new("bash")
        .arg(plan.join("merge.sbatch"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "merge: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}
