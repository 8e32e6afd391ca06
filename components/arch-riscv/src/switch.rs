//! The context switch (an `ecall` trap) and this arch's side of the port
//! contract.
//!
//! With threads on, `mtvec` points at `__bluegen_switch_trap_vector`: it
//! pushes every register Rust may use (ra, t0–t6, s0–s11, a0–a7) and `mepc`
//! onto the interrupted thread's stack, calls `__bluegen_trap_switch` with
//! that stack pointer and `mcause`, and pops the frame of the stack pointer it
//! returns. A thread asks for a switch with `ecall`; any other trap is a
//! fault and ends the run with a failure.

#[cfg(target_pointer_width = "32")]
macro_rules! xlen {
    (store) => { "sw" };
    (load) => { "lw" };
    (bytes) => { "4" };
    (frame) => { "128" };
}

#[cfg(target_pointer_width = "64")]
macro_rules! xlen {
    (store) => { "sd" };
    (load) => { "ld" };
    (bytes) => { "8" };
    (frame) => { "256" };
}

/// Stores or loads register `$r` at slot `$i` of the frame.
macro_rules! slot {
    ($op:tt, $r:literal, $i:literal) => {
        concat!(xlen!($op), " ", $r, ", ", $i, "*", xlen!(bytes), "(sp)\n")
    };
}

macro_rules! all_regs {
    ($op:tt) => {
        concat!(
            slot!($op, "ra", 0), slot!($op, "t0", 1), slot!($op, "t1", 2), slot!($op, "t2", 3),
            slot!($op, "s0", 4), slot!($op, "s1", 5), slot!($op, "a0", 6), slot!($op, "a1", 7),
            slot!($op, "a2", 8), slot!($op, "a3", 9), slot!($op, "a4", 10), slot!($op, "a5", 11),
            slot!($op, "a6", 12), slot!($op, "a7", 13), slot!($op, "s2", 14), slot!($op, "s3", 15),
            slot!($op, "s4", 16), slot!($op, "s5", 17), slot!($op, "s6", 18), slot!($op, "s7", 19),
            slot!($op, "s8", 20), slot!($op, "s9", 21), slot!($op, "s10", 22), slot!($op, "s11", 23),
            slot!($op, "t3", 24), slot!($op, "t4", 25), slot!($op, "t5", 26), slot!($op, "t6", 27),
        )
    };
}

core::arch::global_asm!(concat!(
    "
    .section .text.__bluegen_switch_trap_vector, \"ax\", @progbits
    .p2align 2
    .global __bluegen_switch_trap_vector
__bluegen_switch_trap_vector:
    addi sp, sp, -", xlen!(frame), "\n",
    all_regs!(store),
    "csrr t0, mepc\n",
    slot!(store, "t0", 28),
    "mv a0, sp
    csrr a1, mcause
    call __bluegen_trap_switch
    mv sp, a0\n",
    slot!(load, "t0", 28),
    "csrw mepc, t0
    /* mret returns to machine mode (MPP = 3), interrupts on (MPIE). */
    li t0, 0x1880
    csrs mstatus, t0\n",
    all_regs!(load),
    "addi sp, sp, ", xlen!(frame), "
    mret
    "
));

/// Words of a frame (32 slots: 28 registers, mepc, padding to 16 bytes).
const FRAME_SLOTS: usize = 32;
/// The slot of `mepc`.
const MEPC: usize = 28;
/// The slot of `a0`.
const A0: usize = 6;
/// `mcause` of `ecall` from machine mode.
const ECALL_M: usize = 11;

