//! Suspended threads: out of the schedule until resumed, whatever they wait
//! for (Kconfig `SUSPEND`; without it [`runnable`] is the identity and
//! nothing here is in the image).
//!
//! Two bitmaps: `SUSPENDED`, and `PARKED`, the suspended threads that are
//! ready apart from that. Every path that makes threads ready passes them
//! through [`runnable`], which parks the suspended ones instead, so the
//! context switch needs no check of its own.

#[cfg(feature = "suspend")]
use core::sync::atomic::{AtomicU32, Ordering::Relaxed};

/// The suspended threads.
#[cfg(feature = "suspend")]
static SUSPENDED: AtomicU32 = AtomicU32::new(0);
/// The suspended threads that would be ready.
#[cfg(feature = "suspend")]
static PARKED: AtomicU32 = AtomicU32::new(0);

/// Inside the critical section, for threads `mask` that become ready:
/// parks the suspended ones and returns the others, for the ready set.
#[inline(always)]
#[cfg_attr(not(any(feature = "preempt", feature = "spawn")), allow(dead_code))]
pub(crate) fn runnable(mask: u32) -> u32 {
    #[cfg(feature = "suspend")]
    {
        let suspended = SUSPENDED.load(Relaxed);
        if mask & suspended != 0 {
            PARKED.store(PARKED.load(Relaxed) | (mask & suspended), Relaxed);
        }
        mask & !suspended
    }
    #[cfg(not(feature = "suspend"))]
    mask
}

/// At start-up: the threads of `mask` start suspended (`start = false`).
#[cfg(feature = "suspend")]
pub(crate) fn start_suspended(mask: u32) {
    SUSPENDED.store(mask, Relaxed);
    PARKED.store(mask, Relaxed);
}

/// Inside the critical section, for a new thread in slot(s) `mask` (a
/// spawn): not suspended.
#[cfg(feature = "suspend")]
pub(crate) fn forget(mask: u32) {
    SUSPENDED.store(SUSPENDED.load(Relaxed) & !mask, Relaxed);
    PARKED.store(PARKED.load(Relaxed) & !mask, Relaxed);
}

/// Suspends thread `index`; returns whether it is the caller (which must
/// then switch away).
#[cfg(feature = "suspend")]
pub(crate) fn suspend(index: usize) -> bool {
    use crate::thread::state::{CURRENT, READY};
    let Some(bit) = 1u32.checked_shl(index as u32).filter(|_| index < crate::sched::MAX_THREADS) else { return false };
    crate::thread::critical(|| {
        SUSPENDED.store(SUSPENDED.load(Relaxed) | bit, Relaxed);
        let ready = READY.load(Relaxed);
        if ready & bit != 0 {
            READY.store(ready & !bit, Relaxed);
            PARKED.store(PARKED.load(Relaxed) | bit, Relaxed);
        }
        CURRENT.load(Relaxed) == index
    })
}

/// Resumes thread `index`; returns whether it should preempt the caller
/// (it is ready and of higher priority), or None if it was not suspended.
#[cfg(feature = "suspend")]
pub(crate) fn resume(index: usize) -> Option<bool> {
    use crate::thread::state::{CURRENT, GROUP, READY};
    let bit = 1u32.checked_shl(index as u32).filter(|_| index < crate::sched::MAX_THREADS)?;
    crate::thread::critical(|| {
        if SUSPENDED.load(Relaxed) & bit == 0 {
            return None;
        }
        SUSPENDED.store(SUSPENDED.load(Relaxed) & !bit, Relaxed);
        let parked = PARKED.load(Relaxed);
        if parked & bit == 0 {
            return Some(false);
        }
        PARKED.store(parked & !bit, Relaxed);
        READY.store(READY.load(Relaxed) | bit, Relaxed);
        let current = CURRENT.load(Relaxed);
        Some(current >= crate::sched::MAX_THREADS || (index < current && GROUP[current].load(Relaxed) & bit == 0))
    })
}

/// Whether thread `index` is suspended.
#[cfg(feature = "suspend")]
pub(crate) fn is_suspended(index: usize) -> bool {
    index < crate::sched::MAX_THREADS && SUSPENDED.load(Relaxed) & 1 << index != 0
}

#[cfg(all(test, feature = "suspend"))]
mod tests {
    use super::*;
    use crate::thread::state::READY;

    #[test]
    fn a_suspended_thread_is_parked_until_resumed() {
        READY.store(0b1000, Relaxed);
        assert!(!suspend(3), "not the caller");
        assert!(is_suspended(3));
        assert_eq!(READY.load(Relaxed), 0, "a ready thread stops");
        // A wake of threads 3 and 4 (a give, a timeout) readies only 4.
        assert_eq!(runnable(0b1_1000), 0b1_0000);
        assert_eq!(resume(3).is_some(), true);
        assert_eq!(READY.load(Relaxed), 0b1000, "resumed, it is ready again");
        assert_eq!(resume(3), None, "not suspended any more");
        // Suspended while waiting: the wake parks it, the resume readies it.
        READY.store(0, Relaxed);
        suspend(5);
        assert_eq!(READY.load(Relaxed), 0);
        assert_eq!(resume(5), Some(false), "it still waits");
        assert_eq!(READY.load(Relaxed), 0);
        suspend(5);
        assert_eq!(runnable(1 << 5), 0);
        assert!(resume(5).is_some());
        assert_eq!(READY.load(Relaxed), 1 << 5);
        assert!(!suspend(40) && resume(40).is_none(), "no such thread");
    }
}
