//! `bluegen bench`: image sizes, instruction counts and bluegen's own timings.
//!
//! Every example in `examples/` is built for every emulated board (or the
//! boards given with `--board`), in release, and measured from its ELF. On
//! boards with a `[qemu.icount]` table each image also runs under QEMU's
//! deterministic `-icount`, and every `BENCH <metric>=<units>/<count>` line
//! it prints becomes a row in instructions. Rows are
//! `{name, board, metric, value, unit}`; `book/bench.json` keeps the rows the
//! book quotes (see `cmd::docs::figures`).
//!
//! An example may sit one level down, in a group directory
//! (`examples/thread-metric/basic` is the example `thread-metric/basic`;
//! `--example thread-metric` selects the group). A `bench.toml` next to its
//! device.toml, or else in its group directory, changes how it is measured:
//! `boards` (only these boards), `icount` (QEMU's `-icount` value instead of
//! the board's) and `unit` (its `BENCH` lines are `<value>/<count>` in that
//! unit, not counter units to turn into instructions) and `feature-cost`
//! (features whose marginal flash and RAM to measure on the example's own
//! board, as `size --feature-cost` does) and `build-boards` (hardware boards
//! it is built for too, measured from the ELF only). The Thread-Metric examples use it:
//! 2-second periods of virtual time at `shift=6` on every board, counts in
//! `ops/period`; `bench-posix` measures each POSIX option group. An image
//! with models also gets its flash and RAM split into kernel, model and
//! app (`kernel_flash_bytes`, `model_ram_bytes`, …; see `size::models`).

use std::path::PathBuf;

use crate::board::Board;
use crate::diag::{Diagnostic, Error, Result};
use crate::measure::Row;
use crate::root::Root;

#[derive(Debug, clap::Args)]
pub struct Cmd {
    /// Only these boards [default: every board with a [qemu] table].
    #[arg(long)]
    pub board: Vec<String>,
    /// Only these examples [default: all of examples/].
    #[arg(long)]
    pub example: Vec<String>,
    /// Print a JSON array of rows instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Skip bluegen's own timings (`check_ms`, `size_report_ms`).
    #[arg(long)]
    pub no_timings: bool,
}

