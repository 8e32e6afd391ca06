//! Threads as a device declares them, and the kernel's start-up.
//!
//! bluegen turns each `[threads.<name>]` of device.toml into a [`ThreadSpec`]
//! in the image, sorted by priority at generation time (highest first, ties
//! in file order), and passes them to [`start`]. Without the `threads`
//! feature [`start`] runs them one after another on the boot stack. With it,
//! every thread runs on its own static stack under the priority scheduler
//! ([`crate::sched`]): the highest-priority ready thread runs, [`yield_now`]
//! passes the core to the next thread of equal priority, a thread that
//! returns (or calls [`thread_exit`]) is gone, and when none is left the
//! idle thread ends the run with success. Idle sleeps the core with WFI.

use crate::console;
use crate::exit::exit;
use core::sync::atomic::AtomicU32;

/// One statically declared thread. The same fields whatever the features:
/// without `threads` the image gives an empty `stack` (threads then run on
/// the boot stack) and the table, used only inside the inlined [`start`],
/// vanishes from the image.
#[derive(Clone, Copy)]
pub struct ThreadSpec {
    /// Its name in device.toml (`[threads.<name>]`).
    pub name: &'static str,
    /// The function it runs, from the device's app crate.
    pub entry: fn(),
    /// 1 (lowest) to 31 (highest).
    pub priority: u8,
    /// Its stack (a [`crate::Stack`] static of the image).
    pub stack: &'static [AtomicU32],
    /// Whether it is ready at start-up; `start = false` in device.toml
    /// makes it start suspended, until another thread resumes it.
    pub start: bool,
}

