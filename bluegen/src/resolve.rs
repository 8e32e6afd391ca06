//! Resolve: pick the image's components and settle its whole configuration.
//!
//! The board decides which components an image needs (kernel, config, the
//! arch's startup, its console and exit drivers). Their Kconfig files are
//! parsed and the board's, the preset's, then the device's, `[features]` are applied. The
//! result, a [`Plan`], is everything [`crate::render`] needs; nothing is
//! compiled before it exists. The resolved values are then checked against
//! what the kernel and the target can hold ([`crate::limits`]).

use std::path::PathBuf;

use crate::board::Exit;
use crate::diag::{Diagnostic, Error, Result, Source};
use crate::kconfig::{self, ComponentKconfig, Config};
use crate::model::Device;
use crate::root::Root;

/// A component crate that goes into the image.
#[derive(Debug, Clone)]
pub struct Component {
    /// Directory name in components/, e.g. `uart-cmsdk`.
    pub name: String,
    /// Package name, e.g. `bluegen-uart-cmsdk`.
    pub package: String,
    pub dir: PathBuf,
    /// Cargo features to enable: its bool Kconfig symbols that are y, and
    /// those of `follows` whose symbols are (see [`features`]).
    pub features: Vec<String>,
    /// Its Cargo.toml's `[package.metadata.bluegen.features]`: a cargo
    /// feature → the Kconfig symbols (any component's) that turn it on.
    pub follows: Vec<(String, Vec<String>)>,
}

impl Component {
    /// [`features`] of this component under `config`.
    pub fn features_under(&self, config: &Config) -> Vec<String> {
        features(config, &self.name, &self.follows)
    }
}

impl Component {
    /// The crate's name as a Rust identifier.
    pub fn ident(&self) -> String {
        self.package.replace('-', "_")
    }
}

/// A device with its components chosen and its configuration resolved.
#[derive(Debug, Clone)]
pub struct Plan {
    pub device: Device,
    pub components: Vec<Component>,
    pub config: Config,
    /// Bytes reserved for the boot stack at the top of RAM.
    pub stack_size: u64,
    /// The parsed Kconfig files of the image's components.
    pub tree: kconfig::Tree,
    /// The board's, then the preset's assignments (inherited ones first),
    /// all of which come before the device's.
    pub preset: Vec<kconfig::Assignment>,
}

impl Plan {
    /// Resolves the configuration again with other device values
    /// (`[features]`), the same components and preset.
    /// Like [`resolve`], bluegen's own values (see [`settle`]) go with them,
    /// and so do the mistakes they make (`interrupts` written by hand, or
    /// interrupts without threads).
    pub fn resolve_with(&self, features: &[kconfig::Assignment]) -> Result<Config> {
        let mut all = self.preset.clone();
        all.extend(features.iter().cloned());
        let (config, mistakes) = settle(&self.tree, &self.device, &mut all)?;
        Error::check(mistakes)?;
        Ok(config)
    }

    /// This plan under another configuration settled by [`settle`] from
    /// `assignments` (a `size --feature-cost` variant): the components'
    /// cargo features and the boot stack follow it, and it must pass every
    /// check [`resolve`] makes of the settled values, or the errors are
    /// returned (a configuration this device cannot have).
    pub fn with_config(&self, config: Config, assignments: &[kconfig::Assignment]) -> std::result::Result<Plan, Vec<Diagnostic>> {
        let mut plan = self.clone();
        for c in &mut plan.components {
            c.features = c.features_under(&config);
        }
        plan.stack_size = boot_stack_size(&plan.device, &config);
        let errors = checks(&plan.device, &plan.components, &config, assignments, plan.stack_size);
        if errors.iter().any(|d| d.severity == crate::diag::Severity::Error) {
            return Err(errors);
        }
        plan.config = config;
        Ok(plan)
    }
}

