//! The context switch (a call when voluntary, an IRQ when preempted) and the port contract.
//!
//! What a thread leaves on its stack when it stops running is a resume
//! record whose first word is the code that resumes it; `__bluegen_resume`
//! jumps there with the record's address in x0. So each kind of record
//! carries its own way back, and a thread resumes correctly whichever kind
//! of switch brings it back:
//!
//! * a voluntary switch (`pend_switch` with IRQs unmasked: yield, block,
//!   exit) calls `__bluegen_yield`. The `asm!` gives up every register the
//!   C calling convention lets a callee change but v8–v15, so the yield
//!   saves the callee-saved x19–x30, FPCR (a thread's rounding mode is its
//!   own) and all of q8–q15 (a caller may keep 128-bit values there, since
//!   the asm does not name them): 240 bytes, no gap, resumed by
//!   `__bluegen_resume_vol`, which unmasks IRQs and returns;
//! * the IRQ entry saves everything: x0–x30, ELR_EL1 and SPSR_EL1, FPCR and
//!   FPSR, q0–q31 (800 bytes), resumed by `__bluegen_resume_full` with
//!   `eret`. bluegen adds the record to every thread's stack on this arch
//!   (see the book's kernel page); the Rust side of the IRQ (the tick, the
//!   handlers) runs on the boot stack, which no thread uses.
//!
//! A switch asked for with IRQs masked (inside a critical section, or in a
//! handler) sets `PENDING` instead, which the critical section's end and the
//! IRQ entry's exit act on: a thread never leaves the core inside a
//! critical section, so a `CriticalSection` token lives only while IRQs are
//! masked.
//!
//! Records are written without a gap below their top, so one that runs past
//! the bottom of a stack writes a word of the red zone the kernel checks on
//! the same switch (see `bluegen_port::stack`).

use core::sync::atomic::{AtomicBool, Ordering::Relaxed};

/// Bytes of a voluntary record and of a full one.
const VOLUNTARY: usize = 240;
const FULL: usize = 800;

