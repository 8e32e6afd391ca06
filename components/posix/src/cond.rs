//! `pthread_cond_*`: a kernel semaphore that signals hand to waiters.
//!
//! `waiters` counts the threads that wait and have not been signalled. A
//! wait counts itself, unlocks the mutex and takes the semaphore; a signal
//! (in one critical section) uncounts one waiter and gives one count, which
//! the kernel hands to the highest-priority thread blocked on it; a
//! broadcast gives one to each. A wait that times out uncounts itself,
//! unless a signal already did (its count is then in the semaphore: the
//! wait takes it and returns as signalled). A signal that uncounts a
//! waiter just as its wait times out leaves its count for the next waiter:
//! a spurious wake-up, which POSIX allows. A signal to no waiter is lost,
//! as POSIX says.

use crate::cell::{InPlace, Shared, object};
use crate::errno::{EBUSY, EINVAL, ETIMEDOUT};
use crate::mutex::pthread_mutex_t;
use crate::time::{CLOCK_MONOTONIC, CLOCK_REALTIME, timespec};
use bluegen_kernel::{Semaphore, Timeout};
use bluegen_port::critical;
use core::ffi::c_int;

/// `pthread_condattr_t`: the clock of timed waits.
#[repr(C)]
pub struct pthread_condattr_t {
    clock: u32,
    init: c_int,
}

/// `pthread_cond_t`.
#[repr(C)]
pub struct pthread_cond_t {
    sem: InPlace<Semaphore, 2>,
    waiters: Shared<u32>,
    /// The clock of timedwait: 0 (the static initialiser) is REALTIME.
    clock: u32,
}

const _: () = assert!(core::mem::size_of::<Semaphore>() <= 8);

impl pthread_cond_t {
    fn sem(&self) -> &Semaphore {
        self.sem.get(|| Semaphore::new(0))
    }

    fn clock(&self) -> u32 {
        if self.clock == 0 { CLOCK_REALTIME } else { self.clock }
    }

    /// Wakes one waiter, if any.
    #[cfg(feature = "posix-reader-writer-locks")]
    pub(crate) fn wake_one(&self) {
        self.wake(1);
    }

    /// Wakes every waiter.
    #[cfg(any(feature = "posix-barriers", feature = "posix-reader-writer-locks"))]
    pub(crate) fn wake_all(&self) {
        self.wake(u32::MAX);
    }

    /// Wakes at most `n` waiters.
    fn wake(&self, n: u32) {
        let sem = self.sem();
        let woken = self.waiters.with(|w| {
            let k = (*w).min(n);
            *w -= k;
            k
        });
        // Outside the critical section: a give may switch to the waiter.
        for _ in 0..woken {
            sem.give().ok();
        }
    }

