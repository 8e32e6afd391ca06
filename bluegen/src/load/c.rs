//! Load, for C apps: device.toml's `[c]` table, its source files and the C toolchain.
//!
//! `[c]` holds `sources` and `include` (arrays of paths relative to
//! device.toml) and `defines` (a table of macro names); each string keeps
//! its span. What the files hold and whether the board's target has a C
//! toolchain is read here, once, for [`crate::validate`] to judge.

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
        let mut c = RawC { sources: self.strings(t, "c", "sources"), include: self.strings(t, "c", "include"), defines: Vec::new() };
        if let Some((k, v)) = t.get_key_value("defines") {
            if let Some(d) = self.table(k, v, "c.defines", &[]) {
                c.defines = in_file_order(d).filter_map(|(k, v)| Some((self.key(k), self.value(v, &format!("c.defines.{}", k.get_ref()))?))).collect();
            }
        }
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
                    .hint(format!("write it as an array of paths relative to device.toml: `{key} = [\"src/main.c\"]`")),
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

/// The C table of a `[drivers.<name>]` that has `sources` (a C driver):
/// its `sources`, `include` and `defines`, each string with the span of
/// the key's value (the table's values are kept whole). A value of the
/// wrong shape is left out here; validation names it.
pub fn driver(keys: &super::RawDriver) -> Option<RawC> {
    let get = |k: &str| keys.iter().find(|(key, _)| key.get_ref() == k).map(|(_, v)| v);
    let strings = |k: &str| -> Vec<Spanned<String>> {
        let Some(v) = get(k) else { return Vec::new() };
        v.get_ref().as_array().map_or_else(Vec::new, |a| a.iter().filter_map(|x| x.as_str()).map(|x| Spanned::new(v.span(), x.to_string())).collect())
    };
    get("sources")?;
    let defines = get("defines").and_then(|v| v.get_ref().as_table().map(|t| (v.span(), t))).map_or_else(Vec::new, |(span, t)| {
        t.iter().map(|(k, x)| (Spanned::new(span.clone(), k.clone()), Spanned::new(span.clone(), x.clone()))).collect()
    });
    Some(RawC { sources: strings("sources"), include: strings("include"), defines })
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
