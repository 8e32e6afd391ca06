//! The bluegen kernel: threads, scheduler, time, sync objects, console.
//!
//! An image links this crate with the arch, driver and config crates its
//! board needs. They meet through the port contract of `bluegen-port`
//! (console output, ending the run, the thread table, the context switch):
//! everything here is written against that crate's safe wrappers, so this
//! crate has no board code, builds for any target and forbids `unsafe`.
//! What only the generated image may call ([`start`], [`switch`],
//! [`tick`]) takes a capability of the port crate whose constructor is
//! `unsafe`.
//!
//! Boot order: the arch crate's reset code sets up the stack, `.data` and
//! `.bss`, then calls the image's `__bluegen_start`, which initialises the
//! console driver and calls [`start`] with the device's threads and the
//! `Boot` capability.
//!
//! Usage, from a device's app crate:
//!
//! ```text
//! pub fn main() {
//!     bluegen_kernel::console::write_str("Hello from bluegen!\n");
//!     bluegen_kernel::exit(0);
//! }
//! ```
//!
//! Cargo features mirror the bool symbols of this crate's Kconfig
//! (`CONSOLE` is `console`, `PANIC_LOCATION` is `panic-location`, `BANNER` is
//! `banner`); the API is the same with any of them off. Nothing here uses
//! `core::fmt` or a path that can panic: numbers are written by hand.

#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

#[cfg(feature = "pool")]
mod blocks;
pub mod console;
pub mod duration;
#[cfg(feature = "events")]
mod events;
mod exit;
#[cfg(feature = "threads")]
mod handle;
#[cfg(feature = "isolation")]
mod isolation;

/// A kernel call's body, privileged for an unprivileged caller under
/// isolation (`bluegen_port::privileged`); without isolation the body as
/// it is, with no closure to outline (zero bytes).
#[cfg(feature = "isolation")]
#[macro_export]
#[doc(hidden)]
macro_rules! kcall {
    ($body:expr) => {
        bluegen_port::privileged(|| $body)
    };
}

#[cfg(not(feature = "isolation"))]
#[macro_export]
#[doc(hidden)]
macro_rules! kcall {
    ($body:expr) => {
        $body
    };
}
#[cfg(feature = "mutex")]
mod mutex;
mod num;
#[cfg(target_os = "none")]
mod panic;
#[cfg(feature = "spawn")]
mod pool;
#[cfg(feature = "queue")]
mod queue;
#[cfg(feature = "priority-change")]
mod rank;
pub mod sched;
#[cfg(feature = "semaphore")]
mod semaphore;
#[cfg(feature = "spawn")]
pub mod spawn;
pub mod stack;
#[cfg(feature = "threads")]
// Every feature set uses part of the block/wake API, the full set all of it.
#[cfg_attr(not(all(feature = "semaphore", feature = "mutex", feature = "events", feature = "timers", feature = "spawn")), allow(dead_code))]
mod state;
#[cfg(any(feature = "semaphore", feature = "mutex", feature = "queue", feature = "events", feature = "pool"))]
mod sync;
#[cfg(feature = "threads")]
mod table;
mod thread;
#[cfg(feature = "tickless")]
mod tickless;
#[cfg(feature = "preempt")]
mod time;
#[cfg(any(test, feature = "timers"))]
pub mod timer;

/// The device's interrupts' numbers, one `u16` constant per
/// `[interrupts.<name>]` in upper case (`irq::SOFT`), for
/// [`port::pend_irq`], [`port::enable_irq`] and [`port::disable_irq`]:
/// the same app source pends or masks the same interrupt on every board,
/// whatever number the board gives it.
pub use bluegen_config::irq;
pub use exit::exit;
/// The port contract (`bluegen-port`), for the generated image: its
/// `Image` trait, `image!` macro and `Boot` capability; and for apps,
/// device interrupts: [`port::pend_irq`] pends one from software,
/// [`port::disable_irq`] and [`port::enable_irq`] mask and unmask a
/// declared one at run time (a request while masked stays pending).
pub use bluegen_port as port;
pub use stack::Stack;
#[cfg(feature = "threads")]
pub use stack::{check_stacks, stack_overflow};
pub use thread::{Kernel, ThreadSpec, run_in_order, start};
#[cfg(feature = "threads")]
pub use thread::{current_id, current_name, stack_peak, switch, thread_exit, yield_now};
#[cfg(feature = "threads")]
pub use handle::Thread;
#[cfg(feature = "priority-change")]
pub use handle::InvalidPriority;
#[cfg(feature = "spawn")]
pub use spawn::{JoinHandle, spawn};
#[cfg(feature = "timers")]
pub use timer::Timer;
#[cfg(feature = "mutex")]
pub use mutex::{LockError, Mutex, MutexGuard};
#[cfg(feature = "queue")]
pub use queue::Queue;
#[cfg(feature = "pool")]
pub use blocks::{Block, Pool};
#[cfg(feature = "semaphore")]
pub use semaphore::{Full, Semaphore};
#[cfg(feature = "events")]
pub use events::Events;
pub use duration::{Duration, Instant, TimedOut, Timeout};
#[cfg(feature = "preempt")]
pub use time::{counter, micros, sleep, sleep_until, tick, tick_interrupts, ticks};

/// `thread_static!(thread, static NAME: T = init;)`: a static of thread
/// `thread`'s own. Under isolation it lies in the thread's region
/// (`[threads.<thread>] statics` bytes of device.toml), set to `init` at
/// start-up and at each restart, and only that thread (and privileged
/// code) may touch it; without isolation it is a plain static.
#[cfg(feature = "isolation")]
#[macro_export]
macro_rules! thread_static {
    ($thread:ident, $(#[$m:meta])* $vis:vis static $name:ident: $ty:ty = $init:expr;) => {
        $(#[$m])*
        #[unsafe(link_section = concat!(".bluegen.thread.", stringify!($thread)))]
        $vis static $name: $ty = $init;
    };
}

/// `thread_static!(thread, static NAME: T = init;)`: a static of thread
/// `thread`'s own (without isolation, a plain static).
#[cfg(not(feature = "isolation"))]
#[macro_export]
macro_rules! thread_static {
    ($thread:ident, $(#[$m:meta])* $vis:vis static $name:ident: $ty:ty = $init:expr;) => {
        $(#[$m])*
        $vis static $name: $ty = $init;
    };
}

/// `region_static!(region, static NAME: T = init;)`: a static in shared
/// region `region` (`[regions.<region>] size` bytes of device.toml). Under
/// isolation only the threads that list the region (and privileged code)
/// may touch it; without isolation it is a plain static.
#[cfg(feature = "isolation")]
#[macro_export]
macro_rules! region_static {
    ($region:ident, $(#[$m:meta])* $vis:vis static $name:ident: $ty:ty = $init:expr;) => {
        $(#[$m])*
        #[unsafe(link_section = concat!(".bluegen.region.", stringify!($region)))]
        $vis static $name: $ty = $init;
    };
}

/// `region_static!(region, static NAME: T = init;)`: a static in shared
/// region `region` (without isolation, a plain static).
#[cfg(not(feature = "isolation"))]
#[macro_export]
macro_rules! region_static {
    ($region:ident, $(#[$m:meta])* $vis:vis static $name:ident: $ty:ty = $init:expr;) => {
        $(#[$m])*
        $vis static $name: $ty = $init;
    };
}
