//! Blocking objects: counting semaphore, mutex with priority inheritance,
//! message queue. Every blocking call takes a timeout in ticks
//! ([`NO_WAIT`], [`FOREVER`] or a count); give/unlock/send never block and
//! work from interrupt handlers.
//!
//! Each object keeps its waiters as a bitmap of thread indices, so the
//! highest-priority waiter is one `trailing_zeros` away. A waiter leaves the
//! ready set and, with a finite timeout, joins the sleepers; whichever comes
//! first, a give or the timeout, makes it ready again, and its `GIVEN` flag
//! tells which.

use crate::sched::MAX_THREADS;
use crate::thread::critical;
use crate::thread::state::*;
use core::sync::atomic::Ordering::Relaxed;
use core::sync::atomic::{AtomicU32, AtomicUsize};

/// Do not wait.
pub const NO_WAIT: u32 = 0;
/// Wait until given, however long.
pub const FOREVER: u32 = u32::MAX;

/// The caller's thread index. Only threads block or own a mutex, never
/// idle or an interrupt handler; the modulo keeps indexing panic-free.
fn me() -> usize {
    CURRENT.load(Relaxed) % MAX_THREADS
}

/// Inside a critical section: the calling thread leaves the ready set and
/// waits in `waiters` for at most `timeout` ticks.
fn enqueue(waiters: &AtomicU32, timeout: u32) {
    let me = me();
    let bit = 1 << me;
    waiters.store(waiters.load(Relaxed) | bit, Relaxed);
    READY.store(READY.load(Relaxed) & !bit, Relaxed);
    GIVEN[me].store(false, Relaxed);
    if timeout != FOREVER {
        WAKE[me].store(TICKS.load(Relaxed).wrapping_add(timeout), Relaxed);
        SLEEPING.store(SLEEPING.load(Relaxed) | bit, Relaxed);
    }
}

/// After waking: whether it was a give; on a timeout, leaves `waiters`.
/// A wait without a timeout ends only by a give ([`wake_one`]), so it needs
/// no second critical section (a dozen instructions off every blocking call).
fn dequeue_after_wait(waiters: &AtomicU32, timeout: u32) -> bool {
    if timeout == FOREVER {
        return true;
    }
    critical(|| {
        let me = me();
        let given = GIVEN[me].load(Relaxed);
        if !given {
            waiters.store(waiters.load(Relaxed) & !(1 << me), Relaxed);
        }
        given
    })
}

/// Inside a critical section: makes the highest-priority waiter ready with
/// its wait given; returns it, and whether it should preempt the caller.
fn wake_one(waiters: &AtomicU32) -> Option<(usize, bool)> {
    let w = waiters.load(Relaxed);
    if w == 0 {
        return None;
    }
    let i = w.trailing_zeros() as usize % MAX_THREADS;
    let bit = 1 << i;
    waiters.store(w & !bit, Relaxed);
    SLEEPING.store(SLEEPING.load(Relaxed) & !bit, Relaxed);
    READY.store(READY.load(Relaxed) | bit, Relaxed);
    GIVEN[i].store(true, Relaxed);
    let current = CURRENT.load(Relaxed);
    let preempt = current >= MAX_THREADS || (i < current && GROUP[current].load(Relaxed) & bit == 0);
    Some((i, preempt))
}

fn switch_if(preempt: bool) {
    if preempt {
        crate::port::__bluegen_port_pend_switch();
    }
}

/// A counting semaphore.
pub struct Semaphore {
    count: AtomicU32,
    waiters: AtomicU32,
}

impl Semaphore {
    /// A semaphore holding `count`.
    pub const fn new(count: u32) -> Self {
        Self { count: AtomicU32::new(count), waiters: AtomicU32::new(0) }
    }

    /// Takes one count, waiting at most `timeout` ticks; false on timeout.
    pub fn take(&self, timeout: u32) -> bool {
        let blocked = critical(|| {
            let c = self.count.load(Relaxed);
            if c > 0 {
                self.count.store(c - 1, Relaxed);
                return Some(true);
            }
            if timeout == NO_WAIT {
                return Some(false);
            }
            enqueue(&self.waiters, timeout);
            None
        });
        match blocked {
            Some(got) => got,
            None => {
                crate::port::__bluegen_port_pend_switch();
                dequeue_after_wait(&self.waiters, timeout)
            }
        }
    }

    /// Gives one count: to the highest-priority waiter if any. Also from
    /// interrupt handlers.
    pub fn give(&self) {
        let preempt = critical(|| match wake_one(&self.waiters) {
            Some((_, preempt)) => preempt,
            None => {
                self.count.store(self.count.load(Relaxed).saturating_add(1), Relaxed);
                false
            }
        });
        switch_if(preempt);
    }

