//! Load, for C: `[c]` and the C drivers' tables, their files and the C toolchain.
//!
//! `[c]` holds `sources` and `include` (arrays of paths relative to
//! device.toml) and `defines` (a table of macro names); each string keeps
//! its span. A C driver (`[drivers.<name>]` with `sources`) has the same
//! three, and `kconfig` (its own Kconfig file) and `options` (values of its
//! symbols); each element and entry keeps its span, and a mistake of shape
//! is reported once, at it. What the files hold, the driver's Kconfig file
//! parsed, and whether the board's target has a C toolchain is read here,
//! once, for [`crate::validate`] to judge.

use toml::Spanned;
use toml::de::DeTable;

use super::{Walker, article, in_file_order};

/// The `[c]` table as written.
#[derive(Debug, Default)]
pub struct RawC {
    pub sources: Vec<Spanned<String>>,
    pub include: Vec<Spanned<String>>,
    /// `[c.defines]` in file order: macro name and value.
    pub defines: Vec<(Spanned<String>, Spanned<toml::Value>)>,
}

/// What the files and the machine hold for a device's `[c]`.
#[derive(Debug)]
pub struct CInputs {
    /// Each of `sources`, in order: its text, or why it cannot be read.
    pub sources: Vec<Result<String, String>>,
    /// Each of `include`: whether it is a directory.
    pub include: Vec<bool>,
    /// The board target's C toolchain (none without a board).
    pub toolchain: Option<Result<crate::c::Toolchain, crate::c::Missing>>,
}

pub(super) const C_KEYS: &[&str] = &["sources", "include", "defines"];

impl Walker<'_> {
    pub(super) fn c(&mut self, t: &DeTable<'_>, span: std::ops::Range<usize>) -> Spanned<RawC> {
        let c = RawC { sources: self.strings(t, "c", "sources"), include: self.strings(t, "c", "include"), defines: self.entries(t, "c", "defines") };
        if !t.contains_key("sources") {
            self.missing("c", "sources", span.clone(), "[\"src/main.c\"]");
        }
        Spanned::new(span, c)
    }

    /// An array of strings, each with its span; a non-array or a
    /// non-string element is an error.
    fn strings(&mut self, t: &DeTable<'_>, path: &str, key: &str) -> Vec<Spanned<String>> {
        let Some(v) = t.get(key) else { return Vec::new() };
        let bad = |w: &mut Self, span: std::ops::Range<usize>, why: String| {
            w.errors.push(
                crate::diag::Diagnostic::error(format!("invalid value for `{path}.{key}`"))
                    .at(w.at(span.clone()))
                    .key(format!("{path}.{key}"))
                    .value(w.source.text.get(span).unwrap_or_default().to_string())
                    .why(why)
                    .hint(format!("write it as an array of paths relative to device.toml: `{key} = [\"{}\"]`", if key == "include" { "include" } else { "src/main.c" })),
            );
        };
        let Some(items) = v.get_ref().as_array() else {
            bad(self, v.span(), format!("`{key}` is an array of strings, not {}", article(v.get_ref().type_str())));
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items.iter() {
            match item.get_ref().as_str() {
                Some(s) => out.push(Spanned::new(item.span(), s.to_string())),
                None => bad(self, item.span(), format!("each path is a string, not {}", article(item.get_ref().type_str()))),
            }
        }
        out
    }
}

/// A `[drivers.<name>]` that has `sources` (a C driver), as written: its
/// C table (each path and define with its own span) and its Kconfig
/// options.
#[derive(Debug, Default)]
pub struct RawCDriver {
    pub c: RawC,
    /// `kconfig`: the driver's own Kconfig file, relative to device.toml.
    pub kconfig: Option<Spanned<String>>,
    /// `options` in file order: option key (`resolution-bits`) and value.
    pub options: Vec<(Spanned<String>, Spanned<toml::Value>)>,
}

/// What the files and the machine hold for a C driver.
#[derive(Debug)]
pub struct CDriverInputs {
    pub c: CInputs,
    /// Its Kconfig file, parsed (none without `kconfig`).
    pub kconfig: Option<crate::diag::Result<crate::kconfig::Tree>>,
}

/// The keys of a C driver's table whose values the walker reads itself
/// (each element with its span), not as a whole.
const C_DRIVER_TYPED: &[&str] = &["sources", "include", "defines", "kconfig", "options"];

