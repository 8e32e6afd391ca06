//! Kconfig: the components' feature model, parsed and resolved by bluegen.
//!
//! Each component crate has a `Kconfig` file in the Linux Kconfig language.
//! [`load`] parses them with nom-kconfig into a [`Tree`] (symbols with their
//! dependencies, defaults, ranges, selects, choices and menus); [`resolve`]
//! applies a preset's and a device's assignments and evaluates the whole
//! configuration to a fixed point, reporting every mistake at once. The
//! resulting [`Config`] gives each component its cargo features and the
//! image its typed constants.
//!
//! The whole language is read: `config`, `menuconfig`, `choice` (with
//! `optional`), `menu` (with `visible if` and `depends on`), `if`,
//! `comment`, `source` (and kconfiglib's `rsource`, `osource`, `orsource`,
//! `configdefault`); types bool, int, hex, string, and tristate as bool (`m`
//! reads as `y`, with a warning); prompts, defaults, ranges, selects and
//! implies with `if` conditions; expressions with `!`, `&&`, `||`, `=`,
//! `!=`, `<`, `<=`, `>`, `>=` and parentheses.
//!
//! Usage:
//!
//! ```ignore
//! let tree = kconfig::load(&[ComponentKconfig { component: "kernel".into(), path }])?;
//! let config = kconfig::resolve(&tree, &assignments)?;
//! let features = config.features_of("kernel"); // ["console", "threads", …]
//! ```

mod eval;
pub mod expr;
pub mod show;
mod tree;

use std::path::PathBuf;

pub use eval::resolve;
pub use tree::{Tree, load};

/// A component's Kconfig file.
#[derive(Debug, Clone)]
pub struct ComponentKconfig {
    /// Directory name in components/, e.g. `kernel`.
    pub component: String,
    pub path: PathBuf,
}

/// A symbol's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Bool(bool),
    Int(i64),
    Hex(u64),
    Str(String),
}

impl Value {
    /// The value as a number, if it is one (strings holding numbers count).
    pub fn as_number(&self) -> Option<i128> {
        match self {
            Value::Int(n) => Some(i128::from(*n)),
            Value::Hex(h) => Some(i128::from(*h)),
            Value::Str(s) => {
                s.parse::<i128>().ok().or_else(|| expr::parse_hex(s).filter(|_| s.starts_with("0x")).map(i128::from))
            }
            Value::Bool(_) => None,
        }
    }

    /// The value as Kconfig compares strings.
    pub fn as_text(&self) -> String {
        match self {
            Value::Bool(b) => if *b { "y" } else { "n" }.into(),
            Value::Int(n) => n.to_string(),
            Value::Hex(h) => format!("{h:#x}"),
            Value::Str(s) => s.clone(),
        }
    }

    /// The value as written in a device.toml: `true`, `100`, `0x1000`, `"text"`.
    pub fn toml_literal(&self) -> String {
        match self {
            Value::Bool(b) => b.to_string(),
            Value::Str(s) => toml::Value::String(s.clone()).to_string(),
            v => v.as_text(),
        }
    }

    /// The value as written in a Kconfig file.
    pub fn kconfig_text(&self) -> String {
        match self {
            Value::Str(s) => format!("\"{s}\""),
            v => v.as_text(),
        }
    }
}

/// A symbol's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SymbolType {
    Bool,
    Int,
    Hex,
    Str,
}

impl SymbolType {
    pub fn name(self) -> &'static str {
        match self {
            SymbolType::Bool => "bool",
            SymbolType::Int => "int",
            SymbolType::Hex => "hex",
            SymbolType::Str => "string",
        }
    }
}

/// Who wrote an assignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    User,
    Preset(String),
    /// The board file's `[features]`, named by board.
    Board(String),
    /// Bluegen's, from another table of device.toml (named, e.g.
    /// `[interrupts]`): the only way to set a symbol without a prompt.
    Derived(String),
}

/// One `key = value` from a preset or the device's `[features]`.
#[derive(Debug, Clone)]
pub struct Assignment {
    /// Kebab-case as written, e.g. `tick-hz`.
    pub key: String,
    pub value: toml::Value,
    pub origin: Origin,
    pub location: Option<crate::diag::Location>,
}

/// Where a resolved value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetBy {
    User,
    Preset(String),
    Board(String),
    /// Bluegen, from the named table of device.toml ([`Origin::Derived`]).
    Derived(String),
    Default,
    Select(String),
    Imply(String),
}

