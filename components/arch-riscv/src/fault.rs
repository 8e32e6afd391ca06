//! Fault report: cause, PC and address of a trap, then the run fails.
//!
//! Prints `mcause`, `mepc` and `mtval` on the console.

/// Writes `label` (which ends in `0x`), then `value` as lowercase hex
/// digits, two per byte of `usize`, computed rather than looked up: no
/// digit table, no template.
fn hex(label: &[u8], value: usize) {
    bluegen_port::console_write(label);
    let mut digits = [0u8; 2 * core::mem::size_of::<usize>()];
    let mut rest = value;
    for d in digits.iter_mut().rev() {
        // A nibble is below 16, so the cast is exact and the sum a digit.
        let nibble = (rest & 0xF) as u8;
        *d = nibble + if nibble < 10 { b'0' } else { b'a' - 10 };
        rest >>= 4;
    }
    bluegen_port::console_write(&digits);
}

/// The name of an exception cause.
fn cause_name(mcause: usize) -> &'static str {
    match mcause {
        0 => "instruction address misaligned",
        1 => "instruction access fault",
        2 => "illegal instruction",
        3 => "breakpoint",
        4 => "load address misaligned",
        5 => "load access fault",
        6 => "store address misaligned",
        7 => "store access fault",
        _ => "exception",
    }
}

/// Prints `fault: <cause> (mcause=…) at pc=0x… addr=0x…` and fails the run.
pub fn report() -> ! {
    let (mcause, mepc, mtval): (usize, usize, usize);
    // SAFETY: reads three machine-mode CSRs; no side effect.
    unsafe {
        core::arch::asm!("csrr {0}, mcause", "csrr {1}, mepc", "csrr {2}, mtval",
            out(reg) mcause, out(reg) mepc, out(reg) mtval, options(nomem, nostack));
    }
    bluegen_port::console_write(b"\nfault: ");
    bluegen_port::console_write(cause_name(mcause).as_bytes());
    hex(b" (mcause=0x", mcause);
    hex(b") at pc=0x", mepc);
    hex(b" addr=0x", mtval);
    bluegen_port::console_write(b"\n");
    bluegen_port::exit(1)
}
