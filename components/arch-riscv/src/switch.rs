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
//!   resume address), s0–s11 and ra; 64 bytes on RV32, 112 on RV64;
//! * the trap vector (the machine timer; any other trap is a fault) saves
//!   every register Rust may use: a voluntary part whose resume address is
//!   `__bluegen_resume_full`, then `mepc`, t0–t6 and a0–a7, which that code
//!   restores before `mret` (128 bytes on RV32, 240 on RV64);
//! * with the F extension (RV64GC), FP registers are saved lazily: while
//!   `mstatus.FS` reads Initial the thread has no FP state and nothing more
//!   is saved; once it reads Clean or Dirty, the yield pushes fs0–fs11 and
//!   fcsr (a 224-byte record on RV64) and the trap f0–f31 and fcsr (384
//!   bytes more), each record resuming at code that reloads them, and FS
//!   goes back to Initial.
//!
//! Every record is written without a gap below its top padding, so a record
//! that runs past the bottom of a stack writes a word of the red zone the
//! kernel checks on the same switch (see `bluegen_port::stack`).
//!
//! Interrupts are masked from the yield's first instruction to the resume's
//! `csrsi`; an interrupt just before or after (the window is a jump) saves a
//! full record of the state at that point and comes back to it, so the
//! timer arriving during a voluntary switch is taken right after it.

#[cfg(target_pointer_width = "32")]
macro_rules! xlen {
    (store) => { "sw" };
    (load) => { "lw" };
    (bytes) => { "4" };
    (fs_hi) => { "17" };
}

#[cfg(target_pointer_width = "64")]
macro_rules! xlen {
    (store) => { "sd" };
    (load) => { "ld" };
    (bytes) => { "8" };
    (fs_hi) => { "49" };
}

/// Slots of a record, per XLEN: `vol` a voluntary record (resume address,
/// s0–s11, ra; padded to 16 bytes), `full` the trap's, which goes on past
/// the voluntary part with `mepc`, t0, then t1–t6 and a0–a7 from slot `t1`;
/// `pad` stores that fill the voluntary part's padding in a full record, so
/// that the trap writes its record without a gap (see the module docs).
#[cfg(target_pointer_width = "32")]
macro_rules! frame {
    (vol) => { "16" };
    (full) => { "32" };
    (pad) => { concat!(slot!(store, "a0", "14"), slot!(store, "a1", "15")) };
    (fpv) => { "32" };
    (fpf) => { "52" };
    (fpf_pad) => { concat!(slot!(store, "t0", "49"), slot!(store, "t0", "50"), slot!(store, "t0", "51")) };
}

#[cfg(target_pointer_width = "64")]
macro_rules! frame {
    (vol) => { "14" };
    (full) => { "30" };
    (pad) => { "" };
    (fpv) => { "28" };
    (fpf) => { "48" };
    (fpf_pad) => { slot!(store, "t0", "47") };
}

/// Slots every record has at the same place.
macro_rules! at {
    (ra) => { "13" };
    (mepc) => { concat!(frame!(vol), "+0") };
    (t0) => { concat!(frame!(vol), "+1") };
    (t1) => { concat!(frame!(vol), "+2") };
}

/// Stores or loads register `$r` at slot `$i` of the record at `sp`.
macro_rules! slot {
    ($op:tt, $r:literal, $i:expr) => {
        concat!(xlen!($op), " ", $r, ", (", $i, ")*", xlen!(bytes), "(sp)\n")
    };
}

/// The same, for `__bluegen_resume_full`, whose `sp` is already past the
/// voluntary part (`frame!(vol)` slots) of the record.
macro_rules! upper {
    ($op:tt, $r:literal, $i:expr) => {
        concat!(xlen!($op), " ", $r, ", (", $i, "-", frame!(vol), ")*", xlen!(bytes), "(sp)\n")
    };
}

/// s0–s11 at slots 1–12: every record has them there.
macro_rules! saved_regs {
    ($op:tt) => {
        concat!(
            slot!($op, "s0", "1"), slot!($op, "s1", "2"), slot!($op, "s2", "3"), slot!($op, "s3", "4"),
            slot!($op, "s4", "5"), slot!($op, "s5", "6"), slot!($op, "s6", "7"), slot!($op, "s7", "8"),
            slot!($op, "s8", "9"), slot!($op, "s9", "10"), slot!($op, "s10", "11"), slot!($op, "s11", "12"),
        )
    };
}

