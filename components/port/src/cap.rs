//! Capabilities: what only the generated image may do, and the interrupt lock.

use core::marker::PhantomData;
use core::sync::atomic::{Ordering, compiler_fence};

/// Leave to start the kernel: lay out every thread's first frame and
/// abandon the boot stack. Only the generated image's boot entry makes one.
/// Neither `Send` nor `Sync`: its critical sections are the boot entry's
/// alone (on the host, the thread's that holds the host lock for it).
pub struct Boot(PhantomData<*const ()>);

impl Boot {
    /// The capability to start the kernel.
    ///
    /// # Safety
    ///
    /// Called once, by the image's boot entry, on the boot stack, before
    /// any thread runs and before any interrupt that reaches the kernel is
    /// enabled (the tick starts only with the scheduler), and nothing but
    /// the kernel uses the stacks of the image's thread table: starting lays
    /// out a first frame on each of them and abandons the caller's stack.
    #[inline(always)]
    pub const unsafe fn new() -> Self {
        Self(PhantomData)
    }

    /// Nothing else runs kernel code during start-up (no thread yet, no
    /// interrupt that reaches the kernel enabled): a critical section
    /// without masking.
    #[inline(always)]
    pub fn critical_section(&self) -> CriticalSection<'_> {
        CriticalSection { _scope: PhantomData }
    }
}

/// On the host, [`crate::host::boot`] takes the host's lock for the life
/// of the `Boot`, so that its critical sections exclude other std threads
/// as [`critical`]'s do; dropping it releases the lock.
#[cfg(not(target_os = "none"))]
impl Drop for Boot {
    fn drop(&mut self) {
        // SAFETY: `host::boot` took the lock this releases, on this thread
        // (`Boot` is not `Send`), and nothing else unlocks it.
        unsafe { crate::sys::__bluegen_port_unlock(0) }
    }
}

/// Leave to make the context switch's decision: record the outgoing
/// thread's stack pointer and choose the next. Only the image's
/// `__bluegen_switch` (defined by [`crate::image!`]) makes one.
pub struct Switch(());

impl Switch {
    /// The capability of one context switch.
    ///
    /// # Safety
    ///
    /// Only inside the arch switch code's call of `__bluegen_switch`, with
    /// the switch interrupt masked, for the `sp` that code saved, and the
    /// arch switches to the stack pointer the kernel returns. Any other use
    /// records a stack pointer the arch would later restore, or marks a
    /// thread as running that does not run: two threads would share a stack.
    #[inline(always)]
    pub const unsafe fn new() -> Self {
        Self(())
    }

    /// Interrupts are masked for the whole switch: a critical section.
    #[inline(always)]
    pub fn critical_section(&self) -> CriticalSection<'_> {
        CriticalSection { _scope: PhantomData }
    }
}

/// Leave to run the kernel's tick. Only the image's `__bluegen_tick`
/// (defined by [`crate::image!`]) makes one.
pub struct Tick(());

impl Tick {
    /// The capability of one tick.
    ///
    /// # Safety
    ///
    /// Only inside the arch tick interrupt, once per tick period, with
    /// interrupts masked, and the arch switches when the tick says so.
    #[inline(always)]
    pub const unsafe fn new() -> Self {
        Self(())
    }

    /// Interrupts are masked for the whole tick: a critical section.
    #[inline(always)]
    pub fn critical_section(&self) -> CriticalSection<'_> {
        CriticalSection { _scope: PhantomData }
    }
}

/// Proof that no other kernel code runs on this core for `'cs`: interrupts
/// are masked (or, at start-up, none that reaches the kernel is enabled
/// yet). Kernel state is mutated only with one in hand. Only [`critical`]
/// (and the boot, switch and tick capabilities) hand one out; it cannot outlive the
/// closure it was given to (`'cs` is invariant and local to the call).
///
/// A switch asked for inside it (a yield, a wake of a higher thread) waits
/// for the section's end on every arch (PendSV on Cortex-M, the machine
/// software interrupt on RISC-V), so its holder never leaves the core while
/// the token is alive, and the port's cells ([`crate::Ring`],
/// [`crate::Lock`], [`crate::CsCell`]) may rest on it. A blocking call
/// inside it does not block (it returns as if given or timed out at once):
/// blocking calls belong outside critical sections.
#[derive(Clone, Copy)]
pub struct CriticalSection<'cs> {
    _scope: PhantomData<&'cs mut &'cs ()>,
}

/// Runs `f` with interrupts masked (the arch's lock), then restores the
/// mask as it was, so nested sections unmask in order: the kernel's only
/// lock. There is no other way to unmask.
#[inline(always)]
pub fn critical<R>(f: impl for<'cs> FnOnce(CriticalSection<'cs>) -> R) -> R {
    priv_call!(critical_here(f))
}

/// [`critical`] in the caller's privilege.
#[inline(always)]
fn critical_here<R>(f: impl for<'cs> FnOnce(CriticalSection<'cs>) -> R) -> R {
    let state = crate::sys::__bluegen_port_lock();
    // The arch's mask instructions are `asm!` that touch no memory, and LTO
    // inlines them here: without a compiler barrier, LLVM could move the
    // section's loads and stores across the mask and the unmask. Costs no
    // instruction.
    compiler_fence(Ordering::SeqCst);
    let r = f(CriticalSection { _scope: PhantomData });
    compiler_fence(Ordering::SeqCst);
    // SAFETY: `state` is what the matching lock returned, restored after
    // `f` is done, innermost first: the precondition of the arch's unlock.
    // The token `f` got cannot escape it (its lifetime is `f`'s own).
    unsafe { crate::sys::__bluegen_port_unlock(state) };
    r
}

/// [`critical`], then a switch when `f` returns `(r, true)`: what
/// `critical` followed by [`crate::pend_switch`] does, fused where the arch
/// can (RISC-V switches before unmasking: two instructions fewer on every
/// wake or block that gives the core away). Returns `r`.
#[inline(always)]
pub fn critical_switch<R>(f: impl for<'cs> FnOnce(CriticalSection<'cs>) -> (R, bool)) -> R {
    priv_call!(critical_switch_here(f))
}

/// [`critical_switch`] in the caller's privilege.
#[inline(always)]
fn critical_switch_here<R>(f: impl for<'cs> FnOnce(CriticalSection<'cs>) -> (R, bool)) -> R {
    let state = crate::sys::__bluegen_port_lock();
    // As in `critical`: the mask instructions touch no memory.
    compiler_fence(Ordering::SeqCst);
    let (r, switch) = f(CriticalSection { _scope: PhantomData });
    compiler_fence(Ordering::SeqCst);
    if switch {
        // SAFETY: as in `critical` (the state of this section's lock, the
        // section over), which is `unlock_switch`'s precondition too.
        unsafe { crate::sys::__bluegen_port_unlock_switch(state) };
    } else {
        // SAFETY: as in `critical`.
        unsafe { crate::sys::__bluegen_port_unlock(state) };
    }
    r
}
