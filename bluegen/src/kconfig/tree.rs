//! Tree: the components' Kconfig files parsed and flattened into symbols.
//!
//! nom-kconfig gives a nested list of entries per file. Flattening pushes the
//! context of menus (`depends on`, `visible if`, title), `if` blocks and
//! choices down onto each symbol, so evaluation sees one flat list, in file
//! order, where every symbol carries all it depends on.
//!
//! nom-kconfig gives no line numbers for entries: a symbol's location is the
//! line of `config NAME` (or `menuconfig NAME`) found in the file's text, a
//! choice's the n-th `choice` line. It also reads a missing `source` file as
//! empty, so that check is here; and its parse errors carry a byte offset
//! where they say "column", which becomes file:line:col here.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use nom_kconfig::attribute::Attribute;
use nom_kconfig::attribute::expression::Expression;
use nom_kconfig::attribute::range::RangeBound;
use nom_kconfig::attribute::r#type::Type;
use nom_kconfig::{Entry, KconfigFile, KconfigInput};

use super::expr::{Expr, parse_hex};
use super::{ComponentKconfig, SymbolType, Value};
use crate::diag::{Diagnostic, Error, Location, Result, Source};

/// One `config` or `menuconfig` symbol with its context folded in.
#[derive(Debug, Clone)]
pub struct SymDef {
    pub name: String,
    pub component: String,
    pub ty: SymbolType,
    /// Declared `tristate` (evaluated as bool).
    pub tristate: bool,
    pub prompt: Option<String>,
    /// The prompt's `if`, and menus' `visible if`: when the prompt shows.
    pub prompt_if: Expr,
    /// Own `depends on` and the enclosing menus' and `if` blocks'.
    pub deps: Expr,
    /// `default <value> [if <cond>]`, first true condition wins.
    pub defaults: Vec<(Expr, Expr)>,
    /// `range <lo> <hi> [if <cond>]`.
    pub ranges: Vec<(Expr, Expr, Expr)>,
    pub selects: Vec<(String, Expr)>,
    pub implies: Vec<(String, Expr)>,
    pub help: Option<String>,
    pub menu: Vec<String>,
    pub choice: Option<usize>,
    /// `components/kernel/Kconfig:12`.
    pub defined_at: String,
}

/// A `choice … endchoice` block.
#[derive(Debug, Clone)]
pub struct ChoiceDef {
    pub prompt: Option<String>,
    /// The prompt's `if` and menus' `visible if`.
    pub prompt_if: Expr,
    pub optional: bool,
    pub deps: Expr,
    pub defaults: Vec<(String, Expr)>,
    /// Indices into [`Tree::syms`].
    pub members: Vec<usize>,
    pub defined_at: String,
}

/// Every symbol of the image's components.
#[derive(Debug, Clone, Default)]
pub struct Tree {
    pub syms: Vec<SymDef>,
    pub choices: Vec<ChoiceDef>,
    pub index: HashMap<String, usize>,
    pub warnings: Vec<Diagnostic>,
    /// `configdefault` entries (kconfiglib), merged once every file is read.
    pending_defaults: Vec<(String, Vec<(Expr, Expr)>)>,
}

impl Tree {
    /// Adds `configdefault` defaults after the symbol's own ones.
    fn apply_pending_defaults(&mut self) {
        for (name, defaults) in std::mem::take(&mut self.pending_defaults) {
            if let Some(&i) = self.index.get(&name) {
                self.syms[i].defaults.extend(defaults);
            }
        }
    }

    pub fn sym(&self, name: &str) -> Option<&SymDef> {
        self.index.get(name).map(|&i| &self.syms[i])
    }
}

