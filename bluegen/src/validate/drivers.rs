//! Drivers: `[drivers.<name>]` checked against the board's peripherals, and `[qemu] args`.
//!
//! A driver takes one peripheral of the board's `[peripherals]` (never the
//! console's UART, never one another driver has), options its kind allows
//! ([`crate::peripherals::KINDS`]), and, when it blocks threads until its
//! interrupt, an `[interrupts.<name>]` entry for each interrupt source of the
//! peripheral, whose handler calls the driver's `on_interrupt`.

use toml::Spanned;

use crate::board::Board;
use crate::diag::{Diagnostic, Location};
use crate::load::Loaded;
use crate::model::{CDriver, Driver};
use crate::peripherals::kind;

use super::c_drivers::c_driver;
use super::{bad_value, is_ident};

/// Every well-formed driver of the file, in file order, Rust drivers and C
/// drivers (a table with `sources`); each mistake goes to `errors`.
pub(super) fn validate(loaded: &Loaded, board: Option<&Board>, errors: &mut Vec<Diagnostic>) -> (Vec<Driver>, Vec<CDriver>) {
    let source = &loaded.source;
    let mut out: Vec<Driver> = Vec::new();
    let mut c_out: Vec<CDriver> = Vec::new();
    // Peripherals taken so far: name, where, by which driver.
    let mut taken: Vec<(String, Location, String)> = Vec::new();
    for (index, (name, keys)) in loaded.raw.drivers.iter().enumerate() {
        let d_name = name.get_ref();
        let c = loaded.driver_c.get(index).and_then(Option::as_ref);
        let header = source.location(name.span());
        let before = errors.len();
        if !is_ident(d_name) {
            errors.push(
                Diagnostic::error(format!("invalid driver name `{d_name}`"))
                    .at(Some(header.clone()))
                    .key(format!("drivers.{d_name}"))
                    .why("a driver's name becomes its token's name in the app (`bluegen_config::drivers::SERIAL`): lowercase letters, digits and `_`, starting with a letter"),
            );
        }
        let get = |k: &str| keys.get_ref().iter().find(|(key, _)| key.get_ref() == k).map(|(_, v)| v);
        let Some(value) = get("peripheral") else {
            if let Some((raw_c, inputs)) = c {
                c_out.extend(c_driver(loaded, d_name, &header, keys.get_ref(), None, raw_c, inputs, errors));
                continue;
            }
            errors.push(
                Diagnostic::error(format!("[drivers.{d_name}] has no `peripheral`"))
                    .at(Some(header))
                    .key(format!("drivers.{d_name}.peripheral"))
                    .why("a driver drives one of the board's peripherals, which device.toml names")
                    .hint(format!("add `peripheral = \"uart1\"` to [drivers.{d_name}] (the board's [peripherals] list them), or `sources = [\"drivers/{d_name}.c\"]` for a driver written in C")),
            );
            continue;
        };
        let key = format!("drivers.{d_name}.peripheral");
        let Some(wanted) = value.get_ref().as_str() else {
            errors.push(bad_value(source, value, &key, "a peripheral is named by a string".into()).hint("write it in quotes, such as `peripheral = \"uart1\"`"));
            continue;
        };
        let Some(board) = board else { continue };
        let Some(p) = board.peripherals.iter().find(|p| p.name == wanted) else {
            let console = board.console.as_ref().map(|c| c.base);
            let known: Vec<&str> = board.peripherals.iter().filter(|p| Some(p.base) != console || kind(&p.driver).is_some_and(|k| k.shares_console)).map(|p| p.name.as_str()).collect();
            let d = bad_value(source, value, &key, format!("board `{}` has no peripheral `{wanted}`", board.name));
            errors.push(match crate::diag::did_you_mean(wanted, known.iter().copied()) {
                Some(guess) => d.hint(guess),
                None if known.is_empty() => d.hint(format!("{} lists no [peripherals]: pick a board that does (qemu-mps2-an385, say), or add [peripherals.<name>] tables to it", board.path.display())),
                None => d.hint(format!("the board's peripherals: {}", known.join(", "))),
            });
            continue;
        };
        if board.console.as_ref().is_some_and(|c| c.base == p.base) && !kind(&p.driver).is_some_and(|k| k.shares_console) {
            let others: Vec<&str> = board.peripherals.iter().filter(|o| o.driver == p.driver && o.base != p.base).map(|o| o.name.as_str()).collect();
            errors.push(
                bad_value(source, value, &key, format!("`{wanted}` at {:#x} is the board's console, which the kernel drives (polled) for its console output: a peripheral has one driver", p.base))
                    .hint(if others.is_empty() { "give the driver another peripheral".to_string() } else { format!("use another {}: {}", kind(&p.driver).map_or("one", |k| k.what), others.join(", ")) }),
            );
            continue;
        }
        if let Some((_, first_at, first)) = taken.iter().find(|(n, ..)| n == wanted) {
            errors.push(
                bad_value(source, value, &key, format!("`{wanted}` is already [drivers.{first}]'s peripheral (line {}): a peripheral has one driver", first_at.line))
                    .hint(format!("remove one of the two, or give [drivers.{d_name}] another peripheral")),
            );
            continue;
        }
        if let Some((raw_c, inputs)) = c {
            if errors.len() == before {
                taken.push((wanted.to_string(), source.location(value.span()), d_name.clone()));
            }
            c_out.extend(c_driver(loaded, d_name, &header, keys.get_ref(), Some(p), raw_c, inputs, errors));
            continue;
        }
        let Some(k) = kind(&p.driver) else { continue };
        let mut divisor = 0u32;
        let mut baud = 115_200i64;
        for (opt, v) in keys.get_ref() {
            let o = opt.get_ref();
            if o == "peripheral" {
                continue;
            }
            let okey = format!("drivers.{d_name}.{o}");
            let Some(&(_, low, high, means)) = k.options.iter().find(|(n, ..)| n == o) else {
                let allowed: Vec<&str> = std::iter::once("peripheral").chain(k.options.iter().map(|(n, ..)| *n)).collect();
                let list = allowed.iter().map(|a| format!("`{a}`")).collect::<Vec<_>>().join(", ");
                let d = Diagnostic::error(format!("unknown key `{okey}`"))
                    .at(Some(source.location(opt.span())))
                    .key(okey.clone())
                    .why(format!("a {} driver (`{}`, peripheral `{wanted}`) takes {list}", k.what, k.name));
                errors.push(match crate::diag::did_you_mean(o, allowed.iter().copied()) {
                    Some(guess) => d.hint(guess),
                    None => d.hint(format!("remove `{o}`")),
                });
                continue;
            };
            match v.get_ref().as_integer() {
                Some(n) if (low..=high).contains(&n) => baud = n,
                _ => errors.push(bad_value(source, v, &okey, format!("`{o}` is the {means}: an integer from {low} to {high}")).hint(format!("write an integer from {low} to {high}, such as `{o} = 115200`"))),
            }
        }
        if k.name == "uart-cmsdk" {
            divisor = u32::try_from(p.clock_hz / baud.max(1) as u64).unwrap_or(u32::MAX);
        }
        if k.blocks {
            needs_interrupts(loaded, d_name, &header, p, k, errors);
        }
        if errors.len() == before {
            taken.push((wanted.to_string(), source.location(value.span()), d_name.clone()));
            out.push(Driver { name: d_name.clone(), peripheral: p.clone(), divisor, at: Some(header) });
        }
    }
    (out, c_out)
}

