//! Slurm job files: a job array with one task per shard (`shards.sbatch`), a merge job
//! (`merge.sbatch`) and `submit.sh`, which submits the array, then the merge with
//! `--dependency=afterok:<array job>` so that it starts only when every shard has succeeded, and
//! prints both job ids.
//!
//! Paths appear only in shell variables at the top of each script (shell-quoted) and on
//! `submit.sh`'s `sbatch` command line, never in `#SBATCH` lines, whose parsing is not a
//! shell's. Slurm's options: <https://slurm.schedmd.com/sbatch.html>.

use super::quote::shell_quote;
use super::{JobFile, JobPlan};

/// Options of the Slurm job files beyond the plan itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SlurmOptions {
    /// Extra `#SBATCH` options for both jobs (e.g. `--partition=short`, `--time=02:00:00`).
    pub sbatch_options: Vec<String>,
    /// Absolute path of the scenario copy the shards read (`None` with the built-in baseline).
    pub scenario_path: Option<String>,
}

/// Checks an extra `#SBATCH` option: one option starting with `-`, no line break.
pub fn check_sbatch_option(option: &str) -> Result<(), String> {
    if !option.starts_with('-') || option.chars().any(char::is_control) {
        return Err(format!(
            "--sbatch-option '{}' is not one sbatch option; give it as it would follow '#SBATCH ', e.g. --sbatch-option=--partition=short",
            option.escape_debug()
        ));
    }
    Ok(())
}

/// Slurm's `--output` file names expand `%` patterns, and a `\` anywhere turns the expansion
/// off (so every task would write to one file). Returns `path` with `%` written `%%`, or why it
/// cannot be used.
pub fn output_pattern(path: &str) -> Result<String, String> {
    if path.contains('\\') {
        return Err(format!(
            "--workdir '{path}' holds a '\\', which turns off Slurm's file-name patterns (the shards' logs would overwrite one another); choose a folder without one"
        ));
    }
    Ok(path.replace('%', "%%"))
}

/// The job files of `plan` for Slurm: `shards.sbatch`, `merge.sbatch`, `submit.sh`.
pub fn job_files(plan: &JobPlan, options: &SlurmOptions) -> Result<Vec<JobFile>, String> {
    let log_folder = format!("{}/logs", output_pattern(&plan.workdir)?);
    Ok(vec![
        JobFile {
            name: "shards.sbatch",
            contents: shards_script(plan, options),
            executable: true,
            description: "the job array, one task per shard",
        },
        JobFile {
            name: "merge.sbatch",
            contents: merge_script(plan, options),
            executable: true,
            description: "the merge job",
        },
        JobFile {
            name: "submit.sh",
            contents: submit_script(plan, &log_folder),
            executable: true,
            description: "submits both and prints their job ids",
        },
    ])
}

fn header(plan: &JobPlan, options: &SlurmOptions, what: &str) -> String {
    format!(
        "#!/bin/bash\n\
         # {what}\n\
         # Written by `clustersim plan` (clustersim {version}). Together the {shards} shards compute\n\
         #   {command}\n\
         # and the merge writes that command's result folder byte for byte (docs/SCALE-OUT.md).\n\
         # Submit with submit.sh beside this file, which queues both jobs in order.\n",
        version = env!("CARGO_PKG_VERSION"),
        shards = plan.shards,
        command = plan.one_machine_command(options.scenario_path.as_deref()),
    )
}

fn directives(job_name: &str, options: &SlurmOptions, extra: &[String]) -> String {
    let mut lines = format!("#SBATCH --job-name={job_name}\n");
    for option in extra.iter().chain(&options.sbatch_options) {
        lines.push_str(&format!("#SBATCH {option}\n"));
    }
    lines
}

fn shards_script(plan: &JobPlan, options: &SlurmOptions) -> String {
    format!(
        "{header}{directives}\nset -euo pipefail\n{variables}\
         # Task i of the array (SLURM_ARRAY_TASK_ID, 1..{shards}) computes shard i of {shards}.\n\
         shard=\"${{SLURM_ARRAY_TASK_ID:?submit this script with sbatch (see submit.sh)}}\"\n\
         {command}",
        header = header(
            plan,
            options,
            "Shards: a Slurm job array, one task per shard."
        ),
        directives = directives(
            &format!("{}-shards", plan.name),
            options,
            &[
                format!("--array=1-{}", plan.shards),
                "--ntasks=1".into(),
                format!("--cpus-per-task={}", plan.threads),
            ],
        ),
        variables = plan.variable_lines(options.scenario_path.as_deref()),
        shards = plan.shards,
        command = plan.shard_command(),
    )
}