/// The one step every resolution of a device's configuration goes through
/// (`resolve`, [`Plan::resolve_with`], `size --feature-cost`): `assignments`
/// (board, preset, then device values) with what bluegen derives from the
/// device — the kernel's `INTERRUPTS` and `ROUND_ROBIN`, the libc component's `LIBC` and `C_DRIVERS` (see [`DERIVED`]) — resolved against `tree`. `assignments` is left
/// as resolved. Returns the configuration, or Kconfig's errors (with
/// bluegen's first), and bluegen's mistakes when Kconfig has none.
pub fn settle(tree: &kconfig::Tree, device: &Device, assignments: &mut Vec<kconfig::Assignment>) -> Result<(Config, Vec<Diagnostic>)> {
    let mut mistakes = derived_symbols(device, assignments);
    match kconfig::resolve(tree, assignments) {
        Ok(config) => {
            mistakes.extend(interrupts_without_threads(device, &config));
            Ok((config, mistakes))
        }
        Err(e) => {
            mistakes.extend(e.diagnostics);
            Err(Error { diagnostics: mistakes })
        }
    }
}

/// The names of the components a device's image is made of, in link order.
pub fn component_names(device: &Device) -> Vec<String> {
    let board = &device.board;
    let mut names = vec!["config".to_string(), "kernel".to_string(), board.arch.component()];
    if let Some(console) = &board.console {
        names.push(console.driver.clone());
    }
    if let Exit::SifiveTest { .. } = board.exit {
        names.push("sifive-test".to_string());
    }
    // Always present so that its Kconfig can be set; without `HEAP` the
    // image does not link it.
    names.push("heap".to_string());
    // The same for the filesystem: without `FS` it is an empty crate.
    names.push("fs".to_string());
    // The same for the models: without `MODELS` it is an empty crate.
    names.push("models".to_string());
    // picolibc's glue, only for a device with C sources.
    if device.c.is_some() {
        names.push("libc".to_string());
        // The POSIX API's option groups, which only C apps can turn on;
        // without one the image does not link it.
        names.push("posix".to_string());
    }
    // The crates of `[drivers]`: none declared, none added.
    names.extend(crate::peripherals::components(device).into_iter().filter(|c| !names.contains(c)).collect::<Vec<_>>());
    names
}

/// Resolves a validated device into a build plan.
pub fn resolve(root: &Root, device: Device) -> Result<Plan> {
    // A broken preset does not hide the mistakes of the rest (its other
    // presets' and the device's features): its own come first.
    let (preset, preset_mistakes) = match &device.preset {
        Some(p) => crate::preset::assignments_and_mistakes(root, &p.name, p.location.clone(), "device.preset"),
        None => (Vec::new(), Vec::new()),
    };
    // The board's values first: the preset and then the device override them.
    // The drivers' symbols come last, so that `resolve_with` keeps them too.
    let preset: Vec<_> = device.board.features.iter().cloned().chain(preset).chain(crate::peripherals::assignments(&device)).collect();
    let mut assignments = preset.clone();
    assignments.extend(device.features.iter().cloned());

    let mut components = Vec::new();
    let mut kconfigs = Vec::new();
    for name in component_names(&device) {
        let dir = root.components().join(&name);
        let manifest = dir.join("Cargo.toml");
        if !manifest.is_file() {
            // Only the board's console driver is named by a file: the others are bluegen's own.
            let driver_at = device.board.console.as_ref().filter(|c| c.driver == name).and_then(|c| c.driver_at.clone());
            let drivers: Vec<String> = Root::data_dirs(&root.components())
                .into_iter()
                .filter(|c| !c.starts_with("arch-") && !["config", "kernel", "heap", "fs", "models", "libc", "posix", "sifive-test"].contains(&c.as_str()))
                .collect();
            return Err(Diagnostic::error(format!("board {} needs component `{name}`, which does not exist", device.board.name))
                .at(driver_at)
                .key(if device.board.console.as_ref().is_some_and(|c| c.driver == name) { "console.driver" } else { "component" })
                .value(format!("{name:?}"))
                .why(format!("there is no {}", manifest.display()))
                .note(format!("named by {}", device.board.path.display()))
                .suggest(&name, drivers.iter().map(String::as_str), format!("a console driver is a directory of components/: {}", drivers.join(", ")))
                .into());
        }
        let source = Source::read(&manifest)?;
        let table = toml::from_str::<toml::Table>(&source.text).ok();
        let package = table
            .as_ref()
            .and_then(|t| t.get("package")?.get("name")?.as_str().map(str::to_string))
            .ok_or_else(|| Error::msg(format!("{} has no package.name", manifest.display())))?;
        let follows = feature_rules(table.as_ref());
        let kconfig = dir.join("Kconfig");
        if kconfig.is_file() {
            kconfigs.push(ComponentKconfig { component: name.clone(), path: kconfig });
        }
        components.push(Component { name, package, dir, features: Vec::new(), follows });
    }

    let tree = kconfig::load(&kconfigs)?;
    let (config, settle_mistakes) = settle(&tree, &device, &mut assignments).map_err(|mut e| {
        e.diagnostics.splice(0..0, preset_mistakes.iter().cloned());
        e
    })?;

    for c in &mut components {
        c.features = c.features_under(&config);
    }
    let mut config = config;
    config.warnings.extend(device.warnings.iter().cloned());
    let stack_size = boot_stack_size(&device, &config);
    let mut errors = preset_mistakes;
    errors.extend(settle_mistakes);
    errors.extend(checks(&device, &components, &config, &assignments, stack_size));
    Error::check(errors)?;
    Ok(Plan { device, components, config, stack_size, tree, preset })
}

