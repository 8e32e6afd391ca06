//! Compare: deltas between a saved size report and a new one.

use std::io::Write;
use std::path::Path;

use super::report::SizeReport;
use crate::diag::{Diagnostic, Error, Result};

/// How much growth is tolerated before `--compare` fails.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Threshold {
    Percent(f64),
    Bytes(u64),
}

impl Threshold {
    /// "5%", "0.5%", "100", "1K"; the clap value parser of `--threshold`,
    /// so a bad value is refused before anything is built.
    pub fn parse(s: &str) -> std::result::Result<Threshold, String> {
        let bad = || format!("`{s}` is not a threshold: give a percentage such as \"5%\" or a number of bytes such as \"128\" or \"1K\"");
        match s.trim().strip_suffix('%') {
            Some(p) => p.trim().parse::<f64>().ok().filter(|p| p.is_finite() && *p >= 0.0).map(Threshold::Percent).ok_or_else(bad),
            None => crate::validate::size(&toml::Value::String(s.into())).map(Threshold::Bytes).map_err(|_| bad()),
        }
    }

    fn exceeded(self, before: u64, after: u64) -> bool {
        let growth = after.saturating_sub(before);
        match self {
            Threshold::Bytes(b) => growth > b,
            Threshold::Percent(p) => growth as f64 > before as f64 * p / 100.0,
        }
    }
}

/// Reads a report saved with `bluegen size --json`.
pub fn load(path: &Path) -> Result<SizeReport> {
    let source = crate::diag::Source::read(path)?;
    serde_json::from_str(&source.text).map_err(|e| {
        // serde_json's line and column (the column 0 before the first
        // character) as a byte offset, for a located excerpt.
        let line_start: usize = source.text.split_inclusive('\n').take(e.line().saturating_sub(1)).map(str::len).sum();
        let offset = line_start + e.column().saturating_sub(1);
        Error::new(
            Diagnostic::error(format!("`{}` is not a bluegen size report", path.display()))
                .at(Some(source.location(offset..offset + 1)))
                .why(plain_json(&e))
                .hint("save a baseline with `bluegen size --json > baseline.json`"),
        )
    })
}

/// serde_json's message without its position (the location has it) and
/// without Rust's type names (`struct SizeReport`, `path string`).
fn plain_json(e: &serde_json::Error) -> String {
    let message = e.to_string();
    let message = message.rsplit_once(" at line ").map_or(message.as_str(), |(m, _)| m);
    let message = match message.find("expected struct ") {
        Some(i) => format!("{}expected a JSON object", &message[..i]),
        None => message.to_string(),
    };
    let message = message.replace("path string", "a string (a path)").replace("a sequence", "an array").replace("a map", "an object");
    if e.is_eof() { format!("{message}: the file ends early (is it empty?)") } else { message }
}

fn delta(before: u64, after: u64) -> String {
    let d = after as i64 - before as i64;
    let pct = if before == 0 { String::new() } else { format!(" ({:+.1}%)", d as f64 * 100.0 / before as f64) };
    format!("{d:+}{pct}")
}

/// Prints region and component deltas; returns one diagnostic per region
/// whose growth passes `threshold`.
pub fn print(out: &mut impl Write, base: &SizeReport, new: &SizeReport, threshold: Option<Threshold>) -> std::io::Result<Vec<Diagnostic>> {
    let mut breaches = Vec::new();
    writeln!(out, "{:<24} {:>10} {:>10}  delta", "region", "baseline", "now")?;
    for r in &new.regions {
        let before = base.regions.iter().find(|b| b.name == r.name).map_or(0, |b| b.used);
        writeln!(out, "{:<24} {:>10} {:>10}  {}", r.name, before, r.used, delta(before, r.used))?;
        if threshold.is_some_and(|t| t.exceeded(before, r.used)) {
            breaches.push(
                Diagnostic::error(format!("{} grew from {before} to {} bytes ({})", r.name, r.used, delta(before, r.used)))
                    .why(format!("the threshold is {}", describe(threshold.expect("checked"))))
                    .hint("see the component deltas above for where the bytes went"),
            );
        }
    }
    writeln!(out, "\n{:<24} {:>10} {:>10}  delta", "component", "baseline", "now")?;
    let mut names: Vec<&str> = new.components.iter().chain(&base.components).map(|c| c.name.as_str()).collect();
    names.sort();
    names.dedup();
    for name in names {
        let size = |r: &SizeReport| r.components.iter().find(|c| c.name == name).map_or(0, |c| c.size.sum());
        let (before, after) = (size(base), size(new));
        if before != after {
            writeln!(out, "{:<24} {:>10} {:>10}  {}", name, before, after, delta(before, after))?;
        }
    }
    let (before, after) = (base.total.sum(), new.total.sum());
    writeln!(out, "{:<24} {:>10} {:>10}  {}", "total", before, after, delta(before, after))?;
    Ok(breaches)
}

fn describe(t: Threshold) -> String {
    match t {
        Threshold::Percent(p) => format!("{p}%"),
        Threshold::Bytes(b) => format!("{b} bytes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds() {
        assert_eq!(Threshold::parse("5%").unwrap(), Threshold::Percent(5.0));
        assert_eq!(Threshold::parse("1K").unwrap(), Threshold::Bytes(1024));
        assert_eq!(Threshold::parse("100").unwrap(), Threshold::Bytes(100));
        assert!(Threshold::parse("lots").is_err());
        for bad in ["nan%", "inf%", "-5%", "-1", "1e3"] {
            assert!(Threshold::parse(bad).is_err(), "{bad}");
        }
        assert!(Threshold::Percent(5.0).exceeded(100, 106));
        assert!(!Threshold::Percent(5.0).exceeded(100, 105));
        assert!(Threshold::Bytes(10).exceeded(100, 111));
        assert!(!Threshold::Bytes(10).exceeded(100, 90));
    }
}
