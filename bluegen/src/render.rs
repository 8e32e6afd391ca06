//! Render: the image crate from `kernel-templates/image/` with minijinja.
//!
//! Every `*.j2` file under the template directory renders to the same relative
//! path, without `.j2`, in the device's image directory. Undefined variables
//! are errors (strict mode), all failing templates are reported together, and
//! a file is written only when its content changed, so cargo rebuilds only
//! what a configuration change touched. Values reach the files escaped for
//! their language by construction: the environment refuses to print a string
//! that did not pass through one of [`crate::escape`]'s filters.

use std::path::{Path, PathBuf};

use minijinja::value::Serde;
use minijinja::{Environment, UndefinedBehavior, Value};
use serde::Serialize;

use crate::board::Exit;
use crate::diag::{Diagnostic, Error, Result};
use crate::files::write_if_changed;
use crate::resolve::Plan;
use crate::root::Root;

/// What was rendered, and where.
#[derive(Debug)]
pub struct Rendered {
    pub dir: PathBuf,
    /// Files whose content changed (and were written) this time.
    pub written: Vec<PathBuf>,
}

/// Renders the plan's image crate into `plan.device.image_dir()`.
pub fn render(root: &Root, plan: &Plan) -> Result<Rendered> {
    let template_dir = root.templates().join("image");
    let out_dir = plan.device.image_dir();
    let pin = crate::toolchain::Pin::of_root(root, &plan.device.board.target);
    let context = context(plan, &pin)?;

    let mut outputs = render_tree(&template_dir, &out_dir, &context)?;
    if let Some(list) = c_build_list(plan)? {
        outputs.push((out_dir.join("c-build.txt"), list));
    }
    let mut written = Vec::new();
    for (path, content) in outputs {
        if write_if_changed(&path, content.as_bytes())? {
            written.push(path);
        }
    }
    // The models last: their compiler crates run under the image's
    // rust-toolchain.toml and .cargo/config.toml, written above.
    if !plan.device.models.is_empty() {
        let models = out_dir.join("src").join("models.rs");
        if write_if_changed(&models, crate::ml::compile::models_rs(&plan.device.models, &out_dir)?.as_bytes())? {
            written.push(models);
        }
    }
    Ok(Rendered { dir: out_dir, written })
}

/// Renders every `*.j2` under `template_dir` with `context`; returns each
/// output path (under `out_dir`, `.j2` dropped) with its text. Every template
/// that fails is reported, not only the first.
pub fn render_tree(template_dir: &Path, out_dir: &Path, context: &Value) -> Result<Vec<(PathBuf, String)>> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    let syntax = minijinja::syntax::SyntaxConfig::builder().keep_trailing_newline(true).build();
    env.set_syntax(syntax.expect("the default delimiters are valid"));
    crate::escape::install(&mut env);

    let mut templates = Vec::new();
    collect_templates(template_dir, template_dir, &mut templates)?;
    if templates.is_empty() {
        return Err(Error::msg(format!("no templates (*.j2) in {}", template_dir.display())));
    }
    let mut errors = Vec::new();
    let mut outputs = Vec::new();
    for rel in &templates {
        let path = template_dir.join(rel);
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io("read", &path, e))?;
        match env.render_str(&text, context) {
            Ok(out) => outputs.push((out_dir.join(rel.with_extension("")), out)),
            Err(e) => errors.push(
                Diagnostic::error(format!("template {} failed to render", path.display()))
                    .why(e.to_string())
                    .note("this is a bug in bluegen's templates, not in your device"),
            ),
        }
    }
    Error::check(errors)?;
    Ok(outputs)
}

fn collect_templates(base: &Path, dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io("read directory", dir, e))?;
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        if path.is_dir() {
            collect_templates(base, &path, out)?;
        } else if path.extension().is_some_and(|e| e == "j2") {
            out.push(path.strip_prefix(base).unwrap_or(&path).to_path_buf());
        }
    }
    Ok(())
}

#[derive(Debug, Clone, Serialize)]
struct ComponentCtx {
    name: String,
    #[serde(rename = "crate")]
    package: String,
    ident: String,
    path: String,
    features: Vec<String>,
}

