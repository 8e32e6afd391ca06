//! `_start` and the trap vector: from reset to the image's `__bluegen_start`.
//!
//! Written in assembly because no Rust code may run before the stack pointer
//! is set and `.data` and `.bss` hold their initial values.

/// FPU on: `mstatus.FS = Initial` (bit 13), when the target has F.
#[cfg(bluegen_fpu)]
macro_rules! enable_fpu {
    () => {
        "li t0, 0x2000
        csrs mstatus, t0
        "
    };
}

#[cfg(not(bluegen_fpu))]
macro_rules! enable_fpu {
    () => {
        ""
    };
}

/// The trap vector: the switching one when threads are on.
#[cfg(feature = "context-switch")]
macro_rules! trap_vector {
    () => {
        "__bluegen_switch_trap_vector"
    };
}

#[cfg(not(feature = "context-switch"))]
macro_rules! trap_vector {
    () => {
        "__bluegen_trap_vector"
    };
}

/// With threads, gp holds `__bluegen_yield` for good, so that every
/// voluntary switch calls it in one instruction from anywhere (see the
/// switch's `pend_switch`). Nothing else uses gp: Rust never allocates
/// it, and without `__global_pointer$` the linker relaxes nothing to it.
#[cfg(feature = "context-switch")]
macro_rules! yield_gp {
    () => {
        ".option push
    .option norelax
    la gp, __bluegen_yield
    .option pop
    "
    };
}

#[cfg(not(feature = "context-switch"))]
macro_rules! yield_gp {
    () => {
        ""
    };
}

core::arch::global_asm!(concat!(
    "
    .section .text.init, \"ax\", @progbits
    .global _start
    .type _start, @function
_start:
    /* Only hart 0 runs the kernel; others wait forever. */
    csrr t0, mhartid
    bnez t0, 5f
    la sp, _stack_top
    ",
    enable_fpu!(),
    yield_gp!(),
    "
    la t0, ", trap_vector!(), "
    csrw mtvec, t0
    /* .data: copy _sidata (flash) to _sdata.._edata (RAM), a word at a
       time; a0-a3, so that the loads and stores have compressed forms. */
    la a0, _sdata
    la a1, _edata
    la a2, _sidata
    j 2f
1:  lw a3, 0(a2)
    sw a3, 0(a0)
    addi a0, a0, 4
    addi a2, a2, 4
2:  bltu a0, a1, 1b
    /* .bss: zero _edata.._ebss, so a0 runs on from the copy; the linker
       script asserts that only .bss's alignment padding precedes _sbss. */
    la a1, _ebss
    j 4f
3:  sw zero, 0(a0)
    addi a0, a0, 4
4:  bltu a0, a1, 3b
    call __bluegen_start
5:  wfi
    j 5b
    .size _start, . - _start

    /* mtvec in direct mode needs a 4-byte aligned address. */
    .section .text.__bluegen_trap_vector, \"ax\", @progbits
    .p2align 2
    .global __bluegen_trap_vector
__bluegen_trap_vector:
    j __bluegen_trap
    "
));

/// Any trap: no interrupt is enabled, so it is a fault; end the run with a
/// failure. Runs on whatever stack was live, which is the boot stack.
#[unsafe(no_mangle)]
extern "C" fn __bluegen_trap() -> ! {
    #[cfg(feature = "fault-report")]
    crate::fault::report();
    #[cfg(not(feature = "fault-report"))]
    bluegen_port::exit(1)
}
