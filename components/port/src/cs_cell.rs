//! A shared `Copy` value, read and written whole in a critical section.
//!
//! The kernel keeps its spawn slots' entry functions in them.

use crate::CriticalSection;
use core::cell::UnsafeCell;

/// A `T: Copy` shared between threads; [`CsCell::get`] and [`CsCell::set`]
/// copy it in and out inside a critical section (their token) and never
/// hand out a reference.
pub struct CsCell<T: Copy>(UnsafeCell<T>);

// SAFETY: the value is only copied in and out by `get`/`set`, which run
// inside a critical section (interrupts masked on the one core) and do not
// yield, so two accesses never overlap; no reference to it escapes. Sending a copy
// to another thread needs `T: Send`.
unsafe impl<T: Copy + Send> Sync for CsCell<T> {}

impl<T: Copy> CsCell<T> {
    /// A cell holding `value`.
    pub const fn new(value: T) -> Self {
        Self(UnsafeCell::new(value))
    }

    /// A copy of the value.
    #[inline(always)]
    pub fn get(&self, cs: CriticalSection<'_>) -> T {
        let _ = cs;
        // SAFETY: interrupts are masked and this does not yield, so nobody
        // writes it meanwhile; `T: Copy`, so reading it moves nothing out.
        unsafe { *self.0.get() }
    }

    /// Replaces the value.
    #[inline(always)]
    pub fn set(&self, cs: CriticalSection<'_>, value: T) {
        let _ = cs;
        // SAFETY: interrupts are masked and this does not yield, so nobody
        // reads or writes it meanwhile, and no reference to it exists
        // (`get` copies).
        unsafe { *self.0.get() = value }
    }
}
