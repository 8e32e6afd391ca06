//! Software timers: one-shot and periodic, run by a timer thread.
//!
//! A [`Timer`] is a `static` holding a callback; [`Timer::start`] arms it
//! once, [`Timer::start_periodic`] every `period` (a [`Duration`]), [`Timer::stop`]
//! disarms it and [`Timer::restart`] arms it again from now with the delay
//! and period of its last start. Deadlines are absolute ticks, so a
//! periodic timer does not drift.
//!
//! Callbacks run in the *timer thread*: a thread of device.toml whose entry
//! calls [`run`] with the device's timers. It sleeps until the earliest
//! deadline (or until a start, stop or restart changes it), then calls every
//! due callback one after another, at its own priority and on its own stack.
//! Give it the highest priority of the device and a callback runs on the
//! very tick it is due; a callback may use every thread API but should not
//! block, since the other timers wait for it. A periodic timer that fell
//! behind fires once per missed period, back to back, so no expiry is lost.
//!
//! The timer list logic ([`is_due`], [`Timer::take_due`], [`next_deadline`])
//! is plain code over atomics, unit-tested on the host.
//!
//! Usage, from a device's app crate:
//!
//! ```text
//! static BLINK: Timer = Timer::new(toggle_led);
//! pub fn timers() { bluegen_kernel::timer::run(&[&BLINK]) }   // [threads.timers]
//! pub fn main() { BLINK.start_periodic(Duration::from_millis(500), Duration::from_millis(500)); }
//! ```

use crate::duration::Duration;
use core::sync::atomic::Ordering::Relaxed;
use core::sync::atomic::{AtomicBool, AtomicU32};

/// A software timer: a callback and when it is due.
pub struct Timer {
    callback: fn(),
    active: AtomicBool,
    /// The absolute tick it is due at, while active.
    deadline: AtomicU32,
    /// Ticks between expiries; 0 for a one-shot timer.
    period: AtomicU32,
    /// The delay of its last start, for [`Timer::restart`].
    delay: AtomicU32,
}

/// Whether a deadline has come at tick `now` (it is at most 2^31 ticks in
/// the past; tick counts wrap).
pub fn is_due(deadline: u32, now: u32) -> bool {
    (now.wrapping_sub(deadline) as i32) >= 0
}

/// The earliest deadline of the active timers that are not yet due at
/// `now`, if any.
pub fn next_deadline(timers: &[&Timer], now: u32) -> Option<u32> {
    let mut next: Option<u32> = None;
    for t in timers {
        if !t.active.load(Relaxed) {
            continue;
        }
        let d = t.deadline.load(Relaxed);
        let ahead = d.wrapping_sub(now);
        if next.is_none_or(|n| ahead < n.wrapping_sub(now)) {
            next = Some(d);
        }
    }
    next
}

/// Runs `f` as one step no interrupt or thread switch can split.
fn locked<R>(f: impl FnOnce() -> R) -> R {
    #[cfg(feature = "threads")]
    return bluegen_port::critical(|_| f());
    #[cfg(not(feature = "threads"))]
    f()
}

impl Timer {
    /// A stopped timer that calls `callback` when it expires.
    pub const fn new(callback: fn()) -> Self {
        Self {
            callback,
            active: AtomicBool::new(false),
            deadline: AtomicU32::new(0),
            period: AtomicU32::new(0),
            delay: AtomicU32::new(0),
        }
    }

    /// Arms it to fire once, `delay` from now (zero counts as one tick).
    pub fn start(&self, delay: Duration) {
        // Kernel state: privileged for an unprivileged caller (isolation).
        crate::kcall!({
            self.arm(delay.as_ticks(), 0);
        })
    }

    /// Arms it to fire `delay` from now (zero counts as one tick), then
    /// every `period` (zero makes it one-shot).
    pub fn start_periodic(&self, delay: Duration, period: Duration) {
        // Kernel state: privileged for an unprivileged caller (isolation).
        crate::kcall!({
            self.arm(delay.as_ticks(), period.as_ticks());
        })
    }

    /// Arms it again from now, with the delay and period of its last start.
    pub fn restart(&self) {
        // Kernel state: privileged for an unprivileged caller (isolation).
        crate::kcall!({
            self.arm(self.delay.load(Relaxed), self.period.load(Relaxed));
        })
    }

