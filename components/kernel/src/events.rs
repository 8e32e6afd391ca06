//! Event flags: 32 flags that threads wait for, any or all of a mask.

use crate::duration::{TimedOut, Timeout};
use crate::sched::MAX_THREADS;
use crate::state;
use crate::sync::NO_WAIT;
use bluegen_port::critical;
use core::sync::atomic::AtomicU32;
use core::sync::atomic::Ordering::Relaxed;

/// Per thread: the flags an event waiter wants, and whether all of them.
static WANT: [AtomicU32; MAX_THREADS] = [const { AtomicU32::new(0) }; MAX_THREADS];
static WANT_ALL: AtomicU32 = AtomicU32::new(0);

/// Whether `flags` satisfy a wait for `want` (all of it, or any).
fn flags_match(flags: u32, want: u32, all: bool) -> bool {
    if all { flags & want == want } else { flags & want != 0 }
}

/// 32 event flags: threads wait for any or all of a mask, with a timeout;
/// `post` sets flags (also from interrupt handlers) and wakes every waiter
/// it satisfies; a satisfied wait clears the flags it waited for.
pub struct Events {
    flags: AtomicU32,
    waiters: AtomicU32,
}

impl Events {
    /// No flags set.
    pub const fn new() -> Self {
        Self { flags: AtomicU32::new(0), waiters: AtomicU32::new(0) }
    }

    /// Waits until any flag of `want` is set, at most `timeout`; returns
    /// the flags seen and clears those of `want`.
    pub fn wait_any(&self, want: u32, timeout: Timeout) -> Result<u32, TimedOut> {
        // Kernel state: privileged for an unprivileged caller (isolation).
        crate::kcall!({
            self.wait(want, false, timeout.raw())
        })
    }

    /// Waits until every flag of `want` is set, at most `timeout`; returns
    /// the flags seen and clears those of `want`.
    pub fn wait_all(&self, want: u32, timeout: Timeout) -> Result<u32, TimedOut> {
        // Kernel state: privileged for an unprivileged caller (isolation).
        crate::kcall!({
            self.wait(want, true, timeout.raw())
        })
    }

    fn wait(&self, want: u32, all: bool, timeout: u32) -> Result<u32, TimedOut> {
        let mut timeout = timeout;
        let mut since = 0;
        loop {
            let step = critical(|cs| {
                let flags = self.flags.load(Relaxed);
                if flags_match(flags, want, all) {
                    self.flags.store(flags & !want, Relaxed);
                    return Ok(flags);
                }
                if timeout == NO_WAIT {
                    return Err(false);
                }
                let me = state::me();
                WANT[me].store(want, Relaxed);
                let bit = 1 << me;
                WANT_ALL.store(if all { WANT_ALL.load(Relaxed) | bit } else { WANT_ALL.load(Relaxed) & !bit }, Relaxed);
                since = state::enqueue(cs, &self.waiters, timeout);
                Err(true)
            });
            match step {
                Ok(flags) => return Ok(flags),
                Err(false) => return Err(TimedOut(())),
                Err(true) => {
                    if !state::wait(&self.waiters, timeout) {
                        return Err(TimedOut(()));
                    }
                    timeout = crate::sync::left(timeout, since);
                }
            }
        }
    }

    /// Sets `flags` and wakes every waiter they satisfy.
    pub fn post(&self, flags: u32) {
        // Kernel state: privileged for an unprivileged caller (isolation).
        crate::kcall!({
            let preempt = critical(|cs| {
                let now = self.flags.load(Relaxed) | flags;
                self.flags.store(now, Relaxed);
                let mut rest = self.waiters.load(Relaxed);
                let mut satisfied = 0u32;
                while rest != 0 {
                    let i = rest.trailing_zeros() as usize % MAX_THREADS;
                    rest &= rest - 1;
                    if flags_match(now, WANT[i].load(Relaxed), WANT_ALL.load(Relaxed) & 1 << i != 0) {
                        satisfied |= 1 << i;
                    }
                }
                let mut preempt = false;
                while satisfied != 0 {
                    let only = AtomicU32::new(satisfied & satisfied.wrapping_neg());
                    satisfied &= satisfied - 1;
                    self.waiters.store(self.waiters.load(Relaxed) & !only.load(Relaxed), Relaxed);
                    if let Some((_, p)) = state::wake_one(cs, &only) {
                        preempt |= p;
                    }
                }
                preempt
            });
            state::reschedule(preempt);
        })
    }

    /// The flags set now.
    pub fn flags(&self) -> u32 {
        // Kernel state: privileged for an unprivileged caller (isolation).
        crate::kcall!({
            self.flags.load(Relaxed)
        })
    }
}

impl Default for Events {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::flags_match;

    #[test]
    fn any_and_all() {
        assert!(flags_match(0b0101, 0b0100, false));
        assert!(!flags_match(0b0101, 0b1010, false));
        assert!(flags_match(0b0111, 0b0101, true));
        assert!(!flags_match(0b0101, 0b0111, true));
    }
}
