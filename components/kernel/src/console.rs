//! Console output: strings, bytes and numbers, without `core::fmt`.
//!
//! Writes go to the board's console through the image's
//! `__bluegen_console_write` (`bluegen_port::console_write`) and return when the driver has taken every
//! byte (polled, no buffering). With the `console` feature off every
//! function here still exists and does nothing, so app code needs no `cfg`:
//! the calls compile to nothing and the driver is not linked.

use crate::num;

/// Whether console output is on (the `console` feature, Kconfig `CONSOLE`).
pub const ENABLED: bool = cfg!(feature = "console");

/// Writes raw bytes.
// Always inlined, like `write_str`: a call costs more flash than the body.
#[inline(always)]
pub fn write_bytes(bytes: &[u8]) {
    if ENABLED {
        bluegen_port::console_write(bytes);
    }
}

/// Writes a string.
#[inline(always)]
pub fn write_str(s: &str) {
    write_bytes(s.as_bytes());
}

/// Writes `n` in decimal.
pub fn write_u32(n: u32) {
    if ENABLED {
        let mut buf = [0; num::DECIMAL_DIGITS];
        write_bytes(num::decimal(n, &mut buf));
    }
}

/// Writes `n` in decimal, with a `-` when negative.
pub fn write_i32(n: i32) {
    if ENABLED {
        if n < 0 {
            write_bytes(b"-");
        }
        write_u32(n.unsigned_abs());
    }
}

/// Writes `n` in hexadecimal with a `0x` prefix and no leading zeros.
pub fn write_hex(n: u32) {
    if ENABLED {
        let mut buf = [0; num::HEX_DIGITS];
        write_bytes(b"0x");
        write_bytes(num::hex(n, &mut buf));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bluegen_port::host::take_output;

    fn output_of(f: impl FnOnce()) -> std::string::String {
        take_output();
        f();
        std::string::String::from_utf8(take_output()).unwrap()
    }

    #[test]
    fn writes_numbers_and_text_when_enabled() {
        let out = output_of(|| {
            write_str("n=");
            write_u32(1024);
            write_str(" i=");
            write_i32(-42);
            write_str(" m=");
            write_i32(i32::MIN);
            write_str(" h=");
            write_hex(0x4000_4000);
            write_bytes(b"\n");
        });
        let expected = if ENABLED { "n=1024 i=-42 m=-2147483648 h=0x40004000\n" } else { "" };
        assert_eq!(out, expected);
    }

    #[test]
    fn enabled_follows_the_feature() {
        assert_eq!(ENABLED, cfg!(feature = "console"));
    }
}
