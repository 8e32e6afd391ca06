//! Tickless idle: no periodic tick while every thread sleeps.
//!
//! When the idle thread runs, no thread is ready. With `TICKLESS` it asks
//! the arch (`bluegen_port::idle_sleep`) to program the tick timer for the
//! earliest wake tick of the sleepers (SysTick's reload on Cortex-M,
//! `mtimecmp` on RISC-V) instead of the next tick, and sleeps the core with
//! interrupts masked. On wake-up the arch reports how many tick periods
//! passed while asleep; the kernel adds them to the tick count and wakes
//! the sleepers they made due (`state::idle_sleep`), and the timer's
//! pending interrupt then counts the last period as an ordinary tick. So
//! [`crate::ticks`] stays exact, while a long sleep costs one interrupt per
//! span the timer can reach (about 0.67 s of SysTick at 25 MHz, unlimited
//! with the 64-bit `mtimecmp`) instead of one per tick.

use core::sync::atomic::AtomicU32;
use core::sync::atomic::Ordering::Relaxed;

/// Tick interrupts taken since the scheduler started.
static INTERRUPTS: AtomicU32 = AtomicU32::new(0);

/// Counts one tick interrupt; called by the tick, interrupts masked.
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
    let woke = bluegen_port::critical(crate::state::idle_sleep);
    crate::state::reschedule(woke);
}
