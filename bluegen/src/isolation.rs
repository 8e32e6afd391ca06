//! Isolation: threads under the MPU or PMP — the device's regions, each thread's layout and the hardware's rules.
//!
//! With Kconfig `ISOLATION`, every thread not marked `privileged` runs
//! unprivileged in a region of its own (its stack at the bottom, then its
//! statics) and may reach only the `[regions.<name>]` it lists. This module
//! holds the checked model of those keys, the size and alignment rule of
//! each protection unit ([`own_size`]), whether a fixed range can be
//! expressed ([`expressible`]), how many unit entries a thread needs
//! ([`entries`]), the layout the linker script places ([`layout`]) and the
//! checks that need the resolved configuration ([`problems`]).

use serde::Serialize;

use crate::board::Protection;
use crate::diag::Location;
use crate::model::Device;

/// What a region lets an isolated thread do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum Access {
    #[default]
    ReadWrite,
    ReadOnly,
}

/// What happens when an isolated thread faults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum OnFault {
    /// The run ends (the default).
    #[default]
    Panic,
    /// The thread stops; the others go on.
    Stop,
    /// The thread starts again with a fresh stack and statics.
    Restart,
}

impl OnFault {
    /// The `port::OnFault` variant.
    pub fn variant(self) -> &'static str {
        match self {
            OnFault::Panic => "Panic",
            OnFault::Stop => "Stop",
            OnFault::Restart => "Restart",
        }
    }
}

/// A thread's isolation keys, checked (all defaults when it writes none).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ThreadIsolation {
    /// `privileged`, when written (isolation on: default false).
    pub privileged: Option<bool>,
    /// Bytes of the thread's own statics.
    pub statics: u32,
    /// Names of `[regions.<name>]`, in the order written.
    pub regions: Vec<String>,
    pub on_fault: OnFault,
    /// The isolation keys it writes (`threads.x.statics`) and where, for
    /// "needs isolation" errors.
    pub keys: Vec<(String, Option<Location>)>,
    pub statics_at: Option<Location>,
    pub regions_at: Option<Location>,
}

/// Where a region lies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Place {
    /// A RAM buffer of `size` bytes that bluegen places after `.bss`.
    Ram { size: u64 },
    /// A peripheral of the board: its register range.
    Peripheral { name: String, base: u64, size: u64 },
}

/// One `[regions.<name>]`, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MemRegion {
    pub name: String,
    pub place: Place,
    pub access: Access,
    /// The `[regions.<name>]` header.
    #[serde(skip)]
    pub at: Option<Location>,
    /// Where its `size` is written (a RAM region).
    #[serde(skip)]
    pub size_at: Option<Location>,
}

/// The bytes of a RAM area of `bytes` the unit can cover with one region:
/// PMSAv7 and PMP the next power of two (at least 32; also its alignment),
/// PMSAv8 the next multiple of 32 (aligned to 32).
pub fn own_size(kind: Protection, bytes: u64) -> u64 {
    match kind {
        Protection::Pmsav8 => bytes.max(32).next_multiple_of(32),
        Protection::Pmsav7 | Protection::Pmp => bytes.max(32).next_power_of_two(),
    }
}

/// The alignment of a RAM area of `size` (from [`own_size`]).
pub fn own_align(kind: Protection, size: u64) -> u64 {
    if kind == Protection::Pmsav8 { 32 } else { size }
}

/// Why a fixed range (a peripheral's) cannot be one region of the unit, and the rule.
pub fn expressible(kind: Protection, base: u64, size: u64) -> Result<(), String> {
    match kind {
        Protection::Pmsav7 if !size.is_power_of_two() || size < 32 => Err(format!("a PMSAv7 MPU region's size is a power of two of at least 32 bytes, not {size}")),
        Protection::Pmsav7 if base % size != 0 => Err(format!("a PMSAv7 MPU region starts at a multiple of its size ({size:#x}), and {base:#x} is not one")),
        Protection::Pmsav8 if base % 32 != 0 || size % 32 != 0 || size == 0 => Err(format!("a PMSAv8 MPU region's base and size are multiples of 32 bytes, not {base:#x} and {size}")),
        Protection::Pmp if base % 4 != 0 || size % 4 != 0 || size == 0 => Err(format!("a PMP entry's base and size are multiples of 4 bytes, not {base:#x} and {size}")),
        _ => Ok(()),
    }
}

