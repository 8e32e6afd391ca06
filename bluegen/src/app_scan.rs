//! App scan: the public functions of a device's app crate, from its sources.
//!
//! A thread entry (`main`, `sensors::poll`) becomes `app::main` in the
//! generated main.rs, where rustc checks it. To report a misspelt entry in
//! device.toml instead, bluegen parses the app's sources with `syn` (the
//! Rust parser every proc macro uses), following `mod` declarations from
//! src/lib.rs through public modules, and records each public item. Only a
//! `pub fn` with no parameters, no generics, the Rust ABI, not `unsafe` or
//! `async`, returning `()`, fits the kernel's `fn()` entry type. What cannot
//! be seen from the sources (glob re-exports, items made by macros) is
//! accepted rather than guessed at. An item under a `#[cfg]` that is false
//! in the image's build (a cargo feature the app does not enable by
//! default, `test`, `debug_assertions`, …) is left out; a predicate bluegen
//! cannot decide (`target_arch`, custom cfgs) keeps the item.
//!
//! The same walk, through private modules too, records every path the app
//! writes into a watched crate (`bluegen_kernel::Queue`, the leaves of
//! `use bluegen_kernel::{sync::Mutex, sleep}`), with its location, so that
//! [`crate::feature_use`] can tell an app that uses a kernel item device.toml
//! turned off which key to set, before anything is compiled.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Location, Source};

/// One public item of the app crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// A `pub fn()` that a thread can run.
    Entry,
    /// A `pub fn` that does not fit `fn()`, and why.
    Fn(String),
    /// A `pub mod`.
    Module,
    /// A `pub use` name: whatever it names, rustc checks it.
    Reexport,
}

/// The public API of an app crate, by path from the crate root.
#[derive(Debug, Clone, Default)]
pub struct AppApi {
    /// `sensors::poll` → what it is.
    pub items: BTreeMap<String, Item>,
    /// Modules (`""` is the crate root) whose contents the sources do not
    /// fully show: glob re-exports, item macros.
    pub open: Vec<String>,
    /// Paths into a watched crate, after its name (`Queue`, `sync::Mutex`),
    /// each where the app first writes it.
    pub uses: Vec<(String, Location)>,
}

/// What an entry path names in the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    Found,
    /// A public function that is not a `fn()`: why.
    NotAnEntry(String),
    /// A module, not a function.
    Module,
    Missing,
}

impl AppApi {
    pub fn lookup(&self, entry: &str) -> Lookup {
        match self.items.get(entry) {
            Some(Item::Entry | Item::Reexport) => return Lookup::Found,
            Some(Item::Fn(why)) => return Lookup::NotAnEntry(why.clone()),
            Some(Item::Module) => return Lookup::Module,
            None => {}
        }
        // Anything under an open module or a re-exported name may exist.
        let segments: Vec<&str> = entry.split("::").collect();
        for n in 0..segments.len() {
            let prefix = segments[..n].join("::");
            if self.open.contains(&prefix) || (n > 0 && self.items.get(&prefix) == Some(&Item::Reexport)) {
                return Lookup::Found;
            }
        }
        Lookup::Missing
    }

    /// The functions a thread can run, closest to `wrong` first.
    pub fn entries_closest_to(&self, wrong: &str) -> Vec<&str> {
        let mut entries: Vec<&str> = self.items.iter().filter(|(_, i)| **i == Item::Entry).map(|(p, _)| p.as_str()).collect();
        let score = |p: &str| strsim::normalized_damerau_levenshtein(&wrong.to_lowercase(), &p.to_lowercase());
        entries.sort_by(|a, b| score(b).total_cmp(&score(a)).then(a.cmp(b)));
        entries
    }
}

/// Scans the crate whose root is `lib` (usually `src/lib.rs`). An error is
/// a warning to show: entries then go unchecked.
/// `features` are the app's cargo features on in the image's build;
/// `watch` the crate names (`bluegen_kernel`) whose paths are recorded.
pub fn scan(lib: &Path, features: &[String], watch: &[String]) -> Result<AppApi, Box<Diagnostic>> {
    let mut api = AppApi::default();
    let dir = lib.parent().unwrap_or(Path::new(".")).to_path_buf();
    let mut seen = Vec::new();
    let mut scan = Scan { features, seen: &mut seen, watch, source: None };
    scan.scan_file(lib, "", &dir, true, &mut api)?;
    Ok(api)
}

