//! Validate: a [`Loaded`] device into the checked [`Device`] model, without I/O.
//!
//! Validation is a pure function of what [`crate::load`] read: device.toml's
//! raw tables, the board, the chip and the app crate's public functions.
//! Every problem becomes a [`Diagnostic`] at its span and all of them are
//! returned together, with the parse errors, so that one run reports every
//! mistake of the file. Limits that need the resolved configuration (the
//! kernel's thread count, the tick, RAM for the stacks) are checked by
//! [`crate::limits`] after resolving.

use toml::Spanned;

use crate::board::{Arch, Board};
use crate::diag::{Diagnostic, Error, Location, Result, Severity, Source};
use crate::kconfig::{Assignment, Origin};
use crate::load::{Loaded, RawMemory};
use crate::model::{App, Budget, Device, Limit, Preset, Region, Thread};

pub use crate::units::{address, human, size};

/// Lowest and highest thread priority; 0 is reserved for the idle thread.
pub const PRIORITIES: std::ops::RangeInclusive<i64> = 1..=31;
/// The smallest thread stack bluegen accepts, in bytes: the kernel keeps a
/// 128-byte red zone at the bottom of each stack and saves up to 256 bytes
/// of registers on it (an RV64 trap frame), which leaves a little for calls.
pub const MIN_STACK: u64 = 512;
/// The longest device name: crates.io's limit for crate names, well below
/// the file-name limits cargo runs into (about 230 characters on Linux).
pub const NAME_MAX: usize = 64;
/// Binary names cargo forbids: they clash with its own `target/` folders.
pub const CARGO_RESERVED: &[&str] = &["build", "deps", "examples", "incremental"];
/// Rust's keywords (strict and reserved, edition 2024): none can name a
/// function, so none can be a segment of a thread entry.
const KEYWORDS: &[&str] = &[
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for", "if", "impl", "in", "let", "loop",
    "match", "mod", "move", "mut", "pub", "ref", "return", "self", "static", "struct", "super", "trait", "true", "type", "unsafe",
    "use", "where", "while", "async", "await", "dyn", "abstract", "become", "box", "do", "final", "macro", "override", "priv",
    "typeof", "unsized", "virtual", "yield", "try", "gen",
];

