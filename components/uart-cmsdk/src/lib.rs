//! Arm CMSDK APB UART: the polled console transmitter, and an interrupt-driven driver.
//!
//! The UART of Arm's Cortex-M System Design Kit, the console of QEMU's MPS2
//! boards (UART0 at 0x4000_4000 on mps2-an385). [`Uart`] is the console's:
//! only transmission, polled, [`Uart::write`] waits for the transmit buffer
//! before every byte. With the cargo feature `cmsdk-uart-driver` (Kconfig
//! `CMSDK_UART_DRIVER`, which bluegen turns on for a `[drivers.<name>]` of
//! device.toml) the crate also has [`Serial`], the interrupt-driven driver
//! of the other UARTs (module `serial`).
//!
//! Registers used (offsets from the base): DATA +0x0, STATE +0x4 (bit 0: TX
//! buffer full), CTRL +0x8 (bit 0: TX enable), BAUDDIV +0x10. The divisor
//! comes from `bluegen_config::CMSDK_UART_BAUDDIV` (Kconfig
//! `CMSDK_UART_BAUDDIV`).

#![no_std]

#[cfg(feature = "cmsdk-uart-driver")]
mod serial;
#[cfg(feature = "cmsdk-uart-driver")]
pub use serial::Serial;

const DATA: usize = 0x0;
const STATE: usize = 0x4;
const CTRL: usize = 0x8;
const BAUDDIV: usize = 0x10;

/// STATE bit 0: the transmit buffer is full.
const STATE_TX_FULL: u32 = 1 << 0;
/// CTRL bit 0: transmitter enabled.
const CTRL_TX_ENABLE: u32 = 1 << 0;

/// One CMSDK UART, by the address of its registers.
#[derive(Clone, Copy)]
pub struct Uart {
    base: usize,
}

impl Uart {
    /// The UART whose registers start at `base`.
    ///
    /// # Safety
    ///
    /// `base` must be the address of a CMSDK APB UART's register block, and
    /// nothing else may drive that UART's registers meanwhile (the image owns
    /// its console UART).
    #[must_use]
    pub const unsafe fn new(base: usize) -> Self {
        Self { base }
    }

    /// Sets the baud rate divisor and enables the transmitter.
    pub fn init(&self) {
        // `as` because the constant's Rust type follows the Kconfig range.
        #[allow(clippy::unnecessary_cast)]
        self.write_reg(BAUDDIV, bluegen_config::CMSDK_UART_BAUDDIV as u32);
        self.write_reg(CTRL, CTRL_TX_ENABLE);
    }

    /// Sends `bytes`, waiting for room before each one.
    pub fn write(&self, bytes: &[u8]) {
        for &byte in bytes {
            while self.read_reg(STATE) & STATE_TX_FULL != 0 {}
            self.write_reg(DATA, u32::from(byte));
        }
    }

    pub(crate) fn read_reg(&self, offset: usize) -> u32 {
        // SAFETY: `new`'s contract makes `base + offset` (a register of this
        // UART, offsets are this crate's constants) a valid, aligned MMIO word.
        unsafe { core::ptr::read_volatile((self.base + offset) as *const u32) }
    }

    pub(crate) fn write_reg(&self, offset: usize, value: u32) {
        // SAFETY: as in `read_reg`; writing DATA, CTRL, INTCLEAR or BAUDDIV
        // only changes the UART's own state.
        unsafe { core::ptr::write_volatile((self.base + offset) as *mut u32, value) }
    }
}
