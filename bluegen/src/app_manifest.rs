//! App manifest: the component features an app's Cargo.toml chooses, which only device.toml may.
//!
//! Cargo unifies the features every dependent asks of a crate, so a
//! `features = ["queue"]` on the app's kernel dependency would build the
//! queue into the image whatever device.toml says. [`component_dependencies`]
//! finds each such choice in the app's Cargo.toml, with its span (on a
//! dependency in `[dependencies]` or `[target.*.dependencies]`, and
//! `"bluegen-kernel/queue"` in the app's own `[features]`), and the names by
//! which the app's code reaches the kernel; [`FeatureRequest::diagnostic`]
//! refuses each at its line.

use std::path::Path;

use toml::de::DeTable;

use crate::diag::{Diagnostic, Location, Source};
use crate::load::in_file_order;
use crate::root::Root;

/// A place in the app's Cargo.toml that chooses a component's cargo
/// features: `features = [...]` or `default-features` on the dependency, or
/// a `"bluegen-kernel/queue"` in its own `[features]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeatureRequest {
    /// The component's package, `bluegen-kernel`.
    pub package: String,
    /// The key as a path, `dependencies.bluegen-kernel.features`.
    pub key: String,
    /// The value as written.
    pub value: String,
    /// The features it names (none for `default-features`).
    pub features: Vec<String>,
    pub location: Location,
}

impl FeatureRequest {
    /// The app's Cargo.toml chose a component's cargo features: only
    /// device.toml may, or cargo would add them to the image's build behind
    /// device.toml's back.
    pub fn diagnostic(&self) -> Diagnostic {
        let r = self;
        let set = |fs: &[String]| fs.iter().map(|f| format!("features.{f} = true")).collect::<Vec<_>>().join(" and ");
        let what = r.key.rsplit('.').next().unwrap_or_default();
        let hint = match what {
            "default-features" | "default_features" => format!("remove `{what} = {}`: components have no default features, device.toml chooses them all", r.value),
            _ if r.features.is_empty() => format!("remove `{what} = {}`; choose kernel features in device.toml's [features]", r.value),
            _ if r.key.starts_with("features.") => format!("remove {} from the app's [features], and set {} in device.toml", r.value, set(&r.features)),
            _ => format!("remove `{what} = {}` from the dependency, and set {} in device.toml", r.value, set(&r.features)),
        };
        Diagnostic::error(format!("the app's Cargo.toml chooses cargo features of `{}`", r.package))
            .at(Some(r.location.clone()))
            .key(r.key.clone())
            .value(r.value.clone())
            .why(if r.features.is_empty() {
                "device.toml (with its preset and board) is the only place kernel features are chosen; components have no default features to turn off".to_string()
            } else {
                "device.toml (with its preset and board) is the only place kernel features are chosen: cargo would add these to the image's build whatever device.toml says".to_string()
            })
            .hint(hint)
    }
}

/// The package names of bluegen's components (`bluegen-kernel`, …).
pub fn component_packages(root: &Root) -> Vec<String> {
    component_dirs(root).into_iter().map(|(package, _)| package).collect()
}

/// Each component's package name and directory.
fn component_dirs(root: &Root) -> Vec<(String, std::path::PathBuf)> {
    Root::data_dirs(&root.components())
        .into_iter()
        .filter_map(|name| {
            let dir = root.components().join(name);
            let text = std::fs::read_to_string(dir.join("Cargo.toml")).ok()?;
            Some((text.parse::<toml::Table>().ok()?.get("package")?.get("name")?.as_str()?.to_string(), dir))
        })
        .collect()
}

/// The dependency tables of a Cargo.toml: `[<kind>]` of each of `kinds`,
/// then each `[target.'cfg(…)'.dependencies]`, with their table paths.
fn dependency_tables<'a, 'i>(doc: &'a DeTable<'i>, kinds: &[&str]) -> Vec<(String, &'a DeTable<'i>)> {
    let mut tables = Vec::new();
    for kind in kinds {
        if let Some(t) = doc.get(*kind).and_then(|t| t.get_ref().as_table()) {
            tables.push((kind.to_string(), t));
        }
    }
    if let Some(targets) = doc.get("target").and_then(|t| t.get_ref().as_table()) {
        for (cfg, t) in targets.iter() {
            if let Some(deps) = t.get_ref().as_table().and_then(|t| t.get("dependencies")).and_then(|d| d.get_ref().as_table()) {
                tables.push((format!("target.{}.dependencies", toml_key(cfg.get_ref())), deps));
            }
        }
    }
    tables
}

