//! RISC-V start-up for bluegen images (RV32 and RV64): `_start`, trap, halt.
//!
//! What this crate puts in an image:
//!
//! * `_start`, in section `.text.init`, which the image's linker script places
//!   first in flash (the hart starts there, in machine mode): it parks every
//!   hart but hart 0, sets `sp` to `_stack_top`, turns the FPU on when the
//!   target has one (`mstatus.FS`, e.g. riscv64gc), with threads sets `gp` to
//!   the voluntary switch's entry (kept for the whole run), points `mtvec`
//!   at a trap handler, copies `.data` from flash (`_sidata`) to RAM
//!   (`_sdata`..`_edata`), zeroes `.bss` (from `_edata`, where the copy
//!   ends, to `_ebss`) and calls the image's `__bluegen_start() -> !`;
//! * the trap handler: without threads no interrupt is enabled, so any trap
//!   is a fault and ends the run with a failure through the port contract's
//!   `bluegen_port::exit(1)` (with threads the context switch's trap vector
//!   takes the tick, the switch and, with `interrupts`, the device's
//!   interrupts: see the `irq` module);
//! * [`halt`], for boards with no way to end a run.
//!
//! RV32 and RV64 share the code: the start-up copies 32-bit words, which the
//! linker script keeps aligned, and uses only base integer instructions.

#![no_std]

#[cfg(feature = "fault-report")]
mod fault;
#[cfg(feature = "interrupts")]
pub mod irq;
mod start;
#[cfg(feature = "context-switch")]
#[macro_use]
mod record;
#[cfg(feature = "isolation")]
mod isolation;
#[cfg(feature = "context-switch")]
mod switch;

/// Stops the hart: waits for interrupts forever.
#[inline]
pub fn halt() -> ! {
    loop {
        // SAFETY: `wfi` only waits for an interrupt; it touches no memory and
        // no register Rust relies on.
        unsafe { core::arch::asm!("wfi", options(nomem, nostack, preserves_flags)) };
    }
}
