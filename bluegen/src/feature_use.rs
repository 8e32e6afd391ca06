//! Feature use: which kernel items an app names, and the device.toml key each needs.
//!
//! device.toml (with its preset and board) is the only place kernel features
//! are chosen, so an app that uses an item device.toml turned off must hear
//! which key to set, not rustc's "unresolved import". bluegen derives the
//! item → feature map from the kernel's own sources at run time: it parses
//! `components/kernel/src` with `syn` and records the `#[cfg(feature = …)]`
//! of every item, module and `use` (following re-exports to what they name),
//! so the map follows the kernel as it changes and there is no table to keep.
//! [`crate::app_scan`] finds the app's `bluegen_kernel::…` paths; [`check`]
//! compares them with the resolved configuration in `bluegen check` and
//! every build. What the scan cannot see (a path through a renamed import,
//! a method) is caught after cargo by [`translate`], which turns rustc's
//! "the item is gated behind the `queue` feature" into the same message;
//! a method a feature gates (`Thread::suspend`, `Thread::set_priority`),
//! for which rustc names no feature, by [`translate_method`] from the
//! `#[cfg]`s of the kernel's `impl` blocks. An interrupt number
//! (`irq::TICK`) device.toml does not declare: [`irq`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use proc_macro2::{Spacing, TokenStream, TokenTree};

use crate::diag::{Diagnostic, Location, Source};
use crate::kconfig::{Assignment, Config, Origin, SetBy, Value};
use crate::model::Device;
use crate::resolve::Component;

/// A `#[cfg]` predicate of the kernel's sources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gate {
    Feature(String),
    All(Vec<Gate>),
    Any(Vec<Gate>),
    Not(Box<Gate>),
    /// A predicate that is not about features (`target_os`, `test`): bluegen
    /// does not judge it.
    Other,
}

impl Gate {
    fn from_meta(meta: &syn::Meta) -> Gate {
        use syn::punctuated::Punctuated;
        match meta {
            syn::Meta::NameValue(nv) if nv.path.is_ident("feature") => match &nv.value {
                syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) => Gate::Feature(s.value()),
                _ => Gate::Other,
            },
            syn::Meta::List(list) => {
                let Ok(args) = list.parse_args_with(Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated) else { return Gate::Other };
                let args: Vec<Gate> = args.iter().map(Gate::from_meta).collect();
                match list.path.get_ident().map(|i| i.to_string()).as_deref() {
                    Some("all") => Gate::All(args),
                    Some("any") => Gate::Any(args),
                    Some("not") if args.len() == 1 => Gate::Not(Box::new(args.into_iter().next().unwrap_or(Gate::Other))),
                    _ => Gate::Other,
                }
            }
            _ => Gate::Other,
        }
    }

    /// Whether it holds with the features `on`; `None` when it is not about features.
    fn holds(&self, on: &[String]) -> Option<bool> {
        match self {
            Gate::Feature(f) => Some(on.contains(f)),
            Gate::All(v) => {
                let values: Vec<_> = v.iter().map(|g| g.holds(on)).collect();
                if values.contains(&Some(false)) { Some(false) } else { values.iter().all(|x| *x == Some(true)).then_some(true) }
            }
            Gate::Any(v) => {
                let values: Vec<_> = v.iter().map(|g| g.holds(on)).collect();
                if values.contains(&Some(true)) { Some(true) } else { values.iter().all(|x| *x == Some(false)).then_some(false) }
            }
            Gate::Not(g) => g.holds(on).map(|b| !b),
            Gate::Other => None,
        }
    }

    /// The features to turn on for a false gate: every one of `all`, or one of `any`.
    fn wanted(&self, on: &[String]) -> Wanted {
        match self {
            Gate::Feature(f) => Wanted::All(vec![f.clone()]),
            Gate::All(v) => {
                let mut all = Vec::new();
                for g in v.iter().filter(|g| g.holds(on) == Some(false)) {
                    match g.wanted(on) {
                        Wanted::All(fs) => all.extend(fs),
                        other => return other,
                    }
                }
                Wanted::All(all)
            }
            Gate::Any(v) => {
                let mut any = Vec::new();
                for g in v {
                    if let Wanted::All(fs) = g.wanted(on) {
                        if fs.len() == 1 {
                            any.extend(fs);
                        }
                    }
                }
                if any.is_empty() { Wanted::Unknown } else { Wanted::Any(any) }
            }
            Gate::Not(_) | Gate::Other => Wanted::Unknown,
        }
    }
}

