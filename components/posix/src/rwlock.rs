//! `pthread_rwlock_*`: many readers or one writer, waiting writers first.
//!
//! A mutex guards the state (the readers holding it, or `WRITER`, and the
//! writers waiting); readers wait on one condvar, writers on another. A
//! reader does not take the lock while a writer waits, so writers are not
//! starved.

use crate::cell::object;
use crate::cond::pthread_cond_t;
use crate::errno::{EAGAIN, EBUSY, EDEADLK, EINVAL, EPERM, ETIMEDOUT};
use crate::mutex::pthread_mutex_t;
use crate::time::{CLOCK_REALTIME, timespec};
use bluegen_kernel::Timeout;
use core::cell::UnsafeCell;
use core::ffi::{c_int, c_uint};

const WRITER: c_uint = c_uint::MAX;

/// `pthread_rwlockattr_t`.
#[repr(C)]
pub struct pthread_rwlockattr_t {
    init: c_int,
}

/// `pthread_rwlock_t` (all-zero: `PTHREAD_RWLOCK_INITIALIZER`); the
/// counters are reached with its mutex held.
#[repr(C)]
pub struct pthread_rwlock_t {
    mutex: pthread_mutex_t,
    readers: pthread_cond_t,
    writers: pthread_cond_t,
    active: UnsafeCell<c_uint>,
    writers_waiting: UnsafeCell<c_uint>,
    writer: UnsafeCell<usize>,
}

/// How long a lock call waits.
#[derive(Clone, Copy)]
enum Wait {
    Try,
    Forever,
    Until(*const timespec),
}

fn me() -> usize {
    bluegen_kernel::current_id() + 1
}

impl pthread_rwlock_t {
    /// One wait on `cond` as `how` says; ETIMEDOUT (EBUSY for a try).
    fn wait_on(&self, cond: &pthread_cond_t, how: Wait) -> Result<(), c_int> {
        let timeout = match how {
            Wait::Try => return Err(EBUSY),
            Wait::Forever => Timeout::FOREVER,
            // SAFETY: the C contract: a readable timespec.
            Wait::Until(t) => unsafe { crate::time::until_ptr(t, CLOCK_REALTIME) }?,
        };
        if timeout.is_no_wait() {
            return Err(ETIMEDOUT);
        }
        cond.wait(&self.mutex, timeout)
    }

    fn read(&self, how: Wait) -> Result<(), c_int> {
        self.mutex.lock(Timeout::FOREVER)?;
        let r = (|| {
            // SAFETY: the counters are reached only with the mutex held
            // (re-read after each wait, which takes it again).
            loop {
                let (active, waiting, writer) = unsafe { (*self.active.get(), *self.writers_waiting.get(), *self.writer.get()) };
                if active == WRITER && writer == me() {
                    return Err(EDEADLK);
                }
                if active != WRITER && waiting == 0 {
                    if active == WRITER - 1 {
                        return Err(EAGAIN);
                    }
                    // SAFETY: as above.
                    unsafe { *self.active.get() = active + 1 };
                    return Ok(());
                }
                self.wait_on(&self.readers, how)?;
            }
        })();
        self.mutex.unlock()?;
        r
    }

    fn write(&self, how: Wait) -> Result<(), c_int> {
        self.mutex.lock(Timeout::FOREVER)?;
        // SAFETY: as in `read`, for all of this function's accesses.
        let r = unsafe {
            if *self.active.get() == WRITER && *self.writer.get() == me() {
                Err(EDEADLK)
            } else {
                *self.writers_waiting.get() += 1;
                let mut r = Ok(());
                while *self.active.get() != 0 {
                    if let Err(e) = self.wait_on(&self.writers, how) {
                        r = Err(e);
                        break;
                    }
                }
                *self.writers_waiting.get() -= 1;
                if r.is_ok() {
                    (*self.active.get(), *self.writer.get()) = (WRITER, me());
                } else if *self.writers_waiting.get() == 0 {
                    // Readers held back for this writer may go now.
                    self.readers.wake_all();
                }
                r
            }
        };
        self.mutex.unlock()?;
        r
    }

