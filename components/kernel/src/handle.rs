//! Thread handles: find a thread, read its id, name and priority.
//!
//! A handle names the running thread or a thread by name; with `SUSPEND`
//! it also suspends and resumes it; with `PRIORITY_CHANGE`, it sets a new
//! priority at run time.
//!
//! ```text
//! use bluegen_kernel::Thread;
//! let me = Thread::current();
//! console::write_str(me.name());
//! if let Some(worker) = Thread::find("worker") { worker.resume(); }   // [threads.worker] start = false
//! worker.set_priority(6)?;                                             // PRIORITY_CHANGE
//! ```
//!
//! # Changing a priority (`PRIORITY_CHANGE`)
//!
//! A thread's id is its slot in the scheduler, and without the feature the
//! slot order is the priority order: every bitmap (ready, sleeping, each
//! sync object's waiters, the round robin's heads, the groups, the mutex
//! proxies) has its highest-priority thread at its lowest bit, one
//! `trailing_zeros`. A run-time change cannot keep that and stay correct in
//! every state. The options weighed:
//!
//! * (a) a rank indirection, bitmaps in rank order with slot↔rank maps: a
//!   change moves the thread's rank and shifts the ranks between its old
//!   and new one, so every rank-ordered bitmap must be remapped, the
//!   waiters of every semaphore, mutex, queue, event flags and join too;
//! * (b) moving the thread's slot: the same remapping, plus every saved
//!   slot number (handles, mutex owners, join handles) changes meaning.
//!
//! Both need the kernel to reach every sync object's waiter bitmap. It
//! cannot: the objects are the app's (statics, or locals that a `&` lends
//! to a wait), not registered anywhere, and this crate forbids `unsafe`,
//! so it cannot keep their addresses to write them later.
//!
//! (c), the choice: slots and every bitmap stay as they are, and each
//! thread has a rank word (`rank::RANK`: its current priority, above
//! every spawned thread for a thread of device.toml as its table place
//! puts it). Everything that asks "the highest priority of this set" asks
//! `state::best_of`: the pick (ready and mutex proxies), `wake_one` (the
//! waiter a give, unlock or send serves), the preemption checks of a wake
//! and of the tick. Without the feature that is `trailing_zeros` as
//! before, so an image without it builds the same code and pays nothing.
//! With it, the same while the living threads' ranks still fall with their
//! ids (`rank::in_order`, checked at each change and spawn: no change yet,
//! or changes that kept the order), else a scan of the set, one step per
//! member (`sched::highest`): on mps2-an385 a switch of `bench-switch`
//! costs 95 instructions in order, 152.6 after a reordering change.
//! A change writes one rank word and moves the thread between the priority
//! groups (`state::regroup`): its round robin among new equals follows the
//! slot order, as before; the running thread keeps the core against its
//! new equals. So it holds in every state: a ready or running thread is
//! picked by its new rank at once (the change pends a switch), a sleeper or
//! waiter is ranked by it when it wakes and when a give chooses among
//! waiters, a suspended one when resumed, and a mutex waiter's proxy (which
//! runs the owner in its place) competes at the waiter's new rank, so
//! priority inheritance follows the change both ways. The cost is paid
//! only with the feature: the scans in the switch and the wake paths once
//! the order changed, 16 bits of RAM per thread slot.

/// A thread of the device, or a spawned one, by its scheduler index.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Thread {
    index: usize,
}

impl Thread {
    /// The calling thread (the idle thread when called from it, or from an
    /// interrupt handler that interrupted it).
    pub fn current() -> Thread {
        // Kernel state: privileged for an unprivileged caller (isolation).
        crate::kcall!({
            Thread { index: crate::state::current() }
        })
    }

    /// The thread of device.toml named `name` (`[threads.<name>]`), or the
    /// spawned thread of that name (`spawn0`, …) while it runs.
    pub fn find(name: &str) -> Option<Thread> {
        // Kernel state: privileged for an unprivileged caller (isolation).
        crate::kcall!({
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
        })
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
        // Kernel state: privileged for an unprivileged caller (isolation).
        crate::kcall!({
            crate::table::name_of(self.index).unwrap_or("idle")
        })
    }

