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

/// Ends the run through semihosting with exit status `code`.
///
/// `SYS_EXIT_EXTENDED` carries the status itself (QEMU exits with it). A
/// process exit status has 8 bits, so a failure keeps the low 8 bits of
/// `code`, and one whose low 8 bits are 0 becomes 1: a failure never reads
/// as success. A host without that call returns from it, and then
/// `SYS_EXIT` ends the run with status 0 for `code == 0` and 1 otherwise.
///
/// QEMU must run with `-semihosting-config enable=on,target=native`; on
/// hardware without a debugger attached the `bkpt` faults.
#[inline]
pub fn semihosting_exit(code: i32) -> ! {
    /// `SYS_EXIT`: r1 is the reason itself on 32-bit Arm.
    const SYS_EXIT: u32 = 0x18;
    /// `SYS_EXIT_EXTENDED`: r1 points at a block {reason, subcode}.
    const SYS_EXIT_EXTENDED: u32 = 0x20;
    /// `ADP_Stopped_ApplicationExit`: the program finished; with
    /// `SYS_EXIT_EXTENDED` its subcode is the exit status.
    const APPLICATION_EXIT: u32 = 0x2_0026;
    /// `ADP_Stopped_RunTimeErrorUnknown`: status 1.
    const RUN_TIME_ERROR: u32 = 0x2_0023;
    let status = match code.cast_unsigned() & 0xff {
        0 if code != 0 => 1,
        s => s,
    };
    let block: [u32; 2] = [APPLICATION_EXIT, status];
    // SAFETY: `bkpt 0xab` with r0 = SYS_EXIT_EXTENDED and r1 = the address
    // of a two-word block is the semihosting call; the host only reads the
    // block, which lives until the call is done, and writes r0 if it
    // returns (a host that does not know the call). Without a host attached
    // it raises a debug exception, which ends in the fault handler.
    unsafe {
        core::arch::asm!(
            "bkpt 0xab",
            inout("r0") SYS_EXIT_EXTENDED => _,
            in("r1") block.as_ptr(),
            options(readonly, nostack),
        )
    }
    let reason = if code == 0 { APPLICATION_EXIT } else { RUN_TIME_ERROR };
    // SAFETY: `bkpt 0xab` with r0 = SYS_EXIT and r1 = a reason code is the
    // semihosting exit call; it reads only r0 and r1 and does not return
    // when a semihosting host is attached; without one, as above.
    unsafe {
        core::arch::asm!(
            "bkpt 0xab",
            in("r0") SYS_EXIT,
            in("r1") reason,
            options(nomem, nostack, noreturn),
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
