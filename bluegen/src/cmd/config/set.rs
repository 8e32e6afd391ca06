//! `bluegen config set|unset`: change `[features]` from scripts.
//!
//! Every argument is checked before the file is touched, and every mistake
//! is reported in one run; the hints name symbols of this image only (its
//! resolved configuration is the list), with their current values.

use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Error, Result, did_you_mean};
use crate::edit::Change;
use crate::kconfig::show::toml_value;
use crate::kconfig::{Origin, Symbol, SymbolType};
use crate::save::NotAssignment;

#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// Set features: `bluegen config set [PATH] SYMBOL=VALUE...`
    Set {
        /// An optional device path, then SYMBOL=VALUE pairs.
        #[arg(required = true, value_name = "[PATH] SYMBOL=VALUE")]
        args: Vec<String>,
    },
    /// Remove features (back to preset and defaults): `bluegen config unset [PATH] SYMBOL...`
    Unset {
        /// An optional device path, then symbols.
        #[arg(required = true, value_name = "[PATH] SYMBOL")]
        args: Vec<String>,
    },
}

impl Action {
    pub fn run(self) -> Result<u8> {
        let (set, args) = match self {
            Action::Set { args } => (true, args),
            Action::Unset { args } => (false, args),
        };
        // A first argument that names an existing path (and, for set, has no `=`) is the device.
        let (path, rest): (Option<PathBuf>, &[String]) = match args.split_first() {
            Some((first, rest)) if (!set || !first.contains('=')) && Path::new(first).exists() => (Some(first.into()), rest),
            _ => (None, &args[..]),
        };
        let plan = match crate::pipeline::plan(path.as_deref(), None) {
            Ok((_, plan)) => plan,
            // Unsetting lines device.toml has is how a broken file is mended:
            // it needs no valid configuration.
            Err(e) if !set => return unset_in_broken_file(path.as_deref(), rest, e),
            Err(mut e) => {
                // `config set mydev console=true` with a misspelt directory.
                if let Some(first) = rest.first().filter(|f| path.is_none() && !f.contains('=')) {
                    if let Some(d) = e.diagnostics.first_mut().filter(|d| d.message.starts_with("no device.toml")) {
                        d.labels.push(("note", format!("`{first}` was not taken as the device's path: there is no file or directory `{first}`")));
                    }
                }
                return Err(e);
            }
        };
        let symbols = &plan.config.symbols;
        if rest.is_empty() {
            let example = example(symbols);
            return Err(Diagnostic::error(if set { "nothing to set" } else { "nothing to unset" })
                .hint(match (set, example) {
                    (true, Some(s)) => format!("bluegen config set [PATH] {}", assignment(s)),
                    (false, Some(s)) => format!("bluegen config unset [PATH] {}", s.key),
                    (_, None) => "`bluegen config` lists the symbols of this image".into(),
                })
                .into());
        }
        let mut mistakes = Vec::new();
        let mut wanted: Vec<(String, Option<toml::Value>)> = Vec::new();
        for (i, arg) in rest.iter().enumerate() {
            let first_without_path = i == 0 && path.is_none();
            let parsed = if set { assignment_of(arg, symbols, first_without_path) } else { symbol_to_unset(arg, symbols) };
            match parsed {
                Ok(w) if wanted.iter().any(|(k, _)| *k == w.0) => mistakes.push(
                    Diagnostic::error(format!("`{}` is given twice", w.0))
                        .key(if set { "config set" } else { "config unset" })
                        .value(arg.as_str())
                        .why("one command sets (or unsets) each symbol once; which one would win is no one's guess")
                        .hint(format!("keep one `{}` argument", w.0)),
                ),
                Ok(w) => wanted.push(w),
                Err(e) => mistakes.extend(e.diagnostics),
            }
        }
        Error::check(mistakes)?;
        let (changes, _) = crate::save::changes(&plan, &wanted)?;
        let wrote = crate::save::write(&plan, &changes)?;
        let in_file = |k: &str| plan.device.features.iter().any(|a| a.key == k && matches!(a.origin, Origin::User));
        for c in &changes {
            match c {
                Change::Set(k, v) => crate::outln!("set {k} = {v}")?,
                Change::Unset(k) if set && in_file(k) => crate::outln!("removed {k}: the preset and the defaults already give that value")?,
                Change::Unset(k) if set => crate::outln!("{k}: the preset and the defaults already give that value, so {} need not set it", plan.device.manifest.display())?,
                Change::Unset(k) if in_file(k) => crate::outln!("unset {k}")?,
                Change::Unset(k) => crate::outln!("{k} is not set in {}: nothing to unset", plan.device.manifest.display())?,
            }
        }
        if !wrote {
            crate::outln!("{} unchanged", plan.device.manifest.display())?;
        }
        Ok(0)
    }
}