/// What [`resolve`] checks of a settled configuration: what the kernel,
/// the target and the app can hold (also of each `size --feature-cost`
/// variant, through [`Plan::with_config`]).
fn checks(device: &Device, components: &[Component], config: &Config, assignments: &[kconfig::Assignment], stack_size: u64) -> Vec<Diagnostic> {
    let mut errors = priorities(device, config);
    errors.extend(suspended_without_suspend(device, config));
    errors.extend(crate::peripherals::needs(device, config));
    errors.extend(crate::peripherals::fs_disk_problems(device, config, assignments));
    errors.extend(crate::peripherals::undeclared(device));
    errors.extend(app_package(device, components));
    errors.extend(crate_name(device, components));
    errors.extend(budget_names(device, components));
    errors.extend(crate::isolation::problems(device, config, assignments));
    errors.extend(crate::limits::check(device, config, assignments, stack_size));
    errors.extend(crate::feature_use::check(device, components, config, assignments));
    errors.extend(crate::feature_use::irq::check(device));
    errors
}

/// A component's cargo features that follow Kconfig symbols of other
/// components: its Cargo.toml's `[package.metadata.bluegen.features]`,
/// `feature = ["SYMBOL", …]`, on when every listed symbol is y (and
/// every `"!SYMBOL"` is not).
fn feature_rules(manifest: Option<&toml::Table>) -> Vec<(String, Vec<String>)> {
    let table = manifest.and_then(|m| m.get("package")?.get("metadata")?.get("bluegen")?.get("features")?.as_table().cloned());
    table
        .into_iter()
        .flatten()
        .map(|(feature, symbols)| (feature, symbols.as_array().into_iter().flatten().filter_map(|s| s.as_str().map(str::to_string)).collect()))
        .collect()
}

/// The cargo features of component `name` in the image, from the one
/// resolved configuration: each bool symbol of its own Kconfig that is y
/// (by its kebab-case name), and each feature its rules tie to symbols of
/// other components that are y. This is the only way a Kconfig bool
/// reaches code; `bluegen_config` carries values only.
pub fn features(config: &Config, name: &str, rules: &[(String, Vec<String>)]) -> Vec<String> {
    let mut on = config.features_of(name);
    let y = |symbol: &str| config.get(symbol).and_then(|s| s.value.clone()) == Some(kconfig::Value::Bool(true));
    let holds = |rule: &str| rule.strip_prefix('!').map_or_else(|| y(rule), |symbol| !y(symbol));
    for (feature, symbols) in rules {
        if !symbols.is_empty() && symbols.iter().all(|s| holds(s)) && !on.contains(feature) {
            on.push(feature.clone());
        }
    }
    on
}

