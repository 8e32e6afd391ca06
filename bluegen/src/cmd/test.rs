//! `bluegen test`: every (device, board) pair of the devices' `[test]` tables, built, run and judged.
//!
//! The matrix is every device.toml found under the paths given (a project,
//! its device.toml, or a directory searched for them) that has a `[test]`
//! table, crossed with that table's boards. Each pair's image is built once
//! and, on an emulated board, booted in QEMU (under the board's `-icount`
//! when it has one, so that time-dependent output is the same on a busy
//! machine); its console and exit status are judged by
//! [`crate::testing::verdict`]. A hardware board's image is built and
//! checked against `[budget]`, not run. Pairs run side by side (`-j`);
//! builds for one Rust target share a cargo target directory and take
//! turns in it (cargo would lock it anyway), so dependencies compile once
//! per target and every image's ELF is copied out before the next build
//! can replace it. `--shard K/N` keeps every N-th pair of the sorted
//! matrix, the same on every machine.

mod matrix;
mod report;

use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::diag::{Diagnostic, Error, Result};
use crate::root::Root;
use crate::testing::{Ending, Failure};
use matrix::Case;

#[derive(Debug, clap::Args)]
pub struct Cmd {
    /// Device projects, device.toml files, or directories to search for them [default: .]
    pub paths: Vec<PathBuf>,
    /// Run this many pairs at once [default: the number of CPUs].
    #[arg(short, long, value_name = "N")]
    pub jobs: Option<NonZeroUsize>,
    /// Only the pairs on these boards.
    #[arg(long)]
    pub board: Vec<String>,
    /// Print the matrix (after --shard) and build nothing.
    #[arg(long)]
    pub list: bool,
    /// Run only shard K of N (1 ≤ K ≤ N): every N-th pair of the sorted matrix.
    #[arg(long, value_name = "K/N", value_parser = shard)]
    pub shard: Option<(usize, usize)>,
    /// Also write a JUnit XML report to FILE.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Print one JSON object instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Where the cargo target directories go, one per Rust target
    /// [default: CARGO_TARGET_DIR (one for all), else target/bluegen-test].
    #[arg(long, value_name = "DIR")]
    pub target_dir: Option<PathBuf>,
    /// Build with the crate versions device.lock pins; fail where it would change.
    #[arg(long)]
    pub locked: bool,
}

/// How one pair ended.
#[derive(Debug, Clone)]
pub enum Status {
    Pass,
    /// Built and budget-checked; a hardware board is not run.
    Built,
    Fail(Failure),
    /// It could not be built or run: bluegen's diagnostics, rendered.
    Error(String),
}

/// One pair's result.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub status: Status,
    pub console: String,
    pub exit: Option<i32>,
    pub build: Duration,
    pub run: Duration,
    pub flash: Option<u64>,
    pub ram: Option<u64>,
}

impl Cmd {
    pub fn run(self) -> Result<u8> {
        let root = Root::discover()?;
        let paths = if self.paths.is_empty() { vec![PathBuf::from(".")] } else { self.paths.clone() };
        let found = matrix::find(&root, &paths, &self.board)?;
        let mut cases = found.cases;
        if let Some((k, n)) = self.shard {
            cases = cases.into_iter().enumerate().filter(|(i, _)| i % n == k - 1).map(|(_, c)| c).collect();
        }
        if self.list {
            report::list(&cases, self.json)?;
            return Ok(0);
        }
        if cases.is_empty() {
            let why = match (found.without_test.len(), self.shard) {
                (_, Some((k, n))) if found.total > 0 => format!("the matrix has {} pairs, and shard {k}/{n} gets none of them", found.total),
                (0, _) if self.board.is_empty() => "no device.toml was found there".to_string(),
                (0, _) => "no device's [test] runs on the boards given".to_string(),
                (n, _) => format!("{n} device(s) found, none with a [test] table"),
            };
            return Err(Diagnostic::error("there is nothing to test")
                .why(why)
                .hint("add a [test] table to a device.toml (see `bluegen test --help` and the book's Testing chapter), or pass the projects to test")
                .into());
        }
        // Where the report goes is checked before the runs, not after them.
        if let Some(file) = &self.junit {
            let dir = file.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
            if !dir.is_dir() {
                return Err(Diagnostic::error(format!("cannot write the JUnit report `{}`", file.display()))
                    .key("--junit")
                    .why(format!("the directory `{}` does not exist", dir.display()))
                    .hint("create it first, or pass a file in an existing directory")
                    .into());
            }
            crate::files::check_writable(file)?;
        }
        let dirs = TargetDirs::new(self.target_dir.clone());
        let jobs = self.jobs.map_or_else(|| std::thread::available_parallelism().map_or(1, NonZeroUsize::get), NonZeroUsize::get);
        let start = Instant::now();
        let outcomes = run_all(&root, &cases, jobs, &dirs, self.locked);
        let elapsed = start.elapsed();
        if let Some(file) = &self.junit {
            crate::files::write_atomic(file, report::junit(&cases, &outcomes, elapsed).as_bytes())?;
        }
        if self.json {
            report::json(&cases, &outcomes, &found.without_test, elapsed)?;
        } else {
            report::table(&cases, &outcomes, &found.without_test, elapsed)?;
        }
        let bad = outcomes.iter().any(|o| matches!(o.status, Status::Fail(_) | Status::Error(_)));
        Ok(u8::from(bad))
    }
}