/// The cargo features of an app whose Cargo.toml is `manifest`, as the
/// image builds it (its `default` features, and what they enable).
pub fn default_features(manifest: &toml::Table) -> Vec<String> {
    let table = manifest.get("features").and_then(|f| f.as_table());
    let list = |name: &str| -> Vec<String> {
        table.and_then(|t| t.get(name)).and_then(|v| v.as_array()).map_or_else(Vec::new, |a| a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect())
    };
    let mut on: Vec<String> = Vec::new();
    // `default` is a feature too (`cfg(feature = "default")`).
    let mut todo = if table.is_some_and(|t| t.contains_key("default")) { vec!["default".to_string()] } else { Vec::new() };
    while let Some(f) = todo.pop() {
        // `dep:x` and `x/feature` enable a dependency's parts, not features of the app.
        if f.starts_with("dep:") || f.contains('/') || on.contains(&f) {
            continue;
        }
        todo.extend(list(&f));
        on.push(f);
    }
    on
}

/// Whether a `#[cfg]` predicate holds in the image's build: `None` when
/// bluegen cannot tell.
fn cfg_holds(meta: &syn::Meta, features: &[String]) -> Option<bool> {
    use syn::punctuated::Punctuated;
    match meta {
        syn::Meta::Path(p) => {
            let name = p.get_ident()?.to_string();
            // A release build of a bare-metal target, not a test or a doc build.
            ["test", "doc", "doctest", "debug_assertions", "miri", "unix", "windows"].contains(&name.as_str()).then_some(false)
        }
        syn::Meta::NameValue(nv) => {
            let syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(value), .. }) = &nv.value else { return None };
            match nv.path.get_ident()?.to_string().as_str() {
                "feature" => Some(features.contains(&value.value())),
                "target_os" => Some(value.value() == "none"),
                _ => None,
            }
        }
        syn::Meta::List(list) => {
            let args: Vec<syn::Meta> = list.parse_args_with(Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated).ok()?.into_iter().collect();
            let values: Vec<Option<bool>> = args.iter().map(|m| cfg_holds(m, features)).collect();
            match list.path.get_ident()?.to_string().as_str() {
                "all" if values.contains(&Some(false)) => Some(false),
                "all" => values.iter().all(|v| *v == Some(true)).then_some(true),
                "any" if values.contains(&Some(true)) => Some(true),
                "any" => values.iter().all(|v| *v == Some(false)).then_some(false),
                "not" if values.len() == 1 => values[0].map(|v| !v),
                _ => None,
            }
        }
    }
}

/// Whether an item's `#[cfg]`s leave it out of the image's build.
fn cfg_out(attrs: &[syn::Attribute], features: &[String]) -> bool {
    attrs.iter().filter(|a| a.path().is_ident("cfg")).any(|a| a.parse_args::<syn::Meta>().ok().and_then(|m| cfg_holds(&m, features)) == Some(false))
}

struct Scan<'a> {
    features: &'a [String],
    seen: &'a mut Vec<PathBuf>,
    watch: &'a [String],
    /// The file being walked, for the locations of its paths.
    source: Option<Source>,
}

fn cannot(why: String) -> Box<Diagnostic> {
    Box::new(
        Diagnostic::warning("thread entries are not checked against the app's functions")
            .why(why)
            .note("rustc checks them when the image is built"),
    )
}

