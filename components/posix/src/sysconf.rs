//! `sysconf` and `gettimeofday`: what the image has, asked at run time.
//!
//! Each option group answers 200809 when its cargo feature is on and -1
//! when it is off (with errno untouched: "not supported", as POSIX says),
//! so `sysconf` agrees with the `_POSIX_*` macros bluegen defines for the
//! C compile. The limits are this component's and the kernel's.

use core::ffi::{c_int, c_long};

const ON: c_long = 200_809;

/// The answer for an option group: on or not supported.
fn group(on: bool) -> c_long {
    if on { ON } else { -1 }
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub extern "C" fn sysconf(name: c_int) -> c_long {
    let threads = cfg!(feature = "posix-threads-base");
    match name {
        // _SC_CLK_TCK: clock ticks a second.
        2 => c_long::from(bluegen_config::TICK_HZ as i32),
        // _SC_VERSION
        7 => ON,
        // _SC_MQ_OPEN_MAX, _SC_MQ_PRIO_MAX
        13 if cfg!(feature = "posix-message-passing") => 8,
        14 if cfg!(feature = "posix-message-passing") => 32,
        // _SC_SEM_VALUE_MAX
        17 if cfg!(feature = "posix-semaphores") => c_long::from(i32::MAX),
        27 => group(cfg!(feature = "posix-message-passing")),
        30 => group(cfg!(feature = "posix-semaphores")),
        // _SC_TIMER_MAX, _SC_DELAYTIMER_MAX
        #[cfg(feature = "posix-timers")]
        19 => crate::timer::MAX as c_long,
        #[cfg(feature = "posix-timers")]
        37 => c_long::from(crate::timer::DELAYTIMER_MAX),
        // _SC_TIMERS
        33 => group(cfg!(feature = "posix-timers")),
        // _SC_THREAD_KEYS_MAX, _SC_THREAD_STACK_MIN, _SC_THREAD_THREADS_MAX
        38 if threads => 4,
        39 if threads => 256,
        40 if threads => bluegen_config::SPAWN_THREADS as c_long,
        42 | 44 | 45 | 46 => group(threads),
        56 => group(cfg!(feature = "posix-barriers")),
        61 => group(cfg!(feature = "posix-clock-selection")),
        69 => group(cfg!(feature = "posix-timers")),
        71 => group(cfg!(feature = "posix-reader-writer-locks")),
        76 => group(cfg!(feature = "posix-spin-locks")),
        _ => {
            crate::errno::set(crate::errno::EINVAL);
            -1
        }
    }
}

/// C's `struct timeval`.
#[cfg(feature = "posix-timers")]
#[repr(C)]
pub struct timeval {
    pub tv_sec: i64,
    pub tv_usec: c_long,
}

/// `gettimeofday` (what picolibc's `time()` calls): CLOCK_REALTIME.
#[cfg(feature = "posix-timers")]
#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn gettimeofday(tv: *mut timeval, tz: *mut core::ffi::c_void) -> c_int {
    let _ = tz;
    // SAFETY: null or a writable timeval (the C contract).
    if let Some(tv) = unsafe { tv.as_mut() } {
        let ns = crate::time::now_ns(crate::time::CLOCK_REALTIME).unwrap_or(0);
        let t = crate::time::timespec::from_ns(ns);
        (tv.tv_sec, tv.tv_usec) = (t.tv_sec, t.tv_nsec / 1000);
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_answer_as_their_features() {
        assert_eq!(sysconf(42), if cfg!(feature = "posix-threads-base") { ON } else { -1 });
        assert_eq!(sysconf(30), if cfg!(feature = "posix-semaphores") { ON } else { -1 });
        assert_eq!(sysconf(33), if cfg!(feature = "posix-timers") { ON } else { -1 });
        assert_eq!(sysconf(2), 100);
        assert_eq!(sysconf(9999), -1);
        assert_eq!(crate::errno::get(), crate::errno::EINVAL);
    }
}
