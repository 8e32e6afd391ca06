//! bluegen tailors a tiny, safe Rust RTOS kernel image to one device.
//!
//! The pipeline, one module per stage:
//! [`load`] device.toml → [`validate`] into a [`model::Device`] → [`resolve`]
//! features against the components' Kconfig files → [`render`] the image crate
//! from `kernel-templates/` → [`build`] it with cargo → [`report`] its
//! footprint → [`run`] it in QEMU. Boards ([`board`]) and presets ([`preset`])
//! are data files. [`pipeline`] strings the stages together; [`cmd`] holds
//! one module per subcommand, each calling the pipeline, none another.

pub mod app_manifest;
pub mod app_scan;
pub mod arch;
pub mod board;
pub mod c;
pub mod c_errors;
pub mod build;
pub mod chip;
pub mod cli;
pub mod cmd;
pub mod data;
pub mod diag;
pub mod edit;
pub mod escape;
pub mod feature_use;
pub mod files;
pub mod isolation;
pub mod kconfig;
pub mod limits;
pub mod load;
pub mod lock;
pub mod measure;
pub mod menuconfig;
pub mod ml;
pub mod model;
pub mod peripherals;
pub mod pipeline;
pub mod preset;
pub mod render;
pub mod report;
pub mod resolve;
pub mod root;
pub mod run;
pub mod save;
pub mod schema;
pub mod size;
pub mod testing;
pub mod toolchain;
pub mod units;
pub mod validate;
pub mod wrap;
