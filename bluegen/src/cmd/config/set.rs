//! `bluegen config set|unset`: change `[features]` from scripts.

use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Result};
use crate::edit::Change;

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
        if rest.is_empty() {
            return Err(Diagnostic::error(if set { "nothing to set" } else { "nothing to unset" })
                .hint(if set { "bluegen config set [PATH] console=true" } else { "bluegen config unset [PATH] console" })
                .into());
        }
        let wanted: Vec<(String, Option<toml::Value>)> = if set {
            rest.iter().map(|a| crate::save::parse_assignment(a).map(|(k, v)| (k, Some(v)))).collect::<Result<_>>()?
        } else {
            rest.iter().map(|k| (crate::kconfig::key_of(k), None)).collect()
        };
        let (_, plan) = crate::pipeline::plan(path.as_deref(), None)?;
        let (changes, _) = crate::save::changes(&plan, &wanted)?;
        let wrote = crate::save::write(&plan, &changes)?;
        for c in &changes {
            match c {
                Change::Set(k, v) => println!("set {k} = {v}"),
                Change::Unset(k) if set => println!("removed {k}: the preset and the defaults already give that value"),
                Change::Unset(k) => println!("unset {k}"),
            }
        }
        if !wrote {
            println!("{} unchanged", plan.device.manifest.display());
        }
        Ok(0)
    }
}
