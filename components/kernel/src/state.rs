//! The scheduler's state, mutated only under a `CriticalSection` token.
//!
//! Who is ready, alive, running, asleep and blocked, as bitmaps of thread
//! indices (see [`crate::sched`]), plus each thread's saved stack pointer
//! and wake tick. The statics are private to this module: every change goes
//! through a function here that takes a [`CriticalSection`], and blocking
//! and waking live here once, for every blocking object:
//!
//! * a blocking call, in its critical section, calls [`block`] (or
//!   [`enqueue`] with a timeout in ticks) with the object's waiter bitmap,
//!   then, outside it, [`wait`], which switches away and, once the thread
//!   runs again, tells a give from a timeout;
//! * a give calls [`wake_one`] (the highest-priority waiter) or [`wake`]
//!   (a mask of threads) in its critical section, then [`reschedule`] with
//!   the preemption they report;
//! * every thread that becomes ready, by a give, a due wake tick, a join or
//!   a tickless wake-up, goes through [`make_ready`], which with `SUSPEND`
//!   parks the suspended ones instead (so the switch needs no check).

use crate::sched::{IDLE, MAX_THREADS};
use bluegen_port::CriticalSection;
use core::sync::atomic::Ordering::Relaxed;
use core::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize};

/// No thread yet: the first switch saves nothing.
const NONE: usize = usize::MAX;
/// Wait without a timeout (the sync objects' `FOREVER`).
pub(crate) const FOREVER: u32 = u32::MAX;

static READY: AtomicU32 = AtomicU32::new(0);
static ALIVE: AtomicU32 = AtomicU32::new(0);
/// [`NONE`] from start-up ([`set_idle`]) to the first switch; 0 before, so
/// that it lies in `.bss` with the rest (one base address for all).
static CURRENT: AtomicUsize = AtomicUsize::new(0);
static ROTATE: AtomicBool = AtomicBool::new(false);
/// One bit per priority group: the head of its round robin (see
/// [`crate::sched::pick`]).
static HEADS: AtomicU32 = AtomicU32::new(0);
static SP: [AtomicUsize; IDLE + 1] = [const { AtomicUsize::new(0) }; IDLE + 1];
static GROUP: [AtomicU32; MAX_THREADS] = [const { AtomicU32::new(0) }; MAX_THREADS];
/// The threads whose group has another member (bit 31 − index, see
/// [`crate::sched::shared_bit`]), kept as [`store_group`] writes GROUP: the
/// pick's fast path reads one bit.
static SHARED: AtomicU32 = AtomicU32::new(0);

/// [`SHARED`] for the pick; none without `ROUND_ROBIN` (no two threads
/// ever share a priority then: bluegen sets it when two do), so that the
/// switch's fast path folds to the best ready thread.
#[inline(always)]
fn shared() -> u32 {
    if cfg!(feature = "round-robin") { SHARED.load(Relaxed) } else { 0 }
}
/// Time and sleepers: only with the tick.
#[cfg(feature = "preempt")]
static TICKS: AtomicU32 = AtomicU32::new(0);
/// Times TICKS wrapped: the high word of the 64-bit tick count.
#[cfg(feature = "preempt")]
static EPOCH: AtomicU32 = AtomicU32::new(0);
/// Suspended threads, and those of them that would be ready.
#[cfg(feature = "suspend")]
static SUSPENDED: AtomicU32 = AtomicU32::new(0);
#[cfg(feature = "suspend")]
static PARKED: AtomicU32 = AtomicU32::new(0);
#[cfg(feature = "preempt")]
static SLEEPING: AtomicU32 = AtomicU32::new(0);
#[cfg(feature = "preempt")]
static WAKE: [AtomicU32; MAX_THREADS] = [const { AtomicU32::new(0) }; MAX_THREADS];
#[cfg(feature = "preempt")]
static SLICE: AtomicU32 = AtomicU32::new(0);
/// Threads a higher one preempted: each keeps the rest of its slice in its
/// `WAKE` word (unused while a thread is ready) for when it runs again.
#[cfg(feature = "preempt")]
static PREEMPTED: AtomicU32 = AtomicU32::new(0);
/// Per thread: whether its last wait ended by a give (not a timeout).
#[cfg(any(feature = "semaphore", feature = "mutex", feature = "queue", feature = "events", feature = "pool"))]
static GIVEN: [AtomicBool; MAX_THREADS] = [const { AtomicBool::new(false) }; MAX_THREADS];
/// Threads blocked on a mutex, standing in for its owner (priority
/// inheritance by proxy: picking one runs the owner).
#[cfg(feature = "mutex")]
static PROXY: AtomicU32 = AtomicU32::new(0);
#[cfg(feature = "mutex")]
static PROXY_TO: [AtomicUsize; MAX_THREADS] = [const { AtomicUsize::new(0) }; MAX_THREADS];

