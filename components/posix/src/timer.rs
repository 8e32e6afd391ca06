//! `timer_*`: per-process timers, SIGEV_NONE and SIGEV_THREAD, on the tick.
//!
//! A timer is a slot of a table of `POSIX_TIMER_MAX`; a `timer_t` is its
//! index + 1 plus 256 × the slot's generation, so an id deleted and
//! reused is no longer valid. Deadlines and periods are kept in ticks
//! (the clocks' resolution: POSIX rounds times up to it); an absolute
//! CLOCK_REALTIME time is kept too, until it expires, so that
//! `clock_settime` moves its deadline as POSIX asks.
//!
//! - `SIGEV_NONE`: nothing is notified; `timer_gettime` reads how long is
//!   left, counting the periods that passed.
//! - `SIGEV_THREAD` (with `POSIX_THREADS_BASE`): `timer_create` starts a
//!   detached pthread for the timer (`sigev_notify_attributes` or the
//!   default attributes: a pool stack, the creator's priority), which
//!   sleeps until the next expiration on a kernel semaphore with a
//!   timeout, then calls `sigev_notify_function(sigev_value)`. Periods
//!   missed while the function ran are its overruns (`timer_getoverrun`).
//!   `timer_settime`, `timer_delete` and `clock_settime` wake it to look
//!   again.
//! - `SIGEV_SIGNAL` and a null `sigevent` (which POSIX makes SIGALRM):
//!   EINVAL, as there are no signals.

use crate::cell::Shared;
use crate::errno::{EAGAIN, EINVAL, status};
use crate::time::{CLOCK_MONOTONIC, CLOCK_REALTIME, TIMER_ABSTIME, clock_id, clockid_t, now_ns, now_ticks, resolution_ns, ticks_of, timespec};
use core::ffi::{c_int, c_ulong, c_void};

/// `timer_t` (picolibc: `unsigned long`).
pub type timer_t = c_ulong;

/// How many timers there can be (`TIMER_MAX`).
pub const MAX: usize = bluegen_config::POSIX_TIMER_MAX as usize;
/// Overruns are counted up to this (`DELAYTIMER_MAX`).
pub const DELAYTIMER_MAX: c_int = i32::MAX;

pub const SIGEV_NONE: c_int = 1;
pub const SIGEV_SIGNAL: c_int = 2;
pub const SIGEV_THREAD: c_int = 3;

/// `union sigval`.
#[repr(C)]
#[derive(Clone, Copy)]
pub union sigval {
    pub sival_int: c_int,
    pub sival_ptr: *mut c_void,
}

/// A notification function.
pub type Notify = extern "C" fn(sigval);

/// `struct sigevent`, with the SIGEV_THREAD members picolibc leaves out
/// (include/sys/signal.h gives C this layout).
#[repr(C)]
pub struct sigevent {
    pub sigev_notify: c_int,
    pub sigev_signo: c_int,
    pub sigev_value: sigval,
    pub sigev_notify_function: Option<Notify>,
    pub sigev_notify_attributes: *const c_void,
}

/// `struct itimerspec`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct itimerspec {
    pub it_interval: timespec,
    pub it_value: timespec,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Use {
    Free,
    Timer,
    /// Deleted; its thread has not seen it yet.
    Closing,
}

#[derive(Clone, Copy)]
struct Slot {
    state: Use,
    generation: usize,
    clock: u32,
    /// SIGEV_THREAD's function and value.
    notify: Option<(Notify, sigval)>,
    /// The next expiration, as a tick count.
    next: Option<u64>,
    /// An absolute CLOCK_REALTIME time (ns) not yet reached.
    realtime_at: Option<i64>,
    /// Ticks; 0: one-shot.
    interval: u64,
    overrun: c_int,
}

impl Slot {
    const FREE: Slot = Slot { state: Use::Free, generation: 0, clock: CLOCK_MONOTONIC, notify: None, next: None, realtime_at: None, interval: 0, overrun: 0 };

