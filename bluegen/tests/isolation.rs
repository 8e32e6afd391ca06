//! Isolation: unprivileged threads under the MPU or PMP, each kind of fault contained, and the errors of its keys.
//!
//! The QEMU test boots fixture `isolation` on mps2-an385 (PMSAv7),
//! mps2-an505 (PMSAv8) and virt RV32/RV64 (PMP) under -icount: a wild
//! write, a write to and a read of another thread's stack (its address
//! handed over in a shared region), a jump into RAM and a stack overflow
//! each stop (or restart) only their thread, with a line naming it, the
//! access and the address; the counting thread (whose stack word is
//! untouched) and the privileged judge run on and the run ends with success. Needs QEMU; without it the test fails, never skips.

mod common;

use common::{bluegen_images, check, device, repo, run_icount};

/// `text` with every `0x…` number replaced by `0x_`: addresses differ by board.
fn masked(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("0x") {
        out.push_str(&rest[..i + 2]);
        out.push('_');
        rest = rest[i + 2..].trim_start_matches(|c: char| c.is_ascii_hexdigit());
    }
    out.push_str(rest);
    out
}

#[test]
fn every_fault_of_an_isolated_thread_is_contained() {
    let fixture = repo().join("bluegen/tests/fixtures/isolation");
    for board in ["qemu-mps2-an385", "qemu-mps2-an505", "qemu-virt-rv32", "qemu-virt-rv64"] {
        let out = run_icount(&fixture, board);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{board}:\n{stdout}\n{stderr}");
        // RISC-V keeps the PC of a stack overflow; Cortex-M loses it (the
        // fault is in the core's stacking).
        let lines: Vec<String> = stdout.lines().filter(|l| !l.is_empty()).map(|l| masked(l).replace("0x_ (pc=0x_); restarting", "0x_; restarting")).collect();
        let counts: Vec<String> = (100..108).map(|n| format!("count {n}")).collect();
        let mut want: Vec<String> = [
            "wild: writing kernel RAM",
            "fault: thread wild: write to 0x_ (pc=0x_); stopped",
            "exec: jumping into RAM",
            "fault: thread exec: execute at 0x_ (pc=0x_); stopped",
            "overflow: run 1",
            "overflow: depth starts at 5",
            "fault: thread overflow: stack overflow at 0x_; restarting",
            "overflow: run 2",
            "overflow: depth starts at 5",
            "fault: thread overflow: stack overflow at 0x_; restarting",
            "overflow: run 3",
            "overflow: depth starts at 5",
            "overflow: done",
            "counter: stack word at 0x_",
            "poke: writing counter's stack",
            "fault: thread poke: write to 0x_ (pc=0x_); stopped",
            "peek: reading counter's stack",
            "fault: thread peek: read of 0x_ (pc=0x_); stopped",
        ]
        .map(String::from)
        .into();
        want.extend(counts);
        want.extend(["counter: stack word is 7".to_string(), "judge: counter reached 108".to_string(), "judge: overflow ran 3".to_string()]);
        assert_eq!(lines, want, "{board}\n{stderr}");
        // The wild write's address is the start of RAM; the write and the
        // read of `counter`'s stack fault at the word it published.
        assert!(stdout.contains("write to 0x20000000 "), "{board}: {stdout}");
        let word = stdout.split("counter: stack word at ").nth(1).and_then(|r| r.lines().next()).unwrap_or_else(|| panic!("{board}: {stdout}"));
        for access in ["poke: write to", "peek: read of"] {
            assert!(stdout.contains(&format!("fault: thread {access} {word} ")), "{board}: {access} {word}: {stdout}");
        }
    }
}

