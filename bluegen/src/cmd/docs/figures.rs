//! The book's figures: bench rows and bluegen output, in marked page regions.
//!
//! A page quotes figures only inside regions that `bluegen docs` rewrites:
//!
//! ```text
//! <!-- bench: example=hello,standard board=qemu-mps2-an385 rows=example cols=metric -->
//! (a markdown table of the matching rows of book/bench.json)
//! <!-- /bench -->
//! <!-- output: bluegen build examples/hello -->
//! (what that command prints, in a text block, paths relative to the checkout)
//! <!-- /output -->
//! ```
//!
//! `example=`, `board=` and `metric=` select rows (all when left out, in the
//! order given); `rows=` and `cols=` name the dimensions (`example`, `board`,
//! `metric`) that make the table's rows and columns. A dimension in neither
//! must leave one row per cell. Markers inside fenced code blocks are text.

use std::path::{Path, PathBuf};

use crate::measure::Row;
use crate::diag::{Diagnostic, Error, Location, Result};
use crate::root::Root;

/// The committed `bluegen bench` output the pages quote, from the root.
pub const BENCH_FILE: &str = "book/bench.json";

/// The one command that re-measures the figures and rewrites every page.
pub const REGENERATE: &str =
    "cargo run --release -p bluegen -- bench --no-timings --json > book/bench.json && cargo run --release -p bluegen -- docs";

/// The pages that may hold figure regions: README.md and book/src/*.md.
pub fn page_paths(root: &Root) -> Result<Vec<PathBuf>> {
    let dir = root.dir.join("book/src");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| Error::io("read directory", &dir, e))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    paths.sort();
    let readme = root.dir.join("README.md");
    if readme.is_file() {
        paths.insert(0, readme);
    }
    Ok(paths)
}

/// The committed rows; a missing or unreadable file says how to make it.
pub fn load_rows(root: &Root) -> Result<Vec<Row>> {
    let path = root.dir.join(BENCH_FILE);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        Error::new(Diagnostic::error(format!("cannot read `{}`", path.display())).why(e.to_string()).hint(format!("run `{REGENERATE}`")))
    })?;
    serde_json::from_str(&text).map_err(|e| {
        Error::new(
            Diagnostic::error(format!("`{}` is not `bluegen bench --json` output", path.display()))
                .at(Some(Location::at(&path, e.line(), e.column())))
                .why(e.to_string())
                .hint(format!("run `{REGENERATE}`")),
        )
    })
}

/// One of the three dimensions of a bench row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dim {
    Example,
    Board,
    Metric,
}

impl Dim {
    const ALL: [Dim; 3] = [Dim::Example, Dim::Board, Dim::Metric];

    fn name(self) -> &'static str {
        match self {
            Dim::Example => "example",
            Dim::Board => "board",
            Dim::Metric => "metric",
        }
    }

    fn of(self, row: &Row) -> &str {
        match self {
            Dim::Example => &row.name,
            Dim::Board => &row.board,
            Dim::Metric => &row.metric,
        }
    }
}

/// What a `<!-- bench: … -->` marker asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    /// Per dimension (in [`Dim::ALL`] order) the values to keep; empty: all.
    pub select: [Vec<String>; 3],
    pub rows: Vec<Dim>,
    pub cols: Vec<Dim>,
}

impl Table {
    pub fn metric(&self) -> &[String] {
        &self.select[2]
    }
}

/// A marked region of a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Region {
    Bench(Table),
    /// `bluegen` and its arguments.
    Output(Vec<String>),
}

