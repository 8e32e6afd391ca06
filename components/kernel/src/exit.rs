//! Ending the run: the image's exit hook, with 0 for success.


/// Ends the run with `code`: 0 is success, anything else is failure.
///
/// On QEMU boards the code becomes QEMU's exit status, on Arm (semihosting
/// `SYS_EXIT_EXTENDED`) and RISC-V (the SiFive test device) alike: its low
/// 8 bits, and 1 for a failure whose low 8 bits are 0. On hardware the
/// core halts.
#[inline]
pub fn exit(code: i32) -> ! {
    bluegen_port::exit(code)
}
