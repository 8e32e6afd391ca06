//! Attribution: every byte of an image given to a symbol, padding or linker row.
//!
//! Each allocated section of the ELF is walked from start to end. Symbols
//! (demangled, Thumb bit masked, mapping symbols `$t`/`$d`/`$x` ignored,
//! aliases folded into one row, sizeless functions and objects sized up to the
//! next symbol) claim their bytes once; bytes no symbol claims become rows of
//! their own: `(padding)` for small gaps, `(unattributed)` for larger ones and
//! `(linker)` for sections without any symbol. The totals therefore equal the
//! sizes of the allocated sections exactly.

use std::collections::BTreeMap;

use object::{Object, ObjectSection, ObjectSymbol, SectionFlags, SectionKind, SymbolKind};
use serde::Serialize;

/// The four classes every byte falls in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Classes {
    pub text: u64,
    pub rodata: u64,
    pub data: u64,
    pub bss: u64,
}

impl Classes {
    pub fn add(&mut self, class: Class, bytes: u64) {
        match class {
            Class::Text => self.text += bytes,
            Class::Rodata => self.rodata += bytes,
            Class::Data => self.data += bytes,
            Class::Bss => self.bss += bytes,
        }
    }

    pub fn sum(&self) -> u64 {
        self.text + self.rodata + self.data + self.bss
    }

    /// Bytes in flash: code, read-only data and the load image of .data.
    pub fn flash(&self) -> u64 {
        self.text + self.rodata + self.data
    }

    /// Bytes in RAM: .data and .bss (stacks included where they are sections).
    pub fn ram(&self) -> u64 {
        self.data + self.bss
    }
}

/// Which class a section's bytes are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Class {
    Text,
    Rodata,
    Data,
    Bss,
}

/// One attributed piece of the image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Piece {
    /// Demangled name, without hash, or a `(padding)`-style label.
    pub name: String,
    /// Other names at the same address and size.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// The crate path of the symbol (`bluegen_kernel`), empty for labels.
    #[serde(rename = "crate")]
    pub krate: String,
    /// The module path inside the crate (`console`), empty at the crate root.
    pub module: String,
    pub section: String,
    pub class: Class,
    pub address: u64,
    pub size: u64,
}

/// Everything read from one ELF.
#[derive(Debug, Clone)]
pub struct Attribution {
    pub pieces: Vec<Piece>,
    /// Per class, the sum of the sizes of the allocated sections.
    pub sections: Classes,
}

/// Gaps up to this many bytes between symbols are alignment padding.
const PADDING_MAX: u64 = 15;

/// Reads an ELF and attributes every allocated byte.
pub fn attribute(data: &[u8]) -> Result<Attribution, String> {
    let file = object::File::parse(data).map_err(|e| format!("not an ELF file: {e}"))?;
    let arm = file.architecture() == object::Architecture::Arm;
    let mut sections = Classes::default();
    let mut pieces = Vec::new();
    // Symbols by section index.
    let mut by_section: BTreeMap<usize, Vec<(u64, u64, String, bool)>> = BTreeMap::new();
    // Where `$d` marks data (literal pools) inside code, per section.
    let mut pools: BTreeMap<usize, Vec<u64>> = BTreeMap::new();
    for sym in file.symbols() {
        let Some(index) = sym.section_index() else { continue };
        let Ok(name) = sym.name() else { continue };
        if name == "$d" || name.starts_with("$d.") {
            pools.entry(index.0).or_default().push(sym.address());
        }
        if name.is_empty() || is_mapping_symbol(name) {
            continue;
        }
        let sized_kind = matches!(sym.kind(), SymbolKind::Text | SymbolKind::Data);
        if !sized_kind && sym.size() == 0 {
            continue; // linker-script markers such as _sdata
        }
        if matches!(sym.kind(), SymbolKind::Section | SymbolKind::File) {
            continue;
        }
        let mut addr = sym.address();
        if arm && sym.kind() == SymbolKind::Text {
            addr &= !1;
        }
        by_section.entry(index.0).or_default().push((addr, sym.size(), name.to_string(), sym.size() == 0));
    }
    for section in file.sections() {
        let SectionFlags::Elf { sh_flags, .. } = section.flags() else { continue };
        if sh_flags & object::elf::SHF_ALLOC != object::elf::SHF_ALLOC || section.size() == 0 {
            continue;
        }
        let class = if section.kind() == SectionKind::UninitializedData || section.kind() == SectionKind::UninitializedTls {
            Class::Bss
        } else if sh_flags & object::elf::SHF_EXECINSTR == object::elf::SHF_EXECINSTR {
            Class::Text
        } else if sh_flags & object::elf::SHF_WRITE == object::elf::SHF_WRITE {
            Class::Data
        } else {
            Class::Rodata
        };
        let name = section.name().unwrap_or("?").to_string();
        sections.add(class, section.size());
        let syms = by_section.remove(&section.index().0).unwrap_or_default();
        let bytes = if class == Class::Bss { None } else { section.data().ok() };
        let first = pieces.len();
        walk_section(&name, class, section.address(), section.size(), syms, bytes, &mut pieces);
        if class == Class::Text {
            merge_literal_pools(&mut pieces, first, pools.get(&section.index().0).map_or(&[][..], Vec::as_slice));
        }
    }
    Ok(Attribution { pieces, sections })
}

