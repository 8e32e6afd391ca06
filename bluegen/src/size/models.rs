//! Models: each model's weights, code and arena, and the image split into kernel, model and app.
//!
//! A model's weights are its flash section `.model.<name>`; its code is
//! the `models` component's rows under `<name>::` (the engine's shared
//! code, microflow's and nalgebra's functions that were not inlined, is a
//! row of its own); its arena is what bluegen added to its thread's stack.
//! The split gives every byte of the image to one of three: the models
//! (the `models` component and the arenas), the app (its component and
//! its threads' stacks, less the arenas) and the kernel (everything else:
//! kernel, arch, drivers, the compiler's builtins, the boot and idle
//! stacks). The headroom is what the memory regions have left.

use std::io::Write;

use object::{Object, ObjectSection};
use serde::{Deserialize, Serialize};

use super::report::SizeReport;

/// What the size report knows of a device's model before reading the ELF.
#[derive(Debug, Clone, Default)]
pub struct Declared {
    pub name: String,
    pub engine: String,
    pub thread: String,
    pub arena: u64,
}

/// One model's share of the image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelUse {
    pub name: String,
    pub engine: String,
    pub thread: String,
    /// Bytes of its section `.model.<name>`.
    pub weights: u64,
    /// Flash bytes of its own code (and any data of it outside the section).
    pub code: u64,
    /// RAM bytes of its arena, on its thread's stack.
    pub arena: u64,
}

/// Flash and RAM of one part of the image.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Share {
    pub flash: u64,
    pub ram: u64,
}

/// The models, the three-way split and the headroom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelsUse {
    pub models: Vec<ModelUse>,
    /// The engine's code shared by the models.
    pub engine_code: u64,
    pub kernel: Share,
    pub model: Share,
    pub app: Share,
    /// Bytes the flash and RAM regions have left.
    pub headroom: Share,
    /// The regions' sizes.
    pub size: Share,
}

/// Moves the arena out of each model thread's stack row into the `models`
/// component (a symbol `arena (on thread `<t>`'s stack)` under the model
/// with the largest one: a thread runs one model at a time, and bluegen
/// added the largest of its models' arenas), so that the tree and the
/// treemap show it as the models'. Totals are unchanged.
pub fn split_arenas(report: &mut SizeReport, declared: &[Declared]) {
    use super::attribute::Classes;
    use super::report::{ComponentRow, ModuleRow, SymbolRow};
    let mut threads: Vec<&str> = declared.iter().map(|d| d.thread.as_str()).collect();
    threads.sort_unstable();
    threads.dedup();
    for thread in threads {
        let Some(d) = declared.iter().filter(|d| d.thread == thread).max_by_key(|d| d.arena) else { continue };
        let sharing: Vec<&str> = declared.iter().filter(|d| d.thread == thread).map(|d| d.name.as_str()).collect();
        let row = format!("stack of thread `{thread}`");
        let Some(stacks) = report.components.iter_mut().find(|c| c.name == super::report::STACKS) else { return };
        let Some((module, symbol)) = stacks.modules.iter_mut().find_map(|m| {
            let i = m.symbols.iter().position(|s| s.name == row && s.size >= d.arena)?;
            Some((m, i))
        }) else {
            continue;
        };
        let address = module.symbols[symbol].address;
        module.symbols[symbol].size -= d.arena;
        module.size.bss -= d.arena;
        stacks.size.bss -= d.arena;
        let models = match report.components.iter().position(|c| c.name == "models") {
            Some(i) => &mut report.components[i],
            None => {
                report.components.push(ComponentRow { name: "models".into(), size: Classes::default(), modules: Vec::new() });
                report.components.last_mut().expect("just pushed")
            }
        };
        models.size.bss += d.arena;
        let module = match models.modules.iter().position(|m| m.name == d.name) {
            Some(i) => &mut models.modules[i],
            None => {
                models.modules.push(ModuleRow { name: d.name.clone(), size: Classes::default(), symbols: Vec::new() });
                models.modules.last_mut().expect("just pushed")
            }
        };
        module.size.bss += d.arena;
        let name = match sharing.as_slice() {
            [_] => format!("arena (on thread `{thread}`'s stack)"),
            many => format!("arena of {} (on thread `{thread}`'s stack)", many.join(", ")),
        };
        module.symbols.push(SymbolRow { name, class: "bss".into(), size: d.arena, address, aliases: Vec::new() });
    }
    report.components.sort_by(|a, b| b.size.sum().cmp(&a.size.sum()).then(a.name.cmp(&b.name)));
}

