//! `[interrupts.<name>]`: each mistake a located message (file:line:col, key,
//! value, why, hint), a right declaration checks clean, and a
//! declared interrupt runs its handler in QEMU (`kernel-irq` on Cortex-M,
//! `kernel-irq-soft` and `kernel-irq-device` on RISC-V and AArch64, `kernel-irq-guard` for
//! the blocking-call guard, `kernel-irq-mask` for run-time masking;
//! `--icount`).

mod common;

use common::{THREAD, bluegen_images, check, device, repo, run_icount};

/// `bluegen check` of a device on `board` with one thread, interrupts
/// `table` and (after it, so that the snapshots' lines stay) `threads`.
fn irq(board: &str, table: &str) -> (i32, String) {
    check(&format!("{}\n{THREAD}\n{table}\n[features]\nthreads = true\n", device(board)))
}

#[test]
fn a_declared_interrupt_by_name_or_number_checks_clean() {
    let (code, err) = irq("qemu-mps2-an385", "[interrupts.tick]\nsource = \"timer0\"\nhandler = \"sensor_poll\"\npriority = 7\n\n[interrupts.soft]\nsource = 31\nhandler = \"net::serve\"\npriority = 1\n");
    assert_eq!((code, err.as_str()), (0, ""));
    let (code, err) = irq("qemu-virt-rv32", "[interrupts.rx]\nsource = \"uart0\"\nhandler = \"main\"\npriority = 7\n");
    assert_eq!((code, err.as_str()), (0, ""));
}

#[test]
fn an_unknown_source_name() {
    let (code, err) = irq("qemu-mps2-an385", "[interrupts.tick]\nsource = \"timer3\"\nhandler = \"main\"\npriority = 1\n");
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r#"
    error: invalid value for `interrupts.tick.source`
      --> device.toml:11:10
       |
    11 | source = "timer3"
       |          ^^^^^^^^
       = key: interrupts.tick.source
       = value: "timer3"
       = why: board `qemu-mps2-an385` names no interrupt source `timer3`
       = hint: did you mean `timer0`?
    "#);
}

#[test]
fn a_source_number_the_chip_does_not_have() {
    let (code, err) = irq("qemu-mps2-an385", "[interrupts.tick]\nsource = 32\nhandler = \"main\"\npriority = 1\n");
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r#"
    error: invalid value for `interrupts.tick.source`
      --> device.toml:11:10
       |
    11 | source = 32
       |          ^^
       = key: interrupts.tick.source
       = value: 32
       = why: qemu-mps2-an385 has NVIC IRQs 0 to 31, so 32 is none of them
       = hint: use a number from 0 to 31, or one of the board's names: `uart0-rx` (0), `uart0-tx` (1), `uart1-rx` (2), `uart1-tx` (3), `uart2-rx` (4), `uart2-tx` (5), `timer0` (8), `timer1` (9), `dualtimer` (10), `soft0` (31)
    "#);
}

#[test]
fn plic_source_zero_does_not_exist() {
    let (code, err) = irq("qemu-virt-rv32", "[interrupts.rx]\nsource = 0\nhandler = \"main\"\npriority = 1\n");
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r#"
    error: invalid value for `interrupts.rx.source`
      --> device.toml:11:10
       |
    11 | source = 0
       |          ^
       = key: interrupts.rx.source
       = value: 0
       = why: qemu-virt-rv32 has PLIC sources 1 to 95 and software interrupts 96 to 103, so 0 is none of them
       = hint: use a number from 1 to 95, a software interrupt from 96 to 103, or one of the board's names: `virtio0` (1), `virtio1` (2), `virtio2` (3), `virtio3` (4), `virtio4` (5), `virtio5` (6), `virtio6` (7), `virtio7` (8), `uart0` (10), `rtc` (11), `soft0` (96), `soft1` (97), `soft2` (98), `soft3` (99), `soft4` (100), `soft5` (101), `soft6` (102), `soft7` (103)
    "#);
}