/// Checks a loaded device: the device when it can be resolved (its board is
/// known), and every diagnostic found, errors and warnings, in line order.
/// A device comes back even when there are errors, so that resolving it can
/// report the feature mistakes too; only an error-free one may be built.
pub fn check(loaded: &Loaded) -> (Option<Device>, Vec<Diagnostic>) {
    let source = &loaded.source;
    let mut errors = loaded.parse_errors.clone();
    let at = |span: std::ops::Range<usize>| Some(source.location(span));
    let device = loaded.raw.device.as_ref().map(|d| d.get_ref());

    let name = device.and_then(|d| d.name.as_ref());
    if let Some(name) = name {
        if let Some(why) = name_problem(name.get_ref()) {
            errors.push(
                Diagnostic::error(format!("invalid device name `{}`", shorten(name.get_ref())))
                    .at(at(name.span()))
                    .key("device.name")
                    .value(format!("\"{}\"", shorten(name.get_ref())))
                    .why(why)
                    .hint(format!("try \"{}\"", suggest_name(name.get_ref()))),
            );
        }
    }

    let board = board(loaded, &mut errors);
    let preset = device.and_then(|d| d.preset.as_ref()).map(|p| Preset { name: p.get_ref().clone(), location: at(p.span()) });

    let (app, api) = match &loaded.app {
        Ok(app) => {
            errors.extend(app.feature_requests.iter().map(crate::app_manifest::FeatureRequest::diagnostic));
            errors.extend(app.foreign.iter().cloned());
            let uses = app.api.as_ref().map_or_else(|_| Vec::new(), |api| api.uses.clone());
            (App { dir: app.dir.clone(), package: app.package.clone(), package_at: app.package_at.clone(), dependencies: app.dependencies.clone(), uses }, Some(&app.api))
        }
        Err(e) => {
            errors.extend(e.diagnostics.iter().cloned());
            (App { dir: loaded.dir.join("app"), package: String::new(), package_at: None, dependencies: Vec::new(), uses: Vec::new() }, None)
        }
    };
    let api = match api {
        Some(Ok(api)) => Some(api),
        Some(Err(warning)) => {
            if !loaded.raw.threads.is_empty() {
                errors.push((**warning).clone());
            }
            None
        }
        None => None,
    };

    let memory = loaded.raw.memory.as_ref().map(|m| m.get_ref());
    let (flash, ram) = memory_regions(board.as_ref(), memory, source, &mut errors);
    let size_at = |v: Option<&Spanned<toml::Value>>, board_at: Option<Location>| match v {
        Some(v) => at(v.span()),
        None => board_at,
    };
    let flash_at = size_at(memory.and_then(|m| m.flash.as_ref()), board.as_ref().and_then(|b| b.flash_at.clone()));
    let ram_at = size_at(memory.and_then(|m| m.ram.as_ref()), board.as_ref().and_then(|b| b.ram_at.clone()));

    let features = loaded
        .raw
        .features
        .iter()
        .map(|(key, value)| Assignment {
            key: key.get_ref().clone(),
            value: value.get_ref().clone(),
            origin: Origin::User,
            location: at(key.span()),
        })
        .collect();

    // A stack is bounded by the RAM in force: the board's, or `[memory]`'s.
    let ram_limit = board.as_ref().map(|_| (ram.size, memory.is_some_and(|m| m.ram.is_some())));
    let regions = isolation::regions(loaded, board.as_ref(), &mut errors);
    let mut threads: Vec<Thread> = loaded
        .raw
        .threads
        .iter()
        .filter_map(|(name, t)| {
            let iso = isolation::thread(loaded, name.get_ref(), t.get_ref(), board.as_ref(), &regions, &mut errors);
            threads::validate_thread(loaded, name, t, ram_limit, api, &mut errors).map(|t| Thread { isolation: iso, ..t })
        })
        .collect();
    if loaded.raw.threads.is_empty() && !loaded.parse_errors.iter().any(|d| d.message.contains("not valid TOML")) {
        errors.push(
            Diagnostic::error("the device declares no thread")
                .at(Some(Location::at(&source.path, 1, 1)))
                .key("threads")
                .why("the kernel starts the threads of [threads.<name>]; with none, the image would do nothing")
                .hint("add a thread:\n\n    [threads.main]\n    entry = \"main\"\n    priority = 1\n    stack = 1024"),
        );
    }
    let models = models::validate(loaded, &mut threads, &mut errors);
    // What the arch's switch saves on a thread's stack beyond the register
    // frames device.toml's `stack` covers on every arch.
    let record = board.as_ref().map_or(0, |b| b.arch.stack_extra());
    for t in threads.iter_mut() {
        t.stack = t.stack.saturating_add(record);
    }
    let interrupts = interrupts::validate(loaded, board.as_ref(), api, &mut errors);
    let (drivers, c_drivers) = drivers::validate(loaded, board.as_ref(), &mut errors);
    let board = drivers::with_qemu_args(loaded, board, &mut errors);
    let budget = budget(loaded, &mut errors);
    models::budget_keys(loaded, &models, &mut errors);
    let test = testing::validate(loaded, &mut errors);
    // C drivers without a C app still need the C toolchain and the C
    // library: an app table without sources of its own stands for them.
    let c = c::validate(loaded, &mut errors).or_else(|| {
        let first = c_drivers.first()?;
        let toolchain = loaded.driver_c.iter().flatten().find_map(|(_, i)| i.c.toolchain.as_ref()?.as_ref().ok().cloned())?;
        Some(crate::model::CApp { sources: Vec::new(), include: Vec::new(), defines: Vec::new(), toolchain, at: first.at.clone() })
    });

    // Highest priority first; the sort is stable, so ties keep file order.
    threads.sort_by(|a: &Thread, b: &Thread| b.priority.cmp(&a.priority));

    let mut diagnostics = errors;
    crate::diag::in_line_order(&mut diagnostics, &source.path);
    let warnings = diagnostics.iter().filter(|d| d.severity == Severity::Warning).cloned().collect();
    let device = board.map(|board| Device {
        manifest: source.path.clone(),
        dir: loaded.dir.clone(),
        name: name.map(|n| n.get_ref().clone()).unwrap_or_default(),
        name_at: name.map(|n| source.location(n.span())),
        board,
        preset,
        app,
        flash,
        ram,
        flash_at,
        ram_at,
        features,
        threads,
        interrupts,
        drivers,
        c_drivers,
        regions,
        models,
        budget,
        test,
        warnings,
        c,
        variant: None,
        measure_only: false,
    });
    (device, diagnostics)
}

