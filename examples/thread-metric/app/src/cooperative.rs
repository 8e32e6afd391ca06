//! Cooperative scheduling: five threads at one priority (3) each loop
//! relinquish (`yield_now`), then count. Time slicing is off, as in the
//! suite's ThreadX port, so only the relinquish passes the core on.
//! Check: every thread's count within 1 of their average. The period's
//! count is the sum of the five.

use crate::{Sample, bump, run_report, within_one_of_average};
use bluegen_kernel::yield_now;
use core::sync::atomic::{AtomicU32, Ordering::Relaxed};

static COUNTERS: [AtomicU32; 5] = [const { AtomicU32::new(0) }; 5];

fn run(n: usize) -> ! {
    let Some(counter) = COUNTERS.get(n) else { crate::fail("thread number") };
    loop {
        yield_now();
        bump(counter);
    }
}

/// `[threads.t0]` to `[threads.t4]`, priority 3.
pub fn t0() {
    run(0)
}
pub fn t1() {
    run(1)
}
pub fn t2() {
    run(2)
}
pub fn t3() {
    run(3)
}
pub fn t4() {
    run(4)
}

/// `[threads.report]`, priority 2.
pub fn report() {
    run_report("cooperative scheduling", "cooperative", Some("each thread within 1 of the average"), || {
        let c = COUNTERS.each_ref().map(|c| c.load(Relaxed));
        Sample { total: c.iter().fold(0u32, |s, &x| s.wrapping_add(x)), check: within_one_of_average(&c) }
    })
}
