//! The POSIX API of C apps under QEMU, on Arm and RISC-V: one conformance
//! program per option group (fixtures `posix-sem`, `posix-threads`,
//! `posix-mq`, `posix-locks`, `posix-timers`, C sources printing `ok <assertion>` or `FAIL <assertion>`
//! and a `PASSED`/`FAILED` summary; the run's status is theirs). Runs under
//! `--icount`, so the timeouts they measure are exact on a busy host. Needs
//! qemu-system-arm, qemu-system-riscv32 and the C toolchains; without them
//! the tests fail, they never skip.

mod common;

use common::{check, device, repo, run_icount};
use std::process::Command;

const BOARDS: [&str; 3] = ["qemu-mps2-an385", "qemu-virt-rv32", "qemu-virt-aarch64"];

/// Runs `fixture` on both boards; every assertion passes, and each of
/// `expected` is among them.
fn conforms(fixture: &str, expected: &[&str]) {
    let dir = repo().join("bluegen/tests/fixtures").join(fixture);
    for board in BOARDS {
        let out = run_icount(&dir, board);
        let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert_eq!(out.status.code(), Some(0), "{fixture} on {board}: stdout:\n{stdout}\nstderr:\n{stderr}");
        assert!(!stdout.contains("FAIL"), "{fixture} on {board}:\n{stdout}");
        assert!(stdout.contains("PASSED: 0 failed"), "{fixture} on {board}:\n{stdout}");
        // Neither the C nor the components warn (a user would see it).
        assert!(!stderr.contains("warning"), "{fixture} on {board}: warnings:\n{stderr}");
        for line in expected {
            assert!(stdout.lines().any(|l| l == format!("ok {line}")), "{fixture} on {board}: no `ok {line}` in\n{stdout}");
        }
    }
}

/// Semaphores (unnamed and named, timeouts, a post waking a higher
/// waiter at once), clocks and sleeps, with the feature macros of exactly
/// the groups that are on.
#[test]
fn semaphores_clocks_and_sleeps() {
    conforms(
        "posix-sem",
        &[
            "feature macros: semaphores, timers, monotonic clock, clock selection on; threads and message passing off",
            "sem_post runs a higher-priority waiter at once",
            "sem_timedwait waits its time",
            "sem_open O_EXCL of an existing one: EEXIST",
            "nanosleep sleeps at least its time",
            "clock_nanosleep sleeps until its time",
        ],
    );
}

/// Timers: SIGEV_NONE read back, SIGEV_THREAD functions on pthreads at
/// their times (one-shot, periodic, absolute, CLOCK_REALTIME following
/// clock_settime), overruns, deletion, and the errors.
#[test]
fn timers() {
    conforms(
        "posix-timers",
        &[
            "feature macros: timers and threads on",
            "timer_create beyond TIMER_MAX: EAGAIN",
            "timer_create with SIGEV_SIGNAL: EINVAL",
            "a one-shot timer that expired is disarmed",
            "a periodic timer keeps its period",
            "a one-shot timer fires at its time",
            "the function runs on a pthread of sigev_notify_attributes",
            "a 20 ms periodic timer fires every 20 ms",
            "an absolute timer fires at its time",
            "a deleted timer does not fire",
            "clock_settime past an absolute CLOCK_REALTIME timer fires it",
            "timer_getoverrun counts the periods the function missed",
        ],
    );
}

/// Threads, keys and attributes; priorities ordering; mutex types and
/// errors; a timed lock expiring; priority inheritance lifting the owner;
/// condition variables.
#[test]
fn threads_mutexes_and_condition_variables() {
    conforms(
        "posix-threads",
        &[
            "threads run highest priority first",
            "pthread_exit's value reaches pthread_join",
            "the destructor ran at the thread's end",
            "pthread_mutex_timedlock of a held mutex times out after its time",
            "errorcheck: relock: EDEADLK",
            "PTHREAD_PRIO_INHERIT lifts the owner above medium",
            "a broadcast wakes the rest",
            "and it waited its time",
        ],
    );
}

/// Message queues: priority order, FIFO within a priority, blocking and
/// O_NONBLOCK, timeouts, errors.
#[test]
fn message_queues() {
    conforms(
        "posix-mq",
        &[
            "the highest priority first",
            "then FIFO within a priority (2)",
            "mq_timedsend on a full queue: ETIMEDOUT",
            "a receive lets the blocked sender in",
            "the blocked receiver got it",
        ],
    );
}

/// Barriers, reader-writer locks (writers first, timeouts) and spin locks.
#[test]
fn barriers_rwlocks_and_spin_locks() {
    conforms(
        "posix-locks",
        &[
            "the third releases all; one gets PTHREAD_BARRIER_SERIAL_THREAD",
            "pthread_rwlock_timedwrlock times out after its time",
            "a waiting writer goes before new readers",
            "a waiting thread gets it after the unlock",
        ],
    );
}

/// `examples/posix-c`: producer and consumer pthreads with a mutex, a
/// condition variable, a semaphore and a message queue, on both boards.
#[test]
fn the_posix_c_example_runs() {
    for board in BOARDS {
        let out = run_icount(&repo().join("examples/posix-c"), board);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{board}: {stdout}\n{}", String::from_utf8_lossy(&out.stderr));
        assert!(stdout.contains("main: consumed item 5\nmain: 5 made, 5 taken\n"), "{board}: {stdout}");
    }
}

