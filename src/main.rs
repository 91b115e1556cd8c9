//! The `clustersim` binary: parse the command line, call the library, report errors.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = clustersim::cli::Cli::parse();
    match clustersim::commands::dispatch(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
