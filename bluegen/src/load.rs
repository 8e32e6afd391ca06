//! Load: device.toml text into raw serde structs that keep every span.
//!
//! The raw structs mirror the file exactly (`deny_unknown_fields`, kebab-case
//! keys) and hold [`Spanned`] values, so that [`crate::validate`] can point at
//! the byte a user got wrong. Nothing here checks meaning; it only parses.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use toml::Spanned;

use crate::diag::{Diagnostic, Error, Result, Source};

/// `device.toml` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawDeviceFile {
    pub device: Spanned<RawDevice>,
    pub memory: Option<Spanned<RawMemory>>,
    #[serde(default)]
    pub features: BTreeMap<Spanned<String>, Spanned<toml::Value>>,
    #[serde(default)]
    pub threads: BTreeMap<Spanned<String>, Spanned<RawThread>>,
    pub budget: Option<Spanned<RawBudget>>,
}

/// The `[budget]` table: limits checked after every build.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawBudget {
    pub flash: Option<Spanned<toml::Value>>,
    pub ram: Option<Spanned<toml::Value>>,
    /// Flash bytes per component: `kernel = "2K"`.
    #[serde(default)]
    pub components: BTreeMap<Spanned<String>, Spanned<toml::Value>>,
}

/// The `[device]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawDevice {
    pub name: Spanned<String>,
    pub board: Option<Spanned<String>>,
    /// A probe-rs chip name: memory regions and target come from the registry.
    pub chip: Option<Spanned<String>>,
    pub preset: Option<Spanned<String>>,
    /// The app crate's directory, relative to device.toml (default `app`).
    pub app: Option<Spanned<String>>,
}

/// The `[memory]` table: sizes restrict the board's regions, origins move them.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawMemory {
    pub flash: Option<Spanned<toml::Value>>,
    pub ram: Option<Spanned<toml::Value>>,
    pub flash_origin: Option<Spanned<toml::Value>>,
    pub ram_origin: Option<Spanned<toml::Value>>,
}

/// One `[threads.<name>]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawThread {
    pub entry: Spanned<String>,
    pub priority: Spanned<toml::Value>,
    pub stack: Spanned<toml::Value>,
}

/// Reads and parses `path` (a device.toml).
pub fn load_device(path: &Path) -> Result<(Source, RawDeviceFile)> {
    let source = Source::read(path)?;
    let raw = parse(&source, "device")?;
    Ok((source, raw))
}

/// Parses any of bluegen's TOML files into `T`, turning serde's complaint
/// into a diagnostic at the offending span, with "did you mean" for keys.
pub fn parse<T: DeserializeOwned>(source: &Source, what: &str) -> Result<T> {
    toml::from_str(&source.text).map_err(|e| {
        let location = e.span().map(|span| source.location(span));
        let message = e.message().trim().to_string();
        let mut d = Diagnostic::error(format!("invalid {what} file: {}", first_line(&message))).at(location);
        if let Some(unknown) = backticked(&message).first().filter(|_| message.starts_with("unknown field")) {
            let expected = backticked(&message);
            d = d.key(unknown.clone()).why(format!(
                "the allowed keys here are {}",
                expected[1..].iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
            ));
            d = d.suggest(unknown, expected[1..].iter().map(String::as_str));
        } else if let Some(missing) = message.strip_prefix("missing field ") {
            d = d.hint(format!("add {} to this table", missing.trim()));
        }
        Error::new(d)
    })
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

/// The names between backticks in serde's messages, in order.
fn backticked(message: &str) -> Vec<String> {
    message.split('`').skip(1).step_by(2).map(str::to_string).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(text: &str) -> Source {
        Source { path: "device.toml".into(), text: text.into() }
    }

    #[test]
    fn unknown_key_names_the_closest() {
        let err = parse::<RawDeviceFile>(&src("[device]\nname = \"x\"\nbaord = \"y\"\n"), "device").unwrap_err();
        let text = crate::diag::render(&err.diagnostics);
        assert!(text.contains("device.toml:3:1"), "{text}");
        assert!(text.contains("did you mean `board`?"), "{text}");
    }

    #[test]
    fn threads_and_features_keep_spans() {
        let raw: RawDeviceFile = parse(
            &src("[device]\nname = \"x\"\n[features]\nconsole = true\n[threads.main]\nentry = \"main\"\npriority = 1\nstack = \"1K\"\n"),
            "device",
        )
        .unwrap();
        let (key, _) = raw.features.iter().next().unwrap();
        assert_eq!(key.span(), 31..38);
        assert_eq!(raw.threads.len(), 1);
    }
}
