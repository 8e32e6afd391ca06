//! Chips: memory maps, cores and flash algorithms from probe-rs's registry.
//!
//! A device (or a board) may name a chip the way probe-rs does
//! (`nRF52840_xxAA`). bluegen then takes the flash and RAM regions from
//! probe-rs's built-in, offline chip registry, derives the Rust target triple
//! from the core type, and knows which flash algorithms `bluegen flash` will
//! use. No probe is needed for any of this.

use probe_rs::config::{CoreType, MemoryRegion, Registry};
use serde::{Deserialize, Serialize};

use crate::diag::{Diagnostic, Location, Result};
use crate::model::Region;

/// What bluegen needs to know about a chip.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Chip {
    pub name: String,
    pub family: String,
    /// The maker, from the family's JEP106 code (e.g. "Nordic VLSI ASA").
    #[serde(default)]
    pub vendor: Option<String>,
    pub core: String,
    /// The Rust target triple for the chip's core, if bluegen supports it.
    pub target: Option<String>,
    pub flash: Region,
    pub ram: Region,
    pub flash_algorithms: Vec<String>,
    /// The algorithm probe-rs uses unless told otherwise.
    pub default_algorithm: Option<String>,
}

/// The registry, loaded once per process (about 30 ms in release), with
/// Espressif's chips (ESP32-C3, -C6, -S3 …), which probe-rs keeps in a
/// plugin crate of its own, registered first.
fn registry() -> &'static Registry {
    static REGISTRY: std::sync::OnceLock<Registry> = std::sync::OnceLock::new();
    REGISTRY.get_or_init(|| {
        probe_rs_espressif::register_plugin();
        Registry::from_builtin_families()
    })
}

/// The Rust target for a core type: Cortex-M and RISC-V bare metal.
pub fn target_for(core: CoreType) -> Option<&'static str> {
    Some(match core {
        CoreType::Armv6m => "thumbv6m-none-eabi",
        CoreType::Armv7m => "thumbv7m-none-eabi",
        // Almost every ARMv7E-M part (M4F, M7) has an FPU; the hard-float ABI uses it.
        CoreType::Armv7em => "thumbv7em-none-eabihf",
        CoreType::Armv8m => "thumbv8m.main-none-eabi",
        CoreType::Riscv => "riscv32imac-unknown-none-elf",
        CoreType::Riscv64 => "riscv64gc-unknown-none-elf",
        _ => return None,
    })
}

fn core_name(core: CoreType) -> String {
    format!("{core:?}").to_lowercase()
}

/// Looks a chip up by name; `used_at` is where the device or board named it.
///
/// Loading probe-rs's registry takes about 30 ms, more than all the rest of
/// `bluegen check`, so a chip once found is kept in a small cache (see
/// [`cache_dir`]) and later lookups read that instead.
pub fn lookup(name: &str, key: &str, used_at: Option<Location>) -> Result<Chip> {
    // A device and its board may name the same chip: look each name up once
    // per process.
    static SEEN: std::sync::Mutex<Vec<Chip>> = std::sync::Mutex::new(Vec::new());
    if let Some(chip) = SEEN.lock().ok().and_then(|seen| seen.iter().find(|c| c.name == name).cloned()) {
        return Ok(chip);
    }
    let chip = lookup_uncached(name, key, used_at)?;
    if let Ok(mut seen) = SEEN.lock() {
        seen.push(chip.clone());
    }
    Ok(chip)
}

fn lookup_uncached(name: &str, key: &str, used_at: Option<Location>) -> Result<Chip> {
    let plain = !name.starts_with('.') && name.chars().all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c));
    let cached = cache_dir().filter(|_| plain).map(|dir| dir.join(format!("{name}.json")));
    if let Some(chip) = cached.as_ref().and_then(|f| std::fs::read(f).ok()).and_then(|t| serde_json::from_slice::<Chip>(&t).ok()) {
        return Ok(chip);
    }
    let chip = lookup_in_registry(name, key, used_at)?;
    // The cache only saves time: a failed write changes nothing else.
    if let (Some(file), Ok(json)) = (cached, serde_json::to_vec_pretty(&chip)) {
        let _ = crate::files::write_atomic(&file, &json);
    }
    Ok(chip)
}

