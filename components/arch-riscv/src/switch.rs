//! The context switch (a call when voluntary, a trap when preempted) and the port contract.
//!
//! What a thread leaves on its stack when it stops running is a resume
//! record: slot 0 is where it resumes, slots 1–12 hold s0–s11, slot 13 ra.
//! `__bluegen_resume` pops the record at the stack pointer the kernel picked
//! (s0–s11, ra, the voluntary part's size), sets `mstatus.MIE` and jumps to
//! the resume address. So each kind of record carries its own way back, a
//! thread resumes correctly whichever kind of switch brings it back, and the
//! common path tests no tag:
//!
//! * a voluntary switch (`pend_switch`: yield, block, exit) calls
//!   `__bluegen_yield` with its return address in t0. The `asm!` gives up
//!   every caller-saved register but ra, so the yield saves only what the
//!   calling convention makes a callee keep: the return address (as the
//!   resume address), s0–s11 and ra; 64 bytes on RV32, 112 on RV64. A
//!   critical section that ends with a switch (`unlock_switch`: a give that
//!   wakes a higher thread, a take that blocks) enters it at `12(gp)`, past
//!   its mask and test, with interrupts still masked by the section;
//! * the trap vector (the machine timer; any other trap is a fault) saves
//!   every register Rust may use: a voluntary part whose resume address is
//!   `__bluegen_resume_full`, then `mepc`, t0–t6 and a0–a7, which that code
//!   restores before `mret` (128 bytes on RV32, 240 on RV64);
//! * with the F extension (RV64GC), FP registers are saved lazily: while
//!   `mstatus.FS` reads Initial the thread has no FP state and nothing more
//!   is saved; once it reads Dirty (the only state past Initial here: the
//!   hardware sets only Dirty, nothing sets Clean; one test of the sign bit,
//!   `mstatus.SD`), the yield pushes fs0–fs11 and
//!   fcsr (a 224-byte record on RV64) and the trap f0–f31 and fcsr (384
//!   bytes more), each record resuming at code that reloads them, and FS
//!   goes back to Initial.
//!
//! * with isolation (see `crate::isolation`), bit 0 of a full record's
//!   `mepc` slot is the privilege it resumes in (1: U-mode), which
//!   `__bluegen_resume_full` `mret`s to; the vector checks a U-mode
//!   thread's sp against its own region before saving there, and runs the
//!   Rust side on the boot stack. Voluntary records resume in M-mode (only
//!   kernel code yields).
//!
//! Every record is written without a gap below its top padding, so a record
//! that runs past the bottom of a stack writes a word of the red zone the
//! kernel checks on the same switch (see `bluegen_port::stack`).
//!
//! Interrupts are masked from the yield's first instruction to the resume's
//! `csrsi`; an interrupt just before or after (the window is a jump) saves a
//! full record of the state at that point and comes back to it, so the
//! timer arriving during a voluntary switch is taken right after it.

