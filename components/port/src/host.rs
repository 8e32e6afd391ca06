//! Host doubles of the contract's functions, for unit tests.
//!
//! Console output goes to a per-thread buffer, exit panics with [`Exit`],
//! the interrupt mask is a process-wide lock, and nothing switches.

use core::sync::atomic::AtomicU32;
use std::vec::Vec;

/// The payload `exit` panics with on the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exit(pub i32);

std::thread_local! {
    static OUTPUT: core::cell::RefCell<Vec<u8>> = const { core::cell::RefCell::new(Vec::new()) };
}

pub(crate) fn __bluegen_console_write(bytes: &[u8]) {
    OUTPUT.with(|out| out.borrow_mut().extend_from_slice(bytes));
}

pub(crate) fn __bluegen_exit(code: i32) -> ! {
    std::panic::panic_any(Exit(code))
}

#[cfg(feature = "threads")]
pub(crate) fn __bluegen_threads() -> &'static [crate::ThreadSpec] {
    &[]
}

#[cfg(feature = "threads")]
pub(crate) fn __bluegen_red_zones() -> &'static [&'static AtomicU32] {
    &[]
}

/// No frame: the stack pointer is the top.
pub(crate) fn __bluegen_port_init_stack(stack: &[AtomicU32], entry: fn()) -> usize {
    let _ = entry;
    crate::stack::top(stack)
}

/// A run with threads cannot start on the host: it ends with success.
pub(crate) unsafe fn __bluegen_port_start() -> ! {
    __bluegen_exit(0)
}

pub(crate) fn __bluegen_port_pend_switch() {}

/// The host has no interrupt controller: nothing to pend.
pub(crate) fn __bluegen_port_pend_irq(irq: u16) -> bool {
    let _ = irq;
    false
}

/// Nor any interrupt to mask.
pub(crate) fn __bluegen_port_enable_irq(irq: u16) -> bool {
    let _ = irq;
    false
}

pub(crate) fn __bluegen_port_disable_irq(irq: u16) -> bool {
    let _ = irq;
    false
}

/// Host tests run no interrupt handler.
pub(crate) fn __bluegen_port_active_irq() -> Option<u16> {
    None
}

/// No interrupt has a name on the host.
pub(crate) fn __bluegen_irq_name(irq: u16) -> &'static str {
    let _ = irq;
    ""
}

pub(crate) fn __bluegen_port_wait() {}

/// The host's interrupt mask: one process-wide lock, reentrant per thread,
/// so that a `CriticalSection` excludes other std threads as masked
/// interrupts exclude everything on the one core of a target (the `Sync`
/// of `Ring`, `Lock` and `CsCell` rests on it). A thread that ends while
/// holding it (a failed assertion inside `critical`) releases it with its
/// thread-locals.
static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

std::thread_local! {
    static HELD: std::cell::RefCell<(usize, Option<std::sync::MutexGuard<'static, ()>>)> = const { std::cell::RefCell::new((0, None)) };
}

pub(crate) fn __bluegen_port_lock() -> usize {
    HELD.with(|h| {
        let mut h = h.borrow_mut();
        if h.0 == 0 {
            h.1 = Some(LOCK.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
        }
        h.0 += 1;
    });
    0
}

pub(crate) unsafe fn __bluegen_port_unlock_switch(state: usize) {
    // SAFETY: the caller's precondition is unlock's.
    unsafe { __bluegen_port_unlock(state) };
    __bluegen_port_pend_switch();
}

pub(crate) unsafe fn __bluegen_port_unlock(state: usize) {
    let _ = state;
    HELD.with(|h| {
        let mut h = h.borrow_mut();
        h.0 = h.0.saturating_sub(1);
        if h.0 == 0 {
            h.1 = None;
        }
    });
}

pub(crate) fn __bluegen_port_counter(ticks: u32) -> u64 {
    u64::from(ticks)
}

/// No timer to program, no tick passes.
pub(crate) fn __bluegen_port_idle_sleep(ticks: u32) -> u32 {
    let _ = ticks;
    0
}

pub(crate) unsafe fn __bluegen_port_stack_limit(next: usize, limit_of: fn(usize) -> usize) {
    let _ = (next, limit_of);
}

#[cfg(feature = "tls")]
pub(crate) unsafe fn __bluegen_switch_tls(next: usize) {
    let _ = next;
}

pub(crate) unsafe fn __bluegen_switch(sp: usize) -> usize {
    sp
}

pub(crate) unsafe fn __bluegen_tick() -> bool {
    false
}

pub(crate) fn __bluegen_thread_return() -> ! {
    __bluegen_exit(0)
}

pub(crate) fn __bluegen_stack_overflow() -> ! {
    __bluegen_exit(1)
}

pub(crate) fn __bluegen_check_stacks() {}

/// Host code is never unprivileged: nothing to raise.
#[cfg(feature = "isolation")]
pub(crate) unsafe fn __bluegen_port_raise() -> bool {
    false
}

#[cfg(feature = "isolation")]
pub(crate) unsafe fn __bluegen_port_lower() {}

#[cfg(feature = "isolation")]
pub(crate) unsafe fn __bluegen_port_protect(regions: &'static [crate::Region]) {
    let _ = regions;
}

/// A fault of a host thread ends the run, as the `panic` policy does.
#[cfg(feature = "isolation")]
pub(crate) unsafe fn __bluegen_thread_fault(fault: crate::Fault) {
    let _ = fault;
    __bluegen_exit(1)
}

#[cfg(feature = "isolation")]
pub(crate) fn __bluegen_thread_enter() {}

/// Takes what this thread wrote to the console so far.
pub fn take_output() -> Vec<u8> {
    OUTPUT.with(|out| core::mem::take(&mut *out.borrow_mut()))
}

/// Runs `f`, which must end the run; returns its exit code.
pub fn exit_code_of(f: impl FnOnce() + std::panic::UnwindSafe) -> i32 {
    let payload = std::panic::catch_unwind(f).expect_err("the run must end with exit");
    payload.downcast_ref::<Exit>().expect("ended by exit, not by another panic").0
}

/// The host's stand-in for the image's boot entry: host builds have no
/// stacks to overwrite and no scheduler to start (start ends the run), so
/// the kernel's unit tests may make the capability safely. It holds the
/// host lock until it is dropped, so the critical sections it hands out
/// exclude other std threads like [`crate::critical`]'s.
pub fn boot() -> crate::Boot {
    __bluegen_port_lock();
    // SAFETY: on the host, `start` with a `Boot` only runs the doubles
    // above, which touch no stack and end the run; the lock taken above is
    // the one its `Drop` releases.
    unsafe { crate::Boot::new() }
}