/// The trap, past the register save: a switch for `ecall`, a fault otherwise.
#[unsafe(no_mangle)]
extern "C" fn __bluegen_trap_switch(sp: usize, mcause: usize) -> usize {
    #[cfg(feature = "tick")]
    if mcause == tick::MACHINE_TIMER {
        tick::rearm();
        // SAFETY: this is the machine timer interrupt, once per tick
        // period, with MIE clear (a trap), and it switches when told to; the
        // switch runs inside the same trap, for the `sp` the vector saved,
        // and the vector restores the frame of the stack pointer returned.
        return unsafe { if bluegen_port::kernel::tick() { bluegen_port::kernel::switch(sp) } else { sp } };
    }
    if mcause != ECALL_M {
        fault();
    }
    let mepc = (sp as *mut usize).wrapping_add(MEPC);
    // SAFETY: `sp` points at the frame the trap vector just pushed; slot
    // MEPC holds the address of the `ecall`, which resumes 4 bytes later.
    unsafe { mepc.write_volatile(mepc.read_volatile() + 4) };
    // SAFETY: inside the trap (MIE clear), for the `sp` the vector saved;
    // the vector restores the frame of the stack pointer returned.
    unsafe { bluegen_port::kernel::switch(sp) }
}

/// A trap that is a fault: first whether a thread overflowed its stack (the
/// likely cause when one ran into memory it does not own), then the report.
/// Out of line and never returning, so the switch path keeps a small frame.
#[cold]
#[inline(never)]
fn fault() -> ! {
    bluegen_port::kernel::check_stacks();
    #[cfg(feature = "fault-report")]
    crate::fault::report();
    #[cfg(not(feature = "fault-report"))]
    bluegen_port::exit(1)
}

/// Where every thread starts: runs its entry (passed as an address in the
/// first argument register), then ends the thread.
extern "C" fn thread_start(entry: usize) -> ! {
    // SAFETY: `frame_slot` put exactly a `fn()` of the image, turned into
    // an address, in this register; nothing else reaches here.
    let entry: fn() = unsafe { core::mem::transmute::<usize, fn()>(entry) };
    entry();
    bluegen_port::kernel::thread_return()
}

/// This arch's side of the port contract (see `bluegen_port::Arch`).
struct RiscV;

bluegen_port::arch!(RiscV);

// SAFETY: `lock` masks every interrupt (the switch and tick included)
// until the matching `unlock`, the frame is the one this file's switch
// restores, and the switch saves each thread's context on its own stack.
unsafe impl bluegen_port::Arch for RiscV {
    const STACK_ALIGN: usize = 16;
    const FRAME_SLOTS: usize = FRAME_SLOTS;

    /// The trap frame the vector pops: every register 0 but a0 (the
    /// entry), `mepc` at `thread_start`.
    #[inline(always)]
    fn frame_slot(entry: fn(), slot: usize) -> usize {
        match slot {
            A0 => entry as usize,
            MEPC => thread_start as *const () as usize,
            _ => 0,
        }
    }

    /// Starts the scheduler: the first `ecall` saves the boot context
    /// (never resumed) and switches to the first thread.
    #[inline(always)]
    unsafe fn start() -> ! {
        #[cfg(feature = "tick")]
        tick::start();
        Self::pend_switch();
        crate::halt()
    }

    /// Switches now, through `ecall`.
    fn pend_switch() {
        // SAFETY: the trap vector saves and restores every register and
        // returns after the `ecall`, like a call that clobbers nothing.
        unsafe { core::arch::asm!("ecall") };
    }

    /// Sleeps until an interrupt.
    fn wait() {
        // SAFETY: `wfi` only waits for an interrupt.
        unsafe { core::arch::asm!("wfi", options(nomem, nostack, preserves_flags)) };
    }

    /// Masks machine interrupts (`mstatus.MIE`); returns the previous MIE bit.
    fn lock() -> usize {
        let mstatus: usize;
        // SAFETY: clears MIE and reads the old mstatus; touches no memory.
        unsafe { core::arch::asm!("csrrci {0}, mstatus, 8", out(reg) mstatus, options(nomem, nostack)) };
        mstatus & 8
    }

    /// Sets `mstatus.MIE` again if `lock` found it set.
    unsafe fn unlock(state: usize) {
        // SAFETY: sets back the MIE bit read before; touches no memory.
        unsafe { core::arch::asm!("csrs mstatus, {0}", in(reg) state & 8, options(nomem, nostack)) };
    }

    #[cfg(feature = "tick")]
    fn counter(ticks: u32) -> u64 {
        tick::counter(ticks)
    }

    #[cfg(feature = "tick")]
    fn idle_sleep(ticks: u32) -> u32 {
        tick::idle_sleep(ticks)
    }

