//! `pthread_barrier_*`: a count, a cycle number, a mutex and a condvar.

use crate::cell::object;
use crate::cond::pthread_cond_t;
use crate::errno::{EBUSY, EINVAL};
use crate::mutex::pthread_mutex_t;
use bluegen_kernel::Timeout;
use core::cell::UnsafeCell;
use core::ffi::{c_int, c_uint};

/// `PTHREAD_BARRIER_SERIAL_THREAD`: what one waiter of each cycle gets.
pub const SERIAL_THREAD: c_int = -1;

/// `pthread_barrierattr_t`.
#[repr(C)]
pub struct pthread_barrierattr_t {
    init: c_int,
}

/// `pthread_barrier_t`; the counters are reached with its mutex held.
#[repr(C)]
pub struct pthread_barrier_t {
    mutex: pthread_mutex_t,
    cond: pthread_cond_t,
    count: UnsafeCell<c_uint>,
    waiting: UnsafeCell<c_uint>,
    cycle: UnsafeCell<c_uint>,
}

impl pthread_barrier_t {
    /// Waits until `count` threads wait; SERIAL_THREAD for the last.
    fn wait(&self) -> Result<c_int, c_int> {
        self.mutex.lock(Timeout::FOREVER)?;
        // SAFETY: the counters are reached only with the mutex held.
        let (count, waiting, cycle) = unsafe { (&*self.count.get(), &mut *self.waiting.get(), self.cycle.get()) };
        if *count == 0 {
            self.mutex.unlock()?;
            return Err(EINVAL);
        }
        // SAFETY: as above.
        let mine = unsafe { *cycle };
        *waiting += 1;
        if *waiting == *count {
            *waiting = 0;
            // SAFETY: as above.
            unsafe { *cycle = mine.wrapping_add(1) };
            self.cond.wake_all();
            self.mutex.unlock()?;
            return Ok(SERIAL_THREAD);
        }
        // The last waiter of the cycle moves it on (another thread): read
        // again after each wait, which holds the mutex again.
        loop {
            // SAFETY: read with the mutex held.
            if unsafe { *cycle } != mine {
                break;
            }
            self.cond.wait(&self.mutex, Timeout::FOREVER)?;
        }
        self.mutex.unlock()?;
        Ok(0)
    }
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn pthread_barrierattr_init(attr: *mut pthread_barrierattr_t) -> c_int {
    // SAFETY: a writable attribute (the C contract).
    let Some(a) = (unsafe { attr.as_mut() }) else { return EINVAL };
    a.init = 1;
    0
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn pthread_barrierattr_destroy(attr: *mut pthread_barrierattr_t) -> c_int {
    // SAFETY: as above.
    let Some(a) = (unsafe { attr.as_mut() }) else { return EINVAL };
    a.init = 0;
    0
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn pthread_barrier_init(barrier: *mut pthread_barrier_t, attr: *const pthread_barrierattr_t, count: c_uint) -> c_int {
    let _ = attr;
    // SAFETY: a barrier to initialise (the C contract): nobody uses it meanwhile.
    let Some(b) = (unsafe { barrier.as_mut() }) else { return EINVAL };
    if count == 0 {
        return EINVAL;
    }
    // SAFETY: as above; null attributes.
    unsafe {
        crate::mutex::pthread_mutex_init(&mut b.mutex, core::ptr::null());
        crate::cond::pthread_cond_init(&mut b.cond, core::ptr::null());
    }
    (*b.count.get_mut(), *b.waiting.get_mut(), *b.cycle.get_mut()) = (count, 0, 0);
    0
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn pthread_barrier_destroy(barrier: *mut pthread_barrier_t) -> c_int {
    // SAFETY: the C contract.
    let Some(b) = (unsafe { barrier.as_mut() }) else { return EINVAL };
    if *b.waiting.get_mut() != 0 {
        return EBUSY;
    }
    *b.count.get_mut() = 0;
    0
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn pthread_barrier_wait(barrier: *mut pthread_barrier_t) -> c_int {
    // SAFETY: the C contract.
    match unsafe { object(barrier) }.and_then(pthread_barrier_t::wait) {
        Ok(r) => r,
        Err(e) => e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_barrier_of_one_releases_at_once_and_zero_is_refused() {
        // SAFETY: zeroed is its uninitialised state; init fills it.
        let mut b: pthread_barrier_t = unsafe { core::mem::zeroed() };
        unsafe {
            assert_eq!(pthread_barrier_init(&mut b, core::ptr::null(), 0), EINVAL);
            assert_eq!(pthread_barrier_wait(&mut b), EINVAL, "not initialised");
            assert_eq!(pthread_barrier_init(&mut b, core::ptr::null(), 1), 0);
            assert_eq!(pthread_barrier_wait(&mut b), SERIAL_THREAD);
            assert_eq!(pthread_barrier_wait(&mut b), SERIAL_THREAD, "the next cycle");
            assert_eq!(pthread_barrier_destroy(&mut b), 0);
        }
    }
}