    /// Moves past the expirations up to tick `now`: how many there were.
    fn expire(&mut self, now: u64) -> u64 {
        let Some(next) = self.next.filter(|&n| n <= now) else { return 0 };
        self.realtime_at = None;
        if self.interval > 0 {
            let n = (now - next) / self.interval + 1;
            self.next = Some(next.saturating_add(n.saturating_mul(self.interval)));
            n
        } else {
            self.next = None;
            1
        }
    }

    /// Ticks left to the next expiration at tick `now` (0: disarmed).
    fn left(&self, now: u64) -> u64 {
        self.next.map_or(0, |n| n.saturating_sub(now).max(1))
    }

    /// Arms it for the absolute CLOCK_REALTIME time `at`.
    fn aim_realtime(&mut self, at: i64) {
        let now = now_ns(CLOCK_REALTIME).unwrap_or(0);
        self.next = Some(now_ticks() + ticks_of(at.saturating_sub(now)));
        self.realtime_at = Some(at);
    }
}

// SAFETY: a Slot's one pointer is C's `sigev_value`, never dereferenced
// here, only handed back to C's notification function.
unsafe impl Send for Slot {}

static TIMERS: Shared<[Slot; MAX]> = Shared::new([Slot::FREE; MAX]);

/// Wakes the thread of each SIGEV_THREAD timer.
#[cfg(feature = "posix-threads-base")]
static WAKE: [bluegen_kernel::Semaphore<1>; MAX] = [const { bluegen_kernel::Semaphore::new(0) }; MAX];

fn id_of(index: usize, generation: usize) -> timer_t {
    (index + 1 + (generation % (usize::MAX >> 8)) * 256) as timer_t
}

/// The slot index of a live timer `id`; EINVAL otherwise.
fn index_of(t: &[Slot; MAX], id: timer_t) -> Result<usize, c_int> {
    let id = id as usize;
    let index = (id & 0xff).checked_sub(1).filter(|&i| i < MAX).ok_or(EINVAL)?;
    let s = &t[index];
    if s.state != Use::Timer || id_of(index, s.generation) as usize != id {
        return Err(EINVAL);
    }
    Ok(index)
}

/// Nanoseconds of `ticks`.
fn ns_of(ticks: u64) -> i64 {
    i64::try_from(ticks).unwrap_or(i64::MAX).saturating_mul(resolution_ns())
}

/// What `sigev_notify_attributes` points at: a pthread's attributes (none
/// without threads, where SIGEV_THREAD is refused).
#[cfg(feature = "posix-threads-base")]
pub type Attr = crate::attr::pthread_attr_t;
#[cfg(not(feature = "posix-threads-base"))]
pub type Attr = core::ffi::c_void;

/// Creates a timer on `clock` notifying as `event` says; a SIGEV_THREAD
/// timer's thread gets `attr` (`event.sigev_notify_attributes`, which the
/// caller has turned into a reference: this function follows no pointer).
pub fn create(clock: u32, event: Option<&sigevent>, attr: Option<&Attr>) -> Result<timer_t, c_int> {
    if clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC {
        return Err(EINVAL);
    }
    let event = event.ok_or(EINVAL)?;
    let notify = match event.sigev_notify {
        SIGEV_NONE => None,
        SIGEV_THREAD if cfg!(feature = "posix-threads-base") => Some((event.sigev_notify_function.ok_or(EINVAL)?, event.sigev_value)),
        _ => return Err(EINVAL),
    };
    let (index, generation) = TIMERS.with(|t| {
        let index = t.iter().position(|s| s.state == Use::Free).ok_or(EAGAIN)?;
        let generation = t[index].generation;
        t[index] = Slot { state: Use::Timer, generation, clock, notify, ..Slot::FREE };
        Ok::<_, c_int>((index, generation))
    })?;
    #[cfg(not(feature = "posix-threads-base"))]
    let _ = attr;
    #[cfg(feature = "posix-threads-base")]
    if notify.is_some() {
        if let Err(e) = start_thread(index, attr) {
            TIMERS.with(|t| t[index] = Slot { generation, ..Slot::FREE });
            return Err(e);
        }
    }
    Ok(id_of(index, generation))
}

