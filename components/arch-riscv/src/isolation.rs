//! Isolation on RISC-V: U-mode threads, the trapped CSR read that raises, the PMP and the thread faults.
//!
//! An unprivileged thread runs in U-mode under the PMP. The trap record
//! keeps the privilege it came from in bit 0 of its `mepc` slot (1: U-mode;
//! `mepc` itself is always even), and `__bluegen_resume_full` `mret`s to
//! it, so a thread preempted in its own code resumes in U-mode and one
//! preempted inside a kernel call in M-mode. Voluntary switches happen
//! only in kernel code, so voluntary records resume in M-mode.
//!
//! * Raise: `__bluegen_raise` is `csrr a0, mstatus` then `ret`. In M-mode
//!   it returns mstatus (never all ones); from U-mode it traps as an illegal
//!   instruction, and the trap, for that instruction only, makes the record
//!   resume in M-mode past it with a0 all ones. Any other illegal
//!   instruction of a thread is its fault. Lower: `mret` to U-mode at the
//!   next instruction, interrupts masked in between.
//! * The PMP, written by each switch to a confined thread: its regions (own
//!   first; NAPOT when a power of two aligned to its size, else a TOR
//!   pair), then flash read and execute; every other entry off. M-mode is
//!   bound by no unlocked entry, so privileged threads need nothing.
//! * A trap from U-mode whose record would not fit in the thread's own
//!   region (a stack overflow, or any sp) is not saved there: the vector
//!   moves to the boot stack and the thread faults (`FaultKind::Stack`).
//!   Access faults, other illegal instructions and `ecall` from U-mode are
//!   thread faults too: the kernel's report and policy, then the switch
//!   away, not saving that thread.

use bluegen_port::{Access, Fault, FaultKind, Region};
use core::sync::atomic::{AtomicUsize, Ordering::Relaxed};

core::arch::global_asm!(
    "
    .section .text.__bluegen_raise, \"ax\", @progbits
    .p2align 2
    .global __bluegen_raise
__bluegen_raise:
    csrr a0, mstatus
    ret
    "
);

unsafe extern "C" {
    /// The raise (above): mstatus in M-mode, all ones from U-mode.
    fn __bluegen_raise() -> usize;
    /// The flash range (the linker script's FLASH region).
    static __bluegen_flash_start: u8;
    static __bluegen_flash_end: u8;
}

/// The running confined thread's own region `[start, end)` as the last
/// `protect` programmed it, and a scratch word, for the vector's check.
#[unsafe(no_mangle)]
static __bluegen_iso_bounds: [AtomicUsize; 3] = [const { AtomicUsize::new(0) }; 3];

/// `Arch::raise`.
#[inline(always)]
pub(crate) fn raise() -> bool {
    // SAFETY: a CSR read, trapped from U-mode only, where the trap resumes
    // past it in M-mode with a0 all ones; clobbers only a0 and ra (a call).
    unsafe { __bluegen_raise() == usize::MAX }
}

/// `Arch::lower`: `mret` to U-mode at the next instruction, with
/// interrupts masked from before `mepc` is written (a trap in between would
/// overwrite it) until `mret` sets MIE again from MPIE.
#[inline(always)]
pub(crate) fn lower() {
    // SAFETY: thread context in M-mode (the contract), MIE on; the switch
    // programmed the PMP for this thread, whose code and stack it allows;
    // registers and memory are left as they are.
    unsafe {
        core::arch::asm!(
            "csrci mstatus, 8",
            "la {0}, 1f",
            "csrw mepc, {0}",
            "li {0}, 0x1800",
            "csrc mstatus, {0}",
            "li {0}, 0x80",
            "csrs mstatus, {0}",
            "mret",
            "1:",
            out(reg) _,
            options(nostack)
        )
    };
}

/// PMP configuration bits: R, W, X, and the address modes.
const R: u8 = 1;
const W: u8 = 2;
const X: u8 = 4;
const TOR: u8 = 1 << 3;
const NAPOT: u8 = 3 << 3;
/// QEMU virt's PMP entries.
const ENTRIES: usize = 16;