/// clap value parser of `--shard K/N`.
fn shard(s: &str) -> std::result::Result<(usize, usize), String> {
    let why = "a shard is K/N with 1 ≤ K ≤ N, such as 1/4 (the first of four machines)";
    let (k, n) = s.split_once('/').ok_or_else(|| format!("`{s}` is not K/N: {why}"))?;
    let (k, n) = (k.trim().parse::<usize>().map_err(|_| format!("`{k}` is not a number: {why}"))?, n.trim().parse::<usize>().map_err(|_| format!("`{n}` is not a number: {why}"))?);
    if k == 0 || n == 0 || k > n {
        return Err(format!("{k}/{n} is not a shard: {why}"));
    }
    Ok((k, n))
}

/// The cargo target directories of the run, each with the lock its
/// builds take turns on.
struct TargetDirs {
    /// `Ok(base)`: `base/<target>` per Rust target (`--target-dir`, else
    /// `target/bluegen-test`); `Err(dir)`: the one `CARGO_TARGET_DIR` names.
    layout: std::result::Result<PathBuf, PathBuf>,
    locks: Mutex<HashMap<PathBuf, Arc<Mutex<()>>>>,
}

impl TargetDirs {
    fn new(flag: Option<PathBuf>) -> TargetDirs {
        let absolute = |p: PathBuf| std::path::absolute(&p).unwrap_or(p);
        let shared = std::env::var_os("CARGO_TARGET_DIR").filter(|d| !d.is_empty()).map(PathBuf::from);
        let layout = match (flag, shared) {
            (Some(base), _) => Ok(absolute(base)),
            (None, Some(shared)) => Err(absolute(shared)),
            (None, None) => Ok(absolute(PathBuf::from("target").join("bluegen-test"))),
        };
        TargetDirs { layout, locks: Mutex::new(HashMap::new()) }
    }

    /// The directory of Rust target `target`, and its lock.
    fn of(&self, target: &str) -> (PathBuf, Arc<Mutex<()>>) {
        let dir = match &self.layout {
            Ok(base) => base.join(target),
            Err(shared) => shared.clone(),
        };
        let mut locks = self.locks.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let lock = locks.entry(dir.clone()).or_default().clone();
        (dir, lock)
    }
}

/// Every case, `jobs` at a time; outcomes in the cases' order. A pair's
/// line goes to stderr as it ends.
fn run_all(root: &Root, cases: &[Case], jobs: usize, dirs: &TargetDirs, locked: bool) -> Vec<Outcome> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Outcome>>> = Mutex::new(vec![None; cases.len()]);
    std::thread::scope(|scope| {
        for _ in 0..jobs.min(cases.len()) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(case) = cases.get(i) else { break };
                    let outcome = run_case(root, case, dirs, locked);
                    crate::errln!("{}", report::progress(case, &outcome));
                    results.lock().unwrap_or_else(std::sync::PoisonError::into_inner)[i] = Some(outcome);
                }
            });
        }
    });
    results.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner).into_iter().map(|o| o.unwrap_or_else(|| error_outcome("the pair was not run".into(), Duration::ZERO))).collect()
}

