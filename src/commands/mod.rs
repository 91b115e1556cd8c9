//! The verbs of the command line, as library functions returning what to print.

pub mod init;
pub mod run;
pub mod validate;

use crate::cli::{Cli, Command};

/// Runs a parsed command line. Text for stdout is printed here; errors are returned.
pub fn dispatch(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Run(args) => run::run(&args).map(|_| ()),
        Command::Validate { scenario } => {
            print!("{}", validate::validate(&scenario)?);
            Ok(())
        }
        Command::Schema => {
            println!("{}", schema_json());
            Ok(())
        }
        Command::Init { path, force } => {
            init::init(&path, force)?;
            println!("wrote a starter scenario to {}", path.display());
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
