//! Every mistake of a device.toml in one run, in line order, in words a
//! user reads (no Rust type names), with hints that are right (no QEMU).

mod common;

use common::{THREAD, bluegen, check, device, project};

#[test]
fn every_mistake_of_the_file_in_one_run_in_line_order() {
    let (code, err) = check(
        "[device]\nname = \"t\"\nboard = \"qemu-mps2-an385\"\npreset = \"standard\"\nbaord = \"x\"\n\n[memory]\nram = true\n\n[features]\nbanner = \"yes\"\n\n[threads.main]\nentry = \"main\"\npriority = 1\nstak = 1024\n\n[threads.worker]\nentry = 5\npriority = 2\nstack = 1020\n",
    );
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r#"
    error: unknown key `device.baord`
     --> device.toml:5:1
      |
    5 | baord = "x"
      | ^^^^^
      = key: device.baord
      = why: the keys allowed in [device] are `name`, `board`, `chip`, `preset`, `app`
      = hint: did you mean `board`?

    error: invalid value for `memory.ram`
     --> device.toml:8:7
      |
    8 | ram = true
      |       ^^^^
      = key: memory.ram
      = value: true
      = why: a size is a number of bytes: an integer, or a string such as "512", "64K" or "4M"

    error: `banner` takes a boolean, not a string
      --> device.toml:11:1
       |
    11 | banner = "yes"
       | ^^^^^^
       = key: features.banner
       = value: "yes"
       = why: BANNER is a bool symbol
       = note: declared at components/kernel/Kconfig:21
       = hint: write `banner = true`

    error: [threads.main] has no `stack`
      --> device.toml:13:1
       |
    13 | [threads.main]
       | ^^^^^^^^^^^^^^
       = key: threads.main.stack
       = hint: add `stack = 1024` to [threads.main]

    error: unknown key `threads.main.stak`
      --> device.toml:16:1
       |
    16 | stak = 1024
       | ^^^^
       = key: threads.main.stak
       = why: the keys allowed in [threads.main] are `entry`, `c-entry`, `priority`, `stack`, `start`, `privileged`, `statics`, `regions`, `on-fault`
       = hint: did you mean `stack`?

    error: invalid value for `threads.worker.entry`
      --> device.toml:19:9
       |
    19 | entry = 5
       |         ^
       = key: threads.worker.entry
       = value: 5
       = why: `entry` is a string, not an integer
       = hint: put the value in double quotes

    error: invalid value for `threads.worker.stack`
      --> device.toml:21:9
       |
    21 | stack = 1020
       |         ^^^^
       = key: threads.worker.stack
       = value: 1020
       = why: stacks are 8-byte aligned, so their size is a multiple of 8
       = hint: use 1024
    "#);
}

#[test]
fn feature_mistakes_come_with_the_other_mistakes() {
    let (code, err) = check(&format!("{}[features]\nbanner = \"yes\"\n[threads.main]\nentry = \"mian\"\npriority = 1\nstack = 1024\n", device("qemu-mps2-an385")));
    assert_eq!(code, 1);
    assert_eq!(err.matches("error: ").count(), 2, "{err}");
    let banner = err.find("error: `banner` takes a boolean").expect(&err);
    let entry = err.find("error: the app crate has no public function `mian`").expect(&err);
    assert!(banner < entry, "line order: {err}");
}