impl Cmd {
    pub fn run(self) -> Result<u8> {
        let root = Root::discover()?;
        root.checkout_part("examples", "bench")?;
        // Every unknown --example and --board, before anything is built.
        let known_boards = Root::data_names(&root.boards());
        let (examples, mut errors) = examples(&root, &self.example)?;
        for board in self.board.iter().filter(|b| !known_boards.contains(b)) {
            errors.push(unknown("board", "--board", board, &known_boards, format!("there is no {}", root.boards().join(format!("{board}.toml")).display())));
        }
        if !errors.is_empty() {
            return Err(Error { diagnostics: errors });
        }
        let boards: Vec<String> = if self.board.is_empty() {
            Board::all(&root)?
                .into_iter()
                .filter(|b| b.qemu.is_some())
                .map(|b| b.name)
                .collect()
        } else {
            self.board.clone()
        };
        let mut rows = Vec::new();
        let mut builds = 0;
        let mut skipped = Vec::new();
        for example in examples {
            let name = example_name(&root, &example);
            let settings = settings(&root, &example)?;
            let (_, plan) = crate::pipeline::plan(Some(&example), None)?;
            if !self.no_timings {
                rows.push(Row {
                    name: name.clone(),
                    board: plan.device.board.name.clone(),
                    metric: "check_ms".into(),
                    value: check_ms(&example)?,
                    unit: "ms".into(),
                });
            }
            // Examples for emulated boards are measured on every emulated
            // board; hardware examples, and examples whose [drivers] take
            // their board's peripherals, on their own board only.
            let own = [plan.device.board.name.clone()];
            let only: Vec<String>;
            let fixed = plan.device.board.qemu.is_none() || !plan.device.drivers.is_empty() || plan.device.c_drivers.iter().any(|d| d.peripheral.is_some());
            let targets: &[String] = if fixed && (self.board.is_empty() || self.board.contains(&own[0])) {
                &own
            } else if fixed {
                skipped.push(format!("{name} (on {})", own[0]));
                &[]
            } else if let Some(allowed) = &settings.boards {
                only = boards.iter().filter(|b| allowed.contains(b)).cloned().collect();
                if only.is_empty() {
                    skipped.push(format!("{name} (on {})", allowed.join(", ")));
                }
                &only
            } else {
                &boards
            };
            // bench.toml's hardware boards: built and measured, never run.
            let hardware: Vec<String> = settings.build_boards.iter().flatten().filter(|b| self.board.is_empty() || self.board.contains(b)).cloned().collect();
            for board in targets.iter().chain(&hardware) {
                let built = crate::pipeline::build_device(Some(&example), Some(board))?;
                builds += 1;
                let fp = &built.footprint;
                let row = |metric: &str, value: u64| Row {
                    name: name.clone(),
                    board: board.clone(),
                    metric: metric.into(),
                    value: value as f64,
                    unit: "bytes".into(),
                };
                rows.push(row("image_flash_bytes", fp.flash_bytes()));
                rows.push(row("image_ram_bytes", fp.static_ram_bytes()));
                // With models: the image split into kernel, model and app.
                if !built.plan.device.models.is_empty() {
                    let map = crate::pipeline::component_map(&built.plan);
                    let report = crate::pipeline::elf_report(&built.artifacts.elf, &map, fp.regions.clone())?;
                    if let Some(m) = &report.models {
                        for (part, share) in [("kernel", m.kernel), ("model", m.model), ("app", m.app)] {
                            rows.push(row(&format!("{part}_flash_bytes"), share.flash));
                            rows.push(row(&format!("{part}_ram_bytes"), share.ram));
                        }
                    }
                }
                rows.extend(instruction_rows(&name, &built, &settings)?);
                if let Some(features) = settings.feature_cost.as_deref().filter(|_| *board == own[0]) {
                    rows.extend(cost_rows(&root, &name, &built, features)?);
                }
            }
        }
        if builds == 0 {
            // Only examples whose boards --board leaves out (hardware
            // examples, bench.toml's `boards`) get here.
            return Err(Diagnostic::error("nothing to measure")
                .why(format!(
                    "hardware examples are measured on their own board only (and examples with a bench.toml on its `boards`), which --board {} leaves out: {}",
                    self.board.join(" --board "),
                    skipped.join(", ")
                ))
                .hint("add one of those boards with --board, or drop --board")
                .into());
        }
        if !self.no_timings {
            rows.push(size_report_ms()?);
        }
        if self.json {
            crate::outln!(
                "{}",
                serde_json::to_string_pretty(&rows).map_err(|e| Error::msg(e.to_string()))?
            )?;
        } else {
            print_table(&rows)?;
        }
        Ok(0)
    }
}

/// The median wall time of `bluegen check` on `project`, as a whole process,
/// over 15 runs after one warm-up.
fn check_ms(project: &std::path::Path) -> Result<f64> {
    let exe = std::env::current_exe()
        .map_err(|e| Error::msg(format!("cannot find the bluegen binary: {e}")))?;
    let mut times = Vec::new();
    for i in 0..16 {
        let start = std::time::Instant::now();
        let out = std::process::Command::new(&exe)
            .arg("check")
            .arg(project)
            .output()
            .map_err(|e| Error::msg(format!("cannot run bluegen check: {e}")))?;
        if !out.status.success() {
            return Err(Error::msg(format!(
                "bluegen check {} failed:\n{}",
                project.display(),
                String::from_utf8_lossy(&out.stderr)
            )));
        }
        if i > 0 {
            times.push(start.elapsed().as_secs_f64() * 1000.0);
        }
    }
    times.sort_by(f64::total_cmp);
    Ok((times[times.len() / 2] * 100.0).round() / 100.0)
}

