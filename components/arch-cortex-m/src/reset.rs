//! `Reset`: from the reset vector to the image's `__bluegen_start`.
//!
//! Written in assembly because no Rust code may run before `.data` and
//! `.bss` hold their initial values. Uses only Thumb-1 instructions so it
//! assembles for ARMv6-M as well as ARMv7-M and ARMv8-M.

/// FPU enable for `eabihf` targets: CP10 and CP11 full access in CPACR
/// (0xE000ED88 bits 20..23), before any Rust code may use an FP register.
#[cfg(target_abi = "eabihf")]
macro_rules! enable_fpu {
    () => {
        "ldr r0, =0xE000ED88
        ldr r1, [r0]
        movs r2, #0xf
        lsls r2, r2, #20
        orrs r1, r1, r2
        str r1, [r0]
        dsb
        isb
        "
    };
}

#[cfg(not(target_abi = "eabihf"))]
macro_rules! enable_fpu {
    () => {
        ""
    };
}

core::arch::global_asm!(concat!(
    "
    .section .text.Reset, \"ax\", %progbits
    .global Reset
    .type Reset, %function
    .thumb_func
Reset:
    ",
    enable_fpu!(),
    "
    /* The four addresses come from the vector table's reserved words 8-10
       and 13 (see exceptions.rs), which no exception ever fetches: one
       literal instead of four. */
    ldr r3, =__bluegen_vectors + 32
    ldm r3!, {{r0, r1, r2}} /* _sdata, _edata, _sidata; r3 = word 11 */
    ldr r3, [r3, #8]        /* word 13: _ebss */
    /* .data: copy _sidata (flash) to _sdata.._edata (RAM), a word at a time. */
    b 2f
1:  ldm r2!, {{r4}}
    stm r0!, {{r4}}
2:  cmp r0, r1
    blo 1b
    /* .bss: zero _edata.._ebss, so r0 runs on from the copy; the linker
       script asserts that only .bss's alignment padding precedes _sbss. */
    movs r2, #0
    b 4f
3:  stm r0!, {{r2}}
4:  cmp r0, r3
    blo 3b
    bl __bluegen_start /* -> !: never returns */
    .size Reset, . - Reset
    "
));
