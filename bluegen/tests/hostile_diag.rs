//! Diagnostics under hostile use: board and preset names that are paths,
//! flags named as flags, and the data files (boards, presets) a user writes.

mod common;

use common::{bluegen, check, device, project, THREAD};

#[test]
fn a_board_or_preset_name_that_is_a_path_is_refused_with_the_name() {
    // device.toml, a flag, and `new`: never a file outside boards/ or configs/.
    let dir = project(&format!("{}{THREAD}", device("../boards/qemu-virt-rv32")));
    let (code, _, err) = bluegen(dir.path(), &["check"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("device.toml:3:9") && err.contains("key: device.board"), "{err}");
    assert!(err.contains("is a path or a file name") && err.contains("hint: write the name alone: `qemu-virt-rv32`"), "{err}");

    let dir = project(&format!("{}{THREAD}", device("qemu-virt-rv32")));
    for (flag, value, want) in [
        ("--board", "qemu-mps2-an385.toml", "`qemu-mps2-an385`"),
        ("--board", "/etc/passwd", "known boards:"),
        ("--board", "", "the name is empty"),
    ] {
        let (code, _, err) = bluegen(dir.path(), &["check", flag, value]);
        assert_eq!(code, 1, "{flag} {value}: {err}");
        assert!(err.contains("key: --board") && err.contains(want), "{flag} {value}: {err}");
    }

    let (code, err) = check(&format!("{}preset = \"./minimal\"\n{THREAD}", device("qemu-virt-rv32")));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("key: device.preset") && err.contains("write the name alone: `minimal`"), "{err}");

    let tmp = tempfile::tempdir().unwrap();
    let (code, _, err) = bluegen(tmp.path(), &["new", "x", "--board", "qemu-virt-rv32", "--preset", "../configs/minimal"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("key: --preset") && err.contains("write the name alone: `minimal`"), "{err}");
    assert!(!tmp.path().join("x").exists());
}

/// `size ELF --board` names the flag, not a device.toml key it never read.
#[test]
fn size_of_an_elf_with_an_unknown_board_names_the_flag() {
    let tmp = tempfile::tempdir().unwrap();
    let elf = tmp.path().join("image");
    std::fs::write(&elf, b"\x7fELF\x01\x01\x01\0\0\0\0\0\0\0\0\0").unwrap();
    let (code, _, err) = bluegen(tmp.path(), &["size", "image", "--board", "nosuch"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("unknown board `nosuch`") && err.contains("key: --board"), "{err}");
    assert!(!err.contains("device.board"), "{err}");
}

/// A kernel root of its own (BLUEGEN_ROOT): this checkout's components and
/// templates, copies of its boards and presets, plus `extra` files.
fn root_with(extra: &[(&str, &str)]) -> tempfile::TempDir {
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let root = tempfile::tempdir().unwrap();
    for sub in ["components", "kernel-templates"] {
        std::os::unix::fs::symlink(repo.join(sub), root.path().join(sub)).unwrap();
    }
    for sub in ["boards", "configs"] {
        std::fs::create_dir(root.path().join(sub)).unwrap();
        for e in std::fs::read_dir(repo.join(sub)).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), root.path().join(sub).join(e.file_name())).unwrap();
        }
    }
    for (path, text) in extra {
        std::fs::write(root.path().join(path), text).unwrap();
    }
    root
}

fn bluegen_with_root(root: &std::path::Path, dir: &std::path::Path, args: &[&str]) -> (i32, String) {
    let out = assert_cmd::Command::cargo_bin("bluegen").unwrap().env("BLUEGEN_ROOT", root).current_dir(dir).args(args).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
}

const BAD_BOARD: &str = "[board]
description = \"mine\"
arch = \"cortex-x\"
target = \"thumbv7m-none-eabi\"
colour = 1

