//! Build: cargo builds the rendered image crate; the ELF becomes a raw binary.
//!
//! cargo runs inside the image directory (so its `.cargo/config.toml` applies)
//! with `--message-format=json`: bluegen finds the executable in cargo's
//! artifact messages and re-prints compiler messages, except the linker's
//! region overflow, which becomes a bluegen error naming the region and the
//! bytes over.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use object::read::elf::{ElfFile32, ElfFile64, FileHeader, ProgramHeader};
use object::{Endianness, FileKind};

use crate::diag::{Diagnostic, Error, Result};
use crate::resolve::Plan;
use crate::validate::human;

/// The outputs of a build.
#[derive(Debug, Clone)]
pub struct Artifacts {
    pub elf: PathBuf,
    pub bin: PathBuf,
}

/// How to build: where cargo puts its outputs and how much it says.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options<'a> {
    /// The cargo target directory [default: `CARGO_TARGET_DIR`, else the
    /// image crate's own `target/`].
    pub target_dir: Option<&'a Path>,
    /// No cargo progress lines (`Compiling …`): `bluegen test` runs builds
    /// side by side. Warnings and errors are shown all the same.
    pub quiet: bool,
    /// cargo may not change the lock device.lock keeps ([`crate::lock`]).
    pub locked: bool,
}

/// Builds the rendered image crate in `image_dir`, in release.
pub fn build(plan: &Plan, image_dir: &Path) -> Result<Artifacts> {
    build_in(plan, image_dir, &Options::default())
}

