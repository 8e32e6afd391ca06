//! HardFault: a stack overflow named, or the fault reported; the run fails.
//!
//! Names a thread whose stack overflowed, else reports the cause, the
//! faulting address and the faulting PC.
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

/// The HardFault handler past its assembly entry (and the UsageFault
/// handler's for faults other than a stack limit): the stack check, then
/// the report. `frame` is the exception frame.
#[unsafe(no_mangle)]
pub(crate) extern "C" fn __bluegen_hard_fault(frame: *const u32) -> ! {
    #[cfg(feature = "context-switch")]
    bluegen_port::kernel::check_stacks();
    #[cfg(feature = "fault-report")]
    report(frame);
    #[cfg(not(feature = "fault-report"))]
    {
        let _ = frame;
        bluegen_port::exit(1)
    }
}

/// Writes `label` (which ends in `0x`), then `value` as 8 lowercase hex
/// digits, computed rather than looked up: no digit table, no template.
#[cfg(feature = "fault-report")]
fn hex(label: &[u8], value: u32) {
    bluegen_port::console_write(label);
    let mut digits = [0u8; 8];
    let mut rest = value;
    for d in digits.iter_mut().rev() {
        // A nibble is below 16, so the cast is exact and the sum a digit.
        let nibble = (rest & 0xF) as u8;
        *d = nibble + if nibble < 10 { b'0' } else { b'a' - 10 };
        rest >>= 4;
    }
    bluegen_port::console_write(&digits);
}

/// Configurable Fault Status Register, BusFault and MemManage Fault Address
/// Registers (ARMv7-M, ARMv8-M).
#[cfg(feature = "fault-report")]
const CFSR: usize = 0xE000_ED28;
#[cfg(feature = "fault-report")]
const BFAR: usize = 0xE000_ED38;
#[cfg(feature = "fault-report")]
const MMFAR: usize = 0xE000_ED34;

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
    // ARMv6-M (no 32-bit CAS, no CFSR): every fault is a hard fault.
    let cfsr = if cfg!(target_has_atomic = "32") { read(CFSR) } else { 0 };
    // The cause, and the register that holds the faulting address when the
    // cause's valid bit (BFARVALID, MMARVALID) is set.
    let (cause, addr): (&[u8], Option<usize>) = if cfsr & 0xFF00 != 0 {
        (b"bus fault", (cfsr & 1 << 15 != 0).then_some(BFAR))
    } else if cfsr & 0xFF != 0 {
        (b"memory management fault", (cfsr & 1 << 7 != 0).then_some(MMFAR))
    } else if cfsr >> 16 != 0 {
        (b"usage fault", None)
    } else {
        (b"hard fault", None)
    };
    bluegen_port::console_write(b"\nfault: ");
    bluegen_port::console_write(cause);
    hex(b" at pc=0x", pc);
    if let Some(register) = addr {
        hex(b" addr=0x", read(register));
    }
    bluegen_port::console_write(b"\n");
    bluegen_port::exit(1)
}
