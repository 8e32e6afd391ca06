//! The data cell of [`crate::Mutex`]: a value, its owner, and the guard
//! that alone reaches the value.
//!
//! A [`LockGuard`] exists only while the lock's `owner` names a thread:
//! [`Lock::try_acquire`] creates one only when nobody owns the lock and
//! records the new owner in the same critical section, and only the guard's
//! drop clears the owner again. So at most one guard, and one `&mut T`, is
//! alive at a time. What a release wakes is the kernel's business: the
//! guard's drop calls the lock's [`Release`] hook inside the same critical
//! section.

use core::cell::UnsafeCell;
use core::marker::PhantomData;
use core::ops::{Deref, DerefMut};
use core::sync::atomic::AtomicUsize;
use core::sync::atomic::Ordering::Relaxed;

/// No owner.
pub const NOBODY: usize = usize::MAX;

/// What a lock does when a guard goes: wake a waiter.
pub trait Release: Sync {
    /// Inside the critical section of the release, after the owner was
    /// cleared; returns whether a switch is due.
    fn released(&self) -> bool;
    /// After the critical section, when `released` asked for a switch.
    fn switch(&self);
}

/// A `T` reachable only through a [`LockGuard`], with a [`Release`] hook `R`.
pub struct Lock<T, R> {
    owner: AtomicUsize,
    hook: R,
    data: UnsafeCell<T>,
}

// SAFETY: the data is reached only through a guard, and at most one guard is
// alive at a time (see the module documentation), so sharing the lock
// between threads shares no `&T` or `&mut T` between them; the value moves
// from thread to thread with the guard, hence `T: Send`.
unsafe impl<T: Send, R: Release> Sync for Lock<T, R> {}

impl<T, R: Release> Lock<T, R> {
    /// An unowned lock holding `value`.
    pub const fn new(value: T, hook: R) -> Self {
        Self { owner: AtomicUsize::new(NOBODY), hook, data: UnsafeCell::new(value) }
    }

    /// The owner's thread index, [`NOBODY`] if unowned.
    pub fn owner(&self) -> usize {
        self.owner.load(Relaxed)
    }

    /// The release hook.
    pub fn hook(&self) -> &R {
        &self.hook
    }

    /// Inside the kernel's critical section: makes `who` the owner and
    /// returns the guard, if nobody owns it; else None.
    pub fn try_acquire(&self, who: usize) -> Option<LockGuard<'_, T, R>> {
        if self.owner.load(Relaxed) != NOBODY || who == NOBODY {
            return None;
        }
        self.owner.store(who, Relaxed);
        Some(LockGuard { lock: self, _not_send: PhantomData })
    }

    /// The value, through `&mut self`: nobody else can hold a guard.
    pub fn get_mut(&mut self) -> &mut T {
        self.data.get_mut()
    }
}

/// Access to the value of a [`Lock`]; dropping it releases the lock. Not
/// `Send`: it is released by the thread that took it.
pub struct LockGuard<'a, T, R: Release> {
    lock: &'a Lock<T, R>,
    _not_send: PhantomData<*const ()>,
}

// SAFETY: a `&LockGuard` only hands out `&T`, so it may be shared where `&T` may.
unsafe impl<T: Sync, R: Release> Sync for LockGuard<'_, T, R> {}

impl<T, R: Release> Deref for LockGuard<'_, T, R> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: this guard is the only one alive (module documentation),
        // and `&self` forbids a `&mut T` from it meanwhile.
        unsafe { &*self.lock.data.get() }
    }
}

impl<T, R: Release> DerefMut for LockGuard<'_, T, R> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: this guard is the only one alive, and `&mut self` makes
        // this the only reference through it.
        unsafe { &mut *self.lock.data.get() }
    }
}

impl<T, R: Release> Drop for LockGuard<'_, T, R> {
    fn drop(&mut self) {
        let lock = self.lock;
        let switch = crate::thread::critical(|| {
            lock.owner.store(NOBODY, Relaxed);
            lock.hook.released()
        });
        if switch {
            lock.hook.switch();
        }
    }
}
