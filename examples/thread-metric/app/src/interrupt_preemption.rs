//! Interrupt preemption processing: `worker` (priority 10) loops pending
//! a device interrupt (`[interrupts.soft]`) and counting; the handler
//! counts and resumes `woken` (priority 3, `start = false`), which
//! preempts `worker` as the handler returns, counts and suspends itself.
//! Check: the three counts within 1 of their average. The period's count
//! is the handler's.

use crate::{Sample, bump, run_report, within_one_of_average};
use bluegen_kernel::port::{CsCell, critical, pend_irq};
use bluegen_kernel::Thread;
use core::sync::atomic::{AtomicU32, Ordering::Relaxed};

static WOKEN: AtomicU32 = AtomicU32::new(0);
static WORKER: AtomicU32 = AtomicU32::new(0);
static HANDLER: AtomicU32 = AtomicU32::new(0);
/// The thread the handler resumes (the reporting thread finds it first).
static TARGET: CsCell<Option<Thread>> = CsCell::new(None);

/// `[threads.woken]`, priority 3: counts, suspends itself.
pub fn woken() {
    let me = Thread::current();
    loop {
        bump(&WOKEN);
        me.suspend();
    }
}

/// `[threads.worker]`, priority 10.
pub fn worker() {
    loop {
        if !pend_irq(crate::SOFT0) {
            crate::fail("pend_irq");
        }
        // `woken` ran and suspended itself before this.
        bump(&WORKER);
    }
}

/// `[interrupts.soft]`: counts, resumes `woken`.
pub fn on_soft() {
    bump(&HANDLER);
    if let Some(t) = critical(|cs| TARGET.get(cs)) {
        t.resume();
    }
}

/// `[threads.report]`, priority 2.
pub fn report() {
    let woken = Thread::find("woken");
    critical(|cs| TARGET.set(cs, woken));
    run_report("interrupt preemption processing", "interrupt_preemption", Some("threads and handler within 1 of the average"), || {
        let c = [WOKEN.load(Relaxed), WORKER.load(Relaxed), HANDLER.load(Relaxed)];
        Sample { total: c[2], check: within_one_of_average(&c) }
    })
}
