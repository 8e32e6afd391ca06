//! Reads the temperature from a TMP105 on the I2C bus device.toml's
//! `[drivers.sensors]` gives, with the `lm75` crate, three times a second
//! apart, and prints each reading to a thousandth of a degree Celsius
//! (without `core::fmt`).
#![no_std]
#![forbid(unsafe_code)]

use bluegen_i2c_sbcon::I2c;
use bluegen_kernel::{Duration, console, exit, sleep};
use lm75::{Address, Lm75};

pub fn main() {
    let i2c = I2c::new(bluegen_config::drivers::SENSORS);
    let mut sensor = Lm75::new(i2c, Address::default());
    for reading in 0..3 {
        if reading > 0 {
            sleep(Duration::from_secs(1));
        }
        match sensor.read_temperature() {
            Ok(celsius) => print_milli((celsius * 1000.0) as i32),
            Err(_) => {
                console::write_str("the sensor did not answer\n");
                exit(1);
            }
        }
    }
    exit(0);
}

/// "temperature: -12.500 C".
fn print_milli(milli: i32) {
    console::write_str("temperature: ");
    if milli < 0 {
        console::write_str("-");
    }
    let milli = milli.unsigned_abs();
    console::write_u32(milli / 1000);
    console::write_str(".");
    let frac = milli % 1000;
    if frac < 100 {
        console::write_str("0");
    }
    if frac < 10 {
        console::write_str("0");
    }
    console::write_u32(frac);
    console::write_str(" C\n");
}
