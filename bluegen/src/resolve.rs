//! Resolve: pick the image's components and settle its whole configuration.
//!
//! The board decides which components an image needs (kernel, config, the
//! arch's startup, its console and exit drivers). Their Kconfig files are
//! parsed and the board's, the preset's, then the device's, `[features]` are applied. The
//! result, a [`Plan`], is everything [`crate::render`] needs; nothing is
//! compiled before it exists.

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
    /// Cargo features to enable: its bool Kconfig symbols that are y.
    pub features: Vec<String>,
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
    pub fn resolve_with(&self, features: &[kconfig::Assignment]) -> Result<Config> {
        let mut all = self.preset.clone();
        all.extend(features.iter().cloned());
        kconfig::resolve(&self.tree, &all)
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
    names
}

/// Resolves a validated device into a build plan.
pub fn resolve(root: &Root, device: Device) -> Result<Plan> {
    let preset = match &device.preset {
        Some(p) => crate::preset::assignments(root, &p.name, p.location.clone())?,
        None => Vec::new(),
    };
    // The board's values first: the preset and then the device override them.
    let preset: Vec<_> = device.board.features.iter().cloned().chain(preset).collect();
    let mut assignments = preset.clone();
    assignments.extend(device.features.iter().cloned());

    let mut components = Vec::new();
    let mut kconfigs = Vec::new();
    for name in component_names(&device) {
        let dir = root.components().join(&name);
        let manifest = dir.join("Cargo.toml");
        if !manifest.is_file() {
            return Err(Diagnostic::error(format!("board {} needs component `{name}`, which does not exist", device.board.name))
                .key("component")
                .value(name.clone())
                .why(format!("there is no {}", manifest.display()))
                .note(format!("named by {}", device.board.path.display()))
                .into());
        }
        let source = Source::read(&manifest)?;
        let package = toml::from_str::<toml::Table>(&source.text)
            .ok()
            .and_then(|t| t.get("package")?.get("name")?.as_str().map(str::to_string))
            .ok_or_else(|| Error::msg(format!("{} has no package.name", manifest.display())))?;
        let kconfig = dir.join("Kconfig");
        if kconfig.is_file() {
            kconfigs.push(ComponentKconfig { component: name.clone(), path: kconfig });
        }
        components.push(Component { name, package, dir, features: Vec::new() });
    }

    let tree = kconfig::load(&kconfigs)?;
    let config = kconfig::resolve(&tree, &assignments)?;

    for c in &mut components {
        c.features = config.features_of(&c.name);
    }
    check_priorities(&device, &config)?;
    let boot_stack = match config.get("BOOT_STACK_SIZE").and_then(|s| s.value.clone()) {
        Some(kconfig::Value::Int(n)) => n.max(0) as u64,
        _ => 0,
    };
    let largest_thread = device.threads.iter().map(|t| u64::from(t.stack)).max().unwrap_or(0);
    let stack_size = boot_stack.max(largest_thread).next_multiple_of(8);
    Ok(Plan { device, components, config, stack_size, tree, preset })
}

/// Thread priorities must lie below the kernel's `PRIORITIES` (1 is the
/// lowest; 0 is the idle thread's). Every offending thread is reported.
fn check_priorities(device: &Device, config: &Config) -> Result<()> {
    let Some(kconfig::Value::Int(levels)) = config.get("PRIORITIES").and_then(|s| s.value.clone()) else {
        return Ok(());
    };
    let errors: Vec<Diagnostic> = device
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
        .collect();
    Error::check(errors).map(|_| ())
}