/// The app's Cargo.toml's choices of component features, and the names by
/// which its code reaches the kernel (`bluegen_kernel`, or a rename).
pub fn component_dependencies(manifest: &Source, components: &[String]) -> (Vec<FeatureRequest>, Vec<String>) {
    let Ok(doc) = DeTable::parse(&manifest.text) else { return (Vec::new(), Vec::new()) };
    let doc = doc.get_ref();
    let text = |span: std::ops::Range<usize>| manifest.text.get(span).unwrap_or_default().to_string();
    let mut requests = Vec::new();
    let mut watch = Vec::new();
    let tables = dependency_tables(doc, &["dependencies", "build-dependencies", "dev-dependencies"]);
    // A dependency key → its component package, for `[features]`' `dep/feature`.
    let mut keys: Vec<(String, String)> = Vec::new();
    for (table, deps) in &tables {
        for (key, value) in in_file_order(deps) {
            let package = value.get_ref().as_table().and_then(|t| t.get("package")).and_then(|p| p.get_ref().as_str()).unwrap_or(key.get_ref()).to_string();
            if !components.contains(&package) {
                continue;
            }
            keys.push((key.get_ref().to_string(), package.clone()));
            if package == "bluegen-kernel" && (table == "dependencies" || table.starts_with("target.")) {
                watch.push(key.get_ref().replace('-', "_"));
            }
            let Some(t) = value.get_ref().as_table() else { continue };
            for (k, v) in in_file_order(t) {
                let name = k.get_ref().as_ref();
                if !["features", "default-features", "default_features"].contains(&name) {
                    continue;
                }
                let features = v.get_ref().as_array().map_or_else(Vec::new, |a| a.iter().filter_map(|f| f.get_ref().as_str().map(str::to_string)).collect());
                requests.push(FeatureRequest {
                    package: package.clone(),
                    key: format!("{table}.{}.{name}", toml_key(key.get_ref())),
                    value: text(v.span()),
                    features,
                    location: manifest.location(k.span()),
                });
            }
        }
    }
    // `[features] x = ["bluegen-kernel/queue"]` enables the kernel's too.
    if let Some(features) = doc.get("features").and_then(|f| f.get_ref().as_table()) {
        for (name, list) in in_file_order(features) {
            for entry in list.get_ref().as_array().into_iter().flat_map(|a| a.iter()) {
                let Some(s) = entry.get_ref().as_str() else { continue };
                let Some((dep, feature)) = s.split_once('/') else { continue };
                let Some((_, package)) = keys.iter().find(|(k, _)| k == dep.trim_end_matches('?')) else { continue };
                requests.push(FeatureRequest {
                    package: package.clone(),
                    key: format!("features.{}", toml_key(name.get_ref())),
                    value: text(entry.span()),
                    features: vec![feature.to_string()],
                    location: manifest.location(entry.span()),
                });
            }
        }
    }
    (requests, watch)
}

/// A TOML key as written in a dotted path: bare when it can be.
fn toml_key(key: &str) -> String {
    if !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') { key.to_string() } else { format!("{key:?}") }
}

/// The app's absolute path dependencies on components (what `bluegen new`
/// writes) that are not this bluegen's: a project made by another bluegen,
/// whose kernel sits in another data directory, where cargo would build two
/// kernels, or find none. Each is an error at its `path`. A relative path
/// is the project's own layout (the examples of a checkout) and left to
/// cargo.
pub fn foreign_components(manifest: &Source, app_dir: &Path, root: &Root) -> Vec<crate::diag::Diagnostic> {
    let Ok(doc) = DeTable::parse(&manifest.text) else { return Vec::new() };
    let doc = doc.get_ref();
    let ours = component_dirs(root);
    let mut errors = Vec::new();
    for (table, deps) in dependency_tables(doc, &["dependencies"]) {
        for (key, value) in in_file_order(deps) {
            let Some(t) = value.get_ref().as_table() else { continue };
            let package = t.get("package").and_then(|p| p.get_ref().as_str()).unwrap_or(key.get_ref());
            let (Some((_, expected)), Some(path)) = (ours.iter().find(|(name, _)| name == package), t.get("path")) else { continue };
            let Some(written) = path.get_ref().as_str().filter(|p| Path::new(p).is_absolute()) else { continue };
            let found = app_dir.join(written);
            let same = match (found.canonicalize(), expected.canonicalize()) {
                (Ok(a), Ok(b)) => a == b,
                _ => false,
            };
            if same {
                continue;
            }
            let what = if found.join("Cargo.toml").is_file() { "another kernel's copy" } else { "no crate" };
            errors.push(
                crate::diag::Diagnostic::error(format!("the app depends on `{package}` outside this bluegen's kernel"))
                    .at(Some(manifest.location(path.span())))
                    .key(format!("{table}.{}.path", toml_key(key.get_ref())))
                    .value(format!("{written:?}"))
                    .why(format!("this bluegen builds with the components in {}, and this path holds {what} (a project made by another bluegen, or moved)", root.components().display()))
                    .hint(format!("write `path = {}`", crate::escape::toml_str(&expected.display().to_string()))),
            );
        }
    }
    errors
}
