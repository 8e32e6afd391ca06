//! Rust bindings of the C TMP105 driver (`drivers/tmp105/tmp105.h`).
//!
//! The driver crate of the C code: the one place that calls it, so that
//! the app stays free of `unsafe`. The image links the C driver's archive
//! (device.toml's `[drivers.tmp105]`), which defines `tmp105_read`.

#![no_std]

use core::ffi::c_int;

unsafe extern "C" {
    /// `int tmp105_read(int32_t *millicelsius)` of tmp105.h.
    fn tmp105_read(millicelsius: *mut i32) -> c_int;
}

/// The sensor did not answer: the driver's negative error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoAnswer(pub i32);

/// The temperature, in thousandths of a degree Celsius.
pub fn read_millicelsius() -> Result<i32, NoAnswer> {
    let mut milli = 0i32;
    // SAFETY: tmp105_read writes one int32_t through its pointer, here a
    // live local, and keeps no reference to it; it serialises the bus
    // with a kernel mutex, so any thread may call it.
    let r = unsafe { tmp105_read(&mut milli) };
    if r == 0 { Ok(milli) } else { Err(NoAnswer(r)) }
}
