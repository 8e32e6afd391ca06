//! Heap: the talc allocator over a static arena, as the global allocator.
//!
//! With the cargo feature `heap` (Kconfig `HEAP`) this crate defines the
//! image's `#[global_allocator]`: [talc](https://crates.io/crates/talc)
//! managing `HEAP_SIZE` bytes of `.bss`, claimed on the first allocation.
//! With `lock` (the image's kernel has threads) every call runs with
//! interrupts masked through `bluegen_port::critical`, the kernel's one
//! lock, so threads and interrupt handlers may allocate.
//! Without `heap` the crate is empty.
//!
//! An app uses it with `extern crate alloc;` and the usual `Box`, `Vec` or
//! `String`; the image links this crate only when `HEAP` is on.

#![cfg_attr(not(test), no_std)]

#[cfg(feature = "heap")]
mod allocator;

#[cfg(feature = "heap")]
pub use allocator::{Heap, used_bytes};
