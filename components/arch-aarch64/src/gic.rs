//! The GIC: GICv2 or GICv3 (Kconfig `GIC_VERSION`), for core 0.
//!
//! What the kernel needs of it: the timer's PPI (INTID 30) and, with
//! `interrupts`, the device's SPIs and the software-generated interrupts,
//! each enabled at a priority, acknowledged and ended by the IRQ entry; and
//! a way to pend an SGI on this core. GICv2's CPU interface is memory
//! mapped (`GICC_BASE`); GICv3's is in system registers, with the private
//! interrupts' enables and priorities in core 0's redistributor
//! (`GICC_BASE` names it then). Every interrupt is Group 1 (GICv3; GICv2
//! without security extensions signals Group 0 as IRQ), so it arrives as an
//! IRQ at EL1.

// Without `interrupts` only the tick's part is used.
#![cfg_attr(not(feature = "interrupts"), allow(dead_code))]

const GICD: usize = bluegen_config::GICD_BASE as usize;
/// GICv2: the CPU interface; GICv3: core 0's redistributor.
const GICC: usize = bluegen_config::GICC_BASE as usize;
const V3: bool = bluegen_config::GIC_VERSION == 3;

const GICD_CTLR: usize = 0x000;
const GICD_IGROUPR: usize = 0x080;
const GICD_ISENABLER: usize = 0x100;
const GICD_ICENABLER: usize = 0x180;
const GICD_ISPENDR: usize = 0x200;
const GICD_IPRIORITYR: usize = 0x400;
const GICD_ITARGETSR: usize = 0x800;
const GICD_SGIR: usize = 0xf00;
const GICD_IROUTER: usize = 0x6000;
/// GICv3 redistributor: its wake register, and its SGI/PPI frame.
const GICR_WAKER: usize = 0x14;
const GICR_SGI: usize = 0x1_0000;
/// GICv2 CPU interface registers.
const GICC_CTLR: usize = 0x00;
const GICC_PMR: usize = 0x04;
const GICC_IAR: usize = 0x0c;
const GICC_EOIR: usize = 0x10;

/// The INTID the acknowledge returns when nothing is pending.
pub const SPURIOUS: u32 = 1023;

fn read(addr: usize) -> u32 {
    // SAFETY: `addr` is a register of the board's GIC (the Kconfig bases
    // plus the offsets above), a 32-bit MMIO word; the registers read here
    // have no side effect but the acknowledge's, which the IRQ entry wants.
    unsafe { (addr as *const u32).read_volatile() }
}

fn write(addr: usize, value: u32) {
    // SAFETY: as in `read`; the writes configure the GIC for this core.
    unsafe { (addr as *mut u32).write_volatile(value) }
}

fn write_byte(addr: usize, value: u8) {
    // SAFETY: as in `read`: a byte of the GIC's priority or target
    // registers, which are byte-accessible.
    unsafe { (addr as *mut u8).write_volatile(value) }
}

/// Where interrupt `intid`'s enable, group and priority live: the
/// distributor, or with GICv3 for a private one (below 32) the
/// redistributor's SGI frame.
fn frame(intid: u32) -> usize {
    if V3 && intid < 32 { GICC + GICR_SGI } else { GICD }
}

/// Turns the distributor and this core's interface on, every interrupt
/// masked at its source; `PMR` lets every priority through.
pub fn init() {
    if V3 {
        // Redistributor awake (ProcessorSleep clear), then wait until its
        // children are awake too.
        write(GICC + GICR_WAKER, read(GICC + GICR_WAKER) & !(1 << 1));
        while read(GICC + GICR_WAKER) & (1 << 2) != 0 {}
        // Distributor: affinity routing, Group 1 on (and Group 0, unused).
        write(GICD + GICD_CTLR, 1 << 4 | 1 << 1 | 1);
        // SAFETY: the GICv3 CPU interface's system registers: system
        // register access on, every priority unmasked, Group 1 on. No
        // memory is touched.
        unsafe {
            core::arch::asm!(
                "mrs {t}, icc_sre_el1",
                "orr {t}, {t}, #1",
                "msr icc_sre_el1, {t}",
                "isb",
                "mov {t}, #0xff",
                "msr icc_pmr_el1, {t}",
                "msr icc_bpr1_el1, xzr",
                "mov {t}, #1",
                "msr icc_igrpen1_el1, {t}",
                "isb",
                t = out(reg) _,
                options(nomem, nostack)
            );
        }
    } else {
        write(GICD + GICD_CTLR, 1);
        write(GICC + GICC_PMR, 0xff);
        write(GICC + GICC_CTLR, 1);
    }
}