#[test]
fn a_source_declared_twice() {
    let (code, err) = irq("qemu-mps2-an385", "[interrupts.tick]\nsource = \"timer0\"\nhandler = \"main\"\npriority = 1\n\n[interrupts.again]\nsource = 8\nhandler = \"sensor_poll\"\npriority = 2\n");
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r#"
    error: invalid value for `interrupts.again.source`
      --> device.toml:16:10
       |
    16 | source = 8
       |          ^
       = key: interrupts.again.source
       = value: 8
       = why: IRQ 8 is already [interrupts.tick]'s source (line 11): a source has one handler
       = hint: remove one of the two, or give [interrupts.again] another source
    "#);
}

#[test]
fn a_priority_outside_the_nvic_range() {
    let (code, err) = irq("qemu-mps2-an385", "[interrupts.tick]\nsource = \"timer0\"\nhandler = \"main\"\npriority = 8\n");
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r#"
    error: invalid value for `interrupts.tick.priority`
      --> device.toml:13:12
       |
    13 | priority = 8
       |            ^
       = key: interrupts.tick.priority
       = value: 8
       = why: qemu-mps2-an385's NVIC implements 3 priority bits, so an interrupt priority is an integer from 1 (lowest) to 7 (highest); the lowest hardware level is PendSV's, where threads switch
       = hint: use a priority from 1 to 7
    "#);
    // ARMv6-M: 2 bits, so 1 to 3; 0 is PendSV's level.
    let (code, err) = irq("qemu-microbit", "[interrupts.tick]\nsource = \"timer0\"\nhandler = \"main\"\npriority = 0\n");
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r#"
    error: invalid value for `interrupts.tick.priority`
      --> device.toml:13:12
       |
    13 | priority = 0
       |            ^
       = key: interrupts.tick.priority
       = value: 0
       = why: qemu-microbit's NVIC implements 2 priority bits, so an interrupt priority is an integer from 1 (lowest) to 3 (highest); the lowest hardware level is PendSV's, where threads switch
       = hint: use a priority from 1 to 3
    "#);
}

#[test]
fn a_priority_outside_the_plic_range() {
    let (code, err) = irq("qemu-virt-rv64", "[interrupts.rx]\nsource = \"uart0\"\nhandler = \"main\"\npriority = 0\n");
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r#"
    error: invalid value for `interrupts.rx.priority`
      --> device.toml:13:12
       |
    13 | priority = 0
       |            ^
       = key: interrupts.rx.priority
       = value: 0
       = why: qemu-virt-rv64's PLIC has priorities 1 (lowest) to 7 (highest); 0 would never interrupt
       = hint: use a priority from 1 to 7
    "#);
}

#[test]
fn a_handler_the_app_does_not_have() {
    let (code, err) = irq("qemu-mps2-an385", "[interrupts.tick]\nsource = \"timer0\"\nhandler = \"on_tick\"\npriority = 1\n");
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r#"
    error: the app crate has no public function `on_tick`
      --> device.toml:12:11
       |
    12 | handler = "on_tick"
       |           ^^^^^^^^^
       = key: interrupts.tick.handler
       = value: "on_tick"
       = why: an interrupt handler is a `pub fn()` of the app crate (in src/lib.rs, or in a `pub mod` of it)
       = hint: the app's public functions, closest first: `sensor_poll`, `main`, `net::serve`
    "#);
    let (code, err) = irq("qemu-mps2-an385", "[interrupts.tick]\nsource = \"timer0\"\nhandler = \"forever\"\npriority = 1\n");
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r#"
    error: `forever` cannot be an interrupt handler
      --> device.toml:12:11
       |
    12 | handler = "forever"
       |           ^^^^^^^^^
       = key: interrupts.tick.handler
       = value: "forever"
       = why: the vector table calls a handler as a `fn()`: it returns `!`, and a `fn() -> !` is not a `fn()` (write `pub fn name()` with a loop that never ends)
       = hint: give the app a `pub fn forever()` for the interrupt to call
    "#);
}

