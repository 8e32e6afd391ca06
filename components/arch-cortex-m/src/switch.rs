//! The context switch (PendSV) and this arch's side of the port contract.
//!
//! Threads run in thread mode on the process stack (PSP); exceptions run on
//! the main stack, which is the boot stack. PendSV has the lowest priority,
//! so a switch happens only when no other handler is active. It pushes
//! r4–r11 and EXC_RETURN (and s16–s31 when the thread used the FPU) below
//! the hardware frame, asks the kernel for the next thread
//! (`__bluegen_switch(sp) -> sp`, declared by `bluegen_port`, defined by the
//! image) and pops that
//! thread's registers: with one `stmdb`/`ldmia` on Thumb-2 cores, with a
//! Thumb-1 sequence that leaves the same frame on ARMv6-M.

/// s16–s31 when the outgoing thread has an extended (FP) frame: EXC_RETURN
/// bit 4 clear.
#[cfg(target_abi = "eabihf")]
macro_rules! save_fp {
    () => {
        ".fpu fpv4-sp-d16
        mov r1, lr
        lsls r1, r1, #27
        bmi 2f
        vstmdb r0!, {{s16-s31}}
2:
        "
    };
}

#[cfg(target_abi = "eabihf")]
macro_rules! restore_fp {
    () => {
        "mov r1, lr
        lsls r1, r1, #27
        bmi 3f
        vldmia r0!, {{s16-s31}}
3:
        "
    };
}

#[cfg(not(target_abi = "eabihf"))]
macro_rules! save_fp {
    () => {
        ""
    };
}

#[cfg(not(target_abi = "eabihf"))]
macro_rules! restore_fp {
    () => {
        ""
    };
}

/// The register save and restore: one `stmdb`/`ldmia` of r4–r11 and
/// EXC_RETURN on cores with Thumb-2 (ARMv7-M, ARMv8-M mainline), the
/// Thumb-1 sequence on ARMv6-M. Both leave the same frame: r4 at the
/// lowest address, EXC_RETURN at offset 32, the hardware frame above.
#[cfg(all(thumb2, not(feature = "isolation")))]
macro_rules! save_regs {
    () => {
        "stmdb r0!, {{r4-r11, lr}}
        "
    };
}

#[cfg(all(thumb2, not(feature = "isolation")))]
macro_rules! restore_regs {
    () => {
        "ldmia r0!, {{r4-r11, lr}}
        "
    };
}

/// With isolation, CONTROL.nPRIV too, below r4: a thread resumes in the
/// privilege it left in (its own code unprivileged, a kernel call
/// privileged). Only bit 0 is restored (FPCA and SPSEL stay the core's).
#[cfg(all(thumb2, feature = "isolation"))]
macro_rules! save_regs {
    () => {
        "mrs r2, control
        stmdb r0!, {{r2, r4-r11, lr}}
        "
    };
}

#[cfg(all(thumb2, feature = "isolation"))]
macro_rules! restore_regs {
    () => {
        "ldmia r0!, {{r2, r4-r11, lr}}
        mrs r1, control
        bfi r1, r2, #0, #1
        msr control, r1
        "
    };
}

#[cfg(all(not(thumb2), feature = "isolation"))]
compile_error!("isolation needs an MPU core with Thumb-2 (ARMv7-M or ARMv8-M mainline)");

#[cfg(not(thumb2))]
macro_rules! save_regs {
    () => {
        "subs r0, #36
        mov r1, r0
        stm r1!, {{r4-r7}}
        mov r4, r8
        mov r5, r9
        mov r6, r10
        mov r7, r11
        stm r1!, {{r4-r7}}
        mov r2, lr
        str r2, [r1]
        "
    };
}

#[cfg(not(thumb2))]
macro_rules! restore_regs {
    () => {
        "ldr r2, [r0, #32]
        mov lr, r2
        mov r1, r0
        adds r1, #16
        ldm r1!, {{r4-r7}}
        mov r8, r4
        mov r9, r5
        mov r10, r6
        mov r11, r7
        ldm r0!, {{r4-r7}}
        adds r0, #20
        "
    };
}

