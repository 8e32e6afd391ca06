//! A `Copy` value that threads share, read and written whole inside the
//! kernel's critical section: the spawn slots' entry functions.

use core::cell::UnsafeCell;

/// A `T: Copy` shared between threads; [`CsCell::get`] and [`CsCell::set`]
/// copy it in and out, inside the kernel's critical section, and never
/// hand out a reference.
pub struct CsCell<T: Copy>(UnsafeCell<T>);

// SAFETY: the value is only copied in and out by `get`/`set`, whose callers
// hold the kernel's critical section (interrupts masked on the one core),
// so two accesses never overlap; no reference to it escapes. Sending a copy
// to another thread needs `T: Send`.
unsafe impl<T: Copy + Send> Sync for CsCell<T> {}

impl<T: Copy> CsCell<T> {
    /// A cell holding `value`.
    pub const fn new(value: T) -> Self {
        Self(UnsafeCell::new(value))
    }

    /// A copy of the value. Only inside the kernel's critical section.
    pub fn get(&self) -> T {
        // SAFETY: inside the critical section nobody writes it meanwhile
        // (see the `Sync` impl); `T: Copy`, so reading it moves nothing out.
        unsafe { *self.0.get() }
    }

    /// Replaces the value. Only inside the kernel's critical section.
    pub fn set(&self, value: T) {
        // SAFETY: inside the critical section nobody reads or writes it
        // meanwhile, and no reference to it exists (`get` copies).
        unsafe { *self.0.get() = value }
    }
}
