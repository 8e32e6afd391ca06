//! Ending the run: the image's exit hook, with 0 for success.


/// Ends the run with `code`: 0 is success, anything else is failure.
///
/// On QEMU boards the code becomes QEMU's exit status, on Arm (semihosting
/// `SYS_EXIT_EXTENDED`) and RISC-V (the SiFive test device) alike: its low
/// 8 bits, and 1 for a failure whose low 8 bits are 0. On hardware the
/// core halts.
// Always inlined: a call of the image's hook is smaller than a call of a
// wrapper (LLVM's size heuristic kept one, 12 bytes, in every image).
#[inline(always)]
pub fn exit(code: i32) -> ! {
    bluegen_port::exit(code)
}
