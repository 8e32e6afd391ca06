//! `bluegen size`: where every byte of an image goes.

use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Error, Result};
use crate::report::footprint;
use crate::size::compare::Threshold;
use crate::size::{ComponentMap, SizeReport};

#[derive(Debug, clap::Args)]
pub struct Cmd {
    /// A device project (built first), its device.toml, or an ELF file [default: .]
    pub path: Option<PathBuf>,
    /// Build for this board (with a project), or take its regions (with an ELF).
    #[arg(long)]
    pub board: Option<String>,
    /// Print the report as one JSON object (all of it: no --top or --depth).
    #[arg(long, conflicts_with_all = ["top", "depth"])]
    pub json: bool,
    /// How many of the largest symbols to list.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub top: usize,
    /// Tree depth: 1 components, 2 modules, 3 symbols.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u8).range(1..=3))]
    pub depth: u8,
    /// Compare with a report saved with --json; print the deltas.
    #[arg(long, value_name = "BASELINE.json", conflicts_with_all = ["json", "top", "depth"])]
    pub compare: Option<PathBuf>,
    /// Build once per enabled optional feature with it off; print each one's cost.
    #[arg(long, conflicts_with_all = ["compare", "json", "html", "top", "depth"])]
    pub feature_cost: bool,
    /// With --feature-cost: measure only these (feature keys, or driver:<name> for a C driver).
    #[arg(long, requires = "feature_cost", value_name = "NAME")]
    pub only: Vec<String>,
    /// Also write a self-contained HTML page with treemaps of flash and RAM.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// With --compare: fail when a region grows by more than this ("5%" or bytes).
    #[arg(long, requires = "compare", value_name = "LIMIT", value_parser = Threshold::parse, allow_hyphen_values = true)]
    pub threshold: Option<Threshold>,
}

