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
#[allow(dead_code)]
pub(crate) const FOREVER: u32 = crate::state::FOREVER;
