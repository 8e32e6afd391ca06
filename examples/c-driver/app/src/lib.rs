//! The Rust thread of example device `c-driver`: reads the C driver.
//!
//! `rust_reader` runs first (the higher priority), reads the TMP105
//! through the C driver's bindings and prints the reading to a thousandth
//! of a degree Celsius (without `core::fmt`); C's `main` reads after it.

#![no_std]
#![forbid(unsafe_code)]

use bluegen_kernel::console;

/// The `rust_reader` thread.
pub fn rust_reader() {
    match tmp105::read_millicelsius() {
        Ok(milli) => {
            console::write_str("rust thread: temperature ");
            if milli < 0 {
                console::write_str("-");
            }
            let milli = milli.unsigned_abs();
            console::write_u32(milli / 1000);
            console::write_str(".");
            let frac = milli % 1000;
            console::write_str(if frac < 10 { "00" } else if frac < 100 { "0" } else { "" });
            console::write_u32(frac);
            console::write_str(" C\n");
        }
        Err(_) => console::write_str("rust thread: the sensor does not answer\n"),
    }
}
