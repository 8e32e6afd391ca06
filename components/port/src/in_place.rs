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
// Relaxed is enough: one core, and the build is a critical section (a
// compiler barrier) that no other thread or handler can interleave with;
// Acquire/Release would add a `dmb` to every call on Cortex-M.
use core::sync::atomic::Ordering::Relaxed;

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

// SAFETY: the room is written only inside a critical section, before
// `init` says it is built, and then only shared references to the `T`
// are handed out; `T: Sync` makes those shareable.
unsafe impl<T: Sync, const WORDS: usize> Sync for InPlace<T, WORDS> {}

impl<T, const WORDS: usize> InPlace<T, WORDS> {
    /// Fails the build when `T` does not fit the room the header gives it.
    const FITS: () = assert!(core::mem::size_of::<T>() <= WORDS * core::mem::size_of::<usize>() && core::mem::align_of::<T>() <= core::mem::align_of::<usize>());

    /// Room with nothing built yet.
    pub const fn empty() -> Self {
        InPlace { room: UnsafeCell::new(MaybeUninit::uninit()), init: AtomicU32::new(0), _t: PhantomData }
    }

    /// Builds `value` in the room, whatever was there (an `*_init`).
    pub fn put(&self, value: T) {
        let () = Self::FITS;
        critical(|_| {
            // SAFETY: FITS: a `T` fits at the room's (usize-aligned) start;
            // the C side's contract: nobody uses the object while its
            // `*_init` runs, and the section keeps handlers out. An old
            // object is forgotten, not dropped (kernel objects hold no
            // resources).
            unsafe { self.room.get().cast::<T>().write(value) };
            self.init.store(BUILT, Relaxed);
        });
    }

    /// The object, built with `make` first if the room is still empty.
    pub fn get(&self, make: impl FnOnce() -> T) -> &T {
        let () = Self::FITS;
        if self.init.load(Relaxed) != BUILT {
            critical(|_| {
                if self.init.load(Relaxed) != BUILT {
                    // SAFETY: as in `put`; the check and the write are in one
                    // critical section, so one caller alone builds it, and
                    // nobody holds a reference to an object not yet built.
                    unsafe { self.room.get().cast::<T>().write(make()) };
                    self.init.store(BUILT, Relaxed);
                }
            });
        }
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
    pub fn clear(&self) {
        self.init.store(0, Relaxed);
    }
}
