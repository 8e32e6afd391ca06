//! `pthread_*` threads, keys, once and scheduling, on the kernel's spawn.
//!
//! A pthread is a kernel thread of the spawn pool (`SPAWN_THREADS` stacks
//! of `SPAWN_STACK_SIZE` bytes): it ranks below every thread of
//! device.toml, and among the spawned ones by its `sched_priority` (the
//! attribute's with `PTHREAD_EXPLICIT_SCHED`, else the creator's when the
//! creator is a pthread, else 1). A record per pool stack keeps its start
//! routine, argument, return value, join handle and key values; a
//! `pthread_t` is 1 + its record's index, and a thread of device.toml is
//! `0x100` + its kernel id (it can be `pthread_self`, set its priority and
//! hold keys, but not be joined).

use crate::cell::Shared;
use crate::errno::{EAGAIN, EDEADLK, EINVAL, ENOTSUP, ESRCH};
use bluegen_kernel::{JoinHandle, Thread, Timeout, spawn::SLOTS};
pub use crate::attr::{pthread_attr_t, sched_param};
use core::ffi::{c_int, c_uint, c_void};

/// `pthread_t`.
pub type pthread_t = usize;
/// `pthread_key_t`.
pub type pthread_key_t = c_uint;
/// A start routine.
pub type Start = extern "C" fn(*mut c_void) -> *mut c_void;
/// A key's destructor.
pub type Destructor = extern "C" fn(*mut c_void);

pub const PTHREAD_CREATE_JOINABLE: c_int = 0;
pub const PTHREAD_CREATE_DETACHED: c_int = 1;
pub const PTHREAD_INHERIT_SCHED: c_int = 1;
pub const PTHREAD_EXPLICIT_SCHED: c_int = 2;
pub const SCHED_OTHER: c_int = 0;
pub const SCHED_FIFO: c_int = 1;
pub const SCHED_RR: c_int = 2;
/// Keys a thread can hold (`PTHREAD_KEYS_MAX`).
pub const KEYS: usize = 4;
/// The smallest stack an attribute may ask for (`PTHREAD_STACK_MIN`).
pub const STACK_MIN: usize = 256;
/// The `pthread_t` of device thread 0.
const DEVICE: usize = 0x100;