core::arch::global_asm!(concat!(
    fp!(arch),
    "
    /* Linker relaxation in these sections only: rust-lld then turns each
       `call` in range into one `jal`. */
    .option push
    .option relax
    /* The voluntary switch, called by pend_switch with the return address
       in t0 and interrupts on, every caller-saved register but ra given
       up: masks, pushes the resume address, s0-s11 and ra, and switches. */
    .section .text.__bluegen_yield, \"ax\", @progbits
    .p2align 1
    .global __bluegen_yield
__bluegen_yield:
    /* Fixed size (12 bytes, no compressed forms): the masked entry
       below is at 12(gp). */
    .option push
    .option norvc\n",
    fp!(yield),
    ".option pop
    /* The masked entry, for a critical section that ends with a switch
       (`unlock_switch`): MIE already clear, t0 the return address (and
       with the F extension t1 mstatus now). The image's linker script
       asserts that it is at 12(gp). */
    .global __bluegen_yield_masked
__bluegen_yield_masked:\n",
    fp!(yield_dirty),
    "addi sp, sp, -", frame!(vol), "*", xlen!(bytes), "\n",
    slot!(store, "t0", "0"),
    saved_regs!(store),
    slot!(store, "ra", at!(ra)),
    ".Lbluegen_yield_switch:
    mv a0, sp
    call __bluegen_switch
    /* Resumes the record at a0 (MIE clear): s0-s11 and ra, loaded from
       a0 while sp still points below the old record (nothing pushes with
       MIE clear), sp past the voluntary part, interrupts on, then its
       resume address: a voluntary one goes back to pend_switch, a full
       one to __bluegen_resume_full. An interrupt before the jump saves a
       full record above which nothing is left to pop, and comes back to
       the jump. */
    .global __bluegen_resume
__bluegen_resume:\n",
    slot!(load, "t0", "0", "a0"),
    saved_regs!(load, "a0"),
    slot!(load, "ra", at!(ra), "a0"),
    "addi sp, a0, ", frame!(vol), "*", xlen!(bytes), "
    csrsi mstatus, 8
    jr t0

    /* The yield with interrupts masked (inside a critical section, or a
       trap): only pends the machine software interrupt (hart 0's msip),
       which switches like a preemption once MIE is set again, and
       returns at once with MIE as it was. */
.Lbluegen_yield_pend:
    li t1, {msip}
    li t2, 1
    sw t2, 0(t1)
    jr t0\n",
    fp!(yield_fp),
    fp!(resume_fpf),
    "

    /* The rest of a full record, at sp: masks again, then mepc and the
       other caller-saved registers, and mret with MIE back on. */
    .section .text.__bluegen_resume_full, \"ax\", @progbits
    .p2align 1
    .global __bluegen_resume_full
__bluegen_resume_full:
    csrci mstatus, 8\n",
    upper!(load, "t0", at!(mepc)),
    "csrw mepc, t0
    /* mret returns to machine mode (MPP = 3), or with isolation to the
       mode bit 0 of the slot says, interrupts on (MPIE). */\n",
    iso!(mret),
    upper!(load, "t0", at!(t0)),
    temp_regs!(upper, load),
    "addi sp, sp, (", frame!(full), "-", frame!(vol), ")*", xlen!(bytes), "
    mret

    /* The trap: a full record, then the Rust side with its stack pointer
       and mcause; resumes the record of the stack pointer returned. */
    .section .text.__bluegen_switch_trap_vector, \"ax\", @progbits
    .p2align 2
    .global __bluegen_switch_trap_vector
__bluegen_switch_trap_vector:\n",
    iso!(entry, iso_record!()),
    "addi sp, sp, -", frame!(full), "*", xlen!(bytes), "\n",
    saved_regs!(store),
    slot!(store, "ra", at!(ra)),
    slot!(store, "t0", at!(t0)),
    temp_regs!(slot, store),
    frame!(pad),
    iso!(mepc),
    slot!(store, "t0", at!(mepc)),
    "la t0, __bluegen_resume_full\n",
    slot!(store, "t0", "0"),
    fp!(trap),
    "mv a0, sp\n",
    irq_stack!(),
    iso!(stack),
    "csrr a1, mcause
    call __bluegen_trap_switch
    j __bluegen_resume\n",
    iso!(bad_sp),
    "

    /* A new thread's first record resumes here: s0 holds its entry. */
    .section .text.__bluegen_thread_entry, \"ax\", @progbits
    .p2align 1
__bluegen_thread_entry:
    mv a0, s0
    j {start}
    .option pop\n",
    fp!(arch_end)),
    start = sym thread_start,
    msip = const bluegen_config::CLINT_BASE,
);

unsafe extern "C" {
    /// Where a new thread's first record resumes (above).
    safe fn __bluegen_thread_entry();
}