fn error_outcome(message: String, build: Duration) -> Outcome {
    Outcome { status: Status::Error(message), console: String::new(), exit: None, build, run: Duration::ZERO, flash: None, ram: None }
}

fn rendered(e: &Error) -> String {
    crate::diag::render(&e.diagnostics).trim_end().to_string()
}

/// Builds one pair's image and, on an emulated board, runs and judges it.
fn run_case(root: &Root, case: &Case, dirs: &TargetDirs, locked: bool) -> Outcome {
    let start = Instant::now();
    let spec = match &case.spec {
        Ok(spec) => spec,
        Err(why) => return error_outcome(why.clone(), Duration::ZERO),
    };
    let plan = match crate::pipeline::plan(Some(&case.manifest), Some(&case.board)) {
        Ok((_, plan)) => plan,
        Err(e) => return error_outcome(rendered(&e), start.elapsed()),
    };
    let (target_dir, lock) = dirs.of(&plan.device.board.target);
    // The build and the copy of its ELF under the directory's lock: the next
    // build in it may write an ELF of the same name.
    let built = {
        let _turn = lock.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        crate::pipeline::build_plan(root, plan, &crate::build::Options { target_dir: Some(&target_dir), quiet: true, locked }).and_then(|built| keep(built))
    };
    let build = start.elapsed();
    let built = match built {
        Ok(built) => built,
        Err(e) => return error_outcome(rendered(&e), build),
    };
    let (flash, ram) = (Some(built.footprint.flash_bytes()), Some(built.footprint.static_ram_bytes()));
    let board = &built.plan.device.board;
    if board.qemu.is_none() {
        return Outcome { status: Status::Built, console: String::new(), exit: None, build, run: Duration::ZERO, flash, ram };
    }
    let args = (|| -> Result<Vec<String>> {
        // The board's deterministic clock, unless the test brings its own.
        let own_icount = spec.qemu_args.iter().any(|a| a == "-icount");
        let mut args = if !own_icount && board.qemu.as_ref().is_some_and(|q| q.icount.is_some()) { crate::run::icount_args(board)? } else { Vec::new() };
        // Flash banks start erased: a test does not depend on an earlier run.
        args.extend(crate::run::drives(&built.plan.device, &built.artifacts.elf, true)?);
        args.extend(spec.qemu_args.iter().cloned());
        Ok(args)
    })();
    let run_start = Instant::now();
    let captured = args.and_then(|args| crate::run::capture(board, &built.artifacts.elf, Some(spec.timeout), &args));
    let run = run_start.elapsed();
    let (code, console) = match captured {
        Ok(c) => c,
        Err(e) => return Outcome { run, flash, ram, ..error_outcome(rendered(&e), build) },
    };
    let ending = code.map_or(Ending::TimedOut(spec.timeout), Ending::Exited);
    let status = crate::testing::verdict(spec, &console, &ending).map_or(Status::Pass, Status::Fail);
    Outcome { status, console, exit: code, build, run, flash, ram }
}

/// The built image with its ELF and raw binary copied beside the image
/// crate (`<image dir>/<device>.elf`, `.bin`), out of the shared target
/// directory's reach.
fn keep(mut built: crate::pipeline::Built) -> Result<crate::pipeline::Built> {
    let dir = built.plan.device.image_dir();
    let elf = dir.join(format!("{}.elf", built.plan.device.name));
    let bin = dir.join(format!("{}.bin", built.plan.device.name));
    for (from, to) in [(&built.artifacts.elf, &elf), (&built.artifacts.bin, &bin)] {
        let bytes = std::fs::read(from).map_err(|e| Error::io("read", from, e))?;
        crate::files::write_if_changed(to, &bytes)?;
    }
    built.artifacts.elf = elf;
    built.artifacts.bin = bin;
    Ok(built)
}

/// `path` relative to the current directory when under it, for the reports.
pub(crate) fn shown(path: &Path) -> String {
    let cwd = std::env::current_dir().ok();
    let rel = cwd.as_deref().and_then(|c| path.strip_prefix(c).ok()).unwrap_or(path);
    match rel.as_os_str().is_empty() {
        true => ".".into(),
        false => rel.display().to_string(),
    }
}
