//! Thread stacks as plain statics, with no `unsafe` in sight.
//!
//! A [`Stack`] is an array of atomic words: a `static` of it is `Sync`
//! without any `unsafe impl`, lives in `.bss`, and the kernel learns its
//! bounds from the slice. Only the arch crate writes through the raw
//! addresses, when it lays out a thread's first frame and on every switch.

use core::sync::atomic::AtomicU32;

/// `N` bytes of stack (a multiple of 8), 8-byte aligned as both ABIs want.
#[repr(C, align(8))]
pub struct Stack<const WORDS: usize>(pub [AtomicU32; WORDS]);

impl<const WORDS: usize> Stack<WORDS> {
    /// A zeroed stack.
    #[allow(clippy::new_without_default)]
    pub const fn new() -> Self {
        Self([const { AtomicU32::new(0) }; WORDS])
    }

    /// The stack as words, for a [`crate::ThreadSpec`].
    pub const fn words(&'static self) -> &'static [AtomicU32] {
        &self.0
    }
}

/// The pattern of the red zone at the bottom of every thread stack when
/// stack checking is on (`STACK_CHECK`): a thread whose stack grew into the
/// zone has overwritten it.
pub const CANARY: u32 = 0x5AFE_C0DE;

/// Words of the red zone (128 bytes): more than one exception frame plus a
/// typical call frame, so an overflow writes the zone's top word before it
/// leaves the stack.
pub const RED_ZONE_WORDS: usize = 32;

/// Writes the [`CANARY`] over the red zone at the bottom of `words`.
pub fn fill_red_zone(words: &[AtomicU32]) {
    for word in words.iter().take(RED_ZONE_WORDS) {
        word.store(CANARY, core::sync::atomic::Ordering::Relaxed);
    }
}

/// The address just past the top of `words` (stacks grow down).
pub fn top(words: &[AtomicU32]) -> usize {
    words.as_ptr() as usize + core::mem::size_of_val(words)
}