fn parse_table(spec: &str) -> std::result::Result<Table, String> {
    let mut table = Table::default();
    for word in spec.split_whitespace() {
        let (key, value) = word.split_once('=').ok_or(format!("`{word}` is not key=value"))?;
        let values: Vec<String> = value.split(',').filter(|v| !v.is_empty()).map(str::to_string).collect();
        let dims = || -> std::result::Result<Vec<Dim>, String> {
            values
                .iter()
                .map(|v| Dim::ALL.into_iter().find(|d| d.name() == v).ok_or(format!("`{key}={v}`: want example, board or metric")))
                .collect()
        };
        match key {
            "example" => table.select[0] = values,
            "board" => table.select[1] = values,
            "metric" => table.select[2] = values,
            "rows" => table.rows = dims()?,
            "cols" => table.cols = dims()?,
            _ => return Err(format!("unknown key `{key}` (want example, board, metric, rows, cols)")),
        }
    }
    if table.rows.is_empty() {
        return Err("`rows=` is missing".into());
    }
    if let Some(d) = table.rows.iter().find(|d| table.cols.contains(d)) {
        return Err(format!("`{}` is in both rows= and cols=", d.name()));
    }
    Ok(table)
}

/// `(line, region, close marker)` when `line` opens a region.
fn open(line: &str) -> Option<std::result::Result<(Region, &'static str), String>> {
    let inner = line.trim().strip_prefix("<!--")?.strip_suffix("-->")?.trim();
    if let Some(spec) = inner.strip_prefix("bench:") {
        return Some(parse_table(spec).map(|t| (Region::Bench(t), "<!-- /bench -->")));
    }
    let command = inner.strip_prefix("output:")?;
    let words: Vec<String> = command.split_whitespace().map(str::to_string).collect();
    Some(match words.first().map(String::as_str) {
        Some("bluegen") if words.len() > 1 => Ok((Region::Output(words), "<!-- /output -->")),
        _ => Err(format!("`{}`: want `bluegen <command> …`", command.trim())),
    })
}

/// Every region of a page, with its 1-based line.
pub fn regions(path: &Path, text: &str) -> Result<Vec<(usize, Region)>> {
    let mut found = Vec::new();
    walk(path, text, |line, region| {
        found.push((line, region.clone()));
        Ok(String::new())
    })?;
    Ok(found)
}

/// Copies `text`, replacing the inside of each region with `fill(region)`.
fn walk(path: &Path, text: &str, mut fill: impl FnMut(usize, &Region) -> Result<String>) -> Result<String> {
    let located = |line: usize, message: String| {
        Error::new(
            Diagnostic::error(format!("bad figures region in {}", path.display()))
                .at(Some(Location::at(path, line, 1)))
                .why(message)
                .hint("see the book's \"Figures in the book\" section (footprint.md) for the markers"),
        )
    };
    let mut out = String::new();
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l));
    let mut fence = false;
    while let Some((n, line)) = lines.next() {
        out.push_str(line);
        out.push('\n');
        if line.trim_start().starts_with("```") {
            fence = !fence;
        }
        if fence {
            continue;
        }
        let (region, close) = match open(line) {
            None => continue,
            Some(Err(why)) => return Err(located(n, why)),
            Some(Ok(found)) => found,
        };
        let end = loop {
            match lines.next() {
                Some((_, l)) if l.trim() == close => break l,
                Some((m, l)) if open(l).is_some() => return Err(located(m, format!("a region opens before `{close}` closes the one of line {n}"))),
                Some(_) => {}
                None => return Err(located(n, format!("no `{close}` closes this region"))),
            }
        };
        out.push_str(&fill(n, &region).map_err(|e| e.map_at(path, n))?);
        out.push_str(end);
        out.push('\n');
    }
    Ok(out)
}

trait MapAt {
    fn map_at(self, path: &Path, line: usize) -> Self;
}

impl MapAt for Error {
    /// Places the diagnostics without a location at the region's marker.
    fn map_at(mut self, path: &Path, line: usize) -> Self {
        for d in &mut self.diagnostics {
            d.location.get_or_insert_with(|| Location::at(path, line, 1));
        }
        self
    }
}

/// The page with every region filled: tables from `rows`, outputs from
/// `run` (given the command's words, it returns what the command printed).
pub fn render(path: &Path, text: &str, rows: &[Row], run: &mut dyn FnMut(&[String]) -> Result<String>) -> Result<String> {
    walk(path, text, |_, region| match region {
        Region::Bench(table) => table_markdown(table, rows),
        Region::Output(words) => Ok(format!("```text\n{}```\n", run(words)?)),
    })
}

