//! `pthread_mutex_*`: the kernel's `Mutex<()>` (priority inheritance
//! always), with the POSIX types on top.
//!
//! A locked mutex keeps its kernel guard in the C object until the owner
//! unlocks it. NORMAL and DEFAULT mutexes report a relock by the owner as
//! EDEADLK instead of deadlocking; every type refuses an unlock by a
//! thread that does not own it (EPERM). `PTHREAD_PRIO_INHERIT` and
//! `PTHREAD_PRIO_NONE` both get inheritance (the kernel's mutex always
//! lends the owner its waiters' places); `PTHREAD_PRIO_PROTECT` is
//! ENOTSUP.

use crate::cell::{InPlace, object};
use crate::errno::{EBUSY, EDEADLK, EINVAL, ENOTSUP, EPERM, ETIMEDOUT};
use crate::time::{CLOCK_REALTIME, timespec};
use bluegen_kernel::{LockError, Mutex, MutexGuard, Timeout};
use core::cell::UnsafeCell;
use core::ffi::c_int;
use core::mem::MaybeUninit;
use core::sync::atomic::AtomicUsize;
use core::sync::atomic::Ordering::Relaxed;

pub const PTHREAD_MUTEX_NORMAL: c_int = 0;
pub const PTHREAD_MUTEX_RECURSIVE: c_int = 1;
pub const PTHREAD_MUTEX_ERRORCHECK: c_int = 2;
pub const PTHREAD_MUTEX_DEFAULT: c_int = 3;
pub const PTHREAD_PRIO_NONE: c_int = 0;
pub const PTHREAD_PRIO_INHERIT: c_int = 1;
pub const PTHREAD_PRIO_PROTECT: c_int = 2;

/// `pthread_mutexattr_t`.
#[repr(C)]
pub struct pthread_mutexattr_t {
    kind: c_int,
    protocol: c_int,
    init: c_int,
}

/// `pthread_mutex_t`: the kernel mutex, the guard of the owner, its
/// thread id + 1 (0: none), the type and the recursion depth.
#[repr(C)]
pub struct pthread_mutex_t {
    lock: InPlace<Mutex<()>, 2>,
    guard: UnsafeCell<MaybeUninit<MutexGuard<'static, ()>>>,
    owner: AtomicUsize,
    kind: UnsafeCell<c_int>,
    depth: UnsafeCell<u32>,
}

