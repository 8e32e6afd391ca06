//! The resume records' layout as assembler text: slots, register lists and the FP and interrupt-stack variants the switch's `global_asm!` is built from.
//!
//! Macros only (`#[macro_use]` in lib.rs, before `switch`): each expands to
//! a string literal, so the switch's assembly is one `concat!` per XLEN and
//! FP configuration. The record layout itself is described in `switch`.

#[cfg(target_pointer_width = "32")]
macro_rules! xlen {
    (store) => { "sw" };
    (load) => { "lw" };
    (bytes) => { "4" };
    // Shift counts for isolation: bit 12 (mstatus.MPP's high bit) to the
    // sign bit, and the sign bit to bit 0.
    (mpp_shift) => { "19" };
    (sign) => { "31" };
}

#[cfg(target_pointer_width = "64")]
macro_rules! xlen {
    (store) => { "sd" };
    (load) => { "ld" };
    (bytes) => { "8" };
    (mpp_shift) => { "51" };
    (sign) => { "63" };
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

/// Stores or loads register `$r` at slot `$i` of the record at `sp` (or
/// at register `$base`).
macro_rules! slot {
    ($op:tt, $r:literal, $i:expr) => {
        slot!($op, $r, $i, "sp")
    };
    ($op:tt, $r:literal, $i:expr, $base:literal) => {
        concat!(xlen!($op), " ", $r, ", (", $i, ")*", xlen!(bytes), "(", $base, ")\n")
    };
}

/// The same, for `__bluegen_resume_full`, whose `sp` is already past the
/// voluntary part (`frame!(vol)` slots) of the record.
macro_rules! upper {
    ($op:tt, $r:literal, $i:expr) => {
        concat!(xlen!($op), " ", $r, ", (", $i, "-", frame!(vol), ")*", xlen!(bytes), "(sp)\n")
    };
}

/// s0–s11 at slots 1–12 of the record at `sp` (or `$b`): every record
/// has them there.
macro_rules! saved_regs {
    ($op:tt) => {
        saved_regs!($op, "sp")
    };
    ($op:tt, $b:literal) => {
        concat!(
            slot!($op, "s0", "1", $b), slot!($op, "s1", "2", $b), slot!($op, "s2", "3", $b), slot!($op, "s3", "4", $b),
            slot!($op, "s4", "5", $b), slot!($op, "s5", "6", $b), slot!($op, "s6", "7", $b), slot!($op, "s7", "8", $b),
            slot!($op, "s8", "9", $b), slot!($op, "s9", "10", $b), slot!($op, "s10", "11", $b), slot!($op, "s11", "12", $b),
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
/// `mstatus.FS` = Initial, and its switches save none; once FS reads Dirty
/// (`mstatus.SD`) the switch pushes an FP record on top of the integer one (fs0–fs11
/// and fcsr when voluntary, f0–f31 and fcsr when preempted) and sets FS back
/// to Initial, and the record's resume address restores the registers.
#[cfg(bluegen_fpu)]
macro_rules! fp {
    // The yield's mask, and the branch to the FP record when FS >= Clean.
    // FS >= Clean is FS = Dirty (nothing here sets Clean, the hardware
    // sets only Dirty; `unlock` sets again bits that were set), which
    // mstatus.SD, the sign bit, summarises (XS and VS stay Off).
    (yield) => { "csrrci t1, mstatus, 8\nandi t2, t1, 8\nbeqz t2, .Lbluegen_yield_pend\n" };
    // Past the mask (the masked entry too), with t1 mstatus.
    (yield_dirty) => { "bltz t1, __bluegen_yield_fp\n" };
    // For the masked entry: mstatus now (FS may have turned Dirty inside
    // the critical section).
    (dirty_now) => { "csrr t1, mstatus" };
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
        "addi a0, sp, (", frame!(fpf), "-", frame!(vol), ")*", xlen!(bytes), "
        j __bluegen_resume\n",
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

/// With device interrupts, the trap's Rust side (and so every handler)
/// runs on the boot stack, as on Cortex-M, not on the interrupted thread's:
/// traps do not nest and the boot stack is free once the first thread runs.
/// A trap taken on the boot stack itself (before the first switch) stays
/// below its record there.
#[cfg(feature = "interrupts")]
macro_rules! irq_stack {
    () => { "la t0, _stack_bottom\nbgeu sp, t0, 1f\nla sp, _stack_top\n1:\n" };
}
#[cfg(not(feature = "interrupts"))]
macro_rules! irq_stack {
    () => { "" };
}

#[cfg(all(bluegen_fpu_d, target_pointer_width = "32"))]
compile_error!("the RISC-V switch saves FP registers in XLEN slots: D on RV32 (FLEN 64) is not supported");

/// Without the F extension: no FP state, the yield only masks.
#[cfg(not(bluegen_fpu))]
macro_rules! fp {
    (arch) => { "" };
    (arch_end) => { "" };
    (yield) => { "csrrci t1, mstatus, 8\nandi t1, t1, 8\nbeqz t1, .Lbluegen_yield_pend\n" };
    (yield_dirty) => { "" };
    (dirty_now) => { "" };
    (yield_fp) => { "" };
    (trap) => { "" };
    (resume_fpf) => { "" };
}

/// The vector's entry check, from U-mode only: mscratch keeps t0, then the
/// record (`$record` bytes below sp) must lie in `[start, end)` of the last
/// `protect`, sp 16-byte aligned; else `.Lbluegen_iso_bad_sp`. M-mode traps
/// (`mstatus.MPP` bit 12 set) branch past it.
#[cfg(feature = "isolation")]
macro_rules! iso {
    (entry, $record:expr) => { concat!(
        "csrw mscratch, t0
        csrr t0, mstatus
        slli t0, t0, ", xlen!(mpp_shift), "
        bltz t0, 1f
        la t0, __bluegen_iso_bounds\n",
        xlen!(store), " t1, 2*", xlen!(bytes), "(t0)\n",
        xlen!(load), " t1, 0(t0)
        addi t1, t1, ", $record, "\n",
        iso_fp_room!(),
        "bltu sp, t1, .Lbluegen_iso_bad_sp\n",
        xlen!(load), " t1, ", xlen!(bytes), "(t0)
        bgtu sp, t1, .Lbluegen_iso_bad_sp
        andi t1, sp, 15
        bnez t1, .Lbluegen_iso_bad_sp\n",
        xlen!(load), " t1, 2*", xlen!(bytes), "(t0)
1:      csrr t0, mscratch\n",
    ) };
    // mepc into t0, bit 0 set when the trap came from U-mode (t1 free).
    (mepc) => { concat!(
        "csrr t0, mstatus
        slli t0, t0, ", xlen!(mpp_shift), "
        srli t0, t0, ", xlen!(sign), "
        xori t0, t0, 1
        csrr t1, mepc
        or t0, t0, t1\n",
    ) };
    // Before mret, t0 the record's mepc slot (t1 free): MPIE, and MPP as
    // bit 0 says (U-mode when set, else M-mode).
    (mret) => {
        "li t1, 0x1880
        csrs mstatus, t1
        andi t0, t0, 1
        neg t0, t0
        li t1, 0x1800
        and t0, t0, t1
        csrc mstatus, t0\n"
    };
    // After the record, a0 = sp: from U-mode, the Rust side runs on the
    // boot stack (free once threads run), not below the record on the
    // thread's, where M-mode writes would be bound by no PMP entry.
    (stack) => { concat!(
        "csrr t0, mstatus
        slli t0, t0, ", xlen!(mpp_shift), "
        bltz t0, 1f
        la sp, _stack_top
1:\n",
    ) };
    // The record would not fit: the boot stack (free once threads run),
    // the thread's fault, the next thread.
    (bad_sp) => {
        ".Lbluegen_iso_bad_sp:
        csrw mscratch, sp
        la sp, _stack_top
        csrr a0, mscratch
        call __bluegen_iso_stack_fault
        j __bluegen_resume\n"
    };
}

/// Without isolation: the M-mode trap path only.
#[cfg(not(feature = "isolation"))]
macro_rules! iso {
    (entry, $record:expr) => { "" };
    (mepc) => { "csrr t0, mepc\n" };
    (mret) => { "li t0, 0x1880\ncsrs mstatus, t0\n" };
    (stack) => { "" };
    (bad_sp) => { "" };
}

/// Bytes of the integer record a trap writes.
#[cfg(feature = "isolation")]
macro_rules! iso_record {
    () => { concat!(frame!(full), "*", xlen!(bytes)) };
}
/// With the F extension, the FP record's bytes too when `mstatus.SD` (the
/// trap pushes it then); t0 the bounds again after.
#[cfg(all(feature = "isolation", bluegen_fpu))]
macro_rules! iso_fp_room {
    () => { concat!("csrr t0, mstatus\nbgez t0, 3f\naddi t1, t1, ", frame!(fpf), "*", xlen!(bytes), "\n3: la t0, __bluegen_iso_bounds\n") };
}
#[cfg(all(feature = "isolation", not(bluegen_fpu)))]
macro_rules! iso_fp_room {
    () => { "" };
}