[memory]
flash = { origin = 0, size = \"4Q\" }
ram = { origin = \"zz\", size = \"4M\" }

[console]
driver = \"uart-cmsdk\"
base = -1

[exit]
method = \"semihost\"

[qemu]
binary = \"qemu-system-arm\"
args = [\"-M\", 2]
";

/// A board file of the user's own: every mistake in one run, in line order,
/// each with its table path, the value and a hint; no serde type names.
#[test]
fn every_mistake_of_a_board_file_in_one_run() {
    let root = root_with(&[("boards/mine.toml", BAD_BOARD)]);
    let dir = project(&format!("{}{THREAD}", device("mine")));
    let (code, err) = bluegen_with_root(root.path(), dir.path(), &["check"]);
    assert_eq!(code, 1, "{err}");
    let expected = [
        ("mine.toml:3:8", "key: board.arch"),
        ("mine.toml:5:1", "key: board.colour"),
        ("mine.toml:8:30", "key: memory.flash.size"),
        ("mine.toml:9:18", "key: memory.ram.origin"),
        ("mine.toml:13:8", "key: console.base"),
        ("mine.toml:16:10", "key: exit.method"),
        ("mine.toml:18:1", "key: qemu.package"),
        ("mine.toml:20:15", "key: qemu.args"),
    ];
    let mut last = 0;
    for (at, key) in expected {
        let i = err.find(at).unwrap_or_else(|| panic!("no {at} in:\n{err}"));
        assert!(i >= last, "{at} out of line order:\n{err}");
        assert!(err[i..].contains(key), "{at} {key}:\n{err}");
        last = i;
    }
    assert_eq!(err.matches("error:").count(), expected.len(), "{err}");
    assert_eq!(err.matches("= hint:").count(), expected.len(), "every mistake has a hint:\n{err}");
    for leak in ["Raw", "struct", "Some(", "expected one of"] {
        assert!(!err.contains(leak), "{leak}:\n{err}");
    }

    // `bluegen boards` names the broken file's mistakes instead of the first alone.
    let (code, err) = bluegen_with_root(root.path(), dir.path(), &["boards"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(err.matches("error:").count(), expected.len(), "{err}");
}

/// A preset of the user's own: every mistake, with a hint that fixes it.
#[test]
fn every_mistake_of_a_preset_file_in_one_run() {
    let root = root_with(&[("configs/mine.toml", "inherit = \"minimal\"\n[feature]\nconsole = true\n")]);
    let dir = project(&format!("{}preset = \"mine\"\n{THREAD}", device("qemu-virt-rv32")));
    let (code, err) = bluegen_with_root(root.path(), dir.path(), &["check"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("mine.toml:1:11") && err.contains("hint: put it in an array: `inherit = [\"minimal\"]`"), "{err}");
    assert!(err.contains("mine.toml:2:2") && err.contains("did you mean `features`?"), "{err}");
    assert!(err.contains("the preset file has no `description`") && err.contains("mine.toml:1:1"), "{err}");
    assert_eq!(err.matches("error:").count(), 3, "{err}");
}

/// A device.toml (or board file) that is not UTF-8 is located at its first
/// bad byte, with the byte and how to convert the file; no bare io message.
#[test]
fn a_file_that_is_not_utf8_is_located_with_a_hint() {
    let dir = project("");
    std::fs::write(dir.path().join("device.toml"), b"[device]\nname = \"caf\xe9\"\n").unwrap();
    let (code, _, err) = bluegen(dir.path(), &["check"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("`device.toml` is not UTF-8 text") && err.contains("device.toml:2:12"), "{err}");
    assert!(err.contains("value: byte 0xe9") && err.contains("hint: save it as UTF-8"), "{err}");
    assert!(!err.contains("stream did not contain"), "{err}");

    let root = root_with(&[]);
    std::fs::write(root.path().join("boards/mine.toml"), b"[board]\n# \xff\n").unwrap();
    let dir = project(&format!("{}{THREAD}", device("mine")));
    let (code, err) = bluegen_with_root(root.path(), dir.path(), &["check"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("mine.toml:2:3") && err.contains("hint: save it as UTF-8"), "{err}");
}

/// A file bluegen cannot write is named as the user named it (not the
/// temporary file next to it), with what to check.
#[test]
fn a_failed_write_names_the_users_file_with_a_hint() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(std::env::current_exe().unwrap(), tmp.path().join("image")).unwrap();
    let (code, _, err) = bluegen(tmp.path(), &["size", "image", "--html", "/proc/bluegen-page.html"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("error: cannot write `/proc/bluegen-page.html`"), "{err}");
    assert!(err.contains("hint: check the path: `ls -ld /proc/bluegen-page.html`"), "{err}");
}

/// `config --why` of a name with no close symbol still says what to do.
#[test]
fn config_why_of_an_unknown_symbol_always_has_a_hint() {
    let dir = project(&format!("{}{THREAD}", device("qemu-virt-rv32")));
    for (name, why) in [("KERNEL_CONSOLE", "no component of this image declares it"), ("", "the name is empty"), ("consle", "")] {
        let (code, _, err) = bluegen(dir.path(), &["config", "--why", name]);
        assert_eq!(code, 1, "{name}: {err}");
        assert!(err.contains("key: --why") && err.contains(why) && err.contains("= hint: "), "{name}: {err}");
    }
}

/// `run` on a board QEMU cannot run says so before building anything.
#[test]
fn run_on_a_hardware_board_is_refused_before_building() {
    let dir = project(&format!("{}{THREAD}", device("nrf52840-dk")));
    let (code, _, err) = bluegen(dir.path(), &["run"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("board nrf52840-dk is not emulated") && err.contains("key: device.board") && err.contains("hint: flash it to the device instead: bluegen flash ."), "{err}");
    let dir = project(&format!("{}{THREAD}", device("qemu-virt-rv32")));
    let (code, _, err) = bluegen(dir.path(), &["run", "--board", "nrf52840-dk"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("key: --board") && err.contains("bluegen flash . --board nrf52840-dk"), "{err}");
    assert!(!err.contains("Compiling") && !dir.path().join("target").exists(), "built first:\n{err}");
}

/// A preset that cannot be read (unknown, or a broken `inherit`) does not
/// hide the other mistakes: the features of the rest are checked in the
/// same run.
#[test]
fn a_broken_preset_hides_no_feature_mistake() {
    let (code, err) = check(&format!("{}preset = \"nosuch\"\n[features]\nconsle = true\n{THREAD}", device("qemu-virt-rv32")));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("unknown preset `nosuch`") && err.contains("unknown feature `consle`"), "{err}");

    let root = root_with(&[("configs/mine.toml", "description = \"mine\"\ninherit = [\"minimal\", \"nosuch\"]\n[features]\nconsle = true\n")]);
    let dir = project(&format!("{}preset = \"mine\"\n{THREAD}", device("qemu-virt-rv32")));
    let (code, err) = bluegen_with_root(root.path(), dir.path(), &["check"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("mine.toml:2:23") && err.contains("unknown preset `nosuch`"), "{err}");
    assert!(err.contains("mine.toml:4:1") && err.contains("unknown feature `consle`"), "{err}");
}

/// A board file whose console driver is no component: located at the
/// board file's `driver`, with the closest driver or the list.
#[test]
fn an_unknown_console_driver_is_located_in_the_board_file() {
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let an385 = std::fs::read_to_string(repo.join("boards/qemu-mps2-an385.toml")).unwrap();
    let line = an385.lines().position(|l| l.starts_with("driver = ")).unwrap() + 1;
    let root = root_with(&[
        ("boards/typo.toml", &an385.replace("driver = \"uart-cmsdk\"", "driver = \"uart-cmsdx\"")),
        ("boards/other.toml", &an385.replace("driver = \"uart-cmsdk\"", "driver = \"serial\"")),
    ]);
    let dir = project(&format!("{}{THREAD}", device("typo")));
    let (code, err) = bluegen_with_root(root.path(), dir.path(), &["check"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains(&format!("typo.toml:{line}:10")) && err.contains("key: console.driver") && err.contains("did you mean `uart-cmsdk`?"), "{err}");
    let (code, err) = bluegen_with_root(root.path(), dir.path(), &["check", "--board", "other"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains(&format!("other.toml:{line}:10")) && err.contains("usart-stm32") && err.contains("uart-ns16550"), "{err}");
}

/// A bad `size --compare` baseline: located (1-based), with an excerpt,
/// and in JSON's words, not Rust's (`struct SizeReport`, `path string`).
#[test]
fn a_bad_baseline_is_described_without_rust_types() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(std::env::current_exe().unwrap(), tmp.path().join("image")).unwrap();
    for (text, at, want) in [
        (&b"\"x\"\n"[..], "base.json:1:3", "expected a JSON object"),
        (b"[1]\n", "base.json:1:2", "expected a string (a path)"),
        (b"", "base.json:1:1", "the file ends early"),
        (b"{\"elf\": \"caf\xe9\"}", "base.json:1:13", "not UTF-8"),
    ] {
        std::fs::write(tmp.path().join("base.json"), text).unwrap();
        let (code, _, err) = bluegen(tmp.path(), &["size", "image", "--compare", "base.json"]);
        assert_eq!(code, 1, "{err}");
        assert!(err.contains(at) && err.contains(want) && err.contains("= hint:"), "{err}");
        for leak in ["struct", "SizeReport", "path string", "at line", ":0\n"] {
            assert!(!err.contains(leak), "{leak}: {err}");
        }
    }
}

/// A mistake inside the app crate's Cargo.toml is located there, not at
/// device.toml's first line.
#[test]
fn a_broken_app_manifest_is_located_in_it() {
    let dir = project(&format!("{}{THREAD}", device("qemu-virt-rv32")));
    std::fs::write(dir.path().join("app/Cargo.toml"), "[package]\nname = t-app\n").unwrap();
    let (code, _, err) = bluegen(dir.path(), &["check"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("app/Cargo.toml:2:8") && err.contains("not valid TOML") && err.contains("= hint:"), "{err}");
    std::fs::write(dir.path().join("app/Cargo.toml"), "[package]\nversion = \"0.1.0\"\n").unwrap();
    let (code, _, err) = bluegen(dir.path(), &["check"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("app/Cargo.toml:1:1") && err.contains("key: package.name") && err.contains("hint: add `name"), "{err}");
}