    fn unlock(&self) -> Result<(), c_int> {
        self.mutex.lock(Timeout::FOREVER)?;
        // SAFETY: as in `read`.
        let r = unsafe {
            let active = &mut *self.active.get();
            match *active {
                0 => Err(EPERM),
                WRITER if *self.writer.get() != me() => Err(EPERM),
                WRITER => {
                    (*active, *self.writer.get()) = (0, 0);
                    Ok(())
                }
                _ => {
                    *active -= 1;
                    Ok(())
                }
            }
        };
        // SAFETY: as above.
        if r.is_ok() && unsafe { *self.active.get() } == 0 {
            if unsafe { *self.writers_waiting.get() } > 0 {
                self.writers.wake_one();
            } else {
                self.readers.wake_all();
            }
        }
        self.mutex.unlock()?;
        r
    }
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn pthread_rwlockattr_init(attr: *mut pthread_rwlockattr_t) -> c_int {
    // SAFETY: a writable attribute (the C contract).
    let Some(a) = (unsafe { attr.as_mut() }) else { return EINVAL };
    a.init = 1;
    0
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn pthread_rwlockattr_destroy(attr: *mut pthread_rwlockattr_t) -> c_int {
    // SAFETY: as above.
    let Some(a) = (unsafe { attr.as_mut() }) else { return EINVAL };
    a.init = 0;
    0
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn pthread_rwlock_init(lock: *mut pthread_rwlock_t, attr: *const pthread_rwlockattr_t) -> c_int {
    let _ = attr;
    // SAFETY: a lock to initialise: nobody uses it meanwhile.
    let Some(l) = (unsafe { lock.as_mut() }) else { return EINVAL };
    // SAFETY: as above.
    unsafe {
        crate::mutex::pthread_mutex_init(&mut l.mutex, core::ptr::null());
        crate::cond::pthread_cond_init(&mut l.readers, core::ptr::null());
        crate::cond::pthread_cond_init(&mut l.writers, core::ptr::null());
    }
    (*l.active.get_mut(), *l.writers_waiting.get_mut(), *l.writer.get_mut()) = (0, 0, 0);
    0
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn pthread_rwlock_destroy(lock: *mut pthread_rwlock_t) -> c_int {
    // SAFETY: the C contract.
    let Some(l) = (unsafe { lock.as_mut() }) else { return EINVAL };
    if *l.active.get_mut() != 0 || *l.writers_waiting.get_mut() != 0 {
        return EBUSY;
    }
    0
}

macro_rules! lock_fn {
    ($name:ident, $method:ident, $how:expr) => {
        #[cfg_attr(not(test), unsafe(no_mangle))]
        pub unsafe extern "C" fn $name(lock: *mut pthread_rwlock_t) -> c_int {
            // SAFETY: the C contract.
            crate::errno::code(unsafe { object(lock) }.and_then(|l| l.$method($how)))
        }
    };
}

lock_fn!(pthread_rwlock_rdlock, read, Wait::Forever);
lock_fn!(pthread_rwlock_tryrdlock, read, Wait::Try);
lock_fn!(pthread_rwlock_wrlock, write, Wait::Forever);
lock_fn!(pthread_rwlock_trywrlock, write, Wait::Try);

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn pthread_rwlock_timedrdlock(lock: *mut pthread_rwlock_t, abstime: *const timespec) -> c_int {
    // SAFETY: the C contract.
    crate::errno::code(unsafe { object(lock) }.and_then(|l| l.read(Wait::Until(abstime))))
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn pthread_rwlock_timedwrlock(lock: *mut pthread_rwlock_t, abstime: *const timespec) -> c_int {
    // SAFETY: the C contract.
    crate::errno::code(unsafe { object(lock) }.and_then(|l| l.write(Wait::Until(abstime))))
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn pthread_rwlock_unlock(lock: *mut pthread_rwlock_t) -> c_int {
    // SAFETY: the C contract.
    crate::errno::code(unsafe { object(lock) }.and_then(pthread_rwlock_t::unlock))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readers_share_a_writer_excludes() {
        // SAFETY: all-zero is PTHREAD_RWLOCK_INITIALIZER.
        let mut l: pthread_rwlock_t = unsafe { core::mem::zeroed() };
        let past = timespec { tv_sec: 0, tv_nsec: 0 };
        unsafe {
            assert_eq!(pthread_rwlock_unlock(&mut l), EPERM, "not held");
            assert_eq!(pthread_rwlock_rdlock(&mut l), 0);
            assert_eq!(pthread_rwlock_tryrdlock(&mut l), 0, "readers share");
            assert_eq!(pthread_rwlock_trywrlock(&mut l), EBUSY);
            assert_eq!(pthread_rwlock_timedwrlock(&mut l, &past), ETIMEDOUT);
            assert_eq!(pthread_rwlock_destroy(&mut l), EBUSY);
            assert_eq!(pthread_rwlock_unlock(&mut l), 0);
            assert_eq!(pthread_rwlock_unlock(&mut l), 0);
            assert_eq!(pthread_rwlock_wrlock(&mut l), 0);
            assert_eq!(pthread_rwlock_wrlock(&mut l), EDEADLK);
            assert_eq!(pthread_rwlock_rdlock(&mut l), EDEADLK);
            assert_eq!(pthread_rwlock_unlock(&mut l), 0);
            assert_eq!(pthread_rwlock_destroy(&mut l), 0);
        }
    }
}
