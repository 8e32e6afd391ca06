//! Escape: values made safe for the language of the file they are pasted into.
//!
//! The image templates never paste a string as it is: the template
//! environment's formatter ([`formatter`]) refuses any string that did not
//! come out of one of the filters below, so a path, a package name or a board
//! string reaches a generated file only as a TOML string, a Rust string
//! literal, a checked Rust identifier or path, or comment text. Numbers and
//! booleans print as themselves. A value that cannot be expressed (a Rust
//! keyword as an identifier, say) is a render error, never a broken file.

use minijinja::value::{Value, ValueKind};
use minijinja::{Environment, Error, ErrorKind, Output, State};

/// Adds the escaping filters and the formatter that enforces them.
pub fn install(env: &mut Environment<'_>) {
    env.set_formatter(formatter);
    env.add_filter("hex", |v: u64| Value::from_safe_string(format!("{v:#x}")));
    env.add_filter("toml_str", |s: String| Value::from_safe_string(toml_str(&s)));
    env.add_filter("toml_key", |s: String| Value::from_safe_string(toml_key(&s)));
    env.add_filter("toml", |v: Value| toml_value(&v).map(Value::from_safe_string));
    env.add_filter("rust_str", |s: String| Value::from_safe_string(rust_str(&s)));
    env.add_filter("ident", |s: String| checked(rust_ident(&s)));
    env.add_filter("rust_path", |s: String| checked(rust_path(&s)));
    env.add_filter("comment", |s: String| Value::from_safe_string(comment(&s)));
}

/// Prints numbers, booleans and filtered (safe) strings; refuses the rest.
fn formatter(out: &mut Output, _state: &mut State, value: &Value) -> Result<(), Error> {
    let ok = match value.kind() {
        ValueKind::Number | ValueKind::Bool => true,
        ValueKind::String => value.is_safe(),
        _ => false,
    };
    if !ok {
        return Err(Error::new(
            ErrorKind::InvalidOperation,
            format!(
                "refusing to paste {} `{value}` as it is: pass it through toml_str, toml_key, toml, rust_str, ident, rust_path, comment or hex",
                value.kind()
            ),
        ));
    }
    write!(out, "{value}").map_err(|e| Error::new(ErrorKind::WriteFailure, e.to_string()))
}

fn checked(r: Result<String, String>) -> Result<Value, Error> {
    r.map(Value::from_safe_string).map_err(|why| Error::new(ErrorKind::InvalidOperation, why))
}

/// A TOML basic string holding exactly `s` (serialized by the toml crate).
pub fn toml_str(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// A TOML key: bare when it may be, else a one-line quoted string
/// (toml_edit's key repr; a value's multi-line form is not a key).
pub fn toml_key(s: &str) -> String {
    toml_edit::Key::new(s).to_string()
}

/// A TOML inline value (string, number, boolean, array, inline table) of any
/// serializable template value.
pub fn toml_value(v: &Value) -> Result<String, Error> {
    let value = toml::Value::try_from(v).map_err(|e| Error::new(ErrorKind::InvalidOperation, format!("not expressible in TOML: {e}")))?;
    Ok(value.to_string())
}

/// A Rust string literal holding exactly `s`: every character outside
/// printable ASCII, and `"`, `'` and `\`, written as an escape.
pub fn rust_str(s: &str) -> String {
    format!("\"{}\"", s.escape_default())
}

/// Rust's strict and reserved keywords (2024 edition), which cannot be
/// identifiers.
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern", "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro", "override", "priv", "typeof", "unsized", "virtual", "yield", "try",
];

/// `s` if it is a plain (ASCII) Rust identifier and not a keyword.
pub fn rust_ident(s: &str) -> Result<String, String> {
    let mut chars = s.chars();
    let ident = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && s != "_";
    match (ident, KEYWORDS.contains(&s)) {
        (true, false) => Ok(s.to_string()),
        (true, true) => Err(format!("`{s}` is a Rust keyword, not an identifier")),
        (false, _) => Err(format!("`{}` is not a Rust identifier", s.escape_default())),
    }
}

/// `s` if it is a Rust path of identifiers (`a::b::c`).
pub fn rust_path(s: &str) -> Result<String, String> {
    s.split("::").map(rust_ident).collect::<Result<Vec<_>, _>>().map(|segments| segments.join("::"))
}

/// Text for a one-line comment in any of the generated languages (TOML `#`,
/// Rust `//`, linker script `/* */`): control characters (line breaks
/// included) and bidirectional overrides become spaces, and neither `*/` nor `/*` (Rust block comments
/// nest) can end or open a block comment.
pub fn comment(s: &str) -> String {
    // Bidirectional overrides in a comment are a deny-by-default rustc lint.
    let bidi = |c: char| matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    let line: String = s.chars().map(|c| if c.is_control() || bidi(c) { ' ' } else { c }).collect();
    line.replace("*/", "* /").replace("/*", "/ *")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_strings_round_trip() {
        for s in ["plain", "quo\"te", "back\\slash", "new\nline", "'single'", "$HOME", "ünï", "\u{7f}\u{0}"] {
            let doc: toml::Table = toml::from_str(&format!("k = {}", toml_str(s))).unwrap();
            assert_eq!(doc["k"].as_str(), Some(s));
        }
    }

    #[test]
    fn rust_strings_are_escaped() {
        assert_eq!(rust_str("a\"b\\c\n"), r#""a\"b\\c\n""#);
        assert_eq!(rust_str("é"), r#""\u{e9}""#);
    }

    #[test]
    fn identifiers_and_paths_are_checked() {
        assert_eq!(rust_ident("main").unwrap(), "main");
        assert!(rust_ident("fn").unwrap_err().contains("keyword"));
        assert!(rust_ident("a-b").is_err() && rust_ident("").is_err() && rust_ident("_").is_err());
        assert_eq!(rust_path("app::sensors::poll").unwrap(), "app::sensors::poll");
        assert!(rust_path("app::crate::main").is_err() && rust_path("app::").is_err());
    }

    #[test]
    fn comments_stay_on_one_line() {
        assert_eq!(comment("a\nb\r*/c/*"), "a b * /c/ *");
    }

    #[test]
    fn raw_strings_are_refused() {
        let mut env = Environment::new();
        install(&mut env);
        let err = env.render_str("{{ s }}", minijinja::context! { s => "x\"y" }).unwrap_err();
        assert!(err.to_string().contains("refusing to paste"), "{err}");
        let ok = env.render_str("{{ s | toml_str }} {{ n }} {{ n | hex }}", minijinja::context! { s => "x\"y", n => 16 }).unwrap();
        assert_eq!(ok, r#"'x"y' 16 0x10"#);
    }
}
