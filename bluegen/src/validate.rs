//! Validate: raw device.toml structs into the checked [`Device`] model.
//!
//! Every problem found becomes a [`Diagnostic`] at its span; all of them are
//! returned together. Board lookup happens here too, since memory sizes are
//! checked against the board's regions.

use std::path::Path;

use toml::Spanned;

use crate::board::Board;
use crate::diag::{Diagnostic, Error, Location, Result, Source};
use crate::kconfig::{Assignment, Origin};
use crate::load::{RawDeviceFile, RawMemory, RawThread};
use crate::model::{App, Budget, Device, Limit, Preset, Region, Thread};
use crate::root::Root;

/// Lowest and highest thread priority; 0 is reserved for the idle thread.
pub const PRIORITIES: std::ops::RangeInclusive<i64> = 1..=31;
/// The smallest thread stack bluegen accepts, in bytes: the kernel keeps a
/// 128-byte red zone at the bottom of each stack and saves up to 256 bytes
/// of registers on it (an RV64 trap frame), which leaves a little for calls.
pub const MIN_STACK: u64 = 512;

/// Checks a raw device file. `board_override` replaces `device.board`.
pub fn validate(root: &Root, source: &Source, raw: RawDeviceFile, board_override: Option<&str>) -> Result<Device> {
    let mut errors = Vec::new();
    let at = |span: std::ops::Range<usize>| Some(source.location(span));
    let dir = match source.path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => Path::new(".").to_path_buf(),
    };
    let dir = std::path::absolute(&dir).unwrap_or(dir);
    let device = raw.device.get_ref();

    let name = device.name.get_ref().clone();
    if !is_name(&name) {
        errors.push(
            Diagnostic::error(format!("invalid device name `{name}`"))
                .at(at(device.name.span()))
                .key("device.name")
                .value(format!("\"{name}\""))
                .why("a device name becomes a crate and binary name: lowercase letters, digits and `-`, starting with a letter")
                .hint(format!("try \"{}\"", suggest_name(&name))),
        );
    }

    let chip = device.chip.as_ref().map(|c| crate::chip::lookup(c.get_ref(), "device.chip", at(c.span())));
    let board = match (board_override, &device.board, chip) {
        (_, _, Some(Err(e))) => Err(e),
        (Some(name), _, chip) => Board::load(root, name, None).map(|b| with_chip(b, chip)),
        (None, Some(board), chip) => Board::load(root, board.get_ref(), at(board.span())).map(|b| with_chip(b, chip)),
        (None, None, Some(Ok(chip))) => Board::from_chip(&chip, device.chip.as_ref().and_then(|c| at(c.span()))),
        (None, None, None) => Err(Diagnostic::error("the device names no board")
            .at(at(raw.device.span()))
            .key("device.board")
            .why("bluegen needs a board (or a chip) to know the target, memory map and console")
            .hint("add `board = \"qemu-mps2-an385\"` (`bluegen boards` lists them) or `chip = \"nRF52840_xxAA\"` to [device]")
            .into()),
    };
    let board = match board {
        Ok(b) => Some(b),
        Err(e) => {
            errors.extend(e.diagnostics);
            None
        }
    };

    let preset = device.preset.as_ref().map(|p| Preset { name: p.get_ref().clone(), location: at(p.span()) });

    let app = match app(&dir, device.app.as_ref(), source) {
        Ok(app) => Some(app),
        Err(e) => {
            errors.extend(e.diagnostics);
            None
        }
    };

    let (flash, ram) = match (&board, &raw.memory) {
        (Some(board), Some(memory)) => memory_regions(board, memory.get_ref(), source, &mut errors),
        (Some(board), None) => (board.flash, board.ram),
        (None, _) => (Region { origin: 0, size: 0 }, Region { origin: 0, size: 0 }),
    };

    let memory = raw.memory.as_ref().map(|m| m.get_ref());
    let size_at = |v: Option<&Spanned<toml::Value>>, board_at: Option<Location>| match v {
        Some(v) => at(v.span()),
        None => board_at,
    };
    let flash_at = size_at(memory.and_then(|m| m.flash.as_ref()), board.as_ref().and_then(|b| b.flash_at.clone()));
    let ram_at = size_at(memory.and_then(|m| m.ram.as_ref()), board.as_ref().and_then(|b| b.ram_at.clone()));

    let features = raw
        .features
        .iter()
        .map(|(key, value)| Assignment {
            key: key.get_ref().clone(),
            value: value.get_ref().clone(),
            origin: Origin::User,
            location: at(key.span()),
        })
        .collect();

    let mut threads = Vec::new();
    for (thread_name, thread) in &raw.threads {
        if let Some(t) = validate_thread(thread_name, thread, board.as_ref().map(|_| ram), source, &mut errors) {
            threads.push(t);
        }
    }
    if raw.threads.is_empty() {
        errors.push(
            Diagnostic::error("the device declares no thread")
                .at(Some(Location::at(&source.path, 1, 1)))
                .key("threads")
                .why("the kernel starts the threads of [threads.<name>]; with none, the image would do nothing")
                .hint("add a thread:\n\n    [threads.main]\n    entry = \"main\"\n    priority = 1\n    stack = 1024\n"),
        );
    }
    let mut budget = Budget::default();
    if let Some(b) = &raw.budget {
        let mut limit = |v: &Spanned<toml::Value>, key: String| match size(v.get_ref()) {
            Ok(bytes) => Some(Limit { bytes, location: at(v.span()) }),
            Err(why) => {
                errors.push(bad_value(source, v, &key, why));
                None
            }
        };
        let b = b.get_ref();
        budget.flash = b.flash.as_ref().and_then(|v| limit(v, "budget.flash".into()));
        budget.ram = b.ram.as_ref().and_then(|v| limit(v, "budget.ram".into()));
        for (name, v) in &b.components {
            let key = name.get_ref().clone();
            if let Some(l) = limit(v, format!("budget.components.{key}")) {
                budget.components.push((key, Limit { location: at(name.span()), ..l }));
            }
        }
    }

    // Highest priority first; the sort is stable, so ties keep file order.
    threads.sort_by(|a: &Thread, b: &Thread| b.priority.cmp(&a.priority));

    Error::check(errors)?;
    Ok(Device {
        manifest: source.path.clone(),
        dir,
        name,
        board: board.expect("checked above"),
        preset,
        app: app.expect("checked above"),
        flash,
        ram,
        flash_at,
        ram_at,
        features,
        threads,
        budget,
        variant: None,
    })
}

