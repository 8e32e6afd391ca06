//! C drivers: a `[drivers.<name>]` with `sources`, its keys, C code and Kconfig options.
//!
//! The C code is checked as `[c]`'s is ([`super::c::code`]); the
//! peripheral, when the driver takes one, reaches it as `<NAME>_BASE`,
//! `<NAME>_CLOCK_HZ` and `<NAME>_IRQ_<SOURCE>`. A driver may ship a Kconfig
//! file of its own (`kconfig`): its symbols are the driver's `options`,
//! checked for type, range and dependencies by bluegen's Kconfig resolver,
//! and every symbol with a value reaches the driver's C as
//! `<NAME>_CONFIG_<SYMBOL>` (a bool that is on as `1`, one that is off not
//! at all, an int as a decimal, a hex as `0x…`, a string as a C string).

use crate::diag::{Diagnostic, Location};
use crate::kconfig::{Assignment, Origin, Value};
use crate::load::{CDriverInputs, Loaded, RawCDriver};
use crate::model::CDriver;

/// The keys a C driver's table takes.
const C_DRIVER_KEYS: &[&str] = &["sources", "include", "defines", "peripheral", "kconfig", "options"];

/// A C driver: its table's keys, its C code (checked as `[c]`'s is), the
/// defines of its peripheral and of its options.
#[allow(clippy::too_many_arguments)]
pub(super) fn c_driver(
    loaded: &Loaded,
    d_name: &str,
    header: &Location,
    keys: &crate::load::RawDriver,
    peripheral: Option<&crate::peripherals::Peripheral>,
    raw: &RawCDriver,
    inputs: &CDriverInputs,
    errors: &mut Vec<Diagnostic>,
) -> Option<CDriver> {
    let source = &loaded.source;
    let before = errors.len();
    let table = format!("drivers.{d_name}");
    for (k, _) in keys {
        let key = format!("{table}.{}", k.get_ref());
        if !C_DRIVER_KEYS.contains(&k.get_ref().as_str()) {
            let d = Diagnostic::error(format!("unknown key `{key}`"))
                .at(Some(source.location(k.span())))
                .key(key.clone())
                .why("a driver written in C (one with `sources`) takes `sources`, `include`, `defines`, `peripheral`, `kconfig` and `options`");
            errors.push(match crate::diag::did_you_mean(k.get_ref(), C_DRIVER_KEYS.iter().copied()) {
                Some(guess) => d.hint(guess),
                None => d.hint(format!("remove `{}`", k.get_ref())),
            });
        }
    }
    let options = options(loaded, d_name, keys, raw, inputs, errors);
    let code = super::c::code(loaded, &raw.c, &inputs.c, &table, Some(header.clone()), errors);
    let (sources, include, mut defines, _) = code?;
    let upper = d_name.to_uppercase();
    if let Some(p) = peripheral {
        defines.push((format!("{upper}_BASE"), Some(format!("{:#x}u", p.base))));
        if p.clock_hz > 0 {
            defines.push((format!("{upper}_CLOCK_HZ"), Some(format!("{}u", p.clock_hz))));
        }
        // The register block's extent: the MMIO range an isolated driver
        // will be given (and only it), when the board says.
        if p.size > 0 {
            defines.push((format!("{upper}_SIZE"), Some(format!("{:#x}u", p.size))));
        }
        for (source_name, irq) in &p.interrupts {
            let suffix = source_name.to_uppercase().replace(|c: char| !c.is_ascii_alphanumeric(), "_");
            defines.push((format!("{upper}_IRQ_{suffix}"), Some(irq.to_string())));
        }
    }
    defines.extend(options?);
    (errors.len() == before).then(|| CDriver { name: d_name.to_string(), sources, include, defines, peripheral: peripheral.cloned(), at: Some(header.clone()) })
}

