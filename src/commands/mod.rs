//! The verbs of the command line, as library functions returning what to print.

pub mod calibrate;
pub mod clock;
pub mod compare;
pub mod init;
pub mod merge;
pub mod plan;
pub mod report;
pub mod run;
pub mod sensitivity;
pub mod shard;
pub mod validate;

use crate::cli::{Cli, Command};

/// Runs a parsed command line. Text for stdout is printed here; errors are returned.
pub fn dispatch(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Run(args) => run::run(&args).map(|_| ()),
        Command::Compare(args) => compare::compare(&args).map(|_| ()),
        Command::Sensitivity(args) => sensitivity::sensitivity(&args).map(|_| ()),
        Command::Plan(args) => {
            print_stdout(&plan::plan(&args)?.summary());
            Ok(())
        }
        Command::Validate { scenario } => {
            print_stdout(&validate::validate(&scenario)?);
            Ok(())
        }
        Command::Report { results, dpi } => {
            report::report(&results, dpi)?;
            let files = if report::is_calibration(&results) {
                "charts/, report.html and report.md"
            } else {
                "charts/, report.html, report.md and summary.xlsx"
            };
            print_stdout(&format!("re-rendered {files} in {}\n", results.display()));
            Ok(())
        }
        Command::Merge {
            shards,
            out,
            force,
            quiet,
        } => merge::merge(&merge::MergeRequest {
            shards,
            out,
            force,
            quiet,
        })
        .map(|_| ()),
        Command::Calibrate(args) => calibrate::calibrate(&args).map(|_| ()),
        Command::Schema { targets } => {
            let schema = if targets {
                crate::calibration::targets_file::targets_schema_json()
            } else {
                schema_json()
            };
            print_stdout(&format!("{schema}\n"));
            Ok(())
        }
        Command::Init {
            path,
            force,
            currency,
        } => {
            init::init(&path, force, &currency)?;
            print_stdout(&format!("wrote a starter scenario to {}\n", path.display()));
            Ok(())
        }
    }
}

/// The JSON Schema of scenario files, generated from the serde types.
pub fn schema_json() -> String {
    let schema = schemars::schema_for!(crate::scenario::ScenarioFile);
    serde_json::to_string_pretty(&schema)
        .unwrap_or_else(|error| format!("{{\"error\": \"{error}\"}}"))
}

/// Prints a scenario's warnings (valid but implausible values) on stderr, one line each:
/// `FILE:LINE:COLUMN: warning: at PATH: message`.
pub fn print_warnings(scenario: &crate::scenario::Scenario, file: &str) {
    for line in crate::scenario::warning_lines(scenario, file) {
        eprintln!("{line}");
    }
}

/// Writes to stdout, ignoring a closed pipe (`clustersim schema | head` must not panic).
pub fn print_stdout(text: &str) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
}
