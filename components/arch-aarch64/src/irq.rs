//! Device interrupts on the GIC: SPIs and software interrupts, dispatched from the image's table.
//!
//! device.toml numbers an interrupt by its GIC INTID when it is an SPI (32
//! and up, below the board's `irqs`), and software interrupt `soft<k>` as
//! `irqs + k`, which is SGI `k` at the GIC. The image's [`interrupts!`]
//! table maps each declared number to its handler; the IRQ entry
//! acknowledges the highest-priority pending interrupt, runs its handler
//! with IRQs masked (handlers do not nest: several pending at once run
//! one after another, the higher priority first, as the GIC orders them)
//! and ends it.
//!
//! Masking: an SPI is disabled at the distributor, where a request stays
//! pending. A GICv2 may keep SGIs always enabled (QEMU's does), so the
//! software interrupts are masked here, on both GIC versions: one pended
//! (or arriving) while masked is held and pended again when unmasked.

use core::sync::atomic::AtomicU32;
use core::sync::atomic::Ordering::Relaxed;

/// Software interrupts masked, and those requested meanwhile (bit `k`:
/// `soft<k>`). Changed only with IRQs masked, on the one core.
static DISABLED: AtomicU32 = AtomicU32::new(0);
static HELD: AtomicU32 = AtomicU32::new(0);
/// The declared number of the handler running, or `NONE`.
static ACTIVE: AtomicU32 = AtomicU32::new(NONE);
const NONE: u32 = u32::MAX;

unsafe extern "Rust" {
    /// The image's handler of INTID `intid` and its declared number (the
    /// `interrupts!` table); none when the device declares no such
    /// interrupt.
    safe fn __bluegen_irq_handler(intid: u32) -> Option<(u16, fn())>;
    /// The INTID of declared interrupt `irq`, and whether it is software.
    safe fn __bluegen_irq_intid(irq: u16) -> Option<(u32, bool)>;
}

/// A declared interrupt's INTID and GIC priority, which the boot entry
/// writes.
#[derive(Clone, Copy)]
pub struct Irq {
    intid: u16,
    priority: u8,
}

impl Irq {
    /// INTID `intid` (an SPI, or the SGI of a software interrupt) at
    /// device.toml's `priority`, 1 (lowest) to `2^bits - 1`, of a GIC
    /// implementing `bits` priority bits: GIC priority 0 is the highest,
    /// so the order turns over, in the implemented (top) bits. The tick's
    /// priority is below every one of these.
    pub const fn new(intid: u16, priority: u8, bits: u8) -> Irq {
        let top = (1u16 << bits) - 1;
        Irq { intid, priority: (((top - priority as u16) << (8 - bits)) & 0xff) as u8 }
    }
}

/// Configures and enables the declared interrupts (GIC first on).
pub fn enable(irqs: &[Irq]) {
    crate::gic::init();
    for i in irqs {
        crate::gic::enable(u32::from(i.intid), i.priority);
    }
}

/// Nothing more at the scheduler's start: `enable` configured the GIC.
pub fn start() {}

/// Runs `f` with IRQs masked. The asm blocks are compiler barriers (no
/// `nomem`): `f`'s loads and stores of the masks stay inside.
#[inline(always)]
fn masked<R>(f: impl FnOnce() -> R) -> R {
    let daif: u64;
    // SAFETY: reads DAIF and masks IRQs; touches no memory itself.
    unsafe { core::arch::asm!("mrs {0}, daif", "msr daifset, #2", out(reg) daif, options(nostack)) };
    let r = f();
    // SAFETY: writes back the DAIF read above (an `isb`, so that an
    // interrupt pending meanwhile is taken here); touches no memory itself.
    unsafe { core::arch::asm!("msr daif, {0}", "isb", in(reg) daif, options(nostack)) };
    r
}

/// Waits, IRQs masked, until the core sees an IRQ signalled (ISR_EL1.I):
/// the interrupt just pended is taken as soon as IRQs are unmasked, so its
/// handler has run when `pend_irq` or `enable_irq` returns to a thread, as
/// RISC-V's wait for `mip` makes sure. Not in a handler: there the GIC
/// signals nothing of the running priority or lower until the handler
/// ends, and what it pended runs after it anyway.
#[inline(always)]
fn wait_signalled() {
    if ACTIVE.load(Relaxed) != NONE {
        return;
    }
    loop {
        let isr: u64;
        // SAFETY: reads ISR_EL1; no side effect.
        unsafe { core::arch::asm!("mrs {0}, isr_el1", out(reg) isr, options(nomem, nostack)) };
        if isr & 1 << 7 != 0 {
            break;
        }
    }
}

