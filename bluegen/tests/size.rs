//! `bluegen size`: reports that add up to the byte, compare, budgets.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use object::{Object, ObjectSection, SectionFlags};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("bluegen")
        .unwrap()
        .env("CARGO_TARGET_DIR", repo().join("target/images"))
        .args(args)
        .output()
        .unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.code().unwrap_or(-1), text(&out.stdout), text(&out.stderr))
}

/// Allocated section bytes per class, read independently of bluegen.
fn section_totals(elf: &Path) -> [u64; 4] {
    let data = std::fs::read(elf).unwrap();
    let file = object::File::parse(&*data).unwrap();
    let mut t = [0u64; 4];
    for s in file.sections() {
        let SectionFlags::Elf { sh_flags, .. } = s.flags() else { continue };
        let has = |f: object::elf::SectionFlags| sh_flags & f == f;
        if !has(object::elf::SHF_ALLOC) {
            continue;
        }
        let i = if s.kind() == object::SectionKind::UninitializedData {
            3
        } else if has(object::elf::SHF_EXECINSTR) {
            0
        } else if has(object::elf::SHF_WRITE) {
            2
        } else {
            1
        };
        t[i] += s.size();
    }
    t
}

/// Every report adds up: components to the total, the total to the ELF.
fn assert_exact(report: &serde_json::Value) {
    let classes = ["text", "rodata", "data", "bss"];
    let total: Vec<u64> = classes.iter().map(|c| report["total"][c].as_u64().unwrap()).collect();
    for (i, c) in classes.iter().enumerate() {
        let sum: u64 = report["components"].as_array().unwrap().iter().map(|r| r[c].as_u64().unwrap()).sum();
        assert_eq!(sum, total[i], "components' {c} do not sum to the total");
    }
    let elf = Path::new(report["elf"].as_str().unwrap());
    assert_eq!(section_totals(elf).to_vec(), total, "total differs from the ELF's allocated sections");
}

