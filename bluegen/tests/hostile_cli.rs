//! The command line as a hostile tester uses it: output to a full disk for
//! every subcommand that prints without building, help and version included.

use std::path::{Path, PathBuf};
use std::process::Stdio;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// Runs bluegen with standard output on `/dev/full`: every write fails with
/// "no space left on device". Returns (exit code, stderr).
fn full_stdout(args: &[&str]) -> (i32, String) {
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("bluegen"))
        .current_dir(repo())
        .args(args)
        .stdin(Stdio::null())
        .stdout(full)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn a_full_disk_behind_stdout_is_an_error_for_every_command() {
    let hello = repo().join("examples/hello").display().to_string();
    let cases: &[&[&str]] = &[
        &["--help"],
        &["--version"],
        &["help"],
        &["help", "size"],
        &["boards", "--help"],
        &["config", "set", "--help"],
        &["chips"],
        &["chips", "--json"],
        &["boards"],
        &["boards", "--json"],
        &["probes"],
        &["check", &hello],
        &["config", &hello],
        &["config", "--json", &hello],
        &["config", "--minimal", &hello],
        &["config", "--why", "console", &hello],
        &["docs", "--check"],
    ];
    for args in cases {
        let (code, err) = full_stdout(args);
        assert_eq!(code, 1, "bluegen {} > /dev/full: {err}", args.join(" "));
        assert!(err.contains("cannot write to standard output") && err.contains("No space left"), "bluegen {}: {err}", args.join(" "));
        assert!(!err.contains("panicked"), "bluegen {}: {err}", args.join(" "));
    }
}