impl std::fmt::Display for Gate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let list = |v: &[Gate]| v.iter().map(|g| g.to_string()).collect::<Vec<_>>().join(", ");
        match self {
            Gate::Feature(name) => write!(f, "feature = \"{name}\""),
            Gate::All(v) => write!(f, "all({})", list(v)),
            Gate::Any(v) => write!(f, "any({})", list(v)),
            Gate::Not(g) => write!(f, "not({g})"),
            Gate::Other => write!(f, "…"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Wanted {
    All(Vec<String>),
    Any(Vec<String>),
    Unknown,
}

/// The kernel's items and the cfgs they carry, read from its sources.
#[derive(Debug, Default, Clone)]
pub struct KernelGates {
    /// `sync::Queue` → its own `#[cfg]`s (an item without cfgs is present too).
    items: BTreeMap<String, Vec<Gate>>,
    /// A `use`'s name → the path it names, crate-relative.
    aliases: BTreeMap<String, String>,
    /// `use target::*` in module `at`: (at, target, the use's gates).
    globs: Vec<(String, String, Vec<Gate>)>,
    /// `Thread::suspend` → the cfgs of the method and of its `impl` block.
    methods: BTreeMap<String, Vec<Gate>>,
}

impl KernelGates {
    /// Parses the crate whose root is `lib`, every module it declares.
    pub fn load(lib: &Path) -> std::result::Result<KernelGates, String> {
        let mut gates = KernelGates::default();
        let dir = lib.parent().unwrap_or(Path::new(".")).to_path_buf();
        let mut seen = Vec::new();
        gates.file(lib, "", &dir, &[], &mut seen)?;
        Ok(gates)
    }

    fn file(&mut self, file: &Path, prefix: &str, dir: &Path, outer: &[Gate], seen: &mut Vec<PathBuf>) -> std::result::Result<(), String> {
        if seen.iter().any(|s| s == file) {
            return Ok(());
        }
        seen.push(file.to_path_buf());
        let text = std::fs::read_to_string(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        let parsed = syn::parse_file(&text).map_err(|e| format!("{}: {e}", file.display()))?;
        let mut gates = outer.to_vec();
        gates.extend(cfgs(&parsed.attrs));
        self.items(&parsed.items, file, prefix, dir, &gates, seen)
    }

    fn items(&mut self, items: &[syn::Item], file: &Path, prefix: &str, dir: &Path, outer: &[Gate], seen: &mut Vec<PathBuf>) -> std::result::Result<(), String> {
        let path = |name: &str| if prefix.is_empty() { name.to_string() } else { format!("{prefix}::{name}") };
        for item in items {
            if let syn::Item::Impl(block) = item {
                self.methods(block, outer);
                continue;
            }
            let (attrs, name): (&[syn::Attribute], Option<String>) = match item {
                syn::Item::Fn(i) => (&i.attrs, Some(i.sig.ident.to_string())),
                syn::Item::Struct(i) => (&i.attrs, Some(i.ident.to_string())),
                syn::Item::Enum(i) => (&i.attrs, Some(i.ident.to_string())),
                syn::Item::Union(i) => (&i.attrs, Some(i.ident.to_string())),
                syn::Item::Const(i) => (&i.attrs, Some(i.ident.to_string())),
                syn::Item::Static(i) => (&i.attrs, Some(i.ident.to_string())),
                syn::Item::Type(i) => (&i.attrs, Some(i.ident.to_string())),
                syn::Item::Trait(i) => (&i.attrs, Some(i.ident.to_string())),
                syn::Item::Mod(i) => (&i.attrs, Some(i.ident.to_string())),
                syn::Item::Use(i) => (&i.attrs, None),
                _ => continue,
            };
            let mut gates = outer.to_vec();
            gates.extend(cfgs(attrs));
            match item {
                syn::Item::Use(u) => self.uses(&u.tree, prefix, String::new(), &gates),
                syn::Item::Mod(m) => {
                    let name = m.ident.to_string();
                    let child = path(&name);
                    self.items.insert(child.clone(), cfgs(attrs));
                    let child_dir = dir.join(&name);
                    match &m.content {
                        // The module's cfgs are its own entry's: its items carry only theirs.
                        Some((_, inner)) => self.items(inner, file, &child, &child_dir, &[], seen)?,
                        None => {
                            let candidates = [dir.join(format!("{name}.rs")), child_dir.join("mod.rs")];
                            if let Some(found) = candidates.iter().find(|c| c.is_file()) {
                                self.file(found, &child, &child_dir, &[], seen)?;
                            }
                        }
                    }
                }
                _ => {
                    if let Some(name) = name {
                        self.items.entry(path(&name)).or_default().extend(gates);
                    }
                }
            }
        }
        Ok(())
    }

    /// Records the gates of each method of an `impl` block of a named type.
    fn methods(&mut self, block: &syn::ItemImpl, outer: &[Gate]) {
        let syn::Type::Path(ty) = &*block.self_ty else { return };
        let Some(ty) = ty.path.segments.last().map(|s| s.ident.to_string()) else { return };
        for item in &block.items {
            if let syn::ImplItem::Fn(f) = item {
                let mut gates = outer.to_vec();
                gates.extend(cfgs(&block.attrs));
                gates.extend(cfgs(&f.attrs));
                self.methods.entry(format!("{ty}::{}", f.sig.ident)).or_default().extend(gates);
            }
        }
    }

    /// Why method `method` of the kernel's type `ty` is not in a kernel built
    /// with `on`: its first false gate. None for a type the kernel does not
    /// name at its root (the app's own) or a method it does not gate.
    pub fn missing_method(&self, ty: &str, method: &str, on: &[String]) -> Option<Gate> {
        if !self.items.contains_key(ty) {
            return None;
        }
        self.methods.get(&format!("{ty}::{method}"))?.iter().find(|g| g.holds(on) == Some(false)).cloned()
    }

    /// Records each name a `use` brings in, with its gates, and what it names.
    fn uses(&mut self, tree: &syn::UseTree, prefix: &str, mut target: String, gates: &[Gate]) {
        let here = |name: &str| if prefix.is_empty() { name.to_string() } else { format!("{prefix}::{name}") };
        let join = |t: &str, seg: &str| if t.is_empty() { seg.to_string() } else { format!("{t}::{seg}") };
        match tree {
            syn::UseTree::Path(p) => {
                let seg = p.ident.to_string();
                target = match seg.as_str() {
                    "crate" if target.is_empty() => "crate".into(),
                    "self" if target.is_empty() => format!("crate::{prefix}"),
                    "super" if target.is_empty() => format!("crate::{}", prefix.rsplit_once("::").map_or("", |(p, _)| p)),
                    _ => join(&target, &seg),
                };
                self.uses(&p.tree, prefix, target, gates);
            }
            syn::UseTree::Name(n) => self.alias(here(&n.ident.to_string()), join(&target, &n.ident.to_string()), prefix, gates),
            syn::UseTree::Rename(r) => self.alias(here(&r.rename.to_string()), join(&target, &r.ident.to_string()), prefix, gates),
            syn::UseTree::Glob(_) => {
                let target = self.normalize(target, prefix);
                self.globs.push((prefix.to_string(), target, gates.to_vec()));
            }
            syn::UseTree::Group(g) => g.items.iter().for_each(|t| self.uses(t, prefix, target.clone(), gates)),
        }
    }

    /// `crate::a::b` and, in 2018 paths, `a::b` relative to the module.
    fn normalize(&self, target: String, prefix: &str) -> String {
        match target.strip_prefix("crate::") {
            Some(t) => t.trim_start_matches("::").trim_end_matches("::").to_string(),
            None if target == "crate" => String::new(),
            None if prefix.is_empty() => target,
            None => format!("{prefix}::{target}"),
        }
    }

    fn alias(&mut self, name: String, target: String, prefix: &str, gates: &[Gate]) {
        let target = self.normalize(target, prefix);
        self.items.entry(name.clone()).or_default().extend(gates.iter().cloned());
        self.aliases.insert(name, target);
    }

    /// Every gate on the way to `path`: each prefix's own, and those of what
    /// a re-export names. Deepest first.
    fn gates_of(&self, path: &str, depth: usize) -> Vec<Gate> {
        let segments: Vec<&str> = path.split("::").collect();
        let mut found = Vec::new();
        // A name no item or `use` declares may come from a glob import.
        if depth < 8 {
            for n in 1..=segments.len() {
                let prefix = segments[..n].join("::");
                if self.items.contains_key(&prefix) {
                    continue;
                }
                let module = segments[..n - 1].join("::");
                let rest = segments[n - 1..].join("::");
                for (at, target, gates) in self.globs.iter().filter(|(at, _, _)| *at == module) {
                    let full = if target.is_empty() { rest.clone() } else { format!("{target}::{rest}") };
                    let first = full.split("::").take(target.split("::").filter(|s| !s.is_empty()).count() + 1).collect::<Vec<_>>().join("::");
                    if self.items.contains_key(&first) && *at != *target {
                        let mut g = gates.clone();
                        g.extend(self.gates_of(&full, depth + 1));
                        return g;
                    }
                }
                break;
            }
        }
        for n in (1..=segments.len()).rev() {
            let prefix = segments[..n].join("::");
            if let Some(g) = self.items.get(&prefix) {
                found.extend(g.iter().cloned());
            }
            if depth < 8 {
                if let Some(target) = self.aliases.get(&prefix).filter(|t| **t != prefix) {
                    let rest = segments[n..].join("::");
                    let full = if rest.is_empty() { target.clone() } else { format!("{target}::{rest}") };
                    found.extend(self.gates_of(&full, depth + 1));
                    // What the alias names carries the rest of the path.
                    return found;
                }
            }
        }
        found
    }

    /// Why `path` (after `bluegen_kernel::`) is not in a kernel built with
    /// `on`: the first false gate, deepest first.
    pub fn missing(&self, path: &str, on: &[String]) -> Option<Gate> {
        self.gates_of(path, 0).into_iter().find(|g| g.holds(on) == Some(false))
    }
}

fn cfgs(attrs: &[syn::Attribute]) -> Vec<Gate> {
    attrs.iter().filter(|a| a.path().is_ident("cfg")).filter_map(|a| a.parse_args::<syn::Meta>().ok()).map(|m| Gate::from_meta(&m)).collect()
}

/// Records in `out` every path into a crate of `watch` in `tokens`: the
/// segments after the crate's name, at the last segment.
pub fn paths_in(tokens: TokenStream, watch: &[String], source: &Source, out: &mut Vec<(String, Location)>) {
    let tts: Vec<TokenTree> = tokens.into_iter().collect();
    let mut i = 0;
    while i < tts.len() {
        match &tts[i] {
            TokenTree::Group(g) => paths_in(g.stream(), watch, source, out),
            TokenTree::Ident(id) if watch.iter().any(|w| id == w) && !(i >= 2 && is_sep(&tts, i - 2)) && is_sep(&tts, i + 1) => {
                i += 3 + tail(&tts[i + 3..], &[], source, out);
                continue;
            }
            _ => {}
        }
        i += 1;
    }
}

/// `:` `:` at `i` (the first of them joint).
fn is_sep(tts: &[TokenTree], i: usize) -> bool {
    matches!((tts.get(i), tts.get(i + 1)), (Some(TokenTree::Punct(a)), Some(TokenTree::Punct(b))) if a.as_char() == ':' && a.spacing() == Spacing::Joint && b.as_char() == ':')
}

/// Reads a path's segments after `prefix` (braces of a `use` tree
/// included), records each, and returns how many tokens it read.
fn tail(tts: &[TokenTree], prefix: &[String], source: &Source, out: &mut Vec<(String, Location)>) -> usize {
    let mut segments = prefix.to_vec();
    let mut i = 0;
    let mut last = None;
    loop {
        match tts.get(i) {
            Some(TokenTree::Ident(id)) if id != "self" && id != "as" => {
                segments.push(id.to_string());
                last = Some(id.span());
                i += 1;
            }
            Some(TokenTree::Ident(id)) if id == "self" => {
                last = last.or(Some(id.span()));
                i += 1;
            }
            Some(TokenTree::Group(g)) if g.delimiter() == proc_macro2::Delimiter::Brace => {
                let inner: Vec<TokenTree> = g.stream().into_iter().collect();
                for part in inner.split(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == ',')) {
                    tail(part, &segments, source, out);
                }
                return i + 1;
            }
            _ => break,
        }
        if is_sep(tts, i) {
            i += 2;
        } else {
            break;
        }
    }
    if let Some(span) = last {
        let path = segments.join("::");
        if !out.iter().any(|(p, _)| *p == path) {
            out.push((path, source.location(span.byte_range())));
        }
    }
    i
}

/// The kernel's cargo features on in the image's build: what the resolved
/// configuration gives it, and what those enable in its Cargo.toml.
pub fn kernel_features(kernel: &Component) -> Vec<String> {
    let manifest = std::fs::read_to_string(kernel.dir.join("Cargo.toml")).ok().and_then(|t| t.parse::<toml::Table>().ok());
    let table = manifest.as_ref().and_then(|m| m.get("features")).and_then(|f| f.as_table());
    let mut on: Vec<String> = Vec::new();
    let mut todo = kernel.features.clone();
    while let Some(f) = todo.pop() {
        if on.contains(&f) || f.starts_with("dep:") || f.contains('/') {
            continue;
        }
        if let Some(implied) = table.and_then(|t| t.get(&f)).and_then(|v| v.as_array()) {
            todo.extend(implied.iter().filter_map(|v| v.as_str().map(str::to_string)));
        }
        on.push(f);
    }
    on
}

/// A diagnostic for each kernel item the app uses that the device's
/// configuration leaves out.
pub fn check(device: &Device, components: &[Component], config: &Config, assignments: &[Assignment]) -> Vec<Diagnostic> {
    if device.app.uses.is_empty() {
        return Vec::new();
    }
    let Some(kernel) = components.iter().find(|c| c.name == "kernel") else { return Vec::new() };
    // Unreadable kernel sources: rustc reports what they hold.
    let Ok(gates) = KernelGates::load(&kernel.dir.join("src/lib.rs")) else { return Vec::new() };
    let on = kernel_features(kernel);
    let crate_name = kernel.ident();
    device
        .app
        .uses
        .iter()
        .filter_map(|(path, at)| {
            let gate = gates.missing(path, &on)?;
            Some(needs(&format!("{crate_name}::{path}"), &gate.wanted(&on), &gate, Some(at.clone()), assignments, config))
        })
        .collect()
}

/// "app uses X, which needs features.f = true in device.toml": with the
/// keys its dependencies need too (`queue` needs `preempt` needs `threads`),
/// less those device.toml or its preset already set to true.
fn needs(item: &str, wanted: &Wanted, gate: &Gate, at: Option<Location>, assignments: &[Assignment], config: &Config) -> Diagnostic {
    let key = |f: &str| format!("features.{f}");
    let (feature, alternatives) = match wanted {
        Wanted::All(fs) if !fs.is_empty() => (fs[0].clone(), Vec::new()),
        Wanted::Any(fs) if !fs.is_empty() => (fs[0].clone(), fs.clone()),
        _ => {
            return Diagnostic::error(format!("app uses {item}, which this device's kernel does not have"))
                .at(at)
                .why(format!("the kernel compiles `{item}` only under `#[cfg({gate})]`, which the configuration device.toml resolves to does not meet"))
                .hint(format!("change device.toml's [features] to meet it, or stop using {item}"));
        }
    };
    let symbol = |f: &str| config.symbols.iter().find(|s| s.component == "kernel" && s.key == f);
    // The unmet dependencies, outermost first: `threads`, `preempt`.
    let mut chain: Vec<String> = Vec::new();
    let mut next = symbol(&feature);
    while let Some(s) = next.take() {
        let unmet = s.depends_on.as_deref().unwrap_or_default().split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).find_map(|name| {
            let dep = config.get(name)?;
            (dep.value != Some(Value::Bool(true)) && !chain.contains(&dep.key)).then_some(dep)
        });
        if let Some(dep) = unmet {
            chain.insert(0, dep.key.clone());
            next = Some(dep);
        }
    }
    // The last assignment wins: device.toml's over its preset's.
    let asked = |f: &str| assignments.iter().rev().find(|a| a.key == f).is_some_and(|a| a.value == toml::Value::Boolean(true));
    let mut set: Vec<String> = chain.iter().filter(|f| !asked(f)).cloned().collect();
    if !asked(&feature) || set.is_empty() {
        set.push(feature.clone());
    }
    let root = set.first().cloned().unwrap_or_else(|| feature.clone());
    let list = |fs: &[String]| fs.iter().map(|f| format!("{} = true", key(f))).collect::<Vec<_>>().join(" and ");
    let need = match alternatives.len() {
        // A dependency to set first names it, whichever alternative.
        _ if !chain.is_empty() => list(&set),
        0 | 1 => list(&set),
        _ => {
            let keys: Vec<String> = alternatives.iter().map(|f| key(f)).collect();
            format!("{} or {} = true", keys[..keys.len() - 1].join(", "), keys[keys.len() - 1])
        }
    };
    let state = |f: &str| -> String {
        let Some(s) = symbol(f) else { return "off".into() };
        match &s.set_by {
            _ if f == feature && !chain.is_empty() => {
                let path: Vec<String> = chain.iter().rev().map(|c| format!("`{c}`")).collect();
                format!("cannot be on: it depends on {}", path.join(", which depends on "))
            }
            SetBy::User => match assignments.iter().rev().find(|a| a.key == f && a.origin == Origin::User).and_then(|a| a.location.as_ref()) {
                Some(at) => format!("is false: device.toml sets it at line {}", at.line),
                None => "is false: device.toml sets it".into(),
            },
            SetBy::Preset(p) => format!("is false: preset `{p}` sets it"),
            SetBy::Board(b) => format!("is false: board {b} sets it"),
            _ => "is off by default".into(),
        }
    };
    let mut why = format!("the kernel compiles `{item}` only with its `{feature}` feature (`#[cfg({gate})]` in its sources), and `{}` {}", key(&feature), state(&feature));
    if let Some(first) = chain.first() {
        why.push_str(&format!("; `{}` {}", key(first), state(first)));
    }
    let value = symbol(&root).and_then(|s| s.value.as_ref()).map_or("false".into(), Value::toml_literal);
    Diagnostic::error(format!("app uses {item}, which needs {need} in device.toml"))
        .at(at)
        .key(key(&root))
        .value(value)
        .why(why)
        .note("kernel features come from device.toml (with its preset and board) alone")
        .hint(format!("set {} in device.toml's [features], or stop using {item}", list(&set)))
}

/// The same message for a rustc error of a failed build (JSON `message`)
/// that names a kernel item left out by a feature, if it is one.
/// `app` is the app crate's package and directory: rustc names its files
/// `<package>/src/lib.rs`.
pub fn translate(message: &serde_json::Value, config: &Config, assignments: &[Assignment], app: (&str, &Path)) -> Option<Diagnostic> {
    let rendered = message["rendered"].as_str()?;
    let feature = rendered.split("the item is gated behind the `").nth(1)?.split('`').next()?.to_string();
    // Only the kernel's features are device.toml's to name.
    if !rendered.contains("bluegen_kernel") && !rendered.contains("bluegen-kernel") && !rendered.contains("components/kernel") {
        return None;
    }
    let text = message["message"].as_str().unwrap_or_default();
    let named = text.split('`').nth(1).unwrap_or("a kernel item");
    let item = format!("bluegen_kernel::{}", named.rsplit("::").next().unwrap_or(named));
    let at = primary_location(message, app)?;
    let gate = Gate::Feature(feature.clone());
    Some(needs(&item, &Wanted::All(vec![feature]), &gate, at, assignments, config))
}

/// rustc's "no method named `resume` found for struct `Thread`" (E0599,
/// which names no feature) for a method of a kernel type that a feature
/// device.toml turned off gates, in the words of [`translate`]. `on`: the
/// kernel's features.
pub fn translate_method(message: &serde_json::Value, gates: &KernelGates, on: &[String], config: &Config, assignments: &[Assignment], app: (&str, &Path)) -> Option<Diagnostic> {
    let text = message["message"].as_str()?;
    let (method, rest) = text.strip_prefix("no method named `")?.split_once('`')?;
    let ty = rest.split('`').nth(1)?.trim_start_matches('&').trim_start_matches("mut ");
    let ty = ty.split('<').next()?.rsplit("::").next()?;
    let gate = gates.missing_method(ty, method, on)?;
    let at = primary_location(message, app)?;
    Some(needs(&format!("bluegen_kernel::{ty}::{method}"), &gate.wanted(on), &gate, at, assignments, config))
}

/// The app's file, line and column of a rustc message's primary span
/// (`app`: the app's package name and directory), with its excerpt.
fn primary_location(message: &serde_json::Value, app: (&str, &Path)) -> Option<Option<Location>> {
    let span = message["spans"].as_array()?.iter().find(|s| s["is_primary"].as_bool() == Some(true))?;
    let at = match (span["file_name"].as_str(), span["line_start"].as_u64(), span["column_start"].as_u64()) {
        (Some(file), Some(line), Some(col)) => {
            let file = match Path::new(file).strip_prefix(app.0) {
                Ok(rest) if Path::new(file).is_relative() => app.1.join(rest),
                _ => PathBuf::from(file),
            };
            let mut at = Location::at(file, line as usize, col as usize);
            let text = span["text"].as_array().and_then(|t| t.first());
            if let Some(t) = text {
                let width = t["highlight_end"].as_u64().unwrap_or(0).saturating_sub(t["highlight_start"].as_u64().unwrap_or(0)).max(1);
                at.excerpt = t["text"].as_str().map(|s| (s.to_string(), width as usize));
            }
            Some(at)
        }
        _ => None,
    };
    Some(at)
}


pub mod irq;

#[cfg(test)]
mod tests;
