//! Show: Kconfig values and their origins as people and device.toml read them.

use super::{SetBy, Symbol, SymbolType, Value};

/// `user`, `board`, `preset`, `derived`, `default`, `select` or `imply`.
pub fn set_by_kind(s: &SetBy) -> &'static str {
    match s {
        SetBy::User => "user",
        SetBy::Preset(_) => "preset",
        SetBy::Board(_) => "board",
        SetBy::Derived(_) => "derived",
        SetBy::Default => "default",
        SetBy::Select(_) => "select",
        SetBy::Imply(_) => "imply",
    }
}

pub fn set_by_text(s: &SetBy) -> String {
    match s {
        SetBy::User => "device".into(),
        SetBy::Preset(p) => format!("preset {p}"),
        SetBy::Board(b) => format!("board {b}"),
        SetBy::Derived(t) => format!("device.toml {t}"),
        SetBy::Default => "default".into(),
        SetBy::Select(by) => format!("selected by {by}"),
        SetBy::Imply(by) => format!("implied by {by}"),
    }
}

/// A value as it would be written in device.toml.
pub fn toml_value(v: &Value) -> String {
    match v {
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Hex(h) => format!("\"{h:#x}\""),
        Value::Str(s) => toml::Value::String(s.clone()).to_string(),
    }
}

pub fn type_name(s: &Symbol) -> &'static str {
    match s.ty {
        SymbolType::Bool => "bool",
        SymbolType::Int => "int",
        SymbolType::Hex => "hex",
        SymbolType::Str => "string",
    }
}

