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
//!
//! Each `[drivers.<name>]` of device.toml also becomes a token here,
//! `drivers::<NAME>`, a [`Peripheral`] of the driver's [`kind`]: the board's
//! address of the peripheral device.toml gave that driver. Only this crate
//! can make one (its fields are private), so a driver crate's safe
//! `new(token)` can only ever reach a register block that the board data
//! puts there and that device.toml handed to a driver of that kind: what
//! the driver's `unsafe` MMIO rests on.

#![no_std]

use core::marker::PhantomData;

/// A peripheral device.toml's `[drivers]` gave to a driver of kind `K`:
/// its register block's address, its input clock and the kind's divisor.
/// Made only by this crate, from the board's `[peripherals]` data.
pub struct Peripheral<K> {
    base: usize,
    clock_hz: u32,
    divisor: u32,
    size: u64,
    erase_size: u64,
    kind: PhantomData<K>,
}

impl<K> Peripheral<K> {
    #[allow(dead_code)] // used by the generated `drivers` module only
    const fn new(base: usize, clock_hz: u32, divisor: u32, size: u64, erase_size: u64) -> Self {
        Self { base, clock_hz, divisor, size, erase_size, kind: PhantomData }
    }

    /// The address of its registers.
    pub const fn base(&self) -> usize {
        self.base
    }

    /// Its input clock in Hz (0: the board does not say).
    pub const fn clock_hz(&self) -> u32 {
        self.clock_hz
    }

    /// The kind's clock divisor: a CMSDK UART's BAUDDIV (the clock over
    /// the `baud` of device.toml); 0 for kinds that have none.
    pub const fn divisor(&self) -> u32 {
        self.divisor
    }

    /// The bytes its address range spans (a flash bank's size; 0: the
    /// board does not say).
    pub const fn size(&self) -> u64 {
        self.size
    }

    /// A flash's erase sector in bytes (0 for other kinds).
    pub const fn erase_size(&self) -> u64 {
        self.erase_size
    }
}

/// The driver kinds, one marker type per driver crate: a token of one kind
/// cannot be given to another kind's driver.
pub mod kind {
    /// `components/uart-cmsdk`: the CMSDK APB UART.
    pub enum UartCmsdk {}
    /// `components/uart-ns16550`: the NS16550 UART.
    pub enum UartNs16550 {}
    /// `components/timer-cmsdk`: the CMSDK APB timer.
    pub enum TimerCmsdk {}
    /// `components/i2c-sbcon`: the SBCon two-wire (I2C) controller.
    pub enum I2cSbcon {}
    /// `components/pflash-cfi01`: a CFI parallel flash bank.
    pub enum PflashCfi01 {}
}

include!(env!("BLUEGEN_CONFIG_RS"));
