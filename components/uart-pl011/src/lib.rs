//! Arm PL011 UART: the polled console transmitter.
//!
//! The console of QEMU's Arm `virt` machine (at 0x0900_0000) and of the
//! Raspberry Pi 4 (UART0 at 0xfe20_1000). [`Uart`] is the console's: only
//! transmission, polled, [`Uart::write`] waits for room in the transmit
//! FIFO before every byte.
//!
//! Registers used (32-bit): DR +0x00, FR +0x18 (bit 5: transmit FIFO full),
//! IBRD +0x24, FBRD +0x28, LCR_H +0x2c, CR +0x30, IMSC +0x38. The divisors
//! come from `bluegen_config::PL011_IBRD` and `PL011_FBRD`.

#![no_std]

const DR: usize = 0x00;
const FR: usize = 0x18;
const IBRD: usize = 0x24;
const FBRD: usize = 0x28;
const LCR_H: usize = 0x2c;
const CR: usize = 0x30;
const IMSC: usize = 0x38;

/// FR bit 5: the transmit FIFO is full.
const FR_TXFF: u32 = 1 << 5;
/// FR bit 3: the UART is busy sending.
const FR_BUSY: u32 = 1 << 3;
/// LCR_H: 8 data bits (WLEN = 0b11), FIFOs on, no parity, 1 stop bit.
const LCR_H_8N1_FIFO: u32 = 0b11 << 5 | 1 << 4;
/// CR: UART, transmitter and receiver enabled.
const CR_ON: u32 = 1 | 1 << 8 | 1 << 9;

/// One PL011 UART, by the address of its registers.
#[derive(Clone, Copy)]
pub struct Uart {
    base: usize,
}

impl Uart {
    /// The UART whose registers start at `base`.
    ///
    /// # Safety
    ///
    /// `base` must be the address of a PL011-compatible register block,
    /// and nothing else may drive that UART's registers meanwhile (the
    /// image owns its console UART).
    #[must_use]
    pub const unsafe fn new(base: usize) -> Self {
        Self { base }
    }

    /// Waits for what a boot loader left in the FIFO, then sets the
    /// divisors and 8N1 framing, interrupts masked, and enables the UART.
    pub fn init(&self) {
        // `as` because the constants' Rust types follow the Kconfig ranges.
        #[allow(clippy::unnecessary_cast)]
        let (ibrd, fbrd) = (bluegen_config::PL011_IBRD as u32, bluegen_config::PL011_FBRD as u32);
        while self.read(FR) & FR_BUSY != 0 {}
        self.write_reg(CR, 0);
        self.write_reg(IMSC, 0);
        self.write_reg(IBRD, ibrd);
        self.write_reg(FBRD, fbrd);
        self.write_reg(LCR_H, LCR_H_8N1_FIFO);
        self.write_reg(CR, CR_ON);
    }

    /// Sends `bytes`, waiting for room before each one.
    pub fn write(&self, bytes: &[u8]) {
        for &byte in bytes {
            while self.read(FR) & FR_TXFF != 0 {}
            self.write_reg(DR, u32::from(byte));
        }
    }

    fn read(&self, offset: usize) -> u32 {
        // SAFETY: `new`'s contract makes `base + offset` (a register of this
        // UART, offsets are the constants above) a valid 32-bit MMIO word.
        unsafe { core::ptr::read_volatile((self.base + offset) as *const u32) }
    }

    fn write_reg(&self, offset: usize, value: u32) {
        // SAFETY: as in `read`; these writes only change the UART's own
        // state.
        unsafe { core::ptr::write_volatile((self.base + offset) as *mut u32, value) }
    }
}
