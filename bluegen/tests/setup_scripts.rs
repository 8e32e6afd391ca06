//! Set-up: the two README commands, CI running the second, and what `.ci/setup.sh` installs or stops on.
//!
//! Running `./hello` and `./test` themselves is CI's job (`.ci/run` is
//! `./test`); these checks keep the README, the scripts and CI in step, and
//! exercise `.ci/setup.sh` with fakes: the no-root path (fake `id` and `sudo`)
//! and the toolchain install (a fake `rustup` of either generation, online or not).

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

#[test]
fn readme_gives_two_commands_and_ci_runs_the_test_one() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let quick = &readme[readme.find("## Quick start").unwrap()..readme.find("## Commands").unwrap()];
    let block = quick.split("```sh\n").nth(1).unwrap().split("```").next().unwrap();
    let commands: Vec<&str> = block.lines().map(|l| l.split_whitespace().next().unwrap_or("")).collect();
    assert_eq!(commands, ["./hello", "./test"], "{block}");
    let testing = &readme[readme.find("## Testing").unwrap()..];
    assert!(testing.contains("```sh\n./test\n```"), "README's Testing section names the test command");
    let ci = std::fs::read_to_string(repo().join(".ci/run")).unwrap();
    assert!(ci.lines().any(|l| l.trim() == "exec ./test"), "{ci}");
    for script in ["hello", "test", ".ci/run"] {
        let path = repo().join(script);
        assert!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o111 != 0, "{script} is not executable");
        let syntax = std::process::Command::new("bash").arg("-n").arg(&path).status().unwrap();
        assert!(syntax.success(), "{script}");
    }
    let hello = std::fs::read_to_string(repo().join("hello")).unwrap();
    assert!(hello.contains("rust_toolchain") && hello.contains("run examples/hello"), "{hello}");
}

