//! Polled transmit driver for the nRF52 UARTE console (EasyDMA).
//!
//! The UARTE of the nRF52840 and nRF52833 (UARTE0 at 0x4000_2000) sends with
//! EasyDMA, which reads RAM only: [`Uart::write`] copies each chunk of the
//! bytes into a small RAM buffer, points TXD.PTR/TXD.MAXCNT at it, starts the
//! transfer and waits for EVENTS_ENDTX. Only transmission.
//!
//! Followed (nRF52840 Product Specification v1.7; the nRF52833 one has the
//! same registers), by chapter title: "UARTE — Universal asynchronous
//! receiver/transmitter with EasyDMA": TASKS_STARTTX 0x008, TASKS_STOPTX
//! 0x00C, EVENTS_ENDTX 0x120, EVENTS_TXSTOPPED 0x158, ENABLE 0x500 (8 =
//! UARTE), PSEL.TXD 0x50C, BAUDRATE 0x524, TXD.PTR 0x544, TXD.MAXCNT 0x548,
//! CONFIG 0x56C, and its pin configuration table (TXD: GPIO output, value 1,
//! before enabling); "GPIO — General purpose input/output": P0 at
//! 0x5000_0000, P1 at 0x5000_0300, OUTSET 0x508, DIRSET 0x518; "EasyDMA":
//! TXD.PTR must point into Data RAM. Pins come from `bluegen_config`
//! (Kconfig `UARTE_NRF52_*`). No hardware was attached when this was
//! written; the register use follows the specification.

#![no_std]

use core::cell::UnsafeCell;

const TASKS_STARTTX: usize = 0x008;
const TASKS_STOPTX: usize = 0x00C;
const EVENTS_ENDTX: usize = 0x120;
const EVENTS_TXSTOPPED: usize = 0x158;
const ENABLE: usize = 0x500;
const PSEL_TXD: usize = 0x50C;
const BAUDRATE: usize = 0x524;
const TXD_PTR: usize = 0x544;
const TXD_MAXCNT: usize = 0x548;
const CONFIG: usize = 0x56C;

/// GPIO port P0; P1 follows 0x300 bytes later.
const GPIO_P0: usize = 0x5000_0000;
const GPIO_PORT_STRIDE: usize = 0x300;
const GPIO_OUTSET: usize = 0x508;
const GPIO_DIRSET: usize = 0x518;

/// ENABLE value that turns on the UARTE (EasyDMA) peripheral.
const ENABLE_UARTE: u32 = 8;

// `as` because the constants' Rust types follow their Kconfig ranges.
#[allow(clippy::unnecessary_cast)]
const BUFFER: usize = bluegen_config::UARTE_NRF52_TX_BUFFER as usize;
#[allow(clippy::unnecessary_cast)]
const TX_PIN: u32 = bluegen_config::UARTE_NRF52_TX_PIN as u32;

// Checked when the image is built, so `write` has no panicking path: an
// empty buffer would make `chunks` panic, and TXD.MAXCNT is 8 bits wide on
// some nRF52 parts.
const _: () = assert!(
    BUFFER >= 1 && BUFFER <= 255,
    "UARTE_NRF52_TX_BUFFER must be 1..=255"
);
const _: () = assert!(TX_PIN <= 47, "UARTE_NRF52_TX_PIN must be 0..=47");

/// The RAM the DMA reads from. One console per image, written only from
/// [`Uart::write`], which the kernel calls with the console serialised.
struct DmaBuffer(UnsafeCell<[u8; BUFFER]>);

// SAFETY: only `Uart::write` touches the buffer, and the kernel never runs
// two console writes at once (the port contract of `__bluegen_console_write`).
unsafe impl Sync for DmaBuffer {}

static TX: DmaBuffer = DmaBuffer(UnsafeCell::new([0; BUFFER]));

/// One UARTE, by the address of its registers.
#[derive(Clone, Copy)]
pub struct Uart {
    base: usize,
}

impl Uart {
    /// The UARTE whose registers start at `base`.
    ///
    /// # Safety
    ///
    /// `base` must be the address of an nRF52 UARTE register block, and
    /// nothing else may drive that UARTE or its TX pin
    /// (`UARTE_NRF52_TX_PIN`) meanwhile.
    #[must_use]
    pub const unsafe fn new(base: usize) -> Self {
        Self { base }
    }

    /// Drives the TX pin high, selects it and the baud rate, 8N1, and
    /// enables the UARTE.
    pub fn init(&self) {
        #[allow(clippy::unnecessary_cast)]
        let baud = bluegen_config::UARTE_NRF52_BAUDRATE as u32;
        // The line idles high, also while the UARTE is off.
        let port = GPIO_P0 + GPIO_PORT_STRIDE * (TX_PIN / 32) as usize;
        let bit = 1 << (TX_PIN % 32);
        // SAFETY: `port` is GPIO P0 or P1 (TX_PIN <= 47, checked above);
        // OUTSET and DIRSET change only the TX pin, which `new`'s contract
        // gives to this UARTE.
        unsafe {
            core::ptr::write_volatile((port + GPIO_OUTSET) as *mut u32, bit);
            core::ptr::write_volatile((port + GPIO_DIRSET) as *mut u32, bit);
        }
        self.write_reg(ENABLE, 0);
        // PSEL.TXD: PIN in bits 0..=4, PORT in bit 5, so P1.02 is 34;
        // CONNECT (bit 31) is 0, connected.
        self.write_reg(PSEL_TXD, TX_PIN);
        self.write_reg(BAUDRATE, baud);
        self.write_reg(CONFIG, 0);
        self.write_reg(ENABLE, ENABLE_UARTE);
    }

    /// Sends `bytes` chunk by chunk through the RAM buffer, waiting for each.
    pub fn write(&self, bytes: &[u8]) {
        for chunk in bytes.chunks(BUFFER) {
            let buffer = TX.0.get().cast::<u8>();
            let n = chunk.len();
            for (i, &byte) in chunk.iter().enumerate() {
                // SAFETY: `i < n <= BUFFER` (`chunks` yields at most BUFFER
                // bytes), so the write stays inside the buffer; see `DmaBuffer` for why no one else touches it, and
                // the previous chunk's DMA has ended (we waited for ENDTX).
                // Volatile, because the DMA reads it, and so that the copy
                // does not become a call to a 700-byte `memcpy`.
                unsafe { core::ptr::write_volatile(buffer.add(i), byte) };
            }
            self.write_reg(EVENTS_ENDTX, 0);
            self.write_reg(TXD_PTR, buffer as usize as u32);
            self.write_reg(TXD_MAXCNT, n as u32);
            self.write_reg(TASKS_STARTTX, 1);
            while self.read_reg(EVENTS_ENDTX) == 0 {}
            self.write_reg(EVENTS_TXSTOPPED, 0);
            self.write_reg(TASKS_STOPTX, 1);
            while self.read_reg(EVENTS_TXSTOPPED) == 0 {}
        }
    }

    fn read_reg(&self, offset: usize) -> u32 {
        // SAFETY: `new`'s contract makes `base + offset` (one of the
        // register offsets above) a valid, aligned MMIO word of this UARTE.
        unsafe { core::ptr::read_volatile((self.base + offset) as *const u32) }
    }

    fn write_reg(&self, offset: usize, value: u32) {
        // SAFETY: as in `read_reg`; the writes only change this UARTE's state.
        unsafe { core::ptr::write_volatile((self.base + offset) as *mut u32, value) }
    }
}