/// Bytes of the boot stack: `boot-stack-size`. Without `threads`, the
/// threads run one after another on it, so it is at least the largest
/// thread stack; with `threads` each has a stack of its own and the boot
/// stack only runs the start-up and interrupt handlers.
fn boot_stack_size(device: &Device, config: &Config) -> u64 {
    let boot_stack = match config.get("BOOT_STACK_SIZE").and_then(|s| s.value.clone()) {
        Some(kconfig::Value::Int(n)) => n.max(0) as u64,
        _ => 0,
    };
    let threads_on = config.get("THREADS").and_then(|s| s.value.clone()) == Some(kconfig::Value::Bool(true));
    let on_boot_stack = if threads_on { 0 } else { device.threads.iter().map(|t| u64::from(t.stack)).max().unwrap_or(0) };
    boot_stack.max(on_boot_stack).next_multiple_of(8)
}

/// Loads, validates and resolves in one: every diagnostic of all three —
/// device.toml's syntax and shape, its values, its features and the
/// limits — in line order, or the plan.
pub fn resolve_loaded(root: &Root, loaded: &crate::load::Loaded) -> Result<Plan> {
    let (device, mut found) = crate::validate::check(loaded);
    if let Some(device) = device {
        match resolve(root, device) {
            Ok(plan) if !found.iter().any(|d| d.severity == crate::diag::Severity::Error) => return Ok(plan),
            Ok(_) => {}
            // The device's own warnings travel with it: keep them once.
            Err(e) => {
                for d in e.diagnostics {
                    if !found.contains(&d) {
                        found.push(d);
                    }
                }
            }
        }
    }
    crate::diag::in_line_order(&mut found, &loaded.source.path);
    Err(Error { diagnostics: found })
}

/// Thread priorities must lie below the kernel's `PRIORITIES` (1 is the
/// lowest; 0 is the idle thread's). Every offending thread is reported.
fn priorities(device: &Device, config: &Config) -> Vec<Diagnostic> {
    let Some(kconfig::Value::Int(levels)) = config.get("PRIORITIES").and_then(|s| s.value.clone()) else {
        return Vec::new();
    };
    device
        .threads
        .iter()
        .filter(|t| i64::from(t.priority) >= levels)
        .map(|t| {
            Diagnostic::error(format!("invalid value for `threads.{}.priority`", t.name))
                .at(t.priority_at.clone())
                .key(format!("threads.{}.priority", t.name))
                .value(t.priority.to_string())
                .why(format!("the kernel has {levels} priority levels (`priorities = {levels}`): thread priorities go from 1 to {}", levels - 1))
                .hint(format!("lower the priority, or raise the levels: [features] priorities = {}", (i64::from(t.priority) + 1).min(32)))
        })
        .collect()
}

/// A bool symbol that bluegen sets from device.toml and nothing else may
/// set: the libc component's `LIBC` (from `[c]`), and the kernel's
/// `INTERRUPTS` (the image then has the interrupt table and the
/// blocking-call guard; a `true` without interrupts would ask for a table
/// the image does not have, a `false` with them would drop the guard) and
/// `ROUND_ROBIN` (a `false` with threads that share a priority
/// would drop their round robin; a `true` without them would only cost).
struct Derived {
    /// Its key in `[features]`.
    key: &'static str,
    /// What sets it, for `bluegen config`.
    origin: &'static str,
    why: &'static str,
    hint: &'static str,
    /// Whether device.toml asks for it, and where.
    on: fn(&Device) -> Option<Option<crate::diag::Location>>,
}

const DERIVED: [Derived; 5] = [
    Derived {
        key: "interrupts",
        origin: "[interrupts]",
        why: "the kernel's INTERRUPTS is on exactly when device.toml declares [interrupts.<name>]: it builds their table and dispatch, and the guard against blocking calls in handlers",
        hint: "remove this line; declare an [interrupts.<name>] table to turn interrupts on",
        on: |d| d.interrupts.first().map(|i| i.at.clone()),
    },
    Derived {
        key: "round-robin",
        origin: "[threads] sharing a priority",
        why: "the kernel's ROUND_ROBIN is on exactly when two threads share a priority (two [threads.<name>] with the same `priority`, or `spawn` or `priority-change`, which can make them meet at run time): its pick then takes turns among equals",
        hint: "remove this line; give two threads the same priority to have them take turns",
        on: shared_priority,
    },
    Derived {
        key: "libc",
        origin: "[c]",
        why: "the libc component's LIBC is on exactly when device.toml has a [c] table: it links picolibc and its glue for the C sources",
        hint: "remove this line; a [c] table with C sources turns the C library on",
        on: |d| d.c.as_ref().map(|c| c.at.clone()),
    },
    Derived {
        key: "c-drivers",
        origin: "[drivers.<name>] with C sources",
        why: "the libc component's C_DRIVERS is on exactly when device.toml has a driver written in C: it links each driver's archive and turns on the kernel services for C",
        hint: "remove this line; a [drivers.<name>] table with `sources` is a C driver",
        on: |d| d.c_drivers.first().map(|c| c.at.clone()),
    },
    Derived {
        key: "models",
        origin: "[models.<name>]",
        why: "the models component's MODELS is on exactly when device.toml declares a [models.<name>] table: it compiles each model and links its engine",
        hint: "remove this line; declare a [models.<name>] table to carry a model",
        on: |d| d.models.first().map(|m| m.at.clone()),
    },
];

