//! Isolation: `[regions.<name>]` and the isolation keys of `[threads.<name>]` checked against the board's MPU or PMP.

use toml::Spanned;

use crate::board::{Board, Protection};
use crate::diag::Diagnostic;
use crate::isolation::{Access, MemRegion, OnFault, Place, ThreadIsolation, entries, expressible};
use crate::load::{Loaded, RawThread};

use super::{bad_value, size};

/// The device's `[regions]`, each mistake to `errors`.
pub(super) fn regions(loaded: &Loaded, board: Option<&Board>, errors: &mut Vec<Diagnostic>) -> Vec<MemRegion> {
    let source = &loaded.source;
    let mut out = Vec::new();
    for (name, r) in &loaded.raw.regions {
        let (name, raw) = (name.get_ref(), r.get_ref());
        let key = |k: &str| format!("regions.{name}.{k}");
        let header = Some(source.location(r.span()));
        if !super::is_ident(name) {
            errors.push(
                Diagnostic::error(format!("invalid region name `{name}`"))
                    .at(header.clone())
                    .key(format!("regions.{name}"))
                    .why("region names become parts of linker symbols and Rust names: lowercase letters, digits and `_`, starting with a letter"),
            );
            continue;
        }
        let access = match raw.access.as_ref() {
            None => Some(Access::ReadWrite),
            Some(v) => match v.get_ref().as_str() {
                Some("rw") => Some(Access::ReadWrite),
                Some("ro") => Some(Access::ReadOnly),
                _ => {
                    errors.push(bad_value(source, v, &key("access"), "`access` is \"rw\" (read and write) or \"ro\" (read only)".into()).hint("write `access = \"rw\"` or `access = \"ro\"`"));
                    None
                }
            },
        };
        let place = match (&raw.size, &raw.peripheral) {
            (Some(_), Some(p)) => {
                errors.push(
                    Diagnostic::error(format!("[regions.{name}] has both `size` and `peripheral`"))
                        .at(Some(source.location(p.span())))
                        .key(key("peripheral"))
                        .why("a region is a RAM buffer bluegen places (`size`) or a peripheral's registers (`peripheral`), not both")
                        .hint("keep one of the two"),
                );
                None
            }
            (None, None) => {
                errors.push(
                    Diagnostic::error(format!("[regions.{name}] has neither `size` nor `peripheral`"))
                        .at(header.clone())
                        .key(format!("regions.{name}"))
                        .why("a region is a RAM buffer bluegen places (`size`) or a peripheral's registers (`peripheral`)")
                        .hint("add `size = 256` for a shared buffer, or `peripheral = \"uart1\"` for a peripheral of the board"),
                );
                None
            }
            (Some(s), None) => match size(s.get_ref()) {
                Ok(0) | Err(_) => {
                    errors.push(bad_value(source, s, &key("size"), "a region's size is a number of bytes, at least 1".into()).hint("write a size such as 256 or \"4K\""));
                    None
                }
                Ok(bytes) if bytes % 4 != 0 => {
                    errors.push(bad_value(source, s, &key("size"), "a region holds whole words: its size is a multiple of 4".into()).hint(format!("use {}", bytes.next_multiple_of(4))));
                    None
                }
                Ok(bytes) => Some(Place::Ram { size: bytes }),
            },
            (None, Some(p)) => peripheral(loaded, board, name, p, errors),
        };
        if let (Some(place), Some(access)) = (place, access) {
            let size_at = raw.size.as_ref().map(|s| source.location(s.span()));
            out.push(MemRegion { name: name.clone(), place, access, at: header, size_at });
        }
    }
    out
}

/// A peripheral region: the board's peripheral, with a size the unit can cover.
fn peripheral(loaded: &Loaded, board: Option<&Board>, name: &str, p: &Spanned<String>, errors: &mut Vec<Diagnostic>) -> Option<Place> {
    let board = board?;
    let at = Some(loaded.source.location(p.span()));
    let key = format!("regions.{name}.peripheral");
    let Some(found) = board.peripherals.iter().find(|x| x.name == *p.get_ref()) else {
        let names: Vec<&str> = board.peripherals.iter().map(|x| x.name.as_str()).collect();
        let hint = crate::diag::did_you_mean(p.get_ref(), names.iter().copied())
            .unwrap_or_else(|| if names.is_empty() { format!("board {} lists no peripherals", board.name) } else { format!("the board's peripherals are {}", names.join(", ")) });
        errors.push(
            Diagnostic::error(format!("board {} has no peripheral `{}`", board.name, p.get_ref()))
                .at(at)
                .key(key)
                .value(format!("\"{}\"", p.get_ref()))
                .why("a peripheral region is the register range of one of the board's [peripherals]")
                .hint(hint),
        );
        return None;
    };
    if found.size == 0 {
        errors.push(
            Diagnostic::error(format!("peripheral `{}` has no size in board {}", found.name, board.name))
                .at(at)
                .key(key)
                .value(format!("\"{}\"", p.get_ref()))
                .why(format!("a region covers the peripheral's address range, and the board data ({}) gives only its base", board.path.display()))
                .hint(format!("add `size = \"4K\"` (the register block's span) to [peripherals.{}] of the board file", found.name)),
        );
        return None;
    }
    if let (Some(unit), Err(why)) = (board.isolation, board.isolation.map_or(Ok(()), |u| expressible(u.kind, found.base, found.size))) {
        errors.push(
            Diagnostic::error(format!("peripheral `{}` ({:#x}, {} bytes) cannot be one {} region", found.name, found.base, found.size, unit.kind.as_str()))
                .at(at)
                .key(key)
                .value(format!("\"{}\"", p.get_ref()))
                .why(why)
                .hint("give the thread a peripheral the unit can cover, or mark it `privileged = true`"),
        );
        return None;
    }
    Some(Place::Peripheral { name: found.name.clone(), base: found.base, size: found.size })
}

