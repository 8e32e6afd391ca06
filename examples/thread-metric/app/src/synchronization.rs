//! Synchronization processing: one thread (priority 10) takes a binary
//! semaphore (it starts at 1) without waiting and gives it back; a give
//! that fails stops the thread (and the count check fails); it counts.

use crate::{Sample, bump, run_report};
use bluegen_kernel::Semaphore;
use core::sync::atomic::{AtomicU32, Ordering::Relaxed};

static SEM: Semaphore<1> = Semaphore::new(1);
static COUNTER: AtomicU32 = AtomicU32::new(0);

/// `[threads.worker]`, priority 10.
pub fn worker() {
    loop {
        let _ = SEM.try_take();
        if SEM.give().is_err() {
            return;
        }
        bump(&COUNTER);
    }
}

/// `[threads.report]`, priority 2.
pub fn report() {
    run_report("synchronization processing", "synchronization", None, || Sample { total: COUNTER.load(Relaxed), check: true })
}
