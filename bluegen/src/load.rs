//! Load: read every input of a device once — device.toml, its board, chip and app.
//!
//! [`load`] parses device.toml into raw structs that keep every span and file
//! order, reads the board file (or the one `--board` names), looks the chips
//! up and scans the app crate's Cargo.toml and sources. Every mistake found
//! on the way (syntax, unknown keys with their table path, wrong types,
//! missing keys, an unknown board) is kept, not returned early, so that
//! [`crate::validate`], a pure function of a [`Loaded`], reports them all in
//! one run. Nothing here checks meaning.

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::app_scan::AppApi;
use crate::board::Board;
use crate::chip::Chip;
use crate::diag::{Diagnostic, Error, Location, Result, Source};
use crate::root::Root;

mod app;
mod c;
mod models;
mod regions;
mod testing;
pub use c::{CDriverInputs, CInputs, RawC, RawCDriver};
pub use models::{ModelFile, RawModel};
pub use regions::RawRegion;
pub use testing::RawTest;

/// `device.toml` as written: tables in file order, every key optional here
/// (a missing required key is a parse error of [`Loaded`]).
#[derive(Debug, Default)]
pub struct RawDeviceFile {
    pub device: Option<Spanned<RawDevice>>,
    pub memory: Option<Spanned<RawMemory>>,
    /// `[features]` in file order.
    pub features: Vec<(Spanned<String>, Spanned<toml::Value>)>,
    /// `[threads.<name>]` in file order.
    pub threads: Vec<(Spanned<String>, Spanned<RawThread>)>,
    /// `[interrupts.<name>]` in file order.
    pub interrupts: Vec<(Spanned<String>, Spanned<RawInterrupt>)>,
    /// `[drivers.<name>]` in file order: each table's keys and values as
    /// written (which keys a driver takes depends on its peripheral's kind).
    pub drivers: Vec<(Spanned<String>, Spanned<RawDriver>)>,
    /// Each of [`RawDeviceFile::drivers`], in order: for a C driver (one
    /// with `sources`), its C table and options, read element by element
    /// ([`load`] moves them into [`Loaded::driver_c`]).
    pub driver_c: Vec<Option<RawCDriver>>,
    /// `[qemu] args`: QEMU arguments the device adds to its board's.
    pub qemu_args: Option<Spanned<toml::Value>>,
    pub budget: Option<Spanned<RawBudget>>,
    /// `[c]`: the app's C sources, include directories and defines.
    pub c: Option<Spanned<RawC>>,
    /// `[regions.<name>]` in file order: what isolated threads may reach.
    pub regions: Vec<(Spanned<String>, Spanned<RawRegion>)>,
    /// `[models.<name>]` in file order: the AI models the image carries.
    pub models: Vec<(Spanned<String>, Spanned<RawModel>)>,
    /// `[test]`: what `bluegen test` expects of a run.
    pub test: Option<Spanned<RawTest>>,
}

/// One `[drivers.<name>]` table: its keys and values in file order.
pub type RawDriver = Vec<(Spanned<String>, Spanned<toml::Value>)>;

/// The `[budget]` table: limits checked after every build.
#[derive(Debug, Default)]
pub struct RawBudget {
    pub flash: Option<Spanned<toml::Value>>,
    pub ram: Option<Spanned<toml::Value>>,
    /// What the device's models may take: weights and inference code
    /// (`model-flash`), activations (`model-ram`).
    pub model_flash: Option<Spanned<toml::Value>>,
    pub model_ram: Option<Spanned<toml::Value>>,
    /// Flash bytes per component: `kernel = "2K"`.
    pub components: Vec<(Spanned<String>, Spanned<toml::Value>)>,
}

/// The `[device]` table.
#[derive(Debug, Default)]
pub struct RawDevice {
    pub name: Option<Spanned<String>>,
    pub board: Option<Spanned<String>>,
    /// A probe-rs chip name: memory regions and target come from the registry.
    pub chip: Option<Spanned<String>>,
    pub preset: Option<Spanned<String>>,
    /// The app crate's directory, relative to device.toml (default `app`).
    pub app: Option<Spanned<String>>,
}

