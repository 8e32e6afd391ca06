//! Evaluator tests: every construct, on a realistic tree and small ones.

use std::path::{Path, PathBuf};

use super::*;
use crate::diag::{Location, render};

fn fixture() -> Tree {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/kconfig");
    load(&[ComponentKconfig { component: "kernel".into(), path: dir.join("Kconfig") }]).unwrap()
}

/// A one-file tree from text.
fn tree(text: &str) -> (tempfile::TempDir, Tree) {
    let dir = tempfile::tempdir().unwrap();
    let path: PathBuf = dir.path().join("Kconfig");
    std::fs::write(&path, text).unwrap();
    let tree = load(&[ComponentKconfig { component: "c".into(), path }]).unwrap();
    (dir, tree)
}

fn user(pairs: &[(&str, toml::Value)]) -> Vec<Assignment> {
    pairs
        .iter()
        .enumerate()
        .map(|(i, (k, v))| Assignment {
            key: (*k).into(),
            value: v.clone(),
            origin: Origin::User,
            location: Some(Location::at("device.toml", 10 + i, 1)),
        })
        .collect()
}

fn b(v: bool) -> toml::Value {
    toml::Value::Boolean(v)
}

fn i(v: i64) -> toml::Value {
    toml::Value::Integer(v)
}

fn val(c: &Config, name: &str) -> Option<Value> {
    c.get(name).unwrap_or_else(|| panic!("no {name}")).value.clone()
}

fn errors(t: &Tree, a: &[Assignment]) -> String {
    render(&resolve(t, a).unwrap_err().diagnostics)
}

#[test]
fn defaults_menus_and_if_blocks() {
    let c = resolve(&fixture(), &[]).unwrap();
    assert_eq!(val(&c, "CONSOLE"), Some(Value::Bool(true)));
    assert_eq!(val(&c, "LOG_LEVEL"), Some(Value::Int(1)));
    assert_eq!(val(&c, "TICK_HZ"), Some(Value::Int(1000)));
    assert_eq!(c.get("TICK_HZ").unwrap().depends_on.as_deref(), Some("SCHEDULER"));
    assert_eq!(c.get("SOFT_TIMERS").unwrap().menu, ["Kernel", "Timers"]);
    assert_eq!(c.get("UART_BAUD").unwrap().menu, ["Drivers"]);
    assert_eq!(c.get("UART_BAUD").unwrap().defined_at.rsplit('/').next(), Some("Kconfig:3"));
    assert_eq!(val(&c, "STACK_BASE"), Some(Value::Hex(0x2000_1000)));
    assert_eq!(val(&c, "BANNER_TEXT"), Some(Value::Str("bluegen".into())));
    assert_eq!(c.get("CONSOLE").unwrap().set_by, SetBy::Default);
    assert_eq!(c.get("CONSOLE").unwrap().help.as_deref(), Some("Print to the board's console."));
}

#[test]
fn conditional_default_and_select_and_imply() {
    let c = resolve(&fixture(), &user(&[("debug", b(true))])).unwrap();
    assert_eq!(val(&c, "LOG_LEVEL"), Some(Value::Int(3)));
    assert_eq!(val(&c, "ASSERTS"), Some(Value::Bool(true)));
    assert_eq!(c.get("ASSERTS").unwrap().set_by, SetBy::Select("DEBUG".into()));
    assert_eq!(val(&c, "STATS"), Some(Value::Bool(true)));
    assert_eq!(c.get("STATS").unwrap().set_by, SetBy::Imply("DEBUG".into()));
    // An implied symbol can still be turned off.
    let c = resolve(&fixture(), &user(&[("debug", b(true)), ("stats", b(false))])).unwrap();
    assert_eq!(val(&c, "STATS"), Some(Value::Bool(false)));
    assert_eq!(c.selects_of("DEBUG"), ["ASSERTS"]);
}

#[test]
fn unmet_dependencies_turn_symbols_off() {
    let c = resolve(&fixture(), &user(&[("scheduler", b(false))])).unwrap();
    assert_eq!(val(&c, "TICK_HZ"), None);
    assert_eq!(val(&c, "SOFT_TIMERS"), Some(Value::Bool(false)));
    let c = resolve(&fixture(), &user(&[("console", b(false))])).unwrap();
    assert_eq!(val(&c, "LOG_LEVEL"), None);
    // `CONSOLE && !DEBUG || STATS`.
    assert_eq!(val(&c, "UART_BAUD"), None);
    let c = resolve(&fixture(), &user(&[("console", b(false)), ("debug", b(true))])).unwrap();
    assert_eq!(val(&c, "UART_BAUD"), None, "STATS is implied but depends on CONSOLE");
}

#[test]
fn conditional_ranges_and_clamping() {
    let c = resolve(&fixture(), &user(&[("time-slice", i(50))])).unwrap();
    assert_eq!(val(&c, "TIME_SLICE"), Some(Value::Int(50)));
    assert_eq!(c.get("TIME_SLICE").unwrap().range, Some((1, 100)));
    let text = errors(&fixture(), &user(&[("tick-hz", i(500)), ("time-slice", i(50))]));
    assert!(text.contains("TIME_SLICE must be between 1 and 10 (range 1 10)"), "{text}");
    let c = resolve(&fixture(), &user(&[("tick-hz", i(500))])).unwrap();
    assert_eq!(val(&c, "TIME_SLICE"), Some(Value::Int(10)));
}

