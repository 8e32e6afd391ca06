//! Isolation on Cortex-M: unprivileged threads, the SVC that raises, the MPU and the thread faults.
//!
//! An unprivileged thread runs in thread mode with `CONTROL.nPRIV` set;
//! PendSV saves and restores that bit with the rest of its context, so a
//! thread preempted inside a kernel call resumes privileged and one
//! preempted in its own code resumes unprivileged.
//!
//! * Raise: `__bluegen_raise` is `svc #0` then `bx lr`; the SVC handler
//!   clears nPRIV only when the stacked return address is that `bx lr`, so
//!   the one call site in `bluegen_port::privileged` raises, and an SVC
//!   anywhere else is a fault of the thread. Lower: set nPRIV, `isb`.
//! * The MPU (PMSAv7 on ARMv7-M, PMSAv8 on ARMv8-M mainline), enabled at
//!   start with PRIVDEFENA (privileged code keeps the default map):
//!   region 0 is flash, read-only and executable for everyone; regions
//!   1.. are the running confined thread's, written by each switch to
//!   one: read-write or read-only, never executable.
//! * MemManage (enabled), and HardFault or UsageFault when they come from
//!   an unprivileged thread: the cause from the MMFSR (a data access is a
//!   read or a write as the faulting instruction says; a fault while
//!   stacking is a stack overflow), the kernel's report and policy, then
//!   PSP = 0 and PendSV, which switches away without saving the thread.

use bluegen_port::{Access, Fault, FaultKind, Memory, Region};

const MPU_TYPE: usize = 0xE000_ED90;
const MPU_CTRL: usize = 0xE000_ED94;
const MPU_RNR: usize = 0xE000_ED98;
const MPU_RBAR: usize = 0xE000_ED9C;
/// RASR on PMSAv7, RLAR on PMSAv8.
const MPU_RASR: usize = 0xE000_EDA0;
#[cfg(armv8m_main)]
const MPU_MAIR0: usize = 0xE000_EDC0;
/// System Handler Control and State: bit 16 enables MemManage.
const SHCSR: usize = 0xE000_ED24;
const CFSR: usize = 0xE000_ED28;
const MMFAR: usize = 0xE000_ED34;
const ICSR: usize = 0xE000_ED04;

unsafe extern "C" {
    /// The flash range (the linker script's FLASH region).
    static __bluegen_flash_start: u8;
    static __bluegen_flash_end: u8;
}

fn write(addr: usize, value: u32) {
    // SAFETY: only called with MPU and System Control Block registers,
    // which only this module and the kernel's own arch code write;
    // privileged code (handlers, the start-up) calls it.
    unsafe { (addr as *mut u32).write_volatile(value) }
}

fn read(addr: usize) -> u32 {
    // SAFETY: only called with System Control Block registers, whose
    // reads have no side effect.
    unsafe { (addr as *const u32).read_volatile() }
}

/// An exception entry that hands a fault of an unprivileged thread (thread
/// mode, PSP, CONTROL.nPRIV) to `__bluegen_thread_fault_entry` with
/// `source` (0 MemManage, 1 an SVC from outside the kernel, 2 another
/// fault), and any other to `fallback` (the kernel's fault path).
macro_rules! thread_fault_entry {
    ($entry:literal, $source:literal, $fallback:literal) => {
        core::arch::global_asm!(concat!(
            "
    .section .text.", $entry, ", \"ax\", %progbits
    .global ", $entry, "
    .type ", $entry, ", %function
    .thumb_func
", $entry, ":
    tst lr, #4
    beq 8f
    mrs r0, control
    tst r0, #1
    beq 8f
    mrs r0, psp
    movs r1, #", $source, "
    push {{r4, lr}}
    bl __bluegen_thread_fault_entry
    pop {{r4, pc}}
8:  b ", $fallback, "
    .size ", $entry, ", . - ", $entry, "
    "
        ));
    };
}

