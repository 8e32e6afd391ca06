//! `bluegen chips`: the chips probe-rs's registry knows, filtered by name.

use crate::diag::{Diagnostic, Error, Result};

#[derive(Debug, clap::Args)]
pub struct Cmd {
    /// Only chips whose name contains this (case-insensitive).
    pub filter: Option<String>,
    /// Print a JSON array instead of the table.
    #[arg(long)]
    pub json: bool,
}

impl Cmd {
    pub fn run(self) -> Result<u8> {
        let chips = crate::chip::list(self.filter.as_deref());
        // A filter that matches nothing is a mistake, like an unknown chip name.
        if let (true, Some(filter)) = (chips.is_empty(), &self.filter) {
            let all = crate::chip::list(None);
            let names: Vec<&str> = all.iter().map(|(name, _, _)| name.as_str()).collect();
            return Err(Diagnostic::error(format!("no chip matches `{filter}`"))
                .key("FILTER")
                .value(filter.clone())
                .why(format!("none of the {} chips of probe-rs's registry has a name that contains it (case-insensitive)", names.len()))
                .hint(crate::chip::suggest(filter, &names))
                .into());
        }
        if self.json {
            let rows: Vec<_> = chips
                .iter()
                .map(|(name, family, core)| serde_json::json!({ "name": name, "family": family, "core": core }))
                .collect();
            crate::outln!("{}", serde_json::to_string_pretty(&rows).map_err(|e| Error::msg(e.to_string()))?)?;
            return Ok(0);
        }
        crate::outln!("{:<32} {:<28} core", "chip", "family")?;
        for (name, family, core) in &chips {
            crate::outln!("{name:<32} {family:<28} {core}")?;
        }
        crate::outln!("{} chips", chips.len())?;
        Ok(0)
    }
}
