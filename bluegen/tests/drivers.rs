//! `[drivers.<name>]` and the board's `[peripherals]`: each mistake a located
//! message (file:line:col, key, value, why, hint), and in QEMU the drivers
//! work end to end: the interrupt-driven CMSDK UART echoes what the test
//! sends on mps2-an385's uart1.

mod common;

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use common::{bluegen_images, check, connect, repo, run_icount};

/// A standard-preset device on mps2-an385 whose uart1 interrupts call
/// `sensor_poll`, with `tables` after it.
fn driver(tables: &str) -> (i32, String) {
    check(&format!(
        "[device]\nname = \"t\"\nboard = \"qemu-mps2-an385\"\npreset = \"standard\"\n\n[threads.main]\nentry = \"main\"\npriority = 1\nstack = 1024\n\n[interrupts.rx]\nsource = \"uart1-rx\"\nhandler = \"sensor_poll\"\npriority = 1\n\n[interrupts.tx]\nsource = \"uart1-tx\"\nhandler = \"sensor_poll\"\npriority = 1\n\n{tables}"
    ))
}

#[test]
fn a_declared_driver_checks_clean() {
    let (code, err) = driver("[drivers.serial]\nperipheral = \"uart1\"\nbaud = 9600\n");
    assert_eq!((code, err.as_str()), (0, ""));
}

/// The NS16550 driver may take virt's one UART, the console's: it only
/// receives there, and transmits polled as the console does.
#[test]
fn the_ns16550_driver_may_share_the_console_uart() {
    let (code, err) = check("[device]\nname = \"t\"\nboard = \"qemu-virt-rv64\"\npreset = \"standard\"\n\n[threads.main]\nentry = \"main\"\npriority = 1\nstack = 1024\n\n[drivers.serial]\nperipheral = \"uart0\"\n\n[interrupts.rx]\nsource = \"uart0\"\nhandler = \"sensor_poll\"\npriority = 1\n");
    assert_eq!((code, err.as_str()), (0, ""));
}

#[test]
fn an_unknown_peripheral() {
    let (code, err) = driver("[drivers.serial]\nperipheral = \"uart9\"\n");
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r#"
    error: invalid value for `drivers.serial.peripheral`
      --> device.toml:22:14
       |
    22 | peripheral = "uart9"
       |              ^^^^^^^
       = key: drivers.serial.peripheral
       = value: "uart9"
       = why: board `qemu-mps2-an385` has no peripheral `uart9`
       = hint: did you mean `uart1`?
    "#);
}

#[test]
fn the_console_uart_is_not_a_drivers_peripheral() {
    let (code, err) = driver("[drivers.serial]\nperipheral = \"uart0\"\n");
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r#"
    error: invalid value for `drivers.serial.peripheral`
      --> device.toml:22:14
       |
    22 | peripheral = "uart0"
       |              ^^^^^^^
       = key: drivers.serial.peripheral
       = value: "uart0"
       = why: `uart0` at 0x40004000 is the board's console, which the kernel drives (polled) for its console output: a peripheral has one driver
       = hint: use another CMSDK APB UART: uart1, uart2
    "#);
}

#[test]
fn a_peripheral_used_twice() {
    let (code, err) = driver("[drivers.serial]\nperipheral = \"uart1\"\n\n[drivers.again]\nperipheral = \"uart1\"\n");
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r#"
    error: invalid value for `drivers.again.peripheral`
      --> device.toml:25:14
       |
    25 | peripheral = "uart1"
       |              ^^^^^^^
       = key: drivers.again.peripheral
       = value: "uart1"
       = why: `uart1` is already [drivers.serial]'s peripheral (line 22): a peripheral has one driver
       = hint: remove one of the two, or give [drivers.again] another peripheral
    "#);
}

#[test]
fn a_bad_option_and_an_unknown_one() {
    let (code, err) = driver("[drivers.serial]\nperipheral = \"uart1\"\nbaud = 0\nbuad = 9600\n");
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r#"
    error: invalid value for `drivers.serial.baud`
      --> device.toml:23:8
       |
    23 | baud = 0
       |        ^
       = key: drivers.serial.baud
       = value: 0
       = why: `baud` is the baud rate (the divisor is the peripheral clock over it, at least 16): an integer from 110 to 1562500
       = hint: write an integer from 110 to 1562500, such as `baud = 115200`

    error: unknown key `drivers.serial.buad`
      --> device.toml:24:1
       |
    24 | buad = 9600
       | ^^^^
       = key: drivers.serial.buad
       = why: a CMSDK APB UART driver (`uart-cmsdk`, peripheral `uart1`) takes `peripheral`, `baud`
       = hint: did you mean `baud`?
    "#);
}

