//! `bluegen check`, `bluegen config` and `bluegen docs` on real devices.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("bluegen").unwrap().args(args).output().unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.code().unwrap_or(-1), text(&out.stdout), text(&out.stderr))
}

fn features() -> String {
    repo().join("bluegen/tests/fixtures/features").display().to_string()
}

#[test]
fn check_prints_one_line_on_success() {
    let (code, out, err) = run(&["check", &repo().join("examples/hello").display().to_string()]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.starts_with("ok: hello on qemu-mps2-an385: "), "{out}");
    assert!(err.is_empty(), "{err}");
}

#[test]
fn check_prints_only_errors_on_failure() {
    let tmp = tempfile::tempdir().unwrap();
    let app = repo().join("bluegen/tests/fixtures/panic/app");
    std::fs::write(
        tmp.path().join("device.toml"),
        format!(
            "[device]\nname = \"x\"\nboard = \"qemu-virt-rv32\"\napp = \"{}\"\n[features]\nconsole = false\npanic-location = true\nbanner = \"yes\"\nns16550-divisor = 0\n[threads.main]\nentry = \"main\"\npriority = 1\nstack = 1024\n",
            app.display()
        ),
    )
    .unwrap();
    let (code, out, err) = run(&["check", tmp.path().to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(out.is_empty(), "{out}");
    // Three mistakes, one run.
    assert_eq!(err.matches("error: ").count(), 3, "{err}");
    assert!(err.contains("error: `panic-location` cannot be set: its dependencies are unmet"), "{err}");
    assert!(err.contains("hint: set `console = true`, or remove this line"), "{err}");
    assert!(err.contains("error: `banner` takes a boolean, not a string"), "{err}");
    assert!(err.contains("error: `ns16550-divisor` is out of range"), "{err}");
    assert!(err.contains("device.toml:7:1"), "{err}");
    assert!(err.contains("declared at components/kernel/Kconfig:"), "{err}");
}

#[test]
fn config_lists_values_and_their_origins() {
    let (code, out, err) = run(&["config", &features()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("# Kernel"), "{out}");
    let line = |key: &str| out.lines().find(|l| l.starts_with(&format!("{key} "))).unwrap_or_else(|| panic!("no {key}:\n{out}")).to_string();
    assert!(line("console").contains("# device"), "{out}");
    assert!(line("panic-location").contains("# preset standard"), "{out}");
    assert!(line("banner").contains("= false") && line("banner").contains("# device"), "{out}");
    assert!(line("boot-stack-size").contains("= 2048"), "{out}");
}

#[test]
fn why_explains_one_symbol() {
    let (code, out, err) = run(&["config", &features(), "--why", "PANIC_LOCATION"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("panic-location = true  (bool, PANIC_LOCATION)"), "{out}");
    assert!(out.contains("set by:     preset standard"), "{out}");
    assert!(out.contains("depends on: CONSOLE"), "{out}");
    assert!(out.contains("declared:   components/kernel/Kconfig:"), "{out}");
    let (code, _, err) = run(&["config", &features(), "--why", "consol"]);
    assert_eq!(code, 1);
    assert!(err.contains("did you mean `console`?"), "{err}");
}

#[test]
fn json_has_the_documented_schema() {
    let (code, out, err) = run(&["config", &features(), "--json"]);
    assert_eq!(code, 0, "{err}");
    let rows: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rows = rows.as_array().unwrap();
    assert!(!rows.is_empty());
    for r in rows {
        for key in ["name", "type", "value", "set_by", "depends_on", "range", "component", "prompt"] {
            assert!(r.get(key).is_some(), "{key} missing in {r}");
        }
        assert!(["user", "preset", "board", "derived", "default", "select", "imply"].contains(&r["set_by"].as_str().unwrap()), "{r}");
        assert!(["bool", "int", "hex", "string"].contains(&r["type"].as_str().unwrap()), "{r}");
    }
    let bauddiv = rows.iter().find(|r| r["name"] == "cmsdk-uart-bauddiv").unwrap();
    assert_eq!(bauddiv["range"], serde_json::json!([16, 1048575]));
    assert_eq!(bauddiv["component"], "uart-cmsdk");
    assert_eq!(bauddiv["value"], 217);
    let panic = rows.iter().find(|r| r["name"] == "panic-location").unwrap();
    assert_eq!(panic["depends_on"], "CONSOLE");
    assert_eq!(panic["set_by"], "preset");
}

/// A board file's `[features]` sit below the preset and the device: the
/// STM32F4-Discovery's 16 MHz SysTick clock comes from its board, and a
/// device value overrides it.
#[test]
fn board_values_apply_below_the_device() {
    let stm32 = repo().join("examples/stm32f4-discovery").display().to_string();
    let (code, out, err) = run(&["config", &stm32, "--json"]);
    assert_eq!(code, 0, "{err}");
    let rows: serde_json::Value = serde_json::from_str(&out).unwrap();
    let clock = rows.as_array().unwrap().iter().find(|r| r["name"] == "systick-clock-hz").unwrap().clone();
    assert_eq!((clock["value"].as_i64(), clock["set_by"].as_str()), (Some(16_000_000), Some("board")), "{clock}");
    let (_, why, _) = run(&["config", &stm32, "--why", "systick-clock-hz"]);
    assert!(why.contains("set by:     board stm32f4-discovery"), "{why}");

    let tmp = tempfile::tempdir().unwrap();
    let app = repo().join("bluegen/tests/fixtures/panic/app");
    let project = tmp.path().join("device.toml");
    std::fs::write(
        &project,
        format!("[device]\nname = \"x\"\nboard = \"stm32f4-discovery\"\napp = \"{}\"\n[features]\nsystick-clock-hz = 8_000_000\n[threads.main]\nentry = \"main\"\npriority = 1\nstack = 1024\n", app.display()),
    )
    .unwrap();
    let (code, out, err) = run(&["config", project.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0, "{err}");
    let rows: serde_json::Value = serde_json::from_str(&out).unwrap();
    let clock = rows.as_array().unwrap().iter().find(|r| r["name"] == "systick-clock-hz").unwrap().clone();
    assert_eq!((clock["value"].as_i64(), clock["set_by"].as_str()), (Some(8_000_000), Some("user")), "{clock}");
}

/// `priorities` caps thread priorities: a thread above it is an error at
/// its `priority` line, and every such thread is named.
#[test]
fn thread_priorities_stay_below_the_priority_levels() {
    let tmp = tempfile::tempdir().unwrap();
    let app = repo().join("bluegen/tests/fixtures/panic/app");
    let device = tmp.path().join("device.toml");
    let text = format!(
        "[device]\nname = \"x\"\nboard = \"qemu-mps2-an385\"\npreset = \"standard\"\napp = \"{}\"\n\n[features]\npriorities = 4\n\n[threads.main]\nentry = \"main\"\npriority = 3\nstack = 1024\n\n[threads.ui]\nentry = \"main\"\npriority = 4\nstack = 1024\n\n[threads.net]\nentry = \"main\"\npriority = 9\nstack = 1024\n",
        app.display()
    );
    std::fs::write(&device, &text).unwrap();
    let (code, out, err) = run(&["check", device.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(err.contains("invalid value for `threads.ui.priority`") && err.contains("device.toml:17:12"), "{err}");
    assert!(err.contains("invalid value for `threads.net.priority`") && err.contains("device.toml:22:12"), "{err}");
    assert!(err.contains("thread priorities go from 1 to 3"), "{err}");
    assert!(!err.contains("threads.main.priority"), "{err}");
    std::fs::write(&device, text.replace("priorities = 4", "priorities = 10")).unwrap();
    let (code, _, err) = run(&["check", device.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn minimal_drops_what_the_preset_and_defaults_give() {
    let (code, out, err) = run(&["config", &features(), "--minimal"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "[features]\nbanner = false\nboot-stack-size = 2048\n");
}

#[test]
fn book_reference_pages_match_the_kconfig_files() {
    let (code, out, err) = run(&["docs", "--check"]);
    assert_eq!(code, 0, "{out}{err}");
}

/// A copy of the features fixture whose app path still resolves.
fn scratch() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(repo().join("bluegen/tests/fixtures/features/device.toml")).unwrap();
    let app = repo().join("bluegen/tests/fixtures/panic/app");
    let text = text.replace("app = \"../panic/app\"", &format!("app = \"{}\"", app.display()));
    let path = tmp.path().join("device.toml");
    std::fs::write(&path, text).unwrap();
    (tmp, path)
}

fn changed_lines(a: &str, b: &str) -> Vec<(String, String)> {
    assert_eq!(a.lines().count(), b.lines().count(), "{b}");
    a.lines().zip(b.lines()).filter(|(x, y)| x != y).map(|(x, y)| (x.to_string(), y.to_string())).collect()
}

#[test]
fn config_set_changes_one_line_and_keeps_comments() {
    let (_tmp, path) = scratch();
    let before = std::fs::read_to_string(&path).unwrap();
    let (code, out, err) = run(&["config", "set", path.to_str().unwrap(), "cmsdk-uart-bauddiv=434"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("set cmsdk-uart-bauddiv = 434"), "{out}");
    let after = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        changed_lines(&before, &after),
        [("cmsdk-uart-bauddiv = 217   # the default already".into(), "cmsdk-uart-bauddiv = 434   # the default already".into())]
    );
    let (code, _, err) = run(&["check", path.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn config_set_to_what_the_preset_gives_removes_the_line() {
    let (_tmp, path) = scratch();
    let (code, out, err) = run(&["config", "set", path.to_str().unwrap(), "banner=true"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("removed banner"), "{out}");
    let after = std::fs::read_to_string(&path).unwrap();
    assert!(!after.contains("banner"), "{after}");
    assert!(after.contains("console = true             # the preset says so already"), "{after}");
}

#[test]
fn an_invalid_value_leaves_the_file_untouched() {
    let (_tmp, path) = scratch();
    let before = std::fs::read(&path).unwrap();
    let (code, _, err) = run(&["config", "set", path.to_str().unwrap(), "cmsdk-uart-bauddiv=3", "consle=true"]);
    assert_eq!(code, 1);
    assert!(err.contains("error: `cmsdk-uart-bauddiv` is out of range"), "{err}");
    assert!(err.contains("error: unknown feature `consle`"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
    let (code, _, _) = run(&["config", "unset", path.to_str().unwrap(), "console"]);
    assert_eq!(code, 0);
    let after = std::fs::read_to_string(&path).unwrap();
    assert!(!after.contains("console = true"), "{after}");
}