fn stale(why: String) -> Error {
    Error::new(Diagnostic::error("a figures region asks for rows that book/bench.json lacks").why(why).hint(format!("run `{REGENERATE}`")))
}

/// The markdown table of the rows `table` selects.
pub fn table_markdown(table: &Table, rows: &[Row]) -> Result<String> {
    for (dim, wanted) in Dim::ALL.iter().zip(&table.select) {
        if let Some(v) = wanted.iter().find(|v| !rows.iter().any(|r| dim.of(r) == v.as_str())) {
            return Err(stale(format!("no row has {} `{v}`", dim.name())));
        }
    }
    let picked: Vec<&Row> = rows
        .iter()
        .filter(|r| Dim::ALL.iter().zip(&table.select).all(|(d, want)| want.is_empty() || want.iter().any(|w| w == d.of(r))))
        .collect();
    if picked.is_empty() {
        return Err(stale("no row matches all of example=, board= and metric=".into()));
    }
    // A value's rank: its place in the selection, else its first appearance.
    let rank = |d: Dim, v: &str| -> usize {
        let i = Dim::ALL.iter().position(|x| *x == d).unwrap_or(0);
        match table.select[i].iter().position(|w| w == v) {
            Some(p) => p,
            None => picked.iter().position(|r| d.of(r) == v).unwrap_or(usize::MAX),
        }
    };
    let key = |dims: &[Dim], r: &Row| -> Vec<(usize, String)> { dims.iter().map(|d| (rank(*d, d.of(r)), d.of(r).to_string())).collect() };
    let mut row_keys: Vec<Vec<(usize, String)>> = picked.iter().map(|r| key(&table.rows, r)).collect();
    let mut col_keys: Vec<Vec<(usize, String)>> = picked.iter().map(|r| key(&table.cols, r)).collect();
    for keys in [&mut row_keys, &mut col_keys] {
        keys.sort();
        keys.dedup();
    }
    let unit = |metric: &str| picked.iter().find(|r| r.metric == metric).map_or("", |r| r.unit.as_str()).to_string();
    let show = |dims: &[Dim], k: &[(usize, String)]| -> Vec<String> {
        dims.iter()
            .zip(k)
            .map(|(d, (_, v))| match d {
                Dim::Example => format!("`{v}`"),
                Dim::Board => v.clone(),
                Dim::Metric => metric_label(v, &unit(v)),
            })
            .collect()
    };
    let mut head: Vec<String> = table.rows.iter().map(|d| d.name().to_string()).collect();
    head.extend(col_keys.iter().map(|k| if k.is_empty() { "value".to_string() } else { show(&table.cols, k).join(", ") }));
    let mut out = format!("| {} |\n|", head.join(" | "));
    out.push_str(&"---|".repeat(table.rows.len()));
    out.push_str(&"--:|".repeat(col_keys.len()));
    out.push('\n');
    for rk in &row_keys {
        let mut cells = show(&table.rows, rk);
        for ck in &col_keys {
            let hits: Vec<&&Row> = picked.iter().filter(|r| key(&table.rows, r) == *rk && key(&table.cols, r) == *ck).collect();
            cells.push(match hits.as_slice() {
                [] => "–".to_string(),
                [one] => number(one.value),
                [a, b, ..] => {
                    let clash = Dim::ALL.into_iter().find(|d| d.of(a) != d.of(b)).map_or("metric", Dim::name);
                    return Err(Error::new(
                        Diagnostic::error("a figures table has two rows for one cell")
                            .why(format!("`{}` and `{}` differ only in {clash}", describe(a), describe(b)))
                            .hint(format!("add {clash} to rows= or cols=, or select one {clash} with {clash}=")),
                    ));
                }
            });
        }
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    Ok(out)
}

fn describe(r: &Row) -> String {
    format!("{} on {} {}", r.name, r.board, r.metric)
}

/// How a table names a metric.
fn metric_label(metric: &str, unit: &str) -> String {
    match metric {
        "image_flash_bytes" => "flash (B)".into(),
        "image_ram_bytes" => "static RAM (B)".into(),
        "context_switch_instructions" => "thread switch (instructions)".into(),
        "queue_roundtrip_instructions" => "queue round trip (instructions)".into(),
        "irq_pend_to_handler_instructions" => "pend to handler entry (instructions)".into(),
        "irq_pend_to_thread_instructions" => "pend to the woken thread (instructions)".into(),
        "posix_mutex_pair_instructions" => "`pthread_mutex_lock` + `unlock` (instructions)".into(),
        "posix_sem_switch_instructions" => "`sem_post` → `sem_wait` switch (instructions)".into(),
        "posix_mq_roundtrip_instructions" => "`mq_send` → `mq_receive` round trip (instructions)".into(),
        "fs_append_sync_instructions" => "append 64 B + sync (instructions)".into(),
        "fs_open_read_close_instructions" => "open, read 64 B, close (instructions)".into(),
        "fs_stat_instructions" => "stat (instructions)".into(),
        "isolated_switch_instructions" => "switch between isolated threads (instructions)".into(),
        "unprivileged_kernel_call_instructions" => "kernel call, unprivileged (instructions)".into(),
        "privileged_kernel_call_instructions" => "kernel call, privileged (instructions)".into(),
        "inference_instructions" => "one inference (instructions)".into(),
        "speech_inference_instructions" => "micro_speech inference (instructions)".into(),
        "person_inference_instructions" => "person detection inference (instructions)".into(),
        "sine_inference_instructions" => "sine inference (instructions)".into(),
        "gesture_inference_instructions" => "gesture inference (instructions)".into(),
        "kernel_flash_bytes" => "kernel: flash (B)".into(),
        "model_flash_bytes" => "model: flash (B)".into(),
        "app_flash_bytes" => "app: flash (B)".into(),
        "kernel_ram_bytes" => "kernel: RAM (B)".into(),
        "model_ram_bytes" => "model: RAM (B)".into(),
        "app_ram_bytes" => "app: RAM (B)".into(),
        _ => match metric.strip_suffix("_cost_flash_bytes").map(|f| (f, "flash")).or_else(|| metric.strip_suffix("_cost_ram_bytes").map(|f| (f, "static RAM"))) {
            Some((feature, region)) => format!("`{feature}`: {region} (B)"),
            None => format!("`{metric}` ({unit})"),
        },
    }
}

/// `3 220`, `99.5`: whole numbers grouped by thousands, fractions as measured.
pub fn number(value: f64) -> String {
    if value.fract() != 0.0 || value.abs() >= 1e15 {
        return value.to_string();
    }
    let digits = format!("{}", value.abs() as u64);
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(' ');
        }
        out.push(c);
    }
    if value < 0.0 { format!("-{out}") } else { out }
}

