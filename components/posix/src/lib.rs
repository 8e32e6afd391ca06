//! The POSIX real-time API for C apps, on the bluegen kernel.
//!
//! A device with C sources (`[c]`) that turns on one of this crate's
//! Kconfig option groups links it: the functions of `<pthread.h>`,
//! `<semaphore.h>`, `<mqueue.h>` and the clocks and timers of `<time.h>` are
//! `extern "C"` functions here, built on the kernel's spawn pool, mutex
//! (with priority inheritance), semaphore, sleep and time. Each group is a
//! cargo feature and costs nothing when off:
//!
//! | Kconfig | module | on the kernel's |
//! |---|---|---|
//! | `POSIX_THREADS_BASE` | [`thread`], [`attr`], [`mutex`], [`cond`] | spawn, `Mutex<()>`, `Semaphore` |
//! | `POSIX_SEMAPHORES` | [`sem`] | `Semaphore` |
//! | `POSIX_MESSAGE_PASSING` | [`mq`] | `Semaphore`, the heap |
//! | `POSIX_TIMERS`, `POSIX_CLOCK_SELECTION` | [`clock`], [`timer`] | tick, sleep, `Semaphore` and spawn (SIGEV_THREAD) |
//! | `POSIX_BARRIERS`, `POSIX_READER_WRITER_LOCKS`, `POSIX_SPIN_LOCKS` | [`barrier`], [`rwlock`], [`spin`] | mutex and condvars above |
//! | any of them | [`sysconf`] (and `gettimeofday` with `POSIX_TIMERS`) | the features |
//!
//! # The C side's contract
//!
//! This is an FFI boundary: C hands over raw pointers, and this crate
//! dereferences them (hence `unsafe` here, each block with its reason).
//! What every function assumes of its pointer arguments is what POSIX
//! asks of a conforming application: a pointer to an object is null
//! (checked where POSIX gives an error for it) or points at a live,
//! suitably aligned object of the header's type, which was initialised as
//! POSIX says (by its `*_init` function or its static initialiser) unless
//! the function is that initialiser, and which is not moved, copied or
//! freed while a thread uses it (a locked mutex, a waited-on semaphore);
//! a string is NUL-terminated. The objects live in C memory: the headers
//! in `include/` declare them with the sizes and alignments of the
//! `#[repr(C)]` types here (checked at compile time against the kernel's
//! objects they hold).
//!
//! Errors follow POSIX: the `pthread_*` functions return an error number;
//! the others return -1 and set `errno` (picolibc's, which is per thread:
//! `c/errno.c` sets it).
//!
//! Host unit tests (`cargo test -p bluegen-posix --features …`) call the
//! functions as Rust functions: on the host they are not exported under
//! their C names, which would replace the host C library's own
//! (`pthread_create`, `sleep` …) under the test harness.

#![cfg_attr(not(test), no_std)]
#![allow(non_camel_case_types)]
// Every `extern "C"` function has the one contract documented above
// ("The C side's contract"), not a `# Safety` section of its own.
#![allow(clippy::missing_safety_doc)]

#[cfg(any(feature = "posix-message-passing", feature = "posix-semaphores"))]
extern crate alloc;

pub mod errno;
#[cfg(any(feature = "posix-threads-base", feature = "posix-semaphores", feature = "posix-message-passing", feature = "posix-timers"))]
mod cell;
#[cfg(any(feature = "posix-threads-base", feature = "posix-semaphores", feature = "posix-message-passing", feature = "posix-timers"))]
pub mod time;

#[cfg(feature = "posix-timers")]
pub mod clock;
#[cfg(feature = "posix-timers")]
pub mod timer;
#[cfg(feature = "posix-threads-base")]
pub mod cond;
#[cfg(feature = "posix-threads-base")]
pub mod mutex;
#[cfg(feature = "posix-threads-base")]
pub mod attr;
#[cfg(feature = "posix-threads-base")]
pub mod thread;
#[cfg(feature = "posix-semaphores")]
pub mod sem;
#[cfg(feature = "posix-message-passing")]
pub mod mq;
#[cfg(any(feature = "posix-semaphores", feature = "posix-message-passing"))]
mod names;
#[cfg(feature = "posix-barriers")]
pub mod barrier;
#[cfg(feature = "posix-reader-writer-locks")]
pub mod rwlock;
#[cfg(feature = "posix-spin-locks")]
pub mod spin;
#[cfg(any(feature = "posix-threads-base", feature = "posix-semaphores", feature = "posix-message-passing", feature = "posix-timers"))]
pub mod sysconf;
