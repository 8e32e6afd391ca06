//! The spawn pool: stacks, slots and joiners of dynamic threads.
//!
//! `SPAWN_THREADS` stacks of `SPAWN_STACK_SIZE` bytes each, in `.bss`.
//! Spawned threads take the scheduler slots after the device's threads;
//! slot `s` is scheduler index `first() + s`, named `spawn<s>`. The pool is
//! private to the kernel: no safe item hands out one of its stacks.

use crate::sched::MAX_THREADS;
use crate::stack::Stack;
use bluegen_port::CriticalSection;
use core::sync::atomic::AtomicU32;
use core::sync::atomic::Ordering::Relaxed;

/// Threads that can run spawned at the same time.
pub const SLOTS: usize = bluegen_config::SPAWN_THREADS as usize;
/// Words of each pool stack.
// The arch's extra (see `crate::sched::ARCH_STACK_EXTRA`) on top of the
// configured size, as bluegen adds it to the device's threads.
const WORDS: usize = (bluegen_config::SPAWN_STACK_SIZE as usize + crate::sched::ARCH_STACK_EXTRA) / 4;

/// The pool: one stack per slot.
static POOL: [Stack<WORDS>; SLOTS] = [const { Stack::new() }; SLOTS];
/// Per slot: how many of its threads have ended, so a handle of an earlier
/// thread in the same slot is never confused with the running one.
static ENDED: [AtomicU32; SLOTS] = [const { AtomicU32::new(0) }; SLOTS];
/// Per slot: the threads waiting to join its thread.
static JOINERS: [AtomicU32; SLOTS] = [const { AtomicU32::new(0) }; SLOTS];

/// Names of spawned threads, by slot.
const NAMES: [&str; 8] = ["spawn0", "spawn1", "spawn2", "spawn3", "spawn4", "spawn5", "spawn6", "spawn7"];

/// The scheduler index of the first spawn slot: right after the device's
/// threads.
pub(crate) fn first() -> usize {
    bluegen_port::threads().len()
}

/// The pool slot of scheduler index `index`, if it is a spawn slot.
pub(crate) fn slot_of(index: usize) -> Option<usize> {
    let slot = index.checked_sub(first())?;
    (slot < SLOTS && index < MAX_THREADS).then_some(slot)
}

/// The stack of `slot`.
pub(crate) fn stack(slot: usize) -> Option<&'static [AtomicU32]> {
    Some(POOL.get(slot)?.words())
}

/// The name of `slot`.
pub(crate) fn name(slot: usize) -> &'static str {
    NAMES.get(slot).copied().unwrap_or("spawn")
}

/// How many threads of `slot` have ended.
pub(crate) fn ended_count(slot: usize) -> u32 {
    ENDED.get(slot).map_or(0, |e| e.load(Relaxed))
}

/// The joiners of `slot`, a waiter bitmap.
pub(crate) fn joiners(slot: usize) -> Option<&'static AtomicU32> {
    JOINERS.get(slot)
}

/// Thread `index` ends: if it was spawned, counts its end and wakes its
/// joiners.
pub(crate) fn ended(cs: CriticalSection<'_>, index: usize) {
    let Some(slot) = slot_of(index) else { return };
    if let (Some(e), Some(j)) = (ENDED.get(slot), JOINERS.get(slot)) {
        e.store(e.load(Relaxed).wrapping_add(1), Relaxed);
        crate::state::wake(cs, j.load(Relaxed));
        j.store(0, Relaxed);
    }
}

/// Fills the red zone of every pool stack, at start-up.
#[cfg(feature = "stack-check")]
pub(crate) fn fill_red_zones() {
    for stack in &POOL {
        crate::stack::fill_red_zone(stack.words());
    }
}