/// t1–t6 and a0–a7, the caller-saved registers after t0, from slot
/// `at!(t1)` on; `$m` is `slot` (from the record's start) or `upper`.
macro_rules! temp_regs {
    ($m:ident, $op:tt) => {
        concat!(
            $m!($op, "t1", concat!(at!(t1), "+0")), $m!($op, "t2", concat!(at!(t1), "+1")),
            $m!($op, "t3", concat!(at!(t1), "+2")), $m!($op, "t4", concat!(at!(t1), "+3")),
            $m!($op, "t5", concat!(at!(t1), "+4")), $m!($op, "t6", concat!(at!(t1), "+5")),
            $m!($op, "a0", concat!(at!(t1), "+6")), $m!($op, "a1", concat!(at!(t1), "+7")),
            $m!($op, "a2", concat!(at!(t1), "+8")), $m!($op, "a3", concat!(at!(t1), "+9")),
            $m!($op, "a4", concat!(at!(t1), "+10")), $m!($op, "a5", concat!(at!(t1), "+11")),
            $m!($op, "a6", concat!(at!(t1), "+12")), $m!($op, "a7", concat!(at!(t1), "+13")),
        )
    };
}

/// Floating point, with the F extension (FLEN = XLEN: F on RV32, D on
/// RV64): saved lazily. A thread that never wrote an FP register runs with
/// `mstatus.FS` = Initial, and its switches save none; once FS reads Clean
/// or Dirty the switch pushes an FP record on top of the integer one (fs0–fs11
/// and fcsr when voluntary, f0–f31 and fcsr when preempted) and sets FS back
/// to Initial, and the record's resume address restores the registers.
#[cfg(bluegen_fpu)]
macro_rules! fp {
    // The yield's mask, and the branch to the FP record when FS >= Clean.
    (yield) => { concat!("csrrci t1, mstatus, 8\nandi t2, t1, 8\nbeqz t2, .Lbluegen_yield_pend\nslli t1, t1, ", xlen!(fs_hi), "\nbltz t1, __bluegen_yield_fp\n") };
    // The voluntary FP record: the voluntary part (resume address
    // `__bluegen_resume_fpv`, s0-s11, ra), then the real resume address,
    // fs0-fs11, fcsr.
    (yield_fp) => { concat!(
        "__bluegen_yield_fp:
        addi sp, sp, -", frame!(fpv), "*", xlen!(bytes), "\n",
        saved_regs!(store), slot!(store, "ra", at!(ra)), frame!(pad),
        slot!(store, "t0", at!(mepc)),
        fp!(callee, slot, store),
        "frcsr t1\n", slot!(store, "t1", concat!(frame!(vol), "+13")),
        "la t1, __bluegen_resume_fpv\n", slot!(store, "t1", "0"),
        fp!(initial),
        "j .Lbluegen_yield_switch
        .p2align 1
__bluegen_resume_fpv:\n",
        fp!(callee, upper, load),
        upper!(load, "t0", concat!(frame!(vol), "+13")), "fscsr t0\n",
        upper!(load, "t0", at!(mepc)),
        "addi sp, sp, (", frame!(fpv), "-", frame!(vol), ")*", xlen!(bytes), "
        jr t0\n",
    ) };
    // In the trap vector, every register saved: the preempted FP record
    // (the voluntary part again, with resume address
    // `__bluegen_resume_fpf`, then f0-f31 and fcsr) when FS >= Clean.
    (trap) => { concat!(
        "csrr t0, mstatus
        slli t0, t0, ", xlen!(fs_hi), "
        bgez t0, .Lbluegen_trap_fp_done
        addi sp, sp, -", frame!(fpf), "*", xlen!(bytes), "\n",
        saved_regs!(store), slot!(store, "ra", at!(ra)), frame!(pad),
        fp!(all, slot, store),
        "frcsr t0\n", slot!(store, "t0", concat!(frame!(vol), "+32")), frame!(fpf_pad),
        "la t0, __bluegen_resume_fpf\n", slot!(store, "t0", "0"),
        fp!(initial),
        ".Lbluegen_trap_fp_done:\n",
    ) };
    (resume_fpf) => { concat!(
        ".p2align 1
__bluegen_resume_fpf:\n",
        fp!(all, upper, load),
        upper!(load, "t0", concat!(frame!(vol), "+32")), "fscsr t0\n",
        "addi sp, sp, (", frame!(fpf), "-", frame!(vol), ")*", xlen!(bytes), "
        j .Lbluegen_resume_sp\n",
    ) };
    (arch) => { fpop!(arch) };
    (arch_end) => { ".option pop\n" };
    // FS = Initial (from Clean or Dirty): the FP registers belong to no one.
    (initial) => { "lui t1, 4\ncsrc mstatus, t1\nlui t1, 2\ncsrs mstatus, t1\n" };
    (callee, $m:ident, $op:tt) => { concat!(
        fp!(@ $m, $op, "fs0", 1), fp!(@ $m, $op, "fs1", 2), fp!(@ $m, $op, "fs2", 3), fp!(@ $m, $op, "fs3", 4),
        fp!(@ $m, $op, "fs4", 5), fp!(@ $m, $op, "fs5", 6), fp!(@ $m, $op, "fs6", 7), fp!(@ $m, $op, "fs7", 8),
        fp!(@ $m, $op, "fs8", 9), fp!(@ $m, $op, "fs9", 10), fp!(@ $m, $op, "fs10", 11), fp!(@ $m, $op, "fs11", 12),
    ) };
    (all, $m:ident, $op:tt) => { concat!(
        fp!(@ $m, $op, "f0", 0), fp!(@ $m, $op, "f1", 1), fp!(@ $m, $op, "f2", 2), fp!(@ $m, $op, "f3", 3),
        fp!(@ $m, $op, "f4", 4), fp!(@ $m, $op, "f5", 5), fp!(@ $m, $op, "f6", 6), fp!(@ $m, $op, "f7", 7),
        fp!(@ $m, $op, "f8", 8), fp!(@ $m, $op, "f9", 9), fp!(@ $m, $op, "f10", 10), fp!(@ $m, $op, "f11", 11),
        fp!(@ $m, $op, "f12", 12), fp!(@ $m, $op, "f13", 13), fp!(@ $m, $op, "f14", 14), fp!(@ $m, $op, "f15", 15),
        fp!(@ $m, $op, "f16", 16), fp!(@ $m, $op, "f17", 17), fp!(@ $m, $op, "f18", 18), fp!(@ $m, $op, "f19", 19),
        fp!(@ $m, $op, "f20", 20), fp!(@ $m, $op, "f21", 21), fp!(@ $m, $op, "f22", 22), fp!(@ $m, $op, "f23", 23),
        fp!(@ $m, $op, "f24", 24), fp!(@ $m, $op, "f25", 25), fp!(@ $m, $op, "f26", 26), fp!(@ $m, $op, "f27", 27),
        fp!(@ $m, $op, "f28", 28), fp!(@ $m, $op, "f29", 29), fp!(@ $m, $op, "f30", 30), fp!(@ $m, $op, "f31", 31),
    ) };
    // FP register `$r` at slot `$i` of the record's upper part.
    (@ slot, $op:tt, $r:literal, $i:literal) => {
        concat!(fp!(@op $op), " ", $r, ", (", frame!(vol), "+", $i, ")*", xlen!(bytes), "(sp)\n")
    };
    (@ upper, $op:tt, $r:literal, $i:literal) => {
        concat!(fp!(@op $op), " ", $r, ", ", $i, "*", xlen!(bytes), "(sp)\n")
    };
    (@op store) => { fpop!(store) };
    (@op load) => { fpop!(load) };
}

