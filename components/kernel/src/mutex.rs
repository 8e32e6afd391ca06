//! A mutex that holds its data, with priority inheritance.

use crate::duration::Timeout;
use crate::lock_cell::{Lock, LockGuard, Release};
use crate::sched::MAX_THREADS;
use crate::sync::{NO_WAIT, dequeue_after_wait, enqueue, me, wake_one};
use crate::thread::critical;
use crate::thread::state::*;
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
    fn released(&self) -> bool {
        match wake_one(&self.0) {
            Some((next, _)) => {
                // The woken waiter takes it next: the others wait on it now.
                PROXY.store(PROXY.load(Relaxed) & !(1 << next), Relaxed);
                retarget(self.0.load(Relaxed), next);
                // The owner loses the inherited place: always reschedule.
                true
            }
            None => false,
        }
    }

    fn switch(&self) {
        crate::port::__bluegen_port_pend_switch();
    }
}

/// Points the proxies of the waiters in `waiting` at `owner`.
fn retarget(mut waiting: u32, owner: usize) {
    while waiting != 0 {
        PROXY_TO[waiting.trailing_zeros() as usize % MAX_THREADS].store(owner, Relaxed);
        waiting &= waiting - 1;
    }
}

impl<T> Mutex<T> {
    /// An unlocked mutex holding `value`.
    pub const fn new(value: T) -> Self {
        Self { lock: Lock::new(value, Waiters(AtomicU32::new(0))) }
    }

    /// Locks it, waiting at most `timeout` while another thread holds it.
    pub fn lock(&self, timeout: Timeout) -> Result<MutexGuard<'_, T>, LockError> {
        let timeout = timeout.raw();
        let waiters = &self.lock.hook().0;
        loop {
            let step = critical(|| {
                let me = me();
                if let Some(guard) = self.lock.try_acquire(me) {
                    retarget(waiters.load(Relaxed), me);
                    return Ok(guard);
                }
                if self.lock.owner() == me {
                    return Err(Some(LockError::WouldDeadlock));
                }
                if timeout == NO_WAIT {
                    return Err(Some(LockError::TimedOut));
                }
                enqueue(waiters, timeout);
                PROXY.store(PROXY.load(Relaxed) | 1 << me, Relaxed);
                PROXY_TO[me].store(self.lock.owner(), Relaxed);
                Err(None)
            });
            match step {
                Ok(guard) => return Ok(guard),
                Err(Some(e)) => return Err(e),
                Err(None) => {
                    crate::port::__bluegen_port_pend_switch();
                    let given = dequeue_after_wait(waiters, timeout);
                    critical(|| PROXY.store(PROXY.load(Relaxed) & !(1 << me()), Relaxed));
                    if !given {
                        return Err(LockError::TimedOut);
                    }
                }
            }
        }
    }

    /// Locks it if nobody holds it, without waiting.
    pub fn try_lock(&self) -> Result<MutexGuard<'_, T>, LockError> {
        self.lock(Timeout::NO_WAIT)
    }

    /// Whether a thread holds it now.
    pub fn is_locked(&self) -> bool {
        self.lock.owner() != crate::lock_cell::NOBODY
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