fn merge_script(plan: &JobPlan, options: &SlurmOptions) -> String {
    format!(
        "{header}{directives}\nset -euo pipefail\n{variables}\
         shard_folders=()\n\
         for shard in $(seq 1 {shards}); do\n  shard_folders+=(\"$workdir/shards/shard-$shard\")\ndone\n\
         exec \"$binary\" merge \"${{shard_folders[@]}}\" --out \"$workdir/result\"\n",
        header = header(
            plan,
            options,
            "Merge: folds the shard folders into one result once every shard has succeeded."
        ),
        directives = directives(
            &format!("{}-merge", plan.name),
            options,
            &["--ntasks=1".into(), "--cpus-per-task=1".into()],
        ),
        variables = plan.variable_lines(None),
        shards = plan.shards,
    )
}

fn submit_script(plan: &JobPlan, log_folder: &str) -> String {
    format!(
        "#!/bin/bash\n\
         # Submits the shard array, then the merge job that waits for every shard to succeed, and\n\
         # prints both job ids. Written by `clustersim plan` (clustersim {version}).\n\
         # Options given to this script go to both sbatch calls, e.g.\n\
         #   bash submit.sh --partition=short --account=myproject\n\
         set -euo pipefail\n\
         here=\"$(cd \"$(dirname \"${{BASH_SOURCE[0]}}\")\" && pwd)\"\n\
         workdir={workdir}\n\
         logs={logs}\n\
         for existing in \"$workdir/shards\" \"$workdir/result\"; do\n\
         \x20 if [ -e \"$existing\" ]; then\n\
         \x20   echo \"submit.sh: '$existing' already exists (an earlier submission?); move it away, or plan again with another --workdir\" >&2\n\
         \x20   exit 1\n\
         \x20 fi\n\
         done\n\
         mkdir -p \"$workdir/logs\"\n\
         shards_job=\"$(sbatch --parsable \"$@\" --chdir=\"$workdir\" --output=\"$logs/shard-%a.out\" \"$here/shards.sbatch\")\"\n\
         shards_job=\"${{shards_job%%;*}}\"\n\
         if ! merge_job=\"$(sbatch --parsable \"$@\" --chdir=\"$workdir\" --output=\"$logs/merge.out\" \\\n\
         \x20   --dependency=\"afterok:$shards_job\" --kill-on-invalid-dep=yes \"$here/merge.sbatch\")\"; then\n\
         \x20 echo \"submit.sh: the merge job was refused; cancelling the shards (job $shards_job)\" >&2\n\
         \x20 scancel \"$shards_job\" || true\n\
         \x20 exit 1\n\
         fi\n\
         merge_job=\"${{merge_job%%;*}}\"\n\
         echo \"shards job: $shards_job (array 1-{shards}; logs in $workdir/logs/shard-<i>.out)\"\n\
         echo \"merge job: $merge_job (starts when every shard has succeeded; result in $workdir/result)\"\n",
        version = env!("CARGO_PKG_VERSION"),
        workdir = shell_quote(&plan.workdir),
        logs = shell_quote(log_folder),
        shards = plan.shards,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scaleout::tests::example_plan;

    fn files() -> Vec<JobFile> {
        job_files(
            &example_plan(),
            &SlurmOptions {
                sbatch_options: vec!["--partition=short".into()],
                scenario_path: Some("/plans/tiny/scenario.json".into()),
            },
        )
        .expect("a valid plan")
    }

    #[test]
    fn the_array_has_one_task_per_shard_and_the_requested_cpus() {
        let shards = &files()[0].contents;
        for directive in [
            "#SBATCH --job-name=tiny-shards\n",
            "#SBATCH --array=1-4\n",
            "#SBATCH --cpus-per-task=2\n",
            "#SBATCH --partition=short\n",
        ] {
            assert!(shards.contains(directive), "missing {directive}");
        }
        // Every directive comes before the first command, or sbatch ignores it.
        let first_command = shards.find("set -euo").expect("a command");
        assert!(shards.rfind("#SBATCH").expect("directives") < first_command);
    }

    #[test]
    fn the_merge_waits_for_the_array_and_lists_every_shard() {
        let files = files();
        let submit = &files[2].contents;
        assert!(submit.contains("--dependency=\"afterok:$shards_job\""));
        assert!(submit.contains("--kill-on-invalid-dep=yes"));
        let merge = &files[1].contents;
        assert!(merge.contains("for shard in $(seq 1 4)"));
        assert!(merge.contains("--out \"$workdir/result\""));
    }

    #[test]
    fn percent_signs_in_the_workdir_are_escaped_for_slurm_and_backslashes_refused() {
        assert_eq!(output_pattern("/a/100%/b"), Ok("/a/100%%/b".into()));
        assert!(output_pattern("/a\\b").is_err());
    }

    #[test]
    fn extra_options_must_be_single_options() {
        assert!(check_sbatch_option("--time=01:00:00").is_ok());
        assert!(check_sbatch_option("partition=short").is_err());
        assert!(check_sbatch_option("--time=1\n#SBATCH --x").is_err());
    }
}
