//! `bluegen flash`: program a device's image with probe-rs, or run it in QEMU.
//!
//! A board whose boot loader loads the image from a file (`[boot-image]`,
//! the Raspberry Pi 4's `kernel8.img`) gets that file written instead.
//!
//! The plan — chip, flash algorithm, each region written — comes from the ELF
//! and probe-rs's registry, so `--dry-run` prints it without a probe. A real
//! run opens the probe, erases, programs and verifies with probe-rs's flash
//! loader (progress bars unless `--no-progress`), then resets and runs.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::chip::Chip;
use crate::diag::{Diagnostic, Error, Result};

#[derive(Debug, clap::Args)]
pub struct Cmd {
    /// A device.toml, or a directory holding one [default: .]
    pub path: Option<PathBuf>,
    /// Flash for this board instead of the one device.toml names.
    #[arg(long)]
    pub board: Option<String>,
    /// The probe to use, as VID:PID[:SERIAL] (`bluegen probes` lists them).
    #[arg(long, value_name = "VID:PID[:SERIAL]", value_parser = crate::cli::probe)]
    pub probe: Option<probe_rs::probe::DebugProbeSelector>,
    /// Print the plan (chip, algorithm, regions) without touching a probe.
    #[arg(long)]
    pub dry_run: bool,
    /// Log lines instead of progress bars.
    #[arg(long)]
    pub no_progress: bool,
    /// For emulated boards: stop QEMU and fail after this many seconds (0.001 to 86400).
    #[arg(long, value_name = "SECS", value_parser = crate::cli::seconds, allow_hyphen_values = true)]
    pub timeout: Option<Duration>,
}

/// One contiguous block the flash loader writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub start: u64,
    pub len: u64,
}

impl Cmd {
    pub fn run(self) -> Result<u8> {
        let built = crate::pipeline::build_device(self.path.as_deref(), self.board.as_deref())?;
        let board = &built.plan.device.board;
        let ignored = |flag: &str, why: String| crate::cli::report(&Diagnostic::warning(format!("{flag} is ignored")).why(why).into());
        if self.no_progress && board.qemu.is_some() {
            ignored("--no-progress", format!("board {} is emulated: QEMU runs the image, no flash loader shows progress", board.name));
        } else if self.no_progress && self.dry_run {
            ignored("--no-progress", "--dry-run only prints the plan: nothing is written, so there is no progress to show".into());
        }
        if board.qemu.is_some() {
            if self.probe.is_some() {
                ignored("--probe", format!("board {} is emulated: no probe is involved", board.name));
            }
            crate::outln!("board {} is emulated: flashing it means running it in QEMU", board.name)?;
            if self.dry_run {
                return Ok(0);
            }
            let drives = crate::run::drives(&built.plan.device, &built.artifacts.elf, false)?;
            let code = crate::run::qemu(board, &built.artifacts.elf, self.timeout, &drives)?;
            return Ok(u8::try_from(code).unwrap_or(1));
        }
        if self.timeout.is_some() {
            ignored("--timeout", format!("board {} is real hardware: the timeout applies to emulated boards", board.name));
        }
        if let Some(boot) = &board.boot_image {
            return boot_image(boot, board, &built.artifacts.bin, self.dry_run);
        }
        let Some(chip_name) = &board.chip else {
            return Err(Diagnostic::error(format!("board {} names no chip, so bluegen cannot flash it", board.name))
                .hint("add `chip = \"<probe-rs chip name>\"` to [device] or to the board file (`bluegen chips` lists them)")
                .into());
        };
        let chip = crate::chip::lookup(chip_name, "device.chip", None)?;
        let blocks = blocks(&built.artifacts.elf)?;
        check_inside(&chip, &blocks, &built.artifacts.elf)?;
        let probe = self.probe.as_ref().map(ToString::to_string);
        crate::out!("{}", plan_text(&chip, &blocks, &built.artifacts.elf, probe.as_deref()))?;
        if self.dry_run {
            return Ok(0);
        }
        program(&chip, &built.artifacts.elf, self.probe.as_ref(), !self.no_progress)?;
        Ok(0)
    }
}