/// Runs `threads` in the given order, then ends the run with success.
///
/// With the `banner` feature, first prints one line naming the kernel
/// version and the number of threads.
///
/// Always inlined: the image calls it once, and inlined into the image the
/// loop over a constant table becomes direct calls and the table vanishes.
///
/// # Safety
///
/// Only the generated image's boot entry calls this, once, on the boot
/// stack with interrupts as the arch start-up left them, and nothing else
/// uses the `stack` of any thread in `threads`: with threads on, it lays out
/// a first frame on each of those stacks and abandons the caller's stack, so
/// a second call (from a running thread) would overwrite live stacks.
#[inline(always)]
#[allow(unsafe_code)]
pub unsafe fn start(threads: &'static [ThreadSpec]) -> ! {
    if cfg!(feature = "banner") {
        banner(threads.len());
    }
    #[cfg(feature = "threads")]
    sched_start(threads);
    #[cfg(not(feature = "threads"))]
    {
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

#[cfg(feature = "threads")]
pub(crate) mod state {
    use crate::sched::{IDLE, MAX_THREADS};
    use crate::stack::Stack;
    use core::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize};

    /// No thread yet: the first switch saves nothing.
    pub const NONE: usize = usize::MAX;
    pub static READY: AtomicU32 = AtomicU32::new(0);
    pub static ALIVE: AtomicU32 = AtomicU32::new(0);
    pub static CURRENT: AtomicUsize = AtomicUsize::new(NONE);
    pub static ROTATE: AtomicBool = AtomicBool::new(false);
    pub static SP: [AtomicUsize; IDLE + 1] = [const { AtomicUsize::new(0) }; IDLE + 1];
    pub static GROUP: [AtomicU32; MAX_THREADS] = [const { AtomicU32::new(0) }; MAX_THREADS];
    /// Time and sleepers: only with the tick.
    #[cfg(feature = "preempt")]
    pub static TICKS: AtomicU32 = AtomicU32::new(0);
    #[cfg(feature = "preempt")]
    pub static SLEEPING: AtomicU32 = AtomicU32::new(0);
    #[cfg(feature = "preempt")]
    pub static WAKE: [AtomicU32; MAX_THREADS] = [const { AtomicU32::new(0) }; MAX_THREADS];
    pub static SLICE: AtomicU32 = AtomicU32::new(0);
    /// Per thread: whether its last wait ended by a give (not a timeout).
    #[cfg(any(feature = "semaphore", feature = "mutex", feature = "queue", feature = "events"))]
    pub static GIVEN: [AtomicBool; MAX_THREADS] = [const { AtomicBool::new(false) }; MAX_THREADS];
    /// Threads blocked on a mutex, standing in for its owner (priority
    /// inheritance by proxy: picking one runs the owner).
    pub static PROXY: AtomicU32 = AtomicU32::new(0);
    pub static PROXY_TO: [AtomicUsize; MAX_THREADS] = [const { AtomicUsize::new(0) }; MAX_THREADS];
    /// The idle thread's stack: room for one exception frame and a call.
    pub static IDLE_STACK: Stack<{ crate::sched::IDLE_STACK_WORDS }> = Stack::new();
}

#[cfg(feature = "threads")]
fn sched_start(threads: &'static [ThreadSpec]) -> ! {
    use crate::port;
    use crate::sched::{IDLE, MAX_THREADS, group_of};
    use core::sync::atomic::Ordering::Relaxed;
    use state::*;
    let (mut all, mut started) = (0u32, 0u32);
    for (i, t) in threads.iter().enumerate().take(MAX_THREADS) {
        SP[i].store(port::__bluegen_port_init_stack(crate::stack::top(t.stack), t.entry), Relaxed);
        GROUP[i].store(group_of(threads.iter().map(|t| t.priority), i), Relaxed);
        all |= 1 << i;
        if t.start {
            started |= 1 << i;
        }
    }
    if cfg!(feature = "stack-check") {
        for t in threads {
            crate::stack::fill_red_zone(t.stack);
        }
        // The pool's too, so that a scan after a fault finds the stacks
        // of threads not spawned yet intact.
        #[cfg(feature = "spawn")]
        crate::spawn::fill_red_zones();
    }
    SP[IDLE].store(port::__bluegen_port_init_stack(crate::stack::top(IDLE_STACK.words()), idle), Relaxed);
    READY.store(started, Relaxed);
    ALIVE.store(all, Relaxed);
    #[cfg(feature = "suspend")]
    crate::suspend::start_suspended(all & !started);
    port::__bluegen_port_start()
}

/// The idle thread: sleeps the core until no thread is left, then ends the
/// run with success.
#[cfg(feature = "threads")]
fn idle() {
    use core::sync::atomic::Ordering::Relaxed;
    loop {
        if state::ALIVE.load(Relaxed) == 0 {
            exit(0);
        }
        #[cfg(feature = "tickless")]
        crate::tickless::idle_sleep();
        #[cfg(not(feature = "tickless"))]
        crate::port::__bluegen_port_wait();
    }
}

/// The context switch's decision, called by the arch switch code with the
/// switch interrupt masked: saves the outgoing thread's stack pointer `sp`
/// and returns the stack pointer of the thread to run next.
///
/// # Safety
///
/// Only the arch switch code calls this (through the image's
/// `__bluegen_switch`), with the switch interrupt masked, with `sp` the
/// stack pointer of the outgoing thread's saved context, and it then
/// switches to the returned stack pointer. Any other call records a stack
/// pointer the arch would later restore, or marks a thread as running that
/// does not run: two threads would then share a stack.
#[cfg(feature = "threads")]
#[allow(unsafe_code)]
pub unsafe fn switch(sp: usize) -> usize {
    use crate::sched::{IDLE, pick};
    use core::sync::atomic::Ordering::Relaxed;
    use state::*;
    let current = CURRENT.load(Relaxed);
    if current <= IDLE {
        SP[current].store(sp, Relaxed);
    }
    #[cfg(feature = "stack-check")]
    check_stack(current);
    let group = GROUP.get(current).map_or(0, |g| g.load(Relaxed));
    let rotate = ROTATE.load(Relaxed);
    ROTATE.store(false, Relaxed);
    let ready = READY.load(Relaxed);
    let next = if cfg!(feature = "mutex") {
        let next = pick(ready | PROXY.load(Relaxed), current, group, rotate);
        let owner_of = |i: usize| PROXY_TO.get(i).map_or(usize::MAX, |o| o.load(Relaxed));
        crate::sched::resolve_proxy(next, ready, owner_of, || pick(ready, current, group, rotate))
    } else {
        pick(ready, current, group, rotate)
    }
    .min(IDLE);
    if next != current {
        SLICE.store(bluegen_config::TIME_SLICE_TICKS, Relaxed);
    }
    CURRENT.store(next, Relaxed);
    #[cfg(feature = "stack-check")]
    crate::port::__bluegen_port_stack_limit(next, stack_limit);
    SP[next].load(Relaxed)
}

/// The device's thread `index` or, with `spawn`, a spawned one: its name
/// and stack.
#[cfg(feature = "threads")]
fn thread_of(index: usize) -> Option<(&'static str, &'static [AtomicU32])> {
    let table = crate::port::__bluegen_threads().get(index).map(|t| (t.name, t.stack));
    #[cfg(feature = "spawn")]
    let table = table.or_else(|| crate::spawn::thread_of(index));
    table
}

/// The lowest address thread `index` may push to, for the arch's hardware
/// stack limit (PSPLIM on ARMv8-M mainline): the top of its red zone, so
/// the hardware catches an overflow before it reaches the zone; the bottom
/// of the idle stack for the idle thread.
#[cfg(feature = "stack-check")]
fn stack_limit(index: usize) -> usize {
    match thread_of(index) {
        Some((_, stack)) => stack.as_ptr() as usize + crate::stack::RED_ZONE_WORDS * 4,
        None => state::IDLE_STACK.words().as_ptr() as usize,
    }
}

/// Names the running thread as the one whose stack overflowed and ends the
/// run with a failure: the red-zone check's verdict, and the arch's when
/// the hardware stack limit caught the overflow.
#[cfg(feature = "threads")]
pub fn stack_overflow() -> ! {
    overflow_in(current_name())
}

/// Names `thread` as the one whose stack overflowed and fails the run
/// (inlined: one call site per image as a rule).
#[cfg(feature = "threads")]
#[inline(always)]
fn overflow_in(thread: &str) -> ! {
    console::write_str("\nstack overflow in thread ");
    console::write_str(thread);
    console::write_str("\n");
    exit(1)
}

/// After a fault, the fault handler's first question: did a thread's stack
/// overflow? Scans the red zone of every thread stack (the device's and the
/// spawn pool's; their bounds live in flash or are link-time constants, not
/// in RAM an overflow may have overwritten) and, if one is broken, names
/// the thread whose stack lies highest among the broken ones (an overflow
/// runs down from its own stack through the ones below) and fails the run.
/// Returns when every red zone is intact: the fault was something else.
/// Never reads the scheduler's state, which the overflow may have hit.
///
/// In an image it is also the plain symbol `__bluegen_check_stacks`, for
/// the arch crates' fault handlers, which cannot name this crate's items.
#[cfg(feature = "threads")]
#[cfg_attr(target_os = "none", allow(unsafe_code))]
// SAFETY: the name is unique to bluegen (`__bluegen_*`), nothing else in an
// image defines it, and the arch crates declare it with this signature.
#[cfg_attr(target_os = "none", unsafe(export_name = "__bluegen_check_stacks"))]
#[cold]
pub fn check_stacks() {
    use core::sync::atomic::Ordering::Relaxed;
    if !cfg!(feature = "stack-check") {
        return;
    }
    let mut culprit: Option<(&'static str, usize)> = None;
    let mut look = |name: &'static str, stack: &'static [AtomicU32]| {
        let broken = |i: usize| stack.get(i).is_some_and(|w| w.load(Relaxed) != crate::stack::CANARY);
        let at = stack.as_ptr() as usize;
        if (broken(crate::stack::RED_ZONE_WORDS - 1) || broken(0)) && culprit.is_none_or(|(_, high)| at > high) {
            culprit = Some((name, at));
        }
    };
    for t in crate::port::__bluegen_threads() {
        look(t.name, t.stack);
    }
    #[cfg(feature = "spawn")]
    crate::spawn::for_each_stack(look);
    if let Some((name, _)) = culprit {
        overflow_in(name);
    }
}

/// Stack overflow check of thread `index`: the red zone at the bottom of
/// its stack must be intact at its top word (the first an overflow writes)
/// and its bottom word; if not, names the thread and fails the run before
/// the overflow can reach the memory below the stack.
/// Inlined: it runs on every switch, and its cold path is one call.
#[cfg(feature = "stack-check")]
#[inline(always)]
fn check_stack(index: usize) {
    use core::sync::atomic::Ordering::Relaxed;
    let Some((_, stack)) = thread_of(index) else { return };
    let broken = |i: usize| stack.get(i).is_some_and(|w| w.load(Relaxed) != crate::stack::CANARY);
    if broken(crate::stack::RED_ZONE_WORDS - 1) || broken(0) {
        overflowed();
    }
}

/// The cold path of [`check_stack`]: the scan names the thread (this one,
/// or one above it that overflowed into it). Out of line and never
/// returning, so the switch and the tick keep their small frames.
#[cfg(feature = "stack-check")]
#[cold]
#[inline(never)]
fn overflowed() -> ! {
    check_stacks();
    exit(1)
}

/// Runs `f` with interrupts masked: the kernel's only lock.
#[cfg(feature = "threads")]
pub(crate) fn critical<R>(f: impl FnOnce() -> R) -> R {
    let state = crate::port::__bluegen_port_lock();
    let r = f();
    crate::port::__bluegen_port_unlock(state);
    r
}

/// Passes the core to the next ready thread of the same priority, if any.
#[cfg(feature = "threads")]
pub fn yield_now() {
    state::ROTATE.store(true, core::sync::atomic::Ordering::Relaxed);
    crate::port::__bluegen_port_pend_switch();
}

/// Ends the calling thread; the others go on. Returning from a thread's
/// entry function does the same.
#[cfg(feature = "threads")]
pub fn thread_exit() -> ! {
    use core::sync::atomic::Ordering::Relaxed;
    use state::*;
    critical(|| {
        let current = CURRENT.load(Relaxed);
        if current < crate::sched::MAX_THREADS {
            let bit = !(1u32 << current);
            READY.store(READY.load(Relaxed) & bit, Relaxed);
            ALIVE.store(ALIVE.load(Relaxed) & bit, Relaxed);
            #[cfg(feature = "spawn")]
            crate::spawn::ended(current);
        }
    });
    loop {
        crate::port::__bluegen_port_pend_switch();
    }
}

/// Ticks since the scheduler started (wraps after 2^32 ticks).
#[cfg(feature = "preempt")]
pub fn ticks() -> u32 {
    state::TICKS.load(core::sync::atomic::Ordering::Relaxed)
}

/// A free-running counter for benchmarks: executed instructions on RISC-V
/// (`minstret`; exact under QEMU `-icount shift=0`), SysTick clock cycles
/// since start on Cortex-M (1.6 per instruction under `-icount shift=6` on
/// the 25 MHz MPS2 boards).
#[cfg(feature = "preempt")]
pub fn counter() -> u64 {
    loop {
        let before = ticks();
        let c = crate::port::__bluegen_port_counter(before);
        if ticks() == before {
            return c;
        }
    }
}

/// Sleeps for `ticks` ticks (0 yields).
#[cfg(feature = "preempt")]
pub fn sleep(ticks: u32) {
    if ticks == 0 {
        yield_now();
    } else {
        sleep_until(self::ticks().wrapping_add(ticks));
    }
}

/// Sleeps until the tick count reaches `deadline` (returns at once if it
/// has passed, less than 2^31 ticks ago).
#[cfg(feature = "preempt")]
pub fn sleep_until(deadline: u32) {
    use core::sync::atomic::Ordering::Relaxed;
    use state::*;
    let slept = critical(|| {
        let current = CURRENT.load(Relaxed);
        let now = TICKS.load(Relaxed);
        if current >= crate::sched::MAX_THREADS || (deadline.wrapping_sub(now) as i32) <= 0 {
            return false;
        }
        WAKE[current].store(deadline, Relaxed);
        SLEEPING.store(SLEEPING.load(Relaxed) | 1 << current, Relaxed);
        READY.store(READY.load(Relaxed) & !(1 << current), Relaxed);
        true
    });
    if slept {
        crate::port::__bluegen_port_pend_switch();
    }
}

/// The tick, called by the arch tick interrupt with interrupts masked:
/// counts, wakes due sleepers, and runs the time slice. Returns whether a
/// switch is due (a higher-priority thread woke, or the slice ran out and a
/// thread of equal priority is ready).
///
/// # Safety
///
/// Only the arch tick interrupt calls this (through the image's
/// `__bluegen_tick`), with interrupts masked, once per tick period, and
/// switches when it returns true. The scheduler state it updates is the
/// switch's, which assumes no thread changes it outside the kernel's lock.
#[cfg(feature = "preempt")]
#[allow(unsafe_code)]
pub unsafe fn tick() -> bool {
    use crate::sched::{MAX_THREADS, due};
    use core::sync::atomic::Ordering::Relaxed;
    use state::*;
    let now = TICKS.load(Relaxed).wrapping_add(1);
    TICKS.store(now, Relaxed);
    crate::duration::advanced(now.wrapping_sub(1), now);
    #[cfg(feature = "tickless")]
    crate::tickless::count_interrupt();
    #[cfg(feature = "stack-check")]
    {
        let current = CURRENT.load(Relaxed);
        check_stack(current);
        // Not a thread: an overflow may have overwritten the scheduler's
        // state, so look at every stack.
        if current > crate::sched::IDLE {
            check_stacks();
        }
    }
    let sleeping = SLEEPING.load(Relaxed);
    let due = due(sleeping, |i| WAKE[i].load(Relaxed), now);
    let woke = crate::suspend::runnable(due);
    let ready = READY.load(Relaxed) | woke;
    if due != 0 {
        SLEEPING.store(sleeping & !due, Relaxed);
        READY.store(ready, Relaxed);
    }
    let current = CURRENT.load(Relaxed);
    if current >= MAX_THREADS {
        return ready != 0;
    }
    let group = GROUP[current].load(Relaxed);
    // Woken threads of a higher priority come before the current group.
    let higher = woke & ((1u32 << current) - 1) & !group;
    let mut switch = higher != 0;
    if bluegen_config::TIME_SLICE_TICKS > 0 {
        let left = SLICE.load(Relaxed).saturating_sub(1);
        if left == 0 && group & ready & !(1 << current) != 0 {
            ROTATE.store(true, Relaxed);
            switch = true;
        }
        SLICE.store(if left == 0 { bluegen_config::TIME_SLICE_TICKS } else { left }, Relaxed);
    }
    switch
}

/// The calling thread's index in the device's table (highest priority first);
/// [`crate::sched::IDLE`] for the idle thread.
#[cfg(feature = "threads")]
pub fn current_id() -> usize {
    state::CURRENT.load(core::sync::atomic::Ordering::Relaxed)
}

/// The calling thread's name in device.toml (`"idle"` for the idle thread).
#[cfg(feature = "threads")]
pub fn current_name() -> &'static str {
    name_of(current_id())
}

/// The name of thread `index` (`"idle"` for the idle thread).
#[cfg(feature = "threads")]
pub(crate) fn name_of(index: usize) -> &'static str {
    thread_of(index).map_or("idle", |(name, _)| name)
}

