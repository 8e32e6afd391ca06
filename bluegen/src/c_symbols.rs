//! C symbols: the functions device.toml names in C, checked against the compiled objects.
//!
//! Before the build, bluegen reads the C sources as text (`c-entry`,
//! `c-handler` must name a function a source defines), without running the
//! preprocessor: a definition under `#if 0`, or in an `#ifdef` branch the
//! defines do not take, passes that check, and the image's link then fails
//! with the linker's raw "undefined symbol". So when a build fails, the
//! archives the image's build script compiled (`libbluegen_c.a`, each
//! `libbluegen_drv_<name>.a`, in its `OUT_DIR`) are read: each named
//! function that none defines as a global becomes an error at its key in
//! device.toml, in place of the linker's message.

use std::collections::BTreeSet;
use std::path::Path;

use object::read::archive::ArchiveFile;
use object::{Object, ObjectSymbol, SymbolKind};

use crate::diag::Diagnostic;
use crate::model::Device;

/// The global functions the C archives in `out_dir` (the image build
/// script's output directory) define; `None` when it holds none.
pub fn compiled_functions(out_dir: &Path) -> Option<BTreeSet<String>> {
    let mut found = None;
    for entry in std::fs::read_dir(out_dir).ok()?.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !(name == "libbluegen_c.a" || (name.starts_with("libbluegen_drv_") && name.ends_with(".a"))) {
            continue;
        }
        let Ok(data) = std::fs::read(entry.path()) else { continue };
        let Ok(archive) = ArchiveFile::parse(&*data) else { continue };
        let set = found.get_or_insert_with(BTreeSet::new);
        for member in archive.members().flatten() {
            let Ok(file) = member.data(&*data).and_then(object::File::parse) else { continue };
            set.extend(file.symbols().filter(|s| s.is_definition() && s.is_global() && s.kind() == SymbolKind::Text).filter_map(|s| s.name().ok().map(str::to_string)));
        }
    }
    found
}

/// An error for each `c-entry` and `c-handler` of `device` that `defined`
/// (the compiled C's global functions) lacks, at its key, in line order.
pub fn missing(device: &Device, defined: &BTreeSet<String>) -> Vec<Diagnostic> {
    let threads = device.threads.iter().filter(|t| t.c).map(|t| (format!("threads.{}.c-entry", t.name), &t.entry, &t.entry_at));
    let handlers = device.interrupts.iter().filter(|i| i.c).map(|i| (format!("interrupts.{}.c-handler", i.name), &i.handler, &i.handler_at));
    let mut out: Vec<Diagnostic> = threads
        .chain(handlers)
        .filter(|(_, name, _)| !defined.contains(name.as_str()))
        .map(|(key, name, at)| {
            Diagnostic::error(format!("C function `{name}` is not in the compiled C"))
                .at(at.clone())
                .key(key)
                .value(format!("\"{name}\""))
                .why(format!("a source writes a definition of `{name}`, but the compiler did not get it: it sits under `#if 0`, in an `#ifdef` whose macro is not defined, or in another preprocessor branch not taken, so no object of the image defines it and the link fails"))
                .hint("make the definition reach the compiler (look at the `#if` around it and at the `defines` of [c] and of the C drivers), or name a function that is compiled")
        })
        .collect();
    crate::diag::in_line_order(&mut out, &device.manifest);
    out
}
