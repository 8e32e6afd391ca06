//! Kernel time and dynamic threads under QEMU: software timers, tickless
//! idle, spawn and join, on all six boards.
//!
//! Runs fixtures through the real `bluegen run --icount`: under the board's
//! `[qemu.icount]` settings virtual time follows executed instructions, so
//! the exact ticks these tests check do not depend on how busy the host is
//! (the `--timeout` is only a safety net). Needs qemu-system-arm and
//! qemu-system-riscv32/64. Without them the tests fail, they never skip.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use assert_cmd::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn run(fixture: &str, board: &str) -> (i32, String, String) {
    run_with(fixture, board, &["--icount"])
}

fn run_with(fixture: &str, board: &str, extra: &[&str]) -> (i32, String, String) {
    let dir = repo().join("bluegen/tests/fixtures").join(fixture);
    let out = Command::cargo_bin("bluegen")
        .unwrap()
        .env("CARGO_TARGET_DIR", repo().join("target/images"))
        .args(["run", dir.to_str().unwrap(), "--board", board, "--timeout", "120"])
        .args(extra)
        .output()
        .unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.code().unwrap_or(-1), text(&out.stdout), text(&out.stderr))
}

const BOARDS: [&str; 8] = [
    "qemu-mps2-an385",
    "qemu-mps2-an386",
    "qemu-mps2-an505",
    "qemu-microbit",
    "qemu-virt-rv32",
    "qemu-virt-rv64",
    "qemu-virt-aarch64",
    "qemu-virt-aarch64-gicv2",
];

/// The number after `prefix` on its line of `out`.
fn number(out: &str, prefix: &str) -> u32 {
    let line = out.lines().find(|l| l.starts_with(prefix)).unwrap_or_else(|| panic!("no {prefix:?} in\n{out}"));
    line[prefix.len()..].trim().parse().unwrap_or_else(|e| panic!("{line}: {e}"))
}

/// A one-shot timer fires once, on the tick it was due (+25); a periodic
/// one fires every 10 ticks until its fifth callback stops it; a timer
/// stopped before it was due never fires; a restart arms from now again;
/// every callback runs in the timer thread (`kernel-timers`).
#[test]
fn timers_one_shot_periodic_stop_and_restart() {
    let expected = "stop before due: 1\n\
        one-shot fired times: 1\n\
        one-shot fired at +25\n\
        periodic fired times: 5\n\
        periodic on time: 1\n\
        periodic stopped: 1\n\
        stopped fired times: 0\n\
        restarted one-shot fired at +25\n\
        one-shot fired times: 2\n\
        callbacks in timer thread: 1\n";
    for board in BOARDS {
        let (code, out, err) = run("kernel-timers", board);
        assert_eq!(code, 0, "{board}: stdout:\n{out}\nstderr:\n{err}");
        assert!(out.contains(expected), "{board}: {out}");
    }
}

/// Sleeps end on exactly the tick asked for with and without tickless
/// idle; while the only thread left sleeps 200 ticks, a periodic tick
/// takes 200 interrupts and tickless idle a handful (one per span the
/// timer reaches: 67 ticks of SysTick at 25 MHz, unlimited with mtimecmp).
/// All under `--icount`, where the ticks are exact on any host.
#[test]
fn tickless_sleeps_are_exact_and_take_no_periodic_interrupts() {
    for board in BOARDS {
        for (fixture, tickless) in [("kernel-tickless", true), ("kernel-ticks", false)] {
            let (code, out, err) = run(fixture, board);
            assert_eq!(code, 0, "{fixture} on {board}: stdout:\n{out}\nstderr:\n{err}");
            assert!(out.contains("sleeps exact: 1\nnaps exact: 1\nlong sleep ticks: 200\n"), "{fixture} on {board}: {out}");
            let interrupts = number(&out, "tick interrupts during long sleep: ");
            if tickless {
                assert!((1..=4).contains(&interrupts), "{board}: {interrupts} tick interrupts in 200 ticks of sleep");
            } else {
                assert_eq!(interrupts, 200, "{board}: {out}");
            }
        }
    }
}

/// The corrected tick count of tickless idle follows the hardware's time:
/// without `--icount` QEMU's clock is the host's, and the run cannot end
/// before its 383 ticks (3.83 s at 100 Hz) have passed. Only a lower bound,
/// which a busy host can only make easier to meet; the exact ticks, which a
/// busy host would disturb, are checked under `--icount` above.
#[test]
fn tickless_ticks_follow_the_hosts_clock() {
    for board in BOARDS {
        let started = Instant::now();
        let (_, out, err) = run_with("kernel-tickless", board, &[]);
        let took = started.elapsed();
        assert!(out.contains("tick interrupts during long sleep: "), "{board}: stdout:\n{out}\nstderr:\n{err}");
        assert!(took >= Duration::from_millis(3800), "{board}: 383 ticks passed in {took:?}");
    }
}

/// Two workers spawned on the pool's two stacks take turns below the
/// device's thread, a third spawn is refused, both are joined, and a freed
/// slot takes a new thread (`kernel-spawn`).
#[test]
fn spawn_and_join() {
    let expected = "third spawn refused: 1\n\
        running before join: 1\n\
        spawn0 step 0\nspawn1 step 0\nspawn0 step 1\nspawn1 step 1\nspawn0 step 2\nspawn1 step 2\n\
        joined a\njoined b\nsum 66\n\
        spawn0 step 0\nspawn0 step 1\nspawn0 step 2\n\
        respawned and joined, sum 126\n";
    for board in BOARDS {
        let (code, out, err) = run("kernel-spawn", board);
        assert_eq!(code, 0, "{board}: stdout:\n{out}\nstderr:\n{err}");
        assert!(out.contains(expected), "{board}: {out}");
    }
}

/// On ARMv8-M mainline (mps2-an505) the hardware stack limit (PSPLIM)
/// catches a thread's overflow before it reaches the red zone: a UsageFault
/// with STKOF, and the kernel names the thread (`kernel-overflow`; the
/// other boards' red-zone check is tested in kernel_threads.rs).
#[test]
fn psplim_catches_a_stack_overflow_on_armv8m() {
    let (code, out, err) = run("kernel-overflow", "qemu-mps2-an505");
    assert_eq!(code, 1, "stdout:\n{out}\nstderr:\n{err}");
    assert!(out.contains("going deep\n\nfault: stack limit (PSPLIM) exceeded\nstack overflow in thread deep\n"), "{out}");
}
