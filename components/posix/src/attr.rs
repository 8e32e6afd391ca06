//! Thread attributes and scheduling: `pthread_attr_*`, `pthread_setschedparam`, `sched_*`.

use crate::errno::{EINVAL, ENOTSUP, ESRCH};
use crate::thread::{PTHREAD_CREATE_DETACHED, PTHREAD_CREATE_JOINABLE, PTHREAD_EXPLICIT_SCHED, PTHREAD_INHERIT_SCHED, SCHED_FIFO, SCHED_OTHER, SCHED_RR, STACK_MIN, check_priority, pthread_t, thread_of};
use core::ffi::{c_int, c_void};

/// `struct sched_param`.
#[repr(C)]
pub struct sched_param {
    pub sched_priority: c_int,
}

/// `pthread_attr_t`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct pthread_attr_t {
    pub(crate) stacksize: usize,
    pub(crate) stackaddr: *mut c_void,
    pub(crate) detachstate: c_int,
    pub(crate) inheritsched: c_int,
    pub(crate) policy: c_int,
    pub(crate) priority: c_int,
    pub(crate) init: c_int,
}


#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn pthread_attr_init(attr: *mut pthread_attr_t) -> c_int {
    // SAFETY: a writable attribute (the C contract).
    let Some(a) = (unsafe { attr.as_mut() }) else { return EINVAL };
    *a = pthread_attr_t::default();
    0
}

impl Default for pthread_attr_t {
    /// What `pthread_attr_init` gives.
    fn default() -> Self {
        pthread_attr_t {
            stacksize: bluegen_config::SPAWN_STACK_SIZE as usize,
            stackaddr: core::ptr::null_mut(),
            detachstate: PTHREAD_CREATE_JOINABLE,
            inheritsched: PTHREAD_INHERIT_SCHED,
            policy: SCHED_FIFO,
            priority: 1,
            init: 1,
        }
    }
}

/// The attribute behind a C pointer, initialised; EINVAL otherwise.
///
/// # Safety
///
/// `attr` is null or points at a live attribute object.
unsafe fn attr_mut<'a>(attr: *mut pthread_attr_t) -> Result<&'a mut pthread_attr_t, c_int> {
    // SAFETY: the caller's contract.
    unsafe { attr.as_mut() }.filter(|a| a.init != 0).ok_or(EINVAL)
}

