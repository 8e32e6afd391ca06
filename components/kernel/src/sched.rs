//! The ready set: one bit per thread, O(1) selection of the next thread.
//!
//! Threads are numbered by their place in the image's table, which bluegen
//! sorts highest priority first, so the lowest set bit of the ready bitmap is
//! the highest-priority ready thread (one `trailing_zeros`). Threads of equal
//! priority are neighbours; `group` is the mask of a thread's priority group,
//! which lets a yield pass the core to the next ready thread of the same
//! priority (round-robin) without a search.

/// At most this many threads (one bit each in a `u32`).
pub const MAX_THREADS: usize = 32;

/// Words of the idle thread's stack: room for one trap frame (all
/// registers on RISC-V: 128 bytes on RV32, 256 on RV64) and the calls of
/// the switch below it.
pub const IDLE_STACK_WORDS: usize = if cfg!(target_pointer_width = "64") { 160 } else { 96 };

/// The index that stands for the idle thread.
pub const IDLE: usize = MAX_THREADS;

/// The next thread to run: the highest-priority ready one, or [`IDLE`].
///
/// With `rotate`, a ready thread of the same priority as `current` that comes
/// after it in the table goes first (round-robin); if there is none, the
/// first ready thread of the group wraps round.
pub fn pick(ready: u32, current: usize, group: u32, rotate: bool) -> usize {
    if ready == 0 {
        return IDLE;
    }
    // Without a rotation, the running thread keeps the core against ready
    // threads of its own priority.
    let best = ready.trailing_zeros() as usize;
    if !rotate && current < MAX_THREADS && ready & (1 << current) != 0 && group & (1 << best) != 0 {
        return current;
    }
    if rotate && current < MAX_THREADS {
        let after = group & ready & !mask_upto(current);
        // Rotation only among equals: a higher-priority ready thread wins.
        if after != 0 && group & (1 << best) != 0 {
            return after.trailing_zeros() as usize;
        }
        return best;
    }
    ready.trailing_zeros() as usize
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

/// Bits 0..=i set.
fn mask_upto(i: usize) -> u32 {
    if i >= 31 { u32::MAX } else { (1u32 << (i + 1)) - 1 }
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

    #[test]
    fn empty_ready_set_picks_idle() {
        assert_eq!(pick(0, 0, 1, false), IDLE);
        assert_eq!(pick(0, IDLE, 0, true), IDLE);
    }

    #[test]
    fn lowest_bit_is_highest_priority() {
        assert_eq!(pick(0b1010_0000, 0, 0, false), 5);
        assert_eq!(pick(1 << 31, 3, 0, false), 31);
    }

    #[test]
    fn yield_rotates_among_equals_and_wraps() {
        // Threads 1, 2, 3 share a priority; 0 is higher, 4 lower.
        let group = 0b1110;
        assert_eq!(pick(0b11110, 1, group, true), 2);
        assert_eq!(pick(0b11110, 2, group, true), 3);
        assert_eq!(pick(0b11110, 3, group, true), 1);
        // Alone in its group: stays.
        assert_eq!(pick(0b10010, 1, group, true), 1);
    }

    #[test]
    fn without_rotation_the_current_thread_keeps_the_core() {
        assert_eq!(pick(0b1110, 2, 0b1110, false), 2);
        // Unless it is not ready, or a higher priority is.
        assert_eq!(pick(0b1010, 2, 0b1110, false), 1);
        assert_eq!(pick(0b1111, 2, 0b1110, false), 0);
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
        let next = pick(ready | 0b001, 2, 0b100, false);
        assert_eq!(next, 0);
        assert_eq!(resolve_proxy(next, ready, |_| 2, || 1), 2);
        // Owner not ready (asleep): plain pick.
        assert_eq!(resolve_proxy(0, 0b010, |_| 2, || 1), 1);
        // Chains: 0 waits on 1, 1 waits on 3.
        assert_eq!(resolve_proxy(0, 0b1000, |i| if i == 0 { 1 } else { 3 }, || 9), 3);
    }

    #[test]
    fn yield_never_beats_a_higher_priority() {
        assert_eq!(pick(0b01111, 2, 0b1110, true), 0);
    }

    #[test]
    fn groups_from_priorities() {
        let p = [5u8, 3, 3, 3, 1];
        assert_eq!(group_of(p.iter().copied(), 0), 0b00001);
        assert_eq!(group_of(p.iter().copied(), 2), 0b01110);
        assert_eq!(group_of(p.iter().copied(), 4), 0b10000);
    }
}
