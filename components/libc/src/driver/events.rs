//! `bg_events_*`: 32 event flags on the kernel's `Events` (Kconfig `EVENTS`).

use super::in_place::{InPlace, code, object};
use super::{BG_EINVAL, timed_out, timeout};
use bluegen_kernel::{Events, Timeout};
use core::ffi::c_int;

/// `bg_events_t`: room for the kernel's event flags. All-zero
/// (`BG_EVENTS_INITIALIZER`) is no flag set, built on first use.
#[repr(C)]
pub struct bg_events_t {
    events: InPlace<Events, 2>,
}

// The header's `_Static_assert` says the same.
const _: () = assert!(core::mem::size_of::<bg_events_t>() == 3 * core::mem::size_of::<usize>());

impl bg_events_t {
    fn kernel(&self) -> &Events {
        self.events.get(Events::new)
    }
}

/// `int bg_events_init(bg_events_t *e)`: no flag set, whatever `*e` held
/// (not while it is in use).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bg_events_init(e: *mut bg_events_t) -> c_int {
    // SAFETY: the C side's contract (driver.rs).
    code(unsafe { object(e) }.map(|e| {
        // SAFETY: driver.h: an object is not used while it is initialised.
        unsafe { e.events.put(Events::new()) }
    }))
}

/// `int bg_events_set(bg_events_t *e, uint32_t bits)`: sets `bits` and
/// wakes every waiter they satisfy. Also from interrupt handlers.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bg_events_set(e: *mut bg_events_t, bits: u32) -> c_int {
    // SAFETY: the C side's contract (driver.rs).
    code(unsafe { object(e) }.map(|e| e.kernel().post(bits)))
}

/// `int bg_events_clear(bg_events_t *e, uint32_t bits)`: clears `bits`.
/// Also from interrupt handlers.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bg_events_clear(e: *mut bg_events_t, bits: u32) -> c_int {
    // SAFETY: the C side's contract (driver.rs).
    code(unsafe { object(e) }.map(|e| {
        // A wait for any of `bits` that need not wait clears all of them
        // when one is set (in one critical section), and finds nothing to
        // clear otherwise.
        let _ = e.kernel().wait_any(bits, Timeout::NO_WAIT);
    }))
}

/// `uint32_t bg_events_get(bg_events_t *e)`: the flags set now (0 for null).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bg_events_get(e: *mut bg_events_t) -> u32 {
    // SAFETY: the C side's contract (driver.rs).
    unsafe { object(e) }.map_or(0, |e| e.kernel().flags())
}

/// `int bg_events_wait(bg_events_t *e, uint32_t bits, int all, uint32_t
/// timeout_ms, uint32_t *got)`: waits at most `timeout_ms` until any flag
/// of `bits` is set (every one, when `all` is non-zero); then stores the
/// flags seen in `*got` (unless `got` is null), clears those of `bits` and
/// returns 0. Else `BG_ETIMEDOUT`, or `BG_EAGAIN` for `BG_NO_WAIT`;
/// `BG_EINVAL` for no `bits`. Handlers: `BG_NO_WAIT` only.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bg_events_wait(e: *mut bg_events_t, bits: u32, all: c_int, timeout_ms: u32, got: *mut u32) -> c_int {
    // SAFETY: the C side's contract (driver.rs), for both pointers.
    let (e, got) = unsafe { (object(e), got.as_mut()) };
    let r = e.and_then(|e| {
        if bits == 0 {
            return Err(BG_EINVAL);
        }
        let kernel = e.kernel();
        let t = timeout(timeout_ms);
        let seen = if all != 0 { kernel.wait_all(bits, t) } else { kernel.wait_any(bits, t) };
        let seen = seen.map_err(|_| timed_out(timeout_ms))?;
        if let Some(got) = got {
            *got = seen;
        }
        Ok(())
    });
    code(r)
}
