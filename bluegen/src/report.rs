//! Report: how much of each memory region an image uses, read from its ELF.
//!
//! Every allocated section is placed by its address: sections in the flash
//! region count against flash; initialised data in RAM counts against RAM and,
//! as its load image, against flash too; zero-initialised sections (`.bss`,
//! the `.stack` reservation) count against RAM only. Thread stacks are
//! `.bss` statics; they are counted apart so that static RAM means the
//! kernel's and the app's own state. Under isolation, the alignment gaps
//! the MPU's or PMP's rules leave before the threads' regions count
//! against RAM too, and [`isolation_areas`] reads what each rule cost.

use std::io::Write;
use std::path::Path;

use object::{Object, ObjectSection, ObjectSymbol, SectionFlags, SectionKind};
use serde::Serialize;

use crate::diag::{Error, Result};
use crate::model::Region;
use crate::validate::human;

/// One row of the region table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct RegionUse {
    pub name: String,
    pub origin: u64,
    pub used: u64,
    pub size: u64,
}

/// An image's footprint by region and by section class.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Footprint {
    pub regions: Vec<RegionUse>,
    pub text: u64,
    pub rodata: u64,
    pub data: u64,
    pub bss: u64,
    /// The boot stack reservation (part of RAM use, not of static RAM).
    pub stack: u64,
    /// Thread stacks (the threads' and the idle thread's), part of `bss`.
    pub thread_stacks: u64,
    /// Alignment gaps before isolation's regions (RAM, in no section).
    pub padding: u64,
}

impl Footprint {
    /// Flash bytes: code, read-only data and the load image of .data.
    pub fn flash_bytes(&self) -> u64 {
        self.text + self.rodata + self.data
    }

    /// Static RAM bytes: .data and .bss, stacks excluded.
    pub fn static_ram_bytes(&self) -> u64 {
        self.data + self.bss - self.thread_stacks
    }
}

/// Reads the footprint of the ELF at `path` against the given regions.
pub fn footprint(path: &Path, flash: Region, ram: Region) -> Result<Footprint> {
    let data = std::fs::read(path).map_err(|e| Error::io("read", path, e))?;
    let file = object::File::parse(&*data).map_err(|e| Error::msg(format!("{} is not an ELF file: {e}", path.display())))?;
    let mut fp = Footprint { regions: Vec::new(), text: 0, rodata: 0, data: 0, bss: 0, stack: 0, thread_stacks: 0, padding: 0 };
    let (mut in_flash, mut in_ram) = (0u64, 0u64);
    for section in file.sections() {
        let alloc = matches!(section.flags(), SectionFlags::Elf { sh_flags, .. } if sh_flags & object::elf::SHF_ALLOC == object::elf::SHF_ALLOC);
        let size = section.size();
        if !alloc || size == 0 {
            continue;
        }
        let addr = section.address();
        let name = section.name().unwrap_or_default();
        let zeroed = matches!(section.kind(), SectionKind::UninitializedData | SectionKind::UninitializedTls);
        let in_region = |r: Region| addr >= r.origin && addr < r.end();
        if name == ".stack" {
            fp.stack += size;
            in_ram += size;
        } else if zeroed {
            fp.bss += size;
            in_ram += size;
        } else if in_region(ram) && !in_region(flash) {
            fp.data += size;
            in_ram += size;
            in_flash += size;
        } else {
            match section.kind() {
                SectionKind::Text => fp.text += size,
                _ => fp.rodata += size,
            }
            in_flash += size;
        }
    }
    fp.thread_stacks = file
        .symbols()
        .filter(|s| s.section_index().and_then(|i| file.section_by_index(i).ok()).is_some_and(|sec| sec.kind() == SectionKind::UninitializedData))
        .filter(|s| s.name().is_ok_and(|n| stack_row(&format!("{:#}", rustc_demangle::demangle(n))).is_some()))
        .map(|s| s.size())
        .sum::<u64>()
        .min(fp.bss);
    fp.padding = isolation_areas(&file).iter().map(|a| a.gap).sum();
    in_ram += fp.padding;
    fp.regions = vec![
        RegionUse { name: "flash".into(), origin: flash.origin, used: in_flash, size: flash.size },
        RegionUse { name: "ram".into(), origin: ram.origin, used: in_ram, size: ram.size },
    ];
    Ok(fp)
}

