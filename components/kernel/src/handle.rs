//! Thread handles: the running thread, a thread by name, its id, name and
//! priority; with `SUSPEND`, suspend and resume.
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
        Thread { index: crate::thread::current_id() }
    }

    /// The thread of device.toml named `name` (`[threads.<name>]`), or the
    /// spawned thread of that name (`spawn0`, …) while it runs.
    pub fn find(name: &str) -> Option<Thread> {
        let table = crate::port::__bluegen_threads();
        if let Some(index) = table.iter().position(|t| t.name == name) {
            return Some(Thread { index });
        }
        #[cfg(feature = "spawn")]
        if let Some(index) = crate::spawn::find(name) {
            return Some(Thread { index });
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
        crate::thread::name_of(self.index)
    }

    /// Its priority: 1 (lowest) to 31 as device.toml gives it; spawned
    /// threads rank below every thread of device.toml and the idle thread
    /// below all, both 0.
    pub fn priority(self) -> u8 {
        crate::port::__bluegen_threads().get(self.index).map_or(0, |t| t.priority)
    }
}