/// The median time to attribute and group every byte of a large ELF —
/// bluegen's own executable (several MB) — over 7 runs.
fn size_report_ms() -> Result<Row> {
    let exe = std::env::current_exe()
        .map_err(|e| Error::msg(format!("cannot find the bluegen binary: {e}")))?;
    let bytes = std::fs::metadata(&exe).map(|m| m.len()).unwrap_or(0);
    let mut times = Vec::new();
    for _ in 0..7 {
        let start = std::time::Instant::now();
        let report =
            crate::pipeline::elf_report(&exe, &crate::size::ComponentMap::default(), Vec::new())?;
        std::hint::black_box(report);
        times.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    Ok(Row {
        name: format!("bluegen-elf-{}KB", bytes / 1024),
        board: "host".into(),
        metric: "size_report_ms".into(),
        value: (times[times.len() / 2] * 100.0).round() / 100.0,
        unit: "ms".into(),
    })
}

/// How `bench.toml` (next to an example's device.toml, or in its group
/// directory) says to measure it. Unknown keys are refused.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    /// Only these boards.
    boards: Option<Vec<String>>,
    /// QEMU's `-icount` value, instead of the board's `[qemu.icount]` one.
    icount: Option<String>,
    /// The unit of the `BENCH` lines' values, taken as they are (the mean
    /// per count, to the whole unit).
    unit: Option<String>,
    /// Features whose cost to measure as `size --feature-cost` does, on the
    /// example's own board: rows `<feature>_cost_flash_bytes` and
    /// `<feature>_cost_ram_bytes`.
    #[serde(rename = "feature-cost")]
    feature_cost: Option<Vec<String>>,
    /// Hardware boards to build the example for too: their sizes (and
    /// the model split) are rows, nothing runs.
    #[serde(rename = "build-boards")]
    build_boards: Option<Vec<String>>,
}

/// The example's `bench.toml` settings (the defaults without one).
fn settings(root: &Root, example: &std::path::Path) -> Result<Settings> {
    let examples = root.dir.join("examples");
    let candidates = [Some(example), example.parent().filter(|p| *p != examples)];
    let Some(path) = candidates.into_iter().flatten().map(|d| d.join("bench.toml")).find(|p| p.is_file()) else {
        return Ok(Settings::default());
    };
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io("read", &path, e))?;
    toml::from_str(&text).map_err(|e| Error::msg(format!("{}: {e}", path.display())))
}

/// Runs a built image under `-icount` if its board counts instructions
/// deterministically, and turns its `BENCH` lines into rows.
fn instruction_rows(name: &str, built: &crate::pipeline::Built, settings: &Settings) -> Result<Vec<Row>> {
    let board = &built.plan.device.board;
    let Some(icount) = board.qemu.as_ref().and_then(|q| q.icount.as_ref()) else {
        return Ok(Vec::new());
    };
    let mut args = vec!["-icount".to_string(), settings.icount.clone().unwrap_or_else(|| icount.args.clone())];
    // Flash banks start erased on every bench run: the same numbers each time.
    args.extend(crate::run::drives(&built.plan.device, &built.artifacts.elf, true)?);
    let (code, out) = crate::run::qemu_output(
        board,
        &built.artifacts.elf,
        Some(std::time::Duration::from_secs(120)),
        &args,
    )?;
    if code != 0 {
        return Err(Error::msg(format!(
            "{name} on {} exited with status {code} under -icount:\n{out}",
            board.name
        )));
    }
    out.lines()
        .filter_map(|line| line.trim_end().strip_prefix("BENCH "))
        .map(|line| {
            let parsed = line.split_once('=').and_then(|(metric, ratio)| {
                let (units, count) = ratio.split_once('/')?;
                Some((metric, units.parse::<f64>().ok()?, count.parse::<f64>().ok()?))
            });
            let Some((metric, units, count)) = parsed.filter(|(_, _, count)| *count > 0.0) else {
                return Err(Error::msg(format!("{name} on {}: cannot read `BENCH {line}` (want `BENCH <metric>=<units>/<count>`)", board.name)));
            };
            // Counts in bench.toml's unit to the whole unit, instructions to a tenth.
            let (value, unit) = match &settings.unit {
                Some(unit) => ((units / count).round(), unit.clone()),
                None => ((units / count / icount.units_per_instruction * 10.0).round() / 10.0, "instructions".to_string()),
            };
            Ok(Row { name: name.into(), board: board.name.clone(), metric: metric.into(), value, unit })
        })
        .collect()
}