/// A device's `chip` refines its board: the chip's regions and target win.
fn with_chip(mut board: Board, chip: Option<Result<crate::chip::Chip>>) -> Board {
    if let Some(Ok(chip)) = chip {
        board.flash = chip.flash;
        board.ram = chip.ram;
        if let Some(target) = chip.target {
            board.target = target;
        }
        board.chip = Some(chip.name);
    }
    board
}

fn app(dir: &Path, app: Option<&Spanned<String>>, source: &Source) -> Result<App> {
    let rel = app.map_or("app", |a| a.get_ref().as_str());
    let app_dir = dir.join(rel);
    let manifest = app_dir.join("Cargo.toml");
    let location = app.map(|a| source.location(a.span()));
    let missing = |why: String| {
        Error::new(
            Diagnostic::error(format!("the app crate `{rel}` cannot be used"))
                .at(location.clone())
                .key("device.app")
                .value(format!("\"{rel}\""))
                .why(why)
                .hint("thread entries are functions of a no_std library crate next to device.toml (`bluegen new` creates one)"),
        )
    };
    let text = std::fs::read_to_string(&manifest).map_err(|e| missing(format!("cannot read {}: {e}", manifest.display())))?;
    let doc: toml::Table = toml::from_str(&text).map_err(|e| missing(format!("{}: {}", manifest.display(), e.message())))?;
    let package = doc
        .get("package")
        .and_then(|p| p.get("name"))
        .and_then(|n| n.as_str())
        .ok_or_else(|| missing(format!("{} has no package.name", manifest.display())))?;
    let dir = std::path::absolute(&app_dir).unwrap_or(app_dir);
    Ok(App { dir, package: package.to_string() })
}