#[test]
fn menus_visible_if_hides_prompts() {
    let text = errors(&fixture(), &user(&[("tick-hz", i(50)), ("soft-timers", b(true))]));
    assert!(text.contains("`soft-timers` cannot be set: its dependencies are unmet"), "{text}");
    assert!(text.contains("TICK_HZ > 100"), "{text}");
    resolve(&fixture(), &user(&[("tick-hz", i(500)), ("soft-timers", b(true))])).unwrap();
}

#[test]
fn choices() {
    let c = resolve(&fixture(), &[]).unwrap();
    assert_eq!(val(&c, "HEAP_TLSF"), Some(Value::Bool(true)));
    assert_eq!(val(&c, "HEAP_TALC"), Some(Value::Bool(false)));
    let c = resolve(&fixture(), &user(&[("heap-talc", b(true))])).unwrap();
    assert_eq!((val(&c, "HEAP_TLSF"), val(&c, "HEAP_TALC")), (Some(Value::Bool(false)), Some(Value::Bool(true))));
    // An optional choice picks nothing by itself.
    assert_eq!((val(&c, "TRACE_UART"), val(&c, "TRACE_RTT")), (Some(Value::Bool(false)), Some(Value::Bool(false))));
    let c = resolve(&fixture(), &user(&[("trace-rtt", b(true))])).unwrap();
    assert_eq!(val(&c, "TRACE_RTT"), Some(Value::Bool(true)));
    let text = errors(&fixture(), &user(&[("heap-talc", b(true)), ("heap-none", b(true))]));
    assert!(text.contains("`heap-talc` and `heap-none` are all set, but only one member of a choice can be"), "{text}");
}

#[test]
fn prompt_if_and_def_bool() {
    let c = resolve(&fixture(), &[]).unwrap();
    assert_eq!(val(&c, "USE_FPU"), Some(Value::Bool(false)));
    let text = errors(&fixture(), &user(&[("use-fpu", b(true))]));
    assert!(text.contains("`use-fpu` cannot be set: its dependencies are unmet"), "{text}");
}

#[test]
fn typed_constants() {
    let c = resolve(&fixture(), &[]).unwrap();
    let consts = c.constants();
    let get = |n: &str| consts.iter().find(|k| k.name == n).unwrap();
    assert_eq!((get("TICK_HZ").rust_type.as_str(), get("TICK_HZ").value.as_str()), ("u32", "1000"));
    assert_eq!((get("STACK_BASE").rust_type.as_str(), get("STACK_BASE").value.as_str()), ("usize", "0x20001000"));
    assert_eq!((get("BANNER_TEXT").rust_type.as_str(), get("BANNER_TEXT").value.as_str()), ("&str", "\"bluegen\""));
    assert_eq!((get("CONSOLE").rust_type.as_str(), get("CONSOLE").value.as_str()), ("bool", "true"));
    assert_eq!(c.features_of("kernel").first().map(String::as_str), Some("console"));
}

#[test]
fn hex_values_from_strings_and_integers() {
    let c = resolve(&fixture(), &user(&[("stack-base", toml::Value::String("0x20002000".into()))])).unwrap();
    assert_eq!(val(&c, "STACK_BASE"), Some(Value::Hex(0x2000_2000)));
    let text = errors(&fixture(), &user(&[("stack-base", i(0x1000))]));
    assert!(text.contains("STACK_BASE must be between 0x20000000 and 0x2003ffff"), "{text}");
}

#[test]
fn expressions() {
    let (_d, t) = tree(
        "config A\n\tint \"a\"\n\tdefault 5\nconfig B\n\tbool \"b\"\n\tdefault y if A >= 5 && (A != 7 || !C)\nconfig C\n\tbool \"c\"\nconfig D\n\tbool \"d\"\n\tdefault y if A < 5 || A = 9\nconfig E\n\tstring \"e\"\n\tdefault \"x\"\nconfig F\n\tbool \"f\"\n\tdefault y if E = \"x\" && A <= 5 && A > 4\n",
    );
    let c = resolve(&t, &[]).unwrap();
    assert_eq!(val(&c, "B"), Some(Value::Bool(true)));
    assert_eq!(val(&c, "D"), Some(Value::Bool(false)));
    assert_eq!(val(&c, "F"), Some(Value::Bool(true)));
    let c = resolve(&t, &user(&[("a", i(9))])).unwrap();
    assert_eq!(val(&c, "D"), Some(Value::Bool(true)));
    let c = resolve(&t, &user(&[("a", i(7)), ("c", b(true))])).unwrap();
    assert_eq!(val(&c, "B"), Some(Value::Bool(false)));
}

