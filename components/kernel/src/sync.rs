//! Blocking objects: counting semaphore, mutex with priority inheritance,
//! message queue, event flags. Every blocking call takes a timeout in ticks
//! ([`NO_WAIT`], [`FOREVER`] or a count); give/unlock/send never block and
//! work from interrupt handlers.
//!
//! Each object keeps its waiters as a bitmap of thread indices, so the
//! highest-priority waiter is one `trailing_zeros` away. A waiter blocks and
//! wakes through the scheduler state's one path (`state::enqueue`,
//! `state::wait`, `state::wake_one`): it leaves the ready set and, with a
//! finite timeout, joins the sleepers; whichever comes first, a give or the
//! timeout, makes it ready again, and its `GIVEN` flag tells which. One
//! file per object: `semaphore.rs`, `mutex.rs`, `queue.rs`, `events.rs`.

/// Do not wait.
pub const NO_WAIT: u32 = 0;
/// Wait until given, however long.
pub const FOREVER: u32 = crate::state::FOREVER;

#[cfg(feature = "events")]
pub use crate::events::Events;
pub use crate::events::flags_match;
#[cfg(feature = "mutex")]
pub use crate::mutex::Mutex;
#[cfg(feature = "queue")]
pub use crate::queue::Queue;
#[cfg(feature = "semaphore")]
pub use crate::semaphore::Semaphore;
