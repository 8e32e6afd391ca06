//! Preemptive scheduling: five threads of priorities 10 (t0) to 6 (t4);
//! all but t0 start suspended (`start = false`). t0 resumes t1, which
//! preempts it and resumes t2, and so on up to t4; each counts and
//! suspends itself, so the core falls back step by step to t0, still in
//! its resume call, which counts and starts over. Check: every thread's
//! count within 1 of their average. The period's count is the sum.

use crate::{Sample, bump, run_report, within_one_of_average};
use bluegen_kernel::Thread;
use core::sync::atomic::{AtomicU32, Ordering::Relaxed};

static COUNTERS: [AtomicU32; 5] = [const { AtomicU32::new(0) }; 5];

fn find(name: &str) -> Thread {
    match Thread::find(name) {
        Some(t) => t,
        None => crate::fail("find the next thread"),
    }
}

/// `[threads.t0]`, priority 10: resumes t1, counts.
pub fn t0() {
    let next = find("t1");
    let counter = &COUNTERS[0];
    loop {
        next.resume();
        bump(counter);
    }
}

/// t1 to t3: resume the next, count, suspend.
fn middle(n: usize, next: &str) -> ! {
    let next = find(next);
    let me = Thread::current();
    let Some(counter) = COUNTERS.get(n) else { crate::fail("thread number") };
    loop {
        next.resume();
        bump(counter);
        me.suspend();
    }
}

/// `[threads.t1]`, priority 9.
pub fn t1() {
    middle(1, "t2")
}
/// `[threads.t2]`, priority 8.
pub fn t2() {
    middle(2, "t3")
}
/// `[threads.t3]`, priority 7.
pub fn t3() {
    middle(3, "t4")
}

/// `[threads.t4]`, priority 6: counts, suspends.
pub fn t4() {
    let me = Thread::current();
    let counter = &COUNTERS[4];
    loop {
        bump(counter);
        me.suspend();
    }
}

/// `[threads.report]`, priority 2.
pub fn report() {
    run_report("preemptive scheduling", "preemptive", Some("each thread within 1 of the average"), || {
        let c = COUNTERS.each_ref().map(|c| c.load(Relaxed));
        Sample { total: c.iter().fold(0u32, |s, &x| s.wrapping_add(x)), check: within_one_of_average(&c) }
    })
}
