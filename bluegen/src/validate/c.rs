//! C apps: `[c]` and the threads' `c-entry` checked against the files and the toolchain.
//!
//! Each source exists and is C or assembly, each include directory exists,
//! each define is a C identifier with an integer, string or `true` value,
//! the board's target has its C toolchain installed (or the error says the
//! `apt-get` line that installs it), and each `c-entry` names a function
//! that one of the sources defines.

use toml::Spanned;

use crate::diag::{Diagnostic, Location};
use crate::load::Loaded;
use crate::model::CApp;

use super::bad_value;

/// Extensions the image's build script compiles.
const SOURCE_EXTENSIONS: &[&str] = &["c", "s", "S"];

/// The device's C code, when `[c]` is all right; each mistake goes to `errors`.
pub(super) fn validate(loaded: &Loaded, errors: &mut Vec<Diagnostic>) -> Option<CApp> {
    let (raw, inputs) = (loaded.raw.c.as_ref()?, loaded.c.as_ref()?);
    let c_at = Some(loaded.source.location(raw.span()));
    let (sources, include, defines, toolchain) = code(loaded, raw.get_ref(), inputs, "c", c_at.clone(), errors)?;
    Some(CApp { sources, include, defines, toolchain, at: c_at })
}

/// C sources, include directories, defines and the toolchain of a table
/// (`c`, or a C driver's `drivers.<name>`), when all are right; each
/// mistake goes to `errors`.
pub(super) fn code(loaded: &Loaded, raw_c: &crate::load::RawC, inputs: &crate::load::CInputs, table: &str, c_at: Option<Location>, errors: &mut Vec<Diagnostic>) -> Option<CCode> {
    let source = &loaded.source;
    let before = errors.len();
    let at = |span: std::ops::Range<usize>| Some(source.location(span));
    let header = format!("[{table}]");

    let string = |s: &Spanned<String>| format!("\"{}\"", s.get_ref());
    for (s, read) in raw_c.sources.iter().zip(&inputs.sources) {
        let ext = std::path::Path::new(s.get_ref()).extension().and_then(|e| e.to_str()).unwrap_or("");
        if let Err(why) = read {
            errors.push(
                Diagnostic::error(format!("C source `{}` cannot be used", s.get_ref()))
                    .at(at(s.span()))
                    .key(format!("{table}.sources"))
                    .value(string(s))
                    .why(why.clone())
                    .hint(format!("paths in {header} are relative to the directory of device.toml")),
            );
        } else if !SOURCE_EXTENSIONS.contains(&ext) {
            errors.push(
                Diagnostic::error(format!("`{}` is not a C or assembly source", s.get_ref()))
                    .at(at(s.span()))
                    .key(format!("{table}.sources"))
                    .value(string(s))
                    .why("the image's build script compiles `.c`, `.s` and `.S` files; headers are found through `include`")
                    .hint("list the .c files in `sources` and their directories of headers in `include`"),
            );
        }
    }
    if raw_c.sources.is_empty() && errors.len() == before && loaded.parse_errors.is_empty() {
        errors.push(
            Diagnostic::error(format!("{header} lists no source"))
                .at(c_at.clone())
                .key(format!("{table}.sources"))
                .why("the C code is made of the files in `sources`")
                .hint(if table == "c" { "add `sources = [\"src/main.c\"]`, or remove [c] for a Rust-only device".to_string() } else { format!("add `sources = [\"driver/{0}.c\"]` to {header}", table.trim_start_matches("drivers.")) }),
        );
    }
    for (dir, is_dir) in raw_c.include.iter().zip(&inputs.include) {
        if !is_dir {
            errors.push(
                Diagnostic::error(format!("include directory `{}` does not exist", dir.get_ref()))
                    .at(at(dir.span()))
                    .key(format!("{table}.include"))
                    .value(string(dir))
                    .why(format!("there is no directory {}", loaded.dir.join(dir.get_ref()).display()))
                    .hint(format!("paths in {header} are relative to the directory of device.toml")),
            );
        }
    }
    let mut defines = Vec::new();
    for (name, value) in &raw_c.defines {
        let key = format!("{table}.defines.{}", name.get_ref());
        if !crate::c::is_identifier(name.get_ref()) {
            errors.push(
                Diagnostic::error(format!("invalid define name `{}`", name.get_ref()))
                    .at(at(name.span()))
                    .key(key.clone())
                    .why("a macro name is a C identifier: letters, digits and `_`, not starting with a digit")
                    .hint(format!("try `{}`", name.get_ref().replace(|c: char| !c.is_ascii_alphanumeric(), "_").trim_start_matches(|c: char| c.is_ascii_digit()))),
            );
            continue;
        }
        if let Some(why) = generated_macro(name.get_ref(), &c_driver_names(loaded)) {
            errors.push(
                Diagnostic::error(format!("define `{}` shadows a macro bluegen generates", name.get_ref()))
                    .at(at(name.span()))
                    .key(key.clone())
                    .value(source.text.get(value.span()).unwrap_or_default().to_string())
                    .why(why)
                    .hint(format!("give the macro a name of its own, such as `{}`", own_name(name.get_ref()))),
            );
            continue;
        }
        let text = match value.get_ref() {
            toml::Value::Integer(n) => Some(Some(n.to_string())),
            toml::Value::String(s) if !s.contains('\n') => Some(Some(s.clone())),
            toml::Value::Boolean(true) => Some(None),
            _ => None,
        };
        match text {
            Some(v) => defines.push((name.get_ref().clone(), v)),
            None => errors.push(
                bad_value(source, value, &key, "a define's value is an integer, a string (the macro's text, on one line) or `true` (defined without a value)".into())
                    .hint(format!("write `{} = 1`, or `{} = \"\\\"text\\\"\"` for a C string", name.get_ref(), name.get_ref())),
            ),
        }
    }
    let toolchain = match &inputs.toolchain {
        Some(Ok(t)) => Some(t.clone()),
        Some(Err(missing)) => {
            let d = Diagnostic::error("the C toolchain of this board is not installed")
                .at(c_at.clone())
                .key(table.to_string())
                .why(format!("{}; the device's C sources need it", missing.why));
            errors.push(match &missing.install {
                Some(install) => d.hint(format!("install it with:\n\n    {install}\n")),
                None => d.hint(format!("remove {header}, or use a board whose target has a C toolchain (Cortex-M, RISC-V or AArch64)")),
            });
            None
        }
        None => None,
    };
    let toolchain = toolchain?;
    (errors.len() == before).then(|| {
        (
            raw_c.sources.iter().map(|s| loaded.dir.join(s.get_ref())).collect(),
            raw_c.include.iter().map(|s| loaded.dir.join(s.get_ref())).collect(),
            defines,
            toolchain,
        )
    })
}

