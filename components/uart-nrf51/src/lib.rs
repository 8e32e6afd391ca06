//! Polled transmit driver for the nRF51 UART (the QEMU microbit console).
//!
//! Enables the UART, starts its transmitter, then for each byte writes TXD
//! and waits for EVENTS_TXDRDY, which it clears. QEMU's model ignores pins
//! and baud rate, so neither is configured.

#![no_std]

const TASKS_STARTTX: usize = 0x008;
const EVENTS_TXDRDY: usize = 0x11C;
const ENABLE: usize = 0x500;
const TXD: usize = 0x51C;

/// ENABLE value that turns the UART on.
const ENABLE_UART: u32 = 4;

/// The UART at one base address.
#[derive(Clone, Copy)]
pub struct Uart {
    base: usize,
}

impl Uart {
    /// The UART whose registers start at `base`.
    ///
    /// # Safety
    ///
    /// `base` must be the address of an nRF51 UART's register block, and
    /// nothing else may drive that UART meanwhile (the image owns its console).
    #[must_use]
    pub const unsafe fn new(base: usize) -> Self {
        Self { base }
    }

    /// Enables the UART and starts its transmitter.
    pub fn init(&self) {
        self.write_reg(ENABLE, ENABLE_UART);
        self.write_reg(TASKS_STARTTX, 1);
    }

    /// Sends `bytes`, waiting until each one has gone.
    pub fn write(&self, bytes: &[u8]) {
        for &byte in bytes {
            self.write_reg(EVENTS_TXDRDY, 0);
            self.write_reg(TXD, u32::from(byte));
            while self.read_reg(EVENTS_TXDRDY) == 0 {}
        }
    }

    fn read_reg(&self, offset: usize) -> u32 {
        // SAFETY: `new`'s contract makes `base + offset` (a register of this
        // UART; offsets are the constants above) a valid, aligned MMIO word.
        unsafe { core::ptr::read_volatile((self.base + offset) as *const u32) }
    }

    fn write_reg(&self, offset: usize, value: u32) {
        // SAFETY: as in `read_reg`; writing these registers only drives the UART.
        unsafe { core::ptr::write_volatile((self.base + offset) as *mut u32, value) }
    }
}
