//! Ending the run: the image's exit hook, with 0 for success.

use crate::port;

/// Ends the run with `code`: 0 is success, anything else is failure.
///
/// On QEMU boards the code becomes QEMU's exit status (semihosting can only
/// tell success from failure, so any failure is status 1 there); on hardware
/// the core halts.
#[inline]
pub fn exit(code: i32) -> ! {
    port::__bluegen_exit(code)
}
