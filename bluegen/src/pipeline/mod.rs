//! Pipeline: device.toml → plan → rendered image crate → built image.
//!
//! The stages live in their own modules ([`crate::load`], [`crate::validate`],
//! [`crate::resolve`], [`crate::render`], [`crate::build`], [`crate::report`]);
//! this module strings them together, so that every subcommand calls the same
//! sequence and no subcommand imports another.

pub mod feature_cost;

use std::path::{Path, PathBuf};

use crate::build::Artifacts;
use crate::diag::{Diagnostic, Error, Result};
use crate::report::{Footprint, RegionUse, footprint};
use crate::resolve::Plan;
use crate::root::Root;
use crate::size::{ComponentMap, SizeReport, attribute};

/// A built image: its plan, files and footprint.
pub struct Built {
    pub plan: Plan,
    pub artifacts: Artifacts,
    pub footprint: Footprint,
}

/// The device.toml that `path` means: the file itself, or `<dir>/device.toml`.
pub fn manifest_path(path: Option<&Path>) -> Result<PathBuf> {
    let path = path.unwrap_or(Path::new("."));
    let manifest = match path.is_dir() {
        true if path == Path::new(".") => PathBuf::from("device.toml"),
        true => path.join("device.toml"),
        false => path.to_path_buf(),
    };
    if !manifest.is_file() {
        let shown = match path.is_dir() {
            // `.` alone says little: name the directory too.
            true if path == Path::new(".") => format!("in the current directory (`{}`)", std::env::current_dir().map_or_else(|_| ".".into(), |d| d.display().to_string())),
            true => format!("in `{}`", path.display()),
            false => format!("at `{}`", manifest.display()),
        };
        return Err(Diagnostic::error(format!("no device.toml {shown}"))
            .why(if path.is_dir() { "the directory holds no device.toml" } else if manifest.exists() { "it is not a regular file" } else { "the file does not exist" })
            .hint("pass a device project directory or its device.toml; `bluegen new <DIR> --board <BOARD>` creates one")
            .into());
    }
    // Kept as the user wrote it, so messages show the path they typed.
    Ok(manifest)
}

/// Load, validate and resolve: everything short of compiling.
pub fn plan(path: Option<&Path>, board: Option<&str>) -> Result<(Root, Plan)> {
    let root = Root::discover()?;
    let manifest = manifest_path(path)?;
    let loaded = crate::load::load(&root, &manifest, board)?;
    let plan = crate::resolve::resolve_loaded(&root, &loaded)?;
    Ok((root, plan))
}

/// Prints the plan's warnings (a chip of another vendor, an app whose
/// sources bluegen could not read, ...) on stderr; `check` and every build
/// show the same ones.
pub fn report_warnings(plan: &Plan) {
    let warnings: Vec<_> = plan.config.warnings.iter().filter(|d| d.severity == crate::diag::Severity::Warning).cloned().collect();
    if !warnings.is_empty() {
        crate::cli::report(&Error { diagnostics: warnings });
    }
}

/// The whole build pipeline for one device.
pub fn build_device(path: Option<&Path>, board: Option<&str>) -> Result<Built> {
    build_device_with(path, board, &crate::build::Options::default())
}

/// [`build_device`] with build [`Options`](crate::build::Options).
pub fn build_device_with(path: Option<&Path>, board: Option<&str>, options: &crate::build::Options<'_>) -> Result<Built> {
    let (root, plan) = plan(path, board)?;
    build_plan(&root, plan, options)
}

/// Render, build and measure a plan; its budget checked.
pub fn build_plan(root: &Root, plan: Plan, options: &crate::build::Options<'_>) -> Result<Built> {
    report_warnings(&plan);
    let rendered = crate::render::render(root, &plan)?;
    let artifacts = crate::build::build_in(&plan, &rendered.dir, options)?;
    let footprint = footprint(&artifacts.elf, plan.device.flash, plan.device.ram)?;
    // What menuconfig's estimate starts from.
    let measured = crate::menuconfig::estimate::Measured {
        flash: footprint.flash_bytes(),
        ram: footprint.static_ram_bytes(),
        on: crate::menuconfig::estimate::features_on(&plan.config),
    };
    let json = serde_json::to_string_pretty(&measured).map_err(|e| Error::msg(e.to_string()))?;
    crate::files::write_if_changed(&rendered.dir.join(crate::menuconfig::estimate::FOOTPRINT_FILE), json.as_bytes())?;
    let budget = &plan.device.budget;
    if budget.flash.is_some() || budget.ram.is_some() || budget.model_flash.is_some() || budget.model_ram.is_some() || !budget.components.is_empty() {
        let map = component_map(&plan);
        let report = elf_report(&artifacts.elf, &map, footprint.regions.clone())?;
        crate::size::budget::check(&plan.device.name, budget, &report)?;
    }
    Ok(Built { plan, artifacts, footprint })
}

