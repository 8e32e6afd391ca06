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

use crate::duration::{TimedOut, Timeout};
use crate::pool;
use crate::sched::MAX_THREADS;
use crate::state;
#[cfg(not(feature = "priority-change"))]
use bluegen_port::CriticalSection;
use bluegen_port::{CsCell, critical};
use core::sync::atomic::Ordering::Relaxed;
use core::sync::atomic::{AtomicU8, AtomicUsize};

pub use crate::pool::SLOTS;

/// Per slot: the running thread's entry, argument and priority.
static ENTRY: [CsCell<fn(usize)>; SLOTS] = [const { CsCell::new(nothing) }; SLOTS];
static ARG: [AtomicUsize; SLOTS] = [const { AtomicUsize::new(0) }; SLOTS];
static PRIORITY: [AtomicU8; SLOTS] = [const { AtomicU8::new(0) }; SLOTS];

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

/// Where every spawned thread starts: calls its slot's entry with its
/// argument.
fn trampoline() {
    let Some(slot) = pool::slot_of(state::current()) else { return };
    let (entry, arg) = critical(|cs| (ENTRY.get(slot).map_or(nothing as fn(usize), |e| e.get(cs)), ARG.get(slot).map_or(0, |a| a.load(Relaxed))));
    entry(arg);
}

/// The priority given to the spawn of scheduler index `index`, if it is a
/// spawn slot.
pub(crate) fn priority_of(index: usize) -> Option<u8> {
    Some(PRIORITY.get(pool::slot_of(index)?)?.load(Relaxed))
}

/// The first free slot for a thread of `priority` that keeps the live
/// spawned threads (`live`) in priority order (non-increasing with the
/// index), as (scheduler index, slot).
fn free_slot(priority: u8, live: impl Fn(usize) -> bool) -> Option<(usize, usize)> {
    let prio = |i: usize| priority_of(i).unwrap_or(0);
    let (first, end) = (pool::first(), (pool::first() + SLOTS).min(MAX_THREADS));
    // With PRIORITY_CHANGE the ranks, not the places, order the threads
    // (and a change may have reordered the live ones): any free slot.
    let ordered = |i: usize| cfg!(feature = "priority-change") || (first..i).all(|j| !live(j) || prio(j) >= priority) && (i + 1..end).all(|j| !live(j) || prio(j) <= priority);
    let fits = |i: usize| !live(i) && ordered(i);
    let index = (first..end).find(|&i| fits(i))?;
    Some((index, pool::slot_of(index)?))
}

/// The group masks of the spawn slots from their priorities: live spawned
/// threads of equal priority are one group.
#[cfg(not(feature = "priority-change"))]
fn regroup(cs: CriticalSection<'_>, live: u32) {
    let (first, end) = (pool::first(), (pool::first() + SLOTS).min(MAX_THREADS));
    for i in first..end {
        let mine = priority_of(i);
        let mut group = 1u32 << i;
        for j in first..end {
            if live & 1 << j != 0 && priority_of(j) == mine {
                group |= 1 << j;
            }
        }
        state::set_group(cs, i, group);
    }
}

/// Starts `entry(arg)` as a new thread on a free pool stack, at `priority`
/// among the spawned threads (which all rank below every thread of
/// device.toml). None when no slot is free, or none keeps the spawned
/// threads in priority order (a slot between a higher and a lower one is
/// needed), or the device's threads leave no scheduler slot.
#[must_use = "the handle is the only way to join the thread"]
pub fn spawn(priority: u8, entry: fn(usize), arg: usize) -> Option<JoinHandle> {
    // Kernel state: privileged for an unprivileged caller (isolation).
    crate::kcall!({
        critical(|cs| {
            let alive = state::alive();
            let current = state::current();
            let (index, slot) = free_slot(priority, |i| alive & 1 << i != 0 || i == current)?;
            let stack = pool::stack(slot)?;
            if cfg!(feature = "stack-check") {
                crate::stack::fill_red_zone(stack);
            }
            ENTRY.get(slot)?.set(cs, entry);
            ARG.get(slot)?.store(arg, Relaxed);
            PRIORITY.get(slot)?.store(priority, Relaxed);
            #[cfg(feature = "suspend")]
            state::unsuspend(cs, index);
            #[cfg(feature = "priority-change")]
            crate::rank::set_rank(cs, index, u16::from(priority));
            state::add(cs, index, crate::stack::init(stack, trampoline), 1 << index);
            #[cfg(feature = "priority-change")]
            (state::regroup(cs, index), crate::rank::check_order(cs, state::alive()));
            #[cfg(not(feature = "priority-change"))]
            regroup(cs, alive | 1 << index);
            Some(JoinHandle { slot, run: pool::ended_count(slot) })
        })
    })
}

