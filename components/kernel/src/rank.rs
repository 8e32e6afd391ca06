//! Run-time priorities (`PRIORITY_CHANGE`): each thread's rank, and whether the ranks still follow the table order.
//!
//! A rank is a thread's current priority, plus [`DEVICE_RANK`] for a
//! thread of device.toml, so that those rank above every spawned thread
//! whatever the priorities, as their places in the table do. The scheduler
//! state (`state`) asks for ranks wherever it wants the highest priority of
//! a set, and asks [`in_order`] first: while the living threads' ranks fall
//! with their index (the table's order: no change yet, or changes that kept
//! it) the lowest index is still the highest rank. Written only under a
//! critical-section token (start-up, spawn, `Thread::set_priority`).

use crate::sched::MAX_THREADS;
use bluegen_port::CriticalSection;
use core::sync::atomic::Ordering::Relaxed;
use core::sync::atomic::{AtomicBool, AtomicU16};

/// Added to the rank of a thread of device.toml.
pub(crate) const DEVICE_RANK: u16 = 1 << 8;

static RANK: [AtomicU16; MAX_THREADS] = [const { AtomicU16::new(0) }; MAX_THREADS];
static IN_ORDER: AtomicBool = AtomicBool::new(true);

/// Thread `index`'s rank (0 for idle and for no thread).
#[inline(always)]
pub(crate) fn rank(index: usize) -> u32 {
    RANK.get(index).map_or(0, |r| u32::from(r.load(Relaxed)))
}

/// Whether the living threads' ranks fall with their index (see
/// [`check_order`]).
#[inline(always)]
pub(crate) fn in_order() -> bool {
    IN_ORDER.load(Relaxed)
}

/// Start-up, spawn or a change: thread `index` ranks `rank`.
pub(crate) fn set_rank(cs: CriticalSection<'_>, index: usize, rank: u16) {
    let _ = cs;
    if let Some(r) = RANK.get(index) {
        r.store(rank, Relaxed);
    }
}

/// After a change or a spawn: whether the ranks of the threads of `alive`
/// still fall with the index.
pub(crate) fn check_order(cs: CriticalSection<'_>, alive: u32) {
    let _ = cs;
    let mut rest = alive;
    let (mut before, mut in_order) = (u32::MAX, true);
    while rest != 0 {
        let r = rank(rest.trailing_zeros() as usize);
        rest &= rest - 1;
        in_order &= r <= before;
        before = r;
    }
    IN_ORDER.store(in_order, Relaxed);
}
