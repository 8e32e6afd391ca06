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
        // `bluegen test` builds the device for each board of `[test] boards`:
        // each must take it as its own board does.
        let mut errors = Vec::new();
        let others = plan.device.test.iter().flat_map(|t| &t.boards).filter(|(b, _)| self.board.is_none() && *b != plan.device.board.name);
        for (board, at) in others {
            if let Err(e) = crate::pipeline::plan(self.path.as_deref(), Some(board)) {
                errors.extend(e.diagnostics.into_iter().map(|d| d.note(format!("with board {board}, which `[test] boards` names{}", at.as_ref().map_or_else(String::new, |l| format!(" at line {}, column {}", l.line, l.col))))));
            }
        }
        crate::diag::Error::check(errors)?;
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
