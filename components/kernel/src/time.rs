//! Time: the tick count, sleeping, the benchmark counter and the tick.
//!
//! The tick interrupt calls [`tick`] (through the image's `__bluegen_tick`)
//! once per period of `TICK_HZ`; it counts, wakes due sleepers and runs the
//! time slice (see `state::tick`). With `TICKLESS` the idle thread skips
//! ticks while every thread sleeps and counts them afterwards
//! (`crate::tickless`), so [`ticks`] stays exact.

use bluegen_port::{Tick, critical};

/// Ticks since the scheduler started (wraps after 2^32 ticks).
pub fn ticks() -> u32 {
    crate::state::ticks()
}

/// Microseconds since the scheduler started, at tick resolution.
pub fn micros() -> u64 {
    u64::from(ticks()) * 1_000_000 / u64::from(bluegen_config::TICK_HZ)
}

/// A free-running counter for benchmarks: executed instructions on RISC-V
/// (`minstret`; exact under QEMU `-icount shift=0`), SysTick clock cycles
/// since start on Cortex-M (1.6 per instruction under `-icount shift=6` on
/// the 25 MHz MPS2 boards).
pub fn counter() -> u64 {
    loop {
        let before = ticks();
        let c = bluegen_port::counter(before);
        if ticks() == before {
            return c;
        }
    }
}

/// Sleeps for `ticks` ticks (0 yields).
pub fn sleep(ticks: u32) {
    if ticks == 0 {
        crate::thread::yield_now();
    } else {
        sleep_until(self::ticks().wrapping_add(ticks));
    }
}

/// Sleeps until the tick count reaches `deadline` (returns at once if it
/// has passed, less than 2^31 ticks ago).
pub fn sleep_until(deadline: u32) {
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
    #[cfg(feature = "tickless")]
    return crate::tickless::interrupts();
    #[cfg(not(feature = "tickless"))]
    ticks()
}
