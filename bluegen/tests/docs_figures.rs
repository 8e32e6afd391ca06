//! The book's figures stay true: against a fresh bench run and real output.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use bluegen::measure::{Row, TIMING_METRICS};
use bluegen::cmd::docs::figures::{self, Region, REGENERATE};
use bluegen::root::Root;

fn root() -> Root {
    Root { dir: Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf() }
}

fn bluegen_exe() -> PathBuf {
    assert_cmd::cargo::cargo_bin("bluegen")
}

/// `(name, board, metric) → value` of the deterministic rows.
fn deterministic(rows: &[Row]) -> BTreeMap<(String, String, String), f64> {
    rows.iter()
        .filter(|r| !TIMING_METRICS.contains(&r.metric.as_str()))
        .map(|r| ((r.name.clone(), r.board.clone(), r.metric.clone()), r.value))
        .collect()
}

/// How many bytes an image's size may differ from the committed figure
/// (alignment padding between functions linked in another order).
const PADDING_SLACK: f64 = 8.0;

/// A full `bench --no-timings` builds every example on every emulated
/// board, in the tests' shared target directory (the kernel's crates,
/// picolibc's glue and the model engine are compiled once per target, not
/// once per image: the figures are the same, and the run minutes shorter).
#[test]
fn committed_figures_match_a_fresh_bench_run() {
    let committed = figures::load_rows(&root()).unwrap_or_else(|e| panic!("{e}"));
    let out = Command::new(bluegen_exe()).env("CARGO_TARGET_DIR", root().dir.join("target/images")).args(["bench", "--no-timings", "--json"]).output().unwrap();
    assert!(out.status.success(), "bench failed:\n{}", String::from_utf8_lossy(&out.stderr));
    let fresh: Vec<Row> = serde_json::from_slice(&out.stdout).unwrap();
    let (old, new) = (deterministic(&committed), deterministic(&fresh));
    let mut moved = Vec::new();
    for (key, value) in &new {
        match old.get(key) {
            Some(was) if was == value => {}
            // Byte counts move by alignment padding with the link order,
            // which follows the crates' hashes, which cargo derives from
            // the checkout's path: a clone elsewhere may pad a function
            // or two differently.
            Some(was) if key.2.ends_with("_bytes") && (was - value).abs() <= PADDING_SLACK => {}
            Some(was) => moved.push(format!("  {} on {} {}: {} committed, {} now", key.0, key.1, key.2, was, value)),
            None => moved.push(format!("  {} on {} {}: new row, {} now", key.0, key.1, key.2, value)),
        }
    }
    moved.extend(old.keys().filter(|k| !new.contains_key(*k)).map(|k| format!("  {} on {} {}: no longer measured", k.0, k.1, k.2)));
    assert!(
        moved.is_empty(),
        "book/bench.json differs from a fresh `bluegen bench --no-timings --json`:\n{}\nrun `{REGENERATE}` and commit the result",
        moved.join("\n")
    );
}

#[test]
fn book_pages_match_the_committed_figures() {
    let out = Command::new(bluegen_exe()).args(["docs", "--check"]).output().unwrap();
    assert!(out.status.success(), "{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
}

/// The getting-started page shows exactly what `bluegen build examples/hello`
/// prints today: its size report and summary line, paths relative.
#[test]
fn getting_started_shows_what_build_prints() {
    let root = root();
    let path = root.dir.join("book/src/getting-started.md");
    let page = std::fs::read_to_string(&path).unwrap();
    let regions = figures::regions(&path, &page).unwrap();
    let want = ["bluegen", "build", "examples/hello"].map(String::from).to_vec();
    assert!(
        regions.iter().any(|(_, r)| *r == Region::Output(want.clone())),
        "getting-started.md quotes no `<!-- output: bluegen build examples/hello -->` region: {regions:?}"
    );
    let mut run = |words: &[String]| figures::run_bluegen(&bluegen_exe(), &root, words);
    let rendered = figures::render(&path, &page, &[], &mut run).unwrap_or_else(|e| panic!("{e}"));
    let block = |text: &str| text.split("<!-- output: bluegen build examples/hello -->").nth(1).and_then(|t| t.split("<!-- /output -->").next()).unwrap_or("").to_string();
    assert_eq!(block(&page), block(&rendered), "getting-started.md is not what `bluegen build examples/hello` prints; run `{REGENERATE}`");
    assert!(block(&rendered).contains("\nflash = text "), "{}", block(&rendered));
}

/// Every table region names rows the committed file has, and quotes only
/// deterministic metrics or none at all.
#[test]
fn every_table_region_selects_committed_rows() {
    let root = root();
    let rows = figures::load_rows(&root).unwrap();
    let mut tables = 0;
    for path in figures::page_paths(&root).unwrap() {
        let text = std::fs::read_to_string(&path).unwrap();
        for (line, region) in figures::regions(&path, &text).unwrap() {
            if let Region::Bench(table) = region {
                tables += 1;
                assert!(!table.metric().iter().any(|m| TIMING_METRICS.contains(&m.as_str())), "{}:{line} quotes a timing metric, which no test can keep true", path.display());
                figures::table_markdown(&table, &rows).unwrap_or_else(|e| panic!("{}:{line}: {e}", path.display()));
            }
        }
    }
    assert!(tables >= 4, "the book quotes {tables} bench tables");
}