/// The detached pthread of SIGEV_THREAD timer `index`.
#[cfg(feature = "posix-threads-base")]
fn start_thread(index: usize, attr: Option<&crate::attr::pthread_attr_t>) -> Result<(), c_int> {
    let mut own = crate::attr::pthread_attr_t::default();
    if let Some(a) = attr {
        if a.init == 0 {
            return Err(EINVAL);
        }
        own = *a;
    }
    own.detachstate = crate::thread::PTHREAD_CREATE_DETACHED;
    // A wake left over from an earlier timer of the slot only makes the
    // thread look once more.
    crate::thread::create(Some(&own), notifier, index).map(|_| ())
}

/// What a timer's thread does next.
#[cfg(feature = "posix-threads-base")]
enum Step {
    Exit,
    Wait(bluegen_kernel::Timeout),
    Notify(Notify, sigval),
}

/// A SIGEV_THREAD timer's thread: waits for each expiration and calls
/// the function, until the timer is deleted.
#[cfg(feature = "posix-threads-base")]
extern "C" fn notifier(arg: *mut c_void) -> *mut c_void {
    let index = arg as usize;
    loop {
        let step = TIMERS.with(|t| {
            let s = &mut t[index];
            if s.state != Use::Timer {
                *s = Slot { generation: s.generation, ..Slot::FREE };
                return Step::Exit;
            }
            let now = now_ticks();
            match s.expire(now) {
                0 => Step::Wait(match s.next {
                    None => bluegen_kernel::Timeout::FOREVER,
                    Some(next) => bluegen_kernel::Timeout::ticks((next - now).min(u64::from(u32::MAX - 1)) as u32),
                }),
                n => {
                    s.overrun = (n - 1).min(DELAYTIMER_MAX as u64) as c_int;
                    match s.notify {
                        Some((f, v)) => Step::Notify(f, v),
                        None => Step::Exit,
                    }
                }
            }
        });
        match step {
            Step::Exit => return core::ptr::null_mut(),
            Step::Wait(timeout) => {
                let _ = WAKE[index].take(timeout);
            }
            Step::Notify(f, v) => f(v),
        }
    }
}

/// Makes the thread of timer `index` look at it again.
fn wake(index: usize) {
    #[cfg(feature = "posix-threads-base")]
    let _ = WAKE[index].give();
    let _ = index;
}

/// `clock_settime` moved CLOCK_REALTIME: absolute REALTIME timers wait
/// for a different time now.
pub fn clock_was_set() {
    for index in 0..MAX {
        let moved = TIMERS.with(|t| {
            let s = &mut t[index];
            let at = s.realtime_at.filter(|_| s.state == Use::Timer);
            at.map(|at| s.aim_realtime(at)).is_some()
        });
        if moved {
            wake(index);
        }
    }
}

/// Deletes timer `id`.
pub fn delete(id: timer_t) -> Result<(), c_int> {
    let index = TIMERS.with(|t| {
        let index = index_of(t, id)?;
        let s = &mut t[index];
        s.generation = s.generation.wrapping_add(1);
        if s.notify.is_some() {
            // Its thread frees the slot when it sees this.
            (s.state, s.next) = (Use::Closing, None);
        } else {
            *s = Slot { generation: s.generation, ..Slot::FREE };
        }
        Ok::<_, c_int>(index)
    })?;
    wake(index);
    Ok(())
}

/// The setting of a slot now.
fn setting(s: &mut Slot) -> itimerspec {
    let now = now_ticks();
    if s.notify.is_none() {
        s.expire(now);
    }
    itimerspec { it_interval: timespec::from_ns(ns_of(s.interval)), it_value: timespec::from_ns(ns_of(s.left(now))) }
}

