//! Basic processing: one thread (priority 10) updates a 1024-word array
//! in a loop, `a[i] = (a[i] + counter) ^ a[i]`, and counts the passes. No
//! kernel call: the baseline that scales the other tests (every RTOS
//! should score the same here on the same core). Check: the count advanced.

use crate::{Sample, bump, run_report};
use core::sync::atomic::{AtomicU32, Ordering::Relaxed};

static COUNTER: AtomicU32 = AtomicU32::new(0);
/// The array, as the suite's `volatile unsigned long[1024]`.
static ARRAY: [AtomicU32; 1024] = [const { AtomicU32::new(0) }; 1024];

/// `[threads.worker]`, priority 10.
pub fn worker() {
    for a in &ARRAY {
        a.store(0, Relaxed);
    }
    loop {
        for a in &ARRAY {
            let v = a.load(Relaxed);
            a.store(v.wrapping_add(COUNTER.load(Relaxed)) ^ v, Relaxed);
        }
        bump(&COUNTER);
    }
}

/// `[threads.report]`, priority 2.
pub fn report() {
    run_report("basic processing", "basic", None, || Sample { total: COUNTER.load(Relaxed), check: true })
}
