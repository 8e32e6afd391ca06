//! The ready set: one bit per thread, O(1) selection of the next thread.
//!
//! Threads are numbered by their place in the image's table, which bluegen
//! sorts highest priority first, so the lowest set bit of the ready bitmap is
//! the highest-priority ready thread (one `trailing_zeros`). Threads of equal
//! priority are neighbours; `group` is the mask of a thread's priority group,
//! and one bit per group marks the head of its round robin, which lets a
//! yield pass the core to the next ready thread of the same priority, and a
//! preempted thread resume first among its equals, without a search.
//! With `PRIORITY_CHANGE` a run-time change can break that order; the
//! highest of a set is then [`highest`] by rank (see `crate::handle`).

/// At most this many threads (one bit each in a `u32`).
pub const MAX_THREADS: usize = 32;

/// Bytes the arch's switch keeps on a thread's stack beyond what a
/// `stack` sized for Cortex-M and RISC-V holds: AArch64's record of a
/// preempted thread is 800 bytes (its 32 FP/SIMD registers are 128-bit).
/// bluegen adds it to the device's threads; the kernel to its own stacks
/// (idle, the spawn pool).
pub const ARCH_STACK_EXTRA: usize = if cfg!(target_arch = "aarch64") { 800 } else { 0 };

/// Words of the idle thread's stack: room for one trap frame (all
/// registers on RISC-V: 128 bytes on RV32, 256 on RV64; 800 bytes on
/// AArch64) and the calls of the switch below it.
pub const IDLE_STACK_WORDS: usize = (if cfg!(target_pointer_width = "64") { 640 } else { 384 } + ARCH_STACK_EXTRA) / 4;

/// The index that stands for the idle thread.
pub const IDLE: usize = MAX_THREADS;

/// Whether `trailing_zeros` is a software sequence here, which LLVM
/// computes with a de Bruijn multiply and a 32-byte table (10 instructions
/// on RV32IMAC, 7 and two literal loads on ARMv6-M): RISC-V without Zbb,
/// and ARMv6-M, which has no `clz` (stable Rust shows no Arm target
/// features; ARMv6-M is the M-profile core without compare-and-swap).
const SOFT_CTZ: bool = cfg!(any(
    all(any(target_arch = "riscv32", target_arch = "riscv64"), not(target_feature = "zbb")),
    all(target_arch = "arm", not(target_has_atomic = "32"))
));

/// How many thread indices are in use: the device's threads, then the
/// spawn slots. A constant once the image is linked (LTO sees the table),
/// so [`lowest`] keeps one form.
#[cfg(feature = "threads")]
#[inline(always)]
pub fn slots() -> usize {
    #[cfg(feature = "spawn")]
    let pool = crate::pool::SLOTS;
    #[cfg(not(feature = "spawn"))]
    let pool = 0;
    bluegen_port::threads().len() + pool
}

/// The index of the lowest set bit of `mask` (not 0; its bits are thread
/// indices below `slots`): `trailing_zeros`, or on a core without a count
/// instruction ([`SOFT_CTZ`]) a shorter sequence where the indices allow:
/// [`lowest_of_2`] (2 instructions) and [`lowest_of_4`] (5) instead of 10.
#[inline(always)]
pub fn lowest(mask: u32, slots: usize) -> usize {
    if SOFT_CTZ && slots <= 2 {
        return lowest_of_2(mask);
    }
    if SOFT_CTZ && slots <= 4 {
        return lowest_of_4(mask);
    }
    mask.trailing_zeros() as usize
}

/// [`lowest`] of a mask of bits 0 and 1 (not 0).
#[inline(always)]
pub fn lowest_of_2(mask: u32) -> usize {
    ((mask & 1) ^ 1) as usize
}

/// [`lowest`] of a mask of bits 0 to 3 (not 0): its lowest bit `b` is 1, 2,
/// 4 or 8, and `b / 2 - b / 8` is 0, 1, 2 or 3.
#[inline(always)]
pub fn lowest_of_4(mask: u32) -> usize {
    let b = mask & mask.wrapping_neg();
    ((b >> 1) - (b >> 3)) as usize
}