/// PMP entries for a range: 1 as NAPOT (a power of two of at least 8, aligned to it), else 2 (TOR).
fn pmp_entries(base: u64, size: u64) -> u32 {
    if size.is_power_of_two() && size >= 8 && base % size == 0 { 1 } else { 2 }
}

/// The unit entries a thread with `declared` regions (base, size; a RAM
/// region's base 0, aligned to its size) needs, and the most the unit has.
pub fn entries(kind: Protection, units: u32, flash: crate::model::Region, declared: &[(u64, u64)]) -> (u32, u32) {
    match kind {
        Protection::Pmp => (pmp_entries(flash.origin, flash.size) + 2 + declared.iter().map(|(b, s)| pmp_entries(*b, *s)).sum::<u32>(), units),
        // Region 0 is flash, region 1 the thread's own.
        _ => (2 + declared.len() as u32, units),
    }
}

/// One RAM area of the isolation layout: an isolated thread's own region or a shared region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Area {
    /// The thread's or the region's name.
    pub name: String,
    /// A thread's own region (else a `[regions]` buffer).
    pub thread: bool,
    /// The bytes declared: stack + statics, or the region's `size`.
    pub declared: u64,
    /// The bytes the unit's rule makes of it.
    pub size: u64,
    pub align: u64,
    /// A thread's statics bytes (0 for a region).
    pub statics: u64,
}

impl Area {
    /// The bytes the rule added.
    pub fn rounding(&self) -> u64 {
        self.size - self.declared
    }
    /// A thread's stack words: what the rounding leaves besides the statics.
    pub fn stack_words(&self) -> u64 {
        (self.size - self.statics) / 4
    }
}

/// The device's isolation layout, largest area first (to save alignment
/// padding; ties by name), when `ISOLATION` is on and the board has a unit.
pub fn layout(device: &Device, on: bool) -> Vec<Area> {
    let Some(unit) = device.board.isolation.filter(|_| on) else { return Vec::new() };
    let mut areas: Vec<Area> = device
        .threads
        .iter()
        .filter(|t| t.isolation.privileged != Some(true))
        .map(|t| {
            let declared = u64::from(t.stack) + u64::from(t.isolation.statics);
            let size = own_size(unit.kind, declared);
            Area { name: t.name.clone(), thread: true, declared, size, align: own_align(unit.kind, size), statics: u64::from(t.isolation.statics) }
        })
        .chain(device.regions.iter().filter_map(|r| match r.place {
            Place::Ram { size: declared } => {
                let size = own_size(unit.kind, declared);
                Some(Area { name: r.name.clone(), thread: false, declared, size, align: own_align(unit.kind, size), statics: 0 })
            }
            Place::Peripheral { .. } => None,
        }))
        .collect();
    areas.sort_by(|a, b| b.size.cmp(&a.size).then(b.align.cmp(&a.align)).then(a.thread.cmp(&b.thread).reverse()).then(a.name.cmp(&b.name)));
    areas
}

/// The alignment gaps the layout leaves between areas, placed from `start`
/// (where `.bss` ends): per area, the bytes skipped before it.
pub fn gaps(areas: &[Area], start: u64) -> Vec<u64> {
    let mut at = start;
    areas
        .iter()
        .map(|a| {
            let aligned = at.next_multiple_of(a.align.max(1));
            let gap = aligned - at;
            at = aligned + a.size;
            gap
        })
        .collect()
}

/// RAM the layout takes beyond the stacks and buffers as declared: each
/// rounding, plus the worst padding before the first (largest) area, which
/// follows 4-byte aligned `.bss`; largest first, the others need none
/// (each power of two divides the ones before it, PMSAv8 aligns to 32).
pub fn overhead(areas: &[Area]) -> u64 {
    areas.iter().map(Area::rounding).sum::<u64>() + areas.first().map_or(0, |a| a.align.saturating_sub(4))
}

mod checks;
pub mod link;
pub use checks::problems;
