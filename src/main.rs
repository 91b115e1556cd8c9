//! The `clustersim` binary: parse the command line, call the library, report errors.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = clustersim::cli::Cli::parse();
    match clustersim::commands::dispatch(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            if let Some(interrupted) =
                error.downcast_ref::<clustersim::commands::run::Interrupted>()
            {
                eprintln!("{interrupted}");
                // The conventional status of a process stopped by SIGINT.
                return ExitCode::from(130);
            }
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
