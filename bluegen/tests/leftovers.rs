//! Leftovers of issue 10 found by a hostile second try: each test names the
//! defect it guards against.

mod common;

use common::{THREAD, bluegen, check, device, project};

#[test]
fn a_thread_stack_is_bounded_by_the_ram_of_memory_not_the_boards() {
    // The board has 4 MiB of RAM; `[memory]` gives 16 MiB, so an 8 MiB stack fits.
    let memory = "[memory]\nram-origin = 0x2000_0000\nram = \"16M\"\n";
    let thread = |stack: &str| format!("[threads.main]\nentry = \"main\"\npriority = 1\nstack = {stack}\n");
    let (code, err) = check(&format!("{}{memory}{}", device("qemu-mps2-an385"), thread("\"8M\"")));
    assert_eq!(code, 0, "{err}");
    let (code, err) = check(&format!("{}{memory}{}", device("qemu-mps2-an385"), thread("\"32M\"")));
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r#"
    error: invalid value for `threads.main.stack`
      --> device.toml:10:9
       |
    10 | stack = "32M"
       |         ^^^^^
       = key: threads.main.stack
       = value: "32M"
       = why: `[memory]` gives only 16 MiB of RAM
       = hint: use at most 16 MiB
    "#);
}

#[test]
fn a_hex_string_too_large_for_64_bits_says_so() {
    let text = |v: &str| format!("{}[features]\nclint-base = {v}\n{THREAD}", device("qemu-virt-rv32"));
    let (code, err) = check(&text("\"0xFFFF_FFFF_FFFF_FFFF_FF\""));
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r#"
    error: `clint-base` is too large for 64 bits
     --> device.toml:5:1
      |
    5 | clint-base = "0xFFFF_FFFF_FFFF_FFFF_FF"
      | ^^^^^^^^^^
      = key: features.clint-base
      = value: "0xFFFF_FFFF_FFFF_FFFF_FF"
      = why: CLINT_BASE is a hex symbol of at most 64 bits (16 hex digits); this value has 18 significant digits
      = note: declared at components/arch-riscv/Kconfig:13
      = hint: write an address of the target, e.g. `clint-base = 0x2000000`
    "#);
    let (code, err) = check(&text("\"0xfoo\""));
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r#"
    error: `clint-base` takes a hex number, not "0xfoo"
     --> device.toml:5:1
      |
    5 | clint-base = "0xfoo"
      | ^^^^^^^^^^
      = key: features.clint-base
      = value: "0xfoo"
      = why: CLINT_BASE is a hex symbol: after `0x` come hex digits 0-9, a-f and `_`
      = note: declared at components/arch-riscv/Kconfig:13
      = hint: write a hex number, e.g. `clint-base = 0x2000000`
    "#);
    let (code, err) = check(&text("\"0x0000_0000_0000_0000_0200_0000\""));
    assert_eq!(code, 0, "{err}");
}

#[test]
fn a_non_ascii_directory_name_gets_a_transliterated_suggestion() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, _, err) = bluegen(tmp.path(), &["new", "ünï", "--board", "qemu-virt-rv32"]);
    assert_eq!(code, 1, "{err}");
    insta::assert_snapshot!(err, @r"
    error: `ünï`, the directory's name, cannot be a device name
      = key: DIR
      = value: ünï
      = why: a device name becomes a crate and binary name: lowercase letters, digits and `-`, starting with a letter
      = hint: pass --name uni
    ");
    let suggest = |dir: &str| {
        let (_, _, err) = bluegen(tmp.path(), &["new", dir, "--board", "qemu-virt-rv32"]);
        err.lines().find_map(|l| l.trim().strip_prefix("= hint: pass --name ")).map(str::to_string).unwrap_or(err)
    };
    assert_eq!(suggest("Größe Straße"), "grosse-strasse");
    assert_eq!(suggest("日本"), "ri-ben");
    assert_eq!(suggest("ü"), "my-device");
    assert_eq!(suggest("🙂🙂"), "my-device");
    assert_eq!(suggest(&"é".repeat(100)), "e".repeat(32));
    assert_eq!(suggest(&"Très Long Nom ".repeat(10)), "tres-long-nom-tres-long-nom-tres");
}

