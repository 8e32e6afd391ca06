//! `Serial`: an interrupt-driven CMSDK UART with ring buffers, on `embedded_io`.
//!
//! Receive: the RX interrupt moves bytes from the UART into a ring of `N`
//! bytes and gives a semaphore; [`embedded_io::Read::read`] takes bytes from
//! the ring and, when it is empty, blocks the calling thread on that
//! semaphore until the interrupt gives it. When the ring is full the byte
//! stays in the UART (whose RX-full state holds the sender back: no byte is
//! lost) until a read makes room. Transmit: [`embedded_io::Write::write`]
//! puts bytes into a second ring and starts the UART on the first; the TX
//! interrupt (the transmit buffer emptied) sends the next one, and gives
//! the writer waiting for room.
//!
//! The app owns the driver as a `static` made from its device.toml token
//! and calls [`Serial::on_interrupt`] from the handlers it names for the
//! peripheral's RX and TX interrupts in `[interrupts.<name>]`:
//!
//! ```text
//! static SERIAL: Serial = Serial::new(bluegen_config::drivers::SERIAL);
//! pub fn on_serial() { SERIAL.on_interrupt() }
//! ```
//!
//! `embedded_io`'s traits take `&mut self`, which a `static` cannot give,
//! so they are implemented for `&Serial` (as std does for `&File`): write
//! `(&SERIAL).read(&mut buf)`, or hand `&SERIAL` to a crate that takes an
//! `embedded_io::Read + Write`.

use bluegen_config::{Peripheral, kind::UartCmsdk};
use bluegen_kernel::port::{CriticalSection, Ring, critical};
use bluegen_kernel::{Semaphore, Timeout};
use core::convert::Infallible;
use core::sync::atomic::{AtomicBool, Ordering::Relaxed};

use super::{BAUDDIV, CTRL, DATA, STATE, STATE_TX_FULL, Uart};

/// INTSTATUS (read) / INTCLEAR (write 1s).
const INT: usize = 0xc;
/// STATE bit 1: a received byte waits in DATA.
const STATE_RX_FULL: u32 = 1 << 1;
/// CTRL: transmitter and receiver on, their interrupts on.
const CTRL_ON: u32 = 0b1111;
/// INTSTATUS bits: transmit buffer emptied, byte received.
const INT_TX: u32 = 1 << 0;
const INT_RX: u32 = 1 << 1;

/// An interrupt-driven CMSDK UART with `N`-byte receive and transmit rings.
pub struct Serial<const N: usize = 64> {
    /// Its registers, through the crate's console type.
    uart: Uart,
    bauddiv: u32,
    started: AtomicBool,
    rx: Ring<u8, N>,
    tx: Ring<u8, N>,
    /// Given by the RX interrupt: bytes may wait in `rx`.
    rx_ready: Semaphore<1>,
    /// Given by the TX interrupt: `tx` may have room, or be drained.
    tx_room: Semaphore<1>,
}

impl<const N: usize> Serial<N> {
    /// The driver of the UART device.toml's `[drivers.<name>]` gave
    /// `peripheral` (`bluegen_config::drivers::<NAME>`). The UART starts at
    /// the first read or write.
    #[must_use]
    pub const fn new(peripheral: Peripheral<UartCmsdk>) -> Self {
        Self {
            // SAFETY: a `Peripheral<UartCmsdk>` only bluegen_config makes, from
            // the board's [peripherals] entry of a CMSDK UART that device.toml
            // gave this driver (never the console): a CMSDK UART's register
            // block that nothing else drives.
            uart: unsafe { Uart::new(peripheral.base()) },
            bauddiv: peripheral.divisor(),
            started: AtomicBool::new(false),
            rx: Ring::new(),
            tx: Ring::new(),
            rx_ready: Semaphore::new(0),
            tx_room: Semaphore::new(0),
        }
    }

    /// The handler's half: clears the UART's interrupts, moves received
    /// bytes into the ring and the next byte to send out, and wakes the
    /// waiting reader or writer. Call it from the handlers of the
    /// peripheral's RX and TX interrupts.
    pub fn on_interrupt(&self) {
        let status = self.uart.read_reg(INT);
        self.uart.write_reg(INT, status & (INT_TX | INT_RX));
        critical(|cs| {
            self.pump(cs);
        });
        if status & INT_RX != 0 {
            let _ = self.rx_ready.give();
        }
        if status & INT_TX != 0 {
            let _ = self.tx_room.give();
        }
    }