    /// The count now.
    pub fn count(&self) -> u32 {
        self.count.load(Relaxed)
    }
}

/// No owner.
const NOBODY: usize = usize::MAX;

/// A mutex with priority inheritance: while a thread waits for it, its
/// owner runs in the waiter's place in the schedule (by proxy), so a
/// medium-priority thread cannot starve the owner.
pub struct Mutex {
    owner: AtomicUsize,
    waiters: AtomicU32,
}

impl Mutex {
    /// An unlocked mutex.
    pub const fn new() -> Self {
        Self { owner: AtomicUsize::new(NOBODY), waiters: AtomicU32::new(0) }
    }

    /// Locks it, waiting at most `timeout` ticks; false on timeout.
    pub fn lock(&self, timeout: u32) -> bool {
        let blocked = critical(|| {
            let owner = self.owner.load(Relaxed);
            if owner == NOBODY {
                self.owner.store(me(), Relaxed);
                return Some(true);
            }
            if timeout == NO_WAIT {
                return Some(false);
            }
            let me = me();
            enqueue(&self.waiters, timeout);
            PROXY.store(PROXY.load(Relaxed) | 1 << me, Relaxed);
            PROXY_TO[me].store(owner, Relaxed);
            None
        });
        match blocked {
            Some(got) => got,
            None => {
                crate::port::__bluegen_port_pend_switch();
                let given = dequeue_after_wait(&self.waiters, timeout);
                critical(|| PROXY.store(PROXY.load(Relaxed) & !(1 << me()), Relaxed));
                given
            }
        }
    }

    /// Unlocks it, handing it to the highest-priority waiter. Only the owner
    /// may unlock; another caller's unlock does nothing and returns false.
    pub fn unlock(&self) -> bool {
        let result = critical(|| {
            if self.owner.load(Relaxed) != me() {
                return None;
            }
            match wake_one(&self.waiters) {
                Some((next, _)) => {
                    self.owner.store(next, Relaxed);
                    PROXY.store(PROXY.load(Relaxed) & !(1 << next), Relaxed);
                    let mut rest = self.waiters.load(Relaxed);
                    while rest != 0 {
                        PROXY_TO[rest.trailing_zeros() as usize % MAX_THREADS].store(next, Relaxed);
                        rest &= rest - 1;
                    }
                    // The owner loses the inherited place: always reschedule.
                    Some(true)
                }
                None => {
                    self.owner.store(NOBODY, Relaxed);
                    Some(false)
                }
            }
        });
        match result {
            Some(preempt) => {
                switch_if(preempt);
                true
            }
            None => false,
        }
    }
}

impl Default for Mutex {
    fn default() -> Self {
        Self::new()
    }
}

/// A queue of up to `N` one-word messages; send and receive block with a
/// timeout.
pub struct Queue<const N: usize> {
    slots: [AtomicU32; N],
    head: AtomicUsize,
    len: AtomicUsize,
    senders: AtomicU32,
    receivers: AtomicU32,
}

impl<const N: usize> Queue<N> {
    /// An empty queue.
    pub const fn new() -> Self {
        Self {
            slots: [const { AtomicU32::new(0) }; N],
            head: AtomicUsize::new(0),
            len: AtomicUsize::new(0),
            senders: AtomicU32::new(0),
            receivers: AtomicU32::new(0),
        }
    }

    /// Sends `message`, waiting at most `timeout` ticks for room; false on
    /// timeout. With [`NO_WAIT`] it works from interrupt handlers.
    pub fn send(&self, message: u32, timeout: u32) -> bool {
        loop {
            let step = critical(|| {
                let len = self.len.load(Relaxed);
                if len < N {
                    let head = self.head.load(Relaxed);
                    let at = (head + len) % N;
                    if let Some(slot) = self.slots.get(at) {
                        slot.store(message, Relaxed);
                    }
                    self.len.store(len + 1, Relaxed);
                    return Ok(wake_one(&self.receivers).is_some_and(|(_, p)| p));
                }
                if timeout == NO_WAIT {
                    return Err(false);
                }
                enqueue(&self.senders, timeout);
                Err(true)
            });
            match step {
                Ok(preempt) => {
                    switch_if(preempt);
                    return true;
                }
                Err(false) => return false,
                Err(true) => {
                    crate::port::__bluegen_port_pend_switch();
                    if !dequeue_after_wait(&self.senders, timeout) {
                        return false;
                    }
                }
            }
        }
    }

