//! Report: pieces grouped by component → module → symbol, as text or JSON.
//!
//! A piece's component comes from its crate (`bluegen_kernel` → `kernel`),
//! or, for `#[no_mangle]` symbols that carry no crate path, from the
//! component whose sources define that name. Stacks are rows of their own,
//! named by thread. The JSON's component rows sum to its `total` exactly.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::attribute::{Attribution, Classes, Piece};
use crate::report::{RegionUse, stack_row};

/// Maps crates and `#[no_mangle]` names to component names.
#[derive(Debug, Clone, Default)]
pub struct ComponentMap {
    /// The device's C drivers, whose archives get rows of their own.
    pub c_drivers: Vec<String>,
    /// The image crate's package (`<crate>-image`): its build script's
    /// output holds the device's C archives (empty: any image's).
    pub image_package: String,
    /// Crate identifier → component (`bluegen_kernel` → `kernel`).
    pub crates: BTreeMap<String, String>,
    /// Source directories searched for `#[no_mangle]` names, per component.
    pub sources: Vec<(String, PathBuf)>,
    /// `#[no_mangle]` names that a macro of the port crate defines, and the
    /// component that invokes the macro (`image!` → image, `arch!` → the
    /// arch crate): the code is the invoker's, the text only the macro's.
    pub macro_defined: BTreeMap<String, String>,
    /// The device's threads: without the kernel's `THREADS` feature they
    /// all run on the boot stack, whose row names them.
    pub boot_stack_threads: Vec<String>,
    /// For a device with C: the symbols each C archive defines, by row
    /// (`c`, `picolibc`, `libgcc`; see [`crate::size::archives`]), asked
    /// after the Rust sources.
    pub archives: Vec<(String, std::collections::BTreeSet<String>)>,
    /// The same for the device's own C objects (`c`, and the libc
    /// component's stdio glue), asked before the Rust sources: they define
    /// no Rust hook, but their names (`main`) may appear in Rust text.
    pub c_objects: Vec<(String, std::collections::BTreeSet<String>)>,
    /// The device's models, for the report's models table.
    pub models: Vec<super::models::Declared>,
}

impl ComponentMap {
    fn component_of(&self, piece: &Piece, no_mangle: &mut BTreeMap<String, String>) -> String {
        if piece.section == ".stack" {
            return STACKS.into();
        }
        if piece.name.starts_with('(') {
            return piece.name.clone();
        }
        if piece.krate == "__rustc" {
            // `#[panic_handler]` and friends are renamed into `__rustc`: the
            // component is the one whose sources declare the attribute.
            let attribute = if piece.name.ends_with("rust_begin_unwind") { "panic_handler" } else { "global_allocator" };
            if let Some((c, _)) = self.sources.iter().find(|(_, dir)| mentions(dir, attribute)) {
                return c.clone();
            }
        }
        if !piece.krate.is_empty() {
            return self.crates.get(&piece.krate).cloned().unwrap_or_else(|| piece.krate.clone());
        }
        if let Some(c) = no_mangle.get(&piece.name).or_else(|| self.macro_defined.get(&piece.name)) {
            return c.clone();
        }
        if let Some((c, _)) = self.c_objects.iter().find(|(_, names)| names.contains(&piece.name)) {
            return c.clone();
        }
        let found = self
            .sources
            .iter()
            .find(|(_, dir)| defines(dir, &piece.name))
            .map(|(c, _)| c.clone())
            .or_else(|| self.archives.iter().find(|(_, names)| names.contains(&piece.name)).map(|(c, _)| c.clone()))
            .unwrap_or_else(|| builtin_or_unknown(&piece.name));
        no_mangle.insert(piece.name.clone(), found.clone());
        found
    }
}

pub(crate) const STACKS: &str = "(stacks)";