/// The size report's isolation table of the fixture, as linked on every
/// board: the regions never overlap (a region that began inside the one
/// before would hand its first bytes to that thread), each meets its
/// unit's rule, and the padding the rules cost adds up to the RAM used.
#[test]
fn the_layout_meets_each_rule_and_reports_what_it_cost() {
    let fixture = repo().join("bluegen/tests/fixtures/isolation");
    for (board, power_of_two) in [("qemu-mps2-an385", true), ("qemu-mps2-an505", false), ("qemu-virt-rv32", true), ("qemu-virt-rv64", true)] {
        let out = bluegen_images().args(["size", fixture.to_str().unwrap(), "--board", board, "--json"]).output().unwrap();
        assert!(out.status.success(), "{board}: {}", String::from_utf8_lossy(&out.stderr));
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let areas = report["isolation"].as_array().unwrap_or_else(|| panic!("{board}: no isolation table"));
        let names: Vec<&str> = areas.iter().map(|a| a["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["counter", "exec", "overflow", "peek", "poke", "wild", "handoff"], "{board}");
        let n = |a: &serde_json::Value, k: &str| a[k].as_u64().unwrap();
        let mut end = 0;
        for a in areas {
            let (start, size, declared) = (n(a, "start"), n(a, "size"), n(a, "declared"));
            assert!(start >= end, "{board}: {} starts at {start:#x}, inside the region before (ends {end:#x})", a["name"]);
            if end > 0 {
                assert_eq!(n(a, "gap"), start - end, "{board}: {}", a["name"]);
            }
            let rule = if power_of_two { size.is_power_of_two() && start % size == 0 } else { size % 32 == 0 && start % 32 == 0 };
            assert!(rule && size >= declared.max(32), "{board}: {} at {start:#x}, {size} B for {declared} B", a["name"]);
            assert_eq!(n(a, "rounding"), size - declared, "{board}: {}", a["name"]);
            end = start + size;
        }
        // counter declares 1024 + 64: PMSAv7 and the PMP make 2048 of it.
        assert_eq!(n(&areas[0], "size"), if power_of_two { 2048 } else { 1088 }, "{board}");
    }
}

#[test]
fn isolation_keys_need_isolation() {
    let (code, err) = check(&format!("{}\n[features]\nthreads = true\n\n[threads.main]\nentry = \"main\"\npriority = 1\nstack = 1024\non-fault = \"stop\"\n", device("qemu-mps2-an385")));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("threads.main.on-fault") && err.contains("isolation"), "{err}");
}

#[test]
fn isolation_on_a_core_without_support_is_refused() {
    let (code, err) = check(&format!("{}\n[features]\nthreads = true\nisolation = true\n\n[threads.main]\nentry = \"main\"\npriority = 1\nstack = 1024\n", device("qemu-microbit")));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("has no MPU or PMP for isolation") && err.contains("features.isolation"), "{err}");
}

/// A project for mps2-an385 with isolation, one isolated thread `main`
/// with `statics` bytes, and `lib` as its app (which uses the kernel).
fn isolated_project(statics: u32, lib: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let toml = format!("{}preset = \"minimal\"\n\n[features]\nthreads = true\nisolation = true\n\n[threads.main]\nentry = \"main\"\npriority = 1\nstack = 1024\nstatics = {statics}\n", device("qemu-mps2-an385"));
    std::fs::write(dir.path().join("device.toml"), toml).unwrap();
    std::fs::create_dir_all(dir.path().join("app/src")).unwrap();
    let kernel = repo().join("components/kernel");
    std::fs::write(dir.path().join("app/Cargo.toml"), format!("[package]\nname = \"t-app\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n[dependencies]\nbluegen-kernel = {{ path = {:?} }}\n", kernel.display().to_string())).unwrap();
    std::fs::write(dir.path().join("app/src/lib.rs"), lib).unwrap();
    dir
}

/// `bluegen build` in `dir`: (exit code, stderr).
fn build(dir: &std::path::Path) -> (i32, String) {
    let out = bluegen_images().current_dir(dir).arg("build").output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// The linker script's assertions come back as bluegen's errors: statics
/// over a thread's `statics` at that key, a `thread_static!` naming no
/// isolated thread at the macro in the app's source.
#[test]
fn layout_assertions_are_located_errors() {
    let lib = "#![no_std]\nbluegen_kernel::thread_static!(main, static A: [u32; 4] = [1; 4];);\npub fn main() {\n    core::hint::black_box(&A);\n}\n";
    let dir = isolated_project(4, lib);
    let (code, err) = build(dir.path());
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("the `thread_static!` items of thread `main` do not fit its 4 bytes of statics") && err.contains("device.toml:14:11") && err.contains("key: threads.main.statics"), "{err}");
    assert!(!err.contains("rust-lld"), "{err}");
    let dir = isolated_project(16, &lib.replace("thread_static!(main", "thread_static!(mian"));
    let (code, err) = build(dir.path());
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("`thread_static!` names `mian`, which is no isolated thread of device.toml") && err.contains("lib.rs:2:17") && err.contains("did you mean `main`?"), "{err}");
    assert!(!err.contains("rust-lld"), "{err}");
    // With room for them, the same statics link.
    let dir = isolated_project(16, lib);
    let (code, err) = build(dir.path());
    assert_eq!(code, 0, "{err}");
}