/// Runs `bluegen <args>` (the executable `exe`) in the root and returns its
/// standard output with the root's path left out, so paths read relative.
pub fn run_bluegen(exe: &Path, root: &Root, words: &[String]) -> Result<String> {
    let out = std::process::Command::new(exe)
        .args(&words[1..])
        .current_dir(&root.dir)
        // Builds land in the project's own target/, the path the book shows.
        .env_remove("CARGO_TARGET_DIR")
        .output()
        .map_err(|e| Error::msg(format!("cannot run `{}`: {e}", words.join(" "))))?;
    if !out.status.success() {
        return Err(Error::new(
            Diagnostic::error(format!("`{}` failed, so its output cannot go into the book", words.join(" ")))
                .why(String::from_utf8_lossy(&out.stderr).trim_end().to_string()),
        ));
    }
    let prefix = format!("{}/", root.dir.display());
    Ok(String::from_utf8_lossy(&out.stdout).replace(&prefix, ""))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str, board: &str, metric: &str, value: f64) -> Row {
        Row { name: name.into(), board: board.into(), metric: metric.into(), value, unit: "bytes".into() }
    }

    fn rows() -> Vec<Row> {
        vec![
            row("hello", "an385", "image_flash_bytes", 296.0),
            row("hello", "an385", "image_ram_bytes", 0.0),
            row("standard", "an385", "image_flash_bytes", 3220.0),
            row("standard", "an385", "image_ram_bytes", 628.0),
            row("hello", "rv32", "image_flash_bytes", 400.0),
        ]
    }

    fn fill(text: &str, rows: &[Row]) -> Result<String> {
        render(Path::new("page.md"), text, rows, &mut |words| Ok(format!("ran {}\n", words.join(" "))))
    }

    #[test]
    fn a_table_region_is_rewritten_from_the_rows() {
        let page = "# Sizes\n\n<!-- bench: board=an385 rows=example cols=metric -->\n| old |\n<!-- /bench -->\ntail\n";
        let out = fill(page, &rows()).unwrap();
        assert_eq!(
            out,
            "# Sizes\n\n<!-- bench: board=an385 rows=example cols=metric -->\n| example | flash (B) | static RAM (B) |\n|---|--:|--:|\n| `hello` | 296 | 0 |\n| `standard` | 3 220 | 628 |\n<!-- /bench -->\ntail\n"
        );
        // Stable: rendering the result again changes nothing.
        assert_eq!(fill(&out, &rows()).unwrap(), out);
    }

    #[test]
    fn a_moved_figure_makes_the_page_differ() {
        let page = "<!-- bench: example=hello board=an385 metric=image_flash_bytes rows=board -->\n<!-- /bench -->\n";
        let before = fill(page, &rows()).unwrap();
        let mut moved = rows();
        moved[0].value = 300.0;
        let after = fill(&before, &moved).unwrap();
        assert_ne!(before, after);
        assert!(after.contains("| an385 | 300 |"), "{after}");
    }

    #[test]
    fn selection_order_and_missing_cells() {
        let page = "<!-- bench: example=standard,hello metric=image_flash_bytes rows=example cols=board -->\n<!-- /bench -->\n";
        let out = fill(page, &rows()).unwrap();
        assert!(out.contains("| example | an385 | rv32 |\n|---|--:|--:|\n| `standard` | 3 220 | – |\n| `hello` | 296 | 400 |\n"), "{out}");
    }

    #[test]
    fn output_regions_hold_the_command_output() {
        let page = "<!-- output: bluegen build examples/hello -->\n```text\nold\n```\n<!-- /output -->\n";
        let out = fill(page, &[]).unwrap();
        assert_eq!(out, "<!-- output: bluegen build examples/hello -->\n```text\nran bluegen build examples/hello\n```\n<!-- /output -->\n");
    }

    #[test]
    fn markers_in_code_blocks_are_text() {
        let page = "```text\n<!-- bench: rows=nonsense -->\n```\n";
        assert_eq!(fill(page, &rows()).unwrap(), page);
    }

    #[test]
    fn mistakes_are_located_errors() {
        let err = |page: &str| fill(page, &rows()).unwrap_err().to_string();
        assert!(err("x\n<!-- bench: rows=example colour=red -->\n<!-- /bench -->\n").contains("page.md:2:1"));
        assert!(err("<!-- bench: rows=example -->\n").contains("no `<!-- /bench -->` closes"));
        let stale = err("<!-- bench: example=nosuch rows=board -->\n<!-- /bench -->\n");
        assert!(stale.contains("no row has example `nosuch`") && stale.contains(REGENERATE), "{stale}");
        let clash = err("<!-- bench: board=an385 rows=example -->\n<!-- /bench -->\n");
        assert!(clash.contains("differ only in metric"), "{clash}");
    }

    #[test]
    fn numbers_are_grouped() {
        assert_eq!(number(296.0), "296");
        assert_eq!(number(3220.0), "3 220");
        assert_eq!(number(1234567.0), "1 234 567");
        assert_eq!(number(99.5), "99.5");
    }
}