/// The posix crate's host unit tests, once per option group alone and
/// once with all of them (`cargo test --workspace` builds it without
/// features), in a target directory of their own (the outer cargo holds
/// the workspace's lock).
#[test]
fn posix_host_tests_pass_per_group_and_with_all() {
    let groups = ["posix-threads-base", "posix-semaphores", "posix-message-passing", "posix-timers", "posix-clock-selection", "posix-barriers", "posix-reader-writer-locks", "posix-spin-locks"];
    let all = groups.join(",");
    for features in groups.iter().map(|g| g.to_string()).chain([all]) {
        let out = Command::new(env!("CARGO"))
            .current_dir(repo())
            .args(["test", "--locked", "-p", "bluegen-posix", "--features", &features])
            .env("CARGO_TARGET_DIR", repo().join("target/posix-host"))
            .output()
            .unwrap();
        let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(out.status.success() && stdout.contains("test result: ok."), "[{features}]:\n{stdout}\n{stderr}");
        // A group alone leaves nothing unused: users see these warnings.
        assert!(!stderr.contains("warning:"), "[{features}]:\n{stderr}");
    }
}

/// The conformance programs build for the other emulated boards too
/// (v7E-M hard-float, v8-M, v6-M with 16 KiB of RAM, rv64gc), without a
/// warning.
#[test]
fn conformance_programs_build_for_every_board() {
    for fixture in ["posix-sem", "posix-threads", "posix-mq", "posix-locks", "posix-timers"] {
        let dir = repo().join("bluegen/tests/fixtures").join(fixture);
        for board in ["qemu-mps2-an386", "qemu-mps2-an505", "qemu-microbit", "qemu-virt-rv64"] {
            let out = common::bluegen_images().args(["build", dir.to_str().unwrap(), "--board", board]).output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(out.status.success(), "{fixture} on {board}:\n{stderr}");
            assert!(!stderr.contains("warning"), "{fixture} on {board}: warnings:\n{stderr}");
        }
    }
}

/// Header tests on every emulated board: each header compiles on its own
/// (one C file each, every group on) and declares what it should, and
/// the feature macros are exactly those of the groups that are on.
#[test]
fn headers_compile_alone_on_every_board() {
    let dir = repo().join("bluegen/tests/fixtures/posix-headers");
    for board in ["qemu-mps2-an385", "qemu-mps2-an386", "qemu-mps2-an505", "qemu-microbit", "qemu-virt-rv32", "qemu-virt-rv64", "qemu-virt-aarch64"] {
        let out = run_icount(&dir, board);
        let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert_eq!(out.status.code(), Some(0), "{board}: stdout:\n{stdout}\nstderr:\n{stderr}");
        for header in ["pthread.h", "semaphore.h", "mqueue.h", "time.h", "sched.h", "unistd.h"] {
            assert!(stdout.contains(&format!("ok header {header}\n")), "{board}: {stdout}");
        }
        assert!(!stderr.contains("warning: posix_headers-image"), "{board}: C warnings:\n{stderr}");
    }
}

/// A POSIX group in a device without C sources: a located error that
/// says what the groups need.
#[test]
fn a_posix_group_without_c_is_a_located_error() {
    let (code, err) = check(&format!("{}[features]\nthreads = true\npreempt = true\nposix-semaphores = true\n\n{}", device("qemu-mps2-an385"), common::THREAD));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("unknown feature `posix-semaphores`") && err.contains("device.toml:7:1"), "{err}");
    assert!(err.contains("hint: the POSIX option groups are for C apps: add a [c] table"), "{err}");
}

/// `size --feature-cost` of a C app on the POSIX layer: the groups (and
/// `threads`) its C sources use are rows that say so, not a failed run;
/// the others are measured.
#[test]
fn feature_cost_of_a_posix_c_app_names_the_groups_its_c_needs() {
    let dir = repo().join("examples/posix-c");
    let out = common::bluegen_images().args(["size", dir.to_str().unwrap(), "--feature-cost"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    for group in ["threads", "posix-threads-base", "posix-semaphores", "posix-message-passing"] {
        let row = stdout.lines().find(|l| l.split_whitespace().next() == Some(group)).unwrap_or_else(|| panic!("no {group} row:\n{stdout}"));
        assert!(row.contains(&format!("not applicable: the device's C sources do not compile without `{group}`")), "{row}");
    }
    let row = stdout.lines().find(|l| l.starts_with("stack-check ")).unwrap_or_else(|| panic!("no stack-check row:\n{stdout}"));
    assert!(row.contains(" B") && !row.contains("not applicable"), "{row}");
}

/// `examples/bench-posix` uses every group, each part under its group's
/// feature macro, and its bench.toml asks `bluegen bench` for each group's
/// cost: the device is built without each (as `size --feature-cost` does)
/// and the rows give what the group costs in use (the book's POSIX page).
#[test]
fn bench_measures_what_each_group_costs() {
    let out = common::bluegen_images().args(["bench", "--example", "bench-posix", "--board", "qemu-mps2-an385", "--no-timings", "--json"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let rows: Vec<serde_json::Value> = serde_json::from_str(&stdout).unwrap();
    let value = |metric: &str| rows.iter().find(|r| r["metric"] == metric).and_then(|r| r["value"].as_f64()).unwrap_or_else(|| panic!("no {metric} row:\n{stdout}"));
    for group in ["posix-threads-base", "posix-semaphores", "posix-message-passing", "posix-timers", "posix-clock-selection", "posix-barriers", "posix-reader-writer-locks", "posix-spin-locks"] {
        assert!(value(&format!("{group}_cost_flash_bytes")) > 0.0, "{group} costs flash in use:\n{stdout}");
        assert!(value(&format!("{group}_cost_ram_bytes")) >= 0.0);
    }
    // The figures next to them still run.
    assert!(value("posix_mutex_pair_instructions") > 0.0);
}
