//! Edit: change `[features]` in a user's device.toml, keeping every other byte.
//!
//! Edits go through toml_edit, so comments, key order, blank lines and the
//! other tables stay exactly as the user wrote them: a changed value keeps
//! the comment after it, a new key goes at the end of `[features]`, a removed
//! key takes only its own line. The file is replaced atomically, and only if
//! its text changed, keeping its link, mode, line endings and BOM
//! ([`crate::files`]).

use std::path::Path;

use toml_edit::{DocumentMut, Item, Table};

use crate::diag::{Diagnostic, Error, Result};

/// One change to `[features]`.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// Add the key, or replace its value.
    Set(String, toml::Value),
    /// Remove the key, if present.
    Unset(String),
}

/// Applies `changes` to the text of a device.toml and returns the new text.
pub fn apply(path: &Path, text: &str, changes: &[Change]) -> Result<String> {
    let mut doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        Error::new(Diagnostic::error(format!("cannot edit {}", path.display())).why(e.to_string()))
    })?;
    if !doc.contains_key("features") {
        if changes.iter().all(|c| matches!(c, Change::Unset(_))) {
            return Ok(text.to_string());
        }
        let mut table = Table::new();
        table.set_implicit(false);
        doc.insert("features", Item::Table(table));
    }
    let features = doc["features"].as_table_like_mut().ok_or_else(|| {
        Error::new(
            Diagnostic::error(format!("`features` in {} is not a table", path.display()))
                .key("features")
                .hint("write it as a [features] table of `symbol = value` lines"),
        )
    })?;
    for change in changes {
        match change {
            Change::Set(key, value) => {
                let new: toml_edit::Value = value.to_string().parse().map_err(|e: toml_edit::TomlError| Error::msg(e.to_string()))?;
                match features.get_mut(key).and_then(Item::as_value_mut) {
                    Some(old) => {
                        let decor = old.decor().clone();
                        *old = new;
                        *old.decor_mut() = decor;
                    }
                    None => {
                        features.insert(key, toml_edit::value(new));
                    }
                }
            }
            Change::Unset(key) => {
                features.remove(key);
            }
        }
    }
    Ok(doc.to_string())
}

/// Applies `changes` to the file at `path`; returns whether it changed.
/// The file keeps its line endings and BOM; the write goes through a link
/// to its target, keeps the mode, and refuses a read-only file.
pub fn apply_to_file(path: &Path, changes: &[Change]) -> Result<bool> {
    let file = crate::files::UserText::read(path)?;
    let new = apply(path, &file.text, changes)?;
    file.write(path, &new)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEVICE: &str = r#"# My band: a wrist device.
# Owned by the firmware team.

[device]
name = "band"     # the product name
board = "qemu-mps2-an385"

[features]
# Console for bring-up.
console = true    # keep on until EVT
banner = false

# Scheduling.
cmsdk-uart-bauddiv = 217   # 115200 at 25 MHz

[threads.main]  # the only thread
entry = "main"
priority = 1
stack = 1024
"#;

    fn edit(changes: &[Change]) -> String {
        apply(Path::new("device.toml"), DEVICE, changes).unwrap()
    }

    /// For texts with the same number of lines: (line number, old, new) of each changed line.
    fn changed_lines<'a>(a: &'a str, b: &'a str) -> Vec<(usize, &'a str, &'a str)> {
        assert_eq!(a.lines().count(), b.lines().count(), "{b}");
        a.lines().zip(b.lines()).enumerate().filter(|(_, (x, y))| x != y).map(|(i, (x, y))| (i + 1, x, y)).collect()
    }

    /// The lines of `b` that differ from `a`, as (old, new) pairs.
    fn diff(a: &str, b: &str) -> Vec<(String, String)> {
        let (a, b): (Vec<_>, Vec<_>) = (a.lines().collect(), b.lines().collect());
        let mut out = Vec::new();
        let (mut i, mut j) = (0, 0);
        while i < a.len() || j < b.len() {
            if i < a.len() && j < b.len() && a[i] == b[j] {
                i += 1;
                j += 1;
            } else if j < b.len() && (i >= a.len() || !a[i..].contains(&b[j])) {
                out.push((String::new(), b[j].to_string()));
                j += 1;
            } else {
                out.push((a[i].to_string(), String::new()));
                i += 1;
            }
        }
        out
    }

    #[test]
    fn a_changed_value_changes_one_line_and_keeps_its_comment() {
        let new = edit(&[Change::Set("cmsdk-uart-bauddiv".into(), toml::Value::Integer(434))]);
        assert_eq!(
            changed_lines(DEVICE, &new),
            [(14, "cmsdk-uart-bauddiv = 217   # 115200 at 25 MHz", "cmsdk-uart-bauddiv = 434   # 115200 at 25 MHz")]
        );
    }

    #[test]
    fn a_toggled_bool_changes_one_line() {
        let new = edit(&[Change::Set("banner".into(), toml::Value::Boolean(true))]);
        assert_eq!(changed_lines(DEVICE, &new), [(11, "banner = false", "banner = true")]);
    }

    #[test]
    fn a_new_key_is_one_added_line_in_features() {
        let new = edit(&[Change::Set("panic-location".into(), toml::Value::Boolean(false))]);
        assert_eq!(diff(DEVICE, &new), [(String::new(), "panic-location = false".to_string())]);
        let doc: toml::Table = toml::from_str(&new).unwrap();
        assert_eq!(doc["features"]["panic-location"], toml::Value::Boolean(false));
    }

    #[test]
    fn unset_removes_only_that_line() {
        let new = edit(&[Change::Unset("banner".into())]);
        assert_eq!(diff(DEVICE, &new), [("banner = false".to_string(), String::new())]);
        assert_eq!(edit(&[Change::Unset("nothing-here".into())]), DEVICE);
    }

    #[test]
    fn features_table_is_created_when_missing() {
        let text = "[device]\nname = \"x\"  # hi\n";
        let new = apply(Path::new("d.toml"), text, &[Change::Set("console".into(), toml::Value::Boolean(true))]).unwrap();
        assert_eq!(new, "[device]\nname = \"x\"  # hi\n\n[features]\nconsole = true\n");
    }
}
