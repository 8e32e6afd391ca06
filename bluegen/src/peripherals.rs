//! Peripherals: the board's `[peripherals.<name>]` and the driver kinds bluegen knows.
//!
//! A board file lists the peripherals a device may hand to a driver in its
//! `[drivers.<name>]` table: the driver kind (a component crate of
//! `components/`), the register block's address, the interrupt sources it
//! raises (names of the board's `[interrupts] sources`) and its input clock.
//! [`KINDS`] says, per kind, what device.toml may set and what the driver
//! needs from the rest of the image.

use serde::Deserialize;
use toml::Spanned;

use crate::board::Interrupts;
use crate::diag::{Diagnostic, Source};
use crate::units::address;

/// One `[peripherals.<name>]` table as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawPeripheral {
    /// The driver kind: a driver crate of components/.
    kind: Spanned<String>,
    base: Spanned<toml::Value>,
    #[serde(default)]
    interrupts: Vec<Spanned<String>>,
    clock_hz: Option<Spanned<u64>>,
    /// The bytes its address range spans (a flash bank's size).
    size: Option<Spanned<toml::Value>>,
    /// A flash's erase sector, in bytes.
    erase_size: Option<Spanned<toml::Value>>,
    /// Where QEMU's model of it sits, for QEMU's `-device …,bus=` (I2C).
    qemu_bus: Option<String>,
    /// QEMU's `-drive` options that back it with a file (a flash bank),
    /// without `file=`: `bluegen run` keeps the file.
    qemu_drive: Option<String>,
}

/// A peripheral of the board, checked.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Peripheral {
    pub name: String,
    /// The driver kind: a directory of components/ listed in [`KINDS`].
    pub driver: String,
    pub base: u64,
    /// Its interrupt sources, by the board's names, with their numbers.
    pub interrupts: Vec<(String, u32)>,
    /// Its input clock in Hz (0: the board does not say).
    pub clock_hz: u64,
    /// The bytes its address range spans (0: the board does not say).
    pub size: u64,
    /// A flash's erase sector in bytes (0: not a flash).
    pub erase_size: u64,
    pub qemu_bus: Option<String>,
    pub qemu_drive: Option<String>,
}

/// What bluegen knows of one driver kind.
pub struct Kind {
    /// The component crate (directory of components/).
    pub name: &'static str,
    /// What it drives, for messages.
    pub what: &'static str,
    /// The marker type of `bluegen_config::kind` its token carries.
    pub marker: &'static str,
    /// The bool Kconfig symbol bluegen sets when a device declares one
    /// (none: the crate is in the image only then anyway).
    pub symbol: Option<&'static str>,
    /// Whether it blocks threads on a semaphore its interrupt gives.
    pub blocks: bool,
    /// The options `[drivers.<name>]` may set besides `peripheral`:
    /// name, lowest, highest, what it means.
    pub options: &'static [(&'static str, i64, i64, &'static str)],
    /// The app's driver type, for hints.
    pub example: &'static str,
    /// Whether it may take the board's console UART: it only receives
    /// there (interrupt-driven) and transmits polled, as the console does.
    pub shares_console: bool,
}

/// The driver kinds; a board's `[peripherals]` may name only these.
pub const KINDS: &[Kind] = &[
    Kind {
        name: "uart-cmsdk",
        what: "CMSDK APB UART",
        marker: "UartCmsdk",
        symbol: Some("CMSDK_UART_DRIVER"),
        blocks: true,
        options: &[("baud", 110, 1_562_500, "baud rate (the divisor is the peripheral clock over it, at least 16)")],
        example: "bluegen_uart_cmsdk::Serial",
        shares_console: false,
    },
    Kind {
        name: "uart-ns16550",
        what: "NS16550 UART",
        marker: "UartNs16550",
        symbol: Some("NS16550_DRIVER"),
        blocks: true,
        options: &[],
        example: "bluegen_uart_ns16550::Serial",
        shares_console: true,
    },
    Kind { name: "timer-cmsdk", what: "CMSDK APB timer", marker: "TimerCmsdk", symbol: None, blocks: true, options: &[], example: "bluegen_timer_cmsdk::Delay", shares_console: false },
    Kind { name: "i2c-sbcon", what: "SBCon two-wire (I2C) controller", marker: "I2cSbcon", symbol: None, blocks: false, options: &[], example: "bluegen_i2c_sbcon::I2c", shares_console: false },
    Kind { name: "pflash-cfi01", what: "CFI parallel flash", marker: "PflashCfi01", symbol: None, blocks: false, options: &[], example: "bluegen_pflash_cfi01::Flash", shares_console: false },
];

