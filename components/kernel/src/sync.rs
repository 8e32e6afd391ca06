//! Waiting and waking for the blocking objects: [`crate::Semaphore`],
//! [`crate::Mutex`], [`crate::Queue`] and [`crate::Events`].
//!
//! Every blocking call takes a [`crate::Timeout`] (kept here as its raw
//! ticks: 0 no wait, `u32::MAX` forever); give, unlock and send never
//! block and work from interrupt handlers.
//!
//! Each object keeps its waiters as a bitmap of thread indices, so the
//! highest-priority waiter is one `trailing_zeros` away. A waiter leaves the
//! ready set and, with a finite timeout, joins the sleepers; whichever comes
//! first, a give or the timeout, makes it ready again, and its `GIVEN` flag
//! tells which.

use crate::sched::MAX_THREADS;
use crate::thread::critical;
use crate::thread::state::*;
use core::sync::atomic::Ordering::Relaxed;
use core::sync::atomic::AtomicU32;

/// A raw timeout: do not wait.
pub(crate) const NO_WAIT: u32 = 0;
/// A raw timeout: wait until given, however long.
pub(crate) const FOREVER: u32 = u32::MAX;

/// The caller's thread index. Only threads block or own a mutex, never
/// idle or an interrupt handler; the modulo keeps indexing panic-free.
pub(crate) fn me() -> usize {
    CURRENT.load(Relaxed) % MAX_THREADS
}

/// Inside a critical section: the calling thread leaves the ready set and
/// waits in `waiters` for at most `timeout` ticks.
pub(crate) fn enqueue(waiters: &AtomicU32, timeout: u32) {
    let me = me();
    let bit = 1 << me;
    waiters.store(waiters.load(Relaxed) | bit, Relaxed);
    READY.store(READY.load(Relaxed) & !bit, Relaxed);
    GIVEN[me].store(false, Relaxed);
    if timeout != FOREVER {
        WAKE[me].store(TICKS.load(Relaxed).wrapping_add(timeout), Relaxed);
        SLEEPING.store(SLEEPING.load(Relaxed) | bit, Relaxed);
    }
}

/// After waking: whether it was a give; on a timeout, leaves `waiters`.
/// A wait without a timeout ends only by a give ([`wake_one`]), so it needs
/// no second critical section (a dozen instructions off every blocking call).
/// Inlined, so that a constant `FOREVER` leaves no call behind.
#[inline(always)]
pub(crate) fn dequeue_after_wait(waiters: &AtomicU32, timeout: u32) -> bool {
    timeout == FOREVER || dequeue_after_timed_wait(waiters)
}

/// The out-of-line part of [`dequeue_after_wait`], for a finite timeout.
fn dequeue_after_timed_wait(waiters: &AtomicU32) -> bool {
    critical(|| {
        let me = me();
        let given = GIVEN[me].load(Relaxed);
        if !given {
            waiters.store(waiters.load(Relaxed) & !(1 << me), Relaxed);
        }
        given
    })
}

/// Inside a critical section: makes the highest-priority waiter ready with
/// its wait given; returns it, and whether it should preempt the caller.
pub(crate) fn wake_one(waiters: &AtomicU32) -> Option<(usize, bool)> {
    let w = waiters.load(Relaxed);
    if w == 0 {
        return None;
    }
    let i = w.trailing_zeros() as usize % MAX_THREADS;
    let bit = 1 << i;
    waiters.store(w & !bit, Relaxed);
    SLEEPING.store(SLEEPING.load(Relaxed) & !bit, Relaxed);
    let runnable = crate::suspend::runnable(bit);
    READY.store(READY.load(Relaxed) | runnable, Relaxed);
    GIVEN[i].store(true, Relaxed);
    let current = CURRENT.load(Relaxed);
    let preempt = (cfg!(not(feature = "suspend")) || runnable != 0) && (current >= MAX_THREADS || (i < current && GROUP[current].load(Relaxed) & bit == 0));
    Some((i, preempt))
}

pub(crate) fn switch_if(preempt: bool) {
    if preempt {
        crate::port::__bluegen_port_pend_switch();
    }
}
