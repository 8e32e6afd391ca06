//! The blocks of the kernel's `Pool<T, N>`: `N` values, a free list, a handle.
//!
//! Only a handle reaches a block.
//!
//! Every block is either free, on the free list (`head`, then the `next`
//! links, ending at `N`), or held by exactly one [`Block`] handle.
//! [`Blocks::take`] unlinks the first free block and makes its handle in
//! the same critical section (its token); only the handle's drop links it
//! again, in a critical section of its own. So at most one handle, and one
//! `&mut T`, per block is alive, and a block cannot be freed twice. Both
//! are a few loads and stores: O(1) whatever `N`. Whom a free wakes is the
//! kernel's business: the [`Freed`] hook runs inside the drop's critical
//! section, after the block is free again.

use crate::CriticalSection;
use core::cell::UnsafeCell;
use core::marker::PhantomData;
use core::ops::{Deref, DerefMut};
use core::sync::atomic::AtomicU16;
use core::sync::atomic::Ordering::Relaxed;

/// What a pool does when a block is freed: wake a waiter.
pub trait Freed: Sync {
    /// Inside the critical section of the free, with the block free again:
    /// returns whether to switch (a waiter that should preempt woke).
    fn freed(&self, cs: CriticalSection<'_>) -> bool;
    /// After the critical section, when `freed` asked for it.
    fn switch(&self);
}

/// `N` blocks of a `T`, each reachable only through a [`Block`], with a
/// [`Freed`] hook `F`. At most 65 535 blocks (the links are 16 bits).
pub struct Blocks<T, const N: usize, F> {
    slots: UnsafeCell<[T; N]>,
    /// Per block, while it is free: the next free block (`N`: none).
    next: [AtomicU16; N],
    /// The first free block (`N`: none).
    head: AtomicU16,
    hook: F,
}

// SAFETY: a block is reached only through its handle, and at most one
// handle per block is alive (module documentation), so sharing the pool
// between threads and interrupt handlers shares no `&T` or `&mut T` of one
// block between them; a block's value passes from the thread that freed it
// to the next that takes it, hence `T: Send`.
unsafe impl<T: Send, const N: usize, F: Freed> Sync for Blocks<T, N, F> {}

impl<T: Copy, const N: usize, F: Freed> Blocks<T, N, F> {
    /// `N` free blocks, each holding `init` (all zeros lands in `.bss`).
    pub const fn new(init: T, hook: F) -> Self {
        const { assert!(N > 0 && N < u16::MAX as usize, "a pool has 1 to 65 534 blocks") };
        let mut next = [const { AtomicU16::new(0) }; N];
        let mut i = 0;
        while i < N {
            next[i] = AtomicU16::new((i + 1) as u16);
            i += 1;
        }
        Self { slots: UnsafeCell::new([init; N]), next, head: AtomicU16::new(0), hook }
    }
}

impl<T, const N: usize, F: Freed> Blocks<T, N, F> {
    /// The hook.
    pub fn hook(&self) -> &F {
        &self.hook
    }

    /// The handle of a free block, if there is one: the one freed last.
    #[inline(always)]
    pub fn take(&self, cs: CriticalSection<'_>) -> Option<Block<'_, T, N, F>> {
        let _ = cs;
        let index = self.head.load(Relaxed);
        // `head == N` (none free) has no link: None.
        let next = self.next.get(usize::from(index))?.load(Relaxed);
        self.head.store(next, Relaxed);
        Some(Block { blocks: self, index, _owns: PhantomData })
    }

    /// Whether every block is taken.
    pub fn is_exhausted(&self) -> bool {
        usize::from(self.head.load(Relaxed)) >= N
    }

    /// The free blocks now (walks the free list: O(free blocks)).
    pub fn available(&self, cs: CriticalSection<'_>) -> usize {
        let _ = cs;
        let mut at = usize::from(self.head.load(Relaxed));
        let mut count = 0;
        while let Some(link) = self.next.get(at) {
            count += 1;
            at = usize::from(link.load(Relaxed));
        }
        count
    }

    /// Block `index`'s value; `index < N` (a handle's).
    #[inline(always)]
    fn slot(&self, index: u16) -> *mut T {
        // In bounds: a handle's index is a block's (see `take`), so the
        // offset stays inside the array.
        self.slots.get().cast::<T>().wrapping_add(usize::from(index))
    }
}

/// A block taken from a [`Blocks`] pool: derefs to its value, and frees it
/// when dropped (once: the handle is not `Clone`). `Send` with `T: Send`,
/// so a block can move to another thread, through a queue, or out of an
/// interrupt handler, and be freed there.
#[must_use = "the block is freed when the handle drops: an unused handle frees it at once"]
pub struct Block<'a, T, const N: usize, F: Freed> {
    blocks: &'a Blocks<T, N, F>,
    index: u16,
    _owns: PhantomData<&'a mut T>,
}

impl<T, const N: usize, F: Freed> Block<'_, T, N, F> {
    /// The block's number in its pool, `0..N`.
    pub fn index(&self) -> usize {
        usize::from(self.index)
    }
}

