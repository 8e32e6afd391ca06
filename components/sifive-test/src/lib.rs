//! Ends a QEMU run with an exit status through the SiFive test device.
//!
//! QEMU's RISC-V `virt` machine has a "sifive_test" device (at 0x10_0000):
//! writing 0x5555 to it stops QEMU with status 0, writing
//! `(code << 16) | 0x3333` stops it with status `code`.

#![no_std]

/// Written for success.
const PASS: u32 = 0x5555;
/// Low half written for failure; the high half is the status.
const FAIL: u32 = 0x3333;

/// Ends the run with status `code` (0 is success) through the test device at
/// `base`. A process exit status has 8 bits, so failure codes keep their low
/// 8 bits; one whose low 8 bits are 0 becomes 1, so a failure never reads as
/// success.
///
/// # Safety
///
/// `base` must be the address of a SiFive test device (the image takes it
/// from its board description); a write anywhere else could corrupt memory.
pub unsafe fn exit(base: usize, code: i32) -> ! {
    let value = if code == 0 {
        PASS
    } else {
        // The low 8 bits of the code's bit pattern: what the host's exit
        // status keeps of QEMU's.
        let status = match code.cast_unsigned() & 0xff {
            0 => 1,
            s => s,
        };
        (status << 16) | FAIL
    };
    // SAFETY: the caller guarantees `base` is the test device; a 32-bit
    // write there stops the machine and touches no memory Rust owns.
    unsafe { core::ptr::write_volatile(base as *mut u32, value) };
    loop {
        core::hint::spin_loop();
    }
}