/// Tick interrupts taken since the scheduler started: with `TICKLESS`
/// fewer than [`ticks`] when threads slept, without it every tick is one.
#[cfg(feature = "preempt")]
pub fn tick_interrupts() -> u32 {
    #[cfg(feature = "tickless")]
    return crate::tickless::interrupts();
    #[cfg(not(feature = "tickless"))]
    ticks()
}

fn banner(threads: usize) {
    console::write_str(concat!("bluegen kernel ", env!("CARGO_PKG_VERSION"), ": "));
    console::write_u32(u32::try_from(threads).unwrap_or(u32::MAX));
    console::write_str(if threads == 1 { " thread\n" } else { " threads\n" });
}

#[cfg(test)]
#[cfg_attr(feature = "threads", allow(dead_code))]
#[allow(unsafe_code)]
mod tests {
    use super::*;
    use crate::port::host::{exit_code_of, take_output};
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
    static TWO: [ThreadSpec; 2] = [
        ThreadSpec { name: "high", entry: first, priority: 5, stack: &[], start: true },
        ThreadSpec { name: "low", entry: second, priority: 1, stack: &[], start: true },
    ];

    #[cfg(not(feature = "threads"))]
    static FAILING: [ThreadSpec; 2] = [
        ThreadSpec { name: "fails", entry: fails, priority: 2, stack: &[], start: true },
        ThreadSpec { name: "never", entry: second, priority: 1, stack: &[], start: true },
    ];

    #[cfg(not(feature = "threads"))]
    #[test]
    fn runs_threads_in_table_order_then_exits_zero() {
        // SAFETY (this and the tests below): without threads, `start` only
        // calls the entries in order; the host has no stacks to overwrite.
        RAN.with(|r| r.borrow_mut().clear());
        assert_eq!(exit_code_of(|| unsafe { start(&TWO) }), 0);
        assert_eq!(RAN.with(|r| r.borrow().clone()), ["first", "second"]);
    }

    #[cfg(not(feature = "threads"))]
    #[test]
    fn a_thread_that_exits_ends_the_run() {
        RAN.with(|r| r.borrow_mut().clear());
        assert_eq!(exit_code_of(|| unsafe { start(&FAILING) }), 3);
        assert!(RAN.with(|r| r.borrow().is_empty()));
    }

    #[test]
    fn no_threads_exits_zero() {
        static NONE: [ThreadSpec; 0] = [];
        assert_eq!(exit_code_of(|| unsafe { start(&NONE) }), 0);
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
