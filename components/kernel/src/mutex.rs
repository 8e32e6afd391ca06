//! A mutex with priority inheritance and timeouts.

use crate::state;
use crate::sync::NO_WAIT;
use bluegen_port::critical;
use core::sync::atomic::Ordering::Relaxed;
use core::sync::atomic::{AtomicU32, AtomicUsize};

/// No owner.
const NOBODY: usize = usize::MAX;

/// A mutex with priority inheritance: while a thread waits for it, its
/// owner runs in the waiter's place in the schedule (by proxy), so a
/// medium-priority thread cannot starve the owner.
pub struct Mutex {
    owner: AtomicUsize,
    waiters: AtomicU32,
}

impl Mutex {
    /// An unlocked mutex.
    pub const fn new() -> Self {
        Self { owner: AtomicUsize::new(NOBODY), waiters: AtomicU32::new(0) }
    }

    /// Locks it, waiting at most `timeout` ticks; false on timeout.
    pub fn lock(&self, timeout: u32) -> bool {
        let blocked = critical(|cs| {
            let owner = self.owner.load(Relaxed);
            if owner == NOBODY {
                self.owner.store(state::me(), Relaxed);
                return Some(true);
            }
            if timeout == NO_WAIT {
                return Some(false);
            }
            state::enqueue(cs, &self.waiters, timeout);
            state::proxy(cs, owner);
            None
        });
        match blocked {
            Some(got) => got,
            None => {
                let given = state::wait(&self.waiters, timeout);
                critical(|cs| state::unproxy(cs, state::me()));
                given
            }
        }
    }

    /// Unlocks it, handing it to the highest-priority waiter. Only the owner
    /// may unlock; another caller's unlock does nothing and returns false.
    pub fn unlock(&self) -> bool {
        let result = critical(|cs| {
            if self.owner.load(Relaxed) != state::me() {
                return None;
            }
            match state::wake_one(cs, &self.waiters) {
                Some((next, _)) => {
                    self.owner.store(next, Relaxed);
                    state::unproxy(cs, next);
                    state::proxy_all(cs, self.waiters.load(Relaxed), next);
                    // The owner loses the inherited place: always reschedule.
                    Some(true)
                }
                None => {
                    self.owner.store(NOBODY, Relaxed);
                    Some(false)
                }
            }
        });
        match result {
            Some(preempt) => {
                state::reschedule(preempt);
                true
            }
            None => false,
        }
    }
}

impl Default for Mutex {
    fn default() -> Self {
        Self::new()
    }
}
