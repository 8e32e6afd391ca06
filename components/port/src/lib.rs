//! The port contract: what the kernel, the arch crate, the heap and the image agree on.
//!
//! An image is made of crates that cannot name each other: the kernel is
//! written for any board, the arch crate for any kernel, and the generated
//! image ties them together. They meet at a handful of `extern` functions
//! (`__bluegen_*`), which this crate declares once, in [`sys`], and nowhere
//! else. Every side is checked by the compiler:
//!
//! * the arch crate implements the [`Arch`] trait and invokes [`arch!`],
//!   which defines the `__bluegen_port_*` functions by calling that impl;
//! * the generated image implements [`Image`] (console, exit, thread table)
//!   and invokes [`image!`] with it and the kernel's [`Kernel`] impl, which
//!   defines the image's and the kernel's entry points;
//! * the kernel and the heap call only the safe wrappers of this crate
//!   ([`critical`], [`pend_switch`], [`init_stack`], …), never an `extern`.
//!
//! The macros and the `extern` block sit next to each other in this crate, so
//! a signature changes in one place; a missing or mistyped trait method is a
//! compile error in the crate that implements it (the `critical-section`
//! crate's `set_impl!` pattern).
//!
//! What only the generated image may do takes a capability: [`Boot`]
//! (start the kernel), [`Switch`] (the context switch's decision), [`Tick`]
//! (the tick). Each has an `unsafe` constructor with a `# Safety` contract,
//! so safe code cannot make one (Tock's capabilities are the model); the
//! kernel takes them as arguments and stays `#![forbid(unsafe_code)]`.
//! Interrupt masking is [`critical`], which hands its closure a
//! [`CriticalSection`] token and restores the mask afterwards: there is no
//! public unlock.
//!
//! Host builds (the kernel's unit tests, `cargo check`) get doubles of the
//! functions (see [`host`]).

#![cfg_attr(target_os = "none", no_std)]

/// `$e`, privileged for an unprivileged caller under isolation; without
/// it `$e` as it is (no closure, so nothing to outline).
#[cfg(feature = "isolation")]
macro_rules! priv_call {
    ($e:expr) => {
        crate::privileged(|| $e)
    };
}

#[cfg(not(feature = "isolation"))]
macro_rules! priv_call {
    ($e:expr) => {
        $e
    };
}

mod cap;
mod contract;
pub mod stack;
mod thread;

pub use cap::{Boot, CriticalSection, Switch, Tick, critical, critical_switch};
pub use contract::{Arch, Image, Kernel};
pub use thread::ThreadSpec;

mod block_cell;
mod cs_cell;
mod in_place;
mod lock_cell;
mod ring;
pub use block_cell::{Block, Blocks, Freed};
pub use cs_cell::CsCell;
pub use in_place::InPlace;
pub use lock_cell::{HANDED, Lock, LockGuard, NOBODY, Release};
pub use ring::Ring;

#[cfg(feature = "isolation")]
mod isolation;
#[cfg(feature = "isolation")]
pub use isolation::{Access, Fault, FaultKind, Isolation, Memory, OnFault, Region, Statics, drop_privilege, privileged, protect};

/// Runs `f`: without isolation all code is privileged (see the
/// `isolation` feature's [`privileged`], which raises for an unprivileged
/// thread).
#[cfg(not(feature = "isolation"))]
#[inline(always)]
pub fn privileged<R>(f: impl FnOnce() -> R) -> R {
    f()
}

use core::sync::atomic::AtomicU32;

#[cfg(target_os = "none")]
use contract::sys;
#[cfg(not(target_os = "none"))]
use host as sys;

#[cfg(not(target_os = "none"))]
pub mod host;

/// Writes `bytes` to the board's console (the image's driver, or nowhere),
/// waiting until the driver took them.
#[inline(always)]
pub fn console_write(bytes: &[u8]) {
    priv_call!(sys::__bluegen_console_write(bytes))
}

/// Ends the run with `code` (0 is success): the board's way.
#[inline(always)]
pub fn exit(code: i32) -> ! {
    priv_call!(sys::__bluegen_exit(code))
}

/// The image's thread table, highest priority first. Its stacks are not
/// reachable through it (see [`ThreadSpec`]).
#[cfg(feature = "threads")]
#[inline(always)]
pub fn threads() -> &'static [ThreadSpec] {
    sys::__bluegen_threads()
}

/// Whether the red zone of thread `index` of [`threads`] is broken at its
/// top word (see [`stack::red_zone_top_broken`]); `None` past the table.
/// Through the image's table of those words ([`Image::red_zones`]: one
/// load, no multiply), which stays private, like the stacks.
#[cfg(feature = "threads")]
#[inline(always)]
pub fn red_zone_top_broken(index: usize) -> Option<bool> {
    sys::__bluegen_red_zones().get(index).map(|top| top.load(core::sync::atomic::Ordering::Relaxed) != stack::CANARY)
}

