//! The port contract: one `extern` block, one trait per side, two macros.
//!
//! The macros define the block's functions from the traits' impls.

/// The arch crate's side: context switch, interrupt mask, sleep, tick timer.
/// The arch crate implements it on a private type and invokes
/// [`crate::arch!`] with that type.
///
/// # Safety
///
/// The kernel's memory safety rests on the impl: `lock` masks every
/// interrupt that reaches the kernel until the matching `unlock`;
/// `frame_slot` describes a frame that the arch's switch restores into a
/// call of `entry` on that stack; `start` and the switch save and restore
/// each thread's context on its own stack only. Hence `unsafe impl`, which
/// an app with `#![forbid(unsafe_code)]` cannot write.
pub unsafe trait Arch {
    /// The alignment of a thread's stack pointer, in bytes (8 on Arm, 16 on
    /// RISC-V).
    const STACK_ALIGN: usize;
    /// Machine words of a thread's first frame.
    const FRAME_SLOTS: usize;
    /// Slot `slot` (0 at the lowest address) of the first frame of a thread,
    /// so that switching to the frame runs `entry` and then the kernel's
    /// thread exit: the frame as data, which [`crate::stack::lay_out`]
    /// writes at the top of the thread's stack.
    fn frame_slot(entry: fn(), slot: usize) -> usize;
    /// Starts the tick and switches to the first thread; never returns.
    ///
    /// # Safety
    ///
    /// Once, from the boot stack, after the kernel laid out the first
    /// frame of every thread (see [`crate::Boot`]).
    unsafe fn start() -> !;
    /// Asks for a switch as soon as no critical section and no handler is
    /// active.
    fn pend_switch();
    /// Sleeps the core until an interrupt.
    fn wait();
    /// Pends device interrupt `irq` (its handler runs as soon as its
    /// priority allows); `false` when the architecture cannot pend one from
    /// software or `irq` is none it has. The default: cannot.
    fn pend_irq(irq: u16) -> bool {
        let _ = irq;
        false
    }
    /// Unmasks device interrupt `irq` at its controller, so that it runs
    /// its handler again (one pended while masked runs now); `false` when
    /// the architecture cannot mask it or `irq` is none it has. The port
    /// calls it only for an interrupt the device declares (see
    /// [`crate::enable_irq`]), so no vector without a handler is enabled.
    /// The default: cannot.
    fn enable_irq(irq: u16) -> bool {
        let _ = irq;
        false
    }
    /// Masks device interrupt `irq` at its controller, in effect before
    /// the next instruction: its handler does not run until
    /// [`Arch::enable_irq`], and a request that comes meanwhile stays
    /// pending; `false` as for [`Arch::enable_irq`]. The default: cannot.
    fn disable_irq(irq: u16) -> bool {
        let _ = irq;
        false
    }
    /// The IRQ number of the interrupt handler running now, if any (the
    /// kernel's blocking-call guard). The default: never in a handler.
    fn active_irq() -> Option<u16> {
        None
    }
    /// Masks interrupts; returns what [`Arch::unlock`] restores.
    fn lock() -> usize;
    /// Restores the interrupt mask `state`.
    ///
    /// # Safety
    ///
    /// `state` is what the matching [`Arch::lock`] returned, and the
    /// critical section it began is over (innermost first).
    unsafe fn unlock(state: usize);
    /// Ends a critical section that asked for a switch: [`Arch::unlock`]
    /// then [`Arch::pend_switch`], which is the default; an arch may fuse
    /// the two (RISC-V switches with interrupts still masked, instead of
    /// unmasking and masking again).
    ///
    /// # Safety
    ///
    /// As [`Arch::unlock`].
    unsafe fn unlock_switch(state: usize) {
        // SAFETY: the caller's precondition is unlock's.
        unsafe { Self::unlock(state) };
        Self::pend_switch()
    }
    /// A free-running counter for benchmarks, given the kernel's tick count.
    fn counter(ticks: u32) -> u64 {
        u64::from(ticks)
    }
    /// Tickless idle (see [`crate::idle_sleep`]); without a tickless timer,
    /// one plain sleep and no tick passed.
    fn idle_sleep(ticks: u32) -> u32 {
        let _ = ticks;
        Self::wait();
        0
    }
    /// Sets the hardware stack limit for thread `next` (see
    /// [`crate::stack_limit`]); nothing without one.
    ///
    /// # Safety
    ///
    /// Only the context switch, about to run `next`, with `limit_of` the
    /// kernel's map from a thread to the lowest address it may use.
    unsafe fn stack_limit(next: usize, limit_of: fn(usize) -> usize) {
        let _ = (next, limit_of);
    }

