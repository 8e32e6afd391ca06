//! Time as types: [`Duration`], [`Instant`] and [`Timeout`], counted in ticks.
//!
//! The kernel counts time in ticks of `1 / TICK_HZ` seconds (Kconfig
//! `TICK_HZ`). A [`Duration`] holds a whole number of ticks: the
//! constructors convert milliseconds, microseconds and seconds at the tick
//! rate of the image, rounding *up*, so `Duration::from_millis(100)` means
//! 100 ms whatever `tick-hz` is (10 ticks at 100 Hz, 100 at 1 kHz) and a
//! non-zero duration never becomes 0 ticks. The conversions are `const fn`s
//! over constants: `sleep(Duration::from_millis(100))` compiles to the same
//! code as a sleep of 10 ticks.
//!
//! A relative wait of `d` (a sleep, a [`Timeout::after`]) ends on the
//! `d.as_ticks()`-th tick interrupt from now; the tick in progress counts
//! as the first, so the core may have spent up to one tick period less.
//! [`Instant`]s are absolute (ticks since start, 64 bits wide: they do not
//! wrap), for drift-free periodic work with `sleep_until`.
//!
//! Usage:
//!
//! ```text
//! use bluegen_kernel::{Duration, Instant, Timeout, sleep};
//! sleep(Duration::from_millis(100));
//! let ok = SEM.take(Timeout::after(Duration::from_millis(20))).is_ok();
//! let t = Instant::now(); /* … */ let spent = t.elapsed();
//! ```

use core::ops::{Add, AddAssign, Sub};

/// Converts `amount` units of `1 / per_second` seconds to ticks at `hz`,
/// rounding up and saturating at `u32::MAX`.
const fn to_ticks(amount: u64, per_second: u64, hz: u64) -> u32 {
    let ticks = (amount as u128 * hz as u128).div_ceil(per_second as u128);
    if ticks > u32::MAX as u128 { u32::MAX } else { ticks as u32 }
}

/// Converts `ticks` at `hz` to units of `1 / per_second` seconds (rounding down).
const fn from_ticks(ticks: u64, per_second: u64, hz: u64) -> u64 {
    let units = ticks as u128 * per_second as u128 / hz as u128;
    if units > u64::MAX as u128 { u64::MAX } else { units as u64 }
}

/// The tick rate of this image.
const HZ: u64 = bluegen_config::TICK_HZ as u64;

/// A span of time, in whole ticks (at most `u32::MAX`).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default)]
pub struct Duration {
    ticks: u32,
}

impl Duration {
    /// No time.
    pub const ZERO: Duration = Duration { ticks: 0 };
    /// The longest duration: `u32::MAX` ticks.
    pub const MAX: Duration = Duration { ticks: u32::MAX };

    /// `ticks` ticks.
    pub const fn from_ticks(ticks: u32) -> Self {
        Self { ticks }
    }

    /// `secs` seconds.
    pub const fn from_secs(secs: u32) -> Self {
        Self { ticks: to_ticks(secs as u64, 1, HZ) }
    }

    /// `ms` milliseconds, rounded up to whole ticks.
    pub const fn from_millis(ms: u32) -> Self {
        Self { ticks: to_ticks(ms as u64, 1_000, HZ) }
    }

    /// `us` microseconds, rounded up to whole ticks.
    pub const fn from_micros(us: u32) -> Self {
        Self { ticks: to_ticks(us as u64, 1_000_000, HZ) }
    }

    /// Its length in ticks.
    pub const fn as_ticks(self) -> u32 {
        self.ticks
    }

    /// Its length in milliseconds (rounded down).
    pub const fn as_millis(self) -> u64 {
        from_ticks(self.ticks as u64, 1_000, HZ)
    }

    /// Its length in microseconds.
    pub const fn as_micros(self) -> u64 {
        from_ticks(self.ticks as u64, 1_000_000, HZ)
    }

    /// Whether it is no time.
    pub const fn is_zero(self) -> bool {
        self.ticks == 0
    }

    /// The sum, or None if it does not fit.
    pub const fn checked_add(self, other: Duration) -> Option<Duration> {
        match self.ticks.checked_add(other.ticks) {
            Some(ticks) => Some(Duration { ticks }),
            None => None,
        }
    }