/// The functions each `macro_rules!` of `source` defines (`fn name(` in
/// its body), as (macro name, function name).
pub fn macro_functions(source: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in source.lines() {
        let line = line.trim_start();
        if let Some(rest) = line.strip_prefix("macro_rules! ") {
            current = Some(rest.split(|c: char| !(c.is_alphanumeric() || c == '_')).next().unwrap_or("").to_string());
        } else if let (Some(mac), Some(rest)) = (&current, line.strip_prefix("fn ")) {
            let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            if rest[name.len()..].starts_with('(') && !name.is_empty() {
                out.push((mac.clone(), name));
            }
        }
    }
    out
}

/// Whether any `.rs` file under `dir` defines `name`: `fn name` with a body,
/// `static name` with a value, `export_name = "name"`, an assembly label
/// `name:`, or a macro whose first argument is the name of the assembly
/// entry it makes (`fault_entry!("name", …)`). The declarations of an `extern` block (`fn name(…);`, which the
/// fault handlers and the port contract hold for symbols defined elsewhere)
/// do not count.
fn defines(dir: &Path, name: &str) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else { return false };
    entries.flatten().any(|e| {
        let path = e.path();
        if path.is_dir() {
            return defines(&path, name);
        }
        path.extension().is_some_and(|x| x == "rs") && std::fs::read_to_string(&path).is_ok_and(|text| defines_in(&text, name))
    })
}

fn defines_in(text: &str, name: &str) -> bool {
    text.match_indices(name).any(|(i, _)| {
        let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        let (before, after) = (&text[..i], &text[i + name.len()..]);
        if word(before.chars().last()) || word(after.chars().next()) {
            return false;
        }
        let before = before.trim_end_matches(' ');
        if before.ends_with("fn") || before.ends_with("static") {
            return has_body(after);
        }
        let quoted = after.starts_with('"');
        quoted && (before.ends_with("export_name = \"") || before.ends_with("!(\"")) || after.starts_with(':') && !after.starts_with("::")
    })
}

/// Whether the item whose name `after` follows has a body or a value: a `{`
/// or `=` comes before the first `;` outside brackets (`[u8; 4]`).
fn has_body(after: &str) -> bool {
    let mut depth = 0usize;
    for c in after.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            '{' | '=' if depth == 0 => return true,
            ';' if depth == 0 => return false,
            _ => {}
        }
    }
    false
}

/// Whether any `.rs` file under `dir` contains `needle`.
fn mentions(dir: &Path, needle: &str) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else { return false };
    entries.flatten().any(|e| {
        let path = e.path();
        if path.is_dir() {
            mentions(&path, needle)
        } else {
            path.extension().is_some_and(|x| x == "rs") && std::fs::read_to_string(&path).is_ok_and(|t| t.contains(needle))
        }
    })
}

fn builtin_or_unknown(name: &str) -> String {
    const BUILTINS: [&str; 8] = ["__aeabi_", "mem", "__udiv", "__umod", "__div", "__mod", "__mul", "__ashl"];
    if BUILTINS.iter().any(|p| name.starts_with(p)) { "compiler_builtins".into() } else { "(no_mangle)".into() }
}

/// One symbol row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SymbolRow {
    pub name: String,
    pub class: String,
    pub size: u64,
    pub address: u64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
}

/// A module and its symbols.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModuleRow {
    pub name: String,
    #[serde(flatten)]
    pub size: Classes,
    pub symbols: Vec<SymbolRow>,
}

/// A component and its modules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComponentRow {
    pub name: String,
    #[serde(flatten)]
    pub size: Classes,
    #[serde(default)]
    pub modules: Vec<ModuleRow>,
}

/// The whole report; `--json` prints it as is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SizeReport {
    pub elf: PathBuf,
    pub regions: Vec<RegionUse>,
    /// Isolation's regions and what the MPU's or PMP's rules cost each
    /// (empty without isolation).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub isolation: Vec<crate::report::AreaUse>,
    /// The device's models and the image's kernel/model/app split (none
    /// without models).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub models: Option<super::models::ModelsUse>,
    pub total: Classes,
    pub components: Vec<ComponentRow>,
}

