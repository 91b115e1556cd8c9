//! Kubernetes job files: an Indexed Job with one completion per shard (`shards.yaml`, with the
//! scenario, and under a posterior its `posterior.csv`, in a ConfigMap), a merge Job (`merge.yaml`) and `submit.sh`, which applies the
//! shards, waits until the Job is complete, then applies the merge and waits for it (Kubernetes
//! has no dependencies between Jobs).
//!
//! Every pod mounts the shared volume, a PersistentVolumeClaim, at the work folder. Pod `k` of
//! the Indexed Job gets `JOB_COMPLETION_INDEX=k` (0-based) and computes shard `k + 1`.
//! Indexed Jobs: <https://kubernetes.io/docs/concepts/workloads/controllers/job/#completion-mode>.

use super::quote::{shell_quote, yaml_block_or_quote, yaml_quote};
use super::{JobFile, JobPlan};
use crate::scenario::POSTERIOR_FILE;

/// Where the scenario ConfigMap is mounted in the shard pods (also the `--posterior` folder of a
/// plan under a posterior).
pub const SCENARIO_MOUNT: &str = "/etc/clustersim";

/// The path of the scenario inside the shard pods.
pub const SCENARIO_PATH: &str = "/etc/clustersim/scenario.json";

/// The most a ConfigMap may hold (Kubernetes refuses larger objects), less room for the
/// manifest around the scenario.
pub const MAX_SCENARIO_BYTES: usize = 1_000_000;

/// Options of the Kubernetes job files beyond the plan itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KubernetesOptions {
    /// Container image with the clustersim binary and `/bin/sh`.
    pub image: String,
    /// Name of the PersistentVolumeClaim of the shared volume.
    pub claim: String,
    /// Shards running at once (`parallelism`).
    pub parallelism: u64,
}

/// Checks a Kubernetes object name (a DNS subdomain: lower-case letters, digits, `-` and `.`,
/// starting and ending with a letter or digit, at most 253 characters).
pub fn check_claim(claim: &str) -> Result<(), String> {
    let valid = !claim.is_empty()
        && claim.len() <= 253
        && claim
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
        && claim.starts_with(|c: char| c.is_ascii_alphanumeric())
        && claim.ends_with(|c: char| c.is_ascii_alphanumeric());
    if valid {
        Ok(())
    } else {
        Err(format!(
            "--pvc '{claim}' is not a valid PersistentVolumeClaim name: use lower-case letters, digits, '-' and '.', starting and ending with a letter or digit"
        ))
    }
}

/// Checks a container image reference: not empty, no spaces or control characters.
pub fn check_image(image: &str) -> Result<(), String> {
    if image.is_empty() || image.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "--image '{}' is not an image reference; give e.g. registry.example.org/clustersim:{}",
            image.escape_debug(),
            env!("CARGO_PKG_VERSION")
        ));
    }
    Ok(())
}

/// The job files of `plan` for Kubernetes: `shards.yaml`, `merge.yaml`, `submit.sh`.
pub fn job_files(plan: &JobPlan, options: &KubernetesOptions) -> Result<Vec<JobFile>, String> {
    let bytes: usize = config_files(plan).iter().map(|(_, text)| text.len()).sum();
    if bytes > MAX_SCENARIO_BYTES {
        let what = if plan.posterior.is_some() {
            "the scenario and the posterior (posterior.csv, manifest.json) have"
        } else {
            "the scenario has"
        };
        return Err(format!(
            "{what} {bytes} bytes, more than a Kubernetes ConfigMap holds ({MAX_SCENARIO_BYTES}); shorten the scenario (descriptions, sources) or the posterior (fewer particles), or run from the shared volume by editing shards.yaml"
        ));
    }
    Ok(vec![
        JobFile {
            name: "shards.yaml",
            contents: shards_manifest(plan, options),
            executable: false,
            description: "the Indexed Job, one completion per shard (and the scenario ConfigMap)",
        },
        JobFile {
            name: "merge.yaml",
            contents: merge_manifest(plan, options),
            executable: false,
            description: "the merge Job",
        },
        JobFile {
            name: "submit.sh",
            contents: submit_script(plan),
            executable: true,
            description: "applies the shards, waits for them, then applies the merge",
        },
    ])
}

