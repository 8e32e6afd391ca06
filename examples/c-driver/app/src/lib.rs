//! The Rust thread of example device `c-driver`: reads the C driver.
//!
//! `rust_reader` runs first (the higher priority): it reads the TMP105
//! through the C driver's bindings, then once more over the C driver's
//! bus as an `embedded_hal::i2c::I2c` (the binding crate's `tmp105::Bus`),
//! with code that would take any embedded-hal bus, and prints both
//! readings to a thousandth of a degree Celsius (without `core::fmt`),
//! and that nothing answers at the next address; C's `main` reads after it.

#![no_std]
#![forbid(unsafe_code)]

use bluegen_kernel::console;
use embedded_hal::i2c::{Error as _, ErrorKind, I2c, NoAcknowledgeSource};

/// The sensor's 7-bit address (device.toml's TMP105_ADDRESS, QEMU's `address=0x48`).
const TMP105: u8 = 0x48;

/// The `rust_reader` thread.
pub fn rust_reader() {
    match tmp105::read_millicelsius() {
        Ok(milli) => print("rust thread: temperature ", milli),
        Err(_) => console::write_str("rust thread: the sensor does not answer\n"),
    }
    let mut bus = tmp105::Bus::new();
    match read_over(&mut bus, TMP105) {
        Ok(milli) => print("rust thread: over embedded-hal I2c: temperature ", milli),
        Err(_) => console::write_str("rust thread: over embedded-hal I2c: the sensor does not answer\n"),
    }
    // Nothing sits at the next address: the address is not acknowledged,
    // and the bus is given back (C's `main` reads after this).
    match read_over(&mut bus, TMP105 + 1) {
        Err(e) if e.kind() == ErrorKind::NoAcknowledge(NoAcknowledgeSource::Address) => console::write_str("rust thread: over embedded-hal I2c: nothing answers at 0x49\n"),
        _ => console::write_str("rust thread: over embedded-hal I2c: 0x49 answered\n"),
    }
}

/// The temperature register (pointer 0) of a TMP105 at `address` on any
/// embedded-hal bus, in m°C: two's complement, 1/256 °C a unit whatever
/// the resolution (the bits below it read 0).
fn read_over<B: I2c>(bus: &mut B, address: u8) -> Result<i32, B::Error> {
    let mut raw = [0u8; 2];
    bus.write_read(address, &[0], &mut raw)?;
    Ok(i32::from(i16::from_be_bytes(raw)) * 1000 / 256)
}

/// `<label><degrees>.<thousandths> C`, one line.
fn print(label: &str, milli: i32) {
    console::write_str(label);
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
