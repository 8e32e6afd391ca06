//! Kernel objects in C memory: constructed in place on first use.

use bluegen_port::critical;
use core::cell::UnsafeCell;

/// Room in C memory for a kernel object, built on first use: the port's.
#[cfg(any(feature = "posix-threads-base", feature = "posix-semaphores"))]
pub use bluegen_port::InPlace;

/// A value shared between threads, reached inside a critical section.
pub struct Shared<T>(UnsafeCell<T>);

// SAFETY: every access is inside a critical section (`with`), which no
// other thread or handler can interrupt on this single core.
unsafe impl<T: Send> Sync for Shared<T> {}

impl<T> Shared<T> {
    pub const fn new(value: T) -> Self {
        Self(UnsafeCell::new(value))
    }

    /// Runs `f` on the value with interrupts masked. `f` must not call
    /// `with` on the same value (it would alias the `&mut`).
    pub fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        critical(|_| {
            // SAFETY: the critical section excludes every other access
            // (see the Sync impl), and `f` does not re-enter this one.
            f(unsafe { &mut *self.0.get() })
        })
    }
}

/// The object a C pointer points at; EINVAL for null.
#[cfg(any(feature = "posix-threads-base", feature = "posix-semaphores"))]
///
/// # Safety
///
/// `p` is null or points at a live object of its type (lib.rs).
pub unsafe fn object<'a, T>(p: *const T) -> Result<&'a T, core::ffi::c_int> {
    // SAFETY: the caller's contract.
    unsafe { p.as_ref() }.ok_or(crate::errno::EINVAL)
}