impl SizeReport {
    /// Groups the attribution into components; `stack_names` maps stack
    /// symbols (as demangled) to the thread they belong to.
    pub fn new(elf: &Path, attribution: &Attribution, map: &ComponentMap, regions: Vec<RegionUse>) -> SizeReport {
        let mut no_mangle = BTreeMap::new();
        let mut components: BTreeMap<String, BTreeMap<String, ModuleRow>> = BTreeMap::new();
        let mut total = Classes::default();
        let has_thread_stacks = attribution.pieces.iter().any(|p| stack_row(&p.name).is_some());
        for piece in &attribution.pieces {
            let mut component = map.component_of(piece, &mut no_mangle);
            let mut name = piece.name.clone();
            let mut module_name = piece.module.clone();
            if let Some(row) = stack_row(&piece.name) {
                component = STACKS.into();
                module_name = String::new();
                name = row;
            } else if piece.section == ".stack" {
                let shared: &[String] = if has_thread_stacks { &[] } else { &map.boot_stack_threads };
                name = match shared {
                    [] => "boot and interrupt stack".into(),
                    [one] => format!("stack of thread `{one}` (the boot stack)"),
                    many => format!("stack of threads {} (the shared boot stack)", many.iter().map(|t| format!("`{t}`")).collect::<Vec<_>>().join(", ")),
                };
            }
            let module = components.entry(component).or_default().entry(module_name.clone()).or_insert_with(|| {
                ModuleRow { name: module_name, size: Classes::default(), symbols: Vec::new() }
            });
            module.size.add(piece.class, piece.size);
            total.add(piece.class, piece.size);
            module.symbols.push(SymbolRow {
                name,
                class: format!("{:?}", piece.class).to_lowercase(),
                size: piece.size,
                address: piece.address,
                aliases: piece.aliases.clone(),
            });
        }
        let mut components: Vec<ComponentRow> = components
            .into_iter()
            .map(|(name, modules)| {
                let mut modules: Vec<ModuleRow> = modules.into_values().collect();
                let mut size = Classes::default();
                for m in &mut modules {
                    m.symbols.sort_by(|a, b| b.size.cmp(&a.size).then(a.name.cmp(&b.name)));
                    size.text += m.size.text;
                    size.rodata += m.size.rodata;
                    size.data += m.size.data;
                    size.bss += m.size.bss;
                }
                modules.sort_by(|a, b| b.size.sum().cmp(&a.size.sum()).then(a.name.cmp(&b.name)));
                ComponentRow { name, size, modules }
            })
            .collect();
        components.sort_by(|a, b| b.size.sum().cmp(&a.size.sum()).then(a.name.cmp(&b.name)));
        SizeReport { elf: elf.to_path_buf(), regions, isolation: Vec::new(), models: None, total, components }
    }

    /// Every symbol row with its component, largest first.
    pub fn top_symbols(&self, n: usize) -> Vec<(&str, &SymbolRow)> {
        let mut all: Vec<(&str, &SymbolRow)> = self
            .components
            .iter()
            .flat_map(|c| c.modules.iter().flat_map(move |m| m.symbols.iter().map(move |s| (c.name.as_str(), s))))
            .collect();
        all.sort_by(|a, b| b.1.size.cmp(&a.1.size).then(a.1.name.cmp(&b.1.name)));
        all.truncate(n);
        all
    }

