//! Cortex-M start-up for bluegen images: vector table, reset, exit, halt.
//!
//! What this crate puts in an image:
//!
//! * the vector table, in section `.vector_table` (the image's linker script
//!   places it first in flash): the initial stack pointer `_stack_top`, then
//!   `Reset`, then NMI, HardFault and the other system exceptions, which all
//!   end the run with a failure through the image's `__bluegen_exit(1)`;
//! * `Reset`: enables the FPU on `eabihf` targets, copies `.data` from flash
//!   (`_sidata`) to RAM (`_sdata`..`_edata`), zeroes `.bss` (`_sbss`..`_ebss`)
//!   and calls the image's `__bluegen_start() -> !`;
//! * [`semihosting_exit`] and [`halt`], which images use as their exit.
//!
//! It works on every M profile target Rust has (thumbv6m, thumbv7m,
//! thumbv7em, thumbv8m.base/main): the start-up assembly uses only Thumb-1
//! instructions.
//!
//! Why not `cortex-m-rt`: footprint and control. cortex-m-rt brings its own
//! linker script (`link.x` with `memory.x`, which bluegen renders itself from
//! the board and device), a full table of interrupt vectors for every device
//! crate, pre-init hooks and a macro-based entry point, and it must agree
//! with bluegen's script on every symbol name. The start-up here is about 40
//! bytes of assembly and a 64-byte table, its symbols are the ones bluegen's
//! linker script defines, and no exception handler costs more than a branch.
//! Device interrupt vectors come with the first interrupt driver.

#![no_std]

/// A fault handler's assembly entry `$entry`: finds the exception frame on
/// PSP (a thread) or MSP, by EXC_RETURN bit 2, and calls the Rust handler
/// `$handler(frame: *const u32) -> !`. Thumb-1 only, for ARMv6-M too.
/// Only images with a fault handler of their own use it.
#[cfg(any(feature = "fault-report", feature = "context-switch"))]
macro_rules! fault_entry {
    ($entry:literal, $handler:literal) => {
        core::arch::global_asm!(concat!(
            "
    .section .text.", $entry, ", \"ax\", %progbits
    .global ", $entry, "
    .type ", $entry, ", %function
    .thumb_func
", $entry, ":
    mov r0, lr
    lsls r0, r0, #29
    bmi 1f
    mrs r0, msp
    b 2f
1:  mrs r0, psp
2:  bl ", $handler, "
    udf #0
    .size ", $entry, ", . - ", $entry, "
    "
        ));
    };
}

mod exceptions;
#[cfg(any(feature = "fault-report", feature = "context-switch"))]
mod fault;
mod reset;
#[cfg(all(armv8m_main, feature = "context-switch"))]
mod stack_limit;
#[cfg(feature = "context-switch")]
mod switch;

/// Ends the run through semihosting `SYS_EXIT_EXTENDED` with exit status
/// `code`: unlike `SYS_EXIT`, whose reason can only tell success from
/// failure on 32-bit Arm, it carries the status (QEMU exits with it). A
/// process exit status has 8 bits, so a failure keeps the low 8 bits of
/// `code`, and one whose low 8 bits are 0 becomes 1: a failure never reads
/// as success.
///
/// QEMU must run with `-semihosting-config enable=on,target=native`; on
/// hardware without a debugger attached the `bkpt` faults.
#[inline]
pub fn semihosting_exit(code: i32) -> ! {
    /// `SYS_EXIT_EXTENDED`: r1 points at a block {reason, subcode}.
    const SYS_EXIT_EXTENDED: u32 = 0x20;
    /// `ADP_Stopped_ApplicationExit`: the program finished; its subcode is
    /// the exit status.
    const APPLICATION_EXIT: u32 = 0x2_0026;
    let status = match code.cast_unsigned() & 0xff {
        0 if code != 0 => 1,
        s => s,
    };
    let block: [u32; 2] = [APPLICATION_EXIT, status];
    // SAFETY: `bkpt 0xab` with r0 = SYS_EXIT_EXTENDED and r1 = the address
    // of a two-word block is the semihosting exit call; the host only reads
    // the block, which is live across the call, and does not return when a
    // semihosting host is attached. Without one it raises a debug exception,
    // which ends in the fault handler; either way control never comes back.
    unsafe {
        core::arch::asm!(
            "bkpt 0xab",
            in("r0") SYS_EXIT_EXTENDED,
            in("r1") block.as_ptr(),
            options(readonly, nostack, noreturn),
        )
    }
}

/// Stops the core: waits for interrupts forever.
#[inline]
pub fn halt() -> ! {
    loop {
        // SAFETY: `wfi` only waits for an interrupt; it touches no memory and
        // no register Rust relies on.
        unsafe { core::arch::asm!("wfi", options(nomem, nostack, preserves_flags)) };
    }
}