/// bench.toml's `feature-cost` rows: each feature's marginal flash and
/// static RAM, as `size --feature-cost` measures them.
fn cost_rows(root: &Root, name: &str, built: &crate::pipeline::Built, features: &[String]) -> Result<Vec<Row>> {
    let fp = &built.footprint;
    let costs = crate::pipeline::feature_cost::costs(root, &built.plan, fp.flash_bytes(), fp.static_ram_bytes(), Some(features))?;
    let mut rows = Vec::new();
    for feature in features {
        let cost = costs.iter().find(|c| &c.feature == feature);
        let Some(cost) = cost.filter(|c| c.not_applicable.is_none()) else {
            let why = cost.and_then(|c| c.not_applicable.clone()).unwrap_or_else(|| "it is not an optional feature that the device turns on".into());
            return Err(Diagnostic::error(format!("{name}'s bench.toml: cannot measure the cost of `{feature}`"))
                .why(why)
                .hint("list in `feature-cost` only features that device.toml turns on and that the device can do without")
                .into());
        };
        for (metric, value) in [("flash", cost.flash), ("ram", cost.ram)] {
            rows.push(Row { name: name.into(), board: built.plan.device.board.name.clone(), metric: format!("{feature}_cost_{metric}_bytes"), value: value as f64, unit: "bytes".into() });
        }
    }
    Ok(rows)
}

/// An example's name: its directory under `examples/` (`hello`,
/// `thread-metric/basic`).
fn example_name(root: &Root, example: &std::path::Path) -> String {
    let rel = example.strip_prefix(root.dir.join("examples")).unwrap_or(example);
    rel.components().filter_map(|c| c.as_os_str().to_str()).collect::<Vec<_>>().join("/")
}

/// The example project directories, sorted, optionally filtered by name;
/// and one error per name that is not an example.
fn examples(root: &Root, only: &[String]) -> Result<(Vec<PathBuf>, Vec<Diagnostic>)> {
    let dir = root.dir.join("examples");
    let list = |d: &std::path::Path| -> Result<Vec<PathBuf>> {
        Ok(std::fs::read_dir(d).map_err(|e| Error::io("read directory", d, e))?.flatten().map(|e| e.path()).filter(|p| p.is_dir()).collect())
    };
    let mut found = Vec::new();
    for p in list(&dir)? {
        if p.join("device.toml").is_file() {
            found.push(p);
        } else {
            // A group of examples, one level down.
            found.extend(list(&p)?.into_iter().filter(|q| q.join("device.toml").is_file()));
        }
    }
    found.sort();
    let names: Vec<String> = found.iter().map(|p| example_name(root, p)).collect();
    let selects = |o: &str, name: &str| name == o || name.strip_prefix(o).is_some_and(|rest| rest.starts_with('/'));
    let errors = only
        .iter()
        .filter(|o| !names.iter().any(|n| selects(o, n)))
        .map(|o| unknown("example", "--example", o, &names, format!("there is no {}", dir.join(o).join("device.toml").display())))
        .collect();
    found.retain(|p| only.is_empty() || only.iter().any(|o| selects(o, &example_name(root, p))));
    Ok((found, errors))
}

/// An `--example` or `--board` value that names nothing: why, the known
/// names, and the closest one when one is close.
fn unknown(what: &str, flag: &str, value: &str, known: &[String], why: String) -> Diagnostic {
    let d = Diagnostic::error(format!("unknown {what} `{value}`"))
        .key(flag)
        .value(value)
        .why(why)
        .note(format!("known {what}s: {}", known.join(", ")));
    // `examples/hello` or `boards/qemu-virt-rv32.toml` mean the name inside.
    let stem = std::path::Path::new(value).file_stem().and_then(|s| s.to_str()).unwrap_or(value);
    match crate::diag::did_you_mean(stem, known.iter().map(String::as_str)) {
        Some(hint) if stem != value => d.hint(format!("{hint} ({flag} takes a name, not a path)")),
        Some(hint) => d.hint(hint),
        None => d.hint(format!("pass one of the known {what}s to {flag}, or leave {flag} out for all")),
    }
}

fn print_table(rows: &[Row]) -> Result<()> {
    // Columns as wide as their longest entry (at least the usual widths).
    let name = rows.iter().map(|r| r.name.len()).max().unwrap_or(0).max(16);
    let metric = rows.iter().map(|r| r.metric.len()).max().unwrap_or(0).max(28);
    crate::outln!("{:<name$} {:<18} {:<metric$} {:>12} unit", "name", "board", "metric", "value")?;
    for r in rows {
        crate::outln!("{:<name$} {:<18} {:<metric$} {:>12} {}", r.name, r.board, r.metric, r.value, r.unit)?;
    }
    Ok(())
}