/// Like [`build`], with [`Options`].
pub fn build_in(plan: &Plan, image_dir: &Path, options: &Options<'_>) -> Result<Artifacts> {
    let target_dir = options.target_dir;
    // Before cargo: the toolchain that builds the image has the target.
    crate::toolchain::ensure_target(image_dir, &plan.device.board.target, &plan.device.board.name)?;
    mend_lock(image_dir)?;
    crate::lock::seed(plan, image_dir, options.locked)?;
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    if let Some(dir) = target_dir {
        cmd.env("CARGO_TARGET_DIR", dir);
    }
    // bluegen is the rustc wrapper, so that no symbol names a directory of
    // this machine (see `wrap`); the user's wrapper (sccache) still runs.
    if let Ok(exe) = std::env::current_exe() {
        let inner = std::env::var_os("RUSTC_WRAPPER").filter(|w| !w.is_empty() && std::path::Path::new(w) != exe);
        cmd.env("RUSTC_WRAPPER", &exe).env(crate::wrap::MARK, "1").env(crate::wrap::INNER, inner.unwrap_or_default());
    }
    cmd.current_dir(image_dir)
        .args(["build", "--release", "--message-format=json"])
        .args(options.quiet.then_some("--quiet"))
        .args(options.locked.then_some("--locked"))
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_BUILD_TARGET")
        // The C sources build with the target's flags only (the `cc` crate
        // would add a host's CFLAGS to the cross compiler's).
        .env_remove("CFLAGS")
        .env_remove("TARGET_CFLAGS")
        .env_remove(format!("CFLAGS_{}", plan.device.board.target))
        .env_remove(format!("CFLAGS_{}", plan.device.board.target.replace(['-', '.'], "_")))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().map_err(|e| {
        Error::new(
            Diagnostic::error("cannot run cargo")
                .why(e.to_string())
                .hint("install Rust with rustup (https://rustup.rs) so that `cargo` is on PATH"),
        )
    })?;
    let stdout = child.stdout.take().expect("piped");
    // cargo's progress goes on to our stderr; its closing "could not compile"
    // is dropped, since bluegen says what failed in its own words.
    // A failed C build (GCC's messages came before, as the build script's
    // warnings) is reported in bluegen's words below, without cargo's dump
    // of the build script's output.
    let stderr = child.stderr.take().expect("piped");
    let image_package = format!("`{}-image v", plan.device.crate_name());
    let c_device = plan.device.c.is_some();
    let forward = std::thread::spawn(move || {
        let mut c_failed = false;
        let mut lock_refused = false;
        // The archives the build script names as failed, and GCC's error lines.
        let mut failed = crate::c_errors::CFailure::default();
        for line in std::io::BufReader::new(stderr).lines().map_while(std::result::Result::ok) {
            if c_device && line.starts_with("error: failed to run custom build command for ") && line.contains(&image_package) {
                c_failed = true;
                failed.failed = true;
            }
            // cargo's own words for a lock it may not change.
            if line.contains("--locked was passed to prevent this") || line.starts_with("If you want to try to generate the lock file without accessing the network") || line.starts_with("help: to generate the lock file without accessing the network") {
                lock_refused = true;
                continue;
            }
            if c_failed {
                if let Some(archive) = line.trim().strip_prefix("bluegen-c-failed ") {
                    failed.archives.push(archive.to_string());
                }
            } else if !line.starts_with("error: could not compile") {
                if line.contains(": error: ") {
                    failed.gcc_errors.push(line.clone());
                }
                crate::errln!("{line}");
            }
        }
        (failed, lock_refused)
    });
    let mut elf = None;
    let mut overflows: Vec<(String, u64)> = Vec::new();
    let mut missing_target = false;
    // rustc's errors about kernel items device.toml turned off, in bluegen's words.
    let assignments: Vec<_> = plan.preset.iter().chain(&plan.device.features).cloned().collect();
    let mut gated: Vec<Diagnostic> = Vec::new();
    // The image build script's output directory (its C archives), and the
    // linker's errors, held back until the C archives are read: a C
    // function device.toml names that the preprocessor dropped is said in
    // bluegen's words instead.
    let image_build = format!("{}-image-", plan.device.crate_name());
    let mut out_dir: Option<PathBuf> = None;
    let mut link_errors: Vec<String> = Vec::new();
    let mut layout_errors: Vec<Diagnostic> = Vec::new();
    let c_names = plan.device.threads.iter().any(|t| t.c) || plan.device.interrupts.iter().any(|i| i.c);
    for line in std::io::BufReader::new(stdout).lines().map_while(std::result::Result::ok) {
        let Ok(msg) = serde_json::from_str::<serde_json::Value>(&line) else { continue };
        match msg["reason"].as_str() {
            Some("compiler-artifact") => {
                if let Some(exe) = msg["executable"].as_str() {
                    elf = Some(PathBuf::from(exe));
                }
            }
            Some("build-script-executed") => {
                if let Some(dir) = msg["out_dir"].as_str().map(PathBuf::from)
                    && dir.parent().and_then(Path::file_name).is_some_and(|n| n.to_string_lossy().starts_with(&image_build))
                {
                    out_dir = Some(dir);
                }
            }
            Some("compiler-message") => {
                let rendered = msg["message"]["rendered"].as_str().unwrap_or_default();
                // The isolation layout's assertions: device.toml's or the app's mistakes.
                if rendered.starts_with("error: linking with") {
                    let found = crate::isolation::link::translate(&plan.device, rendered);
                    if !found.is_empty() {
                        layout_errors.extend(found);
                        continue;
                    }
                }
                if c_names && rendered.starts_with("error: linking with") {
                    link_errors.push(rendered.to_string());
                    continue;
                }
                let app = (plan.device.app.package.as_str(), plan.device.app.dir.as_path());
                if let Some(d) = crate::feature_use::translate(&msg["message"], &plan.config, &assignments, app) {
                    gated.push(d);
                    continue;
                }
                if let Some(d) = crate::feature_use::irq::translate(&msg["message"], &plan.device, app) {
                    gated.push(d);
                    continue;
                }
                // A gated method (rustc names no feature): the kernel's own gates.
                if rendered.starts_with("error[E0599]")
                    && let Some(kernel) = plan.components.iter().find(|c| c.name == "kernel")
                    && let Ok(gates) = crate::feature_use::KernelGates::load(&kernel.dir.join("src/lib.rs"))
                    && let Some(d) = crate::feature_use::translate_method(&msg["message"], &gates, &crate::feature_use::kernel_features(kernel), &plan.config, &assignments, app)
                {
                    gated.push(d);
                    continue;
                }
                if !gated.is_empty() && msg["message"]["message"].as_str().is_some_and(|m| m.starts_with("aborting due to") || m.starts_with("For more information")) {
                    continue;
                }
                let found = region_overflows(rendered);
                missing_target |= rendered.contains("can't find crate for `core`");
                if found.is_empty() {
                    crate::cli::print_err(format_args!("{rendered}"));
                } else {
                    overflows.extend(found);
                }
            }
            _ => {}
        }
    }
    let status = child.wait().map_err(|e| Error::msg(format!("cargo did not finish: {e}")))?;
    let (c_failure, lock_refused) = forward.join().unwrap_or_default();
    if lock_refused && !status.success() {
        return Err(crate::lock::refused(plan));
    }
    if c_failure.failed {
        return Err(c_failure.error(plan, image_dir));
    }
    if !layout_errors.is_empty() {
        return Err(Error { diagnostics: layout_errors });
    }
    if !link_errors.is_empty() {
        let missing = out_dir.as_deref().and_then(crate::c_errors::compiled_functions).map(|defined| crate::c_errors::missing(&plan.device, &defined)).unwrap_or_default();
        if !missing.is_empty() {
            return Err(Error { diagnostics: missing });
        }
        for rendered in &link_errors {
            let found = region_overflows(rendered);
            if found.is_empty() {
                crate::cli::print_err(format_args!("{rendered}"));
            }
            overflows.extend(found);
        }
    }
    if !overflows.is_empty() {
        return Err(overflow_error(plan, &overflows));
    }
    if !gated.is_empty() && !status.success() {
        return Err(Error { diagnostics: gated });
    }
    if missing_target {
        let target = &plan.device.board.target;
        return Err(Diagnostic::error(format!("the Rust target `{target}` is not installed"))
            .note(format!("board {} builds for {target}", plan.device.board.name))
            .hint(format!("rustup target add {target}"))
            .into());
    }
    let elf = match (status.success(), elf) {
        (true, Some(elf)) => elf,
        _ => {
            return Err(Diagnostic::error(format!("building the image of `{}` failed", plan.device.name))
                .why("cargo reported the errors above")
                .note(format!("the image crate is {}", image_dir.display()))
                .into());
        }
    };
    check_fits(plan, &elf)?;
    crate::lock::keep(plan, image_dir)?;
    let bin = elf.with_extension("bin");
    let data = std::fs::read(&elf).map_err(|e| Error::io("read", &elf, e))?;
    let raw = raw_binary(&data).map_err(|why| Error::msg(format!("cannot make a raw binary of {}: {why}", elf.display())))?;
    crate::files::write_if_changed(&bin, &raw)?;
    Ok(Artifacts { elf, bin })
}