/// One region of the isolation layout as linked: an isolated thread's own
/// (stack and statics) or a shared `[regions]` buffer, and the bytes the
/// protection unit's rules cost it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct AreaUse {
    pub name: String,
    /// A thread's own region (else a shared one).
    pub thread: bool,
    pub start: u64,
    /// The region's bytes, as the rule sized it.
    pub size: u64,
    /// The bytes device.toml declares: stack + statics, or `size`.
    pub declared: u64,
    /// What the size rule added (`size - declared`; a thread's stack gets it).
    pub rounding: u64,
    /// What the alignment rule left unused before it.
    pub gap: u64,
}

/// The isolation layout of an ELF, in address order, from the symbols the
/// image's linker script defines per region (`__bluegen_thread_<name>_start`,
/// `_end`, `_declared`; `__bluegen_region_<name>_…`); empty without
/// isolation. A region's gap runs from the end of the writable section or
/// region before it.
pub fn isolation_areas(file: &object::File) -> Vec<AreaUse> {
    let mut bounds: std::collections::BTreeMap<(bool, String), [Option<u64>; 3]> = Default::default();
    for sym in file.symbols() {
        let Ok(name) = sym.name() else { continue };
        let (thread, rest) = match (name.strip_prefix("__bluegen_thread_"), name.strip_prefix("__bluegen_region_")) {
            (Some(rest), _) => (true, rest),
            (_, Some(rest)) => (false, rest),
            _ => continue,
        };
        for (i, suffix) in ["_start", "_end", "_declared"].iter().enumerate() {
            if let Some(area) = rest.strip_suffix(suffix) {
                bounds.entry((thread, area.to_string())).or_default()[i] = Some(sym.address());
            }
        }
    }
    let mut areas: Vec<AreaUse> = bounds
        .into_iter()
        .filter_map(|((thread, name), b)| {
            let [Some(start), Some(end), Some(declared)] = b else { return None };
            let size = end.checked_sub(start)?;
            Some(AreaUse { name, thread, start, size, declared, rounding: size.saturating_sub(declared), gap: 0 })
        })
        .collect();
    areas.sort_by_key(|a| a.start);
    // Where each writable section and each region ends.
    let ends: Vec<u64> = file
        .sections()
        .filter(|s| matches!(s.flags(), SectionFlags::Elf { sh_flags, .. } if sh_flags & (object::elf::SHF_ALLOC | object::elf::SHF_WRITE) == object::elf::SHF_ALLOC | object::elf::SHF_WRITE))
        .filter(|s| s.size() > 0)
        .map(|s| s.address() + s.size())
        .chain(areas.iter().map(|a| a.start + a.size))
        .collect();
    for a in &mut areas {
        // The region's own sections end inside it, never before its start.
        if let Some(before) = ends.iter().copied().filter(|end| *end <= a.start).max() {
            a.gap = a.start - before;
        }
    }
    areas
}

/// Prints the isolation layout: per region, what the size rule added and
/// the alignment rule left before it (nothing without isolation).
pub fn print_isolation(out: &mut impl Write, areas: &[AreaUse]) -> std::io::Result<()> {
    if areas.is_empty() {
        return Ok(());
    }
    writeln!(out, "{:<24} {:>10} {:>10} {:>8} {:>10} {:>10}", "isolation region", "start", "declared", "size", "rounding", "alignment")?;
    for a in areas {
        let label = format!("{} `{}`", if a.thread { "thread" } else { "region" }, a.name);
        writeln!(out, "{:<24} {:>#10x} {:>8} B {:>6} B {:>8} B {:>8} B", label, a.start, a.declared, a.size, a.rounding, a.gap)?;
    }
    let (rounding, gaps) = (areas.iter().map(|a| a.rounding).sum::<u64>(), areas.iter().map(|a| a.gap).sum::<u64>());
    writeln!(out, "{:<24} {:>10} {:>10} {:>8} {:>8} B {:>8} B", "what the rules cost", "", "", "", rounding, gaps)
}

