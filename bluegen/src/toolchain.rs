//! Toolchain: the Rust toolchain that builds an image has the board's target, before cargo runs.
//!
//! The image crate carries a `rust-toolchain.toml` (rendered from
//! [`Pin::of_root`]) that pins the channel of bluegen's own
//! `rust-toolchain.toml` and names the board's target, so a device project
//! outside the bluegen checkout builds with the same toolchain as one inside
//! it. Before cargo runs, [`ensure_target`] asks the `rustc` that cargo will
//! use (same directory, same environment) for its sysroot: if the target's
//! standard library is missing there, or rustup's toolchain is not installed
//! at all, rustup installs it (bluegen says so on stderr; rustup itself is
//! never self-updated, as its dist server may offer an older rustup) or bluegen stops
//! with the exact command to run. A raw `can't find crate for core` never
//! comes first.
//!
//! [`decide`] is the pure decision; [`probe`] and [`ensure_target`] do the I/O.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::diag::{Diagnostic, Error, Result};
use crate::root::Root;

/// What the image's `rust-toolchain.toml` pins.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Pin {
    /// The channel of the kernel root's `rust-toolchain.toml` (`stable` when it has none).
    pub channel: String,
    /// The board's target.
    pub targets: Vec<String>,
}

impl Pin {
    /// The root's channel with `target`.
    pub fn of_root(root: &Root, target: &str) -> Pin {
        let file = root.dir.join("rust-toolchain.toml");
        let channel = std::fs::read_to_string(&file)
            .ok()
            .and_then(|text| toml::from_str::<toml::Table>(&text).ok())
            .and_then(|t| t.get("toolchain")?.get("channel")?.as_str().map(str::to_string))
            .unwrap_or_else(|| "stable".into());
        Pin { channel, targets: vec![target.to_string()] }
    }
}

/// What asking the toolchain found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Probe {
    /// rustc ran; whether its sysroot has the target's standard library.
    Found { sysroot: PathBuf, has_target: bool },
    /// rustup's proxy names a toolchain that is not installed.
    NotInstalled { toolchain: String },
    /// rustc could not run.
    Failed { why: String },
}

/// What to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Ready,
    /// Run `rustup <args>` (saying why), then look again.
    Install { why: String, args: Vec<String> },
    /// Stop: the user runs `command`.
    Stop { why: String, command: String },
}

/// The decision, from the probe, the toolchain rustup calls active (if
/// rustup is there) and whether rustup is there.
pub fn decide(probe: &Probe, target: &str, active: Option<&str>, rustup: bool) -> Step {
    let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    match probe {
        Probe::Found { has_target: true, .. } => Step::Ready,
        Probe::Found { sysroot, .. } => {
            let why = format!("the Rust target `{target}` is not installed in the toolchain at {}", sysroot.display());
            match (rustup, active) {
                (true, Some(toolchain)) => Step::Install { why, args: args(&["target", "add", "--toolchain", toolchain, target]) },
                (true, None) => Step::Install { why, args: args(&["target", "add", target]) },
                (false, _) => Step::Stop {
                    why: format!("{why}, and rustup is not on PATH to add it"),
                    command: format!("rustup target add {target}"),
                },
            }
        }
        Probe::NotInstalled { toolchain } => {
            let why = format!("the Rust toolchain `{toolchain}` that builds the image is not installed");
            // `--no-self-update`: building an image must not replace the user's rustup.
            let install = args(&["toolchain", "install", toolchain, "--profile", "minimal", "--target", target, "--no-self-update"]);
            match rustup {
                true => Step::Install { why, args: install },
                false => Step::Stop { why, command: format!("rustup {}", install.join(" ")) },
            }
        }
        Probe::Failed { why } => Step::Stop {
            why: format!("cannot run rustc: {why}"),
            command: "curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh".into(),
        },
    }
}

/// The `rustc` cargo runs: `$RUSTC`, else `rustc` from PATH.
fn rustc() -> std::ffi::OsString {
    std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into())
}

/// Asks the rustc that cargo will run in `dir` for its sysroot, and looks
/// for `target`'s `core` there.
pub fn probe(dir: &Path, target: &str) -> Probe {
    let out = match Command::new(rustc()).current_dir(dir).args(["--print", "sysroot"]).env("RUST_BACKTRACE", "0").output() {
        Ok(out) => out,
        Err(e) => return Probe::Failed { why: e.to_string() },
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        if let Some(toolchain) = not_installed(&stderr) {
            return Probe::NotInstalled { toolchain };
        }
        let why = stderr.lines().next().unwrap_or("exited without a message").to_string();
        return Probe::Failed { why };
    }
    let sysroot = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    Probe::Found { has_target: has_core(&sysroot, target), sysroot }
}

/// Whether `sysroot` holds `target`'s `core`.
fn has_core(sysroot: &Path, target: &str) -> bool {
    let lib = sysroot.join("lib").join("rustlib").join(target).join("lib");
    std::fs::read_dir(lib).into_iter().flatten().flatten().any(|e| e.file_name().to_string_lossy().starts_with("libcore-"))
}

