//! `bluegen build`: load, validate, resolve, render, build, report.

use std::path::{Path, PathBuf};

use crate::build::Artifacts;
use crate::diag::{Diagnostic, Error, Result};
use crate::report::{Footprint, footprint, print_regions};
use crate::resolve::Plan;
use crate::root::Root;

#[derive(Debug, clap::Args)]
pub struct Cmd {
    /// A device.toml, or a directory holding one [default: .]
    pub path: Option<PathBuf>,
    /// Build for this board instead of the one device.toml names.
    #[arg(long)]
    pub board: Option<String>,
    /// Print one JSON object (elf, bin, regions, sections) instead of the table.
    #[arg(long)]
    pub json: bool,
}

/// A built image: its plan, files and footprint.
pub struct Built {
    pub plan: Plan,
    pub artifacts: Artifacts,
    pub footprint: Footprint,
}

impl Cmd {
    pub fn run(self) -> Result<u8> {
        let built = build_device(self.path.as_deref(), self.board.as_deref())?;
        let mut out = std::io::stdout().lock();
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
            serde_json::to_writer_pretty(&mut out, &json).map_err(|e| crate::diag::Error::msg(e.to_string()))?;
            println!();
        } else {
            println!(
                "built {} for {}: {}",
                built.plan.device.name,
                built.plan.device.board.name,
                built.artifacts.elf.display()
            );
            print_regions(&mut out, &built.footprint).map_err(|e| crate::diag::Error::msg(e.to_string()))?;
        }
        Ok(0)
    }
}

/// The device.toml that `path` means: the file itself, or `<dir>/device.toml`.
pub fn manifest_path(path: Option<&Path>) -> Result<PathBuf> {
    let path = path.unwrap_or(Path::new("."));
    let manifest = match path.is_dir() {
        true if path == Path::new(".") => PathBuf::from("device.toml"),
        true => path.join("device.toml"),
        false => path.to_path_buf(),
    };
    if !manifest.is_file() {
        return Err(Diagnostic::error(format!("no device.toml at `{}`", manifest.display()))
            .why(if path.is_dir() { "the directory holds no device.toml".to_string() } else { "the file does not exist".to_string() })
            .hint("pass a device project directory or its device.toml; `bluegen new <DIR> --board <BOARD>` creates one")
            .into());
    }
    // Kept as the user wrote it, so messages show the path they typed.
    Ok(manifest)
}

/// Load, validate and resolve: everything short of compiling.
pub fn plan(path: Option<&Path>, board: Option<&str>) -> Result<(Root, Plan)> {
    let root = Root::discover()?;
    let manifest = manifest_path(path)?;
    let (source, raw) = crate::load::load_device(&manifest)?;
    let device = crate::validate::validate(&root, &source, raw, board)?;
    let plan = crate::resolve::resolve(&root, device)?;
    Ok((root, plan))
}

/// The whole build pipeline for one device.
pub fn build_device(path: Option<&Path>, board: Option<&str>) -> Result<Built> {
    let (root, plan) = plan(path, board)?;
    let rendered = crate::render::render(&root, &plan)?;
    let artifacts = crate::build::build(&plan, &rendered.dir)?;
    let footprint = footprint(&artifacts.elf, plan.device.flash, plan.device.ram)?;
    // What menuconfig's estimate starts from.
    let measured = crate::menuconfig::estimate::Measured {
        flash: footprint.flash_bytes(),
        ram: footprint.static_ram_bytes(),
        on: crate::menuconfig::estimate::features_on(&plan.config),
    };
    let json = serde_json::to_string_pretty(&measured).map_err(|e| Error::msg(e.to_string()))?;
    crate::render::write_if_changed(&rendered.dir.join(crate::menuconfig::estimate::FOOTPRINT_FILE), json.as_bytes())?;
    let budget = &plan.device.budget;
    if budget.flash.is_some() || budget.ram.is_some() || !budget.components.is_empty() {
        let map = super::size::component_map(&plan);
        let report = super::size::elf_report(&artifacts.elf, &map, footprint.regions.clone())?;
        crate::size::budget::check(&plan.device.name, budget, &report)?;
    }
    Ok(Built { plan, artifacts, footprint })
}