/// [`check`] as a result: the device, or every diagnostic when one is an error.
pub fn validate(loaded: &Loaded) -> Result<Device> {
    let (device, diagnostics) = check(loaded);
    Error::check(diagnostics.clone())?;
    device.ok_or(Error { diagnostics })
}

/// The board in force: `--board` or `device.board`, refined by the
/// device's chip, or made from the chip alone.
fn board(loaded: &Loaded, errors: &mut Vec<Diagnostic>) -> Option<Board> {
    let source = &loaded.source;
    let raw = loaded.raw.device.as_ref();
    let chip_at = raw.and_then(|d| d.get_ref().chip.as_ref()).map(|c| source.location(c.span()));
    let chip = match &loaded.chip {
        Some(Ok(chip)) => Some(chip),
        Some(Err(e)) => {
            errors.extend(e.diagnostics.iter().cloned());
            return None;
        }
        None => None,
    };
    let board = match &loaded.board {
        Some(Ok(board)) => board.clone(),
        Some(Err(e)) => {
            errors.extend(e.diagnostics.iter().cloned());
            return None;
        }
        None => match chip {
            Some(chip) => match Board::from_chip(chip, chip_at) {
                Ok(b) => return Some(b),
                Err(e) => {
                    errors.extend(e.diagnostics);
                    return None;
                }
            },
            None => {
                if let Some(d) = raw {
                    errors.push(
                        Diagnostic::error("the device names no board")
                            .at(Some(source.location(d.span())))
                            .key("device.board")
                            .why("bluegen needs a board (or a chip) to know the target, memory map and console")
                            .hint("add `board = \"qemu-mps2-an385\"` (`bluegen boards` lists them) or `chip = \"nRF52840_xxAA\"` to [device]"),
                    );
                }
                return None;
            }
        },
    };
    let Some(chip) = chip else { return Some(board) };
    with_chip(board, chip, chip_at, loaded.board_from_flag, errors)
}

/// A device's `chip` refines its board: the chip's regions and target win.
/// A chip of the other architecture is an error; one of another vendor
/// than the board's (or on an emulated board) a warning.
fn with_chip(mut board: Board, chip: &crate::chip::Chip, chip_at: Option<Location>, from_flag: bool, errors: &mut Vec<Diagnostic>) -> Option<Board> {
    let board_key = if from_flag { "--board" } else { "device.board" };
    let chip_arch = chip.target.as_deref().map(Arch::of_target);
    if chip_arch.is_some_and(|a| a != board.arch) || chip.target.is_none() {
        errors.push(
            Diagnostic::error(format!("chip `{}` does not fit board {}", chip.name, board.name))
                .at(chip_at)
                .key("device.chip")
                .value(format!("\"{}\"", chip.name))
                .why(format!("the chip has a {} core; board {} ({board_key}) is {}", chip.core, board.name, board.arch.as_str()))
                .hint("name a chip of the board's architecture, or leave out the board to build for the chip alone"),
        );
        return None;
    }
    let other_vendor = match (&board.chip, &board.chip_vendor, &chip.vendor) {
        (None, _, _) => Some(format!("board {} is emulated: its console and exit are QEMU's, not {}'s", board.name, chip.name)),
        (Some(own), Some(theirs), Some(mine)) if theirs != mine => {
            Some(format!("board {} carries {own} by {theirs}; `{}` is by {mine}", board.name, chip.name))
        }
        _ => None,
    };
    if let Some(why) = other_vendor {
        errors.push(
            Diagnostic::warning(format!("chip `{}` on board {}, which is another vendor's", chip.name, board.name))
                .at(chip_at)
                .key("device.chip")
                .value(format!("\"{}\"", chip.name))
                .why(why)
                .note("the chip's memory map and target replace the board's; its console driver and pins stay the board's")
                .hint("leave out the board to build for the chip alone, or pick a board with this chip"),
        );
    }
    board.flash = chip.flash;
    board.ram = chip.ram;
    if let Some(target) = &chip.target {
        board.target = target.clone();
    }
    board.chip_vendor = chip.vendor.clone();
    board.chip = Some(chip.name.clone());
    Some(board)
}