/// Sources, include directories, defines, toolchain.
pub(super) type CCode = (Vec<std::path::PathBuf>, Vec<std::path::PathBuf>, Vec<(String, Option<String>)>, crate::c::Toolchain);

/// Why thread `thread`'s `c-entry = "<entry>"` (at `entry_at`) cannot run.
pub(super) fn entry_problem(loaded: &Loaded, thread: &str, entry: &Spanned<String>) -> Option<Diagnostic> {
    let at: Option<Location> = Some(loaded.source.location(entry.span()));
    let name = entry.get_ref();
    let d = |message: String| Diagnostic::error(message).at(at.clone()).key(format!("threads.{thread}.c-entry")).value(format!("\"{name}\""));
    let (Some(raw), Some(inputs)) = (loaded.raw.c.as_ref(), loaded.c.as_ref()) else {
        return Some(
            d(format!("thread `{thread}` runs C function `{name}`, but the device has no C sources"))
                .why("`c-entry` names a function of the sources listed in [c]")
                .hint("add a [c] table:\n\n    [c]\n    sources = [\"src/main.c\"]\n\nor use `entry` for a Rust function of the app crate"),
        );
    };
    if !crate::c::is_identifier(name) {
        return Some(d(format!("invalid C function name `{name}`")).why("a C function's name is an identifier: letters, digits and `_`, not starting with a digit"));
    }
    let texts: Vec<&String> = inputs.sources.iter().filter_map(|s| s.as_ref().ok()).collect();
    if texts.len() < inputs.sources.len() || texts.iter().any(|t| crate::c::defines_function(t, name)) {
        return None; // an unreadable source has its own error
    }
    let listed = raw.get_ref().sources.iter().map(|s| format!("`{}`", s.get_ref())).collect::<Vec<_>>().join(", ");
    let dead = texts.iter().any(|t| crate::c::defines_only_under_if_zero(t, name));
    let d = d(format!("no C source defines `{name}`")).why(format!("`c-entry` names a function defined in [c]'s sources ({listed})"));
    Some(
        if dead { d.note(format!("a source defines `{name}` under `#if 0`, which the compiler drops")) } else { d }
            .hint(if name == "main" { "define `int main(void)` in one of them".to_string() } else { format!("define `void {name}(void)` (not `static`) in one of them, or add the file that does to `sources`") }),
    )
}

