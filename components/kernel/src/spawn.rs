//! Dynamic threads: spawn at run time, join when done.
//!
//! [`spawn`] starts `entry(arg)` on a free stack of the kernel's pool
//! (`SPAWN_THREADS` stacks of `SPAWN_STACK_SIZE` bytes each, in `.bss`) and
//! returns a [`JoinHandle`]; [`JoinHandle::join`] blocks the caller until
//! the thread returned (or called `thread_exit`), at most a timeout. When a
//! spawned thread ends its slot and stack are free for the next spawn.
//!
//! Spawned threads take the scheduler slots after the device's threads, so
//! they run below every thread of device.toml. Among themselves they run
//! by the priority given to [`spawn`]: a spawn takes the first free slot
//! that keeps the running spawned threads in priority order (highest
//! first), and threads of equal priority share the core round-robin
//! (yield, time slices). They are named `spawn0`, `spawn1`, … after their
//! slot, and the stack check covers them like any other thread. Spawn and
//! join from threads only, never from an interrupt handler.
//!
//! Usage:
//!
//! ```text
//! fn work(n: usize) { /* … */ }
//! let worker = bluegen_kernel::spawn(3, work, 42).expect("a free slot");
//! worker.join(Timeout::FOREVER).ok();
//! ```

use crate::cs_cell::CsCell;
use crate::duration::{TimedOut, Timeout};
use crate::sched::MAX_THREADS;
use crate::stack::Stack;
use crate::thread::critical;
use crate::thread::state::*;
use core::sync::atomic::Ordering::Relaxed;
use core::sync::atomic::{AtomicU8, AtomicU32, AtomicUsize};

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
/// Per slot: the running thread's entry, argument and priority.
static ENTRY: [CsCell<fn(usize)>; SLOTS] = [const { CsCell::new(nothing) }; SLOTS];
static ARG: [AtomicUsize; SLOTS] = [const { AtomicUsize::new(0) }; SLOTS];
static PRIORITY: [AtomicU8; SLOTS] = [const { AtomicU8::new(0) }; SLOTS];

/// Names of spawned threads, by slot.
const NAMES: [&str; 8] = ["spawn0", "spawn1", "spawn2", "spawn3", "spawn4", "spawn5", "spawn6", "spawn7"];

/// The entry of a slot that runs nothing.
fn nothing(_: usize) {}

/// A spawned thread, to wait for with [`JoinHandle::join`]. Dropping it
/// does not stop the thread.
#[must_use = "a spawned thread runs on; join it to wait until it has ended"]
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

/// Where every spawned thread starts: calls its slot's entry with its
/// argument.
fn trampoline() {
    let Some(slot) = slot_of(crate::thread::current_id()) else { return };
    let (entry, arg) = critical(|| (ENTRY[slot].get(), ARG[slot].load(Relaxed)));
    entry(arg);
}

/// Inside the critical section: the first free slot for a thread of
/// `priority` that keeps the alive spawned threads in priority order
/// (non-increasing with the index), with its scheduler index.
fn free_slot(priority: u8, alive: u32, current: usize) -> Option<(usize, usize)> {
    let live = |i: usize| alive & 1 << i != 0 || i == current;
    let prio = |i: usize| slot_of(i).map_or(0, |s| PRIORITY[s].load(Relaxed));
    let end = (first() + SLOTS).min(MAX_THREADS);
    (first()..end).find(|&i| {
        !live(i) && (first()..i).all(|j| !live(j) || prio(j) >= priority) && (i + 1..end).all(|j| !live(j) || prio(j) <= priority)
    })
    .and_then(|i| Some((i, slot_of(i)?)))
}

/// Inside the critical section: the group masks of the spawn slots, from
/// their priorities (alive threads of equal priority are one group).
fn regroup(alive: u32) {
    let end = (first() + SLOTS).min(MAX_THREADS);
    for i in first()..end {
        let Some(s) = slot_of(i) else { continue };
        let mine = PRIORITY[s].load(Relaxed);
        let mut mask = 1u32 << i;
        for j in first()..end {
            if alive & 1 << j != 0 && slot_of(j).is_some_and(|t| PRIORITY[t].load(Relaxed) == mine) {
                mask |= 1 << j;
            }
        }
        GROUP[i].store(mask, Relaxed);
    }
}