/// Words of a new thread's first record (a voluntary one: resume address,
/// s0–s11, ra, padding to 16 bytes).
#[cfg(target_pointer_width = "32")]
const FRAME_SLOTS: usize = 16;
#[cfg(target_pointer_width = "64")]
const FRAME_SLOTS: usize = 14;
/// The slot of the resume address, and of s0.
const RESUME: usize = 0;
const S0: usize = 1;

/// `$asm` with every caller-saved register but ra as a clobber (the C
/// ABI's, as `clobber_abi("C")`, which would clobber ra too): t0–t6,
/// a0–a7 and, with the F extension, ft0–ft11 and fa0–fa7.
macro_rules! caller_saved {
    (core::arch::asm!($($t:literal),*)) => {
        caller_saved!(@ [$($t),*] out("t1") _)
    };
    // With t1 an input (given up too).
    (t1 = $t1:expr; core::arch::asm!($($t:tt)*)) => {
        caller_saved!(@ [$($t)*] inout("t1") $t1 => _)
    };
    (@ [$($t:tt)*] $($t1:tt)*) => {
        core::arch::asm!($($t)*, $($t1)*,
            out("t0") _, out("t2") _, out("t3") _, out("t4") _, out("t5") _, out("t6") _,
            out("a0") _, out("a1") _, out("a2") _, out("a3") _, out("a4") _, out("a5") _, out("a6") _, out("a7") _,
            #[cfg(bluegen_fpu)] out("ft0") _, #[cfg(bluegen_fpu)] out("ft1") _,
            #[cfg(bluegen_fpu)] out("ft2") _, #[cfg(bluegen_fpu)] out("ft3") _,
            #[cfg(bluegen_fpu)] out("ft4") _, #[cfg(bluegen_fpu)] out("ft5") _,
            #[cfg(bluegen_fpu)] out("ft6") _, #[cfg(bluegen_fpu)] out("ft7") _,
            #[cfg(bluegen_fpu)] out("ft8") _, #[cfg(bluegen_fpu)] out("ft9") _,
            #[cfg(bluegen_fpu)] out("ft10") _, #[cfg(bluegen_fpu)] out("ft11") _,
            #[cfg(bluegen_fpu)] out("fa0") _, #[cfg(bluegen_fpu)] out("fa1") _,
            #[cfg(bluegen_fpu)] out("fa2") _, #[cfg(bluegen_fpu)] out("fa3") _,
            #[cfg(bluegen_fpu)] out("fa4") _, #[cfg(bluegen_fpu)] out("fa5") _,
            #[cfg(bluegen_fpu)] out("fa6") _, #[cfg(bluegen_fpu)] out("fa7") _,
        )
    };
}