    // RISC-V has no stack limit register: the default `stack_limit` does
    // nothing; the kernel's red zone check covers the stacks.
}

#[cfg(feature = "tick")]
mod tick {
    /// `mcause` of the machine timer interrupt.
    pub const MACHINE_TIMER: usize = 1 << (usize::BITS - 1) | 7;
    /// mtime ticks per kernel tick.
    const PERIOD: u64 = (bluegen_config::MTIME_HZ / bluegen_config::TICK_HZ) as u64;
    const MTIMECMP: usize = bluegen_config::CLINT_BASE as usize + 0x4000;
    const MTIME: usize = bluegen_config::CLINT_BASE as usize + 0xBFF8;

    fn read(addr: usize) -> u64 {
        // SAFETY: `addr` is mtime or hart 0's mtimecmp of the board's CLINT,
        // plain 64-bit registers; reading has no side effect.
        unsafe {
            let lo = (addr as *const u32).read_volatile();
            let hi = ((addr + 4) as *const u32).read_volatile();
            u64::from(hi) << 32 | u64::from(lo)
        }
    }

    fn set_compare(at: u64) {
        // SAFETY: hart 0's mtimecmp; writing low to all ones first keeps a
        // half-written value from firing early.
        unsafe {
            let p = MTIMECMP as *mut u32;
            p.write_volatile(u32::MAX);
            p.add(1).write_volatile((at >> 32) as u32);
            p.write_volatile(at as u32);
        }
    }

    /// The first tick one period from now, machine timer interrupt on.
    pub fn start() {
        set_compare(read(MTIME) + PERIOD);
        // SAFETY: sets mie.MTIE; interrupts come only once threads run with MIE.
        unsafe { core::arch::asm!("csrs mie, {0}", in(reg) 1usize << 7, options(nomem, nostack)) };
    }

    /// Instructions retired (`minstret`); the tick count is not needed.
    pub fn counter(ticks: u32) -> u64 {
        let _ = ticks;
        #[cfg(target_pointer_width = "64")]
        {
            let n: u64;
            // SAFETY: reads a counter CSR; no side effect.
            unsafe { core::arch::asm!("csrr {0}, minstret", out(reg) n, options(nomem, nostack)) };
            n
        }
        #[cfg(target_pointer_width = "32")]
        loop {
            let (hi, lo, hi2): (u32, u32, u32);
            // SAFETY: reads counter CSRs; no side effect.
            unsafe {
                core::arch::asm!("csrr {0}, minstreth", "csrr {1}, minstret", "csrr {2}, minstreth",
                    out(reg) hi, out(reg) lo, out(reg) hi2, options(nomem, nostack))
            };
            if hi == hi2 {
                return u64::from(hi) << 32 | u64::from(lo);
            }
        }
    }

    /// Tickless idle (see `bluegen_port::idle_sleep`), with `mstatus.MIE`
    /// clear: WFI still wakes on a pending enabled interrupt, which is
    /// taken once the kernel unmasks. `mtimecmp` holds the next tick
    /// boundary; moving it `ticks - 1` periods on skips the ticks between,
    /// and its interrupt's `rearm` goes on from there without drift.
    pub fn idle_sleep(ticks: u32) -> u32 {
        let next = read(MTIMECMP);
        let skip = u64::from(ticks.saturating_sub(1));
        if skip > 0 {
            set_compare(next + skip * PERIOD);
        }
        <super::RiscV as bluegen_port::Arch>::wait();
        if skip == 0 {
            return 0;
        }
        let now = read(MTIME);
        if now >= next + skip * PERIOD {
            // The interrupt is pending: it counts the last tick.
            return ticks - 1;
        }
        // Woken early: the tick boundaries passed so far, then interrupt
        // again on the next one.
        let passed = if now >= next { (now - next) / PERIOD + 1 } else { 0 };
        set_compare(next + passed * PERIOD);
        passed as u32
    }

    /// The next tick one period after the last (no drift).
    pub fn rearm() {
        set_compare(read(MTIMECMP) + PERIOD);
    }
}
