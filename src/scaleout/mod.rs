//! Scale-out plans: the job files that spread the runs of one `run` or `compare` over the nodes
//! of a Slurm cluster (a job array) or a Kubernetes cluster (an Indexed Job), each task computing
//! one shard (`--shard i/N`), and a merge job that folds the shard folders into the result one
//! machine would have written (`clustersim merge`). Writing these files is `clustersim plan`;
//! the workflow is docs/SCALE-OUT.md.
//!
//! This module only produces text from a checked [`JobPlan`]; nothing here touches a file.

pub mod kubernetes;
pub mod quote;
pub mod slurm;

use quote::shell_quote;

/// The longest job name accepted: a Kubernetes Indexed Job's pods are named
/// `<name>-shards-<index>-<random>` and their host names `<name>-shards-<index>`, which must fit
/// a 63-character DNS label.
pub const MAX_NAME_LENGTH: usize = 40;

/// A checked plan: what every shard runs and where the shards and the result go.
#[derive(Debug, Clone, PartialEq)]
pub struct JobPlan {
    /// Job name prefix (a DNS label of at most [`MAX_NAME_LENGTH`] characters).
    pub name: String,
    /// The scenario text every shard reads (`None`: the built-in baseline, no scenario argument).
    pub scenario_text: Option<String>,
    /// The scenario's own name (for messages).
    pub scenario_name: String,
    /// Total Monte Carlo runs over all shards.
    pub runs: u64,
    /// Master seed.
    pub seed: u64,
    /// Number of shards.
    pub shards: u64,
    /// Worker threads of each shard (CPUs requested per task).
    pub threads: usize,
    /// `compare` options (already shell-quoted, as the manifest writes them); `None` for `run`.
    pub compare_options: Option<String>,
    /// The clustersim binary as the jobs call it.
    pub binary: String,
    /// The shared folder holding `shards/`, `result/` (and `logs/` on Slurm), as the jobs see it.
    pub workdir: String,
    /// `SOURCE_DATE_EPOCH` for the jobs, pinning the times their results record.
    pub source_date_epoch: Option<i64>,
    /// With `--posterior` (or the scenario's `posterior` field): the posterior every shard draws
    /// the calibrated inputs from, copied into the plan.
    pub posterior: Option<PlanPosterior>,
}

/// A calibration's posterior carried by a plan: the files `run --posterior` reads, copied beside
/// the scenario (the Slurm plan folder, or the Kubernetes ConfigMap), so that the shards do not
/// depend on where the calibration folder was when `plan` ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanPosterior {
    /// The calibration's `posterior.csv`.
    pub csv: String,
    /// The calibration's `manifest.json`, if it has one (it names the scenario calibrated).
    pub manifest: Option<String>,
    /// The folder holding the copies, as the jobs see it (`--posterior` of every shard).
    pub folder: String,
}

impl JobPlan {
    /// The verb every shard runs.
    pub fn verb(&self) -> &'static str {
        if self.compare_options.is_some() {
            "compare"
        } else {
            "run"
        }
    }

    /// The options of the one-machine command the shards together compute (after the scenario):
    /// `[compare options] --runs R --seed S [--posterior DIR]`, exactly as that command's
    /// manifest writes them.
    pub fn command_options(&self) -> String {
        let mut options = format!("--runs {} --seed {}", self.runs, self.seed);
        if let Some(compare) = &self.compare_options {
            options = format!("{compare} {options}");
        }
        if let Some(posterior) = &self.posterior {
            options.push_str(&format!(" --posterior {}", shell_quote(&posterior.folder)));
        }
        options
    }

    /// The one-machine command whose result the merged shards reproduce byte for byte, with the
    /// scenario at `scenario_path` as the jobs read it.
    pub fn one_machine_command(&self, scenario_path: Option<&str>) -> String {
        match (scenario_path, &self.scenario_text) {
            (Some(path), Some(_)) => format!(
                "clustersim {} {} {}",
                self.verb(),
                shell_quote(path),
                self.command_options()
            ),
            _ => format!("clustersim {} {}", self.verb(), self.command_options()),
        }
    }

    /// Shell lines setting `binary`, `workdir`, (with a scenario file) `scenario` and (when
    /// pinned) exporting `SOURCE_DATE_EPOCH`.
    fn variable_lines(&self, scenario_path: Option<&str>) -> String {
        let mut lines = format!(
            "binary={}\nworkdir={}\n",
            shell_quote(&self.binary),
            shell_quote(&self.workdir)
        );
        if let Some(epoch) = self.source_date_epoch {
            lines.push_str(&format!("export SOURCE_DATE_EPOCH={epoch}\n"));
        }
        if let (Some(path), Some(_)) = (scenario_path, &self.scenario_text) {
            lines.push_str(&format!("scenario={}\n", shell_quote(path)));
        }
        lines
    }

    /// The shell command of the shard whose 1-based number is in the variable `shard`: its block
    /// of runs into `$workdir/shards/shard-$shard`. Expects the lines of
    /// [`Self::variable_lines`] before it.
    fn shard_command(&self) -> String {
        let scenario = if self.scenario_text.is_some() {
            " \"$scenario\""
        } else {
            ""
        };
        format!(
            "exec \"$binary\" {}{scenario} {} --threads {} --shard \"$shard/{}\" --out \"$workdir/shards/shard-$shard\"\n",
            self.verb(),
            self.command_options(),
            self.threads,
            self.shards
        )
    }

    /// The shard folders in shard order, under `workdir` as the jobs see it.
    pub fn shard_folders(&self) -> Vec<String> {
        (1..=self.shards)
            .map(|shard| format!("{}/shards/shard-{shard}", self.workdir))
            .collect()
    }

    /// The merged result folder as the jobs see it.
    pub fn result_folder(&self) -> String {
        format!("{}/result", self.workdir)
    }
}

