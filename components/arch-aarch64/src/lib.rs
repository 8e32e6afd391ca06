//! AArch64 (Armv8-A) start-up for bluegen images: EL2 to EL1, MMU, vectors, exit.
//!
//! What this crate puts in an image:
//!
//! * `_start`, in section `.text.init`, which the image's linker script places
//!   first in flash (the board's loader jumps there, QEMU's `-kernel` at EL1,
//!   or at EL2 with `virtualization=on`): it parks every core but the one
//!   whose MPIDR affinity is 0, drops from EL2 to EL1 when it starts at EL2
//!   (the EL1 physical timer opened to EL1), turns FP/SIMD on
//!   (`CPACR_EL1.FPEN`: Rust emits NEON code anywhere, and the core traps
//!   it otherwise), sets the stack pointer to `_stack_top` and `VBAR_EL1`
//!   to the vectors, copies `.data` from flash and zeroes `.bss`, turns on
//!   an identity-mapped MMU with the caches (see `start`) and calls the
//!   image's `__bluegen_start() -> !`;
//! * the vectors: without threads every exception is a fault and ends the
//!   run with a failure through the port contract's `bluegen_port::exit(1)`
//!   (with threads the context switch's IRQ entry takes the tick and, with
//!   `interrupts`, the device's interrupts: see the `switch` and `irq`
//!   modules);
//! * [`semihosting_exit`] and [`halt`], which images use as their exit.
//!
//! Why no crate from crates.io (`aarch64-cpu`, `aarch64-rt`): the start-up
//! is about forty instructions whose symbols are the ones bluegen's linker
//! script defines, and the register accesses are a handful of `mrs`/`msr`;
//! a crate would bring register types the image never reads.

#![no_std]

#[cfg(feature = "fault-report")]
mod fault;
#[cfg(feature = "context-switch")]
mod gic;
#[cfg(feature = "interrupts")]
pub mod irq;
mod start;
#[cfg(feature = "context-switch")]
mod switch;
#[cfg(feature = "tick")]
mod timer;

/// Ends the run through semihosting `SYS_EXIT` with exit status `code`:
/// on AArch64 its parameter block carries the status (QEMU exits with it).
/// A process exit status has 8 bits, so a failure keeps the low 8 bits of
/// `code`, and one whose low 8 bits are 0 becomes 1: a failure never reads
/// as success.
///
/// QEMU must run with `-semihosting-config enable=on,target=native`; on
/// hardware without a debugger attached the `hlt` faults.
pub fn semihosting_exit(code: i32) -> ! {
    // The low 8 bits, or 1 when those are 0 and code is not (`as u8` keeps
    // exactly the low 8 bits).
    let status = match code as u8 {
        0 if code != 0 => 1,
        low => u64::from(low),
    };
    // `ADP_Stopped_ApplicationExit`: the program finished; its subcode is
    // the exit status.
    let block: [u64; 2] = [0x2_0026, status];
    // SAFETY: `hlt #0xf000` is the AArch64 semihosting call: w0 the
    // operation (SYS_EXIT, 0x18), x1 the address of the two-word block
    // above, which lives on this stack until the call, which does not
    // return (the host ends the run).
    unsafe {
        core::arch::asm!("hlt #0xf000", in("w0") 0x18u32, in("x1") block.as_ptr(), options(nostack, readonly));
    }
    halt()
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
