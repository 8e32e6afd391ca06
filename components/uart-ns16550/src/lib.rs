//! NS16550A UART: the polled console transmitter, and an interrupt-driven receiver.
//!
//! The console of QEMU's RISC-V `virt` machine (at 0x1000_0000) and of many
//! SoCs. [`Uart`] is the console's: only transmission, polled,
//! [`Uart::write`] waits for the transmit holding register before every
//! byte. With the cargo feature `ns16550-driver` (Kconfig `NS16550_DRIVER`,
//! which bluegen turns on for a `[drivers.<name>]` of device.toml) the crate
//! also has [`Serial`] (module `serial`), whose receive is interrupt-driven.
//!
//! Registers used (byte-wide, one byte apart): THR +0 (DLL while LCR.DLAB),
//! IER +1 (DLM while LCR.DLAB), LCR +3, LSR +5 (bit 5: THR empty). The
//! divisor comes from `bluegen_config::NS16550_DIVISOR` (Kconfig
//! `NS16550_DIVISOR`).

#![no_std]

#[cfg(feature = "ns16550-driver")]
mod serial;
#[cfg(feature = "ns16550-driver")]
pub use serial::Serial;

const THR: usize = 0;
const DLL: usize = 0;
const IER: usize = 1;
const DLM: usize = 1;
const LCR: usize = 3;
const LSR: usize = 5;

/// LCR: divisor latch access.
const LCR_DLAB: u8 = 1 << 7;
/// LCR: 8 data bits, no parity, 1 stop bit.
const LCR_8N1: u8 = 0b11;
/// LSR bit 5: the transmit holding register is empty.
const LSR_THR_EMPTY: u8 = 1 << 5;

/// One NS16550A UART, by the address of its registers.
#[derive(Clone, Copy)]
pub struct Uart {
    base: usize,
}

impl Uart {
    /// The UART whose registers start at `base`.
    ///
    /// # Safety
    ///
    /// `base` must be the address of an NS16550-compatible register block
    /// with byte-wide registers one byte apart, and nothing else may drive
    /// that UART's registers meanwhile (the image owns its console UART)
    /// but this crate's `Serial`, which only reads received bytes,
    /// sets IER and writes THR after seeing it empty, as [`Uart::write`]
    /// does (two writers may then interleave bytes; none is undefined).
    #[must_use]
    pub const unsafe fn new(base: usize) -> Self {
        Self { base }
    }

    /// Sets the divisor, 8N1 framing, and masks the UART's interrupts.
    pub fn init(&self) {
        // `as` because the constant's Rust type follows the Kconfig range.
        #[allow(clippy::unnecessary_cast)]
        let divisor = bluegen_config::NS16550_DIVISOR as u32;
        let [low, high, ..] = divisor.to_le_bytes();
        self.write_reg(IER, 0);
        self.write_reg(LCR, LCR_DLAB);
        self.write_reg(DLL, low);
        self.write_reg(DLM, high);
        self.write_reg(LCR, LCR_8N1);
    }

    /// Sends `bytes`, waiting for room before each one.
    pub fn write(&self, bytes: &[u8]) {
        for &byte in bytes {
            while self.read_reg(LSR) & LSR_THR_EMPTY == 0 {}
            self.write_reg(THR, byte);
        }
    }

    pub(crate) fn read_reg(&self, offset: usize) -> u8 {
        // SAFETY: `new`'s contract makes `base + offset` (a register of this
        // UART, offsets are the constants above) a valid MMIO byte.
        unsafe { core::ptr::read_volatile((self.base + offset) as *const u8) }
    }

    pub(crate) fn write_reg(&self, offset: usize, value: u8) {
        // SAFETY: as in `read_reg`; these writes only change the UART's own
        // state.
        unsafe { core::ptr::write_volatile((self.base + offset) as *mut u8, value) }
    }
}