    /// Raises the running thread to privileged when it runs unprivileged
    /// (and says so: `true`); `false`, changing nothing, when the caller
    /// is privileged already (kernel code, a handler, a privileged thread).
    ///
    /// # Safety
    ///
    /// Only [`crate::privileged`] calls it, and lowers again when it
    /// returns `true`.
    #[cfg(feature = "isolation")]
    unsafe fn raise() -> bool;

    /// Drops the running thread's privilege (thread context only).
    ///
    /// # Safety
    ///
    /// Thread context, after the raise it undoes or at the start of an
    /// unprivileged thread; no critical section open.
    #[cfg(feature = "isolation")]
    unsafe fn lower();

    /// Programs the MPU or PMP for the next thread, unprivileged:
    /// `regions` (its own first), plus code and read-only data.
    ///
    /// # Safety
    ///
    /// Only the context switch, about to run the thread of `regions`.
    #[cfg(feature = "isolation")]
    unsafe fn protect(regions: &'static [crate::Region]);
}

/// The generated image's side: the board's console and exit, and the
/// device's threads. The image implements it and invokes [`crate::image!`].
///
/// # Safety
///
/// `threads` returns the image's table, whose stacks nothing but the
/// kernel uses (the kernel lays out frames on them and runs threads on
/// them), and `exit` does not return. Hence `unsafe impl`, which an app
/// with `#![forbid(unsafe_code)]` cannot write, so it cannot define the
/// contract's functions with [`crate::image!`] either.
pub unsafe trait Image {
    /// Writes `bytes` to the console (or nowhere), waiting until the driver
    /// took them.
    fn console_write(bytes: &[u8]);
    /// Ends the run with `code` (0 is success).
    fn exit(code: i32) -> !;
    /// The device's threads, highest priority first.
    fn threads() -> &'static [crate::ThreadSpec];
    /// The top word of each thread's red zone, in [`Image::threads`]
    /// order ([`crate::stack::red_zone_top`] of its stack): the switch's
    /// overflow check reads it through one table of pointers.
    fn red_zones() -> &'static [&'static core::sync::atomic::AtomicU32];
    /// The name of declared interrupt `irq` (`[interrupts.<name>]`); ""
    /// for any other (the default: the device declares none).
    fn irq_name(irq: u16) -> &'static str {
        let _ = irq;
        ""
    }
    /// Thread `next` (its index in the table; the idle thread's is past
    /// it) is about to run: its thread-local storage becomes current.
    ///
    /// # Safety
    ///
    /// Only the context switch calls it, about to run `next`.
    #[cfg(feature = "tls")]
    unsafe fn switch_tls(next: usize);
}

/// The kernel's entry points, which the image defines (the kernel crate
/// forbids `unsafe`, so it defines no symbol itself) by calling the kernel's
/// impl of this trait.
pub trait Kernel {
    /// Where a thread goes when its entry returns.
    #[cfg(feature = "threads")]
    fn thread_return() -> !;
    /// The hardware stack limit caught an overflow of the running thread.
    #[cfg(feature = "threads")]
    fn stack_overflow() -> !;
    /// After a fault: fails the run if a thread's stack overflowed.
    #[cfg(feature = "threads")]
    fn check_stacks();
    /// The context switch's decision (see [`crate::Switch`]).
    #[cfg(feature = "threads")]
    fn switch(cap: crate::Switch, sp: usize) -> usize;
    /// The tick (see [`crate::Tick`]); whether a switch is due.
    #[cfg(feature = "preempt")]
    fn tick(cap: crate::Tick) -> bool;
    /// The running thread, unprivileged, faulted: the kernel reports it and
    /// applies its policy (ends the run, or ends or restarts the thread);
    /// the arch then switches away without saving its context.
    #[cfg(feature = "isolation")]
    fn thread_fault(fault: crate::Fault);
    /// A thread's first step, privileged: drops the privilege of a thread
    /// that is not `privileged`.
    #[cfg(feature = "isolation")]
    fn thread_enter();
}