impl Scan<'_> {
    /// `public`: the module is reachable from outside the crate, so its
    /// public items are part of its API (a private one is walked for its
    /// paths only).
    fn scan_file(&mut self, file: &Path, prefix: &str, mod_dir: &Path, public: bool, api: &mut AppApi) -> Result<(), Box<Diagnostic>> {
        if self.seen.iter().any(|s| s == file) {
            return Ok(());
        }
        self.seen.push(file.to_path_buf());
        let text = std::fs::read_to_string(file).map_err(|e| cannot(format!("cannot read {}: {e}", file.display())))?;
        let parsed = syn::parse_file(&text).map_err(|e| {
            let at = e.span().start();
            cannot(format!("{}:{}:{}: {e}", file.display(), at.line, at.column + 1))
        })?;
        if cfg_out(&parsed.attrs, self.features) {
            return Ok(());
        }
        let outer = self.source.replace(Source { path: file.to_path_buf(), text });
        let result = self.scan_items(&parsed.items, file, prefix, mod_dir, public, api);
        self.source = outer;
        result
    }

    fn scan_items(&mut self, items: &[syn::Item], file: &Path, prefix: &str, mod_dir: &Path, public: bool, api: &mut AppApi) -> Result<(), Box<Diagnostic>> {
        let path = |name: &str| if prefix.is_empty() { name.to_string() } else { format!("{prefix}::{name}") };
        for item in items {
            let attrs: &[syn::Attribute] = match item {
                syn::Item::Fn(f) => &f.attrs,
                syn::Item::Mod(m) => &m.attrs,
                syn::Item::Use(u) => &u.attrs,
                syn::Item::Macro(m) => &m.attrs,
                _ => &[],
            };
            if cfg_out(attrs, self.features) {
                continue;
            }
            // An inline module's items are walked below, each with its cfgs.
            if !self.watch.is_empty() && !matches!(item, syn::Item::Mod(m) if m.content.is_some()) {
                if let Some(source) = &self.source {
                    use quote::ToTokens;
                    crate::feature_use::paths_in(item.to_token_stream(), self.watch, source, &mut api.uses);
                }
            }
            if !public && !matches!(item, syn::Item::Mod(_)) {
                continue;
            }
            match item {
                syn::Item::Fn(f) if is_pub(&f.vis) => {
                    let item = match why_not_entry(&f.sig) {
                        None => Item::Entry,
                        Some(why) => Item::Fn(why),
                    };
                    api.items.insert(path(&f.sig.ident.to_string()), item);
                }
                syn::Item::Mod(m) => {
                    let name = m.ident.to_string();
                    let child = path(&name);
                    let public = public && is_pub(&m.vis);
                    if public {
                        api.items.insert(child.clone(), Item::Module);
                    }
                    let child_dir = mod_dir.join(&name);
                    match &m.content {
                        Some((_, inner)) => self.scan_items(inner, file, &child, &child_dir, public, api)?,
                        None => {
                            let explicit = m.attrs.iter().find(|a| a.path().is_ident("path")).and_then(|a| match &a.meta {
                                syn::Meta::NameValue(nv) => match &nv.value {
                                    syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) => Some(s.value()),
                                    _ => None,
                                },
                                _ => None,
                            });
                            let candidates = match explicit {
                                Some(p) => vec![file.parent().unwrap_or(Path::new(".")).join(p)],
                                None => vec![mod_dir.join(format!("{name}.rs")), child_dir.join("mod.rs")],
                            };
                            match candidates.iter().find(|c| c.is_file()) {
                                Some(found) => self.scan_file(found, &child, &child_dir, public, api)?,
                                // rustc reports the missing module file itself.
                                None if public => api.open.push(child),
                                None => {}
                            }
                        }
                    }
                }
                syn::Item::Use(u) if is_pub(&u.vis) => reexports(&u.tree, prefix, api),
                syn::Item::Macro(_) => api.open.push(prefix.to_string()),
                _ => {}
            }
        }
        Ok(())
    }
}

fn is_pub(vis: &syn::Visibility) -> bool {
    matches!(vis, syn::Visibility::Public(_))
}

fn reexports(tree: &syn::UseTree, prefix: &str, api: &mut AppApi) {
    let path = |name: &str| if prefix.is_empty() { name.to_string() } else { format!("{prefix}::{name}") };
    match tree {
        syn::UseTree::Path(p) => reexports(&p.tree, prefix, api),
        syn::UseTree::Name(n) if n.ident != "self" => {
            api.items.entry(path(&n.ident.to_string())).or_insert(Item::Reexport);
        }
        syn::UseTree::Name(_) => api.open.push(prefix.to_string()),
        syn::UseTree::Rename(r) => {
            api.items.entry(path(&r.rename.to_string())).or_insert(Item::Reexport);
        }
        syn::UseTree::Glob(_) => api.open.push(prefix.to_string()),
        syn::UseTree::Group(g) => g.items.iter().for_each(|t| reexports(t, prefix, api)),
    }
}

