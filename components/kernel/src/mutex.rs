//! A mutex that holds its data, with priority inheritance and timeouts.

use crate::duration::Timeout;
use crate::state;
use crate::sync::NO_WAIT;
use bluegen_port::{CriticalSection, HANDED, Lock, LockGuard, NOBODY, Release, critical};
use core::sync::atomic::AtomicU32;
use core::sync::atomic::Ordering::Relaxed;

/// A mutex holding a `T`: [`Mutex::lock`] returns a [`MutexGuard`] that
/// gives access to the data and unlocks when it is dropped. With priority
/// inheritance: while a thread waits for it, its owner runs in the waiter's
/// place in the schedule (by proxy), so a medium-priority thread cannot
/// starve the owner.
///
/// ```text
/// static COUNT: Mutex<u32> = Mutex::new(0);
/// if let Ok(mut n) = COUNT.lock(Timeout::FOREVER) { *n += 1; }   // unlocked here
/// ```
pub struct Mutex<T> {
    lock: Lock<T, Waiters>,
}

/// The threads waiting for a [`Mutex`] (a bitmap of thread indices).
#[doc(hidden)]
pub struct Waiters(AtomicU32);

/// The access to a [`Mutex`]'s data; unlocks it when dropped, handing it
/// to the highest-priority waiter. Not `Send`: the thread that locked a
/// mutex unlocks it, so an unlock by a non-owner cannot be written.
pub type MutexGuard<'a, T> = LockGuard<'a, T, Waiters>;

/// Why [`Mutex::lock`] failed.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum LockError {
    /// The timeout ran out while another thread held it.
    TimedOut,
    /// The calling thread holds it already: waiting would never end.
    WouldDeadlock,
}

impl Release for Waiters {
    fn released(&self, cs: CriticalSection<'_>) -> Option<usize> {
        let (next, _) = state::wake_one(cs, &self.0)?;
        // The woken waiter owns it now: the others wait on it.
        state::unproxy(cs, next);
        state::proxy_all(cs, self.0.load(Relaxed), next);
        // The owner loses the inherited place: always reschedule.
        Some(next)
    }

    fn switch(&self) {
        state::reschedule(true);
    }
}

impl<T> Mutex<T> {
    /// An unlocked mutex holding `value`.
    pub const fn new(value: T) -> Self {
        Self { lock: Lock::new(value, Waiters(AtomicU32::new(0))) }
    }

    /// Locks it, waiting at most `timeout` while another thread holds it.
    pub fn lock(&self, timeout: Timeout) -> Result<MutexGuard<'_, T>, LockError> {
        // Kernel state: privileged for an unprivileged caller (isolation).
        crate::kcall!({
            // A handler has no thread to own the mutex: the guard fails the run.
            state::not_in_handler();
            let timeout = timeout.raw();
            let waiters = &self.lock.hook().0;
            // A thread's own index does not change while it runs.
            let me = state::me();
            let waiting = critical(|cs| {
                if let Some(guard) = self.lock.try_acquire(cs, me) {
                    return Ok(Some(guard));
                }
                let owner = self.lock.owner() & !HANDED;
                if owner == me || timeout == NO_WAIT {
                    return Err(if owner == me { LockError::WouldDeadlock } else { LockError::TimedOut });
                }
                state::enqueue(cs, waiters, timeout);
                state::proxy(cs, owner);
                Ok(None)
            })?;
            if let Some(guard) = waiting {
                return Ok(guard);
            }
            let given = state::wait(waiters, timeout);
            // A give handed the lock over to this thread: claim it.
            critical(|cs| {
                state::unproxy(cs, me);
                if given { self.lock.claim(cs, me) } else { None }
            })
            .ok_or(LockError::TimedOut)
        })
    }

    /// Locks it if nobody holds it, without waiting.
    pub fn try_lock(&self) -> Result<MutexGuard<'_, T>, LockError> {
        // Kernel state: privileged for an unprivileged caller (isolation).
        crate::kcall!({
            self.lock(Timeout::NO_WAIT)
        })
    }

    /// Whether a thread holds it now.
    pub fn is_locked(&self) -> bool {
        // Kernel state: privileged for an unprivileged caller (isolation).
        crate::kcall!({
            self.lock.owner() != NOBODY
        })
    }

    /// The data, through `&mut self`: no lock needed.
    pub fn get_mut(&mut self) -> &mut T {
        self.lock.get_mut()
    }
}

impl<T: Default> Default for Mutex<T> {
    fn default() -> Self {
        Self::new(T::default())
    }
}