/// The contract: every `__bluegen_*` function of an image, declared here
/// once. [`crate::arch!`] and [`crate::image!`] below define them with
/// exactly these signatures.
#[cfg(target_os = "none")]
pub(crate) mod sys {
    use core::sync::atomic::AtomicU32;

    // SAFETY: each function is defined once per image with
    // `#[unsafe(no_mangle)]` and exactly this signature, by `arch!` (the
    // `__bluegen_port_*` ones) or `image!` (the rest), both in this file.
    // Those marked `safe` have no precondition; the others are unsafe to
    // call and this crate's wrappers state why a call is sound. This module
    // is private: other crates reach them only through those wrappers.
    unsafe extern "Rust" {
        pub(crate) safe fn __bluegen_console_write(bytes: &[u8]);
        pub(crate) safe fn __bluegen_exit(code: i32) -> !;
        pub(crate) safe fn __bluegen_threads() -> &'static [crate::ThreadSpec];
        pub(crate) safe fn __bluegen_red_zones() -> &'static [&'static AtomicU32];
        pub(crate) safe fn __bluegen_thread_return() -> !;
        pub(crate) safe fn __bluegen_stack_overflow() -> !;
        pub(crate) safe fn __bluegen_check_stacks();
        pub(crate) fn __bluegen_tick() -> bool;
        pub(crate) safe fn __bluegen_port_init_stack(stack: &[AtomicU32], entry: fn()) -> usize;
        pub(crate) fn __bluegen_port_start() -> !;
        pub(crate) safe fn __bluegen_port_pend_switch();
        pub(crate) safe fn __bluegen_port_wait();
        pub(crate) safe fn __bluegen_port_pend_irq(irq: u16) -> bool;
        pub(crate) safe fn __bluegen_port_enable_irq(irq: u16) -> bool;
        pub(crate) safe fn __bluegen_port_disable_irq(irq: u16) -> bool;
        pub(crate) safe fn __bluegen_port_active_irq() -> Option<u16>;
        pub(crate) safe fn __bluegen_irq_name(irq: u16) -> &'static str;
        pub(crate) safe fn __bluegen_port_lock() -> usize;
        pub(crate) fn __bluegen_port_unlock(state: usize);
        pub(crate) fn __bluegen_port_unlock_switch(state: usize);
        pub(crate) safe fn __bluegen_port_counter(ticks: u32) -> u64;
        pub(crate) safe fn __bluegen_port_idle_sleep(ticks: u32) -> u32;
        pub(crate) fn __bluegen_port_stack_limit(next: usize, limit_of: fn(usize) -> usize);
        #[cfg(feature = "tls")]
        pub(crate) fn __bluegen_switch_tls(next: usize);
        #[cfg(feature = "isolation")]
        pub(crate) fn __bluegen_port_raise() -> bool;
        #[cfg(feature = "isolation")]
        pub(crate) fn __bluegen_port_lower();
        #[cfg(feature = "isolation")]
        pub(crate) fn __bluegen_port_protect(regions: &'static [crate::Region]);
        #[cfg(feature = "isolation")]
        pub(crate) fn __bluegen_thread_fault(fault: crate::Fault);
        #[cfg(feature = "isolation")]
        pub(crate) safe fn __bluegen_thread_enter();
    }

    // SAFETY: as above; `extern "C"`, since the Cortex-M switch assembly
    // calls it too.
    unsafe extern "C" {
        pub(crate) fn __bluegen_switch(sp: usize) -> usize;
    }
}