#[test]
fn reports_add_up_on_every_board() {
    for board in ["qemu-mps2-an385", "qemu-virt-rv32", "qemu-virt-rv64"] {
        let hello = repo().join("examples/hello");
        let (code, out, err) = run(&["size", hello.to_str().unwrap(), "--board", board, "--json"]);
        assert_eq!(code, 0, "{err}");
        let report: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_exact(&report);
        let names: Vec<&str> = report["components"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
        for want in ["(stacks)", "image", "app", if board.contains("mps2") { "arch-cortex-m" } else { "arch-riscv" }] {
            assert!(names.contains(&want), "{board}: no {want} in {names:?}");
        }
        let regions = report["regions"].as_array().unwrap();
        assert_eq!(regions[0]["name"], "flash");
    }
}

#[test]
fn panic_image_tree_and_top_symbols() {
    let dir = repo().join("bluegen/tests/fixtures/panic");
    let (code, out, err) = run(&["size", dir.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0, "{err}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_exact(&report);
    // The kernel's console module is a module row with demangled symbols.
    let kernel = report["components"].as_array().unwrap().iter().find(|c| c["name"] == "kernel").expect("kernel row");
    let console = kernel["modules"].as_array().unwrap().iter().find(|m| m["name"] == "console").expect("console module");
    assert!(console["symbols"].as_array().unwrap().iter().any(|s| s["name"].as_str().unwrap().starts_with("bluegen_kernel::console::")));
    let (code, text, _) = run(&["size", dir.to_str().unwrap(), "--top", "3"]);
    assert_eq!(code, 0);
    assert!(text.contains("top 3 symbols"), "{text}");
    // Each thread's stack, the idle thread's and the boot stack are rows.
    for row in ["stack of thread `main`", "boot and interrupt stack"] {
        assert!(text.contains(row), "{text}");
    }
    let (_, deep, _) = run(&["size", dir.to_str().unwrap(), "--top", "20"]);
    assert!(deep.contains("stack of the idle thread"), "{deep}");
    // An ELF alone works too.
    let elf = report["elf"].as_str().unwrap();
    let (code, out, err) = run(&["size", elf, "--json"]);
    assert_eq!(code, 0, "{err}");
    assert_exact(&serde_json::from_str(&out).unwrap());
}

#[test]
fn compare_fails_past_the_threshold() {
    let hello = repo().join("examples/hello");
    let (code, out, _) = run(&["size", hello.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0);
    let mut baseline: serde_json::Value = serde_json::from_str(&out).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let same = tmp.path().join("same.json");
    std::fs::write(&same, &out).unwrap();
    let (code, text, err) = run(&["size", hello.to_str().unwrap(), "--compare", same.to_str().unwrap(), "--threshold", "0"]);
    assert_eq!(code, 0, "{text}{err}");
    assert!(text.contains("flash"), "{text}");
    // Pretend the baseline was 100 bytes smaller.
    let used = baseline["regions"][0]["used"].as_u64().unwrap();
    baseline["regions"][0]["used"] = (used - 100).into();
    let smaller = tmp.path().join("smaller.json");
    std::fs::write(&smaller, baseline.to_string()).unwrap();
    let (code, text, err) = run(&["size", hello.to_str().unwrap(), "--compare", smaller.to_str().unwrap(), "--threshold", "5%"]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("+100"), "{text}");
    assert!(err.contains(&format!("error: flash grew from {} to {used} bytes", used - 100)), "{err}");
    let (code, _, _) = run(&["size", hello.to_str().unwrap(), "--compare", smaller.to_str().unwrap(), "--threshold", "200"]);
    assert_eq!(code, 0);
}

#[test]
fn a_broken_budget_fails_the_build_with_contributors() {
    let dir = repo().join("bluegen/tests/fixtures/over-budget");
    let (code, _, err) = run(&["build", dir.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("error: image `over-budget` breaks its flash budget by "), "{err}");
    assert!(err.contains("device.toml:13:9"), "{err}");
    assert!(err.contains("largest contributors: "), "{err}");
    assert!(err.contains("breaks its component `kernel` flash budget"), "{err}");
    // A misspelt component is `bluegen check`'s (tests/limits.rs).
    assert!(!err.contains("component `heap`"), "{err}");
    assert!(!err.contains("RAM budget"), "{err}");
}

#[test]
fn feature_cost_builds_without_each_feature() {
    let dir = repo().join("bluegen/tests/fixtures/features");
    let (code, out, err) = run(&["size", dir.to_str().unwrap(), "--feature-cost"]);
    assert_eq!(code, 0, "{err}");
    let row = |f: &str| out.lines().find(|l| l.starts_with(&format!("{f} "))).unwrap_or_else(|| panic!("no {f} row:\n{out}")).to_string();
    let flash = |l: &str| l.split_whitespace().nth(1).unwrap().trim_start_matches('+').parse::<i64>().unwrap();
    // Turning the console off takes panic-location (which depends on it) along.
    assert!(flash(&row("console")) > 0, "{out}");
    assert!(flash(&row("panic-location")) > 0, "{out}");
    assert!(flash(&row("console")) >= flash(&row("panic-location")), "{out}");
    // The build and the costs are kept for menuconfig's live estimate.
    let image = dir.join("target/bluegen/qemu-mps2-an385");
    let read = |f: &str| -> serde_json::Value { serde_json::from_str(&std::fs::read_to_string(image.join(f)).unwrap()).unwrap() };
    let measured = read("footprint.json");
    assert!(out.starts_with(&format!("features on qemu-mps2-an385: {} B flash", measured["flash"])), "{out}\n{measured}");
    assert!(measured["on"].as_array().unwrap().iter().any(|f| f == "console"), "{measured}");
    let costs = read("feature-cost.json");
    let console = costs.as_array().unwrap().iter().find(|c| c["feature"] == "console").unwrap().clone();
    assert_eq!(console["flash"].as_i64(), Some(flash(&row("console"))), "{console}");
}

#[test]
fn golden_component_report_of_hello() {
    let hello = repo().join("examples/hello");
    let (code, out, err) = run(&["size", hello.to_str().unwrap(), "--depth", "2", "--top", "0"]);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!("hello_an385_depth2", out);
}

/// The spawn pool is a stack row too, and static RAM leaves every stack out
/// (`kernel-spawn`: a 1 KiB thread, the 384-byte idle stack, a 2 × 1 KiB pool).
#[test]
fn spawned_thread_stacks_are_stacks() {
    let dir = repo().join("bluegen/tests/fixtures/kernel-spawn");
    let (code, text, err) = run(&["size", dir.to_str().unwrap(), "--top", "4"]);
    assert_eq!(code, 0, "{err}");
    assert!(text.contains("stacks of spawned threads (the pool)"), "{text}");
    let (code, out, err) = run(&["build", dir.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["sections"]["thread_stacks"], 1024 + 384 + 2048, "{json}");
}

/// Only the image's and the kernel's stacks are stacks: an app static named
/// `STACK_…` is the app's static RAM, and does not hide which thread runs
/// on the boot stack.
#[test]
fn an_app_static_named_like_a_stack_is_the_apps() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("depths");
    let (code, _, err) = run(&["new", dir.to_str().unwrap(), "--board", "qemu-mps2-an385"]);
    assert_eq!(code, 0, "{err}");
    let app = "#![no_std]\nuse core::sync::atomic::{AtomicU32, Ordering};\npub static STACK_DEPTHS: [AtomicU32; 64] = [const { AtomicU32::new(0) }; 64];\npub fn main() {\n    let i = core::hint::black_box(3usize);\n    STACK_DEPTHS[i].store(7, Ordering::Relaxed);\n    if STACK_DEPTHS[core::hint::black_box(i)].load(Ordering::Relaxed) == 7 {\n        bluegen_kernel::console::write_str(\"7\\n\");\n    }\n}\n";
    std::fs::write(dir.join("app/src/lib.rs"), app).unwrap();
    let (code, out, err) = run(&["build", dir.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["sections"]["thread_stacks"], 0, "{out}");
    let (code, out, err) = run(&["size", dir.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0, "{err}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let components = report["components"].as_array().unwrap();
    let app = components.iter().find(|c| c["name"] == "app").expect(&out);
    assert_eq!(app["bss"], 256, "{out}");
    let stacks = components.iter().find(|c| c["name"] == "(stacks)").unwrap();
    let rows: Vec<&str> = stacks["modules"].as_array().unwrap().iter().flat_map(|m| m["symbols"].as_array().unwrap()).map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(rows, ["stack of thread `main` (the boot stack)"], "{out}");
}
