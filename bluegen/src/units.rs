//! Units: byte sizes, addresses and their human-readable forms, in one place.
//!
//! device.toml, board files and `size --compare` thresholds all write sizes
//! the same way (`1024`, `"64K"`, `"0x400"`), and every report prints them
//! the same way (`4 MiB`); these helpers are the one definition of both.

/// A byte size: an integer, or a string such as "1024", "64K", "4M", "0x400".
pub fn size(value: &toml::Value) -> std::result::Result<u64, String> {
    let why = || "a size is a number of bytes: an integer, or a string such as \"512\", \"64K\" or \"4M\"".to_string();
    match value {
        toml::Value::Integer(n) if *n >= 0 => Ok(*n as u64),
        toml::Value::String(s) => {
            let s = s.trim();
            let s = s.strip_suffix("iB").or_else(|| s.strip_suffix('B')).unwrap_or(s).trim_end();
            let (digits, unit) = match s.char_indices().last() {
                Some((i, 'K' | 'k')) => (&s[..i], 1024),
                Some((i, 'M' | 'm')) => (&s[..i], 1024 * 1024),
                Some((i, 'G' | 'g')) => (&s[..i], 1024 * 1024 * 1024),
                _ => (s, 1),
            };
            let digits = digits.trim();
            parse_int(digits).and_then(|n| n.checked_mul(unit)).ok_or_else(why)
        }
        _ => Err(why()),
    }
}

/// An address: an integer (TOML allows `0x2000_0000`) or a "0x..." string.
pub fn address(value: &toml::Value) -> std::result::Result<u64, String> {
    match value {
        toml::Value::Integer(n) if *n >= 0 => Ok(*n as u64),
        toml::Value::String(s) => parse_int(s.trim()).ok_or_else(|| format!("`{s}` is not an address")),
        _ => Err("an address is a non-negative integer such as 0x2000_0000".into()),
    }
}

fn parse_int(s: &str) -> Option<u64> {
    let s = s.replace('_', "");
    match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => s.parse().ok(),
    }
}

/// "4 MiB", "64 KiB", "300 B": sizes for people.
pub fn human(bytes: u64) -> String {
    if bytes >= 1 << 20 && bytes % (1 << 20) == 0 {
        format!("{} MiB", bytes >> 20)
    } else if bytes >= 1 << 10 && bytes % (1 << 10) == 0 {
        format!("{} KiB", bytes >> 10)
    } else {
        format!("{bytes} B")
    }
}

/// The address width of a Rust target triple, in bits: 64 for `riscv64…`,
/// `aarch64…` and `x86_64…`, else 32 (every Cortex-M and RV32 target).
pub fn pointer_bits(target: &str) -> u32 {
    if ["riscv64", "aarch64", "x86_64"].iter().any(|p| target.starts_with(p)) { 64 } else { 32 }
}

/// The largest value a `usize` (or an address) has on a target of `bits`.
pub fn usize_max(bits: u32) -> u64 {
    if bits >= 64 { u64::MAX } else { (1u64 << bits) - 1 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        let s = |v: &str| size(&toml::Value::String(v.into()));
        assert_eq!(s("64K"), Ok(65536));
        assert_eq!(s("4M"), Ok(4 << 20));
        assert_eq!(s("0x400"), Ok(1024));
        assert_eq!(s("512"), Ok(512));
        assert_eq!(s("4KiB"), Ok(4096));
        assert!(s("lots").is_err());
        assert_eq!(size(&toml::Value::Integer(300)), Ok(300));
        assert!(size(&toml::Value::Integer(-1)).is_err());
    }

    #[test]
    fn human_sizes() {
        assert_eq!(human(4 << 20), "4 MiB");
        assert_eq!(human(2048), "2 KiB");
        assert_eq!(human(300), "300 B");
    }

    #[test]
    fn widths() {
        assert_eq!(pointer_bits("riscv32imac-unknown-none-elf"), 32);
        assert_eq!(pointer_bits("thumbv7m-none-eabi"), 32);
        assert_eq!(pointer_bits("riscv64gc-unknown-none-elf"), 64);
        assert_eq!(usize_max(32), 0xFFFF_FFFF);
    }
}