/// The running thread's index; [`IDLE`] for the idle thread, more before
/// the first switch.
#[inline(always)]
pub(crate) fn current() -> usize {
    CURRENT.load(Relaxed)
}

/// The caller's thread index. Only threads block or own a mutex, never
/// idle or an interrupt handler; the modulo keeps indexing panic-free.
#[inline(always)]
pub(crate) fn me() -> usize {
    current() % MAX_THREADS
}

/// The threads that have not ended.
#[inline(always)]
pub(crate) fn alive() -> u32 {
    ALIVE.load(Relaxed)
}

/// The tick count.
#[cfg(feature = "preempt")]
#[inline(always)]
pub(crate) fn ticks() -> u32 {
    TICKS.load(Relaxed)
}

/// The tick count in 64 bits: TICKS and its wraps, read so that a tick
/// between the reads cannot tear them.
#[cfg(feature = "preempt")]
pub(crate) fn ticks64() -> u64 {
    loop {
        let high = EPOCH.load(Relaxed);
        let low = TICKS.load(Relaxed);
        if EPOCH.load(Relaxed) == high {
            return u64::from(high) << 32 | u64::from(low);
        }
    }
}

/// TICKS advances from `before` to `after`: counts a wrap.
#[cfg(feature = "preempt")]
#[inline(always)]
fn advanced(before: u32, after: u32) {
    if after < before {
        EPOCH.store(EPOCH.load(Relaxed).wrapping_add(1), Relaxed);
    }
}

/// The highest-priority thread of `mask` ([`IDLE`] for none). Without
/// `PRIORITY_CHANGE` the table order is the priority order: the lowest
/// index, one `trailing_zeros`. With it, the same while the ranks are in
/// index order ([`crate::rank::in_order`]), else the highest rank, a scan
/// of the mask ([`crate::sched::highest`]): a set_priority changes one rank
/// and no bitmap, so the waiter bitmaps of the sync objects, which the
/// kernel cannot reach, stay valid (see [`crate::handle`]).
#[inline(always)]
pub(crate) fn best_of(mask: u32) -> usize {
    #[cfg(feature = "priority-change")]
    return if crate::rank::in_order() { crate::sched::lowest(mask, crate::sched::slots()) } else { crate::sched::highest(mask, crate::rank::rank) };
    #[cfg(not(feature = "priority-change"))]
    return crate::sched::lowest(mask, crate::sched::slots());
}

/// Whether the table order is still the priority order (always, without
/// `PRIORITY_CHANGE`; see `crate::rank::in_order`).
#[inline(always)]
fn table_order() -> bool {
    #[cfg(feature = "priority-change")]
    return crate::rank::in_order();
    #[cfg(not(feature = "priority-change"))]
    return true;
}

/// With `PRIORITY_CHANGE`: whether thread `i` ranks above `current`.
#[cfg(feature = "priority-change")]
#[inline(always)]
fn outranks(i: usize, current: usize, group: impl FnOnce() -> u32) -> bool {
    let _ = group;
    i < MAX_THREADS && crate::rank::rank(i) > crate::rank::rank(current)
}

/// Thread `index`'s group is `group` (its own bit included); keeps its
/// bit of SHARED.
fn store_group(cs: CriticalSection<'_>, index: usize, group: u32) {
    let _ = cs;
    let Some(g) = GROUP.get(index) else { return };
    g.store(group, Relaxed);
    let others = SHARED.load(Relaxed) & !crate::sched::shared_bit(index, u32::MAX);
    SHARED.store(others | crate::sched::shared_bit(index, group), Relaxed);
}

