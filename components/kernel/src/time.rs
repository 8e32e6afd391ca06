//! Time: the tick count, sleeping, the benchmark counter and the tick.
//!
//! The tick interrupt calls [`tick`] (through the image's `__bluegen_tick`)
//! once per period of `TICK_HZ`; it counts, wakes due sleepers and runs the
//! time slice (see `state::tick`). With `TICKLESS` the idle thread skips
//! ticks while every thread sleeps and counts them afterwards
//! (`crate::tickless`), so [`ticks`] stays exact. The tick count is kept
//! in 64 bits (the 32-bit count plus its wraps), so [`crate::Instant`]s and
//! [`micros`] do not wrap.

use crate::duration::{Duration, Instant};
use bluegen_port::{Tick, critical};

/// Ticks since the scheduler started, the raw 32-bit count (wraps after
/// 2^32 ticks; [`crate::Instant::now`] does not).
pub fn ticks() -> u32 {
    // Kernel state: privileged for an unprivileged caller (isolation).
    crate::kcall!({
        crate::state::ticks()
    })
}

/// Microseconds since the scheduler started, at tick resolution; does not
/// wrap.
pub fn micros() -> u64 {
    // Kernel state: privileged for an unprivileged caller (isolation).
    crate::kcall!({
        Instant::now().as_micros()
    })
}

/// A free-running counter for benchmarks: executed instructions on RISC-V
/// (`minstret`; exact under QEMU `-icount shift=0`), SysTick clock cycles
/// since start on Cortex-M (1.6 per instruction under `-icount shift=6` on
/// the 25 MHz MPS2 boards).
pub fn counter() -> u64 {
    // Kernel state: privileged for an unprivileged caller (isolation).
    crate::kcall!({
        loop {
            let before = ticks();
            let c = bluegen_port::counter(before);
            if ticks() == before {
                return c;
            }
        }
    })
}

/// Sleeps for `d`: wakes on the `d.as_ticks()`-th tick from now (the tick
/// in progress counts as the first); a zero duration yields. However long
/// `d` is: one wake tick reaches 2^31 - 1 ticks ahead, longer sleeps go on
/// through [`sleep_until`].
pub fn sleep(d: Duration) {
    // Kernel state: privileged for an unprivileged caller (isolation).
    crate::kcall!({
        let ticks = d.as_ticks();
        if ticks == 0 {
            crate::thread::yield_now();
        } else if ticks <= i32::MAX as u32 {
            sleep_until_tick(self::ticks().wrapping_add(ticks));
        } else {
            sleep_long(d);
        }
    })
}

/// A sleep of 2^31 ticks or more: out of line, so the usual sleep stays
/// one wake tick.
#[cold]
#[inline(never)]
fn sleep_long(d: Duration) {
    sleep_until(now() + d);
}

/// Sleeps until `deadline` (returns at once if it has passed). For
/// periodic work without drift: `next += period; sleep_until(next)`.
pub fn sleep_until(deadline: Instant) {
    // Kernel state: privileged for an unprivileged caller (isolation).
    crate::kcall!({
        loop {
            let now = crate::state::ticks64();
            let Some(ahead) = deadline.as_ticks().checked_sub(now).filter(|&a| a > 0) else { return };
            // The 32-bit wake tick reaches at most 2^31 - 1 ticks ahead.
            let step = ahead.min(i32::MAX as u64) as u32;
            sleep_until_tick((now as u32).wrapping_add(step));
            if u64::from(step) == ahead {
                return;
            }
        }
    })
}

/// Sleeps until the 32-bit tick count reaches `deadline` (returns at once
/// if it has passed, less than 2^31 ticks ago).
fn sleep_until_tick(deadline: u32) {
    let slept = critical(|cs| {
        let current = crate::state::current();
        if current >= crate::sched::MAX_THREADS || (deadline.wrapping_sub(ticks()) as i32) <= 0 {
            return false;
        }
        crate::state::block(cs, None, Some(deadline));
        true
    });
    crate::state::reschedule(slept);
}

/// Now, as an [`Instant`].
pub(crate) fn now() -> Instant {
    Instant::from_ticks(crate::state::ticks64())
}

/// The tick, for the arch tick interrupt (through the image's
/// `__bluegen_tick`, which alone makes the [`Tick`] capability: interrupts
/// are masked): counts, wakes due sleepers, and runs the time slice.
/// Returns whether a switch is due (a higher-priority thread woke, or the
/// slice ran out and a thread of equal priority is ready).
#[inline(always)]
pub fn tick(cap: Tick) -> bool {
    #[cfg(feature = "tickless")]
    crate::tickless::count_interrupt();
    #[cfg(feature = "stack-check")]
    {
        let current = crate::state::current();
        crate::stack::check(current);
        // Not a thread: an overflow may have overwritten the scheduler's
        // state, so look at every stack.
        if current > crate::sched::IDLE {
            crate::stack::check_stacks();
        }
    }
    crate::state::tick(cap.critical_section())
}

/// Tick interrupts taken since the scheduler started: with `TICKLESS`
/// fewer than [`ticks`] when threads slept, without it every tick is one.
pub fn tick_interrupts() -> u32 {
    // Kernel state: privileged for an unprivileged caller (isolation).
    crate::kcall!({
        #[cfg(feature = "tickless")]
        return crate::tickless::interrupts();
        #[cfg(not(feature = "tickless"))]
        ticks()
    })
}