    /// The difference, or zero if `other` is longer.
    pub const fn saturating_sub(self, other: Duration) -> Duration {
        Duration { ticks: self.ticks.saturating_sub(other.ticks) }
    }
}

impl Add for Duration {
    type Output = Duration;
    /// Saturating: a sum past [`Duration::MAX`] is `MAX`.
    fn add(self, other: Duration) -> Duration {
        Duration { ticks: self.ticks.saturating_add(other.ticks) }
    }
}

impl Sub for Duration {
    type Output = Duration;
    /// Saturating at zero.
    fn sub(self, other: Duration) -> Duration {
        self.saturating_sub(other)
    }
}

/// A point in time: ticks since the scheduler started, 64 bits wide, so it
/// does not wrap (at 1 kHz, for 584 million years).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default)]
pub struct Instant {
    ticks: u64,
}

impl Instant {
    /// The start of the scheduler.
    pub const START: Instant = Instant { ticks: 0 };

    /// The instant `ticks` ticks after the start.
    pub const fn from_ticks(ticks: u64) -> Self {
        Self { ticks }
    }

    /// Ticks since the start.
    pub const fn as_ticks(self) -> u64 {
        self.ticks
    }

    /// Microseconds since the start, at tick resolution.
    pub const fn as_micros(self) -> u64 {
        from_ticks(self.ticks, 1_000_000, HZ)
    }

    /// Milliseconds since the start, at tick resolution.
    pub const fn as_millis(self) -> u64 {
        from_ticks(self.ticks, 1_000, HZ)
    }

    /// The time from `earlier` to this instant (zero if `earlier` is later;
    /// saturating at [`Duration::MAX`]).
    pub const fn duration_since(self, earlier: Instant) -> Duration {
        let d = self.ticks.saturating_sub(earlier.ticks);
        Duration { ticks: if d > u32::MAX as u64 { u32::MAX } else { d as u32 } }
    }

    /// The instant `d` later, or None past the 64-bit range.
    pub const fn checked_add(self, d: Duration) -> Option<Instant> {
        match self.ticks.checked_add(d.ticks as u64) {
            Some(ticks) => Some(Instant { ticks }),
            None => None,
        }
    }
}

#[cfg(feature = "preempt")]
impl Instant {
    /// Now.
    pub fn now() -> Instant {
        crate::time::now()
    }

    /// The time since this instant.
    pub fn elapsed(self) -> Duration {
        Instant::now().duration_since(self)
    }
}

impl Add<Duration> for Instant {
    type Output = Instant;
    fn add(self, d: Duration) -> Instant {
        Instant { ticks: self.ticks.saturating_add(d.ticks as u64) }
    }
}

impl AddAssign<Duration> for Instant {
    fn add_assign(&mut self, d: Duration) {
        *self = *self + d;
    }
}

impl Sub for Instant {
    type Output = Duration;
    fn sub(self, earlier: Instant) -> Duration {
        self.duration_since(earlier)
    }
}

/// How long a blocking call may wait: not at all, for a [`Duration`], or
/// until it succeeds. A `Duration` converts into it (`.into()`).
///
/// Zero cost: it is one word of ticks, the kernel's own representation.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Timeout {
    /// 0: no wait; `u32::MAX`: forever; else ticks.
    ticks: u32,
}

impl Timeout {
    /// Do not wait: fail at once if the call cannot succeed now (the only
    /// timeout allowed in interrupt handlers).
    pub const NO_WAIT: Timeout = Timeout { ticks: 0 };
    /// Wait until the call succeeds, however long.
    pub const FOREVER: Timeout = Timeout { ticks: u32::MAX };

    /// Wait at most `d` (no wait for a zero duration; `Duration::MAX` is one
    /// tick less than forever).
    pub const fn after(d: Duration) -> Timeout {
        Timeout { ticks: if d.ticks == u32::MAX { u32::MAX - 1 } else { d.ticks } }
    }

    /// Wait at most `ms` milliseconds (shorthand for `after(Duration::from_millis(ms))`).
    pub const fn millis(ms: u32) -> Timeout {
        Timeout::after(Duration::from_millis(ms))
    }

    /// Wait at most `ticks` ticks.
    pub const fn ticks(ticks: u32) -> Timeout {
        Timeout::after(Duration::from_ticks(ticks))
    }