fn budget(loaded: &Loaded, errors: &mut Vec<Diagnostic>) -> Budget {
    let source = &loaded.source;
    let mut budget = Budget::default();
    let Some(b) = &loaded.raw.budget else { return budget };
    let mut limit = |v: &Spanned<toml::Value>, key: String| match size(v.get_ref()) {
        Ok(bytes) => Some(Limit { bytes, location: Some(source.location(v.span())) }),
        Err(why) => {
            errors.push(bad_value(source, v, &key, why));
            None
        }
    };
    let b = b.get_ref();
    budget.flash = b.flash.as_ref().and_then(|v| limit(v, "budget.flash".into()));
    budget.ram = b.ram.as_ref().and_then(|v| limit(v, "budget.ram".into()));
    budget.model_flash = b.model_flash.as_ref().and_then(|v| limit(v, "budget.model-flash".into()));
    budget.model_ram = b.model_ram.as_ref().and_then(|v| limit(v, "budget.model-ram".into()));
    for (name, v) in &b.components {
        let key = name.get_ref().clone();
        if let Some(l) = limit(v, format!("budget.components.{key}")) {
            budget.components.push((key, Limit { location: Some(source.location(name.span())), ..l }));
        }
    }
    budget
}

/// The flash and RAM regions: the board's, restricted or moved by
/// `[memory]`. A region must hold something, end within the target's
/// address space and not overlap the other.
fn memory_regions(board: Option<&Board>, memory: Option<&RawMemory>, source: &Source, errors: &mut Vec<Diagnostic>) -> (Region, Region) {
    let empty = Region { origin: 0, size: 0 };
    let Some(memory) = memory else { return board.map_or((empty, empty), |b| (b.flash, b.ram)) };
    let bits = board.map_or(64, |b| crate::units::pointer_bits(&b.target));
    let region = |name: &str, board_region: Option<Region>, size_v: &Option<Spanned<toml::Value>>, origin_v: &Option<Spanned<toml::Value>>, errors: &mut Vec<Diagnostic>| {
        let mut region = board_region.unwrap_or(empty);
        let mut ok = true;
        if let Some(o) = origin_v {
            match address(o.get_ref()) {
                Ok(origin) => {
                    region.origin = origin;
                    if let Some((why, hint)) = board.filter(|_| name == "flash").and_then(|b| crate::limits::unaligned_flash(b.arch, origin)) {
                        errors.push(bad_value(source, o, "memory.flash-origin", why).hint(hint));
                        ok = false;
                    }
                }
                Err(why) => {
                    errors.push(bad_value(source, o, &format!("memory.{name}-origin"), why));
                    ok = false;
                }
            }
        }
        if let Some(s) = size_v {
            match size(s.get_ref()) {
                Ok(0) => {
                    errors.push(
                        bad_value(source, s, &format!("memory.{name}"), format!("a {name} region of 0 bytes cannot hold the image"))
                            .hint(format!("leave `{name}` out to use the board's {name}, or give its size in bytes")),
                    );
                    ok = false;
                }
                Ok(bytes) if origin_v.is_none() && board_region.is_some_and(|b| bytes > b.size) => {
                    let b = board_region.unwrap_or(empty);
                    let board_name = board.map_or("", |b| b.name.as_str());
                    errors.push(
                        bad_value(source, s, &format!("memory.{name}"), format!(
                            "board {board_name} has {} of {name}; a size alone can only restrict it",
                            human(b.size)
                        ))
                        .hint(format!("use at most \"{}\", or give `{name}-origin` too to override the board's region", human(b.size))),
                    );
                    ok = false;
                }
                Ok(bytes) => region.size = bytes,
                Err(why) => {
                    errors.push(bad_value(source, s, &format!("memory.{name}"), why));
                    ok = false;
                }
            }
        }
        let limit = u128::from(crate::units::usize_max(bits)) + 1;
        let end = u128::from(region.origin) + u128::from(region.size);
        // RAM's end is an address too: the boot stack's top, `_stack_top`.
        let wraps = name == "ram" && end == limit;
        if ok && (board_region.is_some() || (origin_v.is_some() && size_v.is_some())) && (end > limit || wraps) {
            let (key, v) = match (origin_v, size_v) {
                (Some(o), _) => (format!("memory.{name}-origin"), o),
                (None, Some(s)) => (format!("memory.{name}"), s),
                (None, None) => return (region, false),
            };
            let target = board.map_or("the target", |b| b.target.as_str());
            let (why, last) = if wraps {
                (
                    format!("the ram region {:#x}..{end:#x} ends at the top of the {bits}-bit address space of {target}: the boot stack's top, RAM's end, would be address {end:#x}, which wraps to 0", region.origin),
                    limit - 16,
                )
            } else {
                (format!("the {name} region {:#x}..{end:#x} ends past the {bits}-bit address space of {target}", region.origin), limit)
            };
            errors.push(bad_value(source, v, &key, why).hint(format!("the region must end at or below {last:#x}: lower the origin or the size")));
            ok = false;
        }
        // The board's own regions are checked with the board file.
        if let (true, Some(why), Some((key, v))) = (
            ok,
            board.and_then(|b| b.arch.unmappable(region.origin, region.size)),
            origin_v.as_ref().map(|o| (format!("memory.{name}-origin"), o)).or(size_v.as_ref().map(|s| (format!("memory.{name}"), s))),
        ) {
            errors.push(bad_value(source, v, &key, why).hint("keep flash and RAM below 0x1_0000_0000, each inside one 1 GiB block"));
            ok = false;
        }
        (region, ok)
    };
    let (flash, flash_ok) = region("flash", board.map(|b| b.flash), &memory.flash, &memory.flash_origin, errors);
    let (ram, ram_ok) = region("ram", board.map(|b| b.ram), &memory.ram, &memory.ram_origin, errors);
    let moved = |o: &Option<Spanned<toml::Value>>, s: &Option<Spanned<toml::Value>>| o.as_ref().or(s.as_ref()).cloned();
    let culprit = moved(&memory.ram_origin, &memory.ram).map(|v| ("ram", v)).or_else(|| moved(&memory.flash_origin, &memory.flash).map(|v| ("flash", v)));
    if flash_ok && ram_ok && board.is_some() && flash.origin < ram.end() && ram.origin < flash.end() {
        if let Some((name, v)) = culprit {
            let key = if name == "ram" && memory.ram_origin.is_some() || name == "flash" && memory.flash_origin.is_some() {
                format!("memory.{name}-origin")
            } else {
                format!("memory.{name}")
            };
            errors.push(
                bad_value(source, &v, &key, format!(
                    "flash {:#x}..{:#x} and RAM {:#x}..{:#x} overlap: the image's statics would overwrite its code",
                    flash.origin,
                    flash.end(),
                    ram.origin,
                    ram.end()
                ))
                .hint("move or shrink one region so that they do not share an address"),
            );
        }
    }
    (flash, ram)
}