/// The `[memory]` table: sizes restrict the board's regions, origins move them.
#[derive(Debug, Default)]
pub struct RawMemory {
    pub flash: Option<Spanned<toml::Value>>,
    pub ram: Option<Spanned<toml::Value>>,
    pub flash_origin: Option<Spanned<toml::Value>>,
    pub ram_origin: Option<Spanned<toml::Value>>,
}

/// One `[interrupts.<name>]` table: which interrupt, its handler, its priority.
#[derive(Debug, Default)]
pub struct RawInterrupt {
    /// An IRQ number, or a name the board defines (`uart0-rx`, `timer0`).
    pub source: Option<Spanned<toml::Value>>,
    pub handler: Option<Spanned<String>>,
    /// A C function of the device's C sources, instead of `handler`.
    pub c_handler: Option<Spanned<String>>,
    pub priority: Option<Spanned<toml::Value>>,
}

/// One `[threads.<name>]` table.
#[derive(Debug, Default)]
pub struct RawThread {
    pub entry: Option<Spanned<String>>,
    /// A C function of `[c]`'s sources (instead of `entry`).
    pub c_entry: Option<Spanned<String>>,
    pub priority: Option<Spanned<toml::Value>>,
    pub stack: Option<Spanned<toml::Value>>,
    /// `start = false`: the thread starts suspended.
    pub start: Option<Spanned<toml::Value>>,
    /// Isolation (`[features] isolation`): whether it keeps the kernel's privilege,
    /// the bytes of its own statics, the `[regions]` it may reach, what a fault does.
    pub privileged: Option<Spanned<toml::Value>>,
    pub statics: Option<Spanned<toml::Value>>,
    pub regions: Option<Spanned<toml::Value>>,
    pub on_fault: Option<Spanned<toml::Value>>,
}

/// The device's app crate as read from disk.
#[derive(Debug, Clone)]
pub struct AppCrate {
    pub dir: PathBuf,
    pub package: String,
    /// Where its Cargo.toml names the package.
    pub package_at: Option<Location>,
    /// The crate names (`-` as `_`) of its direct dependencies.
    pub dependencies: Vec<String>,
    /// Its public functions, or why its sources could not be read (a
    /// warning: entries are then not checked).
    pub api: std::result::Result<AppApi, Box<Diagnostic>>,
    /// Cargo features its Cargo.toml chooses for a bluegen component (which
    /// only device.toml may choose), in file order.
    pub feature_requests: Vec<crate::app_manifest::FeatureRequest>,
    /// Its path dependencies on components that are not this bluegen's
    /// (errors at their `path`, see [`crate::app_manifest::foreign_components`]).
    pub foreign: Vec<Diagnostic>,
}

/// Everything a device's validation needs, read once.
#[derive(Debug)]
pub struct Loaded {
    pub source: Source,
    /// The project directory (the one holding device.toml), absolute.
    pub dir: PathBuf,
    pub raw: RawDeviceFile,
    /// Syntax and shape errors of device.toml, in file order.
    pub parse_errors: Vec<Diagnostic>,
    /// The board, when the device (or `--board`) names one.
    pub board: Option<Result<Board>>,
    /// The board came from the `--board` flag.
    pub board_from_flag: bool,
    /// The device's own `chip`, looked up.
    pub chip: Option<Result<Chip>>,
    pub app: Result<AppCrate>,
    /// What `[c]` names, read and probed (none without `[c]`).
    pub c: Option<CInputs>,
    /// Each `[drivers.<name>]` of [`RawDeviceFile::drivers`], in order:
    /// for a C driver (one with `sources`), its C table and what it names,
    /// read and probed.
    pub driver_c: Vec<Option<(RawCDriver, CDriverInputs)>>,
    /// Each `[models.<name>]`'s file, read (none where `file` is missing).
    pub model_files: Vec<Option<ModelFile>>,
    /// The names of the boards bluegen knows, when `[test]` names boards.
    pub known_boards: Vec<String>,
}

