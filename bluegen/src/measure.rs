//! Measure: one row of `bluegen bench`, as printed and as the book reads it back.
//!
//! `bluegen bench --json` writes these rows; `bluegen docs` renders the
//! book's figures from the committed ones (`book/bench.json`). Both
//! subcommands use this module, so neither imports the other.

use serde::{Deserialize, Serialize};

/// One measurement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    pub name: String,
    pub board: String,
    pub metric: String,
    pub value: f64,
    pub unit: String,
}

/// The metrics that depend on the host's speed; every other one is
/// deterministic (the same sources give the same value).
pub const TIMING_METRICS: [&str; 2] = ["check_ms", "size_report_ms"];