/// Where looked-up chips are kept: `$BLUEGEN_CACHE_DIR`, else
/// `$XDG_CACHE_HOME/bluegen` or `~/.cache/bluegen`, in a folder named after
/// this bluegen executable's size and modification time, so that a new
/// build (and with it, perhaps, a new probe-rs registry) starts afresh.
pub fn cache_dir() -> Option<std::path::PathBuf> {
    let base = match std::env::var_os("BLUEGEN_CACHE_DIR") {
        Some(dir) => std::path::PathBuf::from(dir),
        None => match std::env::var_os("XDG_CACHE_HOME") {
            Some(dir) => std::path::PathBuf::from(dir).join("bluegen"),
            None => std::path::PathBuf::from(std::env::var_os("HOME")?).join(".cache/bluegen"),
        },
    };
    let exe = std::fs::metadata(std::env::current_exe().ok()?).ok()?;
    let mtime = exe.modified().ok()?.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
    Some(base.join(format!("chips-{}-{:x}-{mtime:x}", env!("CARGO_PKG_VERSION"), exe.len())))
}

/// Looks a chip up in probe-rs's registry itself.
fn lookup_in_registry(name: &str, key: &str, used_at: Option<Location>) -> Result<Chip> {
    let registry = registry();
    let target = registry.get_target_by_name(name).map_err(|_| {
        let all: Vec<&str> =
            registry.families().iter().flat_map(|f| f.variants.iter().flat_map(|v| v.package_variants().map(String::as_str))).collect();
        Diagnostic::error(format!("unknown chip `{name}`"))
            .at(used_at.clone())
            .key(key.to_string())
            .value(format!("\"{name}\""))
            .why("probe-rs's chip registry has no chip of that name")
            .hint(suggest(name, &all))
    })?;
    let family = registry.families().iter().find(|f| f.variants.iter().any(|v| v.package_variants().any(|p| *p == target.name)));
    let vendor = family.and_then(|f| f.manufacturer).map(|m| m.to_string());
    let family = family.map_or_else(String::new, |f| f.name.clone());
    let core = target.cores.first().map(|c| c.core_type);
    let (flash, ram) = regions(&target.memory_map).ok_or_else(|| {
        Diagnostic::error(format!("chip `{}` has no flash or no RAM in probe-rs's registry", target.name))
            .at(used_at)
            .key(key.to_string())
            .hint("give the regions in [memory] with `flash-origin` and `ram-origin`")
    })?;
    Ok(Chip {
        name: target.name.clone(),
        family,
        vendor,
        core: core.map_or_else(|| "unknown".into(), core_name),
        target: core.and_then(target_for).map(str::to_string),
        flash,
        ram,
        flash_algorithms: target.flash_algorithms.iter().map(|a| a.name.clone()).collect(),
        default_algorithm: target
            .flash_algorithms
            .iter()
            .find(|a| a.default)
            .or(target.flash_algorithms.first())
            .map(|a| a.name.clone()),
    })
}

/// The boot flash (the first non-alias NVM region, preferring bootable ones)
/// and the largest RAM region; among equals, the one in the Cortex-M SRAM
/// window (0x2000_0000..0x4000_0000): the nRF52's data RAM there is listed as
/// an alias of its code RAM at 0x0080_0000, but data belongs at 0x2000_0000.
fn regions(map: &[MemoryRegion]) -> Option<(Region, Region)> {
    let nvm: Vec<_> = map.iter().filter_map(MemoryRegion::as_nvm_region).filter(|r| !r.is_alias).collect();
    let flash = nvm.iter().find(|r| r.access.is_some_and(|a| a.boot)).or(nvm.first())?;
    let ram = map
        .iter()
        .filter_map(MemoryRegion::as_ram_region)
        .max_by_key(|r| (r.range.end - r.range.start, (0x2000_0000..0x4000_0000).contains(&r.range.start), std::cmp::Reverse(r.range.start)))?;
    let region = |r: &std::ops::Range<u64>| Region { origin: r.start, size: r.end - r.start };
    Some((region(&flash.range), region(&ram.range)))
}

/// The hint for an unknown chip name: the chips whose names start with
/// it, then those that contain it (shortest first: `stm32f4` gives
/// STM32F401…), else the closest by case-insensitive Jaro–Winkler similarity.
pub fn suggest(wrong: &str, names: &[&str]) -> String {
    let lower = wrong.to_lowercase();
    let list = |found: Vec<&str>| {
        let shown: Vec<String> = found.iter().take(5).map(|n| format!("`{n}`")).collect();
        let more = if found.len() > 5 { format!(" and {} more", found.len() - 5) } else { String::new() };
        format!("did you mean {}{more}? (`bluegen chips {wrong}` lists them)", shown.join(", "))
    };
    for matches in [
        |n: &str, w: &str| n.to_lowercase().starts_with(w),
        |n: &str, w: &str| n.to_lowercase().contains(w),
    ] {
        let mut found: Vec<&str> = names.iter().copied().filter(|n| matches(n, &lower)).collect();
        if !found.is_empty() && !lower.is_empty() {
            found.sort_by_key(|n| (n.len(), n.to_string()));
            found.dedup();
            return list(found);
        }
    }
    match closest(wrong, names) {
        Some(c) => format!("did you mean `{c}`? (`bluegen chips {}` lists similar ones)", wrong.chars().take(5).collect::<String>()),
        None => "`bluegen chips <FILTER>` lists the chips probe-rs knows".into(),
    }
}