/// Start-up or spawn: thread `index` with its first stack pointer `sp` and
/// priority group `group` is alive and ready.
pub(crate) fn add(cs: CriticalSection<'_>, index: usize, sp: usize, group: u32) {
    let (Some(s), Some(g)) = (SP.get(index), GROUP.get(index)) else { return };
    s.store(sp, Relaxed);
    g.store(group, Relaxed);
    // Only set (a spawn regroups right after): free for a thread alone.
    SHARED.store(SHARED.load(Relaxed) | crate::sched::shared_bit(index, group), Relaxed);
    ALIVE.store(ALIVE.load(Relaxed) | 1 << index, Relaxed);
    make_ready(cs, 1 << index);
}

/// Spawn: thread `index` now shares a priority group with the threads of
/// `group`.
#[cfg(all(feature = "spawn", not(feature = "priority-change")))]
pub(crate) fn set_group(cs: CriticalSection<'_>, index: usize, group: u32) {
    store_group(cs, index, group);
}

/// Start-up: the idle thread's first stack pointer; no thread runs yet, so
/// the first switch saves no stack pointer.
pub(crate) fn set_idle(cs: CriticalSection<'_>, sp: usize) {
    let _ = cs;
    SP[IDLE].store(sp, Relaxed);
    CURRENT.store(NONE, Relaxed);
}

/// The calling thread ends: it is neither ready nor alive any more;
/// returns its index (or more for idle and handlers, which do not end).
pub(crate) fn end_current(cs: CriticalSection<'_>) -> usize {
    let _ = cs;
    let current = current();
    if current < MAX_THREADS {
        let bit = !(1u32 << current);
        READY.store(READY.load(Relaxed) & bit, Relaxed);
        ALIVE.store(ALIVE.load(Relaxed) & bit, Relaxed);
    }
    current
}

/// The running thread faulted and starts again from the first frame at
/// `sp`: it stays ready, and the switch that follows saves no stack
/// pointer for it (its context is gone).
#[cfg(feature = "isolation")]
pub(crate) fn restart_current(cs: CriticalSection<'_>, sp: usize) {
    let _ = cs;
    let current = current();
    if let Some(slot) = SP.get(current) {
        slot.store(sp, Relaxed);
    }
    CURRENT.store(NONE, Relaxed);
}

/// The threads of `mask` become ready: the one place every wake-up goes
/// through. With `SUSPEND` the suspended ones are parked instead; returns
/// the threads that did become ready (`mask` without `SUSPEND`).
#[inline(always)]
pub(crate) fn make_ready(cs: CriticalSection<'_>, mask: u32) -> u32 {
    let _ = cs;
    #[cfg(feature = "suspend")]
    let mask = {
        let suspended = SUSPENDED.load(Relaxed);
        if mask & suspended != 0 {
            PARKED.store(PARKED.load(Relaxed) | (mask & suspended), Relaxed);
        }
        mask & !suspended
    };
    READY.store(READY.load(Relaxed) | mask, Relaxed);
    mask
}

/// Suspends thread `index`: a ready thread stops (parked), a waiting one
/// is parked when its wait ends. Returns whether it is the caller (which
/// must then switch away).
#[cfg(feature = "suspend")]
pub(crate) fn suspend(cs: CriticalSection<'_>, index: usize) -> bool {
    let _ = cs;
    if index >= MAX_THREADS {
        return false;
    }
    if index == current() {
        not_in_handler();
    }
    let bit = 1u32 << index;
    SUSPENDED.store(SUSPENDED.load(Relaxed) | bit, Relaxed);
    let ready = READY.load(Relaxed);
    if ready & bit != 0 {
        READY.store(ready & !bit, Relaxed);
        PARKED.store(PARKED.load(Relaxed) | bit, Relaxed);
    }
    current() == index
}

/// Resumes thread `index`: None if it was not suspended, else whether it
/// became ready and should preempt the caller.
#[cfg(feature = "suspend")]
pub(crate) fn resume(cs: CriticalSection<'_>, index: usize) -> Option<bool> {
    let _ = cs;
    let bit = 1u32.checked_shl(index as u32).filter(|_| index < MAX_THREADS)?;
    if SUSPENDED.load(Relaxed) & bit == 0 {
        return None;
    }
    SUSPENDED.store(SUSPENDED.load(Relaxed) & !bit, Relaxed);
    let parked = PARKED.load(Relaxed);
    if parked & bit == 0 {
        return Some(false);
    }
    PARKED.store(parked & !bit, Relaxed);
    READY.store(READY.load(Relaxed) | bit, Relaxed);
    Some(preempts(bit))
}