fn memory_regions(board: &Board, memory: &RawMemory, source: &Source, errors: &mut Vec<Diagnostic>) -> (Region, Region) {
    let region = |name: &str, board_region: Region, size_v: &Option<Spanned<toml::Value>>, origin_v: &Option<Spanned<toml::Value>>, errors: &mut Vec<Diagnostic>| {
        let mut region = board_region;
        if let Some(o) = origin_v {
            match address(o.get_ref()) {
                Ok(origin) => region.origin = origin,
                Err(why) => errors.push(bad_value(source, o, &format!("memory.{name}-origin"), why)),
            }
        }
        if let Some(s) = size_v {
            match size(s.get_ref()) {
                Ok(bytes) if origin_v.is_none() && bytes > board_region.size => errors.push(
                    bad_value(source, s, &format!("memory.{name}"), format!(
                        "board {} has {} of {name}; a size alone can only restrict it",
                        board.name,
                        human(board_region.size)
                    ))
                    .hint(format!("use at most \"{}\", or give `{name}-origin` too to override the board's region", human(board_region.size))),
                ),
                Ok(bytes) => region.size = bytes,
                Err(why) => errors.push(bad_value(source, s, &format!("memory.{name}"), why)),
            }
        }
        region
    };
    let flash = region("flash", board.flash, &memory.flash, &memory.flash_origin, errors);
    let ram = region("ram", board.ram, &memory.ram, &memory.ram_origin, errors);
    (flash, ram)
}

fn validate_thread(name: &Spanned<String>, t: &Spanned<RawThread>, ram: Option<Region>, source: &Source, errors: &mut Vec<Diagnostic>) -> Option<Thread> {
    let t_name = name.get_ref();
    let key = |k: &str| format!("threads.{t_name}.{k}");
    let before = errors.len();
    if !is_ident(t_name) {
        errors.push(
            Diagnostic::error(format!("invalid thread name `{t_name}`"))
                .at(Some(source.location(name.span())))
                .key(format!("threads.{t_name}"))
                .why("thread names are identifiers: lowercase letters, digits and `_`, starting with a letter"),
        );
    }
    let entry = t.get_ref().entry.get_ref();
    if entry.is_empty() || !entry.split("::").all(is_ident) {
        errors.push(
            Diagnostic::error(format!("invalid thread entry `{entry}`"))
                .at(Some(source.location(t.get_ref().entry.span())))
                .key(key("entry"))
                .value(format!("\"{entry}\""))
                .why("the entry is the path of a `fn()` in the app crate, such as `main` or `sensors::poll`"),
        );
    }
    let prio = &t.get_ref().priority;
    let priority = match prio.get_ref().as_integer() {
        Some(p) if PRIORITIES.contains(&p) => p as u8,
        _ => {
            errors.push(
                bad_value(source, prio, &key("priority"), format!(
                    "a priority is an integer from {} (lowest) to {} (highest)",
                    PRIORITIES.start(),
                    PRIORITIES.end()
                )),
            );
            0
        }
    };
    let stack_v = &t.get_ref().stack;
    let stack = match size(stack_v.get_ref()) {
        Ok(s) if s < MIN_STACK => {
            errors.push(bad_value(source, stack_v, &key("stack"), format!("a thread stack needs at least {MIN_STACK} bytes (128 of them are the overflow red zone, up to 256 the saved registers)")));
            0
        }
        Ok(s) if s % 8 != 0 => {
            errors.push(
                bad_value(source, stack_v, &key("stack"), "stacks are 8-byte aligned, so their size is a multiple of 8".into())
                    .hint(format!("use {}", s.next_multiple_of(8))),
            );
            0
        }
        Ok(s) if ram.is_some_and(|ram| s > ram.size) => {
            let ram = ram.map_or(0, |r| r.size);
            errors.push(bad_value(source, stack_v, &key("stack"), format!("RAM holds only {}", human(ram))));
            0
        }
        Ok(s) => s as u32,
        Err(why) => {
            errors.push(bad_value(source, stack_v, &key("stack"), why));
            0
        }
    };
    let priority_at = Some(source.location(prio.span()));
    (errors.len() == before).then(|| Thread { name: t_name.clone(), entry: entry.clone(), priority, stack, priority_at })
}