/// The template context; its shape is documented in kernel-templates/README.md.
pub fn context(plan: &Plan, pin: &crate::toolchain::Pin) -> Result<Value> {
    let device = &plan.device;
    let board = &device.board;
    let components: Vec<ComponentCtx> = plan
        .components
        .iter()
        .map(|c| {
            Ok(ComponentCtx {
                name: c.name.clone(),
                package: c.package.clone(),
                ident: c.ident(),
                path: utf8(&c.dir, "a component's directory")?,
                features: c.features.clone(),
            })
        })
        .collect::<Result<_>>()?;
    // Isolation: the RAM areas bluegen lays out (largest first) and, per
    // isolated thread, its rounded stack and its regions.
    let isolation_on = plan.config.get("ISOLATION").and_then(|s| s.value.clone()) == Some(crate::kconfig::Value::Bool(true));
    let areas = crate::isolation::layout(device, isolation_on);
    let region_ctx = |name: &String| {
        device.regions.iter().find(|r| &r.name == name).map(|r| {
            let access = match r.access {
                crate::isolation::Access::ReadWrite => "ReadWrite",
                crate::isolation::Access::ReadOnly => "ReadOnly",
            };
            match &r.place {
                crate::isolation::Place::Ram { .. } => minijinja::context! { name => &r.name, ram => true, access => access },
                crate::isolation::Place::Peripheral { base, size, .. } => minijinja::context! { name => &r.name, ram => false, base => base, end => base + size, access => access },
            }
        })
    };
    let threads: Vec<Value> = device
        .threads
        .iter()
        .enumerate()
        .map(|(index, t)| {
            let area = areas.iter().find(|a| a.thread && a.name == t.name);
            minijinja::context! {
                isolated => area.is_some(),
                stack_words => area.map_or(u64::from(t.stack) / 4, |a| a.stack_words()),
                on_fault => t.isolation.on_fault.variant(),
                regions => t.isolation.regions.iter().filter_map(region_ctx).collect::<Vec<_>>(),
                name => &t.name,
                index => index,
                // A C entry runs through the image's wrapper (see main.rs.j2).
                entry => if t.c { format!("__bluegen_c_thread_{}", t.name) } else { format!("app::{}", t.entry) },
                c_function => t.c.then_some(&t.entry),
                priority => t.priority,
                stack => t.stack,
                start => t.start,
            }
        })
        .collect();
    let console = board.console.as_ref().map(|c| {
        minijinja::context! {
            driver => &c.driver,
            ident => plan.components.iter().find(|k| k.name == c.driver).map(|k| k.ident()),
            base => c.base,
        }
    });
    let exit = match board.exit {
        Exit::Semihosting => minijinja::context! { method => "semihosting" },
        Exit::SifiveTest { base } => minijinja::context! { method => "sifive-test", base => base },
        Exit::Halt => minijinja::context! { method => "halt" },
    };
    // Words of the runner command, rendered as a TOML array: never split
    // or quoted again, whatever a board or chip string holds.
    let runner: Option<Vec<String>> = match (&board.qemu, &board.chip) {
        (Some(q), _) => {
            let mut parts = vec![q.binary.clone()];
            parts.extend(q.args.iter().cloned());
            parts.push("-kernel".into());
            Some(parts)
        }
        (None, Some(chip)) => Some(vec!["probe-rs".into(), "run".into(), "--chip".into(), chip.clone()]),
        (None, None) => None,
    };
    let symbols: Vec<Value> = plan
        .config
        .constants()
        .into_iter()
        .map(|c| {
            // The type and value are Rust source already: kconfig writes the
            // type from a fixed set and the value as a literal (strings
            // escaped there), so they print as they are.
            let (rust_type, value) = (Value::from_safe_string(c.rust_type), Value::from_safe_string(c.value));
            minijinja::context! { name => c.name, rust_type => rust_type, value => value, help => c.help }
        })
        .collect();
    let interrupts = interrupts(device)?;
    let c = plan.device.c.is_some();
    // With C, a TLS block per scheduler slot: the device's threads, then the spawn pool's.
    let on = |name: &str| plan.config.get(name).and_then(|s| s.value.clone()) == Some(crate::kconfig::Value::Bool(true));
    let spawn_slots = match plan.config.get("SPAWN_THREADS").and_then(|s| s.value.clone()) {
        Some(crate::kconfig::Value::Int(n)) if on("SPAWN") => n as usize,
        _ => 0,
    };
    Ok(minijinja::context! {
        device => minijinja::context! { name => &device.name, crate_name => device.crate_name() },
        board => minijinja::context! { name => &board.name, arch => board.arch.as_str(), target => &board.target },
        memory => minijinja::context! { flash => Value::from(Serde(device.flash)), ram => Value::from(Serde(device.ram)) },
        stack_size => plan.stack_size,
        threads => threads,
        isolation => minijinja::context! {
            on => isolation_on,
            areas => areas.iter().map(|a| minijinja::context! { name => &a.name, thread => a.thread, size => a.size, align => a.align, declared => a.declared }).collect::<Vec<_>>(),
        },
        interrupts => interrupts,
        drivers => crate::peripherals::context(device),
        fs_flash => crate::peripherals::fs_disk(device, &plan.config),
        cargo_env => fs_env(plan)?.into_iter().map(|(key, value)| minijinja::context! { key => key, value => value }).collect::<Vec<_>>(),
        components => Value::from(Serde(&components)),
        app => minijinja::context! { crate => &device.app.package, path => utf8(&device.app.dir, "the app crate's directory")? },
        image_path => utf8(&device.image_dir(), "the image's directory")?,
        registry_path => cargo_registry_src(),
        console => console,
        exit => exit,
        runner => runner,
        toolchain => Value::from(Serde(pin)),
        symbols => symbols,
        c => c,
        tls_blocks => plan.device.threads.len() + spawn_slots,
        measure_only => plan.device.measure_only,
        models => plan.device.models.iter().map(|m| minijinja::context! { name => &m.name }).collect::<Vec<_>>(),
    })
}

