//! `sem_*`: unnamed and named semaphores, on the kernel's `Semaphore`.

use crate::cell::{InPlace, object};
use crate::errno::{EAGAIN, EINVAL, EOVERFLOW, ETIMEDOUT, status};
use crate::names::Names;
use crate::time::{CLOCK_REALTIME, timespec};
use bluegen_kernel::{Semaphore, Timeout};
use core::ffi::{c_char, c_int, c_uint};

/// `SEM_VALUE_MAX`.
pub const SEM_VALUE_MAX: u32 = i32::MAX as u32;
const O_CREAT: c_int = 0x0040;
const O_EXCL: c_int = 0x0800;

/// `sem_t`.
#[repr(C)]
pub struct sem_t {
    sem: InPlace<Semaphore<SEM_VALUE_MAX>, 2>,
}

/// `SEM_FAILED`.
const FAILED: *mut sem_t = core::ptr::null_mut();

static NAMED: Names = Names::new();

impl sem_t {
    fn new(value: u32) -> Result<sem_t, c_int> {
        let s = sem_t { sem: InPlace::empty() };
        if value > SEM_VALUE_MAX {
            return Err(EINVAL);
        }
        // SAFETY: a new object: no reference to it exists.
        unsafe { s.sem.put(Semaphore::new(value)) };
        Ok(s)
    }

    /// The kernel semaphore; EINVAL when it is not initialised (sem_t has
    /// no static initialiser).
    fn kernel(&self) -> Result<&Semaphore<SEM_VALUE_MAX>, c_int> {
        if !self.sem.is_ready() {
            return Err(EINVAL);
        }
        Ok(self.sem.get(|| Semaphore::new(0)))
    }