/// Whether thread `index` is suspended.
#[cfg(feature = "suspend")]
pub(crate) fn is_suspended(index: usize) -> bool {
    index < MAX_THREADS && SUSPENDED.load(Relaxed) & 1 << index != 0
}

/// A spawn into slot `index`: the new thread is not suspended.
#[cfg(feature = "suspend")]
pub(crate) fn unsuspend(cs: CriticalSection<'_>, index: usize) {
    let _ = cs;
    let bit = !(1u32.checked_shl(index as u32).unwrap_or(0));
    SUSPENDED.store(SUSPENDED.load(Relaxed) & bit, Relaxed);
    PARKED.store(PARKED.load(Relaxed) & bit, Relaxed);
}

/// Whether the best of `ready` (not 0), just made ready, should preempt:
/// it ranks higher (without `PRIORITY_CHANGE` by its bit against the running
/// thread's group, [`crate::sched::outranks_group`]), or idle (or a handler) runs.
#[inline(always)]
fn preempts(ready: u32) -> bool {
    let current = current();
    // A woken mutex owner ranks as the waiters that stand in for it (the
    // pick resolves a stand-in to its owner; a stand-in whose owner is not
    // ready resolves to the best ready thread, at worst this one).
    #[cfg(feature = "mutex")]
    let ready = ready | PROXY.load(Relaxed);
    #[cfg(feature = "priority-change")]
    return current >= MAX_THREADS || outranks(best_of(ready), current, || 0);
    #[cfg(all(not(feature = "priority-change"), feature = "round-robin"))]
    return current >= MAX_THREADS || crate::sched::outranks_group(ready & ready.wrapping_neg(), GROUP[current].load(Relaxed));
    // Every thread alone at its priority: its group is its own bit.
    #[cfg(not(any(feature = "priority-change", feature = "round-robin")))]
    return crate::sched::outranks_index(ready & ready.wrapping_neg(), current);
}

/// Wakes the threads of `mask` (blocked or asleep): they leave the
/// sleepers and become ready; returns whether one of them should preempt
/// the caller (the lowest index of the mask decides).
pub(crate) fn wake(cs: CriticalSection<'_>, mask: u32) -> bool {
    if mask == 0 {
        return false;
    }
    wake_some(cs, mask)
}

/// [`wake`] of a mask known not to be 0.
fn wake_some(cs: CriticalSection<'_>, mask: u32) -> bool {
    #[cfg(feature = "preempt")]
    SLEEPING.store(SLEEPING.load(Relaxed) & !mask, Relaxed);
    let ready = make_ready(cs, mask);
    (cfg!(not(feature = "suspend")) || ready != 0) && preempts(ready)
}

/// Makes the highest-priority waiter of `waiters` ready with its wait
/// given; returns it, and whether it should preempt the caller.
#[inline(always)]
pub(crate) fn wake_one(cs: CriticalSection<'_>, waiters: &AtomicU32) -> Option<(usize, bool)> {
    let w = waiters.load(Relaxed);
    if w == 0 {
        return None;
    }
    let i = best_of(w) % MAX_THREADS;
    // Its bit without the index (which only the GIVEN flag and the caller
    // may need): the lowest bit, while the table order is the priority order.
    #[cfg(not(feature = "priority-change"))]
    let bit = w & w.wrapping_neg();
    #[cfg(feature = "priority-change")]
    let bit = 1 << i;
    waiters.store(w & !bit, Relaxed);
    #[cfg(any(feature = "semaphore", feature = "mutex", feature = "queue", feature = "events", feature = "pool"))]
    GIVEN[i].store(true, Relaxed);
    Some((i, wake_some(cs, bit)))
}

/// Switches when a wake-up asked for it (after the critical section).
#[inline(always)]
pub(crate) fn reschedule(preempt: bool) {
    if preempt {
        bluegen_port::pend_switch();
    }
}