fn bad_value(source: &Source, v: &Spanned<toml::Value>, key: &str, why: String) -> Diagnostic {
    Diagnostic::error(format!("invalid value for `{key}`"))
        .at(Some(source.location(v.span())))
        .key(key.to_string())
        .value(v.get_ref().to_string())
        .why(why)
}

/// A byte size: an integer, or a string such as "1024", "64K", "4M", "0x400".
pub fn size(value: &toml::Value) -> std::result::Result<u64, String> {
    let why = || "a size is a number of bytes: an integer, or a string such as \"512\", \"64K\" or \"4M\"".to_string();
    match value {
        toml::Value::Integer(n) if *n >= 0 => Ok(*n as u64),
        toml::Value::String(s) => {
            let s = s.trim();
            let s = s.strip_suffix("iB").or_else(|| s.strip_suffix('B')).unwrap_or(s).trim_end();
            let (digits, unit) = match s.char_indices().last() {
                Some((i, 'K' | 'k')) => (&s[..i], 1024),
                Some((i, 'M' | 'm')) => (&s[..i], 1024 * 1024),
                Some((i, 'G' | 'g')) => (&s[..i], 1024 * 1024 * 1024),
                _ => (s, 1),
            };
            let digits = digits.trim();
            parse_int(digits).and_then(|n| n.checked_mul(unit)).ok_or_else(why)
        }
        _ => Err(why()),
    }
}

/// An address: an integer (TOML allows `0x2000_0000`) or a "0x..." string.
pub fn address(value: &toml::Value) -> std::result::Result<u64, String> {
    match value {
        toml::Value::Integer(n) if *n >= 0 => Ok(*n as u64),
        toml::Value::String(s) => parse_int(s.trim()).ok_or_else(|| format!("`{s}` is not an address")),
        _ => Err("an address is a non-negative integer such as 0x2000_0000".into()),
    }
}

fn parse_int(s: &str) -> Option<u64> {
    let s = s.replace('_', "");
    match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => s.parse().ok(),
    }
}

/// "4 MiB", "64 KiB", "300 B": sizes for people.
pub fn human(bytes: u64) -> String {
    if bytes >= 1 << 20 && bytes % (1 << 20) == 0 {
        format!("{} MiB", bytes >> 20)
    } else if bytes >= 1 << 10 && bytes % (1 << 10) == 0 {
        format!("{} KiB", bytes >> 10)
    } else {
        format!("{bytes} B")
    }
}

/// Device names: `[a-z][a-z0-9-]*`.
pub fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.ends_with('-')
}

fn suggest_name(s: &str) -> String {
    let cleaned: String = s
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let trimmed = cleaned.trim_matches(|c: char| c == '-' || c.is_ascii_digit());
    if trimmed.is_empty() { "my-device".into() } else { trimmed.to_string() }
}

fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        let s = |v: &str| size(&toml::Value::String(v.into()));
        assert_eq!(s("64K"), Ok(65536));
        assert_eq!(s("4M"), Ok(4 << 20));
        assert_eq!(s("0x400"), Ok(1024));
        assert_eq!(s("512"), Ok(512));
        assert_eq!(s("4KiB"), Ok(4096));
        assert!(s("lots").is_err());
        assert_eq!(size(&toml::Value::Integer(300)), Ok(300));
        assert!(size(&toml::Value::Integer(-1)).is_err());
    }

    #[test]
    fn names() {
        assert!(is_name("hello"));
        assert!(is_name("smart-band2"));
        assert!(!is_name("Hello"));
        assert!(!is_name("2fast"));
        assert_eq!(suggest_name("My Band"), "my-band");
    }

    #[test]
    fn human_sizes() {
        assert_eq!(human(4 << 20), "4 MiB");
        assert_eq!(human(2048), "2 KiB");
        assert_eq!(human(300), "300 B");
    }
}