/// The image crate's Cargo.lock is bluegen's (cargo writes it for the crate
/// bluegen renders): one that is not a lock file (not UTF-8, not TOML, or
/// `package` not an array of tables) is removed, saying so, and cargo writes
/// a new one, instead of failing the build with cargo's parse error.
fn mend_lock(image_dir: &Path) -> Result<()> {
    let lock = image_dir.join("Cargo.lock");
    let why = match std::fs::read(&lock) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io("read", &lock, e)),
        Ok(bytes) => match String::from_utf8(bytes) {
            Err(_) => "it is not UTF-8 text".to_string(),
            Ok(text) => match text.parse::<toml::Table>() {
                Err(e) => format!("it is not valid TOML: {}", e.message()),
                Ok(t) if t.get("package").is_some_and(|p| !p.as_array().is_some_and(|a| a.iter().all(toml::Value::is_table))) => {
                    "its `package` entry is not an array of tables".to_string()
                }
                Ok(_) => return Ok(()),
            },
        },
    };
    std::fs::remove_file(&lock).map_err(|e| Error::io("remove", &lock, e))?;
    crate::cli::report(
        &Diagnostic::warning(format!("removed the image crate's broken {}", lock.display()))
            .why(why)
            .note("bluegen's image crate owns this file; cargo writes a new one now")
            .into(),
    );
    Ok(())
}

/// The linked image against the plan's memory map: a section outside both
/// regions (an image linked for another map) or a region over 100 % is an
/// error, whatever cargo said.
fn check_fits(plan: &Plan, elf: &Path) -> Result<()> {
    let (flash, ram) = (plan.device.flash, plan.device.ram);
    let misplaced = crate::report::misplaced_sections(elf, flash, ram)?;
    if let Some((name, addr, size)) = misplaced.first() {
        return Err(Diagnostic::error(format!("the image of `{}` does not match its memory map", plan.device.name))
            .why(format!(
                "section `{name}` ({size} bytes) sits at {addr:#x}, outside flash ({:#x}..{:#x}) and RAM ({:#x}..{:#x})",
                flash.origin,
                flash.end(),
                ram.origin,
                ram.end()
            ))
            .note(format!("the ELF is {}", elf.display()))
            .hint("this is a bug in bluegen (the image was not relinked); delete the image's target directory and build again")
            .into());
    }
    let fp = crate::report::footprint(elf, flash, ram)?;
    let over: Vec<(String, u64)> = crate::report::overflows(&fp).into_iter().map(|r| (r.name.clone(), r.used - r.size)).collect();
    match over.is_empty() {
        true => Ok(()),
        false => Err(overflow_error(plan, &over)),
    }
}

