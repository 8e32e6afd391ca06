//! The filesystem: littlefs (crates.io's littlefs2-sys) on a RAM disk and
//! on QEMU virt's CFI flash, its file API, threads sharing it, a restart
//! and a power cut. Needs QEMU and the C toolchains; without them the
//! tests fail, they never skip.

mod common;

use common::{bluegen_images, check, device, repo, run_icount};
use std::io::BufRead;
use std::process::{Command, Stdio};

fn fixture(name: &str) -> std::path::PathBuf {
    repo().join("bluegen/tests/fixtures").join(name)
}

fn lines(out: &std::process::Output) -> Vec<String> {
    String::from_utf8_lossy(&out.stdout).lines().map(str::to_string).collect()
}

/// The file API and its errors on a RAM disk, and two threads of equal
/// priority writing a file each at once in one-tick time slices: each is
/// preempted inside littlefs while the other waits on the kernel mutex
/// (the fs crate counts those waits, and the fixture says there were
/// some), and both files read back intact: on Armv7-M, Armv8-M and RISC-V.
#[test]
fn files_on_a_ram_disk_shared_by_threads() {
    for board in ["qemu-mps2-an385", "qemu-mps2-an505", "qemu-virt-rv32", "qemu-virt-aarch64"] {
        let out = run_icount(&fixture("fs-files"), board);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{board}: {:?}\n{stderr}", lines(&out));
        assert_eq!(
            lines(&out),
            ["the writers contended for the filesystem", "/a.bin: 48 chunks intact", "/b.bin: 48 chunks intact", "/logs: notes.txt", "/: a.bin b.bin logs/", "blocks used: 12 of 64", "fs ok"],
            "{board}\n{stderr}"
        );
    }
}

/// One boot of fs-flash: its lines and exit status.
fn boot(board: &str, erase: bool) -> (Option<i32>, Vec<String>) {
    let mut cmd = bluegen_images();
    cmd.args(["run", fixture("fs-flash").to_str().unwrap(), "--board", board, "--timeout", "120", "--icount"]);
    if erase {
        cmd.arg("--erase-flash");
    }
    let out = cmd.output().unwrap();
    (out.status.code(), lines(&out))
}

fn count(lines: &[String], prefix: &str) -> Option<u32> {
    lines.iter().find_map(|l| l.strip_prefix(prefix)?.parse().ok())
}

