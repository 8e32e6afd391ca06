//! A message queue of up to `N` values of any `T: Send`.

use crate::duration::{TimedOut, Timeout};
use crate::state;
use crate::sync::NO_WAIT;
use bluegen_port::{Ring, critical};
use core::sync::atomic::AtomicU32;

/// A queue of up to `N` messages of type `T`, first in first out; send and
/// receive block with a timeout. Messages move: a `T` need not be `Copy`.
///
/// ```text
/// static Q: Queue<Reading, 4> = Queue::new();
/// Q.send(reading, Timeout::FOREVER).ok();
/// let r: Reading = Q.recv(Timeout::millis(100))?;
/// ```
pub struct Queue<T, const N: usize> {
    ring: Ring<T, N>,
    senders: AtomicU32,
    receivers: AtomicU32,
}

impl<T: Send, const N: usize> Queue<T, N> {
    /// An empty queue.
    pub const fn new() -> Self {
        Self { ring: Ring::new(), senders: AtomicU32::new(0), receivers: AtomicU32::new(0) }
    }

    /// Sends `message`, waiting at most `timeout` for room; on a timeout
    /// the error gives the message back. With [`Timeout::NO_WAIT`] it works
    /// from interrupt handlers.
    pub fn send(&self, message: T, timeout: Timeout) -> Result<(), TimedOut<T>> {
        // Kernel state: privileged for an unprivileged caller (isolation).
        crate::kcall!({
            let mut timeout = timeout.raw();
            let mut since = 0;
            let mut message = message;
            loop {
                let step = critical(|cs| {
                    match self.ring.push(cs, message) {
                        Ok(()) => Ok(state::wake_one(cs, &self.receivers).is_some_and(|(_, p)| p)),
                        Err(back) if timeout == NO_WAIT => Err((back, false)),
                        Err(back) => {
                            since = state::enqueue(cs, &self.senders, timeout);
                            Err((back, true))
                        }
                    }
                });
                match step {
                    Ok(preempt) => {
                        state::reschedule(preempt);
                        return Ok(());
                    }
                    Err((back, false)) => return Err(TimedOut(back)),
                    Err((back, true)) => {
                        if !state::wait(&self.senders, timeout) {
                            return Err(TimedOut(back));
                        }
                        timeout = crate::sync::left(timeout, since);
                        message = back;
                    }
                }
            }
        })
    }

    /// Sends `message` if there is room, without waiting (also from
    /// interrupt handlers); the error gives it back.
    pub fn try_send(&self, message: T) -> Result<(), TimedOut<T>> {
        // Kernel state: privileged for an unprivileged caller (isolation).
        crate::kcall!({
            self.send(message, Timeout::NO_WAIT)
        })
    }

    /// Receives the oldest message, waiting at most `timeout` for one.
    pub fn recv(&self, timeout: Timeout) -> Result<T, TimedOut> {
        // Kernel state: privileged for an unprivileged caller (isolation).
        crate::kcall!({
            let mut timeout = timeout.raw();
            let mut since = 0;
            loop {
                let step = critical(|cs| {
                    match self.ring.pop(cs) {
                        Some(message) => Ok((message, state::wake_one(cs, &self.senders).is_some_and(|(_, p)| p))),
                        None if timeout == NO_WAIT => Err(false),
                        None => {
                            since = state::enqueue(cs, &self.receivers, timeout);
                            Err(true)
                        }
                    }
                });
                match step {
                    Ok((message, preempt)) => {
                        state::reschedule(preempt);
                        return Ok(message);
                    }
                    Err(false) => return Err(TimedOut(())),
                    Err(true) => {
                        if !state::wait(&self.receivers, timeout) {
                            return Err(TimedOut(()));
                        }
                        timeout = crate::sync::left(timeout, since);
                    }
                }
            }
        })
    }

    /// Receives the oldest message if there is one, without waiting.
    pub fn try_recv(&self) -> Result<T, TimedOut> {
        // Kernel state: privileged for an unprivileged caller (isolation).
        crate::kcall!({
            self.recv(Timeout::NO_WAIT)
        })
    }

    /// Messages waiting now.
    pub fn len(&self) -> usize {
        // Kernel state: privileged for an unprivileged caller (isolation).
        crate::kcall!({
            self.ring.len()
        })
    }

    /// Whether no message waits.
    pub fn is_empty(&self) -> bool {
        // Kernel state: privileged for an unprivileged caller (isolation).
        crate::kcall!({
            self.len() == 0
        })
    }
}

impl<T: Send, const N: usize> Default for Queue<T, N> {
    fn default() -> Self {
        Self::new()
    }
}
