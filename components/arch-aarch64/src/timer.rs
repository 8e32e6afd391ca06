//! The kernel tick on the EL1 physical timer (CNTP, PPI 30): periodic, and tickless idle.

/// The timer's INTID at the GIC.
pub const INTID: u32 = 30;
/// Its GIC priority: the lowest a handler has, so that every device
/// interrupt pending at once is taken first.
const PRIORITY: u8 = 0xf0;
/// Counter ticks per kernel tick.
const PERIOD: u64 = (bluegen_config::TIMER_HZ / bluegen_config::TICK_HZ) as u64;

fn now() -> u64 {
    let n: u64;
    // SAFETY: reads the system counter (after an isb, so not early); no
    // side effect.
    unsafe { core::arch::asm!("isb", "mrs {0}, cntpct_el0", out(reg) n, options(nomem, nostack)) };
    n
}

fn compare() -> u64 {
    let n: u64;
    // SAFETY: reads the timer's compare value; no side effect.
    unsafe { core::arch::asm!("mrs {0}, cntp_cval_el0", out(reg) n, options(nomem, nostack)) };
    n
}

fn set_compare(at: u64) {
    // SAFETY: writes the timer's compare value: its interrupt comes when
    // the counter reaches it. No memory.
    unsafe { core::arch::asm!("msr cntp_cval_el0, {0}", "isb", in(reg) at, options(nomem, nostack)) };
}

/// The first tick one period from now, the timer's interrupt on.
pub fn start() {
    set_compare(now() + PERIOD);
    // SAFETY: CNTP_CTL_EL0 = ENABLE, interrupt unmasked; no memory.
    unsafe { core::arch::asm!("msr cntp_ctl_el0, {0}", "isb", in(reg) 1u64, options(nomem, nostack)) };
    crate::gic::enable(INTID, PRIORITY);
}

/// Whether the compare value was reached (CNTP_CTL_EL0.ISTATUS).
pub fn fired() -> bool {
    let ctl: u64;
    // SAFETY: reads the timer's control register; no side effect.
    unsafe { core::arch::asm!("mrs {0}, cntp_ctl_el0", out(reg) ctl, options(nomem, nostack)) };
    ctl & 1 << 2 != 0
}

/// The next tick one period after the last (no drift); the level-sensitive
/// interrupt drops as the compare value moves past the count.
pub fn rearm() {
    set_compare(compare() + PERIOD);
}

/// The PMU's 64-bit cycle counter (PMCCNTR_EL0): QEMU drives it at 1 GHz
/// of virtual time, so under `-icount shift=0` (one instruction a
/// nanosecond) it counts the instructions run, exactly, while the core is
/// not idle; real cores count cycles. The tick count is not needed.
pub fn counter(ticks: u32) -> u64 {
    let _ = ticks;
    let n: u64;
    // SAFETY: reads PMCCNTR_EL0; no side effect.
    unsafe { core::arch::asm!("isb", "mrs {0}, pmccntr_el0", out(reg) n, options(nomem, nostack)) };
    n
}

/// Starts the counter `counter` reads: the cycle counter enabled
/// (PMCNTENSET_EL0.C), counting at EL1 (PMCCFILTR_EL0 0), 64 bits wide
/// (PMCR_EL0.LC), the PMU on (E).
pub fn start_counter() {
    // SAFETY: PMU configuration registers only; no memory.
    unsafe {
        core::arch::asm!(
            "msr pmccfiltr_el0, xzr",
            "msr pmcntenset_el0, {c}",
            "mrs {t}, pmcr_el0",
            "orr {t}, {t}, #(1 << 6)",
            "orr {t}, {t}, #1",
            "msr pmcr_el0, {t}",
            "isb",
            c = in(reg) 1u64 << 31,
            t = out(reg) _,
            options(nomem, nostack)
        );
    }
}

/// Tickless idle (see `bluegen_port::idle_sleep`), IRQs masked: WFI still
/// wakes on a pending interrupt, taken once the kernel unmasks. The
/// compare value holds the next tick boundary; moving it `ticks - 1`
/// periods on skips the ticks between, and its interrupt's `rearm` goes
/// on from there without drift.
pub fn idle_sleep(ticks: u32) -> u32 {
    let next = compare();
    let skip = u64::from(ticks.saturating_sub(1));
    if skip > 0 {
        set_compare(next + skip * PERIOD);
    }
    // SAFETY: `wfi` only waits for an interrupt.
    unsafe { core::arch::asm!("wfi", options(nomem, nostack, preserves_flags)) };
    if skip == 0 {
        return 0;
    }
    let now = now();
    if now >= next + skip * PERIOD {
        // The interrupt is pending: it counts the last tick.
        return ticks - 1;
    }
    // Woken early: the tick boundaries passed so far, then interrupt again
    // on the next one.
    let passed = if now >= next { (now - next) / PERIOD + 1 } else { 0 };
    set_compare(next + passed * PERIOD);
    passed as u32
}
