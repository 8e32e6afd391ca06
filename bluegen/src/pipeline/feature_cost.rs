//! `bluegen size --feature-cost`: what each enabled optional feature costs.
//!
//! For every bool symbol that is on and that the user could turn off, the
//! device is resolved again with `<feature> = false` (device values that then
//! lose their dependencies are dropped, as menuconfig would hide them),
//! rendered as a variant under `target/bluegen/variants/`, built, and
//! measured. The marginal cost is the full image minus the variant. A
//! variant the device cannot have (it fails a check of `bluegen check`: the
//! app uses what the feature builds, interrupts need threads) is not built:
//! its row says why; so is one whose C sources (`[c]`) do not compile
//! without the feature.

use std::io::Write;

use crate::diag::Result;
use crate::kconfig::{Assignment, Origin, SetBy, SymbolType, Value};
use crate::resolve::Plan;
use crate::root::Root;

/// One feature's marginal cost in bytes (negative when turning it off grows the image).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Cost {
    pub feature: String,
    pub flash: i64,
    pub ram: i64,
    /// Other device values dropped along with it.
    pub also_dropped: Vec<String>,
    /// Values kept on although only it turned them on (a C driver's
    /// `c-services`, which the app's C uses too).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub kept: Vec<String>,
    /// Why the device cannot have the feature off (nothing was built; flash
    /// and RAM are 0): the first error bluegen's checks give the variant,
    /// e.g. the app uses what the feature builds, or interrupts need threads.
    pub not_applicable: Option<String>,
}

/// Measures every optional enabled feature of `plan` (already built), or
/// only those of `only`.
pub fn costs(root: &Root, plan: &Plan, flash: u64, ram: u64, only: Option<&[String]>) -> Result<Vec<Cost>> {
    // Preset and device values alike may have to go with a feature.
    let mut base = plan.preset.clone();
    base.extend(plan.device.features.iter().cloned());
    let mut out = Vec::new();
    // A symbol without a prompt (such as `interrupts`, which bluegen sets)
    // is not the device's to turn off.
    let candidates = plan.config.symbols.iter().filter(|s| {
        s.ty == SymbolType::Bool
            && s.value == Some(Value::Bool(true))
            && s.prompt.is_some()
            && !matches!(s.set_by, SetBy::Select(_))
            && only.is_none_or(|o| o.contains(&s.key))
    });
    for symbol in candidates {
        let mut assignments: Vec<Assignment> = base.iter().filter(|a| a.key != symbol.key).cloned().collect();
        assignments.push(Assignment {
            key: symbol.key.clone(),
            value: toml::Value::Boolean(false),
            origin: Origin::User,
            location: None,
        });
        let mut dropped = Vec::new();
        let source = without_keys_of(plan, &symbol.name, &mut dropped);
        let settled = loop {
            let mut settled_assignments = assignments.clone();
            match crate::resolve::settle(&source.tree, &source.device, &mut settled_assignments) {
                Ok((config, mistakes)) => break Some((config, mistakes, settled_assignments)),
                Err(err) => {
                    // Drop the device values the errors point at, then retry.
                    let before = assignments.len();
                    assignments.retain(|a| {
                        let named = err.diagnostics.iter().any(|d| d.message.contains(&format!("`{}`", a.key)));
                        if named && a.key != symbol.key {
                            dropped.push(a.key.clone());
                        }
                        !named || a.key == symbol.key
                    });
                    if assignments.len() == before {
                        break None;
                    }
                }
            }
        };
        let Some((config, mistakes, settled_assignments)) = settled else { continue };
        let variant = match crate::diag::Error::check(mistakes).map_err(|e| e.diagnostics).and_then(|_| source.with_config(config, &settled_assignments)) {
            Ok(variant) => variant,
            Err(errors) => {
                let why = errors.iter().find(|d| d.severity == crate::diag::Severity::Error).map_or_else(String::new, |d| d.message.clone());
                out.push(Cost { feature: symbol.key.clone(), flash: 0, ram: 0, also_dropped: dropped, kept: Vec::new(), not_applicable: Some(why) });
                continue;
            }
        };
        let mut variant = variant;
        variant.device.variant = Some(format!("without-{}", symbol.key));
        let rendered = crate::render::render(root, &variant)?;
        let target_dir = rendered.dir.join("target");
        let artifacts = match crate::build::build_in(&variant, &rendered.dir, &crate::build::Options { target_dir: Some(&target_dir), ..Default::default() }) {
            Ok(artifacts) => artifacts,
            // C sources that need the feature (a POSIX header, a call)
            // cannot build without it: bluegen's checks do not read C.
            Err(_) if variant.device.c.is_some() => {
                let why = format!("the device's C sources do not compile without `{}` (they use what it builds)", symbol.key);
                out.push(Cost { feature: symbol.key.clone(), flash: 0, ram: 0, also_dropped: dropped, kept: Vec::new(), not_applicable: Some(why) });
                continue;
            }
            // The app calls a component crate whose features the variant
            // turned off (the filesystem's API without `fs`): bluegen's
            // checks know only the kernel's gates.
            Err(_) if let Some(krate) = app_loses_features(plan, &variant) => {
                let why = format!("without `{}`, the app's calls into {krate} do not build", symbol.key);
                out.push(Cost { feature: symbol.key.clone(), flash: 0, ram: 0, also_dropped: dropped, kept: Vec::new(), not_applicable: Some(why) });
                continue;
            }
            Err(e) => return Err(e),
        };
        let fp = crate::report::footprint(&artifacts.elf, variant.device.flash, variant.device.ram)?;
        out.push(Cost {
            feature: symbol.key.clone(),
            flash: flash as i64 - fp.flash_bytes() as i64,
            ram: ram as i64 - fp.static_ram_bytes() as i64,
            also_dropped: dropped,
            kept: Vec::new(),
            not_applicable: None,
        });
    }
    Ok(out)
}