    /// Whether it is [`Timeout::NO_WAIT`].
    pub const fn is_no_wait(self) -> bool {
        self.ticks == 0
    }

    /// Whether it is [`Timeout::FOREVER`].
    pub const fn is_forever(self) -> bool {
        self.ticks == u32::MAX
    }

    /// The kernel's representation: 0 no wait, `u32::MAX` forever, else ticks.
    // Used by the blocking objects and join, whichever the features are on.
    #[allow(dead_code)]
    pub(crate) const fn raw(self) -> u32 {
        self.ticks
    }
}

impl From<Duration> for Timeout {
    fn from(d: Duration) -> Timeout {
        Timeout::after(d)
    }
}

/// The error of a blocking call whose timeout ran out. It carries what the
/// call could not deliver (a queue send gives its message back), else `()`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct TimedOut<T = ()>(pub T);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_round_up_at_any_tick_rate() {
        assert_eq!(to_ticks(100, 1_000, 100), 10);
        assert_eq!(to_ticks(100, 1_000, 1_000), 100);
        assert_eq!(to_ticks(100, 1_000, 32_768), 3_277);
        assert_eq!(to_ticks(1, 1_000, 100), 1, "1 ms at 100 Hz is one tick, not zero");
        assert_eq!(to_ticks(11, 1_000, 100), 2, "11 ms at 100 Hz rounds up to 2 ticks");
        assert_eq!(to_ticks(0, 1_000, 100), 0);
        assert_eq!(to_ticks(1, 1_000_000, 100), 1);
        assert_eq!(to_ticks(u32::MAX as u64, 1, 1_000), u32::MAX, "saturates");
    }

    #[test]
    fn duration_uses_the_image_tick_rate() {
        // host.rs: TICK_HZ = 100.
        assert_eq!(Duration::from_millis(100).as_ticks(), (100 * HZ / 1000) as u32);
        assert_eq!(Duration::from_secs(2).as_ticks(), (2 * HZ) as u32);
        assert_eq!(Duration::from_micros(1).as_ticks(), 1);
        assert_eq!(Duration::from_millis(250).as_millis(), 250);
        assert_eq!(Duration::from_ticks(3).as_micros(), 3 * 1_000_000 / HZ);
        const TEN: Duration = Duration::from_millis(100); // const-evaluable
        assert_eq!(TEN, Duration::from_ticks((HZ / 10) as u32));
    }

    #[test]
    fn duration_arithmetic_saturates() {
        assert_eq!(Duration::MAX + Duration::from_ticks(1), Duration::MAX);
        assert_eq!(Duration::from_ticks(1) - Duration::from_ticks(2), Duration::ZERO);
        assert_eq!(Duration::MAX.checked_add(Duration::from_ticks(1)), None);
        assert!(Duration::ZERO.is_zero());
    }

    #[test]
    fn instants_are_64_bit_and_do_not_wrap() {
        let before_wrap = Instant::from_ticks(u32::MAX as u64);
        let after_wrap = before_wrap + Duration::from_ticks(2);
        assert_eq!(after_wrap.as_ticks(), u32::MAX as u64 + 2);
        assert!(after_wrap > before_wrap);
        assert_eq!(after_wrap - before_wrap, Duration::from_ticks(2));
        assert_eq!(before_wrap - after_wrap, Duration::ZERO);
        assert_eq!(Instant::from_ticks(1 << 40).as_micros(), (1u64 << 40) * 1_000_000 / HZ);
        let mut t = Instant::START;
        t += Duration::from_secs(1);
        assert_eq!(t.as_millis(), 1_000);
    }

    #[test]
    fn timeouts_keep_their_sentinels_apart() {
        assert!(Timeout::NO_WAIT.is_no_wait() && Timeout::NO_WAIT.raw() == 0);
        assert!(Timeout::FOREVER.is_forever());
        assert!(!Timeout::after(Duration::MAX).is_forever(), "the longest duration is still finite");
        assert!(Timeout::after(Duration::ZERO).is_no_wait());
        assert_eq!(Timeout::from(Duration::from_ticks(7)).raw(), 7);
        assert_eq!(Timeout::millis(30), Timeout::ticks((30 * HZ).div_ceil(1000) as u32));
    }
}