/// Boots the built fs-flash image in QEMU (as `bluegen run --icount`
/// does, on the flash file it keeps beside the ELF) and cuts its power,
/// SIGKILL to QEMU, once it reported chunk `after` synced: in the middle
/// of its later writes. Returns the last chunk it reported synced.
fn boot_and_cut(board: &str, target: &str, after: u32) -> u32 {
    let elf = repo().join("target/images").join(target).join("release/fs-flash");
    let flash = elf.with_file_name("fs-flash.disk.flash");
    assert!(elf.is_file() && flash.is_file(), "{} and its flash file exist after a run", elf.display());
    let qemu = if board.ends_with("rv64") { "qemu-system-riscv64" } else { "qemu-system-riscv32" };
    let mut child = Command::new(qemu)
        .args(["-M", "virt", "-nographic", "-bios", "none", "-icount", "shift=0,align=off,sleep=off"])
        .arg("-drive")
        .arg(format!("if=pflash,unit=1,format=raw,file={}", flash.display()))
        .arg("-device")
        .arg(format!("loader,file={}", elf.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut last = None;
    for line in std::io::BufReader::new(child.stdout.take().unwrap()).lines().map_while(Result::ok) {
        if let Some(n) = line.strip_prefix("synced ").and_then(|n| n.parse::<u32>().ok()) {
            last = Some(n);
            if n >= after {
                child.kill().unwrap();
                break;
            }
        }
        assert!(!line.starts_with("FAIL"), "{line}");
    }
    let status = child.wait().unwrap();
    assert_eq!(status.code(), None, "the run ended by itself before the cut ({last:?})");
    last.expect("no chunk was synced before the cut")
}

/// littlefs on the flash bank of RISC-V virt, backed by a file that
/// `bluegen run` keeps: a first boot on erased flash formats it and
/// writes files; a restarted QEMU finds them identical and the log whole;
/// then power cuts in the middle of the log's synced appends: every next
/// boot mounts (the filesystem is never lost), the first boot's files are
/// unchanged, and the log holds whole chunks, at least every one reported
/// synced before the cut.
#[test]
fn flash_files_survive_a_restart_and_power_cuts() {
    let board = "qemu-virt-rv32";
    let (code, out) = boot(board, true);
    assert_eq!(code, Some(0), "{out:?}");
    assert_eq!(out[..3], ["boot 1", "first boot's files written", "log chunks intact: 0"], "{out:?}");
    assert_eq!(count(&out, "synced "), Some(0));
    assert!(out.contains(&"synced 59".to_string()), "{out:?}");

    let (code, out) = boot(board, false);
    assert_eq!(code, Some(0), "{out:?}");
    assert_eq!(out[..3], ["boot 2", "first boot's files read back identical", "log chunks intact: 60"], "{out:?}");

    let mut boots = 2;
    let mut have = 120;
    for _ in 0..2 {
        let synced = boot_and_cut(board, "riscv32imac-unknown-none-elf", have + 10);
        boots += 1;
        let (code, out) = boot(board, false);
        boots += 1;
        assert_eq!(code, Some(0), "after a cut at chunk {synced}: {out:?}");
        assert_eq!(out[0], format!("boot {boots}"), "{out:?}");
        assert_eq!(out[1], "first boot's files read back identical", "{out:?}");
        let intact = count(&out, "log chunks intact: ").unwrap_or_else(|| panic!("{out:?}"));
        assert!(intact > synced, "chunk {synced} was reported synced before the cut, and the log holds {intact}: {out:?}");
        have = intact + 60;
    }
}

/// The same flash filesystem on RV64: a restart keeps the files, and a
/// power cut in the middle of the log's appends loses nothing synced.
#[test]
fn flash_files_survive_a_restart_and_a_power_cut_on_rv64() {
    let board = "qemu-virt-rv64";
    let (code, out) = boot(board, true);
    assert_eq!(code, Some(0), "{out:?}");
    assert_eq!(out[..2], ["boot 1", "first boot's files written"], "{out:?}");
    let (code, out) = boot(board, false);
    assert_eq!(code, Some(0), "{out:?}");
    assert_eq!(out[..3], ["boot 2", "first boot's files read back identical", "log chunks intact: 60"], "{out:?}");
    let synced = boot_and_cut(board, "riscv64gc-unknown-none-elf", 130);
    let (code, out) = boot(board, false);
    assert_eq!(code, Some(0), "after a cut at chunk {synced}: {out:?}");
    assert_eq!(out[..2], ["boot 4", "first boot's files read back identical"], "{out:?}");
    let intact = count(&out, "log chunks intact: ").unwrap_or_else(|| panic!("{out:?}"));
    assert!(intact > synced, "chunk {synced} was reported synced before the cut, and the log holds {intact}: {out:?}");
}

/// `fs-flash` needs a flash driver to keep the filesystem on: a located
/// error naming the board's bank, before anything is built.
#[test]
fn fs_flash_without_a_flash_driver_is_a_located_error() {
    let toml = device("qemu-virt-rv32") + "\n[features]\nthreads = true\npreempt = true\nmutex = true\nfs = true\nfs-flash = true\n\n[threads.main]\nentry = \"main\"\npriority = 1\nstack = 1024\n";
    let (code, stderr) = check(&toml);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("`fs-flash` without a flash driver"), "{stderr}");
    assert!(stderr.contains("device.toml:") && stderr.contains("peripheral = \"pflash1\""), "{stderr}");
}

/// The POSIX file calls for C (`fs-posix`): open/read/write/lseek/close,
/// fsync, ftruncate, unlink, rmdir, rename, mkdir, stat and fstat with
/// their errno values, the descriptor table, and the console descriptors,
/// on Armv7-M, Armv8-M, RV32 and RV64.
#[test]
fn posix_file_calls_for_c() {
    for board in ["qemu-mps2-an385", "qemu-mps2-an505", "qemu-virt-rv32", "qemu-virt-rv64", "qemu-virt-aarch64"] {
        let out = run_icount(&fixture("fs-posix"), board);
        let lines = lines(&out);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{board}: {lines:?}\n{stderr}");
        assert!(!lines.iter().any(|l| l.starts_with("FAIL")), "{board}: {lines:?}");
        assert_eq!(lines.iter().filter(|l| l.starts_with("ok ")).count(), 31, "{board}: {lines:?}");
        assert_eq!(lines.last().map(String::as_str), Some("PASSED: 0 failed"), "{board}");
        assert!(lines.contains(&"console by write(1)".to_string()), "{lines:?}");
    }
}

/// `examples/datalog`: a sampler thread and a logger thread; every run
/// adds its 30 readings to the log on flash that the earlier runs left.
#[test]
fn the_datalog_example_keeps_its_samples_across_runs() {
    let example = repo().join("examples/datalog");
    let run = |erase: bool| {
        let mut cmd = bluegen_images();
        cmd.args(["run", example.to_str().unwrap(), "--icount", "--timeout", "120"]);
        if erase {
            cmd.arg("--erase-flash");
        }
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        lines(&out)
    };
    assert_eq!(run(true), ["boot 1: /samples.log holds 30 samples, the last: t=00003000 v=+22100"]);
    assert_eq!(run(false), ["boot 2: /samples.log holds 60 samples, the last: t=00003000 v=+22100"]);
}

/// littlefs's geometry rules are device.toml errors located at the key,
/// not a compile-time assertion in the fs crate.
#[test]
fn filesystem_geometry_mistakes_are_located() {
    let base = device("qemu-mps2-an385") + "\n[features]\nthreads = true\npreempt = true\nmutex = true\nfs = true\n";
    let thread = "\n[threads.main]\nentry = \"main\"\npriority = 1\nstack = 1024\n";
    for (extra, message, key) in [
        ("fs-cache-size = 66\n", "fs-cache-size = 66 is not a multiple of 4", "features.fs-cache-size"),
        ("fs-cache-size = 96\n", "fs-cache-size = 96 does not divide the filesystem's block", "features.fs-cache-size"),
        ("fs-lookahead-size = 18\n", "fs-lookahead-size = 18 is not a multiple of 4", "features.fs-lookahead-size"),
    ] {
        let (code, stderr) = check(&(base.clone() + extra + thread));
        assert_eq!(code, 1, "{extra}: {stderr}");
        assert!(stderr.contains(message) && stderr.contains(&format!("key: {key}")) && stderr.contains("device.toml:"), "{extra}: {stderr}");
    }
    // Without the kernel's mutex, Kconfig says what FS depends on.
    let (code, stderr) = check(&(device("qemu-mps2-an385") + "\n[features]\nthreads = true\npreempt = true\nfs = true\n" + thread));
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("`fs` cannot be set") && stderr.contains("key: features.fs") && stderr.contains("set `mutex = true`") && stderr.contains("device.toml:"), "{stderr}");
    // POSIX file calls need a C app.
    let (code, stderr) = check(&(base.clone() + "fs-posix = true\n" + thread));
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("`fs-posix` cannot be set") && stderr.contains("key: features.fs-posix") && stderr.contains("device.toml:"), "{stderr}");
    // A RAM disk larger than the board's RAM, before anything is built.
    let (code, stderr) = check(&(device("qemu-microbit") + "\n[features]\nthreads = true\npreempt = true\nmutex = true\nfs = true\nfs-block-count = 64\n" + thread));
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("RAM is too small") && stderr.contains("32 KiB RAM disk") && stderr.contains("key: features.fs-block-count") && stderr.contains("fs-block-count = "), "{stderr}");
    // An Arm board has no flash bank for the filesystem.
    let (code, stderr) = check(&(base + "fs-flash = true\n" + thread));
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("`fs-flash` without a flash driver") && stderr.contains("board qemu-mps2-an385 has no flash bank"), "{stderr}");
}