/// Splits one section into pieces that cover it exactly once.
fn walk_section(
    section: &str,
    class: Class,
    start: u64,
    size: u64,
    mut syms: Vec<(u64, u64, String, bool)>,
    bytes: Option<&[u8]>,
    out: &mut Vec<Piece>,
) {
    let end = start + size;
    syms.retain(|(a, _, _, _)| *a >= start && *a < end);
    syms.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
    if syms.is_empty() {
        out.push(label("(linker)", section, section, class, start, size));
        return;
    }
    // Sizeless functions and objects reach to the next symbol that starts later.
    for i in 0..syms.len() {
        if syms[i].3 {
            let next = syms[i + 1..].iter().map(|s| s.0).find(|a| *a > syms[i].0).unwrap_or(end);
            syms[i].1 = next - syms[i].0;
        }
    }
    let mut cursor = start;
    let mut last: Option<usize> = None;
    for (addr, len, name, _) in syms {
        let sym_end = (addr + len).min(end);
        if let Some(i) = last {
            let prev: &mut Piece = &mut out[i];
            if prev.address == addr && prev.address + prev.size == sym_end && !prev.name.starts_with('(') {
                let alias = demangle(&name).0;
                if alias != prev.name && !prev.aliases.contains(&alias) {
                    prev.aliases.push(alias);
                }
                continue;
            }
        }
        if sym_end <= cursor {
            continue; // inside a symbol already counted
        }
        if addr > cursor {
            out.push(gap(section, class, cursor, addr - cursor, bytes.map(|b| &b[(cursor - start) as usize..(addr - start) as usize])));
        }
        let from = addr.max(cursor);
        let (name, krate, module) = demangle(&name);
        out.push(Piece { name, aliases: Vec::new(), krate, module, section: section.into(), class, address: from, size: sym_end - from });
        last = Some(out.len() - 1);
        cursor = sym_end;
    }
    if cursor < end {
        out.push(gap(section, class, cursor, end - cursor, bytes.map(|b| &b[(cursor - start) as usize..])));
    }
}

/// A gap in code that starts at a `$d` mapping symbol right after a function
/// is that function's literal pool: it joins the function's row.
fn merge_literal_pools(pieces: &mut Vec<Piece>, first: usize, pools: &[u64]) {
    let mut i = first + 1;
    while i < pieces.len() {
        let (prev, cur) = (&pieces[i - 1], &pieces[i]);
        let is_gap = cur.name.starts_with('(') && !prev.name.starts_with('(');
        if is_gap && prev.address + prev.size == cur.address && pools.contains(&cur.address) {
            let size = cur.size;
            pieces[i - 1].size += size;
            pieces.remove(i);
        } else {
            i += 1;
        }
    }
}

fn gap(section: &str, class: Class, address: u64, size: u64, bytes: Option<&[u8]>) -> Piece {
    let fill = bytes.is_none_or(|b| b.iter().all(|&x| x == 0) || b.iter().all(|&x| x == 0xff));
    let name = if size <= PADDING_MAX && fill { "(padding)" } else { "(unattributed)" };
    label(name, "", section, class, address, size)
}

fn label(name: &str, _what: &str, section: &str, class: Class, address: u64, size: u64) -> Piece {
    Piece {
        name: name.into(),
        aliases: Vec::new(),
        krate: String::new(),
        module: String::new(),
        section: section.into(),
        class,
        address,
        size,
    }
}