/// The calling thread blocks: it leaves the ready set, joins `waiters`
/// (an object's waiter bitmap) if given, and sleeps until tick `deadline`
/// if given. It goes on running until the caller's critical section ends
/// and [`wait`] (or a plain switch) gives the core away.
#[inline(always)]
pub(crate) fn block(cs: CriticalSection<'_>, waiters: Option<&AtomicU32>, deadline: Option<u32>) {
    let _ = cs;
    not_in_handler();
    let me = me();
    let bit = 1 << me;
    if let Some(w) = waiters {
        w.store(w.load(Relaxed) | bit, Relaxed);
    }
    READY.store(READY.load(Relaxed) & !bit, Relaxed);
    #[cfg(any(feature = "semaphore", feature = "mutex", feature = "queue", feature = "events", feature = "pool"))]
    GIVEN[me].store(false, Relaxed);
    #[cfg(feature = "preempt")]
    if let Some(d) = deadline {
        WAKE[me].store(d, Relaxed);
        SLEEPING.store(SLEEPING.load(Relaxed) | bit, Relaxed);
    }
    #[cfg(not(feature = "preempt"))]
    let _ = deadline;
}

/// The blocking-call guard (Kconfig `INTERRUPTS`; nothing without it):
/// fails the run when an interrupt handler runs, for the calls that would
/// park, end or suspend the thread the handler interrupted (every wait,
/// `thread_exit`, suspending the caller, `Mutex::lock`).
#[inline(always)]
pub(crate) fn not_in_handler() {
    #[cfg(feature = "interrupts")]
    if let Some(irq) = bluegen_port::active_irq() {
        blocked_in_handler(irq);
    }
}

/// The guard's failure: a handler interrupted
/// a thread, which is not the one to park, and it cannot wait itself; the
/// run fails naming the handler's `[interrupts.<name>]`.
#[cfg(feature = "interrupts")]
#[cold]
#[inline(never)]
fn blocked_in_handler(irq: u16) -> ! {
    crate::console::write_str("blocking call in interrupt handler `");
    crate::console::write_str(bluegen_port::irq_name(irq));
    crate::console::write_str("`\n");
    crate::exit(1)
}

/// [`block`] on `waiters` for at most `timeout` ticks ([`FOREVER`]: no
/// timeout).
#[cfg(any(feature = "semaphore", feature = "mutex", feature = "queue", feature = "events", feature = "pool"))]
#[inline(always)]
pub(crate) fn enqueue(cs: CriticalSection<'_>, waiters: &AtomicU32, timeout: u32) -> u32 {
    let now = if timeout != FOREVER { ticks() } else { 0 };
    block(cs, Some(waiters), (timeout != FOREVER).then(|| now.wrapping_add(timeout)));
    now
}

/// After [`enqueue`]: gives the core away, and once the thread runs again
/// returns whether a give (not the timeout) ended the wait; on a timeout
/// it leaves `waiters`. A wait without a timeout ends only by a give
/// ([`wake_one`]), so it needs no second critical section (a dozen
/// instructions off every blocking call).
#[cfg(any(feature = "semaphore", feature = "mutex", feature = "queue", feature = "events", feature = "pool"))]
#[inline(always)]
pub(crate) fn wait(waiters: &AtomicU32, timeout: u32) -> bool {
    bluegen_port::pend_switch();
    waited(waiters, timeout)
}

/// [`wait`] once the core was given away (the enqueue's section ended
/// with a switch: [`bluegen_port::critical_switch`]).
#[cfg(any(feature = "semaphore", feature = "mutex", feature = "queue", feature = "events", feature = "pool"))]
#[inline(always)]
pub(crate) fn waited(waiters: &AtomicU32, timeout: u32) -> bool {
    if timeout == FOREVER {
        return true;
    }
    bluegen_port::critical(|_| {
        let me = me();
        let given = GIVEN[me].load(Relaxed);
        if !given {
            waiters.store(waiters.load(Relaxed) & !(1 << me), Relaxed);
        }
        given
    })
}

/// Mutex: the calling thread, blocked on a mutex that `owner` holds,
/// stands in for the owner in the schedule.
#[cfg(feature = "mutex")]
pub(crate) fn proxy(cs: CriticalSection<'_>, owner: usize) {
    let _ = cs;
    let me = me();
    PROXY.store(PROXY.load(Relaxed) | 1 << me, Relaxed);
    PROXY_TO[me].store(owner, Relaxed);
}

/// Mutex: thread `index` no longer stands in for an owner.
#[cfg(feature = "mutex")]
pub(crate) fn unproxy(cs: CriticalSection<'_>, index: usize) {
    let _ = cs;
    PROXY.store(PROXY.load(Relaxed) & !(1 << (index % MAX_THREADS)), Relaxed);
}