/// `(region, bytes over)` for each "will not fit in region" line of lld.
fn region_overflows(text: &str) -> Vec<(String, u64)> {
    let mut out: Vec<(String, u64)> = Vec::new();
    for line in text.lines() {
        let Some(rest) = line.split("will not fit in region '").nth(1) else { continue };
        let Some((region, tail)) = rest.split_once('\'') else { continue };
        let bytes = tail
            .split("overflowed by ")
            .nth(1)
            .and_then(|t| t.split_whitespace().next())
            .and_then(|n| n.parse::<u64>().ok())
            .unwrap_or(0);
        let region = region.to_lowercase();
        match out.iter_mut().find(|(r, _)| *r == region) {
            Some((_, b)) => *b = (*b).max(bytes),
            None => out.push((region, bytes)),
        }
    }
    out
}

fn overflow_error(plan: &Plan, overflows: &[(String, u64)]) -> Error {
    let device = &plan.device;
    let diagnostics = overflows
        .iter()
        .map(|(region, over)| {
            let size = if region == "flash" { device.flash.size } else { device.ram.size };
            let d = Diagnostic::error(format!(
                "image `{}` does not fit in {region}: {over} bytes too many",
                device.name
            ))
            .at(device.memory_at(region))
            .key(format!("memory.{region}"))
            .value(human(size))
            .why(format!("{region} holds {size} bytes; the image needs {} (board {})", size + over, device.board.name));
            if region == "ram" {
                d.note(format!("RAM holds .data, .bss and the {}-byte boot stack", plan.stack_size))
                    .hint("raise `[memory] ram`, shrink the largest thread `stack`, or turn features off")
            } else {
                d.hint("raise `[memory] flash`, pick a board with more flash, or turn features off (see `bluegen config`)")
            }
        })
        .collect();
    Error { diagnostics }
}

/// The loadable bytes of an ELF laid out by physical (load) address, gaps
/// filled with 0xff, as a flash programmer expects.
pub fn raw_binary(data: &[u8]) -> std::result::Result<Vec<u8>, String> {
    let segments = segments(data)?;
    let Some(start) = segments.iter().map(|(addr, _)| *addr).min() else { return Ok(Vec::new()) };
    let end = segments.iter().map(|(addr, bytes)| addr + bytes.len() as u64).max().unwrap_or(start);
    let mut out = vec![0xff; (end - start) as usize];
    for (addr, bytes) in segments {
        let at = (addr - start) as usize;
        out[at..at + bytes.len()].copy_from_slice(bytes);
    }
    Ok(out)
}

/// The loadable segments of an ELF: `(load address, bytes)`.
pub fn segments(data: &[u8]) -> std::result::Result<Vec<(u64, &[u8])>, String> {
    Ok(match FileKind::parse(data).map_err(|e| e.to_string())? {
        FileKind::Elf32 => load_segments(&ElfFile32::<Endianness>::parse(data).map_err(|e| e.to_string())?),
        FileKind::Elf64 => load_segments(&ElfFile64::<Endianness>::parse(data).map_err(|e| e.to_string())?),
        other => return Err(format!("not an ELF file ({other:?})")),
    })
}

fn load_segments<'a, H: FileHeader<Endian = Endianness>>(elf: &object::read::elf::ElfFile<'a, H>) -> Vec<(u64, &'a [u8])> {
    let endian = elf.endian();
    let data = elf.data();
    elf.elf_program_headers()
        .iter()
        .filter(|ph| ph.p_type(endian) == object::elf::PT_LOAD && ph.p_filesz(endian).into() > 0)
        .filter_map(|ph| Some((ph.p_paddr(endian).into(), ph.data(endian, data).ok()?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_lld_overflow_lines() {
        let text = "error: linking with `rust-lld` failed: exit status: 1\n  = note: rust-lld: error: section '.text' will not fit in region 'FLASH': overflowed by 120 bytes\n          rust-lld: error: section '.rodata' will not fit in region 'FLASH': overflowed by 180 bytes\n          rust-lld: error: section '.stack' will not fit in region 'RAM': overflowed by 8 bytes\n";
        assert_eq!(region_overflows(text), [("flash".to_string(), 180), ("ram".to_string(), 8)]);
        assert!(region_overflows("warning: unused variable").is_empty());
    }
}
