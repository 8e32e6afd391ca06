//! Threads as a device declares them, and the kernel's start-up.
//!
//! bluegen turns each `[threads.<name>]` of device.toml into a [`ThreadSpec`]
//! in the image, sorted by priority at generation time (highest first, ties
//! in file order), and passes them to [`start`]. Without the `threads`
//! feature [`start`] runs them one after another on the boot stack. With it,
//! every thread runs on its own static stack under the priority scheduler
//! ([`crate::sched`], state in `state`): the highest-priority ready thread
//! runs, [`yield_now`] passes the core to the next thread of equal priority,
//! a thread that returns (or calls [`thread_exit`]) is gone, and when none
//! is left the idle thread ends the run with success. Idle sleeps the core
//! with WFI.

use crate::console;
use crate::exit::exit;
use bluegen_port::Boot;
#[cfg(feature = "threads")]
use bluegen_port::{Switch, critical};

pub use bluegen_port::ThreadSpec;

/// Runs `threads` in the given order, then ends the run with success.
///
/// With the `banner` feature, first prints one line naming the kernel
/// version and the number of threads.
///
/// Only the generated image's boot entry calls this, with the [`Boot`]
/// capability only it can make (its constructor is `unsafe`): with threads
/// on, it lays out a first frame on each thread's stack and abandons the
/// caller's stack.
///
/// Always inlined: the image calls it once, and inlined into the image the
/// loop over a constant table becomes direct calls and the table vanishes.
#[inline(always)]
pub fn start(boot: Boot, threads: &'static [ThreadSpec]) -> ! {
    if cfg!(feature = "banner") {
        banner(threads.len());
    }
    #[cfg(feature = "threads")]
    sched_start(boot, threads);
    #[cfg(not(feature = "threads"))]
    {
        let _ = boot;
        for thread in threads {
            if thread.start {
                (thread.entry)();
            }
        }
        exit(0)
    }
}

/// Without threads: calls `entries` one after another on the boot stack,
/// then ends the run with success. The image of a device without the
/// `threads` feature calls this instead of [`start`], with the entry
/// functions of its threads, highest priority first: a table of one word
/// a thread (bluegen refuses `start = false` there, as nothing could
/// resume the thread). With the `banner` feature, first prints the banner.
#[inline(always)]
pub fn run_in_order(entries: &'static [fn()]) -> ! {
    if cfg!(feature = "banner") {
        banner(entries.len());
    }
    for entry in entries {
        entry();
    }
    exit(0)
}

/// The idle thread's stack: room for one exception frame and a call.
#[cfg(feature = "threads")]
pub(crate) static IDLE_STACK: crate::Stack<{ crate::sched::IDLE_STACK_WORDS }> = crate::Stack::new();

#[cfg(feature = "threads")]
fn sched_start(boot: Boot, threads: &'static [ThreadSpec]) -> ! {
    use crate::sched::{MAX_THREADS, group_of};
    // Start-up: no thread runs yet and the tick is not started.
    let cs = boot.critical_section();
    for (i, t) in threads.iter().enumerate().take(MAX_THREADS) {
        let stack = t.stack(&boot);
        let sp = crate::stack::init(stack, t.entry);
        #[cfg(feature = "priority-change")]
        crate::rank::set_rank(cs, i, crate::rank::DEVICE_RANK | u16::from(t.priority));
        crate::state::add(cs, i, sp, group_of(threads.iter().map(|t| t.priority), i));
        // `start = false`: suspended from the start (bluegen asks for
        // `SUSPEND` then).
        #[cfg(feature = "suspend")]
        if !t.start {
            crate::state::suspend(cs, i);
        }
        // A confined thread's statics get their initial values, and its
        // stack needs no red zone: the hardware catches an overflow at the
        // bottom of its region.
        #[cfg(feature = "isolation")]
        let confined = {
            boot.load_thread(t);
            crate::isolation::is_confined(i)
        };
        #[cfg(not(feature = "isolation"))]
        let confined = false;
        if cfg!(feature = "stack-check") && !confined {
            crate::stack::fill_red_zone(stack);
        }
    }
    // The pool's too, so that a scan after a fault finds the stacks of
    // threads not spawned yet intact.
    #[cfg(all(feature = "spawn", feature = "stack-check"))]
    crate::pool::fill_red_zones();
    crate::state::set_idle(cs, crate::stack::init(IDLE_STACK.words(), idle));
    bluegen_port::start(boot)
}

