//! `bluegen build`: load, validate, resolve, render, build, report.

use std::path::PathBuf;

use crate::diag::Result;
use crate::report::print_regions;

#[derive(Debug, clap::Args)]
pub struct Cmd {
    /// A device.toml, or a directory holding one [default: .]
    pub path: Option<PathBuf>,
    /// Build for this board instead of the one device.toml names.
    #[arg(long)]
    pub board: Option<String>,
    /// Build with the crate versions device.lock pins; fail where it would change.
    #[arg(long)]
    pub locked: bool,
    /// Print one JSON object (elf, bin, regions, sections) instead of the table.
    #[arg(long)]
    pub json: bool,
}

impl Cmd {
    pub fn run(self) -> Result<u8> {
        let built = crate::pipeline::build_device_with(self.path.as_deref(), self.board.as_deref(), &crate::build::Options { locked: self.locked, ..Default::default() })?;
        let mut out = crate::cli::stdout();
        if self.json {
            let fp = &built.footprint;
            let json = serde_json::json!({
                "device": built.plan.device.name,
                "board": built.plan.device.board.name,
                "elf": built.artifacts.elf,
                "bin": built.artifacts.bin,
                "regions": fp.regions,
                "sections": { "text": fp.text, "rodata": fp.rodata, "data": fp.data, "bss": fp.bss, "stack": fp.stack, "thread_stacks": fp.thread_stacks },
            });
            serde_json::to_writer_pretty(&mut out, &json).map_err(crate::cli::stdout_failed)?;
            crate::outln!()?;
        } else {
            crate::outln!(
                "built {} for {}: {}",
                built.plan.device.name,
                built.plan.device.board.name,
                built.artifacts.elf.display()
            )?;
            print_regions(&mut out, &built.footprint).map_err(crate::cli::stdout_failed)?;
        }
        Ok(0)
    }
}