#[test]
fn without_root_or_sudo_a_missing_package_stops_with_the_command() {
    let tmp = tempfile::tempdir().unwrap();
    let fake = |name: &str, body: &str| {
        let path = tmp.path().join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    };
    fake("id", "echo 1000");
    fake("sudo", "exit 1");
    fake("apt-get", &format!("touch '{}'/apt-ran", tmp.path().display()));
    let out = std::process::Command::new("bash")
        .current_dir(repo())
        .env("PATH", format!("{}:/usr/bin:/bin", tmp.path().display()))
        .args(["-c", ". .ci/setup.sh; debian_packages sh:dash no-such-command:no-such-package also-missing:no-such-package; echo reached"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && !String::from_utf8_lossy(&out.stdout).contains("reached"));
    assert!(err.contains("hint: run  sudo apt-get install -y no-such-package  then run"), "{err}");
    assert!(!tmp.path().join("apt-ran").exists(), "apt-get ran without root");
}

/// A fake `rustup` in a fresh PATH directory: `script` is the body of a
/// `case "$*"`, and every call is logged to `calls`.
fn fake_rustup(script: &str) -> (tempfile::TempDir, std::process::Output, String) {
    let tmp = tempfile::tempdir().unwrap();
    let log = tmp.path().join("calls");
    let path = tmp.path().join("rustup");
    std::fs::write(&path, format!("#!/bin/sh\necho \"$*\" >> '{}'\ncase \"$*\" in\n{script}\nesac\n", log.display())).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = std::process::Command::new("bash")
        .current_dir(repo())
        .env("PATH", format!("{}:/usr/bin:/bin", tmp.path().display()))
        .args(["-c", "set -euo pipefail; . .ci/setup.sh; rust_toolchain; echo reached"])
        .output()
        .unwrap();
    let calls = std::fs::read_to_string(&log).unwrap_or_default();
    (tmp, out, calls)
}

#[test]
fn a_failed_toolchain_install_shows_rustups_reason_and_stops() {
    // rustup 1.29 without network: its own error must reach the user, not a
    // later "toolchain is not installed" from `rustup target list`.
    let (_tmp, out, calls) = fake_rustup(
        "--version) echo 'rustup 1.29.0 (28d1352db 2026-03-05)';;\n\
         'toolchain install --no-self-update') echo 'error: could not download file from https://static.rust-lang.org/dist/channel-rust-1.95.0.toml.sha256' >&2; exit 1;;\n\
         *) echo \"error: toolchain '1.95.0-x86_64-unknown-linux-gnu' is not installed\" >&2; exit 1;;",
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && !String::from_utf8_lossy(&out.stdout).contains("reached"), "{err}");
    assert!(err.contains("error: could not download file from https://static.rust-lang.org"), "rustup's reason is hidden: {err}");
    assert!(err.contains("hint: ") && err.contains("rustup toolchain install"), "{err}");
    assert!(!calls.contains("target"), "went on after the failed install: {calls}");
}

#[test]
fn the_toolchain_is_installed_with_the_command_the_rustup_version_has() {
    let targets = "echo thumbv6m-none-eabi; echo x86_64-unknown-linux-gnu";
    // rustup 1.28 and later: the argument-less `toolchain install`.
    let (_tmp, out, calls) = fake_rustup(&format!("--version) echo 'rustup 1.29.0 (28d1352db 2026-03-05)';;\n'target list --installed') {targets};;\n*) exit 0;;"));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let lines: Vec<&str> = calls.lines().collect();
    assert_eq!(lines[..3], ["--version", "toolchain install --no-self-update", "target list --installed"], "{calls}");
    // Every target of rust-toolchain.toml that is missing is added, one by one.
    assert!(lines.contains(&"target add thumbv7m-none-eabi") && lines.contains(&"target add riscv64gc-unknown-none-elf"), "{calls}");
    assert!(!lines.contains(&"target add thumbv6m-none-eabi"), "{calls}");
    // Older rustups have no argument-less `toolchain install`; `show` installs there.
    let (_tmp, out, calls) = fake_rustup(&format!("--version) echo 'rustup 1.27.1 (54dd3d00f 2024-04-24)';;\n'target list --installed') {targets};;\n*) exit 0;;"));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(calls.lines().take(3).collect::<Vec<_>>(), ["--version", "show", "target list --installed"], "{calls}");
}

#[test]
fn the_test_command_runs_every_test_binary_and_passes_its_arguments_on() {
    // Fakes for the Rust tools and the Debian packages' commands (so that
    // nothing is installed), ahead of the machine's PATH.
    let tmp = tempfile::tempdir().unwrap();
    let log = tmp.path().join("cargo-calls");
    for (name, body) in [
        ("rustup", "case \"$*\" in --version) echo 'rustup 1.29.0 (28d1352db 2026-03-05)';; 'target list --installed') sed -n 's/^ *\"\\([^\"]*\\)\",$/\\1/p' rust-toolchain.toml;; esac".to_string()),
        ("rustc", "echo 'rustc 1.95.0 (fake)'".to_string()),
        ("cargo", format!("echo \"$*\" >> '{}'", log.display())),
    ]
    .into_iter()
    .chain(["cc", "qemu-system-arm", "qemu-system-riscv32", "qemu-system-riscv64", "chromium", "tmux"].map(|name| (name, format!("echo '{name} (fake)'"))))
    {
        let path = tmp.path().join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    for args in [&["-p", "bluegen", "--test", "escaping"][..], &["--no-fail-fast"]] {
        let out = std::process::Command::new(repo().join("test")).args(args).env("PATH", format!("{}:/usr/bin:/bin", tmp.path().display())).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let calls = std::fs::read_to_string(&log).unwrap();
    assert_eq!(calls.lines().collect::<Vec<_>>(), ["test --workspace --locked --no-fail-fast -p bluegen --test escaping", "test --workspace --locked --no-fail-fast"], "{calls}");

    // Without arguments, the whole suite: then `bluegen test examples` (a
    // fake bluegen here, where cargo would have built it) in the tests'
    // shared target directory.
    std::fs::remove_file(&log).unwrap();
    let target = tmp.path().join("target");
    std::fs::create_dir_all(target.join("debug")).unwrap();
    let bluegen = target.join("debug/bluegen");
    std::fs::write(&bluegen, format!("#!/bin/sh\necho \"bluegen $* in $CARGO_TARGET_DIR\" >> '{}'\n", log.display())).unwrap();
    std::fs::set_permissions(&bluegen, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = std::process::Command::new(repo().join("test")).env("PATH", format!("{}:/usr/bin:/bin", tmp.path().display())).env("CARGO_TARGET_DIR", &target).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let calls = std::fs::read_to_string(&log).unwrap();
    let images = repo().join("target/images");
    assert_eq!(calls.lines().collect::<Vec<_>>(), ["test --workspace --locked --no-fail-fast".to_string(), "build --locked -q -p bluegen".to_string(), format!("bluegen test examples --junit target/examples-junit.xml in {}", images.display())], "{calls}");
}
