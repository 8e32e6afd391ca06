//! Thread handles: find a thread, read its id, name and priority.
//!
//! A handle names the running thread or a thread by name; with `SUSPEND`
//! it also suspends and resumes it.
//!
//! ```text
//! use bluegen_kernel::Thread;
//! let me = Thread::current();
//! console::write_str(me.name());
//! if let Some(worker) = Thread::find("worker") { worker.resume(); }   // [threads.worker] start = false
//! ```

/// A thread of the device, or a spawned one, by its scheduler index.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Thread {
    index: usize,
}

impl Thread {
    /// The calling thread (the idle thread when called from it, or from an
    /// interrupt handler that interrupted it).
    pub fn current() -> Thread {
        Thread { index: crate::state::current() }
    }

    /// The thread of device.toml named `name` (`[threads.<name>]`), or the
    /// spawned thread of that name (`spawn0`, …) while it runs.
    pub fn find(name: &str) -> Option<Thread> {
        if let Some(index) = bluegen_port::threads().iter().position(|t| t.name == name) {
            return Some(Thread { index });
        }
        #[cfg(feature = "spawn")]
        {
            let alive = crate::state::alive();
            let first = crate::pool::first();
            let found = (0..crate::pool::SLOTS).map(|s| first + s).find(|&i| crate::table::name_of(i) == Some(name) && i < crate::sched::MAX_THREADS && alive & 1 << i != 0);
            if let Some(index) = found {
                return Some(Thread { index });
            }
        }
        None
    }

    /// Its index in the scheduler: the device's threads first, highest
    /// priority first, then the spawn slots; [`crate::sched::IDLE`] for
    /// the idle thread.
    pub fn id(self) -> usize {
        self.index
    }

    /// Its name in device.toml (`spawn0`, … for a spawned thread, `idle`
    /// for the idle thread).
    pub fn name(self) -> &'static str {
        crate::table::name_of(self.index).unwrap_or("idle")
    }

    /// Its priority: 1 (lowest) to 31 as device.toml gives it; for a
    /// spawned thread the one given to `spawn` (ranking among the spawned
    /// threads, which all rank below every thread of device.toml); 0 for the
    /// idle thread.
    pub fn priority(self) -> u8 {
        let table = bluegen_port::threads().get(self.index).map(|t| t.priority);
        #[cfg(feature = "spawn")]
        let table = table.or_else(|| crate::spawn::priority_of(self.index));
        table.unwrap_or(0)
    }

    /// Takes it out of the schedule until [`Thread::resume`]: if it is
    /// ready it stops, if it waits (a sleep, a semaphore, a queue, …) the
    /// wait goes on and when it ends the thread stays parked. Suspending
    /// the caller switches away at once. The idle thread cannot be
    /// suspended.
    #[cfg(feature = "suspend")]
    pub fn suspend(self) {
        let me = bluegen_port::critical(|cs| crate::state::suspend(cs, self.index));
        crate::state::reschedule(me);
    }

    /// Puts a suspended thread back into the schedule (it runs at once if
    /// it is ready and of higher priority than the caller); `false` if it
    /// was not suspended. Also from interrupt handlers.
    #[cfg(feature = "suspend")]
    pub fn resume(self) -> bool {
        match bluegen_port::critical(|cs| crate::state::resume(cs, self.index)) {
            Some(preempt) => {
                crate::state::reschedule(preempt);
                true
            }
            None => false,
        }
    }

    /// Whether it is suspended.
    #[cfg(feature = "suspend")]
    pub fn is_suspended(self) -> bool {
        crate::state::is_suspended(self.index)
    }
}