/// The kind called `name`.
pub fn kind(name: &str) -> Option<&'static Kind> {
    KINDS.iter().find(|k| k.name == name)
}

/// The board's peripherals, each mistake of them a board-file error.
pub fn from_board(
    raw: &std::collections::BTreeMap<Spanned<String>, Spanned<RawPeripheral>>,
    interrupts: Option<&Interrupts>,
    source: &Source,
    errors: &mut Vec<Diagnostic>,
) -> Vec<Peripheral> {
    let mut out = Vec::new();
    let bad = |span: std::ops::Range<usize>, key: String, why: String, hint: String| {
        Diagnostic::error(format!("invalid board file: {why}"))
            .at(Some(source.location(span.clone())))
            .key(key)
            .value(source.text.get(span).unwrap_or_default().to_string())
            .hint(hint)
    };
    for (name, p) in raw {
        let (name, p) = (name.get_ref(), p.get_ref());
        let key = |k: &str| format!("peripherals.{name}.{k}");
        let before = errors.len();
        if kind(p.kind.get_ref()).is_none() {
            let known: Vec<&str> = KINDS.iter().map(|k| k.name).collect();
            let hint = crate::diag::did_you_mean(p.kind.get_ref(), known.iter().copied()).unwrap_or_else(|| format!("the driver kinds are {}", known.join(", ")));
            errors.push(bad(p.kind.span(), key("kind"), format!("there is no driver kind `{}`", p.kind.get_ref()), hint));
        }
        let base = address(p.base.get_ref()).map_err(|why| errors.push(bad(p.base.span(), key("base"), why, "write the register block's address, such as 0x4000_5000".into()))).ok();
        let mut irqs = Vec::new();
        for source_name in &p.interrupts {
            match interrupts.and_then(|i| i.sources.iter().find(|(n, _)| n == source_name.get_ref())) {
                Some((n, irq)) => irqs.push((n.clone(), *irq)),
                None => errors.push(bad(
                    source_name.span(),
                    key("interrupts"),
                    format!("`{}` is not a source of the board's [interrupts] table", source_name.get_ref()),
                    match interrupts.map(|i| i.sources.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>()) {
                        Some(names) if !names.is_empty() => format!("name sources the board's [interrupts] table has: {}", names.join(", ")),
                        _ => "add the source to the board's [interrupts] `sources`".into(),
                    },
                )),
            }
        }
        // The timer driver counts whole clock cycles per microsecond: a
        // clock below 1 MHz, or not a whole number of MHz, would make its
        // delays shorter than asked (DelayNs promises at least).
        if p.kind.get_ref() == "timer-cmsdk" {
            match &p.clock_hz {
                Some(c) if *c.get_ref() >= 1_000_000 && *c.get_ref() % 1_000_000 == 0 => {}
                Some(c) => errors.push(bad(c.span(), key("clock-hz"), "the CMSDK timer driver needs a clock of a whole number of MHz".into(), "write the timer's input clock in Hz, such as 25_000_000".into())),
                None => errors.push(bad(p.kind.span(), key("clock-hz"), "a `timer-cmsdk` peripheral needs its `clock-hz`".into(), "add `clock-hz = 25_000_000` (the timer's input clock in Hz)".into())),
            }
        }
        let mut bytes = |v: &Option<Spanned<toml::Value>>, k: &str| -> u64 {
            let Some(v) = v else { return 0 };
            crate::units::size(v.get_ref()).map_err(|why| errors.push(bad(v.span(), key(k), why, "write a size in bytes, such as \"32M\" or 262144".into()))).unwrap_or(0)
        };
        let (size, erase_size) = (bytes(&p.size, "size"), bytes(&p.erase_size, "erase-size"));
        // A flash bank is whole erase sectors: the driver's geometry.
        if p.kind.get_ref() == "pflash-cfi01" && errors.len() == before && (size == 0 || erase_size == 0 || size % erase_size != 0) {
            let at = p.size.as_ref().or(p.erase_size.as_ref()).map_or(p.kind.span(), |v| v.span());
            errors.push(bad(at, key("size"), "a `pflash-cfi01` peripheral needs its `size` and `erase-size`, the size a whole number of sectors".into(), "add `size = \"32M\"` and `erase-size = \"256K\"` (QEMU virt's banks)".into()));
        }
        if let (Some(base), true) = (base, errors.len() == before) {
            out.push(Peripheral {
                name: name.clone(),
                driver: p.kind.get_ref().clone(),
                base,
                interrupts: irqs,
                clock_hz: p.clock_hz.as_ref().map_or(0, |c| *c.get_ref()),
                size,
                erase_size,
                qemu_bus: p.qemu_bus.clone(),
                qemu_drive: p.qemu_drive.clone(),
            });
        }
    }
    out
}

