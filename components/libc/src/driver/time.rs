//! `bg_ticks`, `bg_sleep_ms`, …: the kernel's tick and sleep (Kconfig `PREEMPT`).
//!
//! Time advances once per tick (`TICK_HZ`), which is the resolution of
//! every function here. Arithmetic stays in 64 bits.

use super::{HZ, ticks_for};
use bluegen_kernel::Instant;

/// `uint64_t bg_ticks(void)`: ticks since the scheduler started (does not
/// wrap). Also from interrupt handlers.
#[unsafe(no_mangle)]
pub extern "C" fn bg_ticks() -> u64 {
    Instant::now().as_ticks()
}

/// `uint32_t bg_tick_hz(void)`: ticks per second (Kconfig `TICK_HZ`).
#[unsafe(no_mangle)]
pub extern "C" fn bg_tick_hz() -> u32 {
    HZ as u32
}

/// `uint64_t bg_uptime_us(void)`: microseconds since the scheduler started,
/// at tick resolution (does not wrap). Also from interrupt handlers.
#[unsafe(no_mangle)]
pub extern "C" fn bg_uptime_us() -> u64 {
    let ticks = bg_ticks();
    // Whole seconds, then the rest: exact, and no product overflows.
    ticks / HZ * 1_000_000 + ticks % HZ * 1_000_000 / HZ
}

/// `void bg_sleep_ms(uint32_t ms)`: sleeps at least `ms` milliseconds
/// (rounded up to ticks, plus the tick in progress); 0 yields to threads of
/// equal priority. Threads only.
#[unsafe(no_mangle)]
pub extern "C" fn bg_sleep_ms(ms: u32) {
    if ms == 0 {
        bluegen_kernel::yield_now();
        return;
    }
    let now = bg_ticks();
    bluegen_kernel::sleep_until(Instant::from_ticks(now.saturating_add(ticks_for(ms, 1_000))));
}

/// `void bg_delay_us(uint32_t us)`: busy-waits at least `us` microseconds
/// (rounded up to ticks, plus the tick in progress: a short delay spins up
/// to two tick periods). The tick must advance meanwhile: not inside
/// `bg_critical`, nor in a handler the tick cannot preempt.
#[unsafe(no_mangle)]
pub extern "C" fn bg_delay_us(us: u32) {
    if us == 0 {
        return;
    }
    let until = bg_ticks().saturating_add(ticks_for(us, 1_000_000));
    while bg_ticks() < until {
        core::hint::spin_loop();
    }
}
