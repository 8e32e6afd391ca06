//! `_start` and the vectors: from the loader's jump to the image's `__bluegen_start`.
//!
//! Written in assembly because no Rust code may run before the stack
//! pointer is set, `.data` and `.bss` hold their initial values, FP/SIMD is
//! on and the MMU maps memory as Normal (with it off every access is
//! Device memory, where unaligned accesses and exclusives fault).
//!
//! The translation table: one level-1 table of four 1 GiB blocks covering
//! the 32-bit address space (TCR_EL1.T0SZ = 32, 4 KiB granule), identity
//! mapped. The blocks that hold the image's flash or RAM are Normal
//! memory, write-back cacheable, inner shareable; every other block is
//! Device-nGnRnE and never executable (the peripherals). The image's
//! linker script writes the table into flash (`__bluegen_mmu_table`, 32
//! bytes), from the board's memory map: no code builds it, and it lies in
//! the image below RAM, out of the way of a stack that overflows downwards
//! through RAM (flash is writable memory on these boards: the MMU maps
//! 1 GiB blocks, too coarse to make the image read-only).
//!
//! The vector table is the first 2 KiB of flash, with `_start` in its
//! first, never-taken entries: no alignment padding before it.

/// With threads the IRQ entry is the switch's; without, and for every
/// other exception, a vector is a fault.
#[cfg(feature = "context-switch")]
macro_rules! irq_vector {
    () => {
        "b __bluegen_irq_entry"
    };
}

#[cfg(not(feature = "context-switch"))]
macro_rules! irq_vector {
    () => {
        "b __bluegen_fault_entry"
    };
}

