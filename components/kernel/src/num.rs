//! Decimal and hexadecimal digits of integers, without `core::fmt`.
//!
//! `core::fmt` costs kilobytes of flash; these writers cost tens of bytes.
//! Each fills the end of a caller's buffer and returns the digits written.
//! No path can panic: no indexing, no arithmetic that can overflow.

/// Most decimal digits a `u32` has (4 294 967 295).
pub const DECIMAL_DIGITS: usize = 10;
/// Most hexadecimal digits a `u32` has.
pub const HEX_DIGITS: usize = 8;

/// Writes the decimal digits of `n` (no sign, no leading zeros) into the end
/// of `buf` and returns them.
pub fn decimal(mut n: u32, buf: &mut [u8; DECIMAL_DIGITS]) -> &[u8] {
    let mut len = 0;
    for slot in buf.iter_mut().rev() {
        // `n % 10` is below 10, so the cast is exact and the sum below b'9'.
        *slot = b'0' + (n % 10) as u8;
        n /= 10;
        len += 1;
        if n == 0 {
            break;
        }
    }
    tail(buf, len)
}

/// Writes the lowercase hexadecimal digits of `n` (no prefix, no leading
/// zeros) into the end of `buf` and returns them.
pub fn hex(mut n: u32, buf: &mut [u8; HEX_DIGITS]) -> &[u8] {
    let mut len = 0;
    for slot in buf.iter_mut().rev() {
        // A nibble is below 16, so the casts are exact.
        let digit = (n & 0xf) as u8;
        *slot = if digit < 10 { b'0' + digit } else { b'a' + (digit - 10) };
        n >>= 4;
        len += 1;
        if n == 0 {
            break;
        }
    }
    tail(buf, len)
}

/// The last `len` bytes of `buf` (all of it if `len` is larger).
fn tail(buf: &[u8], len: usize) -> &[u8] {
    buf.get(buf.len().saturating_sub(len)..).unwrap_or(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(n: u32) -> std::string::String {
        let mut buf = [0; DECIMAL_DIGITS];
        std::string::String::from_utf8(decimal(n, &mut buf).to_vec()).unwrap()
    }

    fn hx(n: u32) -> std::string::String {
        let mut buf = [0; HEX_DIGITS];
        std::string::String::from_utf8(hex(n, &mut buf).to_vec()).unwrap()
    }

    #[test]
    fn decimal_matches_std_formatting() {
        for n in [0, 1, 9, 10, 11, 99, 100, 101, 1024, 65_535, 1_000_000, 999_999_999, 1_000_000_000, u32::MAX] {
            assert_eq!(dec(n), n.to_string());
        }
    }

    #[test]
    fn decimal_of_every_power_of_ten_boundary() {
        let mut p = 1u32;
        while let Some(next) = p.checked_mul(10) {
            assert_eq!(dec(p - 1), (p - 1).to_string());
            assert_eq!(dec(p), p.to_string());
            p = next;
        }
    }

    #[test]
    fn hex_matches_std_formatting() {
        for n in [0, 1, 9, 0xa, 0xf, 0x10, 0xff, 0x100, 0x4000_4000, 0xdead_beef, u32::MAX] {
            assert_eq!(hx(n), std::format!("{n:x}"));
        }
    }
}
