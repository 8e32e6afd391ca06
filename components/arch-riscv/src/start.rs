//! `_start` and the trap vector: from reset to the image's `__bluegen_start`.
//!
//! Written in assembly because no Rust code may run before the stack pointer
//! is set and `.data` and `.bss` hold their initial values.

/// FPU on: `mstatus.FS = Initial` (bit 13), when the target has F.
#[cfg(target_feature = "f")]
macro_rules! enable_fpu {
    () => {
        "li t0, 0x2000
        csrs mstatus, t0
        "
    };
}

#[cfg(not(target_feature = "f"))]
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
    "
    la t0, ", trap_vector!(), "
    csrw mtvec, t0
    /* .data: copy _sidata (flash) to _sdata.._edata (RAM), a word at a time. */
    la t0, _sdata
    la t1, _edata
    la t2, _sidata
1:  bgeu t0, t1, 2f
    lw t3, 0(t2)
    sw t3, 0(t0)
    addi t0, t0, 4
    addi t2, t2, 4
    j 1b
2:  /* .bss: zero _sbss.._ebss. */
    la t0, _sbss
    la t1, _ebss
3:  bgeu t0, t1, 4f
    sw zero, 0(t0)
    addi t0, t0, 4
    j 3b
4:  call __bluegen_start
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

// SAFETY: the generated image defines `__bluegen_exit` with
// `#[unsafe(no_mangle)]` and exactly this signature; it has no preconditions.
unsafe extern "Rust" {
    safe fn __bluegen_exit(code: i32) -> !;
}

/// Any trap: no interrupt is enabled, so it is a fault; end the run with a
/// failure. Runs on whatever stack was live, which is the boot stack.
#[unsafe(no_mangle)]
extern "C" fn __bluegen_trap() -> ! {
    #[cfg(feature = "fault-report")]
    crate::fault::report();
    #[cfg(not(feature = "fault-report"))]
    __bluegen_exit(1)
}
