//! Isolation: what an unprivileged thread may touch, and how kernel code runs privileged.
//!
//! With the `isolation` feature (Kconfig `ISOLATION`), a thread of
//! device.toml that is not `privileged` runs unprivileged (Cortex-M thread
//! mode with `CONTROL.nPRIV`, RISC-V U-mode) under the MPU or PMP, which
//! the switch programs with the thread's [`Region`]s: its own region
//! (stack, then its statics), then the regions device.toml gives it. Code
//! and read-only data (flash) are readable and executable by every thread;
//! nothing else is reachable unprivileged.
//!
//! Kernel code reaches kernel state and devices through [`privileged`]:
//! every wrapper of this crate that touches them ([`crate::critical`], the
//! console, exit, the switch, the interrupt controller) runs its body that
//! way, and the kernel's own API does the same at its entry, so that a call
//! raises privilege once. Raising is the arch's: an SVC on Cortex-M, a
//! trapped CSR read on RISC-V, each accepted from this crate's one call
//! site only (so a stray SVC or CSR access of a thread is a fault of that
//! thread). Without the feature, [`privileged`] is its closure.
//!
//! A fault of an unprivileged thread reaches the kernel as a [`Fault`],
//! the capability to end or restart that thread; the thread's
//! [`OnFault`] policy decides.

use core::sync::atomic::AtomicU32;

/// What an unprivileged thread may do in a region (privileged code may do
/// everything).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Access {
    /// Read, not write, not execute.
    ReadOnly,
    /// Read and write, not execute.
    ReadWrite,
}

/// The kind of memory a region is: the MPU's attributes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Memory {
    /// RAM: normal memory.
    Normal,
    /// MMIO: device memory (no speculation, no merging).
    Device,
}

/// An address range `[start, end)` an unprivileged thread may access, as
/// bluegen laid it out for the hardware's rules (PMSAv7: a power of two
/// aligned to its size; PMSAv8: 32-byte granules; PMP: NAPOT or TOR).
#[derive(Clone, Copy)]
pub struct Region {
    start: *const u8,
    end: *const u8,
    /// What the thread may do there.
    pub access: Access,
    /// Its memory attributes.
    pub memory: Memory,
}

// SAFETY: a `Region` is two addresses and two tags, never dereferenced
// through it; the pointers are only compared and written to the MPU.
unsafe impl Sync for Region {}

impl Region {
    /// The range `[start, end)`, for the image's region tables: linker
    /// symbols of a thread's or a shared region, or a peripheral's base
    /// and end from the board.
    #[inline(always)]
    pub const fn new(start: *const u8, end: *const u8, access: Access, memory: Memory) -> Self {
        Self { start, end, access, memory }
    }

    /// Its first address.
    #[inline(always)]
    pub fn start(&self) -> usize {
        self.start as usize
    }

    /// The address just past it.
    #[inline(always)]
    pub fn end(&self) -> usize {
        self.end as usize
    }

    /// Its size in bytes (0 for an empty or inverted range).
    #[inline(always)]
    pub fn size(&self) -> usize {
        self.end().saturating_sub(self.start())
    }
}

/// What happens to a thread after a fault of its own (device.toml
/// `on-fault`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum OnFault {
    /// End the run with a failure (the default, as without isolation).
    Panic,
    /// The thread ends; the others go on.
    Stop,
    /// The thread starts again from its entry, on a fresh stack, with its
    /// statics set to their initial values.
    Restart,
}

/// A data section of the image: statics at `[start, end)` whose initial
/// values lie in flash at `load` (a thread's own statics, a shared
/// region's), which [`Statics::load`] copies.
#[derive(Clone, Copy)]
pub struct Statics {
    start: *mut u8,
    end: *mut u8,
    load: *const u8,
}

// SAFETY: three addresses, only used by `load`, whose callers hold a
// capability that excludes every other user of the range.
unsafe impl Sync for Statics {}

impl Statics {
    /// The data section `[start, end)` with its initial values at `load`.
    ///
    /// # Safety
    ///
    /// `start..end` is a data section of the linker script (word aligned,
    /// in RAM, holding nothing but the statics placed in it), and `load`
    /// the address of its initial values in flash, `end - start` bytes.
    #[inline(always)]
    pub const unsafe fn new(start: *const u8, end: *const u8, load: *const u8) -> Self {
        Self { start: start.cast_mut(), end: end.cast_mut(), load }
    }

    /// Its size in bytes.
    #[inline(always)]
    pub fn size(&self) -> usize {
        (self.end as usize).saturating_sub(self.start as usize)
    }

    /// Sets every static of the section to its initial value.
    fn copy(&self) {
        // SAFETY: `new`'s contract: the section and its load image are
        // `size()` bytes each, in RAM and flash, which do not overlap; the
        // callers (`Boot::load`, `Fault::reload`) hold a capability proving
        // that no code uses those statics meanwhile (start-up, or their
        // thread stopped by a fault and not running).
        unsafe { core::ptr::copy_nonoverlapping(self.load, self.start, self.size()) }
    }
}

/// What device.toml says of a thread under isolation: privileged, or
/// confined to its regions with its own statics and a fault policy.
#[derive(Clone, Copy)]
pub struct Isolation {
    /// `None` for a privileged thread.
    pub(crate) confined: Option<Confined>,
}

/// An unprivileged thread's part of [`Isolation`].
#[derive(Clone, Copy)]
pub(crate) struct Confined {
    pub(crate) regions: &'static [Region],
    pub(crate) statics: Statics,
    pub(crate) on_fault: OnFault,
}

