//! Interrupt processing: one thread (priority 10) takes the binary
//! semaphore (it starts at 1), then loops: it pends a device interrupt
//! (`[interrupts.soft]`: the NVIC's pending register on Cortex-M, the
//! machine software interrupt on RISC-V), whose handler counts and
//! gives the semaphore; back in the thread, a take without waiting must
//! succeed, and the thread counts. Check: the thread's and the handler's
//! counts within 1 of their average. The period's count is the handler's.

use crate::{Sample, bump, run_report, within_one_of_average};
use bluegen_kernel::{Semaphore, port};
use core::sync::atomic::{AtomicU32, Ordering::Relaxed};

static SEM: Semaphore<1> = Semaphore::new(1);
static THREAD: AtomicU32 = AtomicU32::new(0);
static HANDLER: AtomicU32 = AtomicU32::new(0);

/// `[threads.worker]`, priority 10.
pub fn worker() {
    if SEM.try_take().is_err() {
        return;
    }
    loop {
        if !port::pend_irq(crate::SOFT0) {
            crate::fail("pend_irq");
        }
        // The handler has run: the semaphore is there to take.
        if SEM.try_take().is_err() {
            return;
        }
        bump(&THREAD);
    }
}

/// `[interrupts.soft]`: counts, gives the semaphore.
pub fn on_soft() {
    bump(&HANDLER);
    let _ = SEM.give();
}

/// `[threads.report]`, priority 2.
pub fn report() {
    run_report("interrupt processing", "interrupt", Some("thread and handler within 1 of the average"), || {
        let c = [THREAD.load(Relaxed), HANDLER.load(Relaxed)];
        Sample { total: c[1], check: within_one_of_average(&c) }
    })
}