#[test]
fn config_with_the_path_before_set_shows_the_right_order() {
    let dir = project(&format!("{}{THREAD}", device("qemu-mps2-an385")));
    let (code, out, err) = bluegen(dir.path(), &["config", ".", "set", "heap-size=0x800"]);
    assert_eq!((code, out.as_str()), (2, ""));
    insta::assert_snapshot!(err, @r"
    error: `set` comes before the device path
      = key: set
      = why: `set` is a subcommand of `bluegen config`; its path and symbols follow it: `bluegen config set [PATH] SYMBOL...`
      = hint: run `bluegen config set . heap-size=0x800`
    ");
    let (code, _, err) = bluegen(dir.path(), &["config", "my dir", "unset", "heap-size"]);
    assert_eq!(code, 2);
    assert!(err.contains("hint: run `bluegen config unset 'my dir' heap-size`"), "{err}");
    // Other usage errors of config are clap's own.
    let (code, _, err) = bluegen(dir.path(), &["config", "--nosuch"]);
    assert_eq!(code, 2);
    assert!(err.contains("unexpected argument '--nosuch'"), "{err}");
}

#[test]
fn flash_warns_that_no_progress_has_no_effect_where_nothing_is_written() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let flash = |dir: &str| {
        let out = assert_cmd::Command::cargo_bin("bluegen")
            .unwrap()
            .env("CARGO_TARGET_DIR", root.join("target/images"))
            .args(["flash", &root.join(dir).display().to_string(), "--dry-run", "--no-progress"])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(0), "{err}");
        err.lines().skip_while(|l| !l.starts_with("warning:")).take(2).collect::<Vec<_>>().join("\n")
    };
    insta::assert_snapshot!(flash("examples/hello"), @r"
    warning: --no-progress is ignored
      = why: board qemu-mps2-an385 is emulated: QEMU runs the image, no flash loader shows progress
    ");
    insta::assert_snapshot!(flash("bluegen/tests/fixtures/chip-only"), @r"
    warning: --no-progress is ignored
      = why: --dry-run only prints the plan: nothing is written, so there is no progress to show
    ");
}

#[test]
fn a_broken_image_lock_file_is_removed_and_written_anew() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let run = |args: &[&std::ffi::OsStr]| {
        let out = assert_cmd::Command::cargo_bin("bluegen").unwrap().env("CARGO_TARGET_DIR", root.join("target/images")).args(args).output().unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stderr).replace(&tmp.path().display().to_string(), "[DIR]"))
    };
    let dir = tmp.path().join("locked");
    let (code, err) = run(&["new".as_ref(), dir.as_os_str(), "--board".as_ref(), "qemu-mps2-an385".as_ref()]);
    assert_eq!(code, Some(0), "{err}");
    let lock = dir.join("target/bluegen/qemu-mps2-an385/Cargo.lock");
    std::fs::create_dir_all(lock.parent().unwrap()).unwrap();
    std::fs::write(&lock, "version = 4\n[[package]\nname = \"x\"\n").unwrap();
    let (code, err) = run(&["build".as_ref(), dir.as_os_str()]);
    assert_eq!(code, Some(0), "{err}");
    let warning: Vec<&str> = err.lines().skip_while(|l| !l.starts_with("warning: removed")).take(3).collect();
    insta::assert_snapshot!(warning.join("\n"), @r"
    warning: removed the image crate's broken [DIR]/locked/target/bluegen/qemu-mps2-an385/Cargo.lock
      = why: it is not valid TOML: unclosed array table, expected `]`
      = note: bluegen's image crate owns this file; cargo writes a new one now
    ");
    let text = std::fs::read_to_string(&lock).unwrap();
    assert!(text.parse::<toml::Table>().is_ok() && text.contains("name = \"bluegen-kernel\""), "{text}");
}

#[test]
fn a_chips_filter_that_matches_nothing_is_an_error_with_the_closest() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, out, err) = bluegen(tmp.path(), &["chips", "nRF52480_xxAA"]);
    assert_eq!((code, out.as_str()), (1, ""));
    // The registry's size changes with probe-rs.
    let count: String = err.split("none of the ").nth(1).unwrap_or_default().chars().take_while(char::is_ascii_digit).collect();
    insta::assert_snapshot!(err.replace(&format!("none of the {count} "), "none of the [N] "), @r"
    error: no chip matches `nRF52480_xxAA`
      = key: FILTER
      = value: nRF52480_xxAA
      = why: none of the [N] chips of probe-rs's registry has a name that contains it (case-insensitive)
      = hint: did you mean `nRF52840_xxAA`? (`bluegen chips nRF52` lists similar ones)
    ");
    let (code, out, err) = bluegen(tmp.path(), &["chips", "NOMATCH", "--json"]);
    assert_eq!((code, out.as_str()), (1, ""));
    assert!(err.contains("error: no chip matches `NOMATCH`") && err.contains("= hint: "), "{err}");
    let (code, out, err) = bluegen(tmp.path(), &["chips", "nrf52840_xxaa"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("nRF52840_xxAA"), "{out}");
}

#[test]
fn an_unaligned_flash_origin_is_refused() {
    let memory = |board: &str, origin: &str| format!("{}[memory]\nflash-origin = {origin}\nflash = \"64K\"\n{THREAD}", device(board));
    let (code, err) = check(&memory("qemu-mps2-an385", "0x1_0040"));
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r"
    error: invalid value for `memory.flash-origin`
     --> device.toml:5:16
      |
    5 | flash-origin = 0x1_0040
      |                ^^^^^^^^
      = key: memory.flash-origin
      = value: 0x1_0040
      = why: the vector table (64 bytes) sits at the flash origin, and VTOR needs it aligned to the next power of two of its size, at least 128 bytes
      = hint: use a multiple of 128: 0x10000 or 0x10080
    ");
    let (code, err) = check(&memory("qemu-virt-rv32", "0x8000_0002"));
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r"
    error: invalid value for `memory.flash-origin`
     --> device.toml:5:16
      |
    5 | flash-origin = 0x8000_0002
      |                ^^^^^^^^^^^
      = key: memory.flash-origin
      = value: 0x8000_0002
      = why: the hart starts at the flash origin, where `_start` must be; the code there is 4-byte aligned (the trap vector in it needs that for mtvec), so the linker would move `_start` past an unaligned origin
      = hint: use a multiple of 4: 0x80000000 or 0x80000004
    ");
    for (board, origin) in [("qemu-mps2-an385", "0x1_0080"), ("qemu-virt-rv32", "0x8000_0004"), ("qemu-virt-rv64", "0x8000_0100")] {
        let (code, err) = check(&memory(board, origin));
        assert_eq!(code, 0, "{board} {origin}: {err}");
    }
}