/// What an app function is for, in the words of [`entry_problem`]'s messages.
pub(crate) struct Role {
    /// "thread entry"
    pub what: &'static str,
    /// "the kernel runs a thread's entry"
    pub runs: &'static str,
    /// "the thread to run"
    pub for_what: &'static str,
    /// Its key in device.toml: "entry"
    pub key: &'static str,
}

const THREAD_ENTRY: Role = Role { what: "thread entry", runs: "the kernel runs a thread's entry", for_what: "the thread to run", key: "entry" };

/// Why `entry` cannot be a thread entry (or, per `role`, an interrupt
/// handler), checked against the app's public functions when they are known.
pub(crate) fn entry_problem(entry: &str, api: Option<&crate::app_scan::AppApi>, role: &Role) -> Option<Diagnostic> {
    let what = role.what;
    let invalid = || Diagnostic::error(format!("invalid {what} `{entry}`"));
    let segments: Vec<&str> = entry.split("::").collect();
    if entry.is_empty() || !segments.iter().all(|s| is_ident(s) && *s != "_") {
        return Some(invalid().why(format!("the {} is the path of a `fn()` in the app crate, such as `main` or `sensors::poll`", role.key)));
    }
    if let Some(k) = segments.iter().find(|s| ["crate", "self", "super"].contains(s)) {
        let rest: Vec<&str> = segments.iter().copied().filter(|s| !["crate", "self", "super"].contains(s)).collect();
        let d = invalid().why(format!("{} is a path inside the app crate, which bluegen puts after `app::`, so `{k}` cannot be part of it", article(role.key)));
        let key = role.key;
        return Some(if rest.is_empty() { d } else { d.hint(format!("write {key} = \"{}\"", rest.join("::"))) });
    }
    if let Some(k) = segments.iter().find(|s| KEYWORDS.contains(s)) {
        return Some(invalid().why(format!("`{k}` is a Rust keyword, so no function or module can have that name")).hint("use the name of a `pub fn` of the app crate"));
    }
    let api = api?;
    use crate::app_scan::Lookup;
    let listing = |wrong: &str| {
        let entries = api.entries_closest_to(wrong);
        match entries.len() {
            0 => "the app crate has no `pub fn()` yet: add one to its src/lib.rs".to_string(),
            n => {
                let shown: Vec<String> = entries.iter().take(8).map(|e| format!("`{e}`")).collect();
                format!("the app's public functions, closest first: {}{}", shown.join(", "), if n > 8 { format!(" and {} more", n - 8) } else { String::new() })
            }
        }
    };
    match api.lookup(entry) {
        Lookup::Found => None,
        Lookup::Missing => Some(
            Diagnostic::error(format!("the app crate has no public function `{entry}`"))
                .why(format!("{} is a `pub fn()` of the app crate (in src/lib.rs, or in a `pub mod` of it)", article(what)))
                .hint(listing(entry)),
        ),
        Lookup::Module => Some(Diagnostic::error(format!("`{entry}` is a module of the app crate, not a function")).hint(listing(entry))),
        Lookup::NotAnEntry(why) => Some(
            Diagnostic::error(format!("`{entry}` cannot be {}", article(what)))
                .why(format!("{} as a `fn()`: {why}", role.runs))
                .hint(format!("give the app a `pub fn {}()` for {}", segments.last().copied().unwrap_or(entry), role.for_what)),
        ),
    }
}