macro_rules! attr_fn {
    ($(#[$doc:meta])* fn $name:ident($a:ident, $v:ident: $t:ty) $body:block) => {
        $(#[$doc])*
        #[cfg_attr(not(test), unsafe(no_mangle))]
        pub unsafe extern "C" fn $name(attr: *mut pthread_attr_t, $v: $t) -> c_int {
            // SAFETY: the C contract (see `attr_mut`).
            let $a = match unsafe { attr_mut(attr) } {
                Ok(a) => a,
                Err(e) => return e,
            };
            $body
        }
    };
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn pthread_attr_destroy(attr: *mut pthread_attr_t) -> c_int {
    // SAFETY: the C contract.
    match unsafe { attr_mut(attr) } {
        Ok(a) => {
            a.init = 0;
            0
        }
        Err(e) => e,
    }
}

attr_fn!(fn pthread_attr_setstacksize(a, size: usize) {
    if size < STACK_MIN {
        return EINVAL;
    }
    a.stacksize = size;
    0
});

attr_fn!(fn pthread_attr_getstacksize(a, size: *mut usize) {
    // SAFETY: a writable size (the C contract).
    match unsafe { size.as_mut() } {
        Some(s) => {
            *s = a.stacksize;
            0
        }
        None => EINVAL,
    }
});

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn pthread_attr_setstack(attr: *mut pthread_attr_t, addr: *mut c_void, size: usize) -> c_int {
    // SAFETY: the C contract.
    let a = match unsafe { attr_mut(attr) } {
        Ok(a) => a,
        Err(e) => return e,
    };
    if size < STACK_MIN || addr.is_null() {
        return EINVAL;
    }
    (a.stackaddr, a.stacksize) = (addr, size);
    0
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn pthread_attr_getstack(attr: *mut pthread_attr_t, addr: *mut *mut c_void, size: *mut usize) -> c_int {
    // SAFETY: the C contract for the three pointers.
    match unsafe { (attr_mut(attr), addr.as_mut(), size.as_mut()) } {
        (Ok(a), Some(p), Some(s)) => {
            (*p, *s) = (a.stackaddr, a.stacksize);
            0
        }
        _ => EINVAL,
    }
}

attr_fn!(fn pthread_attr_setdetachstate(a, state: c_int) {
    if state != PTHREAD_CREATE_JOINABLE && state != PTHREAD_CREATE_DETACHED {
        return EINVAL;
    }
    a.detachstate = state;
    0
});

attr_fn!(fn pthread_attr_getdetachstate(a, state: *mut c_int) {
    // SAFETY: a writable int (the C contract).
    match unsafe { state.as_mut() } {
        Some(s) => {
            *s = a.detachstate;
            0
        }
        None => EINVAL,
    }
});

attr_fn!(fn pthread_attr_setinheritsched(a, inherit: c_int) {
    if inherit != PTHREAD_INHERIT_SCHED && inherit != PTHREAD_EXPLICIT_SCHED {
        return EINVAL;
    }
    a.inheritsched = inherit;
    0
});

attr_fn!(fn pthread_attr_setschedpolicy(a, policy: c_int) {
    match policy {
        SCHED_FIFO | SCHED_RR => {
            a.policy = policy;
            0
        }
        SCHED_OTHER => ENOTSUP,
        _ => EINVAL,
    }
});

attr_fn!(fn pthread_attr_setschedparam(a, param: *const sched_param) {
    // SAFETY: a readable sched_param (the C contract).
    let Some(p) = (unsafe { param.as_ref() }) else { return EINVAL };
    match check_priority(p.sched_priority) {
        Ok(_) => {
            a.priority = p.sched_priority;
            0
        }
        Err(e) => e,
    }
});

attr_fn!(fn pthread_attr_getschedparam(a, param: *mut sched_param) {
    // SAFETY: a writable sched_param (the C contract).
    match unsafe { param.as_mut() } {
        Some(p) => {
            p.sched_priority = a.priority;
            0
        }
        None => EINVAL,
    }
});

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn pthread_setschedparam(thread: pthread_t, policy: c_int, param: *const sched_param) -> c_int {
    // SAFETY: a readable sched_param (the C contract).
    let Some(p) = (unsafe { param.as_ref() }) else { return EINVAL };
    if policy != SCHED_FIFO && policy != SCHED_RR {
        return EINVAL;
    }
    let priority = match check_priority(p.sched_priority) {
        Ok(p) => p,
        Err(e) => return e,
    };
    let Some(t) = thread_of(thread) else { return ESRCH };
    if t.set_priority(priority).is_err() { EINVAL } else { 0 }
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn pthread_getschedparam(thread: pthread_t, policy: *mut c_int, param: *mut sched_param) -> c_int {
    let Some(t) = thread_of(thread) else { return ESRCH };
    // SAFETY: writable outputs (the C contract).
    match unsafe { (policy.as_mut(), param.as_mut()) } {
        (Some(pol), Some(p)) => {
            *pol = SCHED_FIFO;
            p.sched_priority = c_int::from(t.priority());
            0
        }
        _ => EINVAL,
    }
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub extern "C" fn sched_yield() -> c_int {
    bluegen_kernel::yield_now();
    0
}

/// The priority range of `policy` (-1 and EINVAL for an unknown policy).
fn priority_limit(policy: c_int, max: bool) -> c_int {
    if policy != SCHED_FIFO && policy != SCHED_RR && policy != SCHED_OTHER {
        crate::errno::set(EINVAL);
        return -1;
    }
    if max { bluegen_config::PRIORITIES as c_int - 1 } else { 1 }
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub extern "C" fn sched_get_priority_max(policy: c_int) -> c_int {
    priority_limit(policy, true)
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub extern "C" fn sched_get_priority_min(policy: c_int) -> c_int {
    priority_limit(policy, false)
}


#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use core::ptr::null_mut;

    pub(crate) fn attr() -> pthread_attr_t {
        let mut a = pthread_attr_t { stacksize: 0, stackaddr: null_mut(), detachstate: 0, inheritsched: 0, policy: 0, priority: 0, init: 0 };
        // SAFETY: a local attribute.
        assert_eq!(unsafe { pthread_attr_init(&mut a) }, 0);
        a
    }

    #[test]
    fn attributes_check_their_values() {
        let mut a = attr();
        unsafe {
            assert_eq!(pthread_attr_setstacksize(&mut a, 16), EINVAL);
            assert_eq!(pthread_attr_setstacksize(&mut a, 512), 0);
            let mut size = 0;
            assert_eq!(pthread_attr_getstacksize(&mut a, &mut size), 0);
            assert_eq!(size, 512);
            assert_eq!(pthread_attr_setdetachstate(&mut a, 5), EINVAL);
            assert_eq!(pthread_attr_setdetachstate(&mut a, PTHREAD_CREATE_DETACHED), 0);
            let mut d = 0;
            assert_eq!(pthread_attr_getdetachstate(&mut a, &mut d), 0);
            assert_eq!(d, PTHREAD_CREATE_DETACHED);
            assert_eq!(pthread_attr_setschedparam(&mut a, &sched_param { sched_priority: 0 }), EINVAL);
            assert_eq!(pthread_attr_setschedparam(&mut a, &sched_param { sched_priority: 32 }), EINVAL);
            assert_eq!(pthread_attr_setschedparam(&mut a, &sched_param { sched_priority: 7 }), 0);
            let mut p = sched_param { sched_priority: 0 };
            assert_eq!(pthread_attr_getschedparam(&mut a, &mut p), 0);
            assert_eq!(p.sched_priority, 7);
            assert_eq!(pthread_attr_setschedpolicy(&mut a, SCHED_OTHER), ENOTSUP);
            assert_eq!(pthread_attr_setschedpolicy(&mut a, 42), EINVAL);
            assert_eq!(pthread_attr_setinheritsched(&mut a, 9), EINVAL);
            assert_eq!(pthread_attr_destroy(&mut a), 0);
            assert_eq!(pthread_attr_setstacksize(&mut a, 512), EINVAL, "destroyed");
        }
    }
}