core::arch::global_asm!(concat!(
    "
    /* The vectors (VBAR_EL1: sixteen 128-byte entries, 2 KiB aligned) at
       the first byte of flash, where the loader jumps: `_start` fills the
       first four entries, those of exceptions taken with SP_EL0, which
       never happen (the kernel runs with SP_EL1 only). The current EL
       with SP_ELx (0x200..) is where the kernel runs; a lower EL's
       (0x400..) never happens but by a fault. */
    .section .text.init, \"ax\", %progbits
    .balign 2048
    .global __bluegen_vectors
    .global _start
    .type _start, %function
__bluegen_vectors:
_start:
    /* Only the core whose affinity fields are all 0 runs the kernel;
       others wait forever. */
    mrs x0, mpidr_el1
    ubfx x1, x0, #0, #24
    ubfx x2, x0, #32, #8
    orr x1, x1, x2
    cbnz x1, 9f
    /* At EL3 the start-up cannot run (no secure set-up): park. At EL2
       (QEMU virt with virtualization=on, the Pi's firmware): EL1 is
       AArch64 (HCR_EL2.RW), may use the physical timer and counter
       (CNTHCTL_EL2.EL1PCEN and EL1PCTEN), sees no virtual counter offset,
       no FP, system register or PMU traps to EL2 (CPTR_EL2 RES1 bits
       only, HSTR_EL2 0, MDCR_EL2.HPMN = every PMU counter), the GICv3
       system registers when the core has them (ICC_SRE_EL2.SRE and
       Enable), and runs from 1: with every exception masked (SPSR_EL2 =
       EL1h, DAIF set). */
    mrs x0, CurrentEL
    cmp x0, #12
    b.eq 9f
    cmp x0, #8
    b.ne 1f
    mov x0, #(1 << 31)
    msr hcr_el2, x0
    mrs x0, cnthctl_el2
    orr x0, x0, #3
    msr cnthctl_el2, x0
    msr cntvoff_el2, xzr
    mov x0, #0x33ff
    msr cptr_el2, x0
    msr hstr_el2, xzr
    mrs x0, pmcr_el0
    ubfx x0, x0, #11, #5
    msr mdcr_el2, x0
    mrs x0, id_aa64pfr0_el1
    ubfx x0, x0, #24, #4
    cbz x0, 8f
    mov x0, #9
    msr icc_sre_el2, x0
    isb
8:
    mov x0, #0x3c5
    msr spsr_el2, x0
    adr x0, 1f
    msr elr_el2, x0
    eret
1:  /* EL1. FP/SIMD on (CPACR_EL1.FPEN = 0b11), before any Rust code. */
    mov x0, #(3 << 20)
    msr cpacr_el1, x0
    isb
    ldr x0, =_stack_top
    mov sp, x0
    adr x0, __bluegen_vectors
    msr vbar_el1, x0
    /* .data: copy _sidata (flash) to _sdata.._edata (RAM), 4 bytes at a
       time (the linker script keeps the bounds 4-byte aligned: accesses
       are aligned, which Device memory needs while the MMU is off). */
    ldr x0, =_sdata
    ldr x1, =_edata
    ldr x2, =_sidata
    b 3f
2:  ldr w3, [x2], #4
    str w3, [x0], #4
3:  cmp x0, x1
    b.lo 2b
    /* .bss: zero _edata.._ebss (x0 runs on from the copy). */
    ldr x1, =_ebss
    b 5f
4:  str wzr, [x0], #4
5:  cmp x0, x1
    b.lo 4b
    /* The translation table: the linker script's, in flash. */
    ldr x0, =__bluegen_mmu_table
    /* MAIR: attribute 0 Device-nGnRnE, 1 Normal write-back; TCR: T0SZ = 32,
       4 KiB granule, walks cacheable and inner shareable, no TTBR1 walks,
       32-bit physical addresses. The caches are off and clean here (a
       cold boot, the Pi's firmware); a chain-loading boot loader that ran
       with them on would need them cleaned first. */
    ldr x1, ={mair}
    msr mair_el1, x1
    ldr x1, ={tcr}
    msr tcr_el1, x1
    msr ttbr0_el1, x0
    isb
    tlbi vmalle1
    dsb ish
    isb
    /* SCTLR_EL1: its RES1 bits, MMU, data and instruction caches; no
       alignment check. */
    ldr x1, ={sctlr}
    msr sctlr_el1, x1
    isb
    bl __bluegen_start
9:  wfe
    b 9b
    .ltorg
    .size _start, . - _start
    .org 0x200
    /* The entries the kernel takes, a row of the size report of their own. */
    .global __bluegen_vector_entries
    .type __bluegen_vector_entries, %function
__bluegen_vector_entries:
    b __bluegen_fault_entry
    .org 0x280
    ", irq_vector!(), "
    .org 0x300
    b __bluegen_fault_entry
    .org 0x380
    b __bluegen_fault_entry
    .org 0x400
    b __bluegen_fault_entry
    .org 0x480
    b __bluegen_fault_entry
    .org 0x500
    b __bluegen_fault_entry
    .org 0x580
    b __bluegen_fault_entry
    .org 0x600
    b __bluegen_fault_entry
    .org 0x680
    b __bluegen_fault_entry
    .org 0x700
    b __bluegen_fault_entry
    .org 0x780
    /* The last entry, and the fault entry: the Rust side, on the stack
       that was live (a fault never returns, so nothing needs saving). */
__bluegen_fault_entry:
    bl __bluegen_trap
    .size __bluegen_vector_entries, . - __bluegen_vector_entries

    "),
    mair = const 0xff00u64,
    // TG1 = 0b10 (4 KiB, bit 31): not walked (EPD1), but not reserved.
    tcr = const 32u64 | (1 << 8) | (1 << 10) | (3 << 12) | (1 << 23) | (1 << 31),
    sctlr = const 0x30d0_0800u64 | (1 << 12) | (1 << 2) | 1,
);

/// Any exception without threads (every one with threads but the switch's):
/// a fault; end the run with a failure.
#[unsafe(no_mangle)]
extern "C" fn __bluegen_trap() -> ! {
    #[cfg(feature = "context-switch")]
    bluegen_port::kernel::check_stacks();
    #[cfg(feature = "fault-report")]
    crate::fault::report();
    #[cfg(not(feature = "fault-report"))]
    bluegen_port::exit(1)
}
