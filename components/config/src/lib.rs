//! The resolved configuration values of one image, as typed `pub const`s.
//!
//! bluegen resolves the Kconfig symbols of every component in an image
//! (board, preset, then the device's `[features]`) once. Each fact then
//! reaches the code one way:
//!
//! - a **bool** symbol gates code, so it is a **cargo feature**, and only
//!   that: the image's Cargo.toml enables it on the component that defines
//!   it (`CONSOLE` → the kernel's `console`) and on every component whose
//!   Cargo.toml ties one of its features to it in
//!   `[package.metadata.bluegen.features]` (the arch crate's `tickless` with
//!   `TICKLESS`). Code reads it with `#[cfg(feature = "…")]` or
//!   `cfg!(feature = "…")`. This crate has no bool constants, so no
//!   component can read the fact a second way that could disagree.
//! - an **int, hex or string** symbol is a value, and a typed constant
//!   here, documented with its Kconfig help text, for example:
//!
//! ```text
//! /// Baud rate divisor of the CMSDK UART.
//! pub const CMSDK_UART_BAUDDIV: u32 = 217;
//! ```
//!
//! The environment variable `BLUEGEN_CONFIG_RS` names that file: the image
//! crate sets it in its `.cargo/config.toml`; host builds in this repository
//! get `components/config/host.rs`, the defaults, from the workspace's
//! `.cargo/config.toml`.
//!
//! A value whose symbol is off (its dependencies unmet) is 0 or "".

#![no_std]

include!(env!("BLUEGEN_CONFIG_RS"));
