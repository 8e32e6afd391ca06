//! Scheduler fairness (issue 11 §4), booted under QEMU `-icount`: a thread
//! preempted by a higher-priority one resumes first among its equals and
//! keeps the rest of its time slice, as in ThreadX. Both fixtures fail on
//! the scheduler before the fix (spread 100 turns; one busy thread 0).

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn run(fixture: &str, board: &str) -> (i32, String, String) {
    let dir = repo().join("bluegen/tests/fixtures").join(fixture);
    let out = Command::cargo_bin("bluegen")
        .unwrap()
        .env("CARGO_TARGET_DIR", repo().join("target/images"))
        .args(["run", dir.to_str().unwrap(), "--board", board, "--timeout", "120", "--icount"])
        .output()
        .unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.code().unwrap_or(-1), text(&out.stdout), text(&out.stderr))
}

const BOARDS: [&str; 7] = ["qemu-mps2-an385", "qemu-mps2-an386", "qemu-mps2-an505", "qemu-microbit", "qemu-virt-rv32", "qemu-virt-rv64", "qemu-virt-aarch64"];

/// Five equal threads yield in turn; a higher reporter wakes on every tick
/// (100 times) and preempts one of them. Every thread's turns stay within
/// one of the others' at each wake-up (`kernel-fair-yield`).
#[test]
fn a_preempted_thread_resumes_first_among_its_equals() {
    for board in BOARDS {
        let (code, out, err) = run("kernel-fair-yield", board);
        assert_eq!(code, 0, "{board}: stdout:\n{out}\nstderr:\n{err}");
        assert!(out.contains("worst spread: 0\n") || out.contains("worst spread: 1\n"), "{board}: {out}");
        let turns: Vec<u32> = out.lines().find_map(|l| l.strip_prefix("turns: ")).expect("a turns line").split(' ').map(|n| n.parse().unwrap()).collect();
        assert_eq!(turns.len(), 5, "{board}: {out}");
        assert!(turns.iter().max().unwrap() - turns.iter().min().unwrap() <= 1, "{board}: {out}");
    }
}

/// Two busy equal threads with 10-tick slices and a higher one that sleeps
/// one tick 100 times: the slices still run out, so each busy thread runs
/// about 50 of the 100 ticks (±10, one slice); the bound checked is a
/// quarter of all the counting each (`kernel-fair-slice`).
#[test]
fn a_preempted_thread_keeps_the_rest_of_its_slice() {
    for board in BOARDS {
        let (code, out, err) = run("kernel-fair-slice", board);
        assert_eq!(code, 0, "{board}: stdout:\n{out}\nstderr:\n{err}");
        let line = out.lines().find(|l| l.starts_with("busy_a ")).expect("a counts line");
        let n: Vec<u64> = line.split(' ').filter_map(|w| w.parse().ok()).collect();
        let (a, b) = (n[0], n[1]);
        assert!(a * 4 >= a + b && b * 4 >= a + b, "{board}: one busy thread starved: {line}");
        assert!(out.contains("both progressed\n"), "{board}: {out}");
    }
}