/// Mutex: the waiters of `waiters` now stand in for `owner`.
#[cfg(feature = "mutex")]
pub(crate) fn proxy_all(cs: CriticalSection<'_>, waiters: u32, owner: usize) {
    let _ = cs;
    let mut rest = waiters;
    while rest != 0 {
        PROXY_TO[rest.trailing_zeros() as usize % MAX_THREADS].store(owner, Relaxed);
        rest &= rest - 1;
    }
}

/// A yield or an expired slice: the next switch rotates among equals.
#[inline(always)]
pub(crate) fn rotate(cs: CriticalSection<'_>) {
    let _ = cs;
    ROTATE.store(true, Relaxed);
}

/// The context switch's decision (interrupts masked): saves the stack
/// pointer `sp` of the outgoing thread `current` (the running one), picks the next thread and makes it the
/// running one; returns its index. A yield or an expired slice passes the
/// round robin's turn on; a preempted thread keeps its turn and the rest of
/// its slice (see [`crate::sched`]).
#[inline(always)]
pub(crate) fn switch(cs: CriticalSection<'_>, current: usize, sp: usize) -> usize {
    use crate::sched::{pick_ranked, picked, rotate_head, yield_pick};
    let _ = cs;
    if current <= IDLE {
        SP[current].store(sp, Relaxed);
    }
    let rotate = ROTATE.load(Relaxed);
    let ready = READY.load(Relaxed);
    // With a mutex, a thread blocked on it stands in for its owner: the
    // pick takes it as ready, and the proxy rule below runs the owner.
    #[cfg(feature = "mutex")]
    let runnable = ready | PROXY.load(Relaxed);
    #[cfg(not(feature = "mutex"))]
    let runnable = ready;
    // A yield (or an expired slice) among ready equals, none higher: the
    // next equal in one pass (`yield_pick`), the general pick otherwise.
    // With a mutex (the standard preset) the general pick always decides:
    // the one pass would add its bytes to every such image.
    let mut yielded = None;
    if rotate {
        ROTATE.store(false, Relaxed);
        if let Some(g) = GROUP.get(current) {
            let g = g.load(Relaxed);
            let heads = HEADS.load(Relaxed);
            if cfg!(not(feature = "mutex")) && table_order() {
                yielded = yield_pick(runnable, g, current, |m| crate::sched::lowest(m, crate::sched::slots()));
            }
            HEADS.store(if let Some(n) = yielded { picked(heads, g, n) } else { rotate_head(heads, g, current) }, Relaxed);
        }
    }
    let next = if let Some(n) = yielded {
        n
    } else {
        let (next, heads) = pick_ranked(runnable, best_of, || HEADS.load(Relaxed), |i: usize| GROUP.get(i).map_or(0, |g| g.load(Relaxed)), shared());
        if let Some(h) = heads {
            HEADS.store(h, Relaxed);
        }
        next
    };
    // A chain that ends at a thread that is not ready (rare: the owner
    // sleeps): the highest-priority ready thread.
    #[cfg(feature = "mutex")]
    let next = {
        let owner_of = |i: usize| PROXY_TO.get(i).map_or(usize::MAX, |o| o.load(Relaxed));
        let plain = || if ready == 0 { IDLE } else { best_of(ready) };
        crate::sched::resolve_proxy(next, ready, owner_of, plain)
    };
    let next = next.min(IDLE);
    // The time slice, as ThreadX: a thread a higher one preempted (still
    // ready, not rotated away) keeps the rest of its slice in its `WAKE`
    // word; the next thread gets its saved rest back, or a new slice.
    #[cfg(feature = "preempt")]
    if bluegen_config::TIME_SLICE_TICKS > 0 && next != current {
        let mut preempted = PREEMPTED.load(Relaxed);
        let (save, restore) = crate::sched::slice_handover(current, next, ready, rotate, preempted);
        // A thread restarted after a fault (isolation) left no slice to keep.
        let save = save && (cfg!(not(feature = "isolation")) || current < MAX_THREADS);
        if save {
            WAKE[current % MAX_THREADS].store(SLICE.load(Relaxed), Relaxed);
            preempted |= 1 << (current % MAX_THREADS);
        }
        let slice = if restore { WAKE[next % MAX_THREADS].load(Relaxed) } else { bluegen_config::TIME_SLICE_TICKS };
        SLICE.store(slice, Relaxed);
        PREEMPTED.store(if restore { preempted & !(1 << (next % MAX_THREADS)) } else { preempted }, Relaxed);
    }
    CURRENT.store(next, Relaxed);
    next
}