/// The trap, past the register save: a pended switch for the machine
/// software interrupt, the tick for the machine timer, a fault otherwise
/// (`ecall` included: no switch uses it).
#[unsafe(no_mangle)]
extern "C" fn __bluegen_trap_switch(sp: usize, mcause: usize) -> usize {
    #[cfg(feature = "interrupts")]
    if let Some(next) = crate::irq::trap(sp, mcause) {
        return next;
    }
    if mcause == soft::MACHINE_SOFTWARE {
        soft::clear();
        // SAFETY: the switch a `pend_switch` inside a critical section
        // pended, taken now that interrupts are on again: a trap (MIE
        // clear), for the `sp` the vector saved, and the vector resumes the
        // record of the stack pointer returned.
        return unsafe { bluegen_port::kernel::switch(sp) };
    }
    #[cfg(feature = "tick")]
    if mcause == tick::MACHINE_TIMER {
        tick::rearm();
        // SAFETY: this is the machine timer interrupt, once per tick
        // period, with MIE clear (a trap), and it switches when told to; the
        // switch runs inside the same trap, for the `sp` the vector saved,
        // and the vector resumes the record of the stack pointer returned.
        return unsafe { if bluegen_port::kernel::tick() { bluegen_port::kernel::switch(sp) } else { sp } };
    }
    #[cfg(feature = "isolation")]
    if let Some(next) = crate::isolation::trap(sp, mcause) {
        return next;
    }
    let _ = (sp, mcause);
    fault()
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
    // An unprivileged thread drops its privilege here.
    #[cfg(feature = "isolation")]
    bluegen_port::kernel::thread_enter();
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

    /// A voluntary record that resumes at `__bluegen_thread_entry` with the
    /// entry in s0; every other slot 0.
    #[inline(always)]
    fn frame_slot(entry: fn(), slot: usize) -> usize {
        match slot {
            RESUME => __bluegen_thread_entry as *const () as usize,
            S0 => entry as usize,
            _ => 0,
        }
    }

    /// Starts the scheduler: the first voluntary switch saves the boot
    /// context (never resumed: no thread's) and switches to the first thread.
    #[inline(always)]
    unsafe fn start() -> ! {
        #[cfg(feature = "tick")]
        tick::start();
        soft::start();
        // Boot runs with MIE clear, where a yield only pends the switch: so
        // pend it and unmask. The software interrupt's trap saves a record
        // the kernel does not keep (no thread runs yet) and resumes the
        // first thread; this stack is abandoned.
        soft::pend();
        // SAFETY: sets mstatus.MIE: the kernel's state is ready (the frames
        // are laid out), and the first interrupt switches to a thread.
        unsafe { core::arch::asm!("csrsi mstatus, 8", options(nomem, nostack)) };
        crate::halt()
    }

    /// Calls `__bluegen_yield` (return address in t0, so that ra stays live
    /// and a caller needs no frame for it) through gp, which `_start` set to
    /// it: one instruction, whatever the distance. With interrupts on it switches
    /// now: saves the resume address, s0–s11 and ra and resumes the next
    /// thread's record; the yield masks interrupts and the resume sets MIE
    /// again. With interrupts masked (inside a critical section, or in a
    /// trap) it only pends the machine software interrupt, which switches
    /// like a preemption once MIE is set again, as PendSV does on Cortex-M:
    /// a thread never leaves the core inside a critical section, so a
    /// `CriticalSection` token is alive only while interrupts are masked.
    #[inline(always)]
    fn pend_switch() {
        // SAFETY: gp holds `__bluegen_yield` (set by `_start`, written by
        // nothing else), which keeps sp, ra and s0–s11 and returns here,
        // like a function, with MIE as it was: at once, with the software
        // interrupt pended, when MIE was clear; when this thread runs again
        // otherwise. The asm gives up every other register Rust uses.
        unsafe { caller_saved!(core::arch::asm!("jalr t0, 0(gp)")) };
    }

    /// Switches at once when the section began with MIE set: through
    /// the yield's masked entry (12(gp)), MIE still clear, so the unmask
    /// and the yield's mask and test are saved; with MIE clear it restores
    /// `state` and yields, which only pends the switch.
    #[inline(always)]
    unsafe fn unlock_switch(state: usize) {
        // SAFETY: with MIE set in `state` (the section began with
        // interrupts on, and only MIE differs between `state` and mstatus:
        // `lock` cleared just MIE) the masked entry is `__bluegen_yield`
        // after its mask, entered as the yield would enter it, and the
        // resume sets MIE; otherwise `unlock` then the call `pend_switch`
        // makes. Either way the yield keeps sp, ra and s0–s11 and returns
        // here; the asm gives up every other register Rust uses.
        unsafe {
            caller_saved!(t1 = state; core::arch::asm!(
                "andi t2, t1, 8",
                "beqz t2, 1f",
                fp!(dirty_now),
                "jalr t0, 12(gp)",
                "j 2f",
                "1: csrs mstatus, t1",
                "jalr t0, 0(gp)",
                "2:"
            ))
        };
    }

    /// Sleeps until an interrupt.
    fn wait() {
        // SAFETY: `wfi` only waits for an interrupt.
        unsafe { core::arch::asm!("wfi", options(nomem, nostack, preserves_flags)) };
    }

    /// Masks machine interrupts (`mstatus.MIE`); returns the previous
    /// `mstatus` whole (masking it to MIE would cost an instruction in
    /// every critical section).
    fn lock() -> usize {
        let mstatus: usize;
        // SAFETY: clears MIE and reads the old mstatus; touches no memory.
        unsafe { core::arch::asm!("csrrci {0}, mstatus, 8", out(reg) mstatus, options(nomem, nostack)) };
        mstatus
    }

    /// Sets again every `mstatus` bit `lock` found set: MIE if it was on.
    /// The others it can set are harmless: MPIE and MPP are written before
    /// every `mret` that reads them, FS only moves up (Initial, Clean,
    /// Dirty) but at a switch, where setting it again at most makes the
    /// next switch save FP registers, and the rest do not change at run
    /// time (the read-only ones ignore the write).
    unsafe fn unlock(state: usize) {
        // SAFETY: sets bits that were set in mstatus when `lock` read it
        // (see above: none but MIE changes what runs); touches no memory.
        unsafe { core::arch::asm!("csrs mstatus, {0}", in(reg) state, options(nomem, nostack)) };
    }

    /// Pends software interrupt `irq` (see `crate::irq::pend`).
    #[cfg(feature = "interrupts")]
    fn pend_irq(irq: u16) -> bool {
        crate::irq::pend(irq)
    }

    /// Enables a declared PLIC source or software interrupt (see
    /// `crate::irq::unmask`).
    #[cfg(feature = "interrupts")]
    fn enable_irq(irq: u16) -> bool {
        crate::irq::unmask(irq)
    }

    /// Disables a declared PLIC source or software interrupt (see
    /// `crate::irq::mask`).
    #[cfg(feature = "interrupts")]
    fn disable_irq(irq: u16) -> bool {
        crate::irq::mask(irq)
    }

    #[cfg(feature = "interrupts")]
    fn active_irq() -> Option<u16> {
        crate::irq::active()
    }

    #[cfg(feature = "tick")]
    fn counter(ticks: u32) -> u64 {
        tick::counter(ticks)
    }

    #[cfg(feature = "tick")]
    fn idle_sleep(ticks: u32) -> u32 {
        tick::idle_sleep(ticks)
    }

    #[cfg(feature = "isolation")]
    unsafe fn raise() -> bool {
        crate::isolation::raise()
    }

    #[cfg(feature = "isolation")]
    unsafe fn lower() {
        crate::isolation::lower()
    }

    #[cfg(feature = "isolation")]
    unsafe fn protect(regions: &'static [bluegen_port::Region]) {
        crate::isolation::protect(regions)
    }

    // RISC-V has no stack limit register: the default `stack_limit` does
    // nothing; the kernel's red zone check covers the stacks.
}

