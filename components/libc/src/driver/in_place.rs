//! Kernel objects in C memory: built in place on first use.
//!
//! A `bg_sem_t` (…) of the header is room for a kernel object and a word
//! that says whether it was built. All-zero memory, what a static C object
//! or a `BG_*_INITIALIZER` gives, is "not yet": the first call that needs
//! the object builds it, in a critical section, so a thread and an
//! interrupt handler racing to the first use build it once.

use bluegen_port::critical;
use core::cell::UnsafeCell;
use core::marker::PhantomData;
use core::mem::MaybeUninit;
use core::sync::atomic::AtomicU32;
use core::sync::atomic::Ordering::{Acquire, Release};

/// The `init` word of a built object (anything but 0 would do).
const BUILT: u32 = 0xB6D1_0B1E;

/// Room for a kernel object `T` in `WORDS` machine words, and its `init`
/// word: `uintptr_t __room[WORDS]; unsigned __init;` in the header.
#[repr(C)]
pub struct InPlace<T, const WORDS: usize> {
    room: UnsafeCell<MaybeUninit<[usize; WORDS]>>,
    init: AtomicU32,
    _t: PhantomData<T>,
}

impl<T, const WORDS: usize> InPlace<T, WORDS> {
    /// Fails the build when `T` does not fit the room the header gives it.
    const FITS: () = assert!(core::mem::size_of::<T>() <= WORDS * core::mem::size_of::<usize>() && core::mem::align_of::<T>() <= core::mem::align_of::<usize>());

    /// Builds `value` in the room, whatever was there (a `bg_*_init`).
    pub fn put(&self, value: T) {
        let () = Self::FITS;
        critical(|_| {
            // SAFETY: FITS: a `T` fits at the room's (usize-aligned) start;
            // the C side's contract: nobody uses the object while its
            // `bg_*_init` runs, and the section keeps handlers out. An old
            // object is forgotten, not dropped (kernel objects hold no
            // resources).
            unsafe { self.room.get().cast::<T>().write(value) };
            self.init.store(BUILT, Release);
        });
    }

    /// The object, built with `make` first if the room is still empty.
    pub fn get(&self, make: impl FnOnce() -> T) -> &T {
        let () = Self::FITS;
        if self.init.load(Acquire) != BUILT {
            critical(|_| {
                if self.init.load(Acquire) != BUILT {
                    // SAFETY: as in `put`; the check and the write are in one
                    // critical section, so one caller alone builds it, and
                    // nobody holds a reference to an object not yet built.
                    unsafe { self.room.get().cast::<T>().write(make()) };
                    self.init.store(BUILT, Release);
                }
            });
        }
        // SAFETY: built (BUILT is stored after the write), and from here on
        // only shared references are handed out: `T`'s interior mutability
        // (atomics and the port's cells) does the rest.
        unsafe { &*self.room.get().cast::<T>() }
    }
}

/// The object a C pointer points at; [`super::BG_EINVAL`] for null.
///
/// # Safety
///
/// `p` is null or points at a live object of its type (the C side's
/// contract, in the module `driver`).
pub unsafe fn object<'a, T>(p: *const T) -> Result<&'a T, core::ffi::c_int> {
    // SAFETY: the caller's contract.
    unsafe { p.as_ref() }.ok_or(super::BG_EINVAL)
}

/// 0 for `Ok`, the error code otherwise.
pub fn code(result: Result<(), core::ffi::c_int>) -> core::ffi::c_int {
    result.err().unwrap_or(super::BG_OK)
}
