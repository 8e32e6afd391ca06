//! The driver ABI: `<bluegen/driver.h>`, the kernel's services for C drivers.
//!
//! C drivers of a device with C sources call the kernel through the
//! functions here, whose prototypes `include/bluegen/driver.h` declares
//! (the drift test `bluegen/tests/driver_abi.rs` checks that the two agree,
//! function by function and type by type). Each group exists with the
//! Kconfig symbol it is built on, and the header declares it under the
//! macro bluegen defines for that symbol:
//!
//! | group | module | cargo feature | Kconfig | header macro |
//! |---|---|---|---|---|
//! | console, memory, critical sections | here | (always) | `LIBC` | — |
//! | interrupts | here | `services-interrupts` | `INTERRUPTS` | `BLUEGEN_INTERRUPTS` |
//! | time | [`time`] | `services-time` | `PREEMPT` | `BLUEGEN_PREEMPT` |
//! | semaphores | [`sem`] | `services-semaphore` | `SEMAPHORE` | `BLUEGEN_SEMAPHORE` |
//! | mutexes | [`mutex`] | `services-mutex` | `MUTEX` | `BLUEGEN_MUTEX` |
//! | event flags | [`events`] | `services-events` | `EVENTS` | `BLUEGEN_EVENTS` |
//! | queues of words | [`queue`] | `services-queue` | `QUEUE` | `BLUEGEN_QUEUE` |
//!
//! `bg_log` is C (`c/bluegen_services.c`): picolibc's `vsnprintf`, then
//! [`bg_console_write`].
//!
//! # The C side's contract
//!
//! This is an FFI boundary: C hands over raw pointers, and this module
//! dereferences them. Every function assumes of its pointer arguments:
//! a pointer to an object (`bg_sem_t *`, …) is null (the function returns
//! `BG_EINVAL`) or points at a live, suitably aligned object of the
//! header's type, which is all-zero (its `BG_*_INITIALIZER`, or static
//! storage) or was set up by its `bg_*_init`, and which is not moved,
//! copied or freed while a thread or a handler uses it (a locked mutex, a
//! waited-on semaphore); `bg_*_init` is not called on an object in use; a
//! buffer of `n` bytes has `n` readable bytes; a function pointer is null
//! or a C function of the declared type. The objects live in C memory:
//! the header declares them with the sizes and alignments of the
//! `#[repr(C)]` types here (checked at compile time on both sides) and
//! each holds a kernel object, built in place on first use (`in_place`).
//!
//! Errors are negative picolibc `errno` values ([`BG_EINVAL`], …), 0 is
//! success. Timeouts are milliseconds, [`BG_NO_WAIT`] and [`BG_FOREVER`]
//! apart; a finite one waits at least that long (rounded up to ticks, plus
//! the tick in progress), like [`time::bg_sleep_ms`].

// The types are C's names (`bg_sem_t`); every `extern "C"` function has
// the one contract above, not a `# Safety` section of its own.
#![allow(non_camel_case_types, clippy::missing_safety_doc)]

use core::ffi::{c_char, c_int, c_void};

#[cfg(any(feature = "services-semaphore", feature = "services-mutex", feature = "services-events", feature = "services-queue"))]
mod in_place;
#[cfg(feature = "services-events")]
pub mod events;
#[cfg(feature = "services-mutex")]
pub mod mutex;
#[cfg(feature = "services-queue")]
pub mod queue;
#[cfg(feature = "services-semaphore")]
pub mod sem;
#[cfg(feature = "services-time")]
pub mod time;

/// Success.
pub const BG_OK: c_int = 0;
/// Not allowed here (a mutex unlocked by a thread that does not own it, a
/// lock in an interrupt handler): `-EPERM`.
pub const BG_EPERM: c_int = -1;
/// Not available now, and the call was not to wait (`BG_NO_WAIT`): `-EAGAIN`.
pub const BG_EAGAIN: c_int = -11;
/// A bad argument (a null object, an interrupt that cannot be pended): `-EINVAL`.
pub const BG_EINVAL: c_int = -22;
/// The caller holds the mutex already: `-EDEADLK`.
pub const BG_EDEADLK: c_int = -45;
/// The timeout ran out: `-ETIMEDOUT`.
pub const BG_ETIMEDOUT: c_int = -116;

/// A timeout: do not wait.
pub const BG_NO_WAIT: u32 = 0;
/// A timeout: wait however long it takes.
pub const BG_FOREVER: u32 = u32::MAX;

/// The kernel's tick rate (`TICK_HZ`), evaluated at compile time.
#[cfg(any(feature = "services-time", feature = "services-semaphore", feature = "services-mutex", feature = "services-events", feature = "services-queue"))]
const HZ: u64 = bluegen_kernel::Duration::from_secs(1).as_ticks() as u64;