/// The machine software interrupt (CLINT `msip` of hart 0): the switch a
/// `pend_switch` with interrupts masked leaves pending (the yield's
/// `.Lbluegen_yield_pend` writes 1 to it).
mod soft {
    /// `mcause` of the machine software interrupt.
    pub const MACHINE_SOFTWARE: usize = 1 << (usize::BITS - 1) | 3;
    const MSIP: usize = bluegen_config::CLINT_BASE as usize;

    /// Pends it, to start the first thread.
    pub fn pend() {
        // SAFETY: hart 0's msip register of the board's CLINT; writing 1
        // only pends the machine software interrupt.
        unsafe { (MSIP as *mut u32).write_volatile(1) };
    }

    /// Clears it, in its trap.
    #[inline(always)]
    pub fn clear() {
        // SAFETY: hart 0's msip register of the board's CLINT; writing 0
        // only clears the pending machine software interrupt.
        unsafe { (MSIP as *mut u32).write_volatile(0) };
    }

    /// Enables it (mie.MSIE); it is taken only once threads run with MIE.
    pub fn start() {
        // SAFETY: sets mie.MSIE; no memory.
        unsafe { core::arch::asm!("csrs mie, {0}", in(reg) 1usize << 3, options(nomem, nostack)) };
    }
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
