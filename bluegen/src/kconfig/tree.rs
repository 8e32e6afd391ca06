//! Tree: the components' Kconfig files parsed and flattened into symbols.
//!
//! nom-kconfig gives a nested list of entries per file. Flattening pushes the
//! context of menus (`depends on`, `visible if`, title), `if` blocks and
//! choices down onto each symbol, so evaluation sees one flat list, in file
//! order, where every symbol carries all it depends on.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use nom_kconfig::attribute::r#type::Type;
use nom_kconfig::attribute::Attribute;
use nom_kconfig::attribute::range::RangeBound;
use nom_kconfig::{Entry, KconfigFile, KconfigInput};

use super::expr::{Expr, parse_hex};
use super::{ComponentKconfig, SymbolType, Value};
use crate::diag::{Diagnostic, Error, Location, Result};

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
}

impl Tree {
    pub fn sym(&self, name: &str) -> Option<&SymDef> {
        self.index.get(name).map(|&i| &self.syms[i])
    }
}

/// Parses every component's Kconfig file (following `source`).
pub fn load(files: &[ComponentKconfig]) -> Result<Tree> {
    let mut tree = Tree::default();
    let mut errors = Vec::new();
    for f in files {
        let dir = f.path.parent().unwrap_or(Path::new(".")).to_path_buf();
        let name = f.path.file_name().map(PathBuf::from).unwrap_or_else(|| PathBuf::from("Kconfig"));
        let text = std::fs::read_to_string(&f.path).map_err(|e| Error::io("read", &f.path, e))?;
        let input = KconfigInput::new_extra(&text, KconfigFile::new(dir.clone(), name));
        match nom_kconfig::parse_kconfig(input) {
            Ok((_, kconfig)) => {
                let mut ctx = Ctx {
                    component: f.component.clone(),
                    file: f.path.clone(),
                    text: text.clone(),
                    deps: Expr::TRUE,
                    visible: Expr::TRUE,
                    menu: Vec::new(),
                    choice: None,
                };
                flatten(&kconfig.entries, &mut ctx, &mut tree, &dir);
            }
            Err(e) => errors.push(
                Diagnostic::error(format!("cannot parse the Kconfig file of component `{}`", f.component))
                    .at(Some(Location::at(display(&f.path), e.line as usize, e.column)))
                    .why(format!("the Kconfig parser stopped here ({})", e.kind))
                    .note("bluegen reads the Linux Kconfig language: config, menuconfig, choice, menu, if, comment, source"),
            ),
        }
    }
    Error::check(errors)?;
    Ok(tree)
}

struct Ctx {
    component: String,
    file: PathBuf,
    text: String,
    deps: Expr,
    visible: Expr,
    menu: Vec<String>,
    choice: Option<usize>,
}

fn flatten(entries: &[Entry], ctx: &mut Ctx, tree: &mut Tree, dir: &Path) {
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
                flatten(&m.entries, ctx, tree, dir);
                ctx.menu.pop();
                (ctx.deps, ctx.visible) = saved;
            }
            Entry::If(i) => {
                let saved = ctx.deps.clone();
                ctx.deps = ctx.deps.clone().and(Expr::from_kconfig(&i.condition));
                flatten(&i.entries, ctx, tree, dir);
                ctx.deps = saved;
            }
            Entry::Choice(c) => {
                let mut choice = ChoiceDef {
                    prompt: None,
                    optional: false,
                    deps: ctx.deps.clone(),
                    defaults: Vec::new(),
                    members: Vec::new(),
                    defined_at: format!("{}:{}", display(&ctx.file), line_of(&ctx.text, "choice")),
                };
                for a in &c.options {
                    match a {
                        Attribute::Prompt(p) => choice.prompt = Some(p.prompt.clone()),
                        Attribute::Type(t) => {
                            if let Type::Bool(Some(p)) | Type::Tristate(Some(p)) = &t.r#type {
                                choice.prompt = Some(p.clone());
                            }
                        }
                        Attribute::Optional => choice.optional = true,
                        Attribute::DependsOn(d) => choice.deps = choice.deps.clone().and(Expr::from_kconfig(&d.expression)),
                        Attribute::Default(d) => {
                            let cond = d.r#if.as_ref().map_or(Expr::TRUE, Expr::from_kconfig);
                            if let Expr::Sym(s) = Expr::from_kconfig(&d.expression) {
                                choice.defaults.push((s, cond));
                            }
                        }
                        _ => {}
                    }
                }
                let index = tree.choices.len();
                tree.choices.push(choice);
                let saved = (ctx.choice, ctx.deps.clone());
                ctx.choice = Some(index);
                ctx.deps = tree.choices[index].deps.clone();
                flatten(&c.entries, ctx, tree, dir);
                (ctx.choice, ctx.deps) = saved;
            }
            Entry::Source(s) => {
                for k in &s.kconfigs {
                    let path = dir.join(&k.file);
                    let saved = (std::mem::replace(&mut ctx.file, path.clone()), std::mem::take(&mut ctx.text));
                    ctx.text = std::fs::read_to_string(&path).unwrap_or_default();
                    let sub_dir = path.parent().unwrap_or(dir).to_path_buf();
                    flatten(&k.entries, ctx, tree, &sub_dir);
                    (ctx.file, ctx.text) = saved;
                }
            }
            _ => {}
        }
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
        defined_at: format!("{}:{}", display(&ctx.file), config_line(&ctx.text, name)),
    };
    let cond = |c: &Option<nom_kconfig::attribute::expression::Expression>| c.as_ref().map_or(Expr::TRUE, Expr::from_kconfig);
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
    // Hex defaults and range bounds written as plain numbers are hex.
    if def.ty == SymbolType::Hex {
        for (value, _) in &mut def.defaults {
            if let Expr::Const(Value::Int(n)) = value {
                *value = Expr::Const(Value::Hex(parse_hex(&n.to_string()).unwrap_or(*n as u64)));
            }
        }
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

/// The 1-based line of `config NAME` (or `menuconfig NAME`) in `text`.
fn config_line(text: &str, name: &str) -> usize {
    text.lines()
        .position(|l| {
            let mut words = l.split_whitespace();
            matches!(words.next(), Some("config" | "menuconfig")) && words.next() == Some(name)
        })
        .map_or(0, |i| i + 1)
}

fn line_of(text: &str, keyword: &str) -> usize {
    text.lines().position(|l| l.trim() == keyword).map_or(0, |i| i + 1)
}

/// `components/kernel/Kconfig` for a path inside the kernel root.
pub fn display(path: &Path) -> String {
    let parts: Vec<_> = path.components().collect();
    match parts.iter().rposition(|c| c.as_os_str() == "components") {
        Some(i) => parts[i..].iter().collect::<PathBuf>().display().to_string(),
        None => path.display().to_string(),
    }
}
