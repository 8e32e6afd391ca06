//! Robustness: mutated device.toml and Kconfig texts never make bluegen panic.
//!
//! A property-test suite (proptest) of fuzzing reach: each case takes a valid
//! file, applies random edits (deletions, insertions of TOML/Kconfig tokens
//! and arbitrary characters, duplicated and swapped lines) and runs the whole
//! front end — parse, validate, resolve — which must return `Ok` or
//! diagnostics, never panic. `PROPTEST_CASES=100000 cargo test --test fuzz
//! --release` runs a longer campaign; the default is 1 000 cases per target.

use std::path::{Path, PathBuf};

use bluegen::diag::Source;
use bluegen::kconfig::{self, Assignment, ComponentKconfig, Origin};
use proptest::prelude::*;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

const TOKENS: &[&str] = &[
    "[", "]", "[[", "]]", "=", "\"", "'", "#", "\n", ".", ",", "{", "}", "true", "false", "0x", "-1", "99999999999999999999",
    "1K", "4M", "[device]", "[features]", "[memory]", "[threads.", "[budget]", "name", "board", "chip", "preset", "app",
    "entry", "priority", "stack", "flash", "ram", "console", "config ", "menu ", "endmenu", "choice", "endchoice", "if ",
    "endif", "depends on ", "select ", "imply ", "default ", "range ", "bool", "int", "hex", "string", "tristate", "help",
    "&&", "||", "!", "(", ")", "<=", ">=", "!=", "\t", "é", "\u{0}", "💥", "source \"x\"",
];

#[derive(Debug, Clone)]
enum Edit {
    Delete(usize, usize),
    Insert(usize, String),
    DuplicateLine(usize),
    SwapLines(usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), 1usize..20).prop_map(|(a, n)| Edit::Delete(a, n)),
        (any::<usize>(), prop::sample::select(TOKENS)).prop_map(|(a, t)| Edit::Insert(a, t.to_string())),
        (any::<usize>(), "\\PC{1,8}").prop_map(|(a, s)| Edit::Insert(a, s)),
        any::<usize>().prop_map(Edit::DuplicateLine),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::SwapLines(a, b)),
    ]
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for e in edits {
        match e {
            Edit::Delete(at, n) if !chars.is_empty() => {
                let at = at % chars.len();
                let end = (at + n).min(chars.len());
                chars.drain(at..end);
            }
            Edit::Insert(at, s) => {
                let at = at % (chars.len() + 1);
                chars.splice(at..at, s.chars());
            }
            Edit::DuplicateLine(i) | Edit::SwapLines(i, _) => {
                let s: String = chars.iter().collect();
                let mut lines: Vec<&str> = s.lines().collect();
                if lines.is_empty() {
                    continue;
                }
                let a = i % lines.len();
                match e {
                    Edit::DuplicateLine(_) => lines.insert(a, lines[a]),
                    Edit::SwapLines(_, j) => {
                        let b = j % lines.len();
                        lines.swap(a, b);
                    }
                    _ => unreachable!(),
                }
                chars = lines.join("\n").chars().collect();
            }
            Edit::Delete(..) => {}
        }
    }
    chars.into_iter().collect()
}

/// The whole front end on one device.toml text placed in examples/hello.
fn front_end(root: &bluegen::root::Root, text: String) {
    let source = Source { path: repo().join("examples/hello/device.toml"), text };
    let loaded = bluegen::load::load_source(root, source, None);
    let _ = bluegen::resolve::resolve_loaded(root, &loaded);
}

const DEVICE: &str = r#"[device]
name = "fuzz"
board = "qemu-mps2-an385"
preset = "standard"

[memory]
flash = "64K"
ram = "16K"

[features]
console = true
panic-location = false
cmsdk-uart-bauddiv = 300
boot-stack-size = 2048

[threads.main]
entry = "main"
priority = 3
stack = "1K"

[threads.other]
entry = "other::run"
priority = 2
stack = 512

[budget]
flash = "8K"
"#;

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(1000),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn device_toml_never_panics(edits in prop::collection::vec(edit(), 1..8)) {
        let root = bluegen::root::Root::discover().unwrap();
        front_end(&root, apply(DEVICE, &edits));
    }

    #[test]
    fn kconfig_never_panics(edits in prop::collection::vec(edit(), 1..8), values in prop::collection::vec((prop::sample::select(&["console", "debug", "tick-hz", "time-slice", "heap-talc", "heap-none", "stack-base", "banner-text", "log-level", "use-fpu", "trace-uart", "nope"][..]), prop_oneof![any::<bool>().prop_map(toml::Value::Boolean), any::<i64>().prop_map(toml::Value::Integer), "\\PC{0,6}".prop_map(toml::Value::String)]), 0..6)) {
        let fixture = repo().join("bluegen/tests/fixtures/kconfig/Kconfig");
        let text = apply(&std::fs::read_to_string(fixture).unwrap(), &edits);
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub/Kconfig"), "config UART_BAUD\n\tint \"baud\"\n\tdefault 9600\n").unwrap();
        std::fs::write(dir.path().join("Kconfig"), text).unwrap();
        let files = [ComponentKconfig { component: "fuzz".into(), path: dir.path().join("Kconfig") }];
        if let Ok(tree) = kconfig::load(&files) {
            let assignments: Vec<Assignment> = values
                .into_iter()
                .map(|(k, v)| Assignment { key: k.to_string(), value: v, origin: Origin::User, location: None })
                .collect();
            if let Ok(config) = kconfig::resolve(&tree, &assignments) {
                let _ = config.constants();
            }
        }
    }
}