/// Ticks that cover at least `amount` units of `1 / per_second` seconds
/// from now: rounded up, plus one for the tick in progress (which ends
/// sooner than a whole period). In 64 bits: no 128-bit builtins.
#[cfg(any(feature = "services-time", feature = "services-semaphore", feature = "services-mutex", feature = "services-events", feature = "services-queue"))]
fn ticks_for(amount: u32, per_second: u64) -> u64 {
    (u64::from(amount) * HZ).div_ceil(per_second) + 1
}

/// A C timeout in milliseconds as the kernel's.
#[cfg(any(feature = "services-semaphore", feature = "services-mutex", feature = "services-events", feature = "services-queue"))]
fn timeout(ms: u32) -> bluegen_kernel::Timeout {
    use bluegen_kernel::Timeout;
    match ms {
        BG_NO_WAIT => Timeout::NO_WAIT,
        BG_FOREVER => Timeout::FOREVER,
        // The longest finite wait is u32::MAX - 1 ticks (`Timeout::ticks`
        // keeps it apart from forever).
        ms => Timeout::ticks(u32::try_from(ticks_for(ms, 1_000)).unwrap_or(u32::MAX)),
    }
}

/// The error of a wait that did not get what it waited for.
#[cfg(any(feature = "services-semaphore", feature = "services-mutex", feature = "services-events", feature = "services-queue"))]
fn timed_out(ms: u32) -> c_int {
    if ms == BG_NO_WAIT { BG_EAGAIN } else { BG_ETIMEDOUT }
}

/// `void bg_console_write(const char *s, size_t n)`: writes `n` bytes to
/// the console (nothing without Kconfig `CONSOLE`), returning when the
/// driver took them. Also from interrupt handlers.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bg_console_write(s: *const c_char, n: usize) {
    if s.is_null() || n == 0 {
        return;
    }
    // SAFETY: the C side's contract: `n` readable bytes at `s`.
    let bytes = unsafe { core::slice::from_raw_parts(s.cast::<u8>(), n) };
    bluegen_kernel::console::write_bytes(bytes);
}

/// `void *bg_alloc(size_t size)`: `size` bytes from the heap (aligned for
/// any C type), or null. Threads only.
#[unsafe(no_mangle)]
pub extern "C" fn bg_alloc(size: usize) -> *mut c_void {
    crate::malloc(size)
}

/// `void bg_free(void *p)`: gives back a block of [`bg_alloc`] (or
/// `malloc`); null does nothing. Threads only.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bg_free(p: *mut c_void) {
    // SAFETY: the C side's contract: null or a live block of the heap.
    unsafe { crate::free(p) }
}

/// `void bg_critical(void (*fn)(void *), void *arg)`: runs `fn(arg)` with
/// interrupts masked, then restores the mask as it was (so sections nest).
/// `fn` must not block or busy-wait for time (the tick cannot advance);
/// a switch it causes happens after the section. A null `fn` does nothing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bg_critical(f: Option<unsafe extern "C" fn(*mut c_void)>, arg: *mut c_void) {
    let Some(f) = f else { return };
    // SAFETY: the C side's contract: `f` is a C function taking `arg`;
    // C does not unwind, and cannot keep the section's token.
    bluegen_port::critical(|_| unsafe { f(arg) });
}

/// `int bg_irq_pend(unsigned irq)`: pends interrupt `irq` from software
/// (its handler runs as soon as its priority allows): 0, or [`BG_EINVAL`]
/// when the architecture cannot pend it (a RISC-V PLIC source, an
/// undeclared software interrupt) or it is out of range. Also from
/// interrupt handlers.
#[cfg(feature = "services-interrupts")]
#[unsafe(no_mangle)]
pub extern "C" fn bg_irq_pend(irq: core::ffi::c_uint) -> c_int {
    match u16::try_from(irq) {
        Ok(irq) if bluegen_port::pend_irq(irq) => BG_OK,
        _ => BG_EINVAL,
    }
}

/// `int bg_irq_enable(unsigned irq)`: enables declared interrupt `irq`
/// (every declared one is enabled at boot), so that its handler runs; a
/// request that came while it was disabled runs now: 0, or [`BG_EINVAL`]
/// when the device does not declare `irq` or the architecture cannot mask
/// it. Also from interrupt handlers.
#[cfg(feature = "services-interrupts")]
#[unsafe(no_mangle)]
pub extern "C" fn bg_irq_enable(irq: core::ffi::c_uint) -> c_int {
    match u16::try_from(irq) {
        Ok(irq) if bluegen_port::enable_irq(irq) => BG_OK,
        _ => BG_EINVAL,
    }
}

/// `int bg_irq_disable(unsigned irq)`: disables declared interrupt `irq`
/// until [`bg_irq_enable`], in effect when it returns; a pend or a raise
/// meanwhile stays pending: 0, or [`BG_EINVAL`] as for [`bg_irq_enable`].
/// Also from interrupt handlers.
#[cfg(feature = "services-interrupts")]
#[unsafe(no_mangle)]
pub extern "C" fn bg_irq_disable(irq: core::ffi::c_uint) -> c_int {
    match u16::try_from(irq) {
        Ok(irq) if bluegen_port::disable_irq(irq) => BG_OK,
        _ => BG_EINVAL,
    }
}
