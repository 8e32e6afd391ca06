//! The validated device model that every stage after [`crate::validate`] uses.
//!
//! Unlike the raw structs of [`crate::load`], everything here has been checked:
//! the board exists, memory fits the board, threads are well-formed. Spans are
//! kept only where a later stage can still reject a value (feature values).

use std::path::PathBuf;

use serde::Serialize;

use crate::board::Board;
use crate::kconfig::Assignment;

/// A memory region: where it starts and how many bytes it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Region {
    pub origin: u64,
    pub size: u64,
}

impl Region {
    /// The first address past the region (saturating: validation refuses
    /// regions that wrap).
    pub fn end(&self) -> u64 {
        self.origin.saturating_add(self.size)
    }
}

/// A device, ready to resolve and build.
#[derive(Debug, Clone)]
pub struct Device {
    /// The device.toml this came from.
    pub manifest: PathBuf,
    /// The project directory (the one holding device.toml).
    pub dir: PathBuf,
    pub name: String,
    /// Where device.toml names the device.
    pub name_at: Option<crate::diag::Location>,
    pub board: Board,
    pub preset: Option<Preset>,
    pub app: App,
    pub flash: Region,
    pub ram: Region,
    /// Where the flash and RAM sizes in force were written (device or board).
    pub flash_at: Option<crate::diag::Location>,
    pub ram_at: Option<crate::diag::Location>,
    /// `[features]` in file order, as Kconfig assignments by the user.
    pub features: Vec<Assignment>,
    /// Threads, highest priority first (ties keep file order).
    pub threads: Vec<Thread>,
    /// `[interrupts.<name>]` in file order, each source once.
    pub interrupts: Vec<Interrupt>,
    /// `[drivers.<name>]` in file order, each peripheral once.
    pub drivers: Vec<Driver>,
    /// `[drivers.<name>]` with C `sources`, in file order.
    pub c_drivers: Vec<CDriver>,
    /// `[regions.<name>]` in file order: what isolated threads may reach.
    pub regions: Vec<crate::isolation::MemRegion>,
    /// `[models.<name>]` in file order, each read and checked against its engine.
    pub models: Vec<crate::ml::Model>,
    pub budget: Budget,
    /// `[test]`: what a passing run looks like (none: `bluegen test` skips the device).
    pub test: Option<crate::testing::TestSpec>,
    /// Warnings found while validating (e.g. a chip on another vendor's
    /// board); resolve passes them on with the configuration's.
    pub warnings: Vec<crate::diag::Diagnostic>,
    /// `[c]`: the app's C sources and how to compile them (none: a Rust-only
    /// image, which needs nothing of C).
    pub c: Option<CApp>,
    /// A build variant (e.g. `without-console` for `size --feature-cost`),
    /// rendered and built apart from the device's own image.
    pub variant: Option<String>,
    /// A variant built only to be measured, never run: the image links
    /// with its undefined symbols left unresolved (the functions of a C
    /// driver `size --feature-cost` took out, which the rest still calls).
    pub measure_only: bool,
}

/// The device's C code: what `[c]` names, checked, and the toolchain found.
#[derive(Debug, Clone)]
pub struct CApp {
    /// The C (and assembly) sources, absolute, in file order.
    pub sources: Vec<PathBuf>,
    /// Include directories, absolute.
    pub include: Vec<PathBuf>,
    /// Macros: name and value (`None`: defined without a value).
    pub defines: Vec<(String, Option<String>)>,
    pub toolchain: crate::c::Toolchain,
    /// The `[c]` header.
    pub at: Option<crate::diag::Location>,
}

/// Size limits from `[budget]`, each with where it was written.
#[derive(Debug, Clone, Default)]
pub struct Budget {
    pub flash: Option<Limit>,
    pub ram: Option<Limit>,
    /// Flash bytes of the models' weights and inference code
    /// (`model-flash`), and RAM bytes of their arenas (`model-ram`).
    pub model_flash: Option<Limit>,
    pub model_ram: Option<Limit>,
    /// Flash bytes per component.
    pub components: Vec<(String, Limit)>,
}

/// One limit in bytes.
#[derive(Debug, Clone)]
pub struct Limit {
    pub bytes: u64,
    pub location: Option<crate::diag::Location>,
}

/// A preset named by the device, with its location for error messages.
#[derive(Debug, Clone)]
pub struct Preset {
    pub name: String,
    pub location: Option<crate::diag::Location>,
}

/// The device's app crate, whose functions are thread entries.
#[derive(Debug, Clone)]
pub struct App {
    pub dir: PathBuf,
    /// Its package name, from its Cargo.toml.
    pub package: String,
    /// Where its Cargo.toml names the package.
    pub package_at: Option<crate::diag::Location>,
    /// The crate names (`-` as `_`) of its direct dependencies.
    pub dependencies: Vec<String>,
    /// The kernel paths its sources write (`Queue`, `sync::Mutex`), each
    /// where first written: checked against the resolved features.
    pub uses: Vec<(String, crate::diag::Location)>,
}

