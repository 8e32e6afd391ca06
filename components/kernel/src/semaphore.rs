//! A counting semaphore with timeouts.

use crate::state;
use crate::sync::NO_WAIT;
use bluegen_port::critical;
use core::sync::atomic::AtomicU32;
use core::sync::atomic::Ordering::Relaxed;

/// A counting semaphore.
pub struct Semaphore {
    count: AtomicU32,
    waiters: AtomicU32,
}

impl Semaphore {
    /// A semaphore holding `count`.
    pub const fn new(count: u32) -> Self {
        Self { count: AtomicU32::new(count), waiters: AtomicU32::new(0) }
    }

    /// Takes one count, waiting at most `timeout` ticks; false on timeout.
    pub fn take(&self, timeout: u32) -> bool {
        let blocked = critical(|cs| {
            let c = self.count.load(Relaxed);
            if c > 0 {
                self.count.store(c - 1, Relaxed);
                return Some(true);
            }
            if timeout == NO_WAIT {
                return Some(false);
            }
            state::enqueue(cs, &self.waiters, timeout);
            None
        });
        match blocked {
            Some(got) => got,
            None => state::wait(&self.waiters, timeout),
        }
    }

    /// Gives one count: to the highest-priority waiter if any. Also from
    /// interrupt handlers.
    pub fn give(&self) {
        let preempt = critical(|cs| match state::wake_one(cs, &self.waiters) {
            Some((_, preempt)) => preempt,
            None => {
                self.count.store(self.count.load(Relaxed).saturating_add(1), Relaxed);
                false
            }
        });
        state::reschedule(preempt);
    }

    /// The count now.
    pub fn count(&self) -> u32 {
        self.count.load(Relaxed)
    }
}