    /// Waits for a signal at most `timeout`, with `mutex` unlocked.
    pub fn wait(&self, mutex: &pthread_mutex_t, timeout: Timeout) -> Result<(), c_int> {
        let sem = self.sem();
        self.waiters.with(|w| *w += 1);
        let depth = match mutex.release() {
            Ok(d) => d,
            Err(e) => {
                self.waiters.with(|w| *w -= 1);
                return Err(e);
            }
        };
        let mut result = sem.take(timeout).map_err(|_| ETIMEDOUT);
        if result.is_err() {
            // A signal between the timeout and here left its count.
            result = critical(|_| {
                if sem.try_take().is_ok() {
                    return Ok(());
                }
                self.waiters.with(|w| *w = w.saturating_sub(1));
                Err(ETIMEDOUT)
            });
        }
        mutex.reacquire(depth)?;
        result
    }
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn pthread_condattr_init(attr: *mut pthread_condattr_t) -> c_int {
    // SAFETY: a writable attribute object (the C contract).
    let Some(a) = (unsafe { attr.as_mut() }) else { return EINVAL };
    *a = pthread_condattr_t { clock: CLOCK_REALTIME, init: 1 };
    0
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn pthread_condattr_destroy(attr: *mut pthread_condattr_t) -> c_int {
    // SAFETY: as above.
    let Some(a) = (unsafe { attr.as_mut() }) else { return EINVAL };
    a.init = 0;
    0
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn pthread_condattr_setclock(attr: *mut pthread_condattr_t, clock: crate::time::clockid_t) -> c_int {
    let clock = crate::time::clock_id(clock);
    // SAFETY: as above.
    let Some(a) = (unsafe { attr.as_mut() }) else { return EINVAL };
    if clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC {
        return EINVAL;
    }
    a.clock = clock;
    0
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn pthread_condattr_getclock(attr: *const pthread_condattr_t, clock: *mut crate::time::clockid_t) -> c_int {
    // SAFETY: readable attribute, writable clock id (the C contract).
    match unsafe { (attr.as_ref(), clock.as_mut()) } {
        (Some(a), Some(c)) => {
            *c = crate::time::clockid_t::from(a.clock);
            0
        }
        _ => EINVAL,
    }
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn pthread_cond_init(cond: *mut pthread_cond_t, attr: *const pthread_condattr_t) -> c_int {
    // SAFETY: a condvar object to initialise, an attribute or null.
    let (Some(c), attr) = (unsafe { cond.as_mut() }, unsafe { attr.as_ref() }) else { return EINVAL };
    // SAFETY: POSIX: no thread uses a condvar while it is initialised.
    unsafe { c.sem.put(Semaphore::new(0)) };
    c.waiters.with(|w| *w = 0);
    c.clock = attr.map_or(CLOCK_REALTIME, |a| a.clock);
    0
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn pthread_cond_destroy(cond: *mut pthread_cond_t) -> c_int {
    // SAFETY: the C contract.
    let c = match unsafe { object(cond) } {
        Ok(c) => c,
        Err(e) => return e,
    };
    if c.waiters.with(|w| *w) != 0 {
        return EBUSY;
    }
    // SAFETY: no waiter (checked above); POSIX: a destroyed condvar is
    // not used until it is initialised again.
    unsafe { c.sem.clear() };
    0
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn pthread_cond_signal(cond: *mut pthread_cond_t) -> c_int {
    // SAFETY: the C contract.
    crate::errno::code(unsafe { object(cond) }.map(|c| c.wake(1)))
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn pthread_cond_broadcast(cond: *mut pthread_cond_t) -> c_int {
    // SAFETY: the C contract.
    crate::errno::code(unsafe { object(cond) }.map(|c| c.wake(u32::MAX)))
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn pthread_cond_wait(cond: *mut pthread_cond_t, mutex: *mut pthread_mutex_t) -> c_int {
    // SAFETY: the C contract, for both.
    let r = unsafe { object(cond).and_then(|c| Ok((c, object(mutex)?))) }.and_then(|(c, m)| c.wait(m, Timeout::FOREVER));
    crate::errno::code(r)
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn pthread_cond_timedwait(cond: *mut pthread_cond_t, mutex: *mut pthread_mutex_t, abstime: *const timespec) -> c_int {
    // SAFETY: the C contract, for the three.
    let r = unsafe { object(cond).and_then(|c| Ok((c, object(mutex)?))) }.and_then(|(c, m)| {
        // SAFETY: as above.
        let timeout = unsafe { crate::time::until_ptr(abstime, c.clock()) }?;
        c.wait(m, timeout)
    });
    crate::errno::code(r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::errno::EPERM;
    use core::ptr::null;

    #[test]
    fn a_wait_needs_the_mutex_and_times_out() {
        // SAFETY: all-zero is each static initialiser.
        let (mut c, mut m): (pthread_cond_t, pthread_mutex_t) = unsafe { (core::mem::zeroed(), core::mem::zeroed()) };
        let past = timespec { tv_sec: 0, tv_nsec: 0 };
        unsafe {
            assert_eq!(pthread_cond_wait(&mut c, &mut m), EPERM, "the mutex is not locked");
            assert_eq!(pthread_mutex_lock(&mut m), 0);
            assert_eq!(pthread_cond_timedwait(&mut c, &mut m, &past), ETIMEDOUT);
            let bad = timespec { tv_sec: 0, tv_nsec: 2_000_000_000 };
            assert_eq!(pthread_cond_timedwait(&mut c, &mut m, &bad), EINVAL);
            assert_eq!(pthread_mutex_unlock(&mut m), 0, "the wait locked it again");
            assert_eq!(pthread_cond_signal(&mut c), 0, "no waiter: lost");
            assert_eq!(pthread_cond_broadcast(&mut c), 0);
            assert_eq!(c.sem().count(), 0);
            assert_eq!(pthread_cond_destroy(&mut c), 0);
        }
    }

    #[test]
    fn the_clock_attribute() {
        let mut a = pthread_condattr_t { clock: 0, init: 0 };
        // SAFETY: as above.
        let mut c: pthread_cond_t = unsafe { core::mem::zeroed() };
        unsafe {
            assert_eq!(pthread_condattr_init(&mut a), 0);
            assert_eq!(pthread_condattr_setclock(&mut a, 3), EINVAL);
            assert_eq!(pthread_condattr_setclock(&mut a, CLOCK_MONOTONIC.into()), 0);
            let mut id = 0;
            assert_eq!(pthread_condattr_getclock(&a, &mut id), 0);
            assert_eq!(id, CLOCK_MONOTONIC.into());
            assert_eq!(pthread_cond_init(&mut c, &a), 0);
            assert_eq!(c.clock(), CLOCK_MONOTONIC);
            assert_eq!(pthread_cond_init(&mut c, null()), 0);
            assert_eq!(c.clock(), CLOCK_REALTIME);
        }
    }

    use crate::mutex::{pthread_mutex_lock, pthread_mutex_unlock};
}