#[test]
fn a_missing_key_and_an_unknown_one() {
    let (code, err) = irq("qemu-mps2-an385", "[interrupts.tick]\nsource = \"timer0\"\nhandlr = \"main\"\npriority = 1\n");
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r#"
    error: [interrupts.tick] has no `handler`
      --> device.toml:10:1
       |
    10 | [interrupts.tick]
       | ^^^^^^^^^^^^^^^^^
       = key: interrupts.tick.handler
       = hint: add `handler = "on_timer"` to [interrupts.tick]

    error: unknown key `interrupts.tick.handlr`
      --> device.toml:12:1
       |
    12 | handlr = "main"
       | ^^^^^^
       = key: interrupts.tick.handlr
       = why: the keys allowed in [interrupts.tick] are `source`, `handler`, `c-handler`, `priority`
       = hint: did you mean `handler`?
    "#);
}

#[test]
fn a_board_without_interrupt_data() {
    let (code, err) = check(&format!("[device]\nname = \"t\"\nchip = \"nRF52840_xxAA\"\n\n{THREAD}\n[interrupts.tick]\nsource = 3\nhandler = \"main\"\npriority = 1\n"));
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r#"
    error: board `chip-nrf52840_xxaa` does not describe its interrupt controller
      --> device.toml:10:13
       |
    10 | [interrupts.tick]
       |             ^^^^
       = key: interrupts.tick
       = why: bluegen sizes the vector table and checks sources and priorities from the board's [interrupts] table (`irqs`, `priority-bits`, `sources`)
       = hint: name a board whose file has an [interrupts] table (`bluegen boards`), or write a board file for the chip with one
    "#);
}

/// `kernel-irq` on the Cortex-M0, M3, M4 and M33 boards: a thread pends IRQ 31 through the NVIC 20
/// times; the handler gives a semaphore and the higher-priority thread
/// waiting on it has run by the time the pend returns (fails on the old
/// code, whose vector table has no device entries and whose port cannot
/// pend an IRQ). Then nesting: a priority-1 handler pends a priority-3 IRQ,
/// which preempts it at once; the reverse waits for the handler's return
/// (fails when the NVIC priorities are not written: all at one level).
#[test]
fn a_pended_interrupt_wakes_a_thread_on_its_return_and_interrupts_nest_by_priority() {
    let dir = repo().join("bluegen/tests/fixtures/kernel-irq");
    for board in ["qemu-microbit", "qemu-mps2-an385", "qemu-mps2-an386", "qemu-mps2-an505"] {
        let out = run_icount(&dir, board);
        let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert_eq!(out.status.code(), Some(0), "{board}: stdout:\n{stdout}\nstderr:\n{stderr}");
        assert!(stdout.contains("irq wake ok\nirq nesting ok\n") && !stdout.contains("FAILED"), "{board}: {stdout}");
    }
}

/// `kernel-irq-soft` on RV32, RV64 and AArch64 (GICv3 and GICv2): a thread
/// pends software interrupt `soft0` (CLINT msip, shared with the kernel's
/// switch, on RISC-V; SGI 0 on AArch64) 20 times; the handler gives a
/// semaphore and the higher-priority thread waiting on it has run by the
/// time the pend returns. Then two software interrupts pended from a
/// handler run after it returns (handlers do not nest), the higher
/// priority first; an undeclared device interrupt and an undeclared
/// software interrupt cannot be pended; the handler runs on the boot
/// stack, not the interrupted thread's (fails on the old code, which
/// refused to build the image; and when the trap does not run the pending
/// handlers, runs them in declaration order, or on the thread's stack).
#[test]
fn a_pended_software_interrupt_on_riscv_and_aarch64_wakes_a_thread_and_runs_by_priority() {
    let dir = repo().join("bluegen/tests/fixtures/kernel-irq-soft");
    for board in ["qemu-virt-rv32", "qemu-virt-rv64", "qemu-virt-aarch64", "qemu-virt-aarch64-gicv2"] {
        let out = run_icount(&dir, board);
        let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert_eq!(out.status.code(), Some(0), "{board}: stdout:\n{stdout}\nstderr:\n{stderr}");
        assert!(stdout.contains("irq wake ok\nirq order ok\n") && !stdout.contains("FAILED"), "{board}: {stdout}");
    }
}