/// ARM and AArch64 mapping symbols (`$a`, `$t`, `$d`, `$x`, with `.suffix`).
fn is_mapping_symbol(name: &str) -> bool {
    let b = name.as_bytes();
    b.len() >= 2 && b[0] == b'$' && matches!(b[1], b'a' | b't' | b'd' | b'x') && (b.len() == 2 || b[2] == b'.')
}

/// `(readable name, crate, module)` of a symbol, legacy and v0 mangling alike.
pub fn demangle(symbol: &str) -> (String, String, String) {
    let Ok(d) = rustc_demangle::try_demangle(symbol) else {
        return (symbol.to_string(), String::new(), String::new());
    };
    let name = format!("{d:#}");
    let (krate, module) = crate_and_module(&name);
    (name, krate, module)
}

/// The crate and module of a demangled name: `<a::B as c::D>::f` belongs to
/// the crate of the type, `a`; with a primitive type
/// (`<usize as core::fmt::Display>::fmt`) to the trait's, `core`.
fn crate_and_module(name: &str) -> (String, String) {
    let path = match name.strip_prefix('<') {
        Some(rest) => match rest.split_once(" as ") {
            Some((ty, tr)) if !ty.contains("::") => tr,
            _ => rest,
        },
        None => name,
    };
    let path = path.trim_start_matches(['<', '&', '*', '[', ' ']);
    let path = path.split([' ', '<', '>', '(', ';', ']']).next().unwrap_or(path);
    let segments: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
    let krate = segments.first().copied().unwrap_or_default().to_string();
    let module = if segments.len() > 2 { segments[1..segments.len() - 1].join("::") } else { String::new() };
    (krate, module)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sym(addr: u64, size: u64, name: &str) -> (u64, u64, String, bool) {
        (addr, size, name.to_string(), size == 0)
    }

    #[test]
    fn covers_a_section_exactly_once() {
        let mut out = Vec::new();
        let syms = vec![
            sym(0x100, 8, "a"),
            sym(0x100, 8, "a_alias"),
            sym(0x104, 2, "inside_a"),
            sym(0x10a, 6, "b"),
            sym(0x130, 0, "sizeless"),
            sym(0x138, 8, "c"),
        ];
        walk_section(".text", Class::Text, 0x100, 0x48, syms, None, &mut out);
        let total: u64 = out.iter().map(|p| p.size).sum();
        assert_eq!(total, 0x48);
        let names: Vec<_> = out.iter().map(|p| (p.name.as_str(), p.size)).collect();
        assert_eq!(
            names,
            [("a", 8), ("(padding)", 2), ("b", 6), ("(unattributed)", 32), ("sizeless", 8), ("c", 8), ("(padding)", 8)]
        );
        assert_eq!(out[0].aliases, ["a_alias"]);
    }

    #[test]
    fn a_section_without_symbols_is_the_linkers() {
        let mut out = Vec::new();
        walk_section(".got", Class::Data, 0, 12, Vec::new(), None, &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!((out[0].name.as_str(), out[0].size), ("(linker)", 12));
    }

    #[test]
    fn demangles_legacy_and_v0() {
        let (name, krate, module) = demangle("_ZN14bluegen_kernel7console9write_str17h0123456789abcdefE");
        assert_eq!((name.as_str(), krate.as_str(), module.as_str()), ("bluegen_kernel::console::write_str", "bluegen_kernel", "console"));
        let (name, krate, _) = demangle("_RNvNtCs1234_7mycrate3foo3bar");
        assert_eq!((name.as_str(), krate.as_str()), ("mycrate::foo::bar", "mycrate"));
        let owner = |n: &str| crate_and_module(n);
        assert_eq!(owner("<usize as core::fmt::Display>::fmt"), ("core".into(), "fmt".into()));
        assert_eq!(owner("<&mut [u8] as core::fmt::Debug>::fmt"), ("core".into(), "fmt".into()));
        assert_eq!(owner("<bluegen_heap::allocator::Heap as core::alloc::global::GlobalAlloc>::alloc"), ("bluegen_heap".into(), "allocator".into()));
        let (name, krate, _) = demangle("Reset");
        assert_eq!((name.as_str(), krate.as_str()), ("Reset", ""));
    }

    #[test]
    fn mapping_symbols_are_recognised() {
        for m in ["$t", "$d", "$x", "$a", "$d.1", "$t.42"] {
            assert!(is_mapping_symbol(m), "{m}");
        }
        for n in ["$tack", "main", "$", "$q"] {
            assert!(!is_mapping_symbol(n), "{n}");
        }
    }
}
