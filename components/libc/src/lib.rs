//! picolibc on the kernel: stdio on the console, exit, malloc on the heap, per-thread TLS.
//!
//! A device with C sources (`[c]` in device.toml) links picolibc, and this
//! crate gives picolibc what an operating system would:
//!
//! * the console: `c/stdio.c` (compiled with the app's C sources by the
//!   image's build script) makes `stdout` and `stderr` picolibc streams
//!   whose bytes reach [`__bluegen_libc_write`], the kernel's console;
//! * `_exit`, where picolibc's `exit()` ends: the board's exit with the
//!   status, so `return 3;` from a C `main` ends the run with status 3;
//! * `malloc`, `free`, `calloc` and `realloc` on the image's global
//!   allocator (the heap component, which Kconfig `LIBC` turns on);
//! * a thread-local storage block per thread of the device: picolibc keeps
//!   `errno` (and its other per-thread state) in TLS. The image's linker
//!   script reserves one block per thread (`__bluegen_tls_start`, each
//!   `__bluegen_tls_stride` bytes, sized from `.tdata` and `.tbss`); the
//!   image fills them at boot ([`init`]) and the kernel's context switch
//!   points picolibc at the next thread's ([`switch_to`]: `__tls` on Arm,
//!   the `tp` register on RISC-V);
//! * the driver ABI of `include/bluegen/driver.h` ([`driver`]): time,
//!   critical sections, semaphores, mutexes, event flags, queues, the
//!   console and the heap for C drivers, each group with its kernel symbol.
//!
//! Threads spawned at run time (`SPAWN`) have no block of their own and
//! keep the one of the thread that ran before them: they must not call C.

#![no_std]

extern crate alloc;

#[cfg(feature = "c-services")]
pub mod driver;

use core::alloc::Layout;
use core::ffi::{c_char, c_int, c_void};

unsafe extern "C" {
    /// Where the linker script puts the TLS blocks (one per thread, all of
    /// the same size), from the first to past the last.
    static __bluegen_tls_start: u8;
    static __bluegen_tls_blocks_end: u8;
    /// The image of a block in flash: `.tdata`'s initial values from
    /// `__bluegen_tdata` to `__bluegen_tdata_end`; its `.tbss` part, zeroed,
    /// from `__bluegen_tbss` to `__bluegen_tls_end` (addresses relative to
    /// `__bluegen_tdata`, as in a block).
    static __bluegen_tdata: u8;
    static __bluegen_tdata_end: u8;
    static __bluegen_tbss: u8;
    static __bluegen_tls_end: u8;
    /// picolibc: makes `tls` the block its thread-local accesses use.
    fn _set_tls(tls: *mut c_void);
    /// picolibc: runs the C constructors (`.init_array`).
    fn __libc_init_array();
    /// picolibc: runs the `atexit` handlers, then `_exit(status)`.
    fn exit(status: c_int) -> !;
}

/// Console output of picolibc's `stdout` and `stderr` (see `c/stdio.c`).
///
/// # Safety
///
/// `bytes` points at `len` readable bytes (picolibc's stream passes one).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __bluegen_libc_write(bytes: *const c_char, len: usize) {
    // SAFETY: the caller's contract: `len` readable bytes at `bytes`.
    let bytes = unsafe { core::slice::from_raw_parts(bytes.cast::<u8>(), len) };
    bluegen_port::console_write(bytes);
}

/// Where picolibc's `exit()` ends: the board's exit with `status`.
#[unsafe(no_mangle)]
pub extern "C" fn _exit(status: c_int) -> ! {
    bluegen_port::exit(status)
}

/// The kernel's benchmark counter ([`bluegen_kernel::counter`]: executed
/// instructions on RISC-V, SysTick cycles on Cortex-M), for C benchmarks:
/// `uint64_t bluegen_counter(void);`. Linked only where C calls it; with
/// the kernel's tick only (`PREEMPT`), which the counter needs.
#[cfg(feature = "counter")]
#[unsafe(no_mangle)]
pub extern "C" fn bluegen_counter() -> u64 {
    bluegen_kernel::counter()
}

/// picolibc's `__libc_init_array` and `__libc_fini_array` call `_init` and
/// `_fini` when they exist (the old `.init`/`.fini` sections): the image has
/// none, and defines them to do nothing (an undefined weak symbol at address
/// 0 is out of reach of RV64's PC-relative code).
#[unsafe(no_mangle)]
pub extern "C" fn _init() {}

/// See [`_init`].
#[unsafe(no_mangle)]
pub extern "C" fn _fini() {}

/// The address of thread `index`'s TLS block, of `threads` blocks.
fn block(index: usize, threads: usize) -> *mut c_void {
    let start = &raw const __bluegen_tls_start as usize;
    let stride = (&raw const __bluegen_tls_blocks_end as usize - start) / threads;
    (start + index * stride) as *mut c_void
}

