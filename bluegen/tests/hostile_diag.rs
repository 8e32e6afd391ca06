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