core::arch::global_asm!(concat!(
    "
    .section .text.__bluegen_pendsv, \"ax\", %progbits
    .global __bluegen_pendsv
    .type __bluegen_pendsv, %function
    .thumb_func
__bluegen_pendsv:
    mrs r0, psp
    /* PSP is 0 before the first thread: nothing to save. */
    cmp r0, #0
    beq 1f
    ",
    save_fp!(),
    save_regs!(),
    "
1:  cpsid i
    bl __bluegen_switch
    cpsie i
    ",
    restore_regs!(),
    restore_fp!(),
    "
    msr psp, r0
    bx lr
    .size __bluegen_pendsv, . - __bluegen_pendsv
    "
));

/// Interrupt Control and State Register; bit 28 pends PendSV.
const ICSR: usize = 0xE000_ED04;
/// System Handler Priority Register 3; bits 16..24 are PendSV's priority.
const SHPR3: usize = 0xE000_ED20;
/// The words PendSV saves below the hardware frame: r4–r11 and EXC_RETURN,
/// and with isolation CONTROL below them.
const SAVED: usize = if cfg!(feature = "isolation") { 10 } else { 9 };
/// Hardware frame (r0–r3, r12, lr, pc, xPSR) plus the saved words.
const FRAME_WORDS: usize = 8 + SAVED;

/// Where every thread starts: runs its entry (passed as an address in the
/// first argument register), then ends the thread.
extern "C" fn thread_start(entry: usize) -> ! {
    // SAFETY: `frame_slot` put exactly a `fn()` of the image, turned into
    // an address, in this register; nothing else reaches here (no thread
    // returns into it: lr is 0).
    let entry: fn() = unsafe { core::mem::transmute::<usize, fn()>(entry) };
    // An unprivileged thread drops its privilege here.
    #[cfg(feature = "isolation")]
    bluegen_port::kernel::thread_enter();
    entry();
    bluegen_port::kernel::thread_return()
}

/// This arch's side of the port contract (see `bluegen_port::Arch`).
struct CortexM;

bluegen_port::arch!(CortexM);

// SAFETY: `lock` masks every interrupt (the switch and tick included)
// until the matching `unlock`, the frame is the one this file's switch
// restores, and the switch saves each thread's context on its own stack.
unsafe impl bluegen_port::Arch for CortexM {
    const STACK_ALIGN: usize = 8;
    const FRAME_SLOTS: usize = FRAME_WORDS;

    /// The saved r4–r11 (0–7) and EXC_RETURN (8) (with isolation CONTROL
    /// first, 0: a thread starts privileged), then the hardware frame
    /// PendSV returns through (r0–r3, r12, lr, pc, xPSR): thread mode on
    /// PSP, no FP, `thread_start(entry)`; every other slot 0.
    #[inline(always)]
    fn frame_slot(entry: fn(), slot: usize) -> usize {
        // Constant patterns: the same match as literal slots.
        const EXC_RETURN: usize = SAVED - 1;
        const R0: usize = SAVED;
        const PC: usize = SAVED + 6;
        const XPSR: usize = SAVED + 7;
        match slot {
            EXC_RETURN => 0xFFFF_FFFD,                        // EXC_RETURN: thread mode, PSP, no FP
            R0 => entry as usize,                             // r0: the entry
            PC => thread_start as *const () as usize & !1,    // pc
            XPSR => 0x0100_0000,                              // xPSR: Thumb
            _ => 0,                                           // CONTROL (privileged), r4–r11, r1–r3, r12, lr
        }
    }

    /// Starts the scheduler: PendSV at the lowest priority, PSP = 0 (nothing
    /// to save), then PendSV switches to the first thread.
    #[inline(always)]
    unsafe fn start() -> ! {
        // SAFETY: SHPR3 and ICSR are the architected System Control Block
        // registers of every M profile core; setting PendSV's priority byte
        // and pending it has no other effect. Zeroing PSP is harmless while
        // thread mode runs on MSP; PendSV reads it to know nothing is to be
        // saved. The caller's contract: once, from the boot stack, every
        // thread's first frame laid out.
        unsafe {
            let shpr3 = SHPR3 as *mut u32;
            shpr3.write_volatile(shpr3.read_volatile() | 0xFF << 16);
            core::arch::asm!("msr psp, {0}", in(reg) 0u32, options(nomem, nostack));
            #[cfg(armv8m_main)]
            if cfg!(feature = "stack-check") {
                crate::stack_limit::enable();
            }
            #[cfg(feature = "tick")]
            tick::start();
            #[cfg(feature = "isolation")]
            crate::isolation::start();
            (ICSR as *mut u32).write_volatile(1 << 28);
            core::arch::asm!("dsb", "isb", "cpsie i", options(nomem, nostack));
        }
        crate::halt()
    }

