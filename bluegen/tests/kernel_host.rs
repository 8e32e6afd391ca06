//! Kernel host tests under every feature set a preset resolves to.
//!
//! `cargo test --workspace` builds the kernel once, with its default
//! (empty) features; the scheduler, time and sync code behind features
//! would go untested. This test resolves each preset of `configs/` the way
//! a device using it would (through bluegen's own pipeline, so the sets
//! follow the Kconfig `select`s and defaults), adds the set of every
//! kernel feature, and runs the kernel crate's host unit tests once per
//! distinct set, in a target directory of their own (the outer cargo holds
//! the workspace's lock).

mod common;

use std::collections::BTreeSet;
use std::process::Command;

/// The kernel's cargo features for a device of `preset` on an
/// Arm board with threads (the board does not change the kernel's features
/// a preset turns on, except those it sets itself).
fn preset_features(preset: &str) -> Vec<String> {
    let dir = common::project(&format!("{}preset = \"{preset}\"\n\n{}", common::device("qemu-mps2-an385"), common::THREAD));
    let manifest = dir.path().join("device.toml");
    // `plan` finds the kernel root of the checkout bluegen was built from.
    let (_, plan) = bluegen::pipeline::plan(Some(&manifest), None).unwrap_or_else(|e| panic!("preset {preset} does not resolve: {e:?}"));
    let kernel = plan.components.iter().find(|c| c.name == "kernel").expect("every image has the kernel");
    kernel.features.clone()
}

/// Every feature of the kernel's Cargo.toml.
fn all_features() -> Vec<String> {
    let manifest = std::fs::read_to_string(common::repo().join("components/kernel/Cargo.toml")).unwrap();
    let doc: toml::Table = manifest.parse().unwrap();
    let features = doc["features"].as_table().unwrap();
    features.keys().filter(|k| *k != "default").cloned().collect()
}

fn run_host_tests(features: &[String]) {
    let repo = common::repo();
    let target = repo.join("target/kernel-host");
    let list = features.join(",");
    let out = Command::new(env!("CARGO"))
        .current_dir(&repo)
        .args(["test", "--locked", "-p", "bluegen-kernel", "--no-default-features", "--features", &list])
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    assert!(
        out.status.success(),
        "kernel host tests fail with features [{list}]:\n{}\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    // A feature set whose tests did not run at all is no test.
    let stdout = text(&out.stdout);
    assert!(stdout.contains("test result: ok."), "no test ran with features [{list}]:\n{stdout}");
}

#[test]
fn kernel_host_tests_pass_with_every_preset_feature_set_and_all_features() {
    let presets: Vec<String> = std::fs::read_dir(common::repo().join("configs"))
        .unwrap()
        .filter_map(|e| {
            let path = e.unwrap().path();
            (path.extension()? == "toml").then(|| path.file_stem().unwrap().to_string_lossy().into_owned())
        })
        .collect();
    assert!(presets.len() >= 3, "configs/ holds the presets: {presets:?}");
    let mut sets: BTreeSet<Vec<String>> = BTreeSet::new();
    for preset in &presets {
        let mut set = preset_features(preset);
        set.sort();
        sets.insert(set);
    }
    let mut all = all_features();
    all.sort();
    sets.insert(all.clone());
    // Without MUTEX a yield among equals takes the scheduler's one pass
    // (`sched::yield_pick`), which PRIORITY_CHANGE must turn off once the
    // table order breaks: every other feature with it.
    sets.insert(all.iter().filter(|f| *f != "mutex").cloned().collect());
    // The presets differ (minimal has no threads, full has everything):
    // the sets are not one and the same.
    assert!(sets.len() >= 3, "distinct kernel feature sets: {sets:?}");
    assert!(sets.iter().any(|s| !s.contains(&"threads".to_string())), "a set without threads: {sets:?}");
    for set in &sets {
        eprintln!("kernel host tests with features [{}]", set.join(","));
        run_host_tests(set);
    }
}