/// Lays out the first frame of a thread on `stack` (stacks grow down from
/// its end), so that switching to the returned stack pointer calls `entry`,
/// and the kernel's thread exit when `entry` returns. The frame is the arch
/// crate's ([`Arch::frame_slot`]); [`stack::lay_out`] writes it.
///
/// Safe: it stores atomics into a slice the caller holds. No public item
/// hands out the stack of a thread that runs (a [`ThreadSpec`] keeps its
/// own private; the kernel's spawn pool is private to the kernel), so this
/// can only write a frame on a stack no thread uses.
#[inline(always)]
pub fn init_stack(stack: &[AtomicU32], entry: fn()) -> usize {
    sys::__bluegen_port_init_stack(stack, entry)
}

/// Switches to the first thread the kernel picks; never returns.
#[inline(always)]
pub fn start(boot: Boot) -> ! {
    let _ = boot;
    // SAFETY: a `Boot` exists only in the generated image's boot entry,
    // once, on the boot stack (its constructor's contract), and the kernel
    // consumes it after laying out every thread's first frame: the
    // precondition of `__bluegen_port_start`.
    unsafe { sys::__bluegen_port_start() }
}

/// Asks for a thread switch as soon as no critical section and no handler
/// is active (PendSV on Cortex-M; at once, by a call, on RISC-V).
#[inline(always)]
pub fn pend_switch() {
    priv_call!(sys::__bluegen_port_pend_switch())
}

/// Pends interrupt `irq` from software, so that its declared handler runs
/// as soon as its priority allows (NVIC ISPR on Cortex-M; on RISC-V a
/// software interrupt `softN`, number `irqs + N` of the board, through the
/// CLINT's msip): `false` when the architecture has no such interrupt to
/// pend (a PLIC source, an undeclared RISC-V software interrupt).
#[inline(always)]
pub fn pend_irq(irq: u16) -> bool {
    priv_call!(sys::__bluegen_port_pend_irq(irq))
}

/// Enables interrupt `irq` at its controller, so that its handler runs
/// when it is raised or pended (every declared interrupt is enabled at
/// boot): NVIC ISER on Cortex-M; on RISC-V the PLIC source's enable bit of
/// the hart's M-mode context, or, for a software interrupt `softN`, the
/// kernel's mask of them (a pend while masked is held apart from the
/// trap's pending set, which this moves it back into). A request that
/// came while it was disabled (a pend, a PLIC source's line) is still
/// pending and its handler runs now: before this returns, from a thread
/// with interrupts on and a priority that allows it.
///
/// `false`, and nothing changes, for an IRQ the device does not declare
/// (`[interrupts.<name>]`: no vector without a handler can be enabled) or
/// one the architecture cannot mask. Also from interrupt handlers.
#[inline(always)]
pub fn enable_irq(irq: u16) -> bool {
    !sys::__bluegen_irq_name(irq).is_empty() && priv_call!(sys::__bluegen_port_enable_irq(irq))
}

/// Disables interrupt `irq` at its controller (NVIC ICER then `dsb; isb`
/// on Cortex-M; the PLIC enable bit or the software-interrupt mask on
/// RISC-V), so that its handler does not run from the next instruction on
/// until [`enable_irq`]. A request meanwhile stays pending: a [`pend_irq`]
/// still returns `true`, and the handler runs once when it is enabled again.
///
/// `false`, and nothing changes, as for [`enable_irq`]. Also from interrupt
/// handlers (a handler may disable its own interrupt).
#[inline(always)]
pub fn disable_irq(irq: u16) -> bool {
    !sys::__bluegen_irq_name(irq).is_empty() && priv_call!(sys::__bluegen_port_disable_irq(irq))
}

/// The interrupt whose handler is running (its IRQ number), if any: the
/// kernel's blocking-call guard asks (Kconfig `INTERRUPTS`).
#[inline(always)]
pub fn active_irq() -> Option<u16> {
    sys::__bluegen_port_active_irq()
}

/// The device.toml name of interrupt `irq` (`[interrupts.<name>]`), or ""
/// for one the device does not declare.
#[inline(always)]
pub fn irq_name(irq: u16) -> &'static str {
    sys::__bluegen_irq_name(irq)
}

/// Sleeps the core until an interrupt (WFI).
#[inline(always)]
pub fn wait() {
    priv_call!(sys::__bluegen_port_wait())
}

/// A free-running counter for benchmarks, given the kernel's tick count:
/// `minstret` on RISC-V (instructions), SysTick clock cycles on Cortex-M.
#[inline(always)]
pub fn counter(ticks: u32) -> u64 {
    priv_call!(sys::__bluegen_port_counter(ticks))
}

/// Tickless idle, with interrupts masked (hence the token): programs the
/// tick timer to interrupt `ticks` tick periods from the last tick (or as
/// far as it reaches), sleeps the core until an interrupt is pending, and
/// returns the tick periods that passed and that no pending tick interrupt
/// will count.
#[inline(always)]
pub fn idle_sleep(cs: CriticalSection<'_>, ticks: u32) -> u32 {
    let _ = cs;
    sys::__bluegen_port_idle_sleep(ticks)
}