impl<T, const N: usize, F: Freed> Deref for Block<'_, T, N, F> {
    type Target = T;
    #[inline(always)]
    fn deref(&self) -> &T {
        // SAFETY: the slot is in bounds and initialised (`new` filled every
        // one), and this handle is the only one of its block (module
        // documentation); `&self` forbids a `&mut T` from it meanwhile.
        unsafe { &*self.blocks.slot(self.index) }
    }
}

impl<T, const N: usize, F: Freed> DerefMut for Block<'_, T, N, F> {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as for `deref`, and `&mut self` makes this the only
        // reference to the block's value.
        unsafe { &mut *self.blocks.slot(self.index) }
    }
}

impl<T, const N: usize, F: Freed> Drop for Block<'_, T, N, F> {
    #[inline(always)]
    fn drop(&mut self) {
        let blocks = self.blocks;
        let index = self.index;
        let switch = crate::critical(|cs| {
            if let Some(link) = blocks.next.get(usize::from(index)) {
                link.store(blocks.head.load(Relaxed), Relaxed);
                blocks.head.store(index, Relaxed);
            }
            blocks.hook.freed(cs)
        });
        if switch {
            blocks.hook.switch();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Blocks, Freed};
    use crate::{CriticalSection, critical};
    use std::sync::atomic::{AtomicU32, Ordering::Relaxed};

    struct Count(AtomicU32);
    impl Freed for Count {
        fn freed(&self, cs: CriticalSection<'_>) -> bool {
            let _ = cs;
            self.0.fetch_add(1, Relaxed);
            true
        }
        fn switch(&self) {
            self.0.fetch_add(100, Relaxed);
        }
    }

    #[test]
    fn takes_every_block_once_then_none_and_a_drop_frees_it() {
        let p: Blocks<[u8; 4], 3, Count> = Blocks::new([7; 4], Count(AtomicU32::new(0)));
        let (mut a, b, c) = critical(|cs| (p.take(cs).unwrap(), p.take(cs).unwrap(), p.take(cs).unwrap()));
        assert_eq!([a.index(), b.index(), c.index()], [0, 1, 2]);
        assert!(p.is_exhausted());
        assert!(critical(|cs| p.take(cs)).is_none());
        assert_eq!(*b, [7; 4], "a block holds its initial value");
        a[0] = 1;
        assert_eq!((a[0], b[0], c[0]), (1, 7, 7), "blocks do not overlap");
        drop(b);
        assert_eq!(p.hook().0.load(Relaxed), 101, "the hook ran in the free, then its switch");
        assert_eq!(critical(|cs| p.available(cs)), 1);
        let d = critical(|cs| p.take(cs)).unwrap();
        assert_eq!(d.index(), 1, "the block freed last comes first");
        drop((a, c, d));
        assert_eq!(critical(|cs| p.available(cs)), 3);
        assert!(!p.is_exhausted());
    }

    #[test]
    fn a_block_keeps_its_value_and_moves_to_another_thread() {
        static P: Blocks<u32, 2, Count> = Blocks::new(0, Count(AtomicU32::new(0)));
        let mut a = critical(|cs| P.take(cs)).unwrap();
        *a = 42;
        let index = a.index();
        std::thread::spawn(move || drop(a)).join().unwrap();
        let again = critical(|cs| P.take(cs)).unwrap();
        assert_eq!((again.index(), *again), (index, 42), "freed on the other thread, its value stays");
    }
}
