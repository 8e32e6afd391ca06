//! Kernel objects in C memory: room for one, built in place on first use.
//!
//! The FFI components (posix, the libc component's driver services) give C
//! objects (`sem_t`, `bg_mutex_t`, …) that are room for a kernel object
//! and a word that says whether it was built. All-zero memory, what a
//! static C object or a static initialiser gives, is "not yet": the first
//! call that needs the object builds it, in a critical section, so a
//! thread and an interrupt handler racing to the first use build it once.

use crate::critical;
use core::cell::UnsafeCell;
use core::marker::PhantomData;
use core::mem::MaybeUninit;
use core::sync::atomic::AtomicU32;
// One core: a compiler fence orders the `init` word against the room
// for a handler (the same core's "other thread"), and a switch between
// threads is a full barrier already; Acquire/Release would add a `dmb` to
// every call on Cortex-M.
use core::sync::atomic::Ordering::{Acquire, Relaxed, Release};
use core::sync::atomic::compiler_fence;

/// The `init` word of a built object (anything but 0 would do).
const BUILT: u32 = 0x600D_0B1E;

/// Room for a kernel object `T` in `WORDS` machine words, and its `init`
/// word: `uintptr_t __room[WORDS]; unsigned __init;` in a C header.
#[repr(C)]
pub struct InPlace<T, const WORDS: usize> {
    room: UnsafeCell<MaybeUninit<[usize; WORDS]>>,
    init: AtomicU32,
    _t: PhantomData<T>,
}

// SAFETY: safe code writes the room only inside a critical section,
// before `init` says it is built, and then only shared references to the
// `T` are handed out (`T: Sync` makes those shareable); `put` and `clear`,
// which write or forget a built object, are `unsafe` with the rule that
// no reference is alive.
unsafe impl<T: Sync, const WORDS: usize> Sync for InPlace<T, WORDS> {}

impl<T, const WORDS: usize> InPlace<T, WORDS> {
    /// Fails the build when `T` does not fit the room the header gives it.
    const FITS: () = assert!(core::mem::size_of::<T>() <= WORDS * core::mem::size_of::<usize>() && core::mem::align_of::<T>() <= core::mem::align_of::<usize>());

    /// Room with nothing built yet.
    pub const fn empty() -> Self {
        InPlace { room: UnsafeCell::new(MaybeUninit::uninit()), init: AtomicU32::new(0), _t: PhantomData }
    }

    /// Builds `value` in the room, whatever was there (an `*_init`).
    ///
    /// # Safety
    ///
    /// No reference that [`get`](Self::get) gave is alive, and nobody uses
    /// the object meanwhile (POSIX's and driver.h's rule for `*_init`: a
    /// C object is not used while it is initialised).
    pub unsafe fn put(&self, value: T) {
        let () = Self::FITS;
        critical(|_| {
            // SAFETY: FITS: a `T` fits at the room's (usize-aligned) start;
            // the caller's contract: no reference to an old object is
            // alive, and the section keeps handlers out. An old object is
            // forgotten, not dropped (kernel objects hold no resources).
            unsafe { self.room.get().cast::<T>().write(value) };
            compiler_fence(Release);
            self.init.store(BUILT, Relaxed);
        });
    }

    /// The object, built with `make` first if the room is still empty.
    pub fn get(&self, make: impl FnOnce() -> T) -> &T {
        let () = Self::FITS;
        if self.init.load(Relaxed) != BUILT {
            critical(|_| {
                if self.init.load(Relaxed) != BUILT {
                    let value = make();
                    // `make` may have built it (a nested `get`): then that
                    // one stays, and references to it with it.
                    if self.init.load(Relaxed) != BUILT {
                        // SAFETY: FITS, as in `put`; not built, so nobody
                        // holds a reference into the room, and the check
                        // and the write are in one critical section.
                        unsafe { self.room.get().cast::<T>().write(value) };
                        compiler_fence(Release);
                        self.init.store(BUILT, Relaxed);
                    }
                }
            });
        }
        compiler_fence(Acquire);
        // SAFETY: built (BUILT is stored after the write), and from here on
        // only shared references are handed out: `T`'s interior mutability
        // (atomics and the port's cells) does the rest.
        unsafe { &*self.room.get().cast::<T>() }
    }

    /// Whether it was built.
    pub fn is_ready(&self) -> bool {
        self.init.load(Relaxed) == BUILT
    }

    /// Forgets it (a `*_destroy`): the next use builds it again.
    ///
    /// # Safety
    ///
    /// As [`put`](Self::put)'s: no reference that `get` gave is alive,
    /// and nobody uses the object meanwhile (POSIX: a destroyed object is
    /// not used until it is initialised again).
    pub unsafe fn clear(&self) {
        self.init.store(0, Relaxed);
    }
}