/// Why a `pub fn` cannot be a thread entry (`ThreadSpec::entry: fn()`).
fn why_not_entry(sig: &syn::Signature) -> Option<String> {
    if !sig.inputs.is_empty() {
        return Some(format!("it takes {} parameter{}; an entry takes none", sig.inputs.len(), if sig.inputs.len() == 1 { "" } else { "s" }));
    }
    if !sig.generics.params.is_empty() {
        return Some("it is generic; an entry is one plain function".into());
    }
    if sig.asyncness.is_some() {
        return Some("it is `async`; the kernel calls entries as plain functions".into());
    }
    if sig.unsafety.is_some() {
        return Some("it is `unsafe`, and an `unsafe fn` is not a `fn()`".into());
    }
    if let Some(abi) = &sig.abi {
        let name = abi.name.as_ref().map_or("C".to_string(), |n| n.value());
        return Some(format!("it has the \"{name}\" ABI; an entry is a Rust `fn()`"));
    }
    match &sig.output {
        syn::ReturnType::Default => None,
        syn::ReturnType::Type(_, ty) => match &**ty {
            syn::Type::Tuple(t) if t.elems.is_empty() => None,
            syn::Type::Never(_) => Some("it returns `!`, and a `fn() -> !` is not a `fn()` (write `pub fn name()` with a loop that never ends)".into()),
            _ => Some("it returns a value; an entry returns `()`".into()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(files: &[(&str, &str)]) -> (tempfile::TempDir, AppApi) {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let p = dir.path().join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        let api = scan(&dir.path().join("src/lib.rs"), &["on".to_string()], &["bluegen_kernel".to_string()]).unwrap();
        (dir, api)
    }

    #[test]
    fn follows_public_modules_and_checks_signatures() {
        let (_d, api) = api(&[
            ("src/lib.rs", "#![no_std]\npub mod sensors;\nmod private;\npub mod inline { pub fn run() {} }\npub fn main() {}\npub fn forever() -> ! { loop {} }\npub fn add(a: u32) {}\nfn hidden() {}\npub use private::exported;\n"),
            ("src/sensors/mod.rs", "pub mod deep;\npub fn poll() -> () {}\npub unsafe fn raw() {}\n"),
            ("src/sensors/deep.rs", "pub fn sample() {}\npub(crate) fn internal() {}\n"),
            ("src/private.rs", "pub fn exported() {}\npub fn not_reachable() {}\n"),
        ]);
        for ok in ["main", "sensors::poll", "sensors::deep::sample", "inline::run", "exported"] {
            assert_eq!(api.lookup(ok), Lookup::Found, "{ok}");
        }
        for missing in ["mian", "hidden", "sensors::deep::internal", "private::not_reachable", "not_reachable"] {
            assert_eq!(api.lookup(missing), Lookup::Missing, "{missing}");
        }
        assert!(matches!(api.lookup("forever"), Lookup::NotAnEntry(w) if w.contains("`!`")));
        assert!(matches!(api.lookup("add"), Lookup::NotAnEntry(w) if w.contains("1 parameter")));
        assert!(matches!(api.lookup("sensors::raw"), Lookup::NotAnEntry(w) if w.contains("unsafe")));
        assert_eq!(api.lookup("sensors"), Lookup::Module);
        assert_eq!(api.entries_closest_to("mian").first(), Some(&"main"));
    }

    #[test]
    fn items_configured_out_are_not_entries() {
        let (_d, api) = api(&[(
            "src/lib.rs",
            "#[cfg(feature = \"off\")]\npub fn gated() {}\n#[cfg(feature = \"on\")]\npub fn enabled() {}\n#[cfg(test)]\npub fn in_tests() {}\n#[cfg(not(test))]\npub fn not_in_tests() {}\n#[cfg(all(feature = \"on\", target_os = \"none\"))]\npub fn bare() {}\n#[cfg(any(feature = \"off\", debug_assertions))]\npub mod debug { pub fn dump() {} }\n#[cfg(target_arch = \"arm\")]\npub fn maybe() {}\n",
        )]);
        for missing in ["gated", "in_tests", "debug::dump", "debug"] {
            assert_eq!(api.lookup(missing), Lookup::Missing, "{missing}");
        }
        // What cannot be decided without the target stays.
        for ok in ["enabled", "not_in_tests", "bare", "maybe"] {
            assert_eq!(api.lookup(ok), Lookup::Found, "{ok}");
        }
    }

    #[test]
    fn default_features_follow_what_they_enable() {
        let manifest: toml::Table = toml::from_str("[features]\ndefault = [\"a\"]\na = [\"b\", \"dep:x\", \"y/z\"]\nb = []\nc = []\n").unwrap();
        let mut on = default_features(&manifest);
        on.sort();
        assert_eq!(on, ["a", "b", "default"]);
        assert!(default_features(&toml::Table::new()).is_empty());
    }

    #[test]
    fn globs_and_macros_are_open() {
        let (_d, api) = api(&[("src/lib.rs", "pub use other::*;\npub mod m { some_macro!(); }\n")]);
        assert_eq!(api.lookup("anything"), Lookup::Found);
        assert_eq!(api.lookup("m::made_by_macro"), Lookup::Found);
    }

    #[test]
    fn a_syntax_error_is_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("src")).unwrap();
        std::fs::write(dir.path().join("src/lib.rs"), "pub fn main( {}\n").unwrap();
        let d = scan(&dir.path().join("src/lib.rs"), &[], &[]).unwrap_err();
        assert_eq!(d.severity, crate::diag::Severity::Warning);
    }
}