/// The size report of one ELF.
pub fn elf_report(elf: &Path, map: &ComponentMap, regions: Vec<RegionUse>) -> Result<SizeReport> {
    let data = std::fs::read(elf).map_err(|e| Error::io("read", elf, e))?;
    let attribution = attribute(&data).map_err(|why| {
        Error::new(Diagnostic::error(format!("cannot read `{}`", elf.display())).why(why).hint("pass an ELF file or a device project"))
    })?;
    // A C device's own objects, from the build of this ELF, before picolibc.
    let with_c;
    let map = match crate::size::archives::c_objects(elf, &map.image_package).filter(|_| !map.archives.is_empty()) {
        Some(objects) => {
            let (c, glue) = crate::size::archives::split_c_objects(&objects);
            let mut m = map.clone();
            m.c_objects = vec![("c".to_string(), c), ("libc".to_string(), glue)];
            // Each C driver's archive, built beside the app's: a row of its own.
            m.c_objects.extend(crate::size::archives::driver_objects(&objects, &map.c_drivers).into_iter().map(|(name, symbols)| (format!("driver:{name}"), symbols)));
            with_c = m;
            &with_c
        }
        None => map,
    };
    // The C libraries of crates.io crates (littlefs): rows of their own.
    let libraries = crate::size::archives::c_libraries(elf);
    let with_libraries;
    let map = if libraries.is_empty() {
        map
    } else {
        let mut m = map.clone();
        m.c_objects.extend(libraries);
        with_libraries = m;
        &with_libraries
    };
    let mut report = SizeReport::new(elf, &attribution, map, regions);
    if let Ok(file) = object::File::parse(&*data) {
        report.isolation = crate::report::isolation_areas(&file);
        if !map.models.is_empty() {
            crate::size::models::split_arenas(&mut report, &map.models);
            report.models = Some(crate::size::models::uses(&report, &map.models, &file));
        }
    }
    Ok(report)
}

/// Crate identifiers and source directories of a plan's components.
pub fn component_map(plan: &Plan) -> ComponentMap {
    let mut map = ComponentMap::default();
    // The image and the app define the `#[no_mangle]` hooks that components
    // only declare, so their sources are searched first.
    map.sources.push(("image".into(), plan.device.image_dir().join("src")));
    map.sources.push(("app".into(), plan.device.app.dir.join("src")));
    for c in &plan.components {
        map.crates.insert(c.ident(), c.name.clone());
        map.sources.push((c.name.clone(), c.dir.join("src")));
    }
    map.crates.insert(plan.device.app.package.replace('-', "_"), "app".into());
    // The port crate's `image!` and `arch!` define the contract's functions
    // in the crate that invokes them.
    if let Some(kernel) = plan.components.iter().find(|c| c.name == "kernel") {
        let contract = kernel.dir.with_file_name("port").join("src/contract.rs");
        let arch = plan.components.iter().find(|c| c.name.starts_with("arch-")).map(|c| c.name.clone());
        for (mac, name) in crate::size::report::macro_functions(&std::fs::read_to_string(contract).unwrap_or_default()) {
            let owner = match mac.as_str() {
                "image" => Some("image".to_string()),
                "arch" => arch.clone(),
                _ => None,
            };
            if let Some(owner) = owner {
                map.macro_defined.insert(name, owner);
            }
        }
        map.crates.insert("bluegen_port".into(), "port".into());
    }
    map.crates.insert(plan.device.crate_name(), "image".into());
    // The engine's crates are the models' (their code is there for them).
    if !plan.device.models.is_empty() {
        for engine in ["microflow", "nalgebra", "simba", "libm", "num_traits", "num_complex", "approx"] {
            map.crates.insert(engine.into(), "models".into());
        }
        map.models = plan
            .device
            .models
            .iter()
            .map(|m| crate::size::models::Declared { name: m.name.clone(), engine: m.engine.name().into(), thread: m.thread.clone(), arena: m.arena })
            .collect();
    }
    // Threads without a stack symbol of their own run on the boot stack.
    map.boot_stack_threads = plan.device.threads.iter().map(|t| t.name.clone()).collect();
    map.c_drivers = plan.device.c_drivers.iter().map(|d| d.name.clone()).collect();
    map.image_package = format!("{}-image", plan.device.crate_name());
    if let Some(c) = &plan.device.c {
        use crate::size::archives::symbols;
        map.archives.push(("picolibc".into(), symbols(&c.toolchain.libc_dir.join("libc.a"))));
        map.archives.push(("libgcc".into(), symbols(&c.toolchain.libgcc)));
    }
    map
}