#[test]
fn a_missing_peripheral() {
    let (code, err) = driver("[drivers.serial]\nbaud = 9600\n");
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r#"
    error: [drivers.serial] has no `peripheral`
      --> device.toml:21:10
       |
    21 | [drivers.serial]
       |          ^^^^^^
       = key: drivers.serial.peripheral
       = why: a driver drives one of the board's peripherals, which device.toml names
       = hint: add `peripheral = "uart1"` to [drivers.serial] (the board's [peripherals] list them), or `sources = ["drivers/serial.c"]` for a driver written in C
    "#);
}

#[test]
fn a_driver_whose_interrupts_nobody_handles() {
    let (code, err) = check("[device]\nname = \"t\"\nboard = \"qemu-mps2-an385\"\npreset = \"standard\"\n\n[threads.main]\nentry = \"main\"\npriority = 1\nstack = 1024\n\n[drivers.delay]\nperipheral = \"timer0\"\n");
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r#"
    error: driver `delay` needs its peripheral's interrupts handled
      --> device.toml:11:10
       |
    11 | [drivers.delay]
       |          ^^^^^
       = key: drivers.delay
       = why: the CMSDK APB timer driver wakes waiting threads from its interrupt handler, and no [interrupts] entry takes `timer0` (IRQ 8): a thread would wait for ever
       = hint: add

        [interrupts.timer0]
        source = "timer0"
        handler = "on_delay"
        priority = 1

    and to the app `pub fn on_delay() { DELAY.on_interrupt() }`, where DELAY is the app's `static` bluegen_timer_cmsdk::Delay
    "#);
}

#[test]
fn a_blocking_driver_without_the_semaphore() {
    let (code, err) = check("[device]\nname = \"t\"\nboard = \"qemu-mps2-an385\"\npreset = \"minimal\"\n\n[threads.main]\nentry = \"main\"\npriority = 1\nstack = 1024\n\n[drivers.serial]\nperipheral = \"uart2\"\n\n[interrupts.rx]\nsource = \"uart2-rx\"\nhandler = \"main\"\npriority = 1\n\n[interrupts.tx]\nsource = 5\nhandler = \"main\"\npriority = 1\n\n[features]\nthreads = true\n");
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r#"
    error: driver `serial` needs the kernel's semaphore, which is off
      --> device.toml:11:10
       |
    11 | [drivers.serial]
       |          ^^^^^^
       = key: drivers.serial
       = why: the CMSDK APB UART driver blocks the calling thread until its interrupt handler gives a semaphore (`semaphore`, with `threads` and `preempt`)
       = hint: set features.semaphore = true in device.toml (or use the `standard` preset)
    "#);
}

#[test]
fn a_driver_whose_symbol_features_turn_off() {
    let (code, err) = driver("[drivers.serial]\nperipheral = \"uart1\"\n\n[features]\ncmsdk-uart-driver = false\n");
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r#"
    error: driver `serial` needs `cmsdk-uart-driver`, which [features] turns off
      --> device.toml:21:10
       |
    21 | [drivers.serial]
       |          ^^^^^^
       = key: drivers.serial
       = why: bluegen turns `cmsdk-uart-driver` on for a [drivers.<name>] of this kind: it is the driver's code in the crate the console also uses
       = hint: remove `cmsdk-uart-driver = false` from [features], or the [drivers.serial] table
    "#);
}

#[test]
fn a_board_without_peripherals() {
    let (code, err) = check("[device]\nname = \"t\"\nboard = \"qemu-microbit\"\n\n[threads.main]\nentry = \"main\"\npriority = 1\nstack = 1024\n\n[drivers.serial]\nperipheral = \"uart0\"\n");
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r#"
    error: invalid value for `drivers.serial.peripheral`
      --> device.toml:11:14
       |
    11 | peripheral = "uart0"
       |              ^^^^^^^
       = key: drivers.serial.peripheral
       = value: "uart0"
       = why: board `qemu-microbit` has no peripheral `uart0`
       = hint: [ROOT]/boards/qemu-microbit.toml lists no [peripherals]: pick a board that does (qemu-mps2-an385, say), or add [peripherals.<name>] tables to it
    "#);
}

#[test]
fn qemu_args_need_a_list_of_strings() {
    let (code, err) = check("[device]\nname = \"t\"\nboard = \"qemu-mps2-an385\"\n\n[threads.main]\nentry = \"main\"\npriority = 1\nstack = 1024\n\n[qemu]\nargs = \"-device tmp105\"\n");
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r#"
    error: invalid value for `qemu.args`
      --> device.toml:11:8
       |
    11 | args = "-device tmp105"
       |        ^^^^^^^^^^^^^^^^
       = key: qemu.args
       = value: "-device tmp105"
       = why: QEMU's arguments are a list of strings, one word each
       = hint: write it as `args = ["-device", "tmp105,bus=i2c,address=0x48"]`
    "#);
}

#[test]
fn an_app_that_uses_a_driver_crate_device_toml_does_not_declare() {
    let dir = common::project("[device]\nname = \"t\"\nboard = \"qemu-mps2-an385\"\npreset = \"standard\"\n\n[threads.main]\nentry = \"main\"\npriority = 1\nstack = 1024\n");
    std::fs::write(dir.path().join("app/Cargo.toml"), "[package]\nname = \"t-app\"\nversion = \"0.1.0\"\n\n[dependencies]\nbluegen-timer-cmsdk = { path = \"../../timer-cmsdk\" }\n").unwrap();
    let (code, _, err) = common::bluegen(dir.path(), &["check"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r#"
    error: the app depends on `bluegen-timer-cmsdk`, and device.toml declares no driver of it
     --> [DIR]/app/Cargo.toml:6:1
      = key: dependencies.bluegen-timer-cmsdk
      = why: the CMSDK APB timer driver takes a token of `bluegen_config::drivers`, which only a [drivers.<name>] of a `timer-cmsdk` peripheral makes
      = hint: add to device.toml

        [drivers.timer]
        peripheral = "timer0"

    (board qemu-mps2-an385's `timer-cmsdk` peripherals: timer0, timer1), or remove the dependency
    "#);
}

/// Reads from `s` until `want` arrived (or 60 s passed).
fn read_until(s: &mut std::os::unix::net::UnixStream, want: &str) -> String {
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 256];
    while !String::from_utf8_lossy(&got).contains(want) {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
        }
    }
    String::from_utf8_lossy(&got).into_owned()
}

/// `bluegen run` of fixture `dir` on `board` in a fresh directory, whose
/// QEMU puts the driver's UART on `serial.sock` there: the directory (kept
/// until the run ends), the running bluegen and the connected socket.
fn run_with_serial(dir: &std::path::Path, board: &str) -> (tempfile::TempDir, std::process::Child, std::os::unix::net::UnixStream) {
    let cwd = tempfile::tempdir().unwrap();
    let child = std::process::Command::new(bluegen_images().get_program())
        .env("CARGO_TARGET_DIR", repo().join("target/images"))
        .current_dir(cwd.path())
        .args(["run", dir.to_str().unwrap(), "--board", board, "--timeout", "60"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let s = connect(&cwd.path().join("serial.sock"));
    (cwd, child, s)
}

/// `drivers-uart` on mps2-an385 (M3) and an386 (M4): uart1 is `[drivers.serial]`, on a Unix
/// socket. The app echoes each line the test sends and prints it on the
/// console; the greeting the test waits for first comes from a thread
/// below the reader, which runs only while the reader is blocked, and the
/// RX interrupt wakes the reader. Fails on the old code (no `[drivers]`,
/// no `Serial`), and when the RX interrupt does not wake the reader (it
/// waits for ever: the run times out).
#[test]
fn the_interrupt_driven_uart_echoes_what_it_receives() {
    let dir = repo().join("bluegen/tests/fixtures/drivers-uart");
    for board in ["qemu-mps2-an385", "qemu-mps2-an386"] {
        let (_cwd, child, mut s) = run_with_serial(&dir, board);
        let hello = read_until(&mut s, "serial ready\n");
        s.write_all(b"hello, driver\nquit\n").unwrap();
        let echo = read_until(&mut s, "echo: quit\n");
        drop(s);
        let out = child.wait_with_output().unwrap();
        let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert_eq!(out.status.code(), Some(0), "{board}: stdout:\n{stdout}\nstderr:\n{stderr}");
        assert_eq!(hello, "serial ready\n", "{board}");
        assert_eq!(echo, "echo: hello, driver\necho: quit\n", "{board}");
        assert!(stdout.contains("rx: hello, driver\nrx: quit\nuart driver ok\n") && !stdout.contains("FAILED"), "{board}: {stdout}");
    }
}

/// `drivers-timer` on mps2-an385 (M3, 25 MHz, IRQ 8), an386 (M4) and an505 (M33, 20
/// MHz, IRQ 3, the timer's secure address) under `--icount`: `embedded_hal`'s
/// `DelayNs` on the CMSDK timer0 blocks the calling thread until the
/// timer's interrupt (a lower-priority thread runs meanwhile), and each
/// delay lasts its length against the kernel's counter (SysTick on the
/// same clock), 30 ms three ticks. Fails on the old code (no `[drivers]`, no
/// timer crate), and when the driver loads the wrong count (the app
/// checks each length).
#[test]
fn the_timer_delay_blocks_for_its_length() {
    let dir = repo().join("bluegen/tests/fixtures/drivers-timer");
    for board in ["qemu-mps2-an385", "qemu-mps2-an386", "qemu-mps2-an505"] {
        let out = run_icount(&dir, board);
        let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert_eq!(out.status.code(), Some(0), "{board}: stdout:\n{stdout}\nstderr:\n{stderr}");
        assert!(stdout.contains("ticks: 3\ntimer driver ok\n") && !stdout.contains("FAILED"), "{board}: {stdout}");
    }
}

/// `examples/temperature` on mps2-an385: the crates.io `lm75` driver,
/// unmodified, reads QEMU's TMP105 over bluegen's SBCon I2C driver. The
/// test runs the example's device.toml from a temporary directory, QEMU
/// paused (`-S`) with a monitor socket: it sets a known temperature before
/// the app starts (QEMU resets the `temperature` property to 0 at machine
/// reset), then another after the first reading; the app must print
/// both. Fails on the old code (no `[drivers]`, no I2C driver), and when
/// the driver's reads come back empty (0.000 C).
#[test]
fn the_lm75_crate_reads_the_temperature_qemu_sets() {
    use std::io::BufRead;
    let example = repo().join("examples/temperature");
    let text = std::fs::read_to_string(example.join("device.toml")).unwrap();
    let text = text.replace("[device]\n", &format!("[device]\napp = {:?}\n", example.join("app").display().to_string())).replace(
        "args = [\"-device\", \"tmp105,id=sensor,bus=i2c,address=0x48\"]",
        "args = [\"-device\", \"tmp105,id=sensor,bus=i2c,address=0x48\", \"-monitor\", \"unix:mon.sock,server=on,wait=on\", \"-S\"]",
    );
    assert!(text.contains("mon.sock"), "the example's device.toml changed: {text}");
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
    monitor.write_all(b"qom-set /machine/peripheral/sensor temperature -12500\ncont\n").unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().and_then(Result::ok).unwrap_or_default();
    monitor.write_all(b"qom-set /machine/peripheral/sensor temperature 31500\n").unwrap();
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "first: {first}\nrest: {rest:?}\nstderr:\n{stderr}");
    assert_eq!(first, "temperature: -12.500 C");
    assert_eq!(rest, ["temperature: 31.500 C", "temperature: 31.500 C"]);
}

/// `drivers-ns16550` on RISC-V virt RV32 and RV64: the NS16550 (the
/// console's UART, on a Unix socket, console output included) receives
/// through its PLIC interrupt into the driver's ring; the greeting comes
/// from a thread below the blocked reader; each line comes back with the
/// console's `rx:` line. Fails on the old code (no `[drivers]`, no PLIC
/// path, no `Serial`), and when the interrupt does not wake the reader.
#[test]
fn the_ns16550_receives_through_its_plic_interrupt() {
    let dir = repo().join("bluegen/tests/fixtures/drivers-ns16550");
    for board in ["qemu-virt-rv32", "qemu-virt-rv64"] {
        let (_cwd, child, mut s) = run_with_serial(&dir, board);
        let hello = read_until(&mut s, "serial ready\n");
        s.write_all(b"hello, driver\nquit\n").unwrap();
        let echo = read_until(&mut s, "uart driver ok\n");
        drop(s);
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{board}: {hello}{echo}\nstderr:\n{stderr}");
        assert_eq!(hello, "serial ready\n", "{board}");
        assert_eq!(echo, "rx: hello, driver\necho: hello, driver\nrx: quit\necho: quit\nuart driver ok\n", "{board}");
    }
}