/// The files of the ConfigMap mounted at [`SCENARIO_MOUNT`]: the scenario (unless the shards
/// run the built-in baseline) and, under a posterior, its `posterior.csv` and `manifest.json`.
fn config_files(plan: &JobPlan) -> Vec<(&'static str, &str)> {
    let mut files = Vec::new();
    if let Some(text) = &plan.scenario_text {
        files.push(("scenario.json", text.as_str()));
    }
    if let Some(posterior) = &plan.posterior {
        files.push((POSTERIOR_FILE, posterior.csv.as_str()));
        if let Some(manifest) = &posterior.manifest {
            files.push(("manifest.json", manifest.as_str()));
        }
    }
    files
}

fn labels(plan: &JobPlan, indent: &str) -> String {
    format!(
        "{indent}labels:\n{indent}  app.kubernetes.io/name: clustersim\n{indent}  app.kubernetes.io/instance: {}\n",
        yaml_quote(&plan.name)
    )
}

fn header(plan: &JobPlan, options: &KubernetesOptions, what: &str) -> String {
    format!(
        "# {what}\n\
         # Written by `clustersim plan` (clustersim {version}). Together the {shards} shards compute\n\
         #   {command}\n\
         # and the merge writes that command's result folder byte for byte (docs/SCALE-OUT.md).\n\
         # Parameters: the image ({image}) must hold the clustersim binary ({binary}) and /bin/sh;\n\
         # the shared volume is the PersistentVolumeClaim {claim} (ReadWriteMany), mounted at\n\
         # {workdir}. Apply with submit.sh beside this file, which runs the merge once every\n\
         # shard has succeeded.\n",
        version = env!("CARGO_PKG_VERSION"),
        shards = plan.shards,
        command = plan.one_machine_command(Some(SCENARIO_PATH)),
        image = options.image.escape_debug(),
        binary = plan.binary.escape_debug(),
        claim = options.claim,
        workdir = plan.workdir.escape_debug(),
    )
}

fn work_volume(options: &KubernetesOptions) -> String {
    format!(
        "        - name: work\n          persistentVolumeClaim:\n            claimName: {}\n",
        yaml_quote(&options.claim)
    )
}