/// Whether the thread of bit `bit` has a higher priority than a thread
/// of priority group `group` (its own bit included). Without
/// `PRIORITY_CHANGE` a thread outranks exactly the threads of the groups
/// after its own in index order: the live threads of a group are
/// neighbours (the table is sorted, spawned threads take slots in priority
/// order), so `bit` outranks the group when it lies below the group's
/// lowest bit. No index needed: one compare against a mask.
#[inline(always)]
pub fn outranks_group(bit: u32, group: u32) -> bool {
    bit < group & group.wrapping_neg()
}

/// [`outranks_group`] for a thread alone at its priority (no
/// `ROUND_ROBIN`: every group is one thread), by its index `index`: a
/// thread, [`IDLE`] or `usize::MAX` (none yet), the last two outranked by
/// every thread. On 64-bit targets the shift covers them without a test:
/// 32 shifts past every thread's bit, and `usize::MAX` shifts by 63 (the
/// shift amount is taken modulo 64).
#[inline(always)]
pub fn outranks_index(bit: u32, index: usize) -> bool {
    if usize::BITS > 32 {
        (bit as usize) < 1usize.wrapping_shl(index as u32)
    } else {
        index >= MAX_THREADS || bit < 1 << index
    }
}

/// The next thread to run, and the round robin's new heads if picking it
/// changed them: the highest-priority ready thread, or [`IDLE`].
///
/// Among ready threads of equal priority the round robin decides: `heads`
/// has one bit per group, the thread at the head of the group's turn (the
/// last one picked, or the one after a thread that yielded, see
/// [`rotate_head`]); the pick is the first ready thread of the group at or
/// after the head, wrapping round. So a thread that a higher-priority one
/// preempted stays the head of its group and resumes first among its
/// equals when the higher one blocks again (as in ThreadX), instead of
/// losing its turn to the first thread of the table. `group_of` maps a
/// thread to its group mask.
#[inline(always)]
pub fn pick(ready: u32, heads: impl FnOnce() -> u32, group_of: impl Fn(usize) -> u32) -> (usize, Option<u32>) {
    let mut shared = 0;
    let mut rest = ready;
    while rest != 0 {
        let i = rest.trailing_zeros() as usize;
        rest &= rest - 1;
        shared |= shared_bit(i, group_of(i));
    }
    pick_ranked(ready, |r| r.trailing_zeros() as usize, heads, group_of, shared)
}

/// Thread `index`'s bit in the mask of threads that share their priority
/// (a `shared` of [`pick_ranked`]), given its group mask: set when the
/// group has another member. Bit 31 − `index`, so that the pick tests it
/// with one shift left and a sign branch.
#[inline(always)]
pub fn shared_bit(index: usize, group: u32) -> u32 {
    (u32::from(group & group.wrapping_sub(1) != 0) << 31) >> (index % MAX_THREADS)
}

/// [`pick`] with the highest-priority thread of a set given by `best`
/// (with `PRIORITY_CHANGE`, [`highest`] by the current priorities; else
/// the lowest index) and `shared`, the threads whose group has another
/// member ([`shared_bit`]; its bits of `ready` must be exact). Groups keep
/// their round robin in index order.
#[inline(always)]
pub fn pick_ranked(ready: u32, best: impl FnOnce(u32) -> usize, heads: impl FnOnce() -> u32, group_of: impl Fn(usize) -> u32, shared: u32) -> (usize, Option<u32>) {
    if ready == 0 {
        return (IDLE, None);
    }
    let best = best(ready);
    // Alone at its priority: no round robin to keep, its group and the
    // heads are not even read (the common case, and the context switch's
    // fast path: one bit of `shared`, bit 31 - best).
    if (shared.wrapping_shl(best as u32) as i32) >= 0 {
        return (best, None);
    }
    let group = group_of(best);
    // The ready threads of the group at or after its head (none without a
    // head: then `best`, the group's first ready thread).
    let heads = heads();
    let from_head = ready & group & (heads & group).wrapping_neg();
    let next = if from_head != 0 { from_head.trailing_zeros() as usize } else { best };
    (next, Some(picked(heads, group, next)))
}