/// The names of the device's C drivers (`[drivers.<name>]` with `sources`).
pub(super) fn c_driver_names(loaded: &Loaded) -> Vec<&str> {
    loaded.raw.drivers.iter().zip(&loaded.driver_c).filter(|(_, c)| c.is_some()).map(|((n, _), _)| n.get_ref().as_str()).collect()
}

/// Why macro `name` is bluegen's: the `BLUEGEN_` macros (the kernel's
/// feature macros, `BLUEGEN_IRQ_<NAME>`), and for each C driver `<NAME>`
/// its peripheral's `<NAME>_BASE`, `<NAME>_SIZE`, `<NAME>_CLOCK_HZ` and
/// `<NAME>_IRQ_<SOURCE>`, and its options' `<NAME>_CONFIG_<OPTION>`.
/// A define of the same name would redefine it for every file that sees
/// both, or hide it.
pub(crate) fn generated_macro(name: &str, c_drivers: &[&str]) -> Option<String> {
    if name.starts_with("BLUEGEN_") || name == "BLUEGEN" {
        return Some("bluegen defines the `BLUEGEN_` macros for every C file of the image (the kernel's feature macros such as BLUEGEN_MUTEX, each interrupt's BLUEGEN_IRQ_<NAME>)".to_string());
    }
    for driver in c_drivers {
        let upper = driver.to_uppercase();
        let Some(rest) = name.strip_prefix(&upper).and_then(|r| r.strip_prefix('_')) else { continue };
        let what = match rest {
            "BASE" => "its peripheral's register address",
            "CLOCK_HZ" => "its peripheral's clock",
            "SIZE" => "its peripheral's register block size",
            r if r.starts_with("IRQ_") => "its peripheral's interrupt numbers",
            r if r.starts_with("CONFIG_") => "the values of its Kconfig options",
            _ => continue,
        };
        return Some(format!("bluegen defines {upper}_BASE, {upper}_SIZE, {upper}_CLOCK_HZ, {upper}_IRQ_<SOURCE> and {upper}_CONFIG_<OPTION> for C driver `{driver}` ({what}), from the board's data and the driver's options"));
    }
    None
}

/// A name for a macro that shadows bluegen's: `TMP105_BASE` → `TMP105_MY_BASE`.
fn own_name(name: &str) -> String {
    match name.split_once('_') {
        Some((head, tail)) if head != "BLUEGEN" => format!("{head}_MY_{tail}"),
        _ => format!("MY_{}", name.trim_start_matches("BLUEGEN_")),
    }
}
