//! The bluegen kernel: console, exit, thread start-up and panic handling.
//!
//! An image links this crate with the arch, driver and config crates its
//! board needs. The generated image defines the functions the private `port`
//! module declares (console output, ending the run, the thread table); everything here is written against
//! them, so this crate has no board code and builds for any target.
//!
//! Boot order: the arch crate's reset code sets up the stack, `.data` and
//! `.bss`, then calls the image's `__bluegen_start`, which initialises the
//! console driver and calls [`start`] with the device's threads.
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
#![deny(unsafe_code)]

pub mod console;
mod exit;
mod num;
#[cfg(target_os = "none")]
mod panic;
mod port;
pub mod sched;
pub mod stack;
pub mod duration;
#[cfg(feature = "events")]
mod events;
// Interior mutability for the typed objects; moves to the port crate.
#[cfg(feature = "mutex")]
#[allow(unsafe_code)]
mod lock_cell;
#[cfg(feature = "mutex")]
mod mutex;
#[cfg(feature = "queue")]
mod queue;
#[cfg(feature = "queue")]
#[allow(unsafe_code)]
mod ring;
#[cfg(feature = "semaphore")]
mod semaphore;
#[cfg(any(feature = "semaphore", feature = "mutex", feature = "queue", feature = "events"))]
mod sync;
#[cfg(feature = "threads")]
mod handle;
#[cfg(feature = "threads")]
mod suspend;
mod thread;
#[cfg(feature = "spawn")]
#[allow(unsafe_code)]
mod cs_cell;
#[cfg(feature = "spawn")]
pub mod spawn;
#[cfg(feature = "tickless")]
mod tickless;
#[cfg(any(test, feature = "timers"))]
pub mod timer;

pub use exit::exit;
pub use stack::Stack;
pub use thread::{ThreadSpec, run_in_order, start};
#[cfg(feature = "threads")]
pub use thread::{check_stacks, current_id, current_name, stack_overflow, switch, thread_exit, yield_now};
#[cfg(feature = "threads")]
pub use handle::Thread;
#[cfg(feature = "spawn")]
pub use spawn::{JoinHandle, spawn};
#[cfg(feature = "timers")]
pub use timer::Timer;
#[cfg(feature = "mutex")]
pub use mutex::{LockError, Mutex, MutexGuard};
#[cfg(feature = "queue")]
pub use queue::Queue;
#[cfg(feature = "semaphore")]
pub use semaphore::{Full, Semaphore};
#[cfg(feature = "events")]
pub use events::Events;
pub use duration::{Duration, Instant, TimedOut, Timeout};
#[cfg(feature = "preempt")]
pub use duration::{micros, sleep, sleep_until};
#[cfg(feature = "preempt")]
pub use thread::{counter, tick, tick_interrupts, ticks};