/// The idle thread: sleeps the core until no thread is left, then ends the
/// run with success.
#[cfg(feature = "threads")]
fn idle() {
    loop {
        if crate::state::alive() == 0 {
            exit(0);
        }
        #[cfg(feature = "tickless")]
        crate::tickless::idle_sleep();
        #[cfg(not(feature = "tickless"))]
        bluegen_port::wait();
    }
}

/// The context switch's decision, for the arch switch code (through the
/// image's `__bluegen_switch`): saves the outgoing thread's stack pointer
/// `sp` and returns the stack pointer of the thread to run next. The
/// [`Switch`] capability, which only that code makes, is the proof that
/// interrupts are masked and the arch switches to the result.
#[cfg(feature = "threads")]
#[inline(always)]
pub fn switch(cap: Switch, sp: usize) -> usize {
    let current = crate::state::current();
    #[cfg(feature = "stack-check")]
    crate::stack::check(current);
    let next = crate::state::switch(cap.critical_section(), current, sp);
    #[cfg(feature = "stack-check")]
    bluegen_port::stack_limit(&cap, next, crate::stack::limit);
    #[cfg(feature = "tls")]
    bluegen_port::switch_tls(&cap, next);
    #[cfg(feature = "isolation")]
    crate::isolation::protect(&cap, next);
    crate::state::sp_of(next)
}

/// Passes the core to the next ready thread of the same priority, if any.
#[cfg(feature = "threads")]
pub fn yield_now() {
    // Kernel state: privileged for an unprivileged caller (isolation).
    crate::kcall!({
        critical(crate::state::rotate);
        bluegen_port::pend_switch();
    })
}

/// Ends the calling thread; the others go on. Returning from a thread's
/// entry function does the same.
#[cfg(feature = "threads")]
pub fn thread_exit() -> ! {
    // Kernel state: privileged for an unprivileged caller (isolation).
    crate::kcall!({
        crate::state::not_in_handler();
        critical(|cs| {
            let _ended = crate::state::end_current(cs);
            #[cfg(feature = "spawn")]
            crate::pool::ended(cs, _ended);
        });
        loop {
            bluegen_port::pend_switch();
        }
    })
}

/// The calling thread's index in the device's table (highest priority first);
/// [`crate::sched::IDLE`] for the idle thread.
#[cfg(feature = "threads")]
pub fn current_id() -> usize {
    // Kernel state: privileged for an unprivileged caller (isolation).
    crate::kcall!({
        crate::state::current()
    })
}

/// The calling thread's name in device.toml (`"idle"` for the idle thread).
#[cfg(feature = "threads")]
pub fn current_name() -> &'static str {
    // Kernel state: privileged for an unprivileged caller (isolation).
    crate::kcall!({
        crate::table::name_of(current_id()).unwrap_or("idle")
    })
}

/// Bytes of the calling thread's stack used at most so far: from the
/// deepest word it wrote to the top (a lower bound, see
/// `bluegen_port::stack::peak`); 0 for a spawned thread or the idle
/// thread. What the model examples print to show the arena bluegen sized.
#[cfg(feature = "threads")]
pub fn stack_peak() -> usize {
    // Kernel state: privileged for an unprivileged caller (isolation).
    crate::kcall!({
        bluegen_port::threads().get(current_id()).map_or(0, |t| t.stack_peak())
    })
}

