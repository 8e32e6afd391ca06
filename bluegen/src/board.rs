//! Boards: one TOML data file per board in `boards/`, loaded and checked.
//!
//! A board names its architecture and target triple, its flash and RAM
//! regions, its console driver and how a run ends, and — for emulated boards —
//! how QEMU boots it. Adding a board means adding a file, not code.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::diag::{Diagnostic, Error, Location, Result, Source};
use crate::load::parse;
use crate::model::Region;
use crate::root::Root;
pub use crate::arch::Arch;
use crate::schema::{Key, Kind, Schema, opt, req};
use crate::units::{address, size};

/// The keys of a board file (see [`RawBoardFile`]); the book's boards page documents each.
pub const SCHEMA: Schema = &[
    req("board", Kind::Table(&[req("description", Kind::Str), req("arch", Kind::OneOf(&["cortex-m", "riscv", "aarch64"])), opt("target", Kind::Str), opt("chip", Kind::Str)])),
    opt("memory", Kind::Table(&[req("flash", Kind::Table(REGION)), req("ram", Kind::Table(REGION))])),
    opt("console", Kind::Table(&[req("driver", Kind::Str), req("base", Kind::Address)])),
    req("exit", Kind::Table(&[req("method", Kind::OneOf(&["semihosting", "sifive-test", "halt"])), opt("base", Kind::Address)])),
    opt(
        "qemu",
        Kind::Table(&[
            req("binary", Kind::Str),
            req("package", Kind::Str),
            req("args", Kind::StrArray),
            opt("icount", Kind::Table(&[req("args", Kind::Str), req("units-per-instruction", Kind::Number)])),
        ]),
    ),
    opt("interrupts", Kind::Table(&[req("irqs", Kind::Number), req("priority-bits", Kind::Number), opt("software", Kind::Number), opt("sources", Kind::AnyTable)])),
    opt("peripherals", Kind::AnyTable),
    opt("features", Kind::AnyTable),
    opt("isolation", Kind::Table(&[req("kind", Kind::OneOf(&["pmsav7", "pmsav8", "pmp"])), req("regions", Kind::Number)])),
    opt("boot-image", Kind::Table(&[req("file", Kind::Str), req("instructions", Kind::Str)])),
];
const REGION: &[Key] = &[req("origin", Kind::Address), req("size", Kind::Size)];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawBoardFile {
    board: RawBoard,
    /// Optional when the board names a chip: the registry has its regions.
    memory: Option<RawBoardMemory>,
    console: Option<RawConsole>,
    exit: RawExit,
    qemu: Option<RawQemu>,
    /// The chip's interrupt controller: how many device interrupts, how many
    /// priority bits, and names for the sources a device may write.
    interrupts: Option<RawInterrupts>,
    /// `[peripherals.<name>]`: what a device's `[drivers]` may take.
    #[serde(default)]
    peripherals: std::collections::BTreeMap<Spanned<String>, Spanned<crate::peripherals::RawPeripheral>>,
    /// Kconfig values the board implies (its clock, say), applied before
    /// the preset's and the device's.
    #[serde(default)]
    features: std::collections::BTreeMap<Spanned<String>, Spanned<toml::Value>>,
    /// The core's memory protection, for device.toml's `isolation`.
    isolation: Option<RawIsolation>,
    /// A board whose boot loader loads the image from a file (no probe).
    boot_image: Option<RawBootImage>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBootImage {
    file: Spanned<String>,
    instructions: String,
}

/// `[boot-image]`: the file name a board's boot loader loads (the raw
/// image, from the flash origin on) and how to put it there.
#[derive(Debug, Clone, Serialize)]
pub struct BootImage {
    pub file: String,
    pub instructions: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawIsolation {
    kind: Spanned<String>,
    regions: Spanned<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawBoard {
    description: String,
    arch: Spanned<String>,
    /// Optional when `chip` is given: derived from the chip's core.
    target: Option<String>,
    /// The probe-rs chip name, for memory regions and flashing.
    chip: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawBoardMemory {
    flash: RawRegion,
    ram: RawRegion,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawRegion {
    origin: Spanned<toml::Value>,
    size: Spanned<toml::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConsole {
    driver: Spanned<String>,
    base: Spanned<toml::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawExit {
    method: Spanned<String>,
    base: Option<Spanned<toml::Value>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawQemu {
    binary: String,
    package: String,
    args: Vec<String>,
    icount: Option<RawIcount>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawInterrupts {
    irqs: Spanned<u32>,
    priority_bits: Spanned<u8>,
    /// RISC-V: software-triggered interrupts (`soft0`..), numbered after
    /// the PLIC's sources.
    software: Option<Spanned<u32>>,
    #[serde(default)]
    sources: std::collections::BTreeMap<Spanned<String>, Spanned<u32>>,
}

/// How `bluegen bench` counts instructions deterministically on the board.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawIcount {
    /// The value of QEMU's `-icount` option.
    args: String,
    /// Counter units (the kernel's `counter()`) per guest instruction.
    units_per_instruction: f64,
}

/// A memory-mapped console: a driver component and its base address.
#[derive(Debug, Clone, Serialize)]
pub struct Console {
    pub driver: String,
    pub base: u64,
    /// Where the board file names the driver, for messages.
    #[serde(skip)]
    pub driver_at: Option<Location>,
}

/// How a run ends: the kernel's exit status leaves the machine this way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "method", rename_all = "kebab-case")]
pub enum Exit {
    /// Arm semihosting SYS_EXIT.
    Semihosting,
    /// The SiFive test device at `base` (QEMU virt).
    SifiveTest { base: u64 },
    /// No way out: halt the core (real hardware).
    Halt,
}

/// How QEMU boots the board.
#[derive(Debug, Clone, Serialize)]
pub struct Qemu {
    pub binary: String,
    /// The Debian package that provides `binary`.
    pub package: String,
    pub args: Vec<String>,
    /// Deterministic instruction counting, where the board supports it.
    pub icount: Option<Icount>,
}

/// QEMU's `-icount` value for the board and what the kernel's counter
/// reads per instruction under it.
#[derive(Debug, Clone, Serialize)]
pub struct Icount {
    pub args: String,
    pub units_per_instruction: f64,
}

/// The chip's interrupt controller as the board data describes it: the
/// NVIC's device interrupts (IRQ 0 to `irqs` - 1) or the PLIC's sources (1 to
/// `irqs` - 1; source 0 does not exist), the priority bits the controller
/// implements, and source names (`uart0-rx`, `timer0`) a device may write.
#[derive(Debug, Clone, Serialize)]
pub struct Interrupts {
    pub irqs: u32,
    pub priority_bits: u8,
    /// RISC-V software interrupts: `soft0` to `soft<software - 1>`, numbers
    /// `irqs` to `irqs + software - 1` (0 on Cortex-M, which pends any NVIC
    /// IRQ from software).
    pub software: u32,
    /// Names with their IRQ numbers, lowest number first (the software
    /// interrupts' `softN` included).
    pub sources: Vec<(String, u32)>,
}

impl Interrupts {
    /// The highest priority a device may give an interrupt: priorities run
    /// from 1 (lowest; one level above PendSV's, or the PLIC's "never" 0) to
    /// 2^bits - 1 (the controller's most urgent level).
    pub fn max_priority(&self) -> u32 {
        (1u32 << self.priority_bits.min(8)) - 1
    }
}

/// The memory protection of the board's core: what isolated threads run under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Protection {
    /// Armv7-M MPU (Cortex-M3/M4/M7): power-of-two regions aligned to their size.
    Pmsav7,
    /// Armv8-M MPU (Cortex-M23/M33): base and limit in 32-byte granules.
    Pmsav8,
    /// RISC-V physical memory protection: NAPOT or TOR entries.
    Pmp,
}

impl Protection {
    pub fn as_str(self) -> &'static str {
        match self {
            Protection::Pmsav7 => "pmsav7",
            Protection::Pmsav8 => "pmsav8",
            Protection::Pmp => "pmp",
        }
    }
}

/// `[isolation]` of a board file: the protection unit and its region (or PMP entry) count.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Isolation {
    pub kind: Protection,
    pub regions: u32,
}

/// A validated board.
#[derive(Debug, Clone, Serialize)]
pub struct Board {
    pub name: String,
    pub description: String,
    pub arch: Arch,
    pub target: String,
    pub flash: Region,
    pub ram: Region,
    pub console: Option<Console>,
    pub exit: Exit,
    pub qemu: Option<Qemu>,
    /// The interrupt controller, when the board data describes it.
    pub interrupts: Option<Interrupts>,
    /// `[peripherals.<name>]`, by name: what device.toml's `[drivers]` may take.
    pub peripherals: Vec<crate::peripherals::Peripheral>,
    /// The core's MPU or PMP (none: the core has neither, or the board does not say).
    pub isolation: Option<Isolation>,
    /// The probe-rs chip on the board, if it is real hardware.
    pub chip: Option<String>,
    /// What `bluegen flash` writes for a board that boots from a file.
    pub boot_image: Option<BootImage>,
    /// That chip's maker, to warn when a device puts another vendor's chip
    /// on the board.
    #[serde(skip)]
    pub chip_vendor: Option<String>,
    /// The board's Kconfig values, applied before the preset's.
    #[serde(skip)]
    pub features: Vec<crate::kconfig::Assignment>,
    #[serde(skip)]
    pub path: PathBuf,
    /// Where the board file gives the flash and RAM sizes.
    #[serde(skip)]
    pub flash_at: Option<Location>,
    #[serde(skip)]
    pub ram_at: Option<Location>,
}

impl Board {
    /// Loads `boards/<name>.toml`; `used_at` is where the device named it.
    /// `key` is what named the board, for messages: `device.board`, or a
    /// flag such as `--board`.
    pub fn load(root: &Root, name: &str, used_at: Option<Location>, key: &str) -> Result<Board> {
        let path = Root::data_file(&root.boards(), name).map_err(|why| {
            let known = Root::data_names(&root.boards());
            Diagnostic::error(format!("unknown board `{name}`"))
                .at(used_at)
                .key(key.to_string())
                .value(format!("{name:?}"))
                .why(why)
                .hint(Board::unknown_hint(name, &known))
        })?;
        Board::from_file(&path)
    }

    /// The hint for an unknown board name: the closest of `known`, or the
    /// list of them.
    pub fn unknown_hint(name: &str, known: &[String]) -> String {
        match Root::closest(name, known, "board") {
            list if list.starts_with("known") => format!("{list} (see `bluegen boards`)"),
            hint => hint,
        }
    }

    /// Parses and checks one board file: every mistake of it in one run.
    pub fn from_file(path: &Path) -> Result<Board> {
        let source = Source::read(path)?;
        let raw: RawBoardFile = parse(&source, "board", SCHEMA)?;
        let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_string();
        let at = |span: std::ops::Range<usize>| Some(source.location(span));
        let errors = std::cell::RefCell::new(Vec::new());
        let bad = |span: std::ops::Range<usize>, key: &str, why: String, hint: &str| {
            errors.borrow_mut().push(
                Diagnostic::error(format!("invalid board file: {why}"))
                    .at(at(span.clone()))
                    .key(key.to_string())
                    .value(source.text.get(span).unwrap_or_default().to_string())
                    .hint(hint.to_string()),
            );
        };
        let number = |v: &Spanned<toml::Value>, key: &str, parse: fn(&toml::Value) -> std::result::Result<u64, String>, hint: &str| {
            parse(v.get_ref()).map_err(|why| bad(v.span(), key, why, hint)).ok()
        };
        let arch = match raw.board.arch.get_ref().as_str() {
            "cortex-m" => Some(Arch::CortexM),
            "riscv" => Some(Arch::Riscv),
            "aarch64" => Some(Arch::Aarch64),
            other => {
                bad(raw.board.arch.span(), "board.arch", format!("unknown architecture `{other}`"), "use `cortex-m`, `riscv` or `aarch64`");
                None
            }
        };
        let region = |r: &RawRegion, key: &str| -> Option<Region> {
            let origin = number(&r.origin, &format!("memory.{key}.origin"), address, "write an address such as 0x2000_0000");
            let size = number(&r.size, &format!("memory.{key}.size"), size, "write a size such as \"256K\" or 0x4_0000");
            Some(Region { origin: origin?, size: size? })
        };
        let chip = match &raw.board.chip {
            Some(c) => match crate::chip::lookup(c.get_ref(), "board.chip", at(c.span())) {
                Ok(chip) => Some(chip),
                Err(e) => {
                    errors.borrow_mut().extend(e.diagnostics);
                    None
                }
            },
            None => None,
        };
        let regions = match (&raw.memory, &chip) {
            (Some(m), _) => {
                let (flash, ram) = (region(&m.flash, "flash"), region(&m.ram, "ram"));
                // arch-aarch64's translation table maps the 32-bit address space in 1 GiB blocks.
                for (r, v, key) in [(&flash, &m.flash.origin, "memory.flash.origin"), (&ram, &m.ram.origin, "memory.ram.origin")] {
                    if let Some(why) = r.zip(arch).and_then(|(r, a)| a.unmappable(r.origin, r.size)) {
                        bad(v.span(), key, why, "put flash and RAM below 0x1_0000_0000, each inside one 1 GiB block");
                    }
                }
                flash.zip(ram).map(|(f, r)| ((f, at(m.flash.size.span())), (r, at(m.ram.size.span()))))
            }
            (None, Some(chip)) => {
                let chip_at = raw.board.chip.as_ref().and_then(|c| at(c.span()));
                Some(((chip.flash, chip_at.clone()), (chip.ram, chip_at)))
            }
            (None, None) => {
                if raw.board.chip.is_none() {
                    bad(0..0, "memory", "a board needs a [memory] table, or a `chip` whose regions probe-rs knows".into(), "add [memory] with `flash` and `ram` regions, or `chip` to [board]");
                }
                None
            }
        };
        let target = match (raw.board.target, chip.as_ref().and_then(|c| c.target.clone())) {
            (Some(t), _) | (None, Some(t)) => Some(t),
            (None, None) => {
                if raw.board.chip.is_none() || chip.is_some() {
                    bad(raw.board.arch.span(), "board.target", "the board gives no `target` and its chip's core has no Rust target bluegen supports".into(), "add `target = \"thumbv7m-none-eabi\"` (or the chip's triple) to [board]");
                }
                None
            }
        };
        let console = raw.console.and_then(|c| {
            Some(Console {
                base: number(&c.base, "console.base", address, "write the console's address, such as 0x4000_4000")?,
                driver_at: at(c.driver.span()),
                driver: c.driver.into_inner(),
            })
        });
        let exit = match (raw.exit.method.get_ref().as_str(), &raw.exit.base) {
            ("semihosting", _) => Some(Exit::Semihosting),
            ("halt", _) => Some(Exit::Halt),
            ("sifive-test", Some(base)) => {
                number(base, "exit.base", address, "write the test device's address, such as 0x10_0000").map(|base| Exit::SifiveTest { base })
            }
            ("sifive-test", None) => {
                bad(raw.exit.method.span(), "exit.base", "`sifive-test` needs the device's `base` address".into(), "add `base = 0x10_0000` (the SiFive test device's address) to [exit]");
                None
            }
            (other, _) => {
                bad(raw.exit.method.span(), "exit.method", format!("unknown exit method `{other}`"), "use `semihosting`, `sifive-test` or `halt`");
                None
            }
        };
        let interrupts = raw.interrupts.as_ref().map(|i| {
            let (irqs, bits) = (*i.irqs.get_ref(), *i.priority_bits.get_ref());
            // The PLIC's sources, the GIC's INTIDs (1020: 1020-1023 are special), the NVIC's IRQs.
            let limit = match arch {
                Some(Arch::Riscv) => 1024,
                Some(Arch::Aarch64) => 1020,
                _ => 496,
            };
            let soft_max = if arch == Some(Arch::Aarch64) { 16 } else { 32 };
            if irqs == 0 || irqs > limit {
                bad(i.irqs.span(), "interrupts.irqs", format!("{irqs} interrupts: the controller has 1 to {limit}"), "write the chip's interrupt count, such as `irqs = 32`");
            }
            if !(1..=8).contains(&bits) {
                bad(i.priority_bits.span(), "interrupts.priority-bits", format!("{bits} priority bits: the controller implements 1 to 8"), "write the bits the chip implements, such as `priority-bits = 3`");
            }
            let first = match arch {
                Some(Arch::Riscv) => 1,
                // Below 32 the SGIs and the core's PPIs, not devices'.
                Some(Arch::Aarch64) => 32,
                _ => 0,
            };
            for (name, irq) in &i.sources {
                if !(first..irqs).contains(irq.get_ref()) {
                    bad(irq.span(), &format!("interrupts.sources.{}", name.get_ref()), format!("source {} is outside {first} to {}", irq.get_ref(), irqs.saturating_sub(1)), "write an IRQ number below `irqs`");
                }
            }
            let software = i.software.as_ref().map_or(0, |n| *n.get_ref());
            // `software = N` names soft0 to soft<N-1>: a source of one of those names would be two interrupts of one name.
            for (name, irq) in &i.sources {
                if let Some(k) = (0..software.min(soft_max)).find(|k| *name.get_ref() == format!("soft{k}")).filter(|_| matches!(arch, Some(Arch::Riscv | Arch::Aarch64))) {
                    bad(name.span(), &format!("interrupts.sources.{}", name.get_ref()), format!("source `{}` ({}) has the name of software interrupt `{}` (source {}, from `software = {software}`)", name.get_ref(), irq.get_ref(), name.get_ref(), irqs + k), "rename the source: `soft0` to `soft<N-1>` are the software interrupts' names");
                }
            }
            if let Some(n) = &i.software {
                if !matches!(arch, Some(Arch::Riscv | Arch::Aarch64)) || *n.get_ref() > soft_max {
                    bad(n.span(), "interrupts.software", format!("{software} software interrupts: only RISC-V boards (0 to 32) and AArch64 ones (0 to 16, the GIC's SGIs) have them (a Cortex-M thread pends any NVIC IRQ)"), "remove `software`, or write a count from 0 to 32 on a RISC-V board, 0 to 16 on an AArch64 one");
                }
            }
            let mut sources: Vec<(String, u32)> = i.sources.iter().map(|(n, v)| (n.get_ref().clone(), *v.get_ref())).collect();
            sources.extend((0..software.min(soft_max)).map(|k| (format!("soft{k}"), irqs + k)));
            sources.sort_by_key(|(_, irq)| *irq);
            Interrupts { irqs, priority_bits: bits, software, sources }
        });
        // A plain file name: `bluegen flash` writes it beside the ELF, never elsewhere.
        let boot_image = raw.boot_image.as_ref().and_then(|b| {
            let file = b.file.get_ref();
            let plain = !file.is_empty() && !file.contains(['/', '\\']) && file != "." && file != "..";
            if !plain {
                bad(b.file.span(), "boot-image.file", format!("`{file}` is not a plain file name"), "write the name the boot loader looks for, such as \"kernel8.img\"");
            }
            plain.then(|| BootImage { file: file.clone(), instructions: b.instructions.clone() })
        });
        let isolation = raw.isolation.as_ref().and_then(|i| {
            let kind = match i.kind.get_ref().as_str() {
                "pmsav7" => Protection::Pmsav7,
                "pmsav8" => Protection::Pmsav8,
                _ => Protection::Pmp,
            };
            let regions = *i.regions.get_ref();
            let fits = match kind {
                Protection::Pmp => (4..=64).contains(&regions),
                _ => (4..=16).contains(&regions),
            };
            if !fits {
                bad(i.regions.span(), "isolation.regions", format!("{regions} regions: a {} unit has 4 to {}", kind.as_str(), if kind == Protection::Pmp { 64 } else { 16 }), "write the count the core implements, such as `regions = 8`");
                return None;
            }
            Some(Isolation { kind, regions })
        });
        let peripherals = crate::peripherals::from_board(&raw.peripherals, interrupts.as_ref(), &source, &mut errors.borrow_mut());
        let mut errors = errors.into_inner();
        errors.sort_by_key(|d| d.location.as_ref().map(|l| (l.line, l.col)));
        let (Some(arch), Some(((flash, flash_at), (ram, ram_at))), Some(target), Some(exit), true) = (arch, regions, target, exit, errors.is_empty()) else {
            return Err(Error { diagnostics: errors });
        };
        let features = raw
            .features
            .iter()
            .map(|(key, value)| crate::kconfig::Assignment {
                key: key.get_ref().clone(),
                value: value.get_ref().clone(),
                origin: crate::kconfig::Origin::Board(name.clone()),
                location: at(key.span()),
            })
            .collect();
        Ok(Board {
            name,
            description: raw.board.description,
            arch,
            target,
            flash,
            ram,
            console,
            exit,
            qemu: raw.qemu.map(|q| Qemu {
                binary: q.binary,
                package: q.package,
                args: q.args,
                icount: q.icount.map(|i| Icount { args: i.args, units_per_instruction: i.units_per_instruction }),
            }),
            interrupts,
            peripherals,
            isolation,
            chip_vendor: chip.as_ref().and_then(|c| c.vendor.clone()),
            chip: chip.map(|c| c.name),
            boot_image,
            features,
            path: path.to_path_buf(),
            flash_at,
            ram_at,
        })
    }

    /// A board made from a chip alone: no console, and a run ends by halting.
    pub fn from_chip(chip: &crate::chip::Chip, used_at: Option<Location>) -> Result<Board> {
        let Some(target) = chip.target.clone() else {
            return Err(Diagnostic::error(format!("chip `{}` has a {} core, which bluegen cannot build for", chip.name, chip.core))
                .at(used_at)
                .key("device.chip")
                .hint("bluegen supports Cortex-M (ARMv6-M, v7-M, v7E-M, v8-M) and RISC-V chips")
                .into());
        };
        let arch = Arch::of_target(&target);
        Ok(Board {
            name: format!("chip-{}", chip.name.to_lowercase()),
            description: format!("{} ({} family, {})", chip.name, chip.family, chip.core),
            arch,
            target,
            flash: chip.flash,
            ram: chip.ram,
            console: None,
            exit: Exit::Halt,
            qemu: None,
            interrupts: None,
            peripherals: Vec::new(),
            isolation: None,
            features: Vec::new(),
            chip: Some(chip.name.clone()),
            boot_image: None,
            chip_vendor: chip.vendor.clone(),
            path: PathBuf::new(),
            flash_at: used_at.clone(),
            ram_at: used_at,
        })
    }

    /// Every board in `boards/`, sorted by name; the mistakes of every
    /// board file that has some.
    pub fn all(root: &Root) -> Result<Vec<Board>> {
        let (mut boards, mut mistakes) = (Vec::new(), Vec::new());
        for name in Root::data_names(&root.boards()) {
            match Board::from_file(&root.boards().join(format!("{name}.toml"))) {
                Ok(board) => boards.push(board),
                Err(e) => mistakes.extend(e.diagnostics),
            }
        }
        if mistakes.is_empty() { Ok(boards) } else { Err(Error { diagnostics: mistakes }) }
    }
}
