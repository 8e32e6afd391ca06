//! The vector table and the handler of every exception but reset.
//!
//! The 16 system entries of the ARMv6-M/v7-M/v8-M table: initial stack
//! pointer, Reset, NMI, HardFault, MemManage, BusFault, UsageFault,
//! SecureFault, three reserved words, SVCall, DebugMonitor, a reserved word,
//! PendSV and SysTick. Nothing enables an interrupt yet, so none of them is
//! expected; each ends the run with a failure. The core never fetches the
//! four reserved words (8-10 and 13; ARMv6-M reserves more), so they hold
//! the addresses `Reset` needs: `_sdata`, `_edata`, `_sidata` and `_ebss`.

/// PendSV: the context switch when threads are on.
#[cfg(feature = "context-switch")]
macro_rules! pendsv {
    () => {
        "__bluegen_pendsv"
    };
}

#[cfg(not(feature = "context-switch"))]
macro_rules! pendsv {
    () => {
        "__bluegen_unexpected_exception"
    };
}

/// SysTick: the kernel's tick when it has one.
#[cfg(feature = "tick")]
macro_rules! systick {
    () => {
        "__bluegen_systick"
    };
}

#[cfg(not(feature = "tick"))]
macro_rules! systick {
    () => {
        "__bluegen_unexpected_exception"
    };
}

/// HardFault: the fault report when it is on, and with threads the stack
/// check that names a thread whose stack overflowed.
#[cfg(all(any(feature = "fault-report", feature = "context-switch"), not(feature = "isolation")))]
macro_rules! hardfault {
    () => {
        "__bluegen_hardfault"
    };
}

/// With isolation, HardFault, MemManage and SVCall go through
/// `crate::isolation`: a fault of an unprivileged thread is the kernel's
/// to handle by the thread's policy, any other the HardFault path's.
#[cfg(feature = "isolation")]
macro_rules! hardfault {
    () => {
        "__bluegen_isolation_hardfault"
    };
}

#[cfg(feature = "isolation")]
macro_rules! memmanage {
    () => {
        "__bluegen_memmanage"
    };
}

#[cfg(not(feature = "isolation"))]
macro_rules! memmanage {
    () => {
        "__bluegen_unexpected_exception"
    };
}

#[cfg(feature = "isolation")]
macro_rules! svcall {
    () => {
        "__bluegen_svcall"
    };
}

#[cfg(not(feature = "isolation"))]
macro_rules! svcall {
    () => {
        "__bluegen_unexpected_exception"
    };
}

#[cfg(not(any(feature = "fault-report", feature = "context-switch")))]
macro_rules! hardfault {
    () => {
        "__bluegen_unexpected_exception"
    };
}

/// UsageFault: the hardware stack limit check on ARMv8-M mainline.
#[cfg(all(armv8m_main, feature = "context-switch", not(feature = "isolation")))]
macro_rules! usagefault {
    () => {
        "__bluegen_usagefault"
    };
}

#[cfg(all(armv8m_main, feature = "isolation"))]
macro_rules! usagefault {
    () => {
        "__bluegen_isolation_usagefault"
    };
}

#[cfg(not(all(armv8m_main, feature = "context-switch")))]
macro_rules! usagefault {
    () => {
        "__bluegen_unexpected_exception"
    };
}

core::arch::global_asm!(concat!(
    "
    .section .vector_table, \"a\", %progbits
    .global __bluegen_vectors
    .p2align 2
__bluegen_vectors:
    .word _stack_top
    .word Reset
    .word __bluegen_unexpected_exception /* NMI */
    .word ", hardfault!(), " /* HardFault */
    .word ", memmanage!(), " /* MemManage */
    .word __bluegen_unexpected_exception /* BusFault */
    .word ", usagefault!(), " /* UsageFault */
    .word __bluegen_unexpected_exception /* SecureFault */
    /* Reserved on every M profile: Reset reads its addresses here. */
    .word _sdata
    .word _edata
    .word _sidata
    .word ", svcall!(), " /* SVCall */
    .word __bluegen_unexpected_exception /* DebugMonitor */
    .word _ebss /* reserved, read by Reset */
    .word ", pendsv!(), " /* PendSV */
    .word ", systick!(), " /* SysTick */
    .size __bluegen_vectors, . - __bluegen_vectors
    "
));

/// Every exception but reset: ends the run with a failure. The hardware has
/// stacked the caller-saved registers, so this is a plain `extern "C"` call.
#[unsafe(no_mangle)]
extern "C" fn __bluegen_unexpected_exception() -> ! {
    bluegen_port::exit(1)
}