/// One statically declared thread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Thread {
    pub name: String,
    /// A function of the app crate, e.g. `main` or `sensors::poll`.
    pub entry: String,
    pub priority: u8,
    pub stack: u32,
    /// Whether `entry` is a C function of `[c]`'s sources (`c-entry`), not
    /// a Rust function of the app crate.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub c: bool,
    /// Whether it is ready at start-up (`start = false`: it starts
    /// suspended, until another thread resumes it).
    pub start: bool,
    /// Its isolation keys (defaults when it writes none).
    #[serde(skip)]
    pub isolation: crate::isolation::ThreadIsolation,
    /// Where device.toml gives the priority, for errors found later.
    #[serde(skip)]
    pub priority_at: Option<crate::diag::Location>,
    /// Where device.toml gives the stack size.
    #[serde(skip)]
    pub stack_at: Option<crate::diag::Location>,
    /// Where device.toml gives `start`.
    #[serde(skip)]
    pub start_at: Option<crate::diag::Location>,
    /// Where device.toml names the entry (`entry` or `c-entry`).
    #[serde(skip)]
    pub entry_at: Option<crate::diag::Location>,
    /// The `[threads.<name>]` header.
    #[serde(skip)]
    pub at: Option<crate::diag::Location>,
}

/// One declared interrupt: its source, the app function that handles it
/// and its priority.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Interrupt {
    pub name: String,
    /// The NVIC IRQ number (Cortex-M) or PLIC source (RISC-V).
    pub irq: u32,
    /// A function of the app crate, e.g. `on_timer` or `uart::on_rx`.
    pub handler: String,
    /// `handler` is a C function (`c-handler`), not a Rust one.
    pub c: bool,
    /// 1 (lowest) to the board's [`crate::board::Interrupts::max_priority`].
    pub priority: u8,
    /// Where device.toml names the handler (`handler` or `c-handler`).
    #[serde(skip)]
    pub handler_at: Option<crate::diag::Location>,
    /// The `[interrupts.<name>]` header.
    #[serde(skip)]
    pub at: Option<crate::diag::Location>,
}

/// One declared driver: a board peripheral handed to its driver crate, which
/// the app reaches through the token `bluegen_config::drivers::<NAME>`.
#[derive(Debug, Clone, Serialize)]
pub struct Driver {
    pub name: String,
    /// The board's peripheral, with its kind, address and interrupts.
    pub peripheral: crate::peripherals::Peripheral,
    /// The kind's clock divisor (BAUDDIV of a CMSDK UART), 0 when it has none.
    pub divisor: u32,
    /// The `[drivers.<name>]` header.
    #[serde(skip)]
    pub at: Option<crate::diag::Location>,
}

/// A driver written in C: its sources compiled into an archive of its own
/// (a row of its own in the size report), with the kernel-services header
/// `bluegen/driver.h`, and the board's peripheral it takes, if any, as
/// defines (`<NAME>_BASE`, `<NAME>_IRQ_<SOURCE>`, and `<NAME>_CLOCK_HZ`
/// when the board gives the clock; `<NAME>` is the driver's name).
#[derive(Debug, Clone, Serialize)]
pub struct CDriver {
    pub name: String,
    pub sources: Vec<PathBuf>,
    pub include: Vec<PathBuf>,
    /// The driver's own macros (name, value), then the peripheral's.
    pub defines: Vec<(String, Option<String>)>,
    pub peripheral: Option<crate::peripherals::Peripheral>,
    /// The `[drivers.<name>]` header.
    #[serde(skip)]
    pub at: Option<crate::diag::Location>,
}

impl Device {
    /// Where bluegen renders and builds this device's image crate.
    pub fn image_dir(&self) -> PathBuf {
        // Variants sit beside, not inside, the image: cargo would merge the
        // image's .cargo/config.toml into theirs.
        let dir = self.dir.join("target").join("bluegen");
        match &self.variant {
            Some(variant) => dir.join("variants").join(format!("{}-{variant}", self.board.name)),
            None => dir.join(&self.board.name),
        }
    }

    /// Whether device.toml (not the board) sets the RAM size in force.
    pub fn ram_set_here(&self) -> bool {
        self.ram_at.as_ref().is_some_and(|at| at.file == self.manifest)
    }

    /// Where the size of `region` (`flash` or `ram`) was set.
    pub fn memory_at(&self, region: &str) -> Option<crate::diag::Location> {
        if region == "flash" { self.flash_at.clone() } else { self.ram_at.clone() }
    }

    /// The device name as a Rust identifier / crate-name fragment.
    pub fn crate_name(&self) -> String {
        self.name.replace('-', "_")
    }
}