    /// Sets the divisor and turns the UART and its interrupts on, once.
    fn start(&self) {
        if self.started.load(Relaxed) {
            return;
        }
        critical(|_| {
            if !self.started.load(Relaxed) {
                self.uart.write_reg(BAUDDIV, self.bauddiv);
                self.uart.write_reg(CTRL, CTRL_ON);
                self.started.store(true, Relaxed);
            }
        });
    }

    /// Moves what can move: received bytes into `rx` while it has room,
    /// and the next byte of `tx` out when the transmit buffer is free.
    fn pump(&self, cs: CriticalSection<'_>) {
        while self.rx.len() < N && self.uart.read_reg(STATE) & STATE_RX_FULL != 0 {
            // Reading DATA frees the UART for the next byte.
            let _ = self.rx.push(cs, self.uart.read_reg(DATA) as u8);
        }
        if self.uart.read_reg(STATE) & STATE_TX_FULL == 0
            && let Some(byte) = self.tx.pop(cs)
        {
            self.uart.write_reg(DATA, u32::from(byte));
        }
    }

    /// Reads into `buf`, blocking until at least one byte has arrived.
    fn read_bytes(&self, buf: &mut [u8]) -> usize {
        if buf.is_empty() {
            return 0;
        }
        self.start();
        loop {
            let n = critical(|cs| {
                let mut n = 0;
                while n < buf.len() {
                    match self.rx.pop(cs) {
                        Some(b) => {
                            buf[n] = b;
                            n += 1;
                        }
                        None => break,
                    }
                }
                // A byte the full ring left in the UART moves in now.
                self.pump(cs);
                n
            });
            if n > 0 {
                return n;
            }
            let _ = self.rx_ready.take(Timeout::FOREVER);
        }
    }

    /// Queues bytes of `buf`, blocking until at least one fits.
    fn write_bytes(&self, buf: &[u8]) -> usize {
        if buf.is_empty() {
            return 0;
        }
        self.start();
        loop {
            let n = critical(|cs| {
                let mut n = 0;
                while n < buf.len() && self.tx.push(cs, buf[n]).is_ok() {
                    n += 1;
                }
                self.pump(cs);
                n
            });
            if n > 0 {
                return n;
            }
            let _ = self.tx_room.take(Timeout::FOREVER);
        }
    }

    /// Waits until every queued byte has left the transmit buffer.
    fn drain(&self) {
        while critical(|_| self.tx.len() > 0 || self.uart.read_reg(STATE) & STATE_TX_FULL != 0) {
            let _ = self.tx_room.take(Timeout::FOREVER);
        }
        // The interrupt gives `tx_room` once: pass it on, so that another
        // thread waiting in `flush` or for room sees the empty buffer too.
        let _ = self.tx_room.give();
    }
}

impl<const N: usize> embedded_io::ErrorType for &Serial<N> {
    type Error = Infallible;
}

impl<const N: usize> embedded_io::Read for &Serial<N> {
    /// Blocks until at least one byte has arrived; returns how many it read.
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Infallible> {
        Ok(self.read_bytes(buf))
    }

    /// As the trait's, without its slicing panic path (and `core::fmt`):
    /// `read_bytes` never returns more than it was given.
    fn read_exact(&mut self, mut buf: &mut [u8]) -> Result<(), embedded_io::ReadExactError<Infallible>> {
        while !buf.is_empty() {
            let n = self.read_bytes(buf);
            buf = match buf.get_mut(n..) {
                Some(rest) => rest,
                None => break,
            };
        }
        Ok(())
    }
}

impl<const N: usize> embedded_io::ReadReady for &Serial<N> {
    fn read_ready(&mut self) -> Result<bool, Infallible> {
        Ok(self.rx.len() > 0)
    }
}

impl<const N: usize> embedded_io::Write for &Serial<N> {
    /// Blocks until at least one byte fits the transmit ring.
    fn write(&mut self, buf: &[u8]) -> Result<usize, Infallible> {
        Ok(self.write_bytes(buf))
    }

    /// As the trait's, without its slicing panic path (and `core::fmt`).
    fn write_all(&mut self, mut buf: &[u8]) -> Result<(), Infallible> {
        while !buf.is_empty() {
            let n = self.write_bytes(buf);
            buf = buf.get(n..).unwrap_or_default();
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), Infallible> {
        self.drain();
        Ok(())
    }
}
