//! Subcommands, one module each; each has a clap `Cmd` with a `run` method.

pub mod bench;
pub mod boards;
pub mod build;
pub mod check;
pub mod chips;
pub mod config;
pub mod docs;
pub mod flash;
pub mod menuconfig;
pub mod new;
pub mod probes;
pub mod run;
pub mod size;
pub mod test;
