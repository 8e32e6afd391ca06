//! The command line: global flags, the subcommand enum, the one error reporter.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::cmd;
use crate::diag::{Error, render};

/// Tailor a tiny, safe Rust RTOS kernel to a device described in one TOML file.
#[derive(Debug, Parser)]
#[command(name = "bluegen", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a device project: device.toml and an app crate.
    New(cmd::new::Cmd),
    /// Validate, render and build a device's kernel image; print its footprint.
    Build(cmd::build::Cmd),
    /// Validate a device and resolve its configuration; compile nothing.
    Check(cmd::check::Cmd),
    /// Show the resolved configuration and where each value came from.
    Config(cmd::config::Cmd),
    /// Choose features in a terminal UI; saves a minimal diff to device.toml.
    Menuconfig(cmd::menuconfig::Cmd),
    /// Build if needed, then boot the image in QEMU and return its exit status.
    Run(cmd::run::Cmd),
    /// Program the image into the device with probe-rs (QEMU boards: run it).
    Flash(cmd::flash::Cmd),
    /// List the chips probe-rs's registry knows.
    Chips(cmd::chips::Cmd),
    /// List the attached debug probes.
    Probes(cmd::probes::Cmd),
    /// Where every byte of an image goes: regions, components, modules, symbols.
    Size(cmd::size::Cmd),
    /// List the boards bluegen knows.
    Boards(cmd::boards::Cmd),
    /// Write (or --check) the book's component reference (from the Kconfig files) and figures (from book/bench.json).
    Docs(cmd::docs::Cmd),
    /// Build every example on every emulated board and print a size and speed table.
    Bench(cmd::bench::Cmd),
}

/// Runs the CLI and turns the outcome into the process exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::New(c) => c.run(),
        Command::Build(c) => c.run(),
        Command::Run(c) => c.run(),
        Command::Check(c) => c.run(),
        Command::Config(c) => c.run(),
        Command::Menuconfig(c) => c.run(),
        Command::Docs(c) => c.run(),
        Command::Size(c) => c.run(),
        Command::Flash(c) => c.run(),
        Command::Chips(c) => c.run(),
        Command::Probes(c) => c.run(),
        Command::Boards(c) => c.run(),
        Command::Bench(c) => c.run(),
    };
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            report(&err);
            ExitCode::FAILURE
        }
    }
}

/// The one place errors are printed.
pub fn report(err: &Error) {
    eprint!("{}", render(&err.diagnostics));
}