/// `kernel-irq-device` on RV32, RV64 and AArch64 (GICv3 and GICv2): a real
/// device raises an interrupt. A thread enables the console UART's
/// transmit interrupt (the NS16550's THR-empty on PLIC source 10; the
/// PL011's on GIC SPI 1, INTID 33; `uart0` on both) ten times; the trap or
/// IRQ entry takes it, the handler masks it and gives a semaphore, and the
/// higher-priority thread waiting on it has run before the interrupted
/// thread goes on (fails on the old code, which refused the image;
/// mutation checks on RISC-V: without the complete, the source's enable
/// bit or mie.MEIE the handler does not run; on AArch64 the next round
/// comes only if the entry ended the interrupt at the GIC). Then the source
/// `port::disable_irq`d: raised, its handler does not run across a sleep,
/// and `port::enable_irq` runs it once.
#[test]
fn a_device_interrupt_from_the_uart_wakes_a_thread_on_riscv_and_aarch64() {
    let dir = repo().join("bluegen/tests/fixtures/kernel-irq-device");
    for board in ["qemu-virt-rv32", "qemu-virt-rv64", "qemu-virt-aarch64", "qemu-virt-aarch64-gicv2"] {
        let out = run_icount(&dir, board);
        let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert_eq!(out.status.code(), Some(0), "{board}: stdout:\n{stdout}\nstderr:\n{stderr}");
        assert!(stdout.contains("device irq wake ok\ndevice irq mask ok\n") && !stdout.contains("FAILED"), "{board}: {stdout}");
    }
}

/// `kernel-irq-mask` on the Cortex-M3, M0, RV32 and AArch64 (both GICs):
/// `port::disable_irq` of the software interrupt `soft0` (NVIC ICER; on
/// RISC-V and AArch64 the arch crate's mask of software interrupts), then two pends: the handler does not run across a
/// sleep, and `enable_irq` runs it exactly once before it returns; a
/// handler disables its own interrupt and pends it, which stays pending
/// until enabled, as does one pended in a critical section and disabled
/// before it could run; an undeclared IRQ can be neither enabled nor disabled
/// (fails on the old code, whose port has no way to mask an interrupt).
#[test]
fn a_disabled_interrupt_stays_pending_and_runs_once_when_enabled() {
    let dir = repo().join("bluegen/tests/fixtures/kernel-irq-mask");
    for board in ["qemu-mps2-an385", "qemu-microbit", "qemu-virt-rv32", "qemu-virt-aarch64", "qemu-virt-aarch64-gicv2"] {
        let out = run_icount(&dir, board);
        let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert_eq!(out.status.code(), Some(0), "{board}: stdout:\n{stdout}\nstderr:\n{stderr}");
        assert!(stdout.contains("irq disabled ok\nirq enabled ok\nirq self-mask ok\nirq pended-then-disabled ok\n") && !stdout.contains("FAILED"), "{board}: {stdout}");
    }
}

/// `kernel-irq-guard` on the Cortex-M3 and M0 and RV32: a handler's
/// non-blocking calls work, and its blocking take ends the run with a
/// message naming the handler, exit status 1; the thread it interrupted is
/// never parked (without the guard the take returns in the handler after
/// its timeout and the thread goes on: exit 2 and FAILED lines).
#[test]
fn a_blocking_call_in_a_handler_fails_the_run_naming_the_handler() {
    let dir = repo().join("bluegen/tests/fixtures/kernel-irq-guard");
    for board in ["qemu-mps2-an385", "qemu-microbit", "qemu-virt-rv32", "qemu-virt-aarch64"] {
        let out = run_icount(&dir, board);
        let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert_eq!(out.status.code(), Some(1), "{board}: stdout:\n{stdout}\nstderr:\n{stderr}");
        assert!(stdout.ends_with("handler blocks\nblocking call in interrupt handler `bad`\n") && !stdout.contains("FAILED"), "{board}: {stdout}");
    }
}