    /// The table: regions, the component → module → symbol tree, top symbols.
    pub fn print(&self, out: &mut impl Write, top: usize, depth: usize) -> std::io::Result<()> {
        if !self.regions.is_empty() {
            writeln!(out, "{:<8} {:>10} {:>10} {:>7}", "region", "used", "size", "use")?;
            for r in &self.regions {
                let pct = if r.size == 0 { 0.0 } else { r.used as f64 * 100.0 / r.size as f64 };
                writeln!(out, "{:<8} {:>8} B {:>10} {:>6.2}%", r.name, r.used, crate::validate::human(r.size), pct)?;
            }
            writeln!(out)?;
        }
        if !self.isolation.is_empty() {
            crate::report::print_isolation(out, &self.isolation)?;
            writeln!(out)?;
        }
        if let Some(models) = &self.models {
            super::models::print(out, models)?;
            writeln!(out)?;
        }
        let row = |out: &mut dyn Write, indent: usize, name: &str, c: &Classes| {
            let label = format!("{}{}", "  ".repeat(indent), name);
            writeln!(out, "{:<52} {:>7} {:>7} {:>7} {:>7} {:>8}", truncate(&label, 52), c.text, c.rodata, c.data, c.bss, c.sum())
        };
        writeln!(out, "{:<52} {:>7} {:>7} {:>7} {:>7} {:>8}", "component / module / symbol", "text", "rodata", "data", "bss", "total")?;
        for c in &self.components {
            row(out, 0, &c.name, &c.size)?;
            if depth < 2 {
                continue;
            }
            for m in &c.modules {
                let indent = if m.name.is_empty() { 1 } else {
                    row(out, 1, &format!("{}::", m.name), &m.size)?;
                    2
                };
                if depth < 3 {
                    continue;
                }
                for s in &m.symbols {
                    let mut c = Classes::default();
                    c.add(class_of(&s.class), s.size);
                    row(out, indent, &short_name(&s.name), &c)?;
                }
            }
        }
        row(out, 0, "total", &self.total)?;
        if top > 0 {
            writeln!(out, "\ntop {top} symbols")?;
            for (component, s) in self.top_symbols(top) {
                writeln!(out, "{:>8}  {:<7} {:<18} {}", s.size, s.class, truncate(component, 18), s.name)?;
            }
        }
        Ok(())
    }
}

fn class_of(s: &str) -> super::Class {
    match s {
        "text" => super::Class::Text,
        "data" => super::Class::Data,
        "bss" => super::Class::Bss,
        _ => super::Class::Rodata,
    }
}

fn short_name(name: &str) -> String {
    name.rsplit("::").next().unwrap_or(name).to_string()
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n { s.to_string() } else { format!("{}…", s.chars().take(n - 1).collect::<String>()) }
}

#[cfg(test)]
mod tests {
    use super::{defines_in, macro_functions};

    #[test]
    fn definitions_count_and_extern_declarations_do_not() {
        let declared = "unsafe extern \"Rust\" {\n    safe fn __bluegen_check_stacks();\n    safe fn __bluegen_exit(code: i32) -> !;\n    static __BLUEGEN_X: [u32; 4];\n}\n";
        for name in ["__bluegen_check_stacks", "__bluegen_exit", "__BLUEGEN_X"] {
            assert!(!defines_in(declared, name), "{name}");
        }
        let defined = "#[unsafe(export_name = \"__bluegen_check_stacks\")]\npub fn check_stacks() {}\nfn __bluegen_exit(code: [u8; 2]) -> ! { loop {} }\nstatic __BLUEGEN_X: [u32; 4] = [0; 4];\n    .global Reset\nReset:\nfault_entry!(\"__bluegen_hardfault\", \"__bluegen_hard_fault\");\n";
        for name in ["__bluegen_check_stacks", "__bluegen_exit", "__BLUEGEN_X", "Reset", "__bluegen_hardfault"] {
            assert!(defines_in(defined, name), "{name}");
        }
        assert!(!defines_in("use x::__bluegen_exit;", "__bluegen_exit"));
        // A reference in a vector table macro is not a definition.
        assert!(!defines_in("macro_rules! hardfault { () => { \"__bluegen_hardfault\" }; }", "__bluegen_hardfault"));
    }

    #[test]
    fn the_port_macros_functions_are_found_per_macro() {
        let src = "macro_rules! arch {\n    ($a:ty) => {\n        #[unsafe(no_mangle)]\n        fn __bluegen_port_wait() {}\n    };\n}\nmacro_rules! image {\n    () => {\n        fn __bluegen_exit(code: i32) -> ! { loop {} }\n        fn not_a_fn_item;\n    };\n}\n";
        assert_eq!(
            macro_functions(src),
            [("arch".to_string(), "__bluegen_port_wait".to_string()), ("image".to_string(), "__bluegen_exit".to_string())]
        );
    }
}
