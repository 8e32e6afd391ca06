//! Schema: the shape of bluegen's data files (boards, presets), checked in one pass.
//!
//! serde stops at the first mistake and names keys without their table. A
//! [`Schema`] walks the whole parsed file first and reports every syntax
//! error, unknown key (with its table path and the closest allowed key),
//! wrong type and missing key, in line order; only a file that passes is
//! handed to serde, which then cannot fail on its shape.

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::diag::{Diagnostic, Location, Source};

/// What a key holds.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    Str,
    /// A number (an integer is one too).
    Number,
    StrArray,
    /// A table of these keys.
    Table(&'static [Key]),
    /// A table of any keys and values (`[features]`).
    AnyTable,
    /// One of these strings.
    OneOf(&'static [&'static str]),
    /// An address ([`crate::units::address`]).
    Address,
    /// A size in bytes ([`crate::units::size`]).
    Size,
}

/// One allowed key of a table.
#[derive(Debug, Clone, Copy)]
pub struct Key {
    pub name: &'static str,
    pub kind: Kind,
    pub required: bool,
}

/// A required key.
pub const fn req(name: &'static str, kind: Kind) -> Key {
    Key { name, kind, required: true }
}

/// An optional key.
pub const fn opt(name: &'static str, kind: Kind) -> Key {
    Key { name, kind, required: false }
}

/// The keys at the top of a file.
pub type Schema = &'static [Key];

/// [`crate::units::address`] or [`crate::units::size`].
type Convert = fn(&toml::Value) -> std::result::Result<u64, String>;

/// Every shape mistake of `source` (a `what` file: "board", "preset") against
/// `schema`, in line order; empty when serde can read it.
pub fn check(source: &Source, what: &str, schema: Schema) -> Vec<Diagnostic> {
    let (doc, syntax) = DeTable::parse_recoverable(&source.text);
    let mut errors: Vec<Diagnostic> = syntax
        .iter()
        .map(|e| {
            let location = e.span().map(|s| source.location(s)).or_else(|| Some(Location::at(&source.path, 1, 1)));
            Diagnostic::error(format!("the {what} file is not valid TOML: {}", first_line(e.message().trim())))
                .at(location)
                .hint("see https://toml.io for the syntax; strings need quotes, tables `[name]` headers")
        })
        .collect();
    let mut w = Walker { source, what, errors: Vec::new(), recovered: !errors.is_empty() };
    w.table(doc.get_ref(), doc.span(), "", schema);
    errors.append(&mut w.errors);
    errors.sort_by_key(|d| d.location.as_ref().map(|l| (l.line, l.col)));
    errors
}

struct Walker<'s> {
    source: &'s Source,
    what: &'s str,
    errors: Vec<Diagnostic>,
    /// The parser recovered from a syntax error: a missing key may be its doing.
    recovered: bool,
}

