//! Host tests of `set_priority`: the pick, the wake-ups, the preemption
//! checks, the groups and the mutex proxies by rank.

use super::*;
use crate::rank::{DEVICE_RANK, check_order, in_order, rank, set_rank};
use bluegen_port::critical;

/// Threads 0, 1, 2 at 9, 5, 5 (1 and 2 one group), 3 at 1; 2 runs.
fn setup(cs: CriticalSection<'_>) {
    for (i, p) in [9u16, 5, 5, 1].into_iter().enumerate() {
        set_rank(cs, i, DEVICE_RANK | p);
    }
    ALIVE.store(0b1111, Relaxed);
    for i in 0..4 {
        regroup(cs, i);
    }
    check_order(cs, 0b1111);
    assert!(in_order(), "the table's order");
    HEADS.store(0b100, Relaxed);
    READY.store(0b1110, Relaxed);
    CURRENT.store(2, Relaxed);
}

fn teardown(cs: CriticalSection<'_>) {
    for i in 0..4 {
        set_rank(cs, i, 0);
        store_group(cs, i, 0);
    }
    (READY.store(0, Relaxed), ALIVE.store(0, Relaxed), HEADS.store(0, Relaxed), CURRENT.store(NONE, Relaxed));
    check_order(cs, 0);
}

#[test]
fn the_highest_rank_wins_the_pick_the_wake_and_the_preemption() {
    critical(|cs| {
        setup(cs);
        assert_eq!((GROUP[1].load(Relaxed), GROUP[0].load(Relaxed)), (0b110, 0b1), "groups by rank");
        assert_eq!(best_of(0b1110), 1, "table order while nothing changed");
        // Raise 3 (1) above 1 and 2 (5): it is picked, a give to a
        // semaphore that 1 and 3 wait on serves 3, and a wake of 3
        // preempts the running 2.
        assert!(!set_priority(cs, 3, DEVICE_RANK | 1), "the same priority: no change");
        READY.store(0b0110, Relaxed);
        assert!(!set_priority(cs, 3, DEVICE_RANK | 7), "3 waits: nothing to switch now");
        assert!(!in_order(), "3 now outranks 1 and 2");
        assert_eq!(rank(3) as u8, 7, "the priority `Thread::priority` reads");
        let waiters = AtomicU32::new(0b1010);
        assert_eq!(wake_one(cs, &waiters), Some((3, true)), "the raised waiter first, and it preempts");
        assert_eq!(waiters.load(Relaxed), 0b0010);
        assert_eq!(switch(cs, 2, 0), 3, "picked above 2");
        // Lower the running 3 below the ready 1 and 2: the switch picks one of them.
        assert!(set_priority(cs, 3, DEVICE_RANK | 2), "the running thread: switch");
        let next = switch(cs, 3, 0);
        assert!(next == 1 || next == 2, "{next}");
        // Raise 2 to 0's level: they share a group, 1 leaves it, and a
        // ready 2 asks for a switch.
        assert!(set_priority(cs, 2, DEVICE_RANK | 9));
        assert_eq!((GROUP[0].load(Relaxed), GROUP[2].load(Relaxed), GROUP[1].load(Relaxed)), (0b101, 0b101, 0b10));
        assert!(outranks(2, 1, || GROUP[1].load(Relaxed)) && !outranks(1, 2, || GROUP[2].load(Relaxed)));
        teardown(cs);
    });
}

#[test]
fn the_running_thread_keeps_the_core_against_its_new_equals() {
    critical(|cs| {
        setup(cs);
        // 2 runs at 5 beside 1; it rises to 9, 0's level, with 0 ready.
        READY.store(0b0111, Relaxed);
        CURRENT.store(2, Relaxed);
        assert!(set_priority(cs, 2, DEVICE_RANK | 9));
        assert_eq!(switch(cs, 2, 0), 2, "the head of its new group");
        // Another thread lowered into a group is not its head.
        assert!(set_priority(cs, 1, DEVICE_RANK | 9));
        assert_eq!(switch(cs, 2, 0), 2);
        assert_eq!(GROUP[2].load(Relaxed), 0b111);
        teardown(cs);
    });
}

/// Round robin keeps working once a change took the ranks out of table
/// order (the scan path of `best_of`).
#[test]
fn equals_still_take_turns_after_a_reordering_change() {
    critical(|cs| {
        setup(cs);
        // 0 (9) lowered to 1: it joins 3's group, below 1 and 2 (5).
        assert!(!set_priority(cs, 0, DEVICE_RANK | 1), "0 is not ready");
        assert!(!in_order());
        assert_eq!((GROUP[0].load(Relaxed), GROUP[3].load(Relaxed)), (0b1001, 0b1001));
        READY.store(0b1111, Relaxed);
        CURRENT.store(1, Relaxed);
        HEADS.store(0b10, Relaxed);
        assert_eq!(switch(cs, 1, 0), 1, "the head runs on");
        rotate(cs);
        assert_eq!(switch(cs, 1, 0), 2, "a yield passes the turn");
        rotate(cs);
        assert_eq!(switch(cs, 2, 0), 1, "and wraps");
        // 1 and 2 block: 0 and 3 (both 1) take turns, 0 first.
        READY.store(0b1001, Relaxed);
        assert_eq!(switch(cs, 1, 0), 0);
        rotate(cs);
        assert_eq!(switch(cs, 0, 0), 3);
        rotate(cs);
        assert_eq!(switch(cs, 3, 0), 0);
        // 2 wakes: it outranks the running 0 and preempts.
        assert!(wake(cs, 0b100));
        assert_eq!(switch(cs, 0, 0), 2);
        // 2 blocks again, 0 runs and yields, and 1 (5) wakes before the
        // switch: 1 outranks the group although it lies after 0 in the table
        // (the yield's one pass, which assumes the table order, stays out).
        (READY.store(0b1011, Relaxed), CURRENT.store(0, Relaxed));
        rotate(cs);
        assert_eq!(switch(cs, 0, 0), 1, "the higher thread, not 0's equal 3");
        teardown(cs);
    });
}

#[cfg(feature = "mutex")]
#[test]
fn a_mutex_proxy_competes_at_the_waiters_new_rank() {
    critical(|cs| {
        setup(cs);
        // 0 (9) waits for a mutex that 3 (1) owns; 1 and 2 (5) and 3 are ready.
        READY.store(0b1110, Relaxed);
        CURRENT.store(0, Relaxed);
        proxy(cs, 3);
        CURRENT.store(2, Relaxed);
        assert_eq!(switch(cs, 2, 0), 3, "the owner runs in 0's place");
        // 0 lowered below 1 and 2: no inheritance above them any more.
        set_priority(cs, 0, DEVICE_RANK | 3);
        let next = switch(cs, 3, 0);
        assert!(next == 1 || next == 2, "{next}");
        // 3 raised above 0's rank: it runs on its own.
        set_priority(cs, 3, DEVICE_RANK | 8);
        assert_eq!(switch(cs, next, 0), 3);
        // 0 raised to 9 again: through the proxy, still 3.
        set_priority(cs, 0, DEVICE_RANK | 9);
        assert_eq!(switch(cs, 3, 0), 3);
        unproxy(cs, 0);
        teardown(cs);
    });
}
