//! Fault report: exception class, PC and address of a fault, then the run fails.
//!
//! Prints `ESR_EL1` (with its class named), `ELR_EL1` and `FAR_EL1` on the
//! console.

/// Writes `label` (which ends in `0x`), then `value` as lowercase hex
/// digits, computed rather than looked up: no digit table, no template.
fn hex(label: &[u8], value: u64) {
    bluegen_port::console_write(label);
    let mut digits = [0u8; 16];
    let mut rest = value;
    for d in digits.iter_mut().rev() {
        // A nibble is below 16, so the cast is exact and the sum a digit.
        let nibble = (rest & 0xF) as u8;
        *d = nibble + if nibble < 10 { b'0' } else { b'a' - 10 };
        rest >>= 4;
    }
    bluegen_port::console_write(&digits);
}

/// The name of an exception class (`ESR_EL1.EC`, bits 26-31).
fn class_name(ec: u64) -> &'static str {
    match ec {
        0x00 => "unknown instruction",
        0x07 => "FP/SIMD access trapped",
        0x0e => "illegal execution state",
        0x15 => "svc",
        0x18 => "system register access trapped",
        0x20 | 0x21 => "instruction abort",
        0x22 => "pc alignment fault",
        0x24 | 0x25 => "data abort",
        0x26 => "sp alignment fault",
        0x2f => "serror",
        0x3c => "brk",
        _ => "exception",
    }
}

/// Prints `fault: <class> (esr=0x…) at pc=0x… addr=0x…` and fails the run.
pub fn report() -> ! {
    let (esr, elr, far): (u64, u64, u64);
    // SAFETY: reads three EL1 system registers; no side effect.
    unsafe {
        core::arch::asm!("mrs {0}, esr_el1", "mrs {1}, elr_el1", "mrs {2}, far_el1",
            out(reg) esr, out(reg) elr, out(reg) far, options(nomem, nostack));
    }
    bluegen_port::console_write(b"\nfault: ");
    bluegen_port::console_write(class_name(esr >> 26 & 0x3f).as_bytes());
    hex(b" (esr=0x", esr);
    hex(b") at pc=0x", elr);
    hex(b" addr=0x", far);
    bluegen_port::console_write(b"\n");
    bluegen_port::exit(1)
}