/// With `PRIORITY_CHANGE`: the thread of `mask` whose rank `key` is the
/// highest, the lowest index among equals; [`IDLE`] for an empty mask.
/// One step per thread of the mask (the table order is no longer the
/// priority order once a priority changed).
#[inline(always)]
pub fn highest(mask: u32, key: impl Fn(usize) -> u32) -> usize {
    let mut rest = mask;
    let (mut best, mut top) = (IDLE, 0);
    while rest != 0 {
        let i = rest.trailing_zeros() as usize;
        rest &= rest - 1;
        let k = key(i);
        if best == IDLE || k > top {
            (best, top) = (i, k);
        }
    }
    best
}

/// `heads` once `next` of `group` is picked: the head of its group's turn.
#[inline(always)]
pub fn picked(heads: u32, group: u32, next: usize) -> u32 {
    heads & !group | 1 << (next % MAX_THREADS)
}

/// `heads` once `current` of `group` yields (or its slice ran out): the
/// turn passes to the thread after it in the group, wrapping round, ready
/// or not (the pick skips threads that are not).
#[inline(always)]
pub fn rotate_head(heads: u32, group: u32, current: usize) -> u32 {
    let after = group & !(2u32.wrapping_shl(current as u32)).wrapping_sub(1);
    let next = if after != 0 { after & after.wrapping_neg() } else { group & group.wrapping_neg() };
    heads & !group | next
}

/// A yield's pick in one pass: what [`rotate_head`] then [`pick_ranked`]
/// decide when `current` (of group `group`, a thread) yields and no ready
/// thread of `ready` outranks its group, so the turn stays in the group:
/// the first ready thread of the group after `current`, wrapping round
/// (`current` itself if it is the only one), `lowest` of a mask giving
/// the thread; its new head is that thread ([`picked`]). While the table
/// order is the priority order, the threads that outrank the group are the
/// ones below it, so the test is one mask: the ready threads at or below
/// `current` outside the group. `None` when one of them is ready or none
/// of the group is (the general pick decides).
#[inline(always)]
pub fn yield_pick(ready: u32, group: u32, current: usize, lowest: impl FnOnce(u32) -> usize) -> Option<usize> {
    // The threads after `current` (none after bit 31).
    let after = 0xFFFF_FFFEu32.wrapping_shl(current as u32);
    if current >= MAX_THREADS || ready & !(after | group) != 0 {
        return None;
    }
    let mine = ready & group;
    if mine == 0 {
        return None;
    }
    let later = mine & after;
    Some(lowest(if later != 0 { later } else { mine }))
}

/// The time slice at a switch from `current` to `next` (different
/// threads), as in ThreadX: whether `current` was preempted (still ready,
/// not rotated away by a yield or an expired slice), so it keeps what is
/// left of its slice for when it runs again; and whether `next` was, so it
/// gets its saved rest back instead of a new slice. `preempted` is the set
/// of threads with a saved rest.
#[inline(always)]
pub fn slice_handover(current: usize, next: usize, ready: u32, rotated: bool, preempted: u32) -> (bool, bool) {
    let bit = |i: usize| if i < MAX_THREADS { 1u32 << i } else { 0 };
    let save = !rotated && ready & bit(current) != 0;
    let restore = preempted & bit(next) != 0;
    (save, restore)
}

/// The sleepers of `sleeping` whose wake tick in `wake` is `now`.
pub fn due(sleeping: u32, wake: impl Fn(usize) -> u32, now: u32) -> u32 {
    let mut left = sleeping;
    let mut woke = 0;
    while left != 0 {
        let i = left.trailing_zeros() as usize;
        left &= left - 1;
        if wake(i) == now {
            woke |= 1 << i;
        }
    }
    woke
}

/// Ticks from `now` until the earliest wake tick of `sleeping` (at least
/// 1, for a wake tick that is already due); `u32::MAX` when none sleeps.
pub fn ticks_to_next(sleeping: u32, wake: impl Fn(usize) -> u32, now: u32) -> u32 {
    let mut left = sleeping;
    let mut next = u32::MAX;
    while left != 0 {
        let i = left.trailing_zeros() as usize;
        left &= left - 1;
        let ahead = wake(i).wrapping_sub(now);
        next = next.min(if (ahead as i32) <= 0 { 1 } else { ahead });
    }
    next
}

