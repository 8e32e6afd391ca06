//! The `bluegen` command: parses arguments, runs one subcommand, reports.

use std::process::ExitCode;

fn main() -> ExitCode {
    bluegen::cli::main()
}
