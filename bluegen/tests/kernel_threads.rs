//! Kernel threads under QEMU: own stacks, priority order, yield, exit.
//!
//! Runs the `kernel-*` fixtures through the real `bluegen run --icount` on
//! Arm and RISC-V: under the board's `[qemu.icount]` settings virtual time
//! follows executed instructions, so what the fixtures print about ticks,
//! slices and timeouts is the same on an idle and on a busy host (the
//! `--timeout` is only a safety net). Needs qemu-system-arm and
//! qemu-system-riscv32/64; without them the tests fail, they never skip.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn run(fixture: &str, board: &str) -> (i32, String, String) {
    run_at(&repo().join("bluegen/tests/fixtures").join(fixture), board)
}

fn run_at(dir: &Path, board: &str) -> (i32, String, String) {
    let out = Command::cargo_bin("bluegen")
        .unwrap()
        .env("CARGO_TARGET_DIR", repo().join("target/images"))
        .args([
            "run",
            dir.to_str().unwrap(),
            "--board",
            board,
            "--timeout",
            "120",
            "--icount",
        ])
        .output()
        .unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (
        out.status.code().unwrap_or(-1),
        text(&out.stdout),
        text(&out.stderr),
    )
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

/// `high` first, the two equal-priority peers alternating on every yield,
/// `low` last (it runs only once both peers exited); the idle thread ends
/// the run with success when no thread is left.
#[test]
fn threads_run_by_priority_and_yield_round_robin() {
    let expected =
        "high 0\npeer_a 0\npeer_b 0\npeer_a 1\npeer_b 1\npeer_a 2\npeer_b 2\nlow 3\ndone\n";
    for board in BOARDS {
        let (code, out, err) = run("kernel-threads", board);
        assert_eq!(code, 0, "{board}: stdout:\n{out}\nstderr:\n{err}");
        assert!(out.contains(expected), "{board}: {out}");
    }
}

/// A sleeping high-priority thread preempts two spinning low ones on the
/// exact tick it asked for; the spinners, which never yield, both progress
/// through time slicing (`kernel-preempt`, 100 Hz tick, 2-tick slices).
#[test]
fn tick_wakes_sleepers_on_time_preempts_and_slices() {
    for board in BOARDS {
        let (code, out, err) = run("kernel-preempt", board);
        assert_eq!(code, 0, "{board}: stdout:\n{out}\nstderr:\n{err}");
        for line in [
            "slept 10x5 ticks, now at +50\n",
            "sleep_until exact: 1\n",
            "spinners shared: 1\n",
        ] {
            assert!(out.contains(line), "{board}: missing {line:?} in\n{out}");
        }
    }
}

/// A thread preempted by the tick with values in caller-saved registers
/// resumes from another thread's voluntary switch, and a thread that
/// yields with values in callee-saved registers (and ra) resumes from a
/// preemption, many times over (`kernel-switch-mix`, 1-tick slices). On
/// RISC-V the two kinds save different records; resuming a preempted
/// thread as a voluntary one (without its caller-saved registers) changes
/// `spinner`'s sum, a voluntary record without ra `yielder`'s (on RV32,
/// where a lane lives in ra), and a switch that saves no FP registers on
/// RV64GC the FP sums (checked by breaking each on purpose).
#[test]
fn voluntary_and_preempted_switches_resume_each_other() {
    for board in BOARDS {
        let (code, out, err) = run("kernel-switch-mix", board);
        assert_eq!(code, 0, "{board}: stdout:\n{out}\nstderr:\n{err}");
        assert!(out.contains("switch mix ok\n"), "{board}: {out}");
        assert!(!out.contains("registers lost"), "{board}: {out}");
    }
}

/// A yield inside a critical section switches only when the section ends
/// (PendSV on Cortex-M, the machine software interrupt on RISC-V), so a
/// `CriticalSection` token never outlives the masking it stands for.
#[test]
fn a_yield_inside_a_critical_section_waits_for_its_end() {
    for board in BOARDS {
        let (code, out, err) = run("kernel-critical-yield", board);
        assert_eq!(code, 0, "{board}: stdout:\n{out}\nstderr:\n{err}");
        assert!(out.contains("critical yield ok\n"), "{board}: {out}");
    }
}

/// Semaphore, queue, event and mutex semantics with exact timeouts in ticks, and
/// the three-thread priority inversion resolved by inheritance: the low
/// owner unlocks before the medium thread runs (`kernel-sync`).
#[test]
fn semaphore_queue_mutex_and_priority_inheritance() {
    for board in BOARDS {
        let (code, out, err) = run("kernel-sync", board);
        assert_eq!(code, 0, "{board}: stdout:\n{out}\nstderr:\n{err}");
        assert!(!out.contains("FAILED"), "{board}: {out}");
        assert!(out.contains("events all needs all ok\nlow: unlock\nhigh: got mutex\nmed: ran\ninversion resolved ok\n"), "{board}: {out}");
        assert_eq!(out.matches(" ok\n").count(), 15, "{board}: {out}");
    }
}

/// Priority inheritance holds while the owner is not running: a mutex
/// owner that sleeps, or blocks on a semaphore, while a higher thread waits
/// for its mutex runs at once when its sleep ends or the semaphore is given,
/// ahead of a medium thread that is running (`kernel-pi-sleep`; before, the
/// medium thread finished first).
#[test]
fn an_owner_that_waits_runs_at_its_waiters_priority_when_woken() {
    for board in BOARDS {
        let (code, out, err) = run("kernel-pi-sleep", board);
        assert_eq!(code, 0, "{board}: stdout:\n{out}\nstderr:\n{err}");
        let scene = "low: unlock\nhigh: got mutex\nmed: ran\nscene over ok\n";
        assert_eq!(out.matches(scene).count(), 2, "{board}: {out}");
    }
}

/// The benchmark examples run on every board and print their one `BENCH`
/// line (the figures are only exact under `-icount`, which `bluegen bench`
/// adds on the boards that have it; its own test checks them).
#[test]
fn bench_examples_print_their_metric() {
    for (example, metric, count) in [
        ("bench-switch", "BENCH context_switch_instructions=", 2000),
        ("bench-queue", "BENCH queue_roundtrip_instructions=", 1000),
    ] {
        for board in BOARDS {
            let (code, out, err) = run_at(&repo().join("examples").join(example), board);
            assert_eq!(
                code, 0,
                "{example} on {board}: stdout:\n{out}\nstderr:\n{err}"
            );
            let line = out
                .lines()
                .find(|l| l.starts_with(metric))
                .unwrap_or_else(|| panic!("{board}: {out}"));
            let (units, n) = line[metric.len()..]
                .split_once('/')
                .unwrap_or_else(|| panic!("{board}: {line}"));
            assert!(units.parse::<u64>().is_ok_and(|u| u > 0), "{board}: {line}");
            assert_eq!(n.parse::<u32>().ok(), Some(count), "{board}: {line}");
        }
    }
}

/// Eight threads, 10 000 messages through a four-slot queue, time slicing
/// and a thread preempting on every tick; the checksum must match.
#[test]
fn stress_eight_threads_ten_thousand_messages() {
    for board in BOARDS {
        let (code, out, err) = run("kernel-stress", board);
        assert_eq!(code, 0, "{board}: stdout:\n{out}\nstderr:\n{err}");
        assert!(
            out.contains("stress received=10000 checksum=995535000 ok\n"),
            "{board}: {out}"
        );
    }
}

/// The `standard` preset in use (`examples/standard`: two threads, sleep,
/// semaphore, mutex, queue, console) fits the kernel's budget on
/// mps2-an385: 4 KiB of flash and 1 KiB of static RAM besides the thread
/// stacks (2 × 1 KiB here, plus the kernel's 384 B idle stack), and prints
/// what it should on every board.
#[test]
fn standard_preset_fits_its_footprint_budget() {
    let dir = repo().join("examples/standard");
    let out = Command::cargo_bin("bluegen")
        .unwrap()
        .env("CARGO_TARGET_DIR", repo().join("target/images"))
        .args(["build", dir.to_str().unwrap(), "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let n = |k: &str| json["sections"][k].as_u64().unwrap();
    let flash = n("text") + n("rodata") + n("data");
    assert_eq!(n("thread_stacks"), 2 * 1024 + 384, "{json}");
    let ram = n("data") + n("bss") - n("thread_stacks");
    // Issue 11's budget on mps2-an385 (the example's board): 3 300 B of
    // flash, 640 B of static RAM besides stacks.
    assert!(
        flash <= 3300,
        "standard uses {flash} B of flash; the budget is 3 300 B"
    );
    assert!(
        ram <= 640,
        "standard uses {ram} B of static RAM besides stacks; the budget is 640 B"
    );
    for board in BOARDS {
        let (code, out, err) = run_at(&dir, board);
        assert_eq!(code, 0, "{board}: stdout:\n{out}\nstderr:\n{err}");
        assert!(out.contains("0\n1\n2\nstandard ok\n"), "{board}: {out}");
    }
}

/// The heap (`kernel-heap`, Kconfig HEAP): two preempting threads allocate
/// Box, Vec and String from one talc arena; after five rounds of growing
/// and freeing, a block of most of the arena still fits (nothing leaked),
/// and a request beyond the arena is refused without ending the run.
#[test]
fn heap_allocates_from_threads_and_frees() {
    for board in BOARDS {
        let (code, out, err) = run("kernel-heap", board);
        assert_eq!(code, 0, "{board}: stdout:\n{out}\nstderr:\n{err}");
        assert!(out.contains("small done\nheap ok\n"), "{board}: {out}");
        assert!(!out.contains("FAILED"), "{board}: {out}");
    }
}

/// A thread reads where no memory is: the fault handler names the cause,
/// the faulting PC and (where the core knows it) the address, and the run
/// fails (`kernel-fault`, standard preset).
#[test]
fn a_fault_is_reported_and_fails_the_run() {
    for board in BOARDS {
        let (code, out, err) = run("kernel-fault", board);
        assert_eq!(code, 1, "{board}: stdout:\n{out}\nstderr:\n{err}");
        assert!(out.contains("about to fault\n"), "{board}: {out}");
        let line = out
            .lines()
            .find(|l| l.starts_with("fault: "))
            .unwrap_or_else(|| panic!("{board}: {out}"));
        assert!(line.contains(" at pc=0x"), "{board}: {line}");
        if board != "qemu-microbit" {
            assert!(
                line.contains("addr=0x") && line.contains("fffffff0"),
                "{board}: {line}"
            );
        }
    }
}

/// A thread that recurses past its 512-byte stack is caught by the red
/// zone check at a switch, named, and the run fails (`kernel-overflow`).
#[test]
fn a_stack_overflow_is_caught_and_named() {
    for board in BOARDS {
        let (code, out, err) = run("kernel-overflow", board);
        assert_eq!(code, 1, "{board}: stdout:\n{out}\nstderr:\n{err}");
        assert!(
            out.contains("going deep\n") && out.contains("stack overflow in thread deep\n"),
            "{board}: {out}"
        );
        assert!(!out.contains("no overflow?"), "{board}: {out}");
    }
}

/// A thread that overflows its stack without yielding and then keeps
/// running on the memory below it is named on every board: by the red
/// zone check at a tick, by the fault handler when the overflow ran into
/// memory that is not there (mps2-an385/an386, microbit, before anything
/// reads the broken exception frame), or by PSPLIM on mps2-an505
/// (`kernel-runaway`).
#[test]
fn a_runaway_stack_overflow_is_named_on_every_board() {
    for board in BOARDS {
        let (code, out, err) = run("kernel-runaway", board);
        assert_eq!(code, 1, "{board}: stdout:\n{out}\nstderr:\n{err}");
        assert!(out.contains("going deep\n") && out.contains("stack overflow in thread deep\n"), "{board}: {out}");
        assert!(!out.contains("no overflow?") && !out.contains("fault: usage fault"), "{board}: {out}");
    }
}