/// Reads device.toml at `manifest` and every input it names.
pub fn load(root: &Root, manifest: &Path, board_flag: Option<&str>) -> Result<Loaded> {
    let source = Source::read(manifest)?;
    Ok(load_source(root, source, board_flag))
}

/// [`load`] for a device.toml already in memory.
pub fn load_source(root: &Root, source: Source, board_flag: Option<&str>) -> Loaded {
    let (raw, parse_errors) = parse_device(&source);
    let dir = match source.path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => Path::new(".").to_path_buf(),
    };
    let dir = std::path::absolute(&dir).unwrap_or(dir);
    let at = |s: &Spanned<String>| Some(source.location(s.span()));
    let device = raw.device.as_ref().map(|d| d.get_ref());
    let chip = device.and_then(|d| d.chip.as_ref()).map(|c| crate::chip::lookup(c.get_ref(), "device.chip", at(c)));
    let board = match (board_flag, device.and_then(|d| d.board.as_ref())) {
        (Some(name), _) => Some(Board::load(root, name, None, "--board")),
        (None, Some(name)) => Some(Board::load(root, name.get_ref(), at(name), "device.board")),
        (None, None) => None,
    };
    let app = app::app(root, &dir, device.and_then(|d| d.app.as_ref()), &source);
    let target = match (&board, &chip) {
        (Some(Ok(b)), _) => Some(b.target.clone()),
        (None, Some(Ok(chip))) => chip.target.clone(),
        _ => None,
    };
    let c = raw.c.as_ref().map(|c| c::inputs(c.get_ref(), &dir, target.as_deref()));
    let mut raw = raw;
    let driver_c = c::drivers_inputs(&mut raw, &dir, target.as_deref());
    let model_files = models::read_files(&dir, &raw.models);
    let known_boards = if raw.test.as_ref().is_some_and(|t| t.get_ref().boards.is_some()) { Root::data_names(&root.boards()) } else { Vec::new() };
    Loaded { source, dir, raw, parse_errors, board, board_from_flag: board_flag.is_some(), chip, app, c, driver_c, model_files, known_boards }
}

/// The keys a table of device.toml may hold.
const DEVICE_KEYS: &[&str] = &["name", "board", "chip", "preset", "app"];
const MEMORY_KEYS: &[&str] = &["flash", "ram", "flash-origin", "ram-origin"];
const THREAD_KEYS: &[&str] = &["entry", "c-entry", "priority", "stack", "start", "privileged", "statics", "regions", "on-fault"];
const INTERRUPT_KEYS: &[&str] = &["source", "handler", "c-handler", "priority"];
const BUDGET_KEYS: &[&str] = &["flash", "ram", "model-flash", "model-ram", "components"];
const QEMU_KEYS: &[&str] = &["args"];
const TOP_KEYS: &[&str] = &["device", "memory", "features", "threads", "interrupts", "drivers", "regions", "models", "qemu", "budget", "c", "test"];

/// Every table of device.toml with a fixed set of keys, and those keys (the
/// book's device.toml reference is checked against this).
pub const TABLE_KEYS: &[(&str, &[&str])] =
    &[("", TOP_KEYS), ("device", DEVICE_KEYS), ("memory", MEMORY_KEYS), ("threads.<name>", THREAD_KEYS), ("interrupts.<name>", INTERRUPT_KEYS), ("qemu", QEMU_KEYS), ("budget", BUDGET_KEYS), ("c", c::C_KEYS), ("regions.<name>", regions::REGION_KEYS), ("models.<name>", models::MODEL_KEYS), ("test", testing::TEST_KEYS)];

