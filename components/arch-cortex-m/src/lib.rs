//! Cortex-M start-up for bluegen images: vector table, reset, exit, halt.
//!
//! What this crate puts in an image:
//!
//! * the vector table, in section `.vector_table` (the image's linker script
//!   places it first in flash): the initial stack pointer `_stack_top`, then
//!   `Reset`, then NMI, HardFault and the other system exceptions, which all
//!   end the run with a failure through the port contract's `bluegen_port::exit(1)`;
//! * `Reset`: enables the FPU on `eabihf` targets, copies `.data` from flash
//!   (`_sidata`) to RAM (`_sdata`..`_edata`), zeroes `.bss` (from `_edata`,
//!   where the copy ends, to `_ebss`) and calls the image's
//!   `__bluegen_start() -> !`;
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
//! Device interrupt vectors are the image's, when it declares interrupts
//! (see [`irq`]): a table sized to the chip's interrupt count, after the
//! system entries, and nothing at all without interrupts.

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
2:  bl ", $handler, " /* -> !: never returns */
    .size ", $entry, ", . - ", $entry, "
    "
        ));
    };
}

mod exceptions;
pub mod irq;
#[cfg(any(feature = "fault-report", feature = "context-switch"))]
mod fault;
#[cfg(feature = "isolation")]
mod isolation;
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
///
/// A naked function of twelve Thumb-1 instructions (ARMv6-M too) and one
/// literal: the status is computed in registers and the parameter block
/// pushed on the stack, so there is no prologue and no frame to set up.
// SAFETY: the body is the whole function: it follows the C ABI for its one
// argument in r0, pushes two words on the caller's stack (which has room for
// an exception frame, so for two words) and never returns (`bkpt 0xab`
// ends the run, or raises a debug exception; `udf` faults if a host ever
// came back).
#[unsafe(naked)]
pub extern "C" fn semihosting_exit(code: i32) -> ! {
    // r0 = code. r1 = its low 8 bits, or 1 when those are 0 and code is not;
    // then push {reason, status} (push stores r0 at the lower address) and
    // call SYS_EXIT_EXTENDED (0x20) with r1 = the block.
    core::arch::naked_asm!(
        "lsls r1, r0, #24",
        "lsrs r1, r1, #24",
        "bne 1f",
        "cmp r0, #0",
        "beq 1f",
        "movs r1, #1",
        "1: ldr r0, ={reason}",
        "push {{r0, r1}}",
        "mov r1, sp",
        "movs r0, #{sys}",
        "bkpt 0xab",
        "udf #0",
        ".ltorg",
        // `ADP_Stopped_ApplicationExit`: the program finished; its subcode
        // is the exit status.
        reason = const 0x2_0026,
        // `SYS_EXIT_EXTENDED`: r1 points at a block {reason, subcode}.
        sys = const 0x20,
    )
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
