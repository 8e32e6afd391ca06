//! Run-time priority changes (`PRIORITY_CHANGE`): a thread's new rank regroups the round robins.
//!
//! A child of `state`, so it reaches the scheduler's private statics; only
//! with the `priority-change` feature.

use super::{ALIVE, CriticalSection, GROUP, HEADS, MAX_THREADS, READY, Relaxed, current, store_group};
#[cfg(feature = "mutex")]
use super::PROXY;

/// With `PRIORITY_CHANGE`: thread `index` joins the priority group of the
/// living threads of its rank and leaves the groups of the others.
pub(crate) fn regroup(cs: CriticalSection<'_>, index: usize) {
    let _ = cs;
    if index >= MAX_THREADS {
        return;
    }
    let mine = crate::rank::rank(index);
    let bit = 1u32 << index;
    let mut group = bit;
    let mut rest = ALIVE.load(Relaxed) & !bit;
    while rest != 0 {
        let j = rest.trailing_zeros() as usize % MAX_THREADS;
        rest &= rest - 1;
        let g = GROUP[j].load(Relaxed);
        if crate::rank::rank(j) == mine {
            store_group(cs, j, g | bit);
            group |= 1 << j;
        } else {
            store_group(cs, j, g & !bit);
        }
    }
    store_group(cs, index, group);
}

/// `Thread::set_priority`: thread `index` ranks `rank` from now on,
/// whatever its state (its bits in every bitmap stay where they are; the
/// pick and the wake-ups read the rank). It changes group: it leaves its
/// old round robin (whose turn, if it held it, falls back to the group's
/// first ready thread); the running thread becomes the head of its new
/// group (it keeps the core against its new equals), another thread joins
/// its new group's turn where its index puts it. Returns whether the
/// caller should switch: the thread runs, is ready or stands in for a
/// mutex owner, so the pick may change.
pub(crate) fn set_priority(cs: CriticalSection<'_>, index: usize, rank: u16) -> bool {
    if index >= MAX_THREADS || crate::rank::rank(index) == u32::from(rank) {
        return false;
    }
    crate::rank::set_rank(cs, index, rank);
    regroup(cs, index);
    crate::rank::check_order(cs, ALIVE.load(Relaxed));
    let bit = 1u32 << index;
    let current = current();
    let heads = HEADS.load(Relaxed) & !bit;
    HEADS.store(if index == current { crate::sched::picked(heads, GROUP[index].load(Relaxed), index) } else { heads }, Relaxed);
    #[cfg(feature = "mutex")]
    let standing_in = PROXY.load(Relaxed);
    #[cfg(not(feature = "mutex"))]
    let standing_in = 0;
    index == current || (READY.load(Relaxed) | standing_in) & bit != 0
}