/// Writes pmpaddr`n`.
fn write_addr(n: usize, value: usize) {
    macro_rules! arms {
        ($($i:literal)*) => {
            match n {
                // SAFETY: writes a PMP address register, which binds U-mode
                // only (no entry is locked); called from the switch in M-mode.
                $($i => unsafe { core::arch::asm!(concat!("csrw pmpaddr", $i, ", {0}"), in(reg) value, options(nomem, nostack)) },)*
                _ => {}
            }
        };
    }
    arms!(0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15);
}

/// Writes the configuration bytes of all entries.
fn write_cfg(cfg: &[u8; ENTRIES]) {
    let word = |i: usize| {
        let mut w = 0usize;
        for b in 0..usize::BITS as usize / 8 {
            w |= usize::from(cfg[i + b]) << (8 * b);
        }
        w
    };
    // SAFETY: as `write_addr`: configuration registers, none locked.
    #[cfg(target_pointer_width = "32")]
    unsafe {
        core::arch::asm!("csrw pmpcfg0, {0}", "csrw pmpcfg1, {1}", "csrw pmpcfg2, {2}", "csrw pmpcfg3, {3}",
            in(reg) word(0), in(reg) word(4), in(reg) word(8), in(reg) word(12), options(nomem, nostack))
    };
    // SAFETY: as `write_addr`: configuration registers, none locked.
    #[cfg(target_pointer_width = "64")]
    unsafe {
        core::arch::asm!("csrw pmpcfg0, {0}", "csrw pmpcfg2, {1}", in(reg) word(0), in(reg) word(8), options(nomem, nostack))
    };
}

/// Entries for `[start, end)` with permissions `perm` from entry `*n` on:
/// one NAPOT when the size is a power of two >= 8 aligned to it, else a
/// TOR pair; none when they would not fit (bluegen checks the budget).
fn set(cfg: &mut [u8; ENTRIES], n: &mut usize, start: usize, end: usize, perm: u8) {
    let size = end.saturating_sub(start);
    if size >= 8 && size.is_power_of_two() && start % size == 0 && *n < ENTRIES {
        write_addr(*n, (start + size / 2 - 1) >> 2);
        cfg[*n] = perm | NAPOT;
        *n += 1;
    } else if *n + 1 < ENTRIES {
        write_addr(*n, start >> 2);
        write_addr(*n + 1, end >> 2);
        cfg[*n + 1] = perm | TOR;
        *n += 2;
    }
}

/// `Arch::protect`: the thread's regions, then flash; the rest off.
pub(crate) fn protect(list: &[Region]) {
    let Some(own) = list.first() else {
        return;
    };
    // Read by the vector on a trap from U-mode; the switch (traps masked)
    // is the only writer.
    __bluegen_iso_bounds[0].store(own.start(), Relaxed);
    __bluegen_iso_bounds[1].store(own.end(), Relaxed);
    let mut cfg = [0u8; ENTRIES];
    let mut n = 0;
    for region in list {
        let perm = match region.access {
            Access::ReadOnly => R,
            Access::ReadWrite => R | W,
        };
        set(&mut cfg, &mut n, region.start(), region.end(), perm);
    }
    let (flash, flash_end) = (&raw const __bluegen_flash_start as usize, &raw const __bluegen_flash_end as usize);
    set(&mut cfg, &mut n, flash, flash_end, R | X);
    write_cfg(&cfg);
}

/// mcause values of the exceptions a U-mode thread can raise here.
const FETCH_FAULT: usize = 1;
const ILLEGAL: usize = 2;
const LOAD_FAULT: usize = 5;
const STORE_FAULT: usize = 7;

/// Words from a record's start to its mepc slot, and to its a0 slot.
const MEPC_SLOT: usize = if cfg!(target_pointer_width = "32") { 16 } else { 14 };
const A0_SLOT: usize = MEPC_SLOT + 8;