    /// Disarms it; returns whether it was armed. Its callback does not run
    /// again until the next start (unless the timer thread is calling it
    /// right now).
    pub fn stop(&self) -> bool {
        // Kernel state: privileged for an unprivileged caller (isolation).
        crate::kcall!({
            let was = locked(|| {
                let was = self.active.load(Relaxed);
                self.active.store(false, Relaxed);
                was
            });
            kick();
            was
        })
    }

    /// Whether it is armed.
    pub fn is_active(&self) -> bool {
        // Kernel state: privileged for an unprivileged caller (isolation).
        crate::kcall!({
            self.active.load(Relaxed)
        })
    }

    fn arm(&self, delay: u32, period: u32) {
        let delay = delay.max(1);
        locked(|| {
            self.delay.store(delay, Relaxed);
            self.period.store(period, Relaxed);
            self.deadline.store(now().wrapping_add(delay), Relaxed);
            self.active.store(true, Relaxed);
        });
        kick();
    }

    /// If it is armed and due at `now`: disarms a one-shot timer, moves a
    /// periodic one to its next deadline (one period on, whatever `now`
    /// is), and returns true: the caller runs the callback.
    pub fn take_due(&self, now: u32) -> bool {
        locked(|| {
            let deadline = self.deadline.load(Relaxed);
            if !self.active.load(Relaxed) || !is_due(deadline, now) {
                return false;
            }
            let period = self.period.load(Relaxed);
            if period == 0 {
                self.active.store(false, Relaxed);
            } else {
                self.deadline.store(deadline.wrapping_add(period), Relaxed);
            }
            true
        })
    }

    /// Runs the callback of every timer of `timers` due at `now`, once
    /// each; returns how many ran.
    pub fn fire_due(timers: &[&Timer], now: u32) -> u32 {
        let mut fired = 0;
        for t in timers {
            if t.take_due(now) {
                (t.callback)();
                fired += 1;
            }
        }
        fired
    }
}

/// The tick count (0 on the host, where nothing ticks).
fn now() -> u32 {
    #[cfg(feature = "preempt")]
    return crate::time::ticks();
    #[cfg(not(feature = "preempt"))]
    0
}

#[cfg(feature = "timers")]
mod service {
    use super::Timer;
    use crate::state;
    use bluegen_port::critical;
    use core::sync::atomic::AtomicU32;
    use core::sync::atomic::Ordering::Relaxed;
    use core::sync::atomic::AtomicBool;

    /// Set by a start, stop or restart: the timer thread must look again
    /// before it waits.
    static KICKED: AtomicBool = AtomicBool::new(false);
    /// The timer thread while it waits in [`wait`] (a waiter bitmap).
    static PARKED: AtomicU32 = AtomicU32::new(0);

    /// The timers changed: wake the timer thread if it waits, preempting
    /// the caller when it has the higher priority.
    pub fn kick() {
        let preempt = critical(|cs| {
            KICKED.store(true, Relaxed);
            let parked = PARKED.load(Relaxed);
            PARKED.store(0, Relaxed);
            state::wake(cs, parked)
        });
        state::reschedule(preempt);
    }

    /// Blocks the timer thread until tick `deadline` (forever with None),
    /// or until the next kick; returns at once if a kick came since it
    /// last looked or the deadline has passed.
    pub fn wait(deadline: Option<u32>) {
        let blocked = critical(|cs| {
            if KICKED.load(Relaxed) || state::current() >= crate::sched::MAX_THREADS {
                KICKED.store(false, Relaxed);
                return false;
            }
            if deadline.is_some_and(|d| super::is_due(d, state::ticks())) {
                return false;
            }
            state::block(cs, Some(&PARKED), deadline);
            true
        });
        if blocked {
            bluegen_port::pend_switch();
            critical(|_| PARKED.store(0, Relaxed));
        }
    }

    /// The timer thread's loop; see the module documentation.
    pub fn run(timers: &[&Timer]) -> ! {
        loop {
            KICKED.store(false, Relaxed);
            let now = crate::time::ticks();
            if Timer::fire_due(timers, now) > 0 {
                continue;
            }
            wait(super::next_deadline(timers, now));
        }
    }
}