/// `pthread_once_t`: 0 not run, 1 running, 2 done.
#[repr(C)]
pub struct pthread_once_t {
    state: Shared<c_int>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum State {
    Free,
    Running,
    Detached,
    /// A thread waits in pthread_join (the handle is with it).
    Joining,
}

struct Record {
    state: State,
    start: Option<Start>,
    arg: usize,
    ret: usize,
    handle: Option<JoinHandle>,
    /// The kernel id while it runs.
    id: usize,
    keys: [usize; KEYS],
}

impl Record {
    const FREE: Record = Record { state: State::Free, start: None, arg: 0, ret: 0, handle: None, id: usize::MAX, keys: [0; KEYS] };
}

static RECORDS: Shared<[Record; SLOTS]> = Shared::new([const { Record::FREE }; SLOTS]);
/// Key values of the threads of device.toml, by kernel id.
static DEVICE_KEYS: Shared<[[usize; KEYS]; 32]> = Shared::new([[0; KEYS]; 32]);
/// The keys in use, with their destructors.
static KEY_TABLE: Shared<[(bool, Option<Destructor>); KEYS]> = Shared::new([(false, None); KEYS]);

/// The record of the calling thread, if it is a pthread.
fn my_record() -> Option<usize> {
    let me = bluegen_kernel::current_id();
    RECORDS.with(|r| r.iter().position(|x| x.state != State::Free && x.id == me))
}

/// Where every pthread starts: its record's routine, then its end.
fn run(index: usize) {
    let Some((start, arg)) = RECORDS.with(|r| r.get(index).and_then(|x| Some((x.start?, x.arg)))) else { return };
    let ret = start(arg as *mut c_void);
    finish(index, ret as usize);
}

/// A pthread ends with `ret`: its keys' destructors run, a detached one's
/// record is free.
fn finish(index: usize, ret: usize) {
    for key in 0..KEYS {
        let (used, dtor) = KEY_TABLE.with(|k| k[key]);
        let value = RECORDS.with(|r| core::mem::take(&mut r[index].keys[key]));
        if let (true, Some(d), true) = (used, dtor, value != 0) {
            d(value as *mut c_void);
        }
    }
    RECORDS.with(|r| {
        let x = &mut r[index];
        x.ret = ret;
        if x.state == State::Detached {
            *x = Record::FREE;
        }
    });
}

/// The priority a new pthread gets.
fn priority_for(attr: Option<&pthread_attr_t>) -> Result<u8, c_int> {
    if let Some(a) = attr.filter(|a| a.inheritsched == PTHREAD_EXPLICIT_SCHED) {
        return check_priority(a.priority);
    }
    Ok(match my_record() {
        Some(_) => Thread::current().priority(),
        None => 1,
    })
}

pub(crate) fn check_priority(p: c_int) -> Result<u8, c_int> {
    if p < 1 || p as u32 >= bluegen_config::PRIORITIES { Err(EINVAL) } else { Ok(p as u8) }
}

/// Starts `start(arg)` as a pthread; its `pthread_t`.
pub fn create(attr: Option<&pthread_attr_t>, start: Start, arg: usize) -> Result<pthread_t, c_int> {
    if let Some(a) = attr {
        if a.init == 0 {
            return Err(EINVAL);
        }
        if !a.stackaddr.is_null() {
            // The kernel runs pthreads on its pool's stacks.
            return Err(ENOTSUP);
        }
        if a.stacksize > bluegen_config::SPAWN_STACK_SIZE as usize {
            return Err(EINVAL);
        }
    }
    let priority = priority_for(attr)?;
    let detached = attr.is_some_and(|a| a.detachstate == PTHREAD_CREATE_DETACHED);
    let index = RECORDS.with(|r| {
        let i = r.iter().position(|x| x.state == State::Free)?;
        r[i] = Record { state: if detached { State::Detached } else { State::Running }, start: Some(start), arg, ..Record::FREE };
        Some(i)
    });
    let index = index.ok_or(EAGAIN)?;
    // The new thread ranks below the caller when the caller is a device
    // thread, so it does not run before its record is complete.
    let Some(handle) = bluegen_kernel::spawn(priority, run, index) else {
        RECORDS.with(|r| r[index] = Record::FREE);
        return Err(EAGAIN);
    };
    let id = handle.thread().map_or(usize::MAX, |t| t.id());
    RECORDS.with(|r| {
        let x = &mut r[index];
        x.id = id;
        if x.state != State::Free {
            x.handle = Some(handle);
        }
    });
    Ok(index + 1)
}

/// The record index of pthread `t`.
fn index_of(t: pthread_t) -> Option<usize> {
    t.checked_sub(1).filter(|&i| i < SLOTS)
}

/// Waits for pthread `t` to end; its return value.
pub fn join(t: pthread_t) -> Result<usize, c_int> {
    let index = index_of(t).ok_or(ESRCH)?;
    if my_record() == Some(index) {
        return Err(EDEADLK);
    }
    let handle = RECORDS.with(|r| match r[index].state {
        State::Free => Err(ESRCH),
        State::Detached | State::Joining => Err(EINVAL),
        State::Running => {
            r[index].state = State::Joining;
            Ok(r[index].handle.take())
        }
    })?;
    if let Some(h) = handle {
        h.join(Timeout::FOREVER).ok();
    }
    Ok(RECORDS.with(|r| {
        let ret = r[index].ret;
        r[index] = Record::FREE;
        ret
    }))
}

/// The calling thread's `pthread_t`.
pub fn current() -> pthread_t {
    my_record().map_or(DEVICE + bluegen_kernel::current_id(), |i| i + 1)
}

/// The kernel thread of `t`.
pub(crate) fn thread_of(t: pthread_t) -> Option<Thread> {
    if let Some(i) = t.checked_sub(DEVICE) {
        return bluegen_port::threads().get(i).and_then(|s| Thread::find(s.name));
    }
    let index = index_of(t)?;
    RECORDS.with(|r| r[index].handle.as_ref().and_then(|h| h.thread()))
}

/// The key values of the calling thread.
fn with_keys<R>(f: impl FnOnce(&mut [usize; KEYS]) -> R) -> R {
    match my_record() {
        Some(i) => RECORDS.with(|r| f(&mut r[i].keys)),
        None => DEVICE_KEYS.with(|d| f(&mut d[bluegen_kernel::current_id() % 32])),
    }
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn pthread_create(thread: *mut pthread_t, attr: *const pthread_attr_t, start: Option<Start>, arg: *mut c_void) -> c_int {
    let Some(start) = start else { return EINVAL };
    // SAFETY: a writable pthread_t and an attribute or null (the C contract).
    let (Some(out), attr) = (unsafe { thread.as_mut() }, unsafe { attr.as_ref() }) else { return EINVAL };
    match create(attr, start, arg as usize) {
        Ok(t) => {
            *out = t;
            0
        }
        Err(e) => e,
    }
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn pthread_join(thread: pthread_t, retval: *mut *mut c_void) -> c_int {
    match join(thread) {
        Ok(ret) => {
            // SAFETY: null or a writable pointer (the C contract).
            if let Some(out) = unsafe { retval.as_mut() } {
                *out = ret as *mut c_void;
            }
            0
        }
        Err(e) => e,
    }
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub extern "C" fn pthread_detach(thread: pthread_t) -> c_int {
    let Some(index) = index_of(thread) else { return ESRCH };
    RECORDS.with(|r| {
        let x = &mut r[index];
        match x.state {
            State::Free => ESRCH,
            State::Detached | State::Joining => EINVAL,
            State::Running => {
                if x.handle.as_ref().is_some_and(|h| h.is_finished()) {
                    *x = Record::FREE;
                } else {
                    x.state = State::Detached;
                    x.handle = None;
                }
                0
            }
        }
    })
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub extern "C" fn pthread_exit(retval: *mut c_void) -> ! {
    if let Some(index) = my_record() {
        finish(index, retval as usize);
    }
    bluegen_kernel::thread_exit()
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub extern "C" fn pthread_self() -> pthread_t {
    current()
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub extern "C" fn pthread_equal(a: pthread_t, b: pthread_t) -> c_int {
    c_int::from(a == b)
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn pthread_once(once: *mut pthread_once_t, init: Option<extern "C" fn()>) -> c_int {
    // SAFETY: the C contract: a pthread_once_t (PTHREAD_ONCE_INIT is 0).
    let (Some(once), Some(init)) = (unsafe { once.as_ref() }, init) else { return EINVAL };
    loop {
        let state = once.state.with(|s| {
            let was = *s;
            if was == 0 {
                *s = 1;
            }
            was
        });
        match state {
            0 => {
                init();
                once.state.with(|s| *s = 2);
                return 0;
            }
            1 => bluegen_kernel::yield_now(),
            _ => return 0,
        }
    }
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn pthread_key_create(key: *mut pthread_key_t, destructor: Option<Destructor>) -> c_int {
    // SAFETY: a writable key (the C contract).
    let Some(out) = (unsafe { key.as_mut() }) else { return EINVAL };
    let Some(k) = KEY_TABLE.with(|t| {
        let k = t.iter().position(|e| !e.0)?;
        t[k] = (true, destructor);
        Some(k)
    }) else {
        return EAGAIN;
    };
    // A new key reads null in every thread.
    RECORDS.with(|r| r.iter_mut().for_each(|x| x.keys[k] = 0));
    DEVICE_KEYS.with(|d| d.iter_mut().for_each(|x| x[k] = 0));
    *out = k as pthread_key_t;
    0
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub extern "C" fn pthread_key_delete(key: pthread_key_t) -> c_int {
    KEY_TABLE.with(|t| match t.get_mut(key as usize) {
        Some(e) if e.0 => {
            *e = (false, None);
            0
        }
        _ => EINVAL,
    })
}

fn key_in_use(key: pthread_key_t) -> bool {
    KEY_TABLE.with(|t| t.get(key as usize).is_some_and(|e| e.0))
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub extern "C" fn pthread_setspecific(key: pthread_key_t, value: *const c_void) -> c_int {
    if !key_in_use(key) {
        return EINVAL;
    }
    with_keys(|k| k[key as usize] = value as usize);
    0
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub extern "C" fn pthread_getspecific(key: pthread_key_t) -> *mut c_void {
    if !key_in_use(key) {
        return core::ptr::null_mut();
    }
    with_keys(|k| k[key as usize]) as *mut c_void
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::ptr::{null, null_mut};

    use crate::attr::tests::attr;
    use crate::attr::*;

    extern "C" fn nothing(_: *mut c_void) -> *mut c_void {
        null_mut()
    }

    #[test]
    fn create_refuses_what_the_pool_cannot_give() {
        let mut t = 0;
        let mut a = attr();
        let mut stack = [0u8; 512];
        unsafe {
            assert_eq!(pthread_create(&mut t, null(), None, null_mut()), EINVAL);
            assert_eq!(pthread_attr_setstack(&mut a, stack.as_mut_ptr().cast(), 512), 0);
            assert_eq!(pthread_create(&mut t, &a, Some(nothing), null_mut()), ENOTSUP);
            let mut a = attr();
            assert_eq!(pthread_attr_setstacksize(&mut a, 1 << 20), 0);
            assert_eq!(pthread_create(&mut t, &a, Some(nothing), null_mut()), EINVAL, "more than a pool stack");
            let mut a = attr();
            a.inheritsched = PTHREAD_EXPLICIT_SCHED;
            a.priority = 99;
            assert_eq!(pthread_create(&mut t, &a, Some(nothing), null_mut()), EINVAL);
        }
    }

    #[test]
    fn join_and_detach_of_unknown_threads() {
        unsafe {
            assert_eq!(pthread_join(0, null_mut()), ESRCH);
            assert_eq!(pthread_join(SLOTS + 1, null_mut()), ESRCH);
            assert_eq!(pthread_join(1, null_mut()), ESRCH, "a free record");
        }
        assert_eq!(pthread_detach(1), ESRCH);
        assert_eq!(pthread_self(), DEVICE + bluegen_kernel::current_id());
        assert_eq!(pthread_equal(3, 3), 1);
        assert_eq!(pthread_equal(3, 4), 0);
    }

    #[test]
    fn keys_hold_per_thread_values_and_run_out() {
        let mut keys = [0; KEYS];
        unsafe {
            for k in &mut keys {
                assert_eq!(pthread_key_create(k, None), 0);
            }
            let mut extra = 0;
            assert_eq!(pthread_key_create(&mut extra, None), EAGAIN);
        }
        assert!(pthread_getspecific(keys[0]).is_null());
        assert_eq!(pthread_setspecific(keys[1], 42 as *const c_void), 0);
        assert_eq!(pthread_getspecific(keys[1]) as usize, 42);
        for k in keys {
            assert_eq!(pthread_key_delete(k), 0);
        }
        assert_eq!(pthread_key_delete(keys[0]), EINVAL);
        assert_eq!(pthread_setspecific(keys[0], null()), EINVAL);
    }

    static ONCE_RUNS: Shared<u32> = Shared::new(0);
    extern "C" fn once_body() {
        ONCE_RUNS.with(|n| *n += 1);
    }

    #[test]
    fn once_runs_once_and_priorities_have_limits() {
        let mut once = pthread_once_t { state: Shared::new(0) };
        unsafe {
            assert_eq!(pthread_once(&mut once, Some(once_body)), 0);
            assert_eq!(pthread_once(&mut once, Some(once_body)), 0);
        }
        assert_eq!(ONCE_RUNS.with(|n| *n), 1);
        assert_eq!(sched_get_priority_min(SCHED_FIFO), 1);
        assert_eq!(sched_get_priority_max(SCHED_RR), 31);
        assert_eq!(sched_get_priority_max(77), -1);
        assert_eq!(crate::errno::get(), EINVAL);
    }
}