fn shards_manifest(plan: &JobPlan, options: &KubernetesOptions) -> String {
    let mut manifest = header(
        plan,
        options,
        "Shards: a Kubernetes Indexed Job, one completion per shard.",
    );
    let mut scenario_mount = String::new();
    let mut scenario_volume = String::new();
    let files = config_files(plan);
    if !files.is_empty() {
        let data: String = files
            .iter()
            .map(|(name, text)| format!("  {name}: {}\n", yaml_quote(text)))
            .collect();
        manifest.push_str(&format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {}\n{}data:\n{data}---\n",
            yaml_quote(&format!("{}-scenario", plan.name)),
            labels(plan, "  "),
        ));
        scenario_mount = format!(
            "            - name: scenario\n              mountPath: {}\n              readOnly: true\n",
            yaml_quote(SCENARIO_MOUNT)
        );
        scenario_volume = format!(
            "        - name: scenario\n          configMap:\n            name: {}\n",
            yaml_quote(&format!("{}-scenario", plan.name))
        );
    }
    let script = format!(
        "set -eu\n{}# Pod k of the Indexed Job (JOB_COMPLETION_INDEX=k, 0-based) computes shard k + 1.\nshard=$((JOB_COMPLETION_INDEX + 1))\n{}",
        plan.variable_lines(Some(SCENARIO_PATH)),
        plan.shard_command()
    );
    manifest.push_str(&format!(
        "apiVersion: batch/v1\n\
         kind: Job\n\
         metadata:\n  name: {name}\n{labels}\
         spec:\n\
         \x20 completionMode: Indexed\n\
         \x20 completions: {shards}\n\
         \x20 parallelism: {parallelism}\n\
         \x20 template:\n\
         \x20   metadata:\n{pod_labels}\
         \x20   spec:\n\
         \x20     restartPolicy: Never\n\
         \x20     containers:\n\
         \x20       - name: shard\n\
         \x20         image: {image}\n\
         \x20         command:\n\
         \x20           - \"/bin/sh\"\n\
         \x20           - \"-c\"\n\
         \x20           - {script}\n\
         \x20         resources:\n\
         \x20           requests:\n\
         \x20             cpu: {cpus}\n\
         \x20         volumeMounts:\n\
         \x20           - name: work\n\
         \x20             mountPath: {workdir}\n\
         {scenario_mount}\
         \x20     volumes:\n\
         {work_volume}{scenario_volume}",
        name = yaml_quote(&format!("{}-shards", plan.name)),
        labels = labels(plan, "  "),
        pod_labels = labels(plan, "      "),
        shards = plan.shards,
        parallelism = options.parallelism,
        image = yaml_quote(&options.image),
        script = yaml_block_or_quote(&script, 14),
        cpus = yaml_quote(&plan.threads.to_string()),
        workdir = yaml_quote(&plan.workdir),
        work_volume = work_volume(options),
    ));
    manifest
}

fn merge_manifest(plan: &JobPlan, options: &KubernetesOptions) -> String {
    let mut arguments = vec![plan.binary.clone(), "merge".to_string()];
    arguments.extend(plan.shard_folders());
    arguments.extend(["--out".to_string(), plan.result_folder()]);
    let command: String = arguments
        .iter()
        .map(|argument| format!("            - {}\n", yaml_quote(argument)))
        .collect();
    format!(
        "{header}\
         apiVersion: batch/v1\n\
         kind: Job\n\
         metadata:\n  name: {name}\n{labels}\
         spec:\n\
         \x20 template:\n\
         \x20   metadata:\n{pod_labels}\
         \x20   spec:\n\
         \x20     restartPolicy: Never\n\
         \x20     containers:\n\
         \x20       - name: merge\n\
         \x20         image: {image}\n\
         \x20         command:\n{command}{environment}\
         \x20         volumeMounts:\n\
         \x20           - name: work\n\
         \x20             mountPath: {workdir}\n\
         \x20     volumes:\n\
         {work_volume}",
        header = header(
            plan,
            options,
            "Merge: folds the shard folders into one result once every shard has succeeded."
        ),
        name = yaml_quote(&format!("{}-merge", plan.name)),
        labels = labels(plan, "  "),
        pod_labels = labels(plan, "      "),
        image = yaml_quote(&options.image),
        workdir = yaml_quote(&plan.workdir),
        work_volume = work_volume(options),
        environment = plan
            .source_date_epoch
            .map_or(String::new(), |epoch| format!(
                "          env:\n            - name: SOURCE_DATE_EPOCH\n              value: {}\n",
                yaml_quote(&epoch.to_string())
            )),
    )
}

