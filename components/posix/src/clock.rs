//! Clocks and sleeps: `clock_*`, `nanosleep`, `sleep`, `usleep`.

use crate::errno::{EINVAL, status};
use crate::time::{CLOCK_MONOTONIC, CLOCK_REALTIME, clock_id, clockid_t, now_ns, resolution_ns, ticks_for, timespec};
use bluegen_kernel::Duration;
use core::ffi::{c_int, c_uint};

/// Sleeps at least `ns` nanoseconds (a whole number of ticks).
fn sleep_ns(ns: i64) {
    let ticks = ticks_for(ns);
    if ticks > 0 {
        bluegen_kernel::sleep(Duration::from_ticks(ticks));
    }
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn clock_gettime(clock: clockid_t, tp: *mut timespec) -> c_int {
    let clock = clock_id(clock);
    // SAFETY: a writable timespec (the C contract).
    let Some(tp) = (unsafe { tp.as_mut() }) else { return status(Err(EINVAL)) };
    status(now_ns(clock).map(|ns| *tp = timespec::from_ns(ns)))
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn clock_getres(clock: clockid_t, res: *mut timespec) -> c_int {
    let clock = clock_id(clock);
    if clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC {
        return status(Err(EINVAL));
    }
    // SAFETY: null or a writable timespec (the C contract).
    if let Some(r) = unsafe { res.as_mut() } {
        *r = timespec::from_ns(resolution_ns());
    }
    0
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn clock_settime(clock: clockid_t, tp: *const timespec) -> c_int {
    let clock = clock_id(clock);
    // SAFETY: a readable timespec (the C contract).
    let Some(tp) = (unsafe { tp.as_ref() }) else { return status(Err(EINVAL)) };
    if clock != CLOCK_REALTIME {
        // CLOCK_MONOTONIC cannot be set.
        return status(Err(EINVAL));
    }
    status(tp.ns().map(|ns| {
        crate::time::set_realtime_ns(ns);
        crate::timer::clock_was_set();
    }))
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn nanosleep(req: *const timespec, rem: *mut timespec) -> c_int {
    // SAFETY: a readable request, a writable remainder or null (the C contract).
    let Some(req) = (unsafe { req.as_ref() }) else { return status(Err(EINVAL)) };
    let ns = match req.ns() {
        Ok(ns) if req.tv_sec >= 0 => ns,
        _ => return status(Err(EINVAL)),
    };
    sleep_ns(ns);
    // Never interrupted (there are no signals): nothing remains.
    // SAFETY: as above.
    if let Some(r) = unsafe { rem.as_mut() } {
        *r = timespec::default();
    }
    0
}

/// `clock_nanosleep`: returns the error number (not -1 and errno).
#[cfg(feature = "posix-clock-selection")]
#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn clock_nanosleep(clock: clockid_t, flags: c_int, req: *const timespec, rem: *mut timespec) -> c_int {
    let clock = clock_id(clock);
    // SAFETY: as nanosleep's.
    let Some(req) = (unsafe { req.as_ref() }) else { return EINVAL };
    let Ok(ns) = req.ns() else { return EINVAL };
    let ns = if flags & crate::time::TIMER_ABSTIME != 0 {
        match now_ns(clock) {
            Ok(now) => ns.saturating_sub(now),
            Err(e) => return e,
        }
    } else {
        if clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC {
            return EINVAL;
        }
        ns
    };
    sleep_ns(ns);
    // SAFETY: as above.
    if let Some(r) = unsafe { rem.as_mut() } {
        *r = timespec::default();
    }
    0
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub extern "C" fn sleep(seconds: c_uint) -> c_uint {
    sleep_ns(i64::from(seconds) * 1_000_000_000);
    0
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub extern "C" fn usleep(micros: c_uint) -> c_int {
    sleep_ns(i64::from(micros) * 1_000);
    0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::errno::get;
    use core::ptr::{null, null_mut};

    #[test]
    fn clocks_read_and_refuse() {
        let mut t = timespec { tv_sec: -1, tv_nsec: -1 };
        unsafe {
            assert_eq!(clock_gettime(CLOCK_MONOTONIC.into(), &mut t), 0);
            assert!(t.tv_sec >= 0 && t.tv_nsec >= 0);
            assert_eq!(clock_gettime(3, &mut t), -1);
            assert_eq!(get(), EINVAL);
            assert_eq!(clock_gettime(CLOCK_MONOTONIC.into(), null_mut()), -1);
            assert_eq!(clock_getres(CLOCK_REALTIME.into(), &mut t), 0);
            assert_eq!(t, timespec { tv_sec: 0, tv_nsec: 10_000_000 }, "100 Hz on the host");
            assert_eq!(clock_getres(9, &mut t), -1);
            assert_eq!(clock_settime(CLOCK_MONOTONIC.into(), &timespec::default()), -1);
            assert_eq!(clock_settime(CLOCK_REALTIME.into(), &timespec { tv_sec: 0, tv_nsec: 1_000_000_000 }), -1);
            assert_eq!(nanosleep(null(), null_mut()), -1);
            assert_eq!(nanosleep(&timespec { tv_sec: -1, tv_nsec: 0 }, null_mut()), -1);
            assert_eq!(get(), EINVAL);
            assert_eq!(nanosleep(&timespec::default(), &mut t), 0, "zero: no sleep");
            assert_eq!(t, timespec::default());
        }
        assert_eq!(sleep(0), 0);
        assert_eq!(usleep(0), 0);
    }

    #[cfg(feature = "posix-clock-selection")]
    #[test]
    fn clock_nanosleep_returns_error_numbers() {
        unsafe {
            assert_eq!(clock_nanosleep(CLOCK_MONOTONIC.into(), 0, null(), null_mut()), EINVAL);
            assert_eq!(clock_nanosleep(7, 0, &timespec::default(), null_mut()), EINVAL);
            assert_eq!(clock_nanosleep(7, crate::time::TIMER_ABSTIME, &timespec::default(), null_mut()), EINVAL);
            assert_eq!(clock_nanosleep(CLOCK_MONOTONIC.into(), crate::time::TIMER_ABSTIME, &timespec::default(), null_mut()), 0, "in the past");
        }
    }
}
