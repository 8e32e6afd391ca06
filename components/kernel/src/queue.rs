//! A message queue of one-word messages, blocking send and receive with
//! timeouts.

use crate::state;
use crate::sync::NO_WAIT;
use bluegen_port::critical;
use core::sync::atomic::Ordering::Relaxed;
use core::sync::atomic::{AtomicU32, AtomicUsize};

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
            let step = critical(|cs| {
                let len = self.len.load(Relaxed);
                if len < N {
                    let head = self.head.load(Relaxed);
                    let at = (head + len) % N;
                    if let Some(slot) = self.slots.get(at) {
                        slot.store(message, Relaxed);
                    }
                    self.len.store(len + 1, Relaxed);
                    return Ok(state::wake_one(cs, &self.receivers).is_some_and(|(_, p)| p));
                }
                if timeout == NO_WAIT {
                    return Err(false);
                }
                state::enqueue(cs, &self.senders, timeout);
                Err(true)
            });
            match step {
                Ok(preempt) => {
                    state::reschedule(preempt);
                    return true;
                }
                Err(false) => return false,
                Err(true) => {
                    if !state::wait(&self.senders, timeout) {
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
            let step = critical(|cs| {
                let len = self.len.load(Relaxed);
                if len > 0 {
                    let head = self.head.load(Relaxed);
                    let message = self.slots.get(head).map_or(0, |slot| slot.load(Relaxed));
                    self.head.store((head + 1) % N, Relaxed);
                    self.len.store(len - 1, Relaxed);
                    return Ok((message, state::wake_one(cs, &self.senders).is_some_and(|(_, p)| p)));
                }
                if timeout == NO_WAIT {
                    return Err(false);
                }
                state::enqueue(cs, &self.receivers, timeout);
                Err(true)
            });
            match step {
                Ok((message, preempt)) => {
                    state::reschedule(preempt);
                    return Some(message);
                }
                Err(false) => return None,
                Err(true) => {
                    if !state::wait(&self.receivers, timeout) {
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