thread_fault_entry!("__bluegen_memmanage", "0", "__bluegen_hardfault");
thread_fault_entry!("__bluegen_bad_svc", "1", "__bluegen_hardfault");
thread_fault_entry!("__bluegen_isolation_hardfault", "2", "__bluegen_hardfault");
#[cfg(armv8m_main)]
thread_fault_entry!("__bluegen_isolation_usagefault", "2", "__bluegen_usagefault");

core::arch::global_asm!(
    "
    .section .text.__bluegen_raise, \"ax\", %progbits
    .global __bluegen_raise
    .type __bluegen_raise, %function
    .thumb_func
__bluegen_raise:
    svc #0
    .global __bluegen_raise_return
__bluegen_raise_return:
    bx lr
    .size __bluegen_raise, . - __bluegen_raise

    /* SVCall: from thread mode on PSP, at __bluegen_raise only, clears
       CONTROL.nPRIV; any other SVC is a fault of the thread. */
    .section .text.__bluegen_svcall, \"ax\", %progbits
    .global __bluegen_svcall
    .type __bluegen_svcall, %function
    .thumb_func
__bluegen_svcall:
    tst lr, #4
    beq 9f
    mrs r0, psp
    ldr r1, [r0, #24]
    movw r2, #:lower16:__bluegen_raise_return
    movt r2, #:upper16:__bluegen_raise_return
    bic r2, r2, #1
    cmp r1, r2
    bne 9f
    mrs r0, control
    bic r0, r0, #1
    msr control, r0
    bx lr
9:  b __bluegen_bad_svc
    .size __bluegen_svcall, . - __bluegen_svcall
    "
);

unsafe extern "C" {
    /// The raise (above): an SVC the handler accepts from here only.
    fn __bluegen_raise();
}

/// Whether the caller runs unprivileged: thread mode (IPSR 0) with
/// CONTROL.nPRIV.
#[inline(always)]
fn unprivileged() -> bool {
    let (control, ipsr): (u32, u32);
    // SAFETY: reads two special registers; no memory, no side effect.
    unsafe { core::arch::asm!("mrs {0}, control", "mrs {1}, ipsr", out(reg) control, out(reg) ipsr, options(nomem, nostack, preserves_flags)) };
    control & 1 != 0 && ipsr & 0x1FF == 0
}

/// `Arch::raise`: the SVC when unprivileged.
#[inline(always)]
pub(crate) fn raise() -> bool {
    if !unprivileged() {
        return false;
    }
    // SAFETY: the SVC handler clears nPRIV for this call site and returns
    // here; the caller (`bluegen_port::privileged`) lowers again.
    unsafe { __bluegen_raise() };
    true
}

/// `Arch::lower`: sets CONTROL.nPRIV (thread mode only; in a handler the
/// write would apply to the thread mode it returns to, so it is skipped).
#[inline(always)]
pub(crate) fn lower() {
    let ipsr: u32;
    // SAFETY: reads IPSR; no memory.
    unsafe { core::arch::asm!("mrs {0}, ipsr", out(reg) ipsr, options(nomem, nostack, preserves_flags)) };
    if ipsr & 0x1FF != 0 {
        return;
    }
    // SAFETY: sets nPRIV: from here on this thread runs unprivileged
    // until the SVC raises it again; `isb` makes it take effect for the
    // next instruction.
    unsafe { core::arch::asm!("mrs {0}, control", "orr {0}, {0}, #1", "msr control, {0}", "isb", out(reg) _, options(nomem, nostack, preserves_flags)) };
}

/// Regions the MPU implements (MPU_TYPE.DREGION).
fn regions() -> usize {
    (read(MPU_TYPE) >> 8 & 0xFF) as usize
}

/// log2 of a power of two `size`.
#[cfg(not(armv8m_main))]
fn log2(size: usize) -> u32 {
    usize::BITS - 1 - size.leading_zeros()
}

/// The start: flash as region 0, MemManage on, the MPU on with the default
/// map for privileged code (every other region off).
pub(crate) fn start() {
    // Linker symbols: their addresses are the bounds.
    let flash = Region::new(&raw const __bluegen_flash_start, &raw const __bluegen_flash_end, Access::ReadOnly, Memory::Normal);
    #[cfg(armv8m_main)]
    {
        // Attribute 0: normal memory, write-back; 1: device nGnRE.
        write(MPU_MAIR0, 0x04 << 8 | 0xFF);
    }
    for r in 1..regions() {
        disable(r);
    }
    set(0, &flash, true);
    write(SHCSR, read(SHCSR) | 1 << 16);
    // ENABLE, PRIVDEFENA.
    write(MPU_CTRL, 0b101);
    // SAFETY: barriers only.
    unsafe { core::arch::asm!("dsb", "isb", options(nomem, nostack, preserves_flags)) };
}

/// Region `r` off.
fn disable(r: usize) {
    write(MPU_RNR, r as u32);
    write(MPU_RASR, 0);
}

/// Region `r` is `region`, executable by everyone when `exec` (flash),
/// else never executable.
#[cfg(not(armv8m_main))]
fn set(r: usize, region: &Region, exec: bool) {
    let ap: u32 = match (region.access, exec) {
        (_, true) => 0b110,
        (Access::ReadOnly, false) => 0b010,
        (Access::ReadWrite, false) => 0b011,
    };
    // TEX 0 C B: normal write-back (C=1, B=1); device: shareable, B=1.
    let attr: u32 = match region.memory {
        Memory::Normal => 0b011 << 16,
        Memory::Device => 0b101 << 16,
    };
    let xn = if exec { 0 } else { 1 << 28 };
    let size = log2(region.size()).saturating_sub(1);
    // RBAR's VALID bit (4) with the region number selects the region.
    write(MPU_RBAR, region.start() as u32 | 1 << 4 | r as u32);
    write(MPU_RASR, xn | ap << 24 | attr | size << 1 | 1);
}

/// Region `r` is `region` (PMSAv8: base and limit, 32-byte granules).
#[cfg(armv8m_main)]
fn set(r: usize, region: &Region, exec: bool) {
    // AP: 01 read-write, 11 read-only, by any privilege.
    let ap: u32 = match region.access {
        Access::ReadOnly => 0b11,
        Access::ReadWrite => 0b01,
    };
    let attr: u32 = match region.memory {
        Memory::Normal => 0,
        Memory::Device => 1,
    };
    let xn = u32::from(!exec);
    write(MPU_RNR, r as u32);
    write(MPU_RBAR, (region.start() as u32 & !0x1F) | ap << 1 | xn);
    write(MPU_RASR, (region.end() as u32).wrapping_sub(1) & !0x1F | attr << 1 | 1);
}

/// Per-thread regions enabled now (1..=ENABLED), so a switch turns off
/// only those the next thread does not reuse.
static ENABLED: core::sync::atomic::AtomicUsize = core::sync::atomic::AtomicUsize::new(0);

/// Regions 1.. as the next thread's (`Arch::protect`); the ones the last
/// thread had beyond them off. On PMSAv7 a privileged thread (no regions)
/// keeps whatever is loaded: privileged code may read and write every
/// region there. On PMSAv8 a read-only region binds privileged code too,
/// so they go off.
pub(crate) fn protect(list: &[Region]) {
    use core::sync::atomic::Ordering::Relaxed;
    if cfg!(not(armv8m_main)) && list.is_empty() {
        return;
    }
    for (i, region) in list.iter().enumerate() {
        set(i + 1, region, false);
    }
    let before = ENABLED.load(Relaxed);
    for r in list.len() + 1..=before {
        disable(r);
    }
    ENABLED.store(list.len(), Relaxed);
    // SAFETY: barriers only; the new map holds from the next access.
    unsafe { core::arch::asm!("dsb", "isb", options(nomem, nostack, preserves_flags)) };
}

/// Whether the Thumb instruction at `pc` stores (`Some(true)`), loads
/// (`Some(false)`), or is neither kind the decoder knows: the L bit of the
/// load/store encodings (bit 11 of a 16-bit one, bit 4 of a 32-bit one's
/// first halfword).
fn stores(pc: usize) -> Option<bool> {
    // SAFETY: `pc` is the stacked PC of a data access fault, an
    // instruction in flash (region 0 allows only flash to execute), and
    // halfword aligned; privileged code reads flash through the default map.
    let first = unsafe { ((pc & !1) as *const u16).read_volatile() };
    let top5 = first >> 11;
    if top5 >= 0b11101 {
        // 32-bit: load/store single (1111 100x), multiple (1110 100x).
        return matches!(first >> 9, 0b1111100 | 0b1110100).then_some(first & 1 << 4 == 0);
    }
    match first >> 12 {
        // STR/LDR (register): 0101 LLL, stores are 000-010.
        0b0101 => Some(first >> 9 & 0b111 <= 0b010),
        // STR/LDR imm, byte, half, SP-relative, STM/LDM: bit 11 is L.
        0b0110 | 0b0111 | 0b1000 | 0b1001 | 0b1100 => Some(first & 1 << 11 == 0),
        // PUSH (1011 010x) / POP (1011 110x).
        0b1011 if first >> 9 & 0b11 == 0b10 => Some(first & 1 << 11 == 0),
        _ => None,
    }
}

/// The fault of an unprivileged thread, past the assembly entry: `psp` its
/// stack pointer, `source` 0 for MemManage, 1 for an SVC from outside the
/// kernel, 2 for another fault (HardFault, UsageFault). Reports through the kernel, then makes PendSV switch away
/// without saving this thread (PSP 0).
#[unsafe(no_mangle)]
extern "C" fn __bluegen_thread_fault_entry(psp: usize, source: u32) {
    let cfsr = read(CFSR);
    let mmfsr = cfsr & 0xFF;
    // The frame is valid unless stacking faulted.
    let stacked = mmfsr & 1 << 4 == 0;
    // SAFETY: when stacking succeeded, PSP points at the exception frame
    // the core wrote (r0-r3, r12, lr, pc, xPSR); word 6 is the PC.
    let pc = if stacked { unsafe { (psp as *const u32).add(6).read_volatile() as usize } } else { 0 };
    let addr = (mmfsr & 1 << 7 != 0).then(|| read(MMFAR) as usize);
    let (kind, addr) = if source == 1 {
        (FaultKind::Other, Some(pc.wrapping_sub(2)))
    } else if source == 2 {
        (FaultKind::Other, None)
    } else if !stacked {
        (FaultKind::Stack, Some(psp))
    } else if mmfsr & 1 != 0 {
        (FaultKind::Execute, Some(pc))
    } else if mmfsr & 1 << 1 != 0 {
        let kind = match stores(pc) {
            Some(true) => FaultKind::Write,
            Some(false) => FaultKind::Read,
            None => FaultKind::Access,
        };
        (kind, addr)
    } else {
        (FaultKind::Other, addr)
    };
    // The fault status bits are write-one-to-clear.
    write(CFSR, cfsr);
    // SAFETY: this is the fault handler, for a fault of the running
    // thread while unprivileged (the entry checked thread mode, PSP and
    // nPRIV), and below it switches away without saving or resuming it.
    bluegen_port::kernel::thread_fault(unsafe { Fault::new(kind, addr, pc) });
    // SAFETY: PSP 0 tells PendSV there is nothing to save; PendSV, pended
    // here, runs as this handler returns (it is pending and thread mode
    // is below it), before any unstacking from PSP.
    unsafe { core::arch::asm!("msr psp, {0}", in(reg) 0u32, options(nomem, nostack, preserves_flags)) };
    write(ICSR, 1 << 28);
}