impl JoinHandle {
    /// Whether the thread has ended.
    pub fn is_finished(&self) -> bool {
        // Kernel state: privileged for an unprivileged caller (isolation).
        crate::kcall!({
            pool::ended_count(self.slot) != self.run
        })
    }

    /// The spawned thread, while it runs.
    pub fn thread(&self) -> Option<crate::Thread> {
        // Kernel state: privileged for an unprivileged caller (isolation).
        crate::kcall!({
            if self.is_finished() {
                return None;
            }
            crate::Thread::find(pool::name(self.slot))
        })
    }

    /// Blocks until the thread has ended (at once if it has), at most
    /// `timeout`; `Err(TimedOut)` if it still runs then. Without `PREEMPT`
    /// there is no tick, so a finite timeout waits as long as the thread
    /// runs. A thread must not join itself.
    pub fn join(&self, timeout: Timeout) -> Result<(), TimedOut> {
        // Kernel state: privileged for an unprivileged caller (isolation).
        crate::kcall!({
            let timeout = timeout.raw();
            let blocked = critical(|cs| {
                if self.is_finished() {
                    return Some(true);
                }
                let Some(joiners) = pool::joiners(self.slot) else { return Some(true) };
                if state::current() >= MAX_THREADS || timeout == 0 {
                    return Some(false);
                }
                #[cfg(feature = "preempt")]
                let deadline = (timeout != state::FOREVER).then(|| state::ticks().wrapping_add(timeout));
                #[cfg(not(feature = "preempt"))]
                let deadline = None;
                state::block(cs, Some(joiners), deadline);
                None
            });
            let done = match blocked {
                Some(done) => done,
                None => {
                    bluegen_port::pend_switch();
                    // Woken by the end of the thread, or by the timeout.
                    critical(|_| {
                        let done = self.is_finished();
                        if !done && let Some(j) = pool::joiners(self.slot) {
                            j.store(j.load(Relaxed) & !(1 << state::me()), Relaxed);
                        }
                        done
                    })
                }
            };
            if done { Ok(()) } else { Err(TimedOut(())) }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(not(feature = "priority-change"))]
    fn a_spawn_keeps_the_spawned_threads_in_priority_order() {
        // The host has no device threads: slot s is scheduler index s.
        assert_eq!(pool::first(), 0);
        let set = |slot: usize, p: u8| PRIORITY[slot].store(p, Relaxed);
        let none = |_: usize| false;
        assert_eq!(free_slot(3, none), Some((0, 0)), "the first free slot");
        // Slot 0 runs at 5: a lower or equal spawn goes after it, a higher
        // one finds no slot above it.
        set(0, 5);
        let first_live = |i: usize| i == 0;
        assert_eq!(free_slot(5, first_live), Some((1, 1)));
        assert_eq!(free_slot(1, first_live), Some((1, 1)));
        assert_eq!(free_slot(6, first_live), None);
        // Slot 1 runs at 2, slot 0 is free: a spawn at 4 goes first, at 1 nowhere.
        set(1, 2);
        let second_live = |i: usize| i == 1;
        assert_eq!(free_slot(4, second_live), Some((0, 0)));
        assert_eq!(free_slot(2, second_live), Some((0, 0)));
        assert_eq!(free_slot(1, second_live), None);
        assert_eq!(free_slot(1, |_| true), None, "all taken");
    }

    /// With PRIORITY_CHANGE the ranks order the threads: any free slot.
    #[test]
    #[cfg(feature = "priority-change")]
    fn with_priority_change_any_free_slot_fits() {
        PRIORITY[0].store(1, Relaxed);
        assert_eq!(free_slot(5, |i| i == 0), Some((1, 1)));
        assert_eq!(free_slot(5, |_| true), None, "all taken");
    }
}
