//! `bluegen boards`: the boards in boards/, as a table or JSON.

use crate::board::Board;
use crate::diag::{Error, Result};
use crate::root::Root;
use crate::validate::human;

#[derive(Debug, clap::Args)]
pub struct Cmd {
    /// Print a JSON array instead of the table.
    #[arg(long)]
    pub json: bool,
}

impl Cmd {
    pub fn run(self) -> Result<u8> {
        let boards = Board::all(&Root::discover()?)?;
        if self.json {
            let json = serde_json::to_string_pretty(&boards).map_err(|e| Error::msg(e.to_string()))?;
            crate::outln!("{json}")?;
            return Ok(0);
        }
        crate::outln!("{:<18} {:<10} {:<30} {:>8} {:>8}  description", "board", "arch", "target", "flash", "ram")?;
        for b in boards {
            crate::outln!(
                "{:<18} {:<10} {:<30} {:>8} {:>8}  {}",
                b.name,
                b.arch.as_str(),
                b.target,
                human(b.flash.size),
                human(b.ram.size),
                b.description
            )?;
        }
        Ok(0)
    }
}