fn csr_mstatus() -> usize {
    let v: usize;
    // SAFETY: reads a CSR in M-mode; no side effect.
    unsafe { core::arch::asm!("csrr {0}, mstatus", out(reg) v, options(nomem, nostack)) };
    v
}

fn csr_mepc() -> usize {
    let v: usize;
    // SAFETY: reads a CSR in M-mode; no side effect.
    unsafe { core::arch::asm!("csrr {0}, mepc", out(reg) v, options(nomem, nostack)) };
    v
}

fn csr_mtval() -> usize {
    let v: usize;
    // SAFETY: reads a CSR in M-mode; no side effect.
    unsafe { core::arch::asm!("csrr {0}, mtval", out(reg) v, options(nomem, nostack)) };
    v
}

/// The integer full record of the trap whose stack pointer is `sp`: at `sp`,
/// or above the FP record the trap pushed first.
fn record(sp: usize) -> *mut usize {
    #[cfg(bluegen_fpu)]
    {
        unsafe extern "C" {
            safe fn __bluegen_resume_full();
        }
        // SAFETY: `sp` is the record the vector just wrote; slot 0 is its
        // resume address.
        let resume = unsafe { (sp as *const usize).read() };
        if resume != __bluegen_resume_full as *const () as usize {
            return (sp + (FPF_SLOTS) * size_of::<usize>()) as *mut usize;
        }
    }
    sp as *mut usize
}

/// Slots of the preempted FP record (`frame!(fpf)`).
#[cfg(bluegen_fpu)]
const FPF_SLOTS: usize = if cfg!(target_pointer_width = "32") { 52 } else { 48 };

/// A trap the switch did not take (an exception): the raise, or a fault of
/// a U-mode thread; `None` for one from M-mode (the kernel's fault).
pub(crate) fn trap(sp: usize, mcause: usize) -> Option<usize> {
    if csr_mstatus() & 0x1800 != 0 {
        return None;
    }
    let pc = csr_mepc();
    if mcause == ILLEGAL && pc == __bluegen_raise as *const () as usize {
        let rec = record(sp);
        // SAFETY: the record the vector wrote for this trap, in the
        // thread's region (the vector checked): a0 all ones, and resume in
        // M-mode (bit 0 clear) past the CSR read.
        unsafe {
            rec.add(A0_SLOT).write(usize::MAX);
            rec.add(MEPC_SLOT).write(pc + 4);
        }
        return Some(sp);
    }
    let (kind, addr) = match mcause {
        FETCH_FAULT => (FaultKind::Execute, Some(pc)),
        LOAD_FAULT => (FaultKind::Read, Some(csr_mtval())),
        STORE_FAULT => (FaultKind::Write, Some(csr_mtval())),
        _ => (FaultKind::Other, None),
    };
    // SAFETY: a trap from U-mode, so from the running thread unprivileged;
    // the switch below neither resumes nor saves it (the kernel sets no
    // current thread, or ends it).
    bluegen_port::kernel::thread_fault(unsafe { Fault::new(kind, addr, pc) });
    // SAFETY: a trap (MIE clear), and the vector resumes the record of the
    // stack pointer returned.
    Some(unsafe { bluegen_port::kernel::switch(sp) })
}

/// A trap from U-mode whose record would not fit in the thread's region:
/// `sp` the thread's stack pointer; on the boot stack, nothing saved.
#[unsafe(no_mangle)]
extern "C" fn __bluegen_iso_stack_fault(sp: usize) -> usize {
    // SAFETY: a trap from U-mode (the vector checked MPP), of the running
    // thread; nothing of it was saved, and the switch below does not resume it.
    bluegen_port::kernel::thread_fault(unsafe { Fault::new(FaultKind::Stack, Some(sp), csr_mepc()) });
    // SAFETY: a trap (MIE clear); the faulting thread's context is not
    // saved (the kernel set no current thread or ended it), and the vector
    // resumes the record returned.
    unsafe { bluegen_port::kernel::switch(0) }
}
