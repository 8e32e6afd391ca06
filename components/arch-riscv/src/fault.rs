//! Fault report: the trap cause, the faulting PC and address on the
//! console (`mcause`, `mepc`, `mtval`), then the run ends with a failure.

// SAFETY: the generated image defines both with `#[unsafe(no_mangle)]` and
// exactly these signatures; neither has preconditions.
unsafe extern "Rust" {
    safe fn __bluegen_console_write(bytes: &[u8]);
    safe fn __bluegen_exit(code: i32) -> !;
}

fn hex(label: &str, value: usize) {
    __bluegen_console_write(label.as_bytes());
    let mut digits = [b'0'; 2 + 2 * core::mem::size_of::<usize>()];
    digits[1] = b'x';
    let n = digits.len() - 2;
    for (i, d) in digits[2..].iter_mut().enumerate() {
        let nibble = (value >> (4 * (n - 1 - i))) & 0xF;
        *d = b"0123456789abcdef"[nibble];
    }
    __bluegen_console_write(&digits);
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
    __bluegen_console_write(b"\nfault: ");
    __bluegen_console_write(cause_name(mcause).as_bytes());
    hex(" (mcause=", mcause);
    hex(") at pc=", mepc);
    hex(" addr=", mtval);
    __bluegen_console_write(b"\n");
    __bluegen_exit(1)
}
