//! A thread as the image declares it, with its stack kept private.

use core::sync::atomic::AtomicU32;

/// One statically declared thread of the image's table.
///
/// Its stack is private: safe code reads the name, entry and priority, and
/// asks whether the stack's red zone is intact, but cannot reach the words
/// of a stack a thread runs on (which [`crate::init_stack`] or any atomic
/// store could overwrite); only the holder of [`crate::Boot`] gets them.
///
/// The same fields whatever the features: without threads the image runs
/// the entries one after another on the boot stack (and passes the kernel
/// only those, see the kernel's `run_in_order`).
#[derive(Clone, Copy)]
pub struct ThreadSpec {
    /// Its name in device.toml (`[threads.<name>]`).
    pub name: &'static str,
    /// The function it runs, from the device's app crate.
    pub entry: fn(),
    /// 1 (lowest) to 31 (highest).
    pub priority: u8,
    /// Whether it is ready at start-up; `start = false` in device.toml
    /// makes it start suspended, until another thread resumes it.
    pub start: bool,
    /// Its stack (a `Stack` static of the image).
    #[cfg_attr(not(feature = "threads"), allow(dead_code))]
    stack: &'static [AtomicU32],
    /// Privileged, or confined to its regions (Kconfig `ISOLATION`).
    #[cfg(feature = "isolation")]
    pub(crate) isolation: crate::Isolation,
}

impl ThreadSpec {
    /// A thread of the image's table; `stack` is a `Stack` static of the
    /// image.
    #[inline(always)]
    pub const fn new(name: &'static str, entry: fn(), priority: u8, stack: &'static [AtomicU32], start: bool) -> Self {
        Self {
            name,
            entry,
            priority,
            start,
            stack,
            #[cfg(feature = "isolation")]
            isolation: crate::Isolation::PRIVILEGED,
        }
    }

    /// Its stack, for the capabilities that may write it.
    #[cfg(feature = "isolation")]
    #[inline(always)]
    pub(crate) fn stack_words(&self) -> &'static [AtomicU32] {
        self.stack
    }

    /// Its stack, to lay out the first frame and fill the red zone: only
    /// at start-up, before any thread runs on it.
    #[cfg(feature = "threads")]
    #[inline(always)]
    pub fn stack(&self, boot: &crate::Boot) -> &'static [AtomicU32] {
        let _ = boot;
        self.stack
    }

    /// Whether the red zone at the bottom of its stack is broken (see
    /// [`crate::stack::red_zone_broken`]).
    #[cfg(feature = "threads")]
    #[inline(always)]
    pub fn red_zone_broken(&self) -> bool {
        crate::stack::red_zone_broken(self.stack)
    }

    /// Bytes of its stack used at most so far (see [`crate::stack::peak`]).
    #[cfg(feature = "threads")]
    pub fn stack_peak(&self) -> usize {
        crate::stack::peak(self.stack)
    }

    /// The lowest address of its stack.
    #[cfg(feature = "threads")]
    #[inline(always)]
    pub fn stack_bottom(&self) -> usize {
        self.stack.as_ptr() as usize
    }
}