    /// Its priority: 1 (lowest) to 31 as device.toml gives it; for a
    /// spawned thread the one given to `spawn` (ranking among the spawned
    /// threads, which all rank below every thread of device.toml); 0 for the
    /// idle thread.
    /// With `PRIORITY_CHANGE`, the one it has now: the last
    /// [`Thread::set_priority`].
    pub fn priority(self) -> u8 {
        // Kernel state: privileged for an unprivileged caller (isolation).
        crate::kcall!({
            #[cfg(feature = "priority-change")]
            let table = Some(crate::rank::rank(self.index) as u8);
            #[cfg(not(feature = "priority-change"))]
            let table = bluegen_port::threads().get(self.index).map(|t| t.priority);
            #[cfg(all(feature = "spawn", not(feature = "priority-change")))]
            let table = table.or_else(|| crate::spawn::priority_of(self.index));
            table.unwrap_or(0)
        })
    }

    /// Gives it priority `priority` from now on, whatever it is doing; a
    /// thread of device.toml still ranks above every spawned thread (and a
    /// spawned one below every thread of device.toml), as in [`crate::spawn`].
    /// If it is ready and now outranks the caller it runs at once; if the
    /// caller lowers itself below a ready thread it switches away at once;
    /// a sleeping or waiting thread is ranked by it when it wakes, and a
    /// give, unlock or send serves the waiter of highest priority by it;
    /// priority inheritance follows it. Among its new equals it takes turns
    /// in id order; the running thread keeps the core against them until it
    /// yields or its slice ends. `Err` for a priority outside
    /// 1..=`PRIORITIES` - 1 (the range of device.toml) or for the idle
    /// thread; nothing changes then. Also from interrupt handlers.
    #[cfg(feature = "priority-change")]
    pub fn set_priority(self, priority: u8) -> Result<(), InvalidPriority> {
        // Kernel state: privileged for an unprivileged caller (isolation).
        crate::kcall!({
            if priority == 0 || u32::from(priority) >= bluegen_config::PRIORITIES || self.index >= crate::sched::MAX_THREADS {
                return Err(InvalidPriority(priority));
            }
            let tier = if self.index < bluegen_port::threads().len() { crate::rank::DEVICE_RANK } else { 0 };
            let switch = bluegen_port::critical(|cs| crate::state::set_priority(cs, self.index, tier | u16::from(priority)));
            crate::state::reschedule(switch);
            Ok(())
        })
    }

    /// Takes it out of the schedule until [`Thread::resume`]: if it is
    /// ready it stops, if it waits (a sleep, a semaphore, a queue, …) the
    /// wait goes on and when it ends the thread stays parked. Suspending
    /// the caller switches away at once. The idle thread cannot be
    /// suspended.
    #[cfg(feature = "suspend")]
    pub fn suspend(self) {
        // Kernel state: privileged for an unprivileged caller (isolation).
        crate::kcall!({
            let me = bluegen_port::critical(|cs| crate::state::suspend(cs, self.index));
            crate::state::reschedule(me);
        })
    }

    /// Puts a suspended thread back into the schedule (it runs at once if
    /// it is ready and of higher priority than the caller); `false` if it
    /// was not suspended. Also from interrupt handlers.
    #[cfg(feature = "suspend")]
    pub fn resume(self) -> bool {
        // Kernel state: privileged for an unprivileged caller (isolation).
        crate::kcall!({
            match bluegen_port::critical(|cs| crate::state::resume(cs, self.index)) {
                Some(preempt) => {
                    crate::state::reschedule(preempt);
                    true
                }
                None => false,
            }
        })
    }

    /// Whether it is suspended.
    #[cfg(feature = "suspend")]
    pub fn is_suspended(self) -> bool {
        // Kernel state: privileged for an unprivileged caller (isolation).
        crate::kcall!({
            crate::state::is_suspended(self.index)
        })
    }
}

/// [`Thread::set_priority`]'s refusal: the priority given lies outside
/// 1..=`PRIORITIES` - 1, or the thread is the idle thread.
#[cfg(feature = "priority-change")]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct InvalidPriority(pub u8);
