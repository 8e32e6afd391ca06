//! `bg_sem_*`: counting semaphores on the kernel's `Semaphore` (Kconfig `SEMAPHORE`).

use super::in_place::{InPlace, code, object};
use super::{BG_EAGAIN, timed_out, timeout};
use bluegen_kernel::Semaphore;
use core::ffi::{c_int, c_uint};

/// `bg_sem_t`: room for a kernel semaphore with no practical bound (2^32 - 1
/// counts). All-zero (`BG_SEM_INITIALIZER`) is a count of 0, built on first use.
#[repr(C)]
pub struct bg_sem_t {
    sem: InPlace<Semaphore, 2>,
}

// The header's `_Static_assert` says the same.
const _: () = assert!(core::mem::size_of::<bg_sem_t>() == 3 * core::mem::size_of::<usize>());

impl bg_sem_t {
    fn kernel(&self) -> &Semaphore {
        self.sem.get(|| Semaphore::new(0))
    }
}

/// `int bg_sem_init(bg_sem_t *s, unsigned count)`: a semaphore holding
/// `count`, whatever `*s` held (not while it is in use).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bg_sem_init(s: *mut bg_sem_t, count: c_uint) -> c_int {
    // SAFETY: the C side's contract (driver.rs).
    code(unsafe { object(s) }.map(|s| {
        // SAFETY: driver.h: an object is not used while it is initialised.
        unsafe { s.sem.put(Semaphore::new(count)) }
    }))
}

/// `int bg_sem_take(bg_sem_t *s, uint32_t timeout_ms)`: takes one count,
/// waiting at most `timeout_ms` for a give: 0, `BG_ETIMEDOUT`, or
/// `BG_EAGAIN` when `BG_NO_WAIT` found none. Handlers: `BG_NO_WAIT` only.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bg_sem_take(s: *mut bg_sem_t, timeout_ms: u32) -> c_int {
    // SAFETY: the C side's contract (driver.rs).
    code(unsafe { object(s) }.and_then(|s| s.kernel().take(timeout(timeout_ms)).map_err(|_| timed_out(timeout_ms))))
}

/// `int bg_sem_give(bg_sem_t *s)`: gives one count (to the
/// highest-priority waiter, if any): 0, or `BG_EAGAIN` when the count is
/// at its maximum already. Also from interrupt handlers.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bg_sem_give(s: *mut bg_sem_t) -> c_int {
    // SAFETY: the C side's contract (driver.rs).
    code(unsafe { object(s) }.and_then(|s| s.kernel().give().map_err(|_| BG_EAGAIN)))
}

/// `unsigned bg_sem_count(bg_sem_t *s)`: the count now (0 for null).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bg_sem_count(s: *mut bg_sem_t) -> c_uint {
    // SAFETY: the C side's contract (driver.rs).
    unsafe { object(s) }.map_or(0, |s| s.kernel().count())
}