/// Fills the TLS blocks of the device's `threads` threads with their
/// initial values, makes the first one current and runs the C
/// constructors.
///
/// # Safety
///
/// Once, at boot, before any C code runs; the linker script reserves
/// `threads` blocks at `__bluegen_tls_start`.
pub unsafe fn init(threads: usize) {
    let tdata = &raw const __bluegen_tdata;
    let data = &raw const __bluegen_tdata_end as usize - tdata as usize;
    let zeroed = &raw const __bluegen_tbss as usize - tdata as usize;
    let size = &raw const __bluegen_tls_end as usize - tdata as usize;
    for index in 0..threads {
        let block = block(index, threads).cast::<u8>();
        // SAFETY: block `index` is one of the `threads` blocks the linker
        // script reserved for this, each at least `size` bytes (`.tdata`
        // and `.tbss`), apart from the initial values in flash, which are
        // `data` bytes at `tdata`; the `.tbss` part lies from `zeroed` to
        // `size` (the gap before it is alignment padding).
        unsafe {
            core::ptr::copy_nonoverlapping(tdata, block, data);
            block.add(zeroed).write_bytes(0, size - zeroed);
        }
    }
    // SAFETY: as above, a block filled just now; then the constructors,
    // which may use it, once.
    unsafe {
        _set_tls(block(0, threads));
        __libc_init_array();
    }
}

/// Thread `next` (its index in the device's table) is about to run:
/// picolibc's thread-local accesses go to its block. Other indices (the
/// idle thread, spawned threads) keep the block in use.
///
/// # Safety
///
/// `threads` is the count given to [`init`], which ran; only the context
/// switch (or a thread starting on the boot stack) calls this.
#[inline(always)]
pub unsafe fn switch_to(next: usize, threads: usize) {
    if next < threads {
        // SAFETY: a block of the table, filled by `init`.
        unsafe { _set_tls(block(next, threads)) };
    }
}

/// Runs C's `main` as a thread, with no arguments (`argc` 0, `argv` a list
/// holding only the null pointer); when it returns, `exit()` ends the run
/// with its status, as in C.
pub fn run_main(main: extern "C" fn(c_int, *const *const c_char) -> c_int) -> ! {
    static ARGV: Argv = Argv([core::ptr::null()]);
    let status = main(0, ARGV.0.as_ptr());
    // SAFETY: picolibc's `exit` has no precondition; it does not return.
    unsafe { exit(status) }
}

/// `argv` of C's `main`: the list's terminating null pointer only.
struct Argv([*const c_char; 1]);
// SAFETY: it holds a null pointer and is never written.
unsafe impl Sync for Argv {}

/// Bytes in front of each `malloc` block, holding its size: enough for C's
/// strictest alignment (`max_align_t`: 8 bytes on 32-bit targets, 16 on
/// 64-bit ones).
const HEADER: usize = 2 * core::mem::size_of::<usize>();

fn layout(size: usize) -> Option<Layout> {
    Layout::from_size_align(size.checked_add(HEADER)?, HEADER).ok()
}

/// C's `malloc`: `size` bytes from the heap, or null.
#[unsafe(no_mangle)]
pub extern "C" fn malloc(size: usize) -> *mut c_void {
    let Some(layout) = layout(size) else { return core::ptr::null_mut() };
    // SAFETY: the layout's size is at least HEADER, never zero.
    let base = unsafe { alloc::alloc::alloc(layout) };
    if base.is_null() {
        return core::ptr::null_mut();
    }
    // SAFETY: `base` holds `HEADER + size` bytes aligned to HEADER: the
    // header word is in them, and the block starts HEADER bytes in.
    unsafe {
        base.cast::<usize>().write(size);
        base.add(HEADER).cast()
    }
}

/// C's `free`.
///
/// # Safety
///
/// `ptr` is null or a block [`malloc`], [`calloc`] or [`realloc`] returned
/// and not freed since.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn free(ptr: *mut c_void) {
    if ptr.is_null() {
        return;
    }
    // SAFETY: the caller's contract: the block's header is HEADER bytes
    // before it, holding the size it was allocated with.
    unsafe {
        let base = ptr.cast::<u8>().sub(HEADER);
        let size = base.cast::<usize>().read();
        if let Some(layout) = layout(size) {
            alloc::alloc::dealloc(base, layout);
        }
    }
}

/// C's `calloc`: `count` zeroed elements of `size` bytes, or null.
#[unsafe(no_mangle)]
pub extern "C" fn calloc(count: usize, size: usize) -> *mut c_void {
    let Some(bytes) = count.checked_mul(size) else { return core::ptr::null_mut() };
    let ptr = malloc(bytes);
    if !ptr.is_null() {
        // SAFETY: `malloc` returned a block of `bytes` bytes.
        unsafe { ptr.cast::<u8>().write_bytes(0, bytes) };
    }
    ptr
}

/// C's `realloc`: the block moved to `size` bytes (its contents kept up to
/// the smaller size), or null with the block left as it was.
///
/// # Safety
///
/// As [`free`]'s for `ptr`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn realloc(ptr: *mut c_void, size: usize) -> *mut c_void {
    if ptr.is_null() {
        return malloc(size);
    }
    // SAFETY: the caller's contract, as in `free`.
    unsafe {
        let base = ptr.cast::<u8>().sub(HEADER);
        let old = base.cast::<usize>().read();
        let (Some(old_layout), Some(_)) = (layout(old), layout(size)) else { return core::ptr::null_mut() };
        let moved = alloc::alloc::realloc(base, old_layout, size + HEADER);
        if moved.is_null() {
            return core::ptr::null_mut();
        }
        moved.cast::<usize>().write(size);
        moved.add(HEADER).cast()
    }
}