/// Parses device.toml text into its raw structs, with every syntax error
/// (as far as the parser recovers), unknown key, wrong type and missing key.
pub fn parse_device(source: &Source) -> (RawDeviceFile, Vec<Diagnostic>) {
    let (doc, syntax) = DeTable::parse_recoverable(&source.text);
    let mut p = Walker { source, errors: Vec::new(), syntax_errors: !syntax.is_empty() };
    for e in &syntax {
        let location = e.span().map(|s| source.location(s)).or_else(|| Some(Location::at(&source.path, 1, 1)));
        p.errors.push(
            Diagnostic::error(format!("device.toml is not valid TOML: {}", first_line(e.message().trim())))
                .at(location)
                .hint("see https://toml.io for the syntax; strings need quotes, tables `[name]` headers"),
        );
    }
    let mut raw = RawDeviceFile::default();
    for (key, value) in in_file_order(doc.get_ref()) {
        match key.get_ref().as_ref() {
            "device" => raw.device = p.table(key, value, "device", DEVICE_KEYS).map(|t| p.device(t, value.span())),
            "memory" => raw.memory = p.table(key, value, "memory", MEMORY_KEYS).map(|t| p.memory(t, value.span())),
            "features" => {
                if let Some(t) = p.table(key, value, "features", &[]) {
                    raw.features = in_file_order(t).filter_map(|(k, v)| Some((p.key(k), p.value(v, &format!("features.{}", k.get_ref()))?))).collect();
                }
            }
            "threads" => {
                if let Some(t) = p.table(key, value, "threads", &[]) {
                    for (name, thread) in in_file_order(t) {
                        let path = format!("threads.{}", name.get_ref());
                        if let Some(t) = p.table(name, thread, &path, THREAD_KEYS) {
                            raw.threads.push((p.key(name), p.thread(t, &path, thread.span())));
                        }
                    }
                }
            }
            "interrupts" => {
                if let Some(t) = p.table(key, value, "interrupts", &[]) {
                    for (name, irq) in in_file_order(t) {
                        let path = format!("interrupts.{}", name.get_ref());
                        if let Some(t) = p.table(name, irq, &path, INTERRUPT_KEYS) {
                            raw.interrupts.push((p.key(name), p.interrupt(t, &path, irq.span())));
                        }
                    }
                }
            }
            "drivers" => {
                if let Some(t) = p.table(key, value, "drivers", &[]) {
                    for (name, driver) in in_file_order(t) {
                        let path = format!("drivers.{}", name.get_ref());
                        if let Some(t) = p.table(name, driver, &path, &[]) {
                            let (keys, c) = p.driver(t, &path);
                            raw.drivers.push((p.key(name), Spanned::new(driver.span(), keys)));
                            raw.driver_c.push(c);
                        }
                    }
                }
            }
            "regions" => regions::parse(&mut p, key, value, &mut raw.regions),
            "models" => models::parse(&mut p, key, value, &mut raw.models),
            "qemu" => raw.qemu_args = p.table(key, value, "qemu", QEMU_KEYS).and_then(|t| p.any(t, "qemu", "args")),
            "budget" => raw.budget = p.table(key, value, "budget", BUDGET_KEYS).map(|t| p.budget(t, value.span())),
            "c" => raw.c = p.table(key, value, "c", c::C_KEYS).map(|t| p.c(t, key.span())),
            "test" => raw.test = testing::parse(&mut p, key, value),
            _ => p.unknown(key, "", TOP_KEYS),
        }
    }
    if !doc.get_ref().contains_key("device") && !p.syntax_errors {
        p.errors.push(
            Diagnostic::error("device.toml has no [device] table")
                .at(Some(Location::at(&source.path, 1, 1)))
                .key("device")
                .why("the [device] table names the device and its board")
                .hint("start the file with:\n\n    [device]\n    name = \"my-device\"\n    board = \"qemu-mps2-an385\"\n"),
        );
    }
    (raw, p.errors)
}

