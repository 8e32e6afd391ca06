//! Polled transmit driver for the STM32F4 USART console.
//!
//! Serves USART1/2/3/6 alike: `init` clocks the GPIO port and the USART,
//! muxes the TX pin to its alternate function, sets BRR from the peripheral
//! clock and baud rate, and enables the transmitter; `write` waits for
//! SR.TXE before each byte. Everything board-specific comes from
//! `bluegen_config` (Kconfig `USART_STM32_*`).
//!
//! Followed: RM0090 (STM32F405/415, 407/417, 427/437, 429/439 reference
//! manual), by chapter title: "Reset and clock control" (AHB1ENR 0x30 with
//! GPIOxEN bits, APB1ENR 0x40, APB2ENR 0x44), "General-purpose I/Os" (MODER
//! 0x00, 2 bits a pin, 0b10 = alternate function; AFRL 0x20 and AFRH 0x24, 4
//! bits a pin) and "Universal synchronous asynchronous receiver transmitter"
//! (SR 0x00 with TXE bit 7, DR 0x04, BRR 0x08 as a 12.4 fixed-point divisor
//! with oversampling by 16, CR1 0x0C with UE bit 13 and TE bit 3); and the
//! errata sheet ES0182 (STM32F405/407xx), "Delay after an RCC peripheral
//! clock enabling", whose workaround is reading the enable register back.
//! No hardware was attached when this was written; the register use follows
//! the manual.

#![no_std]

const SR: usize = 0x00;
const DR: usize = 0x04;
const BRR: usize = 0x08;
const CR1: usize = 0x0C;
const SR_TXE: u32 = 1 << 7;
const CR1_UE: u32 = 1 << 13;
const CR1_TE: u32 = 1 << 3;

const RCC_AHB1ENR: usize = 0x30;
const GPIO_MODER: usize = 0x00;
const GPIO_AFRL: usize = 0x20;
/// MODER value for "alternate function".
const MODE_AF: u32 = 0b10;

// `as` because the constants' Rust types follow their Kconfig ranges.
#[allow(clippy::unnecessary_cast)]
mod cfg {
    pub const RCC: usize = bluegen_config::USART_STM32_RCC_BASE as usize;
    pub const APB_ENR: usize = bluegen_config::USART_STM32_APB_ENR_OFFSET as usize;
    pub const APB_BIT: u32 = bluegen_config::USART_STM32_APB_ENR_BIT as u32;
    pub const GPIO: usize = bluegen_config::USART_STM32_GPIO_BASE as usize;
    pub const PORT: u32 = bluegen_config::USART_STM32_GPIO_PORT as u32;
    pub const PIN: u32 = bluegen_config::USART_STM32_TX_PIN as u32;
    pub const AF: u32 = bluegen_config::USART_STM32_TX_AF as u32;
    pub const PCLK: u32 = bluegen_config::USART_STM32_PCLK_HZ as u32;
    pub const BAUD: u32 = bluegen_config::USART_STM32_BAUD as u32;
}

/// BRR with oversampling by 16: USARTDIV = PCLK / baud as 12.4 fixed point,
/// which is PCLK / baud rounded. Computed when the image is built.
const BRR_VALUE: u32 = (cfg::PCLK + cfg::BAUD / 2) / cfg::BAUD;

// Checked when the image is built: BRR's divisor field is 16 bits, and a
// USARTDIV below 1.0 (16) is invalid.
const _: () = assert!(
    BRR_VALUE >= 16 && BRR_VALUE <= 0xFFFF,
    "USART_STM32_PCLK_HZ / USART_STM32_BAUD must be 16..=65535"
);

/// One USART, by the address of its registers.
#[derive(Clone, Copy)]
pub struct Uart {
    base: usize,
}

impl Uart {
    /// The USART whose registers start at `base`.
    ///
    /// # Safety
    ///
    /// `base` must be the address of an STM32 USART register block; the
    /// `USART_STM32_*` settings must describe its clock enable and TX pin;
    /// nothing else may drive the USART or that pin meanwhile.
    #[must_use]
    pub const unsafe fn new(base: usize) -> Self {
        Self { base }
    }

    /// Clocks port and USART, muxes the TX pin, sets the baud rate, enables TX.
    pub fn init(&self) {
        set_bits(cfg::RCC + RCC_AHB1ENR, 1 << cfg::PORT);
        set_bits(cfg::RCC + cfg::APB_ENR, 1 << cfg::APB_BIT);
        let moder = cfg::GPIO + GPIO_MODER;
        write(
            moder,
            (read(moder) & !(0b11 << (cfg::PIN * 2))) | (MODE_AF << (cfg::PIN * 2)),
        );
        // AFRL holds pins 0..=7, AFRH (the next word) pins 8..=15.
        let afr = cfg::GPIO + GPIO_AFRL + if cfg::PIN >= 8 { 4 } else { 0 };
        let shift = (cfg::PIN % 8) * 4;
        write(afr, (read(afr) & !(0xF << shift)) | (cfg::AF << shift));
        write(self.base + BRR, BRR_VALUE);
        write(self.base + CR1, CR1_UE | CR1_TE);
    }

    /// Sends `bytes`, waiting for an empty data register before each one.
    pub fn write(&self, bytes: &[u8]) {
        for &byte in bytes {
            while read(self.base + SR) & SR_TXE == 0 {}
            write(self.base + DR, u32::from(byte));
        }
    }
}

fn read(address: usize) -> u32 {
    // SAFETY: callers pass registers of the USART, RCC or GPIO blocks that
    // `Uart::new`'s contract and the configuration name: aligned MMIO words.
    unsafe { core::ptr::read_volatile(address as *const u32) }
}

fn write(address: usize, value: u32) {
    // SAFETY: as in `read`; the writes configure only this console's
    // USART, its clock enables and its TX pin.
    unsafe { core::ptr::write_volatile(address as *mut u32, value) }
}

/// Sets `bits` in a clock enable register and reads it back, so that the
/// clock runs before the next access (errata ES0182, see the crate docs).
fn set_bits(address: usize, bits: u32) {
    write(address, read(address) | bits);
    let _ = read(address);
}
