//! `Pool<T, N>` (Kconfig `POOL`) under QEMU: every block once then none, a
//! timed allocate that times out to the tick, a free that wakes a
//! higher-priority waiter, a block that travels through a queue (fixture
//! `kernel-pool`, Arm and RISC-V); and from an interrupt handler: allocate
//! without waiting, fail at once when exhausted, a free in the handler that
//! wakes a thread (fixture `kernel-pool-irq`: a software interrupt, on the
//! Cortex-M0, M3 and RV32). `--icount`, so tick counts are exact. Needs
//! qemu-system-arm and qemu-system-riscv32; without them the tests fail.

mod common;

use common::{repo, run_icount};

fn run(fixture: &str, board: &str) -> (i32, String, String) {
    let dir = repo().join("bluegen/tests/fixtures").join(fixture);
    let out = run_icount(&dir, board);
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.code().unwrap_or(-1), text(&out.stdout), text(&out.stderr))
}

fn expect(fixture: &str, board: &str, checks: &[&str], last: &str) {
    let (code, out, err) = run(fixture, board);
    assert_eq!(code, 0, "{board}: stdout:\n{out}\nstderr:\n{err}");
    assert!(!out.contains("FAILED"), "{board}: {out}");
    let expected = checks.iter().map(|c| format!("{c} ok\n")).collect::<String>() + last;
    assert!(out.contains(&expected), "{board}: {out}");
}

#[test]
fn pool_allocates_each_block_once_waits_with_a_timeout_and_a_free_wakes_the_waiter() {
    let checks = [
        "four distinct blocks",
        "a fifth try_alloc fails",
        "alloc times out after 3 ticks",
        "the waiter waits",
        "a free wakes the higher-priority waiter with that block",
        "the waiter freed it again",
        "the receiver read and freed the block",
        "every block free again",
    ];
    for board in ["qemu-mps2-an385", "qemu-microbit", "qemu-virt-rv32", "qemu-virt-aarch64"] {
        expect("kernel-pool", board, &checks, "pool done\n");
    }
}

#[test]
fn pool_from_an_interrupt_handler_never_waits_and_its_free_wakes_a_thread() {
    let checks = [
        "the handler allocates, the thread frees, ten times",
        "with none free the handler's try_alloc fails at once",
        "the waiter waits",
        "a free in the handler wakes the waiter, which runs on its return",
        "every block free again",
    ];
    for board in ["qemu-mps2-an385", "qemu-microbit", "qemu-virt-rv32", "qemu-virt-aarch64"] {
        expect("kernel-pool-irq", board, &checks, "pool irq done\n");
    }
}