/// `plan` without the device keys that mean something only with Kconfig
/// symbol `name` on, each named in `dropped`: without `ISOLATION`, the
/// threads' `privileged`, `statics`, `regions` and `on-fault` and the
/// `[regions]` tables (the same threads, all privileged), as menuconfig
/// hides what loses its dependency.
fn without_keys_of(plan: &Plan, name: &str, dropped: &mut Vec<String>) -> Plan {
    let mut out = plan.clone();
    if name == "ISOLATION" {
        for t in &mut out.device.threads {
            dropped.extend(t.isolation.keys.iter().map(|(key, _)| key.clone()));
            t.isolation = Default::default();
        }
        dropped.extend(out.device.regions.iter().map(|r| format!("regions.{}", r.name)));
        out.device.regions.clear();
    }
    out
}

/// What each C driver of `plan` (already built: `flash` and `ram` bytes)
/// costs: the device is resolved again without its `[drivers.<name>]` (so
/// that what only C drivers need, such as the kernel services for C, goes
/// too when it was the last), rendered as variant `without-driver-<name>`,
/// built and measured; the row is `driver:<name>`. The rest of the device
/// still calls the driver (a binding crate, the app's C), so the variant
/// links with those calls unresolved: it is measured, never run. When the
/// app's C does not compile without the services the driver brought
/// (`c-services`), the variant keeps them, and the row says so. With
/// `only`, only the drivers it names (`driver:<name>`).
pub fn driver_costs(root: &Root, plan: &Plan, flash: u64, ram: u64, only: Option<&[String]>) -> Result<Vec<Cost>> {
    let mut out = Vec::new();
    for driver in &plan.device.c_drivers {
        let feature = format!("driver:{}", driver.name);
        if only.is_some_and(|o| !o.contains(&feature)) {
            continue;
        }
        let mut without = plan.clone();
        without.device.c_drivers.retain(|d| d.name != driver.name);
        // The C table that stood for the drivers alone (no sources of its own) goes with the last.
        if without.device.c_drivers.is_empty() && without.device.c.as_ref().is_some_and(|c| c.sources.is_empty()) {
            without.device.c = None;
        }
        without.device.variant = Some(format!("without-driver-{}", driver.name));
        without.device.measure_only = true;
        let mut kept = Vec::new();
        let keep = [Assignment { key: "c-services".into(), value: toml::Value::Boolean(true), origin: Origin::User, location: None }];
        let services_on = plan.config.get("C_SERVICES").is_some_and(on);
        let app_c = without.device.c.as_ref().filter(|c| !c.sources.is_empty());
        // The app's C that names the services' header keeps them (no failed build first).
        let keep_first = services_on && app_c.is_some_and(|c| names_services(&c.sources, &c.include));
        let mut measured = measure(root, plan, &without, if keep_first { &keep } else { &[] })?;
        if keep_first && measured.is_ok() {
            kept.push("c-services".to_string());
        }
        if let Err(Failure::Build(_)) = &measured
            && services_on
            && !keep_first
            && app_c.is_some()
            && let Ok(done) = measure(root, plan, &without, &keep)?
        {
            kept.push("c-services".to_string());
            measured = Ok(done);
        }
        let (variant, fp) = match measured {
            Ok(done) => done,
            Err(failure) => {
                let why = match failure {
                    Failure::Check(why) => why,
                    Failure::Build(why) => format!("the device does not build without it: {why}"),
                };
                out.push(Cost { feature, flash: 0, ram: 0, also_dropped: Vec::new(), kept, not_applicable: Some(why) });
                continue;
            }
        };
        // The symbols on only for C drivers (C_DRIVERS, the services it selects) that went with it.
        let dropped = plan
            .config
            .symbols
            .iter()
            .filter(|s| on(s) && matches!(s.component.as_str(), "libc") && !variant.config.get(&s.name).is_some_and(on))
            .map(|s| s.key.clone())
            .collect();
        out.push(Cost { feature, flash: flash as i64 - fp.flash_bytes() as i64, ram: ram as i64 - fp.static_ram_bytes() as i64, also_dropped: dropped, kept, not_applicable: None });
    }
    Ok(out)
}

