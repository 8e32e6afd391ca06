//! HardFault: names a thread whose stack overflowed, else reports the
//! cause, the faulting address and the faulting PC; the run fails.
//!
//! With threads, the kernel's stack check runs first, before anything
//! reads the exception frame: an overflow that ran off its stack leaves PSP
//! (and the frame the core tried to stack there) in memory that may not
//! exist, and reading it from HardFault would lock the core up. The check
//! looks only at the threads' red zones, whose addresses come from flash.
//!
//! The configurable faults (MemManage, BusFault, UsageFault) are not enabled,
//! so they escalate to HardFault; on ARMv7-M and ARMv8-M the Configurable
//! Fault Status Register still names the cause and, when valid, the address
//! (MMFAR / BFAR). ARMv6-M has neither, so there only the PC is known. With
//! `fault-report` off the run fails silently (after the stack check).

fault_entry!("__bluegen_hardfault", "__bluegen_hard_fault");

// SAFETY: the generated image defines the first two with
// `#[unsafe(no_mangle)]` and exactly these signatures, and the kernel
// defines `__bluegen_check_stacks` (with its `threads` feature, which turns
// on this crate's `context-switch`); none has preconditions.
unsafe extern "Rust" {
    #[cfg(feature = "fault-report")]
    safe fn __bluegen_console_write(bytes: &[u8]);
    safe fn __bluegen_exit(code: i32) -> !;
    #[cfg(feature = "context-switch")]
    safe fn __bluegen_check_stacks();
}

/// The HardFault handler past its assembly entry (and the UsageFault
/// handler's for faults other than a stack limit): the stack check, then
/// the report. `frame` is the exception frame.
#[unsafe(no_mangle)]
pub(crate) extern "C" fn __bluegen_hard_fault(frame: *const u32) -> ! {
    #[cfg(feature = "context-switch")]
    __bluegen_check_stacks();
    #[cfg(feature = "fault-report")]
    report(frame);
    #[cfg(not(feature = "fault-report"))]
    {
        let _ = frame;
        __bluegen_exit(1)
    }
}

#[cfg(feature = "fault-report")]
fn hex(label: &str, value: u32) {
    __bluegen_console_write(label.as_bytes());
    let mut digits = *b"0x00000000";
    for (i, d) in digits[2..].iter_mut().enumerate() {
        let nibble = (value >> (28 - 4 * i)) & 0xF;
        *d = b"0123456789abcdef"[nibble as usize];
    }
    __bluegen_console_write(&digits);
}

#[cfg(feature = "fault-report")]
fn read(addr: usize) -> u32 {
    // SAFETY: only called with System Control Block fault registers, which
    // every ARMv7-M/ARMv8-M core has; reading them has no side effect.
    unsafe { (addr as *const u32).read_volatile() }
}

/// Prints `fault: <cause> at pc=0x… addr=0x…` and ends the run with failure.
#[cfg(feature = "fault-report")]
fn report(frame: *const u32) -> ! {
    // SAFETY: `frame` is the exception frame the core stacked on entry to
    // HardFault (r0–r3, r12, lr, pc, xPSR); word 6 is the faulting PC.
    let pc = unsafe { frame.add(6).read_volatile() };
    let (cause, addr): (&str, Option<u32>) = if cfg!(target_has_atomic = "32") {
        let cfsr = read(0xE000_ED28);
        if cfsr & 0xFF00 != 0 {
            ("bus fault", (cfsr & 1 << 15 != 0).then(|| read(0xE000_ED38)))
        } else if cfsr & 0xFF != 0 {
            ("memory management fault", (cfsr & 1 << 7 != 0).then(|| read(0xE000_ED34)))
        } else if cfsr >> 16 != 0 {
            ("usage fault", None)
        } else {
            ("hard fault", None)
        }
    } else {
        ("hard fault", None)
    };
    __bluegen_console_write(b"\nfault: ");
    __bluegen_console_write(cause.as_bytes());
    hex(" at pc=", pc);
    if let Some(addr) = addr {
        hex(" addr=", addr);
    }
    __bluegen_console_write(b"\n");
    __bluegen_exit(1)
}
