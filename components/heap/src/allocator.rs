//! The global allocator: talc behind the kernel's interrupt lock.

use core::alloc::{GlobalAlloc, Layout};
use core::cell::UnsafeCell;
use core::ptr::{NonNull, null_mut};

use talc::{ClaimOnOom, Span, Talc};

/// Bytes of the arena: `HEAP_SIZE` from the image's configuration.
const SIZE: usize = bluegen_config::HEAP_SIZE as usize;

/// The arena, 16-byte aligned so that any layout talc hands out from it
/// keeps the alignment it asks for.
#[repr(C, align(16))]
struct Arena(UnsafeCell<[u8; SIZE]>);

/// The allocator: talc and a count of the bytes handed out.
pub struct Heap {
    talc: UnsafeCell<Talc<ClaimOnOom>>,
    used: UnsafeCell<usize>,
}

// SAFETY: the arena is only reached through `HEAP`'s talc, whose every use
// below runs inside `locked`.
unsafe impl Sync for Arena {}
// SAFETY: `talc` and `used` are only touched inside `locked`, which masks
// interrupts when threads exist (and without threads nothing preempts).
unsafe impl Sync for Heap {}

static ARENA: Arena = Arena(UnsafeCell::new([0; SIZE]));

#[global_allocator]
static HEAP: Heap = Heap {
    // SAFETY: the span is the whole static arena, which nothing else uses;
    // talc claims it on the first allocation (`ClaimOnOom`).
    talc: UnsafeCell::new(Talc::new(unsafe { ClaimOnOom::new(Span::from_array(ARENA.0.get())) })),
    used: UnsafeCell::new(0),
};

/// Runs `f` with interrupts masked when threads exist (the kernel's one
/// lock, `bluegen_port::critical`).
fn locked<R>(f: impl FnOnce() -> R) -> R {
    #[cfg(feature = "lock")]
    return bluegen_port::critical(|_| f());
    #[cfg(not(feature = "lock"))]
    f()
}

/// Bytes currently allocated (as requested, without talc's overhead).
pub fn used_bytes() -> usize {
    // SAFETY: read inside the lock, like every write.
    locked(|| unsafe { *HEAP.used.get() })
}

// SAFETY: talc returns blocks of at least `layout.size()` bytes aligned to
// `layout.align()` from the arena, never twice; `dealloc` hands back only
// what `alloc` returned, with its layout, as GlobalAlloc's callers must.
unsafe impl GlobalAlloc for Heap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        locked(|| {
            // SAFETY: inside the lock nothing else holds `talc` or `used`.
            let (talc, used) = unsafe { (&mut *self.talc.get(), &mut *self.used.get()) };
            // SAFETY: GlobalAlloc never asks for zero bytes.
            match unsafe { talc.malloc(layout) } {
                Ok(p) => {
                    *used = used.wrapping_add(layout.size());
                    p.as_ptr()
                }
                Err(()) => null_mut(),
            }
        })
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let Some(ptr) = NonNull::new(ptr) else { return };
        locked(|| {
            // SAFETY: inside the lock nothing else holds `talc` or `used`.
            let (talc, used) = unsafe { (&mut *self.talc.get(), &mut *self.used.get()) };
            // SAFETY: `ptr` came from `alloc` with this `layout` (the
            // caller's GlobalAlloc contract).
            unsafe { talc.free(ptr, layout) };
            *used = used.wrapping_sub(layout.size());
        })
    }
}