/// The closest chip name, by case-insensitive Jaro–Winkler similarity.
fn closest<'a>(wrong: &str, names: &[&'a str]) -> Option<&'a str> {
    let wrong = wrong.to_lowercase();
    names
        .iter()
        .map(|n| (strsim::jaro_winkler(&wrong, &n.to_lowercase()), *n))
        .filter(|(s, _)| *s > 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, n)| n)
}

/// `(chip, family, core)` of every chip (and package variant) whose name contains `filter`
/// (case-insensitive), sorted by name.
pub fn list(filter: Option<&str>) -> Vec<(String, String, String)> {
    let filter = filter.map(str::to_lowercase);
    let mut out: Vec<(String, String, String)> = registry()
        .families()
        .iter()
        .flat_map(|f| {
            f.variants.iter().flat_map(move |v| {
                let core = v.cores.first().map_or_else(|| "unknown".to_string(), |c| core_name(c.core_type));
                v.package_variants().map(move |name| (name.clone(), f.name.clone(), core.clone()))
            })
        })
        .filter(|(name, _, _)| filter.as_ref().is_none_or(|f| name.to_lowercase().contains(f)))
        .collect();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nrf52840_regions_from_the_registry() {
        let chip = lookup("nRF52840_xxAA", "device.chip", None).unwrap();
        assert_eq!(chip.flash, Region { origin: 0, size: 1024 * 1024 });
        assert_eq!(chip.ram, Region { origin: 0x2000_0000, size: 256 * 1024 });
        assert_eq!(chip.target.as_deref(), Some("thumbv7em-none-eabihf"));
        assert!(!chip.flash_algorithms.is_empty());
    }

    #[test]
    fn stm32f407_takes_the_main_sram() {
        let chip = lookup("STM32F407VGTx", "device.chip", None).unwrap();
        assert_eq!(chip.flash.origin, 0x0800_0000);
        assert_eq!(chip.flash.size, 1024 * 1024);
        assert_eq!(chip.ram.origin, 0x2000_0000);
        assert_eq!(chip.target.as_deref(), Some("thumbv7em-none-eabihf"));
    }

    #[test]
    fn unknown_chip_suggests_the_closest() {
        let err = lookup("nRF52840_xxAB", "device.chip", None).unwrap_err();
        let text = crate::diag::render(&err.diagnostics);
        assert!(text.contains("unknown chip `nRF52840_xxAB`"), "{text}");
        assert!(text.contains("did you mean `nRF52840_xxAA`?"), "{text}");
    }

    /// A family prefix suggests the family's chips, not the nearest string.
    #[test]
    fn a_prefix_suggests_the_chips_it_starts() {
        let err = lookup("stm32f4", "device.chip", None).unwrap_err();
        let hint = err.diagnostics[0].hint.clone().unwrap();
        assert!(hint.starts_with("did you mean `STM32F4"), "{hint}");
        assert!(!hint.contains("STM32F051"), "{hint}");
    }

    #[test]
    fn chips_know_their_vendor() {
        let nrf = lookup("nRF52840_xxAA", "device.chip", None).unwrap();
        let stm = lookup("STM32F407VGTx", "device.chip", None).unwrap();
        assert!(nrf.vendor.is_some() && stm.vendor.is_some());
        assert_ne!(nrf.vendor, stm.vendor);
    }

    /// Espressif's chips come from probe-rs's plugin crate.
    #[test]
    fn espressif_chips_are_known() {
        let chip = lookup("esp32c6", "device.chip", None).unwrap();
        assert_eq!(chip.target.as_deref(), Some("riscv32imac-unknown-none-elf"));
        assert!(chip.ram.size > 0 && chip.flash.size > 0, "{chip:?}");
        assert!(list(Some("esp32c3")).iter().any(|(n, _, _)| n == "esp32c3"));
    }

    #[test]
    fn list_filters_case_insensitively() {
        let chips = list(Some("nrf52833"));
        assert!(chips.iter().any(|(n, _, _)| n == "nRF52833_xxAA"), "{chips:?}");
        assert!(chips.iter().all(|(n, _, _)| n.to_lowercase().contains("nrf52833")));
    }
}