/// The kernel's entry points, for the image's `bluegen_port::image!`.
pub struct Kernel;

impl bluegen_port::Kernel for Kernel {
    #[cfg(feature = "threads")]
    #[inline(always)]
    fn thread_return() -> ! {
        thread_exit()
    }

    #[cfg(feature = "threads")]
    #[inline(always)]
    fn stack_overflow() -> ! {
        crate::stack::stack_overflow()
    }

    #[cfg(feature = "threads")]
    #[inline(always)]
    fn check_stacks() {
        crate::stack::check_stacks()
    }

    #[cfg(feature = "threads")]
    #[inline(always)]
    fn switch(cap: Switch, sp: usize) -> usize {
        switch(cap, sp)
    }

    #[cfg(feature = "preempt")]
    #[inline(always)]
    fn tick(cap: bluegen_port::Tick) -> bool {
        crate::time::tick(cap)
    }

    #[cfg(feature = "isolation")]
    fn thread_fault(fault: bluegen_port::Fault) {
        crate::isolation::thread_fault(fault)
    }

    #[cfg(feature = "isolation")]
    fn thread_enter() {
        crate::isolation::thread_enter()
    }
}

fn banner(threads: usize) {
    console::write_str(concat!("bluegen kernel ", env!("CARGO_PKG_VERSION"), ": "));
    console::write_u32(u32::try_from(threads).unwrap_or(u32::MAX));
    console::write_str(if threads == 1 { " thread\n" } else { " threads\n" });
}

#[cfg(test)]
#[cfg_attr(feature = "threads", allow(dead_code))]
mod tests {
    use super::*;
    use bluegen_port::host::{exit_code_of, take_output};
    use std::cell::RefCell;
    use std::vec::Vec;

    std::thread_local! {
        static RAN: RefCell<Vec<&'static str>> = const { RefCell::new(Vec::new()) };
    }

    fn first() {
        RAN.with(|r| r.borrow_mut().push("first"));
    }

    fn second() {
        RAN.with(|r| r.borrow_mut().push("second"));
    }

    fn fails() {
        exit(3);
    }

    #[cfg(not(feature = "threads"))]
    static TWO: [ThreadSpec; 2] = [ThreadSpec::new("high", first, 5, &[], true), ThreadSpec::new("low", second, 1, &[], true)];

    #[cfg(not(feature = "threads"))]
    static FAILING: [ThreadSpec; 2] = [ThreadSpec::new("fails", fails, 2, &[], true), ThreadSpec::new("never", second, 1, &[], true)];

    /// The host's stand-in for the image's boot entry.
    fn boot() -> Boot {
        bluegen_port::host::boot()
    }

    #[cfg(not(feature = "threads"))]
    #[test]
    fn runs_threads_in_table_order_then_exits_zero() {
        RAN.with(|r| r.borrow_mut().clear());
        assert_eq!(exit_code_of(|| start(boot(), &TWO)), 0);
        assert_eq!(RAN.with(|r| r.borrow().clone()), ["first", "second"]);
    }

    #[cfg(not(feature = "threads"))]
    #[test]
    fn a_thread_that_exits_ends_the_run() {
        RAN.with(|r| r.borrow_mut().clear());
        assert_eq!(exit_code_of(|| start(boot(), &FAILING)), 3);
        assert!(RAN.with(|r| r.borrow().is_empty()));
    }

    #[test]
    fn no_threads_exits_zero() {
        static NONE: [ThreadSpec; 0] = [];
        assert_eq!(exit_code_of(|| start(boot(), &NONE)), 0);
    }

    #[test]
    fn banner_names_version_and_thread_count() {
        take_output();
        banner(2);
        let out = std::string::String::from_utf8(take_output()).unwrap();
        if console::ENABLED {
            assert_eq!(out, std::format!("bluegen kernel {}: 2 threads\n", env!("CARGO_PKG_VERSION")));
        } else {
            assert!(out.is_empty());
        }
    }
}