/// A table's entries in the order the file writes them (toml's tables sort
/// by key; the spans keep the order).
pub(crate) fn in_file_order<'a, 'i>(t: &'a DeTable<'i>) -> impl Iterator<Item = (&'a Spanned<std::borrow::Cow<'i, str>>, &'a Spanned<DeValue<'i>>)> {
    let mut entries: Vec<_> = t.iter().collect();
    entries.sort_by_key(|(k, _)| k.span().start);
    entries.into_iter()
}

struct Walker<'s> {
    source: &'s Source,
    errors: Vec<Diagnostic>,
    syntax_errors: bool,
}

impl Walker<'_> {
    fn at(&self, span: std::ops::Range<usize>) -> Option<Location> {
        Some(self.source.location(span))
    }

    fn key(&self, k: &Spanned<std::borrow::Cow<'_, str>>) -> Spanned<String> {
        Spanned::new(k.span(), k.get_ref().to_string())
    }

    /// `value` as a table whose keys must be among `allowed` (any key when
    /// `allowed` is empty); reports a non-table and each unknown key.
    fn table<'a, 'i>(&mut self, key: &Spanned<std::borrow::Cow<'i, str>>, value: &'a Spanned<DeValue<'i>>, path: &str, allowed: &[&str]) -> Option<&'a DeTable<'i>> {
        let Some(t) = value.get_ref().as_table() else {
            self.errors.push(
                Diagnostic::error(format!("`{path}` must be a table, not {}", article(value.get_ref().type_str())))
                    .at(self.at(key.span()))
                    .key(path.to_string())
                    .hint(format!("write it as a table: `[{path}]` followed by its keys")),
            );
            return None;
        };
        if !allowed.is_empty() {
            for (k, _) in in_file_order(t) {
                if !allowed.contains(&k.get_ref().as_ref()) {
                    self.unknown(k, path, allowed);
                }
            }
        }
        Some(t)
    }

    fn unknown(&mut self, key: &Spanned<std::borrow::Cow<'_, str>>, table: &str, allowed: &[&str]) {
        let name = key.get_ref();
        let path = if table.is_empty() { name.to_string() } else { format!("{table}.{name}") };
        let place = if table.is_empty() { "at the top of device.toml".to_string() } else { format!("in [{table}]") };
        let list = allowed.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ");
        let d = Diagnostic::error(format!("unknown key `{path}`"))
            .at(self.at(key.span()))
            .key(path)
            .why(format!("the keys allowed {place} are {list}"));
        let d = match crate::diag::did_you_mean(name, allowed.iter().copied()) {
            Some(hint) => d.hint(hint),
            None => d,
        };
        self.errors.push(d);
    }

    fn missing(&mut self, path: &str, key: &str, span: std::ops::Range<usize>, example: &str) {
        if self.syntax_errors {
            return; // the parser may have dropped it; the syntax error says why
        }
        self.errors.push(
            Diagnostic::error(format!("[{path}] has no `{key}`"))
                .at(self.at(span))
                .key(format!("{path}.{key}"))
                .hint(format!("add `{key} = {example}` to [{path}]")),
        );
    }

    fn value(&mut self, v: &Spanned<DeValue<'_>>, path: &str) -> Option<Spanned<toml::Value>> {
        match to_value(v.get_ref()) {
            Ok(value) => Some(Spanned::new(v.span(), value)),
            Err(why) => {
                self.errors.push(
                    Diagnostic::error(format!("invalid value for `{path}`"))
                        .at(self.at(v.span()))
                        .key(path.to_string())
                        .value(self.source.text.get(v.span()).unwrap_or_default().to_string())
                        .why(why),
                );
                None
            }
        }
    }

    fn string(&mut self, t: &DeTable<'_>, path: &str, key: &str) -> Option<Spanned<String>> {
        let v = t.get(key)?;
        match v.get_ref().as_str() {
            Some(s) => Some(Spanned::new(v.span(), s.to_string())),
            None => {
                self.errors.push(
                    Diagnostic::error(format!("invalid value for `{path}.{key}`"))
                        .at(self.at(v.span()))
                        .key(format!("{path}.{key}"))
                        .value(self.source.text.get(v.span()).unwrap_or_default().to_string())
                        .why(format!("`{key}` is a string, not {}", article(v.get_ref().type_str())))
                        .hint("put the value in double quotes"),
                );
                None
            }
        }
    }

    fn any(&mut self, t: &DeTable<'_>, path: &str, key: &str) -> Option<Spanned<toml::Value>> {
        let v = t.get(key)?;
        self.value(v, &format!("{path}.{key}"))
    }

    fn device(&mut self, t: &DeTable<'_>, span: std::ops::Range<usize>) -> Spanned<RawDevice> {
        let d = RawDevice {
            name: self.string(t, "device", "name"),
            board: self.string(t, "device", "board"),
            chip: self.string(t, "device", "chip"),
            preset: self.string(t, "device", "preset"),
            app: self.string(t, "device", "app"),
        };
        if !t.contains_key("name") {
            self.missing("device", "name", span.clone(), "\"my-device\"");
        }
        Spanned::new(span, d)
    }

    fn memory(&mut self, t: &DeTable<'_>, span: std::ops::Range<usize>) -> Spanned<RawMemory> {
        let m = RawMemory {
            flash: self.any(t, "memory", "flash"),
            ram: self.any(t, "memory", "ram"),
            flash_origin: self.any(t, "memory", "flash-origin"),
            ram_origin: self.any(t, "memory", "ram-origin"),
        };
        Spanned::new(span, m)
    }

    fn thread(&mut self, t: &DeTable<'_>, path: &str, span: std::ops::Range<usize>) -> Spanned<RawThread> {
        let th = RawThread {
            entry: self.string(t, path, "entry"),
            c_entry: self.string(t, path, "c-entry"),
            priority: self.any(t, path, "priority"),
            stack: self.any(t, path, "stack"),
            start: self.any(t, path, "start"),
            privileged: self.any(t, path, "privileged"),
            statics: self.any(t, path, "statics"),
            regions: self.any(t, path, "regions"),
            on_fault: self.any(t, path, "on-fault"),
        };
        for (key, example) in [("entry", "\"main\""), ("priority", "1"), ("stack", "1024")] {
            if !t.contains_key(key) && !(key == "entry" && t.contains_key("c-entry")) {
                self.missing(path, key, span.clone(), example);
            }
        }
        Spanned::new(span, th)
    }

    fn interrupt(&mut self, t: &DeTable<'_>, path: &str, span: std::ops::Range<usize>) -> Spanned<RawInterrupt> {
        let irq = RawInterrupt { source: self.any(t, path, "source"), handler: self.string(t, path, "handler"), c_handler: self.string(t, path, "c-handler"), priority: self.any(t, path, "priority") };
        for (key, example) in [("source", "\"timer0\""), ("handler", "\"on_timer\""), ("priority", "1")] {
            if !t.contains_key(key) && !(key == "handler" && t.contains_key("c-handler")) {
                self.missing(path, key, span.clone(), example);
            }
        }
        Spanned::new(span, irq)
    }

    fn budget(&mut self, t: &DeTable<'_>, span: std::ops::Range<usize>) -> Spanned<RawBudget> {
        let mut b = RawBudget {
            flash: self.any(t, "budget", "flash"),
            ram: self.any(t, "budget", "ram"),
            model_flash: self.any(t, "budget", "model-flash"),
            model_ram: self.any(t, "budget", "model-ram"),
            components: Vec::new(),
        };
        if let Some((k, v)) = t.get_key_value("components") {
            if let Some(c) = self.table(k, v, "budget.components", &[]) {
                b.components = in_file_order(c)
                    .filter_map(|(k, v)| Some((self.key(k), self.value(v, &format!("budget.components.{}", k.get_ref()))?)))
                    .collect();
            }
        }
        Spanned::new(span, b)
    }
}

