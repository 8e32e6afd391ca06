//! Presets: named `[features]` tables in `configs/`, inherited in order.
//!
//! A preset may `inherit = ["a", "b"]`: a's values apply first, then b's, then
//! the preset's own, then the device's. Inheriting a preset twice, directly or
//! through others, and cycles are errors that name the chain.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use crate::diag::{Diagnostic, Error, Location, Result, Source};
use crate::kconfig::{Assignment, Origin};
use crate::load::parse;
use crate::root::Root;
use crate::schema::{Kind, Schema, opt, req};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawPreset {
    #[allow(dead_code)]
    description: String,
    #[serde(default)]
    inherit: Vec<Spanned<String>>,
    #[serde(default)]
    features: BTreeMap<Spanned<String>, Spanned<toml::Value>>,
}

/// The keys of a preset file (see [`RawPreset`]).
const SCHEMA: Schema = &[req("description", Kind::Str), opt("inherit", Kind::StrArray), opt("features", Kind::AnyTable)];

/// A preset's one-line description, for listings.
pub fn description(root: &Root, name: &str) -> Result<String> {
    let source = Source::read(&root.configs().join(format!("{name}.toml")))?;
    Ok(parse::<RawPreset>(&source, "preset", SCHEMA)?.description)
}

/// The assignments of preset `name` and everything it inherits, in the order
/// they apply. `used_at` is where the device (or a preset) named it.
/// `key` is what named it, for messages: `device.preset` or `--preset`.
pub fn assignments(root: &Root, name: &str, used_at: Option<Location>, key: &str) -> Result<Vec<Assignment>> {
    let (out, mistakes) = assignments_and_mistakes(root, name, used_at, key);
    if mistakes.is_empty() { Ok(out) } else { Err(Error { diagnostics: mistakes }) }
}

/// [`assignments`] that goes on past a broken `inherit`: the assignments of
/// every preset that could be read, and the mistakes of the others, so that
/// the features of the rest are checked in the same run.
pub fn assignments_and_mistakes(root: &Root, name: &str, used_at: Option<Location>, key: &str) -> (Vec<Assignment>, Vec<Diagnostic>) {
    let mut out = Vec::new();
    let mut seen = Vec::new();
    let mistakes = collect(root, name, used_at, key, &mut Vec::new(), &mut seen, &mut out).err().map(|e| e.diagnostics).unwrap_or_default();
    (out, mistakes)
}

fn collect(
    root: &Root,
    name: &str,
    used_at: Option<Location>,
    key: &str,
    chain: &mut Vec<String>,
    seen: &mut Vec<(String, Vec<String>)>,
    out: &mut Vec<Assignment>,
) -> Result<()> {
    let path_of = |chain: &[String], name: &str| {
        chain.iter().map(String::as_str).chain([name]).collect::<Vec<_>>().join(" → ")
    };
    if chain.iter().any(|c| c == name) {
        return Err(Diagnostic::error(format!("preset `{name}` inherits itself"))
            .at(used_at)
            .why(format!("inheritance cycle: {}", path_of(chain, name)))
            .hint("remove one of the `inherit` entries in this cycle")
            .into());
    }
    if let Some((_, first)) = seen.iter().find(|(n, _)| n == name) {
        return Err(Diagnostic::error(format!("preset `{name}` is inherited twice"))
            .at(used_at)
            .why(format!("first through {}, again through {}", first.join(" → "), path_of(chain, name)))
            .hint("inherit it in one place only; values would otherwise apply twice in an order no one can see")
            .into());
    }
    let path = Root::data_file(&root.configs(), name).map_err(|why| {
        let known = Root::data_names(&root.configs());
        Diagnostic::error(format!("unknown preset `{name}`"))
            .at(used_at.clone())
            .key(if chain.is_empty() { key.to_string() } else { "inherit".to_string() })
            .value(format!("{name:?}"))
            .why(why)
            .hint(Root::closest(name, &known, "preset"))
    })?;
    let mut here = chain.clone();
    here.push(name.to_string());
    seen.push((name.to_string(), here.clone()));
    let source = Source::read(&path)?;
    let raw: RawPreset = parse(&source, "preset", SCHEMA)?;
    let mut mistakes = Vec::new();
    for parent in &raw.inherit {
        if let Err(e) = collect(root, parent.get_ref(), Some(source.location(parent.span())), key, &mut here.clone(), seen, out) {
            mistakes.extend(e.diagnostics);
        }
    }
    out.extend(raw.features.iter().map(|(key, value)| Assignment {
        key: key.get_ref().clone(),
        value: value.get_ref().clone(),
        origin: Origin::Preset(name.to_string()),
        location: Some(source.location(key.span())),
    }));
    if mistakes.is_empty() { Ok(()) } else { Err(Error { diagnostics: mistakes }) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root_with(presets: &[(&str, &str)]) -> (tempfile::TempDir, Root) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("configs")).unwrap();
        for (name, text) in presets {
            std::fs::write(dir.path().join("configs").join(format!("{name}.toml")), text).unwrap();
        }
        let root = Root { dir: dir.path().to_path_buf() };
        (dir, root)
    }

    #[test]
    fn inherits_in_order() {
        let (_d, root) = root_with(&[
            ("a", "description = \"a\"\n[features]\nx = 1\n"),
            ("b", "description = \"b\"\ninherit = [\"a\"]\n[features]\nx = 2\ny = true\n"),
        ]);
        let got: Vec<_> = assignments(&root, "b", None, "device.preset").unwrap().into_iter().map(|a| (a.key, a.value.to_string())).collect();
        assert_eq!(got, [("x".into(), "1".into()), ("x".into(), "2".into()), ("y".into(), "true".into())]);
    }

    #[test]
    fn cycle_names_the_chain() {
        let (_d, root) = root_with(&[
            ("a", "description = \"a\"\ninherit = [\"b\"]\n"),
            ("b", "description = \"b\"\ninherit = [\"a\"]\n"),
        ]);
        let text = crate::diag::render(&assignments(&root, "a", None, "device.preset").unwrap_err().diagnostics);
        assert!(text.contains("inheritance cycle: a → b → a"), "{text}");
    }

    #[test]
    fn diamond_is_an_error() {
        let (_d, root) = root_with(&[
            ("base", "description = \"x\"\n"),
            ("l", "description = \"x\"\ninherit = [\"base\"]\n"),
            ("r", "description = \"x\"\ninherit = [\"base\"]\n"),
            ("top", "description = \"x\"\ninherit = [\"l\", \"r\"]\n"),
        ]);
        let text = crate::diag::render(&assignments(&root, "top", None, "device.preset").unwrap_err().diagnostics);
        assert!(text.contains("first through top → l → base, again through top → r → base"), "{text}");
    }
}
