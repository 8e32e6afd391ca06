//! What the blocking objects share: raw timeouts and the retry budget.
//!
//! Every blocking call of the semaphore, mutex, queue and event flags takes
//! a [`crate::Timeout`] (kept here as its raw ticks: [`NO_WAIT`], [`FOREVER`]
//! or a count); give, unlock and send never block and work from interrupt
//! handlers. Each object keeps its waiters as a bitmap of thread indices,
//! so the highest-priority waiter is one `trailing_zeros` away. A waiter
//! blocks and wakes through the scheduler state's one path
//! (`state::enqueue`, `state::wait`, `state::wake_one`). One file per
//! object: `semaphore.rs`, `mutex.rs`, `queue.rs`, `events.rs`.

/// A raw timeout: do not wait.
pub(crate) const NO_WAIT: u32 = 0;
/// A raw timeout: wait until given, however long.
#[cfg(any(feature = "queue", feature = "events", feature = "pool", test))]
pub(crate) const FOREVER: u32 = crate::state::FOREVER;

/// A blocking call's timeout after a retry: a waiter woken by a give can
/// lose the race to the object (another thread took it first) and wait
/// again, and then it waits only for what is left of `timeout` since
/// `since` (the tick count when the call first blocked), so a finite
/// timeout bounds the whole call; [`NO_WAIT`] once it ran out. Out of line:
/// only the rare retry pays for it, not the inlined fast paths.
#[cfg(any(feature = "queue", feature = "events", feature = "pool", test))]
#[inline(never)]
pub(crate) fn left(timeout: u32, since: u32) -> u32 {
    if timeout == FOREVER {
        return FOREVER;
    }
    timeout.saturating_sub(crate::time::ticks().wrapping_sub(since))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_retry_waits_only_for_what_is_left() {
        let now = crate::time::ticks();
        assert_eq!(left(10, now), 10);
        assert_eq!(left(10, now.wrapping_sub(4)), 6);
        assert_eq!(left(10, now.wrapping_sub(10)), NO_WAIT);
        assert_eq!(left(10, now.wrapping_sub(20)), NO_WAIT);
        assert_eq!(left(FOREVER, now.wrapping_sub(20)), FOREVER);
    }
}