/// Parses every component's Kconfig file (following `source`).
///
/// `source` paths are relative to the component's directory (the directory
/// of its Kconfig file), `rsource` paths to the sourcing file; `osource`
/// and `orsource` may name missing files.
pub fn load(files: &[ComponentKconfig]) -> Result<Tree> {
    let mut tree = Tree::default();
    let mut errors = Vec::new();
    for f in files {
        let dir = f.path.parent().unwrap_or(Path::new(".")).to_path_buf();
        let name = f.path.file_name().map(PathBuf::from).unwrap_or_else(|| PathBuf::from("Kconfig"));
        let text = std::fs::read_to_string(&f.path).map_err(|e| Error::io("read", &f.path, e))?;
        // nom-kconfig follows `source` as it parses, without a guard: a file
        // that sources itself (or a cycle of them) would recurse until the
        // stack overflows.
        if let Some(cycle) = source_cycle(&dir, &f.path, &mut Vec::new()) {
            errors.push(cycle.component(&f.component));
            continue;
        }
        let input = KconfigInput::new_extra(&text, KconfigFile::new(dir.clone(), name));
        match nom_kconfig::parse_kconfig(input) {
            Ok((_, kconfig)) => {
                let mut ctx = Ctx {
                    component: f.component.clone(),
                    root: dir,
                    file: f.path.clone(),
                    text: text.clone(),
                    choices_seen: 0,
                    deps: Expr::TRUE,
                    visible: Expr::TRUE,
                    menu: Vec::new(),
                    choice: None,
                    errors: Vec::new(),
                };
                flatten(&kconfig.entries, &mut ctx, &mut tree);
                errors.append(&mut ctx.errors);
            }
            Err(e) => errors.push(parse_error(&f.component, &f.path, &text, &e)),
        }
    }
    tree.apply_pending_defaults();
    Error::check(errors)?;
    Ok(tree)
}

/// A `source` line that closes a cycle of Kconfig files.
struct SourceCycle {
    file: PathBuf,
    line: usize,
    chain: Vec<PathBuf>,
}

impl SourceCycle {
    fn component(self, component: &str) -> Diagnostic {
        let chain: Vec<String> = self.chain.iter().map(|p| display(p)).collect();
        Diagnostic::error(format!("the Kconfig files of component `{component}` source each other in a cycle"))
            .at(Some(Location::at(display(&self.file), self.line, 1)))
            .why(format!("{} sources {} again", chain.join(" → "), chain.first().cloned().unwrap_or_default()))
            .hint("a Kconfig file is sourced once: remove the `source` line that closes the cycle")
    }
}

/// The first `source` (`rsource`, `osource`, `orsource`) of `file` or the
/// files it sources that names a file already on `stack`: nom-kconfig
/// would follow it for ever. `root` is the component's directory (plain
/// `source` paths are relative to it, `r…` ones to the sourcing file);
/// paths with macros and missing files are not followed.
fn source_cycle(root: &Path, file: &Path, stack: &mut Vec<PathBuf>) -> Option<SourceCycle> {
    let canonical = file.canonicalize().unwrap_or_else(|_| file.to_path_buf());
    stack.push(canonical);
    let text = std::fs::read_to_string(file).unwrap_or_default();
    for (index, line) in text.lines().enumerate() {
        let mut words = line.trim_start().splitn(2, char::is_whitespace);
        let keyword = words.next().unwrap_or("");
        if !matches!(keyword, "source" | "rsource" | "osource" | "orsource") {
            continue;
        }
        let Some(name) = words.next().map(|w| w.trim().trim_matches('"')).filter(|n| !n.contains('$') && !n.is_empty()) else { continue };
        let base = if keyword.starts_with('r') || keyword.starts_with("or") { file.parent().unwrap_or(root) } else { root };
        let next = base.join(name);
        let Ok(next_canonical) = next.canonicalize() else { continue };
        if stack.contains(&next_canonical) {
            return Some(SourceCycle { file: file.to_path_buf(), line: index + 1, chain: stack.clone() });
        }
        if let Some(cycle) = source_cycle(root, &next, stack) {
            return Some(cycle);
        }
    }
    stack.pop();
    None
}

/// A nom-kconfig failure as a diagnostic. nom-kconfig's `column` is the
/// byte offset into the failing file (which may be a sourced one).
fn parse_error(component: &str, path: &Path, text: &str, e: &nom_kconfig::error::Error) -> Diagnostic {
    let file = if e.resolved_path.as_os_str().is_empty() { path.to_path_buf() } else { e.resolved_path.clone() };
    let text = if file == path { text.to_string() } else { std::fs::read_to_string(&file).unwrap_or_default() };
    let source = Source { path: PathBuf::from(display(&file)), text };
    let location = if e.line == 0 {
        Location::at(display(&file), 1, 1)
    } else {
        let start = e.column.min(source.text.len());
        let word = source.text[start..].split_whitespace().next().map_or(1, str::len);
        source.location(start..start + word)
    };
    let line = location.excerpt.as_ref().map_or("", |(l, _)| l.trim());
    let why = match line.split_whitespace().next() {
        Some("source" | "rsource" | "osource" | "orsource") => {
            "a sourced file must lie inside the component's directory".to_string()
        }
        Some(word) => {
            format!("the parser stopped at `{word}`: an unknown keyword, a missing name or a malformed expression")
        }
        None => format!("the parser stopped here ({})", e.kind),
    };
    Diagnostic::error(format!("cannot parse the Kconfig file of component `{component}`"))
        .at(Some(location))
        .why(why)
        .note("bluegen reads the Linux Kconfig language: config, menuconfig, choice, menu, if, comment, source")
}