/// Defines the arch crate's side of the contract (the `__bluegen_port_*`
/// functions) from its [`Arch`] impl `$arch`. Invoke it once, in the arch
/// crate's context-switch code.
#[macro_export]
macro_rules! arch {
    ($arch:ty) => {
        // In an anonymous const: the functions have their symbols, but no
        // path names them, so no code can call them but through the contract.
        const _: () = {
        #[unsafe(no_mangle)]
        fn __bluegen_port_init_stack(stack: &[core::sync::atomic::AtomicU32], entry: fn()) -> usize {
            $crate::stack::lay_out(stack, <$arch as $crate::Arch>::STACK_ALIGN, <$arch as $crate::Arch>::FRAME_SLOTS, |slot| {
                <$arch as $crate::Arch>::frame_slot(entry, slot)
            })
        }

        #[unsafe(no_mangle)]
        fn __bluegen_port_start() -> ! {
            // SAFETY: `__bluegen_port_start` is unsafe in the contract with
            // the precondition of `Arch::start`; only `bluegen_port::start`,
            // with a `Boot`, calls it.
            unsafe { <$arch as $crate::Arch>::start() }
        }

        #[unsafe(no_mangle)]
        fn __bluegen_port_pend_switch() {
            <$arch as $crate::Arch>::pend_switch()
        }

        #[unsafe(no_mangle)]
        fn __bluegen_port_wait() {
            <$arch as $crate::Arch>::wait()
        }

        #[unsafe(no_mangle)]
        fn __bluegen_port_pend_irq(irq: u16) -> bool {
            <$arch as $crate::Arch>::pend_irq(irq)
        }

        #[unsafe(no_mangle)]
        fn __bluegen_port_enable_irq(irq: u16) -> bool {
            <$arch as $crate::Arch>::enable_irq(irq)
        }

        #[unsafe(no_mangle)]
        fn __bluegen_port_disable_irq(irq: u16) -> bool {
            <$arch as $crate::Arch>::disable_irq(irq)
        }

        #[unsafe(no_mangle)]
        fn __bluegen_port_active_irq() -> Option<u16> {
            <$arch as $crate::Arch>::active_irq()
        }

        #[unsafe(no_mangle)]
        fn __bluegen_port_lock() -> usize {
            <$arch as $crate::Arch>::lock()
        }

        #[unsafe(no_mangle)]
        fn __bluegen_port_unlock(state: usize) {
            // SAFETY: `__bluegen_port_unlock` is unsafe in the contract with
            // the precondition of `Arch::unlock`; only `bluegen_port::critical`
            // calls it, with its own lock's state.
            unsafe { <$arch as $crate::Arch>::unlock(state) }

        #[unsafe(no_mangle)]
        fn __bluegen_port_unlock_switch(state: usize) {
            // SAFETY: `__bluegen_port_unlock_switch` is unsafe in the
            // contract with the precondition of `Arch::unlock_switch`; only
            // `bluegen_port::critical_switch` calls it, with its own lock's
            // state.
            unsafe { <$arch as $crate::Arch>::unlock_switch(state) }
        }
        }

        #[unsafe(no_mangle)]
        fn __bluegen_port_counter(ticks: u32) -> u64 {
            <$arch as $crate::Arch>::counter(ticks)
        }

        #[unsafe(no_mangle)]
        fn __bluegen_port_idle_sleep(ticks: u32) -> u32 {
            <$arch as $crate::Arch>::idle_sleep(ticks)
        }

        #[unsafe(no_mangle)]
        fn __bluegen_port_stack_limit(next: usize, limit_of: fn(usize) -> usize) {
            // SAFETY: `__bluegen_port_stack_limit` is unsafe in the contract
            // with the precondition of `Arch::stack_limit`; only
            // `bluegen_port::stack_limit`, with a `Switch`, calls it.
            unsafe { <$arch as $crate::Arch>::stack_limit(next, limit_of) }
        }
        $crate::__if_isolation! {
            #[unsafe(no_mangle)]
            fn __bluegen_port_raise() -> bool {
                // SAFETY: unsafe in the contract with `Arch::raise`'s
                // precondition; only `bluegen_port::privileged` calls it.
                unsafe { <$arch as $crate::Arch>::raise() }
            }
            #[unsafe(no_mangle)]
            fn __bluegen_port_lower() {
                // SAFETY: unsafe in the contract with `Arch::lower`'s
                // precondition; only `privileged` and `drop_privilege` call it.
                unsafe { <$arch as $crate::Arch>::lower() }
            }
            #[unsafe(no_mangle)]
            fn __bluegen_port_protect(regions: &'static [$crate::Region]) {
                // SAFETY: unsafe in the contract with `Arch::protect`'s
                // precondition; only `bluegen_port::protect`, with a `Switch`, calls it.
                unsafe { <$arch as $crate::Arch>::protect(regions) }
            }
        }
        };
    };
}

