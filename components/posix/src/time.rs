//! `struct timespec`, the two clocks, and POSIX times as kernel timeouts.
//!
//! CLOCK_MONOTONIC is the kernel's tick count since boot; CLOCK_REALTIME
//! is it plus an offset that `clock_settime` moves. Both advance once per
//! tick (`TICK_HZ`), which is their resolution. Times are `i64`
//! nanoseconds (292 years either way of 1970; beyond, they saturate, which
//! a wait takes as "forever"): 128-bit arithmetic would pull kilobytes of
//! compiler-builtins into every image on 32-bit targets.

use crate::cell::Shared;
use crate::errno::EINVAL;
use bluegen_kernel::Timeout;
use core::ffi::{c_int, c_long};

/// C's `struct timespec` (picolibc: a 64-bit `time_t`, a `long` of ns).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct timespec {
    pub tv_sec: i64,
    pub tv_nsec: c_long,
}

/// C's `clockid_t` (picolibc: `unsigned long`).
pub type clockid_t = core::ffi::c_ulong;

/// picolibc's clock ids.
pub const CLOCK_REALTIME: u32 = 1;
pub const CLOCK_MONOTONIC: u32 = 4;
/// `clock_nanosleep`'s flag: the time is absolute.
pub const TIMER_ABSTIME: c_int = 4;

const NS_PER_SEC: i64 = 1_000_000_000;

/// Nanoseconds CLOCK_REALTIME is ahead of CLOCK_MONOTONIC.
static REALTIME_OFFSET: Shared<i64> = Shared::new(0);

/// Nanoseconds of one tick.
pub fn resolution_ns() -> i64 {
    NS_PER_SEC / i64::from(bluegen_config::TICK_HZ.max(1))
}

/// Ticks since boot.
pub fn now_ticks() -> u64 {
    bluegen_kernel::Instant::now().as_ticks()
}

/// Nanoseconds since boot, at tick resolution.
pub fn monotonic_ns() -> i64 {
    i64::try_from(now_ticks()).unwrap_or(i64::MAX).saturating_mul(resolution_ns())
}

/// A C clock id as the `u32` of the constants here (an id beyond it is
/// no clock: `u32::MAX`).
pub fn clock_id(clock: clockid_t) -> u32 {
    u32::try_from(clock).unwrap_or(u32::MAX)
}

/// `clock` now, in ns; EINVAL for a clock other than the two.
pub fn now_ns(clock: u32) -> Result<i64, c_int> {
    match clock {
        CLOCK_MONOTONIC => Ok(monotonic_ns()),
        CLOCK_REALTIME => Ok(monotonic_ns().saturating_add(REALTIME_OFFSET.with(|o| *o))),
        _ => Err(EINVAL),
    }
}

/// Sets CLOCK_REALTIME to `ns`.
pub fn set_realtime_ns(ns: i64) {
    let offset = ns.saturating_sub(monotonic_ns());
    REALTIME_OFFSET.with(|o| *o = offset);
}

impl timespec {
    /// Its nanoseconds; EINVAL when `tv_nsec` is outside 0..1e9 (POSIX's
    /// check for every time argument).
    pub fn ns(&self) -> Result<i64, c_int> {
        if self.tv_nsec < 0 || i64::from(self.tv_nsec) >= NS_PER_SEC {
            return Err(EINVAL);
        }
        Ok(self.tv_sec.saturating_mul(NS_PER_SEC).saturating_add(i64::from(self.tv_nsec)))
    }

    /// The timespec of `ns` nanoseconds (not negative).
    pub fn from_ns(ns: i64) -> timespec {
        let ns = ns.max(0);
        timespec { tv_sec: ns / NS_PER_SEC, tv_nsec: (ns % NS_PER_SEC) as c_long }
    }
}

/// Ticks to wait so that at least `ns` nanoseconds pass: rounded up, plus
/// the tick in progress (a wait of n ticks ends on the n-th tick from
/// now, which may be less than n whole ticks away). 0 for none.
pub fn ticks_for(ns: i64) -> u32 {
    if ns <= 0 {
        return 0;
    }
    // FOREVER is u32::MAX: a finite wait stays below it.
    ticks_of(ns).saturating_add(1).min(u64::from(u32::MAX - 1)) as u32
}

/// `ns` (not negative) in ticks, rounded up: POSIX rounds a time to the
/// clock's resolution upwards.
pub fn ticks_of(ns: i64) -> u64 {
    (ns.max(0) as u64).div_ceil(resolution_ns() as u64)
}

/// The kernel timeout of a wait until `abstime` on `clock`: no wait when
/// it has passed (the call still succeeds when it need not wait, as POSIX
/// asks). EINVAL for a bad `tv_nsec` or clock.
pub fn until(abstime: &timespec, clock: u32) -> Result<Timeout, c_int> {
    let deadline = abstime.ns()?;
    Ok(Timeout::ticks(ticks_for(deadline.saturating_sub(now_ns(clock)?))))
}

/// [`until`] of a C pointer; EINVAL for null.
///
/// # Safety
///
/// `abstime` is null or points at a readable `timespec`.
pub unsafe fn until_ptr(abstime: *const timespec, clock: u32) -> Result<Timeout, c_int> {
    // SAFETY: the caller's contract.
    let abstime = unsafe { abstime.as_ref() }.ok_or(EINVAL)?;
    until(abstime, clock)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nanoseconds_are_checked() {
        assert_eq!(timespec { tv_sec: 1, tv_nsec: 5 }.ns(), Ok(1_000_000_005));
        assert_eq!(timespec { tv_sec: 1, tv_nsec: -1 }.ns(), Err(EINVAL));
        assert_eq!(timespec { tv_sec: 1, tv_nsec: 1_000_000_000 }.ns(), Err(EINVAL));
        assert_eq!(timespec::from_ns(2_500_000_000), timespec { tv_sec: 2, tv_nsec: 500_000_000 });
        assert_eq!(timespec { tv_sec: i64::MAX, tv_nsec: 0 }.ns(), Ok(i64::MAX), "saturates");
    }

    #[test]
    fn waits_round_up_and_count_the_tick_in_progress() {
        // 100 Hz on the host: 10 ms a tick.
        assert_eq!(ticks_for(0), 0);
        assert_eq!(ticks_for(-5), 0);
        assert_eq!(ticks_for(1), 2);
        assert_eq!(ticks_for(10_000_000), 2);
        assert_eq!(ticks_for(10_000_001), 3);
        assert_eq!(ticks_for(i64::MAX), u32::MAX - 1);
        assert_eq!((ticks_of(0), ticks_of(1), ticks_of(10_000_000), ticks_of(10_000_001)), (0, 1, 1, 2));
    }

    #[test]
    fn a_past_deadline_does_not_wait() {
        let t = until(&timespec { tv_sec: 0, tv_nsec: 0 }, CLOCK_MONOTONIC).unwrap();
        assert!(t.is_no_wait());
        assert_eq!(until(&timespec::default(), 99), Err(EINVAL));
        assert_eq!(until(&timespec { tv_sec: 0, tv_nsec: -3 }, CLOCK_MONOTONIC), Err(EINVAL));
    }

    #[test]
    fn realtime_follows_settime() {
        set_realtime_ns(5 * NS_PER_SEC);
        let now = now_ns(CLOCK_REALTIME).unwrap();
        assert!((5 * NS_PER_SEC..6 * NS_PER_SEC).contains(&now));
        set_realtime_ns(0);
    }
}