/// `timer_settime`: arms (or with a zero `it_value` disarms) timer `id`;
/// its setting before.
pub fn set(id: timer_t, flags: c_int, value: &itimerspec) -> Result<itimerspec, c_int> {
    let (value_ns, interval) = if value.it_value == timespec::default() {
        (None, 0)
    } else {
        let v = value.it_value.ns()?;
        let i = value.it_interval.ns()?;
        if value.it_interval.tv_sec < 0 {
            return Err(EINVAL);
        }
        (Some(v), ticks_of(i))
    };
    let (index, old) = TIMERS.with(|t| {
        let index = index_of(t, id)?;
        let s = &mut t[index];
        let old = setting(s);
        (s.next, s.realtime_at, s.interval, s.overrun) = (None, None, interval, 0);
        if let Some(v) = value_ns {
            let now = now_ticks();
            if flags & TIMER_ABSTIME == 0 {
                // At least `v` from now: the tick in progress may be
                // nearly over, so one tick more than `v` rounded up.
                s.next = Some(now + ticks_of(v) + 1);
            } else if s.clock == CLOCK_REALTIME {
                s.aim_realtime(v);
            } else {
                // The clock reads whole ticks. A time that has passed
                // expires at once.
                s.next = Some(now + ticks_of(v.saturating_sub(now_ns(CLOCK_MONOTONIC).unwrap_or(0))));
            }
        }
        Ok::<_, c_int>((index, old))
    })?;
    wake(index);
    Ok(old)
}

/// `timer_gettime`: the time to the next expiration and the interval.
pub fn get(id: timer_t) -> Result<itimerspec, c_int> {
    TIMERS.with(|t| {
        let index = index_of(t, id)?;
        Ok(setting(&mut t[index]))
    })
}