/// Starts `entry(arg)` as a new thread on a free pool stack, at `priority`
/// among the spawned threads (which all rank below every thread of
/// device.toml). None when no slot is free, or none keeps the spawned
/// threads in priority order (a slot between a higher and a lower one is
/// needed), or the device's threads leave no scheduler slot.
#[must_use = "the handle is the only way to join the thread"]
pub fn spawn(priority: u8, entry: fn(usize), arg: usize) -> Option<JoinHandle> {
    critical(|| {
        let alive = ALIVE.load(Relaxed);
        let (index, slot) = free_slot(priority, alive, CURRENT.load(Relaxed))?;
        let stack = POOL.get(slot)?.words();
        if cfg!(feature = "stack-check") {
            crate::stack::fill_red_zone(stack);
        }
        ENTRY[slot].set(entry);
        ARG[slot].store(arg, Relaxed);
        PRIORITY[slot].store(priority, Relaxed);
        SP[index].store(crate::port::__bluegen_port_init_stack(crate::stack::top(stack), trampoline), Relaxed);
        let bit = 1u32 << index;
        regroup(alive | bit);
        #[cfg(feature = "suspend")]
        crate::suspend::forget(bit);
        READY.store(READY.load(Relaxed) | bit, Relaxed);
        ALIVE.store(alive | bit, Relaxed);
        let run = ENDED.get(slot).map_or(0, |e| e.load(Relaxed));
        Some(JoinHandle { slot, run })
    })
}

impl JoinHandle {
    /// Whether the thread has ended.
    pub fn is_finished(&self) -> bool {
        ENDED.get(self.slot).is_none_or(|e| e.load(Relaxed) != self.run)
    }

    /// The spawned thread, while it runs.
    pub fn thread(&self) -> Option<crate::Thread> {
        if self.is_finished() {
            return None;
        }
        crate::Thread::find(NAMES.get(self.slot)?)
    }

    /// Blocks until the thread has ended (at once if it has), at most
    /// `timeout`; `Err(TimedOut)` if it still runs then. Without `PREEMPT`
    /// there is no tick, so a finite timeout waits as long as the thread
    /// runs. A thread must not join itself.
    pub fn join(&self, timeout: Timeout) -> Result<(), TimedOut> {
        let timeout = timeout.raw();
        let blocked = critical(|| {
            let me = CURRENT.load(Relaxed);
            if self.is_finished() {
                return Some(true);
            }
            let Some(joiners) = JOINERS.get(self.slot) else { return Some(true) };
            if me >= MAX_THREADS || timeout == 0 {
                return Some(false);
            }
            let bit = 1u32 << me;
            joiners.store(joiners.load(Relaxed) | bit, Relaxed);
            READY.store(READY.load(Relaxed) & !bit, Relaxed);
            #[cfg(feature = "preempt")]
            if timeout != u32::MAX {
                WAKE[me].store(TICKS.load(Relaxed).wrapping_add(timeout), Relaxed);
                SLEEPING.store(SLEEPING.load(Relaxed) | bit, Relaxed);
            }
            None
        });
        let done = match blocked {
            Some(done) => done,
            None => {
                crate::port::__bluegen_port_pend_switch();
                // Woken by the end of the thread, or by the timeout.
                critical(|| {
                    let done = self.is_finished();
                    if !done && let Some(j) = JOINERS.get(self.slot) {
                        j.store(j.load(Relaxed) & !(1 << CURRENT.load(Relaxed) % MAX_THREADS), Relaxed);
                    }
                    done
                })
            }
        };
        if done { Ok(()) } else { Err(TimedOut(())) }
    }
}

/// The priority of thread `index` given to [`spawn`], if it is a spawn slot.
pub(crate) fn priority_of(index: usize) -> Option<u8> {
    Some(PRIORITY.get(slot_of(index)?)?.load(Relaxed))
}

/// Inside the critical section of `thread_exit`: if thread `index` was
/// spawned, counts its end and makes its joiners ready.
pub(crate) fn ended(index: usize) {
    let Some(slot) = slot_of(index) else { return };
    if let (Some(e), Some(j)) = (ENDED.get(slot), JOINERS.get(slot)) {
        e.store(e.load(Relaxed).wrapping_add(1), Relaxed);
        let joiners = j.load(Relaxed);
        READY.store(READY.load(Relaxed) | crate::suspend::runnable(joiners), Relaxed);
        // A join with a timeout also sleeps: it no longer does.
        #[cfg(feature = "preempt")]
        SLEEPING.store(SLEEPING.load(Relaxed) & !joiners, Relaxed);
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