/// The component crates the device's drivers add to the image, once each,
/// in file order.
pub fn components(device: &crate::model::Device) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for d in &device.drivers {
        if !out.contains(&d.peripheral.driver) {
            out.push(d.peripheral.driver.clone());
        }
    }
    out
}

/// The Kconfig bools the device's drivers turn on (`CMSDK_UART_DRIVER`
/// gates the interrupt-driven UART in the crate that is also the console's),
/// each located at the first `[drivers.<name>]` that needs it.
pub fn assignments(device: &crate::model::Device) -> Vec<crate::kconfig::Assignment> {
    let mut out: Vec<crate::kconfig::Assignment> = Vec::new();
    for d in &device.drivers {
        let Some(symbol) = kind(&d.peripheral.driver).and_then(|k| k.symbol) else { continue };
        let key = symbol.to_lowercase().replace('_', "-");
        if !out.iter().any(|a| a.key == key) {
            out.push(crate::kconfig::Assignment { key, value: toml::Value::Boolean(true), origin: crate::kconfig::Origin::User, location: d.at.clone() });
        }
    }
    out
}

/// A driver that blocks threads until its interrupt needs the kernel's
/// semaphore (and so threads and the tick): a located error per driver
/// otherwise, with the key to set.
pub fn needs(device: &crate::model::Device, config: &crate::kconfig::Config) -> Vec<Diagnostic> {
    let on = |name: &str| matches!(config.get(name).and_then(|s| s.value.clone()), Some(crate::kconfig::Value::Bool(true)));
    // A driver's own symbol, which `[features]` could turn off again.
    let mut out: Vec<Diagnostic> = device
        .drivers
        .iter()
        .filter_map(|d| Some((d, kind(&d.peripheral.driver)?.symbol.filter(|s| !on(s))?)))
        .map(|(d, symbol)| {
            let key = symbol.to_lowercase().replace('_', "-");
            Diagnostic::error(format!("driver `{}` needs `{key}`, which [features] turns off", d.name))
                .at(d.at.clone())
                .key(format!("drivers.{}", d.name))
                .why(format!("bluegen turns `{key}` on for a [drivers.<name>] of this kind: it is the driver's code in the crate the console also uses"))
                .hint(format!("remove `{key} = false` from [features], or the [drivers.{}] table", d.name))
        })
        .collect();
    if on("SEMAPHORE") {
        return out;
    }
    out.extend(device
        .drivers
        .iter()
        .filter_map(|d| Some((d, kind(&d.peripheral.driver).filter(|k| k.blocks)?)))
        .map(|(d, k)| {
            Diagnostic::error(format!("driver `{}` needs the kernel's semaphore, which is off", d.name))
                .at(d.at.clone())
                .key(format!("drivers.{}", d.name))
                .why(format!("the {} driver blocks the calling thread until its interrupt handler gives a semaphore (`semaphore`, with `threads` and `preempt`)", k.what))
                .hint("set features.semaphore = true in device.toml (or use the `standard` preset)")
        }));
    out
}

