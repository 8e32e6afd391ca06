//! Dynamic threads: spawn at run time, join when done.
//!
//! [`spawn`] starts `entry` on a free stack of the kernel's pool
//! (`SPAWN_THREADS` stacks of `SPAWN_STACK_SIZE` bytes each, in `.bss`) and
//! returns a [`JoinHandle`]; [`JoinHandle::join`] blocks the caller until
//! the thread returned (or called `thread_exit`). When a spawned thread
//! ends its slot and stack are free for the next spawn.
//!
//! Spawned threads take the scheduler slots after the device's threads, so
//! they run below every thread of device.toml, as one priority group: they
//! share the core round-robin (yield, time slices). They are named
//! `spawn0`, `spawn1`, … after their slot, and the stack check covers them
//! like any other thread. Spawn and join from threads only, never from an
//! interrupt handler.
//!
//! Usage:
//!
//! ```text
//! let worker = bluegen_kernel::spawn(work).expect("a free slot");
//! worker.join();
//! ```

use crate::pool;
use crate::sched::MAX_THREADS;
use crate::state;
use bluegen_port::critical;

pub use crate::pool::SLOTS;

/// A spawned thread, to wait for with [`JoinHandle::join`].
#[derive(Debug)]
pub struct JoinHandle {
    slot: usize,
    run: u32,
}

/// Starts `entry` as a new thread on a free pool stack, below every
/// thread of device.toml in priority; None when every slot is taken (or
/// the device's threads leave no scheduler slot).
pub fn spawn(entry: fn()) -> Option<JoinHandle> {
    critical(|cs| {
        let alive = state::alive();
        let current = state::current();
        let (index, slot) = (pool::first()..MAX_THREADS)
            .filter_map(|i| pool::slot_of(i).map(|s| (i, s)))
            .find(|&(i, _)| alive & 1 << i == 0 && i != current)?;
        let stack = pool::stack(slot)?;
        if cfg!(feature = "stack-check") {
            crate::stack::fill_red_zone(stack);
        }
        state::add(cs, index, crate::stack::init(stack, entry), pool::group());
        Some(JoinHandle { slot, run: pool::ended_count(slot) })
    })
}

impl JoinHandle {
    /// Whether the thread has ended.
    pub fn is_finished(&self) -> bool {
        pool::ended_count(self.slot) != self.run
    }

    /// Blocks until the thread has ended (at once if it has). A thread
    /// must not join itself.
    pub fn join(self) {
        loop {
            let blocked = critical(|cs| {
                if self.is_finished() || state::current() >= MAX_THREADS {
                    return false;
                }
                let Some(joiners) = pool::joiners(self.slot) else { return false };
                state::block(cs, Some(joiners), None);
                true
            });
            if !blocked {
                return;
            }
            bluegen_port::pend_switch();
        }
    }
}
