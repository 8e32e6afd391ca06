//! `bg_queue_*`: queues of up to 8 words on the kernel's `Queue<u32, 8>` (Kconfig `QUEUE`).
//!
//! The kernel's queue holds a Rust type whose size is known at build
//! time, so C gets one shape: `uint32_t` messages, [`BG_QUEUE_CAPACITY`]
//! of them (a word is enough for a value, an index or a pointer to a
//! buffer of a pool on 32-bit targets).

use super::in_place::{InPlace, code, object};
use super::{BG_EINVAL, timed_out, timeout};
use bluegen_kernel::Queue;
use core::ffi::{c_int, c_uint};

/// `BG_QUEUE_CAPACITY`: the messages a queue holds.
pub const BG_QUEUE_CAPACITY: usize = 8;

/// The room's words: the header's `BG_QUEUE_CAPACITY * 4 /
/// sizeof(uintptr_t) + 4` (the slots, then four words of state).
const WORDS: usize = BG_QUEUE_CAPACITY * 4 / core::mem::size_of::<usize>() + 4;

/// `bg_queue_t`: room for a kernel queue of [`BG_QUEUE_CAPACITY`] words.
/// All-zero (`BG_QUEUE_INITIALIZER`) is empty, built on first use.
#[repr(C)]
pub struct bg_queue_t {
    queue: InPlace<Queue<u32, BG_QUEUE_CAPACITY>, WORDS>,
}

// The header's `_Static_assert` says the same.
const _: () = assert!(core::mem::size_of::<bg_queue_t>() == BG_QUEUE_CAPACITY * 4 + 5 * core::mem::size_of::<usize>());

impl bg_queue_t {
    fn kernel(&self) -> &Queue<u32, BG_QUEUE_CAPACITY> {
        self.queue.get(Queue::new)
    }
}

/// `int bg_queue_init(bg_queue_t *q)`: an empty queue, whatever `*q`
/// held (not while it is in use).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bg_queue_init(q: *mut bg_queue_t) -> c_int {
    // SAFETY: the C side's contract (driver.rs).
    code(unsafe { object(q) }.map(|q| {
        // SAFETY: driver.h: an object is not used while it is initialised.
        unsafe { q.queue.put(Queue::new()) }
    }))
}

/// `int bg_queue_send(bg_queue_t *q, uint32_t item, uint32_t
/// timeout_ms)`: appends `item`, waiting at most `timeout_ms` for room: 0,
/// `BG_ETIMEDOUT`, or `BG_EAGAIN` (full, with `BG_NO_WAIT`). Handlers:
/// `BG_NO_WAIT` only.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bg_queue_send(q: *mut bg_queue_t, item: u32, timeout_ms: u32) -> c_int {
    // SAFETY: the C side's contract (driver.rs).
    code(unsafe { object(q) }.and_then(|q| q.kernel().send(item, timeout(timeout_ms)).map_err(|_| timed_out(timeout_ms))))
}

/// `int bg_queue_recv(bg_queue_t *q, uint32_t *item, uint32_t
/// timeout_ms)`: takes the oldest message into `*item`, waiting at most
/// `timeout_ms` for one: 0, `BG_ETIMEDOUT`, `BG_EAGAIN` (empty, with
/// `BG_NO_WAIT`) or `BG_EINVAL` (a null `item`, nothing taken). Handlers:
/// `BG_NO_WAIT` only.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bg_queue_recv(q: *mut bg_queue_t, item: *mut u32, timeout_ms: u32) -> c_int {
    // SAFETY: the C side's contract (driver.rs), for both pointers.
    let (q, item) = unsafe { (object(q), item.as_mut()) };
    let r = q.and_then(|q| {
        let item = item.ok_or(BG_EINVAL)?;
        *item = q.kernel().recv(timeout(timeout_ms)).map_err(|_| timed_out(timeout_ms))?;
        Ok(())
    });
    code(r)
}

/// `unsigned bg_queue_count(bg_queue_t *q)`: the messages waiting now (0
/// for null).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bg_queue_count(q: *mut bg_queue_t) -> c_uint {
    // SAFETY: the C side's contract (driver.rs).
    unsafe { object(q) }.map_or(0, |q| q.kernel().len() as c_uint)
}
