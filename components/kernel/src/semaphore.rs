//! A counting semaphore with timeouts and an optional maximum.

use crate::duration::{TimedOut, Timeout};
use crate::state;
use crate::sync::NO_WAIT;
use bluegen_port::critical_switch;
use core::sync::atomic::AtomicU32;
use core::sync::atomic::Ordering::Relaxed;

/// A counting semaphore holding at most `MAX` counts (`Semaphore<1>` is a
/// binary semaphore; the default has no practical bound).
///
/// ```text
/// static READY: Semaphore = Semaphore::new(0);
/// READY.give().ok();                                  // from a thread or an interrupt
/// if READY.take(Timeout::millis(20)).is_ok() { … }
/// ```
pub struct Semaphore<const MAX: u32 = { u32::MAX }> {
    count: AtomicU32,
    waiters: AtomicU32,
}

/// The error of [`Semaphore::give`]: the count is at its maximum already.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Full;

impl<const MAX: u32> Semaphore<MAX> {
    /// A semaphore holding `count` (at most `MAX`).
    pub const fn new(count: u32) -> Self {
        Self { count: AtomicU32::new(if count > MAX { MAX } else { count }), waiters: AtomicU32::new(0) }
    }

    /// Takes one count, waiting at most `timeout` for a give.
    pub fn take(&self, timeout: Timeout) -> Result<(), TimedOut> {
        // Kernel state: privileged for an unprivileged caller (isolation).
        crate::kcall!({
            let timeout = timeout.raw();
            // Blocked: the section ends with the switch (fused on RISC-V).
            let blocked = critical_switch(|cs| {
                let c = self.count.load(Relaxed);
                let got = if c > 0 {
                    self.count.store(c - 1, Relaxed);
                    Some(true)
                } else if timeout == NO_WAIT {
                    Some(false)
                } else {
                    state::enqueue(cs, &self.waiters, timeout);
                    None
                };
                (got, got.is_none())
            });
            let got = match blocked {
                Some(got) => got,
                None => state::waited(&self.waiters, timeout),
            };
            if got { Ok(()) } else { Err(TimedOut(())) }
        })
    }

    /// Takes one count if there is one, without waiting.
    pub fn try_take(&self) -> Result<(), TimedOut> {
        // Kernel state: privileged for an unprivileged caller (isolation).
        crate::kcall!({
            self.take(Timeout::NO_WAIT)
        })
    }

    /// Gives one count: to the highest-priority waiter if any, else to the
    /// count; [`Full`] (and nothing changes) when the count is at `MAX`
    /// already. Also from interrupt handlers.
    pub fn give(&self) -> Result<(), Full> {
        // Kernel state: privileged for an unprivileged caller (isolation).
        crate::kcall!({
            // A woken thread that outranks this one runs at the section's end.
            critical_switch(|cs| match state::wake_one(cs, &self.waiters) {
                Some((_, preempt)) => (Ok(()), preempt),
                None => {
                    let c = self.count.load(Relaxed);
                    if c >= MAX {
                        return (Err(Full), false);
                    }
                    self.count.store(c + 1, Relaxed);
                    (Ok(()), false)
                }
            })
        })
    }

    /// The count now.
    pub fn count(&self) -> u32 {
        // Kernel state: privileged for an unprivileged caller (isolation).
        crate::kcall!({
            self.count.load(Relaxed)
        })
    }
}