/// `c-build.txt`, what the image's build script compiles and links for a
/// device with C (none: a Rust-only image): one `key value` per line — the
/// compiler, archiver, each flag, include directory, define
/// (`NAME=text` or `NAME`) and source (the device's, then the libc
/// component's stdio glue and kernel services); then, after a `driver
/// <name>` line each, every C driver's include directories, defines and
/// sources, compiled into an archive of its own; last picolibc's and
/// libgcc's archives.
fn c_build_list(plan: &Plan) -> Result<Option<String>> {
    let (Some(c), Some(libc)) = (&plan.device.c, plan.components.iter().find(|k| k.name == "libc")) else { return Ok(None) };
    let t = &c.toolchain;
    let mut lines = vec![("gcc", t.gcc.clone()), ("ar", t.ar.clone())];
    lines.extend(t.flags.iter().map(|f| ("flag", f.clone())));
    // What every C file of the image sees: the POSIX option groups that
    // are on (the component's headers first, so that <pthread.h> is its,
    // and the feature macros that say which groups are there), the libc
    // component's headers (<bluegen/driver.h>) and the kernel features
    // its services need.
    let posix = plan.components.iter().find(|k| k.name == "posix" && !k.features.is_empty());
    let mut common = Vec::new();
    if let Some(posix) = posix {
        common.push(("include", utf8(&posix.dir.join("include"), "the posix component's directory")?));
    }
    common.push(("include", utf8(&libc.dir.join("include"), "the libc component's directory")?));
    if let Some(posix) = posix {
        common.extend(posix_macros(&posix.features).into_iter().map(|m| ("define", format!("{m}=200809L"))));
    }
    let on = |name: &str| plan.config.get(name).and_then(|s| s.value.clone()) == Some(crate::kconfig::Value::Bool(true));
    let services = on("C_SERVICES");
    if services {
        common.push(("define", "BLUEGEN_C_SERVICES=1".to_string()));
        // The device's interrupts by name, for bg_irq_pend.
        for i in &plan.device.interrupts {
            common.push(("define", format!("BLUEGEN_IRQ_{}={}", i.name.to_uppercase(), i.irq)));
        }
        for symbol in ["PREEMPT", "SEMAPHORE", "MUTEX", "EVENTS", "QUEUE", "INTERRUPTS"] {
            if on(symbol) {
                common.push(("define", format!("BLUEGEN_{symbol}=1")));
            }
        }
    }
    lines.extend(common.iter().cloned());
    for dir in &c.include {
        lines.push(("include", utf8(dir, "a C include directory")?));
    }
    let define = |(name, value): &(String, Option<String>)| value.as_ref().map_or_else(|| name.clone(), |v| format!("{name}={v}"));
    lines.extend(c.defines.iter().map(|d| ("define", define(d))));
    for file in &c.sources {
        lines.push(("source", utf8(file, "a C source")?));
    }
    lines.push(("source", utf8(&libc.dir.join("c").join("stdio.c"), "the libc component's directory")?));
    if services {
        lines.push(("source", utf8(&libc.dir.join("c").join("bluegen_services.c"), "the libc component's directory")?));
    }
    if let Some(posix) = posix {
        lines.push(("source", utf8(&posix.dir.join("c").join("errno.c"), "the posix component's directory")?));
    }
    // The filesystem's POSIX calls (Kconfig FS_POSIX), on its Rust side.
    if let Some(fs) = plan.components.iter().find(|k| k.name == "fs" && k.features.iter().any(|f| f == "fs-posix")) {
        lines.push(("source", utf8(&fs.dir.join("c").join("posix.c"), "the fs component's directory")?));
    }
    for d in &plan.device.c_drivers {
        lines.push(("driver", d.name.clone()));
        lines.extend(common.iter().cloned());
        for dir in &d.include {
            lines.push(("include", utf8(dir, "a C include directory")?));
        }
        lines.extend(d.defines.iter().map(|x| ("define", define(x))));
        for file in &d.sources {
            lines.push(("source", utf8(file, "a C source")?));
        }
    }
    lines.push(("archive", utf8(&t.libc_dir.join("libc.a"), "picolibc's directory")?));
    lines.push(("archive", utf8(&t.libgcc, "libgcc.a")?));
    let mut text = String::from("# What the build script compiles and links (generated by bluegen from device.toml's [c]).\n");
    for (key, value) in lines {
        if value.contains(['\n', '\r']) {
            return Err(Diagnostic::error(format!("a C {key} holds a line break: {value:?}"))
                .why("the image's c-build.txt lists one value per line")
                .hint("rename the file or directory without the line break")
                .into());
        }
        text.push_str(&format!("{key} {value}\n"));
    }
    Ok(Some(text))
}

