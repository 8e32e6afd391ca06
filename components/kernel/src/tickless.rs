//! Tickless idle: no periodic tick while every thread sleeps.
//!
//! When the idle thread runs, no thread is ready. With `TICKLESS` it asks
//! the arch (`__bluegen_port_idle_sleep`) to program the tick timer for the
//! earliest wake tick of the sleepers (SysTick's reload on Cortex-M,
//! `mtimecmp` on RISC-V) instead of the next tick, and sleeps the core with
//! interrupts masked. On wake-up the arch reports how many tick periods
//! passed while asleep; the kernel adds them to the tick count and wakes
//! the sleepers they made due, and the timer's pending interrupt then
//! counts the last period as an ordinary tick. So [`crate::ticks`] stays
//! exact, while a long sleep costs one interrupt per span the timer can
//! reach (about 0.67 s of SysTick at 25 MHz, unlimited with the 64-bit
//! `mtimecmp`) instead of one per tick.

use crate::thread::critical;
use crate::thread::state::*;
use core::sync::atomic::AtomicU32;
use core::sync::atomic::Ordering::Relaxed;

/// Tick interrupts taken since the scheduler started.
static INTERRUPTS: AtomicU32 = AtomicU32::new(0);

/// Counts one tick interrupt; called by the tick.
pub(crate) fn count_interrupt() {
    INTERRUPTS.store(INTERRUPTS.load(Relaxed).wrapping_add(1), Relaxed);
}

/// Tick interrupts taken since the scheduler started.
pub(crate) fn interrupts() -> u32 {
    INTERRUPTS.load(Relaxed)
}

/// The idle thread's sleep: until the earliest sleeper's wake tick, with
/// the ticks in between suppressed.
pub(crate) fn idle_sleep() {
    let switch = critical(|| {
        if READY.load(Relaxed) != 0 {
            return false;
        }
        let now = TICKS.load(Relaxed);
        let sleeping = SLEEPING.load(Relaxed);
        let wake = |i: usize| WAKE.get(i).map_or(0, |w| w.load(Relaxed));
        let ahead = crate::sched::ticks_to_next(sleeping, wake, now);
        let passed = crate::port::__bluegen_port_idle_sleep(ahead);
        if passed == 0 {
            return false;
        }
        TICKS.store(now.wrapping_add(passed), Relaxed);
        crate::duration::advanced(now, now.wrapping_add(passed));
        let woke = crate::sched::due_within(sleeping, wake, now, passed);
        SLEEPING.store(sleeping & !woke, Relaxed);
        READY.store(READY.load(Relaxed) | crate::suspend::runnable(woke), Relaxed);
        woke != 0
    });
    if switch {
        crate::port::__bluegen_port_pend_switch();
    }
}
