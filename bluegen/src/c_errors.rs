//! C build errors in bluegen's words: which table's sources failed, and C functions the preprocessor dropped.
//!
//! A failed compile: the image's build script compiles every archive and
//! names each one that fails (`bluegen-c-failed <archive>` on stderr);
//! [`CFailure`] turns that into one error per archive, at the table of
//! device.toml that lists its sources — `[c]`, or the C driver's
//! `[drivers.<name>]` — with the files GCC found errors in.
//!
//! A failed link: before the build, bluegen reads the C sources as text
//! (`c-entry`, `c-handler` must name a function a source defines), without
//! running the preprocessor (it drops only `#if 0` branches): a definition
//! in an `#ifdef` branch the defines do not take passes that check, and the image's link
//! then fails with the linker's raw "undefined symbol". So when the link
//! fails, the archives the image's build script compiled
//! (`libbluegen_c.a`, each `libbluegen_drv_<name>.a`, in its `OUT_DIR`)
//! are read ([`compiled_functions`]): each named function that none
//! defines as a global becomes an error at its key ([`missing`]), in
//! place of the linker's message.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use object::read::archive::ArchiveFile;
use object::{Object, ObjectSymbol, SymbolKind};

use crate::diag::{Diagnostic, Error};
use crate::model::Device;
use crate::resolve::Plan;

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
                .why(format!("a source writes a definition of `{name}`, but the compiler did not get it: it sits in an `#ifdef` whose macro is not defined, or in another preprocessor branch not taken, so no object of the image defines it and the link fails"))
                .hint("make the definition reach the compiler (look at the `#if` around it and at the `defines` of [c] and of the C drivers), or name a function that is compiled")
        })
        .collect();
    crate::diag::in_line_order(&mut out, &device.manifest);
    out
}

/// A failed C build, as the image's build script reported it.
#[derive(Debug, Default)]
pub struct CFailure {
    /// The build script failed.
    pub failed: bool,
    /// The archives that did not compile (`bluegen_c`, `bluegen_drv_<name>`).
    pub archives: Vec<String>,
    /// GCC's `file:line:col: error:` lines.
    pub gcc_errors: Vec<String>,
}

impl CFailure {
    /// One error per archive that did not compile, at the table of
    /// device.toml that lists its sources: `[c]`, or the C driver's
    /// `[drivers.<name>]`, with the sources GCC found errors in.
    pub fn error(&self, plan: &Plan, image_dir: &Path) -> Error {
        let c = plan.device.c.as_ref();
        let gcc = c.map_or("the C compiler", |c| c.toolchain.gcc.as_str());
        let note = format!("the image's build script compiles what {} lists", image_dir.join("c-build.txt").display());
        let with_errors = |sources: &[PathBuf]| -> Vec<String> {
            sources
                .iter()
                .filter(|s| self.gcc_errors.iter().any(|l| l.contains(&format!("{}:", s.display()))))
                .map(|s| s.file_name().map_or_else(|| s.display().to_string(), |n| n.to_string_lossy().into_owned()))
                .collect()
        };
        let app = || {
            let d = Diagnostic::error("the C sources did not compile").at(c.and_then(|c| c.at.clone())).key("c.sources").why(format!("{gcc} reported the errors above"));
            let files = c.map(|c| with_errors(&c.sources)).unwrap_or_default();
            if files.is_empty() { d } else { d.note(format!("errors in {}", files.join(", "))) }.note(note.clone())
        };
        let mut diagnostics: Vec<Diagnostic> = Vec::new();
        for archive in &self.archives {
            let driver = archive.strip_prefix("bluegen_drv_").and_then(|name| plan.device.c_drivers.iter().find(|d| d.name == name));
            diagnostics.push(match driver {
                Some(d) => {
                    let files = with_errors(&d.sources);
                    let e = Diagnostic::error(format!("the C sources of driver `{}` did not compile", d.name))
                        .at(d.at.clone())
                        .key(format!("drivers.{}.sources", d.name))
                        .why(format!("{gcc} reported the errors above, compiling [drivers.{}]'s sources with its include directories and defines", d.name));
                    if files.is_empty() { e } else { e.note(format!("errors in {}", files.join(", "))) }.note(note.clone())
                }
                None => app(),
            });
        }
        if diagnostics.is_empty() {
            diagnostics.push(app());
        }
        Error { diagnostics }
    }
}
