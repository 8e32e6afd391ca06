//! Estimate: the footprint of the current selection from the last build.
//!
//! Every build leaves `footprint.json` in the image directory: flash and
//! static RAM bytes and the bool features that were on. `bluegen size
//! --feature-cost` adds `feature-cost.json`, each enabled feature's marginal
//! cost. menuconfig subtracts the cost of every measured feature the user
//! has since turned off; features turned on since have no measured cost and
//! are named as unknown.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::kconfig::{Config, SymbolType, Value};

/// What a build measured, as kept in `footprint.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Measured {
    pub flash: u64,
    pub ram: u64,
    /// Keys (kebab-case) of the bool features that were on.
    pub on: Vec<String>,
}

/// One feature's marginal cost, as kept in `feature-cost.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FeatureCost {
    pub feature: String,
    pub flash: i64,
    pub ram: i64,
}

/// The last build's measurement and, if measured, its feature costs.
#[derive(Debug, Clone, Default)]
pub struct Estimator {
    pub measured: Option<Measured>,
    pub costs: Vec<FeatureCost>,
}

/// The estimate for one selection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Estimate {
    pub flash: i64,
    pub ram: i64,
    /// Flash and RAM change against the last build.
    pub delta: (i64, i64),
    /// Features on now but off in the last build: their cost is unknown.
    pub unknown: Vec<String>,
}

pub const FOOTPRINT_FILE: &str = "footprint.json";
pub const FEATURE_COST_FILE: &str = "feature-cost.json";

/// The bool features that are on in `config`, by key.
pub fn features_on(config: &Config) -> Vec<String> {
    config
        .symbols
        .iter()
        .filter(|s| s.ty == SymbolType::Bool && s.value == Some(Value::Bool(true)))
        .map(|s| s.key.clone())
        .collect()
}

impl Estimator {
    /// Reads what the last build (and feature-cost run) left in `image_dir`;
    /// missing or unreadable files just mean no estimate.
    pub fn load(image_dir: &Path) -> Estimator {
        let read = |name: &str| std::fs::read_to_string(image_dir.join(name)).ok();
        Estimator {
            measured: read(FOOTPRINT_FILE).and_then(|t| serde_json::from_str(&t).ok()),
            costs: read(FEATURE_COST_FILE).and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default(),
        }
    }

    /// The estimate for `config`, or None without a measured build.
    pub fn estimate(&self, config: &Config) -> Option<Estimate> {
        let measured = self.measured.as_ref()?;
        let now = features_on(config);
        let (mut flash, mut ram) = (0i64, 0i64);
        for off in measured.on.iter().filter(|f| !now.contains(f)) {
            if let Some(c) = self.costs.iter().find(|c| &c.feature == off) {
                flash -= c.flash;
                ram -= c.ram;
            }
        }
        let unknown: Vec<String> = now.into_iter().filter(|f| !measured.on.contains(f)).collect();
        Some(Estimate {
            flash: measured.flash as i64 + flash,
            ram: measured.ram as i64 + ram,
            delta: (flash, ram),
            unknown,
        })
    }
}

impl Estimate {
    /// One line for the title bar.
    pub fn text(&self) -> String {
        let signed = |d: i64| if d == 0 { String::new() } else { format!(" ({d:+})") };
        let mut text = format!("≈ {} B flash{}, {} B RAM{}", self.flash, signed(self.delta.0), self.ram, signed(self.delta.1));
        if !self.unknown.is_empty() {
            text.push_str(&format!(" + {} unmeasured", self.unknown.join(", ")));
        }
        text
    }
}