/// The FP load and store mnemonics (FLEN = XLEN).
/// (`arch` lets the assembler take them: rustc does not pass the
/// target's F and D to `global_asm!`.)
#[cfg(all(bluegen_fpu, bluegen_fpu_d))]
macro_rules! fpop {
    (store) => { "fsd" };
    (load) => { "fld" };
    (arch) => { ".option push\n.option arch, +f, +d\n" };
}

#[cfg(all(bluegen_fpu, not(bluegen_fpu_d)))]
macro_rules! fpop {
    (store) => { "fsw" };
    (load) => { "flw" };
    (arch) => { ".option push\n.option arch, +f\n" };
}

#[cfg(all(bluegen_fpu_d, target_pointer_width = "32"))]
compile_error!("the RISC-V switch saves FP registers in XLEN slots: D on RV32 (FLEN 64) is not supported");

/// Without the F extension: no FP state, the yield only masks.
#[cfg(not(bluegen_fpu))]
macro_rules! fp {
    (arch) => { "" };
    (arch_end) => { "" };
    (yield) => { "csrrci t1, mstatus, 8\nandi t1, t1, 8\nbeqz t1, .Lbluegen_yield_pend\n" };
    (yield_fp) => { "" };
    (trap) => { "" };
    (resume_fpf) => { "" };
}

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
__bluegen_yield:\n",
    fp!(yield),
    "addi sp, sp, -", frame!(vol), "*", xlen!(bytes), "\n",
    slot!(store, "t0", "0"),
    saved_regs!(store),
    slot!(store, "ra", at!(ra)),
    ".Lbluegen_yield_switch:
    mv a0, sp
    call __bluegen_switch
    /* Resumes the record at a0 (MIE clear): s0-s11 and ra, interrupts
       on, then its resume address: a voluntary one goes back to
       pend_switch, a full one to __bluegen_resume_full. An interrupt
       before the jump saves a full record above which nothing is left to
       pop, and comes back to the jump. */
    .global __bluegen_resume
