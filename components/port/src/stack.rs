//! Thread stacks as atomic words: first frames and the red zone.
//!
//! The one path that lays out a thread's first frame.

use core::sync::atomic::Ordering::Relaxed;
use core::sync::atomic::{AtomicU32, compiler_fence};

/// The pattern of the red zone at the bottom of every thread stack when
/// stack checking is on (`STACK_CHECK`): a thread whose stack grew into the
/// zone has overwritten it. Its low 12 bits are 0, so that RISC-V builds it
/// with one `lui` in every check (Cortex-M loads any constant in one).
pub const CANARY: u32 = 0x5AFE_C000;

/// Words of the red zone (128 bytes): more than one exception frame plus a
/// typical call frame, so an overflow writes the zone's top word before it
/// leaves the stack.
pub const RED_ZONE_WORDS: usize = 32;

/// The address just past the top of `words` (stacks grow down).
#[inline(always)]
pub fn top(words: &[AtomicU32]) -> usize {
    words.as_ptr() as usize + core::mem::size_of_val(words)
}

/// Bytes of the stack `words` used at most so far: from the lowest word
/// that is not zero (stacks start zeroed, in .bss), above the red zone's
/// canaries, to the top. A lower bound: a frame's words that held zero at
/// the deepest point are not counted.
pub fn peak(words: &[AtomicU32]) -> usize {
    let mut i = 0;
    while i < RED_ZONE_WORDS && words.get(i).is_some_and(|w| w.load(Relaxed) == CANARY) {
        i += 1;
    }
    while words.get(i).is_some_and(|w| w.load(Relaxed) == 0) {
        i += 1;
    }
    (words.len() - i.min(words.len())) * 4
}

/// Writes the [`CANARY`] over the red zone at the bottom of `words`.
pub fn fill_red_zone(words: &[AtomicU32]) {
    for word in words.iter().take(RED_ZONE_WORDS) {
        word.store(CANARY, Relaxed);
    }
}

/// Whether the red zone of `words` is broken at its top word (the first an
/// overflow writes) or its bottom word.
#[inline(always)]
pub fn red_zone_broken(words: &[AtomicU32]) -> bool {
    let broken = |i: usize| words.get(i).is_some_and(|w| w.load(Relaxed) != CANARY);
    broken(RED_ZONE_WORDS - 1) || broken(0)
}

/// The top word of the red zone of `words`, for the image's table of
/// them ([`crate::Image::red_zones`]); a stack of fewer than
/// [`RED_ZONE_WORDS`] words fails the build (const evaluation).
pub const fn red_zone_top(words: &'static [AtomicU32]) -> &'static AtomicU32 {
    &words[RED_ZONE_WORDS - 1]
}

/// Whether the red zone of `words` is broken at its top word, the first
/// an overflow writes (every switch record is written without a gap): the
/// check of every switch and tick, one load and one compare.
#[inline(always)]
pub fn red_zone_top_broken(words: &[AtomicU32]) -> bool {
    words.get(RED_ZONE_WORDS - 1).is_some_and(|w| w.load(Relaxed) != CANARY)
}

/// Words of `u32` per frame slot (1 on 32-bit targets, 2 on 64-bit ones).
const WORDS_PER_SLOT: usize = core::mem::size_of::<usize>() / 4;

/// Lays out a frame of `slots` machine words, slot `i` being `frame(i)`
/// (lowest address first), at the top of `stack`, below its end aligned
/// down to `align` bytes (a power of two); returns the stack pointer that
/// points at slot 0. Only atomics of `stack` are written, so a stack too
/// short for the frame gets what fits (bluegen checks stack sizes).
#[inline(always)]
pub fn lay_out(stack: &[AtomicU32], align: usize, slots: usize, frame: impl Fn(usize) -> usize) -> usize {
    // Wrapping: a stack shorter than the frame (or empty) gets what fits,
    // never a panic.
    let sp = (top(stack) & !(align.wrapping_sub(1))).wrapping_sub(slots.wrapping_mul(core::mem::size_of::<usize>()));
    let first = sp.wrapping_sub(stack.as_ptr() as usize) / 4;
    for i in 0..slots {
        let slot = frame(i);
        for k in 0..WORDS_PER_SLOT {
            if let Some(word) = stack.get(first.wrapping_add(i * WORDS_PER_SLOT + k)) {
                word.store((slot as u64 >> (32 * k)) as u32, Relaxed);
            }
        }
    }
    // The arch reads the frame as plain memory on the first switch: keep
    // the stores before whatever starts that switch.
    compiler_fence(core::sync::atomic::Ordering::SeqCst);
    sp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_lies_at_the_aligned_top_and_a_short_stack_gets_what_fits() {
        #[repr(align(16))]
        struct Aligned([AtomicU32; 8]);
        let aligned = Aligned([const { AtomicU32::new(0) }; 8]);
        let words = &aligned.0;
        let sp = lay_out(words, 8, 2, |i| 0x10 + i);
        assert_eq!(sp, top(words) - 2 * core::mem::size_of::<usize>());
        let per = core::mem::size_of::<usize>() / 4;
        assert_eq!(words[8 - 2 * per].load(Relaxed), 0x10);
        assert_eq!(words[8 - per].load(Relaxed), 0x11);
        // Longer than the stack, or no stack at all: no panic, no write
        // outside it.
        let short: [AtomicU32; 2] = [const { AtomicU32::new(0) }; 2];
        let _ = lay_out(&short, 8, 17, |_| 7);
        let _ = lay_out(&[], 16, 17, |_| 7);
    }
}