/// A thread's isolation keys, each mistake to `errors`.
pub(super) fn thread(loaded: &Loaded, t_name: &str, raw: &RawThread, board: Option<&Board>, regions: &[MemRegion], errors: &mut Vec<Diagnostic>) -> ThreadIsolation {
    let source = &loaded.source;
    let key = |k: &str| format!("threads.{t_name}.{k}");
    let at = |v: &Spanned<toml::Value>| Some(source.location(v.span()));
    let mut iso = ThreadIsolation::default();
    for (k, v) in [("privileged", &raw.privileged), ("statics", &raw.statics), ("regions", &raw.regions), ("on-fault", &raw.on_fault)] {
        if let Some(v) = v {
            iso.keys.push((key(k), at(v)));
        }
    }
    if let Some(v) = &raw.privileged {
        match v.get_ref().as_bool() {
            Some(b) => iso.privileged = Some(b),
            None => errors.push(bad_value(source, v, &key("privileged"), "`privileged` is a bool: whether the thread keeps the kernel's access to all memory".into()).hint("write `privileged = true` or `privileged = false`")),
        }
    }
    let word = if board.is_some_and(|b| crate::units::pointer_bits(&b.target) >= 64) { 8 } else { 4 };
    if let Some(v) = &raw.statics {
        iso.statics_at = at(v);
        match size(v.get_ref()) {
            Ok(n) if n % word != 0 || n > u64::from(u32::MAX) => errors.push(
                bad_value(source, v, &key("statics"), format!("a thread's statics are whole {word}-byte words of its target, so `statics` is a multiple of {word}")).hint(format!("use {}", n.next_multiple_of(word))),
            ),
            Ok(n) => iso.statics = n as u32,
            Err(why) => errors.push(bad_value(source, v, &key("statics"), why)),
        }
    }
    if let Some(v) = &raw.on_fault {
        match v.get_ref().as_str() {
            Some("panic") => iso.on_fault = OnFault::Panic,
            Some("stop") => iso.on_fault = OnFault::Stop,
            Some("restart") => iso.on_fault = OnFault::Restart,
            other => {
                let hint = other.and_then(|o| crate::diag::did_you_mean(o, ["panic", "stop", "restart"])).unwrap_or_else(|| "write `on-fault = \"stop\"`, `\"restart\"` or `\"panic\"`".into());
                errors.push(bad_value(source, v, &key("on-fault"), "`on-fault` is \"stop\" (the thread stops), \"restart\" (it starts again) or \"panic\" (the run ends)".into()).hint(hint));
            }
        }
    }
    if let Some(v) = &raw.regions {
        iso.regions_at = at(v);
        let Some(list) = v.get_ref().as_array().filter(|a| a.iter().all(toml::Value::is_str)) else {
            errors.push(bad_value(source, v, &key("regions"), "`regions` is an array of names of [regions.<name>] tables".into()).hint("write `regions = [\"shared\"]`"));
            return iso;
        };
        for name in list.iter().filter_map(toml::Value::as_str) {
            if iso.regions.iter().any(|r| r == name) {
                errors.push(bad_value(source, v, &key("regions"), format!("region `{name}` is listed twice")).hint(format!("list `{name}` once")));
            } else if regions.iter().any(|r| r.name == name) || loaded.raw.regions.iter().any(|(n, _)| n.get_ref() == name) {
                iso.regions.push(name.to_string());
            } else {
                let known: Vec<&str> = loaded.raw.regions.iter().map(|(n, _)| n.get_ref().as_str()).collect();
                let hint = crate::diag::did_you_mean(name, known.iter().copied())
                    .unwrap_or_else(|| if known.is_empty() { format!("declare it: `[regions.{name}]` with `size = 256` or `peripheral = \"uart1\"`") } else { format!("the device's regions are {}", known.join(", ")) });
                errors.push(bad_value(source, v, &key("regions"), format!("there is no [regions.{name}]")).hint(hint));
            }
        }
        budget(board, t_name, &iso, regions, loaded, v, errors);
    }
    iso
}

/// More regions for one thread than the unit has entries is an error on its `regions`.
fn budget(board: Option<&Board>, t_name: &str, iso: &ThreadIsolation, regions: &[MemRegion], loaded: &Loaded, v: &Spanned<toml::Value>, errors: &mut Vec<Diagnostic>) {
    let Some(unit) = board.and_then(|b| b.isolation) else { return };
    let board = board.expect("the unit is the board's");
    let declared: Vec<(u64, u64)> = iso
        .regions
        .iter()
        .filter_map(|n| regions.iter().find(|r| r.name == *n))
        .map(|r| match r.place {
            Place::Ram { size } => {
                let size = crate::isolation::own_size(unit.kind, size);
                (0, size)
            }
            Place::Peripheral { base, size, .. } => (base, size),
        })
        .collect();
    let (need, have) = entries(unit.kind, unit.regions, board.flash, &declared);
    if need <= have {
        return;
    }
    let why = match unit.kind {
        Protection::Pmp => format!("the PMP has {have} entries, and thread `{t_name}` needs {need}: flash takes 1 (NAPOT) or 2 (TOR), the thread's own region 2, each declared region 1 (a power of two of at least 8, aligned to it) or 2"),
        kind => format!("the {} MPU has {have} regions: region 0 is flash, region 1 the thread's own, which leaves {} for declared regions, and thread `{t_name}` declares {}", kind.as_str(), have - 2, declared.len()),
    };
    errors.push(bad_value(&loaded.source, v, &format!("threads.{t_name}.regions"), why).hint("declare fewer regions (merge neighbouring buffers into one), or mark the thread `privileged = true`"));
}