/// The device's drivers for the templates (`bluegen_config::drivers`):
/// token name, kind marker, address, clock, divisor and what it is, for
/// its doc line.
pub fn context(device: &crate::model::Device) -> Vec<minijinja::Value> {
    device
        .drivers
        .iter()
        .filter_map(|d| {
            let k = kind(&d.peripheral.driver)?;
            let irqs = d.peripheral.interrupts.iter().map(|(n, irq)| format!("{n} = IRQ {irq}")).collect::<Vec<_>>().join(", ");
            Some(minijinja::context! {
                name => d.name.to_uppercase(),
                table => &d.name,
                marker => k.marker,
                what => k.what,
                peripheral => &d.peripheral.name,
                base => d.peripheral.base,
                clock_hz => d.peripheral.clock_hz,
                divisor => d.divisor,
                size => d.peripheral.size,
                erase_size => d.peripheral.erase_size,
                interrupts => irqs,
            })
        })
        .collect()
}

/// The `[drivers.<name>]` that holds the filesystem (Kconfig `FS_FLASH`):
/// the device's one flash driver, or none.
pub fn fs_disk(device: &crate::model::Device, config: &crate::kconfig::Config) -> Option<String> {
    let on = matches!(config.get("FS_FLASH").and_then(|s| s.value.clone()), Some(crate::kconfig::Value::Bool(true)));
    let mut flashes = device.drivers.iter().filter(|d| d.peripheral.driver == "pflash-cfi01");
    match (on, flashes.next(), flashes.next()) {
        (true, Some(d), None) => Some(d.name.clone()),
        _ => None,
    }
}

/// `fs-flash` needs exactly one flash driver to keep the filesystem on:
/// a located error otherwise, at the assignment.
pub fn fs_disk_problems(device: &crate::model::Device, config: &crate::kconfig::Config, assignments: &[crate::kconfig::Assignment]) -> Vec<Diagnostic> {
    let on = matches!(config.get("FS_FLASH").and_then(|s| s.value.clone()), Some(crate::kconfig::Value::Bool(true)));
    let flashes: Vec<&str> = device.drivers.iter().filter(|d| d.peripheral.driver == "pflash-cfi01").map(|d| d.name.as_str()).collect();
    if !on || flashes.len() == 1 {
        return Vec::new();
    }
    let at = assignments.iter().rev().find(|a| a.key == "fs-flash").and_then(|a| a.location.clone());
    let banks: Vec<&str> = device.board.peripherals.iter().filter(|p| p.driver == "pflash-cfi01").map(|p| p.name.as_str()).collect();
    let d = Diagnostic::error(if flashes.is_empty() { "`fs-flash` without a flash driver".to_string() } else { format!("`fs-flash` with {} flash drivers", flashes.len()) })
        .at(at)
        .key("features.fs-flash")
        .value("true");
    vec![if flashes.is_empty() {
        d.why("the filesystem lives on the flash bank of a `[drivers.<name>]` of a pflash-cfi01 peripheral, and device.toml has none").hint(match banks.first() {
            Some(bank) => format!("add `[drivers.disk]` with `peripheral = \"{bank}\"`, or remove `fs-flash` for a RAM disk"),
            None => format!("board {} has no flash bank (pflash-cfi01): remove `fs-flash` for a RAM disk", device.board.name),
        })
    } else {
        d.why(format!("the filesystem lives on one flash bank, and [drivers] has {}: {}", flashes.len(), flashes.join(", "))).hint("keep one pflash-cfi01 driver")
    }]
}