/// The models' use of the image `report` describes (`file` is its ELF),
/// after [`split_arenas`].
pub fn uses(report: &SizeReport, declared: &[Declared], file: &object::File) -> ModelsUse {
    let region = |name: &str| report.regions.iter().find(|r| r.name == name);
    let component = |name: &str| report.components.iter().find(|c| c.name == name);
    let models_row = component("models");
    let mut models = Vec::new();
    let mut own = 0;
    for d in declared {
        let weights = file.section_by_name(&format!(".model.{}", d.name)).map_or(0, |s| s.size());
        let prefix = format!("{}::", d.name);
        let all: u64 = models_row.map_or(0, |c| c.modules.iter().filter(|m| m.name == d.name || m.name.starts_with(&prefix)).map(|m| m.size.flash()).sum());
        own += all;
        models.push(ModelUse { name: d.name.clone(), engine: d.engine.clone(), thread: d.thread.clone(), weights, code: all.saturating_sub(weights), arena: d.arena });
    }
    let models_flash = models_row.map_or(0, |c| c.size.flash());
    let model = Share { flash: models_flash, ram: models_row.map_or(0, |c| c.size.ram()) };
    let stacks: u64 = component(super::report::STACKS).map_or(0, |c| {
        c.modules
            .iter()
            .flat_map(|m| &m.symbols)
            .filter(|s| s.name.starts_with("stack of thread `") && !s.name.ends_with("(the boot stack)"))
            .map(|s| s.size)
            .sum()
    });
    let app_row = component("app");
    let app = Share { flash: app_row.map_or(0, |c| c.size.flash()), ram: app_row.map_or(0, |c| c.size.ram()) + stacks };
    let (flash_used, ram_used) = (region("flash").map_or(0, |r| r.used), region("ram").map_or(0, |r| r.used));
    let kernel = Share { flash: flash_used.saturating_sub(model.flash + app.flash), ram: ram_used.saturating_sub(model.ram + app.ram) };
    let size = Share { flash: region("flash").map_or(0, |r| r.size), ram: region("ram").map_or(0, |r| r.size) };
    ModelsUse {
        models,
        engine_code: models_flash.saturating_sub(own),
        kernel,
        model,
        app,
        headroom: Share { flash: size.flash.saturating_sub(flash_used), ram: size.ram.saturating_sub(ram_used) },
        size,
    }
}

fn pct(part: u64, whole: u64) -> f64 {
    if whole == 0 { 0.0 } else { part as f64 * 100.0 / whole as f64 }
}

/// The models table, the split and the headroom.
pub fn print(out: &mut impl Write, m: &ModelsUse) -> std::io::Result<()> {
    writeln!(out, "{:<14} {:<10} {:>10} {:>9} {:>9}  thread", "model", "engine", "weights", "code", "arena")?;
    for u in &m.models {
        writeln!(out, "{:<14} {:<10} {:>8} B {:>7} B {:>7} B  {}", u.name, u.engine, u.weights, u.code, u.arena, u.thread)?;
    }
    if m.engine_code > 0 {
        writeln!(out, "{:<14} {:<10} {:>10} {:>7} B", "(engine)", "", "", m.engine_code)?;
    }
    writeln!(out)?;
    let (flash, ram) = (m.kernel.flash + m.model.flash + m.app.flash, m.kernel.ram + m.model.ram + m.app.ram);
    writeln!(out, "{:<8} {:>10} {:>7} {:>9} {:>10} {:>7} {:>9}", "share", "flash", "image", "chip", "ram", "image", "chip")?;
    for (name, s) in [("kernel", m.kernel), ("model", m.model), ("app", m.app)] {
        writeln!(
            out,
            "{:<8} {:>8} B {:>6.1}% {:>8.2}% {:>8} B {:>6.1}% {:>8.2}%",
            name,
            s.flash,
            pct(s.flash, flash),
            pct(s.flash, m.size.flash),
            s.ram,
            pct(s.ram, ram),
            pct(s.ram, m.size.ram)
        )?;
    }
    writeln!(
        out,
        "{:<8} {:>8} B {:>7} {:>8.2}% {:>8} B {:>7} {:>8.2}%",
        "free",
        m.headroom.flash,
        "",
        pct(m.headroom.flash, m.size.flash),
        m.headroom.ram,
        "",
        pct(m.headroom.ram, m.size.ram)
    )?;
    writeln!(out, "(free: what flash and RAM have left for more model)")
}