/// A resolved symbol.
#[derive(Debug, Clone)]
pub struct Symbol {
    /// The Kconfig name, `PANIC_LOCATION`.
    pub name: String,
    /// The device.toml key, `panic-location`.
    pub key: String,
    pub ty: SymbolType,
    /// `None`: its dependencies are unmet and it has no value.
    pub value: Option<Value>,
    pub set_by: SetBy,
    pub component: String,
    pub prompt: Option<String>,
    pub help: Option<String>,
    /// The `depends on` expression (menus and `if` blocks included).
    pub depends_on: Option<String>,
    /// The range in force, if any.
    pub range: Option<(i64, i64)>,
    /// The menu path, outermost first.
    pub menu: Vec<String>,
    /// `components/kernel/Kconfig:12`.
    pub defined_at: String,
    /// Symbols this one selects (whatever their condition).
    pub selects: Vec<String>,
    /// Whether a user may set it now: it has a prompt and its dependencies hold.
    pub visible: bool,
    /// The prompt of the choice it belongs to, if any.
    pub choice: Option<String>,
    /// The numbers its defaults can give (constant ones only), for the
    /// Rust type of its constant.
    pub(super) numeric_defaults: Vec<i128>,
}

/// A typed constant for the generated `config.rs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Constant {
    pub name: String,
    pub rust_type: String,
    /// A Rust literal.
    pub value: String,
    pub help: String,
}

/// A resolved configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// In Kconfig order.
    pub symbols: Vec<Symbol>,
    /// Warnings found while resolving (e.g. a select against unmet dependencies).
    pub warnings: Vec<crate::diag::Diagnostic>,
}

/// `PANIC_LOCATION` → `panic-location`.
pub fn key_of(name: &str) -> String {
    name.to_lowercase().replace('_', "-")
}

/// `panic-location` → `PANIC_LOCATION`.
pub fn name_of(key: &str) -> String {
    key.to_uppercase().replace('-', "_")
}

impl Config {
    pub fn get(&self, name: &str) -> Option<&Symbol> {
        self.symbols.iter().find(|s| s.name == name)
    }

    /// The bool symbols of `component` that are y, as cargo features.
    pub fn features_of(&self, component: &str) -> Vec<String> {
        self.symbols
            .iter()
            .filter(|s| s.component == component && s.value == Some(Value::Bool(true)))
            .map(|s| s.key.clone())
            .collect()
    }

    /// The symbols `name` selects.
    pub fn selects_of(&self, name: &str) -> Vec<String> {
        self.get(name).map(|s| s.selects.clone()).unwrap_or_default()
    }

    /// Every symbol as a typed constant for the generated `config.rs`.
    ///
    /// - bool → `bool`;
    /// - int → `u32` when it cannot be negative: its range's lower bound is
    ///   ≥ 0, or, without a range, every constant default is; else `i32`.
    ///   Widened to `u64` / `i64` when the value or a range bound needs it,
    ///   so the type depends on the Kconfig file, not on the user's value.
    /// - hex → `usize`: hex symbols hold addresses, sizes and masks, which
    ///   the kernel uses as `usize` without casts;
    /// - string → `&str` (a `const` is `'static` already), escaped.
    ///
    /// A symbol without a value (dependencies unmet) is `false`, 0 or "".
    pub fn constants(&self) -> Vec<Constant> {
        self.symbols.iter().map(constant).collect()
    }
}

fn constant(s: &Symbol) -> Constant {
    let (rust_type, value) = match (s.ty, &s.value) {
        (SymbolType::Bool, v) => ("bool", (*v == Some(Value::Bool(true))).to_string()),
        (SymbolType::Int, v) => {
            let n = match v {
                Some(Value::Int(n)) => *n,
                _ => 0,
            };
            (int_type(n, s.range, &s.numeric_defaults), n.to_string())
        }
        (SymbolType::Hex, v) => {
            let h = match v {
                Some(Value::Hex(h)) => *h,
                _ => 0,
            };
            ("usize", format!("{h:#x}"))
        }
        (SymbolType::Str, v) => {
            let text = match v {
                Some(Value::Str(t)) => t.as_str(),
                _ => "",
            };
            ("&str", rust_string(text))
        }
    };
    Constant {
        name: s.name.clone(),
        rust_type: rust_type.into(),
        value,
        help: s.help.clone().or_else(|| s.prompt.clone()).unwrap_or_default(),
    }
}

/// The narrowest of `u32`, `i32`, `u64`, `i64` that suits an int symbol.
fn int_type(value: i64, range: Option<(i64, i64)>, defaults: &[i128]) -> &'static str {
    let unsigned = value >= 0
        && match range {
            Some((lo, _)) => lo >= 0,
            None => defaults.iter().all(|&d| d >= 0),
        };
    let mut needed = vec![i128::from(value)];
    if let Some((lo, hi)) = range {
        needed.extend([i128::from(lo), i128::from(hi)]);
    }
    let fits = |lo: i128, hi: i128| needed.iter().all(|n| (lo..=hi).contains(n));
    match unsigned {
        true if fits(0, i128::from(u32::MAX)) => "u32",
        true => "u64",
        false if fits(i128::from(i32::MIN), i128::from(i32::MAX)) => "i32",
        false => "i64",
    }
}

/// A Rust string literal: quotes, backslashes and control characters escaped.
fn rust_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests;