/// Thread `next` is about to run: for a hardware stack limit (PSPLIM on
/// ARMv8-M mainline) the arch sets `limit_of(next)`, the lowest stack
/// address it may use; elsewhere it does nothing, and computes nothing.
/// Only the switch decides which thread runs, hence the capability.
#[inline(always)]
pub fn stack_limit(switch: &Switch, next: usize, limit_of: fn(usize) -> usize) {
    let _ = switch;
    // SAFETY: a `Switch` exists only inside the context switch, which is
    // about to run thread `next`, and `limit_of` is the kernel's own map
    // from a thread to the bottom of its stack.
    unsafe { sys::__bluegen_port_stack_limit(next, limit_of) }
}

/// Thread `next` is about to run: the image points the C library's
/// thread-local storage at its block (the `tls` feature: the device has C
/// sources). Only the switch decides which thread runs, hence the capability.
#[cfg(feature = "tls")]
#[inline(always)]
pub fn switch_tls(switch: &Switch, next: usize) {
    let _ = switch;
    // SAFETY: a `Switch` exists only inside the context switch, which is
    // about to run thread `next`.
    unsafe { sys::__bluegen_switch_tls(next) }
}

/// Calls into the kernel, for the arch crate: its switch code, tick
/// interrupt, thread start and fault handlers. The image defines them (with
/// [`image!`]) by calling the kernel's [`Kernel`] impl.
pub mod kernel {
    use super::sys;

    /// The context switch's decision: saves the outgoing thread's stack
    /// pointer `sp` and returns the stack pointer of the thread to run.
    ///
    /// # Safety
    ///
    /// Only the arch switch code calls this, with the switch interrupt
    /// masked and `sp` the stack pointer of the outgoing thread's saved
    /// context (or anything before the first thread), and it then switches
    /// to the returned stack pointer (the contract of [`crate::Switch::new`]).
    #[inline(always)]
    pub unsafe fn switch(sp: usize) -> usize {
        // SAFETY: the caller's contract is this function's.
        unsafe { sys::__bluegen_switch(sp) }
    }

    /// The kernel's tick: returns whether a switch is due.
    ///
    /// # Safety
    ///
    /// Only the arch tick interrupt calls this, once per tick period, with
    /// interrupts masked (the contract of [`crate::Tick::new`]).
    #[inline(always)]
    pub unsafe fn tick() -> bool {
        // SAFETY: the caller's contract is this function's.
        unsafe { sys::__bluegen_tick() }
    }

    /// Where a thread goes when its entry returns: ends it.
    #[inline(always)]
    pub fn thread_return() -> ! {
        sys::__bluegen_thread_return()
    }

    /// The hardware stack limit caught an overflow: names the running thread
    /// and fails the run.
    #[inline(always)]
    pub fn stack_overflow() -> ! {
        sys::__bluegen_stack_overflow()
    }

    /// The running thread faulted while unprivileged (see
    /// [`crate::Kernel::thread_fault`]): returns unless its policy ends the
    /// run; the arch then switches away without saving its context.
    #[cfg(feature = "isolation")]
    #[inline(always)]
    pub fn thread_fault(fault: crate::Fault) {
        // SAFETY: a `Fault` exists only in the arch fault handler, for a
        // fault of the running unprivileged thread (its constructor's
        // contract), which is what the kernel's entry needs.
        unsafe { sys::__bluegen_thread_fault(fault) }
    }

    /// A thread's first step (the arch's thread start, privileged, before
    /// the entry): drops the privilege of an unprivileged thread.
    #[cfg(feature = "isolation")]
    #[inline(always)]
    pub fn thread_enter() {
        sys::__bluegen_thread_enter()
    }

    /// After a fault: names a thread whose stack overflowed and fails the
    /// run; returns if every red zone is intact.
    #[inline(always)]
    pub fn check_stacks() {
        sys::__bluegen_check_stacks()
    }
}

/// Expands its input when the kernel has threads (this crate's `threads`
/// feature), for [`image!`], whose expansion cannot test this crate's cfgs.
#[cfg(feature = "threads")]
#[doc(hidden)]
#[macro_export]
macro_rules! __if_threads {
    ($($t:tt)*) => { $($t)* };
}

#[cfg(not(feature = "threads"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __if_threads {
    ($($t:tt)*) => {};
}

/// Expands its input with isolation (`isolation`).
#[cfg(feature = "isolation")]
#[doc(hidden)]
#[macro_export]
macro_rules! __if_isolation {
    ($($t:tt)*) => { $($t)* };
}

#[cfg(not(feature = "isolation"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __if_isolation {
    ($($t:tt)*) => {};
}

/// Expands its input when the kernel has a tick (`preempt`).
#[cfg(feature = "preempt")]
#[doc(hidden)]
#[macro_export]
macro_rules! __if_preempt {
    ($($t:tt)*) => { $($t)* };
}

#[cfg(not(feature = "preempt"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __if_preempt {
    ($($t:tt)*) => {};
}

/// Expands its input when threads carry a TLS pointer (`tls`: the device has C).
#[cfg(feature = "tls")]
#[doc(hidden)]
#[macro_export]
macro_rules! __if_tls {
    ($($t:tt)*) => { $($t)* };
}

#[cfg(not(feature = "tls"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __if_tls {
    ($($t:tt)*) => {};
}