    pub fn wait(&self, timeout: Timeout) -> Result<(), c_int> {
        self.kernel()?.take(timeout).map_err(|_| if timeout.is_no_wait() { EAGAIN } else { ETIMEDOUT })
    }
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn sem_init(sem: *mut sem_t, pshared: c_int, value: c_uint) -> c_int {
    let _ = pshared;
    // SAFETY: a sem_t to initialise (the C contract).
    let r = unsafe { object(sem) }.and_then(|s| {
        if value > SEM_VALUE_MAX {
            return Err(EINVAL);
        }
        // SAFETY: POSIX: no thread uses a semaphore while sem_init runs.
        unsafe { s.sem.put(Semaphore::new(value)) };
        Ok(())
    });
    status(r)
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn sem_destroy(sem: *mut sem_t) -> c_int {
    // SAFETY: the C contract.
    status(unsafe { object(sem) }.and_then(|s| s.kernel().map(|_| {
        // SAFETY: POSIX: a destroyed semaphore is not used (a waiter on
        // it is undefined behaviour in POSIX terms, the C contract).
        unsafe { s.sem.clear() }
    })))
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn sem_wait(sem: *mut sem_t) -> c_int {
    // SAFETY: the C contract.
    status(unsafe { object(sem) }.and_then(|s| s.wait(Timeout::FOREVER)))
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn sem_trywait(sem: *mut sem_t) -> c_int {
    // SAFETY: the C contract.
    status(unsafe { object(sem) }.and_then(|s| s.wait(Timeout::NO_WAIT)))
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn sem_timedwait(sem: *mut sem_t, abstime: *const timespec) -> c_int {
    // SAFETY: the C contract, for both pointers.
    let r = unsafe { object(sem) }.and_then(|s| {
        // POSIX: no time check when it need not wait.
        if s.wait(Timeout::NO_WAIT).is_ok() {
            return Ok(());
        }
        // SAFETY: as above.
        let t = unsafe { crate::time::until_ptr(abstime, CLOCK_REALTIME) }?;
        if t.is_no_wait() { Err(ETIMEDOUT) } else { s.wait(t) }
    });
    status(r)
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn sem_post(sem: *mut sem_t) -> c_int {
    // SAFETY: the C contract.
    status(unsafe { object(sem) }.and_then(|s| s.kernel()?.give().map_err(|_| EOVERFLOW)))
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn sem_getvalue(sem: *mut sem_t, value: *mut c_int) -> c_int {
    // SAFETY: the C contract, for both pointers.
    let r = unsafe { (object(sem), value.as_mut()) };
    status(match r {
        (Ok(s), Some(v)) => s.kernel().map(|k| *v = k.count() as c_int),
        _ => Err(EINVAL),
    })
}

/// `sem_open(name, oflag, mode, value)`: C declares it variadic; on the
/// Arm and RISC-V calling conventions of bluegen's targets variadic
/// integer arguments travel as the fixed ones do, so the two optional
/// arguments are read as parameters (they are garbage, and unused, without
/// O_CREAT).
#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn sem_open(name: *const c_char, oflag: c_int, mode: c_uint, value: c_uint) -> *mut sem_t {
    let _ = mode;
    // SAFETY: a NUL-terminated name (the C contract).
    let r = unsafe { crate::names::name(name) }.and_then(|n| NAMED.open(n, oflag & O_CREAT != 0, oflag & O_EXCL != 0, || sem_t::new(value)));
    match r {
        Ok(s) => s.cast_mut(),
        Err(e) => {
            crate::errno::set(e);
            FAILED
        }
    }
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn sem_close(sem: *mut sem_t) -> c_int {
    status(NAMED.close(sem.cast_const()))
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn sem_unlink(name: *const c_char) -> c_int {
    // SAFETY: a NUL-terminated name (the C contract).
    status(unsafe { crate::names::name(name) }.and_then(|n| NAMED.unlink(n)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::errno::{ENOENT, get};

    fn fresh() -> sem_t {
        sem_t { sem: InPlace::empty() }
    }

    #[test]
    fn init_post_wait_getvalue() {
        let mut s = fresh();
        let mut v = -1;
        unsafe {
            assert_eq!(sem_wait(&mut s), -1, "not initialised");
            assert_eq!(get(), EINVAL);
            assert_eq!(sem_init(&mut s, 0, SEM_VALUE_MAX + 1), -1);
            assert_eq!(sem_init(&mut s, 0, 2), 0);
            assert_eq!(sem_getvalue(&mut s, &mut v), 0);
            assert_eq!(v, 2);
            assert_eq!(sem_wait(&mut s), 0);
            assert_eq!(sem_trywait(&mut s), 0);
            assert_eq!(sem_trywait(&mut s), -1);
            assert_eq!(get(), EAGAIN);
            let past = timespec { tv_sec: 0, tv_nsec: 0 };
            assert_eq!(sem_timedwait(&mut s, &past), -1);
            assert_eq!(get(), ETIMEDOUT);
            let bad = timespec { tv_sec: 0, tv_nsec: -1 };
            assert_eq!(sem_timedwait(&mut s, &bad), -1);
            assert_eq!(get(), EINVAL);
            assert_eq!(sem_post(&mut s), 0);
            assert_eq!(sem_timedwait(&mut s, &bad), 0, "available: the time is not checked");
            assert_eq!(sem_destroy(&mut s), 0);
            assert_eq!(sem_post(&mut s), -1);
        }
    }

    #[test]
    fn post_refuses_overflow() {
        let mut s = fresh();
        unsafe {
            assert_eq!(sem_init(&mut s, 0, SEM_VALUE_MAX), 0);
            assert_eq!(sem_post(&mut s), -1);
            assert_eq!(get(), EOVERFLOW);
        }
    }

    #[test]
    fn named_semaphores() {
        unsafe {
            assert_eq!(sem_open(c"/s".as_ptr(), 0, 0, 0), FAILED);
            assert_eq!(get(), ENOENT);
            let a = sem_open(c"/s".as_ptr(), O_CREAT, 0o600, 1);
            assert_ne!(a, FAILED);
            assert_eq!(sem_open(c"/s".as_ptr(), O_CREAT | O_EXCL, 0o600, 1), FAILED);
            assert_eq!(get(), crate::errno::EEXIST);
            let b = sem_open(c"/s".as_ptr(), 0, 0, 0);
            assert_eq!(a, b);
            assert_eq!(sem_trywait(a), 0);
            assert_eq!(sem_trywait(b), -1);
            assert_eq!(sem_unlink(c"/s".as_ptr()), 0);
            assert_eq!(sem_unlink(c"/s".as_ptr()), -1);
            assert_eq!(sem_close(a), 0);
            assert_eq!(sem_close(b), 0);
            assert_eq!(sem_close(b), -1);
        }
    }
}