/// The sleepers of `sleeping` whose wake tick lies in the `passed` ticks
/// after `now` (`now + 1` ..= `now + passed`).
pub fn due_within(sleeping: u32, wake: impl Fn(usize) -> u32, now: u32, passed: u32) -> u32 {
    let mut left = sleeping;
    let mut woke = 0;
    while left != 0 {
        let i = left.trailing_zeros() as usize;
        left &= left - 1;
        if wake(i).wrapping_sub(now).wrapping_sub(1) < passed {
            woke |= 1 << i;
        }
    }
    woke
}

/// Priority inheritance by proxy: if `next` is not ready it is a thread
/// blocked on a mutex, so follow the owners (`owner_of`) to one that is
/// ready and run it at the blocked thread's place; if the chain ends at a
/// thread that is not ready, fall back to `plain` (ready threads only).
pub fn resolve_proxy(next: usize, ready: u32, owner_of: impl Fn(usize) -> usize, plain: impl Fn() -> usize) -> usize {
    let mut at = next;
    for _ in 0..MAX_THREADS {
        if at >= MAX_THREADS || ready & (1 << at) != 0 {
            return at;
        }
        at = owner_of(at);
    }
    plain()
}

/// The group mask of every thread: the bits of all threads whose priority
/// equals its own. `priorities` is in table order (highest first).
pub fn group_of(priorities: impl Iterator<Item = u8> + Clone, index: usize) -> u32 {
    let mut mine = 0;
    let mut mask = 0u32;
    for (i, p) in priorities.clone().enumerate() {
        if i == index {
            mine = p;
        }
    }
    for (i, p) in priorities.enumerate() {
        if p == mine && i < MAX_THREADS {
            mask |= 1 << i;
        }
    }
    mask
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Threads 1, 2, 3 share a priority; 0 is higher, 4 lower.
    const GROUPS: [u32; 5] = [0b00001, 0b01110, 0b01110, 0b01110, 0b10000];

    fn group(i: usize) -> u32 {
        GROUPS[i]
    }

    fn next(ready: u32, heads: u32) -> usize {
        pick(ready, || heads, group).0
    }

    /// The heads after picking from `ready`.
    fn heads_after(ready: u32, heads: u32) -> u32 {
        pick(ready, || heads, group).1.unwrap_or(heads)
    }

    /// The software forms of `lowest` agree with `trailing_zeros` on every
    /// mask they take (the host has a count instruction, so call them).
    #[test]
    fn lowest_forms_match_trailing_zeros() {
        for mask in 1u32..4 {
            assert_eq!(lowest_of_2(mask), mask.trailing_zeros() as usize, "{mask:#b}");
        }
        for mask in 1u32..16 {
            assert_eq!(lowest_of_4(mask), mask.trailing_zeros() as usize, "{mask:#b}");
        }
        for mask in [1u32, 0b1010, 1 << 31, u32::MAX] {
            assert_eq!(lowest(mask, MAX_THREADS), mask.trailing_zeros() as usize);
        }
    }

    /// A bit outranks a group exactly when its thread lies before the
    /// group (the old test: a lower index, not of the group).
    #[test]
    fn outranks_group_by_its_lowest_bit() {
        for (current, &group) in GROUPS.iter().enumerate() {
            for i in 0..GROUPS.len() {
                let old = i < current && group & 1 << i == 0;
                assert_eq!(outranks_group(1 << i, group), old, "thread {i} against {current}");
            }
        }
        // The top bit against a group of bit 31 alone, and against none below.
        assert!(!outranks_group(1 << 31, 1 << 31));
        assert!(outranks_group(1 << 30, 1 << 31));
    }

    /// Threads alone at their priorities: a lower index outranks, and
    /// every thread outranks idle and "none yet" (the 64-bit form's shift
    /// past every bit).
    #[test]
    fn outranks_index_by_a_lower_index_and_always_idle() {
        for current in 0..MAX_THREADS {
            for i in 0..MAX_THREADS {
                assert_eq!(outranks_index(1 << i, current), i < current, "thread {i} against {current}");
                assert_eq!(outranks_index(1 << i, current), outranks_group(1 << i, 1 << current));
            }
        }
        for i in 0..MAX_THREADS {
            assert!(outranks_index(1 << i, IDLE) && outranks_index(1 << i, usize::MAX), "thread {i} against idle");
        }
    }

    #[test]
    fn empty_ready_set_picks_idle() {
        assert_eq!(pick(0, || 0, group), (IDLE, None));
    }

    #[test]
    fn lowest_bit_is_highest_priority() {
        assert_eq!(next(0b10000, 0), 4);
        assert_eq!(next(0b11111, 0b0100), 0);
        // Picking 1 makes it the head of its group; 4, alone, needs none.
        assert_eq!(pick(0b11110, || 0, group), (1, Some(0b00010)));
        assert_eq!(pick(0b10000, || 0b100, group), (4, None));
    }

    #[test]
    fn yield_rotates_among_equals_and_wraps() {
        let rotated = |current: usize| rotate_head(0, GROUPS[current], current);
        assert_eq!(next(0b11110, rotated(1)), 2);
        assert_eq!(next(0b11110, rotated(2)), 3);
        assert_eq!(next(0b11110, rotated(3)), 1);
        // Alone in its group (the others not ready): stays.
        assert_eq!(next(0b10010, rotated(1)), 1);
        // The one after is not ready: the next ready one.
        assert_eq!(next(0b11010, rotated(1)), 3);
        // Rotation only among equals: a higher-priority ready thread wins.
        assert_eq!(next(0b01111, rotated(2)), 0);
    }

    /// The yield's one pass decides as the rotation then the general pick
    /// do, heads included, wherever it decides: every ready set and yielder
    /// of two layouts (groups of 1, 3, 1 and of 2, 2, 1), every old head.
    #[test]
    fn yield_pick_matches_rotate_then_pick() {
        let layouts: [&[u32]; 2] = [&GROUPS, &[0b00011, 0b00011, 0b01100, 0b01100, 0b10000]];
        let mut decided = 0;
        for groups in layouts {
            let group = |i: usize| groups[i];
            for current in 0..groups.len() {
                for ready in 0u32..32 {
                    for old in 0..groups.len() {
                        let heads = 1 << old;
                        let rotated = rotate_head(heads, groups[current], current);
                        let (next, new) = pick(ready, || rotated, group);
                        let Some(fast) = yield_pick(ready, groups[current], current, |m| m.trailing_zeros() as usize) else { continue };
                        decided += 1;
                        assert_eq!(fast, next, "ready {ready:#b}, {current} yields");
                        assert_eq!(picked(heads, groups[current], fast), new.unwrap_or(rotated), "ready {ready:#b}, {current} yields");
                    }
                }
            }
        }
        assert!(decided > 100, "{decided}");
        // It leaves a higher ready thread, and a group with none ready, to the general pick.
        assert_eq!(yield_pick(0b00111, GROUPS[2], 2, |m| m.trailing_zeros() as usize), None);
        assert_eq!(yield_pick(0b10000, GROUPS[2], 2, |m| m.trailing_zeros() as usize), None);
        assert_eq!(yield_pick(0b11010, GROUPS[3], 3, |m| m.trailing_zeros() as usize), Some(1));
    }

    #[test]
    fn the_head_keeps_the_core_against_its_equals() {
        // 2 was picked last: it is the head, and runs again.
        let heads = heads_after(0b1110, rotate_head(0, 0b01110, 1));
        assert_eq!(heads, 0b0100);
        assert_eq!(next(0b1110, heads), 2);
        // Unless it is not ready (blocked: the one after it), or a higher
        // priority is.
        assert_eq!(next(0b1010, heads), 3);
        assert_eq!(next(0b0010, heads), 1);
        assert_eq!(next(0b1111, heads), 0);
    }

    /// ThreadX's rule: 2 runs, 0 preempts it; when 0 blocks, 2 resumes,
    /// not 1 (the first of the group in table order, which was the old
    /// pick's answer).
    #[test]
    fn a_preempted_thread_resumes_first_among_its_equals() {
        let heads = heads_after(0b01110, heads_after(0b01110, 0) << 1);
        assert_eq!(next(0b01110, heads), 2);
        assert_eq!(next(0b01111, heads), 0);
        let heads = heads_after(0b01111, heads);
        assert_eq!(next(0b01110, heads), 2);
        // The heads of the two groups do not disturb each other.
        assert_eq!(heads & 0b01110, 0b00100);
    }

    #[test]
    fn the_slice_is_kept_by_a_preempted_thread_only() {
        // 2 runs and is preempted (still ready, not rotated): it keeps its rest.
        assert_eq!(slice_handover(2, 0, 0b0101, false, 0), (true, false));
        // It blocked (not ready), or yielded or its slice ran out (rotated):
        // nothing to keep.
        assert_eq!(slice_handover(2, 0, 0b0001, false, 0), (false, false));
        assert_eq!(slice_handover(2, 3, 0b1100, true, 0), (false, false));
        // When it runs again it gets the rest back, once.
        assert_eq!(slice_handover(0, 2, 0b0100, false, 0b0100), (false, true));
        assert_eq!(slice_handover(0, 1, 0b0110, false, 0b0100), (false, false));
        // Idle keeps nothing.
        assert_eq!(slice_handover(IDLE, 2, 0b0100, false, 0), (false, false));
    }

    /// The two scenarios, simulated with the pick, the heads and
    /// the slice exactly as the kernel's switch and tick use them.
    struct Sim {
        groups: std::vec::Vec<u32>,
        ready: u32,
        current: usize,
        heads: u32,
        slice: u32,
        saved: [u32; MAX_THREADS],
        preempted: u32,
        slice_ticks: u32,
        rotate: bool,
    }

    impl Sim {
        fn new(priorities: &[u8], slice_ticks: u32) -> Self {
            let groups = (0..priorities.len()).map(|i| group_of(priorities.iter().copied(), i)).collect();
            let ready = (1u32 << priorities.len()) - 1;
            let mut sim = Sim { groups, ready, current: IDLE, heads: 0, slice: 0, saved: [0; MAX_THREADS], preempted: 0, slice_ticks, rotate: false };
            sim.switch();
            sim
        }

        fn switch(&mut self) {
            let current = self.current;
            let rotate = core::mem::take(&mut self.rotate);
            if rotate && current < MAX_THREADS {
                self.heads = rotate_head(self.heads, self.groups[current], current);
            }
            let groups = self.groups.clone();
            let (next, heads) = pick(self.ready, || self.heads, |i| groups[i]);
            self.heads = heads.unwrap_or(self.heads);
            if next != current {
                let (save, restore) = slice_handover(current, next, self.ready, rotate, self.preempted);
                if save {
                    self.saved[current] = self.slice;
                    self.preempted |= 1 << current;
                }
                self.slice = if restore { self.saved[next] } else { self.slice_ticks };
                if next < MAX_THREADS {
                    self.preempted &= !(1 << next);
                }
            }
            self.current = next;
        }

        /// A tick that makes `woke` ready; switches if one preempts or the
        /// slice ran out.
        fn tick(&mut self, woke: u32) {
            self.ready |= woke;
            let current = self.current;
            let group = self.groups[current];
            let mut switch = woke & ((1u32 << current) - 1) & !group != 0;
            let left = self.slice.saturating_sub(1);
            if left == 0 && group & self.ready & !(1 << current) != 0 {
                self.rotate = true;
                switch = true;
            }
            self.slice = if left == 0 { self.slice_ticks } else { left };
            if switch {
                self.switch();
            }
        }

        fn block(&mut self) {
            self.ready &= !(1 << self.current);
            self.switch();
        }

        fn yield_now(&mut self) {
            self.rotate = true;
            self.switch();
        }
    }

    /// Five equal threads yielding (1..=5) and a higher reporter (0) that
    /// wakes every 7th step and blocks again: every thread gets the same
    /// number of turns, give or take one.
    #[test]
    fn equal_yielders_get_equal_turns_despite_a_higher_reporter() {
        let mut sim = Sim::new(&[9, 5, 5, 5, 5, 5], 0);
        sim.block();
        let mut turns = [0u32; 6];
        for step in 1..=7000 {
            if step % 7 == 0 {
                sim.tick(1);
                assert_eq!(sim.current, 0);
                sim.block();
            }
            turns[sim.current] += 1;
            sim.yield_now();
        }
        let (min, max) = (turns[1..].iter().min().unwrap(), turns[1..].iter().max().unwrap());
        assert!(max - min <= 1, "turns {turns:?}");
    }

    /// Two busy equal threads (1, 2) with a 10-tick slice and a higher one
    /// (0) that sleeps one tick 100 times: both busy threads run, each
    /// about half of the ticks.
    #[test]
    fn busy_equals_share_the_core_despite_a_one_tick_sleeper() {
        let mut sim = Sim::new(&[9, 5, 5], 10);
        sim.block();
        let mut ran = [0u32; 3];
        for _ in 0..100 {
            // The tick wakes 0, which preempts, runs briefly and sleeps.
            sim.tick(1);
            assert_eq!(sim.current, 0);
            sim.block();
            ran[sim.current] += 1;
        }
        assert!(ran[1] >= 40 && ran[2] >= 40, "ticks run {ran:?}");
    }

    /// The threads a tick wakes: those whose wake tick is `now`.
    #[test]
    fn due_sleepers() {
        let wake = [5u32, 7, 5, 0];
        assert_eq!(due(0b0111, |i| wake[i], 5), 0b0101);
        assert_eq!(due(0b0011, |i| wake[i], 7), 0b0010);
        assert_eq!(due(0, |i| wake[i], 5), 0);
    }

    /// Tickless idle: how far the next wake tick is, and who a jump of
    /// several ticks wakes.
    #[test]
    fn next_wake_and_jumps() {
        let wake = [105u32, 130, 101, 7];
        assert_eq!(ticks_to_next(0b0111, |i| wake[i], 100), 1);
        assert_eq!(ticks_to_next(0b0011, |i| wake[i], 100), 5);
        assert_eq!(ticks_to_next(0, |i| wake[i], 100), u32::MAX);
        // Already due (or late) counts as the next tick.
        assert_eq!(ticks_to_next(0b1000, |i| wake[i], 100), 1);
        // Across the wrap.
        assert_eq!(ticks_to_next(0b1, |_| 3, u32::MAX - 1), 5);
        assert_eq!(due_within(0b0111, |i| wake[i], 100, 4), 0b0100);
        assert_eq!(due_within(0b0111, |i| wake[i], 100, 5), 0b0101);
        assert_eq!(due_within(0b0111, |i| wake[i], 100, 0), 0);
        assert_eq!(due_within(0b0111, |i| wake[i], 104, 100), 0b0011);
        assert_eq!(due_within(0b1, |_| 2, u32::MAX - 1, 4), 0b1);
    }

    #[test]
    fn proxy_runs_the_owner_of_a_blocked_high_thread() {
        // 0 (high) waits for a mutex owned by 2 (low); 1 (medium) is ready.
        let ready = 0b110;
        let (next, _) = pick(ready | 0b001, || 0, |i| 1 << i);
        assert_eq!(next, 0);
        assert_eq!(resolve_proxy(next, ready, |_| 2, || 1), 2);
        // Owner not ready (asleep): plain pick.
        assert_eq!(resolve_proxy(0, 0b010, |_| 2, || 1), 1);
        // Chains: 0 waits on 1, 1 waits on 3.
        assert_eq!(resolve_proxy(0, 0b1000, |i| if i == 0 { 1 } else { 3 }, || 9), 3);
    }

    #[test]
    fn groups_from_priorities() {
        let p = [5u8, 3, 3, 3, 1];
        assert_eq!(group_of(p.iter().copied(), 0), 0b00001);
        assert_eq!(group_of(p.iter().copied(), 2), 0b01110);
        assert_eq!(group_of(p.iter().copied(), 4), 0b10000);
    }
}
