//! `bluegen check`: validate and resolve a device, compile nothing.

use std::path::PathBuf;

use crate::kconfig::SetBy;

#[derive(Debug, clap::Args)]
pub struct Cmd {
    /// A device.toml, or a directory holding one [default: .]
    pub path: Option<PathBuf>,
    /// Check for this board instead of the one device.toml names.
    #[arg(long)]
    pub board: Option<String>,
}

impl Cmd {
    pub fn run(self) -> crate::diag::Result<u8> {
        let (_, plan) = crate::pipeline::plan(self.path.as_deref(), self.board.as_deref())?;
        crate::pipeline::report_warnings(&plan);
        let symbols = &plan.config.symbols;
        let count = |f: fn(&SetBy) -> bool| symbols.iter().filter(|s| f(&s.set_by)).count();
        crate::outln!(
            "ok: {} on {}: {} components, {} symbols ({} set by the device, {} by the preset{}), {} thread{}",
            plan.device.name,
            plan.device.board.name,
            plan.components.len(),
            symbols.len(),
            count(|s| matches!(s, SetBy::User)),
            count(|s| matches!(s, SetBy::Preset(_))),
            match count(|s| matches!(s, SetBy::Board(_))) {
                0 => String::new(),
                n => format!(", {n} by the board"),
            },
            plan.device.threads.len(),
            if plan.device.threads.len() == 1 { "" } else { "s" },
        )?;
        Ok(0)
    }
}