/// Whether the C `sources`, or a header of the `include` directories,
/// names `<bluegen/driver.h>` (the kernel services for C).
fn names_services(sources: &[std::path::PathBuf], include: &[std::path::PathBuf]) -> bool {
    let headers = include.iter().filter_map(|d| std::fs::read_dir(d).ok()).flatten().flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "h"));
    sources.iter().cloned().chain(headers).any(|f| std::fs::read_to_string(f).is_ok_and(|t| t.contains("bluegen/driver.h")))
}

/// Why a variant was not measured: bluegen's checks refuse it, or it does
/// not build; each with the first error's message.
enum Failure {
    Check(String),
    Build(String),
}

/// `without` (a variant of `plan`'s device) resolved with the device's
/// values and `extra`, rendered, built and measured.
fn measure(root: &Root, plan: &Plan, without: &Plan, extra: &[Assignment]) -> Result<std::result::Result<(Plan, crate::report::Footprint), Failure>> {
    let mut assignments = plan.preset.clone();
    assignments.extend(plan.device.features.iter().cloned());
    assignments.extend(extra.iter().cloned());
    let settled = crate::resolve::settle(&plan.tree, &without.device, &mut assignments)
        .map_err(|e| e.diagnostics)
        .and_then(|(config, mistakes)| crate::diag::Error::check(mistakes).map_err(|e| e.diagnostics).map(|_| config))
        .and_then(|config| without.with_config(config, &assignments));
    let variant = match settled {
        Ok(variant) => variant,
        Err(errors) => return Ok(Err(Failure::Check(errors.iter().find(|d| d.severity == crate::diag::Severity::Error).map_or_else(String::new, |d| d.message.clone())))),
    };
    let rendered = crate::render::render(root, &variant)?;
    let target_dir = rendered.dir.join("target");
    let artifacts = match crate::build::build_in(&variant, &rendered.dir, &crate::build::Options { target_dir: Some(&target_dir), ..Default::default() }) {
        Ok(artifacts) => artifacts,
        Err(e) => return Ok(Err(Failure::Build(e.diagnostics.first().map_or_else(String::new, |d| d.message.clone())))),
    };
    let fp = crate::report::footprint(&artifacts.elf, variant.device.flash, variant.device.ram)?;
    Ok(Ok((variant, fp)))
}

/// A bool symbol that is on.
fn on(s: &crate::kconfig::Symbol) -> bool {
    s.value == Some(Value::Bool(true))
}

/// The cost table.
pub fn print(out: &mut impl Write, costs: &[Cost]) -> Result<()> {
    let io = crate::cli::stdout_failed;
    writeln!(out, "{:<28} {:>10} {:>10}  note", "feature", "flash", "ram").map_err(io)?;
    for c in costs {
        if let Some(why) = &c.not_applicable {
            writeln!(out, "{:<28} {:>10} {:>10}  not applicable: {why}", c.feature, "-", "-").map_err(io)?;
            continue;
        }
        let mut notes = Vec::new();
        if !c.also_dropped.is_empty() {
            notes.push(format!("also drops {}", c.also_dropped.join(", ")));
        }
        if !c.kept.is_empty() {
            notes.push(format!("keeps {} (the app's C uses it)", c.kept.join(", ")));
        }
        let note = notes.join("; ");
        writeln!(out, "{:<28} {:>+8} B {:>+8} B  {note}", c.feature, c.flash, c.ram).map_err(io)?;
    }
    if costs.is_empty() {
        writeln!(out, "(no optional feature is enabled)").map_err(io)?;
    }
    Ok(())
}

/// The component crates the app depends on whose cargo features `variant`
/// has fewer of than `plan` (`bluegen_kernel`, `bluegen_fs`), or none.
fn app_loses_features(plan: &Plan, variant: &Plan) -> Option<String> {
    let lost: Vec<String> = plan
        .components
        .iter()
        .filter(|c| {
            let after = variant.components.iter().find(|v| v.name == c.name);
            after.is_some_and(|after| c.features.iter().any(|f| !after.features.contains(f))) && plan.device.app.dependencies.contains(&c.ident())
        })
        .map(|c| format!("`{}`", c.ident()))
        .collect();
    (!lost.is_empty()).then(|| lost.join(" and "))
}
