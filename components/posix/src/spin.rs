//! `pthread_spin_*`: an owner word taken with the interrupt mask.
//!
//! On one core a spinning thread only delays the owner, so a thread that
//! finds the lock taken sleeps a tick and tries again (a higher-priority
//! one would otherwise never let a lower owner run).

use crate::cell::object;
use crate::errno::{EBUSY, EDEADLK, EPERM};
use bluegen_kernel::Duration;
use bluegen_port::critical;
use core::ffi::c_int;
use core::sync::atomic::AtomicUsize;
use core::sync::atomic::Ordering::Relaxed;

/// `pthread_spinlock_t`: the owner's id + 1, 0 when free.
#[repr(C)]
pub struct pthread_spinlock_t {
    owner: AtomicUsize,
}

fn me() -> usize {
    bluegen_kernel::current_id() + 1
}

impl pthread_spinlock_t {
    fn try_lock(&self) -> Result<(), c_int> {
        critical(|_| match self.owner.load(Relaxed) {
            0 => {
                self.owner.store(me(), Relaxed);
                Ok(())
            }
            o if o == me() => Err(EDEADLK),
            _ => Err(EBUSY),
        })
    }

    fn lock(&self) -> Result<(), c_int> {
        loop {
            match self.try_lock() {
                Err(EBUSY) => bluegen_kernel::sleep(Duration::from_ticks(1)),
                other => return other,
            }
        }
    }
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn pthread_spin_init(lock: *mut pthread_spinlock_t, pshared: c_int) -> c_int {
    let _ = pshared;
    // SAFETY: the C contract.
    crate::errno::code(unsafe { object(lock) }.map(|l| l.owner.store(0, Relaxed)))
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn pthread_spin_destroy(lock: *mut pthread_spinlock_t) -> c_int {
    // SAFETY: the C contract.
    crate::errno::code(unsafe { object(lock) }.and_then(|l| if l.owner.load(Relaxed) != 0 { Err(EBUSY) } else { Ok(()) }))
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn pthread_spin_lock(lock: *mut pthread_spinlock_t) -> c_int {
    // SAFETY: the C contract.
    crate::errno::code(unsafe { object(lock) }.and_then(pthread_spinlock_t::lock))
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn pthread_spin_trylock(lock: *mut pthread_spinlock_t) -> c_int {
    // SAFETY: the C contract.
    crate::errno::code(unsafe { object(lock) }.and_then(pthread_spinlock_t::try_lock))
}

#[cfg_attr(not(test), unsafe(no_mangle))]
pub unsafe extern "C" fn pthread_spin_unlock(lock: *mut pthread_spinlock_t) -> c_int {
    // SAFETY: the C contract.
    let r = unsafe { object(lock) }.and_then(|l| {
        critical(|_| {
            if l.owner.load(Relaxed) != me() {
                return Err(EPERM);
            }
            l.owner.store(0, Relaxed);
            Ok(())
        })
    });
    crate::errno::code(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn take_relock_unlock() {
        let mut l = pthread_spinlock_t { owner: AtomicUsize::new(5) };
        unsafe {
            assert_eq!(pthread_spin_init(&mut l, 0), 0);
            assert_eq!(pthread_spin_unlock(&mut l), EPERM);
            assert_eq!(pthread_spin_lock(&mut l), 0);
            assert_eq!(pthread_spin_trylock(&mut l), EDEADLK);
            assert_eq!(pthread_spin_destroy(&mut l), EBUSY);
            assert_eq!(pthread_spin_unlock(&mut l), 0);
            assert_eq!(pthread_spin_destroy(&mut l), 0);
            assert_eq!(pthread_spin_lock(core::ptr::null_mut()), crate::errno::EINVAL);
        }
    }
}