/// One file of a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobFile {
    /// File name inside the plan folder.
    pub name: &'static str,
    /// Its contents.
    pub contents: String,
    /// Whether it is a script to make executable.
    pub executable: bool,
    /// What it is, for the listing `plan` prints.
    pub description: &'static str,
}

/// Whether `name` can name the jobs: a DNS label (lower-case letters, digits and `-`, starting
/// and ending with a letter or digit) of at most [`MAX_NAME_LENGTH`] characters, which both Slurm
/// and Kubernetes accept.
pub fn check_name(name: &str) -> Result<(), String> {
    let valid_characters = name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if name.is_empty()
        || name.len() > MAX_NAME_LENGTH
        || !valid_characters
        || name.starts_with('-')
        || name.ends_with('-')
    {
        return Err(format!(
            "--name '{name}' is not a valid job name: use 1 to {MAX_NAME_LENGTH} lower-case letters, digits and '-', starting and ending with a letter or digit (e.g. lithuania-2007-2013)"
        ));
    }
    Ok(())
}

/// A job name made from a scenario name: lower-cased, anything but letters and digits turned
/// into `-`, runs of `-` collapsed, cut to [`MAX_NAME_LENGTH`]; `clustersim` if nothing is left.
pub fn default_name(scenario_name: &str) -> String {
    let mut name = String::new();
    for character in scenario_name.chars() {
        let character = character.to_ascii_lowercase();
        if character.is_ascii_lowercase() || character.is_ascii_digit() {
            name.push(character);
        } else if !name.is_empty() && !name.ends_with('-') {
            name.push('-');
        }
    }
    name.truncate(MAX_NAME_LENGTH);
    let name = name.trim_end_matches('-');
    if name.is_empty() {
        "clustersim".into()
    } else {
        name.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn example_plan() -> JobPlan {
        JobPlan {
            name: "tiny".into(),
            scenario_text: Some("{}\n".into()),
            scenario_name: "tiny".into(),
            runs: 1000,
            seed: 7,
            shards: 4,
            threads: 2,
            compare_options: None,
            binary: "/opt/clustersim bin/clustersim".into(),
            workdir: "/shared/it's here".into(),
            source_date_epoch: None,
            posterior: None,
        }
    }

    #[test]
    fn default_names_are_valid_dns_labels() {
        for scenario in [
            "lithuania-2007-2013",
            "My Scenario (v2)",
            "Klaipėda valley",
            "___",
            &"x".repeat(80),
            "a-----------------------------------------------------b",
        ] {
            let name = default_name(scenario);
            assert_eq!(check_name(&name), Ok(()), "{scenario} → {name}");
        }
        assert_eq!(default_name("My Scenario (v2)"), "my-scenario-v2");
        assert_eq!(default_name("___"), "clustersim");
    }

    #[test]
    fn invalid_names_are_refused() {
        for name in [
            "",
            "Upper",
            "-lead",
            "trail-",
            "with space",
            "dot.ted",
            &"a".repeat(41),
        ] {
            assert!(check_name(name).is_err(), "{name:?} was accepted");
        }
    }

    #[test]
    fn the_shard_command_runs_its_block_into_its_own_folder() {
        let plan = example_plan();
        assert_eq!(
            plan.shard_command(),
            "exec \"$binary\" run \"$scenario\" --runs 1000 --seed 7 --threads 2 --shard \"$shard/4\" --out \"$workdir/shards/shard-$shard\"\n"
        );
        assert_eq!(
            plan.variable_lines(Some("/p/scenario.json")),
            "binary='/opt/clustersim bin/clustersim'\nworkdir='/shared/it'\\''s here'\nscenario=/p/scenario.json\n"
        );
    }

    #[test]
    fn a_comparison_puts_its_options_before_runs_and_seed_as_the_manifest_does() {
        let plan = JobPlan {
            compare_options: Some(
                "--policies a,b --baseline a --crn on --min-difference 1%".into(),
            ),
            scenario_text: None,
            ..example_plan()
        };
        assert_eq!(
            plan.one_machine_command(None),
            "clustersim compare --policies a,b --baseline a --crn on --min-difference 1% --runs 1000 --seed 7"
        );
        assert!(
            plan.shard_command()
                .starts_with("exec \"$binary\" compare --policies a,b")
        );
        assert!(!plan.variable_lines(None).contains("scenario="));
    }
}