    /// Pends PendSV: the switch happens as soon as no other handler runs.
    fn pend_switch() {
        // SAFETY: writing bit 28 of ICSR only pends PendSV; `isb` lets it be
        // taken before the next instruction when thread mode runs.
        unsafe {
            (ICSR as *mut u32).write_volatile(1 << 28);
            core::arch::asm!("dsb", "isb", options(nomem, nostack, preserves_flags));
        }
    }

    /// Pends device IRQ `irq` through the NVIC (see `crate::irq::pend`).
    fn pend_irq(irq: u16) -> bool {
        crate::irq::pend(irq)
    }

    /// Enables device IRQ `irq` (NVIC ISER; see `crate::irq::unmask`).
    fn enable_irq(irq: u16) -> bool {
        crate::irq::unmask(irq)
    }

    /// Disables device IRQ `irq` (NVIC ICER; see `crate::irq::mask`).
    fn disable_irq(irq: u16) -> bool {
        crate::irq::mask(irq)
    }

    /// The device IRQ whose handler runs (IPSR; see `crate::irq::active`).
    fn active_irq() -> Option<u16> {
        crate::irq::active()
    }

    /// Sleeps until an interrupt.
    fn wait() {
        // SAFETY: `wfi` only waits for an interrupt.
        unsafe { core::arch::asm!("wfi", options(nomem, nostack, preserves_flags)) };
    }

    /// Masks interrupts (PRIMASK); returns the previous PRIMASK.
    fn lock() -> usize {
        let primask: u32;
        // SAFETY: reads PRIMASK and sets it; touches no memory.
        unsafe { core::arch::asm!("mrs {0}, primask", "cpsid i", out(reg) primask, options(nomem, nostack, preserves_flags)) };
        primask as usize
    }

    /// Restores PRIMASK as `lock` found it.
    unsafe fn unlock(state: usize) {
        // SAFETY: writes back a PRIMASK value read before; touches no memory.
        unsafe { core::arch::asm!("msr primask, {0}", in(reg) state as u32, options(nomem, nostack, preserves_flags)) };
    }

    #[cfg(feature = "tick")]
    fn counter(ticks: u32) -> u64 {
        tick::counter(ticks)
    }

    #[cfg(feature = "tick")]
    fn idle_sleep(ticks: u32) -> u32 {
        tick::idle_sleep(ticks)
    }

    /// The stack limit of the thread about to run: PSPLIM on ARMv8-M
    /// mainline (see `crate::stack_limit`); nothing to do (and nothing to
    /// compute) on other cores.
    #[cfg(armv8m_main)]
    unsafe fn stack_limit(next: usize, limit_of: fn(usize) -> usize) {
        crate::stack_limit::set(limit_of(next));
    }

    /// The SVC of `crate::isolation` when the caller is unprivileged.
    #[cfg(feature = "isolation")]
    #[inline(always)]
    unsafe fn raise() -> bool {
        crate::isolation::raise()
    }

    /// Sets CONTROL.nPRIV.
    #[cfg(feature = "isolation")]
    #[inline(always)]
    unsafe fn lower() {
        crate::isolation::lower()
    }

    /// The MPU's per-thread regions (see `crate::isolation::protect`).
    #[cfg(feature = "isolation")]
    #[inline(always)]
    unsafe fn protect(regions: &'static [bluegen_port::Region]) {
        crate::isolation::protect(regions)
    }
}

#[cfg(feature = "tick")]
mod tick {
    /// SysTick Control and Status, Reload and Current Value registers.
    const SYST_CSR: usize = 0xE000_E010;
    const SYST_RVR: usize = 0xE000_E014;
    const SYST_CVR: usize = 0xE000_E018;

    /// SysTick clock cycles per tick.
    const PERIOD: u32 = bluegen_config::SYSTICK_CLOCK_HZ / bluegen_config::TICK_HZ;
    /// The most ticks one SysTick count reaches (its counter has 24 bits).
    const MAX_TICKS: u32 = 0x00FF_FFFF / PERIOD;

    fn read(addr: usize) -> u32 {
        // SAFETY: only called with the SysTick registers and ICSR, which
        // every M profile core has; reading them has no side effect.
        unsafe { (addr as *const u32).read_volatile() }
    }

