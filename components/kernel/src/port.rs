//! The kernel's boundary to its image and arch crate, private to the kernel.
//!
//! The generated `src/main.rs` of an image crate defines
//! `__bluegen_console_write` (the board's console driver, or nothing when the
//! board has none), `__bluegen_exit` (ends the run the board's way:
//! semihosting, the SiFive test device, or a halt) and `__bluegen_threads`
//! with `#[unsafe(no_mangle)]`; the arch crate defines the `__bluegen_port_*`
//! functions. Only the kernel calls them: every item here is `pub(crate)`,
//! so an app cannot reach them (apps use [`crate::console`] and
//! [`crate::exit`]). Several could break memory safety if anything but the
//! kernel called them (`__bluegen_port_init_stack` writes a frame below any
//! address, `__bluegen_port_unlock` unmasks interrupts inside a critical
//! section, `__bluegen_port_start` abandons the running stack), which is why
//! they stay private.
//!
//! Host builds (tests, `cargo check`) get doubles: console output goes to a
//! per-thread buffer in tests, and exit panics with `host::Exit` there.

#[cfg(target_os = "none")]
#[allow(unsafe_code)]
// SAFETY: the generated image defines both functions with `#[unsafe(no_mangle)]`
// and exactly these Rust signatures (bluegen renders them from one template),
// so a call is a plain safe Rust call; neither has preconditions (both
// stay `pub(crate)` anyway: apps use `console` and `exit`).
unsafe extern "Rust" {
    /// Writes `bytes` to the board's console, waiting until the driver took them.
    pub(crate) safe fn __bluegen_console_write(bytes: &[u8]);
    /// Ends the run with `code` (0 is success); never returns.
    pub(crate) safe fn __bluegen_exit(code: i32) -> !;
}

#[cfg(all(target_os = "none", feature = "threads"))]
#[allow(unsafe_code)]
// SAFETY: the arch crate (`__bluegen_port_*`) and the generated image
// (`__bluegen_threads`) define these with `#[unsafe(no_mangle)]` and exactly
// these Rust signatures. Some have preconditions (`__bluegen_port_init_stack`
// writes below `top`, `__bluegen_port_start` and `__bluegen_port_unlock` rely
// on the kernel's state); they are `safe` only because they are `pub(crate)`
// and the kernel calls them only where those preconditions hold.
unsafe extern "Rust" {
    /// Lays out the first frame of a thread whose stack ends at `top`, so
    /// that switching to the returned stack pointer calls `entry`, and the
    /// image's `__bluegen_thread_return` when `entry` returns.
    pub(crate) safe fn __bluegen_port_init_stack(top: usize, entry: fn()) -> usize;
    /// Switches to the first thread the kernel picks; never returns.
    pub(crate) safe fn __bluegen_port_start() -> !;
    /// Asks for a thread switch as soon as the kernel's lock is released.
    pub(crate) safe fn __bluegen_port_pend_switch();
    /// Sleeps the core until an interrupt (WFI).
    pub(crate) safe fn __bluegen_port_wait();
    /// Masks interrupts; returns what [`__bluegen_port_unlock`] restores.
    pub(crate) safe fn __bluegen_port_lock() -> usize;
    /// Restores the interrupt mask `__bluegen_port_lock` returned.
    pub(crate) safe fn __bluegen_port_unlock(state: usize);
    /// A free-running counter for benchmarks, given the kernel's tick count:
    /// `minstret` on RISC-V (instructions), SysTick clock cycles on Cortex-M.
    #[cfg(feature = "preempt")]
    pub(crate) safe fn __bluegen_port_counter(ticks: u32) -> u64;
    /// Tickless idle, called by the idle thread with interrupts masked:
    /// programs the tick timer to interrupt `ticks` tick periods from the
    /// last tick (or as far as it reaches), sleeps the core until an
    /// interrupt is pending, and returns the tick periods that passed and
    /// that no pending tick interrupt will count.
    #[cfg(feature = "tickless")]
    pub(crate) safe fn __bluegen_port_idle_sleep(ticks: u32) -> u32;
    /// Thread `next` is about to run: for a hardware stack limit (PSPLIM
    /// on ARMv8-M mainline) the arch sets `limit_of(next)`, the lowest
    /// stack address it may use; elsewhere it does nothing, and computes
    /// nothing.
    #[cfg(feature = "stack-check")]
    pub(crate) safe fn __bluegen_port_stack_limit(next: usize, limit_of: fn(usize) -> usize);
    /// The image's thread table.
    pub(crate) safe fn __bluegen_threads() -> &'static [crate::ThreadSpec];
}

