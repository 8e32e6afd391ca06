//! The exact text of bluegen's messages for user mistakes (no QEMU needed).

mod common;

use common::{THREAD, bluegen, project};

#[test]
fn unknown_board_suggests_the_closest() {
    let dir = project(&format!("[device]\nname = \"t\"\nboard = \"qemu-mps2-an358\"\n{THREAD}"));
    let (code, _, err) = bluegen(dir.path(), &["build", "device.toml"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r#"
    error: unknown board `qemu-mps2-an358`
     --> device.toml:3:9
      |
    3 | board = "qemu-mps2-an358"
      |         ^^^^^^^^^^^^^^^^^
      = key: device.board
      = value: "qemu-mps2-an358"
      = why: there is no [ROOT]/boards/qemu-mps2-an358.toml
      = hint: did you mean `qemu-mps2-an385`?
    "#);
}

#[test]
fn unknown_key_lists_the_allowed_ones() {
    let dir = project(&format!("[device]\nname = \"t\"\nbaord = \"qemu-mps2-an385\"\n{THREAD}"));
    let (code, _, err) = bluegen(dir.path(), &["build"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r#"
    error: the device names no board
     --> device.toml:1:1
      |
    1 | [device]
      | ^^^^^^^^
      = key: device.board
      = why: bluegen needs a board (or a chip) to know the target, memory map and console
      = hint: add `board = "qemu-mps2-an385"` (`bluegen boards` lists them) or `chip = "nRF52840_xxAA"` to [device]

    error: unknown key `device.baord`
     --> device.toml:3:1
      |
    3 | baord = "qemu-mps2-an385"
      | ^^^^^
      = key: device.baord
      = why: the keys allowed in [device] are `name`, `board`, `chip`, `preset`, `app`
      = hint: did you mean `board`?
    "#);
}

#[test]
fn thread_mistakes_are_reported_together() {
    let dir = project(
        "[device]\nname = \"t\"\nboard = \"qemu-virt-rv32\"\n\n[threads.main]\nentry = \"my main\"\npriority = 40\nstack = 1020\n",
    );
    let (code, _, err) = bluegen(dir.path(), &["build", "device.toml"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r#"
    error: invalid thread entry `my main`
     --> device.toml:6:9
      |
    6 | entry = "my main"
      |         ^^^^^^^^^
      = key: threads.main.entry
      = value: "my main"
      = why: the entry is the path of a `fn()` in the app crate, such as `main` or `sensors::poll`

    error: invalid value for `threads.main.priority`
     --> device.toml:7:12
      |
    7 | priority = 40
      |            ^^
      = key: threads.main.priority
      = value: 40
      = why: a priority is an integer from 1 (lowest) to 31 (highest)

    error: invalid value for `threads.main.stack`
     --> device.toml:8:9
      |
    8 | stack = 1020
      |         ^^^^
      = key: threads.main.stack
      = value: 1020
      = why: stacks are 8-byte aligned, so their size is a multiple of 8
      = hint: use 1024
    "#);
}

#[test]
fn memory_beyond_the_board_is_refused() {
    let dir = project(&format!(
        "[device]\nname = \"t\"\nboard = \"qemu-mps2-an385\"\n\n[memory]\nram = \"8M\"\n\n{THREAD}"
    ));
    let (code, _, err) = bluegen(dir.path(), &["build", "device.toml"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r#"
    error: invalid value for `memory.ram`
     --> device.toml:6:7
      |
    6 | ram = "8M"
      |       ^^^^
      = key: memory.ram
      = value: "8M"
      = why: board qemu-mps2-an385 has 4 MiB of ram; a size alone can only restrict it
      = hint: use at most "4 MiB", or give `ram-origin` too to override the board's region
    "#);
}

#[test]
fn a_device_needs_a_board_and_a_thread() {
    let dir = project("[device]\nname = \"Smart Band\"\n");
    let (code, _, err) = bluegen(dir.path(), &["build", "device.toml"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r#"
    error: the device names no board
     --> device.toml:1:1
      |
    1 | [device]
      | ^^^^^^^^
      = key: device.board
      = why: bluegen needs a board (or a chip) to know the target, memory map and console
      = hint: add `board = "qemu-mps2-an385"` (`bluegen boards` lists them) or `chip = "nRF52840_xxAA"` to [device]

    error: the device declares no thread
     --> device.toml:1:1
      = key: threads
      = why: the kernel starts the threads of [threads.<name>]; with none, the image would do nothing
      = hint: add a thread:

        [threads.main]
        entry = "main"
        priority = 1
        stack = 1024

    error: invalid device name `Smart Band`
     --> device.toml:2:8
      |
    2 | name = "Smart Band"
      |        ^^^^^^^^^^^^
      = key: device.name
      = value: "Smart Band"
      = why: a device name becomes a crate and binary name: lowercase letters, digits and `-`, starting with a letter
      = hint: try "smart-band"
    "#);
}

#[test]
fn unknown_preset_suggests_the_closest() {
    let dir = project(&format!("[device]\nname = \"t\"\nboard = \"qemu-mps2-an385\"\npreset = \"minimall\"\n{THREAD}"));
    let (code, _, err) = bluegen(dir.path(), &["build", "device.toml"]);
    assert_eq!(code, 1);
    assert!(err.contains("error: unknown preset `minimall`"), "{err}");
    assert!(err.contains("--> device.toml:4:10"), "{err}");
    assert!(err.contains("hint: did you mean `minimal`?"), "{err}");
}

#[test]
fn missing_device_toml() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = bluegen(dir.path(), &["build"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r"
    error: no device.toml in the current directory (`[DIR]`)
      = why: the directory holds no device.toml
      = hint: pass a device project directory or its device.toml; `bluegen new <DIR> --board <BOARD>` creates one
    ");
}

#[test]
fn new_refuses_a_directory_with_files() {
    let dir = project("# mine\n");
    let (code, _, err) = bluegen(dir.path(), &["new", ".", "--board", "qemu-mps2-an385", "--name", "x"]);
    assert_eq!(code, 1);
    assert!(err.contains("error: `.` already exists and is not empty"), "{err}");
    assert_eq!(std::fs::read_to_string(dir.path().join("device.toml")).unwrap(), "# mine\n");
}

#[test]
fn new_checks_the_board() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = bluegen(dir.path(), &["new", "band", "--board", "qemu-virt-rv23"]);
    assert_eq!(code, 1);
    assert!(err.contains("error: unknown board `qemu-virt-rv23`"), "{err}");
    assert!(err.contains("key: --board"), "{err}");
    assert!(err.contains("did you mean `qemu-virt-rv32`?"), "{err}");
    assert!(!dir.path().join("band").exists());
}

#[test]
fn new_refuses_a_name_cargo_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = bluegen(dir.path(), &["new", "build", "--board", "qemu-mps2-an385"]);
    assert_eq!(code, 1);
    assert!(err.contains("why: cargo refuses `build` as a binary name"), "{err}");
    assert!(!dir.path().join("build").exists());
}

#[test]
fn boards_lists_the_three_qemu_boards() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, _) = bluegen(dir.path(), &["boards", "--json"]);
    assert_eq!(code, 0);
    let boards: serde_json::Value = serde_json::from_str(&out).unwrap();
    let names: Vec<&str> = boards.as_array().unwrap().iter().map(|b| b["name"].as_str().unwrap()).collect();
    for want in ["qemu-mps2-an385", "qemu-virt-rv32", "qemu-virt-rv64"] {
        assert!(names.contains(&want), "{names:?}");
    }
    let an385 = boards.as_array().unwrap().iter().find(|b| b["name"] == "qemu-mps2-an385").unwrap();
    assert_eq!(an385["target"], "thumbv7m-none-eabi");
    assert_eq!(an385["flash"]["size"], 4 << 20);
    let (code, table, _) = bluegen(dir.path(), &["boards"]);
    assert_eq!(code, 0);
    assert!(table.contains("qemu-virt-rv64") && table.contains("riscv64gc-unknown-none-elf"), "{table}");
}