/// `config unset` of a device.toml that does not resolve (an unknown
/// feature, a wrong value): the keys its `[features]` has are removed as
/// written, so that `bluegen config unset consle` mends what `check` found.
/// Any other argument, or a file that cannot be read, is the original error.
fn unset_in_broken_file(path: Option<&Path>, keys: &[String], err: Error) -> Result<u8> {
    let Ok(manifest) = crate::pipeline::manifest_path(path) else { return Err(err) };
    let Ok(source) = crate::diag::Source::read(&manifest) else { return Err(err) };
    let (raw, _) = crate::load::parse_device(&source);
    let present = |k: &str| raw.features.iter().any(|(key, _)| key.get_ref() == k);
    let wanted: Vec<String> = keys.iter().map(|k| crate::kconfig::key_of(k.trim())).collect();
    if wanted.is_empty() || !wanted.iter().all(|k| present(k)) {
        return Err(err);
    }
    let changes: Vec<Change> = wanted.iter().map(|k| Change::Unset(k.clone())).collect();
    crate::edit::apply_to_file(&manifest, &changes)?;
    for k in &wanted {
        crate::outln!("unset {k}")?;
    }
    if let Err(still) = crate::pipeline::plan(path, None) {
        crate::errln!("{} still has mistakes; `bluegen check` lists them:", manifest.display());
        crate::cli::report(&still);
        return Ok(1);
    }
    Ok(0)
}

/// One `SYMBOL=VALUE` argument of `config set`.
fn assignment_of(arg: &str, symbols: &[Symbol], maybe_path: bool) -> Result<(String, Option<toml::Value>)> {
    let why = "each argument after the device path is SYMBOL=VALUE: a feature symbol of this image, `=`, and its value";
    match crate::save::parse_assignment(arg) {
        Ok((key, value)) => Ok((key, Some(value))),
        Err(NotAssignment::NoEquals) => {
            let key = crate::kconfig::key_of(arg.trim());
            let d = Diagnostic::error(format!("`{arg}` is not SYMBOL=VALUE")).key("config set").value(arg).why(why);
            let d = if maybe_path { d.note(format!("nor is it the device's path: there is no file or directory `{arg}`")) } else { d };
            Err(match find(symbols, &key).or_else(|| closest(symbols, &key)) {
                Some(s) => d.hint(format!("did you mean `{}`? (its value now)", assignment(s))),
                None => with_example(d, symbols),
            }
            .into())
        }
        Err(NotAssignment::EmptySymbol) => {
            let d = Diagnostic::error(format!("the SYMBOL part of `{arg}` is empty")).key("config set").value(arg).why(why);
            Err(with_example(d, symbols).into())
        }
        Err(NotAssignment::EmptyValue(key)) => {
            let d = Diagnostic::error(format!("the VALUE part of `{arg}` is empty")).key("config set").value(arg).why(why);
            Err(match find(symbols, &key) {
                Some(s) if s.ty == SymbolType::Str => d.hint(format!("an empty string is written {key}='\"\"' (quoted for the shell)")),
                Some(s) => d.hint(format!("give a value, e.g. `{}` (its value now)", assignment(s))),
                None => with_example(d, symbols),
            }
            .into())
        }
    }
}

/// One `SYMBOL` argument of `config unset`: it must be a symbol of the image.
fn symbol_to_unset(arg: &str, symbols: &[Symbol]) -> Result<(String, Option<toml::Value>)> {
    if let Some((name, _)) = arg.split_once('=') {
        let key = crate::kconfig::key_of(name.trim());
        return Err(Diagnostic::error(format!("`{arg}` is not a symbol"))
            .key("config unset")
            .value(arg)
            .why("unset takes symbol names only: the value comes back from the preset and the defaults")
            .hint(format!("bluegen config unset [PATH] {key}"))
            .into());
    }
    let key = crate::kconfig::key_of(arg.trim());
    if find(symbols, &key).is_some() {
        return Ok((key, None));
    }
    let d = Diagnostic::error(format!("unknown symbol `{arg}`"))
        .key("config unset")
        .value(arg)
        .why("no component of this image declares it, so device.toml cannot set it");
    Err(match did_you_mean(&key, symbols.iter().map(|s| s.key.as_str())) {
        Some(hint) => d.hint(hint),
        None => d.hint("`bluegen config` lists the symbols of this image"),
    }
    .into())
}

fn find<'a>(symbols: &'a [Symbol], key: &str) -> Option<&'a Symbol> {
    symbols.iter().find(|s| s.key == key)
}

fn closest<'a>(symbols: &'a [Symbol], key: &str) -> Option<&'a Symbol> {
    let hint = did_you_mean(key, symbols.iter().map(|s| s.key.as_str()))?;
    symbols.iter().find(|s| hint == format!("did you mean `{}`?", s.key))
}

/// `symbol=value` as the symbol has it now.
fn assignment(s: &Symbol) -> String {
    match &s.value {
        Some(v) => format!("{}={}", s.key, toml_value(v)),
        None => format!("{}=<{}>", s.key, crate::kconfig::show::type_name(s)),
    }
}

/// A symbol of this image a device may set, to show the syntax with: a
/// bool if there is one.
fn example(symbols: &[Symbol]) -> Option<&Symbol> {
    let settable = || symbols.iter().filter(|s| s.visible && s.value.is_some());
    settable().find(|s| s.ty == SymbolType::Bool).or_else(|| settable().next())
}

fn with_example(d: Diagnostic, symbols: &[Symbol]) -> Diagnostic {
    match example(symbols) {
        Some(s) => d.hint(format!("write e.g. `{}` (`bluegen config` lists every symbol with its value)", assignment(s))),
        None => d.hint("`bluegen config` lists the symbols of this image"),
    }
}