impl Walker<'_> {
    fn at(&self, span: std::ops::Range<usize>) -> Option<Location> {
        Some(self.source.location(span))
    }

    fn table(&mut self, t: &DeTable<'_>, span: std::ops::Range<usize>, path: &str, keys: &[Key]) {
        let join = |k: &str| if path.is_empty() { k.to_string() } else { format!("{path}.{k}") };
        let mut entries: Vec<_> = t.iter().collect();
        entries.sort_by_key(|(k, _)| k.span().start);
        for (k, v) in entries {
            let full = join(k.get_ref());
            match keys.iter().find(|key| key.name == k.get_ref().as_ref()) {
                Some(key) => self.value(v, &full, key.kind),
                None => {
                    let place = if path.is_empty() { format!("at the top of a {} file", self.what) } else { format!("in [{path}]") };
                    let list = keys.iter().map(|k| format!("`{}`", k.name)).collect::<Vec<_>>().join(", ");
                    let d = Diagnostic::error(format!("unknown key `{full}` in the {} file", self.what))
                        .at(self.at(k.span()))
                        .key(full)
                        .why(format!("the keys allowed {place} are {list}"));
                    let hint = crate::diag::did_you_mean(k.get_ref(), keys.iter().map(|k| k.name))
                        .unwrap_or_else(|| "remove it, or move it to the table it belongs to".to_string());
                    self.errors.push(d.hint(hint));
                }
            }
        }
        if self.recovered {
            return;
        }
        for key in keys.iter().filter(|k| k.required && !t.contains_key(k.name)) {
            let (table, example) = (if path.is_empty() { "the top of the file".to_string() } else { format!("[{path}]") }, example(key.kind));
            let where_ = if path.is_empty() { span.start..span.start } else { span.clone() };
            self.errors.push(
                Diagnostic::error(format!("the {} file has no `{}`", self.what, join(key.name)))
                    .at(self.at(where_))
                    .key(join(key.name))
                    .why(format!("{table} needs it"))
                    .hint(match key.kind {
                        Kind::Table(_) => format!("add a [{}] table", join(key.name)),
                        _ => format!("add `{} = {example}` to {table}", key.name),
                    }),
            );
        }
    }

    fn value(&mut self, v: &Spanned<DeValue<'_>>, path: &str, kind: Kind) {
        let value = v.get_ref();
        let ok = match (kind, value) {
            (Kind::Str, DeValue::String(_)) => true,
            (Kind::Number, DeValue::Integer(_) | DeValue::Float(_)) => true,
            (Kind::StrArray, DeValue::Array(a)) => {
                for e in a.iter().filter(|e| e.get_ref().as_str().is_none()) {
                    self.wrong(e, path, "an array of strings");
                }
                true
            }
            (Kind::Table(keys), DeValue::Table(t)) => {
                self.table(t, v.span(), path, keys);
                true
            }
            (Kind::AnyTable, DeValue::Table(_)) => true,
            (Kind::OneOf(allowed), DeValue::String(s)) => {
                if !allowed.contains(&s.as_ref()) {
                    let list = allowed.iter().map(|a| format!("`{a}`")).collect::<Vec<_>>().join(", ");
                    let hint = crate::diag::did_you_mean(s, allowed.iter().copied()).unwrap_or_else(|| format!("use one of {list}"));
                    self.invalid(v, path, format!("`{s}` is none of {list}"), hint);
                }
                true
            }
            (Kind::Address | Kind::Size, DeValue::String(_) | DeValue::Integer(_)) => {
                let (check, hint): (Convert, _) = match kind {
                    Kind::Address => (crate::units::address, "write an address such as 0x2000_0000"),
                    _ => (crate::units::size, "write a size such as \"256K\" or 0x4_0000"),
                };
                if let Err(why) = crate::load::to_value(value).and_then(|value| check(&value)) {
                    self.invalid(v, path, why, hint.to_string());
                }
                true
            }
            _ => false,
        };
        if !ok {
            self.wrong(v, path, expected(kind));
        }
    }

    fn invalid(&mut self, v: &Spanned<DeValue<'_>>, path: &str, why: String, hint: String) {
        self.errors.push(
            Diagnostic::error(format!("invalid value for `{path}` in the {} file", self.what))
                .at(self.at(v.span()))
                .key(path.to_string())
                .value(self.source.text.get(v.span()).unwrap_or_default().to_string())
                .why(why)
                .hint(hint),
        );
    }

    fn wrong(&mut self, v: &Spanned<DeValue<'_>>, path: &str, expected: &str) {
        let key = path.rsplit('.').next().unwrap_or(path);
        let text = self.source.text.get(v.span()).unwrap_or_default();
        let hint = match (expected, v.get_ref()) {
            ("a string", _) => format!("put the value in double quotes: `{key} = \"…\"`"),
            ("an array of strings", DeValue::String(_)) => format!("put it in an array: `{key} = [{text}]`"),
            ("an array of strings", _) => format!("write `{key}` as an array of quoted strings, such as `{key} = [\"-M\", \"virt\"]`"),
            ("a table", _) => format!("write it as a table: `[{path}]` followed by its keys"),
            (e, _) => format!("write {e} here"),
        };
        self.errors.push(
            Diagnostic::error(format!("invalid value for `{path}` in the {} file", self.what))
                .at(self.at(v.span()))
                .key(path.to_string())
                .value(self.source.text.get(v.span()).unwrap_or_default().to_string())
                .why(format!("`{path}` is {expected}, not {}", article(v.get_ref().type_str())))
                .hint(hint),
        );
    }
}

fn expected(kind: Kind) -> &'static str {
    match kind {
        Kind::Str => "a string",
        Kind::Number => "a number",
        Kind::StrArray => "an array of strings",
        Kind::Table(_) | Kind::AnyTable => "a table",
        Kind::OneOf(_) => "a string",
        Kind::Address => "an address (an integer such as 0x2000_0000)",
        Kind::Size => "a size (an integer, or a string such as \"4M\")",
    }
}

fn example(kind: Kind) -> &'static str {
    match kind {
        Kind::Str => "\"…\"",
        Kind::Number => "1.0",
        Kind::StrArray => "[\"…\"]",
        Kind::Table(_) | Kind::AnyTable => "{ … }",
        Kind::OneOf(allowed) => allowed[0],
        Kind::Address => "0x2000_0000",
        Kind::Size => "\"4K\"",
    }
}

fn article(type_str: &str) -> String {
    let name = if type_str == "datetime" { "date-time" } else { type_str };
    if name.starts_with(['a', 'e', 'i', 'o', 'u']) { format!("an {name}") } else { format!("a {name}") }
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    const INNER: &[Key] = &[req("size", Kind::Size), opt("name", Kind::Str)];
    const TOP: Schema = &[req("table", Kind::Table(INNER)), opt("list", Kind::StrArray), opt("features", Kind::AnyTable)];

    fn errors(text: &str) -> String {
        let source = Source { path: "x.toml".into(), text: text.into() };
        crate::diag::render(&check(&source, "board", TOP))
    }

    #[test]
    fn every_mistake_with_its_table_path_in_line_order() {
        let text = errors("[table]\nname = 1\nsise = 4\n[features]\nanything = 1\n[nope]\nlist = [1]\n");
        let at = |needle: &str| text.find(needle).unwrap_or_else(|| panic!("no {needle} in {text}"));
        assert!(at("x.toml:2:8") < at("x.toml:3:1") && at("x.toml:3:1") < at("x.toml:6:"), "{text}");
        assert!(text.contains("key: table.name") && text.contains("put the value in double quotes"), "{text}");
        assert!(text.contains("unknown key `table.sise`") && text.contains("did you mean `size`?"), "{text}");
        assert!(text.contains("unknown key `nope`"), "{text}");
        assert!(text.contains("the board file has no `table.size`"), "{text}");
        assert!(!text.contains("anything"), "{text}");
    }

    #[test]
    fn a_good_file_has_no_mistakes() {
        assert_eq!(errors("list = [\"a\"]\n[table]\nsize = \"4K\"\n"), "");
    }
}