__bluegen_resume:
    mv sp, a0
.Lbluegen_resume_sp:\n",
    slot!(load, "t0", "0"),
    saved_regs!(load),
    slot!(load, "ra", at!(ra)),
    "addi sp, sp, ", frame!(vol), "*", xlen!(bytes), "
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
__bluegen_resume_full:
    csrci mstatus, 8\n",
    upper!(load, "t0", at!(mepc)),
    "csrw mepc, t0
    /* mret returns to machine mode (MPP = 3), interrupts on (MPIE). */
    li t0, 0x1880
    csrs mstatus, t0\n",
    upper!(load, "t0", at!(t0)),
    temp_regs!(upper, load),
    "addi sp, sp, (", frame!(full), "-", frame!(vol), ")*", xlen!(bytes), "
    mret

    /* The trap: a full record, then the Rust side with its stack pointer
       and mcause; resumes the record of the stack pointer returned. */
    .section .text.__bluegen_switch_trap_vector, \"ax\", @progbits
    .p2align 2
    .global __bluegen_switch_trap_vector
__bluegen_switch_trap_vector:
    addi sp, sp, -", frame!(full), "*", xlen!(bytes), "\n",
    saved_regs!(store),
    slot!(store, "ra", at!(ra)),
    slot!(store, "t0", at!(t0)),
    temp_regs!(slot, store),
    frame!(pad),
    "csrr t0, mepc\n",
    slot!(store, "t0", at!(mepc)),
    "la t0, __bluegen_resume_full\n",
    slot!(store, "t0", "0"),
    fp!(trap),
    "mv a0, sp
    csrr a1, mcause
    call __bluegen_trap_switch
    j __bluegen_resume

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
        core::arch::asm!($($t),*,
            out("t0") _, out("t1") _, out("t2") _, out("t3") _, out("t4") _, out("t5") _, out("t6") _,
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
    /// and a caller needs no frame for it). With interrupts on it switches
    /// now: saves the resume address, s0–s11 and ra and resumes the next
    /// thread's record; the yield masks interrupts and the resume sets MIE
    /// again. With interrupts masked (inside a critical section, or in a
    /// trap) it only pends the machine software interrupt, which switches
    /// like a preemption once MIE is set again, as PendSV does on Cortex-M:
    /// a thread never leaves the core inside a critical section, so a
    /// `CriticalSection` token is alive only while interrupts are masked.
    #[inline(always)]
    fn pend_switch() {
        // SAFETY: `__bluegen_yield` keeps sp, ra and s0–s11 and returns
        // here, like a function, with MIE as it was: at once, with the
        // software interrupt pended, when MIE was clear; when this thread
        // runs again otherwise. The asm gives up every other register Rust
        // uses.
        unsafe { caller_saved!(core::arch::asm!("call t0, __bluegen_yield")) };
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