/// `timer_getoverrun`: the periods missed before the last notification.
pub fn overrun(id: timer_t) -> Result<c_int, c_int> {
    TIMERS.with(|t| index_of(t, id).map(|i| t[i].overrun))
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn timer_create(clock: clockid_t, evp: *const sigevent, timerid: *mut timer_t) -> c_int {
    // SAFETY: a sigevent or null, a writable timer_t (the C contract).
    let (event, Some(out)) = (unsafe { evp.as_ref() }, unsafe { timerid.as_mut() }) else { return status(Err(EINVAL)) };
    // SAFETY: a sigevent's `sigev_notify_attributes` is null or points at
    // a pthread_attr_t (the C contract; read for SIGEV_THREAD only).
    let attr = event.filter(|e| e.sigev_notify == SIGEV_THREAD).and_then(|e| unsafe { e.sigev_notify_attributes.cast::<Attr>().as_ref() });
    status(create(clock_id(clock), event, attr).map(|id| *out = id))
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub extern "C" fn timer_delete(timerid: timer_t) -> c_int {
    status(delete(timerid))
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn timer_settime(timerid: timer_t, flags: c_int, value: *const itimerspec, ovalue: *mut itimerspec) -> c_int {
    // SAFETY: a readable itimerspec, a writable one or null (the C contract).
    let Some(value) = (unsafe { value.as_ref() }) else { return status(Err(EINVAL)) };
    status(set(timerid, flags, value).map(|old| {
        // SAFETY: as above.
        if let Some(o) = unsafe { ovalue.as_mut() } {
            *o = old;
        }
    }))
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn timer_gettime(timerid: timer_t, value: *mut itimerspec) -> c_int {
    // SAFETY: a writable itimerspec (the C contract).
    let Some(out) = (unsafe { value.as_mut() }) else { return status(Err(EINVAL)) };
    status(get(timerid).map(|v| *out = v))
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub extern "C" fn timer_getoverrun(timerid: timer_t) -> c_int {
    match overrun(timerid) {
        Ok(n) => n,
        Err(e) => status(Err(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none() -> sigevent {
        sigevent { sigev_notify: SIGEV_NONE, sigev_signo: 0, sigev_value: sigval { sival_int: 0 }, sigev_notify_function: None, sigev_notify_attributes: core::ptr::null() }
    }

    fn spec(value_ms: i64, interval_ms: i64) -> itimerspec {
        let ts = |ms: i64| timespec::from_ns(ms * 1_000_000);
        itimerspec { it_interval: ts(interval_ms), it_value: ts(value_ms) }
    }

    #[test]
    fn expirations_advance_by_whole_periods() {
        let mut s = Slot { next: Some(100), interval: 30, realtime_at: Some(5), ..Slot::FREE };
        assert_eq!(s.expire(99), 0);
        assert_eq!(s.expire(100), 1);
        assert_eq!((s.next, s.realtime_at), (Some(130), None), "an absolute time, once reached, is left behind");
        assert_eq!(s.expire(200), 3, "130, 160 and 190");
        assert_eq!(s.next, Some(220));
        assert_eq!(s.left(200), 20);
        let mut once = Slot { next: Some(5), ..Slot::FREE };
        assert_eq!(once.expire(9), 1);
        assert_eq!((once.next, once.left(9)), (None, 0));
    }

    #[test]
    fn timers_are_created_set_read_and_deleted() {
        assert_eq!(create(3, Some(&none()), None), Err(EINVAL), "no such clock");
        assert_eq!(create(CLOCK_MONOTONIC, None, None), Err(EINVAL), "SIGALRM: no signals");
        let signal = sigevent { sigev_notify: SIGEV_SIGNAL, ..none() };
        assert_eq!(create(CLOCK_MONOTONIC, Some(&signal), None), Err(EINVAL));
        let id = create(CLOCK_MONOTONIC, Some(&none()), None).unwrap();
        assert_eq!(get(id), Ok(itimerspec::default()), "disarmed");
        assert_eq!(set(id, 0, &spec(50, 25)), Ok(itimerspec::default()));
        let now = get(id).unwrap();
        // 50 ms + one tick (10 ms at 100 Hz), less what has passed.
        assert!(now.it_value.ns().unwrap() <= 60_000_000 && now.it_value.ns().unwrap() > 40_000_000, "{now:?}");
        assert_eq!(now.it_interval, timespec::from_ns(30_000_000), "rounded up to the resolution");
        let bad = itimerspec { it_value: timespec { tv_sec: 0, tv_nsec: 1_000_000_000 }, ..Default::default() };
        assert_eq!(set(id, 0, &bad), Err(EINVAL));
        let old = set(id, 0, &itimerspec::default()).unwrap();
        assert_eq!(old.it_interval, timespec::from_ns(30_000_000));
        assert_eq!(get(id), Ok(itimerspec::default()), "disarmed again");
        let past = itimerspec { it_value: timespec { tv_sec: -1, tv_nsec: 0 }, ..Default::default() };
        assert_eq!(set(id, TIMER_ABSTIME, &past), Ok(itimerspec::default()));
        assert_eq!(get(id).unwrap().it_value, timespec::default(), "an absolute time that passed has expired");
        assert_eq!(overrun(id), Ok(0));
        assert_eq!(delete(id), Ok(()));
        assert_eq!(delete(id), Err(EINVAL), "deleted");
        assert_eq!(get(id), Err(EINVAL));
        let again = create(CLOCK_MONOTONIC, Some(&none()), None).unwrap();
        assert_ne!(again, id, "a reused slot has a new id");
        assert_eq!(delete(again), Ok(()));

        // The table runs out (one test: the table is shared).
        let ids: std::vec::Vec<_> = core::iter::from_fn(|| create(CLOCK_REALTIME, Some(&none()), None).ok()).take(MAX + 1).collect();
        assert_eq!(ids.len(), MAX);
        assert_eq!(create(CLOCK_REALTIME, Some(&none()), None), Err(EAGAIN));
        for id in ids {
            delete(id).unwrap();
        }
    }
}
