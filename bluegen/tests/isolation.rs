//! Isolation: unprivileged threads under the MPU or PMP, each kind of fault contained, and the errors of its keys.
//!
//! The QEMU test boots fixture `isolation` on mps2-an385 (PMSAv7),
//! mps2-an505 (PMSAv8) and virt RV32/RV64 (PMP) under -icount: a wild
//! write, a write to and a read of another thread's stack (its address
//! handed over in a shared region), a jump into RAM and a stack overflow
//! each stop (or restart) only their thread, with a line naming it, the
//! access and the address; the counting thread (whose stack word is
//! untouched) and the privileged judge run on and the run ends with success. Needs QEMU; without it the test fails, never skips.

mod common;

use common::{check, device, repo, run_icount};

/// `text` with every `0x…` number replaced by `0x_`: addresses differ by board.
fn masked(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("0x") {
        out.push_str(&rest[..i + 2]);
        out.push('_');
        rest = rest[i + 2..].trim_start_matches(|c: char| c.is_ascii_hexdigit());
    }
    out.push_str(rest);
    out
}

#[test]
fn every_fault_of_an_isolated_thread_is_contained() {
    let fixture = repo().join("bluegen/tests/fixtures/isolation");
    for board in ["qemu-mps2-an385", "qemu-mps2-an505", "qemu-virt-rv32", "qemu-virt-rv64"] {
        let out = run_icount(&fixture, board);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{board}:\n{stdout}\n{stderr}");
        // RISC-V keeps the PC of a stack overflow; Cortex-M loses it (the
        // fault is in the core's stacking).
        let lines: Vec<String> = stdout.lines().filter(|l| !l.is_empty()).map(|l| masked(l).replace("0x_ (pc=0x_); restarting", "0x_; restarting")).collect();
        let counts: Vec<String> = (100..108).map(|n| format!("count {n}")).collect();
        let mut want: Vec<String> = [
            "wild: writing kernel RAM",
            "fault: thread wild: write to 0x_ (pc=0x_); stopped",
            "exec: jumping into RAM",
            "fault: thread exec: execute at 0x_ (pc=0x_); stopped",
            "overflow: run 1",
            "overflow: depth starts at 5",
            "fault: thread overflow: stack overflow at 0x_; restarting",
            "overflow: run 2",
            "overflow: depth starts at 5",
            "fault: thread overflow: stack overflow at 0x_; restarting",
            "overflow: run 3",
            "overflow: depth starts at 5",
            "overflow: done",
            "counter: stack word at 0x_",
            "poke: writing counter's stack",
            "fault: thread poke: write to 0x_ (pc=0x_); stopped",
            "peek: reading counter's stack",
            "fault: thread peek: read of 0x_ (pc=0x_); stopped",
        ]
        .map(String::from)
        .into();
        want.extend(counts);
        want.extend(["counter: stack word is 7".to_string(), "judge: counter reached 108".to_string(), "judge: overflow ran 3".to_string()]);
        assert_eq!(lines, want, "{board}\n{stderr}");
        // The wild write's address is the start of RAM; the write and the
        // read of `counter`'s stack fault at the word it published.
        assert!(stdout.contains("write to 0x20000000 "), "{board}: {stdout}");
        let word = stdout.split("counter: stack word at ").nth(1).and_then(|r| r.lines().next()).unwrap_or_else(|| panic!("{board}: {stdout}"));
        for access in ["poke: write to", "peek: read of"] {
            assert!(stdout.contains(&format!("fault: thread {access} {word} ")), "{board}: {access} {word}: {stdout}");
        }
    }
}

#[test]
fn isolation_keys_need_isolation() {
    let (code, err) = check(&format!("{}\n[features]\nthreads = true\n\n[threads.main]\nentry = \"main\"\npriority = 1\nstack = 1024\non-fault = \"stop\"\n", device("qemu-mps2-an385")));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("threads.main.on-fault") && err.contains("isolation"), "{err}");
}

#[test]
fn isolation_on_a_core_without_support_is_refused() {
    let (code, err) = check(&format!("{}\n[features]\nthreads = true\nisolation = true\n\n[threads.main]\nentry = \"main\"\npriority = 1\nstack = 1024\n", device("qemu-microbit")));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("has no MPU or PMP for isolation") && err.contains("features.isolation"), "{err}");
}