impl Walker<'_> {
    /// A `[drivers.<name>]` table `t` at `path`: its keys and values in file
    /// order, and for a C driver (one with `sources`) its C table, whose
    /// keys are read element by element there (kept only by name here).
    pub(super) fn driver(&mut self, t: &DeTable<'_>, path: &str) -> (super::RawDriver, Option<RawCDriver>) {
        let c = t.contains_key("sources");
        let keys = in_file_order(t)
            .filter_map(|(k, v)| match c && C_DRIVER_TYPED.contains(&k.get_ref().as_ref()) {
                true => Some((self.key(k), Spanned::new(v.span(), super::to_value(v.get_ref()).unwrap_or(toml::Value::Boolean(false))))),
                false => Some((self.key(k), self.value(v, &format!("{path}.{}", k.get_ref()))?)),
            })
            .collect();
        (keys, c.then(|| self.c_driver(t, path)))
    }

    /// A C driver's table `t` at `path` (`drivers.<name>`): its C table
    /// and options, each mistake of shape reported once, at its element.
    fn c_driver(&mut self, t: &DeTable<'_>, path: &str) -> RawCDriver {
        let mut d = RawCDriver { c: RawC { sources: self.strings(t, path, "sources"), include: self.strings(t, path, "include"), defines: Vec::new() }, ..RawCDriver::default() };
        d.c.defines = self.entries(t, path, "defines");
        d.kconfig = self.string(t, path, "kconfig");
        d.options = self.entries(t, path, "options");
        d
    }

    /// The entries of table `path.key`, each key and value with its span.
    fn entries(&mut self, t: &DeTable<'_>, path: &str, key: &str) -> Vec<(Spanned<String>, Spanned<toml::Value>)> {
        let Some((k, v)) = t.get_key_value(key) else { return Vec::new() };
        let table = format!("{path}.{key}");
        let Some(d) = self.table(k, v, &table, &[]) else { return Vec::new() };
        in_file_order(d).filter_map(|(k, v)| Some((self.key(k), self.value(v, &format!("{table}.{}", k.get_ref()))?))).collect()
    }
}

/// Reads what `[c]` names, relative to the project directory `dir`, and
/// probes the C toolchain of `target`.
pub fn inputs(raw: &RawC, dir: &std::path::Path, target: Option<&str>) -> CInputs {
    let sources = raw
        .sources
        .iter()
        .map(|s| {
            let path = dir.join(s.get_ref());
            if path.is_dir() {
                return Err(format!("{} is a directory, not a C source", path.display()));
            }
            std::fs::read(&path).map(|b| String::from_utf8_lossy(&b).into_owned()).map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => format!("there is no {}", path.display()),
                _ => format!("{} cannot be read: {e}", path.display()),
            })
        })
        .collect();
    let include = raw.include.iter().map(|i| dir.join(i.get_ref()).is_dir()).collect();
    CInputs { sources, include, toolchain: target.map(crate::c::probe) }
}

/// What each C driver of `raw` names, read (taking its C tables out of
/// `raw`), in the order of `raw.drivers`.
pub(super) fn drivers_inputs(raw: &mut super::RawDeviceFile, dir: &std::path::Path, target: Option<&str>) -> Vec<Option<(RawCDriver, CDriverInputs)>> {
    let names: Vec<String> = raw.drivers.iter().map(|(n, _)| n.get_ref().clone()).collect();
    std::mem::take(&mut raw.driver_c)
        .into_iter()
        .zip(names)
        .map(|(d, name)| {
            let d = d?;
            let inputs = driver_inputs(&d, &name, dir, target);
            Some((d, inputs))
        })
        .collect()
}

/// Reads what a C driver names: its C inputs, and its Kconfig file parsed
/// (its symbols the component `driver:<name>`'s).
pub fn driver_inputs(raw: &RawCDriver, name: &str, dir: &std::path::Path, target: Option<&str>) -> CDriverInputs {
    let kconfig = raw.kconfig.as_ref().map(|k| {
        let path = dir.join(k.get_ref());
        if !path.is_file() {
            return Err(crate::diag::Error::msg(format!("there is no file {}", path.display())));
        }
        crate::kconfig::load(&[crate::kconfig::ComponentKconfig { component: format!("driver:{name}"), path }])
    });
    CDriverInputs { c: inputs(&raw.c, dir, target), kconfig }
}