struct Ctx {
    component: String,
    /// The component's directory: `source` paths are relative to it.
    root: PathBuf,
    file: PathBuf,
    text: String,
    /// `choice` blocks met so far in `file` (to find their lines).
    choices_seen: usize,
    deps: Expr,
    visible: Expr,
    menu: Vec<String>,
    choice: Option<usize>,
    errors: Vec<Diagnostic>,
}

impl Ctx {
    fn at(&self, line: usize) -> String {
        format!("{}:{line}", display(&self.file))
    }

    fn cond(&self, c: &Option<Expression>) -> Expr {
        c.as_ref().map_or(Expr::TRUE, Expr::from_kconfig)
    }
}

fn flatten(entries: &[Entry], ctx: &mut Ctx, tree: &mut Tree) {
    for entry in entries {
        match entry {
            Entry::Config(c) | Entry::MenuConfig(c) => add_config(&c.symbol, &c.attributes, ctx, tree),
            Entry::Menu(m) => {
                let saved = (ctx.deps.clone(), ctx.visible.clone());
                for d in &m.depends_on {
                    ctx.deps = ctx.deps.clone().and(Expr::from_kconfig(&d.expression));
                }
                if let Some(Some(v)) = &m.visible {
                    ctx.visible = ctx.visible.clone().and(Expr::from_kconfig(v));
                }
                ctx.menu.push(m.prompt.clone());
                flatten(&m.entries, ctx, tree);
                ctx.menu.pop();
                (ctx.deps, ctx.visible) = saved;
            }
            Entry::If(i) => {
                let saved = ctx.deps.clone();
                ctx.deps = ctx.deps.clone().and(Expr::from_kconfig(&i.condition));
                flatten(&i.entries, ctx, tree);
                ctx.deps = saved;
            }
            Entry::Choice(c) => add_choice(c, ctx, tree),
            Entry::Source(s) | Entry::RSource(s) => source(s, true, ctx, tree),
            Entry::OSource(s) | Entry::OrSource(s) => source(s, false, ctx, tree),
            Entry::ConfigDefault(d) => {
                let defaults = d
                    .default_attributes
                    .iter()
                    .map(|a| (Expr::from_kconfig(&a.expression), ctx.cond(&a.r#if).and(ctx.deps.clone())))
                    .collect();
                tree.pending_defaults.push((d.symbol.clone(), defaults));
            }
            // Comments, the main menu's title and Kconfig macros carry no symbol.
            Entry::Comment(_)
            | Entry::MainMenu(_)
            | Entry::VariableAssignment(_)
            | Entry::FunctionCall(_)
            | Entry::Function(_) => {}
        }
    }
}

fn add_choice(c: &nom_kconfig::entry::Choice, ctx: &mut Ctx, tree: &mut Tree) {
    ctx.choices_seen += 1;
    let mut choice = ChoiceDef {
        prompt: None,
        prompt_if: ctx.visible.clone(),
        optional: false,
        deps: ctx.deps.clone(),
        defaults: Vec::new(),
        members: Vec::new(),
        defined_at: ctx.at(nth_line(&ctx.text, "choice", ctx.choices_seen)),
    };
    for a in &c.options {
        match a {
            Attribute::Prompt(p) => {
                choice.prompt = Some(p.prompt.clone());
                choice.prompt_if = ctx.visible.clone().and(ctx.cond(&p.r#if));
            }
            Attribute::Type(t) => {
                if let Type::Bool(Some(p)) | Type::Tristate(Some(p)) = &t.r#type {
                    choice.prompt = Some(p.clone());
                    choice.prompt_if = ctx.visible.clone().and(ctx.cond(&t.r#if));
                }
            }
            Attribute::Optional => choice.optional = true,
            Attribute::DependsOn(d) => choice.deps = choice.deps.clone().and(Expr::from_kconfig(&d.expression)),
            Attribute::Default(d) => {
                if let Expr::Sym(s) = Expr::from_kconfig(&d.expression) {
                    choice.defaults.push((s, ctx.cond(&d.r#if)));
                }
            }
            _ => {}
        }
    }
    let index = tree.choices.len();
    let deps = choice.deps.clone();
    tree.choices.push(choice);
    let saved = (ctx.choice, std::mem::replace(&mut ctx.deps, deps));
    ctx.choice = Some(index);
    flatten(&c.entries, ctx, tree);
    (ctx.choice, ctx.deps) = saved;
}

/// Follows a `source`: nom-kconfig has parsed the file already; it names
/// it relative to the component's directory. A missing file gives an empty
/// entry list (not an error) in nom-kconfig, so the check is here.
fn source(s: &nom_kconfig::entry::Source, required: bool, ctx: &mut Ctx, tree: &mut Tree) {
    for k in &s.kconfigs {
        let path = ctx.root.join(&k.file);
        if !path.is_file() {
            if required {
                let written =
                    Path::new(&k.file).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                let line = ctx
                    .text
                    .lines()
                    .position(|l| {
                        l.split_whitespace().next().is_some_and(|w| w.ends_with("source")) && l.contains(&written)
                    })
                    .map_or(0, |i| i + 1);
                let shown = path.strip_prefix(&ctx.root).unwrap_or(&path).display().to_string();
                ctx.errors.push(
                    Diagnostic::error(format!(
                        "the Kconfig file of component `{}` sources a missing file",
                        ctx.component
                    ))
                    .at(Some(Location::at(display(&ctx.file), line, 1)))
                    .value(shown)
                    .why(format!("there is no {}", display(&path)))
                    .hint(
                        "`source` paths are relative to the component's directory; `osource` may name a missing file",
                    ),
                );
            }
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let saved_file = std::mem::replace(&mut ctx.file, path);
        let saved_text = std::mem::replace(&mut ctx.text, text);
        let saved_seen = std::mem::take(&mut ctx.choices_seen);
        flatten(&k.entries, ctx, tree);
        ctx.file = saved_file;
        ctx.text = saved_text;
        ctx.choices_seen = saved_seen;
    }
}

fn add_config(name: &str, attributes: &[Attribute], ctx: &Ctx, tree: &mut Tree) {
    let mut def = SymDef {
        name: name.to_string(),
        component: ctx.component.clone(),
        ty: SymbolType::Bool,
        tristate: false,
        prompt: None,
        prompt_if: ctx.visible.clone(),
        deps: ctx.deps.clone(),
        defaults: Vec::new(),
        ranges: Vec::new(),
        selects: Vec::new(),
        implies: Vec::new(),
        help: None,
        menu: ctx.menu.clone(),
        choice: ctx.choice,
        defined_at: ctx.at(config_line(&ctx.text, name)),
    };
    let cond = |c: &Option<Expression>| ctx.cond(c);
    for a in attributes {
        match a {
            Attribute::Type(t) => {
                let (ty, prompt, default) = match &t.r#type {
                    Type::Bool(p) => (SymbolType::Bool, p.clone(), None),
                    Type::Tristate(p) => {
                        def.tristate = true;
                        (SymbolType::Bool, p.clone(), None)
                    }
                    Type::Int(p) => (SymbolType::Int, p.clone(), None),
                    Type::Hex(p) => (SymbolType::Hex, p.clone(), None),
                    Type::String(p) => (SymbolType::Str, p.clone(), None),
                    Type::DefBool(e) => (SymbolType::Bool, None, Some(e)),
                    Type::DefTristate(e) => {
                        def.tristate = true;
                        (SymbolType::Bool, None, Some(e))
                    }
                    Type::DefInt(e) => (SymbolType::Int, None, Some(e)),
                    Type::DefHex(e) => (SymbolType::Hex, None, Some(e)),
                    Type::DefString(e) => (SymbolType::Str, None, Some(e)),
                };
                def.ty = ty;
                if let Some(p) = prompt {
                    def.prompt = Some(p);
                    def.prompt_if = ctx.visible.clone().and(cond(&t.r#if));
                }
                if let Some(e) = default {
                    def.defaults.push((Expr::from_kconfig(e), cond(&t.r#if)));
                }
            }
            Attribute::Prompt(p) => {
                def.prompt = Some(p.prompt.clone());
                def.prompt_if = ctx.visible.clone().and(cond(&p.r#if));
            }
            Attribute::DependsOn(d) => def.deps = def.deps.clone().and(Expr::from_kconfig(&d.expression)),
            Attribute::Default(d) => def.defaults.push((Expr::from_kconfig(&d.expression), cond(&d.r#if))),
            Attribute::Range(r) => def.ranges.push((bound(&r.lower_bound), bound(&r.upper_bound), cond(&r.r#if))),
            Attribute::Select(s) => def.selects.push((s.symbol.clone(), cond(&s.r#if))),
            Attribute::Imply(i) => {
                if let Expr::Sym(s) = Expr::from_symbol(&i.symbol) {
                    def.implies.push((s, cond(&i.r#if)));
                }
            }
            Attribute::Help(h) => def.help = Some(h.trim().to_string()),
            _ => {}
        }
    }
    // Hex defaults and range bounds written without `0x` are hex all the same.
    if def.ty == SymbolType::Hex {
        let as_hex = |e: &mut Expr| {
            if let Expr::Const(Value::Int(n)) = e {
                *e = Expr::Const(Value::Hex(parse_hex(&n.to_string()).unwrap_or(*n as u64)));
            }
        };
        def.defaults.iter_mut().for_each(|(value, _)| as_hex(value));
        def.ranges.iter_mut().for_each(|(lo, hi, _)| {
            as_hex(lo);
            as_hex(hi);
        });
    }
    let mut uses_m = def.defaults.iter().any(|(v, c)| v.mentions_module() || c.mentions_module());
    uses_m |= def.deps.mentions_module() || def.prompt_if.mentions_module();
    uses_m |= def.selects.iter().chain(&def.implies).any(|(_, c)| c.mentions_module());
    if uses_m {
        tree.warnings.push(
            Diagnostic::warning(format!("{name} uses the tristate value `m`, which bluegen reads as `y`"))
                .why("bluegen images have no loadable modules: tristate symbols are bools")
                .note(format!("declared at {}", def.defined_at)),
        );
    }
    match tree.index.get(name) {
        // A symbol defined twice: the later definition adds to the first.
        Some(&i) => {
            let first = &mut tree.syms[i];
            first.defaults.extend(def.defaults);
            first.ranges.extend(def.ranges);
            first.selects.extend(def.selects);
            first.implies.extend(def.implies);
            if first.prompt.is_none() {
                first.prompt = def.prompt;
                first.prompt_if = def.prompt_if;
            }
            if first.help.is_none() {
                first.help = def.help;
            }
        }
        None => {
            if let Some(c) = def.choice {
                tree.choices[c].members.push(tree.syms.len());
            }
            tree.index.insert(name.to_string(), tree.syms.len());
            tree.syms.push(def);
        }
    }
}

fn bound(b: &RangeBound) -> Expr {
    match b {
        RangeBound::Number(n) => Expr::Const(Value::Int(*n)),
        RangeBound::Hex(h) => Expr::Const(Value::Hex(parse_hex(h).unwrap_or(0))),
        RangeBound::Symbol(s) => Expr::Sym(s.clone()),
        RangeBound::Variable(_) => Expr::Const(Value::Int(0)),
    }
}

/// The 1-based line of the `nth` (from 1) line that is just `keyword`
/// (comments allowed), or 0.
fn nth_line(text: &str, keyword: &str, nth: usize) -> usize {
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.split('#').next().unwrap_or("").trim() == keyword)
        .nth(nth.saturating_sub(1))
        .map_or(0, |(i, _)| i + 1)
}

/// The 1-based line of `config NAME` (or `menuconfig NAME`) in `text`.
fn config_line(text: &str, name: &str) -> usize {
    text.lines()
        .position(|l| {
            let mut words = l.split_whitespace();
            matches!(words.next(), Some("config" | "menuconfig")) && words.next() == Some(name)
        })
        .map_or(0, |i| i + 1)
}

/// `components/kernel/Kconfig` for a path inside the kernel root.
pub fn display(path: &Path) -> String {
    let parts: Vec<_> = path.components().collect();
    match parts.iter().rposition(|c| c.as_os_str() == "components") {
        Some(i) => parts[i..].iter().collect::<PathBuf>().display().to_string(),
        None => path.display().to_string(),
    }
}