#[test]
fn an_unknown_board_hides_nothing_else() {
    let (code, err) = check("[device]\nname = \"T\"\nboard = \"qemu-mps2-an358\"\n[memory]\nflash = \"lots\"\n[threads.main]\nentry = \"fn\"\npriority = 99\nstack = 1024\n");
    assert_eq!(code, 1);
    let messages: Vec<&str> = err.lines().filter(|l| l.starts_with("error: ")).collect();
    insta::assert_snapshot!(messages.join("\n"), @r#"
    error: invalid device name `T`
    error: unknown board `qemu-mps2-an358`
    error: invalid value for `memory.flash`
    error: invalid thread entry `fn`
    error: invalid value for `threads.main.priority`
    "#);
}

#[test]
fn several_syntax_errors_at_once() {
    let (code, err) = check(&format!("{}version = 1.2.3\n[threads.main]\nentry = main\npriority = 1\nstack = 1024\n", device("qemu-mps2-an385")));
    assert_eq!(code, 1);
    assert!(err.matches("is not valid TOML").count() >= 2, "{err}");
    assert!(err.contains("device.toml:4:") && err.contains("device.toml:6:"), "{err}");
}

#[test]
fn messages_name_no_rust_types() {
    let (code, err) = check(&format!("device = \"t\"\n{THREAD}"));
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r#"
    error: `device` must be a table, not a string
     --> device.toml:1:1
      |
    1 | device = "t"
      | ^^^^^^
      = key: device
      = hint: write it as a table: `[device]` followed by its keys
    "#);
}

#[test]
fn an_unaligned_huge_stack_gets_a_hint_that_fits() {
    let (code, err) = check(&format!("{}[threads.main]\nentry = \"main\"\npriority = 1\nstack = 4294967295\n", device("qemu-mps2-an385")));
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r#"
    error: invalid value for `threads.main.stack`
     --> device.toml:7:9
      |
    7 | stack = 4294967295
      |         ^^^^^^^^^^
      = key: threads.main.stack
      = value: 4294967295
      = why: the board has only 4 MiB of RAM
      = hint: use at most 4 MiB
    "#);
    let (code, err) = check(&format!("{}[threads.main]\nentry = \"main\"\npriority = 1\nstack = 1020\n", device("qemu-mps2-an385")));
    assert_eq!(code, 1);
    assert!(err.contains("hint: use 1024"), "{err}");
}

#[test]
fn a_board_flag_error_names_the_flag() {
    let dir = project(&format!("{}{THREAD}", device("qemu-mps2-an385")));
    let (code, _, err) = bluegen(dir.path(), &["check", "--board", "qemu-virt-rv23"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r#"
    error: unknown board `qemu-virt-rv23`
      = key: --board
      = value: "qemu-virt-rv23"
      = why: there is no [ROOT]/boards/qemu-virt-rv23.toml
      = hint: did you mean `qemu-virt-rv32`?
    "#);
}

#[test]
fn a_chip_family_prefix_suggests_that_family() {
    let (code, err) = check(&format!("[device]\nname = \"t\"\nchip = \"stm32f4\"\n{THREAD}"));
    assert_eq!(code, 1);
    assert!(err.contains("hint: did you mean `STM32F4"), "{err}");
    assert!(!err.contains("STM32F051"), "{err}");
}

#[test]
fn a_chip_on_another_vendors_board_is_a_warning() {
    let (code, err) = check(&format!("[device]\nname = \"t\"\nboard = \"nrf52840-dk\"\nchip = \"STM32F407VGTx\"\n{THREAD}"));
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!(err, @r#"
    warning: chip `STM32F407VGTx` on board nrf52840-dk, which is another vendor's
     --> device.toml:4:8
      |
    4 | chip = "STM32F407VGTx"
      |        ^^^^^^^^^^^^^^^
      = key: device.chip
      = value: "STM32F407VGTx"
      = why: board nrf52840-dk carries nRF52840_xxAA by Nordic VLSI ASA; `STM32F407VGTx` is by STMicroelectronics
      = note: the chip's memory map and target replace the board's; its console driver and pins stay the board's
      = hint: leave out the board to build for the chip alone, or pick a board with this chip
    "#);
    let (code, err) = check(&format!("[device]\nname = \"t\"\nboard = \"qemu-virt-rv32\"\nchip = \"nRF52840_xxAA\"\n{THREAD}"));
    assert_eq!(code, 1);
    assert!(err.contains("error: chip `nRF52840_xxAA` does not fit board qemu-virt-rv32"), "{err}");
}

#[test]
fn an_app_that_does_not_parse_leaves_entries_unchecked_with_a_warning() {
    let dir = project(&format!("{}{THREAD}", device("qemu-mps2-an385")));
    std::fs::write(dir.path().join("app/src/lib.rs"), "pub fn main( {}\n").unwrap();
    let (code, _, err) = bluegen(dir.path(), &["check"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("warning: thread entries are not checked against the app's functions"), "{err}");
    assert!(err.contains("src/lib.rs:1:"), "{err}");
}

/// `build` shows the same warnings as `check` before it compiles.
#[test]
fn a_build_shows_the_warnings_of_check() {
    let dir = project(&format!("[device]\nname = \"t\"\nboard = \"nrf52840-dk\"\nchip = \"STM32F407VGTx\"\n{THREAD}"));
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf();
    let out = assert_cmd::Command::cargo_bin("bluegen")
        .unwrap()
        .current_dir(dir.path())
        .env("CARGO_TARGET_DIR", repo.join("target/images"))
        .arg("build")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("warning: chip `STM32F407VGTx` on board nrf52840-dk, which is another vendor's"), "{err}");
}
