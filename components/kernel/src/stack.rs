//! Thread stacks as plain statics, and their overflow checks.
//!
//! No `unsafe` in sight: a stack is atomic words.
//!
//! A [`Stack`] is an array of atomic words: a `static` of it is `Sync`
//! without any `unsafe impl`, lives in `.bss`, and the kernel learns its
//! bounds from the slice. A thread's first frame is laid out through the
//! slice too ([`init`]: the arch crate supplies the frame as data, the port
//! crate writes it); only the arch's switch code uses the raw addresses.

use core::sync::atomic::AtomicU32;

pub use bluegen_port::stack::{CANARY, RED_ZONE_WORDS, fill_red_zone, red_zone_broken, red_zone_top_broken, top};

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

/// Lays out the first frame of a thread that runs `entry` on `stack`;
/// returns its first stack pointer. The one frame-layout path of the
/// kernel: start-up and spawn both come here.
#[cfg(feature = "threads")]
#[inline(always)]
pub(crate) fn init(stack: &'static [AtomicU32], entry: fn()) -> usize {
    bluegen_port::init_stack(stack, entry)
}

/// Names the running thread as the one whose stack overflowed and ends the
/// run with a failure: the red-zone check's verdict, and the arch's when
/// the hardware stack limit caught the overflow.
#[cfg(feature = "threads")]
pub fn stack_overflow() -> ! {
    overflow_in(crate::thread::current_name())
}

/// Names `thread` as the one whose stack overflowed and fails the run
/// (inlined: one call site per image as a rule).
#[cfg(feature = "threads")]
#[inline(always)]
fn overflow_in(thread: &str) -> ! {
    crate::console::write_str("\nstack overflow in thread ");
    crate::console::write_str(thread);
    crate::console::write_str("\n");
    crate::exit(1)
}

/// After a fault, the fault handler's first question: did a thread's stack
/// overflow? Scans the red zone of every thread stack (the device's and the
/// spawn pool's) and, if one is broken, names the thread whose stack lies
/// highest among the broken ones (an overflow runs down from its own stack
/// through the ones below) and fails the run. Returns when every red zone
/// is intact: the fault was something else. Never reads the scheduler's
/// state, which the overflow may have overwritten.
///
/// In an image it is also `__bluegen_check_stacks`, for the arch crates'
/// fault handlers (the image defines it with `bluegen_port::image!`).
#[cfg(feature = "threads")]
#[cold]
pub fn check_stacks() {
    if !cfg!(feature = "stack-check") {
        return;
    }
    let mut culprit: Option<(&'static str, usize)> = None;
    crate::table::for_each_stack(|name, broken, at| {
        if broken && culprit.is_none_or(|(_, high)| at > high) {
            culprit = Some((name, at));
        }
    });
    if let Some((name, _)) = culprit {
        overflow_in(name);
    }
}

/// Stack overflow check of thread `index`: the red zone at the bottom of
/// its stack must be intact at its top word, which an overflow writes
/// first (a switch record is written without a gap, so one that runs into
/// the zone breaks that word on the same switch); if not, names the thread
/// and fails the run before the overflow can reach the memory below the
/// stack. One load and one compare: it runs on every switch and tick
/// (inlined, its cold path one call); the scan after a fault
/// ([`check_stacks`]) reads the zone's bottom word too.
#[cfg(feature = "stack-check")]
#[inline(always)]
pub(crate) fn check(index: usize) {
    // A confined thread's stack has no red zone (isolation).
    #[cfg(feature = "isolation")]
    if crate::isolation::is_confined(index) {
        return;
    }
    if crate::table::red_zone_top_broken(index) {
        overflowed();
    }
}

/// The cold path of [`check`]: the scan names the thread (this one, or
/// one above it that overflowed into it). Out of line and never returning,
/// so the switch and the tick keep their small frames.
#[cfg(feature = "stack-check")]
#[cold]
#[inline(never)]
fn overflowed() -> ! {
    check_stacks();
    crate::exit(1)
}

/// The lowest address thread `index` may push to, for the arch's hardware
/// stack limit (PSPLIM on ARMv8-M mainline): the top of its red zone, so
/// the hardware catches an overflow before it reaches the zone; the bottom
/// of the idle stack for the idle thread.
#[cfg(feature = "stack-check")]
pub(crate) fn limit(index: usize) -> usize {
    // A confined thread's overflow is the MPU's to catch, at its region's
    // bottom, and its policy's to handle: no limit.
    #[cfg(feature = "isolation")]
    if crate::isolation::is_confined(index) {
        return 0;
    }
    match crate::table::stack_bottom(index) {
        Some(bottom) => bottom + RED_ZONE_WORDS * 4,
        None => crate::thread::IDLE_STACK.words().as_ptr() as usize,
    }
}