fn submit_script(plan: &JobPlan) -> String {
    format!(
        "#!/bin/bash\n\
         # Applies the shards (Indexed Job {name}-shards), waits until every shard has succeeded,\n\
         # then applies the merge (Job {name}-merge) and waits for it. Written by `clustersim plan`\n\
         # (clustersim {version}). Options given to this script go to every kubectl call, e.g.\n\
         #   bash submit.sh --namespace=simulations --context=production\n\
         # WAIT_SECONDS (default 86400) bounds each wait; POLL_SECONDS (default 10) spaces the checks.\n\
         set -euo pipefail\n\
         here=\"$(cd \"$(dirname \"${{BASH_SOURCE[0]}}\")\" && pwd)\"\n\
         kubectl_options=(\"$@\")\n\
         result={result}\n\
         kube() {{ kubectl ${{kubectl_options[@]+\"${{kubectl_options[@]}}\"}} \"$@\"; }}\n\
         wait_for() {{\n\
         \x20 local job=\"$1\" deadline=$((SECONDS + ${{WAIT_SECONDS:-86400}})) conditions\n\
         \x20 while :; do\n\
         \x20   conditions=\"$(kube get \"job/$job\" -o 'jsonpath={{.status.conditions[?(@.status==\"True\")].type}}')\"\n\
         \x20   case \" $conditions \" in\n\
         \x20     *\" Complete \"*) return 0 ;;\n\
         \x20     *\" Failed \"*)\n\
         \x20       echo \"submit.sh: job/$job failed; see: kubectl describe job/$job; kubectl logs job/$job\" >&2\n\
         \x20       return 1 ;;\n\
         \x20   esac\n\
         \x20   if [ \"$SECONDS\" -ge \"$deadline\" ]; then\n\
         \x20     echo \"submit.sh: job/$job not complete after ${{WAIT_SECONDS:-86400}} s; it keeps running: check it with kubectl get job/$job\" >&2\n\
         \x20     return 1\n\
         \x20   fi\n\
         \x20   sleep \"${{POLL_SECONDS:-10}}\"\n\
         \x20 done\n\
         }}\n\
         kube apply -f \"$here/shards.yaml\"\n\
         echo \"shards: job/{name}-shards ({shards} shards); waiting for every shard to succeed\"\n\
         wait_for {name}-shards\n\
         kube apply -f \"$here/merge.yaml\"\n\
         echo \"merge: job/{name}-merge; waiting for it\"\n\
         wait_for {name}-merge\n\
         echo \"merged: the result is in $result on the volume\"\n",
        name = plan.name,
        version = env!("CARGO_PKG_VERSION"),
        shards = plan.shards,
        result = shell_quote(&plan.result_folder()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scaleout::tests::example_plan;

    fn files() -> Vec<JobFile> {
        job_files(
            &example_plan(),
            &KubernetesOptions {
                image: "registry.example.org/clustersim:0.1.0".into(),
                claim: "clustersim-work".into(),
                parallelism: 3,
            },
        )
        .expect("a valid plan")
    }

    #[test]
    fn the_indexed_job_has_one_completion_per_shard() {
        let shards = &files()[0].contents;
        for line in [
            "  completionMode: Indexed\n",
            "  completions: 4\n",
            "  parallelism: 3\n",
            "            claimName: \"clustersim-work\"\n",
            "shard=$((JOB_COMPLETION_INDEX + 1))",
        ] {
            assert!(shards.contains(line), "missing {line}");
        }
    }

    #[test]
    fn the_merge_job_lists_every_shard_folder_in_order() {
        let merge = &files()[1].contents;
        let first = merge.find("shards/shard-1\"").expect("shard 1");
        let last = merge.find("shards/shard-4\"").expect("shard 4");
        assert!(first < last);
        assert!(merge.contains("- \"/shared/it's here/result\"\n"));
    }

    #[test]
    fn a_scenario_too_large_for_a_config_map_is_refused() {
        let plan = JobPlan {
            scenario_text: Some(" ".repeat(MAX_SCENARIO_BYTES + 1)),
            ..example_plan()
        };
        let options = KubernetesOptions {
            image: "i".into(),
            claim: "c".into(),
            parallelism: 1,
        };
        assert!(job_files(&plan, &options).is_err());
    }

    #[test]
    fn claims_and_images_are_checked() {
        assert!(check_claim("clustersim-work").is_ok());
        assert!(check_claim("Work").is_err());
        assert!(check_claim("").is_err());
        assert!(check_image("clustersim:0.1.0").is_ok());
        assert!(check_image("bad image").is_err());
    }
}
