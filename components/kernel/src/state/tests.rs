//! Host tests of the scheduler state: suspend, and the 64-bit tick count.

#[cfg(feature = "suspend")]
mod suspend {
    use crate::state::*;
    use bluegen_port::critical;

    #[test]
    fn a_suspended_thread_is_parked_until_resumed() {
        critical(|cs| {
            READY.store(0b1000, Relaxed);
            assert!(!suspend(cs, 3), "not the caller");
            assert!(is_suspended(3));
            assert_eq!(READY.load(Relaxed), 0, "a ready thread stops");
            // A wake of threads 3 and 4 (a give, a timeout) readies only 4.
            assert_eq!(make_ready(cs, 0b1_1000), 0b1_0000);
            READY.store(0, Relaxed);
            assert!(resume(cs, 3).is_some());
            assert_eq!(READY.load(Relaxed), 0b1000, "resumed, it is ready again");
            assert_eq!(resume(cs, 3), None, "not suspended any more");
            // Suspended while waiting: the wake parks it, the resume readies it.
            READY.store(0, Relaxed);
            suspend(cs, 5);
            assert_eq!(resume(cs, 5), Some(false), "it still waits");
            assert_eq!(READY.load(Relaxed), 0);
            suspend(cs, 5);
            assert!(!wake(cs, 1 << 5), "a parked wake preempts nobody");
            assert!(resume(cs, 5).is_some());
            assert_eq!(READY.load(Relaxed), 1 << 5);
            assert!(!suspend(cs, 40) && resume(cs, 40).is_none(), "no such thread");
        });
    }
}

#[cfg(feature = "preempt")]
mod time {
    use crate::state::*;

    #[test]
    fn the_64_bit_tick_count_counts_wraps() {
        // TICKS stays as the host leaves it (other tests read it).
        let epoch = ticks64() >> 32;
        advanced(u32::MAX, 2);
        assert_eq!(ticks64() >> 32, epoch + 1, "a wrap adds 2^32 ticks");
        advanced(2, 3);
        assert_eq!(ticks64() >> 32, epoch + 1, "no wrap, no epoch");
        assert_eq!(ticks64() as u32, ticks());
    }
}

/// Without `ROUND_ROBIN` every thread is alone at its priority: a wake
/// preempts the running thread exactly when the woken one has a lower
/// index, and always preempts idle; the pick takes the lowest ready index.
#[cfg(not(any(feature = "priority-change", feature = "round-robin")))]
mod alone {
    use crate::state::*;
    use bluegen_port::critical;

    #[test]
    fn a_wake_preempts_only_from_a_lower_index() {
        critical(|cs| {
            for i in 0..4 {
                add(cs, i, 0, 1 << i);
            }
            READY.store(0b0100, Relaxed);
            CURRENT.store(2, Relaxed);
            assert!(wake(cs, 0b0001), "higher");
            assert!(!wake(cs, 0b1000), "lower");
            CURRENT.store(IDLE, Relaxed);
            assert!(wake(cs, 0b1000), "idle is preempted by all");
            CURRENT.store(NONE, Relaxed);
            assert!(wake(cs, 0b1000), "and so is none yet");
            (READY.store(0, Relaxed), ALIVE.store(0, Relaxed), CURRENT.store(NONE, Relaxed));
        });
    }
}

/// The pick's fast path and the wake-up's preempt test read SHARED and the
/// groups' lowest bits (no bit scan): both follow the groups.
#[cfg(all(not(feature = "priority-change"), feature = "round-robin"))]
mod groups {
    use crate::state::*;
    use bluegen_port::critical;

    #[test]
    fn shared_follows_the_groups_and_a_wake_preempts_only_from_a_higher_group() {
        critical(|cs| {
            // 0 alone, 1 and 2 equals, 3 alone and lowest.
            for (i, g) in [0b0001, 0b0110, 0b0110, 0b1000].into_iter().enumerate() {
                add(cs, i, 0, g);
            }
            let equals = crate::sched::shared_bit(1, 0b0110) | crate::sched::shared_bit(2, 0b0110);
            assert_eq!(equals.count_ones(), 2);
            assert_eq!(SHARED.load(Relaxed), equals, "start-up sets the bits of the equals");
            (store_group(cs, 1, 0b0010), store_group(cs, 2, 0b0100));
            assert_eq!(SHARED.load(Relaxed), 0, "alone again: cleared");
            (store_group(cs, 1, 0b0110), store_group(cs, 2, 0b0110));
            assert_eq!(SHARED.load(Relaxed), equals);
            // 2 runs: waking 0 preempts it, waking its equal 1 or the lower 3 does not.
            READY.store(0b0100, Relaxed);
            CURRENT.store(2, Relaxed);
            assert!(wake(cs, 0b0001), "higher");
            assert!(!wake(cs, 0b0010), "equal");
            assert!(!wake(cs, 0b1000), "lower");
            // 3 runs: any of the others preempts it; idle is preempted by all.
            CURRENT.store(3, Relaxed);
            assert!(wake(cs, 0b0010));
            CURRENT.store(IDLE, Relaxed);
            assert!(wake(cs, 0b1000));
            for i in 0..4 {
                store_group(cs, i, 0);
            }
            (READY.store(0, Relaxed), ALIVE.store(0, Relaxed), CURRENT.store(NONE, Relaxed));
        });
    }
}