/// The `<unistd.h>` feature macros of the posix component's cargo
/// features that are on (each says its option group is there).
fn posix_macros(features: &[String]) -> Vec<&'static str> {
    let table: [(&str, &[&str]); 8] = [
        ("posix-threads-base", &["_POSIX_THREADS", "_POSIX_THREAD_PRIORITY_SCHEDULING", "_POSIX_THREAD_PRIO_INHERIT", "_POSIX_THREAD_ATTR_STACKSIZE"]),
        ("posix-semaphores", &["_POSIX_SEMAPHORES"]),
        ("posix-message-passing", &["_POSIX_MESSAGE_PASSING"]),
        ("posix-timers", &["_POSIX_TIMERS", "_POSIX_MONOTONIC_CLOCK"]),
        ("posix-clock-selection", &["_POSIX_CLOCK_SELECTION"]),
        ("posix-barriers", &["_POSIX_BARRIERS"]),
        ("posix-reader-writer-locks", &["_POSIX_READER_WRITER_LOCKS"]),
        ("posix-spin-locks", &["_POSIX_SPIN_LOCKS"]),
    ];
    table.iter().filter(|(f, _)| features.iter().any(|x| x == f)).flat_map(|(_, m)| m.iter().copied()).collect()
}

/// The device's interrupts for the templates: the controller's interrupt
/// count and priority bits, and each interrupt's name, IRQ, handler and
/// priority (none: `None`, and the image has no interrupt code). On RISC-V
/// they split into PLIC sources and software interrupts (`soft`, numbers
/// from `irqs` on, highest priority first: their dispatch order). They
/// need `threads`, which resolve checked.
fn interrupts(device: &crate::model::Device) -> Result<Option<Value>> {
    let (Some(_), Some(ctl)) = (device.interrupts.first(), &device.board.interrupts) else { return Ok(None) };
    // A C handler (`c-handler`) is called through the image's `c_irq`
    // module, one wrapper per interrupt, `irq_<name>` (a name that is a
    // Rust keyword still makes an identifier).
    let one = |i: &crate::model::Interrupt| {
        let handler = if i.c { format!("c_irq::irq_{}", i.name) } else { format!("app::{}", i.handler) };
        minijinja::context! { name => &i.name, irq => i.irq, handler => handler, priority => i.priority }
    };
    let list: Vec<Value> = device.interrupts.iter().map(one).collect();
    let mut soft: Vec<&crate::model::Interrupt> = device.interrupts.iter().filter(|i| i.irq >= ctl.irqs).collect();
    soft.sort_by_key(|i| (std::cmp::Reverse(i.priority), i.irq));
    let soft: Vec<Value> = soft.into_iter().map(one).collect();
    let plic: Vec<Value> = device.interrupts.iter().filter(|i| i.irq < ctl.irqs).map(one).collect();
    let c: Vec<Value> = device.interrupts.iter().filter(|i| i.c).map(|i| minijinja::context! { name => &i.name, function => &i.handler }).collect();
    Ok(Some(minijinja::context! { irqs => ctl.irqs, priority_bits => ctl.priority_bits, list => list, soft => soft, plic => plic, c => c }))
}