/// Defines the generated image's side of the contract from its [`Image`]
/// impl `$image`, and the kernel's entry points from the kernel's
/// [`Kernel`] impl `$kernel` (`bluegen_kernel::Kernel`). The image invokes
/// it once.
#[macro_export]
macro_rules! image {
    ($image:ty, $kernel:ty) => {
        // In an anonymous const: the functions have their symbols, but no
        // path names them, so no code (an app that invokes this macro
        // too) can call them but through the contract.
        const _: () = {
        #[unsafe(no_mangle)]
        fn __bluegen_console_write(bytes: &[u8]) {
            <$image as $crate::Image>::console_write(bytes)
        }

        #[unsafe(no_mangle)]
        fn __bluegen_exit(code: i32) -> ! {
            <$image as $crate::Image>::exit(code)
        }

        #[unsafe(no_mangle)]
        fn __bluegen_irq_name(irq: u16) -> &'static str {
            <$image as $crate::Image>::irq_name(irq)
        }

        $crate::__if_threads! {
            #[unsafe(no_mangle)]
            fn __bluegen_threads() -> &'static [$crate::ThreadSpec] {
                <$image as $crate::Image>::threads()
            }

            #[unsafe(no_mangle)]
            fn __bluegen_red_zones() -> &'static [&'static core::sync::atomic::AtomicU32] {
                <$image as $crate::Image>::red_zones()
            }

            #[unsafe(no_mangle)]
            fn __bluegen_thread_return() -> ! {
                <$kernel as $crate::Kernel>::thread_return()
            }

            #[unsafe(no_mangle)]
            fn __bluegen_stack_overflow() -> ! {
                <$kernel as $crate::Kernel>::stack_overflow()
            }

            #[unsafe(no_mangle)]
            fn __bluegen_check_stacks() {
                <$kernel as $crate::Kernel>::check_stacks()
            }

            #[unsafe(no_mangle)]
            extern "C" fn __bluegen_switch(sp: usize) -> usize {
                // SAFETY: `__bluegen_switch` is unsafe in the contract, with
                // the contract of `Switch::new`: only the arch switch code
                // calls it (through `bluegen_port::kernel::switch` or its
                // assembly), masked, with the saved `sp`, and it switches to
                // the stack pointer returned.
                <$kernel as $crate::Kernel>::switch(unsafe { $crate::Switch::new() }, sp)
            }
        }

        $crate::__if_tls! {
            #[unsafe(no_mangle)]
            fn __bluegen_switch_tls(next: usize) {
                // SAFETY: `__bluegen_switch_tls` is unsafe in the contract
                // with the precondition of `Image::switch_tls`; only
                // `bluegen_port::switch_tls`, with a `Switch`, calls it.
                unsafe { <$image as $crate::Image>::switch_tls(next) }
            }
        }

        $crate::__if_isolation! {
            #[unsafe(no_mangle)]
            fn __bluegen_thread_fault(fault: $crate::Fault) {
                <$kernel as $crate::Kernel>::thread_fault(fault)
            }
            #[unsafe(no_mangle)]
            fn __bluegen_thread_enter() {
                <$kernel as $crate::Kernel>::thread_enter()
            }
        }
        $crate::__if_preempt! {
            #[unsafe(no_mangle)]
            fn __bluegen_tick() -> bool {
                // SAFETY: `__bluegen_tick` is unsafe in the contract, with the
                // contract of `Tick::new`: only the arch tick interrupt calls
                // it (through `bluegen_port::kernel::tick`), masked, once per
                // tick period, and switches when it returns true.
                <$kernel as $crate::Kernel>::tick(unsafe { $crate::Tick::new() })
            }
        }
        };
    };
}
