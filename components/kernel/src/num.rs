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
        let (q, r) = div10(n);
        // `r` is below 10, so the cast is exact and the sum below b'9'.
        *slot = b'0' + r as u8;
        n = q;
        len += 1;
        if n == 0 {
            break;
        }
    }
    tail(buf, len)
}

/// `(n / 10, n % 10)`. Cores without a 32x32->64 multiply (ARMv6-M and
/// ARMv8-M baseline: Arm cores without 32-bit CAS) would call the library
/// divide for `n / 10`, about 400 bytes of flash; they get
/// [`div10_shift_add`] instead. Elsewhere the compiler's multiply by the
/// reciprocal is smaller.
#[inline(always)]
fn div10(n: u32) -> (u32, u32) {
    if cfg!(all(target_arch = "arm", not(target_has_atomic = "32"))) { div10_shift_add(n) } else { (n / 10, n % 10) }
}

/// `(n / 10, n % 10)` by shifts and adds (Hacker's Delight, `divu10`): `q`
/// approximates `n * 0.8 / 8` from below by at most 1, which the remainder
/// corrects. No step overflows: every partial sum stays below `n`.
fn div10_shift_add(n: u32) -> (u32, u32) {
    let mut q = (n >> 1) + (n >> 2);
    q += q >> 4;
    q += q >> 8;
    q += q >> 16;
    q >>= 3;
    // q <= n / 10, so q * 10 <= n.
    let r = n - ((q << 3) + (q << 1));
    if r > 9 { (q + 1, r - 10) } else { (q, r) }
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
    fn shift_add_division_by_ten_is_exact() {
        let edges = (0..100_000u32).chain(u32::MAX - 100_000..=u32::MAX);
        let powers = (0..10).flat_map(|e| {
            let p = 10u32.pow(e);
            [p - 1, p, p + 1, p.wrapping_mul(9)]
        });
        let mut x = 0x1234_5678u32;
        let random = core::iter::from_fn(move || {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            Some(x)
        })
        .take(1_000_000);
        for n in edges.chain(powers).chain(random) {
            assert_eq!(div10_shift_add(n), (n / 10, n % 10), "{n}");
        }
    }

    #[test]
    fn hex_matches_std_formatting() {
        for n in [0, 1, 9, 0xa, 0xf, 0x10, 0xff, 0x100, 0x4000_4000, 0xdead_beef, u32::MAX] {
            assert_eq!(hx(n), std::format!("{n:x}"));
        }
    }
}