/// A path as text for a generated file; TOML and Rust strings are Unicode,
/// so a path that is not cannot be written there.
/// Where cargo unpacks crates.io's sources (`$CARGO_HOME/registry/src`,
/// `~/.cargo` by default), remapped in the image so that the panic
/// locations of registry crates do not carry the build machine's home; none
/// when it cannot be told or is not UTF-8 (the image is then only longer).
fn cargo_registry_src() -> Option<String> {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))?;
    home.join("registry").join("src").to_str().map(str::to_string)
}

fn utf8(path: &Path, what: &str) -> Result<String> {
    path.to_str().map(str::to_string).ok_or_else(|| {
        Diagnostic::error(format!("{what} `{}` is not valid UTF-8", path.display()))
            .why("its path goes into the image crate's Cargo.toml and .cargo/config.toml, whose strings are Unicode")
            .hint("move the project (or the bluegen checkout) to a directory whose path is valid UTF-8")
            .into()
    })
}

/// The environment crates.io's C crates build in, for the image's
/// `.cargo/config.toml`: with the filesystem (Kconfig `FS`), littlefs2-sys's
/// compiler, flags, defines and libclang (an error when missing); for any
/// other image with C (`[c]`, C drivers), libclang for bindgen, when the
/// machine has it (the C driver bindings a crate generates, say).
fn fs_env(plan: &Plan) -> Result<Vec<(String, String)>> {
    if plan.config.get("FS").and_then(|s| s.value.clone()) != Some(crate::kconfig::Value::Bool(true)) {
        let c = plan.device.c.is_some() || !plan.device.c_drivers.is_empty();
        return Ok(crate::c::libclang_dir().filter(|_| c).map(|dir| vec![("LIBCLANG_PATH".to_string(), dir.display().to_string())]).unwrap_or_default());
    }
    let target = &plan.device.board.target;
    let missing = |m: crate::c::Missing| {
        let at = plan.preset.iter().chain(&plan.device.features).rev().find(|a| a.key == "fs").and_then(|a| a.location.clone());
        let d = Diagnostic::error(format!("cannot build the filesystem for {target}"))
            .at(at)
            .key("features.fs")
            .why(format!("littlefs is C, compiled with the target's GCC against picolibc's headers: {}", m.why));
        Error::new(match m.install {
            Some(cmd) => d.hint(format!("install it: {cmd}")),
            None => d.hint("turn `fs` off, or build on a machine with the target's C toolchain"),
        })
    };
    let toolchain = crate::c::probe(target).map_err(missing)?;
    crate::c::crate_env(&toolchain, target, &["LFS_THREADSAFE"]).map_err(missing)
}