const _: () = assert!(core::mem::size_of::<MutexGuard<'static, ()>>() == core::mem::size_of::<usize>());

fn me() -> usize {
    bluegen_kernel::current_id() + 1
}

impl pthread_mutex_t {
    fn kernel(&self) -> &Mutex<()> {
        self.lock.get(|| Mutex::new(()))
    }

    /// Locks it, waiting at most `timeout`; ETIMEDOUT (EBUSY for a try)
    /// when it is held, EDEADLK on a relock of a non-recursive one,
    /// EAGAIN when a recursive one is as deep as it goes.
    pub fn lock(&self, timeout: Timeout) -> Result<(), c_int> {
        // The cells depth and guard are reached only by the thread that
        // holds the kernel mutex (the owner word says which).
        let owner = self.owner.load(Relaxed);
        // SAFETY: the type is written only by init, which POSIX forbids
        // while the mutex is in use.
        let kind = unsafe { *self.kind.get() };
        if owner == me() {
            if kind == PTHREAD_MUTEX_RECURSIVE {
                // SAFETY: this thread owns it (above).
                let depth = unsafe { &mut *self.depth.get() };
                *depth = depth.checked_add(1).ok_or(crate::errno::EAGAIN)?;
                return Ok(());
            }
            return Err(EDEADLK);
        }
        let guard = self.kernel().lock(timeout).map_err(|e| match e {
            LockError::WouldDeadlock => EDEADLK,
            LockError::TimedOut if timeout.is_no_wait() => EBUSY,
            LockError::TimedOut => ETIMEDOUT,
        })?;
        // SAFETY: this thread owns the kernel mutex now; the guard borrows
        // the mutex in C memory, which the C contract keeps in place
        // until it is unlocked (lib.rs), hence 'static.
        unsafe {
            let guard: MutexGuard<'static, ()> = core::mem::transmute(guard);
            (*self.guard.get()).write(guard);
            *self.depth.get() = 1;
        }
        self.owner.store(me(), Relaxed);
        Ok(())
    }

    /// Unlocks it: EPERM unless the caller owns it.
    pub fn unlock(&self) -> Result<(), c_int> {
        if self.owner.load(Relaxed) != me() {
            return Err(EPERM);
        }
        // SAFETY: the caller owns it: the cells are its own.
        unsafe {
            let depth = &mut *self.depth.get();
            *depth -= 1;
            if *depth > 0 {
                return Ok(());
            }
            self.owner.store(0, Relaxed);
            // The guard's drop unlocks the kernel mutex and hands it on.
            drop((*self.guard.get()).assume_init_read());
        }
        Ok(())
    }

    /// The recursion depth while the caller owns it (for condvar waits).
    pub(crate) fn depth(&self) -> u32 {
        // SAFETY: read by the owner only (cond.rs).
        unsafe { *self.depth.get() }
    }

    /// Unlocks it completely, for a condvar wait; returns the depth.
    pub(crate) fn release(&self) -> Result<u32, c_int> {
        if self.owner.load(Relaxed) != me() {
            return Err(EPERM);
        }
        let depth = self.depth();
        // SAFETY: the caller owns it.
        unsafe { *self.depth.get() = 1 };
        self.unlock()?;
        Ok(depth)
    }

    /// Locks it again after a condvar wait, at `depth`.
    pub(crate) fn reacquire(&self, depth: u32) -> Result<(), c_int> {
        self.lock(Timeout::FOREVER)?;
        // SAFETY: the caller owns it now.
        unsafe { *self.depth.get() = depth };
        Ok(())
    }

    fn is_locked(&self) -> bool {
        self.lock.is_ready() && self.kernel().is_locked()
    }
}


#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn pthread_mutexattr_init(attr: *mut pthread_mutexattr_t) -> c_int {
    // SAFETY: a writable attribute object (the C contract).
    let Some(attr) = (unsafe { attr.as_mut() }) else { return EINVAL };
    *attr = pthread_mutexattr_t { kind: PTHREAD_MUTEX_DEFAULT, protocol: PTHREAD_PRIO_NONE, init: 1 };
    0
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn pthread_mutexattr_destroy(attr: *mut pthread_mutexattr_t) -> c_int {
    // SAFETY: as above.
    let Some(attr) = (unsafe { attr.as_mut() }) else { return EINVAL };
    attr.init = 0;
    0
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn pthread_mutexattr_settype(attr: *mut pthread_mutexattr_t, kind: c_int) -> c_int {
    // SAFETY: as above.
    let Some(attr) = (unsafe { attr.as_mut() }) else { return EINVAL };
    if !(PTHREAD_MUTEX_NORMAL..=PTHREAD_MUTEX_DEFAULT).contains(&kind) {
        return EINVAL;
    }
    attr.kind = kind;
    0
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn pthread_mutexattr_gettype(attr: *const pthread_mutexattr_t, kind: *mut c_int) -> c_int {
    // SAFETY: readable attribute, writable int (the C contract).
    match unsafe { (attr.as_ref(), kind.as_mut()) } {
        (Some(a), Some(k)) => {
            *k = a.kind;
            0
        }
        _ => EINVAL,
    }
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn pthread_mutexattr_setprotocol(attr: *mut pthread_mutexattr_t, protocol: c_int) -> c_int {
    // SAFETY: as above.
    let Some(attr) = (unsafe { attr.as_mut() }) else { return EINVAL };
    match protocol {
        PTHREAD_PRIO_NONE | PTHREAD_PRIO_INHERIT => {
            attr.protocol = protocol;
            0
        }
        PTHREAD_PRIO_PROTECT => ENOTSUP,
        _ => EINVAL,
    }
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn pthread_mutexattr_getprotocol(attr: *const pthread_mutexattr_t, protocol: *mut c_int) -> c_int {
    // SAFETY: as above.
    match unsafe { (attr.as_ref(), protocol.as_mut()) } {
        (Some(a), Some(p)) => {
            *p = a.protocol;
            0
        }
        _ => EINVAL,
    }
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn pthread_mutex_init(mutex: *mut pthread_mutex_t, attr: *const pthread_mutexattr_t) -> c_int {
    // SAFETY: the C contract: a mutex object to initialise, an attribute
    // object or null.
    let (Some(m), attr) = (unsafe { mutex.as_ref() }, unsafe { attr.as_ref() }) else { return EINVAL };
    let kind = attr.map_or(PTHREAD_MUTEX_DEFAULT, |a| a.kind);
    // SAFETY: POSIX: no thread uses a mutex while it is initialised.
    unsafe { m.lock.put(Mutex::new(())) };
    // SAFETY: POSIX: no thread uses a mutex while it is initialised.
    m.owner.store(0, Relaxed);
    unsafe {
        *m.depth.get() = 0;
        *m.kind.get() = kind;
    }
    0
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn pthread_mutex_destroy(mutex: *mut pthread_mutex_t) -> c_int {
    // SAFETY: the C contract.
    let m = match unsafe { object(mutex) } {
        Ok(m) => m,
        Err(e) => return e,
    };
    if m.is_locked() {
        return EBUSY;
    }
    // SAFETY: not locked (checked above); POSIX: a destroyed mutex is
    // not used until it is initialised again.
    unsafe { m.lock.clear() };
    0
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn pthread_mutex_lock(mutex: *mut pthread_mutex_t) -> c_int {
    // SAFETY: the C contract.
    crate::errno::code(unsafe { object(mutex) }.and_then(|m| m.lock(Timeout::FOREVER)))
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn pthread_mutex_trylock(mutex: *mut pthread_mutex_t) -> c_int {
    // SAFETY: the C contract.
    let r = unsafe { object(mutex) }.and_then(|m| m.lock(Timeout::NO_WAIT));
    // A relock of a non-recursive mutex by its owner is EBUSY for trylock.
    crate::errno::code(r.map_err(|e| if e == EDEADLK { EBUSY } else { e }))
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn pthread_mutex_timedlock(mutex: *mut pthread_mutex_t, abstime: *const timespec) -> c_int {
    // SAFETY: the C contract, for both pointers.
    let r = unsafe { object(mutex) }.and_then(|m| {
        // POSIX: the time is checked only when the mutex is not free.
        match m.lock(Timeout::NO_WAIT) {
            Err(EBUSY) => match unsafe { crate::time::until_ptr(abstime, CLOCK_REALTIME) }? {
                t if t.is_no_wait() => Err(ETIMEDOUT),
                t => m.lock(t),
            },
            other => other,
        }
    });
    crate::errno::code(r)
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn pthread_mutex_unlock(mutex: *mut pthread_mutex_t) -> c_int {
    // SAFETY: the C contract.
    crate::errno::code(unsafe { object(mutex) }.and_then(pthread_mutex_t::unlock))
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::ptr::{null, null_mut};

    fn zeroed() -> pthread_mutex_t {
        // SAFETY: all-zero is PTHREAD_MUTEX_INITIALIZER, a valid state.
        unsafe { core::mem::zeroed() }
    }

    #[test]
    fn the_static_initializer_gives_an_unlocked_mutex() {
        let mut m = zeroed();
        unsafe {
            assert_eq!(pthread_mutex_lock(&mut m), 0);
            assert_eq!(pthread_mutex_trylock(&mut m), EBUSY, "relock by the owner, trylock");
            assert_eq!(pthread_mutex_lock(&mut m), EDEADLK);
            assert_eq!(pthread_mutex_destroy(&mut m), EBUSY);
            assert_eq!(pthread_mutex_unlock(&mut m), 0);
            assert_eq!(pthread_mutex_unlock(&mut m), EPERM, "not the owner any more");
            assert_eq!(pthread_mutex_destroy(&mut m), 0);
        }
    }

    #[test]
    fn recursive_counts_and_errorcheck_refuses() {
        let mut attr = pthread_mutexattr_t { kind: 0, protocol: 0, init: 0 };
        let mut m = zeroed();
        unsafe {
            assert_eq!(pthread_mutexattr_init(&mut attr), 0);
            assert_eq!(pthread_mutexattr_settype(&mut attr, 9), EINVAL);
            assert_eq!(pthread_mutexattr_settype(&mut attr, PTHREAD_MUTEX_RECURSIVE), 0);
            let mut kind = -1;
            assert_eq!(pthread_mutexattr_gettype(&attr, &mut kind), 0);
            assert_eq!(kind, PTHREAD_MUTEX_RECURSIVE);
            assert_eq!(pthread_mutex_init(&mut m, &attr), 0);
            for _ in 0..3 {
                assert_eq!(pthread_mutex_lock(&mut m), 0);
            }
            assert_eq!(pthread_mutex_trylock(&mut m), 0);
            for _ in 0..4 {
                assert_eq!(pthread_mutex_unlock(&mut m), 0);
            }
            assert_eq!(pthread_mutex_unlock(&mut m), EPERM);
            assert_eq!(pthread_mutexattr_settype(&mut attr, PTHREAD_MUTEX_ERRORCHECK), 0);
            assert_eq!(pthread_mutex_init(&mut m, &attr), 0);
            assert_eq!(pthread_mutex_unlock(&mut m), EPERM);
            assert_eq!(pthread_mutex_lock(&mut m), 0);
            assert_eq!(pthread_mutex_lock(&mut m), EDEADLK);
            assert_eq!(pthread_mutex_unlock(&mut m), 0);
        }
    }

    #[test]
    fn protocols_and_null_pointers() {
        let mut attr = pthread_mutexattr_t { kind: 0, protocol: 0, init: 0 };
        unsafe {
            pthread_mutexattr_init(&mut attr);
            assert_eq!(pthread_mutexattr_setprotocol(&mut attr, PTHREAD_PRIO_INHERIT), 0);
            assert_eq!(pthread_mutexattr_setprotocol(&mut attr, PTHREAD_PRIO_PROTECT), ENOTSUP);
            assert_eq!(pthread_mutexattr_setprotocol(&mut attr, 7), EINVAL);
            let mut p = 0;
            assert_eq!(pthread_mutexattr_getprotocol(&attr, &mut p), 0);
            assert_eq!(p, PTHREAD_PRIO_INHERIT);
            assert_eq!(pthread_mutex_lock(null_mut()), EINVAL);
            assert_eq!(pthread_mutex_init(null_mut(), null()), EINVAL);
        }
    }

    #[test]
    fn timedlock_checks_the_time_only_when_it_would_wait() {
        let mut m = zeroed();
        let bad = timespec { tv_sec: 0, tv_nsec: -1 };
        unsafe {
            assert_eq!(pthread_mutex_timedlock(&mut m, &bad), 0, "free: taken, time not looked at");
            assert_eq!(pthread_mutex_unlock(&mut m), 0);
        }
    }
}
