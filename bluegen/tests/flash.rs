//! Chips and flashing without hardware: registry lookups, `flash --dry-run`,
//! and the errors that need no probe.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("bluegen")
        .unwrap()
        .env("CARGO_TARGET_DIR", repo().join("target/images"))
        .args(args)
        .output()
        .unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).replace(&repo().display().to_string(), "[ROOT]");
    (out.status.code().unwrap_or(-1), text(&out.stdout), text(&out.stderr))
}

fn fixture(name: &str) -> String {
    repo().join("bluegen/tests/fixtures").join(name).display().to_string()
}

#[test]
fn a_chip_device_takes_its_memory_from_the_registry() {
    let (code, out, err) = run(&["build", &fixture("chip-only"), "--json"]);
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["board"], "chip-nrf52833_xxaa");
    let flash = &json["regions"][0];
    assert_eq!((flash["origin"].as_u64(), flash["size"].as_u64()), (Some(0), Some(512 * 1024)));
    let ram = &json["regions"][1];
    // [memory] ram restricts the chip's 128 KiB.
    assert_eq!((ram["origin"].as_u64(), ram["size"].as_u64()), (Some(0x2000_0000), Some(64 * 1024)));
    assert!(json["elf"].as_str().unwrap().contains("thumbv7em-none-eabihf"));
    let config = std::fs::read_to_string(repo().join("bluegen/tests/fixtures/chip-only/target/bluegen/chip-nrf52833_xxaa/.cargo/config.toml")).unwrap();
    assert!(config.contains(r#"runner = ["probe-rs", "run", "--chip", "nRF52833_xxAA"]"#), "{config}");
}

#[test]
fn dry_run_prints_the_plan() {
    let (code, out, err) = run(&["flash", &fixture("chip-only"), "--dry-run"]);
    assert_eq!(code, 0, "{err}");
    let out: String = out.lines().map(|l| if l.starts_with("image:") { "image: [ELF]" } else { l }).collect::<Vec<_>>().join("\n");
    let writes = out.lines().filter(|l| l.starts_with("  0x")).count();
    assert_eq!(writes, 1, "{out}");
    let redacted: String = out
        .lines()
        .map(|l| if l.starts_with("  0x") || l.starts_with("total:") { "[block]" } else { l })
        .collect::<Vec<_>>()
        .join("\n");
    insta::assert_snapshot!(redacted, @r"
    chip:            nRF52833_xxAA (nRF52 Series family, armv7em core)
    flash algorithm: nrf52
    flash:           0x00000000..0x00080000 (524288 bytes)
    image: [ELF]
    writes:
    [block]
    [block]
    then:            erase, program, verify, reset and run (probe: the only one attached)
    ");
}

#[test]
fn without_a_probe_flashing_is_a_clear_error() {
    let (code, _, err) = run(&["flash", &fixture("chip-only"), "--no-progress"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("error: no debug probe found"), "{err}");
    assert!(err.contains("--dry-run"), "{err}");
    let (code, _, err) = run(&["flash", &fixture("chip-only"), "--probe", "1366:0105"]);
    assert_eq!(code, 1);
    assert!(err.contains("error: no attached probe matches `1366:0105`"), "{err}");
    // A malformed selector is a usage error from clap, before anything is built.
    let (code, _, err) = run(&["flash", &fixture("chip-only"), "--probe", "nonsense"]);
    assert_eq!(code, 2);
    assert!(err.contains("`nonsense` is not VID:PID[:SERIAL]"), "{err}");
}

#[test]
fn an_unknown_chip_names_the_closest() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("device.toml"),
        format!("[device]\nname = \"x\"\nchip = \"nRF52840_xxAB\"\napp = \"{}\"\n[threads.main]\nentry = \"main\"\npriority = 1\nstack = 1024\n", fixture("panic/app")),
    )
    .unwrap();
    let (code, _, err) = run(&["check", tmp.path().to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("error: unknown chip `nRF52840_xxAB`"), "{err}");
    assert!(err.contains("device.toml:3:8"), "{err}");
    assert!(err.contains("did you mean `nRF52840_xxAA`?"), "{err}");
}

#[test]
fn chips_lists_the_registry() {
    let (code, out, _) = run(&["chips", "stm32f407vg", "--json"]);
    assert_eq!(code, 0);
    let rows: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(rows.as_array().unwrap().iter().any(|r| r["name"] == "STM32F407VGTx" && r["core"] == "armv7em"), "{rows}");
}

#[test]
fn flashing_an_emulated_board_runs_it() {
    let (code, out, err) = run(&["flash", &repo().join("examples/hello").display().to_string(), "--timeout", "60"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("emulated: flashing it means running it in QEMU"), "{out}");
    assert!(out.contains("Hello from bluegen!"), "{out}");
}

#[test]
fn hardware_boards_build_within_budget_and_plan_their_flash() {
    for (board, chip, algorithm) in [
        ("nrf52840-dk", "nRF52840_xxAA (nRF52 Series family, armv7em core)", "nrf52"),
        ("microbit-v2", "nRF52833_xxAA (nRF52 Series family, armv7em core)", "nrf52"),
        ("stm32f4-discovery", "STM32F407VGTx (STM32F4 Series family, armv7em core)", "stm32f4xx_1024"),
    ] {
        let dir = repo().join("examples").join(board).display().to_string();
        // The example carries a [budget]: the build fails if it is broken.
        let (code, out, err) = run(&["build", &dir, "--json"]);
        assert_eq!(code, 0, "{board}: {err}");
        let json: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert!(json["elf"].as_str().unwrap().contains("thumbv7em-none-eabihf"), "{board}");
        let (code, out, err) = run(&["flash", &dir, "--dry-run"]);
        assert_eq!(code, 0, "{board}: {err}");
        assert!(out.contains(&format!("chip:            {chip}")), "{board}: {out}");
        assert!(out.contains(&format!("flash algorithm: {algorithm}")), "{board}: {out}");
        let writes: Vec<&str> = out.lines().filter(|l| l.starts_with("  0x")).collect();
        assert_eq!(writes.len(), 1, "{board}: {out}");
        let origin = if board.starts_with("stm32") { "0x08000000" } else { "0x00000000" };
        assert!(writes[0].trim_start().starts_with(origin), "{board}: {out}");
        let runner = std::fs::read_to_string(repo().join("examples").join(board).join("target/bluegen").join(board).join(".cargo/config.toml")).unwrap();
        assert!(runner.contains(&format!(r#"["probe-rs", "run", "--chip", "{}"]"#, chip.split(' ').next().unwrap())), "{runner}");
    }
}

/// The Raspberry Pi 4 boots from a file: `examples/rpi4` builds within its
/// budget, `flash --dry-run` says where `kernel8.img` would go and writes
/// nothing, and `flash` writes it: the raw image, whose first word is
/// `_start`'s first instruction (`mrs x0, mpidr_el1`) and whose size is the
/// flash the size report counts, rounded up to the next section. A board
/// whose `[boot-image] file` is a path is a located error of the board file.
#[test]
fn a_board_that_boots_from_a_file_gets_the_file() {
    let dir = repo().join("examples/rpi4").display().to_string();
    let (code, out, err) = run(&["build", &dir, "--json"]);
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    // `run` writes the checkout as [ROOT].
    let elf = PathBuf::from(json["elf"].as_str().unwrap().replace("[ROOT]", &repo().display().to_string()));
    let image = elf.parent().unwrap().join("kernel8.img");
    let _ = std::fs::remove_file(&image);
    let (code, out, err) = run(&["flash", &dir, "--dry-run"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("board rpi4 boots from a file: its boot loader loads `kernel8.img` at 0x80000\nwould write:     [ROOT]/"), "{out}");
    assert!(out.contains("/aarch64-unknown-none/release/kernel8.img ("), "{out}");
    assert!(out.contains("then:            copy it to the SD card's boot partition"), "{out}");
    assert!(!image.exists(), "--dry-run wrote {}", image.display());
    let (code, out, err) = run(&["flash", &dir]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains(&format!("wrote:           {} (", image.display().to_string().replace(&repo().display().to_string(), "[ROOT]"))), "{out}");
    let bytes = std::fs::read(&image).unwrap();
    assert_eq!(bytes[..4], 0xd538_00a0u32.to_le_bytes(), "the first instruction is not `mrs x0, mpidr_el1`");
    assert!(out.contains(&format!("({} bytes)", bytes.len())), "{out}");

    let tmp = tempfile::tempdir().unwrap();
    let board = std::fs::read_to_string(repo().join("boards/rpi4.toml")).unwrap().replace("file = \"kernel8.img\"", "file = \"../kernel8.img\"");
    let path = tmp.path().join("pi.toml");
    std::fs::write(&path, board).unwrap();
    let err = bluegen::board::Board::from_file(&path).err().expect("a path as the boot image's file is refused");
    let text = bluegen::diag::render(&err.diagnostics);
    assert!(text.contains("`../kernel8.img` is not a plain file name") && text.contains("key: boot-image.file") && text.contains("pi.toml:"), "{text}");
}

/// A chip once looked up is kept in the cache (probe-rs's registry takes
/// longer to load than the rest of `bluegen check`); a later check reads it
/// and says the same, and a damaged cache file is simply looked up again.
#[test]
fn chip_lookups_are_cached() {
    let cache = tempfile::tempdir().unwrap();
    let dk = repo().join("examples/nrf52840-dk").display().to_string();
    let check = || {
        let out = Command::cargo_bin("bluegen").unwrap().env("BLUEGEN_CACHE_DIR", cache.path()).args(["check", &dk]).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let first = check();
    let files: Vec<_> = walk(cache.path()).into_iter().filter(|p| p.ends_with("nRF52840_xxAA.json")).collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let chip: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&files[0]).unwrap()).unwrap();
    assert_eq!(chip["ram"]["origin"], 0x2000_0000u64, "{chip}");
    assert_eq!(check(), first);
    std::fs::write(&files[0], "{ not json").unwrap();
    assert_eq!(check(), first);
    assert!(std::fs::read_to_string(&files[0]).unwrap().contains("nRF52840_xxAA"), "rewritten after the damage");
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}