#[cfg(not(target_os = "none"))]
pub(crate) use host::{__bluegen_console_write, __bluegen_exit};
#[cfg(all(not(target_os = "none"), feature = "preempt"))]
pub(crate) use host::__bluegen_port_counter;
#[cfg(all(not(target_os = "none"), feature = "tickless"))]
pub(crate) use host::__bluegen_port_idle_sleep;
#[cfg(all(not(target_os = "none"), feature = "stack-check"))]
pub(crate) use host::__bluegen_port_stack_limit;
#[cfg(all(not(target_os = "none"), feature = "threads"))]
pub(crate) use host::{
    __bluegen_port_init_stack, __bluegen_port_lock, __bluegen_port_unlock, __bluegen_port_pend_switch, __bluegen_port_start, __bluegen_threads,
};
#[cfg(all(not(target_os = "none"), feature = "threads", not(feature = "tickless")))]
pub(crate) use host::__bluegen_port_wait;

/// Test doubles of the image's functions, for host builds.
#[cfg(not(target_os = "none"))]
pub mod host {
    /// The payload `__bluegen_exit` panics with in host tests.
    #[cfg(test)]
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct Exit(pub i32);

    #[cfg(test)]
    std::thread_local! {
        static OUTPUT: core::cell::RefCell<std::vec::Vec<u8>> = const { core::cell::RefCell::new(std::vec::Vec::new()) };
    }

    /// Host double: appends to this thread's output buffer in tests.
    pub fn __bluegen_console_write(bytes: &[u8]) {
        #[cfg(test)]
        OUTPUT.with(|out| out.borrow_mut().extend_from_slice(bytes));
        #[cfg(not(test))]
        let _ = bytes;
    }

    /// Host double: panics with [`Exit`] in tests, spins otherwise.
    pub fn __bluegen_exit(code: i32) -> ! {
        #[cfg(test)]
        std::panic::panic_any(Exit(code));
        #[cfg(not(test))]
        {
            let _ = code;
            loop {
                core::hint::spin_loop();
            }
        }
    }

    /// Host double: no frame, the stack pointer is the top.
    #[cfg(feature = "threads")]
    pub fn __bluegen_port_init_stack(top: usize, entry: fn()) -> usize {
        let _ = entry;
        top
    }

    /// Host double: a run with threads cannot start on the host.
    #[cfg(feature = "threads")]
    pub fn __bluegen_port_start() -> ! {
        __bluegen_exit(0)
    }

    /// Host double: nothing to switch.
    #[cfg(feature = "threads")]
    pub fn __bluegen_port_pend_switch() {}

    /// Host double: returns at once.
    #[cfg(all(feature = "threads", not(feature = "tickless")))]
    pub fn __bluegen_port_wait() {}

    /// Host double: nothing to mask.
    #[cfg(feature = "threads")]
    pub fn __bluegen_port_lock() -> usize {
        0
    }

    /// Host double: nothing to restore.
    #[cfg(feature = "threads")]
    pub fn __bluegen_port_unlock(state: usize) {
        let _ = state;
    }

    /// Host double: the tick count.
    #[cfg(feature = "preempt")]
    pub fn __bluegen_port_counter(ticks: u32) -> u64 {
        u64::from(ticks)
    }

    /// Host double: no timer to program, no tick passes.
    #[cfg(feature = "tickless")]
    pub fn __bluegen_port_idle_sleep(ticks: u32) -> u32 {
        let _ = ticks;
        0
    }

    /// Host double: no hardware stack limit.
    #[cfg(feature = "stack-check")]
    pub fn __bluegen_port_stack_limit(next: usize, limit_of: fn(usize) -> usize) {
        let _ = (next, limit_of);
    }

    /// Host double: no threads.
    #[cfg(feature = "threads")]
    pub fn __bluegen_threads() -> &'static [crate::ThreadSpec] {
        &[]
    }

    /// Takes what this thread wrote to the console so far.
    #[cfg(test)]
    pub fn take_output() -> std::vec::Vec<u8> {
        OUTPUT.with(|out| core::mem::take(&mut *out.borrow_mut()))
    }

    /// Runs `f`, which must end the run; returns its exit code.
    #[cfg(test)]
    pub fn exit_code_of(f: impl FnOnce() + std::panic::UnwindSafe) -> i32 {
        let payload = std::panic::catch_unwind(f).expect_err("the run must end with exit");
        payload.downcast_ref::<Exit>().expect("ended by exit, not by another panic").0
    }
}