    /// Receives the oldest message, waiting at most `timeout` ticks; None on
    /// timeout.
    pub fn recv(&self, timeout: u32) -> Option<u32> {
        loop {
            let step = critical(|| {
                let len = self.len.load(Relaxed);
                if len > 0 {
                    let head = self.head.load(Relaxed);
                    let message = self.slots.get(head).map_or(0, |slot| slot.load(Relaxed));
                    self.head.store((head + 1) % N, Relaxed);
                    self.len.store(len - 1, Relaxed);
                    return Ok((message, wake_one(&self.senders).is_some_and(|(_, p)| p)));
                }
                if timeout == NO_WAIT {
                    return Err(false);
                }
                enqueue(&self.receivers, timeout);
                Err(true)
            });
            match step {
                Ok((message, preempt)) => {
                    switch_if(preempt);
                    return Some(message);
                }
                Err(false) => return None,
                Err(true) => {
                    crate::port::__bluegen_port_pend_switch();
                    if !dequeue_after_wait(&self.receivers, timeout) {
                        return None;
                    }
                }
            }
        }
    }

    /// Messages waiting now.
    pub fn len(&self) -> usize {
        self.len.load(Relaxed)
    }

    /// Whether no message waits.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<const N: usize> Default for Queue<N> {
    fn default() -> Self {
        Self::new()
    }
}

/// Per thread: the flags an event waiter wants, and whether all of them.
#[cfg(feature = "events")]
static WANT: [AtomicU32; MAX_THREADS] = [const { AtomicU32::new(0) }; MAX_THREADS];
#[cfg(feature = "events")]
static WANT_ALL: AtomicU32 = AtomicU32::new(0);

/// Whether `flags` satisfy a wait for `want` (all of it, or any).
pub fn flags_match(flags: u32, want: u32, all: bool) -> bool {
    if all { flags & want == want } else { flags & want != 0 }
}

/// 32 event flags: threads wait for any or all of a mask, with a timeout;
/// `post` sets flags (also from interrupt handlers) and wakes every waiter
/// it satisfies; a satisfied wait clears the flags it waited for.
#[cfg(feature = "events")]
pub struct Events {
    flags: AtomicU32,
    waiters: AtomicU32,
}

#[cfg(feature = "events")]
impl Events {
    /// No flags set.
    pub const fn new() -> Self {
        Self { flags: AtomicU32::new(0), waiters: AtomicU32::new(0) }
    }

    /// Waits until the flags of `want` are set (all of them with `all`),
    /// at most `timeout` ticks; returns the flags seen and clears `want`,
    /// or None on timeout.
    pub fn wait(&self, want: u32, all: bool, timeout: u32) -> Option<u32> {
        loop {
            let step = critical(|| {
                let flags = self.flags.load(Relaxed);
                if flags_match(flags, want, all) {
                    self.flags.store(flags & !want, Relaxed);
                    return Ok(flags);
                }
                if timeout == NO_WAIT {
                    return Err(false);
                }
                let me = me();
                WANT[me].store(want, Relaxed);
                let bit = 1 << me;
                WANT_ALL.store(if all { WANT_ALL.load(Relaxed) | bit } else { WANT_ALL.load(Relaxed) & !bit }, Relaxed);
                enqueue(&self.waiters, timeout);
                Err(true)
            });
            match step {
                Ok(flags) => return Some(flags),
                Err(false) => return None,
                Err(true) => {
                    crate::port::__bluegen_port_pend_switch();
                    if !dequeue_after_wait(&self.waiters, timeout) {
                        return None;
                    }
                }
            }
        }
    }

    /// Sets `flags` and wakes every waiter they satisfy.
    pub fn post(&self, flags: u32) {
        let preempt = critical(|| {
            let now = self.flags.load(Relaxed) | flags;
            self.flags.store(now, Relaxed);
            let mut rest = self.waiters.load(Relaxed);
            let mut satisfied = 0u32;
            while rest != 0 {
                let i = rest.trailing_zeros() as usize % MAX_THREADS;
                rest &= rest - 1;
                if flags_match(now, WANT[i].load(Relaxed), WANT_ALL.load(Relaxed) & 1 << i != 0) {
                    satisfied |= 1 << i;
                }
            }
            let mut preempt = false;
            while satisfied != 0 {
                let only = AtomicU32::new(satisfied & satisfied.wrapping_neg());
                satisfied &= satisfied - 1;
                self.waiters.store(self.waiters.load(Relaxed) & !only.load(Relaxed), Relaxed);
                if let Some((_, p)) = wake_one(&only) {
                    preempt |= p;
                }
            }
            preempt
        });
        switch_if(preempt);
    }

    /// The flags set now.
    pub fn flags(&self) -> u32 {
        self.flags.load(Relaxed)
    }
}

#[cfg(feature = "events")]
impl Default for Events {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::flags_match;

    #[test]
    fn any_and_all() {
        assert!(flags_match(0b0101, 0b0100, false));
        assert!(!flags_match(0b0101, 0b1010, false));
        assert!(flags_match(0b0111, 0b0101, true));
        assert!(!flags_match(0b0101, 0b0111, true));
    }
}