/// "a thread entry", "an interrupt handler".
fn article(what: &str) -> String {
    if what.starts_with(['a', 'e', 'i', 'o', 'u']) { format!("an {what}") } else { format!("a {what}") }
}

pub(crate) fn bad_value(source: &Source, v: &Spanned<toml::Value>, key: &str, why: String) -> Diagnostic {
    Diagnostic::error(format!("invalid value for `{key}`"))
        .at(Some(source.location(v.span())))
        .key(key.to_string())
        .value(source.text.get(v.span()).map_or_else(|| v.get_ref().to_string(), str::to_string))
        .why(why)
}

/// Device names: `[a-z][a-z0-9-]*`, and see [`name_problem`].
pub fn is_name(s: &str) -> bool {
    name_problem(s).is_none()
}

/// Why `s` cannot be a device name, which becomes a crate and binary name.
pub fn name_problem(s: &str) -> Option<String> {
    let mut chars = s.chars();
    let shape = chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.ends_with('-');
    if !shape {
        return Some("a device name becomes a crate and binary name: lowercase letters, digits and `-`, starting with a letter".into());
    }
    if CARGO_RESERVED.contains(&s) {
        return Some(format!("cargo refuses `{s}` as a binary name: it is one of its own target folders ({})", CARGO_RESERVED.join(", ")));
    }
    if s.len() > NAME_MAX {
        return Some(format!("it is {} characters long; a device name has at most {NAME_MAX} (crate names do, and cargo's file names must fit the file system)", s.len()));
    }
    None
}

/// A long value cut for a message: the first 40 characters and "…".
fn shorten(s: &str) -> String {
    if s.chars().count() > 48 { format!("{}…", s.chars().take(40).collect::<String>()) } else { s.to_string() }
}

fn suggest_name(s: &str) -> String {
    let cleaned: String = s
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let trimmed = cleaned.trim_matches(|c: char| c == '-' || c.is_ascii_digit());
    let mut name: String = trimmed.chars().take(NAME_MAX).collect::<String>().trim_end_matches('-').to_string();
    if CARGO_RESERVED.contains(&name.as_str()) {
        name = format!("my-{name}");
    }
    if name.is_empty() { "my-device".into() } else { name }
}

pub(crate) fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

mod c;
mod c_drivers;
mod drivers;
mod interrupts;
mod isolation;
mod models;
mod testing;
mod threads;
#[cfg(test)]
mod tests;
