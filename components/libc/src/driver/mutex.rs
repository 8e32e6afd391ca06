//! `bg_mutex_*`: the kernel's `Mutex<()>`, with priority inheritance (Kconfig `MUTEX`).
//!
//! A locked mutex keeps its kernel guard in the C object until its owner
//! unlocks it, as `pthread_mutex_t` of the posix component does. Only
//! threads lock and unlock: a handler has no thread to own a mutex, and
//! gets `BG_EPERM`.

use super::in_place::{InPlace, code, object};
use super::{BG_EDEADLK, BG_EPERM, timed_out, timeout};
use bluegen_kernel::{LockError, Mutex, MutexGuard};
use core::cell::UnsafeCell;
use core::ffi::c_int;
use core::mem::MaybeUninit;
use core::sync::atomic::AtomicUsize;
use core::sync::atomic::Ordering::{Acquire, Relaxed, Release};

/// `bg_mutex_t`: the kernel mutex, the owner's guard, and the owner's
/// thread id + 1 (0: nobody). All-zero (`BG_MUTEX_INITIALIZER`) is
/// unlocked, built on first use.
#[repr(C)]
pub struct bg_mutex_t {
    lock: InPlace<Mutex<()>, 2>,
    guard: UnsafeCell<MaybeUninit<MutexGuard<'static, ()>>>,
    owner: AtomicUsize,
}

// The header's `_Static_assert` says the same.
const _: () = assert!(core::mem::size_of::<bg_mutex_t>() == 5 * core::mem::size_of::<usize>());
const _: () = assert!(core::mem::size_of::<MutexGuard<'static, ()>>() == core::mem::size_of::<usize>());

/// The calling thread's owner word; `BG_EPERM` in an interrupt handler.
fn me() -> Result<usize, c_int> {
    if bluegen_port::active_irq().is_some() {
        return Err(BG_EPERM);
    }
    Ok(bluegen_kernel::current_id() + 1)
}

impl bg_mutex_t {
    fn kernel(&self) -> &Mutex<()> {
        self.lock.get(|| Mutex::new(()))
    }

    fn lock(&self, timeout_ms: u32) -> Result<(), c_int> {
        let me = me()?;
        if self.owner.load(Acquire) == me {
            return Err(BG_EDEADLK);
        }
        let guard = self.kernel().lock(timeout(timeout_ms)).map_err(|e| match e {
            LockError::WouldDeadlock => BG_EDEADLK,
            LockError::TimedOut => timed_out(timeout_ms),
        })?;
        // SAFETY: this thread holds the kernel mutex, so the guard cell is
        // its own (nobody else writes it until the owner word says so and
        // the unlock below empties it); the guard borrows the mutex in C
        // memory, which the C side's contract keeps in place while it is
        // locked, hence 'static.
        unsafe {
            let guard: MutexGuard<'static, ()> = core::mem::transmute(guard);
            (*self.guard.get()).write(guard);
        }
        // Release: the guard is in its cell before the owner word names it.
        self.owner.store(me, Release);
        Ok(())
    }

    fn unlock(&self) -> Result<(), c_int> {
        let me = me()?;
        if self.owner.load(Acquire) != me {
            return Err(BG_EPERM);
        }
        self.owner.store(0, Relaxed);
        // SAFETY: the caller owns it (the owner word, which only `lock`
        // sets, on the owning thread, after writing the guard): the cell
        // holds the guard, which is read out once, here. Its drop unlocks
        // the kernel mutex and hands it to the highest-priority waiter.
        drop(unsafe { (*self.guard.get()).assume_init_read() });
        Ok(())
    }
}

/// `int bg_mutex_init(bg_mutex_t *m)`: an unlocked mutex, whatever `*m`
/// held (not while it is in use).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bg_mutex_init(m: *mut bg_mutex_t) -> c_int {
    // SAFETY: the C side's contract (driver.rs).
    code(unsafe { object(m) }.map(|m| {
        // SAFETY: driver.h: a mutex is not used while it is initialised.
        unsafe { m.lock.put(Mutex::new(())) };
        m.owner.store(0, Relaxed);
    }))
}

/// `int bg_mutex_lock(bg_mutex_t *m, uint32_t timeout_ms)`: locks it,
/// waiting at most `timeout_ms` while another thread holds it (which runs
/// at the waiter's priority meanwhile): 0, `BG_ETIMEDOUT`, `BG_EAGAIN`
/// (held, with `BG_NO_WAIT`), `BG_EDEADLK` (the caller holds it) or
/// `BG_EPERM` (an interrupt handler). Threads only.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bg_mutex_lock(m: *mut bg_mutex_t, timeout_ms: u32) -> c_int {
    // SAFETY: the C side's contract (driver.rs).
    code(unsafe { object(m) }.and_then(|m| m.lock(timeout_ms)))
}

/// `int bg_mutex_unlock(bg_mutex_t *m)`: unlocks it, handing it to the
/// highest-priority waiter: 0, or `BG_EPERM` when the caller does not own
/// it (or is an interrupt handler). Threads only.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bg_mutex_unlock(m: *mut bg_mutex_t) -> c_int {
    // SAFETY: the C side's contract (driver.rs).
    code(unsafe { object(m) }.and_then(|m| m.unlock()))
}
