//! Kconfig tests: every construct, each error's exact text, and timing.
//!
//! `eval` resolves the realistic fixture tree in `tests/fixtures/kconfig/`
//! (two components, nested menus, choices, `if` blocks, conditional
//! defaults and hex ranges) and small trees written inline; `errors`
//! snapshots the rendered text of each error class; `tree` covers parsing:
//! sources, parse errors, locations; `constants` the generated Rust types.

mod constants;
mod errors;
mod eval;
mod tree;

use std::path::{Path, PathBuf};

use super::*;
use crate::diag::{Location, Result, render};

/// The fixture directory.
fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/kconfig")
}

/// The fixture tree: the `kernel` component and the `board` one.
fn fixture() -> Tree {
    let dir = fixture_dir();
    load(&[
        ComponentKconfig { component: "kernel".into(), path: dir.join("Kconfig") },
        ComponentKconfig { component: "board".into(), path: dir.join("board/Kconfig") },
    ])
    .unwrap()
}

/// Writes `files` (path, text) under `<tmp>/components/c/` and loads its
/// `Kconfig`; locations then read `components/c/Kconfig:N`.
fn files(files: &[(&str, &str)]) -> (tempfile::TempDir, Result<Tree>) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("components/c");
    for (path, text) in files {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let tree = load(&[ComponentKconfig { component: "c".into(), path: root.join("Kconfig") }]);
    (dir, tree)
}

/// A one-file tree from text.
fn tree(text: &str) -> (tempfile::TempDir, Tree) {
    let (dir, tree) = files(&[("Kconfig", text)]);
    (dir, tree.unwrap())
}

/// Device assignments, on lines 10, 11, … of device.toml.
fn user(pairs: &[(&str, toml::Value)]) -> Vec<Assignment> {
    pairs
        .iter()
        .enumerate()
        .map(|(n, (k, v))| Assignment {
            key: (*k).into(),
            value: v.clone(),
            origin: Origin::User,
            location: Some(Location::at("device.toml", 10 + n, 1)),
        })
        .collect()
}

/// Assignments of preset `name`, on lines 3, 4, … of configs/name.toml.
fn preset(name: &str, pairs: &[(&str, toml::Value)]) -> Vec<Assignment> {
    pairs
        .iter()
        .enumerate()
        .map(|(n, (k, v))| Assignment {
            key: (*k).into(),
            value: v.clone(),
            origin: Origin::Preset(name.into()),
            location: Some(Location::at(format!("configs/{name}.toml"), 3 + n, 1)),
        })
        .collect()
}

fn b(v: bool) -> toml::Value {
    toml::Value::Boolean(v)
}

fn i(v: i64) -> toml::Value {
    toml::Value::Integer(v)
}

fn s(v: &str) -> toml::Value {
    toml::Value::String(v.into())
}

fn val(c: &Config, name: &str) -> Option<Value> {
    c.get(name).unwrap_or_else(|| panic!("no {name}")).value.clone()
}

fn on(c: &Config, name: &str) -> bool {
    val(c, name) == Some(Value::Bool(true))
}

/// The rendered errors, with the fixture directory as `[FIXTURE]`.
fn errors(t: &Tree, a: &[Assignment]) -> String {
    clean(&render(&resolve(t, a).unwrap_err().diagnostics))
}

fn clean(text: &str) -> String {
    text.replace(&fixture_dir().display().to_string(), "[FIXTURE]")
}