/// The defines of a C driver's options (`<NAME>_CONFIG_<SYMBOL>`), resolved
/// against its Kconfig file; each mistake goes to `errors`, located at the
/// option (or at `kconfig`).
fn options(loaded: &Loaded, d_name: &str, keys: &crate::load::RawDriver, raw: &RawCDriver, inputs: &CDriverInputs, errors: &mut Vec<Diagnostic>) -> Option<Vec<(String, Option<String>)>> {
    let source = &loaded.source;
    let table = format!("drivers.{d_name}");
    let at = |span: std::ops::Range<usize>| Some(source.location(span));
    let Some(tree) = &inputs.kconfig else {
        let Some(options) = keys.iter().find(|(k, _)| k.get_ref() == "options") else { return Some(Vec::new()) };
        errors.push(
            Diagnostic::error(format!("[{table}] has `options` but no Kconfig file"))
                .at(at(options.0.span()))
                .key(format!("{table}.options"))
                .why("a C driver's options are the symbols of the Kconfig file it ships, which give each its type, range and default")
                .hint(format!("add `kconfig = \"drivers/{d_name}/Kconfig\"` to [{table}], the file declaring each option (`config RESOLUTION_BITS`, `int`, `range`, `default`)")),
        );
        return None;
    };
    let kconfig = raw.kconfig.as_ref().expect("a parsed Kconfig file was named");
    let tree = match tree {
        Ok(tree) => tree,
        Err(e) => {
            for d in &e.diagnostics {
                // A mistake inside the file is located there; a missing file at the key.
                errors.push(match d.location {
                    Some(_) => {
                        let mut d = d.clone();
                        d.message = d.message.replace(&format!("component `driver:{d_name}`"), &format!("C driver `{d_name}`"));
                        d.key(format!("{table}.kconfig"))
                    }
                    None => Diagnostic::error(format!("the Kconfig file of driver `{d_name}` cannot be used"))
                        .at(at(kconfig.span()))
                        .key(format!("{table}.kconfig"))
                        .value(format!("\"{}\"", kconfig.get_ref()))
                        .why(d.message.clone())
                        .hint(format!("paths in [{table}] are relative to the directory of device.toml")),
                });
            }
            return None;
        }
    };
    let before = errors.len();
    let known: Vec<String> = tree.syms.iter().filter(|s| s.prompt.is_some()).map(|s| crate::kconfig::key_of(&s.name)).collect();
    let mut assignments = Vec::new();
    for (key, value) in &raw.options {
        let k = key.get_ref();
        if tree.sym(&crate::kconfig::name_of(k)).is_none() || !crate::kconfig::key_of(&crate::kconfig::name_of(k)).eq(k) {
            let d = Diagnostic::error(format!("unknown option `{k}` of driver `{d_name}`"))
                .at(at(key.span()))
                .key(format!("{table}.options.{k}"))
                .why(format!("{} declares {}", kconfig.get_ref(), if known.is_empty() { "no option".to_string() } else { format!("the options {}", known.iter().map(|o| format!("`{o}`")).collect::<Vec<_>>().join(", ")) }));
            errors.push(match crate::diag::did_you_mean(k, known.iter().map(String::as_str)) {
                Some(guess) => d.hint(guess),
                None => d.hint(format!("remove `{k}`, or declare it in {}", kconfig.get_ref())),
            });
            continue;
        }
        assignments.push(Assignment { key: k.clone(), value: value.get_ref().clone(), origin: Origin::User, location: at(key.span()) });
    }
    let config = match crate::kconfig::resolve(tree, &assignments) {
        Ok(config) => config,
        Err(e) => {
            errors.extend(e.diagnostics.into_iter().map(|d| as_option(d, &table)));
            return None;
        }
    };
    let upper = d_name.to_uppercase();
    let defines = config
        .symbols
        .iter()
        .filter_map(|s| {
            let name = format!("{upper}_CONFIG_{}", s.name);
            Some(match s.value.as_ref()? {
                Value::Bool(true) => (name, Some("1".to_string())),
                Value::Bool(false) => return None,
                Value::Int(n) => (name, Some(n.to_string())),
                Value::Hex(h) => (name, Some(format!("{h:#x}"))),
                Value::Str(t) => (name, Some(crate::c::c_string(t))),
            })
        })
        .collect();
    (errors.len() == before).then_some(defines)
}

/// A diagnostic of the Kconfig resolver about `features.<key>`, in the
/// words of a driver's options: its key `drivers.<name>.options.<key>`
/// (the resolver locates it at the option already).
fn as_option(mut d: Diagnostic, table: &str) -> Diagnostic {
    for (label, text) in &mut d.labels {
        if *label == "key"
            && let Some(k) = text.strip_prefix("features.")
        {
            *text = format!("{table}.options.{k}");
        }
    }
    d.message = d.message.replace("unknown feature", "unknown option");
    d
}
