//! The data cell of the kernel's `Mutex<T>`: a value, its owner, a guard.
//!
//! Only the guard reaches the value.
//!
//! The lock is in one of three states: unowned ([`NOBODY`]), owned by
//! thread `i` with exactly one [`LockGuard`] alive, or handed over to
//! thread `i` ([`HANDED`]` | i`) with no guard alive. [`Lock::try_acquire`]
//! creates a guard only from unowned, [`Lock::claim`] only from handed over
//! to the claimant, each moving to owned in the same critical section; only
//! the guard's drop leaves owned, to unowned or handed over to the thread
//! the lock's [`Release`] hook names. So at most one guard, and one
//! `&mut T`, is alive at a time. Whom a release wakes is the kernel's
//! business: the hook runs inside the critical section of the drop.

use crate::CriticalSection;
use core::cell::UnsafeCell;
use core::marker::PhantomData;
use core::ops::{Deref, DerefMut};
use core::sync::atomic::AtomicUsize;
use core::sync::atomic::Ordering::Relaxed;

/// No owner.
pub const NOBODY: usize = usize::MAX;
/// The owner bit of a lock handed over but not yet claimed.
pub const HANDED: usize = 1 << (usize::BITS - 2);

/// What a lock does when a guard goes: wake a waiter.
pub trait Release: Sync {
    /// Inside the critical section of the release: the thread to hand the
    /// lock over to (it then claims it), if any; a hand-over also asks for
    /// a switch.
    fn released(&self, cs: CriticalSection<'_>) -> Option<usize>;
    /// After the critical section, when `released` asked for a switch.
    fn switch(&self);
}

/// A `T` reachable only through a [`LockGuard`], with a [`Release`] hook `R`.
///
/// The owner moves between the states only inside a critical section (the
/// token of [`Lock::try_acquire`], [`Lock::claim`] and the guard's drop), so
/// two threads never both see it unowned.
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

    /// The owner's thread index ([`HANDED`] set while not yet claimed),
    /// [`NOBODY`] if unowned.
    pub fn owner(&self) -> usize {
        self.owner.load(Relaxed)
    }

    /// The release hook.
    pub fn hook(&self) -> &R {
        &self.hook
    }

    /// Makes `who` (a thread index) the owner and returns the guard, if
    /// nobody owns it; else None.
    #[inline(always)]
    pub fn try_acquire(&self, cs: CriticalSection<'_>, who: usize) -> Option<LockGuard<'_, T, R>> {
        let _ = cs;
        if self.owner.load(Relaxed) != NOBODY || who & HANDED != 0 {
            return None;
        }
        self.owner.store(who, Relaxed);
        Some(LockGuard { lock: self, _not_send: PhantomData })
    }

    /// The guard of a lock handed over to `who`, once; else None.
    #[inline(always)]
    pub fn claim(&self, cs: CriticalSection<'_>, who: usize) -> Option<LockGuard<'_, T, R>> {
        let _ = cs;
        if self.owner.load(Relaxed) != who | HANDED || who & HANDED != 0 {
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
#[must_use = "the lock is released when the guard drops: an unused guard unlocks at once"]
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
        let handed = crate::critical(|cs| {
            let next = lock.hook.released(cs);
            lock.owner.store(next.map_or(NOBODY, |i| i | HANDED), Relaxed);
            next.is_some()
        });
        if handed {
            lock.hook.switch();
        }
    }
}
