//! The resolved configuration of one image, as typed `pub const`s.
//!
//! This crate is the one place configuration reaches components. bluegen
//! resolves the Kconfig symbols of every component in an image (board, preset,
//! then the device's `[features]`) and renders them as a Rust file of typed
//! constants, each documented with its Kconfig help text, for example:
//!
//! ```text
//! /// Enables the kernel console.
//! pub const CONSOLE: bool = true;
//! /// Baud rate divisor of the CMSDK UART.
//! pub const CMSDK_UART_BAUDDIV: u32 = 217;
//! ```
//!
//! The environment variable `BLUEGEN_CONFIG_RS` names that file: the image
//! crate sets it in its `.cargo/config.toml`; host builds in this repository
//! get `components/config/host.rs`, the defaults, from the workspace's
//! `.cargo/config.toml`.
//!
//! Components read constants with plain `if`s (`if bluegen_config::X { … }`),
//! never with `cfg`, so every branch still type-checks; the optimiser drops
//! the dead ones.

#![no_std]

include!(env!("BLUEGEN_CONFIG_RS"));
