//! A fixed ring of `N` slots of any `T`, for the kernel's `Queue`.
//!
//! The only place a queue's messages are read and written.
//!
//! The slots are `MaybeUninit<T>`: exactly the `len` slots from `head` on
//! (modulo `N`) hold a value. Every access goes through [`Ring::push`] and
//! [`Ring::pop`], which take a [`CriticalSection`]: interrupts are masked
//! on the one core, and neither yields, so no two accesses overlap. Values
//! move in and out whole; no reference into a slot is handed out.

use crate::CriticalSection;
use core::cell::UnsafeCell;
use core::mem::MaybeUninit;
use core::sync::atomic::AtomicUsize;
use core::sync::atomic::Ordering::Relaxed;

/// `N` slots of `T`, first in first out.
pub struct Ring<T, const N: usize> {
    slots: [UnsafeCell<MaybeUninit<T>>; N],
    head: AtomicUsize,
    len: AtomicUsize,
}

// SAFETY: the slots are only touched by `push`/`pop`, which run inside a
// critical section (their token) and do not yield, so accesses from
// different threads and interrupt handlers never overlap; a value moves from the sending thread to the receiving one,
// which needs `T: Send` and nothing more.
unsafe impl<T: Send, const N: usize> Sync for Ring<T, N> {}

impl<T, const N: usize> Ring<T, N> {
    /// An empty ring.
    pub const fn new() -> Self {
        const { assert!(N > 0, "a queue needs at least one slot") };
        Self { slots: [const { UnsafeCell::new(MaybeUninit::uninit()) }; N], head: AtomicUsize::new(0), len: AtomicUsize::new(0) }
    }

    /// Values in it now.
    pub fn len(&self) -> usize {
        self.len.load(Relaxed)
    }

    /// Appends `value`, or gives it back when all `N` slots are full.
    #[inline(always)]
    pub fn push(&self, cs: CriticalSection<'_>, value: T) -> Result<(), T> {
        let _ = cs;
        let len = self.len.load(Relaxed);
        if len >= N {
            return Err(value);
        }
        let at = (self.head.load(Relaxed) + len) % N;
        // SAFETY: `at < N`; slot `at` lies outside the `len` live slots, so
        // it holds no value to overwrite and nobody else reads it now
        // (interrupts are masked, and this does not yield).
        unsafe { (*self.slots.get_unchecked(at).get()).write(value) };
        self.len.store(len + 1, Relaxed);
        Ok(())
    }

    /// Takes the oldest value, if any.
    #[inline(always)]
    pub fn pop(&self, cs: CriticalSection<'_>) -> Option<T> {
        let _ = cs;
        self.take()
    }

    /// The pop itself; the caller rules out overlapping accesses.
    #[inline(always)]
    fn take(&self) -> Option<T> {
        let len = self.len.load(Relaxed);
        if len == 0 {
            return None;
        }
        let head = self.head.load(Relaxed);
        // SAFETY: `head < N` (it is always stored modulo N) and, with
        // `len > 0`, slot `head` holds a value written by `push`; moving it
        // out and advancing `head` leaves the slot uninitialised and outside
        // the live range, so it is read once.
        let value = unsafe { (*self.slots.get_unchecked(head).get()).assume_init_read() };
        self.head.store((head + 1) % N, Relaxed);
        self.len.store(len - 1, Relaxed);
        Some(value)
    }
}

impl<T, const N: usize> Drop for Ring<T, N> {
    fn drop(&mut self) {
        // `&mut self`: nobody else can reach the ring.
        while self.take().is_some() {}
    }
}

impl<T, const N: usize> Default for Ring<T, N> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::Ring;
    use crate::critical;
    use std::rc::Rc;

    #[test]
    fn fifo_full_and_empty() {
        let r: Ring<u32, 2> = Ring::new();
        critical(|cs| {
            assert_eq!(r.pop(cs), None);
            assert_eq!(r.push(cs, 1), Ok(()));
            assert_eq!(r.push(cs, 2), Ok(()));
            assert_eq!(r.push(cs, 3), Err(3));
            assert_eq!(r.pop(cs), Some(1));
            assert_eq!(r.push(cs, 4), Ok(()));
            assert_eq!((r.pop(cs), r.pop(cs), r.pop(cs)), (Some(2), Some(4), None));
        });
    }

    #[test]
    fn owns_non_copy_values_and_drops_the_rest() {
        let v = Rc::new(());
        {
            let r: Ring<Rc<()>, 3> = Ring::new();
            critical(|cs| {
                r.push(cs, v.clone()).unwrap();
                r.push(cs, v.clone()).unwrap();
                r.push(cs, v.clone()).unwrap();
                drop(r.pop(cs));
            });
            assert_eq!(Rc::strong_count(&v), 3);
        }
        assert_eq!(Rc::strong_count(&v), 1, "dropping the ring drops what it still holds");
    }
}