/// "a string", "an integer": TOML type names with their article.
pub(crate) fn article(type_str: &str) -> String {
    let name = match type_str {
        "string" => "string",
        "integer" => "integer",
        "float" => "float",
        "boolean" => "boolean",
        "datetime" => "date-time",
        "array" => "array",
        "table" => "table",
        other => other,
    };
    if name.starts_with(['a', 'e', 'i', 'o', 'u']) { format!("an {name}") } else { format!("a {name}") }
}

/// A parsed TOML value as a [`toml::Value`].
pub(crate) fn to_value(v: &DeValue<'_>) -> std::result::Result<toml::Value, String> {
    Ok(match v {
        DeValue::String(s) => toml::Value::String(s.to_string()),
        DeValue::Integer(i) => toml::Value::Integer(
            i64::from_str_radix(i.as_str(), i.radix()).map_err(|_| "the integer does not fit in 64 bits".to_string())?,
        ),
        DeValue::Float(f) => toml::Value::Float(match f.as_str().replace('_', "").trim_start_matches('+') {
            "inf" => f64::INFINITY,
            "-inf" => f64::NEG_INFINITY,
            s if s.ends_with("nan") => f64::NAN,
            s => s.parse().map_err(|_| format!("`{s}` is not a number"))?,
        }),
        DeValue::Boolean(b) => toml::Value::Boolean(*b),
        // The parser's recovery leaves an empty date-time for a bad one.
        DeValue::Datetime(d) if d.date.is_none() && d.time.is_none() => return Err("it is not a valid date-time, number or string".into()),
        DeValue::Datetime(d) => toml::Value::Datetime(*d),
        DeValue::Array(a) => toml::Value::Array(a.iter().map(|e| to_value(e.get_ref())).collect::<std::result::Result<_, _>>()?),
        DeValue::Table(t) => {
            let mut out = toml::Table::new();
            for (k, e) in t.iter() {
                out.insert(k.get_ref().to_string(), to_value(e.get_ref())?);
            }
            toml::Value::Table(out)
        }
    })
}

