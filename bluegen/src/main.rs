//! The `bluegen` command: parses arguments, runs one subcommand, reports.

use std::process::ExitCode;

fn main() -> ExitCode {
    // Under cargo, as the rustc wrapper of an image build (see `wrap`).
    if std::env::var_os(bluegen::wrap::MARK).is_some() {
        return bluegen::wrap::main();
    }
    bluegen::cli::main()
}