/// The priority of the second of two device threads that share one, if
/// two do.
fn shared_priority(device: &Device) -> Option<Option<crate::diag::Location>> {
    let threads = &device.threads;
    let second = threads.iter().enumerate().find(|(i, t)| threads[..*i].iter().any(|u| u.priority == t.priority))?.1;
    Some(second.priority_at.clone().or_else(|| second.at.clone()))
}

/// The [`DERIVED`] symbols follow device.toml: each is set when the device
/// asks for it, and a device's own value of one is an error.
fn derived_symbols(device: &Device, assignments: &mut Vec<kconfig::Assignment>) -> Vec<Diagnostic> {
    let mut errors = Vec::new();
    assignments.retain(|a| {
        let Some(d) = DERIVED.iter().find(|d| d.key == a.key) else { return true };
        // Bluegen's own from an earlier settling: pushed again below.
        if matches!(a.origin, kconfig::Origin::Derived(_)) {
            return false;
        }
        errors.push(
            Diagnostic::error(format!("`{}` is set by bluegen, not by a device", d.key))
                .at(a.location.clone())
                .key(format!("features.{}", d.key))
                .value(a.value.to_string())
                .why(d.why)
                .hint(d.hint),
        );
        false
    });
    for d in &DERIVED {
        if let Some(at) = (d.on)(device) {
            assignments.push(kconfig::Assignment { key: d.key.into(), value: toml::Value::Boolean(true), origin: kconfig::Origin::Derived(d.origin.into()), location: at });
        }
    }
    errors
}

/// Interrupts need `THREADS`: RISC-V takes them in the context switch's
/// trap, and on both archs `pend_irq`, the switch on a handler's return and
/// the blocking-call guard are the arch's context-switch code.
fn interrupts_without_threads(device: &Device, config: &Config) -> Option<Diagnostic> {
    let first = device.interrupts.first()?;
    if config.get("THREADS").and_then(|s| s.value.clone()) == Some(kconfig::Value::Bool(true)) {
        return None;
    }
    let why = match device.board.arch {
        crate::board::Arch::Riscv => "a RISC-V image takes its interrupts in the context switch's trap (the PLIC's and the software interrupts share it with the kernel's switch), and `threads` is off",
        crate::board::Arch::Aarch64 => "an AArch64 image takes its interrupts in the context switch's IRQ entry (the GIC's and the software interrupts share it with the kernel's tick and switch), and `threads` is off",
        crate::board::Arch::CortexM => "what a handler and the threads it wakes use (`pend_irq`, the switch on a handler's return, the blocking-call guard) is the arch's context-switch code, which only `threads` builds, and `threads` is off",
    };
    Some(
        Diagnostic::error("interrupts need the kernel's threads")
            .at(first.at.clone())
            .key(format!("interrupts.{}", first.name))
            .why(why)
            .hint("set features.threads = true in device.toml"),
    )
}