/// Wakes the timer thread after a change of the timers.
fn kick() {
    #[cfg(feature = "timers")]
    service::kick();
}

/// The timer thread: call it from the entry of a thread of device.toml,
/// with every timer of the device; it never returns. See the module
/// documentation.
#[cfg(feature = "timers")]
pub fn run(timers: &[&Timer]) -> ! {
    service::run(timers)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    std::thread_local! {
        static CALLS: Cell<u32> = const { Cell::new(0) };
    }

    fn count() {
        CALLS.with(|c| c.set(c.get() + 1));
    }

    fn calls() -> u32 {
        CALLS.with(|c| c.replace(0))
    }

    /// A timer armed by hand at `deadline` (the host's clock stays at 0).
    fn armed(t: &Timer, deadline: u32, period: u32) {
        t.deadline.store(deadline, Relaxed);
        t.period.store(period, Relaxed);
        t.active.store(true, Relaxed);
    }

    #[test]
    fn due_across_the_wrap() {
        assert!(is_due(5, 5));
        assert!(is_due(5, 6));
        assert!(!is_due(5, 4));
        assert!(is_due(u32::MAX, 1));
        assert!(!is_due(2, u32::MAX));
    }

    #[test]
    fn one_shot_fires_once_on_its_tick() {
        let t = Timer::new(count);
        armed(&t, 10, 0);
        let list = [&t];
        assert_eq!(Timer::fire_due(&list, 9), 0);
        assert_eq!(Timer::fire_due(&list, 10), 1);
        assert_eq!(Timer::fire_due(&list, 11), 0);
        assert_eq!(Timer::fire_due(&list, 100), 0);
        assert_eq!(calls(), 1);
        assert!(!t.is_active());
    }

    #[test]
    fn periodic_fires_every_period_without_drift() {
        let t = Timer::new(count);
        armed(&t, 10, 5);
        let list = [&t];
        let fired: u32 = (0..=30).map(|now| Timer::fire_due(&list, now)).sum();
        // 10, 15, 20, 25, 30.
        assert_eq!(fired, 5);
        assert_eq!(t.deadline.load(Relaxed), 35);
        // Late by three periods: one expiry per pass, none lost.
        assert_eq!(Timer::fire_due(&list, 50), 1);
        assert_eq!(Timer::fire_due(&list, 50), 1);
        assert_eq!(Timer::fire_due(&list, 50), 1);
        assert_eq!(Timer::fire_due(&list, 50), 1);
        assert_eq!(Timer::fire_due(&list, 50), 0);
        assert_eq!(calls(), 9);
    }

    #[test]
    fn stopped_timers_never_fire() {
        let t = Timer::new(count);
        armed(&t, 3, 1);
        assert!(t.stop());
        assert!(!t.stop());
        assert_eq!(Timer::fire_due(&[&t], 3), 0);
        assert_eq!(calls(), 0);
    }

    #[test]
    fn start_and_restart_arm_from_now() {
        let t = Timer::new(count);
        t.start(Duration::ZERO);
        assert!(t.is_active());
        // Delay 0 counts as 1; the host clock is at 0.
        assert_eq!(t.deadline.load(Relaxed), 1);
        t.start_periodic(Duration::from_ticks(4), Duration::from_ticks(9));
        assert_eq!((t.deadline.load(Relaxed), t.period.load(Relaxed)), (4, 9));
        t.stop();
        t.restart();
        assert!(t.is_active());
        assert_eq!((t.deadline.load(Relaxed), t.period.load(Relaxed)), (4, 9));
    }

    #[test]
    fn next_deadline_is_the_earliest_active_one() {
        let (a, b, c) = (Timer::new(count), Timer::new(count), Timer::new(count));
        assert_eq!(next_deadline(&[&a, &b, &c], 0), None);
        armed(&a, 40, 0);
        armed(&b, 25, 0);
        armed(&c, 7, 0);
        c.stop();
        assert_eq!(next_deadline(&[&a, &b, &c], 20), Some(25));
        // Across the wrap: u32::MAX - 1 comes before 3.
        armed(&a, 3, 0);
        armed(&b, u32::MAX - 1, 0);
        assert_eq!(next_deadline(&[&a, &b], u32::MAX - 5), Some(u32::MAX - 1));
    }
}
