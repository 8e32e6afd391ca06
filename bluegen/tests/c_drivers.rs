//! Drivers written in C: `[drivers.<name>]` with `sources`, compiled into
//! an archive of their own against the kernel-services header
//! `<bluegen/driver.h>`, called from Rust (through a binding crate) and
//! from C, under QEMU. Needs qemu-system-arm and the C toolchains; without
//! them the tests fail, they never skip.

mod common;

use common::{bluegen_images, check, connect, device, repo};
use std::io::{BufRead, Write};

/// `examples/c-driver` on mps2-an385: the C TMP105 driver bit-bangs QEMU's
/// SBCon I2C controller (its address from the board's data, as
/// TMP105_BASE) and reads the sensor, for a Rust thread and for a C
/// thread. The test runs the example's device.toml from a temporary
/// directory with QEMU paused (`-S`) and a monitor socket, sets a known
/// temperature before the app starts (QEMU resets it to 0 at machine
/// reset): both threads must print it.
#[test]
fn a_c_driver_reads_the_temperature_for_rust_and_c() {
    let example = repo().join("examples/c-driver");
    let dir_text = example.display().to_string();
    let text = std::fs::read_to_string(example.join("device.toml")).unwrap();
    let text = text
        .replace("[device]\n", &format!("[device]\napp = {:?}\n", example.join("app").display().to_string()))
        .replace("\"drivers/", &format!("\"{dir_text}/drivers/"))
        .replace("\"c/", &format!("\"{dir_text}/c/"))
        .replace("\"tmp105,id=sensor,bus=i2c,address=0x48\"]", "\"tmp105,id=sensor,bus=i2c,address=0x48\", \"-monitor\", \"unix:mon.sock,server=on,wait=on\", \"-S\"]");
    assert!(text.contains("mon.sock") && text.contains(&format!("{dir_text}/c/main.c")), "the example's device.toml changed: {text}");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("device.toml"), text).unwrap();
    let mut child = std::process::Command::new(bluegen_images().get_program())
        .env("CARGO_TARGET_DIR", repo().join("target/images"))
        .current_dir(dir.path())
        .args(["run", "--timeout", "120"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut monitor = connect(&dir.path().join("mon.sock"));
    monitor.write_all(b"qom-set /machine/peripheral/sensor temperature -7250\ncont\n").unwrap();
    let lines: Vec<String> = std::io::BufReader::new(child.stdout.take().unwrap()).lines().map_while(Result::ok).collect();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "stdout: {lines:?}\nstderr:\n{stderr}");
    assert_eq!(lines, ["rust thread: temperature -7.250 C", "c thread: temperature -7.250 C"], "stderr:\n{stderr}");
}

/// The size report gives the C driver a row of its own.
#[test]
fn the_size_report_has_a_row_per_c_driver() {
    let out = bluegen_images().args(["size", repo().join("examples/c-driver").to_str().unwrap(), "--depth", "1"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let row = stdout.lines().find(|l| l.starts_with("driver:tmp105 ")).unwrap_or_else(|| panic!("no driver:tmp105 row:\n{stdout}"));
    let total: u64 = row.split_whitespace().last().and_then(|v| v.parse().ok()).unwrap_or_else(|| panic!("{row}"));
    assert!(total > 100, "{row}");
}

const C_DRIVER_THREAD: &str = "\n[threads.main]\nentry = \"main\"\npriority = 1\nstack = 1024\n";

/// A C driver's mistakes, each at its line: a missing source, an unknown
/// key, a bad define name, a peripheral the board does not have.
#[test]
fn c_driver_mistakes_are_located() {
    let (code, err) = check(&format!(
        "{}[drivers.sensor]\nsources = [\"nope.c\"]\nbogus = 1\ndefines = {{ \"1X\" = 2 }}\n\n[drivers.other]\nperipheral = \"i2c9\"\nsources = [\"nope2.c\"]\n{C_DRIVER_THREAD}",
        device("qemu-mps2-an385")
    ));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("C source `nope.c` cannot be used") && err.contains("drivers.sensor.sources"), "{err}");
    assert!(err.contains("unknown key `drivers.sensor.bogus`") && err.contains("device.toml:6:1"), "{err}");
    assert!(err.contains("invalid define name `1X`"), "{err}");
    assert!(err.contains("board `qemu-mps2-an385` has no peripheral `i2c9`"), "{err}");
}

/// Fixture `c-driver-services` on Arm and RISC-V under `-icount`: a C
/// driver (a mailbox on a kernel queue, mutex and event flags, logging
/// with bg_log) and C threads use every service of <bluegen/driver.h>:
/// a post waking a higher-priority waiter at once, timeouts that expire
/// after their time, sleeps and delays, mutex errors, critical sections,
/// allocation, and an interrupt handler written in C (`c-handler`), which
/// does not run while `bg_irq_disable`d and runs once when enabled.
#[test]
fn kernel_services_for_c_drivers_work_on_arm_and_risc_v() {
    let dir = repo().join("bluegen/tests/fixtures/c-driver-services");
    for board in ["qemu-mps2-an385", "qemu-virt-rv32"] {
        let out = common::run_icount(&dir, board);
        let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert_eq!(out.status.code(), Some(0), "{board}: stdout:\n{stdout}\nstderr:\n{stderr}");
        assert!(stdout.contains("PASSED: 0 failed") && !stdout.contains("FAIL "), "{board}:\n{stdout}");
        for line in ["[mbox] post 7", "[mbox] post 9", "ok a C interrupt handler ran and gave a semaphore", "ok a disabled interrupt's handler does not run", "ok the pended interrupt runs once when enabled", "ok a post runs a higher-priority waiter at once (queue)", "ok bg_sem_take waits its time", "console write"] {
            assert!(stdout.lines().any(|l| l == line), "{board}: no `{line}` in\n{stdout}");
        }
        assert!(!stderr.contains("warning"), "{board}: warnings:\n{stderr}");
    }
}

/// `c-handler` names a C function a source defines, and an interrupt has
/// one handler.
#[test]
fn c_handler_mistakes_are_located() {
    let dir = repo().join("bluegen/tests/fixtures/c-driver-services");
    let text = std::fs::read_to_string(dir.join("device.toml")).unwrap();
    let d = tempfile::tempdir().unwrap();
    let abs = |t: String| t.replace("\"drivers", &format!("\"{}/drivers", dir.display())).replace("\"c/", &format!("\"{}/c/", dir.display())).replace("[device]\n", &format!("[device]\napp = {:?}\n", dir.join("app").display().to_string()));
    std::fs::write(d.path().join("device.toml"), abs(text.replace("c-handler = \"mbox_on_kick\"", "c-handler = \"mbox_on_kik\""))).unwrap();
    let (code, _, err) = common::bluegen(d.path(), &["check"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("no C source defines `mbox_on_kik`") && err.contains("interrupts.kick.c-handler"), "{err}");
    std::fs::write(d.path().join("device.toml"), abs(text.replace("c-handler = \"mbox_on_kick\"", "c-handler = \"mbox_on_kick\"\nhandler = \"on_kick\""))).unwrap();
    let (code, _, err) = common::bluegen(d.path(), &["check"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("has both `handler` and `c-handler`"), "{err}");
}