/// An app that depends on a driver crate whose kind device.toml declares
/// no driver of: its code names a token (`bluegen_config::drivers::…`) that
/// only a `[drivers.<name>]` makes, so the build would fail in rustc.
/// Located at the dependency's line of the app's Cargo.toml.
pub fn undeclared(device: &crate::model::Device) -> Vec<Diagnostic> {
    let manifest = device.app.dir.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).unwrap_or_default();
    KINDS
        .iter()
        .filter(|k| {
            let ident = format!("bluegen_{}", k.name.replace('-', "_"));
            device.app.dependencies.contains(&ident) && !device.drivers.iter().any(|d| d.peripheral.driver == k.name)
        })
        .map(|k| {
            let package = format!("bluegen-{}", k.name);
            let line = text.lines().position(|l| l.trim_start().starts_with(&package)).map_or(1, |n| n + 1);
            let offer: Vec<&str> = device.board.peripherals.iter().filter(|p| p.driver == k.name && (k.shares_console || Some(p.base) != device.board.console.as_ref().map(|c| c.base))).map(|p| p.name.as_str()).collect();
            let d = Diagnostic::error(format!("the app depends on `{package}`, and device.toml declares no driver of it"))
                .at(Some(crate::diag::Location::at(manifest.clone(), line, 1)))
                .key(format!("dependencies.{package}"))
                .why(format!("the {} driver takes a token of `bluegen_config::drivers`, which only a [drivers.<name>] of a `{}` peripheral makes", k.what, k.name));
            match offer.first() {
                Some(first) => d.hint(format!("add to device.toml\n\n    [drivers.{}]\n    peripheral = \"{first}\"\n\n(board {}'s `{}` peripherals: {}), or remove the dependency", k.name.split('-').next().unwrap_or("driver"), device.board.name, k.name, offer.join(", "))),
                None => d.hint(format!("board {} has no `{}` peripheral: remove the dependency, or pick a board that has one", device.board.name, k.name)),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    /// A board file's `[peripherals]` mistakes: a kind that is no driver,
    /// an interrupt name the board's `[interrupts]` lacks, an address that
    /// is none — each located in the board file.
    #[test]
    fn board_peripheral_mistakes_are_located() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mine.toml");
        let text = "[board]\ndescription = \"d\"\narch = \"cortex-m\"\ntarget = \"thumbv7m-none-eabi\"\n\n[memory]\nflash = { origin = 0, size = \"4M\" }\nram = { origin = 0x2000_0000, size = \"4M\" }\n\n[exit]\nmethod = \"halt\"\n\n[interrupts]\nirqs = 32\npriority-bits = 3\nsources = { uart1-rx = 2 }\n\n[peripherals.uart1]\nkind = \"uart-cmsdx\"\nbase = 0x4000_5000\ninterrupts = [\"uart1-rx\", \"uart1-tx\"]\n\n[peripherals.timer0]\nkind = \"timer-cmsdk\"\nbase = \"here\"\nclock-hz = 12_500_000\n";
        std::fs::write(&path, text).unwrap();
        let err = crate::board::Board::from_file(&path).unwrap_err();
        let out = crate::diag::render(&err.diagnostics).replace(&dir.path().display().to_string(), "[DIR]");
        insta::assert_snapshot!(out, @r#"
        error: invalid board file: there is no driver kind `uart-cmsdx`
          --> [DIR]/mine.toml:19:8
           |
        19 | kind = "uart-cmsdx"
           |        ^^^^^^^^^^^^
           = key: peripherals.uart1.kind
           = value: "uart-cmsdx"
           = hint: did you mean `uart-cmsdk`?

        error: invalid board file: `uart1-tx` is not a source of the board's [interrupts] table
          --> [DIR]/mine.toml:21:27
           |
        21 | interrupts = ["uart1-rx", "uart1-tx"]
           |                           ^^^^^^^^^^
           = key: peripherals.uart1.interrupts
           = value: "uart1-tx"
           = hint: name sources the board's [interrupts] table has: uart1-rx

        error: invalid board file: `here` is not an address
          --> [DIR]/mine.toml:25:8
           |
        25 | base = "here"
           |        ^^^^^^
           = key: peripherals.timer0.base
           = value: "here"
           = hint: write the register block's address, such as 0x4000_5000

        error: invalid board file: the CMSDK timer driver needs a clock of a whole number of MHz
          --> [DIR]/mine.toml:26:12
           |
        26 | clock-hz = 12_500_000
           |            ^^^^^^^^^^
           = key: peripherals.timer0.clock-hz
           = value: 12_500_000
           = hint: write the timer's input clock in Hz, such as 25_000_000
        "#);
    }
}