/// The regions an image uses more of than they hold.
pub fn overflows(fp: &Footprint) -> Vec<&RegionUse> {
    fp.regions.iter().filter(|r| r.used > r.size).collect()
}

/// Allocated sections of the ELF at `path` that start outside both regions:
/// `(name, address, size)`. An image linked for the map it is reported
/// against has none (one that runs past a region's end is an overflow).
pub fn misplaced_sections(path: &Path, flash: Region, ram: Region) -> Result<Vec<(String, u64, u64)>> {
    let data = std::fs::read(path).map_err(|e| Error::io("read", path, e))?;
    let file = object::File::parse(&*data).map_err(|e| Error::msg(format!("{} is not an ELF file: {e}", path.display())))?;
    let inside = |r: Region, addr: u64| addr >= r.origin && addr < r.end();
    Ok(file
        .sections()
        .filter(|s| matches!(s.flags(), SectionFlags::Elf { sh_flags, .. } if sh_flags & object::elf::SHF_ALLOC == object::elf::SHF_ALLOC))
        .filter(|s| s.size() > 0 && !inside(flash, s.address()) && !inside(ram, s.address()))
        .map(|s| (s.name().unwrap_or_default().to_string(), s.address(), s.size()))
        .collect())
}

/// The size report's row name if a demangled symbol is a thread stack:
/// `<image>::__BLUEGEN_STACK_<THREAD>`, which the image template generates
/// (in bluegen's reserved `__bluegen` namespace, so an app's own
/// `STACK_…` static stays the app's), the kernel's `IDLE_STACK`, or its
/// pool for spawned threads (`pool::POOL`).
pub fn stack_row(demangled: &str) -> Option<String> {
    let last = demangled.rsplit("::").next().unwrap_or(demangled);
    let kernel = demangled.starts_with("bluegen_kernel::");
    match last.strip_prefix(THREAD_STACK_PREFIX) {
        Some(thread) if !thread.is_empty() => Some(format!("stack of thread `{}`", thread.to_lowercase())),
        _ if kernel && last == "IDLE_STACK" => Some("stack of the idle thread".into()),
        _ if demangled == "bluegen_kernel::pool::POOL" => Some("stacks of spawned threads (the pool)".into()),
        _ => None,
    }
}

/// The name of a thread's stack static in the image's main.rs is this and
/// the thread's name in upper case (kernel-templates/image/src/main.rs.j2).
pub const THREAD_STACK_PREFIX: &str = "__BLUEGEN_STACK_";

/// Prints the region table.
pub fn print_regions(out: &mut impl Write, fp: &Footprint) -> std::io::Result<()> {
    writeln!(out, "{:<8} {:>10} {:>10} {:>7}", "region", "used", "size", "use")?;
    for r in &fp.regions {
        let pct = if r.size == 0 { 0.0 } else { r.used as f64 * 100.0 / r.size as f64 };
        writeln!(out, "{:<8} {:>8} B {:>10} {:>6.2}%", r.name, r.used, human(r.size), pct)?;
    }
    let padding = if fp.padding > 0 { format!(" + isolation alignment {}", fp.padding) } else { String::new() };
    writeln!(
        out,
        "flash = text {} + rodata {} + data {}; ram = data {} + bss {} (thread stacks {}) + boot stack {}{padding}",
        fp.text, fp.rodata, fp.data, fp.data, fp.bss, fp.thread_stacks, fp.stack
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_region_over_its_size_is_an_overflow() {
        let region = |name: &str, used, size| RegionUse { name: name.into(), origin: 0, used, size };
        let fp = Footprint { regions: vec![region("flash", 1590, 1000), region("ram", 1000, 1000)], text: 0, rodata: 0, data: 0, bss: 0, stack: 0, thread_stacks: 0, padding: 0 };
        assert_eq!(overflows(&fp).iter().map(|r| r.name.as_str()).collect::<Vec<_>>(), ["flash"]);
    }
}