/// Parses one of bluegen's data files (boards, presets) into `T`: every
/// mistake of its shape against `schema` first, all in one run (see
/// [`crate::schema`]); then serde, whose complaint (should the schema miss
/// one) becomes a diagnostic at the offending span, with "did you mean" for
/// keys and without serde's Rust type names.
pub fn parse<T: DeserializeOwned>(source: &Source, what: &str, schema: crate::schema::Schema) -> Result<T> {
    let mistakes = crate::schema::check(source, what, schema);
    if !mistakes.is_empty() {
        return Err(Error { diagnostics: mistakes });
    }
    toml::from_str(&source.text).map_err(|e| {
        let location = e.span().map(|span| source.location(span));
        let message = e.message().trim().to_string();
        let mut d = Diagnostic::error(format!("invalid {what} file: {}", plain(first_line(&message)))).at(location);
        if let Some(unknown) = backticked(&message).first().filter(|_| message.starts_with("unknown field")) {
            let expected = backticked(&message);
            d = d.key(unknown.clone()).why(format!(
                "the allowed keys here are {}",
                expected[1..].iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
            ));
            d = d.suggest(unknown, expected[1..].iter().map(String::as_str), "remove it, or move it to the table it belongs to");
        } else if let Some(missing) = message.strip_prefix("missing field ") {
            d = d.hint(format!("add {} to this table", missing.trim()));
        }
        Error::new(d)
    })
}

/// serde's "expected struct RawBoard" / "expected a sequence" in words a
/// data file's author reads.
fn plain(message: &str) -> String {
    match message.find("expected struct ").or_else(|| message.find("expected map")) {
        Some(i) => format!("{}expected a table", &message[..i]),
        None => message.replace("a sequence", "an array").replace("a map", "a table"),
    }
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

/// The names between backticks in serde's messages, in order.
fn backticked(message: &str) -> Vec<String> {
    message.split('`').skip(1).step_by(2).map(str::to_string).collect()
}

#[cfg(test)]
mod tests;
