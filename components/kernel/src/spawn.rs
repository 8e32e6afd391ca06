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

use crate::sched::MAX_THREADS;
use crate::stack::Stack;
use crate::thread::critical;
use crate::thread::state::*;
use core::sync::atomic::AtomicU32;
use core::sync::atomic::Ordering::Relaxed;

/// Threads that can run spawned at the same time.
pub const SLOTS: usize = bluegen_config::SPAWN_THREADS as usize;
/// Words of each pool stack.
const WORDS: usize = bluegen_config::SPAWN_STACK_SIZE as usize / 4;

/// The pool: one stack per slot.
static POOL: [Stack<WORDS>; SLOTS] = [const { Stack::new() }; SLOTS];
/// Per slot: how many of its threads have ended, so a handle of an earlier
/// thread in the same slot is never confused with the running one.
static ENDED: [AtomicU32; SLOTS] = [const { AtomicU32::new(0) }; SLOTS];
/// Per slot: the threads waiting in [`JoinHandle::join`].
static JOINERS: [AtomicU32; SLOTS] = [const { AtomicU32::new(0) }; SLOTS];

/// Names of spawned threads, by slot.
const NAMES: [&str; 8] = ["spawn0", "spawn1", "spawn2", "spawn3", "spawn4", "spawn5", "spawn6", "spawn7"];

/// A spawned thread, to wait for with [`JoinHandle::join`].
#[derive(Debug)]
pub struct JoinHandle {
    slot: usize,
    run: u32,
}

/// The scheduler index of the first spawn slot: right after the device's
/// threads.
fn first() -> usize {
    crate::port::__bluegen_threads().len()
}

/// The pool slot of scheduler index `index`, if it is a spawn slot.
fn slot_of(index: usize) -> Option<usize> {
    let slot = index.checked_sub(first())?;
    (slot < SLOTS && index < MAX_THREADS).then_some(slot)
}

/// The group mask of the spawn slots: they share one priority.
fn group() -> u32 {
    let mut mask = 0;
    for i in first()..(first() + SLOTS).min(MAX_THREADS) {
        mask |= 1 << i;
    }
    mask
}

/// Starts `entry` as a new thread on a free pool stack, below every
/// thread of device.toml in priority; None when every slot is taken (or
/// the device's threads leave no scheduler slot).
pub fn spawn(entry: fn()) -> Option<JoinHandle> {
    critical(|| {
        let alive = ALIVE.load(Relaxed);
        let current = CURRENT.load(Relaxed);
        let (index, slot) = (first()..MAX_THREADS)
            .filter_map(|i| slot_of(i).map(|s| (i, s)))
            .find(|&(i, _)| alive & 1 << i == 0 && i != current)?;
        let stack = POOL.get(slot)?.words();
        if cfg!(feature = "stack-check") {
            crate::stack::fill_red_zone(stack);
        }
        SP[index].store(crate::port::__bluegen_port_init_stack(crate::stack::top(stack), entry), Relaxed);
        GROUP[index].store(group(), Relaxed);
        let bit = 1u32 << index;
        READY.store(READY.load(Relaxed) | bit, Relaxed);
        ALIVE.store(ALIVE.load(Relaxed) | bit, Relaxed);
        let run = ENDED.get(slot).map_or(0, |e| e.load(Relaxed));
        Some(JoinHandle { slot, run })
    })
}

impl JoinHandle {
    /// Whether the thread has ended.
    pub fn is_finished(&self) -> bool {
        ENDED.get(self.slot).is_none_or(|e| e.load(Relaxed) != self.run)
    }

    /// Blocks until the thread has ended (at once if it has). A thread
    /// must not join itself.
    pub fn join(self) {
        loop {
            let blocked = critical(|| {
                let me = CURRENT.load(Relaxed);
                if self.is_finished() || me >= MAX_THREADS {
                    return false;
                }
                let Some(joiners) = JOINERS.get(self.slot) else { return false };
                let bit = 1u32 << me;
                joiners.store(joiners.load(Relaxed) | bit, Relaxed);
                READY.store(READY.load(Relaxed) & !bit, Relaxed);
                true
            });
            if !blocked {
                return;
            }
            crate::port::__bluegen_port_pend_switch();
        }
    }
}

/// Inside the critical section of `thread_exit`: if thread `index` was
/// spawned, counts its end and makes its joiners ready.
pub(crate) fn ended(index: usize) {
    let Some(slot) = slot_of(index) else { return };
    if let (Some(e), Some(j)) = (ENDED.get(slot), JOINERS.get(slot)) {
        e.store(e.load(Relaxed).wrapping_add(1), Relaxed);
        READY.store(READY.load(Relaxed) | j.load(Relaxed), Relaxed);
        j.store(0, Relaxed);
    }
}

/// Fills the red zone of every pool stack, at start-up.
pub(crate) fn fill_red_zones() {
    for stack in &POOL {
        crate::stack::fill_red_zone(stack.words());
    }
}

/// Calls `f` with the name and stack of every pool slot.
pub(crate) fn for_each_stack(mut f: impl FnMut(&'static str, &'static [AtomicU32])) {
    for (slot, stack) in POOL.iter().enumerate() {
        f(NAMES.get(slot).copied().unwrap_or("spawn"), stack.words());
    }
}

/// The scheduler index of the running spawned thread named `name`.
pub(crate) fn find(name: &str) -> Option<usize> {
    let slot = NAMES.iter().take(SLOTS).position(|n| *n == name)?;
    let index = first() + slot;
    (index < MAX_THREADS && ALIVE.load(Relaxed) & 1 << index != 0).then_some(index)
}

/// The stack and name of thread `index`, if it is a spawn slot.
pub(crate) fn thread_of(index: usize) -> Option<(&'static str, &'static [AtomicU32])> {
    let slot = slot_of(index)?;
    Some((NAMES.get(slot).copied().unwrap_or("spawn"), POOL.get(slot)?.words()))
}