/// A board whose boot loader loads the image from a file: the raw image
/// (flash from its origin on) copied next to the image crate under the
/// name the loader looks for, and what to do with it.
fn boot_image(boot: &crate::board::BootImage, board: &crate::board::Board, bin: &Path, dry_run: bool) -> Result<u8> {
    let dir = bin.parent().unwrap_or(Path::new("."));
    let dest = dir.join(&boot.file);
    let len = std::fs::metadata(bin).map_err(|e| Error::io("read", bin, e))?.len();
    crate::outln!("board {} boots from a file: its boot loader loads `{}` at {:#x}", board.name, boot.file, board.flash.origin)?;
    if dry_run {
        crate::outln!("would write:     {} ({len} bytes)", dest.display())?;
    } else {
        let bytes = std::fs::read(bin).map_err(|e| Error::io("read", bin, e))?;
        crate::files::write_atomic(&dest, &bytes)?;
        crate::outln!("wrote:           {} ({len} bytes)", dest.display())?;
    }
    crate::outln!("then:            {}", boot.instructions)?;
    Ok(0)
}

/// The image's loadable blocks, by load address, adjacent ones merged.
pub fn blocks(elf: &Path) -> Result<Vec<Block>> {
    let data = std::fs::read(elf).map_err(|e| Error::io("read", elf, e))?;
    let mut segments: Vec<Block> = crate::build::segments(&data)
        .map_err(|why| Error::msg(format!("cannot read {}: {why}", elf.display())))?
        .into_iter()
        .map(|(start, bytes)| Block { start, len: bytes.len() as u64 })
        .collect();
    segments.sort_by_key(|b| b.start);
    let mut merged: Vec<Block> = Vec::new();
    for b in segments {
        match merged.last_mut() {
            Some(last) if last.start + last.len == b.start => last.len += b.len,
            _ => merged.push(b),
        }
    }
    Ok(merged)
}

/// Every block must lie in the chip's flash.
pub fn check_inside(chip: &Chip, blocks: &[Block], elf: &Path) -> Result<()> {
    let (lo, hi) = (chip.flash.origin, chip.flash.end());
    let outside: Vec<Diagnostic> = blocks
        .iter()
        .filter(|b| b.start < lo || b.start + b.len > hi)
        .map(|b| {
            Diagnostic::error(format!(
                "the image writes {:#010x}..{:#010x}, outside the flash of {}",
                b.start,
                b.start + b.len,
                chip.name
            ))
            .why(format!("{}'s flash is {lo:#010x}..{hi:#010x}", chip.name))
            .note(format!("image: {}", elf.display()))
            .hint("check [memory] flash-origin in device.toml and the board's memory map")
        })
        .collect();
    Error::check(outside).map(|_| ())
}

/// The plan, as `--dry-run` prints it.
pub fn plan_text(chip: &Chip, blocks: &[Block], elf: &Path, probe: Option<&str>) -> String {
    let mut out = String::new();
    out.push_str(&format!("chip:            {} ({} family, {} core)\n", chip.name, chip.family, chip.core));
    out.push_str(&format!(
        "flash algorithm: {}\n",
        chip.default_algorithm.as_deref().unwrap_or("(none in the registry)")
    ));
    out.push_str(&format!(
        "flash:           {:#010x}..{:#010x} ({} bytes)\n",
        chip.flash.origin,
        chip.flash.end(),
        chip.flash.size
    ));
    out.push_str(&format!("image:           {}\n", elf.display()));
    out.push_str("writes:\n");
    for b in blocks {
        out.push_str(&format!("  {:#010x}..{:#010x}  {:>8} bytes\n", b.start, b.start + b.len, b.len));
    }
    let total: u64 = blocks.iter().map(|b| b.len).sum();
    out.push_str(&format!("total:           {total} bytes\n"));
    out.push_str(&format!(
        "then:            erase, program, verify, reset and run (probe: {})\n",
        probe.unwrap_or("the only one attached")
    ));
    out
}