impl Cmd {
    pub fn run(self) -> Result<u8> {
        if self.feature_cost {
            let built = crate::pipeline::build_device(self.path.as_deref(), self.board.as_deref())?;
            let root = crate::root::Root::discover()?;
            let fp = &built.footprint;
            let only = (!self.only.is_empty()).then_some(self.only.as_slice());
            let mut costs = crate::pipeline::feature_cost::costs(&root, &built.plan, fp.flash_bytes(), fp.static_ram_bytes(), only)?;
            // Each C driver's, after the features': rows `driver:<name>`.
            let drivers = crate::pipeline::feature_cost::driver_costs(&root, &built.plan, fp.flash_bytes(), fp.static_ram_bytes(), only)?;
            // Kept for menuconfig's live estimate (features only).
            let kept: Vec<_> = costs
                .iter()
                .filter(|c| c.not_applicable.is_none())
                .map(|c| crate::menuconfig::estimate::FeatureCost { feature: c.feature.clone(), flash: c.flash, ram: c.ram })
                .collect();
            let json = serde_json::to_string_pretty(&kept).map_err(|e| Error::msg(e.to_string()))?;
            let file = built.plan.device.image_dir().join(crate::menuconfig::estimate::FEATURE_COST_FILE);
            crate::files::write_atomic(&file, json.as_bytes())?;
            costs.extend(drivers);
            crate::outln!("{} on {}: {} B flash, {} B static RAM", built.plan.device.name, built.plan.device.board.name, fp.flash_bytes(), fp.static_ram_bytes())?;
            return crate::pipeline::feature_cost::print(&mut crate::cli::stdout(), &costs).map(|()| 0);
        }
        // The baseline is read, and the page's file checked, before anything
        // is built: a wrong one fails at once.
        let base = self.compare.as_deref().map(crate::size::compare::load).transpose()?;
        if let Some(file) = &self.html {
            html_target(file)?;
        }
        let report = self.report()?;
        let mut out = crate::cli::stdout();
        let io = crate::cli::stdout_failed;
        if let Some(file) = &self.html {
            let title = format!("Footprint of {}", report.elf.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned()));
            crate::files::write_atomic(file, crate::size::html::page(&report, &title).as_bytes())?;
        }
        if let Some(base) = &base {
            let breaches = crate::size::compare::print(&mut out, base, &report, self.threshold).map_err(io)?;
            return if breaches.is_empty() { Ok(0) } else { Err(Error { diagnostics: breaches }) };
        }
        if self.json {
            serde_json::to_writer_pretty(&mut out, &report).map_err(crate::cli::stdout_failed)?;
            crate::outln!()?;
        } else {
            report.print(&mut out, self.top, usize::from(self.depth)).map_err(io)?;
        }
        Ok(0)
    }

    fn report(&self) -> Result<SizeReport> {
        let path = self.path.as_deref().unwrap_or(Path::new("."));
        if input(path)? == Input::Elf {
            let regions = match &self.board {
                Some(name) => {
                    let board = crate::board::Board::load(&crate::root::Root::discover()?, name, None, "--board")?;
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

/// Whether `--html FILE` may be written: a new file, or an HTML page (one
/// an earlier `--html` wrote, say). Anything else — device.toml, the ELF
/// being measured, a source file, a directory, a device — is a user's file
/// that a typo must not replace.
fn html_target(file: &Path) -> Result<()> {
    let refuse = |why: &str| -> Error {
        Diagnostic::error(format!("`{}` cannot be the HTML page", file.display()))
            .key("--html")
            .value(file.display().to_string())
            .why(why.to_string())
            .hint("name a new file, such as footprint.html, or remove this one first if it should be replaced")
            .into()
    };
    let meta = match std::fs::metadata(file) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io("read", file, e)),
    };
    if meta.is_dir() {
        return Err(refuse("it is a directory"));
    }
    if !meta.is_file() {
        return Err(refuse("it is not a regular file (a device, a pipe or a socket)"));
    }
    let mut head = Vec::with_capacity(15);
    {
        use std::io::Read;
        let f = std::fs::File::open(file).map_err(|e| Error::io("read", file, e))?;
        f.take(15).read_to_end(&mut head).map_err(|e| Error::io("read", file, e))?;
    }
    if meta.len() > 0 && !head.to_ascii_lowercase().starts_with(b"<!doctype html") {
        return Err(refuse("it exists and is no HTML page: bluegen replaces only a page it may have written, never another file"));
    }
    Ok(())
}

/// What `size` was given.
#[derive(Debug, PartialEq, Eq)]
enum Input {
    Elf,
    /// A directory, or a `.toml` file: built first.
    Project,
}

/// An ELF file (by its magic number), a device project (a directory, or a
/// `.toml` file), or a mistake named for what it is.
fn input(path: &Path) -> Result<Input> {
    let refuse = |why: String| -> Error {
        Diagnostic::error(format!("`{}` is neither an ELF file nor a device project", path.display()))
            .why(why)
            .hint("pass an image (an ELF file, as `bluegen build` prints), a directory holding a device.toml, or the device.toml itself")
            .into()
    };
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(refuse("it does not exist".into())),
        Err(e) => return Err(Error::io("read", path, e)),
    };
    if meta.is_dir() {
        return Ok(Input::Project);
    }
    if !meta.is_file() {
        return Err(refuse("it is not a regular file (a device, a pipe or a socket)".into()));
    }
    let mut magic = Vec::with_capacity(4);
    {
        use std::io::Read;
        let file = std::fs::File::open(path).map_err(|e| Error::io("read", path, e))?;
        file.take(4).read_to_end(&mut magic).map_err(|e| Error::io("read", path, e))?;
    }
    if magic == b"\x7fELF" {
        return Ok(Input::Elf);
    }
    if path.extension().is_some_and(|e| e == "toml") {
        return Ok(Input::Project);
    }
    Err(refuse(if meta.len() == 0 {
        "it is empty".into()
    } else {
        "it does not start with the ELF magic number (7f 45 4c 46), and a device file's name ends in .toml".into()
    }))
}
