//! `bluegen run`: build if needed, boot in QEMU, exit with the kernel's status.

use std::path::PathBuf;
use std::time::Duration;

use crate::diag::Result;

#[derive(Debug, clap::Args)]
pub struct Cmd {
    /// A device.toml, or a directory holding one [default: .]
    pub path: Option<PathBuf>,
    /// Run on this board instead of the one device.toml names.
    #[arg(long)]
    pub board: Option<String>,
    /// Stop QEMU and fail after this many seconds (0.001 to 86400).
    #[arg(long, value_name = "SECS", value_parser = crate::cli::seconds, allow_hyphen_values = true)]
    pub timeout: Option<Duration>,
    /// Run QEMU under the board's [qemu.icount] settings: virtual time
    /// follows executed instructions, not the host's clock.
    #[arg(long)]
    pub icount: bool,
}

impl Cmd {
    pub fn run(self) -> Result<u8> {
        let built = crate::pipeline::build_device(self.path.as_deref(), self.board.as_deref())?;
        let board = &built.plan.device.board;
        let extra = if self.icount { crate::run::icount_args(board)? } else { Vec::new() };
        let code = crate::run::qemu(board, &built.artifacts.elf, self.timeout, &extra)?;
        Ok(u8::try_from(code).unwrap_or(1))
    }
}