impl Isolation {
    /// A privileged thread: today's behaviour, no regions.
    pub const PRIVILEGED: Self = Self { confined: None };

    /// Its regions (its own first), or `None` for a privileged thread.
    #[inline(always)]
    pub fn regions(&self) -> Option<&'static [Region]> {
        self.confined.map(|c| c.regions)
    }

    /// Sets a confined thread's statics to their initial values (nothing
    /// for a privileged one); its callers hold `Boot` or the thread's `Fault`.
    #[inline(always)]
    fn load_statics(&self) {
        if let Some(c) = self.confined {
            c.statics.copy();
        }
    }

    /// Its policy after a fault of its own (a privileged thread's fault is
    /// the kernel's: the run ends).
    #[inline(always)]
    pub fn on_fault(&self) -> OnFault {
        self.confined.map_or(OnFault::Panic, |c| c.on_fault)
    }
}

/// What a faulting access was.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum FaultKind {
    /// A load from memory the thread may not read.
    Read,
    /// A store to memory the thread may not write.
    Write,
    /// A data access whose direction the hardware does not say.
    Access,
    /// An instruction fetch from memory the thread may not execute.
    Execute,
    /// Saving its context ran off the bottom of its region: a stack
    /// overflow caught by the hardware.
    Stack,
    /// Privileged code called from outside the kernel, or any other trap
    /// of the thread (an undefined instruction, a misaligned access).
    Other,
}

/// The capability of one fault of an unprivileged thread: the arch fault
/// handler makes it, and the kernel ends or restarts the thread with it.
pub struct Fault {
    /// What the access was.
    pub kind: FaultKind,
    /// The address it touched, when the hardware says.
    pub addr: Option<usize>,
    /// The faulting instruction's address (0 when the hardware lost it, as
    /// for a fault while saving the context).
    pub pc: usize,
}

impl Fault {
    /// A fault of the running thread.
    ///
    /// # Safety
    ///
    /// Only the arch fault handler makes one, for a fault that came from
    /// the running thread while it ran unprivileged, and after the kernel
    /// returns it switches away without resuming or saving that thread's
    /// context (the thread's stack may be laid out afresh meanwhile).
    #[inline(always)]
    pub const unsafe fn new(kind: FaultKind, addr: Option<usize>, pc: usize) -> Self {
        Self { kind, addr, pc }
    }

    /// The faulting thread's stack, to lay out its first frame again for
    /// [`OnFault::Restart`]: it does not run, and the arch will not save
    /// its context (this capability's contract).
    #[inline(always)]
    pub fn stack_of(&self, thread: &crate::ThreadSpec) -> &'static [AtomicU32] {
        thread.stack_words()
    }

    /// Sets the faulting thread's statics to their initial values, for
    /// [`OnFault::Restart`] (as for [`Fault::stack_of`]: nothing runs that
    /// thread's code meanwhile, and its statics are its own).
    #[inline(always)]
    pub fn reload(&self, thread: &crate::ThreadSpec) {
        thread.isolation.load_statics();
    }
}

impl crate::Boot {
    /// Sets the statics of a data section to their initial values at
    /// start-up (a thread's own statics, a shared region's): no thread
    /// runs yet.
    #[inline(always)]
    pub fn load(&self, statics: &Statics) {
        statics.copy();
    }

    /// Sets a confined thread's statics to their initial values at
    /// start-up (nothing for a privileged thread, whose statics the
    /// start-up code's `.data` copy covers).
    #[inline(always)]
    pub fn load_thread(&self, thread: &crate::ThreadSpec) {
        thread.isolation.load_statics();
    }
}

impl crate::ThreadSpec {
    /// This thread, unprivileged under isolation: `regions` (its own region
    /// first), its statics (set at start-up and at a restart) and its fault
    /// policy.
    #[inline(always)]
    pub const fn isolate(mut self, regions: &'static [Region], statics: Statics, on_fault: OnFault) -> Self {
        self.isolation = Isolation { confined: Some(Confined { regions, statics, on_fault }) };
        self
    }

    /// What isolation says of this thread.
    #[inline(always)]
    pub fn isolation(&self) -> Isolation {
        self.isolation
    }
}

/// Runs `f` privileged: at once when the caller is (kernel code already
/// raised, a handler, a privileged thread), else raised for `f` and
/// lowered again after it. Kernel code only: the body of every kernel call
/// of an unprivileged thread.
#[inline(always)]
pub fn privileged<R>(f: impl FnOnce() -> R) -> R {
    // SAFETY: this crate's one raise, lowered again right after `f`, on
    // the same thread (a switch inside `f` saves and restores the
    // privilege with the thread's context).
    let raised = unsafe { crate::sys::__bluegen_port_raise() };
    let r = f();
    if raised {
        // SAFETY: it raised above, on this thread; `f` is done.
        unsafe { crate::sys::__bluegen_port_lower() };
    }
    r
}

/// The running thread drops its privilege for good: a thread's first
/// step, before its entry runs, when it is not `privileged`.
#[inline(always)]
pub fn drop_privilege() {
    // SAFETY: lowering needs no precondition but being in thread context,
    // which the kernel's thread start is; a thread that raised before
    // would lower on its own.
    unsafe { crate::sys::__bluegen_port_lower() }
}

/// The next thread is confined to `regions`: the switch programs the MPU
/// or PMP (only the switch decides which thread runs, hence the
/// capability).
#[inline(always)]
pub fn protect(switch: &crate::Switch, regions: &'static [Region]) {
    let _ = switch;
    // SAFETY: a `Switch` exists only inside the context switch, about to
    // run the thread these regions are of.
    unsafe { crate::sys::__bluegen_port_protect(regions) }
}
