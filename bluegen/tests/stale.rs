//! Stale outputs: whatever bluegen renders again, cargo builds again.
//!
//! A device is built, then its device.toml changes in a way that only a
//! rendered file sees (the linker script, config.rs); the next build must
//! link against the new memory map or fail, never ship the old image with
//! exit status 0. Builds only (no QEMU); the images share one target dir.

use std::path::{Path, PathBuf};

use bluegen::model::Region;

mod common;

use common::bluegen_images as bluegen;

/// `bluegen new` in a temporary directory: a device on mps2-an385.
fn project(tmp: &Path, name: &str) -> PathBuf {
    let dir = tmp.join(name);
    let out = bluegen().args(["new".as_ref(), dir.as_os_str(), "--board".as_ref(), "qemu-mps2-an385".as_ref()]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    dir
}

/// `bluegen build --json`: the exit status, the JSON (on success) and stderr.
fn build(dir: &Path) -> (bool, serde_json::Value, String) {
    let out = bluegen().args(["build".as_ref(), dir.as_os_str(), "--json".as_ref()]).output().unwrap();
    let json = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (out.status.success(), json, String::from_utf8_lossy(&out.stderr).into_owned())
}

fn append(dir: &Path, text: &str) {
    let manifest = dir.join("device.toml");
    let old = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, format!("{old}\n{text}")).unwrap();
}

/// The lowest load address of the ELF's segments.
fn load_base(elf: &Path) -> u64 {
    let data = std::fs::read(elf).unwrap();
    bluegen::build::segments(&data).unwrap().iter().map(|(addr, _)| *addr).min().unwrap()
}

#[test]
fn a_new_memory_map_relinks_and_an_overflow_fails() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = project(tmp.path(), "moves");
    let (ok, json, err) = build(&dir);
    assert!(ok, "{err}");
    let elf = PathBuf::from(json["elf"].as_str().unwrap());
    assert_eq!(load_base(&elf), 0);
    // An ELF checked against a map it was not linked for is caught.
    let elsewhere = Region { origin: 0x10_0000, size: 0x10_0000 };
    let ram = Region { origin: 0x2000_0000, size: 0x40_0000 };
    assert!(!bluegen::report::misplaced_sections(&elf, elsewhere, ram).unwrap().is_empty());

    // Moving flash and RAM: only link.x changes, and the image follows it.
    append(&dir, "[memory]\nflash-origin = 0x0010_0000\nflash = \"1M\"\nram-origin = 0x2010_0000\nram = \"1M\"\n");
    let (ok, json, err) = build(&dir);
    assert!(ok, "{err}");
    assert_eq!(load_base(Path::new(json["elf"].as_str().unwrap())), 0x10_0000, "the image was not relinked for the new map");

    // Shrinking flash below the image: an error naming the region, not exit 0.
    let manifest = dir.join("device.toml");
    let text = std::fs::read_to_string(&manifest).unwrap().replace("flash = \"1M\"", "flash = \"256\"");
    std::fs::write(&manifest, text).unwrap();
    let (ok, json, err) = build(&dir);
    assert!(!ok, "an image over its flash built: {json}");
    assert!(err.contains("does not fit in flash"), "{err}");
    assert!(err.contains("device.toml:"), "the error names device.toml: {err}");
}

#[test]
fn a_new_config_value_rebuilds_the_image() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = project(tmp.path(), "divisor");
    let (ok, json, err) = build(&dir);
    assert!(ok, "{err}");
    let bin = PathBuf::from(json["bin"].as_str().unwrap());
    let before = std::fs::read(&bin).unwrap();
    // Only src/config.rs changes (the constant the UART's init writes).
    let manifest = dir.join("device.toml");
    let text = std::fs::read_to_string(&manifest).unwrap().replace("console = true", "console = true\ncmsdk-uart-bauddiv = 4321");
    std::fs::write(&manifest, text).unwrap();
    let (ok, _, err) = build(&dir);
    assert!(ok, "{err}");
    let config = std::fs::read_to_string(dir.join("target/bluegen/qemu-mps2-an385/src/config.rs")).unwrap();
    assert!(config.contains("CMSDK_UART_BAUDDIV: u32 = 4321"), "{config}");
    assert_ne!(std::fs::read(&bin).unwrap(), before, "config.rs changed but the image did not");
}