/// `examples/bench-irq` prints its two latency rows on the Cortex-M3 and
/// RV32 under `-icount` (the figures `bluegen bench` reports): 1000
/// rounds, the woken thread later than the handler.
#[test]
fn the_interrupt_latency_bench_prints_its_rows() {
    let dir = repo().join("examples/bench-irq");
    for board in ["qemu-mps2-an385", "qemu-virt-rv32", "qemu-virt-aarch64"] {
        let out = run_icount(&dir, board);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{board}: {stdout}");
        let units = |metric: &str| -> u64 {
            let line = stdout.lines().find_map(|l| l.strip_prefix(&format!("BENCH {metric}="))).unwrap_or_else(|| panic!("{board}: no {metric}: {stdout}"));
            let (units, count) = line.split_once('/').unwrap();
            assert_eq!(count, "1000", "{board}: {line}");
            units.parse().unwrap()
        };
        let (handler, thread) = (units("irq_pend_to_handler_instructions"), units("irq_pend_to_thread_instructions"));
        assert!(0 < handler && handler < thread, "{board}: {stdout}");
    }
}

/// Interrupts need threads (RISC-V takes them in the context switch's
/// trap; on Cortex-M `pend_irq` and the guard are the context-switch
/// code's): an image without threads that declares one is a located
/// error of `bluegen check`, not a link error or an image without it.
#[test]
fn interrupts_without_threads_are_refused() {
    let dir = common::project(&format!("{}\n{THREAD}\n[interrupts.soft]\nsource = \"soft0\"\nhandler = \"main\"\npriority = 1\n", device("qemu-virt-rv32")));
    let (code, _, err) = common::bluegen(dir.path(), &["check"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r#"
    error: interrupts need the kernel's threads
      --> device.toml:10:13
       |
    10 | [interrupts.soft]
       |             ^^^^
       = key: interrupts.soft
       = why: a RISC-V image takes its interrupts in the context switch's trap (the PLIC's and the software interrupts share it with the kernel's switch), and `threads` is off
       = hint: set features.threads = true in device.toml
    "#);
    let dir = common::project(&format!("{}\n{THREAD}\n[interrupts.soft]\nsource = \"soft0\"\nhandler = \"main\"\npriority = 1\n", device("qemu-mps2-an385")));
    let (code, _, err) = common::bluegen(dir.path(), &["check"]);
    assert_eq!(code, 1);
    assert!(err.contains("error: interrupts need the kernel's threads\n") && err.contains("what a handler and the threads it wakes use"), "{err}");
}

/// `features.interrupts` is bluegen's to set, from `[interrupts.<name>]`.
#[test]
fn the_interrupts_feature_is_not_a_device_setting() {
    let (code, err) = check(&format!("{}\n[features]\ninterrupts = true\n\n{THREAD}", device("qemu-mps2-an385")));
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r#"
    error: `interrupts` is set by bluegen, not by a device
     --> device.toml:6:1
      |
    6 | interrupts = true
      | ^^^^^^^^^^
      = key: features.interrupts
      = value: true
      = why: the kernel's INTERRUPTS is on exactly when device.toml declares [interrupts.<name>]: it builds their table and dispatch, and the guard against blocking calls in handlers
      = hint: remove this line; declare an [interrupts.<name>] table to turn interrupts on
    "#);
}

/// A board's `software = N` names `soft0` to `soft<N-1>` after the PLIC's
/// sources on RISC-V (and the GIC's INTIDs on AArch64); a Cortex-M board
/// (which pends any NVIC IRQ) may not have it, a located error.
#[test]
fn board_software_interrupts_are_riscv_and_aarch64_only() {
    let dir = tempfile::tempdir().unwrap();
    let rv = std::fs::read_to_string(repo().join("boards/qemu-virt-rv32.toml")).unwrap();
    let path = dir.path().join("rv.toml");
    std::fs::write(&path, rv.replace("software = 8", "software = 2")).unwrap();
    let board = bluegen::board::Board::from_file(&path).unwrap_or_else(|e| panic!("{}", bluegen::diag::render(&e.diagnostics)));
    let ctl = board.interrupts.unwrap();
    assert_eq!(ctl.software, 2);
    assert!(ctl.sources.ends_with(&[("soft0".to_string(), 96), ("soft1".to_string(), 97)]), "{:?}", ctl.sources);
    let a64 = std::fs::read_to_string(repo().join("boards/qemu-virt-aarch64.toml")).unwrap();
    let path = dir.path().join("a64.toml");
    std::fs::write(&path, a64.replace("software = 8", "software = 2")).unwrap();
    let board = bluegen::board::Board::from_file(&path).unwrap_or_else(|e| panic!("{}", bluegen::diag::render(&e.diagnostics)));
    let ctl = board.interrupts.unwrap();
    assert!(ctl.sources.ends_with(&[("soft0".to_string(), 288), ("soft1".to_string(), 289)]), "{:?}", ctl.sources);
    std::fs::write(&path, a64.replace("software = 8", "software = 17")).unwrap();
    let err = bluegen::board::Board::from_file(&path).err().expect("17 SGIs are refused");
    assert!(bluegen::diag::render(&err.diagnostics).contains("17 software interrupts"), "{}", bluegen::diag::render(&err.diagnostics));
    let arm = std::fs::read_to_string(repo().join("boards/qemu-mps2-an385.toml")).unwrap();
    let path = dir.path().join("arm.toml");
    std::fs::write(&path, arm.replace("priority-bits = 3\n", "priority-bits = 3\nsoftware = 4\n")).unwrap();
    let err = bluegen::board::Board::from_file(&path).err().expect("software on Cortex-M is refused");
    let text = bluegen::diag::render(&err.diagnostics).replace(&dir.path().display().to_string(), "[DIR]");
    insta::assert_snapshot!(text, @r#"
    error: invalid board file: 4 software interrupts: only RISC-V boards (0 to 32) and AArch64 ones (0 to 16, the GIC's SGIs) have them (a Cortex-M thread pends any NVIC IRQ)
      --> [DIR]/arm.toml:50:12
       |
    50 | software = 4
       |            ^
       = key: interrupts.software
       = value: 4
       = hint: remove `software`, or write a count from 0 to 32 on a RISC-V board, 0 to 16 on an AArch64 one
    "#);
}

/// A device with interrupts on an385 and RV32: `threads` and one thread.
fn irq_project(board: &str, features: &str) -> tempfile::TempDir {
    common::project(&format!("{}\n{THREAD}\n[interrupts.soft]\nsource = \"soft0\"\nhandler = \"main\"\npriority = 1\n\n[features]\nthreads = true\n{features}", device(board)))
}

/// `config --minimal`, `config set` (and menuconfig, which saves the same
/// way) settle the configuration as `check` does, `interrupts` included:
/// a redundant line is dropped, `interrupts` cannot be set, and `threads`
/// cannot go while an interrupt needs it (on the old code `--minimal` kept
/// every line, `set banner=false` wrote the default, `set interrupts=true`
/// wrote a line `check` refuses, and `set threads=false` one too).
#[test]
fn config_minimal_and_set_see_the_interrupts_bluegen_sets() {
    for board in ["qemu-mps2-an385", "qemu-virt-rv32"] {
        let dir = irq_project(board, "banner = false\n");
        let (code, out, err) = common::bluegen(dir.path(), &["config", "--minimal"]);
        assert_eq!((code, out.as_str()), (0, "[features]\nthreads = true\n"), "{board}: {err}");
        let (code, out, err) = common::bluegen(dir.path(), &["config", "--json"]);
        assert_eq!(code, 0, "{err}");
        let rows: serde_json::Value = serde_json::from_str(&out).unwrap();
        let row = rows.as_array().unwrap().iter().find(|r| r["name"] == "interrupts").unwrap().clone();
        assert_eq!((row["value"].clone(), row["set_by"].clone(), row["prompt"].clone()), (true.into(), "derived".into(), serde_json::Value::Null), "{row}");

        let dir = irq_project(board, "");
        let before = std::fs::read_to_string(dir.path().join("device.toml")).unwrap();
        let (code, out, err) = common::bluegen(dir.path(), &["config", "set", "banner=false"]);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("the preset and the defaults already give that value"), "{board}: {out}");
        assert_eq!(std::fs::read_to_string(dir.path().join("device.toml")).unwrap(), before);
        let (code, _, err) = common::bluegen(dir.path(), &["config", "set", "interrupts=true"]);
        assert_eq!(code, 1, "{board}");
        assert!(err.contains("error: `interrupts` is set by bluegen, not by a device\n"), "{board}: {err}");
        let (code, _, err) = common::bluegen(dir.path(), &["config", "set", "threads=false"]);
        assert_eq!(code, 1, "{board}");
        assert!(err.contains("error: interrupts need the kernel's threads\n") && err.contains("device.toml:10:13"), "{board}: {err}");
        assert_eq!(std::fs::read_to_string(dir.path().join("device.toml")).unwrap(), before);
    }
}

/// `size --feature-cost` of devices with interrupts (`kernel-irq` on the
/// M3, `bench-irq`, `kernel-irq-device` on RV32): `interrupts` is no row
/// (bluegen sets it), and the variants the device cannot have — `threads`
/// off under interrupts, `semaphore` off under an app that uses it — are
/// rows that say why, not a failed build (the old code failed the whole
/// command building the `threads` variant).
#[test]
fn feature_cost_of_a_device_with_interrupts_names_what_it_cannot_have() {
    for (dir, board) in [("bluegen/tests/fixtures/kernel-irq", "qemu-mps2-an385"), ("examples/bench-irq", "qemu-mps2-an385"), ("bluegen/tests/fixtures/kernel-irq-device", "qemu-virt-rv32")] {
        let dir = repo().join(dir);
        let out = bluegen_images().args(["size", dir.to_str().unwrap(), "--board", board, "--feature-cost"]).output().unwrap();
        let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert_eq!(out.status.code(), Some(0), "{board}: stdout:\n{stdout}\nstderr:\n{stderr}");
        let row = |f: &str| stdout.lines().find(|l| l.starts_with(&format!("{f} "))).map(str::to_string);
        assert_eq!(row("interrupts"), None, "{stdout}");
        assert!(row("threads").unwrap().ends_with("-          -  not applicable: interrupts need the kernel's threads"), "{stdout}");
        assert!(row("semaphore").unwrap().contains("not applicable: app uses bluegen_kernel::Semaphore"), "{stdout}");
        let console = row("console").unwrap();
        assert!(console.split_whitespace().nth(1).unwrap().trim_start_matches('+').parse::<i64>().unwrap() > 0, "{stdout}");
    }
}

/// A RISC-V board's `software = N` names `soft0` to `soft<N-1>`: a source
/// of `sources` named one of those is a located board error (the old code
/// kept both, and a device's `soft0` took the lower number).
#[test]
fn a_board_source_named_like_a_software_interrupt_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let rv = std::fs::read_to_string(repo().join("boards/qemu-virt-rv32.toml")).unwrap();
    let path = dir.path().join("rv.toml");
    let sources = rv.lines().find(|l| l.starts_with("sources = ")).unwrap();
    // `soft2` is no software interrupt's name under `software = 2`.
    std::fs::write(&path, rv.replace("software = 8", "software = 2").replace(sources, "sources = { uart0 = 10, soft1 = 12, soft2 = 13 }")).unwrap();
    let err = bluegen::board::Board::from_file(&path).err().expect("a clash is refused");
    let text = bluegen::diag::render(&err.diagnostics).replace(&dir.path().display().to_string(), "[DIR]");
    insta::assert_snapshot!(text, @r#"
    error: invalid board file: source `soft1` (12) has the name of software interrupt `soft1` (source 97, from `software = 2`)
      --> [DIR]/rv.toml:52:25
       |
    52 | sources = { uart0 = 10, soft1 = 12, soft2 = 13 }
       |                         ^^^^^
       = key: interrupts.sources.soft1
       = value: soft1
       = hint: rename the source: `soft0` to `soft<N-1>` are the software interrupts' names
    "#);
}

/// A project on an385 with `[interrupts.soft]` whose app (depending on the
/// kernel) is `lib`.
fn irq_app(lib: &str) -> tempfile::TempDir {
    let dir = irq_project("qemu-mps2-an385", "");
    let kernel = repo().join("components/kernel");
    std::fs::write(dir.path().join("app/Cargo.toml"), format!("[package]\nname = \"t-app\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n[dependencies]\nbluegen-kernel = {{ path = \"{}\" }}\n", kernel.display())).unwrap();
    std::fs::write(dir.path().join("app/src/lib.rs"), lib).unwrap();
    dir
}

/// `irq::<NAME>` with no `[interrupts.<name>]`: `bluegen check` names the
/// table to add at the app's line, with a did-you-mean, when the app writes
/// the path; through `use bluegen_kernel::irq` the build says the same in
/// place of rustc's E0425 (on the old code check passed and the build
/// failed with E0425 "cannot find value `SOFTT` in module `irq`").
#[test]
fn an_irq_constant_device_toml_does_not_declare() {
    let dir = irq_app("#![no_std]\npub fn main() {\n    bluegen_kernel::port::pend_irq(bluegen_kernel::irq::SOFTT);\n}\n");
    let (code, _, err) = common::bluegen(dir.path(), &["check"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r"
    error: app uses bluegen_kernel::irq::SOFTT, but device.toml declares no interrupt `softt`
     --> [DIR]/app/src/lib.rs:3:57
      |
    3 |     bluegen_kernel::port::pend_irq(bluegen_kernel::irq::SOFTT);
      |                                                         ^^^^^
      = key: interrupts.softt
      = why: `bluegen_kernel::irq` has one constant per [interrupts.<name>] of device.toml, the name in upper case: this device declares `irq::SOFT`
      = hint: did you mean `irq::SOFT`? Otherwise add an [interrupts.softt] table (`source`, `handler`, `priority`) to device.toml
    ");
    let dir = irq_app("#![no_std]\nuse bluegen_kernel::{irq, port};\npub fn main() {\n    port::pend_irq(irq::TICK);\n}\n");
    let (code, _, err) = common::bluegen(dir.path(), &["check"]);
    assert_eq!((code, err.as_str()), (0, ""));
    let out = bluegen_images().current_dir(dir.path()).args(["build"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).replace(&dir.path().display().to_string(), "[DIR]");
    assert_eq!(out.status.code(), Some(1), "{err}");
    // The diagnostic, without cargo's progress lines.
    let err = &err[err.find("error: app uses").unwrap_or_else(|| panic!("{err}"))..];
    insta::assert_snapshot!(err, @r"
    error: app uses bluegen_kernel::irq::TICK, but device.toml declares no interrupt `tick`
     --> [DIR]/app/src/lib.rs:4:25
      |
    4 |     port::pend_irq(irq::TICK);
      |                         ^^^^
      = key: interrupts.tick
      = why: `bluegen_kernel::irq` has one constant per [interrupts.<name>] of device.toml, the name in upper case: this device declares `irq::SOFT`
      = hint: add an [interrupts.tick] table (`source`, `handler`, `priority`) to device.toml
    ");
}
