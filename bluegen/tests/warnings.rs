//! No build of any configuration prints a warning from bluegen's crates.
//!
//! Builds every preset (`minimal`: examples/hello, `standard`:
//! examples/standard, `full`: the `preset-full` fixture) on all six QEMU
//! boards (Cortex-M0, M3, M4F and M33, RV32, RV64) and every variant `bluegen size
//! --feature-cost` builds (the full preset with each optional feature
//! turned off, on Arm and RISC-V), and fails on any compiler warning whose
//! source is a component crate (`bluegen-*`, as the image's path remaps name
//! them) or the generated image crate (`src/`). bluegen forwards the
//! compiler's messages on stderr, and cargo replays them for crates it does
//! not rebuild, so a warm target directory still shows them.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// Runs bluegen with `args`; returns its stderr after checking it succeeded.
fn bluegen(args: &[&str]) -> String {
    let out = Command::cargo_bin("bluegen")
        .unwrap()
        .env("CARGO_TARGET_DIR", repo().join("target/images"))
        .args(args)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "bluegen {args:?} failed:\n{err}");
    err
}

/// The compiler warnings in `stderr` that come from bluegen's own crates:
/// each warning's text up to its first `-->` location, when that location
/// is in a component crate or the generated image crate.
fn our_warnings(stderr: &str) -> Vec<String> {
    let mut found = Vec::new();
    let lines: Vec<&str> = stderr.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        if !line.starts_with("warning") {
            continue;
        }
        // cargo's own summary line names the package.
        if line.contains("`bluegen-") && line.contains("generated") {
            found.push(line.to_string());
            continue;
        }
        let location = lines[i + 1..]
            .iter()
            .take_while(|l| !l.starts_with("warning") && !l.starts_with("error"))
            .find_map(|l| l.trim_start().strip_prefix("--> "));
        if let Some(at) = location.filter(|at| at.starts_with("bluegen-") || at.starts_with("src/")) {
            found.push(format!("{line} at {at}"));
        }
    }
    found
}

/// The three presets, on a core of every arch variant the crates have
/// code for: ARMv6-M (no Thumb-2), ARMv7-M, ARMv7E-M with the FPU, ARMv8-M
/// mainline (PSPLIM), RV32 and RV64.
#[test]
fn presets_build_without_warnings_from_bluegens_crates() {
    let dirs = [repo().join("examples/hello"), repo().join("examples/standard"), repo().join("bluegen/tests/fixtures/preset-full")];
    let mut noise = Vec::new();
    for dir in &dirs {
        for board in ["qemu-microbit", "qemu-mps2-an385", "qemu-mps2-an386", "qemu-mps2-an505", "qemu-virt-rv32", "qemu-virt-rv64"] {
            let err = bluegen(&["build", dir.to_str().unwrap(), "--board", board]);
            noise.extend(our_warnings(&err).into_iter().map(|w| format!("{} on {board}: {w}", dir.display())));
        }
    }
    assert!(noise.is_empty(), "warnings from bluegen's crates:\n{}", noise.join("\n"));
}

/// Every feature-cost variant of the full preset (each optional feature
/// off, with what depends on it) builds without a warning from bluegen's
/// crates, on Arm and RISC-V.
#[test]
fn feature_cost_variants_build_without_warnings_from_bluegens_crates() {
    let dir = repo().join("bluegen/tests/fixtures/preset-full");
    let mut noise = Vec::new();
    for board in ["qemu-mps2-an385", "qemu-virt-rv32"] {
        let err = bluegen(&["size", dir.to_str().unwrap(), "--board", board, "--feature-cost"]);
        noise.extend(our_warnings(&err).into_iter().map(|w| format!("{board}: {w}")));
    }
    assert!(noise.is_empty(), "warnings from bluegen's crates:\n{}", noise.join("\n"));
}

/// The filter itself: a component's warning counts, the app's does not.
#[test]
fn the_filter_finds_component_warnings_only() {
    let stderr = "warning: unused macro definition: `fault_entry`\n  --> bluegen-arch-cortex-m/src/lib.rs:32:14\n   |\n\
        warning: unused variable: `x`\n --> hello-app/src/lib.rs:3:9\n\
        warning: static `TICKS` is never used\n  --> bluegen-kernel/src/thread.rs:72:16\n";
    let found = our_warnings(stderr);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found[0].contains("fault_entry") && found[1].contains("TICKS"), "{found:?}");
}