/// The saved stack pointer of thread `index` (or idle's).
#[inline(always)]
pub(crate) fn sp_of(index: usize) -> usize {
    SP.get(index).map_or(0, |s| s.load(Relaxed))
}

/// The tick's scheduling (interrupts masked): counts the tick, wakes due
/// sleepers and runs the time slice; returns whether a switch is due (a
/// higher-priority thread woke, or the slice ran out and a thread of equal
/// priority is ready).
#[cfg(feature = "preempt")]
#[inline(always)]
pub(crate) fn tick(cs: CriticalSection<'_>) -> bool {
    let now = TICKS.load(Relaxed).wrapping_add(1);
    TICKS.store(now, Relaxed);
    advanced(now.wrapping_sub(1), now);
    let sleeping = SLEEPING.load(Relaxed);
    let mut woke = crate::sched::due(sleeping, |i| WAKE[i].load(Relaxed), now);
    if woke != 0 {
        SLEEPING.store(sleeping & !woke, Relaxed);
        woke = make_ready(cs, woke);
    }
    let ready = READY.load(Relaxed);
    let current = CURRENT.load(Relaxed);
    if current >= MAX_THREADS {
        return ready != 0;
    }
    let group = GROUP[current].load(Relaxed);
    // Woken threads of a higher priority come before the current group.
    #[cfg(not(feature = "priority-change"))]
    let mut switch = woke & ((1u32 << current) - 1) & !group != 0;
    #[cfg(feature = "priority-change")]
    let mut switch = outranks(best_of(woke), current, || group);
    // A woken mutex owner runs at the priority of the waiters that stand
    // in for it: switch when one of them outranks the running thread (the
    // pick resolves the stand-in to the owner; rare, only with waiters).
    #[cfg(feature = "mutex")]
    if woke != 0 {
        let proxies = PROXY.load(Relaxed);
        #[cfg(not(feature = "priority-change"))]
        let above = proxies & ((1u32 << current) - 1) & !group != 0;
        #[cfg(feature = "priority-change")]
        let above = proxies != 0 && outranks(best_of(proxies), current, || group);
        switch |= above;
    }
    if bluegen_config::TIME_SLICE_TICKS > 0 {
        let left = SLICE.load(Relaxed).saturating_sub(1);
        if left == 0 && group & ready & !(1 << current) != 0 {
            rotate(cs);
            switch = true;
        }
        SLICE.store(if left == 0 { bluegen_config::TIME_SLICE_TICKS } else { left }, Relaxed);
    }
    switch
}

/// Tickless idle (interrupts masked): when no thread is ready, sleeps the
/// core until the earliest sleeper's wake tick with the ticks in between
/// suppressed, then counts the ticks that passed and wakes the sleepers
/// they made due; returns whether one woke.
#[cfg(feature = "tickless")]
pub(crate) fn idle_sleep(cs: CriticalSection<'_>) -> bool {
    if READY.load(Relaxed) != 0 {
        return false;
    }
    let now = TICKS.load(Relaxed);
    let sleeping = SLEEPING.load(Relaxed);
    let wake = |i: usize| WAKE.get(i).map_or(0, |w| w.load(Relaxed));
    let ahead = crate::sched::ticks_to_next(sleeping, wake, now);
    let passed = bluegen_port::idle_sleep(cs, ahead);
    if passed == 0 {
        return false;
    }
    TICKS.store(now.wrapping_add(passed), Relaxed);
    advanced(now, now.wrapping_add(passed));
    let woke = crate::sched::due_within(sleeping, wake, now, passed);
    SLEEPING.store(sleeping & !woke, Relaxed);
    make_ready(cs, woke) != 0
}

/// Host tests of `set_priority` (in `state/priority_tests.rs`).
#[cfg(all(test, feature = "priority-change"))]
mod priority_tests;

/// Host tests of suspend and of the 64-bit tick count (in `state/tests.rs`).
#[cfg(test)]
mod tests;

// Run-time priority changes (PRIORITY_CHANGE): regrouping and the change.
#[cfg(feature = "priority-change")]
mod priority;
#[cfg(all(feature = "priority-change", feature = "spawn"))]
pub(crate) use priority::regroup;
#[cfg(feature = "priority-change")]
pub(crate) use priority::set_priority;
