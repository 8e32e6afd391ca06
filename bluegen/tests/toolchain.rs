//! Toolchain: the board's target is checked, and installed or asked for, before cargo runs.
//!
//! Fake `rustc`, `rustup` and `cargo` scripts log their calls, so the order
//! is visible: a missing target is found by asking rustc for its sysroot,
//! rustup adds it (bluegen says so) or bluegen stops with the command, and
//! only then does cargo run. The last test builds a project outside the
//! bluegen checkout with the real tools and without the toolchain that
//! `cargo test` runs under: the image's own rust-toolchain.toml decides.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};


mod common;

use common::{bluegen_images as bluegen, repo};

fn script(path: &Path, body: &str) {
    std::fs::write(path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// A new mps2-an385 project and a directory of fake tools logging to `log`.
struct Fakes {
    _tmp: tempfile::TempDir,
    project: PathBuf,
    bin: PathBuf,
    log: PathBuf,
    sysroot: PathBuf,
}

fn fakes(with_rustup: bool) -> Fakes {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("band");
    let out = bluegen().args(["new".as_ref(), project.as_os_str(), "--board".as_ref(), "qemu-mps2-an385".as_ref()]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let bin = tmp.path().join("bin");
    let sysroot = tmp.path().join("sysroot");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::create_dir_all(sysroot.join("lib/rustlib/x86_64-unknown-linux-gnu/lib")).unwrap();
    let log = tmp.path().join("log");
    let (l, s) = (log.display(), sysroot.display());
    script(&bin.join("rustc"), &format!("echo \"rustc $*\" >> '{l}'\necho '{s}'"));
    script(&bin.join("cargo"), &format!("echo \"cargo $*\" >> '{l}'\nexit 1"));
    if with_rustup {
        script(
            &bin.join("rustup"),
            &format!(
                "echo \"rustup $*\" >> '{l}'\ncase \"$1 $2\" in\n  'show active-toolchain') echo 'fake-1.0 (overridden by rust-toolchain.toml)';;\n  'target add') for t; do :; done; mkdir -p '{s}'/lib/rustlib/$t/lib && touch '{s}'/lib/rustlib/$t/lib/libcore-0.rlib;;\nesac"
            ),
        );
    }
    Fakes { _tmp: tmp, project, bin, log, sysroot }
}

fn build_with(f: &Fakes) -> (bool, String, String) {
    let out = bluegen()
        .args(["build".as_ref(), f.project.as_os_str()])
        .env("PATH", format!("{}:/usr/bin:/bin", f.bin.display()))
        .env("RUSTC", f.bin.join("rustc"))
        .env("CARGO", f.bin.join("cargo"))
        .env_remove("RUSTUP_TOOLCHAIN")
        .output()
        .unwrap();
    let log = std::fs::read_to_string(&f.log).unwrap_or_default();
    (out.status.success(), log, String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn a_missing_target_is_added_with_rustup_before_cargo_runs() {
    let f = fakes(true);
    let (_, log, err) = build_with(&f);
    let calls: Vec<String> = log.lines().map(|l| l.split_whitespace().take(2).collect::<Vec<_>>().join(" ")).collect();
    assert_eq!(calls, ["rustc --print", "rustup show", "rustup target", "rustc --print", "cargo build"], "{log}");
    assert!(log.contains("rustup target add --toolchain fake-1.0 thumbv7m-none-eabi"), "{log}");
    assert!(err.contains("installing: rustup target add --toolchain fake-1.0 thumbv7m-none-eabi"), "{err}");
    assert!(!err.contains("can't find crate"), "{err}");
    assert!(f.sysroot.join("lib/rustlib/thumbv7m-none-eabi/lib/libcore-0.rlib").is_file());
}

#[test]
fn without_rustup_bluegen_stops_with_the_command_and_cargo_never_runs() {
    let f = fakes(false);
    let (ok, log, err) = build_with(&f);
    assert!(!ok);
    assert!(!log.contains("cargo"), "cargo ran: {log}");
    assert!(err.contains("its Rust target `thumbv7m-none-eabi` is missing"), "{err}");
    assert!(err.contains("hint: run `rustup target add thumbv7m-none-eabi`"), "{err}");
}

#[test]
fn a_project_outside_the_checkout_builds_with_the_pinned_toolchain() {
    let tmp = tempfile::tempdir().unwrap();
    assert!(!tmp.path().starts_with(repo()), "the temporary directory is inside the checkout");
    let project = tmp.path().join("outside");
    let out = bluegen().args(["new".as_ref(), project.as_os_str(), "--board".as_ref(), "qemu-virt-rv32".as_ref()]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // As an installed bluegen runs: no toolchain inherited from `cargo test`.
    let out = bluegen()
        .args(["build".as_ref(), project.as_os_str()])
        .env_remove("RUSTUP_TOOLCHAIN")
        .env_remove("RUSTUP_TOOLCHAIN_SOURCE")
        .env_remove("CARGO")
        .env_remove("RUSTC")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let image = project.join("target/bluegen/qemu-virt-rv32");
    let pinned: toml::Table = toml::from_str(&std::fs::read_to_string(image.join("rust-toolchain.toml")).unwrap()).unwrap();
    let ours: toml::Table = toml::from_str(&std::fs::read_to_string(repo().join("rust-toolchain.toml")).unwrap()).unwrap();
    assert_eq!(pinned["toolchain"]["channel"], ours["toolchain"]["channel"]);
    assert_eq!(pinned["toolchain"]["targets"].as_array().unwrap()[0].as_str(), Some("riscv32imac-unknown-none-elf"));
    let active = std::process::Command::new("rustup").current_dir(&image).env_remove("RUSTUP_TOOLCHAIN").args(["show", "active-toolchain"]).output().unwrap();
    let active = String::from_utf8_lossy(&active.stdout);
    assert!(active.starts_with(ours["toolchain"]["channel"].as_str().unwrap()), "{active}");
}