/// The toolchain of rustup's "toolchain 'X' is not installed".
fn not_installed(stderr: &str) -> Option<String> {
    let line = stderr.lines().find(|l| l.contains("is not installed"))?;
    let (_, rest) = line.split_once('\'')?;
    Some(rest.split_once('\'')?.0.to_string())
}

/// Whether `program` is on PATH.
fn which(program: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|path| std::env::split_paths(&path).any(|d| d.join(program).is_file()))
}

/// The toolchain rustup runs in `dir`; `None` when rustup is not on PATH
/// (outer) or names none (inner).
fn active_toolchain(dir: &Path) -> Option<Option<String>> {
    let out = Command::new("rustup").current_dir(dir).args(["show", "active-toolchain"]).env("RUST_BACKTRACE", "0").output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    Some(out.status.success().then(|| text.split_whitespace().next().map(str::to_string)).flatten())
}

/// Makes sure the toolchain that builds `dir` has `target`: installs it with
/// rustup, saying so, or stops with the command to run.
pub fn ensure_target(dir: &Path, target: &str, board: &str) -> Result<()> {
    let mut tried = Vec::new();
    loop {
        let probe = probe(dir, target);
        let active = match &probe {
            Probe::Found { has_target: true, .. } => return Ok(()),
            // A rustup toolchain's sysroot is named after it: exact even when
            // $RUSTC names one toolchain and the directory another.
            Probe::Found { sysroot, .. } if sysroot.parent().and_then(|p| p.file_name()).is_some_and(|n| n == "toolchains") && which("rustup") => {
                Some(sysroot.file_name().map(|n| n.to_string_lossy().into_owned()))
            }
            _ => active_toolchain(dir),
        };
        let step = decide(&probe, target, active.clone().flatten().as_deref(), active.is_some());
        let (why, command) = match step {
            Step::Ready => return Ok(()),
            Step::Install { why, args } if !tried.contains(&args) => {
                eprintln!("bluegen: {why} (board {board} builds for it); installing: rustup {}", args.join(" "));
                let status = Command::new("rustup").current_dir(dir).args(&args).status();
                match status {
                    Ok(s) if s.success() => {
                        tried.push(args);
                        continue;
                    }
                    Ok(s) => (format!("{why}, and `rustup {}` failed ({s})", args.join(" ")), format!("rustup {}", args.join(" "))),
                    Err(e) => (format!("{why}, and rustup did not run: {e}"), format!("rustup {}", args.join(" "))),
                }
            }
            Step::Install { why, args } => (format!("{why}, even after `rustup {}`", args.join(" ")), format!("rustup {}", args.join(" "))),
            Step::Stop { why, command } => (why, command),
        };
        return Err(Error::new(
            Diagnostic::error(format!("cannot build for board {board}: its Rust target `{target}` is missing"))
                .why(why)
                .note(format!("the image crate is {}", dir.display()))
                .hint(format!("run `{command}`, then build again")),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: &str = "thumbv7m-none-eabi";

    fn found(has_target: bool) -> Probe {
        Probe::Found { sysroot: "/sysroot".into(), has_target }
    }

    #[test]
    fn an_installed_target_is_ready() {
        assert_eq!(decide(&found(true), T, Some("1.95.0"), true), Step::Ready);
    }

    #[test]
    fn a_missing_target_is_added_to_the_active_toolchain() {
        let Step::Install { why, args } = decide(&found(false), T, Some("1.95.0-x86_64-unknown-linux-gnu"), true) else { panic!() };
        assert_eq!(args, ["target", "add", "--toolchain", "1.95.0-x86_64-unknown-linux-gnu", T]);
        assert!(why.contains(T) && why.contains("/sysroot"), "{why}");
    }

    #[test]
    fn without_rustup_the_command_is_given() {
        let Step::Stop { command, .. } = decide(&found(false), T, None, false) else { panic!() };
        assert_eq!(command, format!("rustup target add {T}"));
    }

    #[test]
    fn a_toolchain_that_is_not_installed_is_installed_with_the_target() {
        let probe = Probe::NotInstalled { toolchain: "1.95.0".into() };
        let Step::Install { args, .. } = decide(&probe, T, None, true) else { panic!() };
        assert_eq!(args.join(" "), format!("toolchain install 1.95.0 --profile minimal --target {T} --no-self-update"));
    }

    #[test]
    fn rustups_not_installed_message_names_the_toolchain() {
        let stderr = "error: toolchain '1.80.0-x86_64-unknown-linux-gnu' is not installed\nhelp: run `rustup toolchain install` to install it\n";
        assert_eq!(not_installed(stderr).as_deref(), Some("1.80.0-x86_64-unknown-linux-gnu"));
        assert_eq!(not_installed("error: something else"), None);
    }
}
