//! Kernel objects in C memory: constructed in place on first use.

use bluegen_port::critical;
use core::cell::UnsafeCell;
#[cfg(any(feature = "posix-threads-base", feature = "posix-semaphores"))]
use core::mem::MaybeUninit;
#[cfg(any(feature = "posix-threads-base", feature = "posix-semaphores"))]
use core::sync::atomic::{AtomicU32, Ordering::Relaxed};

/// The `init` word of an object that is constructed.
#[cfg(any(feature = "posix-threads-base", feature = "posix-semaphores"))]
pub const READY: u32 = 0x600D_0B1E;

/// Room in C memory for a kernel object `T`, built by [`InPlace::get`]
/// the first time it is needed (all-zero memory, what a static
/// initialiser gives, is "not yet built") or by [`InPlace::put`].
#[cfg(any(feature = "posix-threads-base", feature = "posix-semaphores"))]
#[repr(C)]
pub struct InPlace<T, const WORDS: usize> {
    room: UnsafeCell<MaybeUninit<[usize; WORDS]>>,
    init: AtomicU32,
    _t: core::marker::PhantomData<T>,
}

#[cfg(any(feature = "posix-threads-base", feature = "posix-semaphores"))]
impl<T, const WORDS: usize> InPlace<T, WORDS> {
    /// Room with nothing built yet.
    #[cfg(feature = "posix-semaphores")]
    pub const fn empty() -> Self {
        InPlace { room: UnsafeCell::new(MaybeUninit::uninit()), init: AtomicU32::new(0), _t: core::marker::PhantomData }
    }

    /// Fails the build when `T` does not fit the room the C header gives it.
    const FITS: () = assert!(core::mem::size_of::<T>() <= WORDS * core::mem::size_of::<usize>() && core::mem::align_of::<T>() <= core::mem::align_of::<usize>());

    /// Builds `value` in the room, whatever was there (an `*_init`).
    pub fn put(&self, value: T) {
        let () = Self::FITS;
        critical(|_| {
            // SAFETY: FITS: the room holds a `T` at its (usize-aligned)
            // start; the caller (an `*_init`) owns the object, which POSIX
            // forbids other threads to use during its initialisation.
            unsafe { self.room.get().cast::<T>().write(value) };
            self.init.store(READY, Relaxed);
        });
    }

    /// The object, built with `make` first if the room is still empty.
    pub fn get(&self, make: impl FnOnce() -> T) -> &T {
        let () = Self::FITS;
        if self.init.load(Relaxed) != READY {
            critical(|_| {
                if self.init.load(Relaxed) != READY {
                    // SAFETY: as in `put`; the check and the write are in one
                    // critical section, so only one thread builds it.
                    unsafe { self.room.get().cast::<T>().write(make()) };
                    self.init.store(READY, Relaxed);
                }
            });
        }
        // SAFETY: built (READY is stored only after the write), and only
        // shared references are handed out: `T`'s own interior mutability
        // (atomics) does the rest.
        unsafe { &*self.room.get().cast::<T>() }
    }

    /// Whether it was built.
    pub fn is_ready(&self) -> bool {
        self.init.load(Relaxed) == READY
    }

    /// Forgets it (an `*_destroy`): the next use builds it again.
    pub fn clear(&self) {
        self.init.store(0, Relaxed);
    }
}

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
