//! The command line: global flags, the subcommand enum, the one error reporter.
//!
//! Also the one way subcommands print: [`out!`](crate::out) and
//! [`outln!`](crate::outln) (and [`stdout`] for code that takes a writer)
//! treat a closed standard output as a normal end. `bluegen chips | head`
//! closes the pipe once head has its lines; Rust ignores SIGPIPE, so the next
//! write fails with `BrokenPipe` and `println!` would panic (exit 101). Here
//! the process ends quietly with status 0 instead, as a C tool killed by
//! SIGPIPE ends without a word: the reader has all it asked for. bluegen
//! writes its files before it prints about them, so nothing is left half
//! done. Values of flags are checked by clap before anything runs
//! ([`seconds`], [`probe`]), so a bad value is a usage error, not a panic.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};

use crate::cmd;
use crate::diag::{Error, render};

/// Tailor a tiny, safe Rust RTOS kernel to a device described in one TOML file.
#[derive(Debug, Parser)]
#[command(name = "bluegen", version = crate::data::VERSION, about, propagate_version = true)]
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
    /// Build and run every (device, board) pair of the devices' [test] tables; judge console and exit status.
    Test(cmd::test::Cmd),
}

/// Runs the CLI and turns the outcome into the process exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let args: Vec<String> = std::env::args_os().skip(1).map(|a| a.to_string_lossy().into_owned()).collect();
            if let Some(d) = cmd::config::misordered(&args) {
                report(&d.into());
                return ExitCode::from(2);
            }
            return usage(&e);
        }
    };
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
        Command::Test(c) => c.run(),
    };
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            report(&err);
            ExitCode::FAILURE
        }
    }
}

/// What clap's `exit()` would do, except that a `--help` or `--version`
/// that cannot be written (a full disk behind `>`) is a failure, not 0, and
/// a closed pipe is still a quiet end (see the module docs).
fn usage(e: &clap::Error) -> ExitCode {
    let printed = e.print().and_then(|()| std::io::stdout().flush());
    match printed {
        Err(err) if !e.use_stderr() && err.kind() != std::io::ErrorKind::BrokenPipe => {
            report(&stdout_failed(err));
            ExitCode::FAILURE
        }
        _ => ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2)),
    }
}

/// The one place errors are printed. A closed standard error is no reason
/// to panic: the exit status still tells the failure.
pub fn report(err: &Error) {
    let _ = std::io::stderr().write_all(render(&err.diagnostics).as_bytes());
}

/// Standard output for code that takes a writer: a closed pipe ends the
/// process quietly with status 0 (see the module docs).
pub fn stdout() -> Stdout {
    Stdout
}

/// See [`stdout`].
#[derive(Debug, Clone, Copy)]
pub struct Stdout;

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        closed_is_the_end(std::io::stdout().write(buf))
    }

    fn flush(&mut self) -> std::io::Result<()> {
        closed_is_the_end(std::io::stdout().flush())
    }
}

fn closed_is_the_end<T>(result: std::io::Result<T>) -> std::io::Result<T> {
    match result {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        other => other,
    }
}

/// What [`out!`](crate::out) and [`outln!`](crate::outln) call: any other
/// failure (a full disk behind `>`) is an error, not a panic.
pub fn print_out(args: std::fmt::Arguments<'_>) -> crate::diag::Result<()> {
    stdout().write_fmt(args).map_err(stdout_failed)
}

/// The error of a failed write to standard output ([`stdout`], serde's
/// writers): every report says the same, with what to do.
pub fn stdout_failed(e: impl std::fmt::Display) -> Error {
    crate::diag::Diagnostic::error(format!("cannot write to standard output: {e}"))
        .hint("the report was cut short: free some space where standard output goes (or send it elsewhere), then run the command again")
        .into()
}

/// `print!` for subcommands: returns a `Result`, ends quietly on a closed pipe.
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => { $crate::cli::print_out(format_args!($($arg)*)) };
}

/// `println!` for subcommands: returns a `Result`, ends quietly on a closed pipe.
#[macro_export]
macro_rules! outln {
    () => { $crate::cli::print_out(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::cli::print_out(format_args!("{}\n", format_args!($($arg)*))) };
}

/// What [`errln!`](crate::errln) calls. Standard error is best effort: a
/// closed one (`2>&1 | head`) is no reason to stop or panic, and there is
/// nowhere else to report it.
pub fn print_err(args: std::fmt::Arguments<'_>) {
    let _ = std::io::stderr().write_fmt(args);
}

/// `eprintln!` that never panics (see [`print_err`]).
#[macro_export]
macro_rules! errln {
    ($($arg:tt)*) => { $crate::cli::print_err(format_args!("{}\n", format_args!($($arg)*))) };
}

/// The longest `--timeout`: a day. A run longer than that has hung.
pub const MAX_TIMEOUT_SECS: f64 = 86_400.0;
/// The shortest `--timeout`: a millisecond (QEMU cannot even start sooner).
pub const MIN_TIMEOUT_SECS: f64 = 0.001;

/// clap value parser of `--timeout SECS`: a finite number of seconds from
/// [`MIN_TIMEOUT_SECS`] to [`MAX_TIMEOUT_SECS`], such as `30` or `2.5`.
pub fn seconds(s: &str) -> Result<Duration, String> {
    let why = "a timeout is a number of seconds from 0.001 to 86400 (a day), such as 30 or 2.5";
    let secs: f64 = s.trim().parse().map_err(|_| format!("`{s}` is not a number: {why}"))?;
    if !secs.is_finite() || !(MIN_TIMEOUT_SECS..=MAX_TIMEOUT_SECS).contains(&secs) {
        return Err(format!("{s} seconds is out of range: {why}"));
    }
    Ok(Duration::from_secs_f64(secs))
}

/// clap value parser of `--probe VID:PID[:SERIAL]` (hexadecimal ids).
pub fn probe(s: &str) -> Result<probe_rs::probe::DebugProbeSelector, String> {
    s.parse::<probe_rs::probe::DebugProbeSelector>().map_err(|_| {
        format!("`{s}` is not VID:PID[:SERIAL]: give the probe's USB vendor and product id in hexadecimal, as `bluegen probes` prints them, e.g. 0d28:0204 or 0d28:0204:SERIAL")
    })
}

/// `word` as one word for a POSIX shell, quoted only when it needs it, for
/// the commands bluegen suggests (`next: bluegen run 'my dir'`). A relative
/// path that starts with `-` gets `./` so it is not read as a flag.
pub fn shell_quote(word: &str) -> String {
    let word = if word.starts_with('-') { format!("./{word}") } else { word.to_string() };
    // A path holds no NUL byte, the only thing shlex cannot quote.
    shlex::try_quote(&word).map_or_else(|_| format!("'{}'", word.replace('\'', "'\\''")), |q| q.into_owned())
}
