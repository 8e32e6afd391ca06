//! `bluegen test` end to end: a matrix of real projects built and booted in
//! QEMU on Arm, RISC-V and AArch64 (and built for a hardware board), each
//! verdict checked: a pass, a console line that never comes, a wrong exit
//! status, a run that never ends, a device.toml that does not validate;
//! the JUnit and JSON reports parsed; `--shard` splits the matrix.

use std::path::Path;

use assert_cmd::Command;

mod common;

fn bluegen() -> Command {
    Command::cargo_bin("bluegen").unwrap()
}

/// `bluegen new NAME` in `dir`, with `test` appended to its device.toml and
/// its app's `main` body replaced by `body` when given.
fn project(dir: &Path, name: &str, test: &str, body: Option<&str>) {
    let out = bluegen().current_dir(dir).args(["new", name, "--board", "qemu-mps2-an385"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let manifest = dir.join(name).join("device.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    // The project's own [test] (its greeting, its board) gives way to `test`.
    let (text, own) = text.split_once("\n[test]\n").unwrap();
    assert_eq!(own, format!("console = [\"Hello from {name}!\"]\n"));
    std::fs::write(&manifest, format!("{text}\n{test}")).unwrap();
    if let Some(body) = body {
        let lib = dir.join(name).join("app/src/lib.rs");
        let text = std::fs::read_to_string(&lib).unwrap();
        let start = text.find("pub fn main() {").unwrap();
        std::fs::write(&lib, format!("{}pub fn main() {{\n{body}\n}}\n", &text[..start])).unwrap();
    }
}

fn matrix() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    project(dir, "pass", "[test]\nboards = [\"qemu-mps2-an385\", \"qemu-virt-rv32\", \"qemu-virt-aarch64\", \"nrf52840-dk\"]\nconsole = [\"Hello from pass!\"]\n", None);
    project(dir, "ticks", "[test]\nboards = [\"qemu-virt-rv32\"]\nconsole = [{ regex = '^tick [0-9]+$' }, \"done\"]\nexit = 3\n", Some("    console::write_str(\"tick 1\\ntick 2\\ndone\\n\");\n    exit(3);"));
    project(dir, "wrong-line", "[test]\nconsole = [\"Hello from wrong-line!\", \"goodbye\"]\n", None);
    project(dir, "wrong-exit", "[test]\nboards = [\"qemu-virt-aarch64\"]\nexit = 3\n", None);
    project(dir, "hang", "[test]\nconsole = [\"spinning\"]\ntimeout = 3\n", Some("    console::write_str(\"spinning\\n\");\n    loop {}"));
    project(dir, "untested", "", None);
    std::fs::create_dir_all(dir.join("broken/app/src")).unwrap();
    std::fs::write(dir.join("broken/device.toml"), "[device]\nname = \"broken\"\nboard = \"qemu-mps2-an385\"\n\n[test]\nexit = 0\n").unwrap();
    tmp
}

#[test]
fn a_matrix_runs_and_every_verdict_is_the_right_one() {
    let tmp = matrix();
    let junit = tmp.path().join("report.xml");
    let out = bluegen().current_dir(tmp.path()).args(["test", "-j", "2", "--junit", junit.to_str().unwrap()]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    let row = |project: &str, board: &str| stdout.lines().find(|l| l.starts_with(&format!("{project} ")) && l.split_whitespace().nth(1) == Some(board)).map(|l| l.split_whitespace().nth(2).unwrap().to_string());
    assert_eq!(row("pass", "qemu-mps2-an385").as_deref(), Some("pass"), "{stdout}");
    assert_eq!(row("pass", "qemu-virt-rv32").as_deref(), Some("pass"), "{stdout}");
    assert_eq!(row("pass", "qemu-virt-aarch64").as_deref(), Some("pass"), "{stdout}");
    assert_eq!(row("pass", "nrf52840-dk").as_deref(), Some("built"), "{stdout}");
    assert_eq!(row("ticks", "qemu-virt-rv32").as_deref(), Some("pass"), "{stdout}");
    assert_eq!(row("wrong-line", "qemu-mps2-an385").as_deref(), Some("FAIL"), "{stdout}");
    assert_eq!(row("wrong-exit", "qemu-virt-aarch64").as_deref(), Some("FAIL"), "{stdout}");
    assert_eq!(row("hang", "qemu-mps2-an385").as_deref(), Some("FAIL"), "{stdout}");
    assert_eq!(row("broken", "-").as_deref(), Some("ERROR"), "{stdout}");
    assert!(stdout.contains("failed: wrong-line on qemu-mps2-an385: console line 2 (\"goodbye\") never came after console line 1\n  the console's last 1 lines:\n  | Hello from wrong-line!\n"), "{stdout}");
    assert!(stdout.contains("failed: wrong-exit on qemu-virt-aarch64: exit status 0, expected 3\n"), "{stdout}");
    assert!(stdout.contains("failed: hang on qemu-mps2-an385: did not finish within 3 s\n  the console's last 1 lines:\n  | spinning\n"), "{stdout}");
    assert!(stdout.contains("error: broken: its device.toml does not validate:\n  error: the app crate `app` cannot be used\n"), "{stdout}");
    assert!(stdout.contains("\n  error: the device declares no thread\n"), "{stdout}");
    assert!(stdout.contains("without [test] (not in the matrix): untested\n"), "{stdout}");
    assert!(stdout.contains("test result: FAILED. 4 passed, 1 built (hardware), 3 failed, 1 errors; 9 pairs in "), "{stdout}");
    assert!(stderr.contains("test pass on qemu-virt-rv32 ... pass"), "{stderr}");

    // The JUnit report: well-formed, a suite per project, a case per board.
    let xml = std::fs::read_to_string(&junit).unwrap();
    let mut reader = quick_xml::Reader::from_str(&xml);
    let (mut cases, mut failures, mut errors) = (Vec::new(), 0, 0);
    loop {
        match reader.read_event().unwrap() {
            quick_xml::events::Event::Eof => break,
            quick_xml::events::Event::Start(e) => match e.name().as_ref() {
                b"testcase" => cases.push(String::from_utf8(e.try_get_attribute("name").unwrap().unwrap().value.to_vec()).unwrap()),
                b"failure" => failures += 1,
                b"error" => errors += 1,
                _ => {}
            },
            _ => {}
        }
    }
    assert_eq!(cases.len(), 9, "{xml}");
    assert_eq!((failures, errors), (3, 1), "{xml}");
    assert!(xml.contains("<testsuites name=\"bluegen test\" tests=\"9\" failures=\"3\" errors=\"1\""), "{xml}");
}

#[test]
fn json_holds_each_pairs_result_and_console() {
    let tmp = matrix();
    let out = bluegen().current_dir(tmp.path()).args(["test", "pass", "ticks", "--board", "qemu-virt-rv32", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = doc["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    assert_eq!(results[0]["project"], "pass");
    assert_eq!(results[0]["result"], "pass");
    assert_eq!(results[0]["console"], "Hello from pass!\n");
    assert_eq!(results[1]["exit"], 3);
    assert!(results[1]["flash_bytes"].as_u64().unwrap() > 0);
    assert_eq!(doc["passed"], 2);
}

#[test]
fn shards_split_the_matrix_the_same_way_every_time() {
    let tmp = matrix();
    let list = |args: &[&str]| -> Vec<String> {
        let out = bluegen().current_dir(tmp.path()).arg("test").arg("--list").args(args).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap().lines().map(str::to_string).collect()
    };
    let all = list(&[]);
    assert_eq!(all.len(), 9, "{all:?}");
    assert!(all.contains(&"pass nrf52840-dk build".to_string()) && all.contains(&"pass qemu-virt-rv32 run".to_string()), "{all:?}");
    let (one, two, three) = (list(&["--shard", "1/3"]), list(&["--shard", "2/3"]), list(&["--shard", "3/3"]));
    assert_eq!(one, list(&["--shard", "1/3"]));
    assert_eq!([one.len(), two.len(), three.len()], [3, 3, 3]);
    let mut union: Vec<String> = one.iter().chain(&two).chain(&three).cloned().collect();
    union.sort();
    let mut sorted = all.clone();
    sorted.sort();
    assert_eq!(union, sorted);
    for bad in ["0/3", "4/3", "1/0", "x"] {
        let out = bluegen().current_dir(tmp.path()).args(["test", "--list", "--shard", bad]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "--shard {bad}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("a shard is K/N with 1 ≤ K ≤ N"), "--shard {bad}");
    }
}

#[test]
fn an_empty_matrix_and_an_unknown_board_are_errors() {
    let tmp = tempfile::tempdir().unwrap();
    project(tmp.path(), "untested", "", None);
    let out = bluegen().current_dir(tmp.path()).arg("test").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "error: there is nothing to test\n  = why: 1 device(s) found, none with a [test] table\n  = hint: add a [test] table to a device.toml (see `bluegen test --help` and the book's Testing chapter), or pass the projects to test\n");
    let out = bluegen().current_dir(tmp.path()).args(["test", "--board", "qemu-virt-rv23", "nowhere"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("error: unknown board `qemu-virt-rv23`") && err.contains("did you mean `qemu-virt-rv32`?"), "{err}");
    assert!(err.contains("error: `nowhere` does not exist"), "{err}");

    // A report that could not be written is refused before anything runs.
    let with_test = tempfile::tempdir().unwrap();
    project(with_test.path(), "dev", "[test]\nconsole = [\"Hello from dev!\"]\n", None);
    let out = bluegen().current_dir(with_test.path()).args(["test", "--junit", "missing/report.xml"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "error: cannot write the JUnit report `missing/report.xml`\n  = key: --junit\n  = why: the directory `missing` does not exist\n  = hint: create it first, or pass a file in an existing directory\n");
    assert!(!with_test.path().join("dev/target").exists(), "it built before refusing");
}

#[test]
fn every_mistake_of_a_test_table_is_located() {
    let (code, err) = common::check(&format!("{}{}[test]\nboards = [\"qemu-mps2-an38\", 3, \"qemu-virt-rv32\", \"qemu-virt-rv32\"]\nconsole = [\"a\", {{ regex = \"(\" }}, {{ regx = \"x\" }}, 4, \"two\\nlines\"]\nexit = 300\ntimeout = \"1m\"\nqemu-args = \"-s\"\ncolour = 1\n", common::device("qemu-mps2-an385"), common::THREAD));
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r#"
    error: invalid value for `test.boards`
     --> device.toml:9:11
      |
    9 | boards = ["qemu-mps2-an38", 3, "qemu-virt-rv32", "qemu-virt-rv32"]
      |           ^^^^^^^^^^^^^^^^
      = key: test.boards
      = value: "qemu-mps2-an38"
      = why: there is no board `qemu-mps2-an38`
      = hint: did you mean `qemu-mps2-an385`?

    error: invalid value for `test.boards`
     --> device.toml:9:29
      |
    9 | boards = ["qemu-mps2-an38", 3, "qemu-virt-rv32", "qemu-virt-rv32"]
      |                             ^
      = key: test.boards
      = value: 3
      = why: a board name is a string, not an integer
      = hint: put the name in double quotes

    error: invalid value for `test.boards`
     --> device.toml:9:50
      |
    9 | boards = ["qemu-mps2-an38", 3, "qemu-virt-rv32", "qemu-virt-rv32"]
      |                                                  ^^^^^^^^^^^^^^^^
      = key: test.boards
      = value: "qemu-virt-rv32"
      = why: board `qemu-virt-rv32` is named twice
      = hint: remove one: each (device, board) pair runs once

    error: invalid value for `test.console`
      --> device.toml:10:17
       |
    10 | console = ["a", { regex = "(" }, { regx = "x" }, 4, "two\nlines"]
       |                 ^^^^^^^^^^^^^^^
       = key: test.console
       = value: { regex = "(" }
       = why: the regular expression does not parse: unclosed group
       = hint: see https://docs.rs/regex for the syntax; use a literal (single-quoted) TOML string so that backslashes stay

    error: invalid value for `test.console`
      --> device.toml:10:34
       |
    10 | console = ["a", { regex = "(" }, { regx = "x" }, 4, "two\nlines"]
       |                                  ^^^^^^^^^^^^^^
       = key: test.console
       = value: { regx = "x" }
       = why: a table entry is `{ regex = "…" }` and nothing else
       = hint: write a line as a string, or a regular expression as `{ regex = '…' }`

    error: invalid value for `test.console`
      --> device.toml:10:50
       |
    10 | console = ["a", { regex = "(" }, { regx = "x" }, 4, "two\nlines"]
       |                                                  ^
       = key: test.console
       = value: 4
       = why: an entry is a string or `{ regex = "…" }`, not an integer
       = hint: put the line in double quotes

    error: invalid value for `test.console`
      --> device.toml:10:53
       |
    10 | console = ["a", { regex = "(" }, { regx = "x" }, 4, "two\nlines"]
       |                                                     ^^^^^^^^^^^^
       = key: test.console
       = value: "two\nlines"
       = why: a console line holds no line break
       = hint: write each line as an entry of its own

    error: invalid value for `test.exit`
      --> device.toml:11:8
       |
    11 | exit = 300
       |        ^^^
       = key: test.exit
       = value: 300
       = why: the exit status is an integer from 0 to 255
       = hint: write `exit = 0` for a clean exit

    error: invalid value for `test.timeout`
      --> device.toml:12:11
       |
    12 | timeout = "1m"
       |           ^^^^
       = key: test.timeout
       = value: "1m"
       = why: a timeout is a number of seconds from 0.001 to 86400 (a day)
       = hint: write `timeout = 60` (seconds; the default)

    error: invalid value for `test.qemu-args`
      --> device.toml:13:13
       |
    13 | qemu-args = "-s"
       |             ^^^^
       = key: test.qemu-args
       = value: "-s"
       = why: `qemu-args` is an array of strings, one per QEMU argument
       = hint: write it as `qemu-args = ["-device", "tmp105,bus=i2c,address=0x48"]`

    error: unknown key `test.colour`
      --> device.toml:14:1
       |
    14 | colour = 1
       | ^^^^^^
       = key: test.colour
       = why: the keys allowed in [test] are `boards`, `console`, `exit`, `timeout`, `qemu-args`
    "#);
}

#[test]
fn check_validates_the_device_on_every_test_board() {
    // i2c3 is a peripheral of the mps2 boards; virt RV32 has none of that name.
    let (code, err) = common::check(&format!("{}{}[drivers.sensors]\nperipheral = \"i2c3\"\n\n[test]\nboards = [\"qemu-mps2-an385\", \"qemu-virt-rv32\"]\n", common::device("qemu-mps2-an385"), common::THREAD));
    assert_eq!(code, 1);
    assert!(err.contains("= why: board `qemu-virt-rv32` has no peripheral `i2c3`\n  = note: with board qemu-virt-rv32, which `[test] boards` names at line 12, column 30\n"), "{err}");
}