#[test]
fn tristate_is_bool_with_a_warning_for_m() {
    let (_d, t) = tree("config T\n\ttristate \"t\"\n");
    let c = resolve(&t, &user(&[("t", toml::Value::String("m".into()))])).unwrap();
    assert_eq!(val(&c, "T"), Some(Value::Bool(true)));
    assert!(render(&c.warnings).contains("`t` is a tristate; `m` is treated as `y`"));
}

#[test]
fn preset_then_user_and_origins() {
    let mut a = user(&[("log-level", i(2))]);
    a.insert(0, Assignment { key: "log-level".into(), value: i(4), origin: Origin::Preset("full".into()), location: None });
    a.insert(0, Assignment { key: "debug".into(), value: b(true), origin: Origin::Preset("full".into()), location: None });
    let c = resolve(&fixture(), &a).unwrap();
    assert_eq!(val(&c, "LOG_LEVEL"), Some(Value::Int(2)));
    assert_eq!(c.get("LOG_LEVEL").unwrap().set_by, SetBy::User);
    assert_eq!(c.get("DEBUG").unwrap().set_by, SetBy::Preset("full".into()));
}

#[test]
fn error_texts() {
    let a = user(&[
        ("consle", b(true)),
        ("tick-hz", toml::Value::String("fast".into())),
        ("log-level", i(9)),
        ("asserts", b(true)),
        ("stats", b(true)),
    ]);
    let mut a = a;
    a.extend(user(&[("console", b(false))]).into_iter().map(|mut x| {
        x.location = Some(Location::at("device.toml", 20, 1));
        x
    }));
    insta::assert_snapshot!(errors(&fixture(), &a).replace(env!("CARGO_MANIFEST_DIR"), "[BLUEGEN]"), @r#"
    error: unknown feature `consle`
      --> device.toml:10:1
       = key: features.consle
       = why: no component of this image declares CONSLE in its Kconfig
       = hint: did you mean `console`?

    error: `tick-hz` takes an integer, not a string
      --> device.toml:11:1
       = key: features.tick-hz
       = value: "fast"
       = why: TICK_HZ is an int symbol
       = note: declared at [BLUEGEN]/tests/fixtures/kconfig/Kconfig:39
       = hint: write `tick-hz = 1000`

    error: `log-level` cannot be set: its dependencies are unmet
      --> device.toml:12:1
       = key: features.log-level
       = value: 9
       = why: LOG_LEVEL depends on `CONSOLE`, which is false (CONSOLE = n)
       = note: declared at [BLUEGEN]/tests/fixtures/kconfig/Kconfig:12
       = hint: set `console = true`, or remove this line

    error: `asserts` cannot be set by a device
      --> device.toml:13:1
       = key: features.asserts
       = value: true
       = why: ASSERTS has no prompt: its value comes from its defaults and the selects of DEBUG
       = note: declared at [BLUEGEN]/tests/fixtures/kconfig/Kconfig:26
       = hint: remove this line; set `debug = true` to turn it on

    error: `stats` cannot be set: its dependencies are unmet
      --> device.toml:14:1
       = key: features.stats
       = value: true
       = why: STATS depends on `CONSOLE`, which is false (CONSOLE = n)
       = note: declared at [BLUEGEN]/tests/fixtures/kconfig/Kconfig:29
       = hint: set `console = true`, or remove this line
    "#);
}

#[test]
fn select_contradiction_and_range_errors() {
    let text = errors(&fixture(), &user(&[("debug", b(true)), ("log-level", i(9))]));
    assert!(text.contains("`log-level` is out of range"), "{text}");
    assert!(text.contains("LOG_LEVEL must be between 0 and 4 (range 0 4)"), "{text}");
    let (_d, t) = tree("config A\n\tbool \"a\"\n\tselect B\nconfig B\n\tbool \"b\"\n");
    let text = render(&resolve(&t, &user(&[("a", b(true)), ("b", b(false))])).unwrap_err().diagnostics);
    insta::assert_snapshot!(text.replace(&*t.syms[0].defined_at.rsplit_once(':').unwrap().0.to_string(), "[K]"), @r"
    error: `b = false` contradicts a select
      --> device.toml:11:1
       = key: features.b
       = value: false
       = why: A selects B, so it is on whenever A is
       = note: declared at [K]:4
       = hint: remove this line, or set `a = false`
    ");
}

#[test]
fn parse_errors_name_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("Kconfig");
    std::fs::write(&path, "config A\n\tbool \"a\"\n\nconfig\n").unwrap();
    let err = load(&[ComponentKconfig { component: "c".into(), path }]).unwrap_err();
    let text = render(&err.diagnostics);
    assert!(text.contains("cannot parse the Kconfig file of component `c`"), "{text}");
}

#[test]
fn resolving_is_fast() {
    let t = fixture();
    let start = std::time::Instant::now();
    for _ in 0..100 {
        resolve(&t, &user(&[("debug", b(true))])).unwrap();
    }
    // A generous bound that still catches a quadratic blow-up.
    assert!(start.elapsed() < std::time::Duration::from_millis(500), "{:?}", start.elapsed());
}
