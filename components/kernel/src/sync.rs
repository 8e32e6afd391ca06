//! Blocking objects: counting semaphore, mutex with priority inheritance,
//! message queue, event flags. Every blocking call takes a
//! [`crate::Timeout`] (kept here as its raw ticks: [`NO_WAIT`], [`FOREVER`]
//! or a count); give, unlock and send never block and work from interrupt
//! handlers.
//!
//! Each object keeps its waiters as a bitmap of thread indices, so the
//! highest-priority waiter is one `trailing_zeros` away. A waiter blocks and
//! wakes through the scheduler state's one path (`state::enqueue`,
//! `state::wait`, `state::wake_one`): it leaves the ready set and, with a
//! finite timeout, joins the sleepers; whichever comes first, a give or the
//! timeout, makes it ready again, and its `GIVEN` flag tells which. One
//! file per object: `semaphore.rs`, `mutex.rs`, `queue.rs`, `events.rs`.

/// A raw timeout: do not wait.
pub(crate) const NO_WAIT: u32 = 0;
/// A raw timeout: wait until given, however long.
pub(crate) const FOREVER: u32 = crate::state::FOREVER;

/// A blocking call's timeout across retries: a waiter woken by a give can
/// lose the race to the object (another thread took it first) and wait
/// again, and then it waits only for what is left of its timeout, so a
/// finite timeout bounds the whole call. The deadline is fixed when the call
/// first blocks; nothing is read on the paths that do not block.
pub(crate) struct Budget {
    timeout: u32,
    deadline: Option<u32>,
}

impl Budget {
    pub(crate) const fn new(timeout: u32) -> Self {
        Self { timeout, deadline: None }
    }

    /// The raw timeout of the next wait: all of it the first time, then
    /// the ticks left until the deadline ([`NO_WAIT`] once it has passed);
    /// [`NO_WAIT`] and [`FOREVER`] stay what they are.
    #[inline(always)]
    pub(crate) fn next(&mut self) -> u32 {
        if self.timeout == NO_WAIT || self.timeout == FOREVER {
            return self.timeout;
        }
        let now = crate::time::ticks();
        match self.deadline {
            None => {
                self.deadline = Some(now.wrapping_add(self.timeout));
                self.timeout
            }
            Some(deadline) => {
                let left = deadline.wrapping_sub(now);
                if (left as i32) > 0 { left } else { NO_WAIT }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_retry_waits_only_for_what_is_left() {
        let mut b = Budget::new(10);
        assert_eq!(b.next(), 10);
        // No tick passes on the host: all of it is left, as a deadline.
        assert_eq!(b.next(), 10);
        let mut past = Budget { timeout: 10, deadline: Some(crate::time::ticks().wrapping_sub(1)) };
        assert_eq!(past.next(), NO_WAIT);
        assert_eq!(Budget::new(FOREVER).next(), FOREVER);
        assert_eq!(Budget::new(NO_WAIT).next(), NO_WAIT);
    }
}
