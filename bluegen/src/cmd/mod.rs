//! Subcommands, one module each; each has a clap `Cmd` with a `run` method.

pub mod bench;
pub mod boards;
pub mod build;
pub mod check;
pub mod config;
pub mod docs;
pub mod feature_cost;
pub mod new;
pub mod run;
pub mod size;