fn program(chip: &Chip, elf: &Path, probe: Option<&probe_rs::probe::DebugProbeSelector>, progress: bool) -> Result<()> {
    use probe_rs::Permissions;
    use probe_rs::flashing::{DownloadOptions, ElfOptions, FlashProgress, ProgressEvent};
    use probe_rs::probe::list::Lister;

    let lister = Lister::new();
    let probes = lister.list_all();
    let info = match probe {
        Some(selector) => probes.iter().find(|p| selector.matches_probe(p)).ok_or_else(|| {
            Error::new(Diagnostic::error(format!("no attached probe matches `{selector}`")).key("--probe").why(probe_list(&probes)).hint("`bluegen probes` lists the attached probes"))
        })?,
        None => match probes.as_slice() {
            [] => {
                return Err(Diagnostic::error("no debug probe found")
                    .why("probe-rs sees no CMSIS-DAP, J-Link, ST-Link or other supported probe on USB")
                    .hint("connect the board's debug USB port (and check udev permissions); `--dry-run` prints the plan without a probe")
                    .into());
            }
            [only] => only,
            several => {
                return Err(Diagnostic::error(format!("{} debug probes are attached and none was chosen", several.len()))
                    .why(probe_list(several))
                    .hint("pick one with --probe VID:PID[:SERIAL]")
                    .into());
            }
        },
    };
    let probe = info.open().map_err(|e| Error::new(Diagnostic::error(format!("cannot open probe {}", info.identifier)).why(e.to_string())))?;
    let mut session = probe.attach(chip.name.as_str(), Permissions::default()).map_err(|e| {
        Error::new(
            Diagnostic::error(format!("cannot attach to {} through {}", chip.name, info.identifier))
                .why(e.to_string())
                .hint("check that the board carries this chip (device.toml `chip`), that it is powered, and that the probe is wired to it"),
        )
    })?;
    let bars = indicatif::MultiProgress::new();
    if !progress {
        bars.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let mut active: Vec<(String, indicatif::ProgressBar)> = Vec::new();
    let style = indicatif::ProgressStyle::with_template("{msg:>8} [{bar:40}] {bytes}/{total_bytes}").unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    let mut options = DownloadOptions::default();
    options.verify = true;
    options.progress = FlashProgress::new(move |event| match event {
        ProgressEvent::AddProgressBar { operation, total } => {
            let bar = bars.add(indicatif::ProgressBar::new(total.unwrap_or(0)));
            bar.set_style(style.clone());
            bar.set_message(format!("{operation:?}"));
            active.push((format!("{operation:?}"), bar));
        }
        ProgressEvent::Started(op) if !progress => crate::errln!("{op:?}: started"),
        ProgressEvent::Progress { operation, size, .. } => {
            if let Some((_, bar)) = active.iter().find(|(o, _)| *o == format!("{operation:?}")) {
                bar.inc(size);
            }
        }
        ProgressEvent::Finished(op) => {
            if let Some((_, bar)) = active.iter().find(|(o, _)| *o == format!("{op:?}")) {
                bar.finish();
            }
            if !progress {
                crate::errln!("{op:?}: done");
            }
        }
        ProgressEvent::Failed(op) => crate::errln!("{op:?}: failed"),
        _ => {}
    });
    probe_rs::flashing::download_file_with_options(&mut session, elf, probe_rs::flashing::ElfLoader(ElfOptions::default()), options)
        .map_err(|e| Error::new(Diagnostic::error(format!("flashing {} failed", chip.name)).why(e.to_string())))?;
    let mut core = session.core(0).map_err(|e| Error::msg(format!("cannot reach the core of {}: {e}", chip.name)))?;
    core.reset().map_err(|e| Error::msg(format!("cannot reset {}: {e}", chip.name)))?;
    crate::outln!("flashed and started {}", chip.name)?;
    Ok(())
}

fn probe_list(probes: &[probe_rs::probe::DebugProbeInfo]) -> String {
    if probes.is_empty() {
        return "no probe is attached".into();
    }
    let names: Vec<String> = probes
        .iter()
        .map(|p| {
            let serial = p.serial_number.as_deref().map(|s| format!(":{s}")).unwrap_or_default();
            format!("{:04x}:{:04x}{serial} ({})", p.vendor_id, p.product_id, p.identifier)
        })
        .collect();
    format!("attached: {}", names.join(", "))
}