/// `start = false` needs the kernel's `SUSPEND` (and so `THREADS`): a
/// thread that starts suspended must be resumable, and without threads they
/// run one after another on the boot stack.
fn suspended_without_suspend(device: &Device, config: &Config) -> Vec<Diagnostic> {
    let on = |name: &str| matches!(config.get(name).and_then(|s| s.value.clone()), Some(kconfig::Value::Bool(true)));
    if on("SUSPEND") {
        return Vec::new();
    }
    let (why, set) = if on("THREADS") {
        ("a thread that starts suspended needs the kernel's suspend and resume (`suspend`), which is off", "set features.suspend = true in device.toml")
    } else {
        (
            "a thread that starts suspended needs the scheduler, and `threads` is off: threads run one after another, and nothing could resume it",
            "set features.threads = true and features.suspend = true in device.toml",
        )
    };
    device
        .threads
        .iter()
        .filter(|t| !t.start)
        .map(|t| {
            Diagnostic::error(format!("invalid value for `threads.{}.start`", t.name))
                .at(t.start_at.clone())
                .key(format!("threads.{}.start", t.name))
                .value("false")
                .why(why)
                .hint(format!("{set}, or remove `start = false`"))
        })
        .collect()
}

/// The app's package name must differ from every other package of the image
/// crate's build (cargo refuses two packages of one name in a lockfile).
fn app_package(device: &Device, components: &[Component]) -> Option<Diagnostic> {
    let app = &device.app;
    let image = format!("{}-image", device.crate_name());
    let clash = if app.package == image {
        format!("the image crate bluegen generates for device `{}` is `{image}`", device.name)
    } else {
        let c = components.iter().find(|c| c.package == app.package)?;
        format!("`{}` is bluegen's component crate components/{}, which the image links too", c.package, c.name)
    };
    Some(
        Diagnostic::error(format!("the app crate's package name `{}` clashes with another crate of the image", app.package))
            .at(app.package_at.clone().or_else(|| Some(crate::diag::Location::at(app.dir.join("Cargo.toml"), 1, 1))))
            .key("package.name")
            .value(format!("\"{}\"", app.package))
            .why(format!("{clash}; cargo cannot build two packages of one name"))
            .hint(format!("rename the app's package, e.g. \"{}-app\"", device.name)),
    )
}

/// `[budget.components]` names what the size report can show: a component
/// of the image, `app`, `image`, the Rust library crates or one of the
/// app's dependencies; anything else would only fail after compiling.
fn budget_names(device: &Device, components: &[Component]) -> Vec<Diagnostic> {
    let mut known: Vec<String> = components.iter().map(|c| c.name.clone()).collect();
    known.extend(["app", "image", "core", "alloc", "compiler_builtins"].map(String::from));
    // The C library a component's crates.io dependency compiles (its own row).
    if components.iter().any(|c| c.name == "fs" && c.features.iter().any(|f| f == "fs")) {
        known.push("littlefs".into());
    }
    // The app's dependencies, except the components it uses (shown under
    // their component names).
    known.extend(device.app.dependencies.iter().filter(|d| !components.iter().any(|c| &c.ident() == *d)).cloned());
    device
        .budget
        .components
        .iter()
        .filter(|(name, _)| !known.contains(name))
        .map(|(name, limit)| {
            Diagnostic::error(format!("the budget names component `{name}`, which this image does not contain"))
                .at(limit.location.clone())
                .key(format!("budget.components.{name}"))
                .why(format!("the image's components are {}", known.join(", ")))
                .suggest(name, known.iter().map(String::as_str), "name one of the image's components, or remove this line")
        })
        .collect()
}

/// The image's binary crate is named after the device; it must not share
/// its crate name with a component or the app, or the size report (which
/// tells crates apart by name) would count one's code as the other's.
fn crate_name(device: &Device, components: &[Component]) -> Option<Diagnostic> {
    let ident = device.crate_name();
    let other = match components.iter().find(|c| c.ident() == ident) {
        Some(c) => format!("bluegen's component crate components/{} (`{}`)", c.name, c.package),
        None if device.app.package.replace('-', "_") == ident => format!("the app crate (`{}`)", device.app.package),
        None => return None,
    };
    Some(
        Diagnostic::error(format!("the device name `{}` is the crate name of another crate of the image", device.name))
            .at(device.name_at.clone())
            .key("device.name")
            .value(format!("\"{}\"", device.name))
            .why(format!("the image's binary crate is `{ident}`, and so is {other}: the size report could not tell their code apart"))
            .hint(format!("rename the device, e.g. \"{}-device\"", device.name)),
    )
}
