//! `bluegen size`: where every byte of an image goes.

use std::path::{Path, PathBuf};

use crate::diag::{Error, Result};
use crate::report::footprint;
use crate::size::{ComponentMap, SizeReport};

#[derive(Debug, clap::Args)]
pub struct Cmd {
    /// A device project (built first), its device.toml, or an ELF file [default: .]
    pub path: Option<PathBuf>,
    /// Build for this board (with a project), or take its regions (with an ELF).
    #[arg(long)]
    pub board: Option<String>,
    /// Print the report as one JSON object.
    #[arg(long)]
    pub json: bool,
    /// How many of the largest symbols to list.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub top: usize,
    /// Tree depth: 1 components, 2 modules, 3 symbols.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u8).range(1..=3))]
    pub depth: u8,
    /// Compare with a report saved with --json; print the deltas.
    #[arg(long, value_name = "BASELINE.json")]
    pub compare: Option<PathBuf>,
    /// Build once per enabled optional feature with it off; print each one's cost.
    #[arg(long, conflicts_with_all = ["compare", "json"])]
    pub feature_cost: bool,
    /// Also write a self-contained HTML page with treemaps of flash and RAM.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// With --compare: fail when a region grows by more than this ("5%" or bytes).
    #[arg(long, requires = "compare", value_name = "LIMIT")]
    pub threshold: Option<String>,
}

impl Cmd {
    pub fn run(self) -> Result<u8> {
        if self.feature_cost {
            let built = crate::pipeline::build_device(self.path.as_deref(), self.board.as_deref())?;
            let root = crate::root::Root::discover()?;
            let fp = &built.footprint;
            let costs = crate::pipeline::feature_cost::costs(&root, &built.plan, fp.flash_bytes(), fp.static_ram_bytes())?;
            // Kept for menuconfig's live estimate.
            let kept: Vec<_> = costs
                .iter()
                .map(|c| crate::menuconfig::estimate::FeatureCost { feature: c.feature.clone(), flash: c.flash, ram: c.ram })
                .collect();
            let json = serde_json::to_string_pretty(&kept).map_err(|e| Error::msg(e.to_string()))?;
            let file = built.plan.device.image_dir().join(crate::menuconfig::estimate::FEATURE_COST_FILE);
            crate::render::write_atomic(&file, json.as_bytes())?;
            println!("{} on {}: {} B flash, {} B static RAM", built.plan.device.name, built.plan.device.board.name, fp.flash_bytes(), fp.static_ram_bytes());
            return crate::pipeline::feature_cost::print(&mut std::io::stdout().lock(), &costs).map(|()| 0);
        }
        let report = self.report()?;
        let mut out = std::io::stdout().lock();
        let io = |e: std::io::Error| Error::msg(e.to_string());
        if let Some(file) = &self.html {
            let title = format!("Footprint of {}", report.elf.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned()));
            crate::render::write_atomic(file, crate::size::html::page(&report, &title).as_bytes())?;
        }
        if let Some(baseline) = &self.compare {
            let threshold = self.threshold.as_deref().map(crate::size::compare::Threshold::parse).transpose()?;
            let base = crate::size::compare::load(baseline)?;
            let breaches = crate::size::compare::print(&mut out, &base, &report, threshold).map_err(io)?;
            return if breaches.is_empty() { Ok(0) } else { Err(Error { diagnostics: breaches }) };
        }
        if self.json {
            serde_json::to_writer_pretty(&mut out, &report).map_err(|e| Error::msg(e.to_string()))?;
            println!();
        } else {
            report.print(&mut out, self.top, usize::from(self.depth)).map_err(io)?;
        }
        Ok(0)
    }

    fn report(&self) -> Result<SizeReport> {
        let path = self.path.as_deref().unwrap_or(Path::new("."));
        if path.is_file() && is_elf(path) {
            let regions = match &self.board {
                Some(name) => {
                    let board = crate::board::Board::load(&crate::root::Root::discover()?, name, None)?;
                    footprint(path, board.flash, board.ram)?.regions
                }
                None => Vec::new(),
            };
            return crate::pipeline::elf_report(path, &ComponentMap::default(), regions);
        }
        let built = crate::pipeline::build_device(Some(path), self.board.as_deref())?;
        crate::pipeline::elf_report(&built.artifacts.elf, &crate::pipeline::component_map(&built.plan), built.footprint.regions.clone())
    }
}

fn is_elf(path: &Path) -> bool {
    use std::io::Read;
    let mut magic = [0u8; 4];
    std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut magic)).is_ok() && magic == *b"\x7fELF"
}