core::arch::global_asm!(
    "
    /* The voluntary switch, called by pend_switch with IRQs unmasked:
       masks them, pushes the record, and switches. */
    .section .text.__bluegen_yield, \"ax\", %progbits
    .global __bluegen_yield
__bluegen_yield:
    msr daifset, #2
    /* The masked entry: a critical section that ends with a switch, and
       the first switch, from the boot stack. */
    .global __bluegen_yield_masked
__bluegen_yield_masked:
    sub sp, sp, #{vol}
    adr x9, __bluegen_resume_vol
    stp x9, x19, [sp, #0]
    stp x20, x21, [sp, #16]
    stp x22, x23, [sp, #32]
    stp x24, x25, [sp, #48]
    stp x26, x27, [sp, #64]
    stp x28, x29, [sp, #80]
    mrs x10, fpcr
    stp x30, x10, [sp, #96]
    stp q8, q9, [sp, #112]
    stp q10, q11, [sp, #144]
    stp q12, q13, [sp, #176]
    stp q14, q15, [sp, #208]
    mov x0, sp
    bl __bluegen_switch
    /* Resumes the record at x0, IRQs masked: its first word is the code
       that restores it. */
    .global __bluegen_resume
__bluegen_resume:
    ldr x1, [x0]
    br x1

    /* A voluntary record: x19-x30, FPCR and q8-q15, sp past it, IRQs unmasked,
       back to the caller of the yield. An IRQ between the unmask and the
       return saves a full record above which nothing is left to pop, and
       comes back to the return. */
__bluegen_resume_vol:
    ldp x9, x19, [x0, #0]
    ldp x20, x21, [x0, #16]
    ldp x22, x23, [x0, #32]
    ldp x24, x25, [x0, #48]
    ldp x26, x27, [x0, #64]
    ldp x28, x29, [x0, #80]
    ldp x30, x10, [x0, #96]
    msr fpcr, x10
    ldp q8, q9, [x0, #112]
    ldp q10, q11, [x0, #144]
    ldp q12, q13, [x0, #176]
    ldp q14, q15, [x0, #208]
    add sp, x0, #{vol}
    msr daifclr, #2
    ret

    /* The IRQ: a full record, then the Rust side with its address;
       resumes the record it returns. */
    .section .text.__bluegen_irq_entry, \"ax\", %progbits
    .global __bluegen_irq_entry
__bluegen_irq_entry:
    sub sp, sp, #{full}
    stp x0, x1, [sp, #32]
    stp x2, x3, [sp, #48]
    stp x4, x5, [sp, #64]
    stp x6, x7, [sp, #80]
    stp x8, x9, [sp, #96]
    stp x10, x11, [sp, #112]
    stp x12, x13, [sp, #128]
    stp x14, x15, [sp, #144]
    stp x16, x17, [sp, #160]
    stp x18, x19, [sp, #176]
    stp x20, x21, [sp, #192]
    stp x22, x23, [sp, #208]
    stp x24, x25, [sp, #224]
    stp x26, x27, [sp, #240]
    stp x28, x29, [sp, #256]
    mrs x0, elr_el1
    mrs x1, spsr_el1
    stp x0, x1, [sp, #8]
    str x30, [sp, #24]
    mrs x0, fpcr
    mrs x1, fpsr
    stp x0, x1, [sp, #272]
    stp q0, q1, [sp, #288]
    stp q2, q3, [sp, #320]
    stp q4, q5, [sp, #352]
    stp q6, q7, [sp, #384]
    stp q8, q9, [sp, #416]
    stp q10, q11, [sp, #448]
    stp q12, q13, [sp, #480]
    stp q14, q15, [sp, #512]
    stp q16, q17, [sp, #544]
    stp q18, q19, [sp, #576]
    stp q20, q21, [sp, #608]
    stp q22, q23, [sp, #640]
    stp q24, q25, [sp, #672]
    stp q26, q27, [sp, #704]
    stp q28, q29, [sp, #736]
    stp q30, q31, [sp, #768]
    adr x0, __bluegen_resume_full
    str x0, [sp]
    /* The Rust side runs on the boot stack, abandoned once threads run
       (IRQs do not nest): a thread's stack holds only the record. */
    mov x0, sp
    ldr x1, =_stack_top
    mov sp, x1
    bl {irq}
    b __bluegen_resume
    .ltorg

    /* A full record: everything, then eret to where the IRQ came, with
       the PSTATE it had (IRQs unmasked). */
__bluegen_resume_full:
    mov sp, x0
    ldp q0, q1, [sp, #288]
    ldp q2, q3, [sp, #320]
    ldp q4, q5, [sp, #352]
    ldp q6, q7, [sp, #384]
    ldp q8, q9, [sp, #416]
    ldp q10, q11, [sp, #448]
    ldp q12, q13, [sp, #480]
    ldp q14, q15, [sp, #512]
    ldp q16, q17, [sp, #544]
    ldp q18, q19, [sp, #576]
    ldp q20, q21, [sp, #608]
    ldp q22, q23, [sp, #640]
    ldp q24, q25, [sp, #672]
    ldp q26, q27, [sp, #704]
    ldp q28, q29, [sp, #736]
    ldp q30, q31, [sp, #768]
    ldp x0, x1, [sp, #272]
    msr fpcr, x0
    msr fpsr, x1
    ldp x0, x1, [sp, #8]
    msr elr_el1, x0
    msr spsr_el1, x1
    ldr x30, [sp, #24]
    ldp x2, x3, [sp, #48]
    ldp x4, x5, [sp, #64]
    ldp x6, x7, [sp, #80]
    ldp x8, x9, [sp, #96]
    ldp x10, x11, [sp, #112]
    ldp x12, x13, [sp, #128]
    ldp x14, x15, [sp, #144]
    ldp x16, x17, [sp, #160]
    ldp x18, x19, [sp, #176]
    ldp x20, x21, [sp, #192]
    ldp x22, x23, [sp, #208]
    ldp x24, x25, [sp, #224]
    ldp x26, x27, [sp, #240]
    ldp x28, x29, [sp, #256]
    ldp x0, x1, [sp, #32]
    add sp, sp, #{full}
    eret

    /* A new thread's first record resumes here: x19 holds its entry. */
    .section .text.__bluegen_thread_entry, \"ax\", %progbits
__bluegen_thread_entry:
    mov x0, x19
    b {start}
    ",
    vol = const VOLUNTARY,
    full = const FULL,
    irq = sym irq,
    start = sym thread_start,
);

unsafe extern "C" {
    /// Where a new thread's first record resumes (above).
    safe fn __bluegen_thread_entry();
    /// Resumes voluntary records (above).
    safe fn __bluegen_resume_vol();
}

/// Words of a new thread's first record: a voluntary one.
const FRAME_SLOTS: usize = VOLUNTARY / 8;
/// The slots of the resume code, x19 and x30 (the return address); FPCR's
/// (13) is 0 in a new thread's record: round to nearest, no traps.
const RESUME: usize = 0;
const X19: usize = 1;
const X30: usize = 12;

/// A switch asked for while IRQs were masked, not yet made. Only read and
/// written with IRQs masked, on the one core the kernel runs on.
static PENDING: AtomicBool = AtomicBool::new(false);

/// Whether IRQs are masked (PSTATE.I).
#[inline(always)]
fn masked() -> bool {
    let daif: u64;
    // SAFETY: reads DAIF; no side effect.
    unsafe { core::arch::asm!("mrs {0}, daif", out(reg) daif, options(nomem, nostack, preserves_flags)) };
    daif & 1 << 7 != 0
}

/// `$asm` with every register a call may change but v8–v15 as a clobber
/// (see the module docs): x0–x18, x30, v0–v7, v16–v31, the flags.
macro_rules! call_clobbers {
    ($($t:literal),*) => {
        core::arch::asm!($($t),*,
            out("x0") _, out("x1") _, out("x2") _, out("x3") _, out("x4") _, out("x5") _, out("x6") _, out("x7") _,
            out("x8") _, out("x9") _, out("x10") _, out("x11") _, out("x12") _, out("x13") _, out("x14") _, out("x15") _,
            out("x16") _, out("x17") _, out("x18") _, out("x30") _,
            out("v0") _, out("v1") _, out("v2") _, out("v3") _, out("v4") _, out("v5") _, out("v6") _, out("v7") _,
            out("v16") _, out("v17") _, out("v18") _, out("v19") _, out("v20") _, out("v21") _, out("v22") _, out("v23") _,
            out("v24") _, out("v25") _, out("v26") _, out("v27") _, out("v28") _, out("v29") _, out("v30") _, out("v31") _,
        )
    };
}

/// The IRQ, past the register save: the tick, a device interrupt or an
/// SGI; then the switch, when the tick or a handler asked for one.
extern "C" fn irq(sp: usize) -> usize {
    let (intid, iar) = crate::gic::ack();
    if intid == crate::gic::SPURIOUS {
        return sp;
    }
    let mut due = false;
    #[cfg(feature = "tick")]
    let tick = intid == crate::timer::INTID;
    #[cfg(not(feature = "tick"))]
    let tick = false;
    #[cfg(feature = "tick")]
    if tick {
        // Only a compare value reached is a tick (the level PPI may be
        // seen again after the rearm moved it on).
        let fired = crate::timer::fired();
        if fired {
            crate::timer::rearm();
        }
        crate::gic::end(iar);
        // SAFETY: this is the timer interrupt, once per tick period, with
        // IRQs masked (an exception), and it switches when told to below;
        // the switch runs inside the same IRQ, for the `sp` the entry saved.
        due = fired && unsafe { bluegen_port::kernel::tick() };
    }
    // A device interrupt or an SGI: its handler, which ends it.
    #[cfg(feature = "interrupts")]
    if !tick {
        crate::irq::dispatch(intid, iar);
    }
    // None is enabled but the tick: end whatever came.
    #[cfg(not(feature = "interrupts"))]
    if !tick {
        crate::gic::end(iar);
    }
    if due || PENDING.load(Relaxed) {
        PENDING.store(false, Relaxed);
        // SAFETY: an IRQ (masked), for the record at `sp` the entry saved,
        // and the entry resumes the record of the stack pointer returned.
        return unsafe { bluegen_port::kernel::switch(sp) };
    }
    sp
}

/// Where every thread starts: runs its entry (passed as an address in the
/// first argument register), then ends the thread.
extern "C" fn thread_start(entry: usize) -> ! {
    // SAFETY: `frame_slot` put exactly a `fn()` of the image, turned into
    // an address, in x19, which the trampoline moved here; nothing else
    // reaches here.
    let entry: fn() = unsafe { core::mem::transmute::<usize, fn()>(entry) };
    entry();
    bluegen_port::kernel::thread_return()
}

/// This arch's side of the port contract (see `bluegen_port::Arch`).
struct Aarch64;

bluegen_port::arch!(Aarch64);

// SAFETY: `lock` masks IRQs, the only exceptions that reach the kernel,
// until the matching `unlock`; the frame is the one this file's switch
// restores; and the switch saves each thread's context on its own stack.
unsafe impl bluegen_port::Arch for Aarch64 {
    const STACK_ALIGN: usize = 16;
    const FRAME_SLOTS: usize = FRAME_SLOTS;

    /// A voluntary record that returns to `__bluegen_thread_entry` with the
    /// entry in x19; every other slot 0.
    #[inline(always)]
    fn frame_slot(entry: fn(), slot: usize) -> usize {
        match slot {
            RESUME => __bluegen_resume_vol as *const () as usize,
            X19 => entry as usize,
            X30 => __bluegen_thread_entry as *const () as usize,
            _ => 0,
        }
    }

    /// Starts the scheduler: the GIC, the tick and the instruction counter,
    /// then the first voluntary switch from the boot stack (IRQs still
    /// masked since reset), which saves a record no thread owns and
    /// resumes the first thread, unmasking IRQs.
    #[inline(always)]
    unsafe fn start() -> ! {
        crate::gic::init();
        #[cfg(feature = "interrupts")]
        crate::irq::start();
        #[cfg(feature = "tick")]
        {
            crate::timer::start_counter();
            crate::timer::start();
        }
        // A switch asked for at boot is the first switch's.
        PENDING.store(false, Relaxed);
        // SAFETY: SError unmasked (DAIF.A: reset left it masked, and the
        // threads' PSTATE is this one's), so that one reaches the fault
        // vector; then the masked entry with IRQs masked, as a critical
        // section's end would enter it; it never comes back here (the boot
        // context is no thread's).
        unsafe {
            core::arch::asm!("msr daifclr, #4", options(nomem, nostack));
            call_clobbers!("bl __bluegen_yield_masked")
        };
        crate::halt()
    }

    /// Switches now with IRQs unmasked (through `__bluegen_yield`, which
    /// returns here when this thread runs again); with them masked,
    /// records the request, which the critical section's end or the IRQ's
    /// exit carries out.
    #[inline(always)]
    fn pend_switch() {
        if masked() {
            PENDING.store(true, Relaxed);
        } else {
            // SAFETY: the yield keeps sp, x19–x29 and q8–q15, returns here
            // like a function with IRQs unmasked again, and the asm gives up
            // every other register Rust uses.
            unsafe { call_clobbers!("bl __bluegen_yield") };
        }
    }

    /// Switches at once when the section began with IRQs unmasked and a
    /// switch is due: through the yield's masked entry, so that the
    /// unmask is the resume's; otherwise restores `state`.
    #[inline(always)]
    unsafe fn unlock(state: usize) {
        if state & 1 << 7 == 0 && PENDING.load(Relaxed) {
            PENDING.store(false, Relaxed);
            // SAFETY: IRQs are masked (the section's), and `state` unmasks
            // them, which the resume does; the yield keeps what Rust needs
            // kept (see `pend_switch`).
            unsafe { call_clobbers!("bl __bluegen_yield_masked") };
        } else {
            // SAFETY: writes back the DAIF `lock` read; no memory.
            unsafe { core::arch::asm!("msr daif, {0}", in(reg) state, options(nomem, nostack)) };
        }
    }

    /// The switch that ends a section: now, when it began unmasked.
    #[inline(always)]
    unsafe fn unlock_switch(state: usize) {
        PENDING.store(true, Relaxed);
        // SAFETY: the caller's precondition is unlock's.
        unsafe { Self::unlock(state) }
    }

    /// Sleeps until an interrupt.
    fn wait() {
        // SAFETY: `wfi` only waits for an interrupt.
        unsafe { core::arch::asm!("wfi", options(nomem, nostack, preserves_flags)) };
    }

    /// Masks IRQs (PSTATE.I); returns DAIF as it was.
    fn lock() -> usize {
        let daif: usize;
        // SAFETY: reads DAIF, then sets its I bit; no memory.
        unsafe { core::arch::asm!("mrs {0}, daif", "msr daifset, #2", out(reg) daif, options(nomem, nostack)) };
        daif
    }

    #[cfg(feature = "interrupts")]
    fn pend_irq(irq: u16) -> bool {
        crate::irq::pend(irq)
    }

    #[cfg(feature = "interrupts")]
    fn enable_irq(irq: u16) -> bool {
        crate::irq::unmask(irq)
    }

    #[cfg(feature = "interrupts")]
    fn disable_irq(irq: u16) -> bool {
        crate::irq::mask(irq)
    }

    #[cfg(feature = "interrupts")]
    fn active_irq() -> Option<u16> {
        crate::irq::active()
    }

    #[cfg(feature = "tick")]
    fn counter(ticks: u32) -> u64 {
        crate::timer::counter(ticks)
    }

    #[cfg(feature = "tick")]
    fn idle_sleep(ticks: u32) -> u32 {
        crate::timer::idle_sleep(ticks)
    }

    // No stack limit register at EL1: the default `stack_limit` does
    // nothing; the kernel's red zone check covers the stacks.
}