/// Interrupt `intid` (GICv3: in Group 1; GICv2: Group 0, its IRQ) at GIC priority `priority` (0 highest),
/// routed to core 0, enabled.
pub fn enable(intid: u32, priority: u8) {
    let (word, bit) = ((intid / 32) as usize * 4, 1u32 << (intid % 32));
    let base = frame(intid);
    if V3 {
        write(base + GICD_IGROUPR + word, read(base + GICD_IGROUPR + word) | bit);
    }
    write_byte(base + GICD_IPRIORITYR + intid as usize, priority);
    if intid >= 32 {
        if V3 {
            // SAFETY: as in `write`: GICD_IROUTER<n> is 64 bits; 0 routes to
            // the core of affinity 0.0.0.0, this one.
            unsafe { ((GICD + GICD_IROUTER + 8 * intid as usize) as *mut u64).write_volatile(0) };
        } else {
            write_byte(GICD + GICD_ITARGETSR + intid as usize, 1);
        }
    }
    unmask(intid);
}

/// Enables `intid` at the GIC (its configuration left as `enable` wrote it).
pub fn unmask(intid: u32) {
    write(frame(intid) + GICD_ISENABLER + (intid / 32) as usize * 4, 1 << (intid % 32));
}

/// Disables `intid` at the GIC; a request meanwhile stays pending. On
/// GICv3 it waits until the distributor says the disable is done
/// (GICD_CTLR.RWP); one a GICv2 forwarded just before is pended again by
/// the dispatch (see `crate::irq::dispatch`).
pub fn mask(intid: u32) {
    write(frame(intid) + GICD_ICENABLER + (intid / 32) as usize * 4, 1 << (intid % 32));
    // SAFETY: a barrier; no memory is changed.
    unsafe { core::arch::asm!("dsb sy", options(nostack, preserves_flags)) };
    if V3 {
        while read(GICD + GICD_CTLR) & 1 << 31 != 0 {}
    }
}

/// Whether `intid` is enabled at the GIC.
pub fn enabled(intid: u32) -> bool {
    read(frame(intid) + GICD_ISENABLER + (intid / 32) as usize * 4) & 1 << (intid % 32) != 0
}

/// Acknowledges the highest pending interrupt: its INTID ([`SPURIOUS`]
/// when none) and the acknowledge register's whole value, which [`end`]
/// takes back (on GICv2 an SGI's source core is in it).
#[inline(always)]
pub fn ack() -> (u32, u32) {
    if V3 {
        let iar: u64;
        // SAFETY: reads ICC_IAR1_EL1, which acknowledges; no memory.
        unsafe { core::arch::asm!("mrs {0}, icc_iar1_el1", out(reg) iar, options(nomem, nostack)) };
        let intid = (iar & 0xff_ffff) as u32;
        (intid, intid)
    } else {
        let iar = read(GICC + GICC_IAR);
        (iar & 0x3ff, iar)
    }
}

/// Ends the interrupt [`ack`] returned `iar` for, after the handler's
/// device writes (a `dsb`: a level-triggered source its handler cleared
/// must not come back pending).
#[inline(always)]
pub fn end(iar: u32) {
    // SAFETY: a barrier; no memory is changed.
    unsafe { core::arch::asm!("dsb sy", options(nostack, preserves_flags)) };
    if V3 {
        // SAFETY: writes ICC_EOIR1_EL1, which ends the interrupt; no memory.
        unsafe { core::arch::asm!("msr icc_eoir1_el1, {0}", in(reg) u64::from(iar), options(nomem, nostack)) };
    } else {
        write(GICC + GICC_EOIR, iar);
    }
}

/// Pends shared peripheral interrupt `intid` at the distributor.
pub fn pend_spi(intid: u32) {
    write(GICD + GICD_ISPENDR + (intid / 32) as usize * 4, 1 << (intid % 32));
}

/// Pends software-generated interrupt `sgi` (0 to 15) on this core.
pub fn pend_sgi(sgi: u32) {
    if V3 {
        // ICC_SGI1R_EL1: INTID in bits 24-27, target list bit 0 (affinity
        // 0.0.0.0: this core).
        let value = u64::from(sgi) << 24 | 1;
        // SAFETY: writes ICC_SGI1R_EL1, which only pends the SGI; no memory.
        unsafe { core::arch::asm!("msr icc_sgi1r_el1, {0}", "isb", in(reg) value, options(nomem, nostack)) };
    } else {
        // TargetListFilter 0b10: this core only.
        write(GICD + GICD_SGIR, 2 << 24 | sgi);
    }
}
