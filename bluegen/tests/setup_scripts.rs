//! Set-up: the two README commands exist, CI runs the second, and a missing Debian package without root stops with the command.
//!
//! Running `./hello` and `./test` themselves is CI's job (`.ci/run` is
//! `./test`); these checks keep the README, the scripts and CI in step, and
//! exercise `.ci/setup.sh`'s no-root path with fake `id` and `sudo`.

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
