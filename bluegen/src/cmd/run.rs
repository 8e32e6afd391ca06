//! `bluegen run`: build if needed, boot in QEMU, exit with the kernel's status.

use std::path::PathBuf;
use std::time::Duration;

use crate::diag::{Diagnostic, Result};

#[derive(Debug, clap::Args)]
pub struct Cmd {
    /// A device.toml, or a directory holding one [default: .]
    pub path: Option<PathBuf>,
    /// Run on this board instead of the one device.toml names.
    #[arg(long)]
    pub board: Option<String>,
    /// Build with the crate versions device.lock pins; fail where it would change.
    #[arg(long)]
    pub locked: bool,
    /// Stop QEMU and fail after this many seconds (0.001 to 86400).
    #[arg(long, value_name = "SECS", value_parser = crate::cli::seconds, allow_hyphen_values = true)]
    pub timeout: Option<Duration>,
    /// Run QEMU under the board's [qemu.icount] settings: virtual time
    /// follows executed instructions, not the host's clock.
    #[arg(long)]
    pub icount: bool,
    /// Erase the files that back the device's flash banks (QEMU's pflash)
    /// before booting: the flash starts blank, as from the factory.
    #[arg(long)]
    pub erase_flash: bool,
}

impl Cmd {
    pub fn run(self) -> Result<u8> {
        // A board QEMU cannot run is refused before anything is built.
        let (_, plan) = crate::pipeline::plan(self.path.as_deref(), self.board.as_deref())?;
        let board = &plan.device.board;
        if board.qemu.is_none() {
            let mut path = self.path.as_ref().map_or_else(|| ".".to_string(), |p| crate::cli::shell_quote(&p.display().to_string()));
            if let Some(flag) = &self.board {
                path.push_str(&format!(" --board {}", crate::cli::shell_quote(flag)));
            }
            return Err(Diagnostic::error(format!("board {} is not emulated", board.name))
                .key(if self.board.is_some() { "--board" } else { "device.board" })
                .value(board.name.as_str())
                .why(format!("its board file ({}) has no [qemu] table, so there is nothing to run the image in", board.path.display()))
                .hint(format!("flash it to the device instead: bluegen flash {path}; or pick a qemu-* board (`bluegen boards`)"))
                .into());
        }
        let built = crate::pipeline::build_device_with(self.path.as_deref(), self.board.as_deref(), &crate::build::Options { locked: self.locked, ..Default::default() })?;
        let board = &built.plan.device.board;
        let mut extra = if self.icount { crate::run::icount_args(board)? } else { Vec::new() };
        extra.extend(crate::run::drives(&built.plan.device, &built.artifacts.elf, self.erase_flash)?);
        let code = crate::run::qemu(board, &built.artifacts.elf, self.timeout, &extra)?;
        Ok(u8::try_from(code).unwrap_or(1))
    }
}
