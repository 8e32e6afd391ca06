//! The kernel's typed API under QEMU, on Arm and RISC-V: `Mutex<T>` and
//! its guard, a `Queue<T, N>` of a non-Copy type, `Duration` timeouts
//! (`--icount`, so the ticks checked are exact on a busy host too), misuse
//! reported, `Thread` handles, suspend and resume, `start = false`, spawn
//! with a priority and an argument, join with a timeout, `set_priority`
//! (fixture `kernel-prio`); and the
//! diagnostics of `start = false`. Needs qemu-system-arm
//! and qemu-system-riscv32/64; without them the tests fail, they never skip.

mod common;

use common::{check, device, repo, run_icount};

const BOARDS: [&str; 4] = ["qemu-mps2-an385", "qemu-microbit", "qemu-virt-rv32", "qemu-virt-aarch64"];

fn run(fixture: &str, board: &str) -> (i32, String, String) {
    let dir = repo().join("bluegen/tests/fixtures").join(fixture);
    let out = run_icount(&dir, board);
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.code().unwrap_or(-1), text(&out.stdout), text(&out.stderr))
}

/// Every check of the `kernel-api` fixture passes, in order.
#[test]
fn typed_mutex_queue_timeouts_misuse_and_threads() {
    for board in BOARDS {
        let (code, out, err) = run("kernel-api", board);
        assert_eq!(code, 0, "{board}: stdout:\n{out}\nstderr:\n{err}");
        assert!(!out.contains("FAILED"), "{board}: {out}");
        let expected = [
            "queue takes two readings",
            "a full queue gives the message back",
            "dropped once",
            "received in order",
            "each message dropped once",
            "30 ms are 30 ticks at 1 kHz",
            "recv times out",
            "after 30 ms",
            "relock by the owner refused",
            "waiter timed out while ctl held it",
            "waiter got it when the guard dropped",
            "binary semaphore takes one give",
            "a second give is refused",
            "take",
            "current thread",
            "start = false: suspended, not run",
            "resume runs it (it preempts)",
            "resume of a running thread refused",
            "a suspended thread does not run",
            "resumed, it runs again",
            "spawned priorities",
            "joined",
            "by priority, with their arguments",
            "join times out while it runs",
            "then joins",
        ]
        .map(|c| format!("{c} ok\n"))
        .concat();
        assert!(out.contains(&expected), "{board}: {out}");
    }
}

/// `Thread::set_priority` (`PRIORITY_CHANGE`), every check of the
/// `kernel-prio` fixture in order: a raised ready thread runs first, the
/// running thread lowered below a ready one switches away at once, a raised
/// semaphore waiter is the one a give wakes, inheritance after a change.
#[test]
fn set_priority_reorders_ready_running_and_waiting_threads() {
    for board in ["qemu-mps2-an385", "qemu-virt-rv32", "qemu-virt-aarch64"] {
        let (code, out, err) = run("kernel-prio", board);
        assert_eq!(code, 0, "{board}: stdout:\n{out}\nstderr:\n{err}");
        assert!(!out.contains("FAILED"), "{board}: {out}");
        let expected = [
            "out of range refused",
            "raise a ready thread",
            "the raised thread ran first",
            "back to 2",
            "raise a waiting thread",
            "the give woke the raised waiter",
            "then the other",
            "low back to 2",
            "lower the running thread",
            "it switched away at once, and was raised back",
            "low holds the mutex",
            "raise mid",
            "inheritance after a change",
        ]
        .map(|c| format!("{c} ok\n"))
        .concat();
        assert!(out.contains(&expected), "{board}: {out}");
    }
}

/// `start` is a bool: anything else is a located error naming the key.
#[test]
fn start_must_be_a_bool() {
    let (code, err) = check(&format!("{}[features]\nthreads = true\nsuspend = true\n[threads.main]\nentry = \"main\"\npriority = 1\nstack = 1024\nstart = \"no\"\n", device("qemu-mps2-an385")));
    assert_eq!(code, 1, "{err}");
    insta::assert_snapshot!(err, @r#"
    error: invalid value for `threads.main.start`
      --> device.toml:11:9
       |
    11 | start = "no"
       |         ^^^^
       = key: threads.main.start
       = value: "no"
       = why: `start` is a bool: whether the thread is ready at start-up
       = hint: write `start = false` for a thread that starts suspended (another thread resumes it), or leave the key out
    "#);
}

/// `start = false` needs `suspend`: a located error with the key to set.
#[test]
fn start_false_needs_suspend() {
    let (code, err) = check(&format!("{}[features]\nthreads = true\n[threads.main]\nentry = \"main\"\npriority = 1\nstack = 1024\nstart = false\n", device("qemu-mps2-an385")));
    assert_eq!(code, 1, "{err}");
    insta::assert_snapshot!(err, @r#"
    error: invalid value for `threads.main.start`
      --> device.toml:10:9
       |
    10 | start = false
       |         ^^^^^
       = key: threads.main.start
       = value: false
       = why: a thread that starts suspended needs the kernel's suspend and resume (`suspend`), which is off
       = hint: set features.suspend = true in device.toml, or remove `start = false`
    "#);
    // Without threads (the minimal preset), both keys.
    let (code, err) = check(&format!("{}[threads.main]\nentry = \"main\"\npriority = 1\nstack = 1024\nstart = false\n", device("qemu-mps2-an385")));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("= hint: set features.threads = true and features.suspend = true in device.toml, or remove `start = false`"), "{err}");
}