/// A driver that blocks threads until its interrupt needs an
/// `[interrupts.<name>]` for each of its peripheral's sources: without one
/// its handler never runs, and a thread would wait for ever.
fn needs_interrupts(loaded: &Loaded, d_name: &str, header: &Location, p: &crate::peripherals::Peripheral, k: &crate::peripherals::Kind, errors: &mut Vec<Diagnostic>) {
    let declared = |source_name: &str, irq: u32| {
        loaded.raw.interrupts.iter().any(|(_, i)| match i.get_ref().source.as_ref().map(Spanned::get_ref) {
            Some(toml::Value::String(s)) => s == source_name,
            Some(toml::Value::Integer(n)) => *n == i64::from(irq),
            _ => false,
        })
    };
    let missing: Vec<&(String, u32)> = p.interrupts.iter().filter(|(n, irq)| !declared(n, *irq)).collect();
    if missing.is_empty() {
        return;
    }
    let names = missing.iter().map(|(n, irq)| format!("`{n}` (IRQ {irq})")).collect::<Vec<_>>().join(" and ");
    let tables = missing
        .iter()
        .map(|(n, _)| format!("    [interrupts.{}]\n    source = \"{n}\"\n    handler = \"on_{d_name}\"\n    priority = 1\n", n.replace('-', "_")))
        .collect::<Vec<_>>()
        .join("\n");
    errors.push(
        Diagnostic::error(format!("driver `{d_name}` needs its peripheral's interrupts handled"))
            .at(Some(header.clone()))
            .key(format!("drivers.{d_name}"))
            .why(format!("the {} driver wakes waiting threads from its interrupt handler, and no [interrupts] entry takes {names}: a thread would wait for ever", k.what))
            .hint(format!("add\n\n{tables}\nand to the app `pub fn on_{d_name}() {{ {}.on_interrupt() }}`, where {0} is the app's `static` {}", d_name.to_uppercase(), k.example)),
    );
}

/// The board with `[qemu] args` of device.toml after its own QEMU
/// arguments (a QEMU device the example attaches, a second serial port).
pub(super) fn with_qemu_args(loaded: &Loaded, board: Option<Board>, errors: &mut Vec<Diagnostic>) -> Option<Board> {
    let (Some(v), Some(mut board)) = (&loaded.raw.qemu_args, board.clone()) else { return board };
    let source = &loaded.source;
    let words: Option<Vec<String>> = v.get_ref().as_array().and_then(|a| a.iter().map(|w| w.as_str().map(str::to_string)).collect());
    let Some(words) = words else {
        errors.push(bad_value(source, v, "qemu.args", "QEMU's arguments are a list of strings, one word each".into()).hint("write it as `args = [\"-device\", \"tmp105,bus=i2c,address=0x48\"]`"));
        return Some(board);
    };
    match &mut board.qemu {
        Some(q) => q.args.extend(words),
        None => errors.push(
            Diagnostic::error("`qemu.args` on a board QEMU does not run")
                .at(Some(source.location(v.span())))
                .key("qemu.args")
                .why(format!("board `{}` has no [qemu] table: its images run on the hardware, so there is no QEMU to pass arguments to", board.name))
                .hint("remove [qemu], or pick a qemu-* board (`bluegen boards`)"),
        ),
    }
    Some(board)
}

#[cfg(test)]
mod tests {
    use crate::peripherals::KINDS;

    #[test]
    fn every_kind_is_a_component_with_a_marker() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().join("components");
        for k in KINDS {
            assert!(root.join(k.name).join("Cargo.toml").is_file(), "{}", k.name);
        }
        let config = std::fs::read_to_string(root.join("config/src/lib.rs")).unwrap();
        for k in KINDS {
            assert!(config.contains(&format!("pub enum {} {{}}", k.marker)), "{}", k.marker);
        }
    }
}
