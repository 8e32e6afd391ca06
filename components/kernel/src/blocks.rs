//! `Pool<T, N>`: a pool of `N` fixed-size blocks, O(1) allocate and free.

use crate::duration::{TimedOut, Timeout};
use crate::state;
use crate::sync::NO_WAIT;
use bluegen_port::{Blocks, CriticalSection, Freed, critical};
use core::sync::atomic::AtomicU32;

/// `N` blocks of a `T` (a buffer type such as `[u8; 128]`), allocated and
/// freed in constant time: a free list, a few loads and stores in a
/// critical section. [`Pool::alloc`] hands out a [`Block`] that derefs to
/// its `T` and frees it when dropped, so a block cannot be freed twice or
/// used after its free. A block keeps the value its last user left (the
/// pool starts with every block holding `init`); nothing is copied.
///
/// [`Pool::try_alloc`] and dropping a block never wait, so they work from
/// interrupt handlers; [`Pool::alloc`] with a timeout waits for a free,
/// which wakes the highest-priority waiter. A `Block` is `Send`: it can
/// travel through a [`crate::Queue`] and be freed by the receiver.
///
/// ```text
/// static BUFFERS: Pool<[u8; 128], 16> = Pool::new([0; 128]);   // 2 KiB of .bss
/// let mut buf = BUFFERS.alloc(Timeout::millis(10))?;
/// buf[0] = 1;
/// drop(buf);                                                   // free again
/// ```
pub struct Pool<T, const N: usize> {
    blocks: Blocks<T, N, Waiters>,
}

/// The threads waiting for a block of a [`Pool`] (a bitmap of thread
/// indices).
#[doc(hidden)]
pub struct Waiters(AtomicU32);

/// A block of a [`Pool`]: derefs to its `T`; dropping it frees the block
/// and wakes the highest-priority thread waiting for one.
pub type Block<'a, T, const N: usize> = bluegen_port::Block<'a, T, N, Waiters>;

impl Freed for Waiters {
    #[inline(always)]
    fn freed(&self, cs: CriticalSection<'_>) -> bool {
        state::wake_one(cs, &self.0).is_some_and(|(_, preempt)| preempt)
    }

    fn switch(&self) {
        state::reschedule(true);
    }
}

impl<T: Copy, const N: usize> Pool<T, N> {
    /// `N` free blocks, each holding `init` (1 ≤ N ≤ 65 534). An all-zero
    /// `init` puts the blocks in `.bss`.
    pub const fn new(init: T) -> Self {
        Self { blocks: Blocks::new(init, Waiters(AtomicU32::new(0))) }
    }
}

impl<T: Send, const N: usize> Pool<T, N> {
    /// A free block, waiting at most `timeout` for one (the one freed last
    /// comes first). With [`Timeout::NO_WAIT`] it works from interrupt
    /// handlers.
    #[inline(always)]
    pub fn alloc(&self, timeout: Timeout) -> Result<Block<'_, T, N>, TimedOut> {
        // Kernel state: privileged for an unprivileged caller (isolation).
        crate::kcall!({
            let mut timeout = timeout.raw();
            let waiters = &self.blocks.hook().0;
            let mut since = 0;
            loop {
                let step = critical(|cs| match self.blocks.take(cs) {
                    Some(block) => Ok(block),
                    None if timeout == NO_WAIT => Err(false),
                    None => {
                        since = state::enqueue(cs, waiters, timeout);
                        Err(true)
                    }
                });
                match step {
                    Ok(block) => return Ok(block),
                    Err(false) => return Err(TimedOut(())),
                    // Woken by a free, which another thread may have won: again,
                    // for what is left of the timeout.
                    Err(true) => {
                        if !state::wait(waiters, timeout) {
                            return Err(TimedOut(()));
                        }
                        timeout = crate::sync::left(timeout, since);
                    }
                }
            }
        })
    }

    /// A free block if there is one, without waiting (also from interrupt
    /// handlers).
    #[inline(always)]
    pub fn try_alloc(&self) -> Result<Block<'_, T, N>, TimedOut> {
        // Kernel state: privileged for an unprivileged caller (isolation).
        crate::kcall!({
            self.alloc(Timeout::NO_WAIT)
        })
    }

    /// The free blocks now (it walks the free list, so O(free blocks): for
    /// checks and statistics, not for the fast path).
    pub fn available(&self) -> usize {
        // Kernel state: privileged for an unprivileged caller (isolation).
        crate::kcall!({
            critical(|cs| self.blocks.available(cs))
        })
    }

    /// Whether every block is allocated.
    pub fn is_exhausted(&self) -> bool {
        // Kernel state: privileged for an unprivileged caller (isolation).
        crate::kcall!({
            self.blocks.is_exhausted()
        })
    }

    /// The number of blocks, `N`.
    pub const fn capacity(&self) -> usize {
        N
    }
}

#[cfg(test)]
mod tests {
    use super::Pool;
    use crate::Timeout;

    #[test]
    fn allocates_every_block_then_refuses_and_a_drop_frees_one() {
        static P: Pool<[u32; 4], 3> = Pool::new([0; 4]);
        assert_eq!((P.capacity(), P.available()), (3, 3));
        let mut a = P.try_alloc().unwrap();
        let b = P.alloc(Timeout::NO_WAIT).unwrap();
        let c = P.alloc(Timeout::FOREVER).unwrap();
        assert!(P.is_exhausted());
        assert!(P.try_alloc().is_err(), "none left");
        // On the host nothing switches: a finite wait times out at once.
        assert!(P.alloc(Timeout::ticks(5)).is_err(), "a timed wait with none free times out");
        a[1] = 9;
        assert_eq!((a[1], b[1], c[1]), (9, 0, 0), "the blocks are distinct");
        let freed = b.index();
        drop(b);
        assert_eq!(P.available(), 1);
        let mut d = P.try_alloc().unwrap();
        assert_eq!(d.index(), freed, "the block freed last comes first");
        d[1] = 5;
        drop((a, c, d));
        assert_eq!(P.available(), 3);
        let again = P.try_alloc().unwrap();
        assert_eq!((again.index(), again[1]), (freed, 5), "a block keeps what its last user left");
    }
}