    fn write(addr: usize, value: u32) {
        // SAFETY: only called with the SysTick registers, which only the
        // kernel's tick uses.
        unsafe { (addr as *mut u32).write_volatile(value) }
    }

    /// Whether a SysTick interrupt is pending (ICSR.PENDSTSET).
    fn pending() -> bool {
        read(super::ICSR) & 1 << 26 != 0
    }

    /// Starts the counter afresh: `cycles` until the next interrupt.
    fn restart(cycles: u32) {
        write(SYST_CSR, 0b110);
        write(SYST_RVR, cycles.max(1) - 1);
        write(SYST_CVR, 0);
        write(SYST_CSR, 0b111);
    }

    /// Tickless idle (see `bluegen_port::idle_sleep`), with PRIMASK set: WFI
    /// still wakes on a pending interrupt, which is taken once the kernel
    /// unmasks. The counter runs one long count to the wanted tick; the
    /// SysTick handler puts the period back.
    pub fn idle_sleep(ticks: u32) -> u32 {
        let ticks = ticks.min(MAX_TICKS);
        if ticks < 2 || pending() {
            <super::CortexM as bluegen_port::Arch>::wait();
            return 0;
        }
        // Stop it to read a steady count: `left` cycles to the next tick.
        write(SYST_CSR, 0b110);
        if pending() {
            write(SYST_CSR, 0b111);
            return 0;
        }
        let left = read(SYST_CVR).clamp(1, PERIOD);
        restart(left + (ticks - 1) * PERIOD);
        <super::CortexM as bluegen_port::Arch>::wait();
        if pending() {
            // The long count ran out: its interrupt counts the last tick.
            return ticks - 1;
        }
        // Woken early by another interrupt: count the ticks that passed
        // and interrupt again on the next tick boundary.
        write(SYST_CSR, 0b110);
        if pending() {
            write(SYST_CSR, 0b111);
            return ticks - 1;
        }
        let to_end = read(SYST_CVR).max(1);
        let ahead = to_end.div_ceil(PERIOD);
        restart(to_end - (ahead - 1) * PERIOD);
        ticks.saturating_sub(ahead)
    }

    /// Starts SysTick on the processor clock at the kernel's tick rate.
    pub fn start() {
        let reload = PERIOD - 1;
        // SAFETY: the SysTick registers are architected on every M profile
        // core; programming them only starts the periodic tick interrupt.
        unsafe {
            (SYST_RVR as *mut u32).write_volatile(reload);
            (SYST_CVR as *mut u32).write_volatile(0);
            // Enable, interrupt, processor clock.
            (SYST_CSR as *mut u32).write_volatile(0b111);
        }
    }

    /// SysTick clock cycles since start: whole ticks plus the current count.
    pub fn counter(ticks: u32) -> u64 {
        let reload = bluegen_config::SYSTICK_CLOCK_HZ / bluegen_config::TICK_HZ - 1;
        // SAFETY: reading SysTick's current value and ICSR has no side
        // effect. A wrap whose interrupt is still pending (ICSR.PENDSTSET,
        // bit 26) is a tick the kernel has not counted yet: count it here.
        let (current, pending) = bluegen_port::critical(|_| unsafe {
            let current = (SYST_CVR as *const u32).read_volatile();
            let pending = (super::ICSR as *const u32).read_volatile() & 1 << 26 != 0;
            if pending { ((SYST_CVR as *const u32).read_volatile(), 1) } else { (current, 0) }
        });
        (u64::from(ticks) + pending) * u64::from(reload + 1) + u64::from(reload - current.min(reload))
    }

    /// The SysTick handler: the kernel's tick, then PendSV if it asks for a switch.
    #[unsafe(no_mangle)]
    extern "C" fn __bluegen_systick() {
        let switch = bluegen_port::critical(|_| {
            // After a tickless sleep the reload is not one period: restart
            // the periodic count from this tick.
            if cfg!(feature = "tickless") && read(SYST_RVR) != PERIOD - 1 {
                restart(PERIOD);
            }
            // SAFETY: this is the tick interrupt, once per tick period,
            // interrupts masked, and it pends the switch the kernel asks for.
            unsafe { bluegen_port::kernel::tick() }
        });
        if switch {
            // SAFETY: pends PendSV only.
            unsafe { (super::ICSR as *mut u32).write_volatile(1 << 28) };
        }
    }
}