/// Pends declared interrupt `irq`: a software one as its SGI (held while
/// masked), an SPI at the distributor. `false` for a number the device
/// does not declare.
pub fn pend(irq: u16) -> bool {
    let Some((intid, soft)) = __bluegen_irq_intid(irq) else { return false };
    if soft {
        let bit = 1u32 << intid;
        masked(|| {
            if DISABLED.load(Relaxed) & bit != 0 {
                HELD.store(HELD.load(Relaxed) | bit, Relaxed);
            } else {
                crate::gic::pend_sgi(intid);
                wait_signalled();
            }
        });
    } else {
        masked(|| {
            crate::gic::pend_spi(intid);
            if crate::gic::enabled(intid) {
                wait_signalled();
            }
        });
    }
    true
}

/// Unmasks declared interrupt `irq` (see the module docs).
pub fn unmask(irq: u16) -> bool {
    let Some((intid, soft)) = __bluegen_irq_intid(irq) else { return false };
    if soft {
        let bit = 1u32 << intid;
        masked(|| {
            DISABLED.store(DISABLED.load(Relaxed) & !bit, Relaxed);
            let held = HELD.load(Relaxed);
            if held & bit != 0 {
                HELD.store(held & !bit, Relaxed);
                crate::gic::pend_sgi(intid);
                wait_signalled();
            }
        });
    } else {
        crate::gic::unmask(intid);
    }
    true
}

/// Masks declared interrupt `irq` (see the module docs).
pub fn mask(irq: u16) -> bool {
    let Some((intid, soft)) = __bluegen_irq_intid(irq) else { return false };
    if soft {
        masked(|| DISABLED.store(DISABLED.load(Relaxed) | 1 << intid, Relaxed));
    } else {
        crate::gic::mask(intid);
    }
    true
}

/// The declared number of the handler running now.
pub fn active() -> Option<u16> {
    let irq = ACTIVE.load(Relaxed);
    (irq != NONE).then_some(irq as u16)
}

/// The IRQ entry's part for every interrupt but the tick: runs the
/// handler of `intid` (unless it is a software interrupt masked
/// meanwhile, which is held) and ends it at the GIC. An interrupt the
/// device does not declare cannot be enabled, so one arriving is a bug:
/// the run fails with its INTID.
///
/// An SPI disabled after the GIC forwarded it (a GICv2 may still hand it
/// over) is pended again at the distributor and ended without its handler:
/// it runs once enabled, as `disable_irq` promises.
pub fn dispatch(intid: u32, iar: u32) {
    match __bluegen_irq_handler(intid) {
        Some((irq, handler)) => {
            let bit = if intid < 16 { 1u32 << intid } else { 0 };
            if DISABLED.load(Relaxed) & bit != 0 {
                HELD.store(HELD.load(Relaxed) | bit, Relaxed);
            } else if intid >= 32 && !crate::gic::enabled(intid) {
                crate::gic::pend_spi(intid);
            } else {
                ACTIVE.store(u32::from(irq), Relaxed);
                handler();
                ACTIVE.store(NONE, Relaxed);
            }
            crate::gic::end(iar);
        }
        None => unexpected(intid),
    }
}

#[cold]
#[inline(never)]
fn unexpected(intid: u32) -> ! {
    let digits = [b'0' + (intid / 100 % 10) as u8, b'0' + (intid / 10 % 10) as u8, b'0' + (intid % 10) as u8];
    let skip = if intid < 10 { 2 } else if intid < 100 { 1 } else { 0 };
    bluegen_port::console_write(b"\nunexpected GIC interrupt, INTID ");
    bluegen_port::console_write(&digits[skip..]);
    bluegen_port::console_write(b"\n");
    bluegen_port::exit(1)
}

/// The image's interrupt table: `soft: <number> => <handler>, …` (numbers
/// from `base`, the board's `irqs`: SGI = number - base) and `spi: <INTID>
/// => <handler>, …`. Defines the two lookups the dispatch and the pend and
/// mask calls use.
#[macro_export]
macro_rules! interrupts {
    (soft: $($s:literal => $sh:path),* ; base: $base:literal ; spi: $($p:literal => $ph:path),* $(,)?) => {
        const _: () = {
            #[unsafe(no_mangle)]
            fn __bluegen_irq_handler(intid: u32) -> Option<(u16, fn())> {
                match intid {
                    $(n if n == $s - $base => Some(($s, $sh as fn())),)*
                    $($p => Some(($p, $ph as fn())),)*
                    _ => None,
                }
            }

            #[unsafe(no_mangle)]
            fn __bluegen_irq_intid(irq: u16) -> Option<(u32, bool)> {
                match irq {
                    $($s => Some(($s - $base, true)),)*
                    $($p => Some(($p, false)),)*
                    _ => None,
                }
            }
        };
    };
}
